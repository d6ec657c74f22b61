/**
 * The virtual card state machine driven with raw APDU bytes, as a reader would.
 */
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../pcsc/apdu.ts';
import { decodeTlvs, findTlv } from '../pcsc/tlv.ts';
import { ecdsaSignP256, generateP256Jwk, jwkPrivateScalar, jwkPublicPoint } from './ecdsa.ts';
import { buildAtr, HISTORICAL_BYTES, VirtualOpenPgpCard } from './openpgp-card.ts';
import { blankCardState, CardStateSchema, type CardState } from './state.ts';

const SELECT = '00A4040006D27600012401';

function hexOf(s: string): string {
  return Buffer.from(s).toString('hex').toUpperCase();
}

function lc(hexData: string): string {
  return (hexData.length / 2).toString(16).padStart(2, '0').toUpperCase();
}

function makeCard(opts: { persisted?: CardState[]; forceChunk?: number; strictLe?: boolean; failPersist?: () => boolean } = {}) {
  const persisted = opts.persisted ?? [];
  const card = new VirtualOpenPgpCard(blankCardState('0A1B2C3D'), {
    persist: (s) => {
      if (opts.failPersist?.()) throw new Error('disk full');
      persisted.push(s);
    },
    forceChunk: opts.forceChunk,
    strictLe: opts.strictLe,
  });
  card.powerOn();
  const send = (hex: string) => {
    const out = card.process(fromHex(hex));
    expect(out.length).toBeGreaterThanOrEqual(2);
    const sw = toHex(out.subarray(out.length - 2));
    return { sw, data: out.subarray(0, out.length - 2), hex: toHex(out.subarray(0, out.length - 2)) };
  };
  return { card, send, persisted };
}

/** A selected card with keys generated and PW3 verified. */
function personalised(opts: Parameters<typeof makeCard>[0] = {}) {
  const c = makeCard(opts);
  expect(c.send(SELECT).sw).toBe('9000');
  expect(c.send(`0020008308${hexOf('12345678')}`).sw).toBe('9000');
  const sig = c.send('00478000' + '02B600' + '00');
  const aut = c.send('00478000' + '02A400' + '00');
  expect(sig.sw).toBe('9000');
  expect(aut.sw).toBe('9000');
  const point = (tpl: Uint8Array) => findTlv(tpl, 0x86)!;
  return { ...c, sigPoint: point(sig.data), autPoint: point(aut.data) };
}

function publicKey(point: Uint8Array) {
  return createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: Buffer.from(point.subarray(1, 33)).toString('base64url'),
      y: Buffer.from(point.subarray(33)).toString('base64url'),
    },
    format: 'jwk',
  });
}

describe('ATR and selection', () => {
  it('has a well-formed T=1 ATR carrying the historical bytes (TCK checks)', () => {
    const atr = buildAtr();
    expect(atr[0]).toBe(0x3b);
    expect(atr.subarray(1).reduce((a, b) => a ^ b, 0)).toBe(0);
    expect(toHex(atr)).toContain(toHex(HISTORICAL_BYTES));
  });

  it('answers 6D00 before SELECT, 6A82 for another application, 9000 for OpenPGP (full or partial AID)', () => {
    const { send } = makeCard();
    expect(send('00CA004F00').sw).toBe('6D00');
    expect(send('00A4040007A0000000030000').sw).toBe('6A82');
    expect(send('00A4000C023F00').sw).toBe('6A82');
    expect(send(SELECT).sw).toBe('9000');
    expect(send('00A4040010D2760001240103040000FFFFFFFF0000').sw).toBe('6A82'); // full AID, wrong serial
    expect(send('00A4040010D276000124010304FF000A1B2C3D0000').sw).toBe('9000');
  });
});

