/**
 * Capture → check → store, with the real OCR pool and a real outbox: bad images are refused in plain
 * words, a wrong IBAN is never stored, and nothing outlives the session that captured it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderRib } from '../../../tests/fixtures/documents.ts';
import { renderTaxNotice } from '../../../tests/fixtures/admin.ts';
import { renderIdentityCard } from '../../../tests/fixtures/identity.ts';
import type { MutationBody } from '../../../sync-server/protocol/mutations.ts';
import { KioskError, SURE_CONFIDENCE } from '../../contract/schema.ts';
import { silentLogger } from '../log.ts';
import { createOcrPool } from '../ocr/index.ts';
import type { OcrPool } from '../ocr/index.ts';
import { Outbox } from '../outbox/outbox.ts';
import { openKioskDb } from '../storage/db.ts';
import type { Db } from '../storage/db.ts';
import { keyFileProvider } from '../storage/keys.ts';
import type { Holder } from '../session/session.ts';
import { SessionDocuments } from '../vault/session-documents.ts';
import { CaptureService } from './capture.ts';
import { CardLosses } from './losses.ts';
import { PageProcessor } from './page-processor.ts';
import { PDFDocument } from 'pdf-lib';

let dir: string;
let db: Db;
let pool: OcrPool;
let outbox: Outbox;
let session: Holder | null;
let capture: CaptureService;
let pages: PageProcessor;
let rib: { jpeg: Buffer; iban: string };
let pristine: Buffer;
/** a RIB in someone else's name */
let claire: { jpeg: Buffer; iban: string; holder: string };

const camille: Holder = { identifier: 'FAC-K7QM-3XD2-9HRW', cardSerial: '0A1B2C3D', firstName: 'Camille', lastName: 'Martin', role: 'beneficiary' };

async function rejection(p: Promise<unknown> | (() => unknown)): Promise<KioskError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect(err).toBeInstanceOf(KioskError);
    return err as KioskError;
  }
  throw new Error('expected a rejection');
}

const proved: MutationBody[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fac-capture-'));
  db = openKioskDb(join(dir, 'outbox.sqlite'));
  outbox = new Outbox(db, join(dir, 'blobs'), keyFileProvider(join(dir, 'data.key')));
  pool = createOcrPool({ size: 1, cacheDir: join(dir, 'tessdata'), logger: silentLogger });
  pages = new PageProcessor();
  capture = new CaptureService({
    ocr: pool,
    pages,
    outbox,
    documents: new SessionDocuments(db, outbox.keys),
    logger: silentLogger,
    session: () => {
      if (!session) throw new KioskError('no-session', 'Insérez votre carte pour continuer.');
      return session;
    },
    // the card at the box signs the deposit (over pcscd in session.hw.test.ts); here its answer is kept as given
    prove: async (body) => {
      proved.push(body);
      return { id: randomUUID(), body, proof: { cards: [{ cardSerial: '0A1B2C3D', certificate: 'A'.repeat(400), signature: 'B'.repeat(86) }] } };
    },
  });
  const r = await renderRib({ seed: 7, holder: 'MME Camille MARTIN' });
  rib = { jpeg: await sharp(r.png).jpeg({ quality: 90 }).toBuffer(), iban: r.expected.fields.iban };
  const c = await renderRib({ seed: 11, holder: 'MME Claire MARTIN' });
  claire = { jpeg: await sharp(c.png).jpeg({ quality: 90 }).toBuffer(), iban: c.expected.fields.iban, holder: c.expected.fields.holder };
  // a forgotten capture is zeroed in place (the still given is the one kept): each use takes a copy
  pristine = Buffer.from(rib.jpeg);
});

