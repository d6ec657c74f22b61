/**
 * Dates and amounts as people read them, on the Paris clock whatever the tablet's (its system clock is
 * UTC): the same words as the server's console and printouts (sync-server/protocol/format.ts, which the
 * renderer may not import — it sees only kiosk/contract — hence these few lines kept in step with it).
 */

/** Where the people served live: every date and time is read on this clock. */
export const TIME_ZONE = 'Europe/Paris';

const DAY = new Intl.DateTimeFormat('fr-FR', { timeZone: TIME_ZONE, day: 'numeric', month: 'long', year: 'numeric' });
const CLOCK = new Intl.DateTimeFormat('fr-FR', { timeZone: TIME_ZONE, hour: 'numeric', minute: '2-digit', hourCycle: 'h23' });
const MONEY = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });

/** A calendar date (a birth date, a start date) is taken at noon UTC: no time zone moves it to another day. */
function toDate(iso: string): Date {
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T12:00:00Z` : iso);
}

/** « 3 mars 2026 », « 1er mars 2026 » (French writes the first of the month as an ordinal), in Paris time. */
export function dateFr(iso: string): string {
  const d = toDate(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return DAY.formatToParts(d)
    .map((p) => (p.type === 'day' && p.value === '1' ? '1er' : p.value))
    .join('');
}

/** « 1er avril 2026 à 14 h 05 », in Paris time. */
export function dateTimeFr(iso: string): string {
  const d = toDate(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const parts = CLOCK.formatToParts(d);
  const hour = parts.find((p) => p.type === 'hour')?.value ?? '';
  const minute = parts.find((p) => p.type === 'minute')?.value ?? '';
  return `${dateFr(iso)} à ${hour} h ${minute}`;
}

/** « 1 234,56 € » */
export function euros(n: number): string {
  return MONEY.format(n);
}

/**
 * What an acceptance grants, in one line: « Montant : 607,75 € par mois, à partir du 1er mai 2026 »
 * (either part alone; null when neither was given). The amount is in cents.
 */
export function decisionTermsFr(amountCents: number | null, startDate: string | null): string | null {
  const amount = amountCents === null ? null : `Montant : ${euros(amountCents / 100)} par mois`;
  const start = startDate === null ? null : `à partir du ${dateFr(startDate)}`;
  if (amount && start) return `${amount}, ${start}`;
  if (amount) return amount;
  if (start) return start.charAt(0).toUpperCase() + start.slice(1);
  return null;
}
