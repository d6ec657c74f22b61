import { describe, expect, it } from 'vitest';
import { indicatorOf, screenOf, slotsHoldingCards } from './screen.ts';
import type { BoxView, Phase, SlotView } from './screen.ts';

const slot = (phase: Phase, extra: Partial<SlotView> = {}): SlotView => ({ phase, problem: null, triesLeft: 3, holder: null, ...extra });
const view = (main: SlotView, second: SlotView, extra: Partial<BoxView> = {}): BoxView => ({ main, second, session: null, endReason: 'finished', ...extra });

describe('what the screen shows from the two slots', () => {
  it('invites the next person only when both slots are empty', () => {
    expect(screenOf(view(slot('empty'), slot('empty')))).toEqual({ screen: 'attract' });
    expect(indicatorOf(screenOf(view(slot('empty'), slot('empty'))))).toBe('waiting');
  });

  it('asks for both cards at the end of an accompanied session, then for the one left', () => {
    const both = screenOf(view(slot('ended'), slot('refused')));
    expect(both).toEqual({ screen: 'remove-card', reason: 'finished', slots: ['main', 'second'] });
    expect(indicatorOf(both)).toBe('attention');
    // the agent took hers: the beneficiary's is still in, and the light is not back to "ready"
    const left = screenOf(view(slot('empty'), slot('refused')));
    expect(left).toEqual({ screen: 'remove-card', reason: 'finished', slots: ['second'] });
    expect(indicatorOf(left)).toBe('attention');
    // the other way round: the beneficiary took theirs first
    expect(screenOf(view(slot('ended'), slot('empty')))).toEqual({ screen: 'remove-card', reason: 'finished', slots: ['main'] });
  });

  it('keeps the reason of the end (inactivity, a card pulled) while cards are still in', () => {
    expect(screenOf(view(slot('ended'), slot('refused'), { endReason: 'idle' }))).toEqual({ screen: 'remove-card', reason: 'idle', slots: ['main', 'second'] });
    expect(screenOf(view(slot('empty'), slot('refused'), { endReason: 'pulled' }))).toEqual({ screen: 'remove-card', reason: 'pulled', slots: ['second'] });
  });

  it('still says a card in the second slot without a session is in the wrong slot', () => {
    const s = screenOf(view(slot('empty'), slot('refused', { problem: 'wrong-slot' })));
    expect(s).toEqual({ screen: 'card-problem', problem: 'wrong-slot', slot: 'second' });
    expect(indicatorOf(s)).toBe('error');
  });

  it('shows the session with the beneficiary joining or joined', () => {
    const session = { firstName: 'Sophie', role: 'agent' as const, companion: null, actingFor: null };
    const pin = screenOf(view(slot('open'), slot('pin', { triesLeft: 2, holder: { firstName: 'Camille', role: 'beneficiary' } }), { session }));
    expect(pin).toEqual({ screen: 'session', firstName: 'Sophie', role: 'agent', companion: null, actingFor: null, joining: { step: 'pin', firstName: 'Camille', triesLeft: 2 } });
    expect(indicatorOf(pin)).toBe('ok');
    const joined = screenOf(view(slot('open'), slot('open'), { session: { ...session, companion: { firstName: 'Camille', role: 'beneficiary' } } }));
    expect(joined).toMatchObject({ screen: 'session', companion: { firstName: 'Camille' }, joining: null });
  });

  it('shows the person an agent alone acts for, on their procuration', () => {
    const actingFor = { procurationId: '4a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d', firstName: 'Camille', lastName: 'Martin', until: '2027-06-30', actions: ['consult' as const, 'scan-for' as const] };
    const s = screenOf(view(slot('open'), slot('empty'), { session: { firstName: 'Sophie', role: 'agent', companion: null, actingFor } }));
    expect(s).toEqual({ screen: 'session', firstName: 'Sophie', role: 'agent', companion: null, actingFor, joining: null });
  });

  it('reads, asks for the PIN and reports a problem of the main card', () => {
    expect(screenOf(view(slot('reading'), slot('empty')))).toEqual({ screen: 'reading', slot: 'main' });
    expect(screenOf(view(slot('pin', { triesLeft: 1, holder: { firstName: 'Yanis', role: 'beneficiary' } }), slot('empty')))).toEqual({
      screen: 'pin',
      firstName: 'Yanis',
      role: 'beneficiary',
      triesLeft: 1,
    });
    expect(screenOf(view(slot('refused', { problem: 'revoked' }), slot('empty')))).toEqual({ screen: 'card-problem', problem: 'revoked', slot: 'main' });
  });

  it('counts the cards still in', () => {
    expect(slotsHoldingCards(view(slot('ended'), slot('refused')))).toEqual(['main', 'second']);
    expect(slotsHoldingCards(view(slot('empty'), slot('refused')))).toEqual(['second']);
    expect(slotsHoldingCards(view(slot('empty'), slot('empty')))).toEqual([]);
  });
});
