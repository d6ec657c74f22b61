/**
 * The competence matrix, cell by cell: who acts (a beneficiary's card put in the agent's place, an agent
 * without a profile, a suspended one, each level) × vault × category × act, on both grounds an agent acts
 * on (with the person present; on a procuration). The expected cells are written out by hand below, from
 * what docs/agents.md promises in words — not computed from COMPETENCE — so a change to the data that
 * opens or closes a cell fails here until someone decides it on purpose.
 */
import { describe, expect, it } from 'vitest';
import { agentReach, decide, inboxItemVisible, STAFF_ACTS, staffMay } from './access-policy.ts';
import type { AccessQuestion, PolicyAction, PolicyAgent, PolicyGround, PolicyProcuration, StaffAct } from './access-policy.ts';
import type { StaffRole } from './storage/schema.ts';
import type { CompetenceLevel } from '../../protocol/agents.ts';

const camille = 'person-camille';
const sophie = 'person-sophie';

/** One paper type per category (`family` has no paper type yet: agentReach covers it below). */
const COLUMNS = ['identity-card', 'payslip', 'rib', 'proof-of-address', 'health-insurance', 'other'] as const;

/**
 * Acts on one paper. Y: allowed, N: refused; columns in the order of COLUMNS:
 * identity-card, payslip, rib, proof-of-address, health-insurance, other.
 */
const PAPER_GRID = `
accueil          personal       document.read      Y Y N Y N Y
accueil          personal       document.deposit   Y Y N Y N Y
accueil          personal       document.send      N N N N N N
accueil          personal       document.delete    N N N N N N
accueil          personal       document.issue     N N N N N N
accueil          institutional  document.read      N N N N N N
accueil          institutional  document.deposit   N N N N N N
accueil          institutional  document.send      N N N N N N
accueil          institutional  document.delete    N N N N N N
accueil          institutional  document.issue     N N N N N N
accompagnement   personal       document.read      Y Y Y Y N Y
accompagnement   personal       document.deposit   Y Y Y Y N Y
accompagnement   personal       document.send      Y Y Y Y N Y
accompagnement   personal       document.delete    N N N N N N
accompagnement   personal       document.issue     N N N N N N
accompagnement   institutional  document.read      Y Y Y Y N Y
accompagnement   institutional  document.deposit   N N N N N N
accompagnement   institutional  document.send      Y Y Y Y N Y
accompagnement   institutional  document.delete    N N N N N N
accompagnement   institutional  document.issue     N N N N N N
travail-social   personal       document.read      Y Y Y Y Y Y
travail-social   personal       document.deposit   Y Y Y Y Y Y
travail-social   personal       document.send      Y Y Y Y Y Y
travail-social   personal       document.delete    N N N N N N
travail-social   personal       document.issue     N N N N N N
travail-social   institutional  document.read      Y Y Y Y Y Y
travail-social   institutional  document.deposit   N N N N N N
travail-social   institutional  document.send      Y Y Y Y Y Y
travail-social   institutional  document.delete    N N N N N N
travail-social   institutional  document.issue     N N N N N N
`;

/** Acts on no single paper: the list, the journal, requests, messages. */
const OTHER_GRID = `
level            vault.list  audit.read  checklist.adapt  application.file  application.send  institution.message
accueil          Y           N           N                N                 N                 N
accompagnement   Y           N           Y                Y                 Y                 Y
travail-social   Y           N           Y                Y                 Y                 Y
`;

type Cell = { level: CompetenceLevel; action: PolicyAction; vault: 'personal' | 'institutional' | null; docType: string | null; allow: boolean };

function cells(): Cell[] {
  const out: Cell[] = [];
  for (const line of PAPER_GRID.trim().split('\n')) {
    const [level, vault, action, ...marks] = line.trim().split(/\s+/);
    expect(marks).toHaveLength(COLUMNS.length);
    COLUMNS.forEach((docType, i) =>
      out.push({ level: level as CompetenceLevel, action: action as PolicyAction, vault: vault as 'personal' | 'institutional', docType, allow: marks[i] === 'Y' }),
    );
  }
  const [head, ...rows] = OTHER_GRID.trim().split('\n');
  const actions = head!.trim().split(/\s+/).slice(1) as PolicyAction[];
  for (const line of rows) {
    const [level, ...marks] = line.trim().split(/\s+/);
    actions.forEach((action, i) => out.push({ level: level as CompetenceLevel, action, vault: null, docType: null, allow: marks[i] === 'Y' }));
  }
  return out;
}

