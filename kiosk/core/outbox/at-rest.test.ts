/**
 * Personal data at rest on the kiosk (DESIGN.md §6): a deposited RIB — IBAN, holder, OCR text — is
 * nowhere in clear in the database, its write-ahead log or the blob folder, whatever the encoding; the
 * files are the user's only; a changed or moved sealed row is refused with a typed error and spoils
 * nothing else; old clear rows are sealed in place at first start; a kill never leaves a half state.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DocumentDeposit } from '../../../sync-server/protocol/mutations.ts';
import { migrate, openKioskDb } from '../storage/db.ts';
import type { Db } from '../storage/db.ts';
import { keyFileProvider } from '../storage/keys.ts';
import { migrations } from '../storage/migrations.ts';
import { privateDataDir } from '../storage/private-files.ts';
import { SealedDataError } from '../storage/sealed-rows.ts';
import { SessionDocuments } from '../vault/session-documents.ts';
import { sha256Hex } from './blob-crypto.ts';
import { Outbox } from './outbox.ts';
import { CHILD_IBAN, CHILD_OWNER } from './testing/at-rest-child.ts';
import { asSigned } from './testing/signed.ts';

const IBAN_GROUPED = 'FR76 3000 6000 0112 3456 7890 189';
const IBAN = IBAN_GROUPED.replace(/ /g, '');
const HOLDER = 'Aurélie FONTAINE-DUBREUIL';
const OCR_TEXT = [
  "RELEVÉ D'IDENTITÉ BANCAIRE",
  `Titulaire du compte : Mme ${HOLDER}`,
  '14 rue des Glycines 93260 Les Lilas',
  `IBAN : ${IBAN_GROUPED}`,
  'BIC : BNPAFRPPXXX',
  'Domiciliation : BNP PARIBAS AGENCE DES LILAS',
].join('\n');
const OWNER = CHILD_OWNER;

// ---- looking for the needles in raw bytes, in any plausible encoding ---------------------------------

const NEEDLES = [IBAN_GROUPED, IBAN, IBAN.slice(4), HOLDER, 'FONTAINE-DUBREUIL', '14 rue des Glycines', 'AGENCE DES LILAS'];

/** Windows of each needle (so a text cut by a page boundary is still caught), in the forms text takes. */
function textForms(): string[] {
  const out = new Set<string>();
  for (const n of NEEDLES) {
    const variants = new Set([n, n.toUpperCase(), n.toLowerCase(), n.normalize('NFD'), n.normalize('NFD').replace(/\p{Mn}/gu, '')]);
    for (const v of variants) {
      if (v.length <= 12) out.add(v);
      for (let i = 0; i + 12 <= v.length; i += 4) out.add(v.slice(i, i + 12));
      out.add(JSON.stringify(v).slice(1, -1)); // as a JSON string value
      out.add(v.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)); // JSON with \u escapes
    }
  }
  return [...out];
}

/** The same needles as they would show in an ASCII view of base64 or hex (each alignment of base64). */
function asciiForms(): string[] {
  const out = new Set<string>();
  for (const n of NEEDLES) {
    const bytes = Buffer.from(n, 'utf8');
    out.add(bytes.toString('hex'));
    for (let pad = 0; pad < 3; pad++) {
      const b64 = Buffer.concat([Buffer.alloc(pad), bytes]).toString('base64');
      // drop the characters that depend on what comes before and after
      out.add(b64.slice(Math.ceil((pad * 4) / 3) + 1, -4));
      out.add(b64.slice(Math.ceil((pad * 4) / 3) + 1, -4).replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...out].filter((f) => f.length >= 12);
}

const TEXT_FORMS = textForms();
const ASCII_FORMS = asciiForms();

/** The buffer read as text every way a text may have been written into it. */
function views(raw: Buffer): string[] {
  const even = (b: Buffer) => b.subarray(0, b.length - (b.length % 2));
  const bigEndian = (b: Buffer) => Buffer.from(even(b)).swap16().toString('utf16le');
  return [
    raw.toString('latin1'),
    raw.toString('utf8'),
    even(raw).toString('utf16le'),
    even(raw.subarray(1)).toString('utf16le'),
    bigEndian(raw),
    bigEndian(raw.subarray(1)),
  ];
}

/** What of the needles a buffer holds (empty: none). */
function findNeedles(raw: Buffer): string[] {
  const found: string[] = [];
  for (const v of views(raw)) for (const f of TEXT_FORMS) if (v.includes(f)) found.push(f);
  const ascii = raw.toString('latin1');
  const lower = ascii.toLowerCase();
  for (const f of ASCII_FORMS) if (ascii.includes(f) || lower.includes(f.toLowerCase())) found.push(`encoded:${f}`);
  return [...new Set(found)];
}

/** Every file of the data folder but the key, with what it holds of the needles. */
function scanDataDir(dir: string): { files: string[]; leaks: Record<string, string[]> } {
  const files: string[] = [];
  const leaks: Record<string, string[]> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && e.name !== 'data.key') {
        files.push(p.slice(dir.length + 1));
        const hits = findNeedles(readFileSync(p));
        if (hits.length) leaks[p.slice(dir.length + 1)] = hits;
      }
    }
  };
  walk(dir);
  return { files, leaks };
}

