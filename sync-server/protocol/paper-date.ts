/**
 * A paper's own date, and the one rule of its age. The date is the paper's, never the day it was
 * photographed: a payslip is dated by its pay period, a CAF attestation by the month it covers, a tax
 * notice by its year, the others by the date printed on them. Both the vault's "Plus de 3 mois" and an
 * aid checklist's "Trop ancien" come from `paperAgeProblem`, with their own number of months.
 * Pure: the kiosk (at capture, and on screen through the contract) and the server use it alike.
 */
import { dateFr, TIME_ZONE } from './format.ts';
import type { DocType } from './common.ts';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_MONTH = /^\d{4}-\d{2}$/;
const YEAR = /^\d{4}$/;

/** The last day of a month given as YYYY-MM. */
function endOfMonth(ym: string): string {
  const [y, m] = ym.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${ym}-${String(last).padStart(2, '0')}`;
}

/** A real calendar date written YYYY-MM-DD, or undefined. */
function calendarDate(v: string | undefined): string | undefined {
  if (!v || !ISO_DATE.test(v)) return undefined;
  const d = new Date(`${v}T12:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v ? v : undefined;
}

/**
 * Tax notices are sent from late July to September of the year after the income; from the 1st of
 * September an avis is known to be out, so its age counts from then.
 */
function taxNoticeDay(incomeYear: string): string {
  return `${Number(incomeYear) + 1}-09-01`;
}

/**
 * The paper's own date from the fields read (or typed) on it, as YYYY-MM-DD, or null when the paper does
 * not say. `fields` holds the values as the extractor gives them (dates YYYY-MM-DD, months YYYY-MM).
 */
export function paperDateOf(docType: DocType, fields: Readonly<Record<string, string | undefined>>): string | null {
  const printed = calendarDate(fields.issueDate) ?? calendarDate(fields.date);
  switch (docType) {
    case 'payslip': {
      const end = calendarDate(fields.periodEnd);
      if (end) return end;
      const start = calendarDate(fields.periodStart);
      return start ? endOfMonth(start.slice(0, 7)) : (printed ?? null);
    }
    case 'caf-certificate':
      return printed ?? (fields.period && ISO_MONTH.test(fields.period) ? endOfMonth(fields.period) : null);
    case 'tax-notice':
      return printed ?? (fields.incomeYear && YEAR.test(fields.incomeYear) ? taxNoticeDay(fields.incomeYear) : null);
    case 'rib':
    case 'other':
      // a RIB does not age, and an unknown paper's date could be any date printed on it
      return null;
    default:
      return printed ?? null;
  }
}

/**
 * How a paper's date is asked when the reading did not find it: the month of a payslip or of a CAF
 * attestation, the year of the income on a tax notice, the day of the others that age (a proof of
 * address, a health-insurance attestation). Identity papers age by their end of validity, a RIB does not
 * age: never asked.
 */
export type DateAsk = 'month' | 'income-year' | 'day';

const ASKED: Partial<Record<DocType, DateAsk>> = {
  payslip: 'month',
  'caf-certificate': 'month',
  'tax-notice': 'income-year',
  'proof-of-address': 'day',
  'health-insurance': 'day',
};

/** The question the check screen asks for this paper's date, or null when its date is known or does not count. */
export function paperDateAsk(docType: DocType, fields: Readonly<Record<string, string | undefined>>): DateAsk | null {
  const ask = ASKED[docType];
  return ask && paperDateOf(docType, fields) === null ? ask : null;
}

export type AskedDateProblem = 'incomplete' | 'not-a-date' | 'future' | 'too-old';

/**
 * The fields a date typed by the person gives the paper (so `paperDateOf` finds it as if it had been
 * read): `MM/AAAA` for a month, `AAAA` for the income's year, `JJ/MM/AAAA` for a day. Refused: a date
 * not finished, one that is not a date, one after `today` (for a tax notice, this year's income, whose
 * notice comes next year), one before 1990.
 */
