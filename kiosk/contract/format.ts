/** How dates, times and amounts are written for people: the protocol's one formatting module (never copied), on the Paris clock. */
export { dateFr, dateTimeFr, decisionTermsFr, euros, monthFr, parisDay, TIME_ZONE } from '../../sync-server/protocol/format.ts';
