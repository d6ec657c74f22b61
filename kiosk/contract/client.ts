/** The renderer's typed view of `window.kiosk`: validates what it sends and what comes back. */
import { KioskError, KioskEvent, Outcome, methods } from './schema.ts';
import type { KioskBridge, MethodName, Params, Result } from './schema.ts';

export interface KioskClient {
  call<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>>;
  on(listener: (event: KioskEvent) => void): () => void;
}

export function createKioskClient(bridge: KioskBridge): KioskClient {
  return {
    async call(method, params) {
      const spec = methods[method];
      const checked = spec.params.safeParse(params);
      if (!checked.success) throw new KioskError('invalid-request', checked.error.issues[0]?.message ?? 'demande invalide');
      const raw = await bridge.invoke(method, params);
      const outcome = Outcome.safeParse(raw);
      if (!outcome.success) throw new KioskError('transport', 'Réponse illisible de la borne.');
      if (!outcome.data.ok) throw new KioskError(outcome.data.error.code, outcome.data.error.message);
      const result = spec.result.safeParse(outcome.data.value);
      if (!result.success) throw new KioskError('transport', 'Réponse inattendue de la borne.');
      return result.data as Result<typeof method>;
    },
    on(listener) {
      return bridge.subscribe((raw) => {
        const ev = KioskEvent.safeParse(raw);
        if (ev.success) listener(ev.data);
      });
    },
  };
}
