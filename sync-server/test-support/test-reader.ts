/**
 * One reader of pcscd watched for the hardware tests of card issuance: the manager once the reader
 * shows (a card an aborted run left in it waited out), and its card events awaited.
 */
import { ReaderManager } from '../../drivers/pcsc/reader-manager.ts';

export interface WatchedReader {
  manager: ReaderManager;
  /** resolves at this event on the reader, rejects after `timeoutMs` */
  waitFor(event: 'card-inserted' | 'card-removed', timeoutMs?: number): Promise<void>;
}

export async function watchReader(reader: string): Promise<WatchedReader> {
  const manager = new ReaderManager({ readerFilter: (n) => n === reader, commandTimeoutMs: 20_000, retryMaxMs: 1000 });
  const waitFor = (event: 'card-inserted' | 'card-removed', timeoutMs = 10_000) =>
    new Promise<void>((resolve, reject) => {
      const on = (e: { reader: string }) => {
        if (e.reader !== reader) return;
        clearTimeout(timer);
        manager.off(event, on);
        resolve();
      };
      const timer = setTimeout(() => {
        manager.off(event, on);
        reject(new Error(`no ${event} on ${reader} within ${timeoutMs} ms`));
      }, timeoutMs);
      manager.on(event, on);
    });
  const ready = new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`reader ${reader} not found`)), 10_000);
    manager.on('reader-added', (n) => {
      if (n === reader) {
        clearTimeout(t);
        resolve();
      }
    });
  });
  manager.start();
  await ready;
  // a card left in the slot by an aborted run would be mistaken for the test's
  if (manager.cardPresent(reader)) await waitFor('card-removed', 5000).catch(() => undefined);
  return { manager, waitFor };
}
