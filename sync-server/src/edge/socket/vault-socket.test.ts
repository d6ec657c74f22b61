/**
 * The vault over the kiosk socket (vault-socket.ts), with a real socket.io-client against startServer on
 * SQLite and PostgreSQL: a person session opened only by the card's own signature of a fresh server
 * nonce, reads of that person's vault only, search that survives hostile queries, and the writes
 * (delete, send) that go through mutations and the access policy.
 *
 * Cards are software P-256 keys certified by the server's own CA (the same profile the issuing station
 * writes onto real cards), so a test can also make the odd ones: a copy without the key, another CA's.
 */
import { generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { sql } from 'kysely';
import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CardRole } from '../../../protocol/card-certificate.ts';
import type { DocType, FileMime } from '../../../protocol/common.ts';
import { cardsOfGround, referencedBlobs } from '../../../protocol/mutations.ts';
import { proveWith } from '../../../test-support/test-ca.ts';
import type { DocumentDeposit, Ground, Mutation, MutationBody } from '../../../protocol/mutations.ts';
import { EVENTS, MutationsAck } from '../../../protocol/socket.ts';
import { AuditAck, ChallengeAck, DOC_TYPE_TITLE, FileAck, GetAck, ListAck, OpenSessionAck, VAULT_EVENTS, loginMessage } from '../../../protocol/vault.ts';
import type { AuditEntry, OpenSessionRequest } from '../../../protocol/vault.ts';
import { createPlatformCa, initCa, issueCardCertificate } from '../../features/cards/index.ts';
import { replyInThread } from '../../features/inbox/index.ts';
import type { LoadedCa } from '../../features/cards/index.ts';
import { verifyAuditChain } from '../../kernel/audit.ts';
import { startServer } from '../server.ts';
import type { RunningServer } from '../server.ts';
import { addKiosk, CAMILLE, connectKiosk, DIALECTS, freshEnv, sha256Hex, STAFF_TOKEN, tusUpload, YANIS } from '../../../test-support/test-env.ts';
import { randomPng } from '../../../test-support/png.ts';
import type { TestEnv, TestKiosk } from '../../../test-support/test-env.ts';

// ---------------------------------------------------------------------------------------------------
// Helpers that need no server

/** Seeded persons (assets/seed/demo.json) with what their card certificate names. */
interface Person {
  identifier: string;
  card: string;
  firstName: string;
  lastName: string;
  role: CardRole;
}
const camille: Person = { ...CAMILLE, firstName: 'Camille', lastName: 'Martin', role: 'beneficiary' };
const yanis: Person = { ...YANIS, firstName: 'Yanis', lastName: 'Benali', role: 'beneficiary' };
const aminata: Person = { identifier: 'FAC-M2XH-5VQK-7DSM', card: '0A1B2C3F', firstName: 'Aminata', lastName: 'Diallo', role: 'beneficiary' };
const sophie: Person = { identifier: 'FAC-R9TD-4HWN-3GAK', card: '0A1B2C40', firstName: 'Sophie', lastName: 'Lefèvre', role: 'agent' };

/** A card as the kiosk sees it: its serial, the certificate it holds (DER, base64url) and its authentication key. */
interface TestCard {
  serial: string;
  certificate: string;
  key: KeyObject;
}

function p256Key(): { key: KeyObject; point: Uint8Array } {
  const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const jwk = pair.publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  return { key: pair.privateKey, point: new Uint8Array(point) };
}

/** Issues a certificate for a fresh software key; `certify` overrides make the odd cards. */
async function certify(ca: { certificate: Uint8Array; privateKey: LoadedCa['privateKey'] }, p: Person, o: { identifier?: string; serial?: string } = {}): Promise<TestCard> {
  const auth = p256Key();
  const certificate = await issueCardCertificate({
    ca,
    subject: { identifier: o.identifier ?? p.identifier, firstName: p.firstName, lastName: p.lastName, role: p.role, cardSerial: o.serial ?? p.card },
    authPublicKey: auth.point,
    signaturePublicKey: p256Key().point,
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 365 * 86_400_000),
  });
  return { serial: o.serial ?? p.card, certificate: Buffer.from(certificate).toString('base64url'), key: auth.key };
}

