/** Helpers shared by the drivers' hardware tests (real pcscd + vpcd). Not used at run time. */
import type { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';

/** The reader vpcd exposes for a slot. */
export function vpcdReaderName(slot: 0 | 1): string {
  return `Virtual PCD 00 0${slot}`;
}

/**
 * Resolves with the first `event` whose payload passes `accept`, or rejects after `timeoutMs`:
 * hardware tests never wait unbounded.
 */
export function waitForEvent<T>(
  emitter: EventEmitter,
  event: string,
  accept: (payload: T) => boolean = () => true,
  timeoutMs = 10_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const onEvent = (payload: T) => {
      if (!accept(payload)) return;
      clearTimeout(timer);
      emitter.off(event, onEvent);
      resolve(payload);
    };
    const timer = setTimeout(() => {
      emitter.off(event, onEvent);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for "${event}"`));
    }, timeoutMs);
    emitter.on(event, onEvent);
  });
}

/** A DER SEQUENCE of about `size` bytes, standing in for a certificate where only the transport matters. */
export function fakeDerSequence(size: number): Uint8Array {
  const body = randomBytes(size - 4);
  return Uint8Array.from([0x30, 0x82, body.length >> 8, body.length & 0xff, ...body]);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
