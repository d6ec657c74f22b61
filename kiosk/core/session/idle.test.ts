import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IdleTimer } from './idle.ts';

describe('idle timer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function make() {
    const warnings: (number | null)[] = [];
    let timeouts = 0;
    const timer = new IdleTimer({ timeoutMs: 60_000, warningMs: 10_000, onWarning: (s) => warnings.push(s), onTimeout: () => timeouts++ });
    return { timer, warnings, timeouts: () => timeouts };
  }

  it('warns with a countdown, then times out', () => {
    const { timer, warnings, timeouts } = make();
    timer.touch();
    vi.advanceTimersByTime(49_999);
    expect(warnings).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(warnings).toEqual([10]);
    vi.advanceTimersByTime(5_000);
    expect(warnings.at(-1)).toBe(5);
    vi.advanceTimersByTime(5_000);
    expect(timeouts()).toBe(1);
    expect(timer.running).toBe(false);
    vi.advanceTimersByTime(120_000);
    expect(timeouts()).toBe(1);
  });

  it('"Je suis là" during the warning clears it and starts again', () => {
    const { timer, warnings, timeouts } = make();
    timer.touch();
    vi.advanceTimersByTime(55_000);
    expect(warnings.at(-1)).toBe(5);
    timer.touch();
    expect(warnings.at(-1)).toBeNull();
    vi.advanceTimersByTime(49_000);
    expect(timeouts()).toBe(0);
    vi.advanceTimersByTime(11_000);
    expect(timeouts()).toBe(1);
  });

  it('stops without firing', () => {
    const { timer, warnings, timeouts } = make();
    timer.touch();
    vi.advanceTimersByTime(52_000);
    timer.stop();
    expect(warnings.at(-1)).toBeNull();
    vi.advanceTimersByTime(100_000);
    expect(timeouts()).toBe(0);
  });
});
