/**
 * The one wrapper of the kiosk socket's handlers, over real socket.io: the request is parsed with the
 * events table's schema before the handler runs, the handler's answer with the table's acknowledgement
 * schema before it leaves — what the protocol does not name stays behind, and an answer the protocol
 * refuses becomes `internal`, logged by where it is wrong and never by what it holds.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { Server as IoServer } from 'socket.io';
import { io as connect } from 'socket.io-client';
import type { Socket as ClientSocket } from 'socket.io-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AckReplyOf } from '../../../protocol/events.ts';
import { VAULT_EVENTS } from '../../../protocol/vault.ts';
import { handle } from './handle.ts';

const SECRET = 'FR7630006000011234567890189';

const doc = (over: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  vault: 'personal',
  docType: 'rib',
  issuer: 'banque',
  institutionId: null,
  title: 'Relevé d’identité bancaire',
  version: 1,
  capturedAt: '2026-03-01T10:00:00.000Z',
  issuedOn: null,
  expiresOn: null,
  expiry: 'valid',
  thumbnail: null,
  ...over,
});

let answer: () => Promise<unknown>;
const seen: unknown[] = [];
const lines: string[] = [];
let io: IoServer;
let client: ClientSocket;

beforeAll(async () => {
  const http = createServer();
  io = new IoServer(http);
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }) as unknown as FastifyBaseLogger;
  io.on('connection', (socket) => {
    handle(socket, log, VAULT_EVENTS.list, async (request) => {
      seen.push(request);
      // the test decides what the handler answers, well-formed or not: the wrapper must hold either way
      return (await answer()) as AckReplyOf<typeof VAULT_EVENTS.list>;
    });
    handle(socket, log, VAULT_EVENTS.search, async () => ({ ok: true, documents: [] }), { namePath: false, missingAsEmpty: true });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  client = connect(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { transports: ['websocket'] });
  await new Promise<void>((resolve) => client.on('connect', resolve));
});

afterAll(async () => {
  client?.disconnect();
  await io?.close();
});

beforeEach(() => {
  seen.length = 0;
  lines.length = 0;
});

const ask = (event: string, ...args: unknown[]): Promise<unknown> => client.timeout(5000).emitWithAck(event, ...args);
const sessionId = randomUUID();

describe('the kiosk socket handlers’ wrapper', () => {
  it('hands the handler the request as its schema parsed it, and sends the acknowledgement as its schema parsed it', async () => {
    answer = async () => ({ ok: true, documents: [{ ...doc(), personId: 'p-42', ownerIban: SECRET }], debug: { sql: 'select *' } });
    const ack = (await ask(VAULT_EVENTS.list, { sessionId, kioskId: 'someone-else' })) as { ok: true; documents: Record<string, unknown>[] };
    expect(seen).toEqual([{ sessionId }]);
    expect(ack.ok).toBe(true);
    expect(Object.keys(ack)).toEqual(['ok', 'documents']);
    expect(ack.documents[0]).not.toHaveProperty('personId');
    expect(JSON.stringify(ack)).not.toContain(SECRET);
  });

  it('answers `internal` for an acknowledgement the protocol refuses, and logs where, not what', async () => {
    const malformed: unknown[] = [
      { ok: true, documents: [doc({ title: SECRET.length, id: SECRET })] },
      { ok: true },
      { ok: 'yes', documents: [] },
      { ok: false, error: { message: SECRET } },
      SECRET,
      undefined,
    ];
    for (const m of malformed) {
      answer = async () => m;
      expect(await ask(VAULT_EVENTS.list, { sessionId }), JSON.stringify(m)).toEqual({ ok: false, error: { code: 'internal', message: 'Erreur interne du serveur, réessayer plus tard.' } });
    }
    expect(lines).toHaveLength(malformed.length);
    const first = JSON.parse(lines[0]!) as { level: number; event: string; issues: string; msg: string };
    expect(first).toMatchObject({ level: 50, event: VAULT_EVENTS.list, msg: 'kiosk acknowledgement does not match the protocol' });
    expect(first.issues).toMatch(/documents\.0\.(id|title)/);
    for (const line of lines) expect(line).not.toContain(SECRET);
  });

  it('answers `internal` when the handler throws or rejects, and the socket goes on', async () => {
    answer = () => {
      throw new Error('database exploded');
    };
    expect(await ask(VAULT_EVENTS.list, { sessionId })).toMatchObject({ ok: false, error: { code: 'internal' } });
    answer = () => Promise.reject(new Error('database exploded'));
    expect(await ask(VAULT_EVENTS.list, { sessionId })).toMatchObject({ ok: false, error: { code: 'internal' } });
    answer = async () => ({ ok: true, documents: [] });
    expect(await ask(VAULT_EVENTS.list, { sessionId })).toEqual({ ok: true, documents: [] });
  });

  it('refuses a request its schema refuses before the handler runs, naming the path unless told not to', async () => {
    answer = async () => ({ ok: true, documents: [] });
    for (const bad of [null, 'list', 42, [sessionId], {}, { sessionId: 'not-a-uuid' }, { sessionId: { $ne: null } }]) {
      expect(await ask(VAULT_EVENTS.list, bad), JSON.stringify(bad)).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringMatching(/^Message invalide/) as unknown } });
    }
    expect(await ask(VAULT_EVENTS.list, { sessionId: 'x' })).toMatchObject({ error: { message: expect.stringMatching(/^Message invalide \(sessionId\) : /) as unknown } });
    expect(await ask(VAULT_EVENTS.search, { sessionId, query: 42 })).toMatchObject({ error: { message: expect.stringMatching(/^Message invalide : /) as unknown } });
    // no payload: `{}` for a handler told so, `undefined` otherwise
    expect(await ask(VAULT_EVENTS.list)).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await ask(VAULT_EVENTS.search)).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.stringContaining('Message invalide') as unknown } });
    expect(seen).toEqual([]);
    // a message without an ack callback is dropped quietly, and the socket still answers
    client.emit(VAULT_EVENTS.list, { sessionId });
    client.emit(VAULT_EVENTS.list, 'garbage');
    expect(await ask(VAULT_EVENTS.list, { sessionId })).toEqual({ ok: true, documents: [] });
  });
});
