/**
 * JSON framing for transports that cannot carry binary in structured clones (the browser host's
 * WebSocket). Uint8Array values become {"$b64": "..."}; everything else is plain JSON. No zod here:
 * the browser bridge bundles this file alone.
 */

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? { $b64: toBase64(v) } : v));
}

export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const keys = Object.keys(v);
      const b64 = (v as Record<string, unknown>).$b64;
      if (keys.length === 1 && typeof b64 === 'string') return fromBase64(b64);
    }
    return v;
  });
}
