// Shipping functions to workers as source text, and compiling them there in
// a scope that turns every free identifier into a clear error.

import { SparkError } from "./errors.ts";
import { shippedSourceUrl } from "./_remote_error.ts";

/** Globals a shipped function may use without passing them in `env`. */
export const ALLOWED_GLOBALS: ReadonlySet<string> = new Set([
  "undefined",
  "NaN",
  "Infinity",
  "globalThis",
  "Math",
  "JSON",
  "Date",
  "Map",
  "Set",
  "WeakMap",
  "WeakSet",
  "WeakRef",
  "Number",
  "String",
  "Boolean",
  "Object",
  "Array",
  "Symbol",
  "BigInt",
  "RegExp",
  "Promise",
  "Reflect",
  "Proxy",
  "Intl",
  "Error",
  "TypeError",
  "RangeError",
  "SyntaxError",
  "ReferenceError",
  "EvalError",
  "URIError",
  "AggregateError",
  "parseInt",
  "parseFloat",
  "isNaN",
  "isFinite",
  "encodeURIComponent",
  "decodeURIComponent",
  "encodeURI",
  "decodeURI",
  "ArrayBuffer",
  "SharedArrayBuffer",
  "DataView",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int8Array",
  "Uint16Array",
  "Int16Array",
  "Uint32Array",
  "Int32Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
  "Atomics",
  "console",
  "TextEncoder",
  "TextDecoder",
  "URL",
  "URLSearchParams",
  "structuredClone",
  "atob",
  "btoa",
  "crypto",
  "performance",
  "queueMicrotask",
  "setTimeout",
  "clearTimeout",
  "setInterval",
  "clearInterval",
  "Deno",
  "WebAssembly",
  "Blob",
  "Response",
  "Request",
  "Headers",
  "fetch",
  "AbortController",
  "AbortSignal",
  "ReadableStream",
  "WritableStream",
  "TransformStream",
  "CompressionStream",
  "DecompressionStream",
  "DOMException",
  "Iterator",
  "arguments",
]);

/**
 * Turns a function into source text that parses as an expression, refusing
 * non-functions, native and bound functions and classes up front.
 */
export function shipFunction(fn: unknown, what: string): string {
  if (typeof fn !== "function") {
    throw new SparkError(
      `${what} expects a function: got ${fn === null ? "null" : typeof fn} ${
        describe(fn)
      }`,
    );
  }
  const text = Function.prototype.toString.call(fn);
  if (
    fn.name.startsWith("bound ") || /\{\s*\[native code\]\s*\}\s*$/.test(text)
  ) {
    throw new SparkError(
      `${what} cannot ship a native or bound function to a worker: ${
        fn.name || "(anonymous)"
      }`,
    );
  }
  if (/^class\b/.test(text)) {
    throw new SparkError(`${what} expects a function, not a class: ${fn.name}`);
  }
  for (const candidate of expressionForms(text)) {
    try {
      new Function(`return (${candidate}\n);`);
      return candidate;
    } catch {
      // try the next form
    }
  }
  throw new SparkError(
    `${what} got a function whose source cannot be shipped: ${
      text.slice(0, 80)
    }`,
  );
}

function describe(v: unknown): string {
  try {
    return JSON.stringify(v)?.slice(0, 60) ?? String(v);
  } catch {
    return String(v);
  }
}

function expressionForms(text: string): string[] {
  // Method shorthand (`f(x) { }`, `async f(x) { }`, `*g() { }`) is not an
  // expression on its own; give it the `function` keyword.
  const forms = [text];
  const asyncMatch = /^async\s+(?!function\b)/.exec(text);
  if (asyncMatch) {
    forms.push("async function " + text.slice(asyncMatch[0].length));
  } else if (text.startsWith("*")) forms.push("function" + text);
  else forms.push("function " + text);
  return forms;
}

/** Thrown inside a worker when a shipped function reads a free identifier. */
export class CaptureError extends Error {
  /** The identifier that was read. */
  readonly identifier: string;
  constructor(identifier: string) {
    super(
      `Shipped function uses a free identifier: "${identifier}" — functions run in workers and cannot capture local variables; pass it in env (the last argument, e.g. rdd.map((x, env) => x + env.${identifier}, { ${identifier} })), as a broadcast inside env, or register a module with sc.addModule("${identifier}", specifier)`,
    );
    this.name = "CaptureError";
    this.identifier = identifier;
  }
}

/**
 * Compiles shipped source in a scope where registered module namespaces are
 * visible, standard globals pass through and anything else throws a
 * {@linkcode CaptureError} when it is read.
 */
export function compileShipped(
  src: string,
  namespaces: Record<string, unknown>,
  at = "unknown:0:0",
): (...args: unknown[]) => unknown {
  const scope = new Proxy(Object.create(null), {
    has(_t, key): boolean {
      if (typeof key !== "string" || key.startsWith("__spark")) return false;
      if (Object.hasOwn(namespaces, key)) return true;
      return !ALLOWED_GLOBALS.has(key);
    },
    get(_t, key): unknown {
      if (typeof key !== "string") return undefined;
      if (Object.hasOwn(namespaces, key)) return namespaces[key];
      throw new CaptureError(key);
    },
  });
  // Names the function mentions that are allowed globals or modules get a
  // block binding inside the `with`: lookups stop there, so only truly free
  // identifiers reach the (slow) proxy, and hot loops stay fast.
  const tokens = new Set(src.match(/[A-Za-z_$][\w$]*/g) ?? []);
  const decls: string[] = [];
  for (const t of tokens) {
    if (t === "arguments" || t.startsWith("__spark")) continue;
    if (Object.hasOwn(namespaces, t)) {
      decls.push(`const ${t} = __sparkNs[${JSON.stringify(t)}];`);
    } else if (ALLOWED_GLOBALS.has(t) && t in globalThis) {
      decls.push(`const ${t} = __sparkGlobal[${JSON.stringify(t)}];`);
    } else if (t === "undefined") decls.push("const undefined = void 0;");
  }
  const factory = new Function(
    "__sparkScope",
    "__sparkNs",
    "__sparkGlobal",
    // The function's text starts on line 3 of the compiled wrapper; the
    // sourceURL lets userStack() map its frames to the user's file.
    `with (__sparkScope) { ${
      decls.join(" ")
    } return (${src}\n); }\n//# sourceURL=${shippedSourceUrl(at)}`,
  );
  return factory(scope, namespaces, globalThis);
}

/** Whether shipped source text mentions `name` as an identifier. */
export function mentionsIdentifier(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^\\w$.])${escaped}([^\\w$]|$)`).test(text);
}
