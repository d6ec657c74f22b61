import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Logger } from './log.ts';
import { fromHex } from './pcsc/apdu.ts';
import { VirtualOpenPgpCard } from './vcard/openpgp-card.ts';
import { blankCardState } from './vcard/state.ts';

describe('Logger', () => {
  it('accepts a pino logger, and the drivers never log PIN values', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger: Logger = pino({ level: 'debug' }, sink);
    const card = new VirtualOpenPgpCard(blankCardState('0A1B2C3D'), {
      logger,
      persist: () => {
        throw new Error('disk full');
      },
    });
    card.powerOn();
    card.process(fromHex('00A4040006D27600012401'));
    // A wrong PIN must be persisted; persisting fails, so the card logs an error.
    const out = card.process(fromHex(`0020008206${Buffer.from('987654').toString('hex')}`));
    expect(Buffer.from(out).toString('hex')).toBe('6581');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.join('')).toContain('cannot persist state');
    expect(lines.join('')).not.toMatch(/987654|393837363534|123456|313233343536/);
  });
});
