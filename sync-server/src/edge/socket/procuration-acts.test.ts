/**
 * An agent acting alone on the procuration a person signed, over a real socket.io client against
 * startServer on SQLite and PostgreSQL, with cards certified by the CA and signing as the cards do: the
 * agent's card alone proves a deposit into the person's vault (marked « déposé par » the agent and their
 * structure, as with the person present), a paper sent to an institution, and the person's request filed,
 * listed, opened and sent on the agent's own card — each act journaled with the procuration, and counted
 * in the person's « Qui peut agir pour moi ». And everything it must refuse, in plain words, with nothing
 * stored and the attempt journaled: a withdrawn, expired or not yet started procuration, a paper or an aid
 * it does not name, an act it does not allow, another agent's card, a suspended agent, a forged id, a
 * proof from another card, the procuration ground with the person present.
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AID_EVENTS, ApplicationsListAck, CreateAck, DossierAck, OkAck, PdfAck, PrepareAck, SubmitAck } from '../../../protocol/applications.ts';
import type { FilingSituation, SubmissionGround } from '../../../protocol/applications.ts';
import type { DocType } from '../../../protocol/common.ts';
import { referencedBlobs } from '../../../protocol/mutations.ts';
import type { Ground, Mutation, MutationBody } from '../../../protocol/mutations.ts';
import type { ProcurationText } from '../../../protocol/procuration.ts';
import { MineAck, PROCURATION_EVENTS } from '../../../protocol/procurations-events.ts';
import { EVENTS, MutationsAck } from '../../../protocol/socket.ts';
import { GetAck, ListAck, VAULT_EVENTS } from '../../../protocol/vault.ts';
import { loadCatalogue } from '../../features/aids/index.ts';
import { applicationDetail } from '../../features/applications/index.ts';
import type { LoadedCa } from '../../features/cards/index.ts';
import { revokeByPerson } from '../../features/procurations/index.ts';
import { SyncEngine } from '../../features/sync/index.ts';
import { verifyAuditChain } from '../../kernel/audit.ts';
import type { RunningServer } from '../server.ts';
import { addPerson, certify, signManifest, TEST_STRUCTURE as AGENT_STRUCTURE } from '../../../test-support/test-cards.ts';
import type { TestCard } from '../../../test-support/test-cards.ts';
import { countRows, DIALECTS, openPersonSession, sha256Hex, tusUpload } from '../../../test-support/test-env.ts';
import { randomPng } from '../../../test-support/png.ts';
import { proveWith } from '../../../test-support/test-ca.ts';
import { accompanied, actOn, dayIn, giveProcuration } from '../../../test-support/test-procurations.ts';
import type { Accompanied } from '../../../test-support/test-procurations.ts';
import { socketSuite } from '../../../test-support/socket-suite.ts';

type Via = (m: Mutation) => Promise<unknown>;
const silent = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;
const HOSTED: FilingSituation = { housing: 'hosted', activity: ['inactive'], nationality: 'french', children: false, couple: false };
/** What Camille allows Sophie for the prime d'activité: her identity, income and bank papers; everything but writing in her name. */
const FOR_PRIME: ProcurationText['scope'] = { aids: ['prime-activite'], categories: ['identity', 'income', 'bank'], actions: ['consult', 'scan-for', 'file', 'send-without-me'] };

