/**
 * Signed checkpoints of the audit journal, on both engines: the key in a 0600 file (pinned or not), the
 * checkpoints written every N entries, and the verification that catches what the chain alone does not —
 * an entry deleted and every later one renumbered and rehashed, with the triggers dropped and put back
 * (the chain verifies; the first checkpoint after the change does not) — a truncated end, and a forged or
 * altered line of the checkpoint file.
 */
import { appendFileSync, chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendAudit, verifyAuditChain } from './audit.ts';
import {
  AuditCheckpointer,
  CHECKPOINT_KEY_FILE,
  CHECKPOINT_PUBLIC_KEY_FILE,
  CheckpointError,
  CheckpointLog,
  checkpointPublicKey,
  describeTrailProblem,
  keyIdOf,
  loadOrCreateCheckpointKey,
  parsePinnedKey,
  publicKeyText,
  signCheckpoint,
  verifyAuditTrail,
} from './audit-checkpoints.ts';
import type { CheckpointKey } from './audit-checkpoints.ts';
import { openDatabase } from './storage/database.ts';
import type { Storage } from './storage/database.ts';
import { migrateToLatest } from './storage/migrate.ts';
import { DIALECTS, freshEnv } from '../../test-support/test-env.ts';
import { rewriteWithout, truncateAfter } from '../../test-support/audit-tamper.ts';

describe('the checkpoint key', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fac-audit-key-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is created once in a 0600 file, its public half beside it, and read back the same', () => {
    const a = loadOrCreateCheckpointKey(dir);
    expect(statSync(join(dir, CHECKPOINT_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, CHECKPOINT_PUBLIC_KEY_FILE), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const b = loadOrCreateCheckpointKey(dir);
    expect(b.keyId).toBe(a.keyId);
    expect(publicKeyText(checkpointPublicKey(dir))).toBe(publicKeyText(a.publicKey));
    // the pinned form: 43 characters of base64url, read back to the same key
    const text = publicKeyText(a.publicKey);
    expect(text).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(keyIdOf(parsePinnedKey(text)!)).toBe(a.keyId);
    for (const bad of ['', 'abc', `${text}A`, text.replace(/^./, '+')]) expect(parsePinnedKey(bad), bad).toBeNull();
  });

  it('refuses a key file others may read, and a key that is not the pinned one', () => {
    loadOrCreateCheckpointKey(dir);
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(() => loadOrCreateCheckpointKey(dir, other)).toThrow(CheckpointError);
    expect(() => loadOrCreateCheckpointKey(dir, other)).toThrow(/not the pinned one/);
    // verification trusts the pinned key over the folder's
    expect(publicKeyText(checkpointPublicKey(dir, other))).toBe(publicKeyText(other));
    chmodSync(join(dir, CHECKPOINT_KEY_FILE), 0o644);
    expect(() => loadOrCreateCheckpointKey(dir)).toThrow(/may be read by others/);
  });
});

