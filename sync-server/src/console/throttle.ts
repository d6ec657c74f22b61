/**
 * Failed console logins, per login and address, in memory (one server process; several instances each
 * count their own): after `max` failures within `windowMs`, further attempts are refused until the
 * oldest failure leaves the window, even with the right password.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    readonly max = 5,
    readonly windowMs = 15 * 60_000,
    /** beyond this many keys, the oldest are dropped (memory stays bounded under a spray of logins) */
    readonly maxKeys = 10_000,
  ) {}

  private key(login: string, ip: string): string {
    return `${login.toLowerCase()}\u0000${ip}`;
  }

  private recent(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }

  /** null when an attempt may be made; else the milliseconds until the next one may. */
  blockedFor(login: string, ip: string, now = Date.now()): number | null {
    const list = this.recent(this.key(login, ip), now);
    if (list.length < this.max) return null;
    return list[list.length - this.max]! + this.windowMs - now;
  }

  fail(login: string, ip: string, now = Date.now()): void {
    const key = this.key(login, ip);
    const list = this.recent(key, now);
    list.push(now);
    // re-inserted last: Map order is then oldest activity first
    this.failures.delete(key);
    this.failures.set(key, list.slice(-this.max));
    while (this.failures.size > this.maxKeys) {
      const oldest = this.failures.keys().next().value;
      if (oldest === undefined) break;
      this.failures.delete(oldest);
    }
  }

  succeed(login: string, ip: string): void {
    this.failures.delete(this.key(login, ip));
  }
}
