/**
 * Several papers in one sending, over a real socket.io client against startServer on SQLite and
 * PostgreSQL, each mutation signed as the kiosk's cards sign it: the papers go as one message (one thread,
 * one message, one copy of each paper's current version), each paper checked by the access policy and
 * journaled; the CAF's instructor reads them all in the inbox. One paper that may not go — deleted since,
 * outside what the procuration allows — refuses the whole sending, nothing stored, the refusal journaled
 * and said to the person in words. A sending shaped as kiosks queued it before (one paper, no other
 * field) still applies; a paper twice, or more than ten papers, is refused as malformed.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DocType } from '../../../protocol/common.ts';
import { referencedBlobs } from '../../../protocol/mutations.ts';
import type { Ground, Mutation, MutationBody } from '../../../protocol/mutations.ts';
import type { ProcurationText } from '../../../protocol/procuration.ts';
import { EVENTS, MutationsAck } from '../../../protocol/socket.ts';
import { DirectorySyncAck, VAULT_EVENTS } from '../../../protocol/vault.ts';
import type { LoadedCa } from '../../features/cards/index.ts';
import { openThread, repliesForPerson, replyInThread } from '../../features/inbox/index.ts';
import { personJournal } from '../../features/vault/index.ts';
import { verifyAuditChain } from '../../kernel/audit.ts';
import type { RunningServer } from '../server.ts';
import { TEST_STRUCTURE } from '../../../test-support/test-cards.ts';
import type { TestCard } from '../../../test-support/test-cards.ts';
import { countRows, DIALECTS, sha256Hex, tusUpload } from '../../../test-support/test-env.ts';
import { randomPng } from '../../../test-support/png.ts';
import { proveWith } from '../../../test-support/test-ca.ts';
import { accompanied, actOn, giveProcuration } from '../../../test-support/test-procurations.ts';
import type { Accompanied } from '../../../test-support/test-procurations.ts';
import { socketSuite } from '../../../test-support/socket-suite.ts';

/** Camille lets Sophie send her identity, income and bank papers in her name; not her housing papers. */
const SCOPE: ProcurationText['scope'] = { aids: ['*'], categories: ['identity', 'income', 'bank'], actions: ['consult', 'scan-for', 'write-in-my-name'] };

