/**
 * systemd's notify protocol (sd_notify(3)) for the appliance's user service: READY=1 once the window shows
 * the app, WATCHDOG=1 while the main process is alive (WatchdogSec=), STATUS= for `systemctl status`,
 * STOPPING=1 on the way out.
 *
 * Node cannot send a datagram on an AF_UNIX socket without a native module, so the messages go through
 * `systemd-notify`, which waits until the manager has processed each one (a barrier). Because that helper
 * is our child, not the unit's main process, the unit says NotifyAccess=all. Outside systemd
 * (no NOTIFY_SOCKET) every call is a no-op.
 */
import { execFile } from 'node:child_process';

export const SYSTEMD_NOTIFY = '/usr/bin/systemd-notify';

type Env = Record<string, string | undefined>;

/** The notify socket, if any: an absolute path or an abstract socket ('@…'). */
export function notifySocket(env: Env): string | null {
  const s = env.NOTIFY_SOCKET;
  if (!s || s.length > 107 || s.includes('\0') || s.includes('\n')) return null;
  return s.startsWith('/') || s.startsWith('@') ? s : null;
}

/**
 * How often to ping the watchdog: half of WATCHDOG_USEC (systemd's advice), or null when no watchdog is
 * armed (absent or malformed).
 */
export function watchdogIntervalMs(env: Env): number | null {
  const usec = env.WATCHDOG_USEC;
  if (!usec || !/^\d{1,15}$/.test(usec)) return null;
  const wpid = env.WATCHDOG_PID;
  // the unit's main process is cage, our parent: NotifyAccess=all lets us ping for it, so WATCHDOG_PID (if
  // systemd passed it down) is cage's; only a malformed one disarms us
  if (wpid !== undefined && !/^\d{1,10}$/.test(wpid)) return null;
  const ms = Math.floor(Number(usec) / 1000 / 2);
  return ms >= 500 ? ms : null;
}

/** One `KEY=value` line: no newline may smuggle in another assignment. */
export function assignment(key: 'READY' | 'WATCHDOG' | 'STATUS' | 'STOPPING' | 'RELOADING' | 'ERRNO', value: string): string {
  const clean = value.replace(/[\r\n\0]+/g, ' ').slice(0, 400);
  return `${key}=${clean}`;
}

export interface SdNotifier {
  readonly active: boolean;
  send(...assignments: string[]): Promise<void>;
  ready(status?: string): Promise<void>;
  status(text: string): Promise<void>;
  watchdog(): Promise<void>;
  stopping(): Promise<void>;
  /** pings the watchdog every half period while `healthy()` says so; returns a stop function */
  startWatchdog(healthy?: () => boolean): () => void;
}

export interface SdNotifierOptions {
  env?: Env;
  /** the helper binary (tests may point at another build of it) */
  helper?: string;
  onError?: (err: Error) => void;
}

export function createSdNotifier(opts: SdNotifierOptions = {}): SdNotifier {
  const env = opts.env ?? process.env;
  const socket = notifySocket(env);
  const helper = opts.helper ?? SYSTEMD_NOTIFY;
  const onError = opts.onError ?? (() => undefined);
  const send = (...assignments: string[]): Promise<void> => {
    if (!socket || assignments.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      execFile(helper, assignments, { env: { NOTIFY_SOCKET: socket, PATH: '/usr/bin:/bin' }, timeout: 10_000 }, (err) => {
        if (err) onError(err);
        resolve();
      });
    });
  };
  return {
    active: socket !== null,
    send,
    ready: (status) => send(assignment('READY', '1'), ...(status ? [assignment('STATUS', status)] : [])),
    status: (text) => send(assignment('STATUS', text)),
    watchdog: () => send(assignment('WATCHDOG', '1')),
    stopping: () => send(assignment('STOPPING', '1')),
    startWatchdog(healthy = () => true) {
      const every = watchdogIntervalMs(env);
      if (!socket || every === null) return () => undefined;
      let busy = false;
      const timer = setInterval(() => {
        if (busy || !healthy()) return;
        busy = true;
        void send(assignment('WATCHDOG', '1')).finally(() => {
          busy = false;
        });
      }, every);
      timer.unref();
      return () => clearInterval(timer);
    },
  };
}
