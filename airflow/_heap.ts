/** A binary min-heap of small integers ordered by a key array. */
export class IntHeap {
  #items: number[] = [];
  #key: ArrayLike<number>;

  constructor(key: ArrayLike<number>) {
    this.#key = key;
  }

  get size(): number {
    return this.#items.length;
  }

  push(item: number): void {
    const a = this.#items;
    const k = this.#key;
    a.push(item);
    let i = a.length - 1;
    const ki = k[item]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = a[p]!;
      if (k[parent]! <= ki) break;
      a[i] = parent;
      i = p;
    }
    a[i] = item;
  }

  peek(): number | undefined {
    return this.#items[0];
  }

  pop(): number | undefined {
    const a = this.#items;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      const k = this.#key;
      const kl = k[last]!;
      let i = 0;
      const n = a.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && k[a[r]!]! < k[a[l]!]! ? r : l;
        if (k[a[c]!]! >= kl) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
