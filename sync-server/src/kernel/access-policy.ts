/**
 * The one access policy (DESIGN.md §6): every read or write of a vault document asks `decide` first.
 * Pure: callers resolve the facts (card status, owner, an agent's profile, a procuration) from the
 * database and pass them in, so the rules can be read here in one place and tested without a database.
 * An agent acts within their competence level (protocol/agents.ts, docs/agents.md), and on a
 * procuration within level ∩ what the person signed.
 */
import { CATEGORY_OF, COMPETENCE } from '../../protocol/agents.ts';
import type { AgentAction, CompetenceLevel, PaperCategory, VaultKindName } from '../../protocol/agents.ts';
import { AGENT_ACTION_OF } from '../../protocol/procuration.ts';
import type { ProcurationAction } from '../../protocol/procuration.ts';
import type { DocType } from '../../protocol/common.ts';
import type { CardStatus, StaffRole, VaultKind } from './storage/schema.ts';

export type PolicyAction =
  | 'document.deposit'
  /** an institution's paper put into the person's institutional vault (staff, on the institution's behalf) */
  | 'document.issue'
  | 'document.read'
  | 'document.delete'
  | 'document.send'
  | 'vault.list'
  | 'audit.read'
  /** add a piece to a request's checklist, or mark one not needed */
  | 'checklist.adapt'
  /** start a request */
  | 'application.file'
  /** sign and send a request */
  | 'application.send'
  /** write to an institution about a request */
  | 'institution.message';

/**
 * What each act is in an agent's terms (protocol/agents.ts). Null: never an agent's act — deleting a paper
 * stays the person's own, issuing is an institution's, and the journal is the person's to read.
 */
export const AGENT_ACTION_FOR: Readonly<Record<PolicyAction, AgentAction | null>> = {
  'document.read': 'consult',
  'vault.list': 'consult',
  'document.deposit': 'scan-for',
  'document.send': 'message',
  'checklist.adapt': 'adapt-checklist',
  'application.file': 'file',
  'application.send': 'send',
  'institution.message': 'message',
  'document.delete': null,
  'document.issue': null,
  'audit.read': null,
};

/** Acts on requests: on a procuration, each request's aid must be in what the person signed. */
const AID_ACTIONS: ReadonlySet<PolicyAction> = new Set(['checklist.adapt', 'application.file', 'application.send']);

/**
 * An agent as the database knows them now: their competence level (null: no profile, so no competence),
 * their structure, and whether they may act (false when suspended, or when their structure is disabled).
 */
export interface PolicyAgent {
  personId: string;
  level: CompetenceLevel | null;
  structureId: string | null;
  active: boolean;
}

/**
 * A stored procuration as the policy sees it: `verified` when both signatures and certificates were
 * checked, `inForce` on today's Paris day and not revoked. Its scope as the person signed it.
 */
export interface PolicyProcuration {
  id: string;
  /** who gave it */
  personId: string;
  /** to whom */
  agentPersonId: string;
  inForce: boolean;
  verified: boolean;
  categories: readonly PaperCategory[];
  actions: readonly ProcurationAction[];
  /** aid ids, or ['*'] for every procedure */
  aids: readonly string[];
}

export type PolicyActor =
  | { kind: 'person'; personId: string }
  /** a holder of the staff API token (one shared token for now; per-agent identities come later) */
  | { kind: 'staff'; id: string };

export interface PolicySubject {
  /** whose vault */
  personId: string;
}

export interface DocumentClass {
  vault: VaultKind;
  docType: string;
}

/**
 * A card as the policy sees it: who holds it, its status now, and whether it proved it was there — it
 * signed this very act (a write: the mutation's proof), or it opened the session the request comes in
 * (a read: the session's login signature). A card named without proof counts for nothing.
 */
export interface PolicyCard {
  serial: string;
  personId: string;
  status: CardStatus;
  proven: boolean;
}

