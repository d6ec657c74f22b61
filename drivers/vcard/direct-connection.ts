/**
 * An in-process CardConnection to a virtual card model, bypassing PC/SC: used by issuance (personalising
 * a card file) and by unit tests of the OpenPGP client. Same 61xx/6Cxx handling as the PC/SC path.
 */
import type { CardConnection } from '../pcsc/connection.ts';
import { exchange } from '../pcsc/exchange.ts';
import type { VirtualOpenPgpCard } from './openpgp-card.ts';

export function directConnection(card: VirtualOpenPgpCard, reader = 'in-process'): CardConnection {
  card.powerOn();
  let open = true;
  return {
    reader,
    atr: card.atr,
    protocol: 0,
    transmit: async (apdu) => {
      if (!open) throw new Error('connection closed');
      return exchange(async (bytes) => card.process(bytes), apdu);
    },
    disconnect: async () => {
      open = false;
      card.powerOff();
    },
  };
}
