import { describe, expect, it } from 'vitest';
import { AID_EVENTS } from './applications.ts';
import { KIOSK_EVENTS, SERVER_EVENTS, ackSchema, describeIssues, isEventName, requestSchema } from './events.ts';
import type { EventName } from './events.ts';
import { PROCURATION_EVENTS } from './procurations-events.ts';
import { EVENTS } from './socket.ts';
import { VAULT_EVENTS } from './vault.ts';

const names = Object.keys(KIOSK_EVENTS) as EventName[];

describe('the table of kiosk ↔ server events', () => {
  it('holds every event the kiosk sends, and the two the server sends, each once', () => {
    const sent = [EVENTS.hello, EVENTS.mutations, EVENTS.cardholder, ...Object.values(VAULT_EVENTS), ...Object.values(AID_EVENTS), ...Object.values(PROCURATION_EVENTS)];
    expect([...names].sort()).toEqual([...new Set(sent)].sort());
    expect(names).toHaveLength(sent.length);
    expect(Object.keys(SERVER_EVENTS).sort()).toEqual([EVENTS.push, EVENTS.revoked].sort());
    for (const e of names) {
      expect(requestSchema(e), e).toBe(KIOSK_EVENTS[e].request);
      expect(ackSchema(e), e).toBe(KIOSK_EVENTS[e].ack);
    }
  });

  it('knows its names only, whatever an object inherits', () => {
    for (const n of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'sync:push', 'vault:LIST', '', 42, null, undefined]) expect(isEventName(n), String(n)).toBe(false);
    expect(isEventName('vault:list')).toBe(true);
  });

  it('lets every acknowledgement be the refusals the server’s wrapper answers by itself', () => {
    for (const e of names) {
      for (const code of ['invalid', 'internal', 'forbidden']) {
        expect(ackSchema(e).safeParse({ ok: false, error: { code, message: 'Message invalide : format inattendu' } }).success, `${e} ${code}`).toBe(true);
      }
    }
  });

  it('refuses hostile acknowledgements, for every event', () => {
    const hostile: unknown[] = [null, undefined, 'ok', 42, [], [{ ok: true }], { ok: 'true' }, { ok: false }, { ok: false, error: 'non' }, { ok: false, error: { message: 'sans code' } }, { error: { code: 'x', message: 'y' } }];
    for (const e of names) for (const h of hostile) expect(ackSchema(e).safeParse(h).success, `${e} ${JSON.stringify(h)}`).toBe(false);
    // an ok without what the event promises
    for (const e of names.filter((n) => ![VAULT_EVENTS.close, AID_EVENTS.choosePiece, AID_EVENTS.withdraw, AID_EVENTS.message, AID_EVENTS.noticesSeen, VAULT_EVENTS.noticesSeen, PROCURATION_EVENTS.revoke].includes(n as never))) {
      expect(ackSchema(e).safeParse({ ok: true }).success, e).toBe(false);
    }
    expect(ackSchema(VAULT_EVENTS.file).safeParse({ ok: true, mime: 'image/png', bytes: 'iVBORw0KGgo=' }).success).toBe(false);
    expect(ackSchema(VAULT_EVENTS.file).safeParse({ ok: true, mime: 'image/png', bytes: Buffer.from('png') }).success).toBe(true);
    expect(ackSchema(VAULT_EVENTS.institutions).safeParse({ ok: true, institutions: [{ id: 'caf', kind: 'caf', name: 'CAF', address: '', postcode: '', city: '', lat: 200, lon: 0 }] }).success).toBe(false);
  });

  it('says where an answer is wrong, never what it holds', () => {
    const secret = 'FR7630006000011234567890189';
    const r = ackSchema(VAULT_EVENTS.list).safeParse({ ok: true, documents: [{ id: secret, title: secret }] });
    expect(r.success).toBe(false);
    if (r.success) return;
    const words = describeIssues(r.error);
    expect(words).toMatch(/documents\.0\.id: invalid_format/);
    expect(words).not.toContain(secret);
    expect(describeIssues(ackSchema(VAULT_EVENTS.list).safeParse(secret).error!)).not.toContain(secret);
  });
});
