import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DocumentDeposit } from '../../../sync-server/protocol/mutations.ts';
import { asSigned } from './testing/signed.ts';
import { KioskError } from '../../contract/schema.ts';
import { openKioskDb } from '../storage/db.ts';
import type { Db } from '../storage/db.ts';
import { keyFileProvider } from '../storage/keys.ts';
import { SessionDocuments } from '../vault/session-documents.ts';
import { BlobCryptoError, openBlob, sealBlob, sha256Hex } from './blob-crypto.ts';
import { Outbox } from './outbox.ts';

function deposit(bytes: Uint8Array, over: Partial<DocumentDeposit['payload']> = {}): DocumentDeposit {
  return {
    type: 'vault.document.deposit',
    payload: {
      documentId: randomUUID(),
      owner: 'FAC-K7QM-3XD2-9HRW',
      docType: 'rib',
      fields: { iban: { value: 'FR7630006000011234567890189', confidence: 0.97, confirmed: true } },
      ocrText: 'RELEVE D IDENTITE BANCAIRE',
      file: { sha256: sha256Hex(bytes), mime: 'image/jpeg', size: bytes.byteLength },
      capturedAt: new Date().toISOString(),
      ground: { kind: 'own-card', cardSerial: '0A1B2C3D' },
      ...over,
    },
  };
}

