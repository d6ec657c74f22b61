/**
 * Sync figures (DESIGN.md §8), each against a real sync-server running in a child process (its own
 * event loop and core, as on a real server; its RSS measured alone):
 *  - drain of 1,000 queued submissions with 200 KB scans (tus uploads + mutations) from one kiosk's
 *    outbox and sync client (budget ≤ 30 s);
 *  - server ingest on SQLite and PostgreSQL: batches of 100 deposits whose blobs are already uploaded,
 *    sent back to back over one connection (budget on SQLite ≥ 1,000 mutations/s = ≤ 100 ms a batch);
 *    on SQLite again with a depositor whose open aid requests each batch re-assesses (#7);
 *  - kiosk connections held by one server process: 5,000 enrolled kiosks connect (each signs its own
 *    challenge) and say hello over raw socket.io-protocol WebSockets; the server's RSS is read from
 *    /proc (budget ≤ 1 GB). The clients run in this process.
 *
 * File descriptors: the server child is started with `ulimit -n 65536` (as root; else the current
 * limit), and this process needs one per client connection: with 5,000 clients it checks its own limit
 * first and says so in the notes when it is too low.
 *
 * Run with `npm run bench -- --only sync` (or import `benchSync`). With FAC_BENCH_ROLE=server this file
 * is the server child.
 */
import { installTestCa, signedWrite } from '../sync-server/test-support/test-ca.ts';
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import sharp from 'sharp';
import { io } from 'socket.io-client';
import { WebSocket } from 'ws';
import { silentLogger } from '../kiosk/core/log.ts';
import { sha256Hex } from '../kiosk/core/outbox/blob-crypto.ts';
import { Outbox } from '../kiosk/core/outbox/outbox.ts';
import { openKioskDb } from '../kiosk/core/storage/db.ts';
import { keyFileProvider } from '../kiosk/core/storage/keys.ts';
import { SyncClient } from '../kiosk/core/sync/client.ts';
import type { DocumentDeposit, Mutation } from '../sync-server/protocol/mutations.ts';
import { CHALLENGE_PATH, ChallengeResponse, EVENTS, KIOSK_NAMESPACE, kioskAuthPayload, MutationsAck } from '../sync-server/protocol/socket.ts';
import { loadCatalogue } from '../sync-server/src/features/aids/index.ts';
import { applicantOf, createDossier } from '../sync-server/src/features/applications/index.ts';
import { createEnrollment } from '../sync-server/src/features/fleet/index.ts';
import { tokenHash } from '../sync-server/src/kernel/secrets.ts';
import { LocalBlobStore } from '../sync-server/src/kernel/blobs/blob-store.ts';
import type { ServerConfigInput } from '../sync-server/src/edge/config.ts';
import { openDatabase } from '../sync-server/src/kernel/storage/database.ts';
import type { Dialect } from '../sync-server/src/kernel/storage/database.ts';
import { migrateToLatest } from '../sync-server/src/kernel/storage/migrate.ts';
import type { Database } from '../sync-server/src/kernel/storage/schema.ts';
import { readSeedFile, seedDatabase } from '../sync-server/src/edge/seed.ts';
import { summarize } from './stats.ts';
import type { BenchResult } from './stats.ts';

const SEED = join(import.meta.dirname, '..', 'assets', 'seed', 'demo.json');
const CAMILLE = { owner: 'FAC-K7QM-3XD2-9HRW', cardSerial: '0A1B2C3D' };

export interface SyncBenchOptions {
  /** queued submissions drained (1,000) and their scan size (200 KB) */
  drainCount?: number;
  scanBytes?: number;
  /** mutations sent per ingest run (3,000), in batches of 100 */
  ingestCount?: number;
  /** kiosk connections held (5,000) */
  connections?: number;
  /** which figures: drain, ingest-sqlite, ingest-sqlite-dossiers, ingest-postgres, connections */
  only?: ReadonlySet<string>;
}

// ---- the server child ----------------------------------------------------------------------------

interface ServerChild {
  url: string;
  pid: number;
  rssMb(): number;
  stop(): Promise<void>;
}

