/**
 * The revocation list the kiosk enforces offline: received from the server as a push, checked against
 * the pinned CA (the relay is not trusted with it), kept in the kiosk database.
 *
 * The server signs with its revocation-signing key and the list carries that key's certificate: the
 * chain (certificate → pinned CA, its validity, its one purpose) then the list's signature are checked
 * (protocol/revocation-signer.ts). A list signed by the CA key itself is accepted too.
 */
import { verifyRevocationList } from '../../../sync-server/protocol/revocation-signer.ts';
import type { RevocationListCheck } from '../../../sync-server/protocol/revocation-signer.ts';
import type { RevocationList } from '../../../sync-server/protocol/revocation.ts';
import type { Db } from '../storage/db.ts';

/** The list's chain and signature against the pinned CA; never throws (an unreadable CA refuses). */
export function checkRevocationList(list: RevocationList, caCertificate: Uint8Array, now: Date = new Date()): RevocationListCheck {
  try {
    return verifyRevocationList(list, { caCertificate, now });
  } catch (e) {
    return { ok: false, problem: 'foreign', detail: `the pinned CA cannot be read (${e instanceof Error ? e.message : String(e)})` };
  }
}

export function revocationListSigned(list: RevocationList, caCertificate: Uint8Array, now: Date = new Date()): boolean {
  return checkRevocationList(list, caCertificate, now).ok;
}

export type ReceivedRevocationList =
  | { outcome: 'applied' | 'stale'; signer: 'ca' | 'revocation-key' }
  | { outcome: 'refused'; problem: Exclude<RevocationListCheck, { ok: true }>['problem']; detail: string };

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

  /**
   * A list as pushed by the server: applied only once its chain and signature check against the pinned
   * CA; a refused one changes nothing.
   */
  receive(list: RevocationList, caCertificate: Uint8Array, now: Date = new Date()): ReceivedRevocationList {
    const check = checkRevocationList(list, caCertificate, now);
    if (!check.ok) return { outcome: 'refused', problem: check.problem, detail: check.detail };
    return { outcome: this.apply(list), signer: check.signer.kind };
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
