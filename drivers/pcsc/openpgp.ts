/**
 * Client of the OpenPGP card application (spec 3.4), for the subset the platform uses: identity
 * (AID, login data, cardholder certificate), PIN verification, authentication and signature with
 * P-256 keys, and the issuance commands. Every card answer is validated before use.
 */
import { encodeCommandApdu, type CommandApdu, type ResponseApdu } from './apdu.ts';
import type { CardConnection, TransmitOptions } from './connection.ts';
import { p256PublicKeyFromPoint } from './ec.ts';
import { PcscError, UnexpectedStatusError } from './errors.ts';
import { SW } from './status-words.ts';
import { concatBytes, decodeTlvs, findTlv, TlvError, unwrapTlv } from './tlv.ts';

export const OPENPGP_AID_PREFIX = Uint8Array.from([0xd2, 0x76, 0x00, 0x01, 0x24, 0x01]);

export type KeyRole = 'sig' | 'dec' | 'aut';
/** 0x81: PW1 for PSO:CDS, 0x82: PW1 for other operations, 0x83: PW3 (admin). */
export type PinRef = 0x81 | 0x82 | 0x83;

/** Narrow with `r.ok`, then `'blocked' in r`. */
export type PinResult = { ok: true } | { ok: false; triesLeft: number } | { ok: false; blocked: true };

export interface AidInfo {
  /** 8 upper-case hex digits. */
  serial: string;
  manufacturer: number;
  /** "3.4" */
  version: string;
  raw: Uint8Array;
}

export interface PwStatus {
  /** false: a PW1 verification (0x81) allows one signature only. */
  pw1ValidForSeveralSignatures: boolean;
  pw1MaxLength: number;
  rcMaxLength: number;
  pw3MaxLength: number;
  pw1Tries: number;
  rcTries: number;
  pw3Tries: number;
}

export interface ApplicationRelatedData {
  aid: AidInfo;
  historicalBytes: Uint8Array;
  extendedCapabilities: Uint8Array;
  algorithmAttributes: Record<KeyRole, Uint8Array>;
  pwStatus: PwStatus;
  /** 20-byte fingerprints; all zeros when unset. */
  fingerprints: Record<KeyRole, Uint8Array>;
  generationTimes: Record<KeyRole, number>;
}

const CRT: Record<KeyRole, number> = { sig: 0xb6, dec: 0xb8, aut: 0xa4 };
const ROLES: readonly KeyRole[] = ['sig', 'dec', 'aut'];
/** Short APDUs carry at most 255 data bytes: longer data goes by command chaining. */
const MAX_SHORT_DATA = 0xff;
const MAX_PIN_BYTES = 127;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function malformed(what: string, cause?: unknown): PcscError {
  return new PcscError('malformed-response', `malformed ${what} from card`, { cause });
}

function pinBytes(pin: string, what: string): Uint8Array {
  const bytes = new TextEncoder().encode(pin);
  if (bytes.length === 0 || bytes.length > MAX_PIN_BYTES) {
    throw new PcscError('invalid-argument', `${what} must be 1 to ${MAX_PIN_BYTES} bytes long`);
  }
  return bytes;
}

function pinResult(res: ResponseApdu, context: string): PinResult {
  if (res.sw === SW.OK) return { ok: true };
  if (res.sw === SW.AUTH_METHOD_BLOCKED) return { ok: false, blocked: true };
  if (res.sw1 === 0x63 && (res.sw2 & 0xf0) === 0xc0) {
    const triesLeft = res.sw2 & 0x0f;
    return triesLeft === 0 ? { ok: false, blocked: true } : { ok: false, triesLeft };
  }
  throw new UnexpectedStatusError(res.sw, context);
}

function parseAid(raw: Uint8Array): AidInfo {
  if (raw.length !== 16 || !OPENPGP_AID_PREFIX.every((b, i) => raw[i] === b)) throw malformed('AID (4F)');
  const serial = Buffer.from(raw.subarray(10, 14)).toString('hex').toUpperCase();
  return { serial, manufacturer: (raw[8]! << 8) | raw[9]!, version: `${raw[6]}.${raw[7]}`, raw };
}

