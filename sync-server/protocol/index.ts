export * from './common.ts';
export * from './identifier.ts';
export * from './iban.ts';
export * from './mutations.ts';
export * from './socket.ts';
export * from './canonical-json.ts';
export * from './revocation.ts';
export * from './vault.ts';
