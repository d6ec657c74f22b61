/**
 * Dates and amounts as people read them, on the Paris clock whatever the tablet's (its system clock is
 * UTC): the protocol's formatting module, reached through the contract, so the screens, the console and
 * the printouts write them alike.
 */
import { decisionTermsFr as termsFr } from '../../contract/format.ts';

export { dateFr, dateTimeFr, euros, monthFr, parisDay, TIME_ZONE } from '../../contract/format.ts';

/**
 * What an acceptance grants, in one line: « Montant : 607,75 € par mois, à partir du 1er mai 2026 »
 * (either part alone; null when neither was given). The amount is in cents.
 */
export function decisionTermsFr(amountCents: number | null, startDate: string | null): string | null {
  return termsFr({ amountCents, startDate });
}
