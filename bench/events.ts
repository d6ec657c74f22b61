/**
 * What the table of socket events (protocol/events.ts) costs a request: each acknowledgement is parsed
 * twice — by the server's wrapper before it leaves (edge/socket/handle.ts) and by the kiosk's sync client
 * before its caller sees it. Measured on the largest answers a kiosk usually gets:
 *  - the parse alone: a vault of 300 papers (`vault:list`), a dossier screen (`applications:get`), the
 *    acknowledgement of a batch of 100 mutations (`sync:mutations`);
 *  - a `vault:list` of 300 papers over real socket.io on loopback, through the server's wrapper and the
 *    kiosk's check, against the same answer sent and received without either.
 * No budget in DESIGN.md §8; reported.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import pino from 'pino';
import { Server as IoServer } from 'socket.io';
import { io as connect } from 'socket.io-client';
import { AID_EVENTS } from '../sync-server/protocol/applications.ts';
import { ackSchema } from '../sync-server/protocol/events.ts';
import type { AckReplyOf } from '../sync-server/protocol/events.ts';
import { EVENTS } from '../sync-server/protocol/socket.ts';
import { VAULT_EVENTS } from '../sync-server/protocol/vault.ts';
import { handle } from '../sync-server/src/edge/socket/handle.ts';
import { summarize } from './stats.ts';
import type { BenchResult } from './stats.ts';

const at = '2026-03-01T10:00:00.000Z';

function vaultOf(n: number): AckReplyOf<typeof VAULT_EVENTS.list> {
  return {
    ok: true,
    documents: Array.from({ length: n }, (_, i) => ({
      id: randomUUID(),
      vault: i % 5 === 0 ? 'institutional' : 'personal',
      docType: 'payslip',
      issuer: 'employeur',
      institutionId: null,
      title: `Bulletin de salaire n° ${i}`,
      version: 1 + (i % 3),
      capturedAt: at,
      issuedOn: '2026-02-28',
      expiresOn: null,
      expiry: 'valid',
      thumbnail: 'a'.repeat(64),
    })),
  };
}

function dossier(): AckReplyOf<typeof AID_EVENTS.get> {
  const id = randomUUID();
  return {
    ok: true,
    dossier: {
      dossierId: id,
      situation: { housing: 'tenant', activity: ['salaried'], nationality: 'french', children: true, couple: false },
      aids: ['rsa', 'css'].map((aidId) => ({ applicationId: randomUUID(), aidId, aidName: aidId.toUpperCase(), institutionName: 'CAF du Rhône', state: 'collecting-pieces', waitsFor: null, decisionReason: null })),
      checklist: Array.from({ length: 12 }, (_, i) => ({
        itemId: `piece-${i}`,
        label: 'Justificatif de domicile de moins de 3 mois',
        inLetter: 'mon justificatif de domicile',
        docTypes: ['proof-of-address'],
        issuerKind: 'fournisseur',
        issuerName: 'votre fournisseur d’énergie',
        issuerTo: 'à votre fournisseur',
        forAids: ['rsa', 'css'],
        status: i % 2 ? 'present' : 'absent',
        document: i % 2 ? { id: randomUUID(), title: 'Facture', version: 1, capturedAt: at, issuedOn: '2026-02-01' } : null,
        requestedByInstitution: false,
        maxAgeMonths: 3,
        adjustment: null,
      })),
      mode: null,
      signedAt: null,
      submittedAt: null,
      canSubmit: false,
      canSign: true,
      canWithdraw: false,
      history: Array.from({ length: 6 }, () => ({ at, aidName: 'RSA', state: 'collecting-pieces', text: 'Demande créée' })),
      messages: Array.from({ length: 20 }, (_, i) => ({ id: randomUUID(), at, author: i % 2 ? 'institution' : 'person', authorName: 'CAF du Rhône', body: 'Bonjour, pouvez-vous nous envoyer votre dernier avis d’impôt ?' })),
    },
  };
}

function mutationsAck(): AckReplyOf<typeof EVENTS.mutations> {
  return { ok: true, lastSeq: 100, results: Array.from({ length: 100 }, (_, i) => ({ seq: i + 1, id: randomUUID(), status: 'applied' as const })) };
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timeEach(runs: number, work: () => void): number[] {
  for (let i = 0; i < 20; i++) work();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    work();
    out.push(performance.now() - t);
  }
  return out;
}

export async function benchEvents(runs: number): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const vault = vaultOf(300);
  const parses: [string, () => void][] = [
    ['vault:list acknowledgement parsed (300 papers)', () => void ackSchema(VAULT_EVENTS.list).parse(vault)],
    ['applications:get acknowledgement parsed (12 pieces, 20 messages)', (() => {
      const d = dossier();
      return () => void ackSchema(AID_EVENTS.get).parse(d);
    })()],
    ['sync:mutations acknowledgement parsed (100 results)', (() => {
      const m = mutationsAck();
      return () => void ackSchema(EVENTS.mutations).parse(m);
    })()],
  ];
  for (const [name, work] of parses) results.push(summarize(`events table: ${name}`, timeEach(Math.max(runs, 200), work), { notes: ['once on the server before it leaves, once on the kiosk'] }));

  // the same answer over socket.io, with and without the table's checks on both sides
  const http = createServer();
  const io = new IoServer(http);
  const log = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;
  io.on('connection', (socket) => {
    handle(socket, log, VAULT_EVENTS.list, async () => vault);
    socket.on('bench:unchecked', (_req: unknown, ack: (a: unknown) => void) => ack(vault));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const client = connect(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { transports: ['websocket'] });
  await new Promise<void>((resolve) => client.on('connect', resolve));
  const request = { sessionId: randomUUID() };
  const round = async (checked: boolean): Promise<number> => {
    const t = performance.now();
    if (checked) ackSchema(VAULT_EVENTS.list).parse(await client.emitWithAck(VAULT_EVENTS.list, request));
    else await client.emitWithAck('bench:unchecked', request);
    return performance.now() - t;
  };
  const checked: number[] = [];
  const unchecked: number[] = [];
  for (let i = 0; i < 20; i++) await round(i % 2 === 0);
  for (let i = 0; i < Math.max(runs, 100); i++) {
    checked.push(await round(true));
    unchecked.push(await round(false));
  }
  client.disconnect();
  await io.close();
  const plain = summarize('vault:list of 300 papers over socket.io, unchecked', unchecked);
  const withTable = summarize('events table: vault:list of 300 papers over socket.io, request and answer checked on both sides', checked, {
    reference: { name: 'the same, unchecked', p50: plain.p50, p95: plain.p95 },
    ratio: Math.round((100 * median(checked)) / median(unchecked)) / 100,
    notes: [`loopback, one kiosk, an answer of ${Math.round(JSON.stringify(vault).length / 1024)} KB of JSON`],
  });
  results.push(withTable);
  return results;
}
