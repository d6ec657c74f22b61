/**
 * The per-session cache of deposits (`session_documents`): what the open session has put in the outbox,
 * so the vault shows it at once, even offline. This module is its only writer and reader: capture
 * records a deposit inside the outbox's transaction, the vault lists and forgets, the outbox renumbers
 * with its rows, the core purges at session end (DESIGN.md §6: purged after acknowledgement and at
 * session end).
 */
import type { DocType } from '../../../sync-server/protocol/common.ts';
import type { ExtractedField } from '../../../sync-server/protocol/mutations.ts';
import type { Db } from '../storage/db.ts';

export interface SessionDocument {
  documentId: string;
  owner: string;
  docType: DocType;
  fields: Record<string, ExtractedField>;
  /** the outbox row that carries it */
  seq: number;
  createdAt: string;
}

export class SessionDocuments {
  constructor(private readonly db: Db) {}

  /** Called inside the outbox transaction that queues the deposit (`tx` is that transaction's handle). */
  record(tx: Db, doc: Omit<SessionDocument, 'createdAt'>): void {
    tx.prepare('INSERT OR REPLACE INTO session_documents (document_id, owner, doc_type, fields, seq, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      doc.documentId,
      doc.owner,
      doc.docType,
      JSON.stringify(doc.fields),
      doc.seq,
      new Date().toISOString(),
    );
  }

  /** Called inside the outbox transaction that queues the deletion. */
  forget(tx: Db, documentId: string): void {
    tx.prepare('DELETE FROM session_documents WHERE document_id = ?').run(documentId);
  }

  /** This person's deposits of the session, newest first. */
  ofOwner(owner: string): Pick<SessionDocument, 'documentId' | 'docType' | 'createdAt'>[] {
    const rows = this.db
      .prepare('SELECT document_id, doc_type, created_at FROM session_documents WHERE owner = ? ORDER BY created_at DESC')
      .all(owner) as { document_id: string; doc_type: DocType; created_at: string }[];
    return rows.map((r) => ({ documentId: r.document_id, docType: r.doc_type, createdAt: r.created_at }));
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
