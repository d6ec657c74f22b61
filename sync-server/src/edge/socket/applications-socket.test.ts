/**
 * The aid space over the kiosk socket (applications-socket.ts), with a real socket.io client against
 * startServer on SQLite and PostgreSQL: a person session opened by the card, then the catalogue, the
 * simulation, filing, a piece chosen while its scan is still on its way and attached when its deposit
 * mutation arrives, the card-signed sending, the PDFs, the notices and the thread, a withdrawal, an agent
 * with the beneficiary present (who signs herself) — and malformed or foreign requests refused
 * with typed errors.
 */
import { randomUUID } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import {
  AID_EVENTS,
  ApplicationsListAck,
  CatalogueAck,
  CreateAck,
  DossierAck,
  OkAck,
  PdfAck,
  PrepareAck,
  SimulateAck,
  SubmitAck,
} from '../../../protocol/applications.ts';
import type { Dossier, FilingSituation, Manifest, SubmissionGround } from '../../../protocol/applications.ts';
import type { DocType } from '../../../protocol/common.ts';
import { referencedBlobs } from '../../../protocol/mutations.ts';
import type { Mutation, MutationBody } from '../../../protocol/mutations.ts';
import { EVENTS, MutationsAck } from '../../../protocol/socket.ts';
import { fireEvent } from '../../features/applications/index.ts';
import { postMessage } from '../../features/applications/index.ts';
import type { LoadedCa } from '../../features/cards/index.ts';
import type { RunningServer } from '../server.ts';
import { addPerson, certify, signManifest } from '../../../test-support/test-cards.ts';
import type { TestCard, TestPerson } from '../../../test-support/test-cards.ts';
import { proveWith } from '../../../test-support/test-ca.ts';
import { addKiosk, connectKiosk, countRows, DIALECTS, openPersonSession, sha256Hex, tusUpload } from '../../../test-support/test-env.ts';
import { randomPng } from '../../../test-support/png.ts';
import type { TestKiosk } from '../../../test-support/test-env.ts';
import { socketSuite } from '../../../test-support/socket-suite.ts';

const HOSTED: FilingSituation = { housing: 'hosted', activity: ['inactive'], nationality: 'french', children: false, couple: false };
const NO_SESSION = { ok: false, error: { code: 'forbidden', message: 'La session de la personne est terminée. Remettez la carte.' } };
const invalid = (where: RegExp = /.*/) => ({ ok: false, error: { code: 'invalid', message: expect.stringMatching(new RegExp(`^Message invalide.*${where.source}`)) as unknown } });


