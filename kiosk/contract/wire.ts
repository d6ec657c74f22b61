/** The browser host's socket messages; the binary-safe JSON codec is in wire-codec.ts. */
import { z } from 'zod';

export { decodeWire, encodeWire } from './wire-codec.ts';

export const WireRequest = z.object({
  id: z.number().int().nonnegative(),
  method: z.string().max(64),
  params: z.unknown(),
});
export const WireMessage = z.union([
  z.object({ kind: z.literal('response'), id: z.number().int(), outcome: z.unknown() }),
  z.object({ kind: z.literal('event'), event: z.unknown() }),
]);
