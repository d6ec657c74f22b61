import { describe, expect, it } from 'vitest';
import {
  encodeCommandApdu,
  encodeResponseApdu,
  fromHex,
  parseCommandApdu,
  parseResponseApdu,
  statusWordName,
  toHex,
  type CommandApdu,
} from './apdu.ts';
import { isPcscError } from './errors.ts';
import { decodeTlvs, encodeTlv, findTlv, TlvError, unwrapTlv } from './tlv.ts';

const hdr = { cla: 0x00, ins: 0xca, p1: 0x00, p2: 0x6e };

describe('command APDU encoding', () => {
  it.each<[string, CommandApdu, string]>([
    ['case 1', { ...hdr }, '00CA006E'],
    ['case 2 short', { ...hdr, ne: 20 }, '00CA006E14'],
    ['case 2 short, Ne=256 encoded as 00', { ...hdr, ne: 256 }, '00CA006E00'],
    ['case 3 short', { ...hdr, data: fromHex('0102') }, '00CA006E020102'],
    ['case 4 short', { ...hdr, data: fromHex('0102'), ne: 256 }, '00CA006E02010200'],
    ['case 2 extended', { ...hdr, ne: 1000 }, '00CA006E0003E8'],
    ['case 2 extended, Ne=65536 encoded as 0000', { ...hdr, ne: 65536 }, '00CA006E000000'],
    ['case 3 extended (forced)', { ...hdr, data: fromHex('AA'), extended: true }, '00CA006E000001AA'],
    ['case 4 extended', { ...hdr, data: fromHex('AA'), ne: 300 }, '00CA006E000001AA012C'],
  ])('%s', (_name, cmd, hex) => {
    expect(toHex(encodeCommandApdu(cmd))).toBe(hex);
  });

  it('switches to extended length when data exceeds 255 bytes', () => {
    const data = new Uint8Array(300).fill(7);
    const bytes = encodeCommandApdu({ ...hdr, data });
    expect(bytes.length).toBe(4 + 3 + 300);
    expect([bytes[4], bytes[5], bytes[6]]).toEqual([0, 0x01, 0x2c]);
  });

  it('round-trips through the parser for every case', () => {
    for (const data of [undefined, new Uint8Array(1), new Uint8Array(255), new Uint8Array(256), new Uint8Array(4000)]) {
      for (const ne of [undefined, 1, 255, 256, 257, 65536]) {
        const parsed = parseCommandApdu(encodeCommandApdu({ ...hdr, data, ne }));
        expect(parsed.data.length).toBe(data?.length ?? 0);
        expect(parsed.ne).toBe(ne ?? 0);
        expect([parsed.cla, parsed.ins, parsed.p1, parsed.p2]).toEqual([0, 0xca, 0, 0x6e]);
      }
    }
  });

  it('rejects invalid fields with invalid-argument', () => {
    for (const cmd of [
      { ...hdr, cla: 256 },
      { ...hdr, ins: -1 },
      { ...hdr, p1: 1.5 },
      { ...hdr, ne: 65537 },
      { ...hdr, data: new Uint8Array(65536) },
    ]) {
      expect(() => encodeCommandApdu(cmd)).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    }
  });
});

describe('command APDU parsing (card side)', () => {
  it.each(['', '00', '00CA00', '00CA006E0201', '00CA006E0201020304', '00CA006E0000', '00CA006E00000201', '00CA006E000000AA'])(
    'rejects malformed %s',
    (hex) => {
      expect(() => parseCommandApdu(fromHex(hex))).toThrow(expect.objectContaining({ code: 'invalid-apdu' }));
    },
  );

  it('reads Le=00 as 256 and extended Le=0000 as 65536', () => {
    expect(parseCommandApdu(fromHex('00CA006E00')).ne).toBe(256);
    expect(parseCommandApdu(fromHex('00CA006E000000')).ne).toBe(65536);
    const c4 = parseCommandApdu(fromHex('00CA006E02010203'));
    expect([toHex(c4.data), c4.ne, c4.extended]).toEqual(['0102', 3, false]);
  });
});

describe('response APDU', () => {
  it('splits data and status word', () => {
    const r = parseResponseApdu(fromHex('0102039000'));
    expect(toHex(r.data)).toBe('010203');
    expect(r.sw).toBe(0x9000);
    expect([r.sw1, r.sw2]).toEqual([0x90, 0x00]);
    expect(toHex(encodeResponseApdu(r.data, r.sw))).toBe('0102039000');
  });

  it('rejects responses shorter than a status word', () => {
    for (const hex of ['', '90']) {
      try {
        parseResponseApdu(fromHex(hex));
        expect.unreachable();
      } catch (e) {
        expect(isPcscError(e, 'malformed-response')).toBe(true);
      }
    }
  });

  it('names status words', () => {
    expect(statusWordName(0x9000)).toBe('success');
    expect(statusWordName(0x63c2)).toBe('verification failed, 2 tries left');
    expect(statusWordName(0x6110)).toBe('16 more bytes available');
    expect(statusWordName(0x6100)).toBe('256 more bytes available');
    expect(statusWordName(0x6c05)).toBe('wrong Le, 5 bytes available');
    expect(statusWordName(0x6983)).toBe('authentication method blocked');
    expect(statusWordName(0x1234)).toBe('unknown status');
  });

  it('fromHex rejects odd or non-hex input', () => {
    expect(() => fromHex('ABC')).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    expect(() => fromHex('ZZ')).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    expect(toHex(fromHex('de:ad be ef'))).toBe('DEADBEEF');
  });
});

describe('BER-TLV', () => {
  it('encodes and decodes nested, multi-byte tags and long lengths', () => {
    const long = new Uint8Array(300).fill(1);
    const tlv = encodeTlv(0x6e, encodeTlv(0x4f, fromHex('D276')), encodeTlv(0x73, encodeTlv(0xc4, fromHex('00'))), encodeTlv(0x7f21, long));
    const [outer] = decodeTlvs(tlv);
    expect(outer?.tag).toBe(0x6e);
    expect(outer?.constructed).toBe(true);
    expect(toHex(findTlv(tlv, 0x4f)!)).toBe('D276');
    expect(toHex(findTlv(tlv, 0xc4)!)).toBe('00');
    expect(findTlv(tlv, 0x7f21)?.length).toBe(300);
    expect(findTlv(tlv, 0x99)).toBeUndefined();
    expect(toHex(unwrapTlv(tlv, 0x6e).subarray(0, 2))).toBe('4F02');
    expect(unwrapTlv(fromHex('4F02D276'), 0x6e)).toEqual(fromHex('4F02D276'));
  });

  it.each(['4F', '4F05D276', '5F', '5F1F', '4F80', '4F84000000', '4F8201'])('rejects malformed %s', (hex) => {
    expect(() => decodeTlvs(fromHex(hex))).toThrow(TlvError);
  });
});
