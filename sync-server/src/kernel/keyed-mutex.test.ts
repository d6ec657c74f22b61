import { describe, expect, it } from 'vitest';
import { KeyedMutex } from './keyed-mutex.ts';

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('KeyedMutex', () => {
  it('never interleaves two tasks of the same key, and runs them in arrival order', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name}:start`);
      await tick();
      log.push(`${name}:end`);
      return name;
    };
    const results = await Promise.all([mutex.run('k', task('a')), mutex.run('k', task('b')), mutex.run('k', task('c'))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a:start', 'a:end', 'b:start', 'b:end', 'c:start', 'c:end']);
  });

  it('lets different keys run side by side, and a failed task does not block the next', async () => {
    const mutex = new KeyedMutex();
    const log: string[] = [];
    const p1 = mutex.run('k1', async () => {
      log.push('k1:start');
      await tick();
      log.push('k1:end');
    });
    const p2 = mutex.run('k2', async () => {
      log.push('k2:start');
    });
    await Promise.all([p1, p2]);
    expect(log.indexOf('k2:start')).toBeLessThan(log.indexOf('k1:end'));

    await expect(mutex.run('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(mutex.run('k', async () => 'after')).resolves.toBe('after');
  });
});
