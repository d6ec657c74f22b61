/**
 * Is the paper whole? From the pages read so far (their text and fields), what is missing of it, said in
 * plain words: the other face of an identity card or a residence permit, the pages of a tax notice or a
 * payslip that print « page x/y », the end of a payslip (its net to pay), one of the two parts of a RIB.
 *
 * Nothing here blocks anything: the screen says it calmly and offers to add what is missing, and the person
 * may keep the paper as it is. So the rules only say « missing » on a sign read on the paper (a face's own
 * words, a page number, a part's labels); a paper that shows no sign at all is not judged (null).
 */
import type { DocType } from '../../../../sync-server/protocol/common.ts';
import { COMPLETENESS_WORDS } from '../../words.ts';
import { looksLikeMrzLine } from './mrz.ts';
import { fold } from './page.ts';

/** What one scanned page gave: its text and the fields read on it. */
export interface PageRead {
  text: string;
  fields: Readonly<Record<string, { value: string }>>;
}

export type MissingPart =
  | { kind: 'front-face' | 'back-face'; message: string }
  | { kind: 'page'; page: number; of?: number; message: string }
  /** a payslip whose net to pay (the block that ends it) is on no page */
  | { kind: 'payslip-end'; message: string }
  /** a RIB's bank identification (IBAN, BIC) */
  | { kind: 'rib-bank'; message: string }
  /** a RIB's holder and domiciliation */
  | { kind: 'rib-holder'; message: string };

export type Completeness = { status: 'complete' } | { status: 'missing'; missing: MissingPart[] };

/** The papers whose wholeness is judged here. */
export type CheckedPaper = 'identity-card' | 'residence-permit' | 'tax-notice' | 'payslip' | 'rib';

/** Pages beyond this are not believed (a misread « 1/74 »): the capture holds 20 at most. */
const MAX_PAGES = 20;

/**
 * What is missing of the paper, or null when this kind of paper is not judged here or nothing on its pages
 * tells (no face, no page number, no part recognised).
 */
export function completenessOf(docType: DocType, pages: readonly PageRead[]): Completeness | null {
  if (pages.length === 0) return null;
  switch (docType) {
    case 'identity-card':
    case 'residence-permit':
      return cardFaces(docType, pages);
    case 'tax-notice':
      return numberedPages('tax-notice', pages);
    case 'payslip':
      return payslip(pages);
    case 'rib':
      return ribParts(pages);
    default:
      return null;
  }
}

function verdict(missing: MissingPart[]): Completeness {
  return missing.length === 0 ? { status: 'complete' } : { status: 'missing', missing };
}

// ---------------------------------------------------------------- the two faces of a card

/** The front's labels (2021 model and the older one): the holder's name, given names, birth. */
const FRONT_WORDS = /\bPRENOMS?\b|\bGIVEN\s+NAMES?\b|LIEU\s+DE\s+NAISSANCE|PLACE\s+OF\s+BIRTH|DATE\s+DE\s+NAISS|DATE\s+OF\s+BIRTH/;
/** The back's labels: the address and the date of issue (on the back of both models). */
const BACK_WORDS = /\bADRESSE\b|\bADDRESS\b|DATE\s+DE\s+DELIVRANCE|DATE\s+OF\s+ISSUE|DELIVREE\s+LE\b/;

/**
 * The zone's shape tells the face: the 2021 card and the residence permit carry the 3 × 30 zone (TD1) on
 * the back; the card of the 1994 model carried a 2 × 36 zone on its front.
 */
function zoneFace(text: string): 'front' | 'back' | null {
  const lines = text
    .split('\n')
    .filter((l) => looksLikeMrzLine(l))
    .map((l) => l.replace(/\s/g, '').length);
  if (lines.length < 2) return null;
  const long = lines.filter((n) => n >= 34).length;
  return long >= 2 ? 'front' : 'back';
}

function cardFaces(docType: 'identity-card' | 'residence-permit', pages: readonly PageRead[]): Completeness | null {
  let front = false;
  let back = false;
  for (const p of pages) {
    const t = fold(p.text);
    const zone = zoneFace(p.text);
    if (FRONT_WORDS.test(t) || zone === 'front') front = true;
    if (BACK_WORDS.test(t) || zone === 'back') back = true;
  }
  if (!front && !back) return null;
  const missing: MissingPart[] = [];
  if (!front) missing.push({ kind: 'front-face', message: COMPLETENESS_WORDS.frontFace[docType] });
  if (!back) missing.push({ kind: 'back-face', message: COMPLETENESS_WORDS.backFace[docType] });
  return verdict(missing);
}

// ---------------------------------------------------------------- numbered pages