function parsePwStatus(v: Uint8Array): PwStatus {
  if (v.length < 7) throw malformed('PW status bytes (C4)');
  return {
    pw1ValidForSeveralSignatures: v[0] !== 0,
    pw1MaxLength: v[1]! & 0x7f,
    rcMaxLength: v[2]!,
    pw3MaxLength: v[3]! & 0x7f,
    pw1Tries: v[4]!,
    rcTries: v[5]!,
    pw3Tries: v[6]!,
  };
}

function parsePublicKeyTemplate(data: Uint8Array): Uint8Array {
  let point: Uint8Array | undefined;
  try {
    point = findTlv(unwrapTlv(data, 0x7f49), 0x86);
  } catch (e) {
    throw malformed('public key template (7F49)', e);
  }
  if (!point) throw malformed('public key template (7F49): no EC point');
  p256PublicKeyFromPoint(point); // validates length, format and curve membership
  return point;
}

export class OpenPgpCard {
  private constructor(readonly connection: CardConnection) {}

  /** Selects the OpenPGP application; rejects with `not-openpgp` when the card does not have it. */
  static async select(conn: CardConnection, opts?: TransmitOptions): Promise<OpenPgpCard> {
    const res = await conn.transmit(
      encodeCommandApdu({ cla: 0, ins: 0xa4, p1: 0x04, p2: 0x00, data: OPENPGP_AID_PREFIX }),
      opts,
    );
    if (res.sw !== SW.OK) {
      throw new PcscError('not-openpgp', `the card has no OpenPGP application (SELECT answered ${res.sw.toString(16)})`);
    }
    return new OpenPgpCard(conn);
  }

  /** Sends a command, using command chaining (CLA bit 0x10) when the data does not fit a short APDU. */
  private async send(cmd: CommandApdu, opts?: TransmitOptions): Promise<ResponseApdu> {
    const data = cmd.data ?? new Uint8Array(0);
    if (data.length <= MAX_SHORT_DATA) return this.connection.transmit(encodeCommandApdu(cmd), opts);
    let off = 0;
    while (data.length - off > MAX_SHORT_DATA) {
      const part = data.subarray(off, off + MAX_SHORT_DATA);
      const res = await this.connection.transmit(
        encodeCommandApdu({ cla: cmd.cla | 0x10, ins: cmd.ins, p1: cmd.p1, p2: cmd.p2, data: part }),
        opts,
      );
      if (res.sw !== SW.OK) return res;
      off += MAX_SHORT_DATA;
    }
    return this.connection.transmit(encodeCommandApdu({ ...cmd, data: data.subarray(off) }), opts);
  }

  private async expectOk(cmd: CommandApdu, context: string): Promise<Uint8Array> {
    const res = await this.send(cmd);
    if (res.sw !== SW.OK) throw new UnexpectedStatusError(res.sw, context);
    return res.data;
  }

  /** GET DATA; null when the card does not have the object (6A88). */
  async getData(tag: number): Promise<Uint8Array | null> {
    if (!Number.isInteger(tag) || tag < 1 || tag > 0xffff) throw new PcscError('invalid-argument', `bad DO tag ${tag}`);
    const res = await this.send({ cla: 0, ins: 0xca, p1: tag >> 8, p2: tag & 0xff, ne: 0x100 });
    if (res.sw === SW.REFERENCED_DATA_NOT_FOUND) return null;
    if (res.sw !== SW.OK) throw new UnexpectedStatusError(res.sw, `GET DATA ${tag.toString(16)}`);
    return res.data;
  }

  private async getRequired(tag: number, what: string): Promise<Uint8Array> {
    const v = await this.getData(tag);
    if (v === null) throw malformed(`${what}: missing`);
    return v;
  }

  async readAid(): Promise<AidInfo> {
    return parseAid(await this.getRequired(0x4f, 'AID (4F)'));
  }

  /** Login data (5E): the person's identifier as printed on the card. Empty on a blank card. */
  async readLoginData(): Promise<string> {
    const v = (await this.getData(0x5e)) ?? new Uint8Array(0);
    try {
      return utf8.decode(v);
    } catch (e) {
      throw malformed('login data (5E): not UTF-8', e);
    }
  }

