import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './throttle.ts';

describe('login throttle', () => {
  it('blocks after 5 failures in 15 minutes, per login and address, until the oldest leaves the window', () => {
    const t = new LoginThrottle(5, 15 * 60_000);
    const t0 = 1_000_000;
    for (let i = 0; i < 5; i++) {
      expect(t.blockedFor('caf-chef', '10.0.0.1', t0 + i * 1000)).toBeNull();
      t.fail('CAF-Chef', '10.0.0.1', t0 + i * 1000);
    }
    expect(t.blockedFor('caf-chef', '10.0.0.1', t0 + 5000)).toBe(15 * 60_000 - 5000);
    expect(t.blockedFor('caf-chef', '10.0.0.2', t0 + 5000)).toBeNull();
    expect(t.blockedFor('mdph-chef', '10.0.0.1', t0 + 5000)).toBeNull();
    expect(t.blockedFor('caf-chef', '10.0.0.1', t0 + 15 * 60_000 + 1)).toBeNull();
  });

  it('forgets failures after a success, and keeps a bounded number of keys', () => {
    const t = new LoginThrottle(2, 60_000, 3);
    t.fail('a', 'ip');
    t.fail('a', 'ip');
    expect(t.blockedFor('a', 'ip')).not.toBeNull();
    t.succeed('a', 'ip');
    expect(t.blockedFor('a', 'ip')).toBeNull();
    for (const login of ['b', 'c', 'd', 'e']) {
      t.fail(login, 'ip');
      t.fail(login, 'ip');
    }
    expect(t.blockedFor('b', 'ip')).toBeNull(); // dropped, the oldest
    expect(t.blockedFor('e', 'ip')).not.toBeNull();
  });
});