describe.each(DIALECTS)('aid space over the kiosk socket (%s)', (dialect) => {
  let ca: LoadedCa;
  let server: RunningServer;
  const { sockets, ask } = socketSuite(dialect, (s) => ({ ca, server } = s));

  interface Kiosk {
    kiosk: TestKiosk;
    socket: Socket;
    seq: number;
  }
  async function kioskSocket(): Promise<Kiosk> {
    const kiosk = await addKiosk(server.db);
    const socket = await connectKiosk(server.url, kiosk);
    sockets.push(socket);
    return { kiosk, socket, seq: 0 };
  }

  /** session:challenge, the card's signature, session:open (joined to an agent's session when given). */
  const openSession = (k: Kiosk, card: TestCard, withAgentSession?: string): Promise<string> => openPersonSession(k.socket, k.kiosk.kioskId, card, withAgentSession);

  /** A new person with a certified card, at a kiosk of their own, session open. */
  async function personAtKiosk(role: 'beneficiary' | 'agent' = 'beneficiary') {
    const person = await addPerson(server.db, { role });
    const card = await certify(ca, person);
    const k = await kioskSocket();
    return { person, card, k, sessionId: await openSession(k, card) };
  }

  /** A scan uploaded over tus, then its deposit mutation from the same kiosk, as its outbox does it. */
  async function deposit(k: Kiosk, owner: TestPerson, ownerCard: TestCard, docType: DocType, documentId: string = randomUUID()): Promise<string> {
    const bytes = randomPng();
    const sha256 = sha256Hex(bytes);
    expect(await tusUpload(server.url, k.kiosk, bytes, { sha256, mime: 'image/png' })).toMatchObject({ ok: true });
    const body: MutationBody = {
      type: 'vault.document.deposit',
      payload: {
        documentId,
        owner: owner.identifier,
        docType,
        fields: {},
        ocrText: '',
        file: { sha256, mime: 'image/png', size: bytes.length },
        ...(docType === 'identity-card' ? { expiresOn: '2031-05-01' } : {}),
        capturedAt: new Date().toISOString(),
        ground: { kind: 'own-card', cardSerial: owner.card },
      },
    };
    // signed by the owner's card at the box (own-card ground), as the kiosk's session does
    const id = randomUUID();
    const blobs = referencedBlobs(body);
    const m = { seq: k.seq + 1, id, createdAt: new Date().toISOString(), blobs, proof: proveWith(k.kiosk.kioskId, { id, blobs, ...body }, [ownerCard]), ...body } as Mutation;
    const ack = MutationsAck.parse(await ask(k.socket, EVENTS.mutations, { mutations: [m] }));
    expect(ack).toMatchObject({ ok: true, results: [{ status: 'applied' }] });
    k.seq = m.seq;
    return documentId;
  }

  const create = async (k: Kiosk, sessionId: string, aidIds: string[]) => CreateAck.parse(await ask(k.socket, AID_EVENTS.create, { sessionId, aidIds, situation: HOSTED }));
  const get = async (k: Kiosk, sessionId: string, dossierId: string): Promise<Dossier> => {
    const ack = DossierAck.parse(await ask(k.socket, AID_EVENTS.get, { sessionId, dossierId }));
    if (!ack.ok) throw new Error(ack.error.message);
    return ack.dossier;
  };
  const list = async (k: Kiosk, sessionId: string) => {
    const ack = ApplicationsListAck.parse(await ask(k.socket, AID_EVENTS.list, { sessionId }));
    if (!ack.ok) throw new Error(ack.error.message);
    return ack;
  };
  async function signAndSubmit(k: Kiosk, sessionId: string, dossierId: string, card: TestCard, ground: SubmissionGround = { kind: 'beneficiary-signature' }) {
    const prepared = PrepareAck.parse(await ask(k.socket, AID_EVENTS.prepare, { sessionId, dossierId, mode: 'manual', ground }));
    if (!prepared.ok) throw new Error(prepared.error.message);
    const manifest: Manifest = prepared.manifest;
    return SubmitAck.parse(
      await ask(k.socket, AID_EVENTS.submit, { sessionId, dossierId, manifest, certificate: card.certificate, cardSerial: card.serial, signature: signManifest(card.signKey, manifest) }),
    );
  }

  it('gives the catalogue and the simulation in a person session, in plain words; nothing without a session', async () => {
    const { k, sessionId } = await personAtKiosk();
    const cat = CatalogueAck.parse(await ask(k.socket, AID_EVENTS.catalogue, { sessionId }));
    expect(cat.ok).toBe(true);
    if (!cat.ok) return;
    expect(cat.aids.find((a) => a.id === 'rsa')).toMatchObject({ institutionKind: 'caf', institutionName: 'la CAF', simulable: true, process: { kind: 'bundle', with: ['css'] } });
    expect(cat.aids.find((a) => a.id === 'pch')).toMatchObject({ institutionName: 'le département', simulable: false, process: { kind: 'linked', after: 'demande-mdph' } });
    // every aid the engine estimates may be estimated from the catalogue; the MDPH's are not
    expect(cat.aids.filter((a) => a.simulable).map((a) => a.id).sort()).toEqual(['aah', 'aides-logement', 'allocations-familiales', 'ars', 'bourse-lycee', 'cheque-energie', 'css', 'prime-activite', 'rsa']);

    // a dated situation: the month estimated, the incomes of the 12 months before, the benefits of 13 months
    const months = [...Array.from({ length: 12 }, (_, i) => `2024-${String(i + 1).padStart(2, '0')}`), '2025-01'];
    const income = Object.fromEntries(months.slice(0, 12).map((m) => [m, {}]));
    const situation = {
      month: '2025-01',
      residesInFrance: true,
      couple: false,
      adults: [{ age: 35, income }],
      children: [],
      housing: { status: 'hosted-free' },
      benefits: Object.fromEntries(months.map((m) => [m, {}])),
    };
    const sim = SimulateAck.parse(await ask(k.socket, AID_EVENTS.simulate, { sessionId, situation }));
    expect(sim.ok).toBe(true);
    if (sim.ok) {
      // 635,71 − 12 % for the home had free (76,29) = 559,42, with the scales of January 2025
      expect(sim.results.find((r) => r.aid === 'rsa')).toMatchObject({ aidName: 'Revenu de solidarité active (RSA)', eligible: true, monthlyAmount: 559.42 });
      expect(sim.results.find((r) => r.aid === 'rsa')!.scales).toContainEqual(expect.objectContaining({ id: 'rsa.montant-forfaitaire', value: 635.71, from: '2024-04-01' }));
      expect(sim.validFrom).toBe('2025-01-01');
      expect(sim.warnings[0]).toMatch(/^Ceci est une estimation/);
    }
    // the situation's own words for what is wrong
    expect(await ask(k.socket, AID_EVENTS.simulate, { sessionId, situation: { ...situation, adults: [{ age: 12, income }] } })).toEqual(
      invalid(/Un adulte du foyer doit avoir au moins 16 ans\./),
    );
    expect(await ask(k.socket, AID_EVENTS.simulate, { sessionId, situation: { ...situation, month: '2031-01' } })).toEqual(invalid(/barèmes connus s’arrêtent/));

    // a session id that was never opened on this socket, or one opened on another kiosk's socket
    expect(await ask(k.socket, AID_EVENTS.catalogue, { sessionId: randomUUID() })).toEqual(NO_SESSION);
    const elsewhere = await personAtKiosk();
    expect(await ask(k.socket, AID_EVENTS.list, { sessionId: elsewhere.sessionId })).toEqual(NO_SESSION);
  });

  it('refuses malformed requests with a typed error, and stores nothing', async () => {
    const { k, sessionId } = await personAtKiosk();
    const before = await countRows(server.db, 'dossiers');
    expect(await ask(k.socket, AID_EVENTS.catalogue, {})).toEqual(invalid(/sessionId/));
    expect(await ask(k.socket, AID_EVENTS.list, 'pas un objet')).toEqual(invalid());
    expect(await ask(k.socket, AID_EVENTS.create)).toEqual(invalid());
    expect(await ask(k.socket, AID_EVENTS.create, { sessionId, aidIds: [], situation: HOSTED })).toEqual(invalid(/aidIds/));
    expect(await ask(k.socket, AID_EVENTS.create, { sessionId, aidIds: ['rsa'], situation: { ...HOSTED, housing: 'castle' } })).toEqual(invalid(/situation\.housing/));
    expect(await ask(k.socket, AID_EVENTS.create, { sessionId, aidIds: ['rsa'], situation: { ...HOSTED, extra: 1 } })).toEqual(invalid());
    expect(await ask(k.socket, AID_EVENTS.get, { sessionId, dossierId: 'not-a-uuid' })).toEqual(invalid(/dossierId/));
    expect(await ask(k.socket, AID_EVENTS.choosePiece, { sessionId, dossierId: randomUUID(), itemId: 'rib' })).toEqual(invalid(/documentId/));
    expect(await ask(k.socket, AID_EVENTS.prepare, { sessionId, dossierId: randomUUID(), mode: 'sometimes', ground: { kind: 'beneficiary-signature' } })).toEqual(invalid(/mode/));
    expect(await ask(k.socket, AID_EVENTS.prepare, { sessionId, dossierId: randomUUID(), mode: 'manual', ground: { kind: 'procuration', procurationId: 'pas-un-uuid' } })).toEqual(invalid(/ground/));
    expect(await ask(k.socket, AID_EVENTS.submit, { sessionId, dossierId: randomUUID(), manifest: {}, certificate: 'x', cardSerial: '0A1B2C3D', signature: 'y' })).toEqual(invalid());
    expect(await ask(k.socket, AID_EVENTS.message, { sessionId, dossierId: randomUUID(), body: '   ' })).toEqual(invalid(/body/));
    expect(await ask(k.socket, AID_EVENTS.noticesSeen, { sessionId, ids: [] })).toEqual(invalid(/ids/));
    // well-formed, but about nothing that exists
    expect(await ask(k.socket, AID_EVENTS.create, { sessionId, aidIds: ['aide-imaginaire'], situation: HOSTED })).toEqual({
      ok: false,
      error: { code: 'unknown', message: 'Cette aide n’existe pas : « aide-imaginaire ».' },
    });
    expect(await ask(k.socket, AID_EVENTS.get, { sessionId, dossierId: randomUUID() })).toMatchObject({ ok: false, error: { code: 'unknown' } });
    expect(await countRows(server.db, 'dossiers')).toBe(before);
  });

  it('files, attaches a scan when it arrives, sends on the card’s signature, prints, tells and talks, then withdraws', async () => {
    const { person, card, k, sessionId } = await personAtKiosk();
    await deposit(k, person, card, 'identity-card');
    const created = await create(k, sessionId, ['prime-activite']);
    expect(created).toMatchObject({ ok: true });
    const dossierId = created.ok ? created.dossierId : '';
    let d = await get(k, sessionId, dossierId);
    expect(d.checklist.map((c) => [c.itemId, c.status, c.issuerName])).toEqual([
      ['identite', 'present', 'la mairie'],
      ['rib', 'absent', 'votre banque'],
    ]);
    expect(d).toMatchObject({ canSubmit: false, mode: null, signedAt: null });

    // the RIB is scanned now: chosen while its deposit is still in the outbox
    const ribId = randomUUID();
    expect(OkAck.parse(await ask(k.socket, AID_EVENTS.choosePiece, { sessionId, dossierId, itemId: 'rib', documentId: ribId }))).toEqual({ ok: true });
    d = await get(k, sessionId, dossierId);
    expect(d.checklist.find((c) => c.itemId === 'rib')?.status).toBe('arriving');
    await deposit(k, person, card, 'rib', ribId);
    d = await get(k, sessionId, dossierId);
    expect(d.checklist.find((c) => c.itemId === 'rib')).toMatchObject({ status: 'present', document: { id: ribId, version: 1 } });
    expect(d).toMatchObject({ canSubmit: true, aids: [{ aidId: 'prime-activite', state: 'ready', institutionName: 'la CAF', waitsFor: null }] });

    // a tampered manifest is refused over the socket too
    const prepared = PrepareAck.parse(await ask(k.socket, AID_EVENTS.prepare, { sessionId, dossierId, mode: 'manual', ground: { kind: 'beneficiary-signature' } }));
    if (!prepared.ok) throw new Error(prepared.error.message);
    const signature = signManifest(card.signKey, prepared.manifest);
    const tampered = { ...prepared.manifest, pieces: prepared.manifest.pieces.map((p) => ({ ...p, version: 2 })) };
    expect(await ask(k.socket, AID_EVENTS.submit, { sessionId, dossierId, manifest: tampered, certificate: card.certificate, cardSerial: card.serial, signature })).toMatchObject({
      ok: false,
      error: { code: 'forbidden' },
    });
    expect(PdfAck.parse(await ask(k.socket, AID_EVENTS.receiptPdf, { sessionId, dossierId }))).toMatchObject({ ok: false, error: { code: 'conflict' } });

    const sent = await signAndSubmit(k, sessionId, dossierId, card);
    expect(sent).toEqual({ ok: true, state: 'submitted', receiptNumber: expect.stringMatching(/^FAC-\d{4}-[0-9A-HJKMNP-TV-Z]{8}$/) as unknown });
    d = await get(k, sessionId, dossierId);
    expect(d).toMatchObject({ mode: 'manual', canSubmit: false, aids: [{ state: 'submitted' }] });
    expect(d.submittedAt).not.toBeNull();

    // the receipt and the whole dossier, each paper read journaled
    const receipt = PdfAck.parse(await ask(k.socket, AID_EVENTS.receiptPdf, { sessionId, dossierId }));
    expect(receipt.ok && Buffer.from(receipt.bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    const readsBefore = (await server.db.selectFrom('audit_journal').select('seq').where('action', '=', 'document.read').where('subject_person_id', '=', person.id).execute()).length;
    const pdf = PdfAck.parse(await ask(k.socket, AID_EVENTS.dossierPdf, { sessionId, dossierId }));
    expect(pdf.ok && Buffer.from(pdf.bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
    const reads = await server.db.selectFrom('audit_journal').select(['document_id', 'detail']).where('action', '=', 'document.read').where('subject_person_id', '=', person.id).execute();
    expect(reads.length - readsBefore).toBe(2);
    expect(reads.map((r) => r.document_id)).toContain(ribId);
    expect(JSON.parse(reads.at(-1)!.detail)).toMatchObject({ purpose: 'dossier-pdf', dossierId });

    // the institution works on it: the person is told at their next look
    const [app] = d.aids;
    const caf = { kind: 'institution' as const, id: 'staff-caf-1' };
    await fireEvent(server.db, server.dialect, { applicationId: app!.applicationId, event: 'take-up', actor: caf });
    await fireEvent(server.db, server.dialect, { applicationId: app!.applicationId, event: 'request-information', actor: caf, message: 'Travaillez-vous en ce moment ?' });
    await postMessage(server.db, server.dialect, { applicationId: app!.applicationId, author: { kind: 'institution', id: 'staff-caf-1', institutionId: 'caf' }, body: 'Bonjour, une question.', handlingInstitutionKind: 'caf' });
    let l = await list(k, sessionId);
    expect(l.dossiers.find((x) => x.dossierId === dossierId)).toMatchObject({ unreadMessages: 1, missingCount: 0, aids: [{ state: 'information-requested' }] });
    expect(l.notices.map((n) => [n.state, n.aidName, n.message])).toEqual([
      ['in-processing', 'Prime d’activité', null],
      ['information-requested', 'Prime d’activité', 'Travaillez-vous en ce moment ?'],
      // a message of the institution is news too
      ['information-requested', 'Prime d’activité', 'Bonjour, une question.'],
    ]);
    expect(OkAck.parse(await ask(k.socket, AID_EVENTS.noticesSeen, { sessionId, ids: l.notices.map((n) => n.id) }))).toEqual({ ok: true });

    // the answer: a message, which here is the information asked
    expect(OkAck.parse(await ask(k.socket, AID_EVENTS.message, { sessionId, dossierId, body: 'Non, je cherche un emploi.' }))).toEqual({ ok: true });
    d = await get(k, sessionId, dossierId);
    expect(d.aids[0]?.state).toBe('in-processing');
    expect(d.messages.map((m) => [m.author, m.authorName, m.body])).toEqual([
      ['institution', 'Caisse d\'allocations familiales (CAF)', 'Bonjour, une question.'],
      ['person', 'Vous', 'Non, je cherche un emploi.'],
    ]);
    expect(d.history.map((h) => h.text)).toContain('La CAF vous pose une question : « Travaillez-vous en ce moment ? »');
    l = await list(k, sessionId);
    expect(l.notices).toEqual([]);
    expect(l.dossiers.find((x) => x.dossierId === dossierId)?.unreadMessages).toBe(0);

    // someone else, at their own kiosk, sees none of it
    const other = await personAtKiosk();
    expect(await ask(other.k.socket, AID_EVENTS.get, { sessionId: other.sessionId, dossierId })).toMatchObject({ ok: false, error: { code: 'unknown' } });
    expect(await ask(other.k.socket, AID_EVENTS.withdraw, { sessionId: other.sessionId, dossierId })).toMatchObject({ ok: false, error: { code: 'unknown' } });
    expect((await list(other.k, other.sessionId)).dossiers).toEqual([]);

    expect(OkAck.parse(await ask(k.socket, AID_EVENTS.withdraw, { sessionId, dossierId }))).toEqual({ ok: true });
    expect((await get(k, sessionId, dossierId)).aids[0]?.state).toBe('closed');
    expect(await ask(k.socket, AID_EVENTS.withdraw, { sessionId, dossierId })).toMatchObject({ ok: false, error: { code: 'conflict' } });
  });

  it('keeps an agent at accueil out of the person’s requests: the catalogue opens, her requests and filing one are refused', async () => {
    const person = await addPerson(server.db, { role: 'agent', level: 'accueil' });
    const card = await certify(ca, person);
    const k = await kioskSocket();
    const agentSession = await openSession(k, card);
    const beneficiary = await addPerson(server.db);
    const joined = await openSession(k, await certify(ca, beneficiary), agentSession);
    expect(await ask(k.socket, AID_EVENTS.catalogue, { sessionId: joined })).toMatchObject({ ok: true });
    expect(await ask(k.socket, AID_EVENTS.list, { sessionId: joined })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const created = await create(k, joined, ['prime-activite']);
    expect(created).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(created.ok ? '' : created.error.message).toBe('Ce n’est pas possible : le niveau de l’agent ne le permet pas.');
  });

  it('with the beneficiary’s card joined, the agent files and she signs herself: no procuration ground while she is there', async () => {
    const agent = await personAtKiosk('agent');
    const beneficiary = await addPerson(server.db);
    const beneficiaryCard = await certify(ca, beneficiary);
    const joined = await openSession(agent.k, beneficiaryCard, agent.sessionId);
    await deposit(agent.k, beneficiary, beneficiaryCard, 'passport');
    await deposit(agent.k, beneficiary, beneficiaryCard, 'rib');
    const created = await create(agent.k, joined, ['prime-activite']);
    if (!created.ok) throw new Error(created.error.message);
    const ground: SubmissionGround = { kind: 'procuration', procurationId: randomUUID() };
    await expect(signAndSubmit(agent.k, joined, created.dossierId, agent.card, ground)).rejects.toThrow(/c’est elle qui signe sa demande avec sa carte/);
    // the agent's card does not sign the person's own signature
    expect(await signAndSubmit(agent.k, joined, created.dossierId, agent.card)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await signAndSubmit(agent.k, joined, created.dossierId, beneficiaryCard)).toMatchObject({ ok: true, state: 'submitted' });
    const row = await server.db.selectFrom('dossiers').select(['ground', 'signer_identifier', 'person_id']).where('id', '=', created.dossierId).executeTakeFirstOrThrow();
    expect(row).toEqual({ ground: '{"kind":"beneficiary-signature"}', signer_identifier: beneficiary.identifier, person_id: beneficiary.id });
    // the agent's own session is about the agent: the beneficiary's dossier is not there
    expect((await list(agent.k, agent.sessionId)).dossiers).toEqual([]);
    expect((await list(agent.k, joined)).dossiers.map((x) => x.dossierId)).toEqual([created.dossierId]);
  });
});
