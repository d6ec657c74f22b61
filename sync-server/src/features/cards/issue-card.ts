/**
 * Card issuance over PC/SC (DESIGN.md §4), as an issuing station does it with a blank OpenPGP card in
 * its reader: admin PIN, ECDSA P-256 attributes, keys generated ON the card (the public points are read
 * back), login data, name and language, the certificate issued by the platform CA, then the PINs.
 * The database records the card only once the card is complete, in one transaction with its audit
 * entries. If the process dies in between, the card is refused next time unless `force` (re-issue).
 *
 * Replacing a card is issuing a new one with `replaces`: the same transaction revokes the old card
 * (reason "replaced"); the caller then publishes the revocation list (revocations.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { checkCardCertificate } from '../../../protocol/card-certificate.ts';
import type { CardRole } from '../../../protocol/card-certificate.ts';
import type { CardConnection } from '../../../../drivers/pcsc/connection.ts';
import { openPgpFingerprint, PGP_ALGO_ECDSA } from '../../../../drivers/pcsc/ec.ts';
import { isPcscError } from '../../../../drivers/pcsc/errors.ts';
import { OpenPgpCard } from '../../../../drivers/pcsc/openpgp.ts';
import type { KeyRole } from '../../../../drivers/pcsc/openpgp.ts';
import { checkIdentifier, randomIdentifier } from '../../../protocol/identifier.ts';
import { appendAudit } from '../../kernel/audit.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { CardRow, Database, PersonRow } from '../../kernel/storage/schema.ts';
import { issueCardCertificate } from './ca.ts';
import type { LoadedCa } from './ca-store.ts';
import { cardholderNameBytes, checkPin, checkPersonName } from './card-data.ts';
import { CardAdminError } from './errors.ts';
import { derivePw3, FACTORY_PW1, FACTORY_PW3 } from './pw3.ts';

export type NewPerson = { firstName: string; lastName: string; birthDate: string };

export interface IssueCardOptions {
  db: Kysely<Database>;
  dialect: Dialect;
  ca: LoadedCa;
  /** a connection to the card in the issuing reader (ReaderManager.connect); the caller disconnects */
  connection: CardConnection;
  /** an existing person, or a new one (who gets a fresh identifier); with `replaces`, the old card's holder is used */
  person: { identifier: string } | NewPerson;
  /** the holder's PIN (PW1): 6 to 8 digits, protocol/card-pin.ts */
  pin: string;
  /** defaults to the person's role; must match it */
  role?: CardRole;
  /** certificate validity; default 10 years, never beyond the CA's */
  validityYears?: number;
  /** re-issue a card that already holds a certificate (its keys are replaced) */
  force?: boolean;
  /** serial of the card this one replaces (same person); it is revoked as "replaced" */
  replaces?: string;
  actor?: { kind: 'staff'; id: string };
  now?: () => Date;
  random?: (n: number) => Uint8Array;
}

export interface IssuedCard {
  serial: string;
  personId: string;
  identifier: string;
  firstName: string;
  lastName: string;
  role: CardRole;
  certificateSerial: string;
  notAfter: string;
  /** true when the card held a certificate before (force) */
  reissued: boolean;
  newPerson: boolean;
  /** the replaced card's serial */
  replaced: string | null;
}

/** OpenPGP algorithm attributes for ECDSA over P-256: 0x13 + OID 1.2.840.10045.3.1.7. */
const ATTR_ECDSA_P256 = Uint8Array.from([0x13, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]);
const ATTR_TAG: Record<'sig' | 'aut', number> = { sig: 0xc1, aut: 0xc3 };
const FP_TAG: Record<'sig' | 'aut', number> = { sig: 0xc7, aut: 0xc9 };
const TIME_TAG: Record<'sig' | 'aut', number> = { sig: 0xce, aut: 0xd0 };
/** notBefore is set a little in the past: a kiosk whose clock runs behind still accepts a new card. */
const CLOCK_SKEW_MS = 10 * 60 * 1000;

/** Attributes announce ECDSA P-256 (some cards add an import-format byte 00 or FF). */
function isEcdsaP256(attr: Uint8Array): boolean {
  const head = attr.subarray(0, ATTR_ECDSA_P256.length);
  const tail = attr.subarray(ATTR_ECDSA_P256.length);
  return head.length === ATTR_ECDSA_P256.length && head.every((b, i) => b === ATTR_ECDSA_P256[i]) && (tail.length === 0 || (tail.length === 1 && (tail[0] === 0x00 || tail[0] === 0xff)));
}

