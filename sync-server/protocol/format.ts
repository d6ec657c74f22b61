/**
 * How numbers and dates are written for people, the same on every screen and every printout of the
 * server and the kiosk: « 1er avril 2026 », « 1er avril 2026 à 14 h 05 » (Paris time), « 2 055,68 € »,
 * an IBAN in groups of four. Pure (Intl only): the kiosk's PDF kit and the server's console use it alike.
 *
 * Spaces are ordinary ones: every font draws them (the PDFs' standard fonts have no narrow no-break space)
 * and texts compare simply; a screen that must keep an amount on one line says so in its markup.
 */
import { formatIban } from './iban.ts';

/** Where the people served live: every date and time is read on this clock, whatever the machine's. */
export const TIME_ZONE = 'Europe/Paris';

const DAY = new Intl.DateTimeFormat('fr-FR', { timeZone: TIME_ZONE, day: 'numeric', month: 'long', year: 'numeric' });
const CLOCK = new Intl.DateTimeFormat('fr-FR', { timeZone: TIME_ZONE, hour: 'numeric', minute: '2-digit', hourCycle: 'h23' });
const MONEY = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A Date from what the database and the protocol carry: a Date, an ISO date-time, or a calendar date
 * (YYYY-MM-DD, a birth date), taken at noon UTC so that no time zone moves it to the day before.
 */
function toDate(value: Date | string): Date | null {
  const d = typeof value === 'string' ? new Date(CALENDAR_DATE.test(value) ? `${value}T12:00:00Z` : value) : value;
  return Number.isNaN(d.getTime()) ? null : d;
}

const ISO_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar day in Paris (YYYY-MM-DD) at that moment: « today » for a paper's age, whatever the machine's clock zone. */
export function parisDay(at: Date = new Date()): string {
  return ISO_DAY.format(at);
}

/** A value that is not a date is shown as it is rather than as « Invalid Date ». */
const asIs = (value: Date | string) => (typeof value === 'string' ? value : '');

/** « 1er avril 2026 », « 25 octobre 1970 »: French writes the first of the month as an ordinal. */
export function dateFr(value: Date | string): string {
  const d = toDate(value);
  if (!d) return asIs(value);
  return DAY.formatToParts(d)
    .map((p) => (p.type === 'day' && p.value === '1' ? '1er' : p.value))
    .join('');
}

const MONTH_NAMES = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];

/** « décembre 2025 » for 2025-12; anything else is shown as it is. */
export function monthFr(month: string): string {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  return m ? `${MONTH_NAMES[Number(m[2]) - 1]!} ${m[1]!}` : month;
}

/** « 1er avril 2026 à 14 h 05 », « 3 mars 2026 à 9 h 30 », in Paris time. */
export function dateTimeFr(value: Date | string): string {
  const d = toDate(value);
  if (!d) return asIs(value);
  const parts = CLOCK.formatToParts(d);
  const hour = parts.find((p) => p.type === 'hour')?.value ?? '';
  const minute = parts.find((p) => p.type === 'minute')?.value ?? '';
  return `${dateFr(d)} à ${hour} h ${minute}`;
}

/** Cents, halves away from zero (1,005 € is 1,01 €), as the scales of the aids are rounded. */
export function roundCents(x: number): number {
  const cents = (Math.sign(x) * Math.round(Math.abs(x) * 100 + 1e-6)) / 100;
  return cents === 0 ? 0 : cents; // never « -0,00 € »
}

/** « 2 055,68 € », « 77,50 € », « -12,00 € ». */
export function euros(amount: number): string {
  return MONEY.format(roundCents(amount)).replace(/[\u00a0\u202f]/g, ' ');
}

/** « FR76 3000 6000 0112 3456 7890 189 »: the groups of four printed on a RIB. */
export function ibanFr(raw: string): string {
  return formatIban(raw);
}

/**
 * What an acceptance grants, in one line: « Montant : 607,75 € par mois, à partir du 1er mai 2026 »
 * (either part alone when only one was given; null when neither was). The amount is in cents.
 */
export function decisionTermsFr(terms: { amountCents: number | null; startDate: string | null }): string | null {
  const amount = terms.amountCents === null ? null : `Montant : ${euros(terms.amountCents / 100)} par mois`;
  const start = terms.startDate === null ? null : `à partir du ${dateFr(terms.startDate)}`;
  if (amount && start) return `${amount}, ${start}`;
  if (amount) return amount;
  if (start) return start.charAt(0).toUpperCase() + start.slice(1);
  return null;
}

const AMOUNT_FIELD = /^(amount|netPay|netTaxable|referenceIncome|grossPay)(_|$)/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** The sex printed on identity papers (ICAO 9303: F, M, X or <). */
const SEX_WORDS: Readonly<Record<string, string>> = { F: 'Femme', M: 'Homme', X: 'Non précisé', '<': 'Non précisé' };

/**
 * Nationalities as ICAO 9303 writes them (ISO 3166-1 alpha-3), for those most often met in French
 * public services; another code is shown as it is.
 */
const NATIONALITY_WORDS: Readonly<Record<string, string>> = {
  FRA: 'Française',
  DZA: 'Algérienne',
  MAR: 'Marocaine',
  TUN: 'Tunisienne',
  PRT: 'Portugaise',
  ESP: 'Espagnole',
  ITA: 'Italienne',
  BEL: 'Belge',
  DEU: 'Allemande',
  ROU: 'Roumaine',
  GBR: 'Britannique',
  CHE: 'Suisse',
  TUR: 'Turque',
  SEN: 'Sénégalaise',
  MLI: 'Malienne',
  CIV: 'Ivoirienne',
  CMR: 'Camerounaise',
  COD: 'Congolaise (RDC)',
  COG: 'Congolaise',
  HTI: 'Haïtienne',
  UKR: 'Ukrainienne',
  AFG: 'Afghane',
  SYR: 'Syrienne',
  CHN: 'Chinoise',
};

/**
 * A field read on a paper, written for people: a calendar date as « 25 octobre 1970 », an amount as
 * « 2 055,68 € », an IBAN by groups of four, a sex and a nationality in words; anything else as it was read.
 */
export function fieldValueFr(name: string, value: string): string {
  if (name === 'iban') return ibanFr(value);
  if (name === 'sex') return SEX_WORDS[value.trim().toUpperCase()] ?? value;
  if (name === 'nationality') return NATIONALITY_WORDS[value.trim().toUpperCase()] ?? value;
  if (CALENDAR_DATE.test(value)) return dateFr(value);
  if (AMOUNT_FIELD.test(name) && DECIMAL.test(value)) return euros(Number(value));
  return value;
}
