/**
 * Proof that a card was at the kiosk when a write was made for a person (DESIGN.md §4): each card the
 * mutation's ground names must have signed `proofMessage(kioskId, mutation)` with its authentication
 * key, and its certificate must come from the platform CA, name that very card, be in its validity, and
 * belong to an active card the platform knows for the same person. The sync engine never takes a
 * kiosk's word for who was there: a kiosk without the card (a stolen tablet, its device key) cannot
 * produce these signatures.
 *
 * Checking a certificate against the CA costs an ECDSA verification; a kiosk sends the same card's
 * certificate with every mutation of a session, so checked certificates are remembered (bounded) and
 * only their dates, their card's status and the signature are checked for each mutation.
 */
import { createHash, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Kysely } from 'kysely';
import { p256PublicKeyFromPoint } from '../../../../drivers/pcsc/ec.ts';
import { checkCardCertificate } from '../../../protocol/card-certificate.ts';
import type { CardCertificateInfo } from '../../../protocol/card-certificate.ts';
import { cardsOfGround, proofMessage } from '../../../protocol/mutations.ts';
import type { Ground, ProvableAct, WriteProof } from '../../../protocol/mutations.ts';
import type { CardStatus, Database, PersonRole } from '../../kernel/storage/schema.ts';

/** A card that proved its presence, as the database knows it now. */
export interface ProvenCard {
  serial: string;
  personId: string;
  identifier: string;
  role: PersonRole;
  status: CardStatus;
}

export type WriteProofProblem =
  /** a card the ground names did not sign, or a card it does not name did */
  | 'missing'
  /** the certificate is not the platform CA's, not this card's, not a card certificate, or not valid now */
  | 'certificate'
  /** the signature is not the card's over this mutation on this kiosk */
  | 'signature'
  /** the platform does not know the card, or knows it for another person */
  | 'unknown-card';

export type WriteProofCheck =
  | { ok: true; cards: Map<string, ProvenCard>; digest: string }
  | { ok: false; problem: WriteProofProblem; cardSerial: string | null };

const CACHE_MAX = 2_000;
/** Certificates already checked, with their card key made ready: a batch of one card's writes checks it once. */
const checked = new Map<string, { info: CardCertificateInfo; authKey: KeyObject }>();

async function certificateInfo(caCertificate: Uint8Array, der: Uint8Array, cardSerial: string, now: Date): Promise<{ info: CardCertificateInfo; authKey: KeyObject } | null> {
  const key = createHash('sha256').update(caCertificate).update(der).digest('hex');
  let entry = checked.get(key);
  if (!entry) {
    const check = await checkCardCertificate(der, { caCertificate, now, cardSerial, isRevoked: () => false });
    if (!check.ok) return null;
    entry = { info: check.info, authKey: p256PublicKeyFromPoint(check.info.authPublicKey) };
    if (checked.size >= CACHE_MAX) checked.delete(checked.keys().next().value!);
    checked.set(key, entry);
  }
  const { info } = entry;
  if (info.cardSerial !== cardSerial) return null;
  if (now < info.notBefore || now > info.notAfter) return null;
  return entry;
}

/**
 * Checks a mutation's proof for its ground (or another act proven the same way: ProvableAct). `caCertificate` is the pinned platform CA (DER); null when
 * the server has none, and then nothing can be proven.
 */
export async function checkWriteProof(
  db: Kysely<Database>,
  caCertificate: Uint8Array | null,
  o: { kioskId: string; mutation: { id: string; blobs: readonly string[]; proof: WriteProof } & ProvableAct; ground: Ground; now: Date },
): Promise<WriteProofCheck> {
  const wanted = cardsOfGround(o.ground);
  const witnesses = o.mutation.proof.cards;
  if (witnesses.length !== wanted.length || new Set(witnesses.map((w) => w.cardSerial)).size !== witnesses.length) return { ok: false, problem: 'missing', cardSerial: null };
  const message = proofMessage(o.kioskId, o.mutation);
  const cards = new Map<string, ProvenCard>();
  for (const serial of wanted) {
    const w = witnesses.find((x) => x.cardSerial === serial);
    if (!w) return { ok: false, problem: 'missing', cardSerial: serial };
    if (!caCertificate) return { ok: false, problem: 'certificate', cardSerial: serial };
    const certified = await certificateInfo(caCertificate, new Uint8Array(Buffer.from(w.certificate, 'base64url')), serial, o.now);
    if (!certified) return { ok: false, problem: 'certificate', cardSerial: serial };
    const info = certified.info;
    let good: boolean;
    try {
      // INTERNAL AUTHENTICATE's ECDSA P-256 over SHA-256, r ‖ s
      const signature = Buffer.from(w.signature, 'base64url');
      good = signature.length === 64 && verify('sha256', message, { key: certified.authKey, dsaEncoding: 'ieee-p1363' }, signature);
    } catch {
      good = false;
    }
    if (!good) return { ok: false, problem: 'signature', cardSerial: serial };
    const row = await db
      .selectFrom('cards')
      .innerJoin('persons', 'persons.id', 'cards.person_id')
      .select(['cards.serial', 'cards.status', 'persons.id as personId', 'persons.identifier', 'persons.role'])
      .where('cards.serial', '=', serial)
      .executeTakeFirst();
    if (!row || row.identifier !== info.identifier) return { ok: false, problem: 'unknown-card', cardSerial: serial };
    cards.set(serial, { serial, personId: row.personId, identifier: row.identifier, role: row.role, status: row.status });
  }
  return { ok: true, cards, digest: createHash('sha256').update(message).digest('hex') };
}