export type PolicyGround =
  /** the card's holder acting on their own vault; `card` is null when the serial is unknown */
  | { kind: 'own-card'; card: PolicyCard | null }
  | { kind: 'staff-administration' }
  /**
   * an agent at a kiosk with the beneficiary present, who put in their own card and typed their PIN:
   * the agent acts, the beneficiary consents, within the agent's competence level (`agent`: their profile)
   */
  | {
      kind: 'consent';
      agentCard: (PolicyCard & { role: 'beneficiary' | 'agent' }) | null;
      beneficiaryCard: PolicyCard | null;
      agent: PolicyAgent | null;
    }
  /**
   * an agent acting alone, on a procuration the person signed: within their level and what the
   * procuration allows (`procuration` null: none was found under the reference given)
   */
  | {
      kind: 'procuration';
      agentCard: (PolicyCard & { role: 'beneficiary' | 'agent' }) | null;
      agent: PolicyAgent | null;
      procuration: PolicyProcuration | null;
    }
  /**
   * a head of service reading, in the processing console, a piece of a request sent to their institution.
   * `account` is their console account as the database knows it now (null: unknown). `pieceOf` lists the
   * dossiers the document is attached to as a piece: whose dossier, and the institution kinds that have
   * an application of it that was sent (a linked aid only once the aid it waits for is accepted) and that
   * asks for this piece.
   */
  /**
   * an institution putting one of its papers in a person's institutional vault itself: through its own
   * system (an API client) or a member of its staff in the console. `depositor` is that client or account
   * as the database knows it now (null: unknown); `serves` says whether the institution serves the person
   * (features/institutions/serving.ts): an institution never writes into the vault of a stranger.
   */
  | {
      kind: 'institution-deposit';
      institutionId: string;
      depositor: { id: string; institutionId: string; active: boolean } | null;
      serves: boolean;
    }
  | {
      kind: 'institution-processing';
      account: { id: string; institutionKind: string; active: boolean } | null;
      pieceOf: readonly { personId: string; forKinds: readonly string[] }[];
    }
  /**
   * a member of an institution's staff opening, in the console's inbox, a paper a person (or an agent for
   * them) sent to that institution. `account` is their console account now (null: unknown); `sentTo` lists
   * who sent this document to which institution (one row per sending, replies of staff aside).
   */
  | {
      kind: 'institution-inbox';
      account: { id: string; institutionId: string; role: StaffRole; active: boolean } | null;
      sentTo: readonly { personId: string; institutionId: string }[];
    };

export type DenyReason =
  | 'card_unknown'
  | 'card_not_active'
  /** the card is named, but nothing proves it was at the kiosk */
  | 'card_not_present'
  | 'card_not_actor'
  | 'not_own_vault'
  | 'institutional_vault_is_read_only'
  | 'ground_not_for_actor'
  | 'action_not_allowed_on_ground'
  | 'not_an_agent'
  | 'account_unknown'
  | 'account_not_active'
  | 'account_not_actor'
  | 'not_a_piece_for_institution'
  /** the institution does not serve this person (no request it handles, no letter to it, no paper from it) */
  | 'not_served_by_institution'
  /** the console account's role does not allow this (a depositor, an institution's admin) */
  | 'role_not_allowed'
  /** the paper was not sent to this account's institution by this person */
  | 'not_sent_to_institution'
  /** the agent has no profile in a structure, so no competence level */
  | 'agent_no_profile'
  /** suspended (inactivity, or by their structure), or their structure disabled */
  | 'agent_suspended'
  /** the agent's level does not open this vault */
  | 'level_vault'
  /** the agent's level does not open this category of papers */
  | 'level_category'
  /** the agent's level does not allow this act */
  | 'level_action'
  | 'procuration_unknown'
  | 'procuration_not_verified'
  | 'procuration_not_in_force'
  /** the procuration was given by someone else than the person whose papers these are */
  | 'procuration_other_person'
  /** the procuration was given to another agent */
  | 'procuration_other_agent'
  | 'procuration_scope_category'
  | 'procuration_scope_action'
  /** a request's aid is not among those the procuration names (or no aid was named) */
  | 'procuration_scope_aid';

export type Decision = { allow: true } | { allow: false; reason: DenyReason };

