// Path helpers (node:path plus file URLs).

import { isAbsolute, resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";

export function resolve(path: string): string {
  return isAbsolute(path) ? path : resolvePath(Deno.cwd(), path);
}

export function toFileUrl(path: string): URL {
  return pathToFileURL(path);
}
