/**
 * The OpenPGP client against the virtual card model (in process), and against scripted cards that
 * answer wrongly, to check that every answer is validated.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { directConnection } from '../vcard/direct-connection.ts';
import { issueVirtualCard } from '../vcard/issue.ts';
import { VirtualOpenPgpCard } from '../vcard/openpgp-card.ts';
import { blankCardState, loadCardState } from '../vcard/state.ts';
import { encodeResponseApdu, fromHex, parseCommandApdu, toHex } from './apdu.ts';
import type { CardConnection } from './connection.ts';
import { verifyP256Signature } from './ec.ts';
import { isPcscError } from './errors.ts';
import { exchange } from './exchange.ts';
import { OpenPgpCard } from './openpgp.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

async function issuedCard(opts: { forceChunk?: number; strictLe?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'vcard-client-'));
  try {
    const path = await issueVirtualCard({
      dir,
      serial: '0A1B2C3D',
      identifier: 'FAC-K7QM-3XD2-9HRW',
      pin: '142536',
      resetCode: '87654321',
      holder: { firstName: 'Camille', lastName: 'Martin' },
    });
    const model = new VirtualOpenPgpCard(loadCardState(path), opts);
    return { model, card: await OpenPgpCard.select(directConnection(model)) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A card whose answers are scripted by `answer` (raw APDU in, hex response out). */
function scriptedConnection(answer: (apdu: Uint8Array) => string): CardConnection {
  return {
    reader: 'scripted',
    atr: new Uint8Array(0),
    protocol: 0,
    transmit: (apdu) => exchange(async (b) => fromHex(answer(b)), apdu),
    disconnect: async () => undefined,
  };
}

async function expectCode(p: Promise<unknown>, code: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    expect(isPcscError(e) ? e.code : e).toBe(code);
    return;
  }
  expect.unreachable(`expected ${code}`);
}

describe('OpenPgpCard on an issued virtual card', () => {
  it('reads identity data and PIN status', async () => {
    const { card } = await issuedCard();
    expect(await card.readAid()).toMatchObject({ serial: '0A1B2C3D', manufacturer: 0xff00, version: '3.4' });
    expect(await card.readLoginData()).toBe('FAC-K7QM-3XD2-9HRW');
    expect(await card.readCardholderName()).toBe('Martin<<Camille');
    expect(await card.readCertificate()).toBeNull();
    expect(await card.readPwStatus()).toEqual({
      pw1ValidForSeveralSignatures: false,
      pw1MaxLength: 127,
      rcMaxLength: 127,
      pw3MaxLength: 127,
      pw1Tries: 3,
      rcTries: 3,
      pw3Tries: 3,
    });
    const ard = await card.readApplicationRelatedData();
    expect(ard.aid.serial).toBe('0A1B2C3D');
    expect(toHex(ard.algorithmAttributes.sig)).toBe('132A8648CE3D030107');
    expect(ard.fingerprints.sig.some((b) => b !== 0)).toBe(true);
    expect(ard.fingerprints.dec.every((b) => b === 0)).toBe(true);
    expect(ard.generationTimes.aut).toBeGreaterThan(0);
    await expectCode(card.readPublicKey('dec'), 'no-key');
  });

  it('verifies the PIN: right, wrong (tries left), blocked; then unblocks with the reset code', async () => {
    const { card } = await issuedCard();
    expect(await card.pinStatus()).toEqual({ verified: false, ok: false, triesLeft: 3 });
    expect(await card.verifyPin('142536')).toEqual({ ok: true });
    expect(await card.pinStatus()).toEqual({ verified: true });
    expect(await card.verifyPin('000000')).toEqual({ ok: false, triesLeft: 2 });
    expect(await card.verifyPin('000000')).toEqual({ ok: false, triesLeft: 1 });
    expect(await card.verifyPin('000000')).toEqual({ ok: false, blocked: true });
    expect(await card.verifyPin('142536')).toEqual({ ok: false, blocked: true });
    expect((await card.readPwStatus()).pw1Tries).toBe(0);
    expect(await card.resetRetryCounter('246813', '00000000')).toEqual({ ok: false, triesLeft: 2 });
    expect(await card.resetRetryCounter('246813', '87654321')).toEqual({ ok: true });
    expect(await card.verifyPin('246813')).toEqual({ ok: true });
    expect(await card.changeReferenceData(0x81, '246813', '135792')).toEqual({ ok: true });
    expect(await card.verifyPin('135792', 0x81)).toEqual({ ok: true });
  });

  it('signs challenges and digests that verify against the public keys read from the card', async () => {
    const { card } = await issuedCard();
    const autPoint = await card.readPublicKey('aut');
    const sigPoint = await card.readPublicKey('sig');
    const nonce = randomBytes(32);
    const challenge = createHash('sha256').update(nonce).digest();
    await expectCode(card.internalAuthenticate(challenge), 'unexpected-status');
    await card.verifyPin('142536');
    const auth = await card.internalAuthenticate(challenge);
    expect(verifyP256Signature(autPoint, nonce, auth)).toBe(true);
    expect(verifyP256Signature(sigPoint, nonce, auth)).toBe(false);

    const doc = Buffer.from('demande de RSA, pièces jointes: 3');
    await card.verifyPin('142536', 0x81);
    const sig = await card.sign(createHash('sha256').update(doc).digest());
    expect(verifyP256Signature(sigPoint, doc, sig)).toBe(true);
    expect(await card.readSignatureCounter()).toBe(1);
    await expectCode(card.sign(createHash('sha256').update(doc).digest()), 'unexpected-status'); // one signature per PIN
  });

  it('writes a certificate with command chaining and reads it back through 61xx chunks', async () => {
    const { card } = await issuedCard({ forceChunk: 64 });
    // A DER SEQUENCE of ~900 bytes.
    const body = randomBytes(896);
    const der = new Uint8Array([0x30, 0x82, body.length >> 8, body.length & 0xff, ...body]);
    await expectCode(card.putCertificate(der), 'unexpected-status'); // needs PW3
    expect(await card.verifyPin('12345678', 0x83)).toEqual({ ok: true });
    await card.putCertificate(der);
    expect(toHex((await card.readCertificate())!)).toBe(toHex(der));
  });

  it('handles 6Cxx (wrong Le) transparently', async () => {
    const { card } = await issuedCard({ strictLe: true });
    expect(await card.readLoginData()).toBe('FAC-K7QM-3XD2-9HRW');
    expect((await card.readAid()).serial).toBe('0A1B2C3D');
  });

  it('rejects invalid arguments before talking to the card', async () => {
    const { card } = await issuedCard();
    await expectCode(card.sign(new Uint8Array(31)), 'invalid-argument');
    await expectCode(card.verifyPin(''), 'invalid-argument');
    await expectCode(card.verifyPin('1'.repeat(128)), 'invalid-argument');
    await expectCode(card.internalAuthenticate(new Uint8Array(0)), 'invalid-argument');
    await expectCode(card.getData(0x10000), 'invalid-argument');
  });
});

