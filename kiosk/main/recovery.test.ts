import { describe, expect, it } from 'vitest';
import { DEFAULT_RECOVERY, decideRecovery, relaunchPlan } from './recovery.ts';
import type { RecoveryDecision, RecoveryEvent } from './recovery.ts';

const crash: RecoveryEvent = { kind: 'renderer-gone', reason: 'crashed' };

/** Feeds events one after another, `gapMs` apart, and returns every decision. */
function run(events: RecoveryEvent[], gapMs: number, start = 1_000_000): RecoveryDecision[] {
  let history: number[] = [];
  return events.map((e, i) => {
    const step = decideRecovery(history, e, start + i * gapMs);
    history = step.history;
    return step.decision;
  });
}

describe('renderer crashes', () => {
  it('reloads at once and ends the session the first times', () => {
    const [first, second] = run([crash, crash], 60_000);
    expect(first).toEqual({ action: 'reload', endSession: true, maintenance: false, delayMs: 0 });
    expect(second).toEqual({ action: 'reload', endSession: true, maintenance: false, delayMs: 0 });
  });

  it('recognises a crash loop: maintenance screen, then reloads backed off, doubling, then relaunches', () => {
    const decisions = run(Array.from({ length: 8 }, () => crash), 1_000);
    expect(decisions.map((d) => d.action)).toEqual(['reload', 'reload', 'reload', 'reload', 'reload', 'relaunch', 'relaunch', 'relaunch']);
    const delays = decisions.map((d) => ('delayMs' in d ? d.delayMs : -1));
    expect(delays).toEqual([0, 0, 5_000, 10_000, 20_000, 40_000, 80_000, 160_000]);
    expect(decisions.slice(2).every((d) => 'maintenance' in d && d.maintenance && d.endSession)).toBe(true);
  });

  it('caps the back-off', () => {
    const decisions = run(Array.from({ length: 20 }, () => crash), 100);
    const last = decisions.at(-1)!;
    expect(last).toMatchObject({ action: 'relaunch', delayMs: DEFAULT_RECOVERY.maxDelayMs });
  });

  it('forgets failures older than the window: a crash a day is not a loop', () => {
    const decisions = run(Array.from({ length: 10 }, () => crash), DEFAULT_RECOVERY.windowMs);
    expect(decisions.every((d) => d.action === 'reload' && !d.maintenance && d.delayMs === 0)).toBe(true);
  });

  it('treats every way a renderer goes as a failure, and does not retry a tampered one', () => {
    for (const reason of ['clean-exit', 'abnormal-exit', 'killed', 'oom', 'launch-failed', 'memory-eviction'] as const) {
      expect(run([{ kind: 'renderer-gone', reason }], 0)[0], reason).toMatchObject({ action: 'reload', endSession: true });
    }
    expect(run([{ kind: 'renderer-gone', reason: 'integrity-failure' }], 0)[0]).toEqual({ action: 'maintenance', endSession: true });
  });

  it('counts pages that fail to load like crashes', () => {
    const decisions = run([{ kind: 'load-failed', code: -6 }, crash, { kind: 'load-failed', code: -6 }], 1_000);
    expect(decisions[2]).toMatchObject({ action: 'reload', maintenance: true, delayMs: 5_000 });
  });

  it('ignores history entries from the future or that are not numbers', () => {
    const step = decideRecovery([Number.NaN, 5e15, Number.POSITIVE_INFINITY], crash, 1_000_000);
    expect(step.history).toEqual([1_000_000]);
    expect(step.decision).toMatchObject({ action: 'reload', maintenance: false });
  });
});

describe('other Chromium processes', () => {
  it('leaves a GPU crash to Chromium, but relaunches on a loop of them', () => {
    const gpu: RecoveryEvent = { kind: 'child-gone', type: 'GPU', reason: 'crashed' };
    const decisions = run(Array.from({ length: 7 }, () => gpu), 1_000);
    expect(decisions.slice(0, 5).every((d) => d.action === 'none')).toBe(true);
    expect(decisions[5]).toMatchObject({ action: 'relaunch', endSession: true, maintenance: true });
  });

  it('reloads the page when a utility process (camera capture) goes', () => {
    expect(run([{ kind: 'child-gone', type: 'Utility', reason: 'crashed' }], 0)[0]).toMatchObject({ action: 'reload', endSession: true });
  });

  it('relaunches when the zygote or another core process goes', () => {
    for (const type of ['Zygote', 'Sandbox helper', 'Unknown']) {
      expect(run([{ kind: 'child-gone', type, reason: 'crashed' }], 0)[0], type).toMatchObject({ action: 'relaunch', endSession: true, delayMs: 0 });
    }
  });

  it('ignores a child that exits cleanly', () => {
    const step = decideRecovery([], { kind: 'child-gone', type: 'Utility', reason: 'clean-exit' }, 1000);
    expect(step).toEqual({ decision: { action: 'none' }, history: [] });
  });
});

describe('relaunch', () => {
  it('lets systemd restart the service on the appliance, relaunches itself elsewhere', () => {
    expect(relaunchPlan({ INVOCATION_ID: 'abc' })).toEqual({ selfRelaunch: false, exitCode: 75 });
    expect(relaunchPlan({ NOTIFY_SOCKET: '/run/user/1000/systemd/notify' })).toEqual({ selfRelaunch: false, exitCode: 75 });
    expect(relaunchPlan({})).toEqual({ selfRelaunch: true, exitCode: 0 });
  });
});
