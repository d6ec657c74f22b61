/**
 * Hostile images and PDFs against every door a file comes in by or goes out through, on a real server:
 * the end of a kiosk's tus upload, the staff API's institutional deposit, the print of a vault paper
 * (`vault:pdf`) and the dossier PDF (`applications:dossier-pdf`). Cut PNG and JPEG files, decompression
 * bombs, junk chunks, wrong magic, the 75-byte PNG pdf-lib loops on, an empty file, a PDF with a hostile
 * image inside, a PDF that would take pdf-lib seconds and gigabytes.
 *
 * For each: `/health` keeps answering within a second while it is handled and after; deposits refuse it
 * with a typed error and store nothing; prints of it (planted in a vault as if stored before these
 * checks) answer a PDF saying the paper cannot be shown, or a typed French error; nothing stored changes
 * and the audit chain still verifies.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AID_EVENTS, CreateAck, PdfAck } from '../../protocol/applications.ts';
import type { FilingSituation } from '../../protocol/applications.ts';
import type { FileMime } from '../../protocol/common.ts';
import { ChallengeAck, FileAck, OpenSessionAck, VAULT_EVENTS } from '../../protocol/vault.ts';
import { initCa } from '../features/cards/index.ts';
import type { LoadedCa } from '../features/cards/index.ts';
import { readBlob } from '../kernel/blobs/blob-store.ts';
import { verifyAuditChain } from '../kernel/audit.ts';
import { startServer } from './server.ts';
import type { RunningServer } from './server.ts';
import { bigValidPng, hostileFiles } from '../../test-support/hostile-files.ts';
import { addPerson, certify, signLogin } from '../../test-support/test-cards.ts';
import type { TestCard, TestPerson } from '../../test-support/test-cards.ts';
import { addKiosk, connectKiosk, countRows, DIALECTS, freshEnv, STAFF_TOKEN, sha256Hex, tusUpload } from '../../test-support/test-env.ts';
import type { TestEnv, TestKiosk } from '../../test-support/test-env.ts';

const HOSTED: FilingSituation = { housing: 'hosted', activity: ['inactive'], nationality: 'french', children: false, couple: false };
const UNPRINTABLE = /n’a pas pu être mis en PDF/;
const CANNOT_SHOW = 'Ce papier ne peut pas être montré ici.';

/**
 * What a print of each file gives: its pages ('shown': JPEG bytes under a PNG name are still a good
 * picture, and a PDF's pages are copied without decoding its images), a page saying it cannot be shown,
 * or the typed refusal when the PDF pool had to stop the job.
 */
const PRINTED: Record<string, 'shown' | 'cannot-show' | 'unprintable'> = {
  'JPEG nommé PNG': 'shown',
  'PDF avec une image piégée': 'shown',
  // its objects are counted before pdf-lib parses them: too many, a page says so
  'bombe PDF (300 000 objets)': 'cannot-show',
  // its objects are packed where only pdf-lib sees them: the PDF thread is stopped at its limits
  'bombe PDF compressée (300 000 objets dans un flux)': 'unprintable',
};
const printedAs = (name: string) => PRINTED[name] ?? 'cannot-show';

const textDir = mkdtempSync(join(tmpdir(), 'fac-hostile-'));
afterAll(() => rmSync(textDir, { recursive: true, force: true }));
function pdfText(bytes: Uint8Array): string {
  const file = join(textDir, 'print.pdf');
  writeFileSync(file, bytes);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
}

type Hostile = Awaited<ReturnType<typeof hostileFiles>>[number];
let files: Hostile[];
beforeAll(async () => {
  files = await hostileFiles();
});

