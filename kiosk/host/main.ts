/**
 * `npm run kiosk`: the kiosk where Electron is absent — the core in this Node process, the renderer in
 * Chromium through the browser host. When a display exists (or with --open) the host starts Chromium
 * itself and hands it the address over Playwright's pipe (headless without a display); otherwise it
 * prints an address carrying a one-time launch code, and a new one each time Enter is pressed. The
 * session token itself is never printed nor put on a command line (kiosk/README.md). Bad configuration →
 * a clear message and exit code 2.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadKioskConfig } from '../core/config.ts';
import { createKioskCore } from '../core/kiosk-core.ts';
import { createLogger } from '../core/log.ts';
import { BRIDGE_FILE, RENDERER_DIR } from './paths.ts';
import { LAUNCH_CODE_TTL_MS, startBrowserHost } from './server.ts';
import { CHROMIUM, openKioskWindow } from './window.ts';
import type { KioskWindow } from './window.ts';

async function main(): Promise<void> {
  let config;
  try {
    config = loadKioskConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  if (!existsSync(join(RENDERER_DIR, 'index.html')) || !existsSync(BRIDGE_FILE)) {
    console.error('The renderer is not built: run `npm run build` first.');
    process.exit(2);
  }
  const logger = createLogger('kiosk', config.logLevel);
  const core = createKioskCore({ config, logger });
  const host = await startBrowserHost({
    core,
    rendererDir: RENDERER_DIR,
    bridgeFile: BRIDGE_FILE,
    logger: logger.child({ part: 'host' }),
    host: config.hostAddress,
    port: config.hostPort,
  });
  logger.info({ origin: host.origin }, 'browser host ready');

  let kioskWindow: KioskWindow | null = null;
  const wantOpen = process.argv.includes('--open') || (process.env.DISPLAY && !process.argv.includes('--no-open'));
  if (wantOpen && existsSync(CHROMIUM)) {
    kioskWindow = await openKioskWindow({
      url: host.launchUrl(),
      headless: !process.env.DISPLAY,
      ...(process.env.FAC_FAKE_CAMERA_Y4M ? { fakeCameraY4m: process.env.FAC_FAKE_CAMERA_Y4M } : {}),
    });
    console.log(`\nKiosk ready at ${host.origin}, in the Chromium window the host opened.\n`);
  } else {
    const minutes = Math.round(LAUNCH_CODE_TTL_MS / 60_000);
    const printAddress = () => console.log(`\nKiosk ready. Open this address in Chromium (it works once, within ${minutes} minutes):\n  ${host.launchUrl()}\n`);
    printAddress();
    if (process.stdin.isTTY) {
      console.log('Press Enter for a new address (the tab was closed, or the address has expired).');
      process.stdin.on('data', printAddress);
    }
  }

  const stop = async () => {
    await kioskWindow?.close();
    await host.close();
    await core.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

await main();
