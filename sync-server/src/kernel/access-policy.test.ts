import { describe, expect, it } from 'vitest';
import { decide } from './access-policy.ts';
import type { AccessQuestion, PolicyGround } from './access-policy.ts';

const camille = 'person-camille';
const yanis = 'person-yanis';
const personal = { vault: 'personal', docType: 'rib' } as const;
const institutional = { vault: 'institutional', docType: 'tax-notice' } as const;
const ownCard = (personId: string, status: 'active' | 'blocked' | 'revoked' = 'active', proven = true): PolicyGround => ({
  kind: 'own-card',
  card: { serial: '0A1B2C3D', personId, status, proven },
});

function q(over: Partial<AccessQuestion>): AccessQuestion {
  return {
    actor: { kind: 'person', personId: camille },
    action: 'document.deposit',
    subject: { personId: camille },
    documentClass: personal,
    ground: ownCard(camille),
    ...over,
  };
}

describe('access policy: own-card', () => {
  it('refuses every act of a card that did not prove it was at the kiosk (a kiosk naming a card proves nothing)', () => {
    for (const action of ['document.deposit', 'document.delete', 'document.send', 'document.read', 'vault.list', 'audit.read'] as const) {
      expect(decide(q({ action, documentClass: action === 'vault.list' || action === 'audit.read' ? null : personal, ground: ownCard(camille, 'active', false) }))).toEqual({ allow: false, reason: 'card_not_present' });
    }
    // a blocked card says so first, proven or not
    expect(decide(q({ ground: ownCard(camille, 'blocked', false) }))).toEqual({ allow: false, reason: 'card_not_active' });
  });
  it('lets the holder of an active card deposit into and read their own personal vault', () => {
    expect(decide(q({}))).toEqual({ allow: true });
    expect(decide(q({ action: 'document.read' }))).toEqual({ allow: true });
    expect(decide(q({ action: 'document.read', documentClass: institutional }))).toEqual({ allow: true });
    expect(decide(q({ action: 'vault.list', documentClass: null }))).toEqual({ allow: true });
  });

  it('refuses another person’s vault, even with a valid card', () => {
    expect(decide(q({ subject: { personId: yanis } }))).toEqual({ allow: false, reason: 'not_own_vault' });
    expect(decide(q({ action: 'document.read', subject: { personId: yanis } }))).toEqual({ allow: false, reason: 'not_own_vault' });
  });

  it('refuses an unknown, blocked or revoked card, and someone else’s card', () => {
    expect(decide(q({ ground: { kind: 'own-card', card: null } }))).toEqual({ allow: false, reason: 'card_unknown' });
    expect(decide(q({ ground: ownCard(camille, 'blocked') }))).toEqual({ allow: false, reason: 'card_not_active' });
    expect(decide(q({ ground: ownCard(camille, 'revoked') }))).toEqual({ allow: false, reason: 'card_not_active' });
    expect(decide(q({ ground: ownCard(yanis) }))).toEqual({ allow: false, reason: 'card_not_actor' });
  });

  it('refuses deposits into the institutional vault', () => {
    expect(decide(q({ documentClass: institutional }))).toEqual({ allow: false, reason: 'institutional_vault_is_read_only' });
  });

  it('is not a ground for staff', () => {
    expect(decide(q({ actor: { kind: 'staff', id: 's' } }))).toEqual({ allow: false, reason: 'ground_not_for_actor' });
  });
});

describe('access policy: staff-administration', () => {
  const staff = { actor: { kind: 'staff', id: 'staff-api' }, ground: { kind: 'staff-administration' } } as const;
  it('allows reads, listing and the journal', () => {
    expect(decide(q({ ...staff, action: 'document.read', subject: { personId: yanis } }))).toEqual({ allow: true });
    expect(decide(q({ ...staff, action: 'vault.list', documentClass: null }))).toEqual({ allow: true });
    expect(decide(q({ ...staff, action: 'audit.read', documentClass: null }))).toEqual({ allow: true });
  });
  it('refuses writes and persons claiming it', () => {
    expect(decide(q({ ...staff, action: 'document.deposit' }))).toEqual({ allow: false, reason: 'action_not_allowed_on_ground' });
    expect(decide(q({ ground: { kind: 'staff-administration' } }))).toEqual({ allow: false, reason: 'ground_not_for_actor' });
  });
});