export interface AccessQuestion {
  actor: PolicyActor;
  action: PolicyAction;
  subject: PolicySubject;
  /** null for actions on the vault as a whole (vault.list, audit.read) */
  documentClass: DocumentClass | null;
  ground: PolicyGround;
  /** the aids of the request acted on (checklist.adapt, application.*): a procuration must name each */
  aidIds?: readonly string[];
}

const deny = (reason: DenyReason): Decision => ({ allow: false, reason });
const ALLOW: Decision = { allow: true };

/** A paper's category; a type this server does not know counts as `other`. */
export function categoryOf(docType: string): PaperCategory {
  return Object.hasOwn(CATEGORY_OF, docType) ? CATEGORY_OF[docType as DocType] : 'other';
}

/** What an agent may reach: vaults, categories of papers, acts. Empty when they may do nothing. */
export interface AgentReach {
  vaults: readonly VaultKindName[];
  categories: readonly PaperCategory[];
  actions: readonly AgentAction[];
}

const NOTHING: AgentReach = { vaults: [], categories: [], actions: [] };

/**
 * What an agent may reach now: their level's, narrowed by the procuration when they act on one
 * (level ∩ procuration). Callers filter lists and search results with it, so an agent never sees a
 * paper's title they could not open. A procuration not usable by this agent reaches nothing.
 */
export function agentReach(agent: PolicyAgent | null, procuration: PolicyProcuration | null): AgentReach {
  if (agent === null || agent.level === null || !agent.active) return NOTHING;
  const level = COMPETENCE[agent.level];
  if (procuration === null) return { vaults: level.vaults, categories: level.categories, actions: level.actions };
  if (!procuration.verified || !procuration.inForce || procuration.agentPersonId !== agent.personId) return NOTHING;
  const signed = new Set(procuration.actions.map((a) => AGENT_ACTION_OF[a]));
  return {
    vaults: level.vaults,
    categories: level.categories.filter((c) => procuration.categories.includes(c)),
    actions: level.actions.filter((a) => signed.has(a)),
  };
}

/** The card an agent acts with: present, active, theirs, an agent's. */
function agentCardDecision(card: (PolicyCard & { role: 'beneficiary' | 'agent' }) | null, actor: PolicyActor & { kind: 'person' }): Decision {
  if (card === null) return deny('card_unknown');
  if (card.status !== 'active') return deny('card_not_active');
  if (!card.proven) return deny('card_not_present');
  if (card.personId !== actor.personId) return deny('card_not_actor');
  if (card.role !== 'agent') return deny('not_an_agent');
  return ALLOW;
}

/** The agent has a profile and may act (not suspended, structure not disabled). */
function profileDecision(agent: PolicyAgent | null, actorId: string): Decision {
  if (agent === null || agent.level === null || agent.personId !== actorId) return deny('agent_no_profile');
  if (!agent.active) return deny('agent_suspended');
  return ALLOW;
}

/** The act within the agent's level (their profile already checked). */
function levelDecision(level: CompetenceLevel, action: PolicyAction, documentClass: DocumentClass | null): Decision {
  const act = AGENT_ACTION_FOR[action];
  if (act === null) return deny('action_not_allowed_on_ground');
  // an agent scans into the personal vault only: the institutional one holds what institutions issued
  if (action === 'document.deposit' && (documentClass === null || documentClass.vault !== 'personal')) return deny('institutional_vault_is_read_only');
  const c = COMPETENCE[level];
  if (!c.actions.includes(act)) return deny('level_action');
  if (documentClass !== null) {
    if (!c.vaults.includes(documentClass.vault)) return deny('level_vault');
    if (!c.categories.includes(categoryOf(documentClass.docType))) return deny('level_category');
  }
  return ALLOW;
}

/** The procuration itself: stored, checked, in force, from this person to this agent. */
function procurationDecision(p: PolicyProcuration | null, actorId: string, subjectId: string): Decision {
  if (p === null) return deny('procuration_unknown');
  if (!p.verified) return deny('procuration_not_verified');
  if (!p.inForce) return deny('procuration_not_in_force');
  if (p.personId !== subjectId) return deny('procuration_other_person');
  if (p.agentPersonId !== actorId) return deny('procuration_other_agent');
  return ALLOW;
}

