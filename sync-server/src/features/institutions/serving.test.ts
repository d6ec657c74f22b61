/** Which persons an institution serves (serving.ts), on both databases: each ground alone, and none. */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogue } from '../aids/index.ts';
import type { AidCatalogue } from '../aids/index.ts';
import type { ApplicationStateColumn, Database } from '../../kernel/storage/schema.ts';
import { seededDatabaseSuite } from '../../../test-support/db-suite.ts';
import { DIALECTS } from '../../../test-support/test-env.ts';
import { addPerson } from '../../../test-support/test-cards.ts';
import { aidsConcerning, servesPerson } from './serving.ts';

const CAF = { id: 'caf', kind: 'caf' };
const CPAM = { id: 'cpam', kind: 'cpam' };
const SIP = { id: 'sip', kind: 'impots' };
const MDPH = { id: 'mdph', kind: 'mdph' };

describe.each(DIALECTS)('institutions serving a person (%s)', (dialect) => {
  let db: Kysely<Database>;
  let catalogue: AidCatalogue;
  seededDatabaseSuite(dialect, (s) => ({ db } = s));
  beforeAll(async () => {
    catalogue = await loadCatalogue();
  });

  const now = () => new Date().toISOString();
  async function request(personId: string, aidId: string, state: ApplicationStateColumn): Promise<void> {
    await db.insertInto('applications').values({ id: randomUUID(), person_id: personId, aid_id: aidId, state, created_at: now(), updated_at: now(), submitted_at: null, decided_at: null, decision_reason: null }).execute();
  }
  const serves = async (personId: string) =>
    Object.fromEntries(await Promise.all([CAF, CPAM, SIP, MDPH].map(async (i) => [i.id, await servesPerson(db, catalogue, i, personId)] as const)));

  it('knows the aids a kind handles or provides a paper for', () => {
    expect(aidsConcerning(catalogue, 'cpam')).toContain('css');
    expect(aidsConcerning(catalogue, 'impots')).toEqual(expect.arrayContaining(['cheque-energie', 'css', 'aah']));
    expect(aidsConcerning(catalogue, 'impots')).not.toContain('rsa');
  });

  it('serves nobody by default', async () => {
    const p = await addPerson(db);
    expect(await serves(p.id)).toEqual({ caf: false, cpam: false, sip: false, mdph: false });
  });

  it('a request under way: the institution that handles it, and those that issue a paper it asks for', async () => {
    const p = await addPerson(db);
    await request(p.id, 'css', 'collecting-pieces');
    expect(await serves(p.id)).toEqual({ caf: false, cpam: true, sip: true, mdph: false });
    const q = await addPerson(db);
    await request(q.id, 'css', 'refused');
    await request(q.id, 'rsa', 'closed');
    await request(q.id, 'aah', 'draft');
    expect(await serves(q.id)).toEqual({ caf: false, cpam: false, sip: false, mdph: false });
  });

  it('a letter to the institution, or a paper it put in the vault before', async () => {
    const p = await addPerson(db);
    await db.insertInto('threads').values({ id: randomUUID(), person_id: p.id, institution_id: 'mdph', subject: 'Question', created_at: now(), updated_at: now() }).execute();
    const sha256 = randomUUID().replace(/-/g, '').padEnd(64, '0');
    await db.insertInto('blobs').values({ sha256, size: 1, mime: 'application/pdf', created_at: now(), uploaded_by: null, referenced_at: now() }).execute();
    await db
      .insertInto('documents')
      .values({ id: randomUUID(), owner_person_id: p.id, vault: 'institutional', doc_type: 'tax-notice', institution_id: 'sip', current_version: 1, created_at: now(), updated_at: now(), title: 'Avis', issued_on: null, expires_on: null })
      .execute();
    expect(await serves(p.id)).toEqual({ caf: false, cpam: false, sip: true, mdph: true });
  });
});