const LEVELS: readonly CompetenceLevel[] = ['accueil', 'accompagnement', 'travail-social'];
const ALL_ACTIONS: readonly PolicyAction[] = [
  'document.read', 'document.deposit', 'document.send', 'document.delete', 'document.issue',
  'vault.list', 'audit.read', 'checklist.adapt', 'application.file', 'application.send', 'institution.message',
];

const agentCard = (role: 'agent' | 'beneficiary' = 'agent') => ({ serial: '0A1B2C40', personId: sophie, status: 'active' as const, role, proven: true });
const profile = (level: CompetenceLevel | null, active = true): PolicyAgent => ({ personId: sophie, level, structureId: 'structure-cms', active });
const fullProcuration = (over: Partial<PolicyProcuration> = {}): PolicyProcuration => ({
  id: 'proc-1',
  personId: camille,
  agentPersonId: sophie,
  inForce: true,
  verified: true,
  categories: ['identity', 'income', 'bank', 'housing', 'family', 'health', 'other'],
  actions: ['consult', 'scan-for', 'adapt-checklist', 'file', 'send-without-me', 'write-in-my-name'],
  aids: ['*'],
  ...over,
});

type GroundKind = 'consent' | 'procuration';
function ground(kind: GroundKind, agent: PolicyAgent | null, role: 'agent' | 'beneficiary' = 'agent', procuration: PolicyProcuration | null = fullProcuration()): PolicyGround {
  if (kind === 'consent') {
    return { kind: 'consent', agentCard: agentCard(role), beneficiaryCard: { serial: '0A1B2C3D', personId: camille, status: 'active', proven: true }, agent };
  }
  return { kind: 'procuration', agentCard: agentCard(role), agent, procuration };
}

function ask(c: Pick<Cell, 'action' | 'vault' | 'docType'>, g: PolicyGround, aidIds: readonly string[] = ['rsa']): ReturnType<typeof decide> {
  const q: AccessQuestion = {
    actor: { kind: 'person', personId: sophie },
    action: c.action,
    subject: { personId: camille },
    documentClass: c.vault && c.docType ? { vault: c.vault, docType: c.docType } : null,
    ground: g,
    aidIds,
  };
  return decide(q);
}

describe('the competence matrix, every cell', () => {
  const all = cells();

  it('covers every level × vault × paper type × act (the grid is complete)', () => {
    expect(all).toHaveLength(LEVELS.length * (2 * 5 * COLUMNS.length + 6));
    for (const level of LEVELS) for (const action of ALL_ACTIONS) expect(all.some((c) => c.level === level && c.action === action), `${level} ${action}`).toBe(true);
  });

  for (const kind of ['consent', 'procuration'] as const) {
    it(`${kind}: an agent at each level gets exactly the cells of the grid`, () => {
      for (const c of all) {
        const d = ask(c, ground(kind, profile(c.level)));
        expect(d.allow, `${kind} ${c.level} ${c.vault ?? '-'} ${c.docType ?? '-'} ${c.action}: ${d.allow ? '' : d.reason}`).toBe(c.allow);
      }
    });

    it(`${kind}: a beneficiary's card in the agent's place, an agent without a profile, a suspended agent: nothing at all`, () => {
      for (const c of all) {
        expect(ask(c, ground(kind, profile(c.level), 'beneficiary'))).toEqual({ allow: false, reason: 'not_an_agent' });
        expect(ask(c, ground(kind, null))).toEqual({ allow: false, reason: 'agent_no_profile' });
        expect(ask(c, ground(kind, profile(null)))).toEqual({ allow: false, reason: 'agent_no_profile' });
        expect(ask(c, ground(kind, profile(c.level, false)))).toEqual({ allow: false, reason: 'agent_suspended' });
      }
    });
  }

  it('says why a cell is closed: the vault, the category, the act', () => {
    const accueil = ground('consent', profile('accueil'));
    expect(ask({ action: 'document.read', vault: 'institutional', docType: 'payslip' }, accueil)).toEqual({ allow: false, reason: 'level_vault' });
    expect(ask({ action: 'document.read', vault: 'personal', docType: 'rib' }, accueil)).toEqual({ allow: false, reason: 'level_category' });
    expect(ask({ action: 'application.file', vault: null, docType: null }, accueil)).toEqual({ allow: false, reason: 'level_action' });
    const social = ground('consent', profile('travail-social'));
    expect(ask({ action: 'document.delete', vault: 'personal', docType: 'rib' }, social)).toEqual({ allow: false, reason: 'action_not_allowed_on_ground' });
    expect(ask({ action: 'document.deposit', vault: 'institutional', docType: 'rib' }, social)).toEqual({ allow: false, reason: 'institutional_vault_is_read_only' });
    // a paper type this server does not know counts as "other"
    expect(ask({ action: 'document.read', vault: 'personal', docType: 'some-new-type' }, accueil)).toEqual({ allow: true });
  });
});

