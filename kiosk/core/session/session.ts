/**
 * Card sessions (DESIGN.md §4), offline by design:
 *   attract → card in → certificate checked (pinned CA, validity, revocation list, this card's serial)
 *   → "Bonjour <prénom>" (from the certificate) → PIN on screen → VERIFY → INTERNAL AUTHENTICATE over a
 *   fresh nonce, checked against the certificate's key → session.
 * An agent's session can take a beneficiary's card in the second slot (their own PIN, their consent): the
 * session then holds both identities. Removing the main card ends everything at once; the box's
 * card-present switch reports it before pcscd does. Inactivity ends the session after a countdown.
 *
 * Card operations are asynchronous and a card can leave at any moment: every step checks that the card
 * it started with is still the current one (a per-slot generation counter) before touching the state.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { checkCardCertificate } from '../../../sync-server/protocol/card-certificate.ts';
import { CARD_PIN_LENGTH, isCardPin } from '../../../sync-server/protocol/card-pin.ts';
import { cardsOfGround, proofMessage, referencedBlobs } from '../../../sync-server/protocol/mutations.ts';
import type { Ground, MutationBody, ProvableAct, WriteProof } from '../../../sync-server/protocol/mutations.ts';
import type { ProcurationAction } from '../../../sync-server/protocol/procuration.ts';
import { loginMessage } from '../../../sync-server/protocol/vault.ts';
import type { CardCertificateInfo } from '../../../sync-server/protocol/card-certificate.ts';
import { OpenPgpCard, ReaderManager, isPcscError, verifyP256Signature } from '../../../drivers/pcsc/index.ts';
import type { CardConnection } from '../../../drivers/pcsc/index.ts';
import { KioskError } from '../../contract/schema.ts';
import type { CardProblem, KioskState, Role } from '../../contract/schema.ts';
import type { Logger } from '../log.ts';
import { IdleTimer } from './idle.ts';
import { indicatorOf, screenOf } from './screen.ts';
import type { EndReason, Indicator, Phase, SlotView } from './screen.ts';
import type { PinnedCa } from './trust.ts';
import { CARD_WORDS } from '../words.ts';

export type Slot = 'main' | 'second';
export type { Indicator };

/** What the session needs of the card-holder box (drivers/hid CardBox fits). */
export interface BoxLink {
  on(event: 'card-present', listener: (e: { slot: 0 | 1; present: boolean }) => void): unknown;
  setIndicator(state: Indicator): Promise<void>;
  setLatch(locked: boolean): Promise<void>;
}

export interface Holder {
  identifier: string;
  cardSerial: string;
  firstName: string;
  /** from the card's certificate: a paper in another name is asked about (capture.ts) */
  lastName: string;
  role: Role;
}

export interface OpenSession extends Holder {
  openedAt: Date;
  /** the beneficiary who joined an agent's session with their own card and PIN */
  companion: (Holder & { joinedAt: Date }) | null;
  /** the person an agent alone acts for, on the procuration that person signed */
  actingFor: ActingFor | null;
}

/**
 * An agent alone at the box acting for one person of their caseload: the server opened a session on that
 * person's vault on the procuration (procurations:act) and decides every call on it again; the agent's
 * card proves each write. The person is not there: no card of theirs, so nothing is signed in their name.
 */
export interface ActingFor {
  procurationId: string;
  identifier: string;
  firstName: string;
  lastName: string;
  /** the procuration's last day */
  until: string;
  /** what the person allowed (the server refuses anything else, whatever the kiosk shows) */
  actions: readonly ProcurationAction[];
}

/** Whose vault the session acts on: the person's identifier and name, and their card when it is in the box. */
export interface Subject {
  identifier: string;
  firstName: string;
  lastName: string;
  /** null when an agent acts for the person on a procuration (their card is not there) */
  cardSerial: string | null;
}

