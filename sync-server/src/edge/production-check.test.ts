/**
 * Production's start-time check of the database, on both engines: the demo seed's console accounts that
 * still accept their published password and its kiosks that still carry their published token stop the
 * start (a ConfigError naming each); disabled accounts and revoked kiosks do not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disableConsoleAccount } from '../features/accounts/index.ts';
import { revokeKiosk } from '../features/fleet/index.ts';
import { openDatabase } from '../kernel/storage/database.ts';
import type { Storage } from '../kernel/storage/database.ts';
import { migrateToLatest } from '../kernel/storage/migrate.ts';
import { ConfigError } from './config.ts';
import { readSeedFile, seedDatabase } from './seed.ts';
import { startServer } from './server.ts';
import { DEMO_KIOSK_ID, DIALECTS, freshEnv, SEED_PATH } from '../../test-support/test-env.ts';
import type { TestEnv } from '../../test-support/test-env.ts';

/** A production staff token nobody published (the test support's token is published, in the repository). */
const SECRET_TOKEN = 'prod-0c2b7e5d9a14f3e8b6d1c47a';

describe.each(DIALECTS)('production start on a database with demo data (%s)', (dialect) => {
  let env: TestEnv;
  let storage: Storage;

  beforeAll(async () => {
    env = await freshEnv(dialect, false);
    storage = openDatabase(env.config.database);
    await migrateToLatest(storage.db, storage.dialect);
    await seedDatabase(storage.db, await readSeedFile(SEED_PATH));
  });
  afterAll(async () => {
    await storage?.db.destroy();
    await env?.cleanup();
  });

  async function problemsAtStart(): Promise<string[] | null> {
    try {
      const server = await startServer({ ...env.config, mode: 'production', staffToken: SECRET_TOKEN, seedPath: null }, { logger: false });
      await server.close();
      return null;
    } catch (err) {
      if (err instanceof ConfigError) return err.problems;
      throw err;
    }
  }

  it('names each demo account and kiosk until it is disabled or revoked', async () => {
    expect(await problemsAtStart()).toEqual([
      'database: console account "caf-chef" is the demo seed\'s, with its published password (disable it: npm run staff -- console-account disable --login caf-chef)',
      // the CAF's other roles' demo accounts
      'database: console account "caf-instructeur" is the demo seed\'s, with its published password (disable it: npm run staff -- console-account disable --login caf-instructeur)',
      'database: console account "caf-depot" is the demo seed\'s, with its published password (disable it: npm run staff -- console-account disable --login caf-depot)',
      'database: console account "caf-admin" is the demo seed\'s, with its published password (disable it: npm run staff -- console-account disable --login caf-admin)',
      'database: console account "mdph-chef" is the demo seed\'s, with its published password (disable it: npm run staff -- console-account disable --login mdph-chef)',
      // the other offices' readers (papers are sent only where someone reads them)
      'database: console account "cpam-accueil" is the demo seed\'s, with its published password (disable it: npm run staff -- console-account disable --login cpam-accueil)',
      'database: console account "mairie-accueil" is the demo seed\'s, with its published password (disable it: npm run staff -- console-account disable --login mairie-accueil)',
      'database: console account "sip-accueil" is the demo seed\'s, with its published password (disable it: npm run staff -- console-account disable --login sip-accueil)',
      'database: console account "cms-accueil" is the demo seed\'s, with its published password (disable it: npm run staff -- console-account disable --login cms-accueil)',
      // the structure admin's demo account, like the institutions' ones
      'database: console account "cms-admin" is the demo seed\'s, with its published password (disable it: npm run staff -- console-account disable --login cms-admin)',
      `database: kiosk "${DEMO_KIOSK_ID}" is the demo seed's, with its published token (revoke it: npm run staff -- kiosk revoke --id ${DEMO_KIOSK_ID})`,
    ]);
    await disableConsoleAccount(storage.db, storage.dialect, 'caf-chef');
    expect((await problemsAtStart())?.map((p) => /"([^"]+)"/.exec(p)?.[1])).toEqual(['caf-instructeur', 'caf-depot', 'caf-admin', 'mdph-chef', 'cpam-accueil', 'mairie-accueil', 'sip-accueil', 'cms-accueil', 'cms-admin', DEMO_KIOSK_ID]);
    for (const login of ['caf-instructeur', 'caf-depot', 'caf-admin', 'cpam-accueil', 'mairie-accueil', 'sip-accueil', 'cms-accueil']) await disableConsoleAccount(storage.db, storage.dialect, login);
    await disableConsoleAccount(storage.db, storage.dialect, 'mdph-chef');
    await disableConsoleAccount(storage.db, storage.dialect, 'cms-admin');
    await revokeKiosk(storage.db, storage.dialect, { kioskId: DEMO_KIOSK_ID, actor: { kind: 'staff', id: 'test' } });
    expect(await problemsAtStart()).toBeNull();
  });

  it('refuses a published staff token or a seed file given to startServer directly, nothing seeded', async () => {
    const persons = await storage.db.selectFrom('persons').select('id').execute();
    for (const staffToken of ['demo-staff-token-change-me', env.config.staffToken]) {
      await expect(startServer({ ...env.config, mode: 'production', staffToken, seedPath: SEED_PATH }, { logger: false })).rejects.toMatchObject({
        problems: [expect.stringMatching(/^FAC_STAFF_TOKEN: /), expect.stringMatching(/^FAC_SEED: /)],
      });
    }
    expect(await storage.db.selectFrom('persons').select('id').execute()).toHaveLength(persons.length);
  });
});
