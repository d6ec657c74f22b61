/**
 * Agents who stopped coming are suspended (docs/agents.md): an agent whose card has not opened a kiosk
 * session for AGENT_INACTIVITY_DAYS may no longer act, until their structure's admin reactivates them.
 * A forgotten agent card is a way into people's papers; the structure is the one to say it is still in use.
 * Each suspension is journaled by features/agents; this job only runs it on a schedule.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { suspendInactiveAgents } from '../../features/agents/index.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';

/** Often enough that a suspension comes within hours of the day it is due. */
export const AGENT_INACTIVITY_INTERVAL_MS = 6 * 3_600_000;
/** The first round soon after start (a server restarted daily would otherwise never run it). */
const FIRST_ROUND_MS = 60_000;

export interface AgentInactivityDeps {
  db: Kysely<Database>;
  dialect: Dialect;
}

/** One round: the persons suspended now. */
export function runAgentInactivity(deps: AgentInactivityDeps, o: { now?: Date } = {}): Promise<string[]> {
  return suspendInactiveAgents(deps.db, deps.dialect, o.now ?? new Date());
}

/** Runs a round soon after start, then every `intervalMs` (0: never); returns the function that stops it. */
export function scheduleAgentInactivity(deps: AgentInactivityDeps, log: FastifyBaseLogger, intervalMs: number = AGENT_INACTIVITY_INTERVAL_MS): () => void {
  if (intervalMs <= 0) return () => {};
  const round = () =>
    runAgentInactivity(deps).then(
      (suspended) => {
        if (suspended.length > 0) log.info({ count: suspended.length }, 'inactive agents suspended');
      },
      (err: unknown) => log.warn({ err }, 'agent inactivity round failed'),
    );
  const first = setTimeout(() => void round(), Math.min(FIRST_ROUND_MS, intervalMs));
  first.unref();
  const timer = setInterval(() => void round(), intervalMs);
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
