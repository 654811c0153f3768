// Runs inside spark workers: registered as the module `__dq`, so a shipped
// mapPartitions function can call
// __dq.evaluatePartition(rows, suite, format, options) — the same function
// validate() and callers use, not a copy.

export { evaluatePartition } from "./validate.ts";