export function askedDateFields(docType: DocType, typed: string, today: string): { ok: true; fields: Record<string, string> } | { ok: false; problem: AskedDateProblem } {
  const ask = ASKED[docType];
  const text = typed.replace(/\s+/g, '');
  if (!ask) return { ok: false, problem: 'not-a-date' };
  const shape = { month: /^(\d{1,2})\/(\d{4})$/, 'income-year': /^(\d{4})$/, day: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/ }[ask];
  const m = shape.exec(text);
  if (!m) {
    // a start of the right shape is not finished yet; anything else is not a date
    const partial = { month: /^\d{0,2}(\/\d{0,4})?$/, 'income-year': /^\d{0,3}$/, day: /^\d{0,2}(\/\d{0,2}(\/\d{0,4})?)?$/ }[ask];
    return { ok: false, problem: partial.test(text) ? 'incomplete' : 'not-a-date' };
  }
  const year = Number(m.at(-1));
  if (year < 1990) return { ok: false, problem: 'too-old' };
  if (ask === 'income-year') {
    if (year >= Number(today.slice(0, 4))) return { ok: false, problem: 'future' };
    return { ok: true, fields: { incomeYear: String(year) } };
  }
  const month = Number(ask === 'month' ? m[1] : m[2]);
  if (month < 1 || month > 12) return { ok: false, problem: 'not-a-date' };
  const ym = `${year}-${String(month).padStart(2, '0')}`;
  if (ask === 'month') {
    if (`${ym}-01` > today) return { ok: false, problem: 'future' };
    return { ok: true, fields: docType === 'payslip' ? { periodStart: `${ym}-01`, periodEnd: endOfMonth(ym) } : { period: ym } };
  }
  const day = calendarDate(`${ym}-${String(Number(m[1])).padStart(2, '0')}`);
  if (!day) return { ok: false, problem: 'not-a-date' };
  if (day > today) return { ok: false, problem: 'future' };
  return { ok: true, fields: { date: day } };
}

/** ISO date + n months, clamped to the end of the month (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(isoDate: string, months: number): string {
  const [y, m, d] = isoDate.slice(0, 10).split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const lastDay = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  first.setUTCDate(Math.min(d, lastDay));
  return first.toISOString().slice(0, 10);
}

export interface DatedPaper {
  /** the paper's own date (paperDateOf), when known */
  issuedOn?: string | null;
  expiresOn?: string | null;
  /** when it was photographed: counts only for a paper whose own date is unknown */
  capturedAt?: string | null;
}

/**
 * The one rule of a paper's age: past its end of validity → expired; asked to be at most `maxAgeMonths`
 * old and dated earlier → too-old. A paper whose own date was neither read nor typed counts from the day
 * it was photographed (the check screen shows the date it kept, for the person to correct).
 */
export function paperAgeProblem(paper: DatedPaper, maxAgeMonths: number | undefined, today: string): 'expired' | 'too-old' | null {
  if (paper.expiresOn && paper.expiresOn.slice(0, 10) < today) return 'expired';
  if (maxAgeMonths !== undefined) {
    const dated = paper.issuedOn?.slice(0, 10) ?? paper.capturedAt?.slice(0, 10) ?? null;
    if (dated === null || addMonths(dated, maxAgeMonths) < today) return 'too-old';
  }
  return null;
}

const MONTH = new Intl.DateTimeFormat('fr-FR', { timeZone: TIME_ZONE, month: 'long', year: 'numeric' });

const monthWords = (iso: string) => MONTH.format(new Date(`${iso.slice(0, 10)}T12:00:00Z`));
const dayWords = (iso: string) => dateFr(iso.slice(0, 10));

/**
 * The paper's date as a person says it: « bulletin de juin 2025 », « attestation de mars 2026 »,
 * « avis de 2025, revenus de 2024 », « délivrée le 3 juin 2015 », « daté du 12 mai 2026 ». Null without a date.
 */
export function paperDateWords(docType: DocType, issuedOn: string | null | undefined): string | null {
  const on = calendarDate(issuedOn?.slice(0, 10));
  if (!on) return null;
  switch (docType) {
    case 'payslip':
      return `bulletin de ${monthWords(on)}`;
    case 'caf-certificate':
      return `attestation de ${monthWords(on)}`;
    case 'tax-notice': {
      const year = Number(on.slice(0, 4));
      return `avis de ${year}, revenus de ${year - 1}`;
    }
    case 'identity-card':
    case 'passport':
    case 'residence-permit':
      return `délivré le ${dayWords(on)}`;
    case 'health-insurance':
      return `attestation du ${dayWords(on)}`;
    default:
      return `daté du ${dayWords(on)}`;
  }
}
