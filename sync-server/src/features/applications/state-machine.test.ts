import { describe, expect, it } from 'vitest';
import { APPLICATION_ACTOR_KINDS, APPLICATION_EVENTS, APPLICATION_STATES, eventsFor, transition, TRANSITIONS } from './state-machine.ts';
import type { ApplicationActorKind, ApplicationEvent, ApplicationState, TransitionRefusal } from './state-machine.ts';

describe('application state machine', () => {
  const allowed = TRANSITIONS.flatMap((r) => r.from.flatMap((from) => r.actors.map((actor) => ({ from, event: r.event, actor, to: r.to, messageRequired: r.messageRequired }))));

  it.each(allowed)('$from --$event ($actor)--> $to', ({ from, event, actor, to, messageRequired }) => {
    expect(transition(from, event, actor, { message: 'Merci de fournir votre avis d’imposition 2025' })).toMatchObject({ ok: true, next: to });
    if (messageRequired) expect(transition(from, event, actor)).toEqual({ ok: false, reason: 'message-required' });
  });

  it('has exactly the table’s transitions: everything else is refused', () => {
    let refused = 0;
    for (const state of APPLICATION_STATES)
      for (const event of APPLICATION_EVENTS)
        for (const actor of APPLICATION_ACTOR_KINDS) {
          const isAllowed = allowed.some((a) => a.from === state && a.event === event && a.actor === actor);
          const r = transition(state, event, actor, { message: 'x' });
          expect(r.ok, `${state} ${event} ${actor}`).toBe(isAllowed);
          if (!r.ok) refused++;
        }
    expect(refused).toBeGreaterThan(0);
  });

  const samples: [ApplicationState, ApplicationEvent, ApplicationActorKind, TransitionRefusal][] = [
    ['draft', 'submit', 'applicant', 'not-allowed-in-state'],
    ['collecting-pieces', 'submit', 'applicant', 'not-allowed-in-state'],
    ['ready', 'submit', 'institution', 'actor-not-allowed'],
    ['collecting-pieces', 'all-pieces-present', 'institution', 'actor-not-allowed'],
    ['collecting-pieces', 'all-pieces-present', 'applicant', 'actor-not-allowed'],
    ['ready', 'piece-removed', 'applicant', 'actor-not-allowed'],
    ['submitted', 'take-up', 'applicant', 'actor-not-allowed'],
    ['submitted', 'accept', 'institution', 'not-allowed-in-state'],
    ['in-processing', 'accept', 'applicant', 'actor-not-allowed'],
    ['in-processing', 'information-provided', 'applicant', 'not-allowed-in-state'],
    ['information-requested', 'accept', 'institution', 'not-allowed-in-state'],
    ['submitted', 'close', 'applicant', 'actor-not-allowed'],
    ['in-processing', 'close', 'system', 'not-allowed-in-state'],
    ['information-requested', 'information-provided', 'institution', 'actor-not-allowed'],
    ['submitted', 'information-provided', 'system', 'not-allowed-in-state'],
    ['in-processing', 'withdraw', 'system', 'actor-not-allowed'],
    ['ready', 'close', 'institution', 'actor-not-allowed'],
    ['accepted', 'withdraw', 'applicant', 'already-decided'],
    ['refused', 'accept', 'institution', 'already-decided'],
    ['accepted', 'close', 'applicant', 'actor-not-allowed'],
    ['closed', 'close', 'institution', 'terminal'],
    ['closed', 'withdraw', 'applicant', 'terminal'],
  ];
  it.each(samples)('%s --%s (%s)--> refused: %s', (state, event, actor, reason) => {
    expect(transition(state, event, actor, { message: 'un motif' })).toEqual({ ok: false, reason });
  });

  it('refuses a refusal without a reason, or with only blanks', () => {
    expect(transition('in-processing', 'refuse', 'institution')).toEqual({ ok: false, reason: 'message-required' });
    expect(transition('in-processing', 'refuse', 'institution', { message: '  \n ' })).toEqual({ ok: false, reason: 'message-required' });
    expect(transition('in-processing', 'refuse', 'institution', { message: null })).toEqual({ ok: false, reason: 'message-required' });
    expect(transition('in-processing', 'refuse', 'institution', { message: 'Ressources au-dessus du plafond' })).toMatchObject({ ok: true, next: 'refused' });
    // accepting needs no reason
    expect(transition('in-processing', 'accept', 'institution')).toMatchObject({ ok: true, next: 'accepted' });
  });

  it('the server moves an application only on pieces, the automatic sending and the linked-aid closure', () => {
    expect(eventsFor('collecting-pieces', 'system')).toEqual(['all-pieces-present', 'close']);
    expect(eventsFor('ready', 'system')).toEqual(['piece-removed', 'submit', 'close']);
    expect(eventsFor('submitted', 'system')).toEqual(['close']);
    expect(eventsFor('information-requested', 'system')).toEqual(['information-provided']);
    expect(eventsFor('in-processing', 'system')).toEqual([]);
    // the server closes only with a reason (the parent's refusal)
    expect(transition('collecting-pieces', 'close', 'system')).toEqual({ ok: false, reason: 'message-required' });
  });

  it('closed accepts nothing; a decision only lets the institution close', () => {
    for (const actor of APPLICATION_ACTOR_KINDS) expect(eventsFor('closed', actor)).toEqual([]);
    expect(eventsFor('accepted', 'institution')).toEqual(['close']);
    expect(eventsFor('refused', 'institution')).toEqual(['close']);
    expect(eventsFor('accepted', 'applicant')).toEqual([]);
    expect(eventsFor('ready', 'applicant')).toEqual(['submit', 'close', 'withdraw']);
  });

  it('reaches every state from draft', () => {
    const seen = new Set<ApplicationState>(['draft']);
    for (let grew = true; grew; ) {
      grew = false;
      for (const r of TRANSITIONS) {
        if (r.from.some((f) => seen.has(f)) && !seen.has(r.to)) {
          seen.add(r.to);
          grew = true;
        }
      }
    }
    expect([...seen].sort()).toEqual([...APPLICATION_STATES].sort());
  });
});