export interface SessionManagerOptions {
  readers: { main: string; second: string };
  /** the pinned platform CA; null = not installed (every card is refused, loudly in the log) */
  trust: () => PinnedCa | null;
  isRevoked: (cardSerial: string) => boolean;
  /** this kiosk's id as the server knows it (the enrolled one): what a card's login signature is bound to */
  kioskId: string | (() => string);
  logger: Logger;
  idle: { timeoutMs: number; warningMs: number };
  box?: BoxLink;
  readerManager?: ReaderManager;
  now?: () => Date;
  /** how long the box may report a card before pcscd sees it */
  presenceGraceMs?: number;
  /** a nonce from the server, when online, so that the card's login signature also opens the server session */
  serverChallenge?: () => Promise<Uint8Array | null>;
  /** a card proved itself (PIN + challenge): the core opens the person's session on the server with this */
  onAuthenticated?: (proof: CardProof) => void;
}

/** What the card signed at login, for the server to check again (it trusts no kiosk with a person's vault). */
export interface CardProof {
  slot: Slot;
  cardSerial: string;
  certificate: Uint8Array;
  kioskNonce: Uint8Array;
  serverNonce: Uint8Array;
  signature: Uint8Array;
}

/** A write ready for the outbox: its id, and the signatures of the cards its ground names. */
export interface SignedWrite {
  id: string;
  body: MutationBody;
  proof: WriteProof;
}

interface CardInHand {
  reader: string;
  conn: CardConnection;
  card: OpenPgpCard;
  info: CardCertificateInfo;
  certificate: Uint8Array;
  /** fetched while the person types the PIN */
  serverNonce: Promise<Uint8Array | null>;
}

interface SlotState {
  gen: number;
  phase: Phase;
  reader: string | null;
  hand: CardInHand | null;
  problem: CardProblem | null;
  triesLeft: number;
  presenceTimer: NodeJS.Timeout | null;
}

type Events = { state: [KioskState]; ended: []; 'companion-ended': []; idle: [number | null] };

export class SessionManager extends EventEmitter<Events> {
  private readonly readers: ReaderManager;
  private readonly slots: Record<Slot, SlotState> = { main: emptySlot(), second: emptySlot() };
  private current: KioskState = { screen: 'attract' };
  private session: OpenSession | null = null;
  private removeReason: EndReason = 'finished';
  private readonly idle: IdleTimer;
  private indicator: Indicator | null = null;
  /** how long the last card took to read and check, from pcscd's insertion event (for the bench) */
  lastReadMs = 0;

  constructor(private readonly opts: SessionManagerOptions) {
    super();
    this.readers = opts.readerManager ?? new ReaderManager({ logger: opts.logger });
    this.readers.on('card-inserted', ({ reader }) => {
      const slot = this.slotOf(reader);
      if (slot) void this.onInserted(slot, reader);
    });
    this.readers.on('card-removed', ({ reader }) => {
      const slot = this.slotOf(reader);
      if (slot && this.slots[slot].reader === reader) this.onRemoved(slot, 'pcsc');
    });
    this.readers.on('reader-removed', (reader) => {
      const slot = this.slotOf(reader);
      if (slot && this.slots[slot].reader === reader) this.onRemoved(slot, 'reader gone');
    });
    opts.box?.on('card-present', ({ slot, present }) => this.onSwitch(slot === 0 ? 'main' : 'second', present));
    this.idle = new IdleTimer({
      timeoutMs: opts.idle.timeoutMs,
      warningMs: opts.idle.warningMs,
      onWarning: (s) => this.emit('idle', s),
      onTimeout: () => this.onIdle(),
    });
  }

  start(): void {
    this.readers.start();
    this.render();
  }

  async close(): Promise<void> {
    this.idle.stop();
    this.endAll();
    await this.readers.close();
  }

  get state(): KioskState {
    return this.current;
  }

  private kioskId(): string {
    const k = this.opts.kioskId;
    return typeof k === 'string' ? k : k();
  }

