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
 * at the call that shipped it (line 3 of the compiled wrapper), so line L
 * is `L - 3` lines below that call.
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
