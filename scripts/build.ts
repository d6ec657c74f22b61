/**
 * Builds what runs outside Node's TypeScript loader: the renderer bundle (Vite), the browser-host
 * bridge (esbuild) and, with --electron, the Electron main and preload bundles.
 */
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';

const root = fileURLToPath(new URL('..', import.meta.url));
const withElectron = process.argv.includes('--electron');

await viteBuild({ configFile: `${root}kiosk/renderer/vite.config.ts`, logLevel: 'warn' });

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
  const external = ['electron', 'better-sqlite3', 'pcsclite', 'node-hid', 'sharp', 'tesseract.js', 'pino', 'socket.io-client', 'tus-js-client'];
  await esbuild({
    entryPoints: [`${root}kiosk/main/main.ts`],
    outfile: `${root}kiosk/main/dist/main.mjs`,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external,
    logLevel: 'warning',
  });
  await esbuild({
    entryPoints: [`${root}kiosk/preload/preload.ts`],
    outfile: `${root}kiosk/main/dist/preload.cjs`,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['electron'],
    logLevel: 'warning',
  });
}
console.log(`built renderer, bridge${withElectron ? ', electron main and preload' : ''}`);