  /** New inactivity settings (pushed by staff); a running countdown starts again with them. */
  setIdle(idle: { timeoutMs: number; warningMs: number }): void {
    this.idle.configure(idle);
  }

  /** Why the last session (or the beneficiary's part of it) ended: finished, idle, or a card pulled. */
  get lastEndReason(): EndReason {
    return this.removeReason;
  }

  get open(): OpenSession | null {
    return this.session;
  }

  requireSession(): OpenSession {
    if (!this.session) throw new KioskError('no-session', CARD_WORDS.insert);
    return this.session;
  }

  /** Whose vault the session acts on: the beneficiary at the box (alone, or joined to an agent), or the person an agent acts for. */
  subject(): Subject {
    const s = this.requireSession();
    if (s.role === 'beneficiary') return s;
    if (s.companion) return s.companion;
    if (s.actingFor) return { identifier: s.actingFor.identifier, firstName: s.actingFor.firstName, lastName: s.actingFor.lastName, cardSerial: null };
    throw new KioskError('no-session', CARD_WORDS.companionFirst);
  }

  /** The person an agent alone acts for, if any. */
  get actingFor(): ActingFor | null {
    return this.session?.actingFor ?? null;
  }

  /** The agent alone starts acting for a person of their caseload (the server opened that session). */
  actFor(a: ActingFor): void {
    const s = this.requireSession();
    if (s.role !== 'agent' || s.companion) throw new KioskError('invalid-request', CARD_WORDS.actAlone);
    s.actingFor = a;
    this.opts.logger.info({ procurationId: a.procurationId }, 'agent acting for a person on a procuration');
    this.idle.touch();
    this.render();
  }

  /** The agent stops acting for the person: back to their own workspace. */
  stopActing(): void {
    const s = this.session;
    if (!s?.actingFor) return;
    this.opts.logger.info({ procurationId: s.actingFor.procurationId }, 'agent stopped acting for the person');
    s.actingFor = null;
    this.render();
  }

  /** "Je suis là", or any touch on the screen. */
  stillHere(): void {
    if (this.idle.running) this.idle.touch();
  }

  async submitPin(
    pin: string,
    purpose: 'login' | 'join' = 'login',
  ): Promise<{ outcome: 'open' } | { outcome: 'wrong'; triesLeft: number } | { outcome: 'blocked' }> {
    const slot: Slot = purpose === 'login' ? 'main' : 'second';
    const st = this.slots[slot];
    const hand = st.hand;
    if (!hand || st.phase !== 'pin') throw new KioskError('no-session', CARD_WORDS.insert);
    const gen = st.gen;
    const r = await this.verifyPw1(slot, hand, pin, 0x82);
    if (r.outcome === 'wrong') {
      st.triesLeft = r.triesLeft;
      this.render();
    }
    if (r.outcome !== 'verified') return r;
    // the PIN proves who types it; the challenge proves the card holds the certificate's key
    const nonce = randomBytes(32);
    const serverNonce = await hand.serverNonce;
    const message = loginMessage(this.kioskId(), nonce, serverNonce);
    const signature = await this.cardStep(slot, () => hand.card.internalAuthenticate(createHash('sha256').update(message).digest()));
    if (gen !== st.gen) throw new KioskError('no-session', CARD_WORDS.removed);
    if (!verifyP256Signature(hand.info.authPublicKey, message, signature)) {
      this.opts.logger.warn({ serial: hand.info.cardSerial, identifier: hand.info.identifier, slot }, 'card refused: challenge not signed by the certificate key (copy suspected)');
      this.refuse(slot, 'not-genuine');
      return { outcome: 'blocked' };
    }
    const holder: Holder = {
      identifier: hand.info.identifier,
      cardSerial: hand.info.cardSerial,
      firstName: hand.info.firstName,
      lastName: hand.info.lastName,
      role: hand.info.role,
    };
    st.phase = 'open';
    if (slot === 'main') {
      this.session = { ...holder, openedAt: new Date(), companion: null, actingFor: null };
      this.removeReason = 'finished';
      this.opts.logger.info({ serial: holder.cardSerial, role: holder.role }, 'session opened');
      void this.opts.box?.setLatch(true).catch(() => undefined);
    } else if (this.session) {
      // the person is there now: the agent works with them, no longer for someone else on a procuration
      this.session.actingFor = null;
      this.session.companion = { ...holder, joinedAt: new Date() };
      this.opts.logger.info({ serial: holder.cardSerial, agent: this.session.cardSerial }, 'beneficiary joined the agent session');
    }
    this.idle.touch();
    this.render();
    if (serverNonce) {
      this.opts.onAuthenticated?.({ slot, cardSerial: holder.cardSerial, certificate: hand.certificate, kioskNonce: nonce, serverNonce, signature });
    }
    return { outcome: 'open' };
  }

