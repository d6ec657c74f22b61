/**
 * The kiosk outbox (DESIGN.md §5): every write is a mutation queued here in the same SQLite
 * transaction as its local effect; referenced files are sealed (AES-256-GCM) and content-addressed,
 * and so is the mutation's body in its row (storage/sealed-rows.ts): what a person deposits is never
 * on disk in clear, only in memory while it is sent or shown. Rows and files are purged once the server
 * has acknowledged them.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writevSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MutationBody, referencedBlobs, WriteProof } from '../../../sync-server/protocol/mutations.ts';
import type { Mutation } from '../../../sync-server/protocol/mutations.ts';
import type { FileMime } from '../../../sync-server/protocol/common.ts';
import { KioskError } from '../../contract/schema.ts';
import { migrate } from '../storage/db.ts';
import type { Db } from '../storage/db.ts';
import type { KeyProvider } from '../storage/keys.ts';
import { privateDir } from '../storage/private-files.ts';
import { SEALED, SealedDataError, openValue, sealValue } from '../storage/sealed-rows.ts';
import { SessionDocuments } from '../vault/session-documents.ts';
import { openBlob, sealBlobParts, sha256Hex } from './blob-crypto.ts';
import { OUTBOX_WORDS } from '../words.ts';

export interface NewBlob {
  bytes: Uint8Array;
  mime: FileMime;
}

export interface BlobRow {
  sha256: string;
  mime: FileMime;
  size: number;
  uploadUrl: string | null;
  uploaded: boolean;
}

interface OutboxRow {
  seq: number;
  id: string;
  type: string;
  /** sealed JSON of the MutationBody */
  body: Buffer;
  blobs: string;
  created_at: string;
}

export class Outbox {
  private readonly listeners = new Set<() => void>();

  constructor(
    /** the kiosk database (the sync client keeps its device identity and push ledger in it too) */
    readonly db: Db,
    private readonly blobDir: string,
    /** the at-rest key (it also seals the device's private key) */
    readonly keys: KeyProvider,
  ) {
    // a database opened without the key has not sealed its clear rows yet: done here, before any use
    migrate(db, keys);
    privateDir(blobDir);
    this.removeOrphans();
    this.ensureReserve();
  }

