/**
 * The per-session cache of deposits (`session_documents`): what the open session has put in the outbox,
 * so the vault shows it at once, even offline. This module is its only writer and reader: capture
 * records a deposit inside the outbox's transaction, the vault lists and forgets, the outbox renumbers
 * with its rows, the core purges at session end (DESIGN.md §6: purged after acknowledgement and at
 * session end). Owner, paper type and read fields are sealed with the data key, bound to the document
 * id (storage/sealed-rows.ts); a row that does not open is left out, never shown half.
 */
import type { DocType } from '../../../sync-server/protocol/common.ts';
import type { ExtractedField } from '../../../sync-server/protocol/mutations.ts';
import type { Db } from '../storage/db.ts';
import type { KeyProvider } from '../storage/keys.ts';
import { SEALED, SealedDataError, openValue, sealValue } from '../storage/sealed-rows.ts';

export interface SessionDocument {
  documentId: string;
  owner: string;
  docType: DocType;
  fields: Record<string, ExtractedField>;
  /** the outbox row that carries it */
  seq: number;
  createdAt: string;
}

type Sealed = Pick<SessionDocument, 'owner' | 'docType' | 'fields'>;

export class SessionDocuments {
  constructor(
    private readonly db: Db,
    private readonly keys: KeyProvider,
  ) {}

  /** Called inside the outbox transaction that queues the deposit (`tx` is that transaction's handle). */
  record(tx: Db, doc: Omit<SessionDocument, 'createdAt'>): void {
    const plain: Sealed = { owner: doc.owner, docType: doc.docType, fields: doc.fields };
    const sealed = sealValue(this.keys.dataKey(), SEALED.sessionDocument(doc.documentId), JSON.stringify(plain));
    tx.prepare('INSERT OR REPLACE INTO session_documents (document_id, seq, created_at, sealed) VALUES (?, ?, ?, ?)').run(
      doc.documentId,
      doc.seq,
      new Date().toISOString(),
      sealed,
    );
  }

  /** Called inside the outbox transaction that queues the deletion. */
  forget(tx: Db, documentId: string): void {
    tx.prepare('DELETE FROM session_documents WHERE document_id = ?').run(documentId);
  }

  /** This person's deposits of the session, newest first (the table holds one session's few rows). */
  ofOwner(owner: string): Pick<SessionDocument, 'documentId' | 'docType' | 'createdAt'>[] {
    const rows = this.db.prepare('SELECT document_id, created_at, sealed FROM session_documents ORDER BY created_at DESC').all() as {
      document_id: string;
      created_at: string;
      sealed: Buffer;
    }[];
    const key = this.keys.dataKey();
    return rows.flatMap((r) => {
      let doc: Sealed;
      try {
        doc = JSON.parse(openValue(key, SEALED.sessionDocument(r.document_id), r.sealed)) as Sealed;
      } catch (err) {
        if (err instanceof SealedDataError) return [];
        throw err;
      }
      return doc.owner === owner ? [{ documentId: r.document_id, docType: doc.docType, createdAt: r.created_at }] : [];
    });
  }

  /** Ends the per-session cache (card removed, session closed, or a crash left one behind). */
  purge(): void {
    this.db.prepare('DELETE FROM session_documents').run();
  }

  /**
   * The outbox renumbered its rows (inside its transaction): the cache follows. Through negative
   * numbers first, so that a row moved onto another's old number is not moved again.
   */
  static renumber(tx: Db, moves: readonly (readonly [from: number, to: number])[]): void {
    const update = tx.prepare('UPDATE session_documents SET seq = ? WHERE seq = ?');
    moves.forEach(([from], i) => update.run(-(i + 1), from));
    moves.forEach(([, to], i) => update.run(to, -(i + 1)));
  }
}
