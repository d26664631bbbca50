import { afterEach, describe, expect, it, vi } from 'vitest';
import { LruCache } from './cache.ts';

describe('LruCache', () => {
  afterEach(() => vi.useRealTimers());

  it('evicts the least recently used entry when full', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now more recent than b
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
  });

  it('forgets entries after their time to live', () => {
    vi.useFakeTimers();
    const cache = new LruCache<string, number>(10, 1000);
    cache.set('a', 1);
    vi.advanceTimersByTime(999);
    expect(cache.get('a')).toBe(1);
    vi.advanceTimersByTime(2);
    expect(cache.get('a')).toBeUndefined();
  });

  it('loads once and caches what it loaded', async () => {
    const cache = new LruCache<string, number>(10);
    const load = vi.fn(async () => 42);
    expect(await cache.getOrLoad('k', load)).toBe(42);
    expect(await cache.getOrLoad('k', load)).toBe(42);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('caches nothing when its size is zero', () => {
    const cache = new LruCache<string, number>(0);
    cache.set('a', 1);
    expect(cache.get('a')).toBeUndefined();
  });
});