  /** Called after each enqueue and each acknowledgement (the sync client listens). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Queues a mutation — already signed by the cards its ground names (SessionManager.proveWrite) — with
   * its files, and runs `effect` in the same transaction. Files are written (sealed, fsynced) before the
   * transaction; a failed transaction removes them.
   */
  enqueue(signed: { id: string; body: MutationBody; proof: WriteProof }, files: NewBlob[], effect?: (db: Db, seq: number) => void): { seq: number; id: string } {
    const checked = MutationBody.safeParse(signed.body);
    const proof = WriteProof.safeParse(signed.proof);
    if (!checked.success || !proof.success) throw new KioskError('invalid-request', OUTBOX_WORDS.incomplete);
    const hashes = files.map((f) => sha256Hex(f.bytes));
    // the order the cards signed them in: the server checks the signatures over this very list
    const blobs = referencedBlobs(checked.data);
    if (JSON.stringify(blobs.slice().sort()) !== JSON.stringify([...new Set(hashes)].sort())) {
      throw new KioskError('internal', OUTBOX_WORDS.mismatch);
    }
    const id = signed.id;
    // sealed before the transaction, written inside it: the row is never in clear, and never without its effect
    const sealedBody = sealValue(this.keys.dataKey(), SEALED.outboxBody(id), JSON.stringify({ ...checked.data, proof: proof.data }));
    const written: string[] = [];
    try {
      files.forEach((f, i) => {
        const sha = hashes[i]!;
        if (this.db.prepare('SELECT 1 FROM blobs WHERE sha256 = ?').get(sha)) return;
        this.writeSealed(sha, f.bytes);
        written.push(sha);
      });
      const now = new Date().toISOString();
      const seq = this.db.transaction(() => {
        const last = Number((this.db.prepare("SELECT value FROM meta WHERE key = 'last_seq'").get() as { value: string }).value);
        const next = last + 1;
        this.db.prepare("UPDATE meta SET value = ? WHERE key = 'last_seq'").run(String(next));
        files.forEach((f, i) => {
          this.db
            .prepare(
              `INSERT INTO blobs (sha256, mime, size, refs, created_at) VALUES (?, ?, ?, 1, ?)
               ON CONFLICT(sha256) DO UPDATE SET refs = refs + 1`,
            )
            .run(hashes[i], f.mime, f.bytes.byteLength, now);
        });
        this.db
          .prepare('INSERT INTO outbox (seq, id, type, body, blobs, created_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(next, id, checked.data.type, sealedBody, JSON.stringify(blobs), now);
        effect?.(this.db, next);
        return next;
      })();
      this.emit();
      return { seq, id };
    } catch (err) {
      for (const sha of written) rmSync(this.blobPath(sha), { force: true });
      throw toStorageError(err);
    }
  }

  /**
   * Mutations waiting for acknowledgement, in seq order, opened in memory. A row that does not open
   * (changed on disk, moved from another row, another key) is never sent nor skipped over, since the
   * server applies seqs in order: the batch stops before it, and when it comes first, SealedDataError
   * says which row it is. The rows are left as they are. `skipUnreadable` is for showing, not sending.
   */
  pending(limit = 100, opts: { skipUnreadable?: boolean } = {}): Mutation[] {
    const rows = this.db.prepare('SELECT seq, id, type, body, blobs, created_at FROM outbox ORDER BY seq LIMIT ?').all(limit) as OutboxRow[];
    const out: Mutation[] = [];
    for (const r of rows) {
      let body: MutationBody & { proof: WriteProof };
      try {
        body = this.openBody(r);
      } catch (err) {
        if (!(err instanceof SealedDataError)) throw err;
        if (opts.skipUnreadable) continue;
        if (out.length === 0) throw err;
        break;
      }
      out.push({ seq: r.seq, id: r.id, createdAt: r.created_at, blobs: JSON.parse(r.blobs) as string[], ...body });
    }
    return out;
  }

  private openBody(r: OutboxRow): MutationBody & { proof: WriteProof } {
    const place = SEALED.outboxBody(r.id);
    const body = JSON.parse(openValue(this.keys.dataKey(), place, r.body)) as MutationBody & { proof: WriteProof };
    // the type column stays clear for bookkeeping: it must say what the sealed body says
    if (body.type !== r.type) throw new SealedDataError(place, 'not-authentic');
    return body;
  }

  pendingCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
  }

  blob(sha256: string): BlobRow | null {
    const r = this.db.prepare('SELECT * FROM blobs WHERE sha256 = ?').get(sha256) as
      | { sha256: string; mime: FileMime; size: number; upload_url: string | null; uploaded: number }
      | undefined;
    return r ? { sha256: r.sha256, mime: r.mime, size: r.size, uploadUrl: r.upload_url, uploaded: r.uploaded === 1 } : null;
  }

  /** Decrypts a queued file (checked against its hash). */
  readBlob(sha256: string): Buffer {
    return openBlob(this.keys.dataKey(), sha256, readFileSync(this.blobPath(sha256)));
  }

  setUploadUrl(sha256: string, url: string | null): void {
    this.withSpace(() => this.db.prepare('UPDATE blobs SET upload_url = ? WHERE sha256 = ?').run(url, sha256));
  }

  markUploaded(sha256: string, uploaded = true): void {
    this.withSpace(() =>
      this.db.prepare('UPDATE blobs SET uploaded = ?, upload_url = CASE WHEN ? THEN NULL ELSE upload_url END WHERE sha256 = ?').run(uploaded ? 1 : 0, uploaded ? 1 : 0, sha256),
    );
  }

  /** Marks several blobs as held by the server, in one transaction (one fsync). */
  markUploadedMany(sha256s: readonly string[]): void {
    if (sha256s.length === 0) return;
    this.withSpace(() =>
      this.db.transaction(() => {
        const stmt = this.db.prepare('UPDATE blobs SET uploaded = 1, upload_url = NULL WHERE sha256 = ?');
        for (const sha of sha256s) stmt.run(sha);
      })(),
    );
  }

