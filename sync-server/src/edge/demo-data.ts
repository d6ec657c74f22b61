/**
 * What the repository publishes for the demo and the tests — a staff token, the demo seed's kiosk token
 * and console passwords — and that production therefore refuses (DESIGN.md §6: "production refuses demo
 * settings"). Everyone who read the README knows them; a production server that accepted them would be
 * open. The seed file is read where the repository keeps it; the staff tokens are named here.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** Used only in demo and test modes, where a staff token is not required. */
export const DEMO_STAFF_TOKEN = 'demo-staff-token-change-me';

/** The repository's demo seed: sync-server/src/edge/ → ../../../assets/seed/demo.json */
export const DEMO_SEED_PATH = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..'), 'assets', 'seed', 'demo.json');

/** Staff tokens written in the repository (README, start script, test support). */
const PUBLISHED_STAFF_TOKENS = [DEMO_STAFF_TOKEN, 'test-staff-token-0123456789'];

/** Only what this check needs of a seed file; the full schema (edge/seed.ts) is for loading it. */
const SeedSecrets = z.object({
  kiosks: z.array(z.object({ id: z.string(), token: z.string() })).default([]),
  consoleAccounts: z.array(z.object({ login: z.string(), password: z.string() })).default([]),
});

export interface PublishedDemo {
  /** the demo seed's console accounts and their published password */
  consoleAccounts: { login: string; password: string }[];
  /** the demo seed's kiosks and their published token */
  kiosks: { id: string; token: string }[];
  /** every published secret, whatever it was published for */
  secrets: ReadonlySet<string>;
}

/** The published demo data; a seed file that cannot be read adds nothing (the named tokens remain). */
export function publishedDemo(seedPath: string = DEMO_SEED_PATH): PublishedDemo {
  let seed: z.infer<typeof SeedSecrets> = { kiosks: [], consoleAccounts: [] };
  try {
    const parsed = SeedSecrets.safeParse(JSON.parse(readFileSync(seedPath, 'utf8')));
    if (parsed.success) seed = parsed.data;
  } catch {
    // no seed file where this server runs: only the named tokens are known
  }
  return {
    consoleAccounts: seed.consoleAccounts,
    kiosks: seed.kiosks,
    secrets: new Set([...PUBLISHED_STAFF_TOKENS, ...seed.kiosks.map((k) => k.token), ...seed.consoleAccounts.map((a) => a.password)]),
  };
}

/** A secret anyone can read in the repository, or one that says it is to be changed. */
export function isPublishedSecret(value: string, demo: PublishedDemo = publishedDemo()): boolean {
  return demo.secrets.has(value) || /change[-_ ]?me/i.test(value);
}
