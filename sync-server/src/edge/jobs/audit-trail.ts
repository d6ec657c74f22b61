/**
 * The audit journal's scheduled work, in the housekeeping job's manner: on a short tick, a signed
 * checkpoint when due (kernel/audit-checkpoints.ts: every N entries or every few minutes); on a longer
 * one, the whole verification — chain recomputed and compared with every checkpoint. A failure is logged
 * at error level with a stable event name (`audit.verify.failed`, `audit.checkpoint.refused`) for the
 * alerting to match, and kept as the last status, which the staff API reports (GET /api/staff/audit).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { AuditCheckpointer, describeTrailProblem, verifyAuditTrail } from '../../kernel/audit-checkpoints.ts';
import type { CheckpointKey, CheckpointLog, CheckpointOutcome, SignedCheckpoint } from '../../kernel/audit-checkpoints.ts';
import type { Database } from '../../kernel/storage/schema.ts';

export const AUDIT_VERIFY_FAILED = 'audit.verify.failed';
export const AUDIT_CHECKPOINT_REFUSED = 'audit.checkpoint.refused';

export interface AuditStatus {
  /** the last full verification: null until the first one has run */
  verification: {
    at: string;
    ok: boolean;
    entries: number;
    checkpoints: number;
    /** plain-English problems, first first */
    problems: string[];
  } | null;
  lastCheckpoint: { seq: number; at: string } | null;
}

export interface AuditTrailDeps {
  db: Kysely<Database>;
  key: CheckpointKey;
  log: CheckpointLog;
}

export interface AuditTrailOptions {
  /** how often a checkpoint is considered (10 s) */
  tickMs?: number;
  /** a checkpoint every this many entries (kernel default) … */
  checkpointEvery?: number;
  /** … or when the last one is this old (kernel default) */
  checkpointMaxAgeMs?: number;
  /** the whole verification's period (0: never on a schedule) */
  verifyIntervalMs: number;
}

export interface AuditTrail {
  status(): AuditStatus;
  verifyNow(): Promise<AuditStatus>;
  checkpointNow(): Promise<CheckpointOutcome>;
  /** stops the timers; writes a last checkpoint if entries came since the last one */
  stop(): Promise<void>;
}

const brief = (cp: SignedCheckpoint | null) => (cp ? { seq: cp.seq, at: cp.at } : null);

export function startAuditTrail(deps: AuditTrailDeps, o: AuditTrailOptions, logger: FastifyBaseLogger): AuditTrail {
  const checkpointer = new AuditCheckpointer(deps.db, deps.key, deps.log, {
    ...(o.checkpointEvery !== undefined ? { every: o.checkpointEvery } : {}),
    ...(o.checkpointMaxAgeMs !== undefined ? { maxAgeMs: o.checkpointMaxAgeMs } : {}),
  });
  let verification: AuditStatus['verification'] = null;
  const status = (): AuditStatus => ({ verification, lastCheckpoint: brief(checkpointer.lastCheckpoint()) });

  // one at a time: a tick that finds the previous one still running skips
  let checkpointing: Promise<CheckpointOutcome> | null = null;
  const checkpoint = (run: (c: AuditCheckpointer) => Promise<CheckpointOutcome>): Promise<CheckpointOutcome> => {
    checkpointing ??= run(checkpointer)
      .then((r) => {
        if (r.kind === 'broken') {
          logger.error({ event: AUDIT_CHECKPOINT_REFUSED, since: brief(r.since), problem: r.problem }, 'audit journal: entries do not follow from the last checkpoint; nothing signed');
        }
        return r;
      })
      .finally(() => {
        checkpointing = null;
      });
    return checkpointing;
  };

  let verifying: Promise<AuditStatus> | null = null;
  const verifyNow = (): Promise<AuditStatus> => {
    verifying ??= (async () => {
      // a fresh checkpoint first, so the newest entries are compared too
      await checkpoint((c) => c.checkpointNow()).catch(() => null);
      const r = await verifyAuditTrail(deps.db, { log: deps.log, publicKey: deps.key.publicKey });
      const problems = r.problems.map(describeTrailProblem);
      verification = { at: new Date().toISOString(), ok: r.ok, entries: r.entries, checkpoints: r.checkpoints, problems };
      if (r.ok) logger.info({ event: 'audit.verify.ok', entries: r.entries, checkpoints: r.checkpoints }, 'audit journal verified');
      else logger.error({ event: AUDIT_VERIFY_FAILED, entries: r.entries, checkpoints: r.checkpoints, problems }, 'audit journal verification failed');
      return status();
    })().finally(() => {
      verifying = null;
    });
    return verifying;
  };

  const fail = (what: string) => (err: unknown) => logger.error({ err, event: AUDIT_VERIFY_FAILED }, `audit journal: ${what} could not run`);
  const timers: NodeJS.Timeout[] = [];
  timers.push(setInterval(() => void checkpoint((c) => c.tick()).catch(fail('checkpoint')), o.tickMs ?? 10_000));
  if (o.verifyIntervalMs > 0) {
    // a first verification soon after the start, then on the period
    timers.push(setTimeout(() => void verifyNow().catch(fail('verification')), Math.min(o.verifyIntervalMs, 30_000)));
    timers.push(setInterval(() => void verifyNow().catch(fail('verification')), o.verifyIntervalMs));
  }
  for (const t of timers) t.unref();

  return {
    status,
    verifyNow,
    checkpointNow: () => checkpoint((c) => c.checkpointNow()),
    async stop() {
      for (const t of timers) clearInterval(t);
      await verifying?.catch(() => null);
      await checkpoint((c) => c.checkpointNow()).catch(() => null);
    },
  };
}