  /** Cardholder name (5B, "Surname<<Given names"), empty when unset. */
  async readCardholderName(): Promise<string> {
    const v = await this.getData(0x65);
    if (!v) return '';
    try {
      const name = findTlv(unwrapTlv(v, 0x65), 0x5b);
      return name ? Buffer.from(name).toString('latin1') : '';
    } catch (e) {
      throw malformed('cardholder related data (65)', e);
    }
  }

  /** The X.509 certificate (DER) in DO 7F21, or null when the card has none. */
  async readCertificate(): Promise<Uint8Array | null> {
    const v = await this.getData(0x7f21);
    if (!v || v.length === 0) return null;
    const der = v[0] === 0x7f ? unwrapTlv(v, 0x7f21) : v;
    if (der.length === 0) return null;
    try {
      const tlvs = decodeTlvs(der);
      if (tlvs.length !== 1 || tlvs[0]!.tag !== 0x30) throw new TlvError('not a single DER SEQUENCE');
    } catch (e) {
      throw malformed('certificate (7F21)', e);
    }
    return der;
  }

  async readPwStatus(): Promise<PwStatus> {
    const direct = await this.send({ cla: 0, ins: 0xca, p1: 0x00, p2: 0xc4, ne: 0x100 });
    if (direct.sw === SW.OK) return parsePwStatus(direct.data);
    return (await this.readApplicationRelatedData()).pwStatus;
  }

  async readApplicationRelatedData(): Promise<ApplicationRelatedData> {
    const raw = unwrapTlv(await this.getRequired(0x6e, 'application related data (6E)'), 0x6e);
    try {
      const get = (tag: number, minLength: number): Uint8Array => {
        const v = findTlv(raw, tag);
        if (!v || v.length < minLength) throw new TlvError(`DO ${tag.toString(16)} missing or short`);
        return v;
      };
      const fp = get(0xc5, 60);
      const times = findTlv(raw, 0xcd) ?? new Uint8Array(12);
      const time = (i: number): number => (times.length >= i * 4 + 4 ? Buffer.from(times).readUInt32BE(i * 4) : 0);
      return {
        aid: parseAid(get(0x4f, 16)),
        historicalBytes: findTlv(raw, 0x5f52) ?? new Uint8Array(0),
        extendedCapabilities: get(0xc0, 1),
        algorithmAttributes: { sig: get(0xc1, 1), dec: get(0xc2, 1), aut: get(0xc3, 1) },
        pwStatus: parsePwStatus(get(0xc4, 7)),
        fingerprints: { sig: fp.slice(0, 20), dec: fp.slice(20, 40), aut: fp.slice(40, 60) },
        generationTimes: { sig: time(0), dec: time(1), aut: time(2) },
      };
    } catch (e) {
      if (e instanceof PcscError) throw e;
      throw malformed('application related data (6E)', e);
    }
  }

  /** Digital signature counter (DO 93 in 7A). */
  async readSignatureCounter(): Promise<number> {
    const v = await this.getRequired(0x7a, 'security support template (7A)');
    let c: Uint8Array | undefined;
    try {
      c = findTlv(unwrapTlv(v, 0x7a), 0x93);
    } catch (e) {
      throw malformed('security support template (7A)', e);
    }
    if (!c || c.length !== 3) throw malformed('signature counter (93)');
    return (c[0]! << 16) | (c[1]! << 8) | c[2]!;
  }

  /** Reads a public key as an uncompressed P-256 point (04 || X || Y). Rejects with `no-key` when absent. */
  async readPublicKey(role: KeyRole): Promise<Uint8Array> {
    const res = await this.send({ cla: 0, ins: 0x47, p1: 0x81, p2: 0, data: Uint8Array.of(CRT[role], 0), ne: 0x100 });
    if (res.sw === SW.REFERENCED_DATA_NOT_FOUND) throw new PcscError('no-key', `the card has no ${role} key`);
    if (res.sw !== SW.OK) throw new UnexpectedStatusError(res.sw, `read ${role} public key`);
    return parsePublicKeyTemplate(res.data);
  }

  /** VERIFY. A wrong PIN is a result (tries left), not an exception. */
  async verifyPin(pin: string, ref: PinRef = 0x82): Promise<PinResult> {
    const res = await this.send({ cla: 0, ins: 0x20, p1: 0, p2: ref, data: pinBytes(pin, 'PIN') });
    return pinResult(res, 'VERIFY');
  }

