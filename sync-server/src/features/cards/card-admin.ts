/**
 * Staff operations on issued cards: block a lost or stolen card (it joins the revocation list), unblock
 * a PIN over PC/SC with the derived admin PIN, list cards. Each change is journaled.
 */
import type { Kysely } from 'kysely';
import type { CardConnection } from '../../../../drivers/pcsc/connection.ts';
import { OpenPgpCard } from '../../../../drivers/pcsc/openpgp.ts';
import { checkIdentifier } from '../../../protocol/identifier.ts';
import type { RevocationReason } from '../../../protocol/revocation.ts';
import { appendAudit } from '../../kernel/audit.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { CardStatus, Database, PersonRole } from '../../kernel/storage/schema.ts';
import type { LoadedCa } from './ca-store.ts';
import { checkPin } from './card-data.ts';
import { CardAdminError } from './errors.ts';
import { derivePw3 } from './pw3.ts';

export type StaffActor = { kind: 'staff'; id: string };

export interface BlockResult {
  serial: string;
  /** false when the card was blocked already */
  changed: boolean;
  status: CardStatus;
}

/**
 * Blocks a card (lost, stolen, deceased, other): status `blocked`, never active again. The caller then
 * publishes the revocation list. "replaced" is not a reason here: replacing goes through issuance.
 */
export async function blockCard(
  db: Kysely<Database>,
  dialect: Dialect,
  o: { serial: string; reason: Exclude<RevocationReason, 'replaced'>; actor: StaffActor; now?: Date },
): Promise<BlockResult> {
  const serial = o.serial.toUpperCase();
  const at = (o.now ?? new Date()).toISOString();
  return db.transaction().execute(async (trx) => {
    const card = await trx.selectFrom('cards').selectAll().where('serial', '=', serial).executeTakeFirst();
    if (!card) throw new CardAdminError('unknown-card', `no card ${serial}`);
    if (card.status !== 'active') return { serial, changed: false, status: card.status };
    await trx.updateTable('cards').set({ status: 'blocked', revoked_at: at, revocation_reason: o.reason }).where('serial', '=', serial).where('status', '=', 'active').execute();
    await appendAudit(trx, dialect, {
      actor: o.actor,
      action: 'card.block',
      subjectPersonId: card.person_id,
      documentId: null,
      ground: 'staff-administration',
      detail: { cardSerial: serial, reason: o.reason },
      at,
    });
    return { serial, changed: true, status: 'blocked' as const };
  });
}

/**
 * Unblocks the PIN of the card in the reader: VERIFY the derived admin PIN, RESET RETRY COUNTER with
 * the new PIN. Refused for a card the platform does not know or has blocked.
 */
export async function unblockPin(o: {
  db: Kysely<Database>;
  dialect: Dialect;
  ca: LoadedCa;
  connection: CardConnection;
  newPin: string;
  actor: StaffActor;
  now?: Date;
}): Promise<{ serial: string; identifier: string }> {
  checkPin(o.newPin);
  const card = await OpenPgpCard.select(o.connection);
  const { serial } = await card.readAid();
  const row = await o.db
    .selectFrom('cards')
    .innerJoin('persons', 'persons.id', 'cards.person_id')
    .select(['cards.status', 'cards.person_id', 'persons.identifier'])
    .where('cards.serial', '=', serial)
    .executeTakeFirst();
  if (!row) throw new CardAdminError('unknown-card', `card ${serial} is not known to the platform`);
  if (row.status !== 'active') throw new CardAdminError('card-revoked', `card ${serial} is ${row.status}: unblocking it would not make it usable`);
  const status = await card.pinStatus(0x83);
  if (!status.verified && 'blocked' in status) throw new CardAdminError('admin-pin-blocked', 'the card’s admin PIN is blocked');
  const verified = await card.verifyPin(derivePw3(o.ca.pw3Secret, serial), 0x83);
  if (!verified.ok) throw new CardAdminError('admin-pin', `the card refused the platform admin PIN (${'blocked' in verified ? 'now blocked' : `${verified.triesLeft} tries left`})`);
  const reset = await card.resetRetryCounter(o.newPin);
  if (!reset.ok) throw new CardAdminError('card-refused', 'the card refused the new PIN');
  await o.db.transaction().execute((trx) =>
    appendAudit(trx, o.dialect, {
      actor: o.actor,
      action: 'card.pin.unblock',
      subjectPersonId: row.person_id,
      documentId: null,
      ground: 'staff-administration',
      detail: { cardSerial: serial },
      at: (o.now ?? new Date()).toISOString(),
    }),
  );
  return { serial, identifier: row.identifier };
}

export interface CardListing {
  serial: string;
  identifier: string;
  firstName: string;
  lastName: string;
  role: PersonRole | null;
  status: CardStatus;
  issuedAt: string;
  certificateSerial: string | null;
  notAfter: string | null;
  revokedAt: string | null;
  revocationReason: string | null;
  replacedBy: string | null;
}

export async function listCards(db: Kysely<Database>, identifier?: string): Promise<CardListing[]> {
  let q = db
    .selectFrom('cards')
    .innerJoin('persons', 'persons.id', 'cards.person_id')
    .select([
      'cards.serial',
      'persons.identifier',
      'persons.first_name',
      'persons.last_name',
      'cards.role',
      'cards.status',
      'cards.issued_at',
      'cards.certificate_serial',
      'cards.not_after',
      'cards.revoked_at',
      'cards.revocation_reason',
      'cards.replaced_by',
    ])
    .orderBy('persons.identifier')
    .orderBy('cards.issued_at');
  if (identifier !== undefined) {
    const check = checkIdentifier(identifier);
    if (!check.ok) throw new CardAdminError('invalid', `invalid identifier (${check.reason})`);
    q = q.where('persons.identifier', '=', check.identifier);
  }
  const rows = await q.execute();
  return rows.map((r) => ({
    serial: r.serial,
    identifier: r.identifier,
    firstName: r.first_name,
    lastName: r.last_name,
    role: r.role,
    status: r.status,
    issuedAt: r.issued_at,
    certificateSerial: r.certificate_serial,
    notAfter: r.not_after,
    revokedAt: r.revoked_at,
    revocationReason: r.revocation_reason,
    replacedBy: r.replaced_by,
  }));
}

/** The identifier of the person a card was issued to (null for a card the platform does not know). */
export async function cardHolder(db: Kysely<Database>, serial: string): Promise<{ identifier: string } | null> {
  const row = await db
    .selectFrom('cards')
    .innerJoin('persons', 'persons.id', 'cards.person_id')
    .select('persons.identifier')
    .where('cards.serial', '=', serial)
    .executeTakeFirst();
  return row ?? null;
}
