/**
 * The procuration numérique on the kiosk. Made in an accompanied session only — the agent's card in the
 * main slot, the person's in the second, both PINs verified — from what the cards and the kiosk say, never
 * from the screen: the two people (identifier, name, card serial from each card's checked certificate),
 * the agent's structure (the server's, unless given), the kiosk's id and place. The person's card signs the
 * text (PSO:CDS, PIN typed again: an OpenPGP card signs once per verification), the agent's card
 * countersigns the text and that signature, and the server checks it all again before storing it
 * (protocol/procuration.ts, features/procurations). The person's list, their printed copy, the withdrawal
 * (the person's card proves it is in the box, as for a write) and the agent's caseload are asked in the
 * person sessions the cards opened (person-session.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import { PROCURATION_CONTEXT, ProcurationText, countersignBytes, procurationBytes, startProblem } from '../../../sync-server/protocol/procuration.ts';
import { parisDay } from '../../../sync-server/protocol/format.ts';
import type { ProcurationScope } from '../../../sync-server/protocol/procuration.ts';
import { PROCURATION_EVENTS, revokeAct } from '../../../sync-server/protocol/procurations-events.ts';
import type { CaseloadEntry, CaseloadHit, ProcurationListItem } from '../../../sync-server/protocol/procurations-events.ts';
import type { AckOf, Acked, SessionEventName } from '../../../sync-server/protocol/events.ts';
import { KioskError } from '../../contract/schema.ts';
import type { Result } from '../../contract/schema.ts';
import type { Logger } from '../log.ts';
import type { SessionManager } from '../session/session.ts';
import type { PersonSessions, SessionPayload } from '../sync/person-session.ts';
import { CARD_WORDS, PROCURATION_WORDS, SERVER_WORDS } from '../words.ts';

/** How long the person's signature waits for the agent's PIN (the server takes a text up to 10 min old). */
const HELD_MS = 5 * 60_000;
const SLOW_MS = 30_000;

export interface ProcurationServiceOptions {
  people: PersonSessions;
  session: SessionManager;
  logger: Logger;
  /** the kiosk's enrolled id, and where it stands (its display name), as the text says where it was made */
  kioskId: () => string;
  place: () => string;
  now?: () => number;
}

export interface MakeInput {
  scope: ProcurationScope;
  from: string;
  until: string;
  renews: string | null;
  structure?: { id: string; name: string } | undefined;
  personPin: string;
  agentPin: string;
}

/** The text the person's card signed, waiting for the agent's countersignature after a wrong agent PIN. */
interface Held {
  key: string;
  text: ProcurationText;
  personSignature: Uint8Array;
  personCertificate: Uint8Array;
  at: number;
}

export class ProcurationService {
  private held: Held | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: ProcurationServiceOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The session ended, or the person left: what was signed is forgotten. */
  sessionEnded(): void {
    this.held = null;
  }

  /** A request in a person session; a refusal becomes a KioskError in the server's words. */
  private async ask<E extends SessionEventName>(event: E, payload: SessionPayload<E>, o: { asAgent?: boolean; once?: boolean; timeoutMs?: number } = {}): Promise<Extract<AckOf<E>, { ok: true }>> {
    const answer = await this.opts.people.request(event, payload, {
      offline: PROCURATION_WORDS.offline,
      ...(o.asAgent ? { asAgent: { notAgent: PROCURATION_WORDS.agentOnly } } : {}),
      ...(o.once ? { once: true } : {}),
      ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
    });
    const ack: Acked = answer;
    if (ack.ok) return answer as Extract<AckOf<E>, { ok: true }>;
    this.opts.logger.warn({ event, code: ack.error.code }, 'procuration request refused by the server');
    if (ack.error.code === 'internal') throw new KioskError('internal', PROCURATION_WORDS.unavailable);
    if (ack.error.code === 'unknown') throw new KioskError('not-found', ack.error.message || PROCURATION_WORDS.gone);
    // not-words: how the server's schema refusals start (matched, never shown)
    const schemaWords = ack.error.code === 'invalid' && ack.error.message.startsWith('Message invalide');
    throw new KioskError('invalid-request', schemaWords || !ack.error.message ? PROCURATION_WORDS.failed : ack.error.message);
  }

