/**
 * At start in production, after the migrations: the database must not hold the repository's demo data
 * in a usable state — the demo seed's console accounts still accepting their published password, the
 * demo seed's kiosks still carrying their published token. Each is named with what to do about it; the
 * server does not start (main.ts exits 2), as for a bad configuration.
 */
import type { Kysely } from 'kysely';
import { activeAccountsAcceptingPasswords } from '../features/accounts/index.ts';
import { activeKiosksWithTokenHashes } from '../features/fleet/index.ts';
import { tokenHash } from '../kernel/secrets.ts';
import type { Database } from '../kernel/storage/schema.ts';
import { publishedDemo } from './demo-data.ts';
import type { PublishedDemo } from './demo-data.ts';

export async function demoDataProblems(db: Kysely<Database>, demo: PublishedDemo = publishedDemo()): Promise<string[]> {
  const problems: string[] = [];
  for (const login of await activeAccountsAcceptingPasswords(db, demo.consoleAccounts)) {
    problems.push(`database: console account "${login}" is the demo seed's, with its published password (disable it: npm run staff -- console-account disable --login ${login})`);
  }
  for (const id of await activeKiosksWithTokenHashes(db, demo.kiosks.map((k) => tokenHash(k.token)))) {
    problems.push(`database: kiosk "${id}" is the demo seed's, with its published token (revoke it: npm run staff -- kiosk revoke --id ${id})`);
  }
  return problems;
}
