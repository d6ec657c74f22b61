/** The renderer's only way out: the kiosk contract over window.kiosk (IPC or the host's bridge). */
import { createKioskClient } from '../../contract/client.ts';
import type { KioskBridge } from '../../contract/schema.ts';

declare global {
  interface Window {
    kiosk?: KioskBridge;
  }
}

function bridge(): KioskBridge {
  if (!window.kiosk) throw new Error('window.kiosk is missing: the renderer must run inside the kiosk host');
  return window.kiosk;
}

export const kiosk = createKioskClient(bridge());
