/**
 * Test support (used by *.test.ts only): a fresh database per test file for each dialect, a server
 * config pointing at it, kiosks with known tokens, deposit mutations, a socket.io client and a tus upload.
 */
import { DEMO_HOLDERS, demoCard, proveWith } from './test-ca.ts';
import { signLogin } from './test-cards.ts';
import type { TestCard } from './test-cards.ts';
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import { Upload } from 'tus-js-client';
import { inject } from 'vitest';
import type { DocType, FileMime } from '../protocol/common.ts';
import type { DocumentDeposit, Mutation } from '../protocol/mutations.ts';
import { CHALLENGE_PATH, ChallengeResponse, KIOSK_NAMESPACE, kioskAuthorization, kioskAuthPayload, TUS_PATH } from '../protocol/socket.ts';
import type { AuthPurpose, KioskAuth, KioskHandshake } from '../protocol/socket.ts';
import { ChallengeAck, OpenSessionAck, VAULT_EVENTS } from '../protocol/vault.ts';
import { issueSessionToken } from '../src/features/fleet/index.ts';
import { tokenHash } from '../src/kernel/secrets.ts';
import { DEFAULT_BLOBS_CONFIG } from '../src/kernel/blobs/blob-config.ts';
import type { ServerConfig } from '../src/edge/config.ts';
import type { Dialect, Storage } from '../src/kernel/storage/database.ts';
import { MIGRATIONS } from '../src/kernel/storage/migrate.ts';
import type { Database } from '../src/kernel/storage/schema.ts';
import { Migrator } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import { pngOfSize } from './png.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgres'];
export const STAFF_TOKEN = 'test-staff-token-0123456789';
export const SEED_PATH = join(import.meta.dirname, '..', '..', 'assets', 'seed', 'demo.json');

/** Demo persons (assets/seed/demo.json). */
export const CAMILLE = { identifier: 'FAC-K7QM-3XD2-9HRW', card: '0A1B2C3D' } as const;
export const YANIS = { identifier: 'FAC-B4NW-8TZC-61PG', card: '0A1B2C3E' } as const;
/** The seeded demo kiosk (not enrolled until a test gives it a device key with `enrollKiosk`). */
export const DEMO_KIOSK_ID = 'borne-cms-centre-1';

export interface TestEnv {
  config: ServerConfig;
  cleanup(): Promise<void>;
}

/** A fresh, empty database (SQLite file in a temp dir, or a new PostgreSQL database) and data dir. */
export async function freshEnv(dialect: Dialect, seed = true): Promise<TestEnv> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fac-server-test-'));
  let database: ServerConfig['database'] = { kind: 'sqlite', file: join(dataDir, 'facilitateur.sqlite') };
  let dropDatabase: (() => Promise<void>) | null = null;
  if (dialect === 'postgres') {
    const base = inject('postgresUrl');
    const name = `fac_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(base);
    url.pathname = `/${name}`;
    database = { kind: 'postgres', url: url.toString() };
    dropDatabase = async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
  return {
    config: {
      mode: 'test',
      host: '127.0.0.1',
      port: 0,
      dataDir,
      database,
      staffToken: STAFF_TOKEN,
      logLevel: 'silent',
      seedPath: seed ? SEED_PATH : null,
      blobs: { ...DEFAULT_BLOBS_CONFIG },
      trustProxy: [],
      audit: { publicKey: null, verifyIntervalMs: 0 },
    },
    async cleanup() {
      await dropDatabase?.();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * An enrolled kiosk for tests: its device key pair, and a live session token for HTTP (blob uploads),
 * so it can be used as `KioskAuth` (`Authorization: Kiosk id:token`) and to connect (signed challenge).
 */
export interface TestKiosk extends KioskAuth {
  privateKey: KeyObject;
  /** SPKI DER, base64url, as registered */
  publicKey: string;
}

function newDeviceKey(): { privateKey: KeyObject; publicKey: string } {
  const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey: pair.privateKey, publicKey: pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64url') };
}

/** Adds an enrolled kiosk (device key + session token), so each test can start from lastSeq 0. */
export async function addKiosk(db: Kysely<Database>, kioskId = `kiosk-${randomBytes(4).toString('hex')}`): Promise<TestKiosk> {
  const key = newDeviceKey();
  const now = new Date().toISOString();
  await db
    .insertInto('kiosks')
    .values({ id: kioskId, name: kioskId, institution_id: null, token_hash: tokenHash(randomBytes(16).toString('hex')), revoked_at: null, public_key: key.publicKey, enrolled_at: now })
    .execute();
  const { token } = await issueSessionToken(db, { kioskId, publicKey: key.publicKey });
  return { kioskId, token, ...key };
}

/** Gives an existing kiosk (the seeded demo kiosk) a device key, as its enrollment would. */
export async function enrollKiosk(db: Kysely<Database>, kioskId: string): Promise<TestKiosk> {
  const key = newDeviceKey();
  await db.updateTable('kiosks').set({ public_key: key.publicKey, enrolled_at: new Date().toISOString() }).where('id', '=', kioskId).execute();
  const { token } = await issueSessionToken(db, { kioskId, publicKey: key.publicKey });
  return { kioskId, token, ...key };
}

/** The kiosk's signature of a challenge (raw r‖s, base64url), as the kiosk computes it. */
export function signChallenge(kiosk: Pick<TestKiosk, 'kioskId' | 'privateKey'>, challenge: string, purpose: AuthPurpose): string {
  return sign('sha256', Buffer.from(kioskAuthPayload(kiosk.kioskId, challenge, purpose)), { key: kiosk.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
}

/** A fresh challenge from the server for this kiosk id. */
export async function fetchChallenge(url: string, kioskId: string): Promise<string> {
  const res = await fetch(`${url}${CHALLENGE_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kioskId }) });
  if (!res.ok) throw new Error(`challenge refused: ${res.status}`);
  return ChallengeResponse.parse(await res.json()).challenge;
}