describe('outbox', () => {
  let dir: string;
  let db: Db;
  let outbox: Outbox;
  const open = () => {
    db = openKioskDb(join(dir, 'outbox.sqlite'));
    outbox = new Outbox(db, join(dir, 'blobs'), keyFileProvider(join(dir, 'data.key')));
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fac-outbox-'));
    open();
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('queues a mutation, its sealed blob and its local effect together', () => {
    const image = randomBytes(300_000);
    const body = deposit(image);
    const documents = new SessionDocuments(db, outbox.keys);
    const { seq } = outbox.enqueue(asSigned(body), [{ bytes: image, mime: 'image/jpeg' }], (tx, s) => {
      documents.record(tx, { documentId: body.payload.documentId, owner: body.payload.owner, docType: 'rib', fields: body.payload.fields, seq: s });
    });
    expect(seq).toBe(1);
    const [m] = outbox.pending();
    expect(m).toMatchObject({ seq: 1, type: 'vault.document.deposit', blobs: [sha256Hex(image)] });
    expect(db.prepare('SELECT count(*) n FROM session_documents').get()).toEqual({ n: 1 });
    // at rest the file is encrypted: the plaintext is nowhere in it
    const files = readdirSync(join(dir, 'blobs'));
    expect(files).toEqual([`${sha256Hex(image)}.blob`]);
    const onDisk = readFileSync(join(dir, 'blobs', files[0]!));
    expect(onDisk.includes(image.subarray(0, 64))).toBe(false);
    expect(outbox.readBlob(sha256Hex(image)).equals(image)).toBe(true);
  });

  it('keeps nothing when the local effect fails', () => {
    const image = randomBytes(1000);
    expect(() =>
      outbox.enqueue(asSigned(deposit(image)), [{ bytes: image, mime: 'image/jpeg' }], () => {
        throw new Error('effect failed');
      }),
    ).toThrow('effect failed');
    expect(outbox.pendingCount()).toBe(0);
    expect(outbox.lastSeq()).toBe(0);
    expect(readdirSync(join(dir, 'blobs'))).toEqual([]);
  });

  it('refuses a mutation whose files do not match what it references', () => {
    const image = randomBytes(1000);
    expect(() => outbox.enqueue(asSigned(deposit(image)), [{ bytes: randomBytes(1000), mime: 'image/jpeg' }])).toThrow(KioskError);
    expect(() => outbox.enqueue(asSigned(deposit(image, { owner: 'not an identifier' })), [{ bytes: image, mime: 'image/jpeg' }])).toThrow(
      KioskError,
    );
    expect(outbox.pendingCount()).toBe(0);
    expect(readdirSync(join(dir, 'blobs'))).toEqual([]);
  });

  it('purges acknowledged rows and their files, and never reuses a seq', () => {
    const a = randomBytes(500);
    const b = randomBytes(500);
    outbox.enqueue(asSigned(deposit(a)), [{ bytes: a, mime: 'image/jpeg' }]);
    outbox.enqueue(asSigned(deposit(b)), [{ bytes: b, mime: 'image/jpeg' }]);
    // the same file referenced twice is stored once
    outbox.enqueue(asSigned(deposit(a)), [{ bytes: a, mime: 'image/jpeg' }]);
    expect(readdirSync(join(dir, 'blobs'))).toHaveLength(2);
    expect(outbox.acknowledge(1)).toBe(1);
    expect(existsSync(join(dir, 'blobs', `${sha256Hex(a)}.blob`))).toBe(true); // seq 3 still needs it
    expect(outbox.acknowledge(3)).toBe(2);
    expect(readdirSync(join(dir, 'blobs'))).toEqual([]);
    expect(outbox.lastAckedSeq()).toBe(3);
    const c = randomBytes(10);
    expect(outbox.enqueue(asSigned(deposit(c)), [{ bytes: c, mime: 'image/jpeg' }]).seq).toBe(4);
  });

  it('survives a restart: queued rows stay, orphan files from a crash are removed', () => {
    const a = randomBytes(500);
    outbox.enqueue(asSigned(deposit(a)), [{ bytes: a, mime: 'image/jpeg' }]);
    writeFileSync(join(dir, 'blobs', `${'f'.repeat(64)}.blob`), 'orphan');
    writeFileSync(join(dir, 'blobs', `${sha256Hex(a)}.blob.tmp`), 'half-written');
    db.close();
    open();
    expect(outbox.pendingCount()).toBe(1);
    expect(readdirSync(join(dir, 'blobs'))).toEqual([`${sha256Hex(a)}.blob`]);
    expect(outbox.readBlob(sha256Hex(a)).equals(a)).toBe(true);
  });

  it('reconciles with where the server stands, never dropping a queued row', () => {
    const rows = [randomBytes(50), randomBytes(50), randomBytes(50)].map((b) => outbox.enqueue(asSigned(deposit(b)), [{ bytes: b, mime: 'image/jpeg' }]));
    // the server applied 1 and 2 but the ack was lost
    expect(outbox.reconcile(2, rows[1]!.id)).toBe('acknowledged');
    expect(outbox.pending().map((m) => m.seq)).toEqual([3]);
    // next connection: same position, nothing to do
    expect(outbox.reconcile(2, rows[1]!.id)).toBe('in-step');
    // the server knows another seq 3 (this database is not the one it heard from): renumber ours after it
    expect(outbox.reconcile(3, randomUUID())).toBe('renumbered');
    expect(outbox.pending().map((m) => [m.seq, m.id])).toEqual([[4, rows[2]!.id]]);
    expect(outbox.lastSeq()).toBe(4);
    // a brand-new server (lastSeq 0) while we had acknowledged things: start again from 1
    expect(outbox.reconcile(0, null)).toBe('renumbered');
    expect(outbox.pending().map((m) => m.seq)).toEqual([1]);
    const next = randomBytes(10);
    expect(outbox.enqueue(asSigned(deposit(next)), [{ bytes: next, mime: 'image/jpeg' }]).seq).toBe(2);
  });

  it('is in step with a fresh server when both are empty, and renumbers a fresh database behind a server', () => {
    expect(outbox.reconcile(0, null)).toBe('in-step');
    const a = randomBytes(50);
    outbox.enqueue(asSigned(deposit(a)), [{ bytes: a, mime: 'image/jpeg' }]);
    expect(outbox.reconcile(5, randomUUID())).toBe('renumbered');
    expect(outbox.pending().map((m) => m.seq)).toEqual([6]);
  });

  it('reports a storage problem in plain words and stores nothing when it cannot write', () => {
    if (process.getuid?.() === 0) {
      // root ignores file modes: make the blob folder a file instead so writes fail
      rmSync(join(dir, 'blobs'), { recursive: true });
      writeFileSync(join(dir, 'blobs'), '');
    } else {
      chmodSync(join(dir, 'blobs'), 0o500);
    }
    const a = randomBytes(50);
    let caught: unknown;
    try {
      outbox.enqueue(asSigned(deposit(a)), [{ bytes: a, mime: 'image/jpeg' }]);
    } catch (err) {
      caught = err;
    }
    expect(outbox.pendingCount()).toBe(0);
    expect(caught).toBeInstanceOf(Error);
  });
});

describe('blob sealing', () => {
  const key = randomBytes(32);
  const plain = randomBytes(1000);
  const sha = sha256Hex(plain);

  it('round-trips and detects tampering, a wrong key and a swapped name', () => {
    const sealed = sealBlob(key, sha, plain);
    expect(openBlob(key, sha, sealed).equals(plain)).toBe(true);
    const tampered = Buffer.from(sealed);
    tampered[40] = tampered[40]! ^ 1;
    expect(() => openBlob(key, sha, tampered)).toThrow(BlobCryptoError);
    expect(() => openBlob(randomBytes(32), sha, sealed)).toThrow(BlobCryptoError);
    expect(() => openBlob(key, 'a'.repeat(64), sealed)).toThrow(BlobCryptoError);
    expect(() => openBlob(key, sha, Buffer.from('short'))).toThrow(BlobCryptoError);
  });
});