describe('a procuration narrows the level, never widens it', () => {
  const narrow = fullProcuration({ categories: ['identity', 'income'], actions: ['consult', 'file'], aids: ['rsa'] });

  it('a social worker on a narrow procuration: only its categories and acts, within the level', () => {
    for (const c of cells().filter((x) => x.level === 'travail-social')) {
      const inScope =
        c.docType === null ? ['vault.list', 'application.file'].includes(c.action) : ['identity-card', 'payslip'].includes(c.docType) && c.action === 'document.read';
      const d = ask(c, ground('procuration', profile('travail-social'), 'agent', narrow));
      expect(d.allow, `${c.vault ?? '-'} ${c.docType ?? '-'} ${c.action}`).toBe(c.allow && inScope);
    }
  });

  it('an agent at accueil on a procuration that allows everything: still only their level', () => {
    for (const c of cells().filter((x) => x.level === 'accueil')) {
      expect(ask(c, ground('procuration', profile('accueil'))).allow, `${c.vault ?? '-'} ${c.docType ?? '-'} ${c.action}`).toBe(c.allow);
    }
    expect(ask({ action: 'application.send', vault: null, docType: null }, ground('procuration', profile('accueil')))).toEqual({ allow: false, reason: 'level_action' });
  });

  it('says which part of the scope closes the act', () => {
    const g = ground('procuration', profile('travail-social'), 'agent', narrow);
    expect(ask({ action: 'document.read', vault: 'personal', docType: 'rib' }, g)).toEqual({ allow: false, reason: 'procuration_scope_category' });
    expect(ask({ action: 'document.deposit', vault: 'personal', docType: 'payslip' }, g)).toEqual({ allow: false, reason: 'procuration_scope_action' });
    expect(ask({ action: 'application.file', vault: null, docType: null }, g, ['rsa'])).toEqual({ allow: true });
    expect(ask({ action: 'application.file', vault: null, docType: null }, g, ['rsa', 'css'])).toEqual({ allow: false, reason: 'procuration_scope_aid' });
    expect(ask({ action: 'application.file', vault: null, docType: null }, g, [])).toEqual({ allow: false, reason: 'procuration_scope_aid' });
    // "every procedure" covers any aid, but a request must still name its aids
    const every = ground('procuration', profile('travail-social'));
    expect(ask({ action: 'application.send', vault: null, docType: null }, every, ['css', 'aah'])).toEqual({ allow: true });
    expect(ask({ action: 'application.send', vault: null, docType: null }, every, [])).toEqual({ allow: false, reason: 'procuration_scope_aid' });
  });

  it('refuses a procuration that is not there, not checked, not in force, or not between these two', () => {
    const read = { action: 'document.read', vault: 'personal', docType: 'payslip' } as const;
    const on = (p: PolicyProcuration | null) => ask(read, ground('procuration', profile('travail-social'), 'agent', p));
    expect(on(fullProcuration())).toEqual({ allow: true });
    expect(on(null)).toEqual({ allow: false, reason: 'procuration_unknown' });
    expect(on(fullProcuration({ verified: false }))).toEqual({ allow: false, reason: 'procuration_not_verified' });
    expect(on(fullProcuration({ inForce: false }))).toEqual({ allow: false, reason: 'procuration_not_in_force' });
    expect(on(fullProcuration({ personId: 'person-yanis' }))).toEqual({ allow: false, reason: 'procuration_other_person' });
    expect(on(fullProcuration({ agentPersonId: 'person-luc' }))).toEqual({ allow: false, reason: 'procuration_other_agent' });
  });

  it('wants the agent’s own card, present and active', () => {
    const read = { action: 'document.read', vault: 'personal', docType: 'payslip' } as const;
    const withCard = (card: Extract<PolicyGround, { kind: 'procuration' }>['agentCard']) =>
      ask(read, { kind: 'procuration', agentCard: card, agent: profile('travail-social'), procuration: fullProcuration() });
    expect(withCard(null)).toEqual({ allow: false, reason: 'card_unknown' });
    expect(withCard({ ...agentCard(), status: 'blocked' })).toEqual({ allow: false, reason: 'card_not_active' });
    expect(withCard({ ...agentCard(), proven: false })).toEqual({ allow: false, reason: 'card_not_present' });
    expect(withCard({ ...agentCard(), personId: 'person-luc' })).toEqual({ allow: false, reason: 'card_not_actor' });
    const staff = decide({ actor: { kind: 'staff', id: 's' }, action: 'document.read', subject: { personId: camille }, documentClass: null, ground: ground('procuration', profile('accueil')) });
    expect(staff).toEqual({ allow: false, reason: 'ground_not_for_actor' });
  });
});