  /** VERIFY without data: is the PIN currently verified, and how many tries are left? */
  async pinStatus(ref: PinRef = 0x82): Promise<{ verified: true } | ({ verified: false } & Exclude<PinResult, { ok: true }>)> {
    const res = await this.send({ cla: 0, ins: 0x20, p1: 0, p2: ref });
    const r = pinResult(res, 'VERIFY (status)');
    return r.ok ? { verified: true } : { verified: false, ...r };
  }

  /** Clears the verification state of a PIN (VERIFY with P1=FF). */
  async clearPinVerification(ref: PinRef = 0x82): Promise<void> {
    await this.expectOk({ cla: 0, ins: 0x20, p1: 0xff, p2: ref }, 'VERIFY (reset)');
  }

  /** INTERNAL AUTHENTICATE with the authentication key: ECDSA over `data` as is. Returns raw r||s. */
  async internalAuthenticate(data: Uint8Array): Promise<Uint8Array> {
    if (data.length === 0 || data.length > MAX_SHORT_DATA) {
      throw new PcscError('invalid-argument', 'authentication input must be 1 to 255 bytes');
    }
    const sig = await this.expectOk({ cla: 0, ins: 0x88, p1: 0, p2: 0, data, ne: 0x100 }, 'INTERNAL AUTHENTICATE');
    if (sig.length !== 64) throw malformed('authentication signature');
    return sig;
  }

  /** PSO:COMPUTE DIGITAL SIGNATURE over a SHA-256 digest. Returns raw r||s. */
  async sign(digest: Uint8Array): Promise<Uint8Array> {
    if (digest.length !== 32) throw new PcscError('invalid-argument', 'digest must be a 32-byte SHA-256 hash');
    const sig = await this.expectOk({ cla: 0, ins: 0x2a, p1: 0x9e, p2: 0x9a, data: digest, ne: 0x100 }, 'PSO:CDS');
    if (sig.length !== 64) throw malformed('signature');
    return sig;
  }

  // ---- issuance (PW3 verified) ----

  /** GENERATE ASYMMETRIC KEY PAIR on the card; returns the new public point. */
  async generateKeyPair(role: KeyRole): Promise<Uint8Array> {
    const data = await this.expectOk(
      { cla: 0, ins: 0x47, p1: 0x80, p2: 0, data: Uint8Array.of(CRT[role], 0), ne: 0x100 },
      `generate ${role} key`,
    );
    return parsePublicKeyTemplate(data);
  }

  /** PUT DATA (chained when longer than 255 bytes). */
  async putData(tag: number, data: Uint8Array): Promise<void> {
    if (!Number.isInteger(tag) || tag < 1 || tag > 0xffff) throw new PcscError('invalid-argument', `bad DO tag ${tag}`);
    await this.expectOk({ cla: 0, ins: 0xda, p1: tag >> 8, p2: tag & 0xff, data }, `PUT DATA ${tag.toString(16)}`);
  }

  async putCertificate(der: Uint8Array): Promise<void> {
    await this.putData(0x7f21, der);
  }

  /** CHANGE REFERENCE DATA for PW1 (0x81) or PW3 (0x83). A wrong old PIN is a result. */
  async changeReferenceData(ref: 0x81 | 0x83, oldPin: string, newPin: string): Promise<PinResult> {
    const data = concatBytes(pinBytes(oldPin, 'old PIN'), pinBytes(newPin, 'new PIN'));
    return pinResult(await this.send({ cla: 0, ins: 0x24, p1: 0, p2: ref, data }), 'CHANGE REFERENCE DATA');
  }

  /**
   * RESET RETRY COUNTER of PW1: with the reset code, or (without it) under a verified PW3.
   * A wrong reset code is a result.
   */
  async resetRetryCounter(newPin: string, resetCode?: string): Promise<PinResult> {
    const pin = pinBytes(newPin, 'new PIN');
    const cmd: CommandApdu =
      resetCode === undefined
        ? { cla: 0, ins: 0x2c, p1: 0x02, p2: 0x81, data: pin }
        : { cla: 0, ins: 0x2c, p1: 0x00, p2: 0x81, data: concatBytes(pinBytes(resetCode, 'reset code'), pin) };
    return pinResult(await this.send(cmd), 'RESET RETRY COUNTER');
  }
}

export { ROLES as KEY_ROLES };
