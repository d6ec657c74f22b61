/**
 * Builds what runs outside Node's TypeScript loader: the renderer bundle (Vite), the browser-host
 * bridge (esbuild) and, with --electron, the Electron main and preload bundles.
 */
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const withElectron = process.argv.includes('--electron');

await viteBuild({ configFile: `${root}kiosk/renderer/vite.config.ts`, logLevel: 'warn' });
// MapLibre's worker (an ES module on its own), served by the app beside the bundle: the map screen points
// MapLibre at it (setWorkerUrl), so the worker comes from 'self' and the CSP needs no blob: or data:
cpSync(`${root}node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs`, `${root}kiosk/renderer/dist/map-worker.js`);

await esbuild({
  entryPoints: [`${root}kiosk/host/bridge/bridge.ts`],
  outfile: `${root}kiosk/host/bridge/dist/bridge.js`,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});

if (withElectron) {
  // Electron main, its OCR worker and the preload. Packages stay external (they ship in node_modules, in the
  // asar, native ones unpacked); our own sources (kiosk, drivers, sync-server/protocol) are bundled.
  // FAC_TEST_BUILD=1: a test build (fake camera honoured); FAC_UPDATE_PUBLIC_KEY: the signed feed's key (PEM file).
  const testBuild = process.env.FAC_TEST_BUILD === '1';
  const keyFile = process.env.FAC_UPDATE_PUBLIC_KEY;
  const updatePublicKeyPem = keyFile ? readFileSync(keyFile, 'utf8') : null;
  const define = { __FAC_BUILD__: JSON.stringify({ flavour: testBuild ? 'test' : 'production', updatePublicKeyPem }) };
  const out = `${root}kiosk/main/dist`;
  rmSync(out, { recursive: true, force: true });
  const node = { bundle: true, format: 'esm', platform: 'node', target: 'node20', packages: 'external', logLevel: 'warning', define } as const;
  await esbuild({ ...node, entryPoints: [`${root}kiosk/main/main.ts`], outfile: `${out}/main.mjs`, external: ['electron'] });
  // pool.ts starts `./worker.js` next to the bundle that imports it
  await esbuild({ ...node, entryPoints: [`${root}kiosk/core/ocr/worker.ts`], outfile: `${out}/worker.js` });
  // page-processor.ts starts `./page-worker.js` (sharp: flatten, detect the sheet, straighten)
  await esbuild({ ...node, entryPoints: [`${root}kiosk/core/capture/worker.ts`], outfile: `${out}/page-worker.js` });
  await esbuild({
    entryPoints: [`${root}kiosk/preload/preload.ts`],
    outfile: `${out}/preload.cjs`,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['electron'],
    logLevel: 'warning',
  });
  cpSync(`${root}kiosk/main/static`, `${out}/static`, { recursive: true });
  if (!updatePublicKeyPem) console.log('electron: no FAC_UPDATE_PUBLIC_KEY, this build will not update itself');
}
console.log(`built renderer, bridge${withElectron ? ', electron main and preload' : ''}`);
