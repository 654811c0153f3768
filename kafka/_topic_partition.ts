// The one string key of a (topic, partition) pair, for Maps and Sets of
// partitions across the client and the broker. A topic name never holds
// "\u0000" (names match [a-zA-Z0-9._-]), so the split is unambiguous.

/** The Map key of a topic's partition. */
export const tpKey = (topic: string, partition: number): string =>
  `${topic}\u0000${partition}`;

/** The topic and partition of a {@linkcode tpKey}. */
export const splitKey = (key: string): [string, number] => {
  const i = key.lastIndexOf("\u0000");
  return [key.slice(0, i), Number(key.slice(i + 1))];
};
