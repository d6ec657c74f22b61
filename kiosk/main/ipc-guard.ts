/**
 * The main side of `kiosk:invoke`, before the core sees anything: who sent it (our window's top frame,
 * showing the app page) and what shape the raw IPC arguments have (exactly `[method, params]`, plain
 * data, bounded in size and depth). The core's dispatch then validates the params against the contract.
 */
import { z } from 'zod';
import { MAX_IMAGE_BYTES } from '../contract/schema.ts';
import type { Outcome } from '../contract/schema.ts';
import { trustedSender } from './policy.ts';
import type { SenderFacts } from './policy.ts';

export const INVOKE_CHANNEL = 'kiosk:invoke';
export const EVENT_CHANNEL = 'kiosk:event';

export const IPC_LIMITS = {
  /** one image plus its few fields */
  maxBytes: MAX_IMAGE_BYTES + 64 * 1024,
  maxDepth: 6,
  maxEntries: 512,
  maxStringLength: 64 * 1024,
} as const;

export type Limits = { [K in keyof typeof IPC_LIMITS]: number };

export type Measure = { ok: true; bytes: number } | { ok: false; reason: string };

function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Walks a structured-clone value: only what the contract can carry (plain objects, arrays, strings, finite
 * numbers, booleans, null, Uint8Array); its size, depth and entry count bounded. Dates, Maps, Sets,
 * RegExps, ArrayBuffers, other typed arrays, BigInts are refused.
 */
export function measurePlainData(value: unknown, limits: Limits = IPC_LIMITS): Measure {
  let bytes = 0;
  let entries = 0;
  const walk = (v: unknown, depth: number): string | null => {
    if (depth > limits.maxDepth) return 'too deep';
    if (++entries > limits.maxEntries) return 'too many entries';
    if (v === null || v === undefined) {
      bytes += 1;
    } else if (typeof v === 'string') {
      if (v.length > limits.maxStringLength) return 'string too long';
      bytes += v.length * 2;
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return 'number not finite';
      bytes += 8;
    } else if (typeof v === 'boolean') {
      bytes += 1;
    } else if (v instanceof Uint8Array) {
      if (Object.getPrototypeOf(v) !== Uint8Array.prototype && !Buffer.isBuffer(v)) return 'unexpected binary type';
      bytes += v.byteLength;
    } else if (Array.isArray(v)) {
      bytes += 8;
      for (const item of v) {
        const bad = walk(item, depth + 1);
        if (bad) return bad;
      }
    } else if (typeof v === 'object' && isPlainObject(v)) {
      bytes += 8;
      for (const [k, item] of Object.entries(v)) {
        if (k.length > 256) return 'key too long';
        bytes += k.length * 2;
        const bad = walk(item, depth + 1);
        if (bad) return bad;
      }
    } else {
      return `unsupported ${typeof v === 'object' ? (Object.prototype.toString.call(v) as string) : typeof v}`;
    }
    if (bytes > limits.maxBytes) return 'too large';
    return null;
  };
  const bad = walk(value, 0);
  return bad ? { ok: false, reason: bad } : { ok: true, bytes };
}

const MethodName = z
  .string()
  .min(1)
  .max(64)
  // every contract method is area.action; nothing else (no __proto__, no constructor) gets to the core
  .regex(/^[a-z][A-Za-z]*\.[a-z][A-Za-z]*$/, 'not a method name');

const Params = z
  .custom<Record<string, unknown> | undefined>((v) => v === undefined || (typeof v === 'object' && v !== null && !Array.isArray(v) && isPlainObject(v)), 'params must be an object')
  .superRefine((v, ctx) => {
    const m = measurePlainData(v);
    if (!m.ok) ctx.addIssue({ code: 'custom', message: m.reason });
  });

/** The raw arguments of `ipcRenderer.invoke('kiosk:invoke', method, params)`, after the channel. */
export const InvokeArgs = z.tuple([MethodName, Params]);

export type InvokeCheck =
  | { ok: true; method: string; params: Record<string, unknown> | undefined }
  | { ok: false; outcome: Outcome; reason: string };

const REFUSED: Outcome = { ok: false, error: { code: 'transport', message: 'Refusé.' } };
const INVALID: Outcome = { ok: false, error: { code: 'invalid-request', message: 'Demande invalide.' } };

/** The whole gate: the sender first (a forged or foreign sender learns nothing about the shape), then the arguments. */
export function checkInvoke(sender: SenderFacts, windowWebContentsId: number | null, args: readonly unknown[]): InvokeCheck {
  if (!trustedSender(sender, windowWebContentsId)) return { ok: false, outcome: REFUSED, reason: 'untrusted sender' };
  const parsed = InvokeArgs.safeParse(args);
  if (!parsed.success) return { ok: false, outcome: INVALID, reason: parsed.error.issues[0]?.message ?? 'bad arguments' };
  return { ok: true, method: parsed.data[0], params: parsed.data[1] };
}