function u32(n: number): Uint8Array {
  return Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Wraps a card command: a status-word failure becomes `card-refused`, transport errors pass through. */
async function onCard<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (isPcscError(e) && (e.code === 'unexpected-status' || e.code === 'malformed-response' || e.code === 'no-key')) {
      throw new CardAdminError('card-refused', `the card refused ${what}: ${e.message}`, { cause: e });
    }
    throw e;
  }
}

interface ResolvedPerson {
  existing: PersonRow | null;
  id: string;
  identifier: string;
  firstName: string;
  lastName: string;
  birthDate: string;
  role: CardRole;
}

async function freshIdentifier(db: Kysely<Database>, random: (n: number) => Uint8Array): Promise<string> {
  for (let i = 0; i < 8; i++) {
    const identifier = randomIdentifier(random);
    const taken = await db.selectFrom('persons').select('id').where('identifier', '=', identifier).executeTakeFirst();
    if (!taken) return identifier;
  }
  throw new Error('could not draw an unused identifier');
}

async function resolvePerson(opts: IssueCardOptions, oldCard: CardRow | null, random: (n: number) => Uint8Array): Promise<ResolvedPerson> {
  const { db } = opts;
  let existing: PersonRow | undefined;
  if (oldCard) {
    existing = await db.selectFrom('persons').selectAll().where('id', '=', oldCard.person_id).executeTakeFirstOrThrow();
  } else if ('identifier' in opts.person) {
    const check = checkIdentifier(opts.person.identifier);
    if (!check.ok) throw new CardAdminError('invalid', `invalid identifier (${check.reason})`);
    existing = await db.selectFrom('persons').selectAll().where('identifier', '=', check.identifier).executeTakeFirst();
    if (!existing) throw new CardAdminError('unknown-person', `no person with identifier ${check.identifier}`);
  }
  if (existing) {
    const role = opts.role ?? existing.role;
    if (role !== existing.role) throw new CardAdminError('role-mismatch', `${existing.identifier} is ${existing.role}, not ${role}`);
    return { existing, id: existing.id, identifier: existing.identifier, firstName: existing.first_name, lastName: existing.last_name, birthDate: existing.birth_date, role };
  }
  const p = opts.person as NewPerson;
  const firstName = checkPersonName(p.firstName, 'first name');
  const lastName = checkPersonName(p.lastName, 'last name');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(p.birthDate) || Number.isNaN(Date.parse(`${p.birthDate}T00:00:00Z`)) || new Date(`${p.birthDate}T00:00:00Z`).toISOString().slice(0, 10) !== p.birthDate) {
    throw new CardAdminError('invalid', 'birth date must be YYYY-MM-DD');
  }
  return { existing: null, id: randomUUID(), identifier: await freshIdentifier(db, random), firstName, lastName, birthDate: p.birthDate, role: opts.role ?? 'beneficiary' };
}

/** Verifies PW3, trying the likelier of the factory and derived admin PINs first, never exhausting it. */
async function verifyAdminPin(card: OpenPgpCard, derived: string, issuedBefore: boolean): Promise<string> {
  const status = await card.pinStatus(0x83);
  if (!status.verified && 'blocked' in status) throw new CardAdminError('admin-pin-blocked', 'the card’s admin PIN is blocked: the card cannot be issued');
  const candidates = issuedBefore ? [derived, FACTORY_PW3] : [FACTORY_PW3, derived];
  for (const candidate of candidates) {
    const r = await card.verifyPin(candidate, 0x83);
    if (r.ok) return candidate;
    if ('blocked' in r) throw new CardAdminError('admin-pin-blocked', 'the card’s admin PIN is now blocked');
    // keep at least one try for staff: never spend the last one guessing
    if (r.triesLeft < 2) break;
  }
  throw new CardAdminError('admin-pin', 'the card refused the factory and the platform admin PINs');
}