describe('GET DATA', () => {
  it('returns the AID with the serial, login data and well-formed constructed DOs', () => {
    const { send } = makeCard();
    send(SELECT);
    const aid = send('00CA004F00');
    expect(aid.sw).toBe('9000');
    expect(aid.hex).toBe('D276000124010304FF000A1B2C3D0000');
    expect(send('00CA005E00')).toMatchObject({ sw: '9000', hex: '' });

    const ard = send('00CA006E00');
    expect(ard.sw).toBe('9000');
    const [outer] = decodeTlvs(ard.data);
    expect(outer?.tag).toBe(0x6e);
    expect(decodeTlvs(outer!.value).map((t) => t.tag)).toEqual([0x4f, 0x5f52, 0x73]);
    const disc = findTlv(ard.data, 0x73)!;
    expect(decodeTlvs(disc).map((t) => t.tag)).toEqual([0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xcd, 0xde]);
    expect(toHex(findTlv(ard.data, 0xc1)!)).toBe('132A8648CE3D030107');
    expect(toHex(findTlv(ard.data, 0xc4)!)).toBe('007F7F7F030003');
    expect(findTlv(ard.data, 0xc5)!.length).toBe(60);

    expect(toHex(findTlv(send('00CA006500').data, 0x5f2d)!)).toBe(hexOf('fr'));
    expect(toHex(findTlv(send('00CA007A00').data, 0x93)!)).toBe('000000');
    expect(send('00CA00C400').hex).toBe('007F7F7F030003');
    expect(send('00CA7F2100')).toMatchObject({ sw: '9000', hex: '' });
    expect(send('00CA010100').sw).toBe('6A88');
    expect(send('00CA009300').sw).toBe('6A88');
  });

  it('answers 6Cxx to a wrong short Le in strict-Le mode, then the data with the right Le', () => {
    const { send } = makeCard({ strictLe: true });
    send(SELECT);
    expect(send('00CA004F00').sw).toBe('6C10');
    expect(send('00CA004F10')).toMatchObject({ sw: '9000', hex: 'D276000124010304FF000A1B2C3D0000' });
  });
});

describe('VERIFY and PIN counters', () => {
  it('counts down on wrong PINs, blocks at zero and persists every counter change before answering', () => {
    const { send, persisted } = makeCard();
    send(SELECT);
    expect(send('0020008200').sw).toBe('63C3');
    expect(send(`0020008206${hexOf('000000')}`).sw).toBe('63C2');
    expect(persisted.at(-1)?.counters.pw1).toBe(2);
    expect(send(`0020008106${hexOf('111111')}`).sw).toBe('63C1');
    expect(send(`0020008206${hexOf('222222')}`).sw).toBe('63C0');
    expect(persisted.at(-1)?.counters.pw1).toBe(0);
    // Blocked: even the right PIN is refused, and nothing is written.
    const writes = persisted.length;
    expect(send(`0020008206${hexOf('123456')}`).sw).toBe('6983');
    expect(send('0020008200').sw).toBe('6983');
    expect(persisted.length).toBe(writes);
  });

  it('a right PIN resets the counter and sets the verification status until power off', () => {
    const { card, send, persisted } = makeCard();
    send(SELECT);
    send(`0020008206${hexOf('000000')}`);
    expect(send(`0020008206${hexOf('123456')}`).sw).toBe('9000');
    expect(persisted.at(-1)?.counters.pw1).toBe(3);
    expect(send('0020008200').sw).toBe('9000');
    expect(send('0020008100').sw).toBe('63C3'); // 81 and 82 are separate states
    expect(send('0020FF8200').sw).toBe('9000');
    expect(send('0020008200').sw).toBe('63C3');
    send(`0020008206${hexOf('123456')}`);
    card.powerOff();
    card.powerOn();
    send(SELECT);
    expect(send('0020008200').sw).toBe('63C3');
  });

  it('rejects bad references and lengths without touching counters', () => {
    const { send, persisted } = makeCard();
    send(SELECT);
    expect(send(`0020008406${hexOf('123456')}`).sw).toBe('6A86');
    expect(send(`0020018206${hexOf('123456')}`).sw).toBe('6A86');
    expect(send(`00200082${'80'}${'31'.repeat(128)}`).sw).toBe('6700');
    expect(persisted.length).toBe(0);
  });
});