  /**
   * The card signs a server nonce again (its PIN is still verified while it stays in): how a session
   * opened offline reaches the server once the network is back.
   */
  async proveAgain(slot: Slot, serverNonce: Uint8Array): Promise<CardProof | null> {
    const st = this.slots[slot];
    const hand = st.hand;
    if (!hand || st.phase !== 'open') return null;
    const gen = st.gen;
    const nonce = randomBytes(32);
    const message = loginMessage(this.kioskId(), nonce, serverNonce);
    const signature = await hand.card.internalAuthenticate(createHash('sha256').update(message).digest());
    if (gen !== st.gen) return null;
    return { slot, cardSerial: hand.info.cardSerial, certificate: hand.certificate, kioskNonce: nonce, serverNonce, signature };
  }

  /**
   * A signature by the card of an open slot (PSO:COMPUTE DIGITAL SIGNATURE with the card's signature
   * key), after the holder typed their PIN again for it (PW1 in mode 81: an OpenPGP card accepts one
   * signature per verification). Used to sign a request's manifest. The signature is checked here
   * against the certificate's signature key, so a card that signs with another key is caught at once.
   */
  async signWithCard(
    slot: Slot,
    pin: string,
    data: Uint8Array,
  ): Promise<
    | { outcome: 'signed'; signature: Uint8Array; certificate: Uint8Array; cardSerial: string }
    | { outcome: 'wrong'; triesLeft: number }
    | { outcome: 'blocked' }
  > {
    const st = this.slots[slot];
    const hand = st.hand;
    if (!hand || st.phase !== 'open') throw new KioskError('no-session', CARD_WORDS.putBackToSign);
    const gen = st.gen;
    const r = await this.verifyPw1(slot, hand, pin, 0x81);
    if (r.outcome !== 'verified') return r;
    const signature = await this.cardStep(slot, () => hand.card.sign(createHash('sha256').update(data).digest()));
    if (gen !== st.gen) throw new KioskError('no-session', CARD_WORDS.removed);
    if (!verifyP256Signature(hand.info.signaturePublicKey, data, signature)) {
      this.opts.logger.warn({ serial: hand.info.cardSerial, slot }, 'card signature does not match its certificate');
      throw new KioskError('transport', CARD_WORDS.badSignature);
    }
    this.opts.logger.info({ serial: hand.info.cardSerial, slot }, 'document signed by the card');
    return { outcome: 'signed', signature, certificate: hand.certificate, cardSerial: hand.info.cardSerial };
  }

  /**
   * Each card the write's ground names signs it (INTERNAL AUTHENTICATE with the authentication key: the
   * PIN typed at login, mode 82, stays verified while the card is in), over the mutation's id, type,
   * payload and files, bound to this kiosk. It works offline; the server checks the signatures against
   * the certificates before it applies the write, so a kiosk cannot write for a person whose card is not
   * in the box. A card that has left, or that signs with a key its certificate does not hold, stops it.
   */
  async proveWrite(body: MutationBody): Promise<SignedWrite> {
    const { id, proof } = await this.proveAct(body, referencedBlobs(body));
    return { id, body, proof };
  }