afterAll(async () => {
  await pool.close();
  await pages.close();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('capture', () => {
  it('refuses to work without a session', async () => {
    session = null;
    expect((await rejection(capture.analyse(rib.jpeg, 'image/jpeg'))).code).toBe('no-session');
  });

  it('refuses bytes that are not the image they claim to be, in plain words', async () => {
    session = camille;
    const pdf = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\n');
    const e1 = await rejection(capture.analyse(pdf, 'image/jpeg'));
    expect(e1.code).toBe('bad-image');
    expect(e1.message).toMatch(/photo/);
    const png = await sharp({ create: { width: 10, height: 10, channels: 3, background: '#fff' } }).png().toBuffer();
    expect((await rejection(capture.analyse(png, 'image/jpeg'))).code).toBe('bad-image');
  });

  it('refuses a truncated photo through the OCR worker, which keeps working', async () => {
    session = camille;
    const e = await rejection(capture.analyse(rib.jpeg.subarray(0, 3000), 'image/jpeg'));
    expect(e.code).toBe('bad-image');
    expect(e.message).toMatch(/Reprenez la photo/);
  });

  it('reads a RIB, never stores a wrong IBAN, stores the checked one once', async () => {
    session = camille;
    const a = await capture.analyse(rib.jpeg, 'image/jpeg');
    expect(a.docType).toBe('rib');
    expect(a.fields.iban?.value).toBe(rib.iban);
    const wrong = rib.iban.slice(0, -1) + (rib.iban.endsWith('1') ? '2' : '1');
    const e = await rejection(() => capture.confirm(a.captureId, { iban: wrong }));
    expect(e.code).toBe('invalid-request');
    expect(e.message).toMatch(/IBAN/);
    expect(outbox.pendingCount()).toBe(0);
    expect((await rejection(() => capture.confirm(a.captureId, { iban: rib.iban, 'bad name': 'x' }))).code).toBe('invalid-request');
    expect(a.labels.iban).toBe('IBAN');
    expect(a.pages).toHaveLength(1);
    const { documentId } = await capture.confirm(a.captureId, { iban: rib.iban.replace(/(.{4})/g, '$1 ') });
    const [m] = outbox.pending();
    // what the card signed is what was queued
    expect(proved.at(-1)).toEqual({ type: m!.type, payload: m!.payload });
    expect(m).toMatchObject({ type: 'vault.document.deposit', payload: { documentId, owner: camille.identifier, docType: 'rib', pages: 1 } });
    if (m?.type !== 'vault.document.deposit') throw new Error('deposit expected');
    expect(m.payload.fields.iban).toMatchObject({ value: rib.iban, confirmed: true });
    // the archive is the flattened page (JPEG), with its preview as a second blob
    const archive = outbox.readBlob(m.payload.file.sha256);
    expect((await sharp(archive).metadata()).format).toBe('jpeg');
    expect(m.blobs).toEqual([m.payload.file.sha256, m.payload.thumbnail!.sha256]);
    expect((await sharp(outbox.readBlob(m.payload.thumbnail!.sha256)).metadata()).width).toBe(320);
    outbox.acknowledge(m.seq);
    // the same capture cannot be stored twice
    expect((await rejection(() => capture.confirm(a.captureId, { iban: rib.iban }))).code).toBe('not-found');
  });

  it('asks for a new photo, in plain words, when it is blurred, dark or empty', async () => {
    session = camille;
    const blurred = await sharp(rib.jpeg).blur(8).jpeg().toBuffer();
    expect((await rejection(capture.analyse(blurred, 'image/jpeg'))).message).toMatch(/floue/);
    const dark = await sharp(rib.jpeg).linear(0.2, 0).jpeg().toBuffer();
    expect((await rejection(capture.analyse(dark, 'image/jpeg'))).message).toMatch(/sombre/);
    const desk = await sharp({ create: { width: 1600, height: 1000, channels: 3, background: '#3a332c' } }).jpeg().toBuffer();
    expect((await rejection(capture.analyse(desk, 'image/jpeg'))).message).toMatch(/ne voyons pas de document/);
  });

  it('keeps several pages as one PDF, turns and removes pages', async () => {
    session = camille;
    const a = await capture.analyse(rib.jpeg, 'image/jpeg');
    const two = await capture.addPage(a.captureId, rib.jpeg, 'image/jpeg');
    expect(two.pages).toHaveLength(2);
    const turned = await capture.rotate(a.captureId, 1, 90);
    const [w0, w1] = await Promise.all(turned.pages.map(async (p) => (await sharp(p.preview).metadata()).height));
    expect(w1).toBeGreaterThan(w0!); // a landscape slip turned a quarter stands upright
    const three = await capture.addPage(a.captureId, rib.jpeg, 'image/jpeg');
    expect(three.pages).toHaveLength(3);
    expect((await capture.removePage(a.captureId, 2)).pages).toHaveLength(2);
    await capture.confirm(a.captureId, { iban: rib.iban });
    const m = outbox.pending().at(-1)!;
    if (m.type !== 'vault.document.deposit') throw new Error('deposit expected');
    expect(m.payload).toMatchObject({ pages: 2, file: { mime: 'application/pdf' } });
    const pdf = await PDFDocument.load(outbox.readBlob(m.payload.file.sha256));
    expect(pdf.getPageCount()).toBe(2);
    outbox.acknowledge(m.seq);
  });

  it('forgets captures when the session ends or changes hands', async () => {
    session = camille;
    const a = await capture.analyse(rib.jpeg, 'image/jpeg');
    session = { ...camille, identifier: 'FAC-B4NW-8TZC-61PG', cardSerial: '0A1B2C3E', firstName: 'Yanis' };
    expect((await rejection(() => capture.confirm(a.captureId, { iban: rib.iban }))).code).toBe('not-found');
    session = camille;
    capture.wipe();
    expect((await rejection(() => capture.confirm(a.captureId, { iban: rib.iban }))).code).toBe('not-found');
  });

  it('notes for the card what a session lost (being checked, or read while the card left) and what it kept', async () => {
    const documents = new SessionDocuments(db, outbox.keys);
    const losses = new CardLosses(db, outbox.keys);
    const noting = new CaptureService({
      ocr: pool,
      pages,
      outbox,
      documents,
      logger: silentLogger,
      session: () => {
        if (!session) throw new KioskError('no-session', 'Insérez votre carte pour continuer.');
        return session;
      },
      prove: async (body) => ({ id: randomUUID(), body, proof: { cards: [{ cardSerial: camille.cardSerial, certificate: 'A'.repeat(400), signature: 'B'.repeat(86) }] } }),
      losses,
      endReason: () => 'pulled',
    });
    documents.purge();
    session = camille;
    // saved: in the outbox, kept
    const saved = await noting.analyse(Buffer.from(pristine), 'image/jpeg');
    await noting.confirm(saved.captureId, { iban: rib.iban });
    // being checked when the card leaves: lost
    await noting.analyse(Buffer.from(pristine), 'image/jpeg');
    session = null;
    noting.wipe();
    expect(losses.take(camille.cardSerial)).toMatchObject([{ reason: 'pulled', lost: ['rib'], kept: ['rib'] }]);
    documents.purge();

    // the card leaves while the page is being read: the photo is lost too
    session = camille;
    const reading = noting.analyse(Buffer.from(pristine), 'image/jpeg');
    session = null;
    expect((await rejection(reading)).code).toBe('no-session');
    expect(losses.take(camille.cardSerial)).toMatchObject([{ reason: 'pulled', lost: ['rib'], kept: [] }]);

    // a session that saved all it took leaves nothing to tell
    session = camille;
    const whole = await noting.analyse(Buffer.from(pristine), 'image/jpeg');
    await noting.confirm(whole.captureId, { iban: rib.iban });
    noting.wipe();
    expect(losses.take(camille.cardSerial)).toEqual([]);
    for (const m of outbox.pending()) outbox.acknowledge(m.seq);
  });
  it('says when a paper is in someone else\'s name, and not when it is in the person\'s', async () => {
    session = camille;
    const own = await capture.analyse(Buffer.from(pristine), 'image/jpeg');
    expect(own.fields.holder?.value).toMatch(/Camille MARTIN/i);
    expect(own.holder).toBeNull();
    capture.discard(own.captureId);
    const other = await capture.analyse(Buffer.from(claire.jpeg), 'image/jpeg');
    expect(other.docType).toBe('rib');
    expect(other.holder).toEqual({ paperName: other.fields.holder!.value, reason: 'name' });
    expect(other.holder!.paperName).toMatch(/Claire MARTIN/i);
    capture.discard(other.captureId);
  });

  it('refuses to save a paper in another name without the person\'s answer, and keeps the answer in what the card signs', async () => {
    session = camille;
    const a = await capture.analyse(Buffer.from(claire.jpeg), 'image/jpeg');
    const fields = Object.fromEntries(Object.entries(a.fields).map(([k, f]) => [k, f.value]));
    const before = outbox.pendingCount();
    const e = await rejection(() => capture.confirm(a.captureId, fields));
    expect(e.code).toBe('invalid-request');
    expect(e.message).toBe('Ce papier est au nom d’une autre personne. Dites à qui il est avant de l’enregistrer.');
    // « quelqu'un de mon foyer » says who
    expect((await rejection(() => capture.confirm(a.captureId, fields, undefined, { answer: 'household' }))).code).toBe('invalid-request');
    expect(outbox.pendingCount()).toBe(before);
    const { documentId } = await capture.confirm(a.captureId, fields, undefined, { answer: 'household', relation: 'conjoint' });
    const m = outbox.pending().at(-1)!;
    if (m.type !== 'vault.document.deposit') throw new Error('deposit expected');
    expect(m.payload.documentId).toBe(documentId);
    expect(m.payload.holderAnswer).toEqual({ answer: 'household', relation: 'conjoint' });
    expect(m.payload.fields.holder?.value).toMatch(/Claire MARTIN/i);
    // the card signed the answer with the rest
    expect(proved.at(-1)).toEqual({ type: m.type, payload: m.payload });
    outbox.acknowledge(m.seq);

    // « c'est le mien » carries no relation
    const b = await capture.analyse(Buffer.from(claire.jpeg), 'image/jpeg');
    await capture.confirm(b.captureId, fields, undefined, { answer: 'mine' });
    const n = outbox.pending().at(-1)!;
    if (n.type !== 'vault.document.deposit') throw new Error('deposit expected');
    expect(n.payload.holderAnswer).toEqual({ answer: 'mine' });
    outbox.acknowledge(n.seq);
  });

  it('needs no answer when the person corrected the name to theirs, and keeps none', async () => {
    session = camille;
    const a = await capture.analyse(Buffer.from(claire.jpeg), 'image/jpeg');
    expect(a.holder).not.toBeNull();
    const fields = { ...Object.fromEntries(Object.entries(a.fields).map(([k, f]) => [k, f.value])), holder: 'Mme Camille Martin' };
    await capture.confirm(a.captureId, fields);
    const m = outbox.pending().at(-1)!;
    if (m.type !== 'vault.document.deposit') throw new Error('deposit expected');
    expect(m.payload.fields.holder).toMatchObject({ value: 'Mme Camille Martin', confirmed: true });
    expect(m.payload).not.toHaveProperty('holderAnswer');
    outbox.acknowledge(m.seq);

    // an answer given to a question no longer asked is not kept either
    const b = await capture.analyse(Buffer.from(claire.jpeg), 'image/jpeg');
    await capture.confirm(b.captureId, fields, undefined, { answer: 'household', relation: 'enfant' });
    const n = outbox.pending().at(-1)!;
    if (n.type !== 'vault.document.deposit') throw new Error('deposit expected');
    expect(n.payload).not.toHaveProperty('holderAnswer');
    outbox.acknowledge(n.seq);
  });
});

describe('capture: is the paper whole', () => {
  const jpeg = async (png: Buffer) => sharp(png).jpeg({ quality: 90 }).toBuffer();

  it('asks for the back of an identity card scanned on one face, and is whole once it is added; removing it asks again', async () => {
    session = camille;
    const front = await jpeg((await renderIdentityCard({ seed: 3, face: 'front' })).png);
    const back = await jpeg((await renderIdentityCard({ seed: 3, face: 'back' })).png);
    const a = await capture.analyse(front, 'image/jpeg');
    expect(a.docType).toBe('identity-card');
    expect(a.completeness).toEqual({ status: 'missing', missing: [{ kind: 'back-face', message: 'Il manque le verso de la carte d’identité (le côté avec l’adresse).' }] });
    const b = await capture.addPage(a.captureId, back, 'image/jpeg');
    expect(b.pages).toHaveLength(2);
    expect(b.completeness).toEqual({ status: 'complete' });
    // the back's zone completes what the front gave, and proves what the front read alone: the check screen
    // no longer asks the person to look at those
    const card = await renderIdentityCard({ seed: 3, face: 'back' });
    for (const k of ['birthDate', 'expiryDate', 'documentNumber'] as const) {
      expect(a.fields[k]?.confidence ?? 0, `${k} from the front alone`).toBeLessThan(SURE_CONFIDENCE);
      expect(b.fields[k], k).toMatchObject({ value: card.expected.fields[k], valid: true });
      expect(b.fields[k]!.confidence, k).toBeGreaterThanOrEqual(SURE_CONFIDENCE);
    }
    // the name as printed on the front (accents), its letters confirmed by the back's zone
    expect(b.fields.surname?.value).toBe(card.expected.fields.surname);
    const c = capture.removePage(a.captureId, 1);
    expect(c.completeness?.status).toBe('missing');
    capture.discard(a.captureId);
  });

  it('names the tax notice\'s missing page, and is whole once it is added', async () => {
    session = camille;
    const p2 = await jpeg((await renderTaxNotice({ seed: 5, pageOf: { n: 2, of: 2 } })).png);
    const p1 = await jpeg((await renderTaxNotice({ seed: 5, pageOf: { n: 1, of: 2 } })).png);
    // the person began with the second page
    const a = await capture.analyse(p2, 'image/jpeg');
    expect(a.docType).toBe('tax-notice');
    expect(a.completeness).toEqual({ status: 'missing', missing: [{ kind: 'page', page: 1, of: 2, message: 'Il manque la page 1 sur 2 de l’avis d’impôt.' }] });
    const b = await capture.addPage(a.captureId, p1, 'image/jpeg');
    expect(b.completeness).toEqual({ status: 'complete' });
    capture.discard(a.captureId);
  });

  it('finds a whole RIB and the whole card photocopied on one sheet complete', async () => {
    session = camille;
    const r = await capture.analyse(Buffer.from(pristine), 'image/jpeg');
    // the slip has its IBAN and its holder: both parts
    expect(r.completeness).toEqual({ status: 'complete' });
    capture.discard(r.captureId);
    const both = await capture.analyse(await jpeg((await renderIdentityCard({ seed: 3 })).png), 'image/jpeg');
    expect(both.completeness).toEqual({ status: 'complete' });
    capture.discard(both.captureId);
  });
});