function startServerChild(config: ServerConfigInput): Promise<ServerChild> {
  // FAC_BENCH_SERVER_NODE_ARGS: extra flags for the server's node (e.g. --cpu-prof --cpu-prof-dir=DIR to profile it)
  const node = `${JSON.stringify(process.execPath)} ${process.env.FAC_BENCH_SERVER_NODE_ARGS ?? ''} --import tsx ${JSON.stringify(import.meta.filename)}`;
  // more descriptors than the default for the connections figure (root may raise the hard limit)
  const child: ChildProcess = spawn('bash', ['-c', `ulimit -n 65536 2>/dev/null || true; exec ${node}`], {
    env: { ...process.env, FAC_BENCH_ROLE: 'server', FAC_BENCH_SERVER_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('bench server did not start')), 30_000);
    child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^READY (\S+)$/m.exec(out);
      if (!m) return;
      clearTimeout(t);
      const pid = child.pid!;
      resolve({
        url: m[1]!,
        pid,
        rssMb() {
          const status = readFileSync(`/proc/${pid}/status`, 'utf8');
          return Math.round(Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
        },
        stop: () =>
          new Promise((res) => {
            child.once('exit', () => res());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

async function serverChildMain(): Promise<void> {
  const config = JSON.parse(process.env.FAC_BENCH_SERVER_CONFIG ?? '{}') as ServerConfigInput;
  const { startServer } = await import('../sync-server/src/edge/server.ts');
  const server = await startServer(config, { logger: false });
  process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
  // the bench died without stopping us: go too
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 1000).unref();
  process.stdout.write(`READY ${server.url}\n`);
}

// ---- helpers -------------------------------------------------------------------------------------

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/**
 * Runs `run` on a SQLite file, then on a throw-away PostgreSQL when its binaries are here (said on stderr
 * when they are not), in a temp folder removed at the end.
 */
export async function onBothEngines<T>(
  name: string,
  run: (dialect: 'sqlite' | 'postgres', database: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string }, dir: string) => Promise<T>,
): Promise<T[]> {
  const dir = mkdtempSync(join(tmpdir(), `fac-bench-${name}-`));
  try {
    const results = [await run('sqlite', { kind: 'sqlite', file: join(dir, `${name}.sqlite`) }, dir)];
    let pg: Awaited<ReturnType<typeof startPostgres>> | null = null;
    try {
      pg = await startPostgres(dir);
    } catch (err) {
      console.error(`${name} bench: no PostgreSQL here (${err instanceof Error ? err.message : String(err)}), SQLite only`);
    }
    if (pg) {
      try {
        results.push(await run('postgres', { kind: 'postgres', url: pg.url }, dir));
      } finally {
        await pg.stop();
      }
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A throw-away PostgreSQL (Debian's binaries) in a temp folder on a loopback port, as the test setup
 * starts one; with fsync on, as a real server would run. As root it runs as the `postgres` user.
 */
export async function startPostgres(parent: string): Promise<{ url: string; stop(): Promise<void> }> {
  const bin = (name: string) => {
    for (const v of ['17', '16', '15']) if (existsSync(`/usr/lib/postgresql/${v}/bin/${name}`)) return `/usr/lib/postgresql/${v}/bin/${name}`;
    throw new Error(`PostgreSQL ${name} not found`);
  };
  const dir = join(parent, 'pg');
  mkdirSync(dir);
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) } : null;
  if (owner) {
    chownSync(parent, owner.uid, owner.gid);
    chownSync(dir, owner.uid, owner.gid);
    chmodSync(dir, 0o700);
  }
  const as = { uid: owner?.uid, gid: owner?.gid, stdio: 'pipe' as const };
  execFileSync(bin('initdb'), ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8'], as);
  const port = await freePort();
  const child = spawn(bin('postgres'), ['-D', join(dir, 'data'), '-h', '127.0.0.1', '-p', String(port), '-k', dir, '-c', 'max_connections=100'], {
    uid: owner?.uid,
    gid: owner?.gid,
    stdio: 'ignore',
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      execFileSync(bin('pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres'], { stdio: 'ignore' });
      break;
    } catch {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error('PostgreSQL did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      }),
  };
}

function serverConfig(dataDir: string, database: ServerConfigInput['database']): ServerConfigInput {
  return { mode: 'test', host: '127.0.0.1', port: 0, dataDir, database, staffToken: 'bench-staff-token-0123456789', logLevel: 'silent', seedPath: null };
}

async function prepareDatabase(database: ServerConfigInput['database']): Promise<{ db: Kysely<Database>; dialect: Dialect; close(): Promise<void> }> {
  const s = openDatabase(database);
  await migrateToLatest(s.db, s.dialect);
  await seedDatabase(s.db, await readSeedFile(SEED));
  return { db: s.db, dialect: s.dialect, close: () => s.db.destroy() };
}

function deviceKey(): { privateKey: ReturnType<typeof generateKeyPairSync>['privateKey']; publicKey: string } {
  const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey: pair.privateKey, publicKey: pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64url') };
}

function deposit(bytes: Uint8Array): DocumentDeposit {
  return {
    type: 'vault.document.deposit',
    payload: {
      documentId: randomUUID(),
      owner: CAMILLE.owner,
      docType: 'rib',
      fields: { iban: { value: 'FR7630006000011234567890189', confidence: 0.95, confirmed: true } },
      ocrText: 'RELEVE D IDENTITE BANCAIRE',
      file: { sha256: sha256Hex(bytes), mime: 'image/jpeg', size: bytes.byteLength },
      capturedAt: new Date().toISOString(),
      ground: { kind: 'own-card', cardSerial: CAMILLE.cardSerial },
    },
  };
}

// ---- drain -----------------------------------------------------------------------------------------

/** A grainy A4 page at the kiosk's archive size (1700 px long side), its JPEG quality chosen to weigh about `bytes`. */
async function scanJpeg(bytes: number): Promise<Buffer> {
  const page = await sharp({ create: { width: 1200, height: 1700, channels: 3, background: '#f4f1ea', noise: { type: 'gaussian', mean: 200, sigma: 12 } } }).png().toBuffer();
  let best = await sharp(page).jpeg({ quality: 10 }).toBuffer();
  for (let q = 20; q <= 95; q += 10) {
    const jpeg = await sharp(page).jpeg({ quality: q }).toBuffer();
    if (jpeg.length > bytes) break;
    best = jpeg;
  }
  return best;
}

async function benchDrain(count: number, scanBytes: number): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'fac-bench-drain-'));
  const database = { kind: 'sqlite' as const, file: join(dir, 'server', 'facilitateur.sqlite') };
  const prepared = await prepareDatabase(database);
  const { code } = await createEnrollment(prepared.db, prepared.dialect, { kioskId: 'borne-bench-drain', name: 'Banc d’essai', actor: { kind: 'staff', id: 'bench' } });
  await prepared.close();
  await installTestCa(join(dir, 'server'));
  const server = await startServerChild(serverConfig(join(dir, 'server'), database));
  mkdirSync(join(dir, 'kiosk'), { recursive: true });
  const db = openKioskDb(join(dir, 'kiosk', 'outbox.sqlite'));
  const outbox = new Outbox(db, join(dir, 'kiosk', 'blobs'), keyFileProvider(join(dir, 'kiosk', 'data.key')));
  let client: SyncClient | null = null;
  try {
    // a real JPEG scan of about scanBytes (the server decodes every image it receives in full), made its
    // own by a few bytes after its end (which a decoder never reads)
    const base = await scanJpeg(scanBytes);
    for (let i = 0; i < count; i++) {
      const scan = Buffer.concat([base, randomBytes(16)]);
      // signed by Camille's card, as at the box (the test CA's fixed keys): the server checks every one
      outbox.enqueue(signedWrite('borne-bench-drain', deposit(scan)), [{ bytes: scan, mime: 'image/jpeg' }]);
    }
    const enrolling = new SyncClient({ url: server.url, outbox, logger: silentLogger });
    const enrolled = await enrolling.enroll(code);
    if (!enrolled.ok) throw new Error(enrolled.problem);
    const t0 = performance.now();
    client = new SyncClient({ url: server.url, outbox, logger: silentLogger });
    client.start();
    await client.flushed(600_000);
    const ms = performance.now() - t0;
    return summarize(`drain of ${count} queued submissions with ${Math.round(base.length / 1000)} KB JPEG scans (one kiosk, SQLite server)`, [ms], {
      budget: { p50: 30_000, text: '≤ 30 s' },
      notes: [`${Math.round((count / ms) * 1000)} submissions/s, ${((count * base.length) / 1e6 / (ms / 1000)).toFixed(1)} MB/s; each: blob-exists check, tus POST + PATCH (4 uploads side by side), then batches of 50 mutations; the server decodes each scan in full (sharp) at the end of its upload`],
    });
  } finally {
    await client?.stop();
    db.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- ingest ----------------------------------------------------------------------------------------

/** Three open aid requests of the depositor (missing pieces): every batch then re-assesses them (#7). */
async function openDossiersOf(db: Kysely<Database>, identifier: string, kioskId: string): Promise<void> {
  const person = await db.selectFrom('persons').select(['id', 'first_name', 'role']).where('identifier', '=', identifier).executeTakeFirstOrThrow();
  const applicant = applicantOf({ id: randomUUID(), kioskId, personId: person.id, identifier, firstName: person.first_name, cardSerial: CAMILLE.cardSerial, role: 'beneficiary', consent: null, expiresAt: Date.now() + 3_600_000 });
  const catalogue = await loadCatalogue();
  const situation = { housing: 'tenant', activity: ['salaried'], nationality: 'french', children: false, couple: false } as const;
  for (const aidIds of [['rsa', 'css'], ['aides-logement'], ['cheque-energie']]) {
    const r = await createDossier(db, 'sqlite', { applicant, aidIds, situation: { ...situation, activity: [...situation.activity] }, catalogue });
    if (!r.ok) throw new Error(`bench dossier: ${r.error.message}`);
  }
}

async function benchIngest(dialect: Dialect, count: number, o: { openDossiers?: boolean } = {}): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), `fac-bench-ingest-${dialect}-`));
  let stopPostgres: (() => Promise<void>) | null = null;
  let database: ServerConfigInput['database'] = { kind: 'sqlite', file: join(dir, 'facilitateur.sqlite') };
  if (dialect === 'postgres') {
    const pg = await startPostgres(dir);
    stopPostgres = pg.stop;
    database = { kind: 'postgres', url: pg.url };
  }
  const prepared = await prepareDatabase(database);
  const kioskId = 'borne-bench-ingest';
  const key = deviceKey();
  const store = new LocalBlobStore(join(dir, 'blobs'));
  const mutations: Mutation[] = [];
  try {
    await prepared.db
      .insertInto('kiosks')
      .values({ id: kioskId, name: 'Banc d’essai', institution_id: null, token_hash: tokenHash(randomUUID()), revoked_at: null, public_key: key.publicKey, enrolled_at: new Date().toISOString() })
      .execute();
    // the blobs are there already, as uploaded and not yet referenced: what a kiosk's drain leaves
    const now = new Date().toISOString();
    for (let i = 0; i < count; i++) {
      const bytes = randomBytes(512);
      const sha = sha256Hex(bytes);
      const file = join(dir, 'upload');
      writeFileSync(file, bytes);
      await store.putFile(sha, file);
      await prepared.db.insertInto('blobs').values({ sha256: sha, size: bytes.length, mime: 'image/jpeg', created_at: now, uploaded_by: kioskId, referenced_at: null }).execute();
      const signed = signedWrite(kioskId, deposit(bytes));
      mutations.push({ seq: i + 1, id: signed.id, createdAt: now, blobs: [sha], proof: signed.proof, ...signed.body });
    }
    if (o.openDossiers) await openDossiersOf(prepared.db, CAMILLE.owner, kioskId);
  } finally {
    await prepared.close();
  }
  await installTestCa(dir);
  const server = await startServerChild(serverConfig(dir, database));
  try {
    const challenge = ChallengeResponse.parse(
      await (await fetch(`${server.url}${CHALLENGE_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kioskId }) })).json(),
    ).challenge;
    const signature = sign('sha256', Buffer.from(kioskAuthPayload(kioskId, challenge, 'socket')), { key: key.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    const socket = io(`${server.url}${KIOSK_NAMESPACE}`, { auth: { kioskId, challenge, signature }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    const perBatch: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < mutations.length; i += 100) {
      const b0 = performance.now();
      const ack = MutationsAck.parse(await socket.timeout(60_000).emitWithAck(EVENTS.mutations, { mutations: mutations.slice(i, i + 100) }));
      if (!ack.ok) throw new Error(`ingest refused: ${ack.error.code} ${ack.error.message}`);
      perBatch.push(performance.now() - b0);
    }
    const total = performance.now() - t0;
    socket.close();
    const rate = Math.round((count / total) * 1000);
    const engine = dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL';
    return summarize(`server ingest (${engine}${o.openDossiers ? ', depositor with 3 open aid requests' : ''}): ms per batch of 100 deposits`, perBatch, {
      ...(dialect === 'sqlite' ? { budget: { p50: 100, text: '≥ 1,000 mutations/s (≤ 100 ms a batch)' } } : {}),
      notes: [
        `${rate} mutations/s over ${count} (each: access policy, document + version + audit entry + search index, its own savepoint; one transaction a batch, made durable before its ack)`,
        ...(o.openDossiers ? ['the depositor has 3 open aid requests (RSA + CSS, housing aid, energy cheque; pieces missing): each batch re-assesses them once, against a vault that grows to the whole run'] : []),
      ],
    });
  } finally {
    await server.stop();
    await stopPostgres?.();
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- connections -------------------------------------------------------------------------------------

function fdLimit(): number {
  try {
    return Number(execFileSync('bash', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
  } catch {
    return 1024;
  }
}

/** One kiosk over a bare WebSocket speaking engine.io 4 / socket.io 5: connect, sign, hello, answer pings. */
function rawKiosk(baseUrl: string, kioskId: string, privateKey: ReturnType<typeof deviceKey>['privateKey']): Promise<WebSocket> {
  return (async () => {
    const res = await fetch(`${baseUrl}${CHALLENGE_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kioskId }) });
    const { challenge } = ChallengeResponse.parse(await res.json());
    const signature = sign('sha256', Buffer.from(kioskAuthPayload(kioskId, challenge, 'socket')), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false });
    return new Promise<WebSocket>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`kiosk ${kioskId}: no answer`)), 30_000);
      ws.on('error', reject);
      ws.on('message', (data) => {
        const text = data.toString();
        if (text.startsWith('0')) ws.send(`40${KIOSK_NAMESPACE},${JSON.stringify({ kioskId, challenge, signature })}`);
        else if (text === '2') ws.send('3');
        else if (text.startsWith(`40${KIOSK_NAMESPACE},`)) ws.send(`42${KIOSK_NAMESPACE},1${JSON.stringify([EVENTS.hello, { clientTime: new Date().toISOString(), revocationsVersion: 0, configVersion: 0 }])}`);
        else if (text.startsWith(`43${KIOSK_NAMESPACE},1`)) {
          clearTimeout(t);
          resolve(ws);
        } else if (text.startsWith(`44${KIOSK_NAMESPACE},`)) reject(new Error(`kiosk ${kioskId} refused: ${text}`));
      });
    });
  })();
}