/** What the card returns for INTERNAL AUTHENTICATE over SHA-256 of the login message: raw r‖s, base64url. */
function signLogin(key: KeyObject, kioskId: string, kioskNonce: string, serverNonce: string): string {
  const message = loginMessage(kioskId, Buffer.from(kioskNonce, 'base64url'), Buffer.from(serverNonce, 'base64url'));
  return sign('sha256', message, { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
}


const NO_SESSION = { ok: false, error: { code: 'forbidden', message: 'La session de la personne est terminée. Remettez la carte.' } };
const INVALID = { ok: false, error: { code: 'invalid', message: expect.stringMatching(/^Message invalide : /) as unknown } };
const refused = (message: string) => ({ ok: false, error: { code: 'forbidden', message } });

/**
 * Moves the clock forward for vault-socket.ts only: the nonce and idle deadlines are read there with
 * Date.now(), while engine.io-client, in this same process, drops a connection whose ping deadline seems past.
 */
function advanceVaultClock(ms: number): void {
  const real = Date.now.bind(Date);
  vi.spyOn(Date, 'now').mockImplementation(() => (/vault-socket\.ts:/.test(new Error().stack ?? '') ? real() + ms : real()));
}

// ---------------------------------------------------------------------------------------------------

describe.each(DIALECTS)('vault socket on %s', (dialect) => {
  let env: TestEnv;
  let ca: LoadedCa;
  let server: RunningServer;
  const sockets: Socket[] = [];
  /** certified cards of the seeded persons */
  const cards = new Map<string, TestCard>();
  const cardOf = (p: Person) => cards.get(p.identifier)!;

  /** the kiosk that sends the mutations (deposits, deletes, sends) through its outbox sequence */
  let writer: { kiosk: TestKiosk; socket: Socket; lastSeq: number };

  beforeAll(async () => {
    env = await freshEnv(dialect);
    // the platform CA where the server loads it: session:open checks card certificates against it
    ca = await initCa(env.config.dataDir);
    server = await startServer(env.config, { logger: false });
    for (const p of [camille, yanis, aminata, sophie]) cards.set(p.identifier, await certify(ca, p));
    const kiosk = await addKiosk(server.db);
    writer = { kiosk, socket: await connectKiosk(server.url, kiosk), lastSeq: 0 };
  });
  afterEach(() => {
    vi.restoreAllMocks();
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    writer?.socket.close();
    await server?.close();
    await env?.cleanup();
  });

  async function ask(socket: Socket, event: string, ...args: unknown[]): Promise<unknown> {
    return socket.timeout(10_000).emitWithAck(event, ...args);
  }

  /** A freshly enrolled kiosk, connected with its signed challenge. */
  async function kioskSocket(): Promise<{ kioskId: string; socket: Socket; kiosk: TestKiosk }> {
    const kiosk = await addKiosk(server.db);
    const socket = await connectKiosk(server.url, kiosk);
    sockets.push(socket);
    return { kioskId: kiosk.kioskId, socket, kiosk };
  }

  async function challenge(socket: Socket): Promise<string> {
    const ack = ChallengeAck.parse(await ask(socket, VAULT_EVENTS.challenge, {}));
    if (!ack.ok) throw new Error(`challenge refused: ${ack.error.message}`);
    return ack.nonce;
  }

  /** The session:open request a kiosk builds once the card has signed (`signer` defaults to the card's own key). */
  function loginRequest(kioskId: string, card: TestCard, serverNonce: string, signer: KeyObject = card.key): OpenSessionRequest {
    const kioskNonce = randomBytes(32).toString('base64url');
    return { certificate: card.certificate, cardSerial: card.serial, kioskNonce, serverNonce, signature: signLogin(signer, kioskId, kioskNonce, serverNonce) };
  }

  async function open(socket: Socket, req: unknown): Promise<OpenSessionAck> {
    return OpenSessionAck.parse(await ask(socket, VAULT_EVENTS.open, req));
  }

  /** Challenge, card signature, session:open: the session id, or a thrown refusal. */
  async function sessionOn(kiosk: { kioskId: string; socket: Socket }, card: TestCard, extra: Partial<OpenSessionRequest> = {}): Promise<string> {
    const ack = await open(kiosk.socket, { ...loginRequest(kiosk.kioskId, card, await challenge(kiosk.socket)), ...extra });
    if (!ack.ok) throw new Error(`session refused: ${ack.error.message}`);
    return ack.sessionId;
  }

  /** A person at a kiosk of their own: the socket and their open session. */
  async function personAt(p: Person): Promise<{ kioskId: string; socket: Socket; kiosk: TestKiosk; sessionId: string }> {
    const kiosk = await kioskSocket();
    return { ...kiosk, sessionId: await sessionOn(kiosk, cardOf(p)) };
  }

  const list = async (socket: Socket, sessionId: string) => ListAck.parse(await ask(socket, VAULT_EVENTS.list, { sessionId }));
  const search = async (socket: Socket, sessionId: string, query: string) => ListAck.parse(await ask(socket, VAULT_EVENTS.search, { sessionId, query }));
  const getDoc = async (socket: Socket, sessionId: string, documentId: string) => GetAck.parse(await ask(socket, VAULT_EVENTS.get, { sessionId, documentId }));
  const file = async (socket: Socket, sessionId: string, sha256: string) => FileAck.parse(await ask(socket, VAULT_EVENTS.file, { sessionId, sha256 }));
  const journal = async (socket: Socket, sessionId: string): Promise<AuditEntry[]> => {
    const ack = AuditAck.parse(await ask(socket, VAULT_EVENTS.audit, { sessionId }));
    if (!ack.ok) throw new Error(ack.error.message);
    return ack.entries;
  };
  const ids = (ack: ListAck) => (ack.ok ? ack.documents.map((d) => d.id) : []);

  /** One mutation from the writer kiosk, next in its sequence (a refused one does not use its seq up). */
  /** A mutation as the kiosk's outbox sends it, signed by the cards its ground names (at the box, over PC/SC). */
  async function mutate(body: MutationBody): Promise<MutationsAck> {
    const id = randomUUID();
    const blobs = referencedBlobs(body);
    const signers = cardsOfGround(body.payload.ground).map((serial) => [...cards.values()].find((c) => c.serial === serial)!).map((c) => ({ ...c, authKey: c.key, signKey: c.key }));
    const m = { seq: writer.lastSeq + 1, id, createdAt: new Date().toISOString(), blobs, proof: proveWith(writer.kiosk.kioskId, { id, blobs, ...body }, signers), ...body } as Mutation;
    const ack = MutationsAck.parse(await ask(writer.socket, EVENTS.mutations, { mutations: [m] }));
    if (ack.lastSeq !== undefined) writer.lastSeq = ack.lastSeq;
    return ack;
  }

  interface Deposited {
    documentId: string;
    sha256: string;
    bytes: Buffer;
  }

  /** Grounds a mutation names: the person's own card, or an agent's with the beneficiary's card present. */
  const ownCard = (p: Person): Ground => ({ kind: 'own-card', cardSerial: p.card });
  const withAgent = (p: Person, agent: Person): Ground => ({ kind: 'present-beneficiary', cardSerial: p.card, agentCardSerial: agent.card });

  async function upload(bytes: Buffer, mime: FileMime): Promise<string> {
    const sha256 = sha256Hex(bytes);
    expect(await tusUpload(server.url, writer.kiosk, bytes, { sha256, mime })).toMatchObject({ ok: true });
    return sha256;
  }

  /** A scan (and its preview) uploaded over tus, then its deposit mutation, as the kiosk's outbox does it. */
  async function deposit(
    p: Person,
    o: { docType: DocType; ocrText: string; fields?: DocumentDeposit['payload']['fields']; documentId?: string; file?: { bytes: Buffer; mime: FileMime }; thumbnail?: Buffer },
  ): Promise<Deposited> {
    const { bytes, mime } = o.file ?? { bytes: randomPng(), mime: 'image/png' as const };
    const sha256 = await upload(bytes, mime);
    const thumbnail = o.thumbnail ? { sha256: await upload(o.thumbnail, 'image/jpeg'), mime: 'image/jpeg' as const, size: o.thumbnail.length } : undefined;
    const documentId = o.documentId ?? randomUUID();
    const ack = await mutate({
      type: 'vault.document.deposit',
      payload: {
        documentId,
        owner: p.identifier,
        docType: o.docType,
        fields: o.fields ?? {},
        ocrText: o.ocrText,
        file: { sha256, mime, size: bytes.length },
        ...(thumbnail ? { thumbnail } : {}),
        capturedAt: new Date().toISOString(),
        ground: ownCard(p),
      },
    });
    expect(ack).toMatchObject({ ok: true, results: [{ status: 'applied' }] });
    return { documentId, sha256, bytes };
  }

  /** Whether the search index holds a row for the document (FTS5 table / tsvector column). */
  async function indexed(documentId: string): Promise<boolean> {
    const r =
      dialect === 'sqlite'
        ? await sql<{ n: number | string }>`SELECT count(*) AS n FROM documents_fts WHERE document_id = ${documentId}`.execute(server.db)
        : await sql<{ n: number | string }>`SELECT count(*) AS n FROM documents WHERE id = ${documentId} AND search IS NOT NULL`.execute(server.db);
    return Number(r.rows[0]?.n ?? 0) > 0;
  }

  // -------------------------------------------------------------------------------------------------

  describe('opening a person session', () => {
    it('opens a session for the card that signed this server’s nonce for this kiosk', async () => {
      const kiosk = await kioskSocket();
      const ack = await open(kiosk.socket, loginRequest(kiosk.kioskId, cardOf(camille), await challenge(kiosk.socket)));
      expect(ack).toEqual({ ok: true, sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown, expiresAt: expect.any(String) as unknown });
      if (!ack.ok) return;
      expect(Date.parse(ack.expiresAt)).toBeGreaterThan(Date.now());
      expect(await list(kiosk.socket, ack.sessionId)).toMatchObject({ ok: true });
    });

    it('refuses a copy of the card: its certificate and identifier, but not its key', async () => {
      const kiosk = await kioskSocket();
      const copy = p256Key().key;
      const req = loginRequest(kiosk.kioskId, cardOf(camille), await challenge(kiosk.socket), copy);
      expect(await open(kiosk.socket, req)).toEqual(refused('Carte refusée (signature).'));
    });

    it('refuses certificates from another CA, of another card, of a card the platform does not know, or naming someone else', async () => {
      const kiosk = await kioskSocket();
      const attempt = async (card: TestCard) => open(kiosk.socket, loginRequest(kiosk.kioskId, card, await challenge(kiosk.socket)));

      const foreignCa = await createPlatformCa({ commonName: 'Facilitateur - autorité des cartes', notAfter: new Date(Date.now() + 10 * 365 * 86_400_000) });
      expect(await attempt(await certify(foreignCa, camille))).toEqual(refused('Carte refusée (foreign).'));
      // Camille's certificate presented as read from Yanis's card (a certificate moved onto another card)
      expect(await attempt({ ...cardOf(camille), serial: yanis.card })).toEqual(refused('Carte refusée (wrong-card).'));
      // properly certified, but for a serial the platform never issued: treated as not active
      expect(await attempt(await certify(ca, camille, { serial: 'FFFFFFF0' }))).toEqual(refused('Carte refusée (revoked).'));
      // Camille's card serial, but a certificate naming Yanis
      expect(await attempt(await certify(ca, camille, { identifier: yanis.identifier }))).toEqual(refused('Carte inconnue de la plateforme.'));
    });

    it('refuses an unknown, reused, expired or another socket’s server nonce; a refused attempt uses the nonce up', async () => {
      const kiosk = await kioskSocket();
      const card = cardOf(camille);
      const nonceRefused = refused('Défi expiré ou inconnu.');

      // never issued
      expect(await open(kiosk.socket, loginRequest(kiosk.kioskId, card, randomBytes(32).toString('base64url')))).toEqual(nonceRefused);

      // single use: accepted once, then refused even with a fresh signature over it
      const nonce = await challenge(kiosk.socket);
      expect((await open(kiosk.socket, loginRequest(kiosk.kioskId, card, nonce))).ok).toBe(true);
      expect(await open(kiosk.socket, loginRequest(kiosk.kioskId, card, nonce))).toEqual(nonceRefused);

      // a failed attempt (wrong key) burns it too: no second try at the same nonce
      const burnt = await challenge(kiosk.socket);
      expect(await open(kiosk.socket, loginRequest(kiosk.kioskId, card, burnt, p256Key().key))).toEqual(refused('Carte refusée (signature).'));
      expect(await open(kiosk.socket, loginRequest(kiosk.kioskId, card, burnt))).toEqual(nonceRefused);

      // a nonce lives 120 s
      const recent = await challenge(kiosk.socket);
      const old = await challenge(kiosk.socket);
      advanceVaultClock(119_000);
      expect((await open(kiosk.socket, loginRequest(kiosk.kioskId, card, recent))).ok).toBe(true);
      vi.restoreAllMocks();
      advanceVaultClock(121_000);
      expect(await open(kiosk.socket, loginRequest(kiosk.kioskId, card, old))).toEqual(nonceRefused);
      vi.restoreAllMocks();

      // nonces belong to the socket that asked for them: another kiosk's, or another connection of this one
      const sameKiosk = await connectKiosk(server.url, kiosk.kiosk);
      sockets.push(sameKiosk);
      for (const socket of [(await kioskSocket()).socket, sameKiosk]) {
        const theirs = await challenge(socket);
        expect(await open(kiosk.socket, loginRequest(kiosk.kioskId, card, theirs))).toEqual(nonceRefused);
      }
    });

    it('keeps at most 17 outstanding nonces per socket', async () => {
      const kiosk = await kioskSocket();
      for (let i = 0; i < 17; i++) await challenge(kiosk.socket);
      expect(await ask(kiosk.socket, VAULT_EVENTS.challenge, {})).toEqual({ ok: false, error: { code: 'too_large', message: 'Trop de demandes en cours.' } });
    });

    it('refuses a blocked card, and ends the sessions it already had', async () => {
      const kiosk = await kioskSocket();
      const before = await sessionOn(kiosk, cardOf(aminata));
      expect(await list(kiosk.socket, before)).toMatchObject({ ok: true });

      const res = await fetch(`${server.url}/api/staff/cards/${aminata.card}/block`, {
        method: 'POST',
        headers: { authorization: `Bearer ${STAFF_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'lost' }),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ serial: aminata.card, status: 'blocked', changed: true });

      expect(await open(kiosk.socket, loginRequest(kiosk.kioskId, cardOf(aminata), await challenge(kiosk.socket)))).toEqual(refused('Carte refusée (revoked).'));
      // the open session asks the card's status again on every read
      expect(await list(kiosk.socket, before)).toEqual(refused('Cette carte n’est plus valable. Demandez de l’aide à l’accueil.'));
    });

    it('answers malformed requests with a typed error, without using the nonce up', async () => {
      const kiosk = await kioskSocket();
      const nonce = await challenge(kiosk.socket);
      const good = loginRequest(kiosk.kioskId, cardOf(camille), nonce);
      const cases: Array<[string, unknown]> = [
        ['null', null],
        ['a string', 'open sesame'],
        ['a number', 42],
        ['an array', [good]],
        ['empty object', {}],
        ['no signature', { ...good, signature: undefined }],
        ['no certificate', { ...good, certificate: undefined }],
        ['signature as a number', { ...good, signature: 1234 }],
        ['signature one character short', { ...good, signature: good.signature.slice(1) }],
        ['signature in base64 (not url)', { ...good, signature: `${good.signature.slice(2)}+/` }],
        ['certificate too short', { ...good, certificate: 'MII' }],
        ['certificate oversized', { ...good, certificate: 'A'.repeat(8193) }],
        ['certificate as an array', { ...good, certificate: [good.certificate] }],
        ['card serial in lower case', { ...good, cardSerial: good.cardSerial.toLowerCase() }],
        ['card serial too long', { ...good, cardSerial: `${good.cardSerial}00` }],
        ['card serial as an object', { ...good, cardSerial: { $ne: null } }],
        ['kiosk nonce too short', { ...good, kioskNonce: 'A'.repeat(42) }],
        ['server nonce oversized', { ...good, serverNonce: 'A'.repeat(87) }],
        ['server nonce with padding', { ...good, serverNonce: `${nonce}=` }],
        ['agent session not a uuid', { ...good, withAgentSession: 'sophie' }],
      ];
      for (const [name, payload] of cases) expect(await open(kiosk.socket, payload), name).toEqual(INVALID);
      // no payload at all, and a message without an ack callback, leave the socket usable
      expect(await ask(kiosk.socket, VAULT_EVENTS.open)).toEqual(INVALID);
      kiosk.socket.emit(VAULT_EVENTS.open, { ...good, signature: 'x' });

      // nothing above reached the nonce: the well-formed request still opens with it
      expect(await open(kiosk.socket, good)).toMatchObject({ ok: true });
    });

    it('ignores extra members: the kiosk and person are the authenticated ones, not what the request claims', async () => {
      const kiosk = await kioskSocket();
      const other = await kioskSocket();
      // signed for another kiosk id, with that id slipped into the request: the signature does not verify here
      const forOther = loginRequest(other.kioskId, cardOf(camille), await challenge(kiosk.socket));
      expect(await open(kiosk.socket, { ...forOther, kioskId: other.kioskId })).toEqual(refused('Carte refusée (signature).'));

      // members naming someone else, or another role, do not change whose session opens: Camille's, as a beneficiary
      const junk = { identifier: yanis.identifier, personId: 'x', role: 'agent', consent: { agentPersonId: 'x' }, isAdmin: true };
      const ack = await open(kiosk.socket, { ...loginRequest(kiosk.kioskId, cardOf(camille), await challenge(kiosk.socket)), ...junk });
      expect(ack.ok).toBe(true);
      if (!ack.ok) return;
      const hers = await deposit(camille, { docType: 'other', ocrText: 'Attestation pour Camille' });
      const his = await deposit(yanis, { docType: 'other', ocrText: 'Attestation pour Yanis' });
      const listed = ids(await list(kiosk.socket, ack.sessionId));
      expect(listed).toContain(hers.documentId);
      expect(listed).not.toContain(his.documentId);
      expect(await getDoc(kiosk.socket, ack.sessionId, his.documentId)).toMatchObject({ ok: false, error: { code: 'unknown' } });
      // and her session is no agent's for someone to join
      expect(await open(kiosk.socket, { ...loginRequest(kiosk.kioskId, cardOf(yanis), await challenge(kiosk.socket)), withAgentSession: ack.sessionId })).toEqual(
        refused('La session de l’agent est terminée.'),
      );
    });

    it('lets a beneficiary join an agent’s session: reads are journaled under the agent; the consent ends with the agent’s session', async () => {
      const kiosk = await kioskSocket();
      const agentSession = await sessionOn(kiosk, cardOf(sophie));
      // her card opening a session is her activity (the inactivity suspension counts from it)
      const seen = await server.db
        .selectFrom('agent_profiles')
        .innerJoin('persons', 'persons.id', 'agent_profiles.person_id')
        .select('agent_profiles.last_active_at')
        .where('persons.identifier', '=', sophie.identifier)
        .executeTakeFirstOrThrow();
      expect(Date.now() - Date.parse(seen.last_active_at ?? '')).toBeLessThan(60_000);
      // Yanis's own session is no agent session to join
      const yanisSession = await sessionOn(kiosk, cardOf(yanis));
      expect(await open(kiosk.socket, { ...loginRequest(kiosk.kioskId, cardOf(camille), await challenge(kiosk.socket)), withAgentSession: yanisSession })).toEqual(
        refused('La session de l’agent est terminée.'),
      );
      // nor can an agent join another agent
      expect(await open(kiosk.socket, { ...loginRequest(kiosk.kioskId, cardOf(sophie), await challenge(kiosk.socket)), withAgentSession: agentSession })).toEqual(
        refused('Seule une personne accompagnée peut rejoindre un agent.'),
      );

      const consent = await sessionOn(kiosk, cardOf(camille), { withAgentSession: agentSession });
      const doc = await deposit(camille, { docType: 'caf-certificate', ocrText: 'Attestation de paiement CAF' });
      expect(await getDoc(kiosk.socket, consent, doc.documentId)).toMatchObject({ ok: true });
      // her journal is hers to read, on her own card: an agent never reads it, even with her present
      expect(await ask(kiosk.socket, VAULT_EVENTS.audit, { sessionId: consent })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      const hers = await personAt(camille);
      expect((await journal(hers.socket, hers.sessionId))[0]).toMatchObject({
        who: 'Sophie Lefèvre (CMS du centre-ville)',
        action: 'a ouvert un document',
        documentTitle: DOC_TYPE_TITLE['caf-certificate'],
        ground: 'present-beneficiary',
      });

      expect(await ask(kiosk.socket, VAULT_EVENTS.close, { sessionId: agentSession })).toEqual({ ok: true });
      expect(await list(kiosk.socket, consent)).toEqual(NO_SESSION);
      // Yanis's own session on the same socket is not touched
      expect(await list(kiosk.socket, yanisSession)).toMatchObject({ ok: true });
    });
  });

  // -------------------------------------------------------------------------------------------------

  describe('Camille’s vault', () => {
    let rib: Deposited & { v1: Deposited };
    let tax: Deposited;
    let yanisDoc: Deposited;
    let camillePersonId: string;
    let yanisPersonId: string;

    beforeAll(async () => {
      // deposits through the real path: tus upload of the scan, then the mutation applied by the sync engine
      const v1 = await deposit(camille, {
        docType: 'rib',
        ocrText: 'RELEVÉ D’IDENTITÉ BANCAIRE\nTitulaire : Camille Martin\nDomiciliation : Agence Exempleville',
        fields: { iban: { value: 'FR7630006000011234567890189', confidence: 0.93, confirmed: true } },
      });
      // a second version of the same document (a newer scan)
      const v2 = await deposit(camille, {
        documentId: v1.documentId,
        docType: 'rib',
        ocrText: 'RELEVÉ D’IDENTITÉ BANCAIRE\nTitulaire : Camille Martin\nIBAN FR76 3000 6000 0112 3456 7890 189',
        fields: {
          iban: { value: 'FR7630006000011234567890189', confidence: 0.97, confirmed: true },
          holder: { value: 'Camille Martin', confidence: 0.9, confirmed: true },
        },
      });
      rib = { ...v2, v1 };
      tax = await deposit(camille, {
        docType: 'tax-notice',
        ocrText: 'AVIS D’IMPÔT 2024 SUR LES REVENUS DE 2023\nPrélèvement à la source\nÉchéancier des mensualités',
        fields: { referenceIncome: { value: '18450', confidence: 0.8, confirmed: false } },
      });
      // Yanis's paper holds Camille's words and every hostile token, so a leak would show in her results
      yanisDoc = await deposit(yanis, {
        docType: 'other',
        ocrText: 'zanzibar bancaire prélèvement échéancier mensualités owner near or and not body NEAR( ) OR ( owner: " * 😀',
      });
      const persons = await server.db.selectFrom('persons').select(['id', 'identifier']).where('identifier', 'in', [camille.identifier, yanis.identifier]).execute();
      camillePersonId = persons.find((p) => p.identifier === camille.identifier)!.id;
      yanisPersonId = persons.find((p) => p.identifier === yanis.identifier)!.id;
    });

    it('lists the documents with their titles, issuers and current version', async () => {
      const me = await personAt(camille);
      const ack = await list(me.socket, me.sessionId);
      expect(ack.ok).toBe(true);
      if (!ack.ok) return;
      const byId = new Map(ack.documents.map((d) => [d.id, d]));
      expect(byId.get(rib.documentId)).toMatchObject({ vault: 'personal', docType: 'rib', issuer: 'banque', title: 'Relevé d’identité bancaire (RIB)', version: 2, institutionId: null, expiry: 'valid' });
      expect(byId.get(tax.documentId)).toMatchObject({ vault: 'personal', docType: 'tax-notice', issuer: 'impots', title: 'Avis d’impôt', version: 1 });
      expect(byId.has(yanisDoc.documentId)).toBe(false);
      // newest first (updated_at)
      expect(ack.documents.findIndex((d) => d.id === tax.documentId)).toBeLessThan(ack.documents.findIndex((d) => d.id === rib.documentId));
    });

    it('returns every version of a document, newest first, with what was read on each', async () => {
      const me = await personAt(camille);
      const ack = await getDoc(me.socket, me.sessionId, rib.documentId);
      expect(ack.ok).toBe(true);
      if (!ack.ok) return;
      expect(ack.document).toMatchObject({ id: rib.documentId, version: 2, title: 'Relevé d’identité bancaire (RIB)' });
      expect(ack.versions.map((v) => v.version)).toEqual([2, 1]);
      expect(ack.versions[0]).toMatchObject({ file: { sha256: rib.sha256, mime: 'image/png', size: rib.bytes.length }, pages: 1, thumbnail: null });
      expect(ack.versions[0]!.fields.holder).toEqual({ value: 'Camille Martin', confidence: 0.9, confirmed: true });
      expect(ack.versions[1]).toMatchObject({ file: { sha256: rib.v1.sha256 } });
      expect(Object.keys(ack.versions[1]!.fields)).toEqual(['iban']);
    });

    it('returns the file’s bytes, for the current and an older version', async () => {
      const me = await personAt(camille);
      for (const d of [rib, rib.v1]) {
        const ack = await file(me.socket, me.sessionId, d.sha256);
        expect(ack).toMatchObject({ ok: true, mime: 'image/png' });
        if (ack.ok) expect(sha256Hex(ack.bytes)).toBe(d.sha256);
      }
      expect(await file(me.socket, me.sessionId, sha256Hex(Buffer.from('not a blob of this vault')))).toEqual({
        ok: false,
        error: { code: 'unknown', message: 'Ce fichier n’est pas dans ce coffre.' },
      });
    });

    it('makes a PDF: the scan on a page, then the page of what was read; with a cover letter when asked', async () => {
      const me = await personAt(camille);
      const ack = FileAck.parse(await ask(me.socket, VAULT_EVENTS.pdf, { sessionId: me.sessionId, documentId: rib.documentId }));
      expect(ack).toMatchObject({ ok: true, mime: 'application/pdf' });
      if (!ack.ok) return;
      expect(Buffer.from(ack.bytes).subarray(0, 5).toString('latin1')).toBe('%PDF-');
      const pdf = await PDFDocument.load(ack.bytes);
      expect(pdf.getPageCount()).toBe(2);
      expect(pdf.getTitle()).toBe('Relevé d’identité bancaire (RIB)');

      const letter = FileAck.parse(await ask(me.socket, VAULT_EVENTS.pdf, { sessionId: me.sessionId, documentId: rib.documentId, letterTo: 'caf' }));
      expect(letter.ok).toBe(true);
      if (letter.ok) expect((await PDFDocument.load(letter.bytes)).getPageCount()).toBe(3);
      expect(await ask(me.socket, VAULT_EVENTS.pdf, { sessionId: me.sessionId, documentId: rib.documentId, letterTo: 'nowhere' })).toEqual({
        ok: false,
        error: { code: 'unknown', message: 'Cet organisme n’est pas connu.' },
      });
    });

    it('serves a document’s preview as JPEG, and lists it as the thumbnail', async () => {
      const me = await personAt(camille);
      // a real JPEG (the server decodes every image it receives), its colour random so the blob is its own
      const [r, g, b] = randomBytes(3);
      const preview = await sharp({ create: { width: 32, height: 24, channels: 3, background: { r: r!, g: g!, b: b! } } }).jpeg().toBuffer();
      const doc = await deposit(camille, { docType: 'health-insurance', ocrText: 'Attestation de droits', thumbnail: preview });
      const listed = await list(me.socket, me.sessionId);
      expect(listed.ok && listed.documents.find((d) => d.id === doc.documentId)?.thumbnail).toBe(sha256Hex(preview));
      const ack = await file(me.socket, me.sessionId, sha256Hex(preview));
      expect(ack).toMatchObject({ ok: true, mime: 'image/jpeg' });
      if (ack.ok) expect(Buffer.compare(Buffer.from(ack.bytes), preview)).toBe(0);
      const him = await personAt(yanis);
      expect(await file(him.socket, him.sessionId, sha256Hex(preview))).toMatchObject({ ok: false, error: { code: 'unknown' } });
    });

    it('makes a PDF of a PDF file, and of a paper with many long or undrawable values, losing none', async () => {
      const me = await personAt(camille);
      const pdfOf = async (documentId: string) => {
        const ack = FileAck.parse(await ask(me.socket, VAULT_EVENTS.pdf, { sessionId: me.sessionId, documentId }));
        if (!ack.ok) throw new Error(ack.error.message);
        return PDFDocument.load(ack.bytes);
      };
      // a scanned PDF: its pages are copied, then the page of what was read
      const source = await PDFDocument.create();
      source.addPage();
      source.addPage();
      const scanned = await deposit(camille, { docType: 'payslip', ocrText: 'Bulletin de paie', file: { bytes: Buffer.from(await source.save()), mime: 'application/pdf' } });
      expect((await pdfOf(scanned.documentId)).getPageCount()).toBe(3);

      // 40 fields of 400 characters do not fit on one A4 page: what was read continues on further pages
      const fields = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`ligne${i}`, { value: `valeur ${i} `.repeat(40), confidence: 0.9, confirmed: true }]));
      const long = await deposit(camille, { docType: 'other', ocrText: 'Relevé de compte', fields });
      expect((await pdfOf(long.documentId)).getPageCount()).toBeGreaterThanOrEqual(4);

      // characters the standard fonts cannot draw are replaced, not a failure
      const odd = await deposit(camille, { docType: 'other', ocrText: 'Divers', fields: { name: { value: 'Ŵang 王 😀 Łódź\tß\u0007', confidence: 0.5, confirmed: false } } });
      expect((await pdfOf(odd.documentId)).getPageCount()).toBe(2);

      // NUL cannot be stored in PostgreSQL text: dropped, and the deposit is applied on both engines
      const nul = await deposit(camille, { docType: 'other', ocrText: 'avec\u0000nul', fields: { name: { value: 'A\u0000B', confidence: 0.5, confirmed: false } } });
      const row = await server.db.selectFrom('document_versions').select(['fields', 'ocr_text']).where('document_id', '=', nul.documentId).executeTakeFirstOrThrow();
      expect(row.ocr_text).toBe('avecnul');
      expect((JSON.parse(row.fields) as { name: { value: string } }).name.value).toBe('AB');
    });

    it('shows the platform staff’s reads in the person’s journal, in words', async () => {
      const me = await personAt(camille);
      const staff = (path: string) => fetch(`${server.url}/api/staff${path}`, { headers: { authorization: `Bearer ${STAFF_TOKEN}` } });
      expect((await staff(`/documents/${tax.documentId}`)).status).toBe(200);
      const blob = await staff(`/blobs/${tax.sha256}`);
      expect(blob.status).toBe(200);
      expect(sha256Hex(Buffer.from(await blob.arrayBuffer()))).toBe(tax.sha256);
      const entries = await journal(me.socket, me.sessionId);
      // the paper, then its file: one opening, one line, apart from her own acts, with why
      expect(entries[0]).toMatchObject({ who: 'Un agent de la plateforme (administration)', action: 'a ouvert le fichier d’un document', documentTitle: 'Avis d’impôt', ground: 'staff-administration', kind: 'other', why: 'pour gérer votre compte ou votre carte' });
      expect(entries[1]).not.toMatchObject({ who: 'Un agent de la plateforme (administration)', documentTitle: 'Avis d’impôt' });
      // no entry of her journal shows an internal action code
      for (const e of entries) expect(e.action, e.action).not.toMatch(/^[a-z]+(\.[a-z-]+)+$/);
    });

    it('journals each read, and shows the person their journal in words', async () => {
      const me = await personAt(camille);
      expect((await getDoc(me.socket, me.sessionId, tax.documentId)).ok).toBe(true);
      expect((FileAck.parse(await ask(me.socket, VAULT_EVENTS.pdf, { sessionId: me.sessionId, documentId: rib.documentId }))).ok).toBe(true);
      const entries = await journal(me.socket, me.sessionId);
      // her visit in one line: the tax notice opened, then the RIB printed (a read of the document)
      expect(entries[0]).toEqual({ at: expect.any(String) as unknown, who: 'Vous', action: 'avez ouvert 2 papiers', documentTitle: null, ground: 'own-card', kind: 'own', why: null });
      // her deposits, earlier, said in her words too
      expect(entries.some((e) => e.who === 'Vous' && /^avez ajouté \d+ papiers?/.test(e.action))).toBe(true);
      expect(entries.filter((e) => e.who === 'Vous' && e.action.startsWith('a '))).toEqual([]);
      // what was done in the database is what the journal shows
      const reads = await server.db
        .selectFrom('audit_journal')
        .select(['actor_id', 'document_id', 'detail'])
        .where('action', '=', 'document.read')
        .where('subject_person_id', '=', camillePersonId)
        .orderBy('seq', 'desc')
        .limit(2)
        .execute();
      expect(reads.map((r) => r.document_id)).toEqual([rib.documentId, tax.documentId]);
      expect(JSON.parse(reads[0]!.detail)).toEqual({ kioskId: me.kioskId, cardSerial: camille.card, session: expect.stringMatching(/^[0-9a-f]{16}$/) as unknown });
    });

    it('journals an agent’s list, search, file and preview reads with the beneficiary present: each in her journal, with who and on what ground', async () => {
      // a real JPEG (the server decodes every image it receives), its colour random so the blob is its own
      const [r, g, b] = randomBytes(3);
      const preview = await sharp({ create: { width: 32, height: 24, channels: 3, background: { r: r!, g: g!, b: b! } } }).jpeg().toBuffer();
      const withPreview = await deposit(camille, { docType: 'health-insurance', ocrText: 'Attestation de droits', thumbnail: preview });
      const kiosk = await kioskSocket();
      const agent = await sessionOn(kiosk, cardOf(sophie));
      const consent = await sessionOn(kiosk, cardOf(camille), { withAgentSession: agent });
      const iban = 'FR7630006000011234567890189';
      const seqBefore = Number((await server.db.selectFrom('audit_journal').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirstOrThrow()).m);

      expect(ids(await list(kiosk.socket, consent))).toContain(rib.documentId);
      expect(ids(await search(kiosk.socket, consent, 'bancaire'))).toEqual([rib.documentId]);
      expect(ids(await search(kiosk.socket, consent, iban))).toEqual([rib.documentId]);
      expect(ids(await search(kiosk.socket, consent, iban))).toEqual([rib.documentId]);
      expect(ids(await search(kiosk.socket, consent, 'zanzibar'))).toEqual([]);
      for (let i = 0; i < 2; i++) expect(await file(kiosk.socket, consent, rib.sha256)).toMatchObject({ ok: true });
      expect(await file(kiosk.socket, consent, sha256Hex(preview))).toMatchObject({ ok: true, mime: 'image/jpeg' });

      // in the chain: one entry per read, under Sophie, on the beneficiary's presence, with both cards
      const rows = await server.db
        .selectFrom('audit_journal')
        .select(['actor_id', 'action', 'document_id', 'ground', 'detail'])
        .where('seq', '>', seqBefore)
        .where('subject_person_id', '=', camillePersonId)
        .orderBy('seq')
        .execute();
      expect(rows.map((r) => [r.action, r.document_id])).toEqual([
        ['vault.list', null],
        ['vault.search', null],
        ['vault.search', null],
        ['vault.search', null],
        ['vault.search', null],
        ['document.file.read', rib.documentId],
        ['document.file.read', rib.documentId],
        ['document.preview.read', withPreview.documentId],
      ]);
      for (const r of rows) {
        expect(r.actor_id).toBe(sophie.identifier);
        expect(r.ground).toBe('present-beneficiary');
        expect(JSON.parse(r.detail)).toMatchObject({ kioskId: kiosk.kioskId, cardSerial: camille.card, agentCardSerial: sophie.card, structureId: 'structure-cms-centre', session: expect.stringMatching(/^[0-9a-f]{16}$/) as unknown });
      }
      const searches = rows.filter((r) => r.action === 'vault.search').map((r) => JSON.parse(r.detail) as { queryMac: string; documents: string[] });
      expect(searches.map((d) => d.documents)).toEqual([[rib.documentId], [rib.documentId], [rib.documentId], []]);
      // the same query gives the same keyed hash, another query another; never the query itself, nor its plain hash
      expect(searches[1]!.queryMac).toBe(searches[2]!.queryMac);
      expect(new Set(searches.map((d) => d.queryMac)).size).toBe(3);
      expect(searches[1]!.queryMac).not.toBe(sha256Hex(Buffer.from(iban.toLowerCase())).slice(0, 32));
      expect(JSON.stringify(rows)).not.toMatch(/bancaire|zanzibar|FR7630006000011234567890189/i);

      // in her own journal, in words: who, what, on what ground; a run of the same read in one session is one line
      const me = await personAt(camille);
      const entries = (await journal(me.socket, me.sessionId)).slice(0, 6).map((e) => [e.who, e.action, e.documentTitle, e.ground]);
      expect(entries).toEqual([
        ['Sophie Lefèvre (CMS du centre-ville)', 'a regardé l’aperçu d’un document', DOC_TYPE_TITLE['health-insurance'], 'present-beneficiary'],
        ['Sophie Lefèvre (CMS du centre-ville)', 'a ouvert le fichier d’un document (2 fois)', 'Relevé d’identité bancaire (RIB)', 'present-beneficiary'],
        ['Sophie Lefèvre (CMS du centre-ville)', 'a cherché dans vos papiers (rien trouvé)', null, 'present-beneficiary'],
        ['Sophie Lefèvre (CMS du centre-ville)', 'a cherché dans vos papiers 2 fois (1 papier trouvé)', null, 'present-beneficiary'],
        ['Sophie Lefèvre (CMS du centre-ville)', 'a cherché dans vos papiers (1 papier trouvé)', null, 'present-beneficiary'],
        ['Sophie Lefèvre (CMS du centre-ville)', 'a regardé la liste des papiers', null, 'present-beneficiary'],
      ]);
      expect(await verifyAuditChain(server.db)).toMatchObject({ ok: true });
    });

    it('shows an agent at accueil neither her RIB nor her health papers, in the list or a search; opening them is refused; a suspended agent reads nothing', async () => {
      const health = await deposit(camille, { docType: 'health-insurance', ocrText: 'Attestation de droits assurance maladie' });
      const payslip = await deposit(camille, { docType: 'payslip', ocrText: 'Bulletin de salaire mensuel' });
      const sophieId = (await server.db.selectFrom('persons').select('id').where('identifier', '=', sophie.identifier).executeTakeFirstOrThrow()).id;
      const setProfile = (level: 'accueil' | 'travail-social', suspended: boolean) =>
        server.db
          .updateTable('agent_profiles')
          .set({ level, suspended_at: suspended ? new Date().toISOString() : null, suspended_reason: suspended ? 'admin' : null })
          .where('person_id', '=', sophieId)
          .execute();
      await setProfile('accueil', false);
      try {
        const kiosk = await kioskSocket();
        const agent = await sessionOn(kiosk, cardOf(sophie));
        const consent = await sessionOn(kiosk, cardOf(camille), { withAgentSession: agent });
        const listed = ids(await list(kiosk.socket, consent));
        expect(listed).toContain(payslip.documentId);
        expect(listed).not.toContain(rib.documentId);
        expect(listed).not.toContain(health.documentId);
        // the RIB's text matches, but it is not shown; the payslip is
        expect(ids(await search(kiosk.socket, consent, 'bancaire'))).toEqual([]);
        expect(ids(await search(kiosk.socket, consent, 'salaire'))).toContain(payslip.documentId);
        expect(ids(await search(kiosk.socket, consent, 'assurance'))).toEqual([]);
        expect(await getDoc(kiosk.socket, consent, rib.documentId)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
        expect(await getDoc(kiosk.socket, consent, health.documentId)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
        expect(await file(kiosk.socket, consent, rib.sha256)).toMatchObject({ ok: false });
        expect(await getDoc(kiosk.socket, consent, payslip.documentId)).toMatchObject({ ok: true });

        await setProfile('accueil', true);
        expect(await list(kiosk.socket, consent)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
        expect(await getDoc(kiosk.socket, consent, payslip.documentId)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      } finally {
        await setProfile('travail-social', false);
      }
    });

    it('journals the person’s own list, search and file reads in the chain, and leaves them out of her view', async () => {
      const me = await personAt(camille);
      expect((await list(me.socket, me.sessionId)).ok).toBe(true);
      expect(ids(await search(me.socket, me.sessionId, 'bancaire'))).toEqual([rib.documentId]);
      expect(await file(me.socket, me.sessionId, rib.sha256)).toMatchObject({ ok: true });
      const own = await server.db
        .selectFrom('audit_journal')
        .select(['action', 'ground'])
        .where('actor_id', '=', camille.identifier)
        .where('subject_person_id', '=', camillePersonId)
        .orderBy('seq', 'desc')
        .limit(3)
        .execute();
      expect(own).toEqual([
        { action: 'document.file.read', ground: 'own-card' },
        { action: 'vault.search', ground: 'own-card' },
        { action: 'vault.list', ground: 'own-card' },
      ]);
      const entries = await journal(me.socket, me.sessionId);
      expect(entries.filter((e) => e.who === 'Vous' && /liste des papiers|cherché|fichier/.test(e.action))).toEqual([]);
      // her own opening of a document is still shown
      expect((await getDoc(me.socket, me.sessionId, tax.documentId)).ok).toBe(true);
      expect((await journal(me.socket, me.sessionId))[0]).toMatchObject({ who: 'Vous', action: 'avez ouvert 1 papier', documentTitle: 'Avis d’impôt' });
    });

    describe('isolation', () => {
      it('keeps Camille’s documents from Yanis’s session, without telling him their titles', async () => {
        const him = await personAt(yanis);
        const unknownDoc = { ok: false, error: { code: 'unknown', message: 'Ce document n’est pas dans ce coffre.' } };
        const get = await getDoc(him.socket, him.sessionId, rib.documentId);
        expect(get).toEqual(unknownDoc);
        // the same answer as for a document that does not exist: no way to probe for ids
        expect(await getDoc(him.socket, him.sessionId, randomUUID())).toEqual(unknownDoc);
        const f = await file(him.socket, him.sessionId, rib.sha256);
        expect(f).toEqual({ ok: false, error: { code: 'unknown', message: 'Ce fichier n’est pas dans ce coffre.' } });
        const pdf = await ask(him.socket, VAULT_EVENTS.pdf, { sessionId: him.sessionId, documentId: rib.documentId });
        expect(pdf).toEqual(unknownDoc);
        expect(JSON.stringify([get, f, pdf])).not.toMatch(/RIB|bancaire|Camille/i);

        expect(ids(await list(him.socket, him.sessionId))).not.toContain(rib.documentId);
        expect(ids(await search(him.socket, him.sessionId, 'bancaire'))).toEqual([yanisDoc.documentId]);
        // his failed attempts are not journaled as reads of her document, and her journal is not his
        const entries = await journal(him.socket, him.sessionId);
        expect(entries.map((e) => e.documentTitle)).not.toContain('Relevé d’identité bancaire (RIB)');
        const readsOfHers = await server.db
          .selectFrom('audit_journal')
          .select('seq')
          .where('action', '=', 'document.read')
          .where('actor_id', '=', yanis.identifier)
          .where('subject_person_id', '=', camillePersonId)
          .execute();
        expect(readsOfHers).toEqual([]);
      });

      it('refuses a session id on another socket, of another kiosk or of the same one', async () => {
        const me = await personAt(camille);
        const elsewhere = await kioskSocket();
        const sameKiosk = await connectKiosk(server.url, me.kiosk);
        sockets.push(sameKiosk);
        for (const socket of [elsewhere.socket, sameKiosk]) {
          expect(await list(socket, me.sessionId)).toEqual(NO_SESSION);
          expect(await getDoc(socket, me.sessionId, rib.documentId)).toEqual(NO_SESSION);
          expect(await file(socket, me.sessionId, rib.sha256)).toEqual(NO_SESSION);
          expect(await ask(socket, VAULT_EVENTS.pdf, { sessionId: me.sessionId, documentId: rib.documentId })).toEqual(NO_SESSION);
          expect(await ask(socket, VAULT_EVENTS.audit, { sessionId: me.sessionId })).toEqual(NO_SESSION);
          expect(await search(socket, me.sessionId, 'bancaire')).toEqual(NO_SESSION);
          // closing someone else's session from another socket does nothing to it
          expect(await ask(socket, VAULT_EVENTS.close, { sessionId: me.sessionId })).toEqual({ ok: true });
        }
        expect(await list(me.socket, me.sessionId)).toMatchObject({ ok: true });
      });

      it('ends a session on session:close, and after 30 minutes without activity', async () => {
        const me = await personAt(camille);
        expect(await ask(me.socket, VAULT_EVENTS.close, { sessionId: me.sessionId })).toEqual({ ok: true });
        expect(await list(me.socket, me.sessionId)).toEqual(NO_SESSION);
        expect(await getDoc(me.socket, me.sessionId, rib.documentId)).toEqual(NO_SESSION);
        expect(await file(me.socket, me.sessionId, rib.sha256)).toEqual(NO_SESSION);

        // each use moves the deadline: 29 minutes, then 29 more, still open; 31 minutes idle, closed
        const idle = await sessionOn(me, cardOf(camille));
        advanceVaultClock(29 * 60_000);
        expect(await list(me.socket, idle)).toMatchObject({ ok: true });
        vi.restoreAllMocks();
        advanceVaultClock(58 * 60_000);
        expect(await list(me.socket, idle)).toMatchObject({ ok: true });
        vi.restoreAllMocks();
        advanceVaultClock((58 + 31) * 60_000);
        expect(await list(me.socket, idle)).toEqual(NO_SESSION);
        vi.restoreAllMocks();
        // gone for good, not only while the clock was ahead
        expect(await list(me.socket, idle)).toEqual(NO_SESSION);
      });

      it('refuses malformed read requests with a typed error', async () => {
        const me = await personAt(camille);
        const cases: Array<[string, unknown]> = [
          [VAULT_EVENTS.list, {}],
          [VAULT_EVENTS.list, { sessionId: 'not-a-uuid' }],
          [VAULT_EVENTS.get, { sessionId: me.sessionId }],
          [VAULT_EVENTS.get, { sessionId: me.sessionId, documentId: `${rib.documentId}' OR 1=1 --` }],
          [VAULT_EVENTS.file, { sessionId: me.sessionId, sha256: rib.sha256.toUpperCase() }],
          [VAULT_EVENTS.file, { sessionId: me.sessionId, sha256: '../../etc/passwd' }],
          [VAULT_EVENTS.pdf, { sessionId: me.sessionId, documentId: rib.documentId, letterTo: 'x'.repeat(65) }],
          [VAULT_EVENTS.search, { sessionId: me.sessionId, query: 42 }],
          [VAULT_EVENTS.audit, [me.sessionId]],
          [VAULT_EVENTS.close, null],
        ];
        for (const [event, payload] of cases) expect(await ask(me.socket, event, payload), `${event} ${JSON.stringify(payload)}`).toEqual(INVALID);
        expect(await list(me.socket, me.sessionId)).toMatchObject({ ok: true });
      });
    });

    describe('search', () => {
      it('finds by a word of the text, by several words, by a prefix, whatever the case', async () => {
        const me = await personAt(camille);
        const find = async (q: string) => ids(await search(me.socket, me.sessionId, q));
        expect(await find('mensualités')).toEqual([tax.documentId]);
        expect(await find('bancaire')).toEqual([rib.documentId]);
        expect(await find('PRÉLÈVEMENT')).toEqual([tax.documentId]);
        expect(await find('avis revenus')).toEqual([tax.documentId]);
        expect(await find('banc')).toEqual([rib.documentId]);
        expect(await find('mensual')).toEqual([tax.documentId]);
        // a field value, and the kind of paper
        expect(await find('FR7630006000011234567890189')).toEqual([rib.documentId]);
        expect(await find('zanzibar')).toEqual([]);
        const hit = await search(me.socket, me.sessionId, 'mensualités');
        // FTS5 shows a snippet with the match marked; PostgreSQL gives none
        if (hit.ok && dialect === 'sqlite') expect(hit.documents[0]!.snippet).toContain('[mensualités]');
        if (hit.ok && dialect === 'postgres') expect(hit.documents[0]!.snippet).toBeUndefined();
      });

      it('finds an accented word typed without its accents (FTS5 folds diacritics; on PostgreSQL text and query are folded)', async () => {
        const me = await personAt(camille);
        expect(ids(await search(me.socket, me.sessionId, 'echeancier'))).toEqual([tax.documentId]);
        // typed with its accents, it is found on both
        expect(ids(await search(me.socket, me.sessionId, 'échéancier'))).toEqual([tax.documentId]);
      });

      it('answers hostile queries without failing and never with another person’s documents', async () => {
        const me = await personAt(camille);
        // every document of her vault, including those other tests deposited
        const mine = new Set((await server.db.selectFrom('documents').select('id').where('owner_person_id', '=', camillePersonId).execute()).map((d) => d.id));
        expect(mine.has(yanisDoc.documentId)).toBe(false);
        const yanisToken = `p${yanisPersonId.replace(/[^0-9a-zA-Z]/g, '')}`;
        const hostile = [
          '"',
          '*',
          'NEAR(',
          ') OR (',
          'owner:',
          `owner:${yanisToken}`,
          `owner:${yanisToken} OR zanzibar`,
          `bancaire) OR (owner:${yanisToken}`,
          `"${'"'.repeat(10)}`,
          'body:zanzibar',
          '- zanzibar',
          'NOT camille',
          'bancaire OR zanzibar',
          "'; DROP TABLE documents; --",
          'zanzibar:* | bancaire',
          '!!&&||<->:*',
          '\\',
          '\u0000',
          'İstanbul ǅemal ﬁn ß',
          'x'.repeat(200),
          'a '.repeat(100),
          'le la les de du des',
          '😀',
          '😀 banc',
          '👨‍👩‍👧‍👦🏳️‍🌈',
          'ｂａｎｃａｉｒｅ',
        ];
        for (const q of hostile) {
          const ack = await search(me.socket, me.sessionId, q);
          expect(ack.ok, q).toBe(true);
          for (const id of ids(ack)) expect(mine.has(id), `${q} → ${id}`).toBe(true);
        }
        // the ones that still carry a real word find it, and only hers
        expect(ids(await search(me.socket, me.sessionId, '😀 banc'))).toEqual([rib.documentId]);
        expect(ids(await search(me.socket, me.sessionId, 'ｂａｎｃａｉｒｅ'))).toEqual([rib.documentId]);
        expect(ids(await search(me.socket, me.sessionId, `bancaire) OR (owner:${yanisToken}`))).toEqual([]);
        // empty, and longer than 200 characters: refused as malformed
        for (const q of ['', 'x'.repeat(5000)]) expect(await ask(me.socket, VAULT_EVENTS.search, { sessionId: me.sessionId, query: q })).toEqual(INVALID);
      });
    });

    describe('writes through mutations', () => {
      it('deletes on the person’s own card: gone from list, search, index, versions; an agent’s ground or another card cannot', async () => {
        const me = await personAt(camille);
        const doc = await deposit(camille, { docType: 'payslip', ocrText: 'Bulletin de salaire kumquat mars' });
        expect(ids(await search(me.socket, me.sessionId, 'kumquat'))).toEqual([doc.documentId]);
        expect(await indexed(doc.documentId)).toBe(true);

        const del = (ground: Ground) => mutate({ type: 'vault.document.delete', payload: { documentId: doc.documentId, owner: camille.identifier, ground } });
        // deleting stays the person's own act: not with an agent, even with the beneficiary's card present
        // refused for good: the seq is used up, nothing is deleted
        expect(await del(withAgent(camille, sophie))).toMatchObject({ ok: true, results: [{ status: 'refused', error: { code: 'forbidden', message: 'Suppression refusée (action_not_allowed_on_ground).' } }] });
        expect(await del(ownCard(yanis))).toMatchObject({ ok: true, results: [{ status: 'refused', error: { code: 'forbidden', message: 'Suppression refusée (not_own_vault).' } }] });
        expect(ids(await list(me.socket, me.sessionId))).toContain(doc.documentId);
        expect(ids(await search(me.socket, me.sessionId, 'kumquat'))).toEqual([doc.documentId]);
        expect(await indexed(doc.documentId)).toBe(true);

        expect(await del(ownCard(camille))).toMatchObject({ ok: true, results: [{ status: 'applied' }] });
        expect(ids(await list(me.socket, me.sessionId))).not.toContain(doc.documentId);
        expect(ids(await search(me.socket, me.sessionId, 'kumquat'))).toEqual([]);
        expect(await indexed(doc.documentId)).toBe(false);
        expect(await server.db.selectFrom('document_versions').select('version').where('document_id', '=', doc.documentId).execute()).toEqual([]);
        expect(await getDoc(me.socket, me.sessionId, doc.documentId)).toMatchObject({ ok: false, error: { code: 'unknown' } });
        expect(await file(me.socket, me.sessionId, doc.sha256)).toMatchObject({ ok: false, error: { code: 'unknown' } });
        // the journal keeps that it happened, with the title it had
        expect((await journal(me.socket, me.sessionId))[0]).toMatchObject({ who: 'Vous', action: expect.stringMatching(/supprimé 1 papier$/) as unknown, documentTitle: 'Bulletin de salaire', ground: 'own-card' });
        // deleting what is already gone (another kiosk did it) is not an error
        expect(await del(ownCard(camille))).toMatchObject({ ok: true });
      });

      it('sends the current version to an institution: a thread, its message and the attachment row, kept after a delete', async () => {
        const me = await personAt(camille);
        const messageId = randomUUID();
        const note = 'Bonjour, voici mon RIB pour le versement.';
        const send = (o: { messageId: string; documentId: string; institutionId?: string; ground?: Ground }) =>
          mutate({
            type: 'vault.document.send',
            payload: { messageId: o.messageId, documentId: o.documentId, owner: camille.identifier, institutionId: o.institutionId ?? 'caf', note, ground: o.ground ?? ownCard(camille) },
          });

        expect(await send({ messageId, documentId: rib.documentId })).toMatchObject({ ok: true, results: [{ status: 'applied' }] });
        expect(await server.db.selectFrom('threads').selectAll().where('id', '=', messageId).execute()).toEqual([
          { id: messageId, person_id: camillePersonId, institution_id: 'caf', subject: 'Relevé d’identité bancaire (RIB)', created_at: expect.any(String), updated_at: expect.any(String), application_id: null, person_read_at: null, assigned_to: null, assigned_at: null },
        ]);
        expect(await server.db.selectFrom('messages').selectAll().where('thread_id', '=', messageId).execute()).toEqual([
          { id: messageId, thread_id: messageId, author_kind: 'person', author_id: camille.identifier, body: note, created_at: expect.any(String) },
        ]);
        // the version sent is the current one (2), its bytes those of version 2
        expect(await server.db.selectFrom('message_attachments').selectAll().where('message_id', '=', messageId).execute()).toEqual([
          { message_id: messageId, document_id: rib.documentId, version: 2, doc_type: 'rib', title: 'Relevé d’identité bancaire (RIB)', blob_sha256: rib.sha256 },
        ]);
        // her visit: the papers she added, and this one sent
        expect((await journal(me.socket, me.sessionId))[0]).toMatchObject({ who: 'Vous', action: expect.stringMatching(/envoyé 1 papier à un organisme$/) as unknown, kind: 'own' });

        // an agent may send with the beneficiary present (unlike deleting); the message says who wrote it
        const viaAgent = randomUUID();
        expect(await send({ messageId: viaAgent, documentId: tax.documentId, ground: withAgent(camille, sophie) })).toMatchObject({ ok: true });
        expect(await server.db.selectFrom('messages').select(['author_kind', 'author_id']).where('id', '=', viaAgent).execute()).toEqual([{ author_kind: 'agent', author_id: sophie.identifier }]);

        // refused: an unknown institution, another person's card, a document not in this vault
        const threads = await server.db.selectFrom('threads').select('id').execute();
        expect(await send({ messageId: randomUUID(), documentId: rib.documentId, institutionId: 'nowhere' })).toMatchObject({ ok: true, results: [{ status: 'refused', error: { code: 'unknown' } }] });
        expect(await send({ messageId: randomUUID(), documentId: rib.documentId, ground: ownCard(yanis) })).toMatchObject({ ok: true, results: [{ status: 'refused', error: { code: 'forbidden', message: 'Envoi refusé (not_own_vault).' } }] });
        expect(await send({ messageId: randomUUID(), documentId: yanisDoc.documentId })).toMatchObject({ ok: true, results: [{ status: 'refused', error: { code: 'unknown' } }] });
        expect(await server.db.selectFrom('threads').select('id').execute()).toHaveLength(threads.length);

        // the message keeps its copy when the person later deletes the document
        const doc = await deposit(camille, { docType: 'proof-of-address', ocrText: 'Facture électricité' });
        const later = randomUUID();
        expect(await send({ messageId: later, documentId: doc.documentId, institutionId: 'mairie' })).toMatchObject({ ok: true });
        expect(await mutate({ type: 'vault.document.delete', payload: { documentId: doc.documentId, owner: camille.identifier, ground: ownCard(camille) } })).toMatchObject({ ok: true });
        expect(await server.db.selectFrom('message_attachments').select(['document_id', 'blob_sha256']).where('message_id', '=', later).execute()).toEqual([
          { document_id: doc.documentId, blob_sha256: doc.sha256 },
        ]);

        // the CAF answers in the console: the person reads the answer in her session, then it is seen
        const instructor = await server.db.selectFrom('staff_accounts').select('id').where('login', '=', 'caf-instructeur').executeTakeFirstOrThrow();
        const answered = await replyInThread(server.db, dialect, { accountId: instructor.id, institutionId: 'caf', role: 'instructor' }, messageId, 'Bien reçu, merci.');
        expect(answered.ok).toBe(true);
        const replies = await ask(me.socket, VAULT_EVENTS.replies, { sessionId: me.sessionId });
        expect(replies).toEqual({
          ok: true,
          replies: [{ id: expect.any(String), threadId: messageId, paperTitle: 'Relevé d’identité bancaire (RIB)', otherPapers: 0, institutionName: expect.stringContaining('CAF'), authorName: 'Julien Martin (instructeur, CAF)', body: 'Bien reçu, merci.', at: expect.any(String), seen: false }],
        });
        const replyId = (replies as { replies: { id: string }[] }).replies[0]!.id;
        // another person's session sees none of it, and cannot mark it seen for her
        const other = await personAt(yanis);
        expect(await ask(other.socket, VAULT_EVENTS.replies, { sessionId: other.sessionId })).toEqual({ ok: true, replies: [] });
        expect(await ask(other.socket, VAULT_EVENTS.repliesSeen, { sessionId: other.sessionId, ids: [replyId] })).toEqual({ ok: true, seen: 0 });
        // without a session, or with malformed ids: refused
        expect(await ask(me.socket, VAULT_EVENTS.replies, { sessionId: randomUUID() })).toEqual(NO_SESSION);
        expect(await ask(me.socket, VAULT_EVENTS.repliesSeen, { sessionId: me.sessionId, ids: ['nope'] })).toMatchObject({ ok: false, error: { code: 'invalid' } });
        expect(await ask(me.socket, VAULT_EVENTS.repliesSeen, { sessionId: me.sessionId, ids: [replyId] })).toEqual({ ok: true, seen: 1 });
        expect(await ask(me.socket, VAULT_EVENTS.replies, { sessionId: me.sessionId })).toMatchObject({ ok: true, replies: [{ id: replyId, seen: true }] });
      });
    });
  });
});
