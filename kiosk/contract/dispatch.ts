/** The core side of the contract: validates each request, runs its handler, shapes the outcome. */
import { KioskError, methods } from './schema.ts';
import type { MethodName, Methods, Outcome } from './schema.ts';
import type { z } from 'zod';

export type Handlers = {
  [M in MethodName]: (params: z.infer<Methods[M]['params']>) => Promise<z.input<Methods[M]['result']>>;
};

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name);
}

export async function dispatch(
  handlers: Handlers,
  method: unknown,
  params: unknown,
  onInternalError: (err: unknown, method: string) => void,
): Promise<Outcome> {
  if (!isMethodName(method)) {
    return { ok: false, error: { code: 'unknown-method', message: 'Action inconnue.' } };
  }
  const spec = methods[method];
  const parsed = spec.params.safeParse(params ?? {});
  if (!parsed.success) {
    return { ok: false, error: { code: 'invalid-request', message: parsed.error.issues[0]?.message ?? 'Demande invalide.' } };
  }
  try {
    const handler = handlers[method] as (p: unknown) => Promise<unknown>;
    const value = spec.result.parse(await handler(parsed.data));
    return { ok: true, value };
  } catch (err) {
    if (err instanceof KioskError) return { ok: false, error: { code: err.code, message: err.message } };
    onInternalError(err, method);
    return { ok: false, error: { code: 'internal', message: 'Un problème est survenu. Réessayez.' } };
  }
}
