/**
 * The issue's case end to end, on both databases, over real HTTP: a person at a kiosk files a request for
 * the complémentaire santé solidaire and signs it for automatic sending while the Assurance maladie's
 * attestation is still missing; the CPAM's own system (an API client created as the staff CLI does) gets
 * a token and deposits the attestation → the piece is filled from the institutional vault, the request is
 * sent by itself, the person gets both notices (the paper, the sending), the journal holds the deposit
 * with the client as actor, and the chain verifies.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dossier, Manifest } from '../../../protocol/applications.ts';
import type { FilingSituation } from '../../../protocol/applications.ts';
import type { DocType } from '../../../protocol/common.ts';
import { loadCatalogue } from '../../features/aids/index.ts';
import type { AidCatalogue } from '../../features/aids/index.ts';
import { applicantOf, createDossier, prepareSubmission, submitSigned, viewDossier } from '../../features/applications/index.ts';
import type { Applicant } from '../../features/applications/index.ts';
import type { LoadedCa } from '../../features/cards/index.ts';
import { createClient, unseenDepositNotices } from '../../features/institutions/index.ts';
import { verifyAuditChain } from '../../kernel/audit.ts';
import { startServer } from '../server.ts';
import type { RunningServer } from '../server.ts';
import { addKiosk, DIALECTS, freshEnv } from '../../../test-support/test-env.ts';
import type { TestEnv, TestKiosk } from '../../../test-support/test-env.ts';
import { installTestCa } from '../../../test-support/test-ca.ts';
import { addPerson, certify, signManifest } from '../../../test-support/test-cards.ts';
import type { TestPerson } from '../../../test-support/test-cards.ts';

const HOSTED: FilingSituation = { housing: 'hosted', activity: ['inactive'], nationality: 'french', children: false, couple: false };
const TINY_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

describe.each(DIALECTS)('an institution’s system fills a request that then sends itself (%s)', (dialect) => {
  let env: TestEnv;
  let server: RunningServer;
  let ca: LoadedCa;
  let catalogue: AidCatalogue;
  let kiosk: TestKiosk;

  beforeAll(async () => {
    env = await freshEnv(dialect);
    ca = await installTestCa(env.config.dataDir);
    server = await startServer(env.config, { logger: false });
    catalogue = await loadCatalogue();
    kiosk = await addKiosk(server.db);
  });
  afterAll(async () => {
    await server?.close();
    await env?.cleanup();
  });

  /** A paper the person scanned earlier, straight into the vault tables (the assessment reads only those). */
  async function putDoc(p: TestPerson, docType: DocType, o: { issuedOn?: string; expiresOn?: string } = {}): Promise<void> {
    const id = randomUUID();
    const sha256 = createHash('sha256').update(randomBytes(16)).digest('hex');
    const now = new Date().toISOString();
    await server.db.insertInto('blobs').values({ sha256, size: 10, mime: 'image/png', created_at: now, uploaded_by: null, referenced_at: now }).execute();
    await server.db
      .insertInto('documents')
      .values({ id, owner_person_id: p.id, vault: 'personal', doc_type: docType, institution_id: null, current_version: 1, created_at: now, updated_at: now, title: docType, issued_on: o.issuedOn ?? null, expires_on: o.expiresOn ?? null })
      .execute();
    await server.db
      .insertInto('document_versions')
      .values({ document_id: id, version: 1, fields: '{}', ocr_text: '', blob_sha256: sha256, captured_at: now, created_at: now, source_kiosk_id: null, source_mutation_id: null })
      .execute();
  }

  it('deposits the CPAM attestation through the API: the CSS request is complete and sent, as the person signed', async () => {
    const p = await addPerson(server.db, { firstName: 'Inès', lastName: 'Bernard' });
    const applicant: Applicant = applicantOf({ id: randomUUID(), kioskId: kiosk.kioskId, personId: p.id, identifier: p.identifier, firstName: p.firstName, cardSerial: p.card, role: p.role, consent: null, expiresAt: Date.now() + 60_000 });
    await putDoc(p, 'identity-card', { expiresOn: '2033-01-01' });
    await putDoc(p, 'tax-notice', { issuedOn: new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10) });

    const filed = await createDossier(server.db, server.dialect, { applicant, aidIds: ['css'], situation: HOSTED, catalogue });
    if (!filed.ok) throw new Error(filed.error.message);
    const dossierId = filed.value.dossierId;
    const deps = { db: server.db, dialect: server.dialect, ca: () => ca, catalogue };
    const prepared = await prepareSubmission(deps, applicant, { dossierId, mode: 'automatic', ground: { kind: 'beneficiary-signature' } });
    if (!prepared.ok) throw new Error(prepared.error.message);
    const manifest = Manifest.parse(prepared.value);
    expect(manifest.pieces.filter((x) => x.documentId === null).map((x) => x.itemId)).toEqual(['attestation-assurance-maladie']);
    const card = await certify(ca, p);
    expect(await submitSigned(deps, applicant, { dossierId, manifest, certificate: card.certificate, cardSerial: card.serial, signature: signManifest(card.signKey, manifest) })).toMatchObject({
      ok: true,
      value: { state: 'waiting-for-pieces' },
    });

    // the CPAM's system, with the credentials the staff CLI gave its IT
    const client = await createClient(server.db, server.dialect, { institutionId: 'cpam', name: 'Système de la CPAM' }, { kind: 'staff', id: 'staff-cli' });
    if (!client.ok) throw new Error(client.code);
    const tokenAnswer = await fetch(`${server.url}/api/institutions/v1/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=deposits:write',
    });
    expect(tokenAnswer.status).toBe(200);
    const { access_token: token } = (await tokenAnswer.json()) as { access_token: string };
    const deposited = await fetch(`${server.url}/api/institutions/v1/deposits`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ person: p.identifier, docType: 'health-insurance', title: 'Attestation de droits à l’assurance maladie', issuedOn: new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10), mime: 'application/pdf', content: TINY_PDF.toString('base64') }),
    });
    expect(deposited.status).toBe(201);
    const { documentId } = (await deposited.json()) as { documentId: string };

    const view = await viewDossier(server.db, server.dialect, applicant, dossierId, catalogue);
    if (!view.ok) throw new Error(view.error.message);
    const d = Dossier.parse(view.value);
    expect(d.checklist.find((c) => c.itemId === 'attestation-assurance-maladie')?.status).toBe('present');
    expect(d.aids.map((a) => [a.aidId, a.state])).toEqual([['css', 'submitted']]);
    expect(d.checklist.find((c) => c.itemId === 'attestation-assurance-maladie')).toMatchObject({ status: 'present', document: { id: documentId } });
    expect(d.history.map((h) => h.text).at(-1)).toContain('la demande est envoyée');

    // the person is told twice at their next visit: the paper, and the sending
    expect(await server.db.selectFrom('application_notices').select('state').where('dossier_id', '=', dossierId).execute()).toEqual([{ state: 'submitted' }]);
    expect((await unseenDepositNotices(server.db, p.id)).map((n) => n.text)).toEqual(['L’Assurance maladie a mis un papier dans votre coffre : Attestation de droits à l’assurance maladie.']);

    const journal = await server.db.selectFrom('audit_journal').select(['action', 'actor_id', 'ground']).where('subject_person_id', '=', p.id).where('action', '=', 'document.issue').execute();
    expect(journal).toEqual([{ action: 'document.issue', actor_id: `institution-client:${client.id}`, ground: 'institution-deposit' }]);
    expect((await verifyAuditChain(server.db)).ok).toBe(true);
  });
});
