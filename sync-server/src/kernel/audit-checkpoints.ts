/**
 * Signed checkpoints of the audit journal (DESIGN.md §6: "the audit chain's head is anchored outside the
 * database"). The chain alone proves nothing to someone who can write the database: they drop the
 * triggers, delete an entry, recompute every later hash, restore the triggers, and the chain verifies.
 * So the server signs, every N entries or every few minutes, `{seq, head, count, at}` — the chain's last
 * entry, its hash and how many entries lead to it — with an Ed25519 key that lives in a 0600 file of the
 * data folder (never in the database), and appends the signed line to a file of the data folder.
 *
 * Verifying recomputes the whole chain and compares it with every checkpoint: an entry changed, removed
 * or inserted at or before a checkpoint changes the hash the journal has at that checkpoint's seq (or the
 * count), whatever was recomputed after — the first such checkpoint is named, and the change lies between
 * the previous good checkpoint and it. Entries after the last checkpoint are protected by the chain
 * only, until the next one (at most N entries or a few minutes).
 *
 * A new checkpoint is signed only after the entries since the previous one were checked to follow from
 * it, so a rewritten journal is never signed. Imports no feature; the folder and the pinned public key are
 * passed in.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { canonicalJson } from '../../protocol/canonical-json.ts';
import { entryHash, GENESIS_HASH } from './audit.ts';
import type { Database } from './storage/schema.ts';

export const CHECKPOINT_KEY_FILE = 'checkpoint-key.pem';
export const CHECKPOINT_PUBLIC_KEY_FILE = 'checkpoint-key.pub.pem';
export const CHECKPOINT_LOG_FILE = 'checkpoints.jsonl';
/** Checkpoint every this many new entries … */
export const DEFAULT_CHECKPOINT_EVERY = 1000;
/** … or when the last one is this old and entries came since. */
export const DEFAULT_CHECKPOINT_MAX_AGE_MS = 5 * 60_000;

const DOMAIN = 'facilitateur/audit-checkpoint/v1\n';

export class CheckpointError extends Error {
  constructor(
    readonly code: 'key-permissions' | 'key-mismatch' | 'key-unreadable' | 'no-key',
    message: string,
  ) {
    super(message);
    this.name = 'CheckpointError';
  }
}

export interface Checkpoint {
  /** the last entry's seq */
  seq: number;
  /** its hash: the chain's head */
  head: string;
  /** how many entries lead to it (seq 1 … seq) */
  count: number;
  at: string;
}

export const SignedCheckpoint = z.strictObject({
  v: z.literal(1),
  seq: z.number().int().positive(),
  head: z.string().regex(/^[0-9a-f]{64}$/),
  count: z.number().int().positive(),
  at: z.iso.datetime(),
  /** which key signed: the first 16 hex digits of SHA-256 of the raw public key */
  key: z.string().regex(/^[0-9a-f]{16}$/),
  sig: z.string().regex(/^[A-Za-z0-9_-]{86}$/),
});
export type SignedCheckpoint = z.infer<typeof SignedCheckpoint>;

export interface CheckpointKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyId: string;
}

function rawPublicKey(publicKey: KeyObject): Buffer {
  // the last 32 bytes of an Ed25519 SPKI are the key itself
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
}

/** The public key as it is pinned in configuration (FAC_AUDIT_PUBLIC_KEY): the raw 32 bytes, base64url. */
export function publicKeyText(publicKey: KeyObject): string {
  return rawPublicKey(publicKey).toString('base64url');
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(rawPublicKey(publicKey)).digest('hex').slice(0, 16);
}

/** A pinned public key (raw 32 bytes, base64url), or null when it is not one. */
export function parsePinnedKey(text: string): KeyObject | null {
  const raw = Buffer.from(text.trim(), 'base64url');
  if (raw.length !== 32 || raw.toString('base64url') !== text.trim()) return null;
  // SPKI DER of an Ed25519 key: a fixed 12-byte prefix, then the key
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]);
  try {
    return createPublicKey({ key: spki, format: 'der', type: 'spki' });
  } catch {
    return null;
  }
}

function checkPinned(publicKey: KeyObject, pinned: KeyObject | null, where: string): void {
  if (pinned && publicKeyText(pinned) !== publicKeyText(publicKey)) {
    throw new CheckpointError('key-mismatch', `the checkpoint key in ${where} is not the pinned one (FAC_AUDIT_PUBLIC_KEY)`);
  }
}

/**
 * The server's checkpoint key in `dir` (created on first use: Ed25519, the private key in a 0600 file, the
 * public key beside it). A key file others may read is refused; so is a key that is not the pinned one.
 */
