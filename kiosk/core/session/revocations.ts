/**
 * The revocation list the kiosk enforces offline: received from the server as a push, checked against
 * the pinned CA's signature (the relay is not trusted with it), kept in the kiosk database.
 */
import { verifyCaSignature } from '../../../sync-server/protocol/card-certificate.ts';
import { revocationSigningPayload } from '../../../sync-server/protocol/revocation.ts';
import type { RevocationList } from '../../../sync-server/protocol/revocation.ts';
import type { Db } from '../storage/db.ts';

export function revocationListSigned(list: RevocationList, caCertificate: Uint8Array): boolean {
  return verifyCaSignature(caCertificate, revocationSigningPayload(list), Buffer.from(list.signature, 'base64url'));
}

export class RevocationStore {
  private readonly lookup;

  constructor(private readonly db: Db) {
    this.lookup = db.prepare('SELECT 1 FROM revoked_cards WHERE card_serial = ?');
  }

  version(): number {
    return Number((this.db.prepare("SELECT value FROM meta WHERE key = 'revocations_version'").get() as { value: string }).value);
  }

  isRevoked(cardSerial: string): boolean {
    return this.lookup.get(cardSerial.toUpperCase()) !== undefined;
  }

  /** Replaces the list with a newer one; an older or equal version changes nothing (pushes are retried). */
  apply(list: RevocationList): 'applied' | 'stale' {
    return this.db.transaction(() => {
      if (list.version <= this.version()) return 'stale' as const;
      this.db.prepare('DELETE FROM revoked_cards').run();
      const insert = this.db.prepare('INSERT OR REPLACE INTO revoked_cards (card_serial, reason, revoked_at) VALUES (?, ?, ?)');
      for (const r of list.revoked) insert.run(r.cardSerial.toUpperCase(), r.reason, r.at);
      this.db.prepare("UPDATE meta SET value = ? WHERE key = 'revocations_version'").run(String(list.version));
      this.db.prepare("UPDATE meta SET value = ? WHERE key = 'revocations_issued_at'").run(list.issuedAt);
      return 'applied' as const;
    })();
  }
}
