/** Minimal glob matching for FileSensor: `*`, `?`, `[...]` and `**`. */

import { isAbsolute, join, resolve, sep } from "node:path";

const GLOB_CHARS = /[*?[]/;

/** Converts one glob pattern (with `/` separators) to a regular expression. */
export function globToRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*") {
      if (pattern[i + 1] === "*") {
        // "**/" matches zero or more directories; a trailing "**" anything.
        if (pattern[i + 2] === "/") {
          re += "(?:.*/)?";
          i += 2;
        } else {
          re += ".*";
          i += 1;
        }
      } else {
        re += "[^/]*";
      }
    } else if (c === "?") {
      re += "[^/]";
    } else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) {
        re += "\\[";
      } else {
        let body = pattern.slice(i + 1, end).replace(/\\/g, "\\\\");
        if (body.startsWith("!")) body = "^" + body.slice(1);
        re += `[${body}]`;
        i = end;
      }
    } else {
      re += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
    }
  }
  return new RegExp(`^${re}$`);
}

/**
 * True when some file matches `pattern`, or some matching directory holds a
 * file (Airflow's FileSensor rule). Relative patterns resolve against `base`.
 */
export async function globHasMatch(
  pattern: string,
  base: string,
): Promise<boolean> {
  const abs = isAbsolute(pattern) ? pattern : join(base, pattern);
  const norm = sep === "/" ? abs : abs.split(sep).join("/");
  const parts = norm.split("/");
  const fixed: string[] = [];
  for (const p of parts) {
    if (GLOB_CHARS.test(p)) break;
    fixed.push(p);
  }
  if (fixed.length === parts.length) return await _hasFile(resolve(abs));
  const root = fixed.join("/") || "/";
  const rest = parts.slice(fixed.length);
  const deep = rest.includes("**");
  const maxDepth = deep ? Infinity : rest.length;
  const regex = globToRegExp(norm);
  const walk = async (dir: string, depth: number): Promise<boolean> => {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(dir));
    } catch {
      return false;
    }
    for (const e of entries) {
      const path = dir === "/" ? `/${e.name}` : `${dir}/${e.name}`;
      if (regex.test(path)) {
        if (e.isFile) return true;
        if (e.isDirectory && await _hasFile(path)) return true;
      }
      if (e.isDirectory && depth + 1 < maxDepth) {
        if (await walk(path, depth + 1)) return true;
      }
    }
    return false;
  };
  return await walk(root, 0);
}

async function _hasFile(path: string): Promise<boolean> {
  try {
    const info = await Deno.stat(path);
    if (info.isFile) return true;
    if (!info.isDirectory) return false;
    for await (const e of Deno.readDir(path)) {
      if (e.isFile || (e.isDirectory && await _hasFile(join(path, e.name)))) {
        return true;
      }
    }
    return false;
  } catch {
    return false;
  }
}
