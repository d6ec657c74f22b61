import { join } from 'node:path';

/** Where `npm run build` puts the renderer bundle and the browser-host bridge. */
export const RENDERER_DIR = join(import.meta.dirname, '../renderer/dist');
export const BRIDGE_FILE = join(import.meta.dirname, 'bridge/dist/bridge.js');