  /** Both cards there and open: the agent's in the main slot, the person's joined in the second. */
  private accompanied() {
    const open = this.opts.session.open;
    if (!open || open.role !== 'agent' || !open.companion) throw new KioskError('no-session', PROCURATION_WORDS.bothCards);
    return { agent: open, person: open.companion };
  }

  async make(input: MakeInput): Promise<Result<'procuration.make'>> {
    const { agent, person } = this.accompanied();
    const key = createHash('sha256')
      .update(JSON.stringify([person.cardSerial, agent.cardSerial, input.scope, input.from, input.until, input.renews, input.structure ?? null]))
      .digest('hex');
    let held = this.held && this.held.key === key && this.now() - this.held.at < HELD_MS ? this.held : null;
    if (!held) {
      this.held = null;
      const structure = input.structure ?? (await this.ask(PROCURATION_EVENTS.structure, {}, { asAgent: true })).structure;
      if (!structure) throw new KioskError('invalid-request', PROCURATION_WORDS.noStructure);
      // the protocol's own rules (one day to one year, the scope's sizes), in its words, before any card signs
      const checked = ProcurationText.safeParse({
        context: PROCURATION_CONTEXT,
        id: randomUUID(),
        person: { identifier: person.identifier, name: `${person.firstName} ${person.lastName}`, cardSerial: person.cardSerial },
        agent: { identifier: agent.identifier, name: `${agent.firstName} ${agent.lastName}`, cardSerial: agent.cardSerial, structure },
        scope: input.scope,
        from: input.from,
        until: input.until,
        madeAt: { kioskId: this.opts.kioskId(), place: this.opts.place() },
        createdAt: new Date(this.now()).toISOString(),
        renews: input.renews,
      });
      if (!checked.success) {
        // the dates' rules speak French in the protocol; anything else is a badly filled form
        const dates = checked.error.issues.find((i) => i.path.length === 1 && i.path[0] === 'until');
        throw new KioskError('invalid-request', dates ? PROCURATION_WORDS.dates(dates.message) : PROCURATION_WORDS.badText);
      }
      const text = checked.data;
      const late = startProblem(parisDay(new Date(this.now())), text.from);
      if (late) throw new KioskError('invalid-request', PROCURATION_WORDS.dates(late));
      const signed = await this.opts.session.signWithCard('second', input.personPin, procurationBytes(text));
      if (signed.outcome === 'wrong') return { outcome: 'wrong', who: 'person', triesLeft: signed.triesLeft };
      if (signed.outcome === 'blocked') return { outcome: 'blocked', who: 'person' };
      if (signed.cardSerial !== person.cardSerial) throw new KioskError('no-session', PROCURATION_WORDS.bothCards);
      held = { key, text, personSignature: signed.signature, personCertificate: signed.certificate, at: this.now() };
      this.held = held;
    }
    const personSignature = Buffer.from(held.personSignature).toString('base64url');
    const counter = await this.opts.session.signWithCard('main', input.agentPin, countersignBytes(held.text, personSignature));
    if (counter.outcome === 'wrong') return { outcome: 'wrong', who: 'agent', triesLeft: counter.triesLeft };
    if (counter.outcome === 'blocked') {
      this.held = null;
      return { outcome: 'blocked', who: 'agent' };
    }
    if (counter.cardSerial !== agent.cardSerial) throw new KioskError('no-session', PROCURATION_WORDS.bothCards);
    this.held = null;
    const ack = await this.ask(
      PROCURATION_EVENTS.create,
      {
        procuration: {
          text: held.text,
          personSignature,
          agentSignature: Buffer.from(counter.signature).toString('base64url'),
          personCertificate: Buffer.from(held.personCertificate).toString('base64url'),
          agentCertificate: Buffer.from(counter.certificate).toString('base64url'),
        },
      },
      // signed once, sent once
      { once: true, timeoutMs: SLOW_MS },
    );
    if (ack.id !== held.text.id) throw new KioskError('transport', SERVER_WORDS.unexpected);
    this.opts.logger.info({ procurationId: ack.id, renewed: ack.renewed !== null }, 'procuration signed by both cards and stored');
    return { outcome: 'made', id: ack.id, renewed: ack.renewed, until: held.text.until };
  }

