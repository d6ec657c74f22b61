/**
 * Fault-injection points for the fault tests (kill -9 mid-transaction, connection dropped between commit
 * and acknowledgement). They can only be passed in code, through `startServer(config, { hooks })`:
 * no environment variable or configuration file reaches them, so a production server never has any.
 */
import type { MutationsAck } from '../../../protocol/socket.ts';

export interface SyncTestHooks {
  /** inside the batch's transaction, after this mutation's writes, before anything is committed */
  beforeCommit?(m: { kioskId: string; seq: number; id: string }): Promise<void> | void;
  /**
   * after a batch committed, before its acknowledgement goes out; `'drop'` closes the connection instead
   * of acknowledging (the kiosk never hears that its mutations were applied)
   */
  beforeAck?(a: { kioskId: string; ack: MutationsAck }): Promise<'send' | 'drop'> | 'send' | 'drop';
}