/** A "scan" that holds the text itself (a PDF with a text layer), so the blob's sealing is tested too. */
function scanFile(): Buffer {
  return Buffer.concat([Buffer.from(`%PDF-1.4\nBT (${OCR_TEXT.replace(/\n/g, ') Tj (')}) Tj ET\n`, 'utf8'), randomBytes(30_000)]);
}

function rib(file: Buffer, thumb: Buffer): DocumentDeposit {
  return {
    type: 'vault.document.deposit',
    payload: {
      documentId: randomUUID(),
      owner: OWNER,
      docType: 'rib',
      fields: {
        iban: { value: IBAN, confidence: 0.98, confirmed: true },
        holder: { value: HOLDER, confidence: 0.92, confirmed: true },
        bic: { value: 'BNPAFRPPXXX', confidence: 0.95, confirmed: true },
      },
      ocrText: OCR_TEXT,
      file: { sha256: sha256Hex(file), mime: 'application/pdf', size: file.byteLength },
      thumbnail: { sha256: sha256Hex(thumb), mime: 'image/jpeg', size: thumb.byteLength },
      capturedAt: new Date().toISOString(),
      ground: { kind: 'own-card', cardSerial: '0A1B2C3D' },
    },
  };
}

const mode = (p: string) => statSync(p).mode & 0o777;

describe('the needle scanner (control)', () => {
  it('finds the RIB in every encoding it looks for, and nothing in random bytes', () => {
    const escaped = (t: string) => t.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    const encodings: [string, (t: string) => Buffer][] = [
      ['utf-8', (t) => Buffer.from(t, 'utf8')],
      ['utf-8 NFD', (t) => Buffer.from(t.normalize('NFD'), 'utf8')],
      ['utf-16le', (t) => Buffer.from(t, 'utf16le')],
      ['utf-16be', (t) => Buffer.from(t, 'utf16le').swap16()],
      ['latin-1', (t) => Buffer.from(t, 'latin1')],
      ['json \\u', (t) => Buffer.from(escaped(t), 'utf8')],
      ['base64', (t) => Buffer.from(Buffer.from(t, 'utf8').toString('base64'))],
      ['base64url', (t) => Buffer.from(Buffer.from(t, 'utf8').toString('base64url'))],
      ['hex', (t) => Buffer.from(Buffer.from(t, 'utf8').toString('hex'))],
      ['HEX', (t) => Buffer.from(Buffer.from(t, 'utf8').toString('hex').toUpperCase())],
    ];
    for (const [name, encode] of encodings) {
      for (const text of [IBAN_GROUPED, HOLDER, OCR_TEXT]) {
        for (const before of [5000, 5001, 5002]) {
          const hidden = Buffer.concat([randomBytes(before), encode(text), randomBytes(3000)]);
          expect(findNeedles(hidden), `${name}, after ${before} bytes: ${text.slice(0, 20)}`).not.toEqual([]);
        }
      }
    }
    expect(findNeedles(randomBytes(2_000_000))).toEqual([]);
  });
});

