/**
 * Is a 2D-Doc what its issuer signed? Checked offline against the trust store (twoddoc-trust.ts), as the
 * ANTS specification and its verification process describe it:
 *
 *   1. the signer certificate: the one the header names, (caId, certId), in the store — else
 *      `unknown-authority` (this tablet cannot tell: not a fault of the paper);
 *   2. its chain: issued by a certificate of authority `caId` (issuer name, and the authority's key verifies
 *      the certificate's signature), the authority's certificate a CA, the signer's key usage allowing
 *      signatures when it says — else `untrusted-certificate`;
 *   3. the signature: ECDSA over the header and message up to US, as ASCII, raw r‖s; the curve is the
 *      certificate key's and must match the signature's length (P-256/SHA-256, P-384/SHA-384,
 *      P-521/SHA-512) — else `invalid-signature`;
 *   4. the dates: the signer's and the authority's certificates valid on the code's signature date (its
 *      issue date when it has none, today when it has neither) — else `certificate-expired` or
 *      `certificate-not-yet-valid`.
 *
 * Revocation is not checked: the authorities' revocation lists need the network (the installed store is
 * what the appliance trusts; a withdrawn signer is taken out of it at the next update).
 *
 * Never throws: a hostile code or a broken certificate gives a typed refusal.
 */
import type { KeyObject, X509Certificate } from 'node:crypto';
import { verify } from 'node:crypto';
import { children, decodeOid, readTlv } from '../../../sync-server/protocol/der.ts';
import type { Der } from '../../../sync-server/protocol/der.ts';
import type { TwoDDoc } from './extract/twoddoc.ts';
import { commonNames } from './twoddoc-trust.ts';
import type { TwoDDocTrustStore } from './twoddoc-trust.ts';

export const TWODDOC_STATUSES = [
  'verified',
  'unknown-authority',
  'untrusted-certificate',
  'invalid-signature',
  'certificate-expired',
  'certificate-not-yet-valid',
  'malformed',
] as const;
export type TwoDDocStatus = (typeof TWODDOC_STATUSES)[number];

/** Statuses that say the code is not what its issuer signed: its data is not used. */
export const REFUSED_STATUSES: ReadonlySet<TwoDDocStatus> = new Set(['invalid-signature', 'certificate-expired', 'certificate-not-yet-valid', 'malformed']);

export interface TwoDDocVerdict {
  status: TwoDDocStatus;
  /** the authority's name from its certificate (organisation, else common name), when the chain holds */
  authority: string | null;
  /** the day the signature was checked at (ISO) */
  checkedAt: string | null;
  /** English, for the logs and the result's `reason` */
  detail: string;
}

const CURVE_OF_LENGTH: Record<number, { curve: string; hash: string }> = {
  64: { curve: 'prime256v1', hash: 'sha256' },
  96: { curve: 'secp384r1', hash: 'sha384' },
  132: { curve: 'secp521r1', hash: 'sha512' },
};

const DAY = 86_400_000;
const OID_KEY_USAGE = '2.5.29.15';
/** keyUsage bits in the BIT STRING's first byte (RFC 5280 §4.2.1.3) */
const KU_DIGITAL_SIGNATURE = 0x80;
const KU_KEY_CERT_SIGN = 0x04;

/**
 * The keyUsage bits (first byte) of a certificate, null when it has no keyUsage extension or its DER
 * cannot be walked (then only the chain and the signature decide).
 */
export function keyUsageOf(cert: X509Certificate): number | null {
  try {
    const certificate = readTlv(new Uint8Array(cert.raw), 0);
    const tbs = children(certificate)[0];
    const exts = tbs && children(tbs).find((c) => c.tag === 0xa3);
    if (!exts) return null;
    const list = children(exts)[0];
    if (!list) return null;
    for (const ext of children(list)) {
      const parts = children(ext);
      if (parts[0] && decodeOid(parts[0]) === OID_KEY_USAGE) {
        const value: Der | undefined = parts[parts.length - 1];
        if (!value) return null;
        const bits = readTlv(value.content, 0);
        return bits.content[1] ?? 0;
      }
    }
    return null;
  } catch {
    return null;
  }
}

/** Organisation, else common name: how the authority is named on screen. */
function authorityName(cert: X509Certificate): string {
  const org = cert.subject.split('\n').find((l) => l.startsWith('O='));
  return (org ? org.slice(2) : (commonNames(cert)[0] ?? '')).slice(0, 200);
}