export async function issueCard(opts: IssueCardOptions): Promise<IssuedCard> {
  const now = opts.now ?? (() => new Date());
  const random = opts.random ?? ((n: number) => new Uint8Array(randomBytes(n)));
  const { db, ca } = opts;
  checkPin(opts.pin);
  const validityYears = opts.validityYears ?? 10;
  if (!Number.isInteger(validityYears) || validityYears < 1 || validityYears > 20) throw new CardAdminError('invalid', 'validity must be 1 to 20 years');

  let oldCard: CardRow | null = null;
  if (opts.replaces !== undefined) {
    oldCard = (await db.selectFrom('cards').selectAll().where('serial', '=', opts.replaces.toUpperCase()).executeTakeFirst()) ?? null;
    if (!oldCard) throw new CardAdminError('replace-invalid', `no card ${opts.replaces} to replace`);
    if (oldCard.status === 'revoked') throw new CardAdminError('replace-invalid', `card ${oldCard.serial} was replaced already`);
  }
  const person = await resolvePerson(opts, oldCard, random);
  const name = cardholderNameBytes(person.firstName, person.lastName);

  const card = await OpenPgpCard.select(opts.connection);
  const { serial } = await card.readAid();
  if (oldCard && oldCard.serial === serial) throw new CardAdminError('replace-invalid', 'the new card is the card to replace');

  const known = (await db.selectFrom('cards').selectAll().where('serial', '=', serial).executeTakeFirst()) ?? null;
  if (known && known.status !== 'active') {
    throw new CardAdminError('card-revoked', `card ${serial} is ${known.status}: a revoked card is never issued again`);
  }
  let onCardCertificate: Uint8Array | null;
  try {
    onCardCertificate = await card.readCertificate();
  } catch (e) {
    if (!isPcscError(e) || e.code !== 'malformed-response') throw e;
    onCardCertificate = Uint8Array.of(0); // something unreadable is there: treat as issued
  }
  let ours = false;
  if (onCardCertificate && onCardCertificate.length > 1) {
    const check = await checkCardCertificate(onCardCertificate, { caCertificate: ca.certificate, now: now(), cardSerial: serial, isRevoked: () => false });
    ours = check.ok || (check.problem !== 'foreign' && check.problem !== 'malformed');
  }
  const issuedBefore = onCardCertificate !== null || (known?.certificate_serial ?? null) !== null;
  if (issuedBefore && !opts.force) {
    throw new CardAdminError(
      'already-issued',
      ours || known?.certificate_serial ? `card ${serial} already holds a Facilitateur certificate (re-issue with force)` : `card ${serial} holds a certificate of another authority (overwrite with force)`,
    );
  }

  const derived = derivePw3(ca.pw3Secret, serial);
  // the derived admin PIN is set last: a card with our certificate most likely has it already
  const adminPin = await verifyAdminPin(card, derived, ours);

  const ard = await card.readApplicationRelatedData();
  for (const role of ['sig', 'aut'] as const) {
    if (!isEcdsaP256(ard.algorithmAttributes[role])) await onCard(`the ${role} algorithm attributes`, () => card.putData(ATTR_TAG[role], ATTR_ECDSA_P256));
  }

  const issuedAt = now();
  const created = Math.floor(issuedAt.getTime() / 1000);
  const points = {} as Record<'sig' | 'aut', Uint8Array>;
  for (const role of ['sig', 'aut'] as const satisfies readonly KeyRole[]) {
    const generated = await onCard(`key generation (${role})`, () => card.generateKeyPair(role));
    const readBack = await onCard(`reading the ${role} key`, () => card.readPublicKey(role));
    if (!sameBytes(generated, readBack)) throw new CardAdminError('card-refused', `the ${role} key read back differs from the generated one`);
    points[role] = readBack;
    // fingerprints and times, so that standard OpenPGP tools (gpg --card-status) show the keys
    await onCard(`the ${role} fingerprint`, () => card.putData(FP_TAG[role], openPgpFingerprint(readBack, created, PGP_ALGO_ECDSA)));
    await onCard(`the ${role} key time`, () => card.putData(TIME_TAG[role], u32(created)));
  }
  await onCard('the login data', () => card.putData(0x5e, new TextEncoder().encode(person.identifier)));
  await onCard('the cardholder name', () => card.putData(0x5b, name));
  await onCard('the language', () => card.putData(0x5f2d, new TextEncoder().encode('fr')));

  const notBefore = new Date(issuedAt.getTime() - CLOCK_SKEW_MS);
  const wanted = new Date(issuedAt);
  wanted.setUTCFullYear(wanted.getUTCFullYear() + validityYears);
  const notAfter = new Date(Math.min(wanted.getTime(), ca.notAfter.getTime()));
  const certificateSerial = Buffer.from(random(16)).toString('hex').replace(/^./, (c) => ((parseInt(c, 16) & 0x7) | 0x4).toString(16));
  const der = await issueCardCertificate({
    ca,
    subject: { identifier: person.identifier, firstName: person.firstName, lastName: person.lastName, role: person.role, cardSerial: serial },
    authPublicKey: points.aut,
    signaturePublicKey: points.sig,
    notBefore,
    notAfter,
    serialNumber: certificateSerial,
  });
  await onCard('the certificate', () => card.putCertificate(der));

  // PW1: from the factory default on a blank card; on a re-issued one the old PIN is unknown, so it is
  // reset under PW3 (which also restores its retry counter)
  const pw1 = issuedBefore ? await card.resetRetryCounter(opts.pin) : await card.changeReferenceData(0x81, FACTORY_PW1, opts.pin);
  if (!pw1.ok) {
    const reset = await card.resetRetryCounter(opts.pin);
    if (!reset.ok) throw new CardAdminError('card-refused', 'the card refused the new PIN');
  }
  if (adminPin !== derived) {
    const r = await card.changeReferenceData(0x83, adminPin, derived);
    if (!r.ok) throw new CardAdminError('card-refused', 'the card refused the platform admin PIN');
  }

  const at = issuedAt.toISOString();
  const actor = opts.actor ?? { kind: 'staff' as const, id: 'staff-cli' };
  await db.transaction().execute(async (trx) => {
    if (!person.existing) {
      await trx
        .insertInto('persons')
        .values({ id: person.id, identifier: person.identifier, first_name: person.firstName, last_name: person.lastName, birth_date: person.birthDate, role: person.role, created_at: at })
        .execute();
      await appendAudit(trx, opts.dialect, { actor, action: 'person.create', subjectPersonId: person.id, documentId: null, ground: 'staff-administration', detail: { identifier: person.identifier }, at });
    }
    const row = { person_id: person.id, status: 'active' as const, issued_at: at, certificate_serial: certificateSerial, role: person.role, not_after: notAfter.toISOString(), revoked_at: null, revocation_reason: null, replaced_by: null };
    // the row is read again inside the transaction: it may have been blocked since the check above
    const current = await trx.selectFrom('cards').select('status').where('serial', '=', serial).executeTakeFirst();
    if (current && current.status !== 'active') throw new CardAdminError('card-revoked', `card ${serial} was ${current.status} during issuance`);
    if (current) await trx.updateTable('cards').set(row).where('serial', '=', serial).execute();
    else await trx.insertInto('cards').values({ serial, ...row }).execute();
    await appendAudit(trx, opts.dialect, {
      actor,
      action: 'card.issue',
      subjectPersonId: person.id,
      documentId: null,
      ground: 'staff-administration',
      detail: { cardSerial: serial, certificateSerial, role: person.role, notAfter: notAfter.toISOString(), reissue: issuedBefore, replaces: oldCard?.serial },
      at,
    });
    if (oldCard) {
      const revoke = oldCard.status === 'active' ? { status: 'revoked' as const, revoked_at: at, revocation_reason: 'replaced' as const } : {};
      await trx.updateTable('cards').set({ ...revoke, replaced_by: serial }).where('serial', '=', oldCard.serial).execute();
      await appendAudit(trx, opts.dialect, {
        actor,
        action: 'card.revoke',
        subjectPersonId: person.id,
        documentId: null,
        ground: 'staff-administration',
        detail: { cardSerial: oldCard.serial, reason: oldCard.status === 'active' ? 'replaced' : oldCard.revocation_reason, replacedBy: serial },
        at,
      });
    }
  });

  return {
    serial,
    personId: person.id,
    identifier: person.identifier,
    firstName: person.firstName,
    lastName: person.lastName,
    role: person.role,
    certificateSerial,
    notAfter: notAfter.toISOString(),
    reissued: issuedBefore,
    newPerson: !person.existing,
    replaced: oldCard?.serial ?? null,
  };
}