/** A complete handshake (challenge fetched, signed) for a socket connection. */
export async function handshakeFor(url: string, kiosk: Pick<TestKiosk, 'kioskId' | 'privateKey'>, purpose: AuthPurpose = 'socket'): Promise<KioskHandshake> {
  const challenge = await fetchChallenge(url, kiosk.kioskId);
  return { kioskId: kiosk.kioskId, challenge, signature: signChallenge(kiosk, challenge, purpose) };
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * A small PNG scan of about `size` bytes (random pixels barely compress), unique per call so each test
 * has its own blob. A real image: the server decodes every uploaded image in full before storing it.
 */
export function fakeScan(size = 2048): Buffer {
  return pngOfSize(size);
}

export interface DepositOptions {
  seq: number;
  blob: Buffer;
  /** the kiosk that sends it: its cards' signatures are bound to it */
  kioskId: string;
  mime?: FileMime;
  owner?: string;
  cardSerial?: string;
  documentId?: string;
  id?: string;
  /** the cards that sign it (default: the seed's demo card of `cardSerial`) */
  signers?: readonly TestCard[];
  docType?: DocType;
  issuedOn?: string;
}

/** A deposit of a RIB, signed by the card(s) at the box as the kiosk's session does (test-ca.ts). */
export function depositMutation(o: DepositOptions): Mutation & DocumentDeposit {
  const sha256 = sha256Hex(o.blob);
  const body: DocumentDeposit = {
    type: 'vault.document.deposit',
    payload: {
      documentId: o.documentId ?? randomUUID(),
      owner: o.owner ?? CAMILLE.identifier,
      docType: o.docType ?? 'rib',
      fields: {
        iban: { value: 'FR7630006000011234567890189', confidence: 0.93, confirmed: true },
        holder: { value: 'Camille Martin', confidence: 0.88, confirmed: false },
      },
      ocrText: 'RELEVE D IDENTITE BANCAIRE\nCamille Martin\nFR76 3000 6000 0112 3456 7890 189',
      file: { sha256, mime: o.mime ?? 'image/png', size: o.blob.length },
      capturedAt: new Date().toISOString(),
      ...(o.issuedOn ? { issuedOn: o.issuedOn } : {}),
      ground: { kind: 'own-card', cardSerial: o.cardSerial ?? CAMILLE.card },
    },
  };
  const id = o.id ?? randomUUID();
  const known = o.cardSerial === undefined || DEMO_HOLDERS.some((h) => h.card === o.cardSerial);
  let proof = proveWith(o.kioskId, { id, blobs: [sha256], ...body }, o.signers ?? (known ? undefined : [demoCard(CAMILLE.card)]));
  // a card the seed does not have: a kiosk can only name it, with some other card's signature
  if (!known && !o.signers) proof = { cards: proof.cards.map((c) => ({ ...c, cardSerial: o.cardSerial! })) };
  return { seq: o.seq, id, createdAt: new Date().toISOString(), blobs: [sha256], proof, ...body };
}

/**
 * Connects a kiosk; resolves once connected, rejects with the server's refusal message. A TestKiosk
 * signs a fresh challenge; any other object is sent as the handshake as it is (hostile tests).
 */
export function connectKiosk(url: string, auth: TestKiosk | Record<string, unknown>): Promise<Socket> {
  const signed = 'privateKey' in auth && typeof auth.kioskId === 'string' ? (auth as TestKiosk) : null;
  const socket = io(`${url}${KIOSK_NAMESPACE}`, {
    auth: signed
      ? (cb: (data: object) => void) => {
          handshakeFor(url, signed).then(cb, () => cb({}));
        }
      : auth,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

export type UploadResult = { ok: true; url: string | null } | { ok: false; status: number | null; body: string; message: string };

/** Uploads bytes with tus-js-client (Node, Buffer input), as the kiosk does. */
export function tusUpload(
  url: string,
  auth: KioskAuth | null,
  bytes: Buffer,
  metadata: Record<string, string>,
  opts: { chunkSize?: number; uploadSize?: number } = {},
): Promise<UploadResult> {
  return new Promise((resolve) => {
    const upload = new Upload(bytes, {
      endpoint: `${url}${TUS_PATH}`,
      metadata,
      headers: auth ? { Authorization: kioskAuthorization(auth) } : {},
      retryDelays: null,
      chunkSize: opts.chunkSize ?? Number.POSITIVE_INFINITY,
      uploadSize: opts.uploadSize ?? null,
      storeFingerprintForResuming: false,
      onSuccess: () => resolve({ ok: true, url: upload.url }),
      onError: (err) => {
        const res = 'originalResponse' in err ? err.originalResponse : null;
        resolve({ ok: false, status: res ? res.getStatus() : null, body: res ? res.getBody() : '', message: err.message });
      },
    });
    upload.start();
  });
}

export async function countRows(db: Kysely<Database>, table: keyof Database): Promise<number> {
  const r = await db.selectFrom(table).select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Polls `probe` until it gives something truthy (every 25 ms), or fails naming what it waited for. */
export async function until<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * A person session the card opens on a kiosk's socket, as the kiosk does at login: `session:challenge`,
 * the card's signature over the login message, `session:open` (joined to an agent's session when given).
 */
export async function openPersonSession(socket: Socket, kioskId: string, card: TestCard, withAgentSession?: string): Promise<string> {
  const ask = (event: string, payload: unknown): Promise<unknown> => socket.timeout(10_000).emitWithAck(event, payload);
  const c = ChallengeAck.parse(await ask(VAULT_EVENTS.challenge, {}));
  if (!c.ok) throw new Error(c.error.message);
  const kioskNonce = randomBytes(32).toString('base64url');
  const ack = OpenSessionAck.parse(
    await ask(VAULT_EVENTS.open, {
      certificate: card.certificate,
      cardSerial: card.serial,
      kioskNonce,
      serverNonce: c.nonce,
      signature: signLogin(card.authKey, kioskId, kioskNonce, c.nonce),
      ...(withAgentSession ? { withAgentSession } : {}),
    }),
  );
  if (!ack.ok) throw new Error(ack.error.message);
  return ack.sessionId;
}

/**
 * Applies the migrations numbered before `name` alone (e.g. '0021'): a database as it was before that
 * migration, for a test that fills it and then checks the migration on existing rows.
 */
export async function migrateBefore(storage: Storage, name: string): Promise<void> {
  const before = MIGRATIONS.filter((m) => m.name < name);
  const migrator = new Migrator({
    db: storage.db,
    provider: { getMigrations: async () => Object.fromEntries(before.map((m): [string, Migration] => [m.name, { up: (db) => m.up(db, storage.dialect) }])) },
  });
  const r = await migrator.migrateToLatest();
  if (r.error) throw r.error instanceof Error ? r.error : new Error(String(r.error));
}