  /** The same proof for an act that is not a mutation (withdrawing a procuration): a fresh id, no files. */
  async proveAct(body: ProvableAct, blobs: readonly string[] = []): Promise<{ id: string; proof: WriteProof }> {
    const id = randomUUID();
    const message = proofMessage(this.kioskId(), { id, blobs, ...body });
    const digest = createHash('sha256').update(message).digest();
    const cards: WriteProof['cards'] = [];
    for (const serial of cardsOfGround(body.payload.ground)) {
      const slot = (['main', 'second'] as const).find((x) => this.slots[x].phase === 'open' && this.slots[x].hand?.info.cardSerial === serial);
      const hand = slot ? this.slots[slot].hand : null;
      if (!slot || !hand) throw new KioskError('no-session', CARD_WORDS.putBackToContinue);
      const gen = this.slots[slot].gen;
      const signature = await this.cardStep(slot, () => hand.card.internalAuthenticate(digest));
      if (gen !== this.slots[slot].gen) throw new KioskError('no-session', CARD_WORDS.removed);
      if (!verifyP256Signature(hand.info.authPublicKey, message, signature)) {
        this.opts.logger.warn({ serial, slot }, 'card refused: write not signed by the certificate key (copy suspected)');
        this.refuse(slot, 'not-genuine');
        throw new KioskError('no-session', CARD_WORDS.notVerified);
      }
      cards.push({ cardSerial: serial, certificate: Buffer.from(hand.certificate).toString('base64url'), signature: Buffer.from(signature).toString('base64url') });
    }
    return { id, proof: { cards } };
  }

  /** Which slot holds the card of the person who signs for the subject: the beneficiary's own card (never the agent's on a procuration). */
  subjectSlot(): Slot {
    const s = this.requireSession();
    if (s.role === 'beneficiary') return 'main';
    if (s.actingFor && !s.companion) throw new KioskError('invalid-request', CARD_WORDS.personAbsent(s.actingFor.firstName));
    return 'second';
  }

  /** On what ground the session writes to the subject's vault (DESIGN.md §6). */
  ground(): Ground {
    const s = this.requireSession();
    if (s.role === 'beneficiary') return { kind: 'own-card', cardSerial: s.cardSerial };
    if (s.companion) return { kind: 'present-beneficiary', cardSerial: s.companion.cardSerial, agentCardSerial: s.cardSerial };
    if (s.actingFor) return { kind: 'procuration', procurationId: s.actingFor.procurationId, agentCardSerial: s.cardSerial };
    throw new KioskError('no-session', CARD_WORDS.companionFirst);
  }

  /** "Terminer": the session ends; the card stays in until the person takes it. */
  finish(): void {
    if (this.slots.main.phase === 'empty') return;
    this.removeReason = 'finished';
    this.endAll();
    this.slots.main.phase = 'ended';
    this.render();
  }

  /** The beneficiary leaves an agent's session (their card stays until they take it). */
  dropCompanion(): void {
    const second = this.slots.second;
    if (second.phase === 'empty') return;
    this.removeReason = 'finished';
    this.releaseSlot('second', 'refused');
    second.problem = null;
    this.render();
  }

  /** A new revocation list arrived: a card in use that it names is stopped at once. */
  revocationsChanged(): void {
    for (const slot of ['main', 'second'] as const) {
      const hand = this.slots[slot].hand;
      if (hand && this.opts.isRevoked(hand.info.cardSerial)) {
        this.opts.logger.warn({ serial: hand.info.cardSerial, slot }, 'card revoked while in use');
        this.refuse(slot, 'revoked');
      }
    }
  }

  private fetchServerNonce(): Promise<Uint8Array | null> {
    if (!this.opts.serverChallenge) return Promise.resolve(null);
    return this.opts.serverChallenge().catch(() => null);
  }

