/**
 * Every write made for a person needs that person's card at the box (DESIGN.md §4): a kiosk — even an
 * enrolled one, with its device key — that names a card without it signing the very mutation cannot
 * deposit, delete or send anything. Over a real socket.io connection, on SQLite and PostgreSQL.
 */
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPlatformCa } from '../../features/cards/index.ts';
import type { MutationBody } from '../../../protocol/mutations.ts';
import { EVENTS, MutationsAck } from '../../../protocol/socket.ts';
import { verifyAuditChain } from '../../kernel/audit.ts';
import { personJournal } from '../../features/vault/index.ts';
import { startServer } from '../server.ts';
import type { RunningServer } from '../server.ts';
import { demoCard, installTestCa, proveWith } from '../../../test-support/test-ca.ts';
import { certify } from '../../../test-support/test-cards.ts';
import type { TestCard } from '../../../test-support/test-cards.ts';
import { addKiosk, CAMILLE, connectKiosk, countRows, depositMutation, DIALECTS, fakeScan, freshEnv, sha256Hex, tusUpload } from '../../../test-support/test-env.ts';
import type { TestEnv, TestKiosk } from '../../../test-support/test-env.ts';

const SOPHIE = { identifier: 'FAC-R9TD-4HWN-3GAK', card: '0A1B2C40' } as const;

