/** The face of the sync feature: what the rest of the server may use of it. */
export { SyncEngine } from './apply-mutations.ts';
export type { SyncTestHooks } from './test-hooks.ts';