/** Probes /health every 50 ms while `work` runs, then once more: the slowest answer, and any failure. */
async function healthWhile<T>(url: string, work: () => Promise<T>): Promise<{ value: T; worstMs: number; failures: number }> {
  let worstMs = 0;
  let failures = 0;
  const probe = async () => {
    const t0 = performance.now();
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
      if (!res.ok) failures++;
    } catch {
      failures++;
    }
    worstMs = Math.max(worstMs, performance.now() - t0);
  };
  let done = false;
  const probing = (async () => {
    while (!done) {
      await probe();
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  try {
    const value = await work();
    return { value, worstMs, failures };
  } finally {
    done = true;
    await probing;
    await probe();
  }
}

describe.each(DIALECTS)('hostile files (%s)', (dialect) => {
  let env: TestEnv;
  let ca: LoadedCa;
  let server: RunningServer;
  let kiosk: TestKiosk;
  let person: TestPerson;
  let card: TestCard;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    env = await freshEnv(dialect);
    ca = await initCa(env.config.dataDir);
    server = await startServer(env.config, { logger: false });
    kiosk = await addKiosk(server.db);
    person = await addPerson(server.db);
    card = await certify(ca, person);
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });
  afterAll(async () => {
    await server?.close();
    await env?.cleanup();
  });

  const ask = (socket: Socket, event: string, payload: object): Promise<unknown> => socket.timeout(40_000).emitWithAck(event, payload);

  async function session(who: TestCard = card): Promise<{ socket: Socket; sessionId: string }> {
    const socket = await connectKiosk(server.url, kiosk);
    sockets.push(socket);
    const c = ChallengeAck.parse(await ask(socket, VAULT_EVENTS.challenge, {}));
    if (!c.ok) throw new Error(c.error.message);
    const kioskNonce = randomBytes(32).toString('base64url');
    const ack = OpenSessionAck.parse(
      await ask(socket, VAULT_EVENTS.open, {
        certificate: who.certificate,
        cardSerial: who.serial,
        kioskNonce,
        serverNonce: c.nonce,
        signature: signLogin(who.authKey, kiosk.kioskId, kioskNonce, c.nonce),
      }),
    );
    if (!ack.ok) throw new Error(ack.error.message);
    return { socket, sessionId: ack.sessionId };
  }

  /** What is stored, to compare before and after: rows, blobs on disk, and the audit chain. */
  async function snapshot() {
    const chain = await verifyAuditChain(server.db);
    return {
      blobs: await countRows(server.db, 'blobs'),
      documents: await countRows(server.db, 'documents'),
      versions: await countRows(server.db, 'document_versions'),
      auditOk: chain.ok,
    };
  }

  let planted = 0;
  /**
   * A file put straight into the person's vault, as if it had been stored before the deposit checks
   * existed (the way the 75-byte PNG first got in): its bytes in the blob store, its rows in the database.
   */
  async function plant(f: { bytes: Buffer; mime: FileMime }, docType: 'identity-card' | 'payslip' = 'payslip', owner: TestPerson = person): Promise<{ documentId: string; sha256: string }> {
    const sha256 = sha256Hex(f.bytes);
    const dir = mkdtempSync(join(tmpdir(), 'fac-plant-'));
    try {
      writeFileSync(join(dir, 'f'), f.bytes);
      expect(await server.blobStore.putFile(sha256, join(dir, 'f'))).toMatchObject({ ok: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const at = new Date(Date.now() + planted++ * 1000).toISOString();
    await server.db
      .insertInto('blobs')
      .values({ sha256, size: f.bytes.length, mime: f.mime, created_at: at, uploaded_by: null, referenced_at: at })
      .onConflict((oc) => oc.column('sha256').doNothing())
      .execute();
    const documentId = randomUUID();
    await server.db
      .insertInto('documents')
      .values({ id: documentId, owner_person_id: owner.id, vault: 'personal', doc_type: docType, institution_id: null, current_version: 1, title: `Papier piégé ${planted}`, issued_on: null, expires_on: docType === 'identity-card' ? '2031-01-01' : null, created_at: at, updated_at: at })
      .execute();
    await server.db
      .insertInto('document_versions')
      .values({ document_id: documentId, version: 1, fields: '{}', ocr_text: '', blob_sha256: sha256, captured_at: at, created_at: at, source_kiosk_id: null, source_mutation_id: null })
      .execute();
    return { documentId, sha256 };
  }

  /** A printout's answer, checked against what `name` should give: its text, or null when refused. */
  async function checkPrint(name: string, ack: { ok: true; bytes: Uint8Array } | { ok: false; error: { code: string; message: string } }): Promise<string | null> {
    if (printedAs(name) === 'unprintable') {
      expect(ack, name).toMatchObject({ ok: false, error: { code: 'unprintable', message: expect.stringMatching(UNPRINTABLE) as unknown } });
      return null;
    }
    if (!ack.ok) throw new Error(`${name}: ${ack.error.code} ${ack.error.message}`);
    expect((await PDFDocument.load(ack.bytes)).getPageCount(), name).toBeGreaterThan(0);
    const text = pdfText(ack.bytes);
    if (printedAs(name) === 'cannot-show') expect(text, name).toContain(CANNOT_SHOW);
    else expect(text, name).not.toContain(CANNOT_SHOW);
    return text;
  }

  it('refuses each at the end of a tus upload with a typed error (422), storing nothing, /health answering', { timeout: 300_000 }, async () => {
    const uploadDir = join(env.config.dataDir, 'uploads');
    for (const f of files) {
      const before = await snapshot();
      const sha256 = sha256Hex(f.bytes);
      const r = await healthWhile(server.url, () => tusUpload(server.url, kiosk, f.bytes, { sha256, mime: f.mime }));
      expect(r.failures, f.name).toBe(0);
      expect(r.worstMs, f.name).toBeLessThan(1000);
      if (f.bytes.length === 0) {
        // tus itself refuses an empty upload, before any byte is stored
        expect(r.value, f.name).toMatchObject({ ok: false, status: 400 });
      } else {
        expect(r.value, f.name).toMatchObject({ ok: false, status: 422 });
        if (!r.value.ok) expect(r.value.body, f.name).toMatch(/^unreadable_file: /);
      }
      expect(await snapshot(), f.name).toEqual(before);
      expect(await server.blobStore.has(sha256), f.name).toBe(false);
      // the refused upload's file and bookkeeping are gone
      expect(readdirSync(uploadDir).filter((n) => !n.startsWith('.')), f.name).toEqual([]);
    }
  });

  it('refuses each at the staff API’s institutional deposit with a French 400, storing nothing, /health answering', { timeout: 300_000 }, async () => {
    const institutionId = (await server.db.selectFrom('institutions').select('id').executeTakeFirstOrThrow()).id;
    for (const f of files) {
      const before = await snapshot();
      // the request is the client's work: made before the watch starts
      const request = JSON.stringify({ institutionId, docType: 'tax-notice', mime: f.mime, content: f.bytes.toString('base64') });
      const r = await healthWhile(server.url, () =>
        fetch(`${server.url}/api/staff/persons/${person.identifier}/documents`, {
          method: 'POST',
          headers: { authorization: `Bearer ${STAFF_TOKEN}`, 'content-type': 'application/json' },
          body: request,
        }),
      );
      expect(r.failures, f.name).toBe(0);
      expect(r.worstMs, f.name).toBeLessThan(1000);
      expect(r.value.status, f.name).toBe(400);
      const body = (await r.value.json()) as { error: { code: string; message: string } };
      expect(body.error.code, f.name).toBe('invalid');
      expect(body.error.message, f.name).toMatch(/invalide|fichier|image|PDF/i);
      expect(await snapshot(), f.name).toEqual(before);
    }
  });

  it('prints each, planted in a vault, as a page saying it cannot be shown or a typed French error; the next print works', { timeout: 300_000 }, async () => {
    const me = await session();
    const good = await plant({ bytes: bigValidPng(1200), mime: 'image/png' });
    for (const f of files) {
      const doc = await plant(f);
      const before = await snapshot();
      const stored = sha256Hex(await readBlob(server.blobStore, doc.sha256));
      const r = await healthWhile(server.url, async () => FileAck.parse(await ask(me.socket, VAULT_EVENTS.pdf, { sessionId: me.sessionId, documentId: doc.documentId })));
      expect(r.failures, f.name).toBe(0);
      expect(r.worstMs, f.name).toBeLessThan(1000);
      await checkPrint(f.name, r.value.ok ? { ok: true, bytes: r.value.bytes } : r.value);
      // a print is a read, journaled; nothing else changed, the file is intact
      expect(await snapshot(), f.name).toEqual(before);
      expect(sha256Hex(await readBlob(server.blobStore, doc.sha256)), f.name).toBe(stored);
      // and the server prints the next paper as usual
      const next = FileAck.parse(await ask(me.socket, VAULT_EVENTS.pdf, { sessionId: me.sessionId, documentId: good.documentId }));
      expect(next.ok, f.name).toBe(true);
    }
  });

  it('builds the dossier PDF with each as a pièce: a page saying so, or a typed French error; the dossier stays as it was', { timeout: 300_000 }, async () => {
    for (const f of files) {
      // a person whose identity paper is the file, with a request that takes it as a pièce
      const p = await addPerson(server.db);
      const me = await session(await certify(ca, p));
      await plant(f, 'identity-card', p);
      const created = CreateAck.parse(await ask(me.socket, AID_EVENTS.create, { sessionId: me.sessionId, aidIds: ['prime-activite'], situation: HOSTED }));
      if (!created.ok) throw new Error(created.error.message);
      const before = await snapshot();
      const r = await healthWhile(server.url, async () => PdfAck.parse(await ask(me.socket, AID_EVENTS.dossierPdf, { sessionId: me.sessionId, dossierId: created.dossierId })));
      expect(r.failures, f.name).toBe(0);
      expect(r.worstMs, f.name).toBeLessThan(1000);
      const text = await checkPrint(f.name, r.value);
      if (text !== null) expect(text, f.name).toContain('Pièce 1 sur 2');
      // reads are journaled; nothing else changed
      expect(await snapshot(), f.name).toEqual(before);
    }
    expect((await verifyAuditChain(server.db)).ok).toBe(true);
  });

  it('accepts a big but valid scan at deposit and prints it, bounded, /health answering', { timeout: 120_000 }, async () => {
    const png = bigValidPng(6000);
    const sha256 = sha256Hex(png);
    const up = await healthWhile(server.url, () => tusUpload(server.url, kiosk, png, { sha256, mime: 'image/png' }));
    expect(up.value).toMatchObject({ ok: true });
    expect(up.worstMs).toBeLessThan(1000);
    expect(await server.blobStore.has(sha256)).toBe(true);
    const me = await session();
    const doc = await plant({ bytes: png, mime: 'image/png' });
    const r = await healthWhile(server.url, async () => FileAck.parse(await ask(me.socket, VAULT_EVENTS.pdf, { sessionId: me.sessionId, documentId: doc.documentId })));
    expect(r.worstMs).toBeLessThan(1000);
    expect(r.value.ok).toBe(true);
    // 36 million pixels on paper as a JPEG of at most 2480 pixels a side: a small PDF
    if (r.value.ok) expect(r.value.bytes.length).toBeLessThan(2_000_000);
  });
});