describe('agentReach: what lists and searches may show', () => {
  it('is the level alone with the person present', () => {
    expect(agentReach(profile('accueil'), null)).toEqual({
      vaults: ['personal'],
      categories: ['identity', 'income', 'housing', 'family', 'other'],
      actions: ['consult', 'scan-for'],
    });
    expect(agentReach(profile('travail-social'), null).categories).toContain('health');
    expect(agentReach(profile('accompagnement'), null).categories).not.toContain('health');
  });
  it('is level ∩ procuration on a procuration', () => {
    const p = fullProcuration({ categories: ['family', 'health', 'bank'], actions: ['consult', 'write-in-my-name'] });
    expect(agentReach(profile('accompagnement'), p)).toEqual({ vaults: ['personal', 'institutional'], categories: ['family', 'bank'], actions: ['consult', 'message'] });
    expect(agentReach(profile('accueil'), p)).toEqual({ vaults: ['personal'], categories: ['family'], actions: ['consult'] });
  });
  it('is nothing without a profile, when suspended, or on a procuration this agent may not use', () => {
    const nothing = { vaults: [], categories: [], actions: [] };
    expect(agentReach(null, null)).toEqual(nothing);
    expect(agentReach(profile(null), null)).toEqual(nothing);
    expect(agentReach(profile('travail-social', false), null)).toEqual(nothing);
    expect(agentReach(profile('travail-social'), fullProcuration({ agentPersonId: 'person-luc' }))).toEqual(nothing);
    expect(agentReach(profile('travail-social'), fullProcuration({ inForce: false }))).toEqual(nothing);
    expect(agentReach(profile('travail-social'), fullProcuration({ verified: false }))).toEqual(nothing);
  });
});

/**
 * What each role of an institution's console account may do, written out by hand (Y allowed, N refused):
 * a change to STAFF_ACTS fails here until someone decides it on purpose.
 */