describe.each(DIALECTS)('an agent acting alone on a procuration (%s)', (dialect) => {
  let ca: LoadedCa;
  let server: RunningServer;
  const { sockets, ask } = socketSuite(dialect, (s) => ({ ca, server } = s));

  /** The procuration Camille signs for Sophie at the kiosk, naming Sophie's structure as the platform knows it. */
  const give = (a: Accompanied, o: Partial<ProcurationText> = {}) =>
    giveProcuration(a, { agent: { identifier: a.agent.identifier, name: 'Sophie Lefèvre', cardSerial: a.agent.card, structure: { ...AGENT_STRUCTURE } }, scope: FOR_PRIME, ...o });

  /** Both cards in the box, the procuration given, then Sophie alone acting on it. */
  async function onProcuration(o: Partial<ProcurationText> = {}) {
    const a = await accompanied(server, ca, sockets);
    const text = await give(a, o);
    return { a, text, sessionId: await actOn(a, text.id), seq: 0 };
  }

  const procurationGround = (a: Accompanied, procurationId: string, agentCardSerial = a.agent.card): Ground => ({ kind: 'procuration', procurationId, agentCardSerial });

  /** A scan uploaded over tus, then its deposit into Camille's vault on `ground`, signed by `signers` as the kiosk's session does. */
  /** `via`: another way than the kiosk's socket for the mutation to reach a sync engine */
  async function deposit(k: { a: Accompanied; seq: number }, docType: DocType, ground: Ground, signers: readonly TestCard[], o: { via?: Via } = {}) {
    const bytes = randomPng();
    const sha256 = sha256Hex(bytes);
    expect(await tusUpload(server.url, k.a.kiosk, bytes, { sha256, mime: 'image/png' })).toMatchObject({ ok: true });
    const body: MutationBody = {
      type: 'vault.document.deposit',
      payload: {
        documentId: randomUUID(),
        owner: k.a.person.identifier,
        docType,
        fields: {},
        ocrText: '',
        file: { sha256, mime: 'image/png', size: bytes.length },
        ...(docType === 'identity-card' ? { expiresOn: '2031-05-01' } : {}),
        capturedAt: new Date().toISOString(),
        ground,
      },
    };
    return write(k, body, signers, o);
  }

  async function write(k: { a: Accompanied; seq: number }, body: MutationBody, signers: readonly TestCard[], o: { via?: Via } = {}) {
    const id = randomUUID();
    const blobs = referencedBlobs(body);
    const m = { seq: ++k.seq, id, createdAt: new Date().toISOString(), blobs, proof: proveWith(k.a.kiosk.kioskId, { id, blobs, ...body }, signers), ...body } as Mutation;
    const ack = MutationsAck.parse(o.via ? await o.via(m) : await ask(k.a.socket, EVENTS.mutations, { mutations: [m] }));
    const result = ack.ok ? ack.results?.[0] : undefined;
    return { id, documentId: 'documentId' in body.payload ? body.payload.documentId : null, result };
  }

  const documentRow = (id: string | null) => server.db.selectFrom('documents').select('id').where('id', '=', id ?? '').executeTakeFirst();
  const refusals = async (personId: string) => (await server.db.selectFrom('audit_journal').select('detail').where('action', '=', 'mutation.refused').where('subject_person_id', '=', personId).execute()).map((r) => JSON.parse(r.detail) as { mutationId: string });

  it('the agent’s card alone deposits into the person’s vault: marked as the agent’s, journaled with the procuration, counted in her list', async () => {
    const k = await onProcuration();
    const payslip = await deposit(k, 'payslip', procurationGround(k.a, k.text.id), [k.a.agentCard]);
    expect(payslip.result).toMatchObject({ status: 'applied' });
    const stored = await server.db.selectFrom('documents').select(['owner_person_id', 'vault']).where('id', '=', payslip.documentId!).executeTakeFirstOrThrow();
    expect(stored).toEqual({ owner_person_id: k.a.person.id, vault: 'personal' });
    const version = await server.db.selectFrom('document_versions').select('deposited_by').where('document_id', '=', payslip.documentId!).executeTakeFirstOrThrow();
    expect(JSON.parse(version.deposited_by!)).toEqual({
      agentIdentifier: k.a.agent.identifier,
      name: 'Sophie Lefèvre',
      structureId: AGENT_STRUCTURE.id,
      structure: AGENT_STRUCTURE.name,
      ground: 'procuration',
      procurationId: k.text.id,
    });
    const entry = await server.db.selectFrom('audit_journal').selectAll().where('action', '=', 'document.deposit').where('document_id', '=', payslip.documentId!).executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ ground: 'procuration', actor_id: k.a.agent.identifier, subject_person_id: k.a.person.id });
    expect(JSON.parse(entry.detail)).toMatchObject({ procurationId: k.text.id, agentCardSerial: k.a.agent.card, structureId: AGENT_STRUCTURE.id, proof: expect.stringMatching(/^card-signature:/) });

    // what the vault shows: « déposé par » the agent and their structure, in the list and on the paper
    const byAgent = { name: 'Sophie Lefèvre', structure: AGENT_STRUCTURE.name };
    const list = ListAck.parse(await ask(k.a.socket, VAULT_EVENTS.list, { sessionId: k.sessionId }));
    if (!list.ok) throw new Error(list.error.message);
    expect(list.documents.find((d) => d.id === payslip.documentId)?.depositedBy).toEqual(byAgent);
    const got = GetAck.parse(await ask(k.a.socket, VAULT_EVENTS.get, { sessionId: k.sessionId, documentId: payslip.documentId }));
    if (!got.ok) throw new Error(got.error.message);
    expect(got.document.depositedBy).toEqual(byAgent);
    expect(got.versions[0]?.depositedBy).toEqual(byAgent);

    // with the person present, the agent's deposit is marked too; her own is not
    const present = await deposit(k, 'identity-card', { kind: 'present-beneficiary', cardSerial: k.a.person.card, agentCardSerial: k.a.agent.card }, [k.a.personCard, k.a.agentCard]);
    expect(present.result).toMatchObject({ status: 'applied' });
    const own = await deposit(k, 'tax-notice', { kind: 'own-card', cardSerial: k.a.person.card }, [k.a.personCard]);
    expect(own.result).toMatchObject({ status: 'applied' });
    const hers = ListAck.parse(await ask(k.a.socket, VAULT_EVENTS.list, { sessionId: k.a.personSession }));
    if (!hers.ok) throw new Error(hers.error.message);
    expect(hers.documents.find((d) => d.id === present.documentId)?.depositedBy).toEqual(byAgent);
    expect(hers.documents.find((d) => d.id === own.documentId)).not.toHaveProperty('depositedBy');
    const presentRow = await server.db.selectFrom('document_versions').select('deposited_by').where('document_id', '=', present.documentId!).executeTakeFirstOrThrow();
    expect(JSON.parse(presentRow.deposited_by!)).toMatchObject({ ground: 'present-beneficiary', name: 'Sophie Lefèvre' });
    expect(JSON.parse(presentRow.deposited_by!)).not.toHaveProperty('procurationId');

    // Camille's « Qui peut agir pour moi » counts the deposit (and the lists and reads made on it)
    const mine = MineAck.parse(await ask(k.a.socket, PROCURATION_EVENTS.mine, { sessionId: k.a.personSession }));
    if (!mine.ok) throw new Error(mine.error.message);
    const acts = mine.procurations.find((p) => p.id === k.text.id)?.acts;
    expect(acts?.count).toBe(3);
    expect(acts?.last.map((x) => x.what)).toContain('a ajouté un document');
    expect(await verifyAuditChain(server.db)).toMatchObject({ ok: true });
  });

  it('refuses, in plain words, with nothing stored and the attempt journaled: what the procuration does not allow, or not anymore', async () => {
    const k = await onProcuration();
    const other = await addPerson(server.db, { role: 'agent', firstName: 'Luc', lastName: 'Moreau' });
    const otherCard = await certify(ca, other);
    const suspended = await onProcuration();
    await server.db.updateTable('agent_profiles').set({ suspended_at: new Date().toISOString(), suspended_reason: 'admin' }).where('person_id', '=', suspended.a.agent.id).execute();
    const notYet = await accompanied(server, ca, sockets);
    const notYetText = await give(notYet, { from: dayIn(3), until: dayIn(30) });
    const cases: { name: string; k: { a: Accompanied; seq: number }; docType: DocType; ground: Ground; signers: readonly TestCard[]; words: RegExp }[] = [
      { name: 'a health paper, not named', k, docType: 'health-insurance', ground: procurationGround(k.a, k.text.id), signers: [k.a.agentCard], words: /n’a pas autorisé ce genre de papier.*procuration_scope_category/ },
      { name: 'another agent’s card', k, docType: 'payslip', ground: procurationGround(k.a, k.text.id, other.card), signers: [otherCard], words: /donnée à un autre agent.*procuration_other_agent/ },
      { name: 'a forged procuration id', k, docType: 'payslip', ground: procurationGround(k.a, randomUUID()), signers: [k.a.agentCard], words: /n’existe pas.*procuration_unknown/ },
      { name: 'named by the ground, proven by another card', k, docType: 'payslip', ground: procurationGround(k.a, k.text.id), signers: [otherCard], words: /n’a pas signé.*card_not_present/ },
      { name: 'a suspended agent', k: suspended, docType: 'payslip', ground: procurationGround(suspended.a, suspended.text.id), signers: [suspended.a.agentCard], words: /suspendu.*agent_suspended/ },
      { name: 'not started yet', k: { a: notYet, seq: 0 }, docType: 'payslip', ground: procurationGround(notYet, notYetText.id), signers: [notYet.agentCard], words: /pas encore commencée.*procuration_not_in_force/ },
    ];
    for (const c of cases) {
      const before = await refusals(c.k.a.person.id);
      const r = await deposit(c.k, c.docType, c.ground, c.signers);
      expect(r.result, c.name).toMatchObject({ status: 'refused', error: { code: 'forbidden', message: expect.stringMatching(c.words) } });
      expect(await documentRow(r.documentId), c.name).toBeUndefined();
      const after = await refusals(c.k.a.person.id);
      expect(after.length, c.name).toBe(before.length + 1);
      expect(after.some((d) => d.mutationId === r.id), c.name).toBe(true);
    }
    // another person's procuration, for Camille's vault
    const b = await onProcuration();
    const theirs = await deposit(k, 'payslip', procurationGround(k.a, b.text.id), [k.a.agentCard]);
    expect(theirs.result).toMatchObject({ status: 'refused', error: { message: expect.stringMatching(/procuration_other/) } });

    // deleting stays the person's own act; writing in her name needs « écrire en mon nom »
    const paper = await deposit(k, 'payslip', procurationGround(k.a, k.text.id), [k.a.agentCard]);
    expect(paper.result).toMatchObject({ status: 'applied' });
    const del = await write(k, { type: 'vault.document.delete', payload: { documentId: paper.documentId!, owner: k.a.person.identifier, ground: procurationGround(k.a, k.text.id) } }, [k.a.agentCard]);
    expect(del.result).toMatchObject({ status: 'refused', error: { message: expect.stringMatching(/seule la personne peut le faire.*action_not_allowed_on_ground/) } });
    const sendBody = (onK: typeof k, documentId: string): MutationBody => ({
      type: 'vault.document.send',
      payload: { messageId: randomUUID(), documentId, owner: onK.a.person.identifier, institutionId: 'caf', note: 'Le bulletin de salaire de Camille', ground: procurationGround(onK.a, onK.text.id) },
    });
    const messages = await countRows(server.db, 'messages');
    expect((await write(k, sendBody(k, paper.documentId!), [k.a.agentCard])).result).toMatchObject({ status: 'refused', error: { message: expect.stringMatching(/procuration_scope_action/) } });
    expect(await countRows(server.db, 'messages')).toBe(messages);
    // with it, the agent sends her paper: the message is the agent's, for her
    const writing = await onProcuration({ scope: { ...FOR_PRIME, actions: [...FOR_PRIME.actions, 'write-in-my-name'] } });
    const hers = await deposit(writing, 'payslip', procurationGround(writing.a, writing.text.id), [writing.a.agentCard]);
    const sent = await write(writing, sendBody(writing, hers.documentId!), [writing.a.agentCard]);
    expect(sent.result).toMatchObject({ status: 'applied' });
    const sendEntry = await server.db.selectFrom('audit_journal').selectAll().where('action', '=', 'document.send').where('subject_person_id', '=', writing.a.person.id).executeTakeFirstOrThrow();
    expect(sendEntry).toMatchObject({ ground: 'procuration', actor_id: writing.a.agent.identifier });
    expect(JSON.parse(sendEntry.detail)).toMatchObject({ procurationId: writing.text.id });
    const authored = await server.db.selectFrom('messages').innerJoin('threads', 'threads.id', 'messages.thread_id').select(['messages.author_kind', 'messages.author_id']).where('threads.person_id', '=', writing.a.person.id).execute();
    expect(authored).toEqual([{ author_kind: 'agent', author_id: writing.a.agent.identifier }]);

    // withdrawn by the person: the next deposit on it is refused
    expect(await revokeByPerson({ db: server.db, dialect: server.dialect }, k.a.person.id, k.text.id)).toMatchObject({ ok: true });
    const withdrawn = await deposit(k, 'payslip', procurationGround(k.a, k.text.id), [k.a.agentCard]);
    expect(withdrawn.result).toMatchObject({ status: 'refused', error: { message: expect.stringMatching(/retirée.*procuration_not_in_force/) } });
    expect(await documentRow(withdrawn.documentId)).toBeUndefined();

    // over: its deposit applied the day after its last day (the sync engine's clock moved)
    const ending = await onProcuration({ until: dayIn(10) });
    const later = new SyncEngine({ db: server.db, dialect: server.dialect, makeDurable: async () => {}, log: silent, caCertificate: () => ca.certificate, now: () => new Date(Date.now() + 12 * 86_400_000) });
    const expired = await deposit(ending, 'payslip', procurationGround(ending.a, ending.text.id), [ending.a.agentCard], { via: (m) => later.apply(ending.a.kiosk.kioskId, [m]) });
    expect(expired.result).toMatchObject({ status: 'refused', error: { message: expect.stringMatching(/terminée.*procuration_not_in_force/) } });
    expect(await documentRow(expired.documentId)).toBeUndefined();
    expect(await verifyAuditChain(server.db)).toMatchObject({ ok: true });
  });

  const create = async (s: Socket, sessionId: string, aidIds: string[]) => CreateAck.parse(await ask(s, AID_EVENTS.create, { sessionId, aidIds, situation: HOSTED }));
  const list = async (s: Socket, sessionId: string) => {
    const ack = ApplicationsListAck.parse(await ask(s, AID_EVENTS.list, { sessionId }));
    if (!ack.ok) throw new Error(ack.error.message);
    return ack.dossiers.map((d) => d.dossierId);
  };
  const prepare = async (s: Socket, sessionId: string, dossierId: string, ground: SubmissionGround) => PrepareAck.parse(await ask(s, AID_EVENTS.prepare, { sessionId, dossierId, mode: 'manual', ground }));
  async function signAndSubmit(s: Socket, sessionId: string, dossierId: string, card: TestCard, ground: SubmissionGround) {
    const prepared = await prepare(s, sessionId, dossierId, ground);
    if (!prepared.ok) return prepared;
    return SubmitAck.parse(await ask(s, AID_EVENTS.submit, { sessionId, dossierId, manifest: prepared.manifest, certificate: card.certificate, cardSerial: card.serial, signature: signManifest(card.signKey, prepared.manifest) }));
  }

  it('files, opens and sends the person’s request on the agent’s own card; only the aids she named; every act journaled with the procuration', async () => {
    const k = await onProcuration();
    const s = k.a.socket;
    // her papers, scanned by the agent on the procuration
    for (const docType of ['identity-card', 'rib'] as const) expect((await deposit(k, docType, procurationGround(k.a, k.text.id), [k.a.agentCard])).result).toMatchObject({ status: 'applied' });
    // a request she made herself for an aid she did not name: not shown to the agent, not opened
    const hersAlone = await create(s, k.a.personSession, ['css']);
    if (!hersAlone.ok) throw new Error(hersAlone.error.message);
    expect(await list(s, k.sessionId)).toEqual([]);
    expect(DossierAck.parse(await ask(s, AID_EVENTS.get, { sessionId: k.sessionId, dossierId: hersAlone.dossierId }))).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringContaining('n’a pas nommé cette démarche') } });
    // nor filed for it
    expect(await create(s, k.sessionId, ['rsa'])).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringContaining('n’a pas nommé cette démarche') } });

    const created = await create(s, k.sessionId, ['prime-activite']);
    if (!created.ok) throw new Error(created.error.message);
    expect(await list(s, k.sessionId)).toEqual([created.dossierId]);
    const dossier = DossierAck.parse(await ask(s, AID_EVENTS.get, { sessionId: k.sessionId, dossierId: created.dossierId }));
    expect(dossier).toMatchObject({ ok: true, dossier: { dossierId: created.dossierId } });

    const ground: SubmissionGround = { kind: 'procuration', procurationId: k.text.id };
    // she is not there: not on her own signature; not on another procuration; not with her card either
    expect(await prepare(s, k.sessionId, created.dossierId, { kind: 'beneficiary-signature' })).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/n’est pas là/) } });
    expect(await prepare(s, k.sessionId, created.dossierId, { kind: 'procuration', procurationId: randomUUID() })).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/pas sur une autre/) } });
    expect(await signAndSubmit(s, k.sessionId, created.dossierId, k.a.personCard, ground)).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringMatching(/sa propre carte/) } });
    const sent = await signAndSubmit(s, k.sessionId, created.dossierId, k.a.agentCard, ground);
    expect(sent).toMatchObject({ ok: true, state: 'submitted' });
    const row = await server.db.selectFrom('dossiers').select(['ground', 'signer_identifier', 'signer_card_serial', 'person_id']).where('id', '=', created.dossierId).executeTakeFirstOrThrow();
    expect(row).toEqual({ ground: JSON.stringify({ kind: 'procuration', procurationId: k.text.id }), signer_identifier: k.a.agent.identifier, signer_card_serial: k.a.agent.card, person_id: k.a.person.id });

    // journaled on the procuration: the filing, the signed sending and its transitions
    const journal = await server.db.selectFrom('audit_journal').select(['action', 'ground', 'actor_id', 'detail']).where('subject_person_id', '=', k.a.person.id).where('action', 'like', 'application.%').execute();
    const onIt = journal.filter((j) => (JSON.parse(j.detail) as { procurationId?: string }).procurationId === k.text.id);
    expect(onIt.map((j) => j.action)).toEqual(expect.arrayContaining(['application.create', 'application.signed', 'application.submit']));
    expect(onIt.every((j) => j.ground === 'procuration' && j.actor_id === k.a.agent.identifier)).toBe(true);
    expect(JSON.parse(onIt.find((j) => j.action === 'application.signed')!.detail)).toMatchObject({ ground: { kind: 'procuration', procurationId: k.text.id }, cardSerial: k.a.agent.card, structureId: AGENT_STRUCTURE.id });
    const mine = MineAck.parse(await ask(s, PROCURATION_EVENTS.mine, { sessionId: k.a.personSession }));
    if (!mine.ok) throw new Error(mine.error.message);
    expect(mine.procurations.find((p) => p.id === k.text.id)?.acts.count).toBeGreaterThanOrEqual(onIt.length + 2);
    // she is told, at her next look at her requests, who sent it for her
    const hers = ApplicationsListAck.parse(await ask(s, AID_EVENTS.list, { sessionId: k.a.personSession }));
    expect(hers).toMatchObject({ ok: true, notices: [{ dossierId: created.dossierId, state: 'submitted', message: `Sophie Lefèvre (${AGENT_STRUCTURE.name}) a envoyé cette demande pour vous, avec votre procuration.` }] });
    // the receipt is printed for her, naming who sent it (its words: dossier-pdf.test.ts)
    expect(PdfAck.parse(await ask(s, AID_EVENTS.receiptPdf, { sessionId: k.sessionId, dossierId: created.dossierId }))).toMatchObject({ ok: true });

    // writing to the institution in her name: not on this procuration
    expect(OkAck.parse(await ask(s, AID_EVENTS.message, { sessionId: k.sessionId, dossierId: created.dossierId, body: 'Bonjour, voici la demande de Camille.' }))).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: expect.stringContaining('n’a pas autorisé cela') },
    });
  });

  it('sends nothing without « envoyer mes demandes sans moi », nor for an aid she did not name; writes in her name when she allowed it', async () => {
    const noSend = await onProcuration({ scope: { ...FOR_PRIME, actions: ['consult', 'scan-for', 'file'] } });
    const created = await create(noSend.a.socket, noSend.sessionId, ['prime-activite']);
    if (!created.ok) throw new Error(created.error.message);
    const ground: SubmissionGround = { kind: 'procuration', procurationId: noSend.text.id };
    expect(await prepare(noSend.a.socket, noSend.sessionId, created.dossierId, ground)).toMatchObject({ ok: false, error: { code: 'forbidden', message: expect.stringContaining('n’a pas autorisé cela') } });
    expect(await server.db.selectFrom('dossiers').select('signed_at').where('id', '=', created.dossierId).executeTakeFirstOrThrow()).toEqual({ signed_at: null });

    // a request of hers with an aid not named, sent on the procuration: refused, nothing signed
    const all = await onProcuration({ scope: { ...FOR_PRIME, actions: [...FOR_PRIME.actions, 'write-in-my-name'] } });
    for (const docType of ['identity-card', 'rib'] as const) await deposit(all, docType, procurationGround(all.a, all.text.id), [all.a.agentCard]);
    const css = await create(all.a.socket, all.a.personSession, ['css']);
    if (!css.ok) throw new Error(css.error.message);
    expect(await signAndSubmit(all.a.socket, all.sessionId, css.dossierId, all.a.agentCard, { kind: 'procuration', procurationId: all.text.id })).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: expect.stringContaining('n’a pas nommé cette démarche') },
    });
    expect(await server.db.selectFrom('dossiers').select('signed_at').where('id', '=', css.dossierId).executeTakeFirstOrThrow()).toEqual({ signed_at: null });

    // the prime d'activité, sent then written about, in her name: the message is the agent's, journaled on the procuration
    const prime = await create(all.a.socket, all.sessionId, ['prime-activite']);
    if (!prime.ok) throw new Error(prime.error.message);
    expect(await signAndSubmit(all.a.socket, all.sessionId, prime.dossierId, all.a.agentCard, { kind: 'procuration', procurationId: all.text.id })).toMatchObject({ ok: true });
    expect(OkAck.parse(await ask(all.a.socket, AID_EVENTS.message, { sessionId: all.sessionId, dossierId: prime.dossierId, body: 'Bonjour, je vous écris pour Camille Martin.' }))).toEqual({ ok: true });
    const msg = await server.db
      .selectFrom('messages')
      .innerJoin('threads', 'threads.id', 'messages.thread_id')
      .select(['messages.author_kind', 'messages.author_id'])
      .where('threads.person_id', '=', all.a.person.id)
      .executeTakeFirstOrThrow();
    expect(msg).toEqual({ author_kind: 'agent', author_id: all.a.agent.identifier });
    // the service reads who sent it and wrote, for whom, on whose procuration
    const app = await server.db.selectFrom('applications').selectAll().where('dossier_id', '=', prime.dossierId).executeTakeFirstOrThrow();
    const detail = await applicationDetail(server.db, await loadCatalogue(), { id: app.institution_id ?? 'caf', kind: 'caf' }, app);
    expect(detail.signature?.ground).toBe(`Envoyée par Sophie Lefèvre (${AGENT_STRUCTURE.name}), avec la procuration de Camille Martin`);
    expect(detail.messages.map((m) => m.authorName)).toEqual(['Sophie Lefèvre (agent), pour Camille Martin']);
    const entry = await server.db.selectFrom('audit_journal').selectAll().where('action', '=', 'application.message').where('subject_person_id', '=', all.a.person.id).executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ ground: 'procuration', actor_id: all.a.agent.identifier });
    expect(JSON.parse(entry.detail)).toMatchObject({ procurationId: all.text.id });
  });

  it('with the person present, the procuration ground is refused: she signs herself', async () => {
    const a = await accompanied(server, ca, sockets);
    const text = await give(a);
    const k = { a, seq: 0 };
    for (const docType of ['identity-card', 'rib'] as const) await deposit(k, docType, { kind: 'own-card', cardSerial: a.person.card }, [a.personCard]);
    const created = await create(a.socket, a.personSession, ['prime-activite']);
    if (!created.ok) throw new Error(created.error.message);
    expect(await signAndSubmit(a.socket, a.personSession, created.dossierId, a.agentCard, { kind: 'procuration', procurationId: text.id })).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: 'Avec la personne présente, c’est elle qui signe sa demande avec sa carte : la procuration sert quand elle n’est pas là.' },
    });
    expect(await server.db.selectFrom('dossiers').select('signed_at').where('id', '=', created.dossierId).executeTakeFirstOrThrow()).toEqual({ signed_at: null });
    // and a person's own session cannot act on anyone's procuration
    const alone = await openPersonSession(a.socket, a.kiosk.kioskId, a.personCard);
    expect(await ask(a.socket, PROCURATION_EVENTS.act, { sessionId: alone, procurationId: text.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});
