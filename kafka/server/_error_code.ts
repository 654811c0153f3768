// The wire code of a failure: the module's errors carry Kafka's error name
// and code; anything else is UNKNOWN_SERVER_ERROR (-1).

import { KafkaJSError } from "../errors.ts";
import { errorCodeOfType } from "../protocol/_error_codes.ts";

/** Kafka's code for an error name (-1 for an unknown name). */
export function codeOf(type: string): number {
  return errorCodeOfType(type)?.code ?? -1;
}

/** Kafka's code for a thrown error. */
export function errorCodeFor(error: unknown): number {
  return error instanceof KafkaJSError ? error.code ?? -1 : -1;
}

/** Runs `work`; its error as Kafka's code, 0 when it succeeds. */
export async function errorCodeOf(
  work: () => Promise<unknown>,
): Promise<number> {
  try {
    await work();
    return 0;
  } catch (error) {
    return errorCodeFor(error);
  }
}
