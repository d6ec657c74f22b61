/**
 * What a session lost: papers photographed but not yet put in the outbox when the session ended (the
 * card pulled, inactivity, "Terminer"). They cannot be kept — the images live only in memory and the
 * card that must sign them is gone — so the person is told at their next login with that card, once:
 * which papers were lost, and which of that session's papers were kept (already sealed in the outbox).
 *
 * Kept in the kiosk database, sealed (storage/sealed-rows.ts), bound to its row: the paper types and the
 * reason only — no image, no field, no name. The card is found by an HMAC of its serial under the data
 * key, so the serial is not on disk in clear either. Old notices (never collected) go after RETENTION_DAYS.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { DocType } from '../../../sync-server/protocol/common.ts';
import { LossNotice } from '../../contract/schema.ts';
import type { Db } from '../storage/db.ts';
import type { KeyProvider } from '../storage/keys.ts';
import { SealedDataError, openValue, sealValue } from '../storage/sealed-rows.ts';
import type { RowPlace } from '../storage/sealed-rows.ts';

const RETENTION_DAYS = 90;

const place = (id: string): RowPlace => ({ table: 'card_notices', column: 'sealed', rowId: id });

const Sealed = z.object({ reason: LossNotice.shape.reason, lost: z.array(DocType).min(1), kept: z.array(DocType) });
type Sealed = z.infer<typeof Sealed>;

/**
 * Pure: the notice a session's end leaves for its card, or null when nothing was lost. The papers the
 * session had already put in the outbox are kept; those still being checked on screen are lost.
 */
export function lossOf(end: { reason: Sealed['reason']; unsaved: readonly DocType[]; queued: readonly DocType[] }): Sealed | null {
  if (end.unsaved.length === 0) return null;
  return { reason: end.reason, lost: [...end.unsaved], kept: [...end.queued] };
}

export class CardLosses {
  constructor(
    private readonly db: Db,
    private readonly keys: KeyProvider,
  ) {
    const cutoff = new Date(Date.now() - RETENTION_DAYS * 86_400_000).toISOString();
    this.db.prepare('DELETE FROM card_notices WHERE created_at < ?').run(cutoff);
  }

  private cardKey(cardSerial: string): string {
    return createHmac('sha256', this.keys.dataKey()).update(`fac-card-notice/1\0${cardSerial}`).digest('hex');
  }

  /** Leaves the notice for the card (nothing when nothing was lost). */
  record(cardSerial: string, loss: Sealed | null): void {
    if (!loss) return;
    const value = Sealed.parse(loss);
    const id = randomUUID();
    this.db
      .prepare('INSERT INTO card_notices (id, card_key, created_at, sealed) VALUES (?, ?, ?, ?)')
      .run(id, this.cardKey(cardSerial), new Date().toISOString(), sealValue(this.keys.dataKey(), place(id), JSON.stringify(value)));
  }

  /**
   * The card's notices, oldest first, taken out of the database (each is told once). A row that does not
   * open (changed on disk, another key) is dropped unread: it cannot be told, and must not be kept for ever.
   */
  take(cardSerial: string): LossNotice[] {
    const rows = this.db.prepare('SELECT id, created_at, sealed FROM card_notices WHERE card_key = ? ORDER BY created_at').all(this.cardKey(cardSerial)) as {
      id: string;
      created_at: string;
      sealed: Buffer;
    }[];
    const key = this.keys.dataKey();
    const out: LossNotice[] = [];
    for (const r of rows) {
      try {
        const v = Sealed.safeParse(JSON.parse(openValue(key, place(r.id), r.sealed)));
        if (v.success) out.push({ id: r.id, at: r.created_at, ...v.data });
      } catch (err) {
        if (!(err instanceof SealedDataError) && !(err instanceof SyntaxError)) throw err;
      }
    }
    const del = this.db.prepare('DELETE FROM card_notices WHERE id = ?');
    this.db.transaction(() => rows.forEach((r) => del.run(r.id)))();
    return out;
  }
}
