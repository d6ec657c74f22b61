/**
 * Exponential backoff with jitter: the n-th delay is drawn between half and all of
 * `min(maxMs, baseMs × 2ⁿ)`, so a fleet of kiosks that lost the same server does not retry in step, and
 * a kiosk never waits less than half of what the backoff reached (no burst of instant retries).
 */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly baseMs = 500,
    private readonly maxMs = 60_000,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 30);
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
