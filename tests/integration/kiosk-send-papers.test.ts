/**
 * Several papers sent to an institution from the kiosk core, against the real sync-server (SQLite and
 * PostgreSQL): the vault service signs one `vault.document.send` naming every paper and queues it in the
 * encrypted outbox; with the server down it waits, it outlives a restart of the kiosk (its database and
 * key opened again), and once the server is back it arrives as one message with every paper. A paper whose
 * deletion is still queued is refused before anything is signed; a sending the server refuses for good
 * (a paper not in the vault) leaves nothing behind, and the status bar says none of its papers left.
 *
 * The card at the box is the one part not here: the session signs with the test card's key, over the same
 * proof message the card signs over PC/SC (kiosk/core/session tests that part on pcscd).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KioskError } from '../../kiosk/contract/schema.ts';
import { silentLogger } from '../../kiosk/core/log.ts';
import { sha256Hex } from '../../kiosk/core/outbox/blob-crypto.ts';
import { Outbox } from '../../kiosk/core/outbox/outbox.ts';
import type { SessionManager } from '../../kiosk/core/session/session.ts';
import { openKioskDb } from '../../kiosk/core/storage/db.ts';
import type { Db } from '../../kiosk/core/storage/db.ts';
import { keyFileProvider } from '../../kiosk/core/storage/keys.ts';
import { SyncClient } from '../../kiosk/core/sync/client.ts';
import type { PersonSessions } from '../../kiosk/core/sync/person-session.ts';
import { SessionDocuments } from '../../kiosk/core/vault/session-documents.ts';
import { VaultService } from '../../kiosk/core/vault/vault.ts';
import { SYNC_PROBLEM, VAULT_WORDS } from '../../kiosk/core/words.ts';
import type { DocumentDeposit, Ground, MutationBody } from '../../sync-server/protocol/mutations.ts';
import { createEnrollment } from '../../sync-server/src/features/fleet/index.ts';
import { startServer } from '../../sync-server/src/edge/server.ts';
import type { RunningServer } from '../../sync-server/src/edge/server.ts';
import { installTestCa, signedWrite } from '../../sync-server/test-support/test-ca.ts';
import { CAMILLE, DEMO_KIOSK_ID, DIALECTS, fakeScan, freshEnv, until } from '../../sync-server/test-support/test-env.ts';
import type { TestEnv } from '../../sync-server/test-support/test-env.ts';
import { freePort } from '../setup/postgres.ts';

const OWN: Ground = { kind: 'own-card', cardSerial: CAMILLE.card };

function deposit(bytes: Uint8Array, docType: DocumentDeposit['payload']['docType']): DocumentDeposit {
  return {
    type: 'vault.document.deposit',
    payload: {
      documentId: randomUUID(),
      owner: CAMILLE.identifier,
      docType,
      fields: {},
      ocrText: '',
      file: { sha256: sha256Hex(bytes), mime: 'image/png', size: bytes.byteLength },
      capturedAt: new Date().toISOString(),
      ground: OWN,
    },
  };
}

describe.each(DIALECTS)('several papers sent from the kiosk core (%s)', (dialect) => {
  let env: TestEnv;
  let server: RunningServer | null;
  let dir: string;
  let db: Db;
  let outbox: Outbox;
  let client: SyncClient | null;
  let port: number;
  let code: string;

  const start = async () => {
    server = await startServer({ ...env.config, port }, { logger: false });
  };
  const openKiosk = () => {
    db = openKioskDb(join(dir, 'outbox.sqlite'));
    outbox = new Outbox(db, join(dir, 'blobs'), keyFileProvider(join(dir, 'data.key')));
  };
  const newClient = () => {
    client = new SyncClient({ url: `http://127.0.0.1:${port}`, outbox, logger: silentLogger, enrollmentCode: code, ackTimeoutMs: 10_000, reconnectDelayMaxMs: 1000 });
    client.start();
    return client;
  };
  /** The vault service of the kiosk core, Camille's card in the box (signing as the card does). */
  const vaultOf = (c: SyncClient) => {
    const session = {
      subject: () => ({ identifier: CAMILLE.identifier }),
      ground: () => OWN,
      proveWrite: async (body: MutationBody) => signedWrite(DEMO_KIOSK_ID, body),
    } as unknown as SessionManager;
    const keys = keyFileProvider(join(dir, 'data.key'));
    // reads go to the server in the person session; sending never reads
    const people = {} as PersonSessions;
    return new VaultService({ sync: c, session, people, outbox, documents: new SessionDocuments(db, keys), logger: silentLogger });
  };
  const papers = async () => {
    const ids: string[] = [];
    for (const docType of ['rib', 'payslip', 'tax-notice'] as const) {
      const img = fakeScan(4_000);
      const body = deposit(img, docType);
      outbox.enqueue(signedWrite(DEMO_KIOSK_ID, body), [{ bytes: img, mime: 'image/png' }]);
      ids.push(body.payload.documentId);
    }
    return ids;
  };
  const attachments = async (messageId: string) =>
    (await server!.db.selectFrom('message_attachments').select('document_id').where('message_id', '=', messageId).execute()).map((r) => r.document_id).sort();

  beforeEach(async () => {
    env = await freshEnv(dialect);
    await installTestCa(env.config.dataDir);
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'fac-kiosk-send-'));
    openKiosk();
    server = null;
    client = null;
    await start();
    code = (await createEnrollment(server!.db, server!.dialect, { kioskId: DEMO_KIOSK_ID, actor: { kind: 'staff', id: 'test' } })).code;
  });

  afterEach(async () => {
    await client?.stop();
    await server?.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
    await env.cleanup();
  });

  it('queues one sending naming every paper; kept while the server is down and across a restart of the kiosk; then one message with all of them', async () => {
    const c = newClient();
    const [rib, payslip, tax] = await papers();
    await c.flushed(30_000);
    await server!.close();
    await until('offline', () => !c.status().online);

    await vaultOf(c).send([rib!, payslip!, tax!], 'caf', 'Voici mes papiers.');
    const queued = outbox.pending(10).filter((m) => m.type === 'vault.document.send');
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ payload: { documentId: rib, otherDocumentIds: [payslip, tax], owner: CAMILLE.identifier, institutionId: 'caf', note: 'Voici mes papiers.', ground: OWN } });
    const messageId = (queued[0]!.payload as { messageId: string }).messageId;
    // one paper: the payload as every server reads it, without the list
    await vaultOf(c).send([rib!], 'mairie', '');
    const single = outbox.pending(10).filter((m) => m.type === 'vault.document.send')[1]!;
    expect(single.payload).not.toHaveProperty('otherDocumentIds');

    // the tablet restarts: its database and key opened again, the sendings still there
    await c.stop();
    client = null;
    db.close();
    openKiosk();
    expect(outbox.pending(10).filter((m) => m.type === 'vault.document.send')).toHaveLength(2);

    await start();
    const again = newClient();
    await again.flushed(30_000);
    expect(await attachments(messageId)).toEqual([rib, payslip, tax].sort());
    expect(await server!.db.selectFrom('threads').select(['institution_id', 'subject']).where('id', '=', messageId).execute()).toEqual([{ institution_id: 'caf', subject: 'Relevé d’identité bancaire (RIB)' }]);
    expect(await server!.db.selectFrom('messages').select('body').where('id', '=', messageId).execute()).toEqual([{ body: 'Voici mes papiers.' }]);
    expect(outbox.pending(10)).toEqual([]);
    expect(again.status().problem).toBeNull();
  }, 90_000);

  it('refuses a paper whose deletion is queued before signing; a sending the server refuses leaves nothing and is said', async () => {
    const c = newClient();
    const [rib, payslip] = await papers();
    await c.flushed(30_000);
    const vault = vaultOf(c);

    outbox.enqueue(signedWrite(DEMO_KIOSK_ID, { type: 'vault.document.delete', payload: { documentId: payslip!, owner: CAMILLE.identifier, ground: OWN } }), []);
    const gone = await vault.send([rib!, payslip!], 'caf', '').catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(KioskError);
    expect(gone).toMatchObject({ code: 'not-found', message: VAULT_WORDS.gone });
    expect(outbox.pending(10).filter((m) => m.type === 'vault.document.send')).toEqual([]);
    await expect(vault.send([], 'caf', '')).rejects.toMatchObject({ code: 'invalid-request', message: VAULT_WORDS.sendNothing });
    await c.flushed(30_000);

    // a paper the vault never held: the whole sending refused, the RIB not sent either
    const threads = await server!.db.selectFrom('threads').select('id').execute();
    await vault.send([rib!, randomUUID()], 'caf', '');
    await c.flushed(30_000);
    expect(await server!.db.selectFrom('threads').select('id').execute()).toEqual(threads);
    expect(await server!.db.selectFrom('message_attachments').select('document_id').execute()).toEqual([]);
    expect(c.status().problem).toBe(SYNC_PROBLEM.sendRefused);
  }, 90_000);
});
