/**
 * Electron preload (sandboxed, context-isolated): exposes only the kiosk contract bridge as
 * `window.kiosk`, nothing of Node or Electron. The page never gets `ipcRenderer` nor an IPC event object;
 * it can send on one channel only, and main checks the sender and validates the arguments (ipc-guard.ts)
 * before the core validates the params against the contract.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import type { KioskBridge } from '../contract/schema.ts';

// the same names as kiosk/main/ipc-guard.ts (a unit test keeps them in step)
const INVOKE_CHANNEL = 'kiosk:invoke';
const EVENT_CHANNEL = 'kiosk:event';

const bridge: KioskBridge = {
  invoke(method, params) {
    if (typeof method !== 'string') return Promise.reject(new TypeError('method must be a string'));
    return ipcRenderer.invoke(INVOKE_CHANNEL, method, params);
  },
  subscribe(listener) {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    const handler = (_e: IpcRendererEvent, event: unknown) => listener(event);
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('kiosk', Object.freeze(bridge));