  private slotOf(reader: string): Slot | null {
    if (this.opts.readers.second !== '' && reader.includes(this.opts.readers.second)) return 'second';
    if (this.opts.readers.main === '' || reader.includes(this.opts.readers.main)) return 'main';
    return null;
  }

  private onSwitch(slot: Slot, present: boolean): void {
    const st = this.slots[slot];
    if (!present) {
      if (st.phase !== 'empty') this.onRemoved(slot, 'switch');
      return;
    }
    if (st.phase !== 'empty' || st.presenceTimer) return;
    // immediate feedback; if pcscd never sees a card there, it is not one we can read
    if (slot === 'main' && this.slots.main.phase === 'empty') this.show({ screen: 'reading', slot: 'main' });
    st.presenceTimer = setTimeout(() => {
      st.presenceTimer = null;
      if (st.phase === 'empty') this.refuse(slot, 'unreadable');
    }, this.opts.presenceGraceMs ?? 3000);
    st.presenceTimer.unref();
  }

  private async onInserted(slot: Slot, reader: string): Promise<void> {
    const st = this.slots[slot];
    if (st.phase !== 'empty') return;
    if (st.presenceTimer) clearTimeout(st.presenceTimer);
    st.presenceTimer = null;
    const gen = ++st.gen;
    st.reader = reader;
    st.problem = null;
    if (slot === 'second') {
      const s = this.session;
      if (!s || s.role !== 'agent' || s.companion) {
        this.opts.logger.info({ reader }, 'card in the second slot without an agent session');
        st.phase = 'refused';
        st.problem = 'wrong-slot';
        this.render();
        return;
      }
    }
    st.phase = 'reading';
    this.render();
    const started = performance.now();
    let conn: CardConnection | null = null;
    try {
      conn = await this.readers.connect(reader);
      const card = await OpenPgpCard.select(conn).catch((err: unknown) => {
        if (isPcscError(err) && err.code === 'not-openpgp') return null;
        throw err;
      });
      if (!card) return void (await this.abandon(slot, gen, conn, 'foreign', { reader }));
      const aid = await card.readAid();
      const certificate = await card.readCertificate();
      const login = await card.readLoginData();
      if (gen !== st.gen) return void (await conn.disconnect().catch(() => undefined));
      const ca = this.opts.trust();
      if (!ca) {
        this.opts.logger.error('no platform CA installed: cards cannot be checked (FAC_CA_CERT)');
        return void (await this.abandon(slot, gen, conn, 'unknown', { serial: aid.serial }));
      }
      if (!certificate) return void (await this.abandon(slot, gen, conn, 'unknown', { serial: aid.serial, reason: 'no certificate' }));
      const check = await checkCardCertificate(certificate, {
        caCertificate: ca.der,
        now: this.opts.now?.() ?? new Date(),
        cardSerial: aid.serial,
        isRevoked: this.opts.isRevoked,
      });
      if (gen !== st.gen) return void (await conn.disconnect().catch(() => undefined));
      if (!check.ok) {
        const problem = PROBLEMS[check.problem];
        return void (await this.abandon(slot, gen, conn, problem, { serial: aid.serial, certificate: check.problem, detail: check.detail }));
      }
      const info = check.info;
      if (login !== info.identifier) {
        return void (await this.abandon(slot, gen, conn, 'not-genuine', { serial: aid.serial, reason: 'login data differs from the certificate' }));
      }
      if (slot === 'second') {
        if (info.role !== 'beneficiary') return void (await this.abandon(slot, gen, conn, 'not-beneficiary', { serial: aid.serial }));
        if (this.session && info.identifier === this.session.identifier) {
          return void (await this.abandon(slot, gen, conn, 'wrong-slot', { serial: aid.serial, reason: 'same person' }));
        }
      }
      const pw = await card.readPwStatus();
      if (gen !== st.gen) return void (await conn.disconnect().catch(() => undefined));
      st.hand = { reader, conn, card, info, certificate, serverNonce: this.fetchServerNonce() };
      this.lastReadMs = performance.now() - started;
      this.opts.logger.info({ serial: aid.serial, slot, role: info.role, ms: Math.round(performance.now() - started) }, 'card read');
      if (pw.pw1Tries === 0) {
        this.refuse(slot, 'blocked');
        return;
      }
      st.phase = 'pin';
      st.triesLeft = Math.min(3, pw.pw1Tries);
      this.idle.touch();
      this.render();
    } catch (err) {
      const removed = isPcscError(err) && (err.code === 'card-removed' || err.code === 'reader-gone');
      this.opts.logger.warn({ err: err instanceof Error ? err.message : String(err), reader, slot }, 'card read failed');
      if (gen === st.gen && !removed) await this.abandon(slot, gen, conn, 'unreadable', { reader });
      else await conn?.disconnect().catch(() => undefined);
    }
  }