describe('the outbox at rest', () => {
  let dir: string;
  let db: Db;
  let outbox: Outbox;
  let documents: SessionDocuments;
  const open = (keyFile = join(dir, 'data.key')) => {
    const keys = keyFileProvider(keyFile);
    db = openKioskDb(join(dir, 'outbox.sqlite'), keys);
    outbox = new Outbox(db, join(dir, 'blobs'), keys);
    documents = new SessionDocuments(db, keys);
  };
  const deposit = () => {
    const file = scanFile();
    const thumb = randomBytes(3000);
    const body = rib(file, thumb);
    const r = outbox.enqueue(asSigned(body),
      [
        { bytes: file, mime: 'application/pdf' },
        { bytes: thumb, mime: 'image/jpeg' },
      ],
      (tx, seq) => documents.record(tx, { documentId: body.payload.documentId, owner: OWNER, docType: 'rib', fields: body.payload.fields, seq }),
    );
    return { ...r, body, file };
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fac-at-rest-'));
    chmodSync(dir, 0o755); // as mkdtemp would not: the start check must tighten it
    privateDataDir(dir);
    open();
  });
  afterEach(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps no IBAN, holder name or OCR text in clear in the database, its WAL or the blob folder', () => {
    const a = deposit();
    deposit();
    // a server's refusal may echo the paper: the error is sealed too
    outbox.recordError(a.seq, `invalid: IBAN ${IBAN_GROUPED} de ${HOLDER} refusé`);
    // while the process runs, the rows are in the write-ahead log
    expect(statSync(join(dir, 'outbox.sqlite-wal')).size).toBeGreaterThan(0);
    const live = scanDataDir(dir);
    expect(live.files).toEqual(expect.arrayContaining(['outbox.sqlite', 'outbox.sqlite-wal', 'outbox.sqlite-shm']));
    expect(live.files.filter((f) => f.startsWith('blobs/'))).toHaveLength(4);
    expect(live.leaks).toEqual({});

    // in memory they open: what is sent and shown is intact
    const [m] = outbox.pending(1);
    expect(m).toMatchObject({ seq: a.seq, id: a.id, type: 'vault.document.deposit', payload: { ocrText: OCR_TEXT, fields: { iban: { value: IBAN }, holder: { value: HOLDER } } } });
    expect(outbox.lastError(a.seq)).toContain(HOLDER);
    expect(outbox.readBlob(sha256Hex(a.file)).equals(a.file)).toBe(true);
    expect(documents.ofOwner(OWNER).map((d) => d.documentId)).toContain(a.body.payload.documentId);

    // and after a checkpoint (close), in the database file itself; acknowledged rows are overwritten
    outbox.acknowledge(a.seq);
    db.close();
    expect(scanDataDir(dir).leaks).toEqual({});
  });

  it('creates every file and folder for its user only, and tightens them at start', () => {
    deposit();
    const expectPrivate = () => {
      expect(mode(dir)).toBe(0o700);
      expect(mode(join(dir, 'blobs'))).toBe(0o700);
      for (const f of ['outbox.sqlite', 'outbox.sqlite-wal', 'outbox.sqlite-shm', 'data.key', 'space-reserve.bin']) expect(mode(join(dir, f)), f).toBe(0o600);
      for (const f of readdirSync(join(dir, 'blobs'))) expect(mode(join(dir, 'blobs', f)), f).toBe(0o600);
    };
    expectPrivate();
    db.close();
    // loosened by hand, a restore or an older version
    for (const f of ['outbox.sqlite', 'data.key', 'space-reserve.bin', ...readdirSync(join(dir, 'blobs')).map((b) => `blobs/${b}`)]) chmodSync(join(dir, f), 0o644);
    chmodSync(join(dir, 'blobs'), 0o755);
    chmodSync(dir, 0o777);
    expect(privateDataDir(dir)).toBeGreaterThanOrEqual(5);
    open();
    deposit();
    expectPrivate();
    expect(privateDataDir(dir)).toBe(0);
  });

  it('refuses a changed, moved or retyped sealed row with a typed error, and spoils nothing else', () => {
    const rows = [deposit(), deposit(), deposit(), deposit()];
    const body = (seq: number) => (db.prepare('SELECT body FROM outbox WHERE seq = ?').get(seq) as { body: Buffer }).body;
    const setBody = (seq: number, b: Buffer | string) => db.prepare('UPDATE outbox SET body = ? WHERE seq = ?').run(b, seq);

    // one bit of row 2 flipped on disk
    const flipped = Buffer.from(body(2));
    flipped[flipped.length - 20] = flipped[flipped.length - 20]! ^ 0x01;
    setBody(2, flipped);
    // the batch stops before it: row 1 goes, row 2 is neither sent nor skipped over
    expect(outbox.pending(100).map((m) => m.seq)).toEqual([1]);
    outbox.acknowledge(1);
    const refusal = (): SealedDataError => {
      try {
        outbox.pending(100);
      } catch (err) {
        expect(err).toBeInstanceOf(SealedDataError);
        return err as SealedDataError;
      }
      throw new Error('expected a SealedDataError');
    };
    const caught = refusal();
    expect(caught).toMatchObject({ reason: 'not-authentic', place: { table: 'outbox', column: 'body', rowId: rows[1]!.id } });
    expect(caught.message).not.toContain(IBAN);
    // reading changed nothing: the bad row is as it was, the others open and stay queued
    expect(body(2).equals(flipped)).toBe(true);
    expect(outbox.pendingCount()).toBe(3);
    expect(outbox.pending(100, { skipUnreadable: true }).map((m) => [m.seq, m.payload.documentId])).toEqual([
      [3, rows[2]!.body.payload.documentId],
      [4, rows[3]!.body.payload.documentId],
    ]);

    // a sealed body moved from another row does not open in its new place
    setBody(3, body(4));
    expect(outbox.pending(100, { skipUnreadable: true }).map((m) => m.seq)).toEqual([4]);
    outbox.acknowledge(3);
    expect(outbox.pending(100).map((m) => m.seq)).toEqual([4]);
    // nor a row whose clear type was changed; put back, it opens again
    db.prepare("UPDATE outbox SET type = 'vault.document.delete' WHERE seq = 4").run();
    expect(refusal()).toMatchObject({ reason: 'not-authentic', place: { rowId: rows[3]!.id } });
    db.prepare("UPDATE outbox SET type = 'vault.document.deposit' WHERE seq = 4").run();
    expect(outbox.pending(100).map((m) => m.seq)).toEqual([4]);
    // nor something that was never sealed
    const kept = body(4);
    setBody(4, 'not even sealed');
    expect(refusal()).toMatchObject({ reason: 'malformed' });
    setBody(4, kept);

    // the session cache leaves a bad row out and shows the others
    const docs = () => documents.ofOwner(OWNER).map((d) => d.documentId).sort();
    const all = docs();
    expect(all).toHaveLength(4);
    const victim = rows[0]!.body.payload.documentId;
    const sealed = (db.prepare('SELECT sealed FROM session_documents WHERE document_id = ?').get(victim) as { sealed: Buffer }).sealed;
    db.prepare('UPDATE session_documents SET sealed = ? WHERE document_id = ?').run(Buffer.concat([sealed.subarray(0, 30), Buffer.from([sealed[30]! ^ 0xff]), sealed.subarray(31)]), victim);
    expect(docs()).toEqual(all.filter((d) => d !== victim));

    // new work goes on
    const next = deposit();
    expect(next.seq).toBe(5);
  });

  it('opens nothing with another key', () => {
    deposit();
    db.close();
    writeFileSync(join(dir, 'other.key'), randomBytes(32).toString('base64'), { mode: 0o600 });
    open(join(dir, 'other.key'));
    expect(() => outbox.pending()).toThrow(SealedDataError);
    expect(documents.ofOwner(OWNER)).toEqual([]);
    expect(outbox.pendingCount()).toBe(1);
  });
});

