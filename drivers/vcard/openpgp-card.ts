/**
 * A virtual OpenPGP card (application spec 3.4, the subset the platform uses), driven by raw APDU bytes.
 * It behaves like a card: every input, however malformed, gets a status word, never an exception;
 * state changes (PIN counters first) are persisted before the answer leaves the card.
 *
 * A new PIN shorter than the spec's minimum (PW1 6, RC and PW3 8) is refused with 6700 (wrong length, as
 * CanoKey's and other 3.4 implementations answer), the counters untouched.
 * Not implemented (answer 6D00 / 6A81): key import, PSO:DECIPHER/ENCIPHER, GET CHALLENGE, MSE,
 * TERMINATE DF / ACTIVATE FILE, private DOs, KDF, secure messaging.
 */
import { timingSafeEqual } from 'node:crypto';
import { encodeResponseApdu, parseCommandApdu, type ParsedCommandApdu } from '../pcsc/apdu.ts';
import { SW } from '../pcsc/status-words.ts';
import { concatBytes, encodeTlv, findTlv } from '../pcsc/tlv.ts';
import { silentLogger, type Logger } from '../log.ts';
import { ecdsaSignP256, generateP256Jwk, jwkPrivateScalar, jwkPublicPoint } from './ecdsa.ts';
import { MAX_TRIES, PIN_LIMITS, type CardState, type KeyRole } from './state.ts';

export const OPENPGP_AID_PREFIX = Uint8Array.from([0xd2, 0x76, 0x00, 0x01, 0x24, 0x01]);
const VERSION = [0x03, 0x04];

/**
 * Historical bytes: category 00, card capabilities (73: command chaining supported, no extended
 * Lc/Le advertised, so hosts use short APDUs + GET RESPONSE), status 05 90 00 (operational).
 */
export const HISTORICAL_BYTES = Uint8Array.from([0x00, 0x73, 0x00, 0x00, 0x80, 0x05, 0x90, 0x00]);

/** T=1 ATR shaped like the OpenPGP reference cards, carrying the historical bytes above. */
export function buildAtr(): Uint8Array {
  const body = [0xd0 | HISTORICAL_BYTES.length, 0x18, 0xff, 0x81, 0xb1, 0xfe, 0x75, 0x1f, 0x03, ...HISTORICAL_BYTES];
  const tck = body.reduce((a, b) => a ^ b, 0);
  return Uint8Array.from([0x3b, ...body, tck]);
}

const CRT_ROLE: Record<number, KeyRole> = { 0xb6: 'sig', 0xb8: 'dec', 0xa4: 'aut' };
const ROLES: readonly KeyRole[] = ['sig', 'dec', 'aut'];
/** Max certificate size (C0 bytes 5-6) and max special DO size (C0 bytes 7-8). */
const MAX_CERT = 2048;
const MAX_SPECIAL_DO = 255;
/** Commands accepting command chaining, and the most a chain may carry. */
const CHAINABLE = new Set([0xda, 0xdb, 0x2a, 0x88, 0x24, 0x2c, 0x20]);
const MAX_CHAIN_BYTES = 4096;
const MAX_SIGN_INPUT = 64;

interface Reply {
  sw: number;
  data?: Uint8Array;
}

const reply = (sw: number, data?: Uint8Array): Reply => (data ? { sw, data } : { sw });

