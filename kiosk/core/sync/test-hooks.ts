/**
 * Pause points of the sync client for the fault tests (kill -9 of the kiosk during an upload, between
 * the server's acknowledgement and the outbox purge…). They can only be passed in code, as
 * `new SyncClient({ testHooks })`: the kiosk core never does, and no configuration reaches them.
 */
import type { Mutation } from '../../../sync-server/protocol/mutations.ts';
import type { MutationsAck } from '../../../sync-server/protocol/socket.ts';

export interface SyncClientTestHooks {
  /** before each tus request (POST creates, PATCH sends bytes, HEAD asks the offset) */
  beforeUploadRequest?(r: { sha256: string; method: string; url: string; size: number; offset: number | null }): Promise<void> | void;
  /** before a batch of mutations is sent */
  beforeSend?(batch: readonly Mutation[]): Promise<void> | void;
  /** the server's acknowledgement arrived; the outbox has not purged anything yet */
  beforeAcknowledge?(ack: MutationsAck, batch: readonly Mutation[]): Promise<void> | void;
}