  /** Notes a failed send of a row; the message is sealed (a server may echo what it refused). */
  recordError(seq: number, message: string): void {
    const row = this.db.prepare('SELECT id FROM outbox WHERE seq = ?').get(seq) as { id: string } | undefined;
    if (!row) return;
    const sealed = sealValue(this.keys.dataKey(), SEALED.outboxError(row.id), message);
    this.withSpace(() => this.db.prepare('UPDATE outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?').run(sealed, seq));
  }

  /** The last send error of a row, opened (for a support screen or a test); null if none. */
  lastError(seq: number): string | null {
    const row = this.db.prepare('SELECT id, last_error FROM outbox WHERE seq = ?').get(seq) as { id: string; last_error: Buffer | null } | undefined;
    return row?.last_error ? openValue(this.keys.dataKey(), SEALED.outboxError(row.id), row.last_error) : null;
  }

  lastAckedSeq(): number {
    return Number((this.db.prepare("SELECT value FROM meta WHERE key = 'last_acked_seq'").get() as { value: string }).value);
  }

  lastSeq(): number {
    return Number((this.db.prepare("SELECT value FROM meta WHERE key = 'last_seq'").get() as { value: string }).value);
  }

  /**
   * The server has committed every mutation up to `seq`: drop their rows, and the files no queued
   * mutation references any more.
   */
  acknowledge(upToSeq: number): number {
    const freed: string[] = [];
    const removed = this.withSpace(() => this.db.transaction(() => {
      const rows = this.db.prepare('SELECT seq, id, blobs FROM outbox WHERE seq <= ?').all(upToSeq) as { seq: number; id: string; blobs: string }[];
      for (const r of rows) {
        for (const sha of JSON.parse(r.blobs) as string[]) {
          this.db.prepare('UPDATE blobs SET refs = refs - 1 WHERE sha256 = ?').run(sha);
        }
      }
      this.db.prepare('DELETE FROM outbox WHERE seq <= ?').run(upToSeq);
      for (const r of this.db.prepare('SELECT sha256 FROM blobs WHERE refs <= 0').all() as { sha256: string }[]) {
        freed.push(r.sha256);
      }
      this.db.prepare('DELETE FROM blobs WHERE refs <= 0').run();
      const prev = this.lastAckedSeq();
      if (upToSeq > prev) {
        const last = rows.find((r) => r.seq === upToSeq);
        this.setMeta('last_acked_seq', String(upToSeq));
        this.setMeta('last_acked_id', last ? last.id : '');
      }
      return rows.length;
    })());
    for (const sha of freed) rmSync(this.blobPath(sha), { force: true });
    if (freed.length > 0) this.ensureReserve();
    if (removed > 0) this.emit();
    return removed;
  }

  /**
   * The space reserve: a file of RESERVE_BYTES kept next to the blob folder. When the disk is full, the
   * bookkeeping that frees space (marking uploads, purging what the server acknowledged) would itself
   * fail for want of a few kilobytes of SQLite journal: the reserve is given up for it, and taken back
   * once files were purged.
   */
  private reservePath(): string {
    return join(dirname(this.blobDir), RESERVE_NAME);
  }

