/**
 * Card latencies over real pcscd + vpcd: card inserted → holder's name on the PIN screen, and
 * PIN entered → session open. The insertion is timed from the moment the virtual card connects to
 * vpcd, so it includes pcscd's own polling of the reader.
 */
import { startStack } from '../tests/support/stack.ts';
import type { KioskState } from '../kiosk/contract/schema.ts';
import { summarize } from './stats.ts';
import type { BenchResult } from './stats.ts';

function waitForScreen(stack: Awaited<ReturnType<typeof startStack>>, screen: KioskState['screen'], timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${screen} screen after ${timeoutMs} ms`));
    }, timeoutMs);
    const off = stack.core.onEvent((e) => {
      if (e.type === 'state' && e.state.screen === screen) {
        clearTimeout(timer);
        off();
        resolve(performance.now());
      }
    });
  });
}

export async function benchCard(runs: number): Promise<BenchResult[]> {
  const stack = await startStack();
  const insertToName: number[] = [];
  const detectedToName: number[] = [];
  const pinToSession: number[] = [];
  try {
    await stack.core.sync.flushed(10_000);
    const deadline = Date.now() + 10_000;
    while (!stack.core.sync.connected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const camille = stack.persons.find((p) => p.firstName === 'Camille')!;
    const card = stack.card('Camille');
    for (let i = 0; i < runs + 1; i++) {
      let detectedAt = 0;
      const offReading = stack.core.onEvent((e) => {
        if (e.type === 'state' && e.state.screen === 'reading') detectedAt = performance.now();
      });
      const named = waitForScreen(stack, 'pin');
      const t0 = performance.now();
      await card.insert();
      const t1 = await named;
      offReading();
      const opened = waitForScreen(stack, 'session');
      const t2 = performance.now();
      const r = await stack.core.handle('pin.submit', { pin: camille.card.pin });
      const t3 = await opened;
      if (!(r.ok && (r.value as { outcome: string }).outcome === 'open')) throw new Error('PIN refused during the bench');
      if (i > 0) {
        insertToName.push(t1 - t0);
        detectedToName.push(t1 - detectedAt);
        pinToSession.push(t3 - t2);
      }
      const back = waitForScreen(stack, 'attract');
      await card.remove();
      await back;
    }
  } finally {
    await stack.close();
  }
  return [
    summarize('card inserted → holder’s name on screen (over pcscd, incl. its polling)', insertToName, {
      budget: { p50: 150, text: '≤ 150 ms p50' },
      notes: ['timed from the virtual card connecting to vpcd to the PIN screen state (name known)'],
    }),
    summarize('card detected by pcscd → holder’s name (our part: SELECT, GET DATA ×3, server lookup)', detectedToName, {
      notes: ['timed from the core seeing the insertion event'],
    }),
    summarize('PIN entered → session open', pinToSession, { budget: { p50: 200, text: '≤ 200 ms p50' }, notes: ['VERIFY PW1 (82)'] }),
  ];
}
