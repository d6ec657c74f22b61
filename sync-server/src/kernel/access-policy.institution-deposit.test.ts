/** The ground « institution-deposit »: an institution's own client or account adds its papers, and only that. */
import { describe, expect, it } from 'vitest';
import { decide } from './access-policy.ts';
import type { AccessQuestion, PolicyAction } from './access-policy.ts';

const actor = { kind: 'staff', id: 'institution-client:caf-1' } as const;
const depositor = { id: 'institution-client:caf-1', institutionId: 'caf', active: true };
const ask = (o: Partial<AccessQuestion> & { serves?: boolean; depositor?: typeof depositor | null } = {}) =>
  decide({
    actor: o.actor ?? actor,
    action: o.action ?? 'document.issue',
    subject: { personId: 'p1' },
    documentClass: o.documentClass === undefined ? { vault: 'institutional', docType: 'caf-certificate' } : o.documentClass,
    ground: { kind: 'institution-deposit', institutionId: 'caf', depositor: o.depositor === undefined ? depositor : o.depositor, serves: o.serves ?? true },
  });

describe('institution-deposit ground', () => {
  it('allows an active depositor of the institution to issue into the institutional vault of a person it serves', () => {
    expect(ask()).toEqual({ allow: true });
  });

  it('refuses a stranger, another actor, a revoked client, another institution’s client', () => {
    expect(ask({ serves: false })).toEqual({ allow: false, reason: 'not_served_by_institution' });
    expect(ask({ depositor: null })).toEqual({ allow: false, reason: 'account_unknown' });
    expect(ask({ depositor: { ...depositor, active: false } })).toEqual({ allow: false, reason: 'account_not_active' });
    expect(ask({ depositor: { ...depositor, id: 'institution-client:other' } })).toEqual({ allow: false, reason: 'account_not_actor' });
    expect(ask({ depositor: { ...depositor, institutionId: 'cpam' } })).toEqual({ allow: false, reason: 'account_not_actor' });
    expect(ask({ actor: { kind: 'person', personId: 'p1' } })).toEqual({ allow: false, reason: 'ground_not_for_actor' });
  });

  it('allows nothing else: no personal vault, no read, list, delete or journal', () => {
    expect(ask({ documentClass: { vault: 'personal', docType: 'rib' } })).toEqual({ allow: false, reason: 'action_not_allowed_on_ground' });
    for (const action of ['document.read', 'vault.list', 'document.delete', 'audit.read', 'document.deposit', 'document.send'] as PolicyAction[]) {
      expect(ask({ action }), action).toEqual({ allow: false, reason: 'action_not_allowed_on_ground' });
    }
  });
});