// ---- the migration of clear rows -----------------------------------------------------------------------

/** A database as version 3 of the kiosk left it (clear bodies), with `n` queued rows. */
function oldDatabase(file: string, n: number, opts: { ocrText?: string } = {}): { ids: string[]; bodies: string[]; db: Database.Database } {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  migrate(db, undefined, migrations.filter((m) => m.version <= 3));
  const ids: string[] = [];
  const bodies: string[] = [];
  const put = db.prepare('INSERT INTO outbox (seq, id, type, body, blobs, created_at, last_error) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const doc = db.prepare('INSERT INTO session_documents (document_id, owner, doc_type, fields, seq, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let seq = 1; seq <= n; seq++) {
      const file = randomBytes(64);
      const body = rib(file, randomBytes(64));
      if (opts.ocrText !== undefined) body.payload.ocrText = opts.ocrText;
      delete body.payload.thumbnail;
      const id = randomUUID();
      ids.push(id);
      bodies.push(JSON.stringify(body));
      put.run(seq, id, body.type, JSON.stringify(body), JSON.stringify([sha256Hex(file)]), new Date().toISOString(), seq === 1 ? `invalid: ${HOLDER}` : null);
      doc.run(body.payload.documentId, OWNER, 'rib', JSON.stringify(body.payload.fields), seq, new Date().toISOString());
    }
    db.prepare("UPDATE meta SET value = ? WHERE key = 'last_seq'").run(String(n));
  })();
  return { ids, bodies, db };
}

