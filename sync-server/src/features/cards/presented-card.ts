/**
 * A card presented to the server (a person session's login, a signed submission): its certificate
 * checked against the platform CA, its row's status (anything but `active` is refused) and the identity
 * the certificate carries against the person the platform holds for that serial. Each caller then checks
 * the signature it needs (login: the authentication key; submission: the signature key) and words its
 * own refusal.
 */
import type { Kysely } from 'kysely';
import { checkCardCertificate } from '../../../protocol/card-certificate.ts';
import type { CardCertificateInfo, CardCertificateProblem } from '../../../protocol/card-certificate.ts';
import type { Database, PersonRole } from '../../kernel/storage/schema.ts';
import type { CaCertificate } from './ca-store.ts';

export interface PresentedCardRow {
  personId: string;
  identifier: string;
  firstName: string;
  role: PersonRole;
}

export type PresentedCard =
  | { ok: true; card: PresentedCardRow; info: CardCertificateInfo }
  /** `certificate`: refused by checkCardCertificate (`problem`); `unknown`: no such card, or another person's identity */
  | { ok: false; why: 'certificate'; problem: CardCertificateProblem }
  | { ok: false; why: 'unknown' };

export async function checkPresentedCard(
  db: Kysely<Database>,
  ca: Pick<CaCertificate, 'certificate'>,
  presented: { cardSerial: string; certificate: string; now: Date },
): Promise<PresentedCard> {
  const card = await db
    .selectFrom('cards')
    .innerJoin('persons', 'persons.id', 'cards.person_id')
    .select(['cards.status', 'persons.id as personId', 'persons.identifier', 'persons.first_name as firstName', 'persons.role'])
    .where('cards.serial', '=', presented.cardSerial)
    .executeTakeFirst();
  const check = await checkCardCertificate(new Uint8Array(Buffer.from(presented.certificate, 'base64url')), {
    caCertificate: ca.certificate,
    now: presented.now,
    cardSerial: presented.cardSerial,
    isRevoked: () => card?.status !== 'active',
  });
  if (!check.ok) return { ok: false, why: 'certificate', problem: check.problem };
  if (!card || card.identifier !== check.info.identifier) return { ok: false, why: 'unknown' };
  return { ok: true, card: { personId: card.personId, identifier: card.identifier, firstName: card.firstName, role: card.role }, info: check.info };
}