export interface PageMark {
  page: number;
  /** how many pages the paper says it has; absent when only the page's own number is printed */
  of?: number;
}

const MARKED = /\bPAGE\s*N?[°O]?\s*(\d{1,2})\s*(?:\/|SUR\b|DE\b)\s*(\d{1,2})(?!\d)/;
/** « 1/4 » at the end of a line (a footer's corner), never a piece of a date (« 12/03/2024 »). */
const BARE = /(?:^|\s)(\d{1,2})\s?\/\s?(\d{1,2})$/;
const ALONE = /^PAGE\s*N?[°O]?\s*(\d{1,2})$/;

/** The page's own number as printed on it (« Page 2/4 », « page 2 sur 4 », « 2/4 » in a corner, « Page 2 »). */
export function pageMark(text: string): PageMark | null {
  const lines = fold(text)
    .split('\n')
    .map((l) => l.replace(/[ \t]+/g, ' ').trim());
  const fits = (page: number, of?: number) => page >= 1 && page <= MAX_PAGES && (of === undefined || (of >= page && of <= MAX_PAGES));
  for (const l of lines) {
    const m = MARKED.exec(l);
    if (m && fits(Number(m[1]), Number(m[2]))) return { page: Number(m[1]), of: Number(m[2]) };
  }
  for (const l of lines) {
    const m = BARE.exec(l);
    if (m && fits(Number(m[1]), Number(m[2]))) return { page: Number(m[1]), of: Number(m[2]) };
  }
  for (const l of lines) {
    const m = ALONE.exec(l);
    if (m && fits(Number(m[1]))) return { page: Number(m[1]) };
  }
  return null;
}

/**
 * The pages the paper's numbers say are not there. With a total, every page from 1 to it; without one,
 * only the gaps before the highest number seen (the pages after it cannot be known). Pages whose number
 * was not read may be the missing ones: when there are as many pages as the paper says, it is whole.
 */
function missingPages(paper: 'tax-notice' | 'payslip', pages: readonly PageRead[]): MissingPart[] | null {
  const marks = pages.map((p) => pageMark(p.text));
  const seen = new Set<number>();
  let of: number | undefined;
  for (const m of marks) {
    if (!m) continue;
    seen.add(m.page);
    if (m.of !== undefined) of = Math.max(of ?? 0, m.of);
  }
  if (seen.size === 0) return null;
  const unread = marks.filter((m) => m === null).length;
  const last = of ?? Math.max(...seen);
  if (unread > 0 && pages.length >= last) return [];
  const missing: MissingPart[] = [];
  for (let n = 1; n <= last; n++) {
    if (seen.has(n)) continue;
    missing.push({ kind: 'page', page: n, ...(of !== undefined ? { of } : {}), message: COMPLETENESS_WORDS.page(paper, n, of) });
  }
  return missing;
}

function numberedPages(paper: 'tax-notice', pages: readonly PageRead[]): Completeness | null {
  const missing = missingPages(paper, pages);
  return missing === null ? null : verdict(missing);
}

// ---------------------------------------------------------------- payslip

/** The block that ends a payslip: the net paid or to pay. */
const NET_PAY = /NET\s+PAYE\b|NET\s+A\s+PAYER\b/;

function payslip(pages: readonly PageRead[]): Completeness {
  const missing = missingPages('payslip', pages) ?? [];
  // a missing last page already says the end is not there
  if (missing.length === 0 && !pages.some((p) => p.fields.netPay || NET_PAY.test(fold(p.text)))) {
    missing.push({ kind: 'payslip-end', message: COMPLETENESS_WORDS.payslipEnd });
  }
  return verdict(missing);
}

// ---------------------------------------------------------------- RIB

const IBAN_WORDS = /\bIBAN\b|\bBIC\b|CODE\s+BANQUE|CODE\s+GUICHET/;
const HOLDER_WORDS = /TITULAIRE|INTITULE\s+DU\s+COMPTE|DOMICILIATION/;

/** A RIB cut in two (a photo of half the slip): only one of its parts is there. */
function ribParts(pages: readonly PageRead[]): Completeness | null {
  const bank = pages.some((p) => p.fields.iban || p.fields.bic || IBAN_WORDS.test(fold(p.text)));
  const holder = pages.some((p) => p.fields.holder || p.fields.bank || HOLDER_WORDS.test(fold(p.text)));
  if (!bank && !holder) return null;
  const missing: MissingPart[] = [];
  if (!bank) missing.push({ kind: 'rib-bank', message: COMPLETENESS_WORDS.ribBank });
  if (!holder) missing.push({ kind: 'rib-holder', message: COMPLETENESS_WORDS.ribHolder });
  return verdict(missing);
}
