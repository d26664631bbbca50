const registry = new Map<string, LruCache<unknown, unknown>>();

/** The named caches of this process, for its metrics. */
export const namedCaches = (): IterableIterator<[string, LruCache<unknown, unknown>]> => registry.entries();

/**
 * A small least-recently-used cache, with an optional time to live. Per process: what it holds
 * must be correct on any web server (immutable content by version), or acceptably stale for at
 * most `ttlMs` (which version is live).
 */
export class LruCache<K, V> {
  private readonly entries = new Map<K, { value: V; expires: number }>();
  /** Lookups that found a live entry, and those that did not (for `/metrics`). */
  hits = 0;
  misses = 0;

  /** `name`: the cache is listed in the process's metrics under it (the latest one of a name). */
  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs = Infinity,
    name?: string,
  ) {
    if (name) registry.set(name, this as LruCache<unknown, unknown>);
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry || entry.expires <= Date.now()) {
      if (entry) this.entries.delete(key);
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Re-insert: a Map iterates in insertion order, so the first key is the least recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V): void {
    if (this.maxEntries <= 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, expires: this.ttlMs === Infinity ? Infinity : Date.now() + this.ttlMs });
  }

  /** The cached value, or the result of `load` (cached, unless it is undefined). */
  async getOrLoad(key: K, load: () => Promise<V>): Promise<V> {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    const value = await load();
    if (value !== undefined) this.set(key, value);
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}
