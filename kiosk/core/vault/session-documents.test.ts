import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DocumentDeposit } from '../../../sync-server/protocol/mutations.ts';
import { sha256Hex } from '../outbox/blob-crypto.ts';
import { Outbox } from '../outbox/outbox.ts';
import { openKioskDb } from '../storage/db.ts';
import type { Db } from '../storage/db.ts';
import { keyFileProvider } from '../storage/keys.ts';
import { SessionDocuments } from './session-documents.ts';
import { asSigned } from '../outbox/testing/signed.ts';

const OWNER = 'FAC-K7QM-3XD2-9HRW';

function deposit(bytes: Uint8Array, documentId = randomUUID()): DocumentDeposit {
  return {
    type: 'vault.document.deposit',
    payload: {
      documentId,
      owner: OWNER,
      docType: 'rib',
      fields: { iban: { value: 'FR7630006000011234567890189', confidence: 0.97, confirmed: true } },
      ocrText: 'RELEVE D IDENTITE BANCAIRE',
      file: { sha256: sha256Hex(bytes), mime: 'image/jpeg', size: bytes.byteLength },
      capturedAt: new Date().toISOString(),
      ground: { kind: 'own-card', cardSerial: '0A1B2C3D' },
    },
  };
}

describe('the session documents cache', () => {
  let dir: string;
  let db: Db;
  let outbox: Outbox;
  let documents: SessionDocuments;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fac-session-docs-'));
    db = openKioskDb(join(dir, 'outbox.sqlite'));
    outbox = new Outbox(db, join(dir, 'blobs'), keyFileProvider(join(dir, 'data.key')));
    documents = new SessionDocuments(db, outbox.keys);
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const queue = (): { documentId: string; seq: number } => {
    const bytes = randomBytes(100);
    const body = deposit(bytes);
    const { seq } = outbox.enqueue(asSigned(body), [{ bytes, mime: 'image/jpeg' }], (tx, s) =>
      documents.record(tx, { documentId: body.payload.documentId, owner: OWNER, docType: 'rib', fields: body.payload.fields, seq: s }),
    );
    return { documentId: body.payload.documentId, seq };
  };
  const seqs = () => (db.prepare('SELECT document_id AS d, seq FROM session_documents ORDER BY seq').all() as { d: string; seq: number }[]).map((r) => [r.d, r.seq]);

  it('records in the outbox transaction, lists by owner, forgets and purges', () => {
    const a = queue();
    const b = queue();
    expect(documents.ofOwner(OWNER).map((d) => d.documentId).sort()).toEqual([a.documentId, b.documentId].sort());
    expect(documents.ofOwner('FAC-OTHR-0000-0000')).toEqual([]);
    outbox.enqueue(asSigned({ type: 'vault.document.delete', payload: { documentId: a.documentId, owner: OWNER, ground: { kind: 'own-card', cardSerial: '0A1B2C3D' } } }), [], (tx) =>
      documents.forget(tx, a.documentId),
    );
    expect(documents.ofOwner(OWNER).map((d) => d.documentId)).toEqual([b.documentId]);
    documents.purge();
    expect(documents.ofOwner(OWNER)).toEqual([]);
  });

  it('follows the outbox when it renumbers its rows, each row keeping its own document', () => {
    const rows = [queue(), queue(), queue()];
    // the server stands at 1 with another mutation: ours become 2, 3, 4 (each onto the next one's old number)
    expect(outbox.reconcile(1, randomUUID())).toBe('renumbered');
    expect(seqs()).toEqual(rows.map((r, i) => [r.documentId, i + 2]));
  });
});