describe('sealing the clear rows of an older kiosk', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fac-at-rest-migrate-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('seals them in place at first start, and leaves no clear trace in the file or its log', () => {
    const live = join(dir, 'live');
    const crashed = join(dir, 'crashed');
    mkdirSync(live);
    mkdirSync(crashed);
    const { ids, bodies, db: old } = oldDatabase(join(live, 'outbox.sqlite'), 5);
    // acknowledged rows, deleted before secure_delete: their pages stay, unchanged, on the file's free list
    for (let seq = 100; seq < 120; seq++) {
      old.prepare('INSERT INTO outbox (seq, id, type, body, blobs, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(seq, randomUUID(), 'vault.document.deposit', JSON.stringify({ ocrText: OCR_TEXT.repeat(40) }), '[]', 'x');
    }
    old.prepare('DELETE FROM outbox WHERE seq >= 100').run();
    // the old process is killed: its files, write-ahead log included, are what the new version finds
    for (const f of ['outbox.sqlite', 'outbox.sqlite-wal', 'outbox.sqlite-shm']) copyFileSync(join(live, f), join(crashed, f));
    old.close();
    expect(Object.keys(scanDataDir(crashed).leaks).length).toBeGreaterThan(0);

    // opened without the key (device enrollment, tests): nothing changes yet
    const keys = keyFileProvider(join(crashed, 'data.key'));
    const db = openKioskDb(join(crashed, 'outbox.sqlite'));
    expect(db.prepare('SELECT max(version) AS v FROM schema_migrations').get()).toEqual({ v: 3 });
    // the outbox, which has the key, seals (and the migrations after it follow)
    const outbox = new Outbox(db, join(crashed, 'blobs'), keys);
    expect(db.prepare('SELECT version FROM schema_migrations WHERE version = 4').get()).toEqual({ version: 4 });
    expect(db.prepare('SELECT max(version) AS v FROM schema_migrations').get()).toEqual({ v: migrations.at(-1)?.version });
    const pending = outbox.pending(100);
    expect(pending.map((m) => m.id)).toEqual(ids);
    expect(pending.map(({ seq: _s, id: _i, createdAt: _c, blobs: _b, ...body }) => JSON.stringify(body))).toEqual(bodies);
    expect(outbox.lastError(1)).toBe(`invalid: ${HOLDER}`);
    expect(new SessionDocuments(db, keys).ofOwner(OWNER)).toHaveLength(5);
    expect(db.prepare("SELECT count(*) AS n FROM meta WHERE key = 'scrub_pending'").get()).toEqual({ n: 0 });
    expect(scanDataDir(crashed).leaks).toEqual({});
    db.close();
    expect(scanDataDir(crashed).leaks).toEqual({});
  });
});

// ---- kills ---------------------------------------------------------------------------------------------

const CHILD = join(import.meta.dirname, 'testing', 'at-rest-child.ts');

/** Starts the child; resolves with it once `ready(line)` is true of one of its lines. */
function child(args: string[], ready: (line: string) => boolean): Promise<{ kill(): Promise<string> }> {
  const p = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  return new Promise((resolve, reject) => {
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.split('\n').some(ready)) {
        p.stdout.removeAllListeners('data');
        p.stdout.resume();
        resolve({
          async kill() {
            p.kill('SIGKILL');
            await exited;
            return out;
          },
        });
      }
    });
    p.once('exit', (code) => reject(new Error(`child exited (${code}) before it was ready: ${err}`)));
  });
}