describe('signatures', () => {
  it('INTERNAL AUTHENTICATE needs PW1 (82) and signs the input as is (verifies with node:crypto)', () => {
    const { send, autPoint } = personalised();
    const challenge = randomBytes(48);
    const digest = createHash('sha256').update(challenge).digest();
    expect(send(`0088000020${digest.toString('hex')}00`).sw).toBe('6982');
    send(`0020008206${hexOf('654321')}`); // wrong (default is 123456): still not verified
    expect(send(`0020008206${hexOf('123456')}`).sw).toBe('9000');
    const r = send(`0088000020${digest.toString('hex')}00`);
    expect(r.sw).toBe('9000');
    expect(r.data.length).toBe(64);
    expect(verify('sha256', challenge, { key: publicKey(autPoint), dsaEncoding: 'ieee-p1363' }, r.data)).toBe(true);
    expect(verify('sha256', Buffer.from('other'), { key: publicKey(autPoint), dsaEncoding: 'ieee-p1363' }, r.data)).toBe(false);
  });

  it('PSO:CDS needs PW1 (81), allows one signature per verification by default and counts signatures', () => {
    const { send, sigPoint } = personalised();
    const msg = Buffer.from('procuration: Camille → CMS');
    const digest = createHash('sha256').update(msg).digest().toString('hex');
    expect(send(`002A9E9A20${digest}00`).sw).toBe('6982');
    send(`0020008206${hexOf('123456')}`); // 82 does not allow signing
    expect(send(`002A9E9A20${digest}00`).sw).toBe('6982');
    send(`0020008106${hexOf('123456')}`);
    const s = send(`002A9E9A20${digest}00`);
    expect(s.sw).toBe('9000');
    expect(verify('sha256', msg, { key: publicKey(sigPoint), dsaEncoding: 'ieee-p1363' }, s.data)).toBe(true);
    expect(send(`002A9E9A20${digest}00`).sw).toBe('6982');
    expect(toHex(findTlv(send('00CA007A00').data, 0x93)!)).toBe('000001');

    // C4 = 01: PW1 stays valid for several signatures.
    send(`0020008308${hexOf('12345678')}`);
    expect(send('00DA00C40101').sw).toBe('9000');
    send(`0020008106${hexOf('123456')}`);
    expect(send(`002A9E9A20${digest}00`).sw).toBe('9000');
    expect(send(`002A9E9A20${digest}00`).sw).toBe('9000');
    expect(toHex(findTlv(send('00CA007A00').data, 0x93)!)).toBe('000003');
  });

  it('refuses to sign without a key, with empty or oversized input, and with wrong P1P2', () => {
    const { send } = makeCard();
    send(SELECT);
    send(`0020008106${hexOf('123456')}`);
    expect(send(`002A9E9A20${'00'.repeat(32)}00`).sw).toBe('6A88');
    const p = personalised();
    p.send(`0020008106${hexOf('123456')}`);
    expect(p.send(`002A9E9A41${'00'.repeat(65)}00`).sw).toBe('6700');
    expect(p.send(`002A9E9A00`).sw).toBe('6700');
    expect(p.send(`002A8086020000`).sw).toBe('6A81');
    expect(p.send(`002A1234020000`).sw).toBe('6A86');
  });

  it('raw ECDSA helper produces signatures node:crypto accepts', () => {
    const jwk = generateP256Jwk();
    const key = publicKey(jwkPublicPoint(jwk));
    for (let i = 0; i < 20; i++) {
      const m = randomBytes(i + 1);
      const sig = ecdsaSignP256(jwkPrivateScalar(jwk), createHash('sha256').update(m).digest());
      expect(verify('sha256', m, { key, dsaEncoding: 'ieee-p1363' }, sig)).toBe(true);
    }
  });
});

