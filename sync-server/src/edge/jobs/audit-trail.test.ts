/**
 * The audit trail's schedule in a running server, on both engines: checkpoints written as entries come,
 * the verification run on its period and reported by the staff API (GET /api/staff/audit), and an
 * attacker's rewrite of the journal caught by the next scheduled run — logged at error level with its
 * stable event name, and reported naming the first bad checkpoint.
 */
import { generateKeyPairSync } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../kernel/audit.ts';
import { publicKeyText } from '../../kernel/audit-checkpoints.ts';
import { startServer } from '../server.ts';
import type { RunningServer } from '../server.ts';
import { CAMILLE, DIALECTS, freshEnv, STAFF_TOKEN, until } from '../../../test-support/test-env.ts';
import type { TestEnv } from '../../../test-support/test-env.ts';
import { rewriteWithout } from '../../../test-support/audit-tamper.ts';
import { AUDIT_VERIFY_FAILED } from './audit-trail.ts';
import type { AuditStatus } from './audit-trail.ts';

describe.each(DIALECTS)('the audit trail in a running server (%s)', (dialect) => {
  let env: TestEnv;
  let server: RunningServer;
  const logLines: { level: number; event?: string; msg: string; problems?: string[] }[] = [];

  beforeAll(async () => {
    env = await freshEnv(dialect);
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n')) if (line.trim() !== '') logLines.push(JSON.parse(line) as (typeof logLines)[number]);
        done();
      },
    });
    server = await startServer(env.config, { logger: pino({ level: 'info' }, sink), audit: { tickMs: 50, checkpointEvery: 3, checkpointMaxAgeMs: 3_600_000, verifyIntervalMs: 300 } });
  });
  afterAll(async () => {
    await server?.close();
    await env?.cleanup();
  });

  const staff = (path: string, init: RequestInit = {}) => fetch(`${server.url}/api/staff${path}`, { ...init, headers: { authorization: `Bearer ${STAFF_TOKEN}`, ...init.headers } });
  const status = async (): Promise<AuditStatus> => (await (await staff('/audit')).json()) as AuditStatus;

  it('checkpoints, verifies on schedule and reports it; after a rewrite of the journal, alerts and names the first bad checkpoint', async () => {
    expect((await fetch(`${server.url}/api/staff/audit`)).status).toBe(401);
    // journaled reads: the staff listing a person's documents, several times
    // in rounds, each waited for: on a loaded machine the ticks may otherwise come only once all reads are in
    const seq = async () => Number((await server.db.selectFrom('audit_journal').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirstOrThrow()).m);
    let head = 0;
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++) expect((await staff(`/persons/${CAMILLE.identifier}/documents`)).status).toBe(200);
      head = await seq();
      await until(`a checkpoint of the newest entry (round ${round + 1})`, async () => (await status()).lastCheckpoint?.seq === head);
    }
    const ok = await until('a scheduled verification after it', async () => {
      const s = await status();
      return s.verification?.ok === true && s.verification.entries === head ? s : null;
    });
    expect(ok.verification).toMatchObject({ ok: true, entries: head, problems: [] });
    expect(ok.verification!.checkpoints).toBeGreaterThanOrEqual(2);

    // the attacker's rewrite: an early entry deleted, every later one renumbered and rehashed
    await rewriteWithout(server.db, server.dialect, 2);
    expect(await verifyAuditChain(server.db)).toMatchObject({ ok: true });
    const failed = await until('the scheduled verification to fail', async () => {
      const s = await status();
      return s.verification?.ok === false ? s : null;
    });
    const where = /^first bad checkpoint: line \d+ \(entry (\d+), signed .+\): the journal has another hash at entry \d+ — an entry after (\d+) and up to \d+ was changed, removed or inserted$/.exec(failed.verification!.problems[0] ?? '');
    expect(where, failed.verification!.problems.join('\n')).not.toBeNull();
    // the deleted entry lies where it says
    expect(Number(where![2])).toBeLessThan(2);
    expect(Number(where![1])).toBeGreaterThanOrEqual(2);
    const alert = logLines.find((l) => l.event === AUDIT_VERIFY_FAILED);
    expect(alert).toMatchObject({ level: 50, msg: 'audit journal verification failed' });
    expect(alert?.problems?.[0]).toBe(failed.verification!.problems[0]);
    // on demand too, and the same answer
    const now = (await (await staff('/audit/verify', { method: 'POST' })).json()) as AuditStatus;
    expect(now.verification).toMatchObject({ ok: false, problems: failed.verification!.problems });
  });

  it('refuses to start with a pinned checkpoint key that is not the data folder’s', async () => {
    const other = publicKeyText(generateKeyPairSync('ed25519').publicKey);
    // a second instance on the same data folder and database
    const second = { ...env.config, seedPath: null };
    await expect(startServer({ ...second, audit: { publicKey: other, verifyIntervalMs: 0 } }, { logger: false })).rejects.toMatchObject({
      problems: [expect.stringMatching(/^audit checkpoint key: the checkpoint key in .+ is not the pinned one \(FAC_AUDIT_PUBLIC_KEY\)$/)],
    });
  });
});
