/**
 * `npm run kiosk`: the kiosk where Electron is absent — the core in this Node process, the renderer in
 * Chromium through the browser host. Prints the URL; opens Chromium in app/kiosk mode when a display
 * exists (or with --open). Bad configuration → a clear message and exit code 2.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadKioskConfig } from '../core/config.ts';
import { createKioskCore } from '../core/kiosk-core.ts';
import { createLogger } from '../core/log.ts';
import { BRIDGE_FILE, RENDERER_DIR } from './paths.ts';
import { startBrowserHost } from './server.ts';


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
  console.log(`\nKiosk ready. Open this address in Chromium:\n  ${host.url}\n`);

  let browser: ReturnType<typeof spawn> | null = null;
  const wantOpen = process.argv.includes('--open') || (process.env.DISPLAY && !process.argv.includes('--no-open'));
  if (wantOpen && existsSync('/usr/bin/chromium')) {
    const fakeCamera = process.env.FAC_FAKE_CAMERA_Y4M;
    browser = spawn(
      '/usr/bin/chromium',
      [
        `--app=${host.url}`,
        '--kiosk',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-gpu',
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
        `--user-data-dir=${mkdtempSync(join(tmpdir(), 'fac-chromium-'))}`,
        '--use-fake-ui-for-media-stream',
        ...(fakeCamera ? ['--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${fakeCamera}`] : []),
      ],
      { stdio: 'ignore' },
    );
  }

  const stop = async () => {
    browser?.kill();
    await host.close();
    await core.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

await main();