describe('issuance commands', () => {
  it('GENERATE needs PW3; reading a public key needs nothing but the key', () => {
    const { send } = makeCard();
    send(SELECT);
    expect(send('0047810002B60000').sw).toBe('6A88');
    expect(send('0047800002B60000').sw).toBe('6982');
    send(`0020008308${hexOf('12345678')}`);
    const gen = send('0047800002B60000');
    expect(gen.sw).toBe('9000');
    expect(findTlv(gen.data, 0x86)!.length).toBe(65);
    expect(send('0047810002B60000').hex).toBe(gen.hex);
    expect(send('0047800002B70000').sw).toBe('6A80');
    expect(send('0047800001B600').sw).toBe('6A80');
    expect(send('0047820002B60000').sw).toBe('6A86');
  });

  it('PUT DATA needs PW3 and validates lengths and values', () => {
    const { send, persisted } = makeCard();
    send(SELECT);
    expect(send(`00DA005E04${hexOf('ABCD')}`).sw).toBe('6982');
    send(`0020008308${hexOf('12345678')}`);
    expect(send(`00DA005E12${hexOf('FAC-K7QM-3XD2-9HRW')}`).sw).toBe('9000');
    expect(send('00CA005E00').hex).toBe(hexOf('FAC-K7QM-3XD2-9HRW'));
    expect(send(`00DA005B28${'41'.repeat(40)}`).sw).toBe('6700');
    expect(send('00DA5F350133').sw).toBe('6A80');
    expect(send(`00DA00C10A${'01'.repeat(10)}`).sw).toBe('6A80'); // not P-256
    expect(send(`00DA00C7${lc('00'.repeat(19))}${'00'.repeat(19)}`).sw).toBe('6700');
    expect(send('00DA004F0101').sw).toBe('6A88'); // read-only
    expect(send(`00DA00D304${hexOf('abcd')}`).sw).toBe('6700'); // reset code too short
    expect(persisted.at(-1)?.dos.loginData).toBe(Buffer.from('FAC-K7QM-3XD2-9HRW').toString('hex'));
  });

  it('stores a ~900-byte certificate sent with command chaining and returns it through GET RESPONSE', () => {
    const { send } = makeCard({ forceChunk: 100 });
    send(SELECT);
    send(`0020008308${hexOf('12345678')}`);
    const cert = randomBytes(900);
    for (let off = 0; off < cert.length; off += 255) {
      const part = cert.subarray(off, off + 255);
      const last = off + 255 >= cert.length;
      const r = send(`${last ? '00' : '10'}DA7F21${lc(part.toString('hex'))}${part.toString('hex')}`);
      expect(r.sw).toBe('9000');
    }
    let r = send('00CA7F2100');
    const chunks = [r.data];
    let rounds = 0;
    while (r.sw.startsWith('61')) {
      expect(r.data.length).toBe(100);
      r = send(`00C00000${r.sw.slice(2)}`);
      chunks.push(r.data);
      rounds++;
    }
    expect(r.sw).toBe('9000');
    expect(rounds).toBe(8);
    expect(Buffer.concat(chunks).equals(cert)).toBe(true);
  });

  it('SELECT DATA picks a certificate occurrence: the first holds the certificate, the others are empty', () => {
    const { send } = makeCard();
    send(SELECT);
    send(`0020008308${hexOf('12345678')}`);
    expect(send('00DA7F2104300200AA').sw).toBe('9000');
    expect(send('00A5010406' + '60045C027F21').sw).toBe('9000');
    expect(send('00CA7F2100')).toMatchObject({ sw: '9000', hex: '' });
    expect(send('00DA7F2104300200BB').sw).toBe('6A88');
    expect(send('00A5000406' + '60045C027F21').sw).toBe('9000');
    expect(send('00CA7F2100').hex).toBe('300200AA');
    expect(send('00A5030406' + '60045C027F21').sw).toBe('6A86');
    expect(send('00A5000006' + '60045C027F21').sw).toBe('6A86');
    expect(send('00A5000406' + '60045C025F50').sw).toBe('6A80');
    expect(send('00A500040360045C').sw).toBe('6A80');
  });

  it('without forced chunking, a short Le=00 returns 256 bytes then 61xx', () => {
    const { send } = makeCard();
    send(SELECT);
    send(`0020008308${hexOf('12345678')}`);
    const cert = randomBytes(300);
    send(`10DA7F21FF${cert.subarray(0, 255).toString('hex')}`);
    send(`00DA7F212D${cert.subarray(255).toString('hex')}`);
    const first = send('00CA7F2100');
    expect(first.sw).toBe('612C');
    expect(first.data.length).toBe(256);
    const rest = send('00C000002C');
    expect(rest.sw).toBe('9000');
    expect(Buffer.concat([first.data, rest.data]).equals(cert)).toBe(true);
    // Extended Le gets everything at once.
    expect(send('00CA7F21000000').data.length).toBe(300);
  });

  it('changes PW1 with the old PIN, and resets it with PW3 or the reset code', () => {
    const { send, card } = makeCard();
    send(SELECT);
    // header + Lc + data, the data being PINs one after the other
    const cmd = (header: string, ...pins: string[]) => {
      const data = pins.map(hexOf).join('');
      return `${header}${(data.length / 2).toString(16).padStart(2, '0').toUpperCase()}${data}`;
    };
    expect(send(cmd('00240081', '000000', '432198')).sw).toBe('63C2');
    expect(send(cmd('00240081', '123456', '432198')).sw).toBe('9000');
    expect(send(cmd('00200082', '432198')).sw).toBe('9000');
    expect(send(cmd('00240081', '432198', '1234567')).sw).toBe('9000');
    expect(send(cmd('00240082', '123456', '432198')).sw).toBe('6A86');

    for (let i = 0; i < 3; i++) send(cmd('00200082', '000000'));
    expect(send('0020008200').sw).toBe('6983');
    expect(send(cmd('002C0281', '246813')).sw).toBe('6982'); // PW3 not verified
    expect(send(cmd('002C0081', '246813')).sw).toBe('6983'); // no reset code set
    send(cmd('00200083', '12345678'));
    expect(send(cmd('002C0281', '246813')).sw).toBe('9000');
    expect(send(cmd('00200082', '246813')).sw).toBe('9000');

    expect(send(cmd('00DA00D3', '87654321')).sw).toBe('9000');
    for (let i = 0; i < 3; i++) send(cmd('00200082', '000000'));
    expect(send(cmd('002C0081', '00000000', '135792')).sw).toBe('63C2');
    expect(send(cmd('002C0081', '87654321', '135792')).sw).toBe('9000');
    expect(send(cmd('00200082', '135792')).sw).toBe('9000');
    expect(card.snapshot().counters).toEqual({ pw1: 3, rc: 3, pw3: 3 });
  });

  it('refuses a new PW1 shorter than 6 (spec 3.4) with 6700 (wrong length), whichever command sets it, and keeps the old one', () => {
    const { send, card } = makeCard();
    send(SELECT);
    const cmd = (header: string, ...pins: string[]) => {
      const data = pins.map(hexOf).join('');
      return `${header}${(data.length / 2).toString(16).padStart(2, '0').toUpperCase()}${data}`;
    };
    const before = card.snapshot().pins.pw1;
    expect(send(cmd('00240081', '123456', '1234')).sw).toBe('6700'); // CHANGE REFERENCE DATA
    expect(send(cmd('00240081', '123456', '12345')).sw).toBe('6700');
    expect(card.snapshot().counters.pw1).toBe(3); // the old PIN was right: no try is lost
    send(cmd('00200083', '12345678'));
    expect(send(cmd('002C0281', '1234')).sw).toBe('6700'); // RESET RETRY COUNTER with PW3
    expect(send(cmd('00DA00D3', '87654321')).sw).toBe('9000');
    expect(send(cmd('002C0081', '87654321', '12345')).sw).toBe('6700'); // with the reset code
    expect(send(cmd('00DA00D3', '1234567')).sw).toBe('6700'); // a reset code shorter than 8 is refused too
    expect(card.snapshot().pins.pw1).toBe(before);
    expect(send(cmd('00240081', '123456', '123457')).sw).toBe('9000'); // 6 digits: taken
  });
});

