/**
 * The T=0-style status words handled below the application: 61xx (more data, fetch with GET RESPONSE)
 * and 6Cxx (wrong Le, resend with Le=xx). Shared by the PC/SC connection and in-process connections.
 */
import { encodeCommandApdu, parseCommandApdu, parseResponseApdu, type ResponseApdu } from './apdu.ts';
import { PcscError } from './errors.ts';

/** Sends raw command bytes, returns raw response bytes (data + SW1 SW2). */
export type RawTransmit = (apdu: Uint8Array) => Promise<Uint8Array>;

// A card that keeps answering 61xx would otherwise loop forever.
const MAX_GET_RESPONSE_ROUNDS = 1024;
const MAX_RESPONSE_BYTES = 0x10000;

export async function exchange(raw: RawTransmit, apdu: Uint8Array): Promise<ResponseApdu> {
  let res = parseResponseApdu(await raw(apdu));

  if (res.sw1 === 0x6c) {
    let cmd;
    try {
      cmd = parseCommandApdu(apdu);
    } catch (e) {
      throw new PcscError('invalid-argument', 'cannot resend a malformed command APDU', { cause: e });
    }
    if (cmd.extended) throw new PcscError('malformed-response', 'card answered 6Cxx to an extended-length command');
    const ne = res.sw2 === 0 ? 0x100 : res.sw2;
    res = parseResponseApdu(await raw(encodeCommandApdu({ ...cmd, ne })));
    if (res.sw1 === 0x6c) throw new PcscError('malformed-response', 'card answered 6Cxx twice');
  }

  if (res.sw1 !== 0x61) return res;

  const chunks: Uint8Array[] = [res.data];
  let total = res.data.length;
  const cla = apdu[0]! & 0x03; // keep the logical channel, drop chaining/SM bits
  for (let round = 0; res.sw1 === 0x61; round++) {
    if (round >= MAX_GET_RESPONSE_ROUNDS) throw new PcscError('malformed-response', 'too many GET RESPONSE rounds');
    const ne = res.sw2 === 0 ? 0x100 : res.sw2;
    res = parseResponseApdu(await raw(encodeCommandApdu({ cla, ins: 0xc0, p1: 0, p2: 0, ne })));
    if (res.sw1 === 0x6c) {
      const exact = res.sw2 === 0 ? 0x100 : res.sw2;
      res = parseResponseApdu(await raw(encodeCommandApdu({ cla, ins: 0xc0, p1: 0, p2: 0, ne: exact })));
    }
    total += res.data.length;
    if (total > MAX_RESPONSE_BYTES) throw new PcscError('malformed-response', 'response longer than 65536 bytes');
    chunks.push(res.data);
  }
  const data = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    data.set(c, off);
    off += c.length;
  }
  return { data, sw: res.sw, sw1: res.sw1, sw2: res.sw2 };
}
