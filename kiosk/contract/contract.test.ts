import { describe, expect, it } from 'vitest';
import { createKioskClient } from './client.ts';
import { dispatch } from './dispatch.ts';
import type { Handlers } from './dispatch.ts';
import { KioskError } from './schema.ts';
import type { KioskBridge } from './schema.ts';
import { decodeWire, encodeWire } from './wire.ts';

const handlers = {
  'state.get': async () => ({ state: { screen: 'attract' }, sync: { pending: 0, online: true, lastSuccessAt: null, problem: null } }),
  'pin.submit': async ({ pin }: { pin: string }) => (pin === '1234' ? { outcome: 'open' } : { outcome: 'wrong', triesLeft: 2 }),
  'capture.analyse': async () => {
    throw new KioskError('bad-image', 'Reprenez la photo.');
  },
  'capture.confirm': async () => {
    throw new Error('database exploded');
  },
  'capture.discard': async () => ({}),
  'session.end': async () => ({}),
  'session.stillHere': async () => ({}),
  'session.dropCompanion': async () => ({}),
  // a handler that breaks its own contract must not leak a malformed result
  'sync.status': async () => ({ pending: -1 }) as never,
} as unknown as Handlers;

const internal: unknown[] = [];
const call = (method: unknown, params: unknown) => dispatch(handlers, method, params, (e) => internal.push(e));

describe('contract dispatch (core side)', () => {
  it('runs a valid request', async () => {
    expect(await call('pin.submit', { pin: '1234' })).toEqual({ ok: true, value: { outcome: 'open' } });
  });

  it('rejects unknown methods and prototype tricks', async () => {
    for (const m of ['nope', '__proto__', 'constructor', 'toString', 42, null]) {
      expect(await call(m, {})).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    }
  });

  it('rejects invalid params with a French message', async () => {
    const r = await call('pin.submit', { pin: '12' });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(JSON.stringify(r)).toContain('chiffres');
    expect(await call('pin.submit', { pin: 1234 })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(await call('capture.analyse', { image: 'not bytes', mime: 'image/jpeg' })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(await call('capture.analyse', { image: new Uint8Array(0), mime: 'image/jpeg' })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(await call('capture.analyse', { image: new Uint8Array(3), mime: 'application/pdf' })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });

  it('passes typed errors through and hides internal ones', async () => {
    expect(await call('capture.analyse', { image: new Uint8Array(3), mime: 'image/jpeg' })).toEqual({
      ok: false,
      error: { code: 'bad-image', message: 'Reprenez la photo.' },
    });
    const r = await call('capture.confirm', { captureId: crypto.randomUUID(), fields: {} });
    expect(r).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(r)).not.toContain('exploded');
    expect(internal.length).toBeGreaterThan(0);
    expect(await call('sync.status', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
  });
});

describe('contract client (renderer side)', () => {
  const bridgeReturning = (value: unknown): KioskBridge => ({ invoke: async () => value, subscribe: () => () => undefined });

  it('returns validated results', async () => {
    const client = createKioskClient({ invoke: (m, p) => call(m, p), subscribe: () => () => undefined });
    expect(await client.call('pin.submit', { pin: '0000' })).toEqual({ outcome: 'wrong', triesLeft: 2 });
  });

  it('turns malformed answers into typed transport errors', async () => {
    for (const bad of [undefined, 'x', { ok: true, value: { outcome: 'maybe' } }, { ok: false, error: { code: 'weird' } }]) {
      await expect(createKioskClient(bridgeReturning(bad)).call('pin.submit', { pin: '1234' })).rejects.toMatchObject({ code: 'transport' });
    }
  });

  it('validates before sending, and drops malformed events', async () => {
    let sent = 0;
    const client = createKioskClient({
      invoke: async () => {
        sent++;
        return { ok: true, value: {} };
      },
      subscribe: (l) => {
        l({ type: 'state', state: { screen: 'nope' } });
        l({ type: 'state', state: { screen: 'attract' } });
        return () => undefined;
      },
    });
    await expect(client.call('pin.submit', { pin: 'abcd' })).rejects.toMatchObject({ code: 'invalid-request' });
    expect(sent).toBe(0);
    const seen: unknown[] = [];
    client.on((e) => seen.push(e));
    expect(seen).toEqual([{ type: 'state', state: { screen: 'attract' } }]);
  });
});

describe('wire codec', () => {
  it('round-trips bytes inside JSON', () => {
    const bytes = new Uint8Array(200_000).map((_, i) => i % 251);
    const back = decodeWire(encodeWire({ a: 1, nested: { image: bytes } })) as { nested: { image: Uint8Array } };
    expect(back.nested.image).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(back.nested.image).equals(Buffer.from(bytes))).toBe(true);
  });

  it('rejects invalid JSON and bad base64', () => {
    expect(() => decodeWire('{')).toThrow();
    expect(() => decodeWire('{"$b64": "@@@"}')).toThrow();
  });
});
