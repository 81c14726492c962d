// Items grouped by a key (sockets by client address), with the largest group found in O(1): what the
// connection gate and the tracker's socket budget need to take room from whoever holds the most.

export class GroupedSet<K, T> {
  private readonly groups = new Map<K, Set<T>>();
  private readonly keyOf = new Map<T, K>();
  /** Keys by the size of their group. */
  private readonly bySize = new Map<number, Set<K>>();
  private largest = 0;

  get size(): number {
    return this.keyOf.size;
  }

  /** Items of `key`'s group in insertion order (oldest first); empty when it has none. */
  group(key: K): ReadonlySet<T> {
    return this.groups.get(key) ?? EMPTY;
  }

  /** The size of `key`'s group. */
  count(key: K): number {
    return this.groups.get(key)?.size ?? 0;
  }

  /** A key holding the most items (the first to reach that size), with its size; undefined when empty. */
  largestGroup(): { key: K; size: number } | undefined {
    const key = this.bySize.get(this.largest)?.values().next().value;
    return key === undefined ? undefined : { key, size: this.largest };
  }

  add(key: K, item: T): void {
    if (this.keyOf.has(item)) return;
    let group = this.groups.get(key);
    if (group === undefined) this.groups.set(key, (group = new Set()));
    group.add(item);
    this.keyOf.set(item, key);
    this.resize(key, group.size - 1, group.size);
  }

  /** Removes `item`; false if it was not here. */
  delete(item: T): boolean {
    const key = this.keyOf.get(item);
    if (key === undefined) return false;
    this.keyOf.delete(item);
    const group = this.groups.get(key)!;
    group.delete(item);
    this.resize(key, group.size + 1, group.size);
    if (group.size === 0) this.groups.delete(key);
    return true;
  }

  /** Every item, of all groups. */
  values(): IterableIterator<T> {
    return this.keyOf.keys();
  }

  has(item: T): boolean {
    return this.keyOf.has(item);
  }

  private resize(key: K, from: number, to: number): void {
    const old = this.bySize.get(from);
    old?.delete(key);
    if (old?.size === 0) this.bySize.delete(from);
    if (to > 0) {
      let keys = this.bySize.get(to);
      if (keys === undefined) this.bySize.set(to, (keys = new Set()));
      keys.add(key);
    }
    if (to > this.largest) this.largest = to;
    while (this.largest > 0 && !this.bySize.has(this.largest)) this.largest--;
  }
}

const EMPTY: ReadonlySet<never> = new Set();