/** The act within what the person signed (the level already allows it, so the act is an agent's). */
function scopeDecision(p: PolicyProcuration, q: AccessQuestion): Decision {
  const act = AGENT_ACTION_FOR[q.action];
  if (act === null || !p.actions.some((a) => AGENT_ACTION_OF[a] === act)) return deny('procuration_scope_action');
  if (q.documentClass !== null && !p.categories.includes(categoryOf(q.documentClass.docType))) return deny('procuration_scope_category');
  if (AID_ACTIONS.has(q.action)) {
    const aids = q.aidIds ?? [];
    if (aids.length === 0) return deny('procuration_scope_aid');
    if (!p.aids.includes('*') && !aids.every((a) => p.aids.includes(a))) return deny('procuration_scope_aid');
  }
  return ALLOW;
}

/**
 * What an institution's console account may do, by role. The head of service (stored `institution`)
 * decides on requests and hands out the inbox; an instructor works requests and the inbox items that are
 * theirs or nobody's, without deciding; a depositor puts papers in persons' institutional vaults and sees
 * nothing else; an institution's admin manages its accounts and sees no person's papers (least privilege:
 * one person may hold two accounts). A structure's admin has no institution act at all.
 */
export type StaffAct =
  /** see the queue, take up a request, ask for information, write in a request's thread, open its pieces */
  | 'request.work'
  /** accept, refuse or close a request */
  | 'request.decide'
  /** see the inbox, open its messages and their papers, reply */
  | 'inbox.read'
  /** assign an inbox item to any member of the institution's staff, or take it back */
  | 'inbox.assign'
  /** take an unassigned inbox item for oneself */
  | 'inbox.take'
  /** deposit a paper in a person's institutional vault from the console */
  | 'deposit'
  /** create the institution's accounts, change their role, disable them */
  | 'accounts.manage';

export const STAFF_ACTS: Readonly<Record<StaffRole, readonly StaffAct[]>> = {
  // the head of service answers for everything the institution does, deposits included
  institution: ['request.work', 'request.decide', 'inbox.read', 'inbox.assign', 'inbox.take', 'deposit'],
  instructor: ['request.work', 'inbox.read', 'inbox.take'],
  depositor: ['deposit'],
  'institution-admin': ['accounts.manage'],
  'structure-admin': [],
};

export function staffMay(role: StaffRole, act: StaffAct): boolean {
  return STAFF_ACTS[role].includes(act);
}

/**
 * Inbox items an account sees: all of its institution's for whom may hand them out, and for an
 * instructor those assigned to them or to no one (another's file stays theirs). Null assignee: unassigned.
 */
export function inboxItemVisible(role: StaffRole, accountId: string, assignedTo: string | null): boolean {
  if (!staffMay(role, 'inbox.read')) return false;
  return staffMay(role, 'inbox.assign') || assignedTo === null || assignedTo === accountId;
}