export function loadOrCreateCheckpointKey(dir: string, pinned: KeyObject | null = null): CheckpointKey {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keyFile = join(dir, CHECKPOINT_KEY_FILE);
  if (!existsSync(keyFile)) {
    const pair = generateKeyPairSync('ed25519');
    // created 0600 and exclusively: two instances starting at once do not overwrite each other's key
    const fd = openSync(keyFile, 'wx', 0o600);
    try {
      writeSync(fd, String(pair.privateKey.export({ format: 'pem', type: 'pkcs8' })));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  if ((statSync(keyFile).mode & 0o077) !== 0) {
    throw new CheckpointError('key-permissions', `${keyFile} may be read by others: chmod 600 it`);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(keyFile));
  } catch {
    throw new CheckpointError('key-unreadable', `${keyFile} is not a private key`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new CheckpointError('key-unreadable', `${keyFile} is not an Ed25519 key`);
  const publicKey = createPublicKey(privateKey);
  checkPinned(publicKey, pinned, keyFile);
  const pubFile = join(dir, CHECKPOINT_PUBLIC_KEY_FILE);
  if (!existsSync(pubFile)) {
    const fd = openSync(pubFile, 'wx', 0o644);
    try {
      writeSync(fd, String(publicKey.export({ format: 'pem', type: 'spki' })));
    } finally {
      closeSync(fd);
    }
  }
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
}

/**
 * The public key verification trusts: the pinned one when given (it must then match the folder's), else
 * the folder's public key file. Verifying needs no private key.
 */
export function checkpointPublicKey(dir: string, pinned: KeyObject | null = null): KeyObject {
  const pubFile = join(dir, CHECKPOINT_PUBLIC_KEY_FILE);
  if (pinned) return pinned;
  if (!existsSync(pubFile)) throw new CheckpointError('no-key', `no checkpoint key in ${dir} (the server creates it at its first start)`);
  try {
    const key = createPublicKey(readFileSync(pubFile));
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('not ed25519');
    return key;
  } catch {
    throw new CheckpointError('key-unreadable', `${pubFile} is not an Ed25519 public key`);
  }
}

function payload(cp: Checkpoint): Buffer {
  return Buffer.from(DOMAIN + canonicalJson({ seq: cp.seq, head: cp.head, count: cp.count, at: cp.at }), 'utf8');
}

export function signCheckpoint(cp: Checkpoint, key: CheckpointKey): SignedCheckpoint {
  return { v: 1, seq: cp.seq, head: cp.head, count: cp.count, at: cp.at, key: key.keyId, sig: sign(null, payload(cp), key.privateKey).toString('base64url') };
}

export function checkpointSignatureValid(cp: SignedCheckpoint, publicKey: KeyObject): boolean {
  if (cp.key !== keyIdOf(publicKey)) return false;
  return verify(null, payload(cp), publicKey, Buffer.from(cp.sig, 'base64url'));
}

/** One line of the checkpoint file as read back: the checkpoint, or why the line is not one. */
export type LogLine = { line: number; checkpoint: SignedCheckpoint } | { line: number; checkpoint: null; problem: 'unreadable' };

/** The append-only file of signed checkpoints (one JSON object a line). */
export class CheckpointLog {
  constructor(readonly file: string) {}

  /** Appends one line and syncs it to disk before returning (a checkpoint is worth nothing if a power cut takes it). */
  append(cp: SignedCheckpoint): void {
    const fd = openSync(this.file, 'a', 0o640);
    try {
      writeSync(fd, `${JSON.stringify(cp)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  read(): LogLine[] {
    if (!existsSync(this.file)) return [];
    const text = readFileSync(this.file, 'utf8');
    const out: LogLine[] = [];
    const lines = text.split('\n');
    // a last line without its newline is one a crash cut short: it is read (and refused) like any other
    if (lines.at(-1) === '') lines.pop();
    lines.forEach((raw, i) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        out.push({ line: i + 1, checkpoint: null, problem: 'unreadable' });
        return;
      }
      const r = SignedCheckpoint.safeParse(parsed);
      out.push(r.success ? { line: i + 1, checkpoint: r.data } : { line: i + 1, checkpoint: null, problem: 'unreadable' });
    });
    return out;
  }
}

/** The journal's entries in seq order, page by page (the first page unbounded below, so a forged seq ≤ 0 shows). */
async function* entries(db: Kysely<Database>, after: number | null, pageSize: number) {
  let last = after;
  for (;;) {
    let q = db.selectFrom('audit_journal').selectAll().orderBy('seq').limit(pageSize);
    if (last !== null) q = q.where('seq', '>', last);
    const page = await q.execute();
    for (const row of page) yield row;
    if (page.length < pageSize) return;
    last = page.at(-1)!.seq;
  }
}

export type ChainProblem = { seq: number; reason: 'sequence' | 'prev_hash' | 'hash' | 'detail' };

function rowProblem(row: { seq: number; prev_hash: string; hash: string; detail: string } & Parameters<typeof entryHash>[1], expectedSeq: number, prevHash: string): ChainProblem | null {
  if (row.seq !== expectedSeq) return { seq: row.seq, reason: 'sequence' };
  if (row.prev_hash !== prevHash) return { seq: row.seq, reason: 'prev_hash' };
  try {
    JSON.parse(row.detail);
  } catch {
    return { seq: row.seq, reason: 'detail' };
  }
  const { hash, prev_hash: _p, ...body } = row;
  if (entryHash(prevHash, body) !== hash) return { seq: row.seq, reason: 'hash' };
  return null;
}

export type CheckpointOutcome =
  | { kind: 'written'; checkpoint: SignedCheckpoint }
  | { kind: 'unchanged' }
  /** the entries since the last checkpoint do not follow from it: nothing signed */
  | { kind: 'broken'; since: SignedCheckpoint | null; problem: ChainProblem | { seq: number; reason: 'missing' } };

/**
 * Writes checkpoints for one server: the last one it knows (read back from the file at start), the rule
 * (every N entries or when the last one is old), and the check that what it signs follows from it.
 */
export class AuditCheckpointer {
  private last: SignedCheckpoint | null;
  private lastAtMs: number;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly key: CheckpointKey,
    private readonly log: CheckpointLog,
    private readonly o: { every?: number; maxAgeMs?: number; pageSize?: number } = {},
  ) {
    const mine = log
      .read()
      .flatMap((l) => (l.checkpoint && checkpointSignatureValid(l.checkpoint, key.publicKey) ? [l.checkpoint] : []))
      .at(-1);
    this.last = mine ?? null;
    this.lastAtMs = mine ? Date.parse(mine.at) : 0;
  }

  /** The last checkpoint written (or read back at start). */
  lastCheckpoint(): SignedCheckpoint | null {
    return this.last;
  }

  /** A checkpoint when N entries came since the last one, or when it is old and any came. */
  async tick(now = new Date()): Promise<CheckpointOutcome> {
    const head = await this.db.selectFrom('audit_journal').select('seq').orderBy('seq', 'desc').limit(1).executeTakeFirst();
    const pending = (head?.seq ?? 0) - (this.last?.seq ?? 0);
    if (pending === 0) return { kind: 'unchanged' };
    // fewer entries than the last checkpoint: checkpointNow says what is missing
    const due = pending < 0 || pending >= (this.o.every ?? DEFAULT_CHECKPOINT_EVERY) || now.getTime() - this.lastAtMs >= (this.o.maxAgeMs ?? DEFAULT_CHECKPOINT_MAX_AGE_MS);
    return due ? this.checkpointNow(now) : { kind: 'unchanged' };
  }

  /** Checks the entries since the last checkpoint and, if they follow from it, signs and appends the new head. */
  async checkpointNow(now = new Date()): Promise<CheckpointOutcome> {
    const since = this.last;
    let prevHash = since?.head ?? GENESIS_HASH;
    let expectedSeq = (since?.seq ?? 0) + 1;
    let count = since?.count ?? 0;
    // the checkpointed entry itself must still be there, with the hash that was signed
    if (since) {
      const at = await this.db.selectFrom('audit_journal').select(['seq', 'hash']).where('seq', '=', since.seq).executeTakeFirst();
      if (!at) return { kind: 'broken', since, problem: { seq: since.seq, reason: 'missing' } };
      if (at.hash !== since.head) return { kind: 'broken', since, problem: { seq: since.seq, reason: 'hash' } };
    }
    let headRow: { seq: number; hash: string } | null = null;
    for await (const row of entries(this.db, since?.seq ?? null, this.o.pageSize ?? 1000)) {
      const problem = rowProblem(row, expectedSeq, prevHash);
      if (problem) return { kind: 'broken', since, problem };
      prevHash = row.hash;
      expectedSeq++;
      count++;
      headRow = { seq: row.seq, hash: row.hash };
    }
    if (!headRow) {
      // nothing new; a journal shorter than the last checkpoint was caught above
      return { kind: 'unchanged' };
    }
    const signed = signCheckpoint({ seq: headRow.seq, head: headRow.hash, count, at: now.toISOString() }, this.key);
    this.log.append(signed);
    this.last = signed;
    this.lastAtMs = now.getTime();
    return { kind: 'written', checkpoint: signed };
  }
}

/** Where a verification found the journal and its checkpoints disagreeing. */
export type TrailProblem =
  /** a line of the checkpoint file that is not a checkpoint signed by the trusted key */
  | { kind: 'checkpoint-signature'; line: number }
  | { kind: 'checkpoint-unreadable'; line: number }
  /** a checkpoint older in the file than another but further in the chain: the file was spliced */
  | { kind: 'checkpoint-order'; line: number }
  /**
   * the journal does not have, at this checkpoint's seq, the hash (or count) that was signed: an entry
   * after `afterSeq` (the previous good checkpoint, 0 for none) and up to `seq` was changed, removed or inserted
   */
  | { kind: 'checkpoint-mismatch'; line: number; seq: number; at: string; afterSeq: number; found: 'other-hash' | 'other-count' | 'missing' }
  /** the chain itself breaks at this entry */
  | { kind: 'chain'; seq: number; reason: ChainProblem['reason'] };

export interface TrailVerification {
  ok: boolean;
  entries: number;
  checkpoints: number;
  lastCheckpoint: { seq: number; at: string } | null;
  /** in the order met: the checkpoint file's problems, then the chain's and the checkpoints' by seq */
  problems: TrailProblem[];
}

/**
 * Recomputes the whole chain and compares it with every checkpoint of the file, signed by `publicKey`.
 * Reports each bad line of the file, the first break of the chain, and the first checkpoint the journal
 * no longer matches (with where the change lies).
 */
export async function verifyAuditTrail(db: Kysely<Database>, o: { log: CheckpointLog; publicKey: KeyObject; pageSize?: number }): Promise<TrailVerification> {
  const problems: TrailProblem[] = [];
  const good: { line: number; cp: SignedCheckpoint }[] = [];
  for (const l of o.log.read()) {
    if (!l.checkpoint) problems.push({ kind: 'checkpoint-unreadable', line: l.line });
    else if (!checkpointSignatureValid(l.checkpoint, o.publicKey)) problems.push({ kind: 'checkpoint-signature', line: l.line });
    else {
      const prev = good.at(-1);
      if (prev && l.checkpoint.seq < prev.cp.seq) problems.push({ kind: 'checkpoint-order', line: l.line });
      else good.push({ line: l.line, cp: l.checkpoint });
    }
  }
  // several lines may name one seq (no new entry between them): each is compared
  let next = 0;
  let afterSeq = 0;
  let mismatch = false;
  let chainBroken = false;
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let count = 0;
  const compare = (row: { seq: number; hash: string }) => {
    while (next < good.length && good[next]!.cp.seq <= row.seq) {
      const { line, cp } = good[next]!;
      if (!mismatch) {
        const found = cp.seq !== row.seq ? 'missing' : row.hash !== cp.head ? 'other-hash' : count !== cp.count ? 'other-count' : null;
        if (found) {
          problems.push({ kind: 'checkpoint-mismatch', line, seq: cp.seq, at: cp.at, afterSeq, found });
          mismatch = true;
        } else afterSeq = cp.seq;
      }
      next++;
    }
  };
  for await (const row of entries(db, null, o.pageSize ?? 1000)) {
    count++;
    if (!chainBroken) {
      const problem = rowProblem(row, expectedSeq, prevHash);
      if (problem) {
        problems.push({ kind: 'chain', ...problem });
        chainBroken = true;
      }
    }
    prevHash = row.hash;
    expectedSeq = row.seq + 1;
    compare(row);
  }
  // checkpoints beyond the journal's last entry: entries were removed from its end
  if (next < good.length && !mismatch) {
    const { line, cp } = good[next]!;
    problems.push({ kind: 'checkpoint-mismatch', line, seq: cp.seq, at: cp.at, afterSeq, found: 'missing' });
  }
  const last = good.at(-1)?.cp;
  return { ok: problems.length === 0, entries: count, checkpoints: good.length, lastCheckpoint: last ? { seq: last.seq, at: last.at } : null, problems };
}

/** One line of plain English per problem, for logs and the staff command. */
export function describeTrailProblem(p: TrailProblem): string {
  switch (p.kind) {
    case 'checkpoint-signature':
      return `checkpoint file line ${p.line}: not signed by the checkpoint key (forged or altered)`;
    case 'checkpoint-unreadable':
      return `checkpoint file line ${p.line}: not a checkpoint`;
    case 'checkpoint-order':
      return `checkpoint file line ${p.line}: older than the line before it (the file was rearranged)`;
    case 'checkpoint-mismatch': {
      const what = p.found === 'missing' ? `has no entry ${p.seq}` : p.found === 'other-hash' ? `has another hash at entry ${p.seq}` : `has another number of entries up to ${p.seq}`;
      return `first bad checkpoint: line ${p.line} (entry ${p.seq}, signed ${p.at}): the journal ${what} — an entry after ${p.afterSeq} and up to ${p.seq} was changed, removed or inserted`;
    }
    case 'chain':
      return `the chain breaks at entry ${p.seq} (${p.reason})`;
  }
}
