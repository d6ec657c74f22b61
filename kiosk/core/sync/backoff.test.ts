import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.ts';

describe('Backoff', () => {
  it('doubles up to its ceiling, each delay drawn between half and all of it', () => {
    const low = new Backoff(1000, 300_000, () => 0);
    const high = new Backoff(1000, 300_000, () => 1 - Number.EPSILON);
    const lows = Array.from({ length: 12 }, () => low.next());
    const highs = Array.from({ length: 12 }, () => high.next());
    expect(lows).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 150_000, 150_000, 150_000]);
    expect(highs).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000, 300_000]);
  });

  it('spreads a fleet: the same attempt gives different delays', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const delays = Array.from({ length: 20 }, () => {
      const b = new Backoff(1000, 300_000, random);
      for (let i = 0; i < 5; i++) b.next();
      return b.next();
    });
    expect(new Set(delays).size).toBeGreaterThan(15);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(16_000);
    for (const d of delays) expect(d).toBeLessThanOrEqual(32_000);
  });

  it('starts again from the base after a reset', () => {
    const b = new Backoff(1000, 300_000, () => 0);
    for (let i = 0; i < 8; i++) b.next();
    expect(b.attempts).toBe(8);
    b.reset();
    expect(b.next()).toBe(500);
  });
});
