/**
 * The kiosk's copy of the directory of institutions (DESIGN.md §2: the map of institutions works
 * offline). Kept in the kiosk database (`directory`, migration 6): public data, in clear. Brought up to
 * date by `directory:sync` — by difference since the cursor of the last answer applied, or whole when the
 * server says so — at start, whenever the sync connects, and every few hours; `institutions.list`
 * answers from it, online or not.
 */
import { z } from 'zod';
import { canonicalJson } from '../../../sync-server/protocol/canonical-json.ts';
import type { Json } from '../../../sync-server/protocol/canonical-json.ts';
import { VAULT_EVENTS, Institution } from '../../../sync-server/protocol/vault.ts';
import type { DirectorySyncAck } from '../../../sync-server/protocol/vault.ts';
import { KioskError } from '../../contract/schema.ts';
import type { InstitutionItem } from '../../contract/schema.ts';
import type { Logger } from '../log.ts';
import type { Db } from '../storage/db.ts';
import type { SyncClient } from '../sync/client.ts';
import { VAULT_WORDS } from '../words.ts';

/** How often an online kiosk asks for the directory's changes (also at start and at each connection). */
export const DIRECTORY_REFRESH_MS = 4 * 3600_000;
const TIMEOUT_MS = 30_000;

/** What the screens get of an entry: the contract's InstitutionItem (postcode and city in one line). */
export function institutionItem(i: Institution): InstitutionItem {
  return {
    id: i.id,
    kind: i.kind,
    name: i.name,
    address: i.address,
    city: `${i.postcode} ${i.city}`.trim(),
    ...(i.lat !== null && i.lon !== null ? { lat: i.lat, lon: i.lon } : {}),
    ...(i.phone !== undefined ? { phone: i.phone } : {}),
    ...(i.email !== undefined ? { email: i.email } : {}),
    ...(i.website !== undefined ? { website: i.website } : {}),
    ...(i.hours !== undefined ? { hours: i.hours } : {}),
    ...(i.hoursNote !== undefined ? { hoursNote: i.hoursNote } : {}),
    ...(i.communes !== undefined ? { communes: i.communes } : {}),
    ...(i.source !== undefined ? { source: i.source } : {}),
  };
}

export class DirectoryStore {
  /** the list as last read, until the next answer is applied (the map asks for it often) */
  private cached: InstitutionItem[] | null = null;

  constructor(private readonly db: Db) {}

  /** The cursor to send: null when the kiosk has no copy yet. */
  cursor(): string | null {
    const v = (this.db.prepare("SELECT value FROM meta WHERE key = 'directory_cursor'").get() as { value: string } | undefined)?.value ?? '';
    return v === '' ? null : v;
  }

  /** When the copy was last brought up to date (ISO), null before the first time. */
  syncedAt(): string | null {
    const v = (this.db.prepare("SELECT value FROM meta WHERE key = 'directory_synced_at'").get() as { value: string } | undefined)?.value ?? '';
    return v === '' ? null : v;
  }

  /** The offices someone reads, as the server last said (null: it never said). */
  private receivers(): Set<string> | null {
    const v = (this.db.prepare("SELECT value FROM meta WHERE key = 'directory_receivers'").get() as { value: string } | undefined)?.value;
    if (v === undefined) return null;
    const parsed = z.array(z.string()).safeParse(JSON.parse(v));
    return parsed.success ? new Set(parsed.data) : null;
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM directory').get() as { n: number }).n;
  }

  /** Applies one answer in one transaction: a whole directory replaces the copy; a difference updates it. */
  apply(ack: Extract<DirectorySyncAck, { ok: true }>, now: Date = new Date()): { upserted: number; removed: number } {
    const put = this.db.prepare('INSERT INTO directory (id, name, body) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET name = excluded.name, body = excluded.body');
    const drop = this.db.prepare('DELETE FROM directory WHERE id = ?');
    const meta = this.db.prepare('UPDATE meta SET value = ? WHERE key = ?');
    this.cached = null;
    return this.db.transaction(() => {
      let removed = 0;
      if (ack.full) removed = this.db.prepare('DELETE FROM directory').run().changes;
      for (const i of ack.institutions) put.run(i.id, i.name, canonicalJson(i as unknown as Json));
      for (const id of ack.removed) removed += drop.run(id).changes;
      meta.run(ack.cursor, 'directory_cursor');
      meta.run(now.toISOString(), 'directory_synced_at');
      // who reads what persons send comes whole with every answer (accounts change apart from the directory)
      if (ack.receivers !== undefined) {
        this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run('directory_receivers', JSON.stringify(ack.receivers));
      }
      return { upserted: ack.institutions.length, removed };
    })();
  }

