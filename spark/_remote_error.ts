// A task's error as the driver sees it: the original class (for the
// standard ones), message and stack, with the frames of shipped functions
// pointing at the user's source instead of `eval`.

const CLASSES: Record<string, ErrorConstructor> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError,
};

/** Rebuilds a worker-side error with its class, message and stack. */
export function remoteError(
  e: { name: string; message: string; stack: string },
): Error {
  const Class = Object.hasOwn(CLASSES, e.name) ? CLASSES[e.name]! : Error;
  const err = new Class(e.message);
  if (err.name !== e.name) err.name = e.name;
  err.stack = e.stack || `${e.name}: ${e.message}`;
  return err;
}

/** The sourceURL a shipped function is compiled under: where it was made. */
export function shippedSourceUrl(at: string): string {
  return `spark-fn:${encodeURIComponent(at)}`;
}

/**
 * Rewrites stack frames of shipped functions, `spark-fn:<where>,
 * <anonymous>:L:C`, to the user's file and line: the function's text starts
 * where it was defined (line 3 of the compiled wrapper), so line L is
 * `L - 3` lines below that place.
 */
export function userStack(stack: string): string {
  return stack.replace(
    /\(?spark-fn:([^,\s]+), <anonymous>:(\d+):(\d+)\)?/g,
    (_m, at: string, l: string, c: string) => {
      const where = /^(.*):(\d+):(\d+)$/.exec(decodeURIComponent(at));
      if (where === null) return `(${decodeURIComponent(at)})`;
      const line = Number(where[2]) + Number(l) - 3;
      const col = Number(l) === 3 ? Number(where[3]) : Number(c);
      return `(${where[1]}:${line}:${col})`;
    },
  );
}

/** The first stack frame outside the spark module: the user's call. */
export function callSite(): string {
  const here = new URL(".", import.meta.url).href;
  for (const line of (new Error().stack ?? "").split("\n").slice(1)) {
    const m = /\(?((?:file|https?|jsr|npm):[^\s()]+:\d+:\d+)\)?$/.exec(line);
    if (m !== null && !m[1]!.startsWith(here)) return m[1]!;
  }
  return "unknown:0:0";
}

const sources = new Map<string, string | null>();

/** The text of a module the driver runs, or null when it cannot be read. */
function sourceOf(url: string): string | null {
  let text = sources.get(url);
  if (text === undefined) {
    try {
      text = Deno.readTextFileSync(new URL(url));
    } catch {
      text = null; // not a file, or no read permission: fall back
    }
    sources.set(url, text);
  }
  return text;
}

/**
 * Where a shipped function was defined, `file:line:col`: the call that
 * shipped it (`at`, from {@linkcode callSite}) for an inline function; for
 * a named one (`const f = (x) => ...`, `function f(x)`), its definition in
 * the same file, the nearest one above the call (so frames inside it map to
 * its own lines, not to lines below the call). Falls back to `at`.
 */
export function definedAt(fn: unknown, at: string): string {
  const name = typeof fn === "function" ? fn.name : "";
  const where = /^(.*):(\d+):(\d+)$/.exec(at);
  if (name === "" || !/^[A-Za-z_$][\w$]*$/.test(name) || where === null) {
    return at;
  }
  const text = sourceOf(where[1]!);
  if (text === null) return at;
  const callLine = Number(where[2]);
  const id = name.replaceAll("$", "\\$");
  // A declaration's text starts at `function`; a binding's after its `=`.
  const definition = new RegExp(
    `\\b(?:(?:async\\s+)?function\\s*\\*?\\s*${id}\\s*[(<]|(?:const|let|var)\\s+${id}\\s*(?::(?:[^=]|=>)+)?=(?!>)\\s*)`,
    "g",
  );
  let best: string | null = null;
  for (const m of text.matchAll(definition)) {
    const start = m[0].startsWith("const") || m[0].startsWith("let") ||
        m[0].startsWith("var")
      ? m.index + m[0].length
      : m.index;
    const before = text.slice(0, start);
    const line = before.split("\n").length;
    if (line > callLine && best !== null) break;
    best = `${where[1]}:${line}:${start - before.lastIndexOf("\n")}`;
    if (line > callLine) break;
  }
  return best ?? at;
}
