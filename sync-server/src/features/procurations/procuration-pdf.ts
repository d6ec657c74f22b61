/**
 * The person's printed copy of a procuration (A4, plain French, the PDF kit like the receipt): who allows
 * whom, of which structure, to do what, with which papers and for which procedures, from when until when,
 * where and when it was signed, its reference and a short fingerprint of both signatures (the same the
 * screen can show, to compare by eye). Laid out in a PDF pool thread (the pool's limits), from what the
 * database holds — never from what a kiosk says.
 */
import type { Kysely } from 'kysely';
import { dateFr, dateTimeFr, parisDay } from '../../../protocol/format.ts';
import { PageWriter, THEME, startPdf, wordmark } from '../../../protocol/print/pdf-kit.ts';
import { ProcurationText } from '../../../protocol/procuration.ts';
import { PdfJobError, pdfJob } from '../../kernel/files/pdf-pool.ts';
import type { PdfPool } from '../../kernel/files/pdf-pool.ts';
import { printFailureWords } from '../../kernel/files/print-file.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { PROCURATION_ACTION_WORDS, PROCURATION_ALL_AIDS, PROCURATION_ANSWER, PROCURATION_CATEGORY_WORDS, PROCURATION_PDF } from '../../kernel/words/procurations.ts';
import { signaturesFingerprint } from './store.ts';
import type { ProcurationOutcome } from './store.ts';

export interface ProcurationPdfInput {
  id: string;
  person: string;
  agent: string;
  structure: string;
  actions: string[];
  categories: string[];
  aids: string[];
  from: string;
  until: string;
  place: string;
  createdAt: string;
  renews: string | null;
  fingerprint: string;
  /** it no longer runs (withdrawn, renewed, over): said at the top */
  ended: boolean;
}

export async function procurationPdf(input: ProcurationPdfInput): Promise<Uint8Array> {
  const { pdf, fonts } = await startPdf({ title: `${PROCURATION_PDF.title} — ${input.person}`, subject: PROCURATION_PDF.reference(input.id), date: new Date(input.createdAt) });
  const w = PageWriter.on(pdf, fonts);
  wordmark(w);
  w.text(PROCURATION_PDF.title, { size: 26, bold: true, gap: 4 });
  w.text(PROCURATION_PDF.subtitle, { size: 13, color: THEME.muted, gap: 14 });
  if (input.ended) w.callout(PROCURATION_PDF.ended, 13);
  w.text(PROCURATION_PDF.iAllow(input.person, input.agent, input.structure), { size: 14, bold: true, gap: 12 });
  const list = (heading: string, items: readonly string[]) => {
    w.heading(heading, { before: 4 });
    for (const item of items) w.text(`• ${item}`, { size: 12, gap: 2 });
    w.space(6);
  };
  list(PROCURATION_PDF.whatHeading, input.actions);
  list(PROCURATION_PDF.papersHeading, input.categories);
  list(PROCURATION_PDF.aidsHeading, input.aids);
  w.heading(PROCURATION_PDF.whenHeading, { before: 4 });
  w.text(PROCURATION_PDF.fromUntil(dateFr(input.from), dateFr(input.until)), { size: 12, gap: 8 });
  w.heading(PROCURATION_PDF.whereHeading, { before: 4 });
  w.text(PROCURATION_PDF.madeAt(input.place, dateTimeFr(input.createdAt)), { size: 12, gap: 8 });
  w.heading(PROCURATION_PDF.signedHeading, { before: 4 });
  w.text(PROCURATION_PDF.signedBy, { size: 12, gap: 4 });
  w.text(PROCURATION_PDF.reference(input.id), { size: 10, font: fonts.mono, gap: 2 });
  w.text(PROCURATION_PDF.fingerprint(input.fingerprint), { size: 10, font: fonts.mono, gap: 2 });
  if (input.renews) w.text(PROCURATION_PDF.renews(input.renews), { size: 10, gap: 2 });
  w.space(10);
  w.callout(PROCURATION_PDF.howToStop, 12);
  return pdf.save();
}

/** The job the PDF pool runs. */
export const PROCURATION_PDF_JOB = pdfJob<ProcurationPdfInput>(import.meta.url, 'procurationPdf');
const TIMEOUT_MS = 8_000;

/** What the printed copy says, from the stored row (the person's own procurations only). */
export async function procurationPdfInput(db: Kysely<Database>, personId: string, id: string, day: string): Promise<ProcurationPdfInput | null> {
  const row = await db.selectFrom('procurations').selectAll().where('id', '=', id).where('person_id', '=', personId).executeTakeFirst();
  if (!row) return null;
  const text = ProcurationText.parse(JSON.parse(row.text));
  return {
    id: row.id,
    person: text.person.name,
    agent: text.agent.name,
    structure: text.agent.structure.name,
    actions: text.scope.actions.map((a) => PROCURATION_ACTION_WORDS[a]),
    categories: text.scope.categories.map((c) => PROCURATION_CATEGORY_WORDS[c]),
    aids: text.scope.aids.includes('*') ? [PROCURATION_ALL_AIDS] : text.scope.aids,
    from: text.from,
    until: text.until,
    place: text.madeAt.place,
    createdAt: text.createdAt,
    renews: text.renews,
    fingerprint: signaturesFingerprint(row.person_signature, row.agent_signature),
    ended: row.revoked_at !== null || row.until_day < day,
  };
}

/** The printed copy, laid out in the pool; typed French refusals. */
export async function procurationPdfFor(deps: { db: Kysely<Database>; pdf: PdfPool; now?: () => Date }, personId: string, id: string): Promise<ProcurationOutcome<Uint8Array>> {
  const input = await procurationPdfInput(deps.db, personId, id, parisDay(deps.now?.() ?? new Date()));
  if (!input) return { ok: false, error: { code: 'unknown', reason: 'not-found', message: PROCURATION_ANSWER.notFound } };
  try {
    const bytes = await deps.pdf.run(PROCURATION_PDF_JOB, input, { timeoutMs: TIMEOUT_MS });
    if (!(bytes instanceof Uint8Array)) throw new PdfJobError('failed', 'the PDF job gave no bytes');
    return { ok: true, value: bytes };
  } catch (err) {
    return { ok: false, error: { code: 'unknown', reason: 'unprintable', message: printFailureWords(err, 'paper') } };
  }
}
