/** Person look-ups by the identifier printed on the card. */
import type { Kysely } from 'kysely';
import { randomUUID } from 'node:crypto';
import type { CardholderAck } from '../../../protocol/socket.ts';
import { checkIdentifier } from '../../../protocol/identifier.ts';
import type { Database, PersonRow } from '../../kernel/storage/schema.ts';
import { PERSON_ANSWER } from '../../kernel/words/sync.ts';

export async function findPersonByIdentifier(db: Kysely<Database>, identifier: string): Promise<PersonRow | undefined> {
  return db.selectFrom('persons').selectAll().where('identifier', '=', identifier).executeTakeFirst();
}

/** The kiosk's greeting: first name and role for an identifier read from a card. */
export async function cardholderGreeting(db: Kysely<Database>, rawIdentifier: string): Promise<CardholderAck> {
  const check = checkIdentifier(rawIdentifier);
  if (!check.ok) return { ok: false, error: { code: 'invalid', message: PERSON_ANSWER.unreadableId(check.reason) } };
  const person = await findPersonByIdentifier(db, check.identifier);
  if (!person) return { ok: false, error: { code: 'unknown', message: PERSON_ANSWER.cardUnknown } };
  return { ok: true, firstName: person.first_name, role: person.role };
}

/** A person's name and identifier, as printed on their papers (the person exists: a session names them). */
export async function personNameOf(db: Kysely<Database>, personId: string): Promise<{ firstName: string; lastName: string; identifier: string }> {
  const p = await db.selectFrom('persons').select(['first_name', 'last_name', 'identifier']).where('id', '=', personId).executeTakeFirstOrThrow();
  return { firstName: p.first_name, lastName: p.last_name, identifier: p.identifier };
}

export interface SeedPerson {
  identifier: string;
  firstName: string;
  lastName: string;
  birthDate: string;
  role: 'beneficiary' | 'agent';
  card?: { serial: string } | undefined;
}

/** Demo and test data: inserts the persons (and their cards) that are missing; counts what was inserted. */
export async function seedPersons(db: Kysely<Database>, persons: readonly SeedPerson[], at: string): Promise<{ persons: number; cards: number }> {
  const counts = { persons: 0, cards: 0 };
  for (const p of persons) {
    const r = await db
      .insertInto('persons')
      .values({ id: randomUUID(), identifier: p.identifier, first_name: p.firstName, last_name: p.lastName, birth_date: p.birthDate, role: p.role, created_at: at })
      .onConflict((oc) => oc.column('identifier').doNothing())
      .executeTakeFirst();
    counts.persons += Number(r.numInsertedOrUpdatedRows ?? 0);
    if (p.card) {
      const person = await db.selectFrom('persons').select('id').where('identifier', '=', p.identifier).executeTakeFirstOrThrow();
      const c = await db
        .insertInto('cards')
        .values({ serial: p.card.serial, person_id: person.id, status: 'active', issued_at: at })
        .onConflict((oc) => oc.column('serial').doNothing())
        .executeTakeFirst();
      counts.cards += Number(c.numInsertedOrUpdatedRows ?? 0);
    }
  }
  return counts;
}

export async function anyPerson(db: Kysely<Database>): Promise<boolean> {
  return (await db.selectFrom('persons').select('id').limit(1).executeTakeFirst()) !== undefined;
}
