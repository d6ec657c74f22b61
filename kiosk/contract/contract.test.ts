import { describe, expect, it } from 'vitest';
import { createKioskClient } from './client.ts';
import { dispatch } from './dispatch.ts';
import type { Handlers } from './dispatch.ts';
import { KioskError } from './schema.ts';
import type { KioskBridge } from './schema.ts';
import { decodeWire, encodeWire } from './wire.ts';

const handlers = {
  'state.get': async () => ({ state: { screen: 'attract' }, sync: { pending: 0, online: true, lastSuccessAt: null, problem: null } }),
  'pin.submit': async ({ pin }: { pin: string }) => (pin === '142536' ? { outcome: 'open' } : { outcome: 'wrong', triesLeft: 2 }),
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
    expect(await call('pin.submit', { pin: '142536' })).toEqual({ ok: true, value: { outcome: 'open' } });
  });

  it('rejects unknown methods and prototype tricks', async () => {
    for (const m of ['nope', '__proto__', 'constructor', 'toString', 42, null]) {
      expect(await call(m, {})).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    }
  });

  it('rejects invalid params with a French message', async () => {
    const r = await call('pin.submit', { pin: '12' });
    expect(r).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(JSON.stringify(r)).toContain('6 à 8 chiffres');
    // the card PIN is the OpenPGP PW1: 6 to 8 digits, nothing else
    for (const pin of ['1234', '12345', '123456789', '12345a', ' 123456']) {
      expect(await call('pin.submit', { pin }), pin).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    }
    for (const pin of ['123456', '12345678']) expect(await call('pin.submit', { pin }), pin).toMatchObject({ ok: true });
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
    expect(await client.call('pin.submit', { pin: '000000' })).toEqual({ outcome: 'wrong', triesLeft: 2 });
  });

  it('turns malformed answers into typed transport errors', async () => {
    for (const bad of [undefined, 'x', { ok: true, value: { outcome: 'maybe' } }, { ok: false, error: { code: 'weird' } }]) {
      await expect(createKioskClient(bridgeReturning(bad)).call('pin.submit', { pin: '142536' })).rejects.toMatchObject({ code: 'transport' });
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

describe('aid space schemas (bad input refused before any handler runs)', () => {
  const dossierId = '0b7e4a52-8f6c-4c1e-9a3e-2f1d5c6b7a80';
  const situation = { housing: 'tenant', activity: ['salaried'], nationality: 'french', children: false, couple: false };
  const simulation = {
    residesInFrance: true,
    couple: false,
    adults: [{ age: 30, resources: { salaries: 900, unemploymentBenefits: 0, pensions: 0, other: 0 } }],
    children: [],
    housing: { status: 'tenant', rent: 500, housingBenefit: 0 },
  };
  const refused = async (method: string, params: unknown) => expect(await call(method, params)).toMatchObject({ ok: false, error: { code: 'invalid-request' } });

  it('filing: aids and the situation', async () => {
    await refused('applications.create', { aidIds: [], situation });
    await refused('applications.create', { aidIds: ['x'.repeat(81)], situation });
    await refused('applications.create', { aidIds: Array.from({ length: 13 }, (_, i) => `a${i}`), situation });
    await refused('applications.create', { aidIds: ['rsa'], situation: { ...situation, activity: [] } });
    await refused('applications.create', { aidIds: ['rsa'], situation: { ...situation, housing: 'castle' } });
    await refused('applications.create', { aidIds: ['rsa'], situation: { ...situation, couple: 'yes' } });
    const r = await call('applications.create', { aidIds: ['rsa'], situation: { ...situation, activity: [] } });
    expect(JSON.stringify(r)).toContain('choisissez');
  });

  it('simulation: ages, amounts, housing', async () => {
    await refused('aids.simulate', { situation: { ...simulation, adults: [] } });
    await refused('aids.simulate', { situation: { ...simulation, adults: [{ age: 12, resources: simulation.adults[0]!.resources }] } });
    await refused('aids.simulate', { situation: { ...simulation, adults: [{ age: 30, resources: { ...simulation.adults[0]!.resources, salaries: -5 } }] } });
    await refused('aids.simulate', { situation: { ...simulation, adults: [{ age: 30, resources: { ...simulation.adults[0]!.resources, salaries: Infinity } }] } });
    await refused('aids.simulate', { situation: { ...simulation, children: [{ age: 30 }] } });
    await refused('aids.simulate', { situation: { ...simulation, housing: { status: 'tenant' } } });
    await refused('aids.simulate', { situation: { ...simulation, housing: { status: 'palace' } } });
  });

  it('dossiers, pieces, signature, messages, notices', async () => {
    await refused('applications.get', { dossierId: 'not-a-uuid' });
    await refused('applications.choosePiece', { dossierId, itemId: 'rib', documentId: '42' });
    await refused('applications.choosePiece', { dossierId, itemId: '', documentId: dossierId });
    await refused('applications.prepare', { dossierId, mode: 'whenever', ground: { kind: 'beneficiary-signature' } });
    await refused('applications.prepare', { dossierId, mode: 'manual', ground: { kind: 'procuration', reference: ' x ' } });
    await refused('applications.prepare', { dossierId, mode: 'manual', ground: { kind: 'friend' } });
    await refused('applications.sign', { dossierId, mode: 'manual', ground: { kind: 'beneficiary-signature' }, pin: '12' });
    await refused('applications.sign', { dossierId, mode: 'manual', ground: { kind: 'beneficiary-signature' }, pin: '12345678901' });
    await refused('applications.sign', { dossierId, mode: 'manual', ground: { kind: 'beneficiary-signature' }, pin: 'abcd' });
    await refused('applications.message', { dossierId, body: '   ' });
    await refused('applications.message', { dossierId, body: 'x'.repeat(2001) });
    await refused('applications.printLetter', { to: 'Ma banque', body: '' });
    await refused('applications.noticesSeen', { ids: [] });
    await refused('applications.noticesSeen', { ids: ['nope'] });
    await refused('applications.noticesSeen', { ids: Array.from({ length: 201 }, () => dossierId) });
    // an institution's answers to sent papers: marked seen by their ids only
    await refused('vault.repliesSeen', { ids: [] });
    await refused('vault.repliesSeen', { ids: ['nope'] });
    await refused('vault.repliesSeen', { ids: Array.from({ length: 201 }, () => dossierId) });
  });

  it('papers sent to an institution: one to ten, each once, a known kind of id, a message of 2,000 characters at most', async () => {
    const paper = () => crypto.randomUUID();
    await refused('vault.send', { documentIds: [], institutionId: 'caf' });
    await refused('vault.send', { documentIds: Array.from({ length: 11 }, paper), institutionId: 'caf' });
    const twice = paper();
    await refused('vault.send', { documentIds: [twice, paper(), twice], institutionId: 'caf' });
    await refused('vault.send', { documentIds: ['42'], institutionId: 'caf' });
    await refused('vault.send', { documentIds: [paper()], institutionId: 'CAF de Paris' });
    await refused('vault.send', { documentIds: [paper()], institutionId: 'caf', note: 'x'.repeat(2001) });
    // the old shape (one documentId) is not the screen's any more
    await refused('vault.send', { documentId: paper(), institutionId: 'caf' });
    expect(JSON.stringify(await call('vault.send', { documentIds: [twice, twice], institutionId: 'caf' }))).toContain('deux fois');
    expect(JSON.stringify(await call('vault.send', { documentIds: Array.from({ length: 11 }, paper), institutionId: 'caf' }))).toContain('10 papiers au plus');
  });

  it('the status event is checked like the others', () => {
    const seen: unknown[] = [];
    createKioskClient({
      invoke: async () => ({ ok: true, value: {} }),
      subscribe: (l) => {
        l({ type: 'applications.changed', applicationId: 'x' });
        l({ type: 'applications.changed', applicationId: dossierId });
        return () => undefined;
      },
    }).on((e) => seen.push(e));
    expect(seen).toEqual([{ type: 'applications.changed', applicationId: dossierId }]);
  });
});