  async mine(): Promise<ProcurationListItem[]> {
    return (await this.ask(PROCURATION_EVENTS.mine, {})).procurations;
  }

  /**
   * With both cards in the box: the procuration the person already gave this agent and that still runs
   * (or is about to), to renew it without choosing everything again — the newest, or none.
   */
  async renewable(): Promise<ProcurationListItem | null> {
    const { agent } = this.accompanied();
    const current = (await this.mine()).filter((p) => p.agent.identifier === agent.identifier && (p.state === 'in-force' || p.state === 'not-yet'));
    return current.sort((a, b) => (a.until < b.until ? 1 : -1))[0] ?? null;
  }

  /** The person's card (the subject's: alone, or beside the agent) proves it is in the box, then the server ends it. */
  async revoke(procurationId: string, reason?: string): Promise<void> {
    const subject = this.opts.session.subject();
    if (subject.cardSerial === null) throw new KioskError('invalid-request', PROCURATION_WORDS.personWithdraws);
    const act = revokeAct(procurationId, subject.cardSerial);
    const { id, proof } = await this.opts.session.proveAct(act);
    await this.ask(PROCURATION_EVENTS.revoke, { procurationId, actId: id, proof, ...(reason ? { reason } : {}) }, { once: true });
  }

  /**
   * The agent alone acts for one person of their caseload: the server checks the procuration (signed by
   * both cards, in force, given to this agent) and opens a session on the person's vault; from then on
   * the vault, the requests and the scan work for that person, and the agent's card proves each write.
   */
  async actFor(procurationId: string): Promise<{ firstName: string; lastName: string; until: string }> {
    const open = this.opts.session.requireSession();
    if (open.role !== 'agent' || open.companion) throw new KioskError('invalid-request', CARD_WORDS.actAlone);
    // the server decides first (withdrawn, ended, another agent's): its refusal is what the agent reads
    const ack = await this.opts.people.openActing(procurationId, PROCURATION_WORDS.offline);
    if (!ack.ok) {
      this.opts.logger.warn({ code: ack.error.code }, 'acting on a procuration refused by the server');
      throw new KioskError('invalid-request', ack.error.message || PROCURATION_WORDS.failed);
    }
    this.opts.session.actFor({
      procurationId,
      identifier: ack.person.identifier,
      firstName: ack.person.firstName,
      lastName: ack.person.lastName,
      until: ack.until,
      // what the person allowed, as the server read it: the screens offer only that
      actions: ack.actions,
    });
    return { firstName: ack.person.firstName, lastName: ack.person.lastName, until: ack.until };
  }

  stopActing(): void {
    this.opts.people.stopActing();
    this.opts.session.stopActing();
  }

  /** The papers of the agent's people that match, within what each allows (each person shown reads it in their journal). */
  async search(query: string): Promise<CaseloadHit[]> {
    return (await this.ask(PROCURATION_EVENTS.search, { query }, { asAgent: true })).hits;
  }

  async caseload(): Promise<CaseloadEntry[]> {
    return (await this.ask(PROCURATION_EVENTS.caseload, {}, { asAgent: true })).people;
  }

  async pdf(procurationId: string): Promise<Uint8Array<ArrayBuffer>> {
    const ack = await this.ask(PROCURATION_EVENTS.pdf, { procurationId }, { timeoutMs: SLOW_MS });
    return Uint8Array.from(ack.bytes);
  }
}