describe('malformed and unexpected input', () => {
  it('answers with the right status word, never an exception', () => {
    const { send } = makeCard();
    send(SELECT);
    expect(send('00CA00').sw).toBe('6700');
    expect(send('00CA006E0501').sw).toBe('6700');
    expect(send('80CA006E00').sw).toBe('6E00');
    expect(send('0CCA006E00').sw).toBe('6882');
    expect(send('01CA006E00').sw).toBe('6881');
    expect(send('00FE000000').sw).toBe('6D00');
    expect(send('00C0000000').sw).toBe('6985'); // nothing pending
    expect(send('10CA006E00').sw).toBe('6884'); // GET DATA cannot be chained
    expect(send('10DA005E0141').sw).toBe('9000');
    expect(send('0020008200').sw).toBe('6883'); // chain broken by another command
  });

  it('survives random APDUs and keeps a valid state', () => {
    const { card, send } = makeCard();
    send(SELECT);
    for (let i = 0; i < 3000; i++) {
      const len = Math.floor(Math.random() * 40);
      const bytes = randomBytes(len);
      if (len >= 2 && Math.random() < 0.7) bytes[0] = Math.random() < 0.5 ? 0x00 : 0x10;
      const out = card.process(bytes);
      expect(out.length).toBeGreaterThanOrEqual(2);
    }
    expect(CardStateSchema.safeParse(card.snapshot()).success).toBe(true);
  });

  it('answers 6581 and keeps its state when the state cannot be persisted', () => {
    let fail = false;
    const { card, send } = makeCard({ failPersist: () => fail });
    send(SELECT);
    fail = true;
    expect(send(`0020008206${hexOf('000000')}`).sw).toBe('6581');
    expect(card.snapshot().counters.pw1).toBe(3);
    fail = false;
    expect(send(`0020008206${hexOf('000000')}`).sw).toBe('63C2');
  });
});