describe('OpenPgpCard against cards that answer wrongly', () => {
  const selectOk = (apdu: Uint8Array) => apdu[1] === 0xa4;

  it('not-openpgp when SELECT fails', async () => {
    await expectCode(OpenPgpCard.select(scriptedConnection(() => '6A82')), 'not-openpgp');
  });

  it.each<[string, (c: OpenPgpCard) => Promise<unknown>, (apdu: Uint8Array) => string]>([
    ['AID of the wrong length', (c) => c.readAid(), () => 'D2760001240103049000'],
    ['AID of another application', (c) => c.readAid(), () => 'A00000000301030400000A1B2C3D00009000'],
    ['login data not UTF-8', (c) => c.readLoginData(), () => 'FFFE9000'],
    ['certificate that is not DER', (c) => c.readCertificate(), () => '3005AABB9000'],
    ['PW status too short', (c) => c.readPwStatus(), () => '0001029000'],
    ['public key point off the curve', (c) => c.readPublicKey('aut'), () => `7F4943864104${'01'.repeat(64)}9000`],
    ['public key template without a point', (c) => c.readPublicKey('aut'), () => '7F490381010A9000'],
    ['public key template truncated', (c) => c.readPublicKey('aut'), () => '7F4943864104AA9000'],
    ['signature of 63 bytes', (c) => c.internalAuthenticate(new Uint8Array(32)), () => `${'11'.repeat(63)}9000`],
    ['one-byte response', (c) => c.readLoginData(), () => '90'],
    ['endless 61xx', (c) => c.readLoginData(), () => 'AA6101'],
    ['6Cxx twice', (c) => c.readLoginData(), () => '6C05'],
  ])('%s → malformed-response', async (_name, op, answer) => {
    const card = await OpenPgpCard.select(scriptedConnection((apdu) => (selectOk(apdu) ? '9000' : answer(apdu))));
    await expectCode(op(card), 'malformed-response');
  });

  it('maps PIN status words and surfaces unexpected ones', async () => {
    const answers = ['63C2', '6983', '63C0', '6A80'];
    const card = await OpenPgpCard.select(scriptedConnection((apdu) => (selectOk(apdu) ? '9000' : answers.shift()!)));
    expect(await card.verifyPin('142536')).toEqual({ ok: false, triesLeft: 2 });
    expect(await card.verifyPin('142536')).toEqual({ ok: false, blocked: true });
    expect(await card.verifyPin('142536')).toEqual({ ok: false, blocked: true });
    try {
      await card.verifyPin('142536');
      expect.unreachable();
    } catch (e) {
      expect(isPcscError(e, 'unexpected-status')).toBe(true);
      expect((e as { sw: number }).sw).toBe(0x6a80);
    }
  });

  it('stops a command chain at the first refused part', async () => {
    const sent: number[] = [];
    const card = await OpenPgpCard.select(
      scriptedConnection((apdu) => {
        if (selectOk(apdu)) return '9000';
        sent.push(parseCommandApdu(apdu).cla);
        return sent.length === 2 ? '6A80' : '9000';
      }),
    );
    await expectCode(card.putCertificate(new Uint8Array(1000)), 'unexpected-status');
    expect(sent).toEqual([0x10, 0x10]);
  });

  it('reassembles GET RESPONSE chains and passes status words through exchange()', async () => {
    const parts = ['01026102', '03046102', '05069000'];
    const r = await exchange(async () => fromHex(parts.shift()!), fromHex('00CA7F2100'));
    expect(toHex(r.data)).toBe('010203040506');
    expect(r.sw).toBe(0x9000);
    const blank = new VirtualOpenPgpCard(blankCardState('00000001'));
    expect(toHex(blank.process(fromHex('00CA004F00')))).toBe(toHex(encodeResponseApdu(new Uint8Array(0), 0x6d00)));
  });
});
