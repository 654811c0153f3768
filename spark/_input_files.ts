// Which files a `textFile`/`csv`/`wholeTextFiles` path names, as Hadoop's
// FileInputFormat reads it: a comma-separated list of paths, each a file, a
// directory (its files, not recursing, skipping names that start with "_" or
// "." such as _SUCCESS and .crc files) or a glob (`*`, `?`, `[abc]`, `{a,b}`
// within one path segment). Each path's files come back sorted, in the
// order of the list, so partition order is stable.

import { isAbsolute, join, resolve, sep } from "node:path";
import { SparkError } from "./errors.ts";

/** One input file. */
export interface InputFile {
  path: string;
  size: number;
  /** Gzip-compressed (`.gz`): read whole, as one split. */
  gzip: boolean;
}

const GLOB = /[*?[{]/;

/** Hadoop's hiddenFileFilter. */
function hidden(name: string): boolean {
  return name.startsWith("_") || name.startsWith(".");
}

/** Expands `path` (comma list, directories, globs) into files. */
export function listInputFiles(path: unknown, what: string): InputFile[] {
  if (typeof path !== "string" || path.trim() === "") {
    throw new SparkError(`${what} needs a path: ${String(path)}`);
  }
  const out = new Map<string, InputFile>();
  for (const part of splitPaths(path)) {
    const p = part.trim();
    if (p === "") continue;
    const matches = GLOB.test(p) ? expandGlob(p) : [resolve(p)];
    if (matches.length === 0) {
      throw new SparkError(`Input path does not match any files: "${p}"`);
    }
    const found = matches.flatMap((m) => filesAt(m, p));
    found.sort((a, b) => a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
    for (const f of found) if (!out.has(f.path)) out.set(f.path, f);
  }
  return [...out.values()];
}

/** Splits a comma list, keeping commas inside `{...}` (glob choices). */
function splitPaths(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === "{") depth++;
    else if (c === "}" && depth > 0) depth--;
    else if (c === "," && depth === 0) {
      out.push(list.slice(from, i));
      from = i + 1;
    }
  }
  out.push(list.slice(from));
  return out;
}

function info(path: string, given: string): Deno.FileInfo {
  try {
    return Deno.statSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new SparkError(`Input path does not exist: "${given}"`, {
        cause: e,
      });
    }
    throw new SparkError(`Cannot read input path: "${given}"`, { cause: e });
  }
}

function file(path: string, size: number): InputFile {
  return { path, size, gzip: path.endsWith(".gz") };
}

function filesAt(path: string, given: string): InputFile[] {
  const st = info(path, given);
  if (!st.isDirectory) return [file(path, st.size)];
  const files: InputFile[] = [];
  for (const e of Deno.readDirSync(path)) {
    if (hidden(e.name)) continue;
    const child = join(path, e.name);
    const cst = info(child, child);
    if (cst.isFile) files.push(file(child, cst.size));
  }
  return files;
}

/** Paths matching a glob pattern, segment by segment. */
function expandGlob(pattern: string): string[] {
  const abs = isAbsolute(pattern) ? pattern : resolve(pattern);
  const segments = abs.split(sep).filter((s) => s !== "");
  let current: string[] = [sep];
  for (const seg of segments) {
    const next: string[] = [];
    if (!GLOB.test(seg)) {
      for (const dir of current) next.push(join(dir, seg));
    } else {
      const re = globSegment(seg);
      for (const dir of current) {
        let entries: Deno.DirEntry[];
        try {
          entries = [...Deno.readDirSync(dir)];
        } catch {
          continue; // not a directory, or gone
        }
        for (const e of entries) {
          // A wildcard does not match hidden names unless spelled out.
          if (hidden(e.name) && !/^[_.]/.test(seg)) continue;
          if (re.test(e.name)) next.push(join(dir, e.name));
        }
      }
    }
    current = next;
  }
  return current.filter((p) => {
    try {
      Deno.statSync(p);
      return true;
    } catch {
      return false;
    }
  });
}

/** One glob segment as an anchored regular expression. */
function globSegment(seg: string): RegExp {
  let re = "";
  let braces = 0;
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const close = seg.indexOf("]", i + 1);
      if (close < 0) re += "\\[";
      else {
        const body = seg.slice(i + 1, close).replace(/^!/, "^").replace(
          /\\/g,
          "\\\\",
        );
        re += `[${body}]`;
        i = close;
      }
    } else if (c === "{") {
      braces++;
      re += "(?:";
    } else if (c === "}" && braces > 0) {
      braces--;
      re += ")";
    } else if (c === "," && braces > 0) re += "|";
    else re += c.replace(/[.+^$()|\\]/g, "\\$&");
  }
  if (braces > 0) {
    throw new SparkError(`Glob has an unclosed "{": "${seg}"`);
  }
  return new RegExp(`^${re}$`);
}

/**
 * Byte-range splits over several files: about `count` in all, each file
 * cut in proportion to its size (at least one split per file); a gzip file
 * cannot be cut and is one split.
 */
export function planSplits(
  files: InputFile[],
  count: number,
): { file: InputFile; start: number; end: number }[] {
  const total = files.reduce((s, f) => s + (f.gzip ? 0 : f.size), 0);
  const target = Math.max(1, Math.ceil(total / Math.max(1, count)));
  const out: { file: InputFile; start: number; end: number }[] = [];
  for (const f of files) {
    if (f.gzip || f.size === 0) {
      out.push({ file: f, start: 0, end: f.size });
      continue;
    }
    for (let s = 0; s < f.size; s += target) {
      out.push({ file: f, start: s, end: Math.min(f.size, s + target) });
    }
  }
  return out;
}
