import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_IMAGE_BYTES, methods } from '../contract/schema.ts';
import { EVENT_CHANNEL, INVOKE_CHANNEL, IPC_LIMITS, InvokeArgs, checkInvoke, measurePlainData } from './ipc-guard.ts';

const sender = { frameUrl: 'app://kiosk/', isMainFrame: true, webContentsId: 3 };
const WIN = 3;

describe('the sender', () => {
  it('accepts our window’s top frame', () => {
    expect(checkInvoke(sender, WIN, ['state.get', {}])).toEqual({ ok: true, method: 'state.get', params: {} });
  });

  it('refuses a subframe, another webContents, a forged URL, a gone frame — before looking at the arguments', () => {
    const forged = [
      { ...sender, isMainFrame: false },
      { ...sender, webContentsId: 4 },
      { ...sender, frameUrl: 'app://kiosk.evil/' },
      { ...sender, frameUrl: 'https://evil.example/' },
      { ...sender, frameUrl: 'file:///tmp/x.html' },
      { ...sender, frameUrl: 'app://kiosk/_shell/maintenance.html' },
      { ...sender, frameUrl: undefined },
    ];
    for (const s of forged) {
      const r = checkInvoke(s, WIN, ['state.get', {}]);
      expect(r, JSON.stringify(s)).toMatchObject({ ok: false, reason: 'untrusted sender', outcome: { ok: false, error: { code: 'transport' } } });
      // the same answer with garbage arguments: a foreign sender learns nothing about the shape
      expect(checkInvoke(s, WIN, [42])).toMatchObject({ ok: false, reason: 'untrusted sender' });
    }
    expect(checkInvoke(sender, null, ['state.get', {}])).toMatchObject({ ok: false, reason: 'untrusted sender' });
  });
});

describe('the arguments', () => {
  const bad = (args: unknown[]) => checkInvoke(sender, WIN, args);

  it('accepts [method, params] with plain data and an image', () => {
    expect(bad(['pin.submit', { pin: '142536', purpose: 'login' }])).toMatchObject({ ok: true, method: 'pin.submit' });
    expect(bad(['session.end', undefined])).toMatchObject({ ok: true, params: undefined });
    const image = new Uint8Array(MAX_IMAGE_BYTES);
    expect(bad(['capture.analyse', { image, mime: 'image/jpeg' }])).toMatchObject({ ok: true });
    expect(bad(['capture.confirm', { captureId: 'x', fields: { iban: 'FR76', bic: 'X' } }])).toMatchObject({ ok: true });
  });

  it('lets every method of the contract through (the core validates their params)', () => {
    for (const m of Object.keys(methods)) expect(bad([m, {}]), m).toMatchObject({ ok: true, method: m });
  });

  it('refuses wrong shapes with a typed invalid-request outcome', () => {
    const cases: unknown[][] = [
      [],
      [42, {}],
      [null, {}],
      [{}, {}],
      ['', {}],
      ['State.get', {}],
      ['state.get()', {}],
      ['state..get', {}],
      ['__proto__', {}],
      ['constructor', {}],
      ['a'.repeat(65), {}],
      ['state.get', {}, 'extra'],
      ['state.get', 'params'],
      ['state.get', 42],
      ['state.get', null],
      ['state.get', ['array']],
      ['state.get', new Uint8Array(4)],
      ['state.get', new Date()],
      ['state.get', new Map([['a', 1]])],
      ['state.get', { when: new Date() }],
      ['state.get', { set: new Set([1]) }],
      ['state.get', { re: /x/ }],
      ['state.get', { buf: new ArrayBuffer(8) }],
      ['state.get', { view: new Float64Array(2) }],
      ['state.get', { big: 10n }],
      ['state.get', { n: Number.NaN }],
      ['state.get', { n: Number.POSITIVE_INFINITY }],
      ['state.get', Object.create({ inherited: true }) as unknown],
    ];
    for (const args of cases) {
      const r = bad(args);
      expect(r.ok, String(args[0])).toBe(false);
      if (!r.ok) expect(r.outcome).toEqual({ ok: false, error: { code: 'invalid-request', message: 'Demande invalide.' } });
    }
  });

  it('refuses oversized and deeply nested payloads', () => {
    expect(bad(['capture.analyse', { image: new Uint8Array(IPC_LIMITS.maxBytes + 1), mime: 'image/jpeg' }])).toMatchObject({ ok: false, reason: 'too large' });
    expect(bad(['capture.confirm', { fields: { a: 'x'.repeat(IPC_LIMITS.maxStringLength + 1) } }])).toMatchObject({ ok: false, reason: 'string too long' });
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 10; i++) deep = { deep };
    expect(bad(['state.get', deep])).toMatchObject({ ok: false, reason: 'too deep' });
    const wide = Object.fromEntries(Array.from({ length: IPC_LIMITS.maxEntries + 1 }, (_, i) => [`k${i}`, i]));
    expect(bad(['state.get', wide])).toMatchObject({ ok: false, reason: 'too many entries' });
    expect(bad(['state.get', { ['k'.repeat(300)]: 1 }])).toMatchObject({ ok: false, reason: 'key too long' });
    // many medium strings adding up past the limit
    const many = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`k${i}`, 'x'.repeat(40_000)]));
    expect(bad(['state.get', many])).toMatchObject({ ok: false, reason: 'too large' });
  });

  it('measures plain data', () => {
    expect(measurePlainData({ a: 'xy', b: [1, true, null], c: new Uint8Array(10) })).toMatchObject({ ok: true });
    expect(measurePlainData(Buffer.alloc(3))).toMatchObject({ ok: true, bytes: 3 });
    expect(measurePlainData(() => 1)).toMatchObject({ ok: false });
    expect(measurePlainData(Symbol('x'))).toMatchObject({ ok: false });
  });

  it('parses exactly two arguments', () => {
    expect(InvokeArgs.safeParse(['state.get', {}]).success).toBe(true);
    expect(InvokeArgs.safeParse(['state.get', {}, {}]).success).toBe(false);
  });
});

describe('the preload', () => {
  it('uses the same channel names as main', () => {
    const src = readFileSync(join(import.meta.dirname, '../preload/preload.ts'), 'utf8');
    expect(src).toContain(`const INVOKE_CHANNEL = '${INVOKE_CHANNEL}';`);
    expect(src).toContain(`const EVENT_CHANNEL = '${EVENT_CHANNEL}';`);
    // it exposes one thing, the bridge, and no Electron or Node object
    expect(src.match(/exposeInMainWorld\(/g)).toHaveLength(1);
    expect(src).toContain("exposeInMainWorld('kiosk', Object.freeze(bridge))");
  });
});
