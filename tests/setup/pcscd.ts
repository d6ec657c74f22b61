/**
 * Vitest global setup for tests over real smart-card middleware: pcscd with the vpcd driver, which
 * listens on 127.0.0.1:35963 (reader 0) and :35964 (reader 1) for virtual cards.
 */
import { ensurePcscd } from '../../scripts/lib/pcscd.ts';

export default async function setup(): Promise<void> {
  await ensurePcscd();
}