  private async abandon(slot: Slot, gen: number, conn: CardConnection | null, problem: CardProblem, detail: Record<string, unknown>): Promise<void> {
    this.opts.logger.warn({ problem, slot, ...detail }, 'card refused');
    await conn?.disconnect().catch(() => undefined);
    if (gen === this.slots[slot].gen) this.refuse(slot, problem);
  }

  /** The card in `slot` may not be used (it stays physically in until taken out). */
  private refuse(slot: Slot, problem: CardProblem): void {
    if (slot === 'main') {
      this.endAll();
    } else {
      this.releaseSlot('second', 'refused');
    }
    const st = this.slots[slot];
    st.phase = 'refused';
    st.problem = problem;
    this.render();
  }

  private onRemoved(slot: Slot, how: string): void {
    const st = this.slots[slot];
    st.gen++;
    if (st.presenceTimer) clearTimeout(st.presenceTimer);
    st.presenceTimer = null;
    if (slot === 'main') {
      if (st.phase === 'open') this.removeReason = 'pulled';
      this.endAll();
      this.slots.main = { ...emptySlot(), gen: st.gen };
      // a card left in the second slot without its agent is of no use: it must be taken out too
      const second = this.slots.second;
      if (second.phase !== 'empty') second.phase = 'refused';
      this.opts.logger.info({ how }, 'main card removed');
    } else {
      if (this.session?.companion) this.removeReason = 'pulled';
      this.releaseSlot('second', 'empty');
      this.slots.second = { ...emptySlot(), gen: this.slots.second.gen };
    }
    this.render();
  }

  private onIdle(): void {
    if (this.slots.main.phase !== 'pin' && this.slots.main.phase !== 'open') return;
    this.opts.logger.info('session ended for inactivity');
    this.removeReason = 'idle';
    this.endAll();
    this.slots.main.phase = 'ended';
    this.render();
  }

  /** Ends the session and forgets both cards (their connections reset them: verified PINs are gone). */
  private endAll(): void {
    this.releaseSlot('second', this.slots.second.phase === 'empty' ? 'empty' : 'refused');
    const main = this.slots.main;
    const hand = main.hand;
    main.hand = null;
    if (main.phase === 'pin' || main.phase === 'open' || main.phase === 'reading') main.phase = 'ended';
    this.idle.stop();
    if (this.session) this.opts.logger.info({ serial: this.session.cardSerial }, 'session ended');
    const hadSession = this.session !== null;
    this.session = null;
    void hand?.conn.disconnect().catch(() => undefined);
    void this.opts.box?.setLatch(false).catch(() => undefined);
    if (hadSession || hand) this.emit('ended');
  }

