/** Numbered migrations of the kiosk database. Never edit a shipped one: add the next number. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
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
];
