/**
 * The revocation list (DESIGN.md §4): the cards the kiosks must refuse, even offline. The server
 * publishes a new version each time a card is blocked or replaced; kiosks receive it as a push
 * (socket.ts) and keep the last one they could verify against their pinned CA (revocation-signer.ts).
 *
 * Signature: ECDSA P-256 / SHA-256, raw r||s in base64url, over `revocationSigningPayload(list)` = the
 * UTF-8 canonical JSON (canonical-json.ts) of the list without its `signature` member. The signer is
 * the server's revocation-signing key, whose certificate (issued by the platform CA for that one
 * purpose) the list carries in `signerCertificate` — inside the signed payload, so it cannot be swapped;
 * or, without `signerCertificate`, the CA key itself (an issuance station, and lists published before
 * the server had its own key). The schemas are strict (unknown members refused) so that what a kiosk
 * verifies is exactly what was signed. Pure: zod only.
 */
import { z } from 'zod';
import { canonicalJson } from './canonical-json.ts';
import { IsoDateTime } from './common.ts';

/** 20,000 entries of ~90 bytes stay under the socket's message limit (LIMITS.socketMessageBytes). */
export const REVOCATION_LIST_MAX_ENTRIES = 20_000;

/** The card serial of the OpenPGP AID: 8 upper-case hex digits. */
export const CardSerial = z.string().regex(/^[0-9A-F]{8}$/, 'numéro de carte invalide (8 caractères hexadécimaux)');

export const RevocationReason = z.enum(['lost', 'stolen', 'replaced', 'deceased', 'other']);
export type RevocationReason = z.infer<typeof RevocationReason>;

export const RevokedCard = z.strictObject({
  cardSerial: CardSerial,
  reason: RevocationReason,
  /** when the card was revoked */
  at: IsoDateTime,
});
export type RevokedCard = z.infer<typeof RevokedCard>;

/** A certificate's DER in base64url: at most 4096 bytes (MAX_CERTIFICATE_BYTES of card-certificate.ts). */
const CertificateB64 = z.string().min(1).max(5462).regex(/^[A-Za-z0-9_-]+$/, 'certificat invalide (base64url)');

const RevocationListBody = z.strictObject({
  /** 1, 2, 3…; a kiosk holding nothing says 0 */
  version: z.number().int().nonnegative(),
  issuedAt: IsoDateTime,
  revoked: z
    .array(RevokedCard)
    .max(REVOCATION_LIST_MAX_ENTRIES)
    .refine((list) => new Set(list.map((r) => r.cardSerial)).size === list.length, 'une carte figure deux fois'),
  /** the DER (base64url) of the revocation-signing key's certificate; absent when the CA key signed */
  signerCertificate: CertificateB64.optional(),
});
export type UnsignedRevocationList = z.infer<typeof RevocationListBody>;

export const RevocationList = RevocationListBody.extend({
  /** base64url (no padding) of the 64-byte raw r||s signature */
  signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'signature invalide'),
});
export type RevocationList = z.infer<typeof RevocationList>;

/** The bytes the signer signs and the kiosk verifies: canonical JSON of everything but the signature. */
export function revocationSigningPayload(list: UnsignedRevocationList | RevocationList): Uint8Array {
  // rebuilt member by member: an object carrying more (a RevocationList's signature) signs the same
  const body = {
    version: list.version,
    issuedAt: list.issuedAt,
    revoked: list.revoked.map((r) => ({ cardSerial: r.cardSerial, reason: r.reason, at: r.at })),
    ...(list.signerCertificate === undefined ? {} : { signerCertificate: list.signerCertificate }),
  };
  return new TextEncoder().encode(canonicalJson(body));
}
