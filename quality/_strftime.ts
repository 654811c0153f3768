// Python strptime formats (`%Y-%m-%d %H:%M:%S`) compiled to a matcher that
// accepts a string exactly when datetime.strptime would: fields in range,
// day valid for the month (year 1900, not a leap year, when no year is given).

import { QualityError } from "./errors.ts";

const MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
const DAYS = [
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
  "sunday",
];
const alt = (names: string[]): string => names.join("|");

const DIRECTIVES: Record<string, [string, string]> = {
  Y: ["Y", "\\d{4}"],
  y: ["y", "\\d{2}"],
  m: ["m", "\\d{1,2}"],
  d: ["d", "\\d{1,2}"],
  H: ["H", "\\d{1,2}"],
  I: ["I", "\\d{1,2}"],
  M: ["M", "\\d{1,2}"],
  S: ["S", "\\d{1,2}"],
  f: ["f", "\\d{1,6}"],
  j: ["j", "\\d{1,3}"],
  p: ["p", "AM|PM|am|pm"],
  b: ["b", alt(MONTHS.map((m) => m.slice(0, 3)))],
  h: ["b", alt(MONTHS.map((m) => m.slice(0, 3)))],
  B: ["B", alt(MONTHS)],
  a: ["a", alt(DAYS.map((d) => d.slice(0, 3)))],
  A: ["A", alt(DAYS)],
  w: ["w", "[0-6]"],
  z: ["z", "Z|[+-]\\d{2}:?\\d{2}(?::?\\d{2})?"],
  Z: ["Z", "UTC|GMT|[A-Z]{3,5}"],
};

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function daysIn(month: number, year: number): number {
  if (month === 2) {
    return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Compiles a strptime format; throws QualityError on an unknown directive. */
export function compileStrftime(format: string): (value: string) => boolean {
  let pattern = "^";
  const groups: string[] = [];
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c === "%") {
      const d = format[++i];
      if (d === "%") {
        pattern += "%";
        continue;
      }
      const spec = d === undefined ? undefined : DIRECTIVES[d];
      if (!spec) {
        throw new QualityError(
          `Unknown strftime directive in format: "%${d ?? ""}" in ${
            JSON.stringify(format)
          }`,
        );
      }
      groups.push(spec[0]);
      pattern += `(${spec[1]})`;
    } else if (/\s/.test(c)) {
      pattern += "\\s+";
    } else {
      pattern += escapeRegex(c);
    }
  }
  const re = new RegExp(pattern + "$", "i");
  return (value: string): boolean => {
    const m = re.exec(value);
    if (!m) return false;
    let year = 1900, month = 1, day = 1;
    for (let g = 0; g < groups.length; g++) {
      const kind = groups[g]!;
      const text = m[g + 1]!;
      const n = Number(text);
      switch (kind) {
        case "Y":
          year = n;
          break;
        case "y":
          year = n < 69 ? 2000 + n : 1900 + n;
          break;
        case "m":
          if (n < 1 || n > 12) return false;
          month = n;
          break;
        case "d":
          if (n < 1 || n > 31) return false;
          day = n;
          break;
        case "H":
          if (n > 23) return false;
          break;
        case "I":
          if (n < 1 || n > 12) return false;
          break;
        case "M":
          if (n > 59) return false;
          break;
        case "S":
          if (n > 61) return false;
          break;
        case "j":
          if (n < 1 || n > 366) return false;
          break;
        case "b":
          month = MONTHS.findIndex((x) => x.startsWith(text.toLowerCase())) + 1;
          break;
        case "B":
          month = MONTHS.indexOf(text.toLowerCase()) + 1;
          break;
      }
    }
    return day <= daysIn(month, year);
  };
}
