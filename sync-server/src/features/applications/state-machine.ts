/**
 * The life of an aid application (issue #7), as a pure state machine: which event may move an
 * application from which state to which, and who may fire it. The server stores the state and the
 * history of transitions (applications.ts); this module only decides.
 *
 *   draft ─start-collecting→ collecting-pieces ─all-pieces-present→ ready ─submit→ submitted
 *   ready ─piece-removed→ collecting-pieces
 *   submitted ─take-up→ in-processing ─request-information→ information-requested
 *   information-requested ─information-provided (applicant, or system when the pieces asked again arrived)→ in-processing
 *   in-processing ─accept / refuse→ accepted / refused ─close→ closed
 *   before submission: close (applicant); before a decision: withdraw (applicant) → closed
 *   draft…submitted ─close (system, with the reason)→ closed: a linked aid whose parent request was refused
 *   ready ─submit (system)→ submitted: automatic sending, on the manifest the applicant signed
 */
import { ApplicationStateName } from '../../../protocol/applications.ts';

/** The states, as the protocol names them for the kiosk (one list for both). */
export const APPLICATION_STATES = ApplicationStateName.options;
export type ApplicationState = (typeof APPLICATION_STATES)[number];

export const APPLICATION_EVENTS = [
  'start-collecting',
  'all-pieces-present',
  'piece-removed',
  'submit',
  'take-up',
  'request-information',
  'information-provided',
  'accept',
  'refuse',
  'close',
  'withdraw',
] as const;
export type ApplicationEvent = (typeof APPLICATION_EVENTS)[number];

/**
 * applicant: the person, or an agent acting on their ground; institution: the head of service who
 * processes the application; system: the server itself (piece checks against the vault).
 */
export const APPLICATION_ACTOR_KINDS = ['applicant', 'institution', 'system'] as const;
export type ApplicationActorKind = (typeof APPLICATION_ACTOR_KINDS)[number];

export interface TransitionRule {
  event: ApplicationEvent;
  from: readonly ApplicationState[];
  to: ApplicationState;
  actors: readonly ApplicationActorKind[];
  /** the event needs a non-empty message (the question asked, the reason of a refusal) */
  messageRequired: boolean;
}

/** Not sent yet: the applicant may still close it. */
export const BEFORE_SUBMISSION: readonly ApplicationState[] = ['draft', 'collecting-pieces', 'ready'];
/** Still waiting for something (pieces, sending, processing): the applicant may still withdraw it. */
export const BEFORE_DECISION: readonly ApplicationState[] = [...BEFORE_SUBMISSION, 'submitted', 'in-processing', 'information-requested'];

/** Every allowed transition (one rule per event and actor group; exported for the documentation). */
export const TRANSITIONS: readonly TransitionRule[] = [
  { event: 'start-collecting', from: ['draft'], to: 'collecting-pieces', actors: ['applicant', 'system'], messageRequired: false },
  { event: 'all-pieces-present', from: ['draft', 'collecting-pieces'], to: 'ready', actors: ['system'], messageRequired: false },
  { event: 'piece-removed', from: ['ready'], to: 'collecting-pieces', actors: ['system'], messageRequired: false },
  // system: the automatic submission when the last piece arrives, on the applicant's signed manifest
  { event: 'submit', from: ['ready'], to: 'submitted', actors: ['applicant', 'system'], messageRequired: false },
  { event: 'take-up', from: ['submitted'], to: 'in-processing', actors: ['institution'], messageRequired: false },
  { event: 'request-information', from: ['submitted', 'in-processing'], to: 'information-requested', actors: ['institution'], messageRequired: true },
  // system: every piece the institution asked for again has arrived in the vault
  { event: 'information-provided', from: ['information-requested'], to: 'in-processing', actors: ['applicant', 'system'], messageRequired: false },
  { event: 'accept', from: ['in-processing'], to: 'accepted', actors: ['institution'], messageRequired: false },
  { event: 'refuse', from: ['in-processing'], to: 'refused', actors: ['institution'], messageRequired: true },
  { event: 'close', from: BEFORE_SUBMISSION, to: 'closed', actors: ['applicant'], messageRequired: false },
  { event: 'close', from: ['accepted', 'refused'], to: 'closed', actors: ['institution'], messageRequired: false },
  { event: 'withdraw', from: BEFORE_DECISION, to: 'closed', actors: ['applicant'], messageRequired: false },
  // a linked aid whose parent request was refused: closed by the server, saying why (sent with its parent,
  // or still being prepared in a later dossier when the parent was filed before)
  { event: 'close', from: [...BEFORE_SUBMISSION, 'submitted'], to: 'closed', actors: ['system'], messageRequired: true },
];

export const TERMINAL_STATES: readonly ApplicationState[] = ['closed'];
export const DECIDED_STATES: readonly ApplicationState[] = ['accepted', 'refused'];

/**
 * Why an event is refused:
 * - terminal: the application is closed, nothing moves it any more;
 * - already-decided: accepted or refused, only the institution's close remains;
 * - not-allowed-in-state: the event does not apply in this state;
 * - actor-not-allowed: the event applies here, but not for this kind of actor;
 * - message-required: the event needs a non-empty message (request-information, refuse).
 */
export type TransitionRefusal = 'terminal' | 'already-decided' | 'not-allowed-in-state' | 'actor-not-allowed' | 'message-required';

export type TransitionResult =
  | { ok: true; next: ApplicationState; rule: TransitionRule }
  | { ok: false; reason: TransitionRefusal };

export function transition(
  state: ApplicationState,
  event: ApplicationEvent,
  actorKind: ApplicationActorKind,
  opts: { message?: string | null } = {},
): TransitionResult {
  const inState = TRANSITIONS.filter((r) => r.event === event && r.from.includes(state));
  if (inState.length === 0) {
    if (TERMINAL_STATES.includes(state)) return { ok: false, reason: 'terminal' };
    if (DECIDED_STATES.includes(state)) return { ok: false, reason: 'already-decided' };
    return { ok: false, reason: 'not-allowed-in-state' };
  }
  const rule = inState.find((r) => r.actors.includes(actorKind));
  if (!rule) return { ok: false, reason: 'actor-not-allowed' };
  if (rule.messageRequired && (opts.message ?? '').trim() === '') return { ok: false, reason: 'message-required' };
  return { ok: true, next: rule.to, rule };
}

/** The events this actor may fire from this state (for the consoles' buttons). */
export function eventsFor(state: ApplicationState, actorKind: ApplicationActorKind): ApplicationEvent[] {
  return [...new Set(TRANSITIONS.filter((r) => r.from.includes(state) && r.actors.includes(actorKind)).map((r) => r.event))];
}
