/**
 * Inactivity: after `timeoutMs` without activity the session ends; during the last `warningMs` the
 * screen shows a countdown with "Je suis là". Activity = the person touching the screen or using the
 * kiosk (the renderer reports it, throttled).
 */
export interface IdleOptions {
  timeoutMs: number;
  warningMs: number;
  onWarning: (secondsLeft: number | null) => void;
  onTimeout: () => void;
}

export class IdleTimer {
  private deadline = 0;
  private timer: NodeJS.Timeout | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private warning = false;

  constructor(private opts: IdleOptions) {}

  /** Changes the durations; a running countdown restarts with them. */
  configure(d: { timeoutMs: number; warningMs: number }): void {
    this.opts = { ...this.opts, timeoutMs: d.timeoutMs, warningMs: Math.min(d.warningMs, d.timeoutMs) };
    if (this.running) this.touch();
  }

  get running(): boolean {
    return this.timer !== null;
  }

  /** (Re)starts the countdown from now. */
  touch(): void {
    this.clearTimers();
    this.deadline = Date.now() + this.opts.timeoutMs;
    if (this.warning) {
      this.warning = false;
      this.opts.onWarning(null);
    }
    const untilWarning = Math.max(0, this.opts.timeoutMs - this.opts.warningMs);
    this.timer = setTimeout(() => this.startWarning(), untilWarning);
    this.timer.unref();
  }

  stop(): void {
    this.clearTimers();
    if (this.warning) {
      this.warning = false;
      this.opts.onWarning(null);
    }
  }

  private startWarning(): void {
    this.warning = true;
    const tick = () => {
      const left = Math.max(0, Math.ceil((this.deadline - Date.now()) / 1000));
      if (left <= 0) {
        this.clearTimers();
        this.warning = false;
        this.opts.onTimeout();
        return;
      }
      this.opts.onWarning(left);
    };
    tick();
    this.ticker = setInterval(tick, 1000);
    this.ticker.unref();
    // keeps `running` true until the end
    this.timer = setTimeout(() => undefined, Math.max(0, this.deadline - Date.now()) + 1000);
    this.timer.unref();
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.ticker) clearInterval(this.ticker);
    this.timer = null;
    this.ticker = null;
  }
}
