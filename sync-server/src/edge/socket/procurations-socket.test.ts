/**
 * The procuration numérique over the kiosk socket (procurations-socket.ts), with a real socket.io client
 * against startServer on SQLite and PostgreSQL: the agent's card opens a session, the person's card joins
 * it, the signed procuration is stored; the person's list and printed copy, the agent's caseload, the
 * person's withdrawal with their card's proof — and what must be refused (one card only, other cards than
 * the session's, dates, a proof by another card, another person's procuration).
 */
import { randomUUID, sign } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { PdfAck } from '../../../protocol/applications.ts';
import { proofMessage } from '../../../protocol/mutations.ts';
import { ActForAck, CaseloadAck, CreateProcurationAck, MineAck, PROCURATION_EVENTS, RevokeProcurationAck, revokeAct } from '../../../protocol/procurations-events.ts';
import { ListAck, VAULT_EVENTS } from '../../../protocol/vault.ts';
import type { LoadedCa } from '../../features/cards/index.ts';
import { factsFor } from '../../features/procurations/index.ts';
import type { RunningServer } from '../server.ts';
import { addPerson, certify } from '../../../test-support/test-cards.ts';
import type { TestCard } from '../../../test-support/test-cards.ts';
import { countRows, DIALECTS, openPersonSession } from '../../../test-support/test-env.ts';
import type { TestKiosk } from '../../../test-support/test-env.ts';
import { accompanied as bothCards, dayIn, procurationText, signProcuration, TEST_STRUCTURE } from '../../../test-support/test-procurations.ts';
import type { Accompanied } from '../../../test-support/test-procurations.ts';
import { socketSuite } from '../../../test-support/socket-suite.ts';