  private releaseSlot(slot: 'second', phase: Phase): void {
    const st = this.slots[slot];
    const hand = st.hand;
    st.hand = null;
    st.phase = phase;
    if (this.session?.companion) {
      this.opts.logger.info({ serial: this.session.companion.cardSerial }, 'beneficiary left the agent session');
      this.session.companion = null;
      this.emit('companion-ended');
    }
    void hand?.conn.disconnect().catch(() => undefined);
  }

  /**
   * VERIFY PW1 on the card in `slot` (`ref` 0x82 to log in, 0x81 before one signature). A blocked PIN
   * ends that card's part (refuse); a card pulled meanwhile throws.
   */
  private async verifyPw1(
    slot: Slot,
    hand: CardInHand,
    pin: string,
    ref: 0x81 | 0x82,
  ): Promise<{ outcome: 'verified' } | { outcome: 'wrong'; triesLeft: number } | { outcome: 'blocked' }> {
    // a code outside the card PIN rule never reaches the card, where it would only cost a try
    if (!isCardPin(pin)) throw new KioskError('invalid-request', CARD_WORDS.pinLength(CARD_PIN_LENGTH.min, CARD_PIN_LENGTH.max));
    const st = this.slots[slot];
    const gen = st.gen;
    this.stillHere();
    const r = await this.cardStep(slot, () => hand.card.verifyPin(pin, ref));
    if (gen !== st.gen) throw new KioskError('no-session', CARD_WORDS.removed);
    if (r.ok) return { outcome: 'verified' };
    if ('blocked' in r) {
      this.opts.logger.warn({ serial: hand.info.cardSerial, slot, ref }, 'PIN blocked');
      this.refuse(slot, 'blocked');
      return { outcome: 'blocked' };
    }
    this.opts.logger.info({ serial: hand.info.cardSerial, slot, ref, triesLeft: r.triesLeft }, 'wrong PIN');
    return { outcome: 'wrong', triesLeft: r.triesLeft };
  }

  private async cardStep<T>(slot: Slot, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      this.opts.logger.warn({ err: err instanceof Error ? err.message : String(err), slot }, 'card command failed');
      throw new KioskError('transport', CARD_WORDS.noAnswer);
    }
  }

  /** Derives the screen from both slots and the session (screen.ts), and drives the box to match. */
  private render(): void {
    const view = (st: SlotState): SlotView => ({
      phase: st.phase,
      problem: st.problem,
      triesLeft: st.triesLeft,
      holder: st.hand ? { firstName: st.hand.info.firstName, role: st.hand.info.role } : null,
    });
    const sess = this.session;
    this.show(
      screenOf({
        main: view(this.slots.main),
        second: view(this.slots.second),
        session: sess
          ? {
              firstName: sess.firstName,
              role: sess.role,
              companion: sess.companion ? { firstName: sess.companion.firstName, role: sess.companion.role } : null,
              actingFor: sess.actingFor
                ? {
                    procurationId: sess.actingFor.procurationId,
                    firstName: sess.actingFor.firstName,
                    lastName: sess.actingFor.lastName,
                    until: sess.actingFor.until,
                    actions: [...sess.actingFor.actions],
                  }
                : null,
            }
          : null,
        endReason: this.removeReason,
      }),
    );
  }

  private show(s: KioskState): void {
    this.current = s;
    this.emit('state', s);
    const indicator = indicatorOf(s);
    if (indicator !== this.indicator) {
      this.indicator = indicator;
      void this.opts.box?.setIndicator(indicator).catch(() => undefined);
    }
  }
}

const PROBLEMS: Record<'malformed' | 'foreign' | 'not-yet-valid' | 'expired' | 'revoked' | 'wrong-card', CardProblem> = {
  malformed: 'unknown',
  foreign: 'foreign',
  'not-yet-valid': 'expired',
  expired: 'expired',
  revoked: 'revoked',
  'wrong-card': 'not-genuine',
};

function emptySlot(): SlotState {
  return { gen: 0, phase: 'empty', reader: null, hand: null, problem: null, triesLeft: 3, presenceTimer: null };
}
