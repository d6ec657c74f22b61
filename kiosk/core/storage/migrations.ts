/** Numbered migrations of the kiosk database. Never edit a shipped one: add the next number. */
import type { Database as Db } from 'better-sqlite3';
import { SEALED, sealValue } from './sealed-rows.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * Work that needs the data key (sealing rows), run after `sql` in the same transaction. A database
   * opened without the key stops before such a migration; the outbox, which has the key, completes it.
   */
  withKey?: (db: Db, key: Buffer) => void;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'outbox',
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT INTO meta (key, value) VALUES ('last_seq', '0'), ('last_acked_seq', '0'), ('last_acked_id', '');

      -- one row per mutation waiting for the server's acknowledgement (DESIGN.md §5)
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        body TEXT NOT NULL,
        blobs TEXT NOT NULL,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
      );

      -- encrypted, content-addressed files referenced by queued mutations
      CREATE TABLE blobs (
        sha256 TEXT PRIMARY KEY,
        mime TEXT NOT NULL,
        size INTEGER NOT NULL,
        refs INTEGER NOT NULL DEFAULT 0,
        upload_url TEXT,
        uploaded INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
      );

      -- what the open session has deposited, so it shows at once even offline; purged at session end
      CREATE TABLE session_documents (
        document_id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        doc_type TEXT NOT NULL,
        fields TEXT NOT NULL,
        seq INTEGER NOT NULL,
        created_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'revocations',
    sql: `
      -- the last revocation list received from the server (signed by the platform CA), enforced offline
      CREATE TABLE revoked_cards (card_serial TEXT PRIMARY KEY, reason TEXT NOT NULL, revoked_at TEXT NOT NULL);
      INSERT INTO meta (key, value) VALUES ('revocations_version', '0'), ('revocations_issued_at', '');
    `,
  },
  {
    version: 3,
    name: 'device-and-pushes',
    sql: `
      -- this kiosk's device identity (sync/device.ts): its ECDSA P-256 key pair, the private key sealed
      -- (AES-256-GCM) with the data key of the KeyProvider; 'pending' until the server accepted the key
      CREATE TABLE device (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        state TEXT NOT NULL CHECK (state IN ('pending', 'enrolled', 'revoked')),
        public_key TEXT NOT NULL,
        private_key_sha256 TEXT NOT NULL,
        sealed_private_key BLOB NOT NULL,
        kiosk_id TEXT,
        name TEXT,
        institution_id TEXT,
        server_url TEXT,
        created_at TEXT NOT NULL,
        enrolled_at TEXT
      );
      -- server pushes already handled, with the answer given: a repeated push is answered the same way
      -- without being applied twice (sync/push-ledger.ts)
      CREATE TABLE processed_pushes (
        push_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        ack TEXT NOT NULL,
        processed_at TEXT NOT NULL
      );
      CREATE INDEX processed_pushes_at ON processed_pushes (processed_at);
      -- the settings staff pushed to this kiosk (KioskSettings) and their version
      INSERT INTO meta (key, value) VALUES ('config_version', '0'), ('config', '{}');
    `,
  },
  {
    version: 4,
    name: 'sealed-rows',
    // personal data at rest is sealed with the data key (storage/sealed-rows.ts): the mutation body and
    // its last error, and the session cache's owner, type and fields; the rows already there are sealed
    // in this same transaction, and the clear tables dropped (then scrubbed: see migrate)
    sql: `
      CREATE TABLE outbox_sealed (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        body BLOB NOT NULL,
        blobs TEXT NOT NULL,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error BLOB
      );
      CREATE TABLE session_documents_sealed (
        document_id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        sealed BLOB NOT NULL
      );
    `,
    withKey(db, key) {
      const outbox = db.prepare('SELECT * FROM outbox ORDER BY seq').all() as {
        seq: number; id: string; type: string; body: string; blobs: string; created_at: string; attempts: number; last_error: string | null;
      }[];
      const putOutbox = db.prepare('INSERT INTO outbox_sealed (seq, id, type, body, blobs, created_at, attempts, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      for (const r of outbox) {
        putOutbox.run(r.seq, r.id, r.type, sealValue(key, SEALED.outboxBody(r.id), r.body), r.blobs, r.created_at, r.attempts,
          r.last_error === null ? null : sealValue(key, SEALED.outboxError(r.id), r.last_error));
      }
      const docs = db.prepare('SELECT * FROM session_documents').all() as {
        document_id: string; owner: string; doc_type: string; fields: string; seq: number; created_at: string;
      }[];
      const putDoc = db.prepare('INSERT INTO session_documents_sealed (document_id, seq, created_at, sealed) VALUES (?, ?, ?, ?)');
      for (const d of docs) {
        const plain = JSON.stringify({ owner: d.owner, docType: d.doc_type, fields: JSON.parse(d.fields) as unknown });
        putDoc.run(d.document_id, d.seq, d.created_at, sealValue(key, SEALED.sessionDocument(d.document_id), plain));
      }
      db.exec(`
        DROP TABLE outbox;
        ALTER TABLE outbox_sealed RENAME TO outbox;
        DROP TABLE session_documents;
        ALTER TABLE session_documents_sealed RENAME TO session_documents;
      `);
    },
  },
  {
    version: 5,
    name: 'card notices: what a session lost when it ended mid-capture, sealed, told to that card at its next login',
    sql: `
      -- card_key: an HMAC of the card serial under the data key (the serial is not kept in clear);
      -- sealed: the paper types lost and kept and why the session ended, nothing else (no image, no field)
      CREATE TABLE card_notices (
        id TEXT PRIMARY KEY,
        card_key TEXT NOT NULL,
        created_at TEXT NOT NULL,
        sealed BLOB NOT NULL
      );
      CREATE INDEX card_notices_by_card ON card_notices (card_key);
    `,
  },
  {
    version: 6,
    name: 'directory: the kiosk copy of the directory of institutions, for the map and where to get a paper, offline too',
    sql: `
      -- public data (offices, addresses, opening hours), nothing of a person: kept in clear. body: the
      -- protocol's Institution as the server sent it (canonical JSON); name for the order of the list
      CREATE TABLE directory (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        body TEXT NOT NULL
      );
      -- the server's cursor of the last answer applied ('' before the first), and when it was applied
      INSERT INTO meta (key, value) VALUES ('directory_cursor', ''), ('directory_synced_at', '');
    `,
  },
];
