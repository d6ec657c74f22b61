/**
 * The procuration numérique on SQLite and PostgreSQL, with cards certified by a CA and keys kept in
 * software (test-cards.ts), signing as the cards do (PSO:CDS: raw r‖s over SHA-256): a good one stored,
 * in force and verified; its list, the agent's caseload, the journal; withdrawn by the person (with the
 * card's proof), by the structure, ended by a renewal or by its last day; a card blocked afterwards; and
 * every bad input refused in plain words, typed, with nothing stored and the attempt journaled.
 */
import { randomUUID, sign } from 'node:crypto';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { proofMessage } from '../../../protocol/mutations.ts';
import { countersignBytes, procurationBytes } from '../../../protocol/procuration.ts';
import type { ProcurationText } from '../../../protocol/procuration.ts';
import { revokeAct } from '../../../protocol/procurations-events.ts';
import { loadCatalogue } from '../aids/index.ts';
import type { AidCatalogue } from '../aids/index.ts';
import { initCa } from '../cards/index.ts';
import type { LoadedCa } from '../cards/index.ts';
import { appendAudit, verifyAuditChain } from '../../kernel/audit.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { personJournal } from '../vault/index.ts';
import { countRows, DIALECTS } from '../../../test-support/test-env.ts';
import { seededDatabaseSuite } from '../../../test-support/db-suite.ts';
import type { TestEnv } from '../../../test-support/test-env.ts';
import { addPerson, certify } from '../../../test-support/test-cards.ts';
import { dayIn, procurationText, psoCds, signProcuration, TEST_STRUCTURE } from '../../../test-support/test-procurations.ts';
import type { TestCard, TestPerson } from '../../../test-support/test-cards.ts';
import { caseload, factsFor, listForPerson, revokeAtKiosk, revokeByPerson, revokeByStructure, storeProcuration } from './index.ts';
import type { ProcurationDeps } from './index.ts';

const KIOSK = 'borne-cms-centre-1';
const STRUCTURE = TEST_STRUCTURE;