describe('access policy: an agent with the beneficiary present (consent)', () => {
  const sophie = 'person-sophie';
  const consent = (
    over: {
      agentRole?: 'agent' | 'beneficiary';
      agentStatus?: 'active' | 'blocked';
      benStatus?: 'active' | 'revoked';
      agentOf?: string;
      benOf?: string;
      agentProven?: boolean;
      benProven?: boolean;
    } = {},
  ): PolicyGround => ({
    kind: 'consent',
    agentCard: { serial: '0A1B2C40', personId: over.agentOf ?? sophie, status: over.agentStatus ?? 'active', role: over.agentRole ?? 'agent', proven: over.agentProven ?? true },
    beneficiaryCard: { serial: '0A1B2C3D', personId: over.benOf ?? camille, status: over.benStatus ?? 'active', proven: over.benProven ?? true },
    // a social worker: the widest level, so these cases are about the cards (the matrix test covers the levels)
    agent: { personId: over.agentOf ?? sophie, level: 'travail-social', structureId: 'structure-cms', active: true },
  });
  const asSophie = { actor: { kind: 'person', personId: sophie } } as const;

  it('lets the agent deposit, read, list and send for the present beneficiary', () => {
    for (const action of ['document.deposit', 'document.read', 'vault.list', 'document.send'] as const) {
      expect(decide(q({ ...asSophie, action, ground: consent() }))).toEqual({ allow: true });
    }
  });
  it('keeps deleting the person’s own act, and the institutional vault read-only', () => {
    expect(decide(q({ ...asSophie, action: 'document.delete', ground: consent() }))).toEqual({ allow: false, reason: 'action_not_allowed_on_ground' });
    expect(decide(q({ ...asSophie, documentClass: institutional, ground: consent() }))).toEqual({ allow: false, reason: 'institutional_vault_is_read_only' });
  });
  it('refuses unless both cards proved they were at the box', () => {
    for (const action of ['document.deposit', 'document.send', 'document.read'] as const) {
      expect(decide(q({ ...asSophie, action, ground: consent({ benProven: false }) }))).toEqual({ allow: false, reason: 'card_not_present' });
      expect(decide(q({ ...asSophie, action, ground: consent({ agentProven: false }) }))).toEqual({ allow: false, reason: 'card_not_present' });
    }
  });
  it('refuses a non-agent, someone else’s card, inactive cards, another person’s vault', () => {
    expect(decide(q({ ...asSophie, ground: consent({ agentRole: 'beneficiary' }) }))).toEqual({ allow: false, reason: 'not_an_agent' });
    expect(decide(q({ ...asSophie, ground: consent({ agentOf: yanis }) }))).toEqual({ allow: false, reason: 'card_not_actor' });
    expect(decide(q({ ...asSophie, ground: consent({ agentStatus: 'blocked' }) }))).toEqual({ allow: false, reason: 'card_not_active' });
    expect(decide(q({ ...asSophie, ground: consent({ benStatus: 'revoked' }) }))).toEqual({ allow: false, reason: 'card_not_active' });
    expect(decide(q({ ...asSophie, subject: { personId: yanis }, ground: consent() }))).toEqual({ allow: false, reason: 'not_own_vault' });
    expect(decide(q({ ...asSophie, ground: { kind: 'consent', agentCard: null, beneficiaryCard: null, agent: null } }))).toEqual({ allow: false, reason: 'card_unknown' });
    expect(decide(q({ ...staffActor, ground: consent() }))).toEqual({ allow: false, reason: 'ground_not_for_actor' });
  });
});

const staffActor = { actor: { kind: 'staff', id: 'staff-api' } } as const;

describe('access policy: own-card deletion', () => {
  it('lets a person delete from their personal vault only', () => {
    expect(decide(q({ action: 'document.delete' }))).toEqual({ allow: true });
    expect(decide(q({ action: 'document.delete', documentClass: institutional }))).toEqual({ allow: false, reason: 'institutional_vault_is_read_only' });
  });
});

describe('access policy: institution-processing (a head of service reads the pieces sent to them)', () => {
  const account = { id: 'account-caf-1', institutionKind: 'caf', active: true };
  const processing = (
    over: { account?: typeof account | null; pieceOf?: { personId: string; forKinds: string[] }[] } = {},
  ): PolicyGround => ({
    kind: 'institution-processing',
    account: over.account === undefined ? account : over.account,
    pieceOf: over.pieceOf ?? [{ personId: camille, forKinds: ['caf'] }],
  });
  const asHead = { actor: { kind: 'staff', id: 'account-caf-1' }, action: 'document.read' } as const;

  it('allows reading a piece of a request sent to the account’s institution kind', () => {
    expect(decide(q({ ...asHead, ground: processing() }))).toEqual({ allow: true });
    // a piece of several dossiers: one sent to this kind is enough
    const two = processing({ pieceOf: [{ personId: camille, forKinds: ['mdph'] }, { personId: camille, forKinds: ['cpam', 'caf'] }] });
    expect(decide(q({ ...asHead, ground: two }))).toEqual({ allow: true });
  });

  it('refuses a document that is no piece for this institution kind, or of another person', () => {
    expect(decide(q({ ...asHead, ground: processing({ pieceOf: [] }) }))).toEqual({ allow: false, reason: 'not_a_piece_for_institution' });
    expect(decide(q({ ...asHead, ground: processing({ pieceOf: [{ personId: camille, forKinds: ['mdph'] }] }) }))).toEqual({
      allow: false,
      reason: 'not_a_piece_for_institution',
    });
    // the dossier is someone else's: the document's owner is the subject
    expect(decide(q({ ...asHead, subject: { personId: yanis }, ground: processing() }))).toEqual({ allow: false, reason: 'not_a_piece_for_institution' });
  });

  it('refuses an unknown, disabled or other account', () => {
    expect(decide(q({ ...asHead, ground: processing({ account: null }) }))).toEqual({ allow: false, reason: 'account_unknown' });
    expect(decide(q({ ...asHead, ground: processing({ account: { ...account, active: false } }) }))).toEqual({ allow: false, reason: 'account_not_active' });
    expect(decide(q({ ...asHead, actor: { kind: 'staff', id: 'account-caf-2' }, ground: processing() }))).toEqual({ allow: false, reason: 'account_not_actor' });
  });

  it('reads only: no deposit, issue, deletion, sending, listing or journal', () => {
    for (const action of ['document.deposit', 'document.issue', 'document.delete', 'document.send', 'vault.list', 'audit.read'] as const) {
      expect(decide(q({ ...asHead, action, ground: processing() })), action).toEqual({ allow: false, reason: 'action_not_allowed_on_ground' });
    }
  });

  it('is not a ground for a person', () => {
    expect(decide(q({ action: 'document.read', ground: processing() }))).toEqual({ allow: false, reason: 'ground_not_for_actor' });
  });
});