describe('kill safety', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fac-at-rest-kill-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a deposit killed at any moment is all there, sealed, with its session row and its files, or not at all', async () => {
    for (let round = 0; round < 3; round++) {
      const c = await child(['enqueue', dir], (l) => l === `queued ${5 + round}` || /^queued \d{2,}/.test(l));
      await new Promise((r) => setTimeout(r, 30 + Math.floor(Math.random() * 120)));
      await c.kill();

      const keys = keyFileProvider(join(dir, 'data.key'));
      const db = openKioskDb(join(dir, 'outbox.sqlite'), keys);
      const outbox = new Outbox(db, join(dir, 'blobs'), keys);
      const documents = new SessionDocuments(db, keys);
      const pending = outbox.pending(100_000);
      // every row opens, and is numbered without a hole
      expect(pending.length).toBe(outbox.pendingCount());
      expect(pending.map((m) => m.seq)).toEqual(pending.map((_m, i) => i + 1));
      expect(outbox.lastSeq()).toBe(pending.length);
      // the effect (the session row) went with each mutation, and nothing else
      const deposited = pending.flatMap((m) => (m.type === 'vault.document.deposit' ? [m.payload.documentId] : [])).sort();
      expect(documents.ofOwner(OWNER).map((d) => d.documentId).sort()).toEqual(deposited);
      // every referenced file is there and opens; no file is left that no row references
      for (const m of pending) for (const sha of m.blobs) expect(outbox.readBlob(sha).includes(Buffer.from(CHILD_IBAN))).toBe(true);
      expect(readdirSync(join(dir, 'blobs')).sort()).toEqual([...new Set(pending.flatMap((m) => m.blobs))].map((s) => `${s}.blob`).sort());
      db.close();
      expect(scanDataDir(dir).leaks).toEqual({});
    }
  }, 60_000);

  it('the sealing of old rows, killed at any moment, is all done or not begun', async () => {
    const ROWS = 1500;
    const template = join(dir, 'template');
    mkdirSync(template);
    const { db: old } = oldDatabase(join(template, 'outbox.sqlite'), ROWS, { ocrText: OCR_TEXT.repeat(20) });
    old.close(); // a clean stop: the log is checkpointed into the file
    writeFileSync(join(template, 'data.key'), randomBytes(32).toString('base64'), { mode: 0o600 });

    // how long the sealing takes here, to spread the kills over it
    const timed = join(dir, 'timed');
    mkdirSync(timed);
    for (const f of readdirSync(template)) copyFileSync(join(template, f), join(timed, f));
    const t0 = performance.now();
    openKioskDb(join(timed, 'outbox.sqlite'), keyFileProvider(join(timed, 'data.key'))).close();
    const took = performance.now() - t0;

    const seen = new Set<number>();
    for (const fraction of [0.1, 0.4, 0.7, 0.95]) {
      const run = join(dir, `run-${fraction}`);
      mkdirSync(run);
      for (const f of readdirSync(template)) copyFileSync(join(template, f), join(run, f));
      const c = await child(['migrate', run], (l) => l === 'opening');
      await new Promise((r) => setTimeout(r, took * fraction));
      await c.kill();

      // what the killed process left: the old version (all rows clear) or the new one (all sealed)
      const db = new Database(join(run, 'outbox.sqlite'));
      const version = (db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number }).v;
      seen.add(version);
      const bodies = db.prepare('SELECT body FROM outbox').all() as { body: string | Buffer }[];
      expect(bodies).toHaveLength(ROWS);
      if (version === 3) expect(bodies.every((b) => typeof b.body === 'string')).toBe(true);
      else expect(bodies.every((b) => Buffer.isBuffer(b.body))).toBe(true);
      db.close();

      // the next start completes it
      const keys = keyFileProvider(join(run, 'data.key'));
      const again = openKioskDb(join(run, 'outbox.sqlite'), keys);
      const outbox = new Outbox(again, join(run, 'blobs'), keys);
      expect(outbox.pending(ROWS + 1)).toHaveLength(ROWS);
      again.close();
      expect(existsSync(join(run, 'outbox.sqlite-wal'))).toBe(false);
      expect(scanDataDir(run).leaks).toEqual({});
    }
    expect(seen.size).toBeGreaterThan(0);
  }, 120_000);
});