describe.each(DIALECTS)('procurations (%s)', (dialect) => {
  let env: TestEnv;
  let db: Kysely<Database>;
  let ca: LoadedCa;
  let foreignCa: LoadedCa;
  let catalogue: AidCatalogue;
  /** agents and the structure each works for (the structures' feature, injected) */
  const structures = new Map<string, { id: string; name: string }>();

  seededDatabaseSuite(dialect, (s) => ({ env, db, ca } = s));
  beforeAll(async () => {
    foreignCa = await initCa(join(env.config.dataDir, 'elsewhere'));
    catalogue = await loadCatalogue();
  });

  const deps = (now?: () => Date): ProcurationDeps => ({ db, dialect, ca: () => ca, catalogue, structureOf: async (id) => structures.get(id) ?? null, ...(now ? { now } : {}) });

  interface Pair {
    person: TestPerson;
    agent: TestPerson;
    personCard: TestCard;
    agentCard: TestCard;
  }
  async function pair(): Promise<Pair> {
    const person = await addPerson(db, { firstName: 'Camille', lastName: 'Martin' });
    const agent = await addPerson(db, { role: 'agent', firstName: 'Sophie', lastName: 'Lefèvre' });
    structures.set(agent.id, STRUCTURE);
    return { person, agent, personCard: await certify(ca, person), agentCard: await certify(ca, agent) };
  }

  const textOf = (p: Pair, o: Partial<ProcurationText> = {}) => procurationText(p.person, p.agent, KIOSK, o);
  const signed = signProcuration;

  const ctxOf = (p: Pair) => ({ kioskId: KIOSK, personId: p.person.id, agentPersonId: p.agent.id });
  const facts = (p: Pair, id: string, day = dayIn(0)) => factsFor(db, { personId: p.person.id, agentPersonId: p.agent.id, procurationId: id, day }, ca);

  it('stores a procuration both cards signed: in force, verified, listed, in the caseload and the journal', async () => {
    const p = await pair();
    const text = textOf(p);
    const r = await storeProcuration(deps(), signed(text, p.personCard, p.agentCard), ctxOf(p));
    expect(r).toEqual({ ok: true, value: { id: text.id, renewed: null } });

    expect(await facts(p, text.id)).toEqual({
      id: text.id,
      personId: p.person.id,
      agentPersonId: p.agent.id,
      inForce: true,
      verified: true,
      categories: ['identity', 'income'],
      actions: ['consult', 'send-without-me'],
      aids: ['prime-activite'],
    });
    // between other people, or another id: nothing
    expect(await factsFor(db, { personId: p.agent.id, agentPersonId: p.agent.id, procurationId: text.id, day: dayIn(0) }, ca)).toBeNull();
    // expiry: nothing to run, the day decides
    expect((await facts(p, text.id, dayIn(91)))?.inForce).toBe(false);
    expect((await facts(p, text.id, dayIn(-1)))?.inForce).toBe(false);
    // no CA: nothing can be verified
    expect((await factsFor(db, { personId: p.person.id, agentPersonId: p.agent.id, procurationId: text.id, day: dayIn(0) }, null))?.verified).toBe(false);

    const [item] = await listForPerson({ db, dialect }, p.person.id);
    expect(item).toMatchObject({
      id: text.id,
      agent: { name: 'Sophie Lefèvre', identifier: p.agent.identifier },
      structure: STRUCTURE,
      actionsWords: ['regarder mes papiers', 'envoyer mes demandes sans moi'],
      from: text.from,
      until: text.until,
      state: 'in-force',
      stateLabel: 'En cours',
      acts: { count: 0, last: [] },
    });
    expect(await caseload({ db, dialect }, p.agent.id)).toEqual([
      { procurationId: text.id, personIdentifier: p.person.identifier, firstName: 'Camille', lastName: 'Martin', until: text.until, aids: ['prime-activite'], categories: ['identity', 'income'], actions: ['consult', 'send-without-me'] },
    ]);

    const lines = await personJournal({ db, dialect }, { id: randomUUID(), kioskId: KIOSK, personId: p.person.id, identifier: p.person.identifier, firstName: 'Camille', cardSerial: p.person.card, role: 'beneficiary', consent: null, expiresAt: Date.now() + 60_000 });
    expect(lines.ok && lines.value.map((l) => `${l.who} ${l.action}`)).toContain('Vous avez donné une procuration à un agent, signée avec la carte');
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it('the person withdraws it with their card in the box; the structure can too; facts say it is over', async () => {
    const p = await pair();
    const text = textOf(p);
    expect((await storeProcuration(deps(), signed(text, p.personCard, p.agentCard), ctxOf(p))).ok).toBe(true);

    const act = revokeAct(text.id, p.person.card);
    const actId = randomUUID();
    const proofBy = (card: TestCard, kioskId = KIOSK) => ({
      cards: [{ cardSerial: p.person.card, certificate: card.certificate, signature: sign('sha256', proofMessage(kioskId, { id: actId, blobs: [], ...act }), { key: card.authKey, dsaEncoding: 'ieee-p1363' }).toString('base64url') }],
    });
    const at = { kioskId: KIOSK, personId: p.person.id, cardSerial: p.person.card };
    // the agent's card cannot sign for the person; a proof made for another kiosk is worth nothing here
    expect(await revokeAtKiosk({ db, dialect, ca: () => ca }, at, { procurationId: text.id, actId, proof: proofBy(p.agentCard) })).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'not-present' } });
    expect(await revokeAtKiosk({ db, dialect, ca: () => ca }, at, { procurationId: text.id, actId, proof: proofBy(p.personCard, 'another-kiosk') })).toMatchObject({ ok: false, error: { reason: 'not-present' } });
    expect((await facts(p, text.id))?.inForce).toBe(true);

    expect(await revokeAtKiosk({ db, dialect, ca: () => ca }, at, { procurationId: text.id, actId, proof: proofBy(p.personCard), reason: 'je n’en ai plus besoin' })).toEqual({ ok: true, value: { id: text.id } });
    expect(await facts(p, text.id)).toMatchObject({ inForce: false, verified: true });
    expect(await revokeByPerson({ db, dialect }, p.person.id, text.id)).toMatchObject({ ok: false, error: { code: 'conflict', reason: 'ended', message: 'Cette procuration est déjà finie.' } });
    expect((await listForPerson({ db, dialect }, p.person.id))[0]).toMatchObject({ state: 'revoked-person', stateLabel: 'Retirée par vous' });
    expect(await caseload({ db, dialect }, p.agent.id)).toEqual([]);
    // someone else's: unknown to them
    expect(await revokeByPerson({ db, dialect }, p.agent.id, text.id)).toMatchObject({ ok: false, error: { code: 'unknown', reason: 'not-found' } });

    const other = textOf(p);
    expect((await storeProcuration(deps(), signed(other, p.personCard, p.agentCard), ctxOf(p))).ok).toBe(true);
    expect(await revokeByStructure({ db, dialect }, 'another-structure', other.id)).toMatchObject({ ok: false, error: { reason: 'not-found' } });
    expect(await revokeByStructure({ db, dialect }, STRUCTURE.id, other.id, { by: 'admin-ccas', reason: 'agent parti' })).toEqual({ ok: true, value: { id: other.id } });
    expect((await facts(p, other.id))?.inForce).toBe(false);
    const row = await db.selectFrom('procurations').select(['revoked_by', 'revoked_reason']).where('id', '=', other.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ revoked_by: 'structure', revoked_reason: 'agent parti' });
  });

  it('what the agent did under it is counted in the person’s list, and their journal says it in words', async () => {
    const p = await pair();
    const text = textOf(p);
    expect((await storeProcuration(deps(), signed(text, p.personCard, p.agentCard), ctxOf(p))).ok).toBe(true);
    // the access policy's callers journal an act on this ground with the procuration's id
    for (const action of ['vault.list', 'document.read', 'application.submit']) {
      await db.transaction().execute((trx) =>
        appendAudit(trx, dialect, { actor: { kind: 'person', id: p.agent.identifier }, action, subjectPersonId: p.person.id, documentId: null, ground: 'procuration', detail: { procurationId: text.id } }),
      );
    }
    const [item] = await listForPerson({ db, dialect }, p.person.id);
    expect(item?.acts).toMatchObject({ count: 3, last: [{ what: 'a envoyé une demande' }, { what: 'a ouvert un document' }, { what: 'a regardé la liste des papiers' }] });

    const bad = signed(textOf(p, { until: dayIn(500) }), p.personCard, p.agentCard);
    expect((await storeProcuration(deps(), bad, ctxOf(p))).ok).toBe(false);
    expect((await revokeByPerson({ db, dialect }, p.person.id, text.id)).ok).toBe(true);
    const lines = await personJournal({ db, dialect }, { id: randomUUID(), kioskId: KIOSK, personId: p.person.id, identifier: p.person.identifier, firstName: 'Camille', cardSerial: p.person.card, role: 'beneficiary', consent: null, expiresAt: Date.now() + 60_000 });
    const said = lines.ok ? lines.value.map((l) => `${l.who} ${l.action}${l.why ? ` (${l.why})` : ''}`) : [];
    expect(said.slice(0, 3)).toEqual([
      'Vous avez retiré une procuration',
      'La plateforme a refusé une procuration : rien n’a été enregistré',
      'Sophie (agent) a envoyé une demande (avec la procuration que vous avez signée)',
    ]);
  });

  it('a card blocked afterwards stops it at once: not verified any more', async () => {
    const p = await pair();
    const text = textOf(p);
    expect((await storeProcuration(deps(), signed(text, p.personCard, p.agentCard), ctxOf(p))).ok).toBe(true);
    expect((await facts(p, text.id))?.verified).toBe(true);
    await db.updateTable('cards').set({ status: 'blocked' }).where('serial', '=', p.agent.card).execute();
    expect(await facts(p, text.id)).toMatchObject({ inForce: true, verified: false });
    await db.updateTable('cards').set({ status: 'active' }).where('serial', '=', p.agent.card).execute();
    expect((await facts(p, text.id))?.verified).toBe(true);
    // a stored text edited in the database: its signatures no longer hold
    const other = textOf(p);
    expect((await storeProcuration(deps(), signed(other, p.personCard, p.agentCard), ctxOf(p))).ok).toBe(true);
    const stored = await db.selectFrom('procurations').select('text').where('id', '=', other.id).executeTakeFirstOrThrow();
    await db.updateTable('procurations').set({ text: stored.text.replace('"consult"', '"file"') }).where('id', '=', other.id).execute();
    expect((await facts(p, other.id))?.verified).toBe(false);
  });

  it('a renewal ends the one it renews; renewing someone else’s is refused', async () => {
    const p = await pair();
    const first = textOf(p);
    expect((await storeProcuration(deps(), signed(first, p.personCard, p.agentCard), ctxOf(p))).ok).toBe(true);
    const second = textOf(p, { renews: first.id, until: dayIn(300) });
    expect(await storeProcuration(deps(), signed(second, p.personCard, p.agentCard), ctxOf(p))).toEqual({ ok: true, value: { id: second.id, renewed: first.id } });
    expect((await facts(p, first.id))?.inForce).toBe(false);
    expect((await facts(p, second.id))?.inForce).toBe(true);
    const states = Object.fromEntries((await listForPerson({ db, dialect }, p.person.id)).map((i) => [i.id, i.state]));
    expect(states).toEqual({ [first.id]: 'renewed', [second.id]: 'in-force' });

    // another person's procuration with this agent cannot be renewed by this person
    const q = await pair();
    const theirs = textOf(q);
    expect((await storeProcuration(deps(), signed(theirs, q.personCard, q.agentCard), ctxOf(q))).ok).toBe(true);
    const before = await countRows(db, 'procurations');
    const stolen = textOf(p, { renews: theirs.id });
    expect(await storeProcuration(deps(), signed(stolen, p.personCard, p.agentCard), ctxOf(p))).toMatchObject({ ok: false, error: { code: 'forbidden', reason: 'renewal' } });
    expect(await countRows(db, 'procurations')).toBe(before);
    expect((await factsFor(db, { personId: q.person.id, agentPersonId: q.agent.id, procurationId: theirs.id, day: dayIn(0) }, ca))?.inForce).toBe(true);
  });

  describe('bad input: refused in words, typed, nothing stored, the attempt journaled', () => {
    let p: Pair;
    /** a second agent, another beneficiary, a blocked card, a card from another CA */
    let otherAgent: { person: TestPerson; card: TestCard };
    let otherPerson: { person: TestPerson; card: TestCard };
    let blocked: { person: TestPerson; card: TestCard };
    let foreign: TestCard;

    beforeAll(async () => {
      p = await pair();
      const a = await addPerson(db, { role: 'agent', firstName: 'Luc', lastName: 'Moreau' });
      structures.set(a.id, STRUCTURE);
      otherAgent = { person: a, card: await certify(ca, a) };
      const o = await addPerson(db, { firstName: 'Yanis', lastName: 'Benali' });
      otherPerson = { person: o, card: await certify(ca, o) };
      const b = await addPerson(db, { firstName: 'Camille', lastName: 'Martin' });
      blocked = { person: b, card: await certify(ca, b) };
      await db.updateTable('cards').set({ status: 'blocked' }).where('serial', '=', b.card).execute();
      foreign = await certify(foreignCa, p.person);
    });

    type Case = { name: string; reason: string; code: string; words: RegExp; make: () => { signed: unknown; ctx?: { kioskId: string; personId: string; agentPersonId: string } } };
    const cases: Case[] = [
      { name: 'backdated', reason: 'dates', code: 'invalid', words: /commence aujourd’hui/, make: () => ({ signed: signed(textOf(p, { from: dayIn(-3), until: dayIn(30) }), p.personCard, p.agentCard) }) },
      { name: 'already over', reason: 'dates', code: 'invalid', words: /dates/, make: () => ({ signed: signed(textOf(p, { from: dayIn(-20), until: dayIn(-2) }), p.personCard, p.agentCard) }) },
      { name: 'ends before it starts', reason: 'dates', code: 'invalid', words: /dates/, make: () => ({ signed: signed(textOf(p, { from: dayIn(5), until: dayIn(2) }), p.personCard, p.agentCard) }) },
      { name: 'starts months after it is signed', reason: 'too-late', code: 'invalid', words: /au plus tard 90 jours/, make: () => ({ signed: signed(textOf(p, { from: dayIn(120), until: dayIn(150) }), p.personCard, p.agentCard) }) },
      { name: 'too long', reason: 'too-long', code: 'invalid', words: /au plus un an/, make: () => ({ signed: signed(textOf(p, { until: dayIn(400) }), p.personCard, p.agentCard) }) },
      { name: 'prepared long ago', reason: 'stale', code: 'expired', words: /trop longtemps/, make: () => ({ signed: signed(textOf(p, { createdAt: new Date(Date.now() - 11 * 60_000).toISOString() }), p.personCard, p.agentCard) }) },
      {
        name: 'forged person signature',
        reason: 'person-signature',
        code: 'forbidden',
        words: /signature de la personne/,
        make: () => {
          const text = textOf(p);
          // signed by the agent's key in the person's place
          const s = signed(text, p.personCard, p.agentCard);
          const forged = psoCds(p.agentCard.signKey, procurationBytes(text));
          return { signed: { ...s, personSignature: forged, agentSignature: psoCds(p.agentCard.signKey, countersignBytes(text, forged)) } };
        },
      },
      {
        name: 'text edited after signing',
        reason: 'person-signature',
        code: 'forbidden',
        words: /ne correspond pas à ce texte/,
        make: () => {
          const s = signed(textOf(p), p.personCard, p.agentCard);
          return { signed: { ...s, text: { ...s.text, scope: { ...s.text.scope, actions: ['consult', 'send-without-me', 'write-in-my-name'] } } } };
        },
      },
      {
        name: 'countersigned with another agent’s key',
        reason: 'agent-signature',
        code: 'forbidden',
        words: /contresignature/,
        make: () => {
          const s = signed(textOf(p), p.personCard, p.agentCard);
          return { signed: { ...s, agentSignature: psoCds(otherAgent.card.signKey, countersignBytes(s.text, s.personSignature)) } };
        },
      },
      {
        name: 'countersigned by another agent’s card',
        reason: 'other-agent',
        code: 'forbidden',
        words: /pas celle de l’agent nommé/,
        make: () => {
          const text = textOf(p, { agent: { ...textOf(p).agent, cardSerial: otherAgent.person.card } });
          return { signed: signed(text, p.personCard, otherAgent.card) };
        },
      },
      {
        name: 'a beneficiary card as the agent’s',
        reason: 'not-agent',
        code: 'forbidden',
        words: /carte d’agent/,
        make: () => {
          const text = textOf(p, { agent: { ...textOf(p).agent, identifier: otherPerson.person.identifier, cardSerial: otherPerson.person.card } });
          return { signed: signed(text, p.personCard, otherPerson.card), ctx: { ...ctxOf(p), agentPersonId: otherPerson.person.id } };
        },
      },
      {
        name: 'a blocked card',
        reason: 'certificate',
        code: 'forbidden',
        words: /bloquée ou remplacée/,
        make: () => {
          const text = textOf(p, { person: { identifier: blocked.person.identifier, name: 'Camille Martin', cardSerial: blocked.person.card } });
          return { signed: signed(text, blocked.card, p.agentCard), ctx: { ...ctxOf(p), personId: blocked.person.id } };
        },
      },
      {
        name: 'another person’s card',
        reason: 'other-person',
        code: 'forbidden',
        words: /pas celle de la personne/,
        make: () => {
          const text = textOf(p, { person: { identifier: otherPerson.person.identifier, name: 'Yanis Benali', cardSerial: otherPerson.person.card } });
          return { signed: signed(text, otherPerson.card, p.agentCard) };
        },
      },
      { name: 'a certificate from another CA', reason: 'certificate', code: 'forbidden', words: /pas été délivrée par la plateforme/, make: () => ({ signed: signed(textOf(p), foreign, p.agentCard) }) },
      { name: 'an unknown aid', reason: 'unknown-aid', code: 'invalid', words: /« aide-inventee »/, make: () => ({ signed: signed(textOf(p, { scope: { aids: ['aide-inventee'], categories: ['identity'], actions: ['consult'] } }), p.personCard, p.agentCard) }) },
      { name: 'every aid and one more', reason: 'scope', code: 'invalid', words: /une seule fois/, make: () => ({ signed: signed(textOf(p, { scope: { aids: ['*', 'rsa'], categories: ['identity'], actions: ['consult'] } }), p.personCard, p.agentCard) }) },
      { name: 'another structure', reason: 'structure', code: 'forbidden', words: /structure/, make: () => ({ signed: signed(textOf(p, { agent: { ...textOf(p).agent, structure: { id: 'cms-autre', name: 'CMS Autre' } } }), p.personCard, p.agentCard) }) },
      { name: 'made on another kiosk', reason: 'wrong-kiosk', code: 'forbidden', words: /cette tablette/, make: () => ({ signed: signed(textOf(p, { madeAt: { kioskId: 'borne-ailleurs', place: 'Ailleurs' } }), p.personCard, p.agentCard) }) },
      { name: 'not a procuration', reason: 'format', code: 'invalid', words: /mal remplie/, make: () => ({ signed: { text: { id: 'x' } } }) },
    ];

    it.each(cases)('$name', async (c) => {
      const before = await countRows(db, 'procurations');
      const { signed: s, ctx } = c.make();
      const r = await storeProcuration(deps(), s, ctx ?? ctxOf(p));
      expect(r).toMatchObject({ ok: false, error: { reason: c.reason, code: c.code, message: expect.stringMatching(c.words) } });
      expect(await countRows(db, 'procurations')).toBe(before);
      const last = await db.selectFrom('audit_journal').select(['action', 'detail', 'subject_person_id']).orderBy('seq', 'desc').limit(1).executeTakeFirstOrThrow();
      expect(last.action).toBe('procuration.refused');
      expect(JSON.parse(last.detail)).toMatchObject({ reason: c.reason, kioskId: KIOSK });
    });

    it('a text stored twice is refused the second time', async () => {
      const s = signed(textOf(p), p.personCard, p.agentCard);
      expect((await storeProcuration(deps(), s, ctxOf(p))).ok).toBe(true);
      expect(await storeProcuration(deps(), s, ctxOf(p))).toMatchObject({ ok: false, error: { code: 'conflict', reason: 'duplicate' } });
    });
  });
});
