/** Helpers shared by the box driver's tests. Not used at run time. */
import type { EventEmitter } from 'node:events';
import type { CardBox } from './box.ts';
import type { HidError } from './errors.ts';
import type { VirtualBox } from './virtual-box.ts';

/** Resolves when `pred()` holds, checked now and after every `changed` of the virtual box. */
export function deviceState(box: VirtualBox, pred: () => boolean, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (pred()) return resolve();
    const onChange = () => {
      if (!pred()) return;
      clearTimeout(timer);
      box.off('changed', onChange);
      resolve();
    };
    const timer = setTimeout(() => {
      box.off('changed', onChange);
      reject(new Error(`device state not reached within ${timeoutMs} ms`));
    }, timeoutMs);
    box.on('changed', onChange);
  });
}

/** Records what a CardBox emits, in order. */
export function recorder(box: CardBox): { events: string[]; errors: HidError[] } {
  const events: string[] = [];
  const errors: HidError[] = [];
  box.on('connected', (i) => events.push(`connected ${i.slots}`));
  box.on('disconnected', () => events.push('disconnected'));
  box.on('card-present', (e) => events.push(`slot${e.slot} ${e.present ? 'in' : 'out'}`));
  box.on('button', (e) => events.push(e.long ? 'button long' : 'button'));
  box.on('error', (e) => {
    errors.push(e);
    events.push(`error ${e.code}`);
  });
  return { events, errors };
}

/** Resolves with the next `event` whose payload passes `accept`; rejects after `timeoutMs`. */
export function next<T = unknown>(emitter: EventEmitter, event: string, accept: (p: T) => boolean = () => true, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const on = (p: T) => {
      if (!accept(p)) return;
      clearTimeout(timer);
      emitter.off(event, on);
      resolve(p);
    };
    const timer = setTimeout(() => {
      emitter.off(event, on);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for "${event}"`));
    }, timeoutMs);
    emitter.on(event, on);
  });
}

/** Waits until `pred()` holds (polling), for state that emits no event. */
export async function until(pred: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