export function decide(q: AccessQuestion): Decision {
  const { actor, action, subject, documentClass, ground } = q;
  switch (ground.kind) {
    case 'own-card': {
      if (actor.kind !== 'person') return deny('ground_not_for_actor');
      if (ground.card === null) return deny('card_unknown');
      if (ground.card.status !== 'active') return deny('card_not_active');
      if (!ground.card.proven) return deny('card_not_present');
      if (ground.card.personId !== actor.personId) return deny('card_not_actor');
      if (subject.personId !== actor.personId) return deny('not_own_vault');
      if (action === 'document.deposit' || action === 'document.delete') {
        // institutional documents are issued by institutions; a person deposits into, and deletes from, the personal vault only
        if (documentClass === null || documentClass.vault !== 'personal') return deny('institutional_vault_is_read_only');
        return { allow: true };
      }
      return { allow: true };
    }
    case 'consent': {
      if (actor.kind !== 'person') return deny('ground_not_for_actor');
      const { agentCard, beneficiaryCard } = ground;
      if (agentCard === null || beneficiaryCard === null) return deny('card_unknown');
      if (agentCard.status !== 'active' || beneficiaryCard.status !== 'active') return deny('card_not_active');
      if (!agentCard.proven || !beneficiaryCard.proven) return deny('card_not_present');
      if (agentCard.personId !== actor.personId) return deny('card_not_actor');
      if (agentCard.role !== 'agent') return deny('not_an_agent');
      if (beneficiaryCard.personId !== subject.personId) return deny('not_own_vault');
      const profile = profileDecision(ground.agent, actor.personId);
      if (!profile.allow || ground.agent?.level == null) return profile;
      // deleting a paper stays the person's own act, on their own card; the journal is theirs to read
      return levelDecision(ground.agent.level, action, documentClass);
    }
    case 'staff-administration': {
      if (actor.kind !== 'staff') return deny('ground_not_for_actor');
      if (action === 'document.read' || action === 'vault.list' || action === 'audit.read') return { allow: true };
      if (action === 'document.issue') {
        // staff put institutions' papers in the institutional vault only: the personal one is the person's
        if (documentClass === null || documentClass.vault !== 'institutional') return deny('action_not_allowed_on_ground');
        return { allow: true };
      }
      return deny('action_not_allowed_on_ground');
    }
    case 'procuration': {
      if (actor.kind !== 'person') return deny('ground_not_for_actor');
      // the agent's card alone is the actor: the person is not there, their signature is the procuration
      const card = agentCardDecision(ground.agentCard, actor);
      if (!card.allow) return card;
      const profile = profileDecision(ground.agent, actor.personId);
      if (!profile.allow || ground.agent?.level == null) return profile;
      const signed = procurationDecision(ground.procuration, actor.personId, subject.personId);
      if (!signed.allow || ground.procuration === null) return signed;
      const level = levelDecision(ground.agent.level, action, documentClass);
      if (!level.allow) return level;
      return scopeDecision(ground.procuration, q);
    }
    case 'institution-deposit': {
      if (actor.kind !== 'staff') return deny('ground_not_for_actor');
      if (ground.depositor === null) return deny('account_unknown');
      if (ground.depositor.id !== actor.id) return deny('account_not_actor');
      if (!ground.depositor.active) return deny('account_not_active');
      if (ground.depositor.institutionId !== ground.institutionId) return deny('account_not_actor');
      // an institution adds its own papers to the institutional vault; it reads, lists and deletes nothing
      if (action !== 'document.issue' || documentClass === null || documentClass.vault !== 'institutional') return deny('action_not_allowed_on_ground');
      if (!ground.serves) return deny('not_served_by_institution');
      return { allow: true };
    }
    case 'institution-processing': {
      if (actor.kind !== 'staff') return deny('ground_not_for_actor');
      if (ground.account === null) return deny('account_unknown');
      if (ground.account.id !== actor.id) return deny('account_not_actor');
      if (!ground.account.active) return deny('account_not_active');
      // processing reads the pieces it was sent; it never lists, writes or reads the journal
      if (action !== 'document.read') return deny('action_not_allowed_on_ground');
      const kind = ground.account.institutionKind;
      if (!ground.pieceOf.some((p) => p.personId === subject.personId && p.forKinds.includes(kind))) return deny('not_a_piece_for_institution');
      return { allow: true };
    }
    case 'institution-inbox': {
      if (actor.kind !== 'staff') return deny('ground_not_for_actor');
      if (ground.account === null) return deny('account_unknown');
      if (ground.account.id !== actor.id) return deny('account_not_actor');
      if (!ground.account.active) return deny('account_not_active');
      // the inbox reads what was sent; it never lists a vault, writes in it or reads the journal
      if (action !== 'document.read') return deny('action_not_allowed_on_ground');
      if (!staffMay(ground.account.role, 'inbox.read')) return deny('role_not_allowed');
      const institutionId = ground.account.institutionId;
      if (!ground.sentTo.some((s) => s.personId === subject.personId && s.institutionId === institutionId)) return deny('not_sent_to_institution');
      return { allow: true };
    }
  }
}
