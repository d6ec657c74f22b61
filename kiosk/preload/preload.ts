/**
 * Electron preload (sandboxed): exposes only the kiosk contract bridge, nothing of Node or Electron.
 * Messages are validated again by the core (zod) — the preload does not trust the renderer.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import type { KioskBridge } from '../contract/schema.ts';

const bridge: KioskBridge = {
  invoke: (method, params) => ipcRenderer.invoke('kiosk:invoke', method, params),
  subscribe(listener) {
    const handler = (_e: IpcRendererEvent, event: unknown) => listener(event);
    ipcRenderer.on('kiosk:event', handler);
    return () => {
      ipcRenderer.removeListener('kiosk:event', handler);
    };
  },
};

contextBridge.exposeInMainWorld('kiosk', bridge);
