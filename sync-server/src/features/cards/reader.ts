/**
 * The issuing station's reader: the staff command names it by a part of its PC/SC name, and waits, for
 * a bounded time, until a card is in it; the connection is closed (and the card reset, so the admin
 * PIN verification is forgotten) whatever happens.
 */
import type { CardConnection } from '../../../../drivers/pcsc/connection.ts';
import { ReaderManager } from '../../../../drivers/pcsc/reader-manager.ts';
import type { Logger } from '../../../../drivers/pcsc/index.ts';
import { CardAdminError } from './errors.ts';

export interface ReaderOptions {
  /** a part of the reader's name, e.g. "PCD 00 01" or "Omnikey" */
  nameContains: string;
  timeoutMs?: number;
  logger?: Logger;
  /** per-APDU timeout; key generation on a real card takes seconds */
  commandTimeoutMs?: number;
}

export async function withCardInReader<T>(opts: ReaderOptions, run: (connection: CardConnection, reader: string) => Promise<T>): Promise<T> {
  const wanted = opts.nameContains.trim();
  if (wanted === '') throw new CardAdminError('invalid', 'the reader name must not be empty');
  const manager = new ReaderManager({
    readerFilter: (name) => name.includes(wanted),
    commandTimeoutMs: opts.commandTimeoutMs ?? 20_000,
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  const timeoutMs = opts.timeoutMs ?? 30_000;
  let pcscSeen: boolean | undefined;
  try {
    const reader = await new Promise<string>((resolve, reject) => {
      const done = (err: Error | null, name?: string) => {
        clearTimeout(timer);
        manager.off('card-inserted', onCard);
        manager.off('status', onStatus);
        if (err) reject(err);
        else resolve(name!);
      };
      const onCard = ({ reader: name }: { reader: string }) => done(null, name);
      const onStatus = ({ available }: { available: boolean }) => {
        pcscSeen = available;
      };
      const timer = setTimeout(() => {
        const readers = manager.readers();
        const why =
          pcscSeen === false
            ? 'pcscd is not reachable'
            : readers.length === 0
              ? `no reader whose name contains "${wanted}"`
              : `no card in ${readers.join(', ')}`;
        done(new CardAdminError('no-card', `${why} after ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      manager.on('card-inserted', onCard);
      manager.on('status', onStatus);
      manager.start();
    });
    const connection = await manager.connect(reader);
    try {
      return await run(connection, reader);
    } finally {
      await connection.disconnect().catch(() => undefined);
    }
  } finally {
    await manager.close();
  }
}
