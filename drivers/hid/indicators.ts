/**
 * The semantic states the kiosk drives, and the LED ring command each one becomes. Every state has
 * its own pattern, so colour is never the only cue (colour-blind users, a ring seen from the side).
 */
import type { LedCommand } from './protocol.ts';

export const INDICATORS = ['off', 'waiting', 'reading', 'ok', 'error', 'attention'] as const;
export type Indicator = (typeof INDICATORS)[number];

export const INDICATOR_LED: Readonly<Record<Indicator, LedCommand>> = {
  /** nothing to say (kiosk closed, box unused) */
  off: { r: 0, g: 0, b: 0, pattern: 'off', periodMs: 0 },
  /** ready for a card: calm blue breathing, 4 s per breath */
  waiting: { r: 0, g: 90, b: 255, pattern: 'breathe', periodMs: 4000 },
  /** reading the card / working: blue spinning, one turn per second */
  reading: { r: 0, g: 90, b: 255, pattern: 'spin', periodMs: 1000 },
  /** session open, operation done: steady green */
  ok: { r: 0, g: 200, b: 60, pattern: 'steady', periodMs: 0 },
  /** refused card, wrong PIN, fault: fast red blinking (2 per second) */
  error: { r: 255, g: 0, b: 0, pattern: 'blink', periodMs: 500 },
  /** the person must act (take the card back, idle countdown): slow amber blinking */
  attention: { r: 255, g: 140, b: 0, pattern: 'blink', periodMs: 1200 },
};

export function isIndicator(v: unknown): v is Indicator {
  return typeof v === 'string' && (INDICATORS as readonly string[]).includes(v);
}

/** The indicator a LED state shows, or null for a state the driver never sends. */
export function indicatorOf(led: LedCommand): Indicator | null {
  for (const name of INDICATORS) {
    const c = INDICATOR_LED[name];
    if (led.pattern === 'off' && c.pattern === 'off') return name;
    if (c.r === led.r && c.g === led.g && c.b === led.b && c.pattern === led.pattern && c.periodMs === led.periodMs) return name;
  }
  return null;
}