describe.each(DIALECTS)('procurations over the kiosk socket (%s)', (dialect) => {
  let ca: LoadedCa;
  let server: RunningServer;
  const structures = new Map<string, { id: string; name: string }>();
  const { sockets, ask } = socketSuite(dialect, (s) => ({ ca, server } = s), { server: { structureOf: async (id) => structures.get(id) ?? null } });

  const openSession = (kiosk: TestKiosk, socket: Socket, card: TestCard, withAgentSession?: string) => openPersonSession(socket, kiosk.kioskId, card, withAgentSession);

  /** An agent's card opens a session at a kiosk; the person's card joins it (the second slot). */
  const accompanied = (): Promise<Accompanied> => bothCards(server, ca, sockets, { onAgent: (agent) => structures.set(agent.id, { ...TEST_STRUCTURE }) });

  const create = async (a: Accompanied, sessionId: string, procuration: unknown) => CreateProcurationAck.parse(await ask(a.socket, PROCURATION_EVENTS.create, { sessionId, procuration }));
  const revokeProof = (a: Accompanied, procurationId: string, actId: string, card: TestCard) => ({
    cards: [
      {
        cardSerial: a.person.card,
        certificate: card.certificate,
        signature: sign('sha256', proofMessage(a.kiosk.kioskId, { id: actId, blobs: [], ...revokeAct(procurationId, a.person.card) }), { key: card.authKey, dsaEncoding: 'ieee-p1363' }).toString('base64url'),
      },
    ],
  });

  it('both cards in the box: stored; listed for the person, printed, in the agent’s caseload; withdrawn with the person’s card', async () => {
    const a = await accompanied();
    const text = procurationText(a.person, a.agent, a.kiosk.kioskId);
    expect(await create(a, a.personSession, signProcuration(text, a.personCard, a.agentCard))).toEqual({ ok: true, id: text.id, renewed: null });
    const facts = () => factsFor(server.db, { personId: a.person.id, agentPersonId: a.agent.id, procurationId: text.id, day: dayIn(0) }, server.ca);
    expect(await facts()).toMatchObject({ inForce: true, verified: true });

    const mine = MineAck.parse(await ask(a.socket, PROCURATION_EVENTS.mine, { sessionId: a.personSession }));
    expect(mine).toMatchObject({ ok: true, procurations: [{ id: text.id, agent: { name: 'Sophie Lefèvre' }, structure: TEST_STRUCTURE, state: 'in-force', stateLabel: 'En cours' }] });
    const caseload = CaseloadAck.parse(await ask(a.socket, PROCURATION_EVENTS.caseload, { sessionId: a.agentSession }));
    expect(caseload).toEqual({ ok: true, people: [expect.objectContaining({ procurationId: text.id, firstName: 'Camille', lastName: 'Martin', until: text.until })] });
    // the person's session has no caseload; the agent's own session has no list of procurations given
    expect(CaseloadAck.parse(await ask(a.socket, PROCURATION_EVENTS.caseload, { sessionId: a.personSession }))).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(MineAck.parse(await ask(a.socket, PROCURATION_EVENTS.mine, { sessionId: a.agentSession }))).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    const pdf = PdfAck.parse(await ask(a.socket, PROCURATION_EVENTS.pdf, { sessionId: a.personSession, procurationId: text.id }));
    if (!pdf.ok) throw new Error(pdf.error.message);
    expect(Buffer.from(pdf.bytes).subarray(0, 5).toString()).toBe('%PDF-');
    const doc = await PDFDocument.load(pdf.bytes);
    expect(doc.getPageCount()).toBe(1);
    expect(doc.getTitle()).toMatch(/Procuration numérique — Camille Martin/);

    // a proof by the agent's card is not the person's
    const actId = randomUUID();
    const byAgent = RevokeProcurationAck.parse(await ask(a.socket, PROCURATION_EVENTS.revoke, { sessionId: a.personSession, procurationId: text.id, actId, proof: revokeProof(a, text.id, actId, a.agentCard) }));
    expect(byAgent).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/Votre carte doit être dans la tablette/) } });
    expect((await facts())?.inForce).toBe(true);

    const revoked = RevokeProcurationAck.parse(await ask(a.socket, PROCURATION_EVENTS.revoke, { sessionId: a.personSession, procurationId: text.id, actId, proof: revokeProof(a, text.id, actId, a.personCard) }));
    expect(revoked).toEqual({ ok: true });
    expect((await facts())?.inForce).toBe(false);
    expect(CaseloadAck.parse(await ask(a.socket, PROCURATION_EVENTS.caseload, { sessionId: a.agentSession }))).toEqual({ ok: true, people: [] });
    expect(MineAck.parse(await ask(a.socket, PROCURATION_EVENTS.mine, { sessionId: a.personSession }))).toMatchObject({ ok: true, procurations: [{ state: 'revoked-person' }] });
  });

  it('the agent alone acts for the person on it: only the papers the person allowed, each read journaled with it; over once withdrawn', async () => {
    const a = await accompanied();
    const text = procurationText(a.person, a.agent, a.kiosk.kioskId);
    expect(await create(a, a.personSession, signProcuration(text, a.personCard, a.agentCard))).toMatchObject({ ok: true });
    // Camille's papers: an identity card and a payslip (allowed), a RIB and a health paper (not)
    const now = new Date().toISOString();
    await server.db.insertInto('blobs').values({ sha256: 'b'.repeat(64), size: 1, mime: 'image/jpeg', created_at: now }).onConflict((oc) => oc.doNothing()).execute();
    for (const docType of ['identity-card', 'payslip', 'rib', 'health-insurance']) {
      const id = randomUUID();
      await server.db
        .insertInto('documents')
        .values({ id, owner_person_id: a.person.id, vault: 'personal', doc_type: docType, institution_id: null, current_version: 1, title: docType, issued_on: null, expires_on: null, created_at: now, updated_at: now })
        .execute();
      await server.db
        .insertInto('document_versions')
        .values({ document_id: id, version: 1, fields: '{}', ocr_text: '', blob_sha256: 'b'.repeat(64), captured_at: now, created_at: now, source_kiosk_id: null, source_mutation_id: null, thumbnail_sha256: null, pages: 1 })
        .execute();
    }

    // the person's own session cannot act for anyone; the agent's can, for her
    expect(ActForAck.parse(await ask(a.socket, PROCURATION_EVENTS.act, { sessionId: a.personSession, procurationId: text.id }))).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const acting = ActForAck.parse(await ask(a.socket, PROCURATION_EVENTS.act, { sessionId: a.agentSession, procurationId: text.id }));
    if (!acting.ok) throw new Error(acting.error.message);
    expect(acting.person).toEqual({ identifier: a.person.identifier, firstName: 'Camille', lastName: 'Martin' });
    // what she allowed, for the kiosk to offer only that
    expect(acting.actions).toEqual(text.scope.actions);
    const list = ListAck.parse(await ask(a.socket, VAULT_EVENTS.list, { sessionId: acting.sessionId }));
    if (!list.ok) throw new Error(list.error.message);
    expect(list.documents.map((d) => d.docType).sort()).toEqual(['identity-card', 'payslip']);
    const read = await server.db.selectFrom('audit_journal').selectAll().where('action', '=', 'vault.list').where('subject_person_id', '=', a.person.id).orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(read).toMatchObject({ ground: 'procuration', actor_id: a.agent.identifier });
    expect(JSON.parse(read.detail)).toMatchObject({ procurationId: text.id });
    // the person's list counts what was done under it
    const mine = MineAck.parse(await ask(a.socket, PROCURATION_EVENTS.mine, { sessionId: a.personSession }));
    expect(mine).toMatchObject({ ok: true, procurations: [{ id: text.id, acts: { count: 1 } }] });

    // another agent's session cannot use it
    const other = await addPerson(server.db, { role: 'agent', firstName: 'Luc', lastName: 'Moreau' });
    const otherSession = await openSession(a.kiosk, a.socket, await certify(ca, other));
    expect(ActForAck.parse(await ask(a.socket, PROCURATION_EVENTS.act, { sessionId: otherSession, procurationId: text.id }))).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    // withdrawn by the person: the next read on it is refused, and no new session opens on it
    const actId = randomUUID();
    expect(RevokeProcurationAck.parse(await ask(a.socket, PROCURATION_EVENTS.revoke, { sessionId: a.personSession, procurationId: text.id, actId, proof: revokeProof(a, text.id, actId, a.personCard) }))).toEqual({ ok: true });
    expect(ListAck.parse(await ask(a.socket, VAULT_EVENTS.list, { sessionId: acting.sessionId }))).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(ActForAck.parse(await ask(a.socket, PROCURATION_EVENTS.act, { sessionId: a.agentSession, procurationId: text.id }))).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('refused: one card only, cards not the session’s, dates, another person’s procuration', async () => {
    const a = await accompanied();
    const before = await countRows(server.db, 'procurations');
    const good = signProcuration(procurationText(a.person, a.agent, a.kiosk.kioskId), a.personCard, a.agentCard);
    // in the agent's session alone
    expect(await create(a, a.agentSession, good)).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/la carte de la personne et celle de l’agent/) } });
    // no session
    expect(await create(a, randomUUID(), good)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // another couple's procuration sent in this session
    const b = await accompanied();
    const theirs = signProcuration(procurationText(b.person, b.agent, a.kiosk.kioskId), b.personCard, b.agentCard);
    expect(await create(a, a.personSession, theirs)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // too long: judged by the server, in its words, and journaled
    const long = signProcuration(procurationText(a.person, a.agent, a.kiosk.kioskId, { until: dayIn(400) }), a.personCard, a.agentCard);
    expect(await create(a, a.personSession, long)).toMatchObject({ ok: false, error: { code: 'invalid', message: 'Une procuration dure au moins un jour et au plus un an.' } });
    // not even a procuration: the protocol's schema
    expect(await create(a, a.personSession, { text: 'x' })).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await countRows(server.db, 'procurations')).toBe(before);
    const refused = await server.db.selectFrom('audit_journal').select('detail').where('action', '=', 'procuration.refused').where('subject_person_id', '=', a.person.id).execute();
    expect(refused.map((r) => (JSON.parse(r.detail) as { reason: string }).reason).sort()).toEqual(['too-long', 'wrong-session']);

    // b's procuration cannot be withdrawn from a's session
    expect((await create(b, b.personSession, signProcuration(procurationText(b.person, b.agent, b.kiosk.kioskId), b.personCard, b.agentCard))).ok).toBe(true);
    const [bs] = (MineAck.parse(await ask(b.socket, PROCURATION_EVENTS.mine, { sessionId: b.personSession })) as { procurations: { id: string }[] }).procurations;
    const actId = randomUUID();
    const other = RevokeProcurationAck.parse(await ask(a.socket, PROCURATION_EVENTS.revoke, { sessionId: a.personSession, procurationId: bs!.id, actId, proof: revokeProof(a, bs!.id, actId, a.personCard) }));
    expect(other).toMatchObject({ ok: false, error: { code: 'unknown', message: 'Cette procuration n’existe pas, ou elle n’est pas à vous.' } });
  });
});
