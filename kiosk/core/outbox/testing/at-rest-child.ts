/**
 * A kiosk process for the at-rest kill tests (outbox/at-rest.test.ts), killed with SIGKILL by the parent:
 *  - `enqueue DIR`: queues deposits (a RIB with its sealed session-cache row) one transaction after the
 *    other, for ever, printing `queued N` after each;
 *  - `migrate DIR`: prints `opening`, then opens an old database with the key (which seals its clear rows
 *    in one transaction), and prints `migrated`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { DocumentDeposit } from '../../../../sync-server/protocol/mutations.ts';
import { openKioskDb } from '../../storage/db.ts';
import { keyFileProvider } from '../../storage/keys.ts';
import { SessionDocuments } from '../../vault/session-documents.ts';
import { sha256Hex } from '../blob-crypto.ts';
import { Outbox } from '../outbox.ts';
import { asSigned } from './signed.ts';

export const CHILD_OWNER = 'FAC-K7QM-3XD2-9HRW';
export const CHILD_IBAN = 'FR7630006000011234567890189';

export function ribDeposit(file: Uint8Array, ocrText: string, owner = CHILD_OWNER): DocumentDeposit {
  return {
    type: 'vault.document.deposit',
    payload: {
      documentId: randomUUID(),
      owner,
      docType: 'rib',
      fields: {
        iban: { value: CHILD_IBAN, confidence: 0.98, confirmed: true },
        holder: { value: 'Aurélie FONTAINE-DUBREUIL', confidence: 0.91, confirmed: true },
      },
      ocrText,
      file: { sha256: sha256Hex(file), mime: 'application/pdf', size: file.byteLength },
      capturedAt: new Date().toISOString(),
      ground: { kind: 'own-card', cardSerial: '0A1B2C3D' },
    },
  };
}

async function main(): Promise<void> {
  const [mode, dir] = process.argv.slice(2);
  if (!dir) throw new Error('usage: at-rest-child.ts enqueue|migrate DIR');
  const keys = keyFileProvider(join(dir, 'data.key'));
  if (mode === 'migrate') {
    process.stdout.write('opening\n');
    const db = openKioskDb(join(dir, 'outbox.sqlite'), keys);
    db.close();
    process.stdout.write('migrated\n');
    return;
  }
  const db = openKioskDb(join(dir, 'outbox.sqlite'), keys);
  const outbox = new Outbox(db, join(dir, 'blobs'), keys);
  const documents = new SessionDocuments(db, keys);
  for (let n = 1; ; n++) {
    const file = Buffer.concat([Buffer.from(`%PDF-1.4 RIB ${CHILD_IBAN} `), randomBytes(20_000)]);
    const body = ribDeposit(file, `RELEVE D'IDENTITE BANCAIRE ${n} IBAN ${CHILD_IBAN}`);
    outbox.enqueue(asSigned(body), [{ bytes: file, mime: 'application/pdf' }], (tx, seq) =>
      documents.record(tx, { documentId: body.payload.documentId, owner: body.payload.owner, docType: 'rib', fields: body.payload.fields, seq }),
    );
    process.stdout.write(`queued ${n}\n`);
    // let the parent's SIGKILL land anywhere: in the file write, the transaction, or between
    if (n % 10 === 0) await new Promise((r) => setImmediate(r));
  }
}

if (process.argv[1] === import.meta.filename) {
  main().catch((err: unknown) => {
    process.stderr.write(`at-rest child failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
