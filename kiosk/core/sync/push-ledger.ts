/**
 * The kiosk's memory of server pushes (DESIGN.md §5: pushes are acknowledged, retried, idempotent).
 * The server sends a push again, with the same id, until it hears the acknowledgement; so the kiosk
 * records each push id it handled with the answer it gave, and answers a repeated push the same way
 * without applying it again. Settings pushed by staff are kept here too, with their version.
 */
import { ConfigPushBody, KioskSettings, PushAck } from '../../../sync-server/protocol/socket.ts';
import type { PushKind } from '../../../sync-server/protocol/socket.ts';
import type { Db } from '../storage/db.ts';

/** Handled push ids are forgotten after this long (the server stops resending long before). */
export const LEDGER_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

export class PushLedger {
  constructor(private readonly db: Db) {}

  /** The answer given to this push before, if it was handled. */
  answered(pushId: string): PushAck | null {
    const r = this.db.prepare('SELECT ack FROM processed_pushes WHERE push_id = ?').get(pushId) as { ack: string } | undefined;
    if (!r) return null;
    const parsed = PushAck.safeParse(JSON.parse(r.ack));
    return parsed.success ? parsed.data : { ok: true };
  }

  record(pushId: string, kind: PushKind, ack: PushAck): void {
    this.db
      .prepare('INSERT INTO processed_pushes (push_id, kind, ack, processed_at) VALUES (?, ?, ?, ?) ON CONFLICT(push_id) DO UPDATE SET ack = excluded.ack')
      .run(pushId, kind, JSON.stringify(ack), new Date().toISOString());
  }

  /** The settings staff pushed (version 0, empty: none yet). */
  settings(): { version: number; settings: KioskSettings } {
    const rows = this.db.prepare("SELECT key, value FROM meta WHERE key IN ('config_version', 'config')").all() as { key: string; value: string }[];
    const get = (k: string) => rows.find((r) => r.key === k)?.value;
    const parsed = KioskSettings.safeParse(JSON.parse(get('config') ?? '{}'));
    return { version: Number(get('config_version') ?? 0), settings: parsed.success ? parsed.data : {} };
  }

  /**
   * Stores pushed settings and records the push in one transaction. An older or equal version is
   * acknowledged without being applied ('stale').
   */
  applySettings(pushId: string, body: ConfigPushBody): 'applied' | 'stale' {
    const checked = ConfigPushBody.parse(body);
    return this.db.transaction(() => {
      const current = this.settings();
      const outcome = checked.version > current.version ? 'applied' : 'stale';
      if (outcome === 'applied') {
        this.db.prepare("UPDATE meta SET value = ? WHERE key = 'config_version'").run(String(checked.version));
        this.db.prepare("UPDATE meta SET value = ? WHERE key = 'config'").run(JSON.stringify(checked.settings));
      }
      this.record(pushId, 'config', { ok: true });
      return outcome;
    })();
  }

  /** Forgets old push ids (run now and then). */
  purge(now: Date = new Date()): number {
    const cutoff = new Date(now.getTime() - LEDGER_RETENTION_MS).toISOString();
    return this.db.prepare('DELETE FROM processed_pushes WHERE processed_at < ?').run(cutoff).changes;
  }
}
