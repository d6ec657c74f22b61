/**
 * The person is told at the kiosk of what institutions put in their vault (`vault:notices`,
 * `vault:notices-seen`), on both databases over the real socket: the notice in plain French after a
 * deposit, gone once seen, never another person's, nothing without a session.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DepositNoticesAck, VAULT_EVENTS } from '../../../protocol/vault.ts';
import type { LoadedCa } from '../../features/cards/index.ts';
import { createClient, depositForInstitution } from '../../features/institutions/index.ts';
import { PdfPool } from '../../kernel/files/pdf-pool.ts';
import type { RunningServer } from '../server.ts';
import { socketSuite } from '../../../test-support/socket-suite.ts';
import { addKiosk, connectKiosk, DIALECTS, openPersonSession } from '../../../test-support/test-env.ts';
import { addPerson, certify } from '../../../test-support/test-cards.ts';

const TINY_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
).toString('base64');

describe.each(DIALECTS)('deposit notices over the kiosk socket (%s)', (dialect) => {
  let ca: LoadedCa;
  let server: RunningServer;
  const { sockets, ask } = socketSuite(dialect, (s) => ({ ca, server } = s));

  it('tells the person of a paper an institution deposited, once', async () => {
    const person = await addPerson(server.db);
    const other = await addPerson(server.db);
    const now = new Date().toISOString();
    await server.db.insertInto('threads').values({ id: randomUUID(), person_id: person.id, institution_id: 'caf', subject: 'Question', created_at: now, updated_at: now }).execute();
    const client = await createClient(server.db, server.dialect, { institutionId: 'caf', name: 'Système de la CAF' }, { kind: 'staff', id: 'staff-cli' });
    if (!client.ok) throw new Error(client.code);
    const pdf = new PdfPool({ size: 1 });
    try {
      const done = await depositForInstitution(
        { db: server.db, dialect: server.dialect, blobStore: server.blobStore, pdf },
        { kind: 'client', clientId: client.id, institutionId: 'caf' },
        { person: person.identifier, docType: 'caf-certificate', title: 'Attestation de paiement', mime: 'application/pdf', content: TINY_PDF },
        randomUUID(),
      );
      expect(done).toMatchObject({ ok: true });
    } finally {
      await pdf.close();
    }

    const kiosk = await addKiosk(server.db);
    const socket = await connectKiosk(server.url, kiosk);
    sockets.push(socket);
    expect(await ask(socket, VAULT_EVENTS.notices, { sessionId: randomUUID() })).toMatchObject({ ok: false, error: { code: 'forbidden' } });

    const sessionId = await openPersonSession(socket, kiosk.kioskId, await certify(ca, person));
    const ack = DepositNoticesAck.parse(await ask(socket, VAULT_EVENTS.notices, { sessionId }));
    if (!ack.ok) throw new Error(ack.error.message);
    expect(ack.notices.map((n) => n.text)).toEqual(['La CAF a mis un papier dans votre coffre : Attestation de paiement.']);

    // another person's session neither sees nor clears it
    const otherSession = await openPersonSession(socket, kiosk.kioskId, await certify(ca, other));
    expect(await ask(socket, VAULT_EVENTS.notices, { sessionId: otherSession })).toEqual({ ok: true, notices: [] });
    expect(await ask(socket, VAULT_EVENTS.noticesSeen, { sessionId: otherSession, ids: ack.notices.map((n) => n.id) })).toEqual({ ok: true });
    expect(DepositNoticesAck.parse(await ask(socket, VAULT_EVENTS.notices, { sessionId }))).toMatchObject({ ok: true, notices: [{ id: ack.notices[0]!.id }] });

    expect(await ask(socket, VAULT_EVENTS.noticesSeen, { sessionId, ids: ack.notices.map((n) => n.id) })).toEqual({ ok: true });
    expect(await ask(socket, VAULT_EVENTS.notices, { sessionId })).toEqual({ ok: true, notices: [] });
    expect(await ask(socket, VAULT_EVENTS.noticesSeen, { sessionId, ids: ['pas-un-id'] })).toMatchObject({ ok: false, error: { code: 'invalid' } });
  });
});
