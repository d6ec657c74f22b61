/**
 * Test support: the kiosk core of a stack (stack.ts) called through its contract, as the screens call it,
 * for the hw tests that drive it with virtual cards: a call and its outcome, a call that must succeed, a
 * demo person's login at the box, and a wait for a condition.
 */
import { expect } from 'vitest';
import type { MethodName, Params, Result } from '../../kiosk/contract/schema.ts';
import { until } from '../../sync-server/test-support/test-env.ts';
import type { Stack } from './stack.ts';

export { until };

export type CoreAnswer<M extends MethodName> = { ok: true; value: Result<M> } | { ok: false; error: { code: string; message: string } };

/** The calls on the stack `stack()` gives (a getter: the stack starts in `beforeAll`). */
export function coreCalls(stack: () => Stack) {
  async function call<M extends MethodName>(method: M, params: Params<M>): Promise<CoreAnswer<M>> {
    return (await stack().core.handle(method, params)) as never;
  }
  async function ok<M extends MethodName>(method: M, params: Params<M>): Promise<Result<M>> {
    const r = await call(method, params);
    if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
    return r.value;
  }
  /** The person's card in the main slot, their PIN typed: the session is open. */
  async function login(firstName: string): Promise<void> {
    await stack().insert(firstName);
    await until('the PIN screen', () => stack().core.session.state.screen === 'pin', 15_000);
    expect(await ok('pin.submit', { pin: stack().person(firstName).card.pin, purpose: 'login' })).toEqual({ outcome: 'open' });
  }
  return { call, ok, login };
}
