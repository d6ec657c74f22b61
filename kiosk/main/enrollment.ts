/**
 * First start: a kiosk that has not been enrolled with the sync-server yet shows an enrollment screen
 * instead of the app. The enrollment itself comes with the sync work; this is the hook the shell calls.
 */
import type { KioskConfig } from '../core/config.ts';

export interface EnrollmentHook {
  /** true when this kiosk has no credentials of its own yet */
  needed(): Promise<boolean>;
  /** the page (a path of the `app:` protocol) shown until enrollment completes */
  readonly page: string;
  /** resolves once enrolled; the shell then loads the app */
  completed(): Promise<void>;
}

/** Today: every kiosk is configured (FAC_KIOSK_ID / FAC_KIOSK_TOKEN), nothing to enroll. */
export function createEnrollmentHook(_config: KioskConfig): EnrollmentHook {
  return {
    needed: async () => false,
    page: '/',
    completed: async () => undefined,
  };
}
