export * from './schema.ts';
export * from './client.ts';
export * from './wire.ts';
export { paperDateWords } from '../../sync-server/protocol/paper-date.ts';
