/**
 * The institutional vault (issue #4): an institution's paper put into a person's vault through the staff
 * API, on both engines. It is listed, found and read like the person's own papers, marked as given by
 * the institution, journaled; the person cannot delete it; bad files and bad requests store nothing.
 */
import { randomUUID } from 'node:crypto';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decide } from '../../kernel/access-policy.ts';
import { listVault, searchVault } from '../vault/index.ts';
import type { PersonSession } from '../vault/index.ts';
import { startServer } from '../../edge/server.ts';
import type { RunningServer } from '../../edge/server.ts';
import { CAMILLE, DIALECTS, freshEnv, STAFF_TOKEN } from '../../../test-support/test-env.ts';
import type { TestEnv } from '../../../test-support/test-env.ts';

async function attestationPdf(): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const page = pdf.addPage([595, 842]);
  page.drawText('Attestation de paiement - Caisse d allocations familiales', { x: 50, y: 780, size: 14, font: await pdf.embedFont(StandardFonts.Helvetica) });
  return Buffer.from(await pdf.save());
}

describe.each(DIALECTS)('institutional papers (%s)', (dialect) => {
  let env: TestEnv;
  let server: RunningServer;
  let camille: PersonSession;
  let pdf: Buffer;

  const issue = (identifier: string, body: unknown, token = STAFF_TOKEN) =>
    fetch(`${server.url}/api/staff/persons/${identifier}/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const counts = async () => ({
    documents: Number((await server.db.selectFrom('documents').select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
    versions: Number((await server.db.selectFrom('document_versions').select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow()).n),
  });

  beforeAll(async () => {
    env = await freshEnv(dialect);
    server = await startServer(env.config, { logger: false });
    pdf = await attestationPdf();
    const person = await server.db.selectFrom('persons').select(['id', 'first_name']).where('identifier', '=', CAMILLE.identifier).executeTakeFirstOrThrow();
    camille = { id: randomUUID(), kioskId: 'borne-test', personId: person.id, identifier: CAMILLE.identifier, firstName: person.first_name, cardSerial: CAMILLE.card, role: 'beneficiary', consent: null, expiresAt: Date.now() + 60_000 };
  });
  afterAll(async () => {
    await server?.close();
    await env?.cleanup();
  });

  it('puts the paper into the institutional vault, listed, found, journaled; the person cannot delete it', async () => {
    const institutionId = (await server.db.selectFrom('institutions').select('id').executeTakeFirstOrThrow()).id;
    const res = await issue(CAMILLE.identifier, {
      institutionId,
      docType: 'caf-certificate',
      title: 'Attestation de paiement CAF',
      fields: { allocataireNumber: '1234567' },
      text: 'Attestation de paiement allocataire 1234567 échéance novembre',
      issuedOn: '2026-11-02',
      mime: 'application/pdf',
      content: pdf.toString('base64'),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { documentId, sha256 } = (await res.json()) as { documentId: string; sha256: string };
    expect(await server.blobStore.has(sha256)).toBe(true);

    const deps = { db: server.db, dialect: server.dialect };
    const listed = await listVault(deps, camille);
    expect(listed.ok && listed.value.find((d) => d.id === documentId)).toMatchObject({ vault: 'institutional', institutionId, title: 'Attestation de paiement CAF', issuedOn: '2026-11-02' });
    const found = await searchVault(deps, camille, 'echeance');
    expect(found.ok && found.value.map((d) => d.id)).toEqual([documentId]);

    const journal = await server.db.selectFrom('audit_journal').selectAll().where('document_id', '=', documentId).execute();
    expect(journal.map((j) => [j.action, j.actor_kind, j.ground])).toEqual([['document.issue', 'staff', 'staff-administration']]);

    // read-only for the person, on their own card
    const own = { kind: 'own-card' as const, card: { serial: CAMILLE.card, personId: camille.personId, status: 'active' as const, proven: true } };
    expect(decide({ actor: { kind: 'person', personId: camille.personId }, action: 'document.delete', subject: { personId: camille.personId }, documentClass: { vault: 'institutional', docType: 'caf-certificate' }, ground: own })).toEqual({ allow: false, reason: 'institutional_vault_is_read_only' });
    // and staff put papers only into the institutional vault
    expect(decide({ actor: { kind: 'staff', id: 'x' }, action: 'document.issue', subject: { personId: camille.personId }, documentClass: { vault: 'personal', docType: 'rib' }, ground: { kind: 'staff-administration' } })).toMatchObject({ allow: false });
  });

  it('refuses bad files and bad requests with a clear error, storing nothing', async () => {
    const institutionId = (await server.db.selectFrom('institutions').select('id').executeTakeFirstOrThrow()).id;
    const good = { institutionId, docType: 'tax-notice', mime: 'application/pdf', content: pdf.toString('base64') };
    const before = await counts();
    const cases: [unknown, number, RegExp][] = [
      [{ ...good, content: Buffer.from('%PDF-1.7 but nothing else').toString('base64') }, 400, /PDF valable/],
      [{ ...good, content: Buffer.from('GIF89a……').toString('base64') }, 400, /PDF valable/],
      [{ ...good, mime: 'image/jpeg' }, 400, /JPEG valable/],
      [{ ...good, mime: 'image/gif' }, 400, /invalide/i],
      [{ ...good, docType: 'passport-of-mars' }, 400, /invalide/i],
      [{ ...good, issuedOn: '2026-11-02', expiresOn: '2026-01-01' }, 400, /date de fin/],
      [{ ...good, issuedOn: '02/11/2026' }, 400, /invalide/i],
      [{ ...good, institutionId: 'nulle-part' }, 404, /Organisme inconnu/],
      [{ ...good, extra: 'x' }, 400, /invalide/i],
      [{ ...good, content: '' }, 400, /invalide/i],
      [{ ...good, fields: { a: 'x'.repeat(501) } }, 400, /invalide/i],
      ['not an object', 400, /invalide/i],
    ];
    for (const [body, status, message] of cases) {
      const res = await issue(CAMILLE.identifier, body);
      expect(res.status, JSON.stringify(body).slice(0, 120)).toBe(status);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    }
    expect((await issue('FAC-0000-0000-0000', good)).status).toBe(404);
    expect((await issue('pas un identifiant', good)).status).toBe(400);
    expect((await issue(CAMILLE.identifier, good, 'wrong-token-0123456789')).status).toBe(401);
    expect(await counts()).toEqual(before);
  });
});