const STAFF_GRID = `
role               request.work  request.decide  inbox.read  inbox.assign  inbox.take  deposit  accounts.manage
institution        Y             Y               Y           Y             Y           Y        N
instructor         Y             N               Y           N             Y           N        N
depositor          N             N               N           N             N           Y        N
institution-admin  N             N               N           N             N           N        Y
structure-admin    N             N               N           N             N           N        N
`;

describe('roles of a console account', () => {
  const [head, ...rows] = STAFF_GRID.trim().split('\n');
  const acts = head!.trim().split(/\s+/).slice(1) as StaffAct[];
  for (const line of rows) {
    const [role, ...marks] = line.trim().split(/\s+/) as [StaffRole, ...string[]];
    it(`${role}: ${marks.join(' ')}`, () => {
      acts.forEach((act, i) => expect(staffMay(role, act), `${role} ${act}`).toBe(marks[i] === 'Y'));
      expect(Object.keys(STAFF_ACTS).sort()).toEqual(rows.map((r) => r.trim().split(/\s+/)[0]).sort());
    });
  }

  it('shows an instructor the inbox items that are theirs or nobody’s; the head of service all; others none', () => {
    expect(inboxItemVisible('instructor', 'me', null)).toBe(true);
    expect(inboxItemVisible('instructor', 'me', 'me')).toBe(true);
    expect(inboxItemVisible('instructor', 'me', 'other')).toBe(false);
    expect(inboxItemVisible('institution', 'me', 'other')).toBe(true);
    for (const role of ['depositor', 'institution-admin', 'structure-admin'] as const) expect(inboxItemVisible(role, 'me', null)).toBe(false);
  });
});

describe('the institution-inbox ground', () => {
  const account = (role: StaffRole, o: { active?: boolean; institutionId?: string } = {}) => ({ id: 'acc', institutionId: o.institutionId ?? 'caf', role, active: o.active ?? true });
  const ask = (over: Partial<Extract<PolicyGround, { kind: 'institution-inbox' }>> = {}, q: Partial<AccessQuestion> = {}) =>
    decide({
      actor: { kind: 'staff', id: 'acc' },
      action: 'document.read',
      subject: { personId: camille },
      documentClass: { vault: 'personal', docType: 'rib' },
      ground: { kind: 'institution-inbox', account: account('instructor'), sentTo: [{ personId: camille, institutionId: 'caf' }], ...over },
      ...q,
    });

  it('lets the head of service and an instructor read a paper the person sent to their institution', () => {
    expect(ask()).toEqual({ allow: true });
    expect(ask({ account: account('institution') })).toEqual({ allow: true });
  });

  it('refuses a depositor, an admin, another institution, another person, a disabled or unknown account, another actor', () => {
    expect(ask({ account: account('depositor') })).toEqual({ allow: false, reason: 'role_not_allowed' });
    expect(ask({ account: account('institution-admin') })).toEqual({ allow: false, reason: 'role_not_allowed' });
    expect(ask({ account: account('instructor', { institutionId: 'mdph' }) })).toEqual({ allow: false, reason: 'not_sent_to_institution' });
    expect(ask({ sentTo: [{ personId: sophie, institutionId: 'caf' }] })).toEqual({ allow: false, reason: 'not_sent_to_institution' });
    expect(ask({ sentTo: [] })).toEqual({ allow: false, reason: 'not_sent_to_institution' });
    expect(ask({ account: account('instructor', { active: false }) })).toEqual({ allow: false, reason: 'account_not_active' });
    expect(ask({ account: null })).toEqual({ allow: false, reason: 'account_unknown' });
    expect(ask({}, { actor: { kind: 'staff', id: 'someone-else' } })).toEqual({ allow: false, reason: 'account_not_actor' });
    expect(ask({}, { actor: { kind: 'person', personId: camille } })).toEqual({ allow: false, reason: 'ground_not_for_actor' });
  });

  it('reads only: no listing, writing, sending or journal on this ground', () => {
    for (const action of ['vault.list', 'audit.read', 'document.deposit', 'document.delete', 'document.send', 'document.issue', 'institution.message'] as const) {
      expect(ask({}, { action }), action).toEqual({ allow: false, reason: 'action_not_allowed_on_ground' });
    }
  });
});