export interface VirtualCardModelOptions {
  /** Called synchronously with the next state before a change is acknowledged; throw to refuse it. */
  persist?: (state: CardState) => void;
  /** Answer at most this many bytes per response, then 61xx (exercises GET RESPONSE). 1..256. */
  forceChunk?: number;
  /** GET DATA with a short Le different from the data length answers 6Cxx (T=0-style cards). */
  strictLe?: boolean;
  logger?: Logger;
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function u32(n: number): Uint8Array {
  return Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

function isP256Attributes(attr: Uint8Array): boolean {
  const oid = hexBytes('2a8648ce3d030107');
  if (attr[0] !== 0x12 && attr[0] !== 0x13) return false;
  const rest = attr.subarray(1);
  const withFlag = rest.length === oid.length + 1 && (rest[oid.length] === 0x00 || rest[oid.length] === 0xff);
  if (rest.length !== oid.length && !withFlag) return false;
  return oid.every((b, i) => rest[i] === b);
}

export class VirtualOpenPgpCard {
  readonly atr: Uint8Array = buildAtr();
  forceChunk: number | undefined;
  strictLe: boolean;

  private state: CardState;
  private readonly persist: ((s: CardState) => void) | undefined;
  private readonly log: Logger;

  private selected = false;
  private pw1Cds = false;
  private pw1Other = false;
  private pw3 = false;
  private certOccurrence = 0;
  private chain: { ins: number; p1: number; p2: number; parts: Uint8Array[]; size: number } | null = null;
  private pending: Uint8Array | null = null;

  constructor(state: CardState, opts: VirtualCardModelOptions = {}) {
    this.state = structuredClone(state);
    this.persist = opts.persist;
    this.forceChunk = opts.forceChunk;
    this.strictLe = opts.strictLe ?? false;
    this.log = opts.logger ?? silentLogger;
  }

  get serial(): string {
    return this.state.serial;
  }

  /** A copy of the current state (for status displays and tests). */
  snapshot(): CardState {
    return structuredClone(this.state);
  }

  powerOn(): void {
    this.clearSession();
  }

  powerOff(): void {
    this.clearSession();
  }

  reset(): void {
    this.clearSession();
  }

  private clearSession(): void {
    this.selected = false;
    this.pw1Cds = false;
    this.pw1Other = false;
    this.pw3 = false;
    this.certOccurrence = 0;
    this.chain = null;
    this.pending = null;
  }

  /** Processes one command APDU and returns the response APDU. Never throws. */
  process(apdu: Uint8Array): Uint8Array {
    try {
      return this.processUnsafe(apdu);
    } catch (e) {
      // A bug in the model must look like a card error, not crash the reader connection.
      this.log.error({ err: e instanceof Error ? e.message : String(e) }, 'virtual card: internal error');
      this.chain = null;
      this.pending = null;
      return encodeResponseApdu(new Uint8Array(0), SW.NO_PRECISE_DIAGNOSIS);
    }
  }

  private processUnsafe(apdu: Uint8Array): Uint8Array {
    let cmd: ParsedCommandApdu;
    try {
      cmd = parseCommandApdu(apdu);
    } catch {
      this.chain = null;
      this.pending = null;
      return encodeResponseApdu(new Uint8Array(0), SW.WRONG_LENGTH);
    }

    const pending = this.pending;
    this.pending = null;

    if ((cmd.cla & 0xef) !== 0x00) {
      this.chain = null;
      if ((cmd.cla & 0x80) === 0 && (cmd.cla & 0x0c) !== 0) return this.out({ sw: SW.SECURE_MESSAGING_NOT_SUPPORTED });
      if ((cmd.cla & 0x80) === 0 && (cmd.cla & 0x03) !== 0) return this.out({ sw: SW.LOGICAL_CHANNEL_NOT_SUPPORTED });
      return this.out({ sw: SW.CLA_NOT_SUPPORTED });
    }

    if (cmd.ins === 0xc0) return this.getResponse(cmd, pending);

    const chained = (cmd.cla & 0x10) !== 0;
    if (this.chain && (this.chain.ins !== cmd.ins || this.chain.p1 !== cmd.p1 || this.chain.p2 !== cmd.p2)) {
      this.chain = null;
      return this.out({ sw: SW.LAST_COMMAND_OF_CHAIN_EXPECTED });
    }
    if (chained) {
      if (!CHAINABLE.has(cmd.ins)) return this.out({ sw: SW.CHAINING_NOT_SUPPORTED });
      const chain = this.chain ?? { ins: cmd.ins, p1: cmd.p1, p2: cmd.p2, parts: [], size: 0 };
      chain.parts.push(cmd.data);
      chain.size += cmd.data.length;
      if (chain.size > MAX_CHAIN_BYTES) {
        this.chain = null;
        return this.out({ sw: SW.WRONG_LENGTH });
      }
      this.chain = chain;
      return this.out({ sw: SW.OK });
    }
    if (this.chain) {
      cmd = { ...cmd, data: concatBytes(...this.chain.parts, cmd.data) };
      this.chain = null;
    }

    const r = this.dispatch(cmd);
    return this.respond(cmd, r);
  }

  private out(r: Reply): Uint8Array {
    return encodeResponseApdu(r.data ?? new Uint8Array(0), r.sw);
  }

  /** Applies Le, forced chunking and strict-Le behaviour to a successful answer. */
  private respond(cmd: ParsedCommandApdu, r: Reply): Uint8Array {
    const data = r.data;
    if (r.sw !== SW.OK || !data || data.length === 0) return this.out({ sw: r.sw });
    if (this.strictLe && cmd.ins === 0xca && !cmd.extended && cmd.ne > 0 && data.length <= 0x100 && cmd.ne !== data.length) {
      return this.out({ sw: 0x6c00 | (data.length & 0xff) });
    }
    return this.sendChunk(data, cmd.ne);
  }

  private sendChunk(data: Uint8Array, ne: number): Uint8Array {
    let limit = ne;
    if (this.forceChunk !== undefined) limit = Math.min(limit, Math.max(1, Math.min(0x100, this.forceChunk)));
    if (data.length <= limit) return this.out({ sw: SW.OK, data });
    const rest = data.slice(limit);
    this.pending = rest;
    return this.out({ sw: 0x6100 | (Math.min(rest.length, 0x100) & 0xff), data: data.slice(0, limit) });
  }

  private getResponse(cmd: ParsedCommandApdu, pending: Uint8Array | null): Uint8Array {
    this.chain = null;
    if (cmd.p1 !== 0 || cmd.p2 !== 0) {
      this.pending = pending;
      return this.out({ sw: SW.INCORRECT_P1P2 });
    }
    if (!pending) return this.out({ sw: SW.CONDITIONS_NOT_SATISFIED });
    return this.sendChunk(pending, cmd.ne === 0 ? 0x100 : cmd.ne);
  }

  private dispatch(cmd: ParsedCommandApdu): Reply {
    if (cmd.ins === 0xa4) return this.select(cmd);
    if (!this.selected) return reply(SW.INS_NOT_SUPPORTED);
    switch (cmd.ins) {
      case 0xca:
        return this.getData(cmd);
      case 0x20:
        return this.verify(cmd);
      case 0x24:
        return this.changeReferenceData(cmd);
      case 0x2c:
        return this.resetRetryCounter(cmd);
      case 0x47:
        return this.generateOrRead(cmd);
      case 0xda:
        return this.putData(cmd);
      case 0x88:
        return this.internalAuthenticate(cmd);
      case 0x2a:
        return this.pso(cmd);
      case 0xa5:
        return this.selectData(cmd);
      default:
        return reply(SW.INS_NOT_SUPPORTED);
    }
  }

  // ---- state helpers ----

  /** Applies a change to a copy, persists it, then adopts it. False when persisting failed. */
  private commit(mutate: (s: CardState) => void): boolean {
    const next = structuredClone(this.state);
    mutate(next);
    try {
      this.persist?.(next);
    } catch (e) {
      this.log.error({ err: e instanceof Error ? e.message : String(e), serial: this.state.serial }, 'virtual card: cannot persist state');
      return false;
    }
    this.state = next;
    return true;
  }

  private aid(): Uint8Array {
    const m = this.state.manufacturer;
    return concatBytes(OPENPGP_AID_PREFIX, Uint8Array.from(VERSION), Uint8Array.of(m >> 8, m & 0xff), hexBytes(this.state.serial), Uint8Array.of(0, 0));
  }

  private pwStatus(): Uint8Array {
    const s = this.state;
    return Uint8Array.of(
      s.pw1ValidForSeveralSignatures ? 1 : 0,
      PIN_LIMITS.pw1.max,
      PIN_LIMITS.rc.max,
      PIN_LIMITS.pw3.max,
      s.counters.pw1,
      s.counters.rc,
      s.counters.pw3,
    );
  }

  private extendedCapabilities(): Uint8Array {
    // 0x10: PW status changeable, 0x04: algorithm attributes changeable.
    return Uint8Array.of(0x14, 0x00, 0x00, 0x00, MAX_CERT >> 8, MAX_CERT & 0xff, MAX_SPECIAL_DO >> 8, MAX_SPECIAL_DO & 0xff, 0x00, 0x00);
  }

  private roleBytes(pick: (r: KeyRole) => Uint8Array): Uint8Array {
    return concatBytes(...ROLES.map(pick));
  }

  private keyInformation(): Uint8Array {
    const status = (r: KeyRole): number => {
      const k = this.state.keys[r];
      return !k ? 0 : k.origin === 'generated' ? 1 : 2;
    };
    return Uint8Array.of(0x01, status('sig'), 0x02, status('dec'), 0x03, status('aut'));
  }

  private simpleDo(tag: number): Uint8Array | null {
    const s = this.state;
    switch (tag) {
      case 0x4f:
        return this.aid();
      case 0x5e:
        return hexBytes(s.dos.loginData);
      case 0x5b:
        return hexBytes(s.dos.name);
      case 0x5f2d:
        return hexBytes(s.dos.lang);
      case 0x5f35:
        return hexBytes(s.dos.sex);
      case 0x5f50:
        return hexBytes(s.dos.url);
      case 0x5f52:
        return HISTORICAL_BYTES;
      case 0x7f21:
        return this.certOccurrence === 0 ? hexBytes(s.dos.certificate) : new Uint8Array(0);
      case 0xc0:
        return this.extendedCapabilities();
      case 0xc1:
        return hexBytes(s.algorithmAttributes.sig);
      case 0xc2:
        return hexBytes(s.algorithmAttributes.dec);
      case 0xc3:
        return hexBytes(s.algorithmAttributes.aut);
      case 0xc4:
        return this.pwStatus();
      case 0xc5:
        return this.roleBytes((r) => hexBytes(s.fingerprints[r]));
      case 0xc6:
        return this.roleBytes((r) => hexBytes(s.caFingerprints[r]));
      case 0xcd:
        return this.roleBytes((r) => u32(s.generationTimes[r]));
      case 0xde:
        return this.keyInformation();
      case 0x93:
        return Uint8Array.of((s.signatureCounter >> 16) & 0xff, (s.signatureCounter >> 8) & 0xff, s.signatureCounter & 0xff);
      default:
        return null;
    }
  }

  private constructedDo(tag: number): Uint8Array | null {
    const d = (t: number) => encodeTlv(t, this.simpleDo(t)!);
    switch (tag) {
      case 0x65:
        return encodeTlv(0x65, d(0x5b), d(0x5f2d), d(0x5f35));
      case 0x6e:
        return encodeTlv(
          0x6e,
          d(0x4f),
          d(0x5f52),
          encodeTlv(0x73, d(0xc0), d(0xc1), d(0xc2), d(0xc3), d(0xc4), d(0xc5), d(0xc6), d(0xcd), d(0xde)),
        );
      case 0x7a:
        return encodeTlv(0x7a, d(0x93));
      default:
        return null;
    }
  }

  // ---- commands ----

  private select(cmd: ParsedCommandApdu): Reply {
    if (cmd.p1 !== 0x04) return reply(cmd.p1 === 0x00 || cmd.p1 === 0x08 || cmd.p1 === 0x09 ? SW.FILE_NOT_FOUND : SW.INCORRECT_P1P2);
    const aid = this.aid();
    const d = cmd.data;
    if (d.length < 5 || d.length > aid.length || !d.every((b, i) => aid[i] === b)) return reply(SW.FILE_NOT_FOUND);
    this.clearSession();
    this.selected = true;
    return reply(SW.OK);
  }

  private getData(cmd: ParsedCommandApdu): Reply {
    const tag = (cmd.p1 << 8) | cmd.p2;
    if (tag === 0x93) return reply(SW.REFERENCED_DATA_NOT_FOUND); // only inside 7A
    const v = this.constructedDo(tag) ?? this.simpleDo(tag);
    return v ? reply(SW.OK, v) : reply(SW.REFERENCED_DATA_NOT_FOUND);
  }

  /**
   * SELECT DATA (3.x) picks an occurrence of the cardholder certificate (7F21). This card stores the
   * first one only (the authentication key's, as in v2); the other two read as empty, as on a card
   * where they were never written, and cannot be written.
   */
  private selectData(cmd: ParsedCommandApdu): Reply {
    if (cmd.p2 !== 0x04 || cmd.p1 > 2) return reply(SW.INCORRECT_P1P2);
    let tag: Uint8Array | undefined;
    try {
      tag = findTlv(cmd.data, 0x5c);
    } catch {
      return reply(SW.INCORRECT_DATA);
    }
    if (!tag || tag.length !== 2 || tag[0] !== 0x7f || tag[1] !== 0x21) return reply(SW.INCORRECT_DATA);
    this.certOccurrence = cmd.p1;
    return reply(SW.OK);
  }

  private triesSw(left: number): number {
    return 0x63c0 | (left & 0x0f);
  }

  private verify(cmd: ParsedCommandApdu): Reply {
    const ref = cmd.p2;
    if (ref !== 0x81 && ref !== 0x82 && ref !== 0x83) return reply(SW.INCORRECT_P1P2);
    if (cmd.p1 === 0xff) {
      if (cmd.data.length > 0) return reply(SW.WRONG_LENGTH);
      if (ref === 0x81) this.pw1Cds = false;
      else if (ref === 0x82) this.pw1Other = false;
      else this.pw3 = false;
      return reply(SW.OK);
    }
    if (cmd.p1 !== 0x00) return reply(SW.INCORRECT_P1P2);
    const which = ref === 0x83 ? 'pw3' : 'pw1';
    const left = this.state.counters[which];
    if (cmd.data.length === 0) {
      const verified = ref === 0x81 ? this.pw1Cds : ref === 0x82 ? this.pw1Other : this.pw3;
      if (verified) return reply(SW.OK);
      return reply(left === 0 ? SW.AUTH_METHOD_BLOCKED : this.triesSw(left));
    }
    if (left === 0) return reply(SW.AUTH_METHOD_BLOCKED);
    if (cmd.data.length > PIN_LIMITS[which].max) return reply(SW.WRONG_LENGTH);
    const ok = sameBytes(cmd.data, hexBytes(this.state.pins[which]));
    this.setVerified(ref, false);
    if (!ok) {
      if (!this.commit((s) => (s.counters[which] = left - 1))) return reply(SW.MEMORY_FAILURE);
      return reply(this.triesSw(left - 1));
    }
    if (left !== MAX_TRIES && !this.commit((s) => (s.counters[which] = MAX_TRIES))) return reply(SW.MEMORY_FAILURE);
    this.setVerified(ref, true);
    return reply(SW.OK);
  }

  private setVerified(ref: number, value: boolean): void {
    if (ref === 0x81) this.pw1Cds = value;
    else if (ref === 0x82) this.pw1Other = value;
    else this.pw3 = value;
  }

  private validNewPin(which: 'pw1' | 'pw3' | 'rc', pin: Uint8Array): boolean {
    return pin.length >= PIN_LIMITS[which].min && pin.length <= PIN_LIMITS[which].max;
  }

  private changeReferenceData(cmd: ParsedCommandApdu): Reply {
    if (cmd.p1 !== 0x00 || (cmd.p2 !== 0x81 && cmd.p2 !== 0x83)) return reply(SW.INCORRECT_P1P2);
    const which = cmd.p2 === 0x83 ? 'pw3' : 'pw1';
    const left = this.state.counters[which];
    if (left === 0) return reply(SW.AUTH_METHOD_BLOCKED);
    const current = hexBytes(this.state.pins[which]);
    const ok = cmd.data.length > current.length && sameBytes(cmd.data.subarray(0, current.length), current);
    if (!ok) {
      if (which === 'pw1') {
        this.pw1Cds = false;
        this.pw1Other = false;
      } else this.pw3 = false;
      if (!this.commit((s) => (s.counters[which] = left - 1))) return reply(SW.MEMORY_FAILURE);
      return reply(this.triesSw(left - 1));
    }
    const next = cmd.data.subarray(current.length);
    if (!this.validNewPin(which, next)) return reply(SW.WRONG_LENGTH);
    const saved = this.commit((s) => {
      s.pins[which] = toHex(next);
      s.counters[which] = MAX_TRIES;
    });
    return reply(saved ? SW.OK : SW.MEMORY_FAILURE);
  }

  private resetRetryCounter(cmd: ParsedCommandApdu): Reply {
    if (cmd.p2 !== 0x81) return reply(SW.INCORRECT_P1P2);
    if (cmd.p1 === 0x02) {
      if (!this.pw3) return reply(SW.SECURITY_STATUS_NOT_SATISFIED);
      if (!this.validNewPin('pw1', cmd.data)) return reply(SW.WRONG_LENGTH);
      const saved = this.commit((s) => {
        s.pins.pw1 = toHex(cmd.data);
        s.counters.pw1 = MAX_TRIES;
      });
      return reply(saved ? SW.OK : SW.MEMORY_FAILURE);
    }
    if (cmd.p1 !== 0x00) return reply(SW.INCORRECT_P1P2);
    const rcHex = this.state.pins.rc;
    const left = this.state.counters.rc;
    if (rcHex === null || left === 0) return reply(SW.AUTH_METHOD_BLOCKED);
    const rc = hexBytes(rcHex);
    const ok = cmd.data.length > rc.length && sameBytes(cmd.data.subarray(0, rc.length), rc);
    if (!ok) {
      if (!this.commit((s) => (s.counters.rc = left - 1))) return reply(SW.MEMORY_FAILURE);
      return reply(this.triesSw(left - 1));
    }
    const next = cmd.data.subarray(rc.length);
    if (!this.validNewPin('pw1', next)) return reply(SW.WRONG_LENGTH);
    const saved = this.commit((s) => {
      s.pins.pw1 = toHex(next);
      s.counters.pw1 = MAX_TRIES;
      s.counters.rc = MAX_TRIES;
    });
    return reply(saved ? SW.OK : SW.MEMORY_FAILURE);
  }

  private publicKeyTemplate(role: KeyRole): Uint8Array | null {
    const key = this.state.keys[role];
    return key ? encodeTlv(0x7f49, encodeTlv(0x86, jwkPublicPoint(key.jwk))) : null;
  }

  private generateOrRead(cmd: ParsedCommandApdu): Reply {
    if (cmd.p2 !== 0x00 || (cmd.p1 !== 0x80 && cmd.p1 !== 0x81)) return reply(SW.INCORRECT_P1P2);
    const d = cmd.data;
    // A control reference template: B6/B8/A4, with an empty or (ignored) non-empty body.
    if (d.length < 2 || d[1] !== d.length - 2) return reply(SW.INCORRECT_DATA);
    const role = CRT_ROLE[d[0]!];
    if (!role) return reply(SW.INCORRECT_DATA);
    if (cmd.p1 === 0x81) {
      const t = this.publicKeyTemplate(role);
      return t ? reply(SW.OK, t) : reply(SW.REFERENCED_DATA_NOT_FOUND);
    }
    if (!this.pw3) return reply(SW.SECURITY_STATUS_NOT_SATISFIED);
    const jwk = generateP256Jwk();
    const saved = this.commit((s) => {
      s.keys[role] = { jwk, origin: 'generated' };
      s.fingerprints[role] = '00'.repeat(20);
      s.generationTimes[role] = 0;
      if (role === 'sig') s.signatureCounter = 0;
    });
    if (!saved) return reply(SW.MEMORY_FAILURE);
    return reply(SW.OK, this.publicKeyTemplate(role)!);
  }

  private putData(cmd: ParsedCommandApdu): Reply {
    if (!this.pw3) return reply(SW.SECURITY_STATUS_NOT_SATISFIED);
    const change = this.putDataChange((cmd.p1 << 8) | cmd.p2, cmd.data);
    if (typeof change !== 'function') return change;
    return reply(this.commit(change) ? SW.OK : SW.MEMORY_FAILURE);
  }

  /** The state change a PUT DATA asks for, or the status word refusing it. */
  private putDataChange(tag: number, d: Uint8Array): Reply | ((s: CardState) => void) {
    const hexd = toHex(d);
    const upTo = (max: number, f: (s: CardState) => void) => (d.length > max ? reply(SW.WRONG_LENGTH) : f);
    switch (tag) {
      case 0x5b:
        return upTo(39, (s) => (s.dos.name = hexd));
      case 0x5e:
        return upTo(MAX_SPECIAL_DO, (s) => (s.dos.loginData = hexd));
      case 0x5f50:
        return upTo(MAX_SPECIAL_DO, (s) => (s.dos.url = hexd));
      case 0x5f2d:
        return upTo(8, (s) => (s.dos.lang = hexd));
      case 0x5f35:
        if (d.length !== 1 || ![0x30, 0x31, 0x32, 0x39].includes(d[0]!)) return reply(SW.INCORRECT_DATA);
        return (s) => (s.dos.sex = hexd);
      case 0x7f21:
        if (this.certOccurrence !== 0) return reply(SW.REFERENCED_DATA_NOT_FOUND);
        return upTo(MAX_CERT, (s) => (s.dos.certificate = hexd));
      case 0xc1:
      case 0xc2:
      case 0xc3: {
        const role = ROLES[tag - 0xc1]!;
        if (!isP256Attributes(d)) return reply(SW.INCORRECT_DATA);
        return (s) => {
          if (s.algorithmAttributes[role] !== hexd) {
            // New attributes invalidate the key, as on a real card.
            s.keys[role] = null;
            s.fingerprints[role] = '00'.repeat(20);
            s.generationTimes[role] = 0;
          }
          s.algorithmAttributes[role] = hexd;
        };
      }
      case 0xc4:
        if (d.length !== 1 || d[0]! > 1) return reply(SW.INCORRECT_DATA);
        return (s) => (s.pw1ValidForSeveralSignatures = d[0] === 1);
      case 0xc7:
      case 0xc8:
      case 0xc9:
      case 0xca:
      case 0xcb:
      case 0xcc: {
        if (d.length !== 20) return reply(SW.WRONG_LENGTH);
        const role = ROLES[(tag - 0xc7) % 3]!;
        return tag <= 0xc9 ? (s) => (s.fingerprints[role] = hexd) : (s) => (s.caFingerprints[role] = hexd);
      }
      case 0xce:
      case 0xcf:
      case 0xd0: {
        if (d.length !== 4) return reply(SW.WRONG_LENGTH);
        const role = ROLES[tag - 0xce]!;
        return (s) => (s.generationTimes[role] = Buffer.from(d).readUInt32BE(0));
      }
      case 0xd3:
        if (d.length === 0) {
          return (s) => {
            s.pins.rc = null;
            s.counters.rc = 0;
          };
        }
        if (!this.validNewPin('rc', d)) return reply(SW.WRONG_LENGTH);
        return (s) => {
          s.pins.rc = hexd;
          s.counters.rc = MAX_TRIES;
        };
      default:
        return reply(SW.REFERENCED_DATA_NOT_FOUND);
    }
  }

  private signWith(role: KeyRole, input: Uint8Array): Reply | Uint8Array {
    const key = this.state.keys[role];
    if (!key) return reply(SW.REFERENCED_DATA_NOT_FOUND);
    if (input.length === 0 || input.length > MAX_SIGN_INPUT) return reply(SW.WRONG_LENGTH);
    return ecdsaSignP256(jwkPrivateScalar(key.jwk), input);
  }

  private internalAuthenticate(cmd: ParsedCommandApdu): Reply {
    if (cmd.p1 !== 0 || cmd.p2 !== 0) return reply(SW.INCORRECT_P1P2);
    if (!this.pw1Other) return reply(SW.SECURITY_STATUS_NOT_SATISFIED);
    const r = this.signWith('aut', cmd.data);
    return r instanceof Uint8Array ? reply(SW.OK, r) : r;
  }

  private pso(cmd: ParsedCommandApdu): Reply {
    const p = (cmd.p1 << 8) | cmd.p2;
    if (p === 0x8086 || p === 0x8680) return reply(SW.FUNCTION_NOT_SUPPORTED);
    if (p !== 0x9e9a) return reply(SW.INCORRECT_P1P2);
    if (!this.pw1Cds) return reply(SW.SECURITY_STATUS_NOT_SATISFIED);
    const r = this.signWith('sig', cmd.data);
    if (!(r instanceof Uint8Array)) return r;
    // One signature per verification unless C4 says otherwise (spec 7.2.10).
    if (!this.state.pw1ValidForSeveralSignatures) this.pw1Cds = false;
    const saved = this.commit((s) => (s.signatureCounter = Math.min(0xffffff, s.signatureCounter + 1)));
    return saved ? reply(SW.OK, r) : reply(SW.MEMORY_FAILURE);
  }
}

