/** A binary max-heap keyed by a number (the B&B node's upper bound). */
export class MaxHeap<T> {
  private keys: number[] = [];
  private items: T[] = [];

  get size(): number {
    return this.keys.length;
  }

  /** Largest key (−∞ when empty). */
  topKey(): number {
    return this.keys.length ? this.keys[0]! : -Infinity;
  }

  top(): T | undefined {
    return this.items[0];
  }

  push(key: number, item: T): void {
    const k = this.keys, it = this.items;
    let i = k.length;
    k.push(key);
    it.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!(k[p]! < key)) break;
      k[i] = k[p]!;
      it[i] = it[p]!;
      i = p;
    }
    k[i] = key;
    it[i] = item;
  }

  pop(): { key: number; item: T } | undefined {
    const k = this.keys, it = this.items;
    if (!k.length) return undefined;
    const key = k[0]!, item = it[0]!;
    const lk = k.pop()!, li = it.pop()!;
    const n = k.length;
    if (n) {
      let i = 0;
      for (;;) {
        const a = 2 * i + 1, b = a + 1;
        let j = i, jk = lk;
        if (a < n && k[a]! > jk) {
          j = a;
          jk = k[a]!;
        }
        if (b < n && k[b]! > jk) {
          j = b;
          jk = k[b]!;
        }
        if (j === i) break;
        k[i] = k[j]!;
        it[i] = it[j]!;
        i = j;
      }
      k[i] = lk;
      it[i] = li;
    }
    return { key, item };
  }

  /** The k items with the largest keys (a copy, not removed), largest first. */
  topK(kk: number): { key: number; item: T }[] {
    const out: { key: number; item: T }[] = [];
    if (!this.keys.length) return out;
    // best-first walk over the heap tree
    const frontier = new MaxHeap<number>();
    frontier.push(this.keys[0]!, 0);
    while (out.length < kk && frontier.size) {
      const { item: i } = frontier.pop()!;
      out.push({ key: this.keys[i]!, item: this.items[i]! });
      const a = 2 * i + 1, b = a + 1;
      if (a < this.keys.length) frontier.push(this.keys[a]!, a);
      if (b < this.keys.length) frontier.push(this.keys[b]!, b);
    }
    return out;
  }

  /** Every item (no order). */
  all(): readonly T[] {
    return this.items;
  }
}
