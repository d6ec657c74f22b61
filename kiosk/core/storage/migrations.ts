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
];
