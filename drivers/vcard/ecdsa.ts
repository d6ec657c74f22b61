/**
 * Raw ECDSA P-256 over a caller-supplied hash, as a card does it (node:crypto only signs messages it
 * hashes itself). The point multiplication k·G is done natively through ECDH; the rest is
 * arithmetic modulo the group order. Timing side channels do not matter for a virtual card.
 */
import { createECDH, generateKeyPairSync, randomBytes } from 'node:crypto';

const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

export interface P256PrivateJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  d: string;
}

function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

function to32(n: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(n.toString(16).padStart(64, '0'), 'hex'));
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let r = 1n;
  let b = base % mod;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % mod;
    b = (b * b) % mod;
    e >>= 1n;
  }
  return r;
}

/** Signs `hash` (used as is, truncated to 256 bits) with private scalar `d`; returns r || s (64 bytes). */
export function ecdsaSignP256(d: Uint8Array, hash: Uint8Array): Uint8Array {
  const priv = toBigInt(d);
  if (priv <= 0n || priv >= N) throw new RangeError('invalid P-256 private key');
  const z = toBigInt(hash.length > 32 ? hash.subarray(0, 32) : hash);
  for (;;) {
    const k = toBigInt(randomBytes(32));
    if (k === 0n || k >= N) continue;
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(to32(k));
    const r = toBigInt(ecdh.getPublicKey().subarray(1, 33)) % N;
    if (r === 0n) continue;
    const s = (modPow(k, N - 2n, N) * ((z + r * priv) % N)) % N;
    if (s === 0n) continue;
    const out = new Uint8Array(64);
    out.set(to32(r), 0);
    out.set(to32(s), 32);
    return out;
  }
}

export function generateP256Jwk(): P256PrivateJwk {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y || !jwk.d) throw new Error('unexpected JWK export');
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, d: jwk.d };
}

export function jwkPrivateScalar(jwk: P256PrivateJwk): Uint8Array {
  return Uint8Array.from(Buffer.from(jwk.d, 'base64url'));
}

/** 04 || X || Y */
export function jwkPublicPoint(jwk: Pick<P256PrivateJwk, 'x' | 'y'>): Uint8Array {
  const x = Buffer.from(jwk.x, 'base64url');
  const y = Buffer.from(jwk.y, 'base64url');
  const out = new Uint8Array(65);
  out[0] = 0x04;
  out.set(x, 1 + 32 - x.length);
  out.set(y, 33 + 32 - y.length);
  return out;
}
