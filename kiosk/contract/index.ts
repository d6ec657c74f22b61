export * from './schema.ts';
export * from './client.ts';
export * from './wire.ts';