  /** The copy, by name; a row that no longer reads as an Institution is left out (and said). */
  list(logger?: Logger): InstitutionItem[] {
    if (this.cached) return this.cached;
    const rows = this.db.prepare('SELECT id, body FROM directory ORDER BY name, id').all() as { id: string; body: string }[];
    const receivers = this.receivers();
    const out: InstitutionItem[] = [];
    for (const r of rows) {
      const parsed = Institution.safeParse(JSON.parse(r.body));
      if (parsed.success) out.push({ ...institutionItem(parsed.data), ...(receivers === null ? {} : { receivesPapers: receivers.has(r.id) }) });
      else logger?.warn({ id: r.id }, 'directory entry unreadable: left out');
    }
    this.cached = out;
    return out;
  }
}

export interface DirectoryKeeperOptions {
  store: DirectoryStore;
  sync: Pick<SyncClient, 'request' | 'onStatus' | 'status'>;
  logger: Logger;
  refreshMs?: number;
}

/** Keeps the copy up to date while the kiosk runs. */
export class DirectoryKeeper {
  private running: Promise<boolean> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private wasOnline = false;
  /** whether the server refused the last exchange (rather than it not taking place) */
  private refused = false;

  constructor(private readonly opts: DirectoryKeeperOptions) {}

  start(): void {
    this.wasOnline = this.opts.sync.status().online;
    this.unsubscribe = this.opts.sync.onStatus((s) => {
      // each time the server is back, the changes it has for us
      if (s.online && !this.wasOnline) void this.refresh();
      this.wasOnline = s.online;
    });
    this.timer = setInterval(() => void this.refresh(), this.opts.refreshMs ?? DIRECTORY_REFRESH_MS);
    this.timer.unref();
    if (this.wasOnline) void this.refresh();
  }

  stop(): void {
    this.unsubscribe?.();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One exchange with the server (never two at once); true when the copy was brought up to date. */
  refresh(): Promise<boolean> {
    this.running ??= this.exchange().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async exchange(): Promise<boolean> {
    if (!this.opts.sync.status().online) return false;
    try {
      const ack = await this.opts.sync.request(VAULT_EVENTS.directory, { cursor: this.opts.store.cursor() }, TIMEOUT_MS);
      if (!ack.ok) {
        this.refused = true;
        // the server's message says what staff should do (too-large: a smaller area)
        this.opts.logger.warn({ code: ack.error.code, message: ack.error.message }, 'directory sync refused by the server');
        return false;
      }
      this.refused = false;
      const r = this.opts.store.apply(ack);
      if (ack.full || r.upserted + r.removed > 0) this.opts.logger.info({ full: ack.full, ...r, entries: this.opts.store.count() }, 'directory copy brought up to date');
      return true;
    } catch (err) {
      this.opts.logger.info({ err: err instanceof Error ? err.message : String(err) }, 'directory sync failed: the copy is kept as it is');
      return false;
    }
  }

  /**
   * What `institutions.list` answers: the copy. A kiosk without one yet (its first start) asks the
   * server first; offline with no copy at all, or refused one by the server, it says so.
   */
  async institutions(): Promise<InstitutionItem[]> {
    if (this.opts.store.cursor() === null) await this.refresh();
    if (this.opts.store.cursor() === null) {
      // online but refused: no use telling the person to find a connection
      if (this.refused) throw new KioskError('not-found', VAULT_WORDS.directoryUnavailable);
      throw new KioskError('offline', VAULT_WORDS.directoryOffline);
    }
    return this.opts.store.list(this.opts.logger);
  }
}