describe.each(DIALECTS)('card-proven writes on %s', (dialect) => {
  let env: TestEnv;
  let server: RunningServer;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    env = await freshEnv(dialect);
    await installTestCa(env.config.dataDir);
    server = await startServer(env.config, { logger: false });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await server?.close();
    await env?.cleanup();
  });

  async function kiosk(): Promise<{ k: TestKiosk; socket: Socket; seq: () => number }> {
    const k = await addKiosk(server.db);
    const socket = await connectKiosk(server.url, k);
    sockets.push(socket);
    let n = 0;
    return { k, socket, seq: () => ++n };
  }
  const send = async (socket: Socket, mutations: unknown[]) => MutationsAck.parse(await socket.timeout(10_000).emitWithAck(EVENTS.mutations, { mutations }));
  async function uploaded(k: TestKiosk): Promise<Buffer> {
    const bytes = fakeScan(512);
    expect((await tusUpload(server.url, k, bytes, { sha256: sha256Hex(bytes), mime: 'image/png' })).ok).toBe(true);
    return bytes;
  }
  /** A delete or send mutation as a kiosk builds it, signed by `signers` for `forKiosk`. */
  function write(body: MutationBody, seq: number, forKiosk: string, signers?: readonly TestCard[]) {
    const id = randomUUID();
    return { seq, id, createdAt: new Date().toISOString(), blobs: [], proof: proveWith(forKiosk, { id, blobs: [], ...body }, signers), ...body };
  }
  async function camillesPaper(): Promise<string> {
    const { k, socket, seq } = await kiosk();
    const m = depositMutation({ kioskId: k.kioskId, seq: seq(), blob: await uploaded(k) });
    expect(await send(socket, [m])).toMatchObject({ ok: true, results: [{ status: 'applied' }] });
    return m.payload.documentId;
  }

  it('refuses a mutation that carries no proof at all, as malformed', async () => {
    const { k, socket, seq } = await kiosk();
    const m = depositMutation({ kioskId: k.kioskId, seq: seq(), blob: await uploaded(k) });
    const { proof: _proof, ...unproven } = m;
    expect(await send(socket, [unproven])).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await send(socket, [{ ...m, proof: { cards: [] } }])).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });

  it('a second kiosk without Camille’s card can neither delete nor send her paper', async () => {
    const documentId = await camillesPaper();
    const other = await kiosk();
    const del = { type: 'vault.document.delete', payload: { documentId, owner: CAMILLE.identifier, ground: { kind: 'own-card', cardSerial: CAMILLE.card } } } as const;
    const snd = {
      type: 'vault.document.send',
      payload: { messageId: randomUUID(), documentId, owner: CAMILLE.identifier, institutionId: 'caf', note: 'Mon RIB', ground: { kind: 'own-card', cardSerial: CAMILLE.card } },
    } as const;
    const messages = await countRows(server.db, 'messages');
    // a signature the card made for the first kiosk, replayed by the second
    for (const m of [write(del, other.seq(), 'borne-ailleurs'), write(snd, other.seq(), 'borne-ailleurs')]) {
      expect(await send(other.socket, [m])).toMatchObject({ ok: true, results: [{ status: 'refused', error: { code: 'forbidden', message: expect.stringContaining('card_not_present') } }] });
    }
    expect(await server.db.selectFrom('documents').select('id').where('id', '=', documentId).executeTakeFirst()).toEqual({ id: documentId });
    expect(await countRows(server.db, 'messages')).toBe(messages);
    // with her card at the second kiosk, she can
    expect(await send(other.socket, [write(snd, other.seq(), other.k.kioskId)])).toMatchObject({ ok: true, results: [{ status: 'applied' }] });
    expect(await send(other.socket, [write(del, other.seq(), other.k.kioskId)])).toMatchObject({ ok: true, results: [{ status: 'applied' }] });
    expect(await server.db.selectFrom('documents').select('id').where('id', '=', documentId).executeTakeFirst()).toBeUndefined();
  });

  it('refuses a certificate from another CA, even one naming Camille and her card', async () => {
    const { k, socket, seq } = await kiosk();
    const foreignCa = await createPlatformCa({ commonName: 'Facilitateur - autorité des cartes', notBefore: new Date(Date.now() - 86_400_000), notAfter: new Date(Date.now() + 86_400_000 * 800) });
    const lookalike = await certify({ ...foreignCa, pw3Secret: new Uint8Array(32), dir: '' }, { identifier: CAMILLE.identifier, card: CAMILLE.card, firstName: 'Camille', lastName: 'Martin', role: 'beneficiary' });
    const m = depositMutation({ kioskId: k.kioskId, seq: seq(), blob: await uploaded(k), signers: [lookalike] });
    expect(await send(socket, [m])).toMatchObject({ ok: true, results: [{ status: 'refused', error: { code: 'forbidden', message: expect.stringContaining('card_not_present') } }] });
    const journal = await server.db.selectFrom('audit_journal').select('detail').where('action', '=', 'mutation.refused').execute();
    expect(journal.map((j) => JSON.parse(j.detail) as { mutationId: string }).some((d) => d.mutationId === m.id)).toBe(true);
    // Camille reads it in her journal, in words: the paper was not put away, and why
    const camille = await server.db.selectFrom('persons').select(['id', 'first_name']).where('identifier', '=', CAMILLE.identifier).executeTakeFirstOrThrow();
    const lines = await personJournal(
      { db: server.db, dialect: server.dialect },
      { id: 'journal-check', kioskId: k.kioskId, personId: camille.id, identifier: CAMILLE.identifier, firstName: camille.first_name, cardSerial: CAMILLE.card, role: 'beneficiary', consent: null, expiresAt: Date.now() + 60_000 },
    );
    if (!lines.ok) throw new Error('journal refused');
    expect(lines.value).toContainEqual(
      expect.objectContaining({
        who: 'Un papier envoyé par la tablette',
        action: 'n’a pas été rangé : la carte qui l’a signé n’y donne pas droit (carte bloquée, ou pas la bonne carte).',
        documentTitle: null,
      }),
    );
    // never the protocol's code or the audit action's name
    expect(JSON.stringify(lines.value)).not.toMatch(/mutation\.refused|card_not_present|forbidden/);
  });

  it('an agent acting for a present beneficiary needs both cards to sign', async () => {
    const { k, socket, seq } = await kiosk();
    const blob = await uploaded(k);
    const sha = sha256Hex(blob);
    const body = {
      type: 'vault.document.deposit',
      payload: {
        documentId: randomUUID(),
        owner: CAMILLE.identifier,
        docType: 'rib',
        fields: {},
        ocrText: '',
        file: { sha256: sha, mime: 'image/png', size: blob.length },
        capturedAt: new Date().toISOString(),
        ground: { kind: 'present-beneficiary', cardSerial: CAMILLE.card, agentCardSerial: SOPHIE.card },
      },
    } as const;
    const signed = (n: number, signers: readonly TestCard[]) => {
      const id = randomUUID();
      return { seq: n, id, createdAt: new Date().toISOString(), blobs: [sha], proof: proveWith(k.kioskId, { id, blobs: [sha], ...body }, signers), ...body };
    };
    expect(await send(socket, [signed(seq(), [demoCard(SOPHIE.card)])])).toMatchObject({ ok: true, results: [{ status: 'refused', error: { message: expect.stringContaining('card_not_present') } }] });
    expect(await send(socket, [signed(seq(), [demoCard(CAMILLE.card)])])).toMatchObject({ ok: true, results: [{ status: 'refused', error: { message: expect.stringContaining('card_not_present') } }] });
    const both = signed(seq(), [demoCard(CAMILLE.card), demoCard(SOPHIE.card)]);
    expect(await send(socket, [both])).toMatchObject({ ok: true, results: [{ status: 'applied' }] });
    const entry = await server.db.selectFrom('audit_journal').selectAll().where('action', '=', 'document.deposit').where('document_id', '=', body.payload.documentId).executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ actor_id: SOPHIE.identifier, ground: 'present-beneficiary' });
    expect(JSON.parse(entry.detail)).toMatchObject({ cardSerial: CAMILLE.card, agentCardSerial: SOPHIE.card, proof: expect.stringMatching(/^card-signature:/) });
    expect(await verifyAuditChain(server.db)).toMatchObject({ ok: true });
  });

  it('a card key that is not the certificate’s is caught, whatever the kiosk says', async () => {
    const { k, socket, seq } = await kiosk();
    const stranger = { ...demoCard(CAMILLE.card), authKey: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey };
    const m = depositMutation({ kioskId: k.kioskId, seq: seq(), blob: await uploaded(k), signers: [stranger] });
    expect(await send(socket, [m])).toMatchObject({ ok: true, results: [{ status: 'refused' }] });
    expect(await server.db.selectFrom('documents').select('id').where('id', '=', m.payload.documentId).executeTakeFirst()).toBeUndefined();
  });
});
