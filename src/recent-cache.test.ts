import { expect, it, vi } from 'vitest';
import { RecentCache } from './recent-cache.js';

it('keeps a value per database and key until it is invalidated or too old', async () => {
  vi.useFakeTimers();
  try {
    const cache = new RecentCache<number, string>(1_000);
    const one = {};
    const other = {};
    let reads = 0;
    const load = (v: string) => async () => `${v}${++reads}`;
    expect(await cache.get(one, 1, load('a'))).toBe('a1');
    expect(await cache.get(one, 1, load('a'))).toBe('a1');
    // Another database, another key: read separately.
    expect(await cache.get(other, 1, load('b'))).toBe('b2');
    expect(await cache.get(one, 2, load('c'))).toBe('c3');
    cache.invalidate();
    expect(await cache.get(one, 1, load('a'))).toBe('a4');
    vi.advanceTimersByTime(999);
    expect(await cache.get(one, 1, load('a'))).toBe('a4');
    vi.advanceTimersByTime(1);
    expect(await cache.get(one, 1, load('a'))).toBe('a5');
  } finally {
    vi.useRealTimers();
  }
});

it('does not keep a value read while a change was committing', async () => {
  const cache = new RecentCache<number, string>(60_000);
  const db = {};
  let release!: () => void;
  const slow = cache.get(db, 1, () => new Promise<string>((resolve) => (release = () => resolve('before the change'))));
  cache.invalidate();
  release();
  expect(await slow).toBe('before the change');
  expect(await cache.get(db, 1, async () => 'after the change')).toBe('after the change');
});