describe.each(DIALECTS)('several papers in one sending (%s)', (dialect) => {
  let ca: LoadedCa;
  let server: RunningServer;
  const { sockets, ask } = socketSuite(dialect, (s) => ({ ca, server } = s));

  interface At {
    a: Accompanied;
    seq: number;
  }

  /** A mutation as the kiosk's outbox sends it, signed by `signers`; its result. */
  async function write(k: At, body: MutationBody, signers: readonly TestCard[]) {
    const id = randomUUID();
    const blobs = referencedBlobs(body);
    const m = { seq: ++k.seq, id, createdAt: new Date().toISOString(), blobs, proof: proveWith(k.a.kiosk.kioskId, { id, blobs, ...body }, signers), ...body } as Mutation;
    const ack = MutationsAck.parse(await ask(k.a.socket, EVENTS.mutations, { mutations: [m] }));
    if (!ack.ok) k.seq = ack.lastSeq ?? k.seq - 1;
    return { id, ack, result: ack.ok ? ack.results?.[0] : undefined };
  }

  const own = (k: At): Ground => ({ kind: 'own-card', cardSerial: k.a.person.card });

  /** Camille's own paper, scanned and deposited with her card. */
  async function paper(k: At, docType: DocType): Promise<string> {
    const bytes = randomPng();
    const sha256 = sha256Hex(bytes);
    expect(await tusUpload(server.url, k.a.kiosk, bytes, { sha256, mime: 'image/png' })).toMatchObject({ ok: true });
    const documentId = randomUUID();
    const body: MutationBody = {
      type: 'vault.document.deposit',
      payload: { documentId, owner: k.a.person.identifier, docType, fields: {}, ocrText: '', file: { sha256, mime: 'image/png', size: bytes.length }, capturedAt: new Date().toISOString(), ground: own(k) },
    };
    expect((await write(k, body, [k.a.personCard])).result).toMatchObject({ status: 'applied' });
    return documentId;
  }

  function sending(k: At, ids: string[], o: { messageId?: string; ground?: Ground; institutionId?: string } = {}): MutationBody {
    const [documentId, ...others] = ids;
    return {
      type: 'vault.document.send',
      payload: {
        messageId: o.messageId ?? randomUUID(),
        documentId: documentId!,
        ...(others.length > 0 ? { otherDocumentIds: others } : {}),
        owner: k.a.person.identifier,
        institutionId: o.institutionId ?? 'caf',
        note: 'Bonjour, voici mes papiers pour mon dossier.',
        ground: o.ground ?? own(k),
      },
    };
  }

  const instructor = async () => {
    const row = await server.db.selectFrom('staff_accounts').select('id').where('login', '=', 'caf-instructeur').executeTakeFirstOrThrow();
    return { accountId: row.id, institutionId: 'caf', role: 'instructor' as const };
  };
  const sends = (personId: string) => server.db.selectFrom('audit_journal').selectAll().where('action', '=', 'document.send').where('subject_person_id', '=', personId).orderBy('seq').execute();
  const stored = async () => ({ threads: await countRows(server.db, 'threads'), messages: await countRows(server.db, 'messages'), attachments: await countRows(server.db, 'message_attachments') });
  const journalOf = async (k: At) => {
    const lines = await personJournal(
      { db: server.db, dialect: server.dialect },
      { id: 'journal-check', kioskId: k.a.kiosk.kioskId, personId: k.a.person.id, identifier: k.a.person.identifier, firstName: 'Camille', cardSerial: k.a.person.card, role: 'beneficiary', consent: null, expiresAt: Date.now() + 60_000 },
    );
    if (!lines.ok) throw new Error('journal refused');
    return lines.value;
  };

  it('three papers on her own card: one message, each paper’s current version copied and journaled; the CAF reads all three; sent again, nothing twice', async () => {
    const k: At = { a: await accompanied(server, ca, sockets), seq: 0 };
    const [payslip, rib, address] = [await paper(k, 'payslip'), await paper(k, 'rib'), await paper(k, 'proof-of-address')];
    const messageId = randomUUID();
    const before = await stored();
    const body = sending(k, [payslip, rib, address], { messageId });
    expect((await write(k, body, [k.a.personCard])).result).toMatchObject({ status: 'applied' });

    expect(await stored()).toEqual({ threads: before.threads + 1, messages: before.messages + 1, attachments: before.attachments + 3 });
    const thread = await server.db.selectFrom('threads').selectAll().where('id', '=', messageId).executeTakeFirstOrThrow();
    // the first paper chosen names the thread
    expect(thread).toMatchObject({ person_id: k.a.person.id, institution_id: 'caf', subject: 'Bulletin de salaire', application_id: null });
    const attached = await server.db.selectFrom('message_attachments').select(['document_id', 'version', 'doc_type']).where('message_id', '=', messageId).execute();
    expect(attached.sort((x, y) => x.doc_type.localeCompare(y.doc_type))).toEqual([
      { document_id: payslip, version: 1, doc_type: 'payslip' },
      { document_id: address, version: 1, doc_type: 'proof-of-address' },
      { document_id: rib, version: 1, doc_type: 'rib' },
    ]);
    // one journal entry a paper, each naming the one message
    const entries = await sends(k.a.person.id);
    expect(entries.map((e) => e.document_id)).toEqual([payslip, rib, address]);
    for (const e of entries) expect(JSON.parse(e.detail)).toMatchObject({ messageId, papers: '3', institutionId: 'caf', version: '1' });
    expect((await journalOf(k))[0]).toMatchObject({ who: 'Vous', action: expect.stringMatching(/envoyé 3 papiers à un organisme$/) as unknown });

    // the CAF's instructor opens the message: the three papers, in one message
    const opened = await openThread(server.db, server.dialect, await instructor(), messageId);
    expect(opened?.messages).toHaveLength(1);
    expect(opened?.messages[0]?.attachments.map((x) => x.documentId).sort()).toEqual([payslip, rib, address].sort());

    // the CAF answers: the person reads that it is about her RIB and the two papers sent with it
    expect(await replyInThread(server.db, server.dialect, await instructor(), messageId, 'Bien reçu, merci.')).toMatchObject({ ok: true });
    expect(await repliesForPerson(server.db, k.a.person.id)).toEqual([expect.objectContaining({ threadId: messageId, paperTitle: 'Bulletin de salaire', otherPapers: 2, body: 'Bien reçu, merci.' })]);

    // the same sending again (its mutation resent under another id): nothing twice
    expect((await write(k, body, [k.a.personCard])).result).toMatchObject({ status: 'applied' });
    // (her message and the CAF's answer)
    expect(await stored()).toEqual({ threads: before.threads + 1, messages: before.messages + 2, attachments: before.attachments + 3 });
    expect(await verifyAuditChain(server.db)).toMatchObject({ ok: true });
  });

  it('a sending shaped as kiosks queued it before (one paper, no other field) still applies, its card proof unchanged', async () => {
    const k: At = { a: await accompanied(server, ca, sockets), seq: 0 };
    const rib = await paper(k, 'rib');
    const messageId = randomUUID();
    // written out as an outbox from before holds it: exactly these keys
    const body = {
      type: 'vault.document.send',
      payload: { messageId, documentId: rib, owner: k.a.person.identifier, institutionId: 'caf', note: 'Mon RIB', ground: own(k) },
    } as const satisfies MutationBody;
    expect((await write(k, body, [k.a.personCard])).result).toMatchObject({ status: 'applied' });
    expect(await server.db.selectFrom('message_attachments').select('document_id').where('message_id', '=', messageId).execute()).toEqual([{ document_id: rib }]);
    const entry = (await sends(k.a.person.id))[0]!;
    expect(JSON.parse(entry.detail)).toMatchObject({ messageId, papers: '1' });
  });

  it('one paper that may not go refuses the whole sending: deleted since, or outside what the procuration allows; nothing stored, the refusal in her journal', async () => {
    const k: At = { a: await accompanied(server, ca, sockets), seq: 0 };
    const [payslip, rib, address] = [await paper(k, 'payslip'), await paper(k, 'rib'), await paper(k, 'proof-of-address')];
    const gone = await paper(k, 'identity-card');
    expect((await write(k, { type: 'vault.document.delete', payload: { documentId: gone, owner: k.a.person.identifier, ground: own(k) } }, [k.a.personCard])).result).toMatchObject({ status: 'applied' });
    const before = await stored();

    // the third paper was deleted (from another kiosk) before the sending arrived
    const deleted = await write(k, sending(k, [payslip, rib, gone]), [k.a.personCard]);
    expect(deleted.result).toMatchObject({ status: 'refused', error: { code: 'unknown', message: 'Le papier 3 sur 3 n’est plus dans ce coffre : rien n’est envoyé.' } });
    // another person's paper is not hers to send, even among hers
    const other: At = { a: await accompanied(server, ca, sockets), seq: 0 };
    const theirs = await paper(other, 'rib');
    expect((await write(k, sending(k, [payslip, theirs]), [k.a.personCard])).result).toMatchObject({ status: 'refused', error: { code: 'unknown', message: expect.stringMatching(/^Le papier 2 sur 2 /) } });

    // Sophie alone, on the procuration: the payslip and the RIB may go, the proof of address may not
    const text = await giveProcuration(k.a, { agent: { identifier: k.a.agent.identifier, name: 'Sophie Lefèvre', cardSerial: k.a.agent.card, structure: { ...TEST_STRUCTURE } }, scope: SCOPE });
    await actOn(k.a, text.id);
    const onProcuration: Ground = { kind: 'procuration', procurationId: text.id, agentCardSerial: k.a.agent.card };
    const scoped = await write(k, sending(k, [payslip, address, rib], { ground: onProcuration }), [k.a.agentCard]);
    expect(scoped.result).toMatchObject({ status: 'refused', error: { code: 'forbidden', message: expect.stringMatching(/papier 2 sur 3 : procuration_scope_category ; rien n’est envoyé/) } });
    expect(await stored()).toEqual(before);
    expect(await sends(k.a.person.id)).toEqual([]);
    // each refusal journaled on her, and said in her words
    const refused = await server.db.selectFrom('audit_journal').select('detail').where('action', '=', 'mutation.refused').where('subject_person_id', '=', k.a.person.id).execute();
    const refusedIds = refused.map((r) => (JSON.parse(r.detail) as { mutationId: string }).mutationId);
    expect(refusedIds).toEqual(expect.arrayContaining([deleted.id, scoped.id]));
    const lines = await journalOf(k);
    expect(lines).toContainEqual(expect.objectContaining({ who: 'Un envoi demandé sur la tablette', action: expect.stringMatching(/aucun papier n’est parti\.$/) as unknown }));

    // without the paper it may not send, the agent's sending goes, as the agent's message
    const messageId = randomUUID();
    expect((await write(k, sending(k, [payslip, rib], { ground: onProcuration, messageId }), [k.a.agentCard])).result).toMatchObject({ status: 'applied' });
    expect(await server.db.selectFrom('messages').select(['author_kind', 'author_id']).where('id', '=', messageId).execute()).toEqual([{ author_kind: 'agent', author_id: k.a.agent.identifier }]);
    expect(await countRows(server.db, 'message_attachments')).toBe(before.attachments + 2);
    expect(await verifyAuditChain(server.db)).toMatchObject({ ok: true });
  });

  it('an office where no one reads what is sent is refused whole, said in French; once someone reads there, the same papers go', async () => {
    const k: At = { a: await accompanied(server, ca, sockets), seq: 0 };
    const rib = await paper(k, 'rib');
    const before = await stored();
    // the demo's MDPH: its one reader (the head of service) disabled, a depositor left, who reads nothing
    await server.db.updateTable('staff_accounts').set({ disabled_at: new Date().toISOString() }).where('login', '=', 'mdph-chef').execute();
    try {
      const refused = await write(k, sending(k, [rib], { institutionId: 'mdph' }), [k.a.personCard]);
      expect(refused.result).toMatchObject({ status: 'refused', error: { code: 'forbidden', message: 'Cet organisme ne reçoit pas encore de papiers par Facilitateur. Rien n’a été envoyé : apportez vos papiers sur place ou envoyez-les par la poste.' } });
      expect(await stored()).toEqual(before);
      // the directory the kiosks receive says who reads: the CAF, not the MDPH now
      const answer = DirectorySyncAck.parse(await ask(k.a.socket, VAULT_EVENTS.directory, { cursor: null }));
      if (!answer.ok) throw new Error(answer.error.message);
      expect(answer.receivers).toContain('caf');
      expect(answer.receivers).not.toContain('mdph');
    } finally {
      await server.db.updateTable('staff_accounts').set({ disabled_at: null }).where('login', '=', 'mdph-chef').execute();
    }
    expect((await write(k, sending(k, [rib], { institutionId: 'mdph' }), [k.a.personCard])).result).toMatchObject({ status: 'applied' });
  });

  it('a paper twice, or more than ten papers, is refused as malformed: nothing stored, the kiosk’s sequence not used', async () => {
    const k: At = { a: await accompanied(server, ca, sockets), seq: 0 };
    const rib = await paper(k, 'rib');
    const payslip = await paper(k, 'payslip');
    const before = await stored();
    const twice = await write(k, sending(k, [rib, payslip, rib]), [k.a.personCard]);
    expect(twice.ack).toMatchObject({ ok: false, error: { code: 'invalid' } });
    const eleven = await write(k, sending(k, [rib, ...Array.from({ length: 10 }, () => randomUUID())]), [k.a.personCard]);
    expect(eleven.ack).toMatchObject({ ok: false, error: { code: 'invalid' } });
    // an empty list of others is not a sending's shape either (absent when there is one paper)
    const empty = sending(k, [rib]);
    const emptied = await write(k, { ...empty, payload: { ...empty.payload, otherDocumentIds: [] } } as MutationBody, [k.a.personCard]);
    expect(emptied.ack).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await stored()).toEqual(before);
    // the next well-formed sending takes the next seq
    expect((await write(k, sending(k, [rib, payslip]), [k.a.personCard])).result).toMatchObject({ status: 'applied' });
  });
});
