/**
 * Card sessions: attract screen → card inserted → identifier read (SELECT, GET DATA) → holder greeted →
 * PIN verified on the card → session. Removing the card ends the session at once (DESIGN.md §4).
 *
 * Card operations are asynchronous and the card can leave at any moment: every step checks that the
 * card it started with is still the current one (the `generation` counter) before touching the state.
 */
import { EventEmitter } from 'node:events';
import { OpenPgpCard, ReaderManager } from '../../../drivers/pcsc/index.ts';
import type { CardConnection } from '../../../drivers/pcsc/index.ts';
import { checkIdentifier } from '../../../sync-server/protocol/identifier.ts';
import { KioskError } from '../../contract/schema.ts';
import type { CardProblem, KioskState } from '../../contract/schema.ts';
import type { Logger } from '../log.ts';

export interface Holder {
  firstName: string;
  role: 'beneficiary' | 'agent';
}

export interface OpenSession {
  identifier: string;
  cardSerial: string;
  firstName: string;
  role: Holder['role'];
  openedAt: Date;
}

export type HolderLookup = (identifier: string) => Promise<Holder | 'unknown' | 'offline'>;

export interface SessionManagerOptions {
  /** substring of the reader's name (the card-holder box); empty = the first reader that shows a card */
  reader: string;
  lookup: HolderLookup;
  logger: Logger;
  readers?: ReaderManager;
}

interface CardInHand {
  reader: string;
  conn: CardConnection;
  card: OpenPgpCard;
  serial: string;
  identifier: string;
  holder: Holder;
}

type Events = { state: [KioskState]; ended: [] };

export class SessionManager extends EventEmitter<Events> {
  private readonly readers: ReaderManager;
  private current: KioskState = { screen: 'attract' };
  private generation = 0;
  private inHand: CardInHand | null = null;
  private session: OpenSession | null = null;
  private activeReader: string | null = null;

  constructor(private readonly opts: SessionManagerOptions) {
    super();
    this.readers = opts.readers ?? new ReaderManager({ logger: opts.logger });
    this.readers.on('card-inserted', ({ reader }) => {
      if (this.matches(reader)) void this.onInserted(reader);
    });
    this.readers.on('card-removed', ({ reader }) => {
      if (reader === this.activeReader) this.onRemoved();
    });
    this.readers.on('reader-removed', (reader) => {
      if (reader === this.activeReader) this.onRemoved();
    });
  }

  start(): void {
    this.readers.start();
  }

  async close(): Promise<void> {
    this.endSession();
    await this.readers.close();
  }

  get state(): KioskState {
    return this.current;
  }

  /** The open session, or null. */
  get open(): OpenSession | null {
    return this.session;
  }

  requireSession(): OpenSession {
    if (!this.session) throw new KioskError('no-session', 'Insérez votre carte pour continuer.');
    return this.session;
  }

  async submitPin(pin: string): Promise<{ outcome: 'open' } | { outcome: 'wrong'; triesLeft: number } | { outcome: 'blocked' }> {
    const hand = this.inHand;
    if (!hand || this.current.screen !== 'pin') throw new KioskError('no-session', 'Insérez votre carte pour continuer.');
    const gen = this.generation;
    const r = await this.cardStep(() => hand.card.verifyPin(pin, 0x82));
    if (gen !== this.generation) throw new KioskError('no-session', 'La carte a été retirée.');
    if (r.ok) {
      this.session = {
        identifier: hand.identifier,
        cardSerial: hand.serial,
        firstName: hand.holder.firstName,
        role: hand.holder.role,
        openedAt: new Date(),
      };
      this.opts.logger.info({ serial: hand.serial, role: hand.holder.role }, 'session opened');
      this.setState({ screen: 'session', firstName: hand.holder.firstName, role: hand.holder.role });
      return { outcome: 'open' };
    }
    if ('blocked' in r) {
      this.opts.logger.warn({ serial: hand.serial }, 'PIN blocked');
      this.setState({ screen: 'card-problem', problem: 'blocked' });
      return { outcome: 'blocked' };
    }
    this.opts.logger.info({ serial: hand.serial, triesLeft: r.triesLeft }, 'wrong PIN');
    this.setState({ screen: 'pin', firstName: hand.holder.firstName, triesLeft: r.triesLeft });
    return { outcome: 'wrong', triesLeft: r.triesLeft };
  }

  /** The person pressed "Terminer": the session ends, the card stays until they take it. */
  finish(): void {
    if (!this.inHand) return;
    this.endSession();
    this.setState({ screen: 'remove-card' });
  }

  private matches(reader: string): boolean {
    if (this.activeReader) return reader === this.activeReader;
    return this.opts.reader === '' || reader.includes(this.opts.reader);
  }

  private async onInserted(reader: string): Promise<void> {
    const gen = ++this.generation;
    this.activeReader = reader;
    this.setState({ screen: 'reading' });
    const started = performance.now();
    let conn: CardConnection | null = null;
    try {
      conn = await this.readers.connect(reader);
      const card = await OpenPgpCard.select(conn);
      const aid = await card.readAid();
      const login = await card.readLoginData();
      const id = checkIdentifier(login);
      if (gen !== this.generation) return void (await conn.disconnect().catch(() => undefined));
      if (!id.ok) return this.refuse(gen, 'unknown', { serial: aid.serial, reason: `identifier ${id.reason}` }, conn);
      const found = await this.opts.lookup(id.identifier);
      if (gen !== this.generation) return void (await conn.disconnect().catch(() => undefined));
      if (found === 'unknown' || found === 'offline') return this.refuse(gen, found, { serial: aid.serial }, conn);
      const pw = await card.readPwStatus();
      if (gen !== this.generation) return void (await conn.disconnect().catch(() => undefined));
      this.inHand = { reader, conn, card, serial: aid.serial, identifier: id.identifier, holder: found };
      this.opts.logger.info({ serial: aid.serial, ms: Math.round(performance.now() - started) }, 'card read');
      if (pw.pw1Tries === 0) this.setState({ screen: 'card-problem', problem: 'blocked' });
      else this.setState({ screen: 'pin', firstName: found.firstName, triesLeft: Math.min(3, pw.pw1Tries) });
    } catch (err) {
      this.opts.logger.warn({ err: err instanceof Error ? err.message : String(err), reader }, 'card read failed');
      if (gen === this.generation) await this.refuse(gen, 'unreadable', {}, conn);
    }
  }

  private async refuse(gen: number, problem: CardProblem, detail: Record<string, unknown>, conn: CardConnection | null): Promise<void> {
    this.opts.logger.warn({ problem, ...detail }, 'card refused');
    await conn?.disconnect().catch(() => undefined);
    if (gen === this.generation) this.setState({ screen: 'card-problem', problem });
  }

  private onRemoved(): void {
    this.generation++;
    this.activeReader = null;
    this.endSession();
    this.setState({ screen: 'attract' });
  }

  private endSession(): void {
    const hand = this.inHand;
    this.inHand = null;
    if (this.session) this.opts.logger.info({ serial: this.session.cardSerial }, 'session ended');
    this.session = null;
    void hand?.conn.disconnect().catch(() => undefined);
    this.emit('ended');
  }

  private async cardStep<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      this.opts.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'card command failed');
      throw new KioskError('transport', "La carte n'a pas répondu. Retirez-la et remettez-la.");
    }
  }

  private setState(s: KioskState): void {
    this.current = s;
    this.emit('state', s);
  }
}
