/** Person look-ups by the identifier printed on the card. */
import type { Kysely } from 'kysely';
import type { CardholderAck } from '../../../protocol/socket.ts';
import { checkIdentifier } from '../../../protocol/identifier.ts';
import type { Database, PersonRow } from '../../kernel/storage/schema.ts';

export async function findPersonByIdentifier(db: Kysely<Database>, identifier: string): Promise<PersonRow | undefined> {
  return db.selectFrom('persons').selectAll().where('identifier', '=', identifier).executeTakeFirst();
}

/** The kiosk's greeting: first name and role for an identifier read from a card. */
export async function cardholderGreeting(db: Kysely<Database>, rawIdentifier: string): Promise<CardholderAck> {
  const check = checkIdentifier(rawIdentifier);
  if (!check.ok) return { ok: false, error: { code: 'invalid', message: `Identifiant illisible (${check.reason}).` } };
  const person = await findPersonByIdentifier(db, check.identifier);
  if (!person) return { ok: false, error: { code: 'unknown', message: 'Cette carte n’est pas connue.' } };
  return { ok: true, firstName: person.first_name, role: person.role };
}
