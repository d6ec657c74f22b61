/**
 * What the shell does when Chromium loses a process: the rules as a pure function of the recent history,
 * so a crash loop is recognised and backed off instead of spinning (and the watchdog keeps working).
 *
 * - Any recovery ends the open session first: whatever the person saw is gone, and the card must not stay
 *   logged in behind a blank or reloaded screen.
 * - The first failures in a window reload the page at once.
 * - From `loopThreshold` failures in `windowMs`, the maintenance screen is shown and the reload waits,
 *   doubling each time up to `maxDelayMs`.
 * - From `relaunchThreshold` failures, the whole app is relaunched (a fresh browser process), still backed off.
 * - A GPU process crash is Chromium's to recover (it restarts it or falls back to software); only a loop of
 *   them relaunches. A utility process (camera capture, audio, network service) takes the page's camera
 *   stream with it: the page is reloaded. A renderer that fails its code integrity check is not retried.
 */

export type GoneReason = 'clean-exit' | 'abnormal-exit' | 'killed' | 'crashed' | 'oom' | 'launch-failed' | 'integrity-failure' | 'memory-eviction';

export type RecoveryEvent =
  | { kind: 'renderer-gone'; reason: GoneReason }
  | { kind: 'child-gone'; type: string; reason: GoneReason }
  /** the app page failed to load (did-fail-load on the main frame) */
  | { kind: 'load-failed'; code: number };

export type RecoveryDecision =
  | { action: 'none' }
  | {
      action: 'reload' | 'relaunch';
      /** end the open session now */
      endSession: boolean;
      /** show the maintenance screen while waiting */
      maintenance: boolean;
      delayMs: number;
    }
  /** give up retrying by itself: maintenance screen until a person (or the watchdog, or an update) steps in */
  | { action: 'maintenance'; endSession: boolean };

export interface RecoveryOptions {
  windowMs: number;
  loopThreshold: number;
  relaunchThreshold: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RECOVERY: RecoveryOptions = {
  windowMs: 10 * 60_000,
  loopThreshold: 3,
  relaunchThreshold: 6,
  baseDelayMs: 5_000,
  maxDelayMs: 5 * 60_000,
};

/** How long a renderer may stay unresponsive before it is killed (and then recovered as a crash). */
export const UNRESPONSIVE_GRACE_MS = 15_000;

export interface RecoveryStep {
  decision: RecoveryDecision;
  /** the failures still inside the window, this one included (feed it back next time) */
  history: number[];
}

function ignorable(e: RecoveryEvent): boolean {
  if (e.kind === 'child-gone') return e.reason === 'clean-exit';
  return false;
}

export function decideRecovery(history: readonly number[], event: RecoveryEvent, now: number, opts: RecoveryOptions = DEFAULT_RECOVERY): RecoveryStep {
  const recent = history.filter((t) => Number.isFinite(t) && t <= now && now - t < opts.windowMs);
  if (ignorable(event)) return { decision: { action: 'none' }, history: recent };
  if (event.kind === 'renderer-gone' && event.reason === 'integrity-failure') {
    return { decision: { action: 'maintenance', endSession: true }, history: [...recent, now] };
  }
  const next = [...recent, now];
  const n = next.length;
  if (event.kind === 'child-gone' && event.type === 'GPU' && n < opts.relaunchThreshold) {
    return { decision: { action: 'none' }, history: next };
  }
  const relaunch = n >= opts.relaunchThreshold || (event.kind === 'child-gone' && event.type !== 'GPU' && event.type !== 'Utility');
  if (n < opts.loopThreshold) {
    return { decision: { action: relaunch ? 'relaunch' : 'reload', endSession: true, maintenance: false, delayMs: 0 }, history: next };
  }
  const delayMs = Math.min(opts.baseDelayMs * 2 ** (n - opts.loopThreshold), opts.maxDelayMs);
  return { decision: { action: relaunch ? 'relaunch' : 'reload', endSession: true, maintenance: true, delayMs }, history: next };
}

/**
 * How to relaunch. Under systemd (the appliance) the service manager restarts us: exit with a code the
 * unit treats as a failure (Restart=always, with its own rate limit). Elsewhere Electron relaunches itself.
 */
export function relaunchPlan(env: Record<string, string | undefined>): { selfRelaunch: boolean; exitCode: number } {
  const underSystemd = Boolean(env.INVOCATION_ID) || Boolean(env.NOTIFY_SOCKET);
  return underSystemd ? { selfRelaunch: false, exitCode: 75 } : { selfRelaunch: true, exitCode: 0 };
}