describe.each(DIALECTS)('audit checkpoints (%s)', (dialect) => {
  let storage: Storage;
  let dir: string;
  let key: CheckpointKey;
  let log: CheckpointLog;
  const cleanups: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    // each test its own journal: a fresh database on the same server
    const e = await freshEnv(dialect, false);
    storage = openDatabase(e.config.database);
    await migrateToLatest(storage.db, storage.dialect);
    cleanups.push(async () => {
      await storage.db.destroy();
      await e.cleanup();
    });
    dir = join(e.config.dataDir, 'audit');
    key = loadOrCreateCheckpointKey(dir);
    log = new CheckpointLog(join(dir, 'checkpoints.jsonl'));
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  async function append(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      await storage.db.transaction().execute((trx) =>
        appendAudit(trx, storage.dialect, { actor: { kind: 'system', id: 'test' }, action: 'test.entry', subjectPersonId: null, documentId: null, ground: 'test', detail: { i } }),
      );
    }
  }

  const verify = () => verifyAuditTrail(storage.db, { log, publicKey: key.publicKey, pageSize: 7 });

  /** 45 entries in rounds of 5, a checkpoint every 10: the first at once (none yet), then at 15, 25, 35, 45. */
  async function journalWithCheckpoints(): Promise<AuditCheckpointer> {
    const cp = new AuditCheckpointer(storage.db, key, log, { every: 10, maxAgeMs: 3_600_000 });
    const t0 = Date.now();
    for (let i = 0; i < 9; i++) {
      await append(5);
      await cp.tick(new Date(t0 + i * 1000));
    }
    expect(log.read().map((l) => l.checkpoint?.seq)).toEqual([5, 15, 25, 35, 45]);
    return cp;
  }

  it('writes a checkpoint every N entries (or when the last is old), each signed, and verifies an untouched journal', async () => {
    const cp = await journalWithCheckpoints();
    expect(log.read().map((l) => l.checkpoint?.count)).toEqual([5, 15, 25, 35, 45]);
    // nothing new: no checkpoint; 5 pending but the last one is recent: none either; once it is old: written
    expect(await cp.tick()).toEqual({ kind: 'unchanged' });
    await append(5);
    expect(await cp.tick()).toEqual({ kind: 'unchanged' });
    expect((await cp.tick(new Date(Date.now() + 2 * 3_600_000))).kind).toBe('written');
    expect(log.read().at(-1)?.checkpoint).toMatchObject({ seq: 50, count: 50 });
    // a new checkpointer (a restart) takes up from the last line
    expect(new AuditCheckpointer(storage.db, key, log).lastCheckpoint()?.seq).toBe(50);
    expect(await verify()).toEqual({ ok: true, entries: 50, checkpoints: 6, lastCheckpoint: { seq: 50, at: expect.any(String) as unknown }, problems: [] });
  });

  it('catches an entry deleted and the chain recomputed: the chain verifies, the first checkpoint after the change does not', async () => {
    const cp = await journalWithCheckpoints();
    await rewriteWithout(storage.db, storage.dialect, 23);
    // the attack works on the chain alone
    expect(await verifyAuditChain(storage.db)).toEqual({ ok: true, entries: 44 });
    const r = await verify();
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([{ kind: 'checkpoint-mismatch', line: 3, seq: 25, at: expect.any(String) as unknown, afterSeq: 15, found: 'other-hash' }]);
    expect(describeTrailProblem(r.problems[0]!)).toMatch(/^first bad checkpoint: line 3 \(entry 25, signed .+\): the journal has another hash at entry 25 — an entry after 15 and up to 25 was changed, removed or inserted$/);
    // nothing more is signed on top of the rewritten journal
    await append(12);
    expect(await cp.tick()).toMatchObject({ kind: 'broken', since: { seq: 45 }, problem: { seq: 45, reason: 'hash' } });
    expect(log.read()).toHaveLength(5);
  });

  it('catches the very first entry deleted and everything recomputed from the start', async () => {
    await journalWithCheckpoints();
    await rewriteWithout(storage.db, storage.dialect, 1);
    expect(await verifyAuditChain(storage.db)).toMatchObject({ ok: true });
    expect((await verify()).problems).toEqual([expect.objectContaining({ kind: 'checkpoint-mismatch', line: 1, seq: 5, afterSeq: 0 })]);
  });

  it('catches a journal cut short before the last checkpoint', async () => {
    const cp = await journalWithCheckpoints();
    await truncateAfter(storage.db, storage.dialect, 40);
    expect(await verifyAuditChain(storage.db)).toEqual({ ok: true, entries: 40 });
    expect((await verify()).problems).toEqual([expect.objectContaining({ kind: 'checkpoint-mismatch', line: 5, seq: 45, afterSeq: 35, found: 'missing' })]);
    expect(await cp.tick()).toMatchObject({ kind: 'broken', problem: { seq: 45, reason: 'missing' } });
  });

  it('refuses a forged line, an altered one, one signed by another key, and one that is not a checkpoint, naming each', async () => {
    await journalWithCheckpoints();
    const lines = readFileSync(log.file, 'utf8').trimEnd().split('\n');
    const second = JSON.parse(lines[1]!) as Record<string, unknown>;
    // a head moved to another value with the old signature
    lines[1] = JSON.stringify({ ...second, head: 'f'.repeat(64) });
    writeFileSync(log.file, `${lines.join('\n')}\n`);
    // a line signed by an attacker's own key, naming our key
    const theirs = generateKeyPairSync('ed25519');
    const forged = signCheckpoint({ seq: 45, head: 'a'.repeat(64), count: 45, at: new Date().toISOString() }, { ...theirs, keyId: key.keyId });
    appendFileSync(log.file, `${JSON.stringify(forged)}\n`);
    const own = signCheckpoint({ seq: 45, head: 'a'.repeat(64), count: 45, at: new Date().toISOString() }, { ...theirs, keyId: keyIdOf(theirs.publicKey) });
    appendFileSync(log.file, `${JSON.stringify(own)}\n{"not":"a checkpoint"}\n`);
    const r = await verify();
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      { kind: 'checkpoint-signature', line: 2 },
      { kind: 'checkpoint-signature', line: 6 },
      { kind: 'checkpoint-signature', line: 7 },
      { kind: 'checkpoint-unreadable', line: 8 },
    ]);
    // the journal itself agrees with the four good lines
    expect(r.checkpoints).toBe(4);
    expect(describeTrailProblem(r.problems[0]!)).toBe('checkpoint file line 2: not signed by the checkpoint key (forged or altered)');
  });
});
