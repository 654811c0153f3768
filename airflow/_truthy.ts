/**
 * Python's truthiness, for values a DAG author returns where Airflow would
 * test `bool(result)`: `None`, `False`, zero, empty strings and empty
 * containers are false; everything else, `NaN` included, is true.
 *
 * @module
 */

/** `bool(value)` in Python, for JSON-like values (Map and Set by size). */
export function pythonTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false) return false;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "bigint") return value !== 0n;
  if (typeof value === "string") return value.length > 0;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map || value instanceof Set) return value.size > 0;
  if (
    typeof value === "object" &&
    Object.getPrototypeOf(value) === Object.prototype
  ) {
    return Object.keys(value).length > 0;
  }
  return true;
}
