/**
 * The one access policy (DESIGN.md §6): every read or write of a vault document asks `decide` first.
 * Pure: callers resolve the facts (card status, owner) from the database and pass them in, so the
 * rules can be read here in one place and tested without a database.
 */
import type { CardStatus, VaultKind } from './storage/schema.ts';

export type PolicyAction =
  | 'document.deposit'
  /** an institution's paper put into the person's institutional vault (staff, on the institution's behalf) */
  | 'document.issue'
  | 'document.read'
  | 'document.delete'
  | 'document.send'
  | 'vault.list'
  | 'audit.read';

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
   * the agent acts, the beneficiary consents (what an agent's role may do is narrowed by competence later)
   */
  | {
      kind: 'consent';
      agentCard: (PolicyCard & { role: 'beneficiary' | 'agent' }) | null;
      beneficiaryCard: PolicyCard | null;
    }
  /** not yet supported: a signed procuration */
  | { kind: 'procuration' }
  /**
   * a head of service reading, in the processing console, a piece of a request sent to their institution.
   * `account` is their console account as the database knows it now (null: unknown). `pieceOf` lists the
   * dossiers the document is attached to as a piece: whose dossier, and the institution kinds that have
   * an application of it that was sent (a linked aid only once the aid it waits for is accepted) and that
   * asks for this piece.
   */
  | {
      kind: 'institution-processing';
      account: { id: string; institutionKind: string; active: boolean } | null;
      pieceOf: readonly { personId: string; forKinds: readonly string[] }[];
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
  | 'ground_not_supported'
  | 'account_unknown'
  | 'account_not_active'
  | 'account_not_actor'
  | 'not_a_piece_for_institution';

export type Decision = { allow: true } | { allow: false; reason: DenyReason };

export interface AccessQuestion {
  actor: PolicyActor;
  action: PolicyAction;
  subject: PolicySubject;
  /** null for actions on the vault as a whole (vault.list, audit.read) */
  documentClass: DocumentClass | null;
  ground: PolicyGround;
}

const deny = (reason: DenyReason): Decision => ({ allow: false, reason });

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
      // deleting a paper stays the person's own act, on their own card
      if (action === 'document.delete') return deny('action_not_allowed_on_ground');
      if (action === 'document.deposit' && (documentClass === null || documentClass.vault !== 'personal')) {
        return deny('institutional_vault_is_read_only');
      }
      return { allow: true };
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
    case 'procuration':
      return deny('ground_not_supported');
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
  }
}
