/**
 * What an acceptance grants: a monthly amount and the date the right starts, both optional. Typed in by
 * a head of service in French ("1 234,56", "607,75 €", "1er mai" is not asked: a date field), checked
 * here so that a wrong value is refused in French before anything is decided, and stored in cents so no
 * rounding ever moves it.
 */
import { TERMS_ANSWER } from '../../kernel/words/applications.ts';

export interface DecisionTerms {
  /** the monthly amount in cents, or null when none was given */
  amountCents: number | null;
  /** YYYY-MM-DD, or null when none was given */
  startDate: string | null;
}

export const NO_TERMS: DecisionTerms = { amountCents: null, startDate: null };

/** No monthly aid reaches this: a typo (a date typed in the amount) is caught rather than stored. */
export const MAX_MONTHLY_CENTS = 100_000_00;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/**
 * « 1 234,56 », « 1234,56 », « 1234.56 », « 607,75 € », « 600 » → cents; empty → null. The thousands
 * may be separated by spaces (ordinary, no-break or narrow no-break); the decimals by a comma or a point,
 * two digits at most. Anything else is refused: a guess on money is worse than a question.
 */
export function parseEurosFr(input: string): Parsed<number | null> {
  const text = input.replace(/[\s\u00a0\u202f]+/g, ' ').trim().replace(/\s*(€|euros?|EUR)$/i, '');
  if (text === '') return { ok: true, value: null };
  const m = /^(\d{1,3}(?: \d{3})+|\d+)(?:[.,](\d{1,2}))?$/.exec(text);
  if (!m) return { ok: false, error: TERMS_ANSWER.amountDigits };
  const whole = Number(m[1]!.replaceAll(' ', ''));
  const cents = whole * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
  if (cents === 0) return { ok: false, error: TERMS_ANSWER.amountZero };
  if (cents >= MAX_MONTHLY_CENTS) return { ok: false, error: TERMS_ANSWER.amountTooBig };
  return { ok: true, value: cents };
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const FR_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

/**
 * A start date from a date field (YYYY-MM-DD, what browsers send) or typed the French way (JJ/MM/AAAA,
 * when the browser shows a plain text box); empty → null. A day that does not exist (31/02) is refused,
 * and so is a year far from now (a typo), within 2000–2100.
 */
export function parseStartDate(input: string): Parsed<string | null> {
  const text = input.trim();
  if (text === '') return { ok: true, value: null };
  const iso = ISO_DATE.exec(text);
  const fr = iso ? null : FR_DATE.exec(text);
  const parts = iso ? [iso[1], iso[2], iso[3]] : fr ? [fr[3], fr[2], fr[1]] : null;
  if (!parts) return { ok: false, error: TERMS_ANSWER.dateForm };
  const [y, m, d] = parts.map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return { ok: false, error: TERMS_ANSWER.dateNotReal };
  if (y < 2000 || y > 2100) return { ok: false, error: TERMS_ANSWER.dateFar };
  return { ok: true, value: `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}` };
}

/** The terms as the row stores them. */
export function termsOf(row: { decision_amount_cents: number | null; decision_start_date: string | null }): DecisionTerms {
  return { amountCents: row.decision_amount_cents === null ? null : Number(row.decision_amount_cents), startDate: row.decision_start_date };
}