async function benchConnections(count: number): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'fac-bench-conn-'));
  const database = { kind: 'sqlite' as const, file: join(dir, 'facilitateur.sqlite') };
  const prepared = await prepareDatabase(database);
  const key = deviceKey();
  const ids = Array.from({ length: count }, (_, i) => `borne-bench-${String(i).padStart(5, '0')}`);
  try {
    const now = new Date().toISOString();
    for (let i = 0; i < ids.length; i += 500) {
      await prepared.db
        .insertInto('kiosks')
        // one key for all: generating 5,000 key pairs would only slow the bench; each still signs its own challenge
        .values(ids.slice(i, i + 500).map((id) => ({ id, name: id, institution_id: null, token_hash: tokenHash(id), revoked_at: null, public_key: key.publicKey, enrolled_at: now })))
        .execute();
    }
  } finally {
    await prepared.close();
  }
  const notes: string[] = [];
  const limit = fdLimit();
  if (limit < count + 200) notes.push(`this process may open only ${limit} files: raise it (ulimit -n) for ${count} client connections`);
  notes.push(`server started under "ulimit -n 65536" (needs root to go past the hard limit); clients are bare WebSockets in the bench process`);
  const server = await startServerChild(serverConfig(dir, database));
  const sockets: WebSocket[] = [];
  try {
    const idleRss = server.rssMb();
    const connectMs: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < ids.length; i += 50) {
      const slice = ids.slice(i, i + 50);
      const b0 = performance.now();
      sockets.push(...(await Promise.all(slice.map((id) => rawKiosk(server.url, id, key.privateKey)))));
      connectMs.push((performance.now() - b0) / slice.length);
    }
    const total = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 2000));
    const rss = server.rssMb();
    notes.push(`${sockets.length} kiosks connected and said hello in ${(total / 1000).toFixed(1)} s; server RSS ${idleRss} MB idle → ${rss} MB (${Math.round(((rss - idleRss) * 1024) / Math.max(1, sockets.length))} KB a connection)`);
    return [
      summarize(`server RSS with ${sockets.length} kiosk connections (MB, not ms)`, [rss], { budget: { p50: 1024, text: `${count} connections in ≤ 1 GB RSS` }, notes }),
      summarize('kiosk connect + signed challenge + hello, per kiosk, 50 at a time (ms)', connectMs, { notes: [] }),
    ];
  } finally {
    for (const s of sockets) s.terminate();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchSync(o: SyncBenchOptions = {}): Promise<BenchResult[]> {
  const want = (k: string) => !o.only || o.only.has(k);
  const results: BenchResult[] = [];
  if (want('drain')) results.push(await benchDrain(o.drainCount ?? 1000, o.scanBytes ?? 200_000));
  if (want('ingest-sqlite')) results.push(await benchIngest('sqlite', o.ingestCount ?? 3000));
  if (want('ingest-sqlite-dossiers')) results.push(await benchIngest('sqlite', o.ingestCount ?? 3000, { openDossiers: true }));
  if (want('ingest-postgres')) results.push(await benchIngest('postgres', o.ingestCount ?? 3000));
  if (want('connections')) results.push(...(await benchConnections(o.connections ?? 5000)));
  return results;
}

if (process.env.FAC_BENCH_ROLE === 'server') {
  serverChildMain().catch((err: unknown) => {
    process.stderr.write(`bench server failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
