/**
 * What the screen and the box light show, from the two slots of the box: pure functions, so that every
 * combination of cards in and out can be checked without a card.
 *
 * A session is not over for the box until every slot is empty: a beneficiary's card left in the second
 * slot after an accompanied session would otherwise stay behind while the screen already invites the
 * next person. So "Retirez…" stays, counting the cards still in, and only an empty box shows the attract.
 */
import type { CardProblem, KioskState, Role } from '../../contract/schema.ts';

export type Phase = 'empty' | 'reading' | 'pin' | 'open' | 'refused' | 'ended';
export type Indicator = 'off' | 'waiting' | 'reading' | 'ok' | 'error' | 'attention';
export type EndReason = Extract<KioskState, { screen: 'remove-card' }>['reason'];

/** One slot as the screen needs it (no card handle, no connection). */
export interface SlotView {
  phase: Phase;
  problem: CardProblem | null;
  triesLeft: number;
  /** the holder read from the certificate, once the card is read */
  holder: { firstName: string; role: Role } | null;
}

export interface BoxView {
  main: SlotView;
  second: SlotView;
  /** the open session (main card logged in), with the beneficiary who joined it */
  session: {
    firstName: string;
    role: Role;
    companion: { firstName: string; role: Role } | null;
    actingFor: Extract<KioskState, { screen: 'session' }>['actingFor'];
  } | null;
  /** why the last session ended (said on the "Retirez…" screen) */
  endReason: EndReason;
}

/** The slots that still hold a card, main first. */
export function slotsHoldingCards(v: Pick<BoxView, 'main' | 'second'>): ('main' | 'second')[] {
  return (['main', 'second'] as const).filter((s) => v[s].phase !== 'empty');
}

export function screenOf(v: BoxView): KioskState {
  const { main, second } = v;
  switch (main.phase) {
    case 'empty':
      if (second.phase === 'empty') return { screen: 'attract' };
      // a card in the second slot with nobody's session: not where it goes
      if (second.phase === 'refused' && second.problem === 'wrong-slot') return { screen: 'card-problem', problem: 'wrong-slot', slot: 'second' };
      // what is left of an ended session
      return { screen: 'remove-card', reason: v.endReason, slots: ['second'] };
    case 'reading':
      return { screen: 'reading', slot: 'main' };
    case 'pin':
      return { screen: 'pin', firstName: main.holder?.firstName ?? '', role: main.holder?.role ?? 'beneficiary', triesLeft: main.triesLeft };
    case 'refused':
      return { screen: 'card-problem', problem: main.problem ?? 'unreadable', slot: 'main' };
    case 'ended':
      return { screen: 'remove-card', reason: v.endReason, slots: slotsHoldingCards(v) };
    case 'open': {
      const s = v.session;
      if (!s) return { screen: 'remove-card', reason: v.endReason, slots: slotsHoldingCards(v) };
      let joining: Extract<KioskState, { screen: 'session' }>['joining'] = null;
      if (second.phase === 'reading') joining = { step: 'reading' };
      else if (second.phase === 'pin') joining = { step: 'pin', firstName: second.holder?.firstName ?? '', triesLeft: second.triesLeft };
      else if (second.phase === 'refused' && second.problem) joining = { step: 'problem', problem: second.problem };
      return { screen: 'session', firstName: s.firstName, role: s.role, companion: s.companion, actingFor: s.actingFor, joining };
    }
  }
}

/** The box light follows the screen: blue (waiting) only when the box is empty and ready. */
export function indicatorOf(s: KioskState): Indicator {
  switch (s.screen) {
    case 'attract':
      return 'waiting';
    case 'reading':
      return 'reading';
    case 'session':
      return 'ok';
    case 'card-problem':
      return 'error';
    default:
      return 'attention';
  }
}
