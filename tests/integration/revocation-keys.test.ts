/**
 * The revocation list from the server's revocation-signing key to the kiosk's store, with the real parts:
 * the sync-server (SQLite) holding only the CA certificate and its own key, the kiosk's sync client and
 * its revocation store (kiosk/core/session/revocations.ts), which checks the chain against the pinned CA
 * before applying anything. Then a rotation (a new key issued where the CA is, the server restarted):
 * the server signs the current list again with the new key and the kiosk moves to it. Lists an attacker
 * could make — another CA's key, an expired key, a card's key, a CA key's signature swapped for — are
 * refused and change nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../kiosk/core/log.ts';
import { Outbox } from '../../kiosk/core/outbox/outbox.ts';
import { RevocationStore } from '../../kiosk/core/session/revocations.ts';
import { openKioskDb } from '../../kiosk/core/storage/db.ts';
import type { Db } from '../../kiosk/core/storage/db.ts';
import { keyFileProvider } from '../../kiosk/core/storage/keys.ts';
import { SyncClient } from '../../kiosk/core/sync/client.ts';
import { certificateFingerprint } from '../../sync-server/protocol/card-certificate.ts';
import { RevocationList, revocationSigningPayload } from '../../sync-server/protocol/revocation.ts';
import type { PushAck, PushMessage } from '../../sync-server/protocol/socket.ts';
import {
  createPlatformCa,
  generateSigningKey,
  issueCardCertificate,
  issueRevocationKey,
  issueRevocationSignerCertificate,
  signWithKey,
} from '../../sync-server/src/features/cards/index.ts';
import type { CryptoKey } from '../../sync-server/src/features/cards/index.ts';
import { createEnrollment } from '../../sync-server/src/features/fleet/index.ts';
import { startServer } from '../../sync-server/src/edge/server.ts';
import type { RunningServer } from '../../sync-server/src/edge/server.ts';
import { installTestPlatform } from '../../sync-server/test-support/test-ca.ts';
import type { TestPlatform } from '../../sync-server/test-support/test-ca.ts';
import { DEMO_KIOSK_ID, freshEnv, STAFF_TOKEN, until, YANIS } from '../../sync-server/test-support/test-env.ts';
import type { TestEnv } from '../../sync-server/test-support/test-env.ts';
import { freePort } from '../setup/postgres.ts';

const DAY = 86_400_000;

describe('revocation lists from the server’s own key to the kiosk', () => {
  let env: TestEnv;
  let platform: TestPlatform;
  let server: RunningServer | null = null;
  let port: number;
  let dir: string;
  let db: Db;
  let store: RevocationStore;
  let client: SyncClient;
  /** what the kiosk answered to each list the server pushed, with the list's signer certificate */
  const answered: Array<{ version: number; signer: string | null; ack: PushAck }> = [];

  const start = async () => {
    server = await startServer({ ...env.config, port }, { logger: false, pushes: { ackTimeoutMs: 2000, retryDelaysMs: [200], pollMs: 200 }, revocationPollMs: 200 });
  };

  /** The kiosk's push handler, as kiosk-core wires it: the store checks against the pinned CA, then applies. */
  async function onPush(push: PushMessage): Promise<PushAck> {
    if (push.kind !== 'revocations') return { ok: false, error: { code: 'unknown', message: 'push non géré' } };
    const r = store.receive(push.body, platform.ca.certificate);
    const ack: PushAck = r.outcome === 'refused' ? { ok: false, error: { code: 'forbidden', message: `${r.problem}: ${r.detail}` } } : { ok: true };
    const signer = push.body.signerCertificate ? certificateFingerprint(new Uint8Array(Buffer.from(push.body.signerCertificate, 'base64url'))) : null;
    answered.push({ version: push.body.version, signer, ack });
    return ack;
  }

  beforeAll(async () => {
    env = await freshEnv('sqlite');
    platform = await installTestPlatform(env.config.dataDir);
    port = await freePort();
    await start();
    dir = mkdtempSync(join(tmpdir(), 'fac-kiosk-revocations-'));
    db = openKioskDb(join(dir, 'outbox.sqlite'));
    store = new RevocationStore(db);
    const code = (await createEnrollment(server!.db, server!.dialect, { kioskId: DEMO_KIOSK_ID, actor: { kind: 'staff', id: 'test' } })).code;
    client = new SyncClient({
      url: `http://127.0.0.1:${port}`,
      outbox: new Outbox(db, join(dir, 'blobs'), keyFileProvider(join(dir, 'data.key'))),
      logger: silentLogger,
      enrollmentCode: code,
      ackTimeoutMs: 10_000,
      reconnectDelayMaxMs: 500,
      revocationsVersion: () => store.version(),
      onPush,
    });
    client.start();
  });
  afterAll(async () => {
    await client?.stop();
    await server?.close();
    db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await env?.cleanup();
  });

  it('applies the lists the server signs with its revocation-signing key', async () => {
    await until('the first list', () => store.version() === 1);
    expect(answered[0]).toEqual({ version: 1, signer: platform.revocationKey.fingerprint, ack: { ok: true } });
    const r = await fetch(`${server!.url}/api/staff/cards/${YANIS.card}/block`, {
      method: 'POST',
      headers: { authorization: `Bearer ${STAFF_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'stolen' }),
    });
    expect(await r.json()).toMatchObject({ changed: true, revocationsVersion: 2 });
    await until('the block on the kiosk', () => store.version() === 2);
    expect(store.isRevoked(YANIS.card)).toBe(true);
  });

  it('moves to a new key after a rotation: the server signs the current list again, the kiosk applies it', async () => {
    await server!.close();
    server = null;
    // on the issuance station: a new key for the server, which is restarted with it
    const rotated = await issueRevocationKey(platform.ca, env.config.dataDir);
    expect(rotated.replaced).toBe(platform.revocationKey.fingerprint);
    await start();
    expect(server!.revocationKey?.fingerprint).toBe(rotated.fingerprint);
    await until('the list signed by the new key', () => store.version() === 3);
    expect(answered.at(-1)).toEqual({ version: 3, signer: rotated.fingerprint, ack: { ok: true } });
    expect(store.isRevoked(YANIS.card)).toBe(true);
    expect(answered.every((a) => a.ack.ok)).toBe(true);
  });

  describe('lists an attacker could make, to take a card off the list', () => {
    const forged = (signerCertificate: Uint8Array | null, key: CryptoKey) => async () => {
      const unsigned = {
        version: 99,
        issuedAt: new Date().toISOString(),
        revoked: [],
        ...(signerCertificate ? { signerCertificate: Buffer.from(signerCertificate).toString('base64url') } : {}),
      };
      const signature = Buffer.from(await signWithKey(key, revocationSigningPayload(unsigned))).toString('base64url');
      return RevocationList.parse({ ...unsigned, signature });
    };
    const period = () => ({ notBefore: new Date(Date.now() - DAY), notAfter: new Date(Date.now() + 30 * DAY) });

    it('are refused by the kiosk, which keeps its list', async () => {
      const key = await generateSigningKey();
      // another CA of the same name certified the attacker's key
      const impostor = await createPlatformCa({ commonName: 'Facilitateur - autorité des cartes', notAfter: new Date(Date.now() + 3650 * DAY) });
      const fromImpostor = await issueRevocationSignerCertificate({ ca: impostor, publicKey: key.publicKey, ...period() });
      // a key our CA certified once, for a period that is over
      const expired = await issueRevocationSignerCertificate({ ca: platform.ca, publicKey: key.publicKey, notBefore: new Date(Date.now() - 30 * DAY), notAfter: new Date(Date.now() - DAY) });
      // a card's certificate: our CA, a valid key — for a card, not for lists
      const card = await issueCardCertificate({
        ca: platform.ca,
        subject: { identifier: YANIS.identifier, firstName: 'Yanis', lastName: 'Benali', role: 'beneficiary', cardSerial: YANIS.card },
        authPublicKey: key.publicKey,
        signaturePublicKey: key.publicKey,
        ...period(),
      });
      const cases: Array<[string, () => Promise<RevocationList>, string]> = [
        ['signed under another CA', forged(fromImpostor, key.privateKey), 'foreign'],
        ['signed by an expired key', forged(expired, key.privateKey), 'expired'],
        ['signed by a card', forged(card, key.privateKey), 'wrong-purpose'],
        ['claiming the CA signed it', forged(null, key.privateKey), 'bad-signature'],
        ['the server’s certificate, another key’s signature', forged(platform.revocationKey.certificate, key.privateKey), 'bad-signature'],
      ];
      for (const [what, make, problem] of cases) {
        expect(store.receive(await make(), platform.ca.certificate), what).toMatchObject({ outcome: 'refused', problem });
        expect(store.version(), what).toBe(3);
        expect(store.isRevoked(YANIS.card), what).toBe(true);
      }
    });
  });
});