/** Valid at some moment of `day` (the code's dates are days): 'ok', 'expired' or 'not-yet-valid'. */
function validOn(cert: X509Certificate, day: number): 'ok' | 'expired' | 'not-yet-valid' {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  if (!Number.isFinite(from) || !Number.isFinite(to)) return 'expired';
  if (from >= day + DAY) return 'not-yet-valid';
  if (to < day) return 'expired';
  return 'ok';
}

function signatureHolds(doc: TwoDDoc, key: KeyObject): 'ok' | string {
  const bytes = doc.signature.bytes!;
  const want = CURVE_OF_LENGTH[bytes.length];
  if (!want) return `signature of ${bytes.length} bytes`;
  if (key.asymmetricKeyType !== 'ec') return `the certificate's key is ${key.asymmetricKeyType ?? 'unknown'}, not ECDSA`;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve !== want.curve) return `a ${bytes.length}-byte signature for a ${curve ?? 'unknown'} key`;
  const ok = verify(want.hash, Buffer.from(doc.signedData, 'latin1'), { key, dsaEncoding: 'ieee-p1363' }, bytes);
  return ok ? 'ok' : 'the signature does not match the signed data';
}

const RANK: Record<TwoDDocStatus, number> = {
  verified: 0,
  'invalid-signature': 1,
  'certificate-expired': 2,
  'certificate-not-yet-valid': 3,
  'untrusted-certificate': 4,
  'unknown-authority': 5,
  malformed: 6,
};

function checkWith(doc: TwoDDoc, signer: X509Certificate, cas: readonly X509Certificate[], day: number, checkedAt: string): TwoDDocVerdict {
  const { caId, certId } = doc.header;
  const verdict = (status: TwoDDocStatus, detail: string, authority: string | null = null): TwoDDocVerdict => ({ status, authority, checkedAt, detail });
  const issuer = cas.find((ca) => {
    try {
      return signer.checkIssued(ca) && signer.verify(ca.publicKey);
    } catch {
      return false;
    }
  });
  if (!issuer) return verdict('untrusted-certificate', `certificate ${certId} is not issued by a trusted certificate of authority ${caId}`);
  const caUsage = keyUsageOf(issuer);
  if (!issuer.ca || (caUsage !== null && (caUsage & KU_KEY_CERT_SIGN) === 0)) return verdict('untrusted-certificate', `the certificate of authority ${caId} may not issue certificates`);
  const usage = keyUsageOf(signer);
  if (usage !== null && (usage & KU_DIGITAL_SIGNATURE) === 0) return verdict('untrusted-certificate', `certificate ${certId} may not sign`);
  const authority = authorityName(issuer);
  const sig = signatureHolds(doc, signer.publicKey);
  if (sig !== 'ok') return verdict('invalid-signature', sig, authority);
  for (const [cert, what] of [
    [signer, `certificate ${certId}`],
    [issuer, `the certificate of authority ${caId}`],
  ] as const) {
    const v = validOn(cert, day);
    if (v === 'expired') return verdict('certificate-expired', `${what} had expired on ${checkedAt}`, authority);
    if (v === 'not-yet-valid') return verdict('certificate-not-yet-valid', `${what} was not yet valid on ${checkedAt}`, authority);
  }
  return verdict('verified', `signature checked with certificate ${certId} of authority ${caId} (${authority})`, authority);
}

/** Checks a parsed 2D-Doc's signature against the trust store (steps above). */
export function checkTwoDDocSignature(doc: TwoDDoc, store: TwoDDocTrustStore, now: Date = new Date()): TwoDDocVerdict {
  const { caId, certId } = doc.header;
  const date = doc.header.signatureDate ?? doc.header.issueDate ?? now.toISOString().slice(0, 10);
  const day = Date.parse(`${date}T00:00:00Z`);
  try {
    if (!doc.signature.present || !doc.signature.bytes) return { status: 'malformed', authority: null, checkedAt: null, detail: 'no signature in the code' };
    const signers = store.signers(caId, certId);
    if (signers.length === 0) {
      const known = store.authorities(caId).length > 0;
      return {
        status: 'unknown-authority',
        authority: null,
        checkedAt: null,
        detail: known ? `certificate ${certId} of authority ${caId} is not in this kiosk's 2D-Doc trust store` : `authority ${caId} is not in this kiosk's 2D-Doc trust store`,
      };
    }
    const cas = store.authorities(caId);
    let best: TwoDDocVerdict | null = null;
    for (const signer of signers) {
      const v = checkWith(doc, signer, cas, day, date);
      if (!best || RANK[v.status] < RANK[best.status]) best = v;
      if (v.status === 'verified') break;
    }
    return best!;
  } catch (err) {
    return { status: 'malformed', authority: null, checkedAt: null, detail: `could not be checked: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300) };
  }
}