  private ensureReserve(): void {
    const path = this.reservePath();
    if (existsSync(path)) return;
    const tmp = `${path}.tmp`;
    try {
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writevSync(fd, [Buffer.alloc(RESERVE_BYTES)]);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, path);
    } catch {
      // no room for it now: taken back after the next purge
      rmSync(tmp, { force: true });
    }
  }

  /** Runs a bookkeeping write; on a full disk, gives up the reserve and tries once more. */
  private withSpace<T>(write: () => T): T {
    try {
      return write();
    } catch (err) {
      if (!isDiskFull(err) || !existsSync(this.reservePath())) throw toStorageError(err);
      rmSync(this.reservePath(), { force: true });
      try {
        return write();
      } catch (again) {
        throw toStorageError(again);
      }
    }
  }

  /**
   * Lines the outbox up with where the server stands for this kiosk (its last applied seq and that
   * mutation's id), at each connection:
   *  - our row at that seq has that id: the server applied it but the ack was lost → acknowledge;
   *  - we acknowledged exactly that mutation before → nothing to do;
   *  - anything else (a new or restored kiosk database, a restored server): our queued rows were never
   *    applied under those numbers → renumber them right after the server's, keeping their order.
   * Nothing queued is ever dropped.
   */
  reconcile(serverLastSeq: number, serverLastId: string | null): 'in-step' | 'acknowledged' | 'renumbered' {
    const row = this.db.prepare('SELECT id FROM outbox WHERE seq = ?').get(serverLastSeq) as { id: string } | undefined;
    if (row && row.id === serverLastId) {
      this.acknowledge(serverLastSeq);
      return 'acknowledged';
    }
    if (!row && this.lastAckedSeq() === serverLastSeq && this.meta('last_acked_id') === (serverLastId ?? '')) {
      return 'in-step';
    }
    this.renumberAfter(serverLastSeq);
    return 'renumbered';
  }

  private renumberAfter(serverLastSeq: number): void {
    this.withSpace(() => this.db.transaction(() => {
      const rows = this.db.prepare('SELECT seq FROM outbox ORDER BY seq').all() as { seq: number }[];
      // two passes through negative numbers so no renumbered row collides with another
      rows.forEach((r, i) => this.db.prepare('UPDATE outbox SET seq = ? WHERE seq = ?').run(-(i + 1), r.seq));
      rows.forEach((_r, i) => this.db.prepare('UPDATE outbox SET seq = ? WHERE seq = ?').run(serverLastSeq + i + 1, -(i + 1)));
      SessionDocuments.renumber(this.db, rows.map((r, i) => [r.seq, serverLastSeq + i + 1] as const));
      this.setMeta('last_seq', String(serverLastSeq + rows.length));
      this.setMeta('last_acked_seq', String(serverLastSeq));
      this.setMeta('last_acked_id', '');
    })());
  }

  private meta(key: string): string | null {
    const r = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return r ? r.value : null;
  }

  private setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  private blobPath(sha256: string): string {
    return join(this.blobDir, `${sha256}.blob`);
  }

  private writeSealed(sha256: string, bytes: Uint8Array): void {
    const parts = sealBlobParts(this.keys.dataKey(), sha256, bytes);
    const tmp = `${this.blobPath(sha256)}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      try {
        const total = parts.reduce((n, p) => n + p.length, 0);
        let written = writevSync(fd, parts);
        if (written !== total) {
          // rare short write: finish with the concatenated remainder
          const all = Buffer.concat(parts);
          while (written < total) written += writevSync(fd, [all.subarray(written)]);
        }
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.blobPath(sha256));
    } catch (err) {
      // a disk that filled up mid-write: the half-written file must not keep the space
      rmSync(tmp, { force: true });
      throw err;
    }
  }

  /** Files left by a crash between the write and the transaction, or after a purge that did not finish. */
  private removeOrphans(): void {
    const known = new Set((this.db.prepare('SELECT sha256 FROM blobs').all() as { sha256: string }[]).map((r) => r.sha256));
    for (const name of readdirSync(this.blobDir)) {
      const m = /^([0-9a-f]{64})\.blob$/.exec(name);
      if (name.endsWith('.tmp') || (m && !known.has(m[1]!)) || (!m && name.endsWith('.blob'))) {
        rmSync(join(this.blobDir, name), { force: true });
      }
    }
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}

/** Size of the space reserve (see Outbox.ensureReserve): room for many small SQLite transactions. */
export const RESERVE_BYTES = 512 * 1024;
const RESERVE_NAME = 'space-reserve.bin';

function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL';
}

function toStorageError(err: unknown): unknown {
  if (err instanceof KioskError) return err;
  const code = (err as { code?: string }).code;
  if (isDiskFull(err) || (code === 'SQLITE_IOERR_WRITE' && /full|space/i.test(String((err as Error).message)))) {
    return new KioskError('storage', OUTBOX_WORDS.full);
  }
  if (code === 'EACCES' || code === 'EROFS' || code?.startsWith('SQLITE_READONLY') || code?.startsWith('SQLITE_IOERR')) {
    return new KioskError('storage', OUTBOX_WORDS.cannotWrite);
  }
  return err;
}
