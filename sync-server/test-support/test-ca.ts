/**
 * Test support (used by *.test.ts only): the platform's keys laid out as in production. The CA (key,
 * certificate, card admin secret) is created in an issuance station's folder; the server's data folder
 * receives only what the server holds: the CA certificate and a revocation-signing key.
 *
 * The issuance station's folder is put inside the test's data folder (`<data>/issuance-station/`) so
 * that the test's cleanup removes it; the server only ever looks at `<data>/ca/`.
 */
import { join } from 'node:path';
import { initCa, issueRevocationKey } from '../src/features/cards/index.ts';
import type { IssuedRevocationKey, LoadedCa } from '../src/features/cards/index.ts';

export interface TestPlatform {
  /** the CA, as the issuance station holds it (to issue cards in tests) */
  ca: LoadedCa;
  /** the revocation-signing key installed in the server's data folder */
  revocationKey: IssuedRevocationKey;
  issuanceDir: string;
}

export async function installTestPlatform(serverDataDir: string, o: { validityDays?: number; now?: Date } = {}): Promise<TestPlatform> {
  const issuanceDir = join(serverDataDir, 'issuance-station');
  const ca = await initCa(issuanceDir);
  const revocationKey = await issueRevocationKey(ca, serverDataDir, o);
  return { ca, revocationKey, issuanceDir };
}
