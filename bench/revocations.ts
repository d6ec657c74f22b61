/**
 * The revocation list at its largest (REVOCATION_LIST_MAX_ENTRIES cards): signed by the server's
 * revocation-signing key (canonical JSON + ECDSA), checked by a kiosk (its signer's certificate against
 * the pinned CA, then the signature), and received by a kiosk (checked, then applied in its SQLite).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RevocationStore } from '../kiosk/core/session/revocations.ts';
import { openKioskDb } from '../kiosk/core/storage/db.ts';
import { verifyRevocationList } from '../sync-server/protocol/revocation-signer.ts';
import { REVOCATION_LIST_MAX_ENTRIES } from '../sync-server/protocol/revocation.ts';
import type { RevocationList, RevokedCard } from '../sync-server/protocol/revocation.ts';
import { initCa, issueRevocationKey, loadRevocationKey, signRevocationList } from '../sync-server/src/features/cards/index.ts';
import { summarize } from './stats.ts';
import type { BenchResult } from './stats.ts';

export async function benchRevocations(runs: number): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'fac-bench-revocations-'));
  const db = openKioskDb(join(dir, 'kiosk.sqlite'));
  const sign: number[] = [];
  const check: number[] = [];
  const receive: number[] = [];
  try {
    const ca = await initCa(join(dir, 'issuance'));
    await issueRevocationKey(ca, join(dir, 'server'));
    const key = (await loadRevocationKey(join(dir, 'server'), ca.certificate))!;
    const store = new RevocationStore(db);
    const revoked: RevokedCard[] = Array.from({ length: REVOCATION_LIST_MAX_ENTRIES }, (_, i) => ({
      cardSerial: (0x10000000 + i).toString(16).toUpperCase(),
      reason: 'lost',
      at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
    }));
    for (let i = 0; i < runs + 2; i++) {
      const t0 = performance.now();
      const list: RevocationList = await signRevocationList(key, { version: i + 1, issuedAt: new Date().toISOString(), revoked });
      const t1 = performance.now();
      const r = verifyRevocationList(list, { caCertificate: ca.certificate, now: new Date() });
      const t2 = performance.now();
      if (!r.ok) throw new Error(`the list does not check: ${r.problem}`);
      const received = store.receive(list, ca.certificate);
      const t3 = performance.now();
      if (received.outcome !== 'applied') throw new Error(`the list was not applied: ${received.outcome}`);
      if (i >= 2) {
        // the first runs warm the JIT and SQLite's caches
        sign.push(t1 - t0);
        check.push(t2 - t1);
        receive.push(t3 - t2);
      }
    }
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const n = REVOCATION_LIST_MAX_ENTRIES.toLocaleString('en');
  return [
    summarize(`server: revocation list signed by its revocation-signing key, ${n} cards`, sign, { notes: ['canonical JSON + ECDSA P-256, schema check of the result'] }),
    summarize(`kiosk: revocation list checked (signer certificate → pinned CA, then signature), ${n} cards`, check),
    summarize(`kiosk: revocation list received (checked, then applied in SQLite), ${n} cards`, receive),
  ];
}
