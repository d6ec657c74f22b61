export * from './schema.ts';
export * from './client.ts';
export * from './wire.ts';
export { addMonths, askedDateFields, paperDateAsk, paperDateWords } from '../../sync-server/protocol/paper-date.ts';
export type { AskedDateProblem, DateAsk } from '../../sync-server/protocol/paper-date.ts';
export { DOC_TYPE_TITLE } from '../../sync-server/protocol/vault.ts';
