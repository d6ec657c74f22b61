/**
 * The real parts around the Electron app for its end-to-end tests: the sync-server (SQLite in a temp
 * folder, demo seed), the platform CA, the demo cards as virtual OpenPGP cards over vpcd + pcscd, the
 * virtual card-holder box. Unlike tests/support/stack.ts there is no kiosk core here: the core runs inside
 * the Electron app, configured by the environment this module returns.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { SimulatorHandle } from '../../../drivers/vcard/simulator.ts';
import type { RunningServer } from '../../../sync-server/src/edge/server.ts';
import { startBackend } from '../../support/stack.ts';
import type { DemoPerson } from '../../support/stack.ts';

export const REPO = resolve(import.meta.dirname, '../../..');
export const MAIN_BUNDLE = join(REPO, 'kiosk/main/dist/main.mjs');

/** Why the Electron tests cannot run here, or null when they can. */
export function electronUnavailable(env: Record<string, string | undefined> = process.env): string | null {
  const dist = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (!dist) return 'no Electron binary: set ELECTRON_OVERRIDE_DIST_PATH to an unpacked Electron (it cannot be downloaded here)';
  if (!existsSync(join(dist, 'electron'))) return `no electron executable in ELECTRON_OVERRIDE_DIST_PATH (${dist})`;
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return 'no display for the Electron window: run the tests under xvfb-run (or a Wayland session)';
  return null;
}

export function electronExecutable(env: Record<string, string | undefined> = process.env): string {
  return join(env.ELECTRON_OVERRIDE_DIST_PATH ?? '', 'electron');
}

/** Builds kiosk/main/dist as a test build (fake camera, test hooks). */
export function buildTestBundle(): void {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO, 'scripts/build.ts'), '--electron'], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, FAC_TEST_BUILD: '1' },
  });
  if (r.status !== 0) throw new Error(`electron build failed:\n${r.stdout}\n${r.stderr}`);
}

export interface ElectronStack {
  dir: string;
  server: RunningServer;
  box: SimulatorHandle;
  persons: DemoPerson[];
  person(firstName: string): DemoPerson;
  /** the environment of the Electron app (kiosk core configuration) */
  appEnv(extra?: Record<string, string>): Record<string, string>;
  insert(firstName: string, slot?: 0 | 1): Promise<void>;
  remove(slot?: 0 | 1, opts?: { force?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export async function startElectronStack(): Promise<ElectronStack> {
  const dir = mkdtempSync(join(tmpdir(), 'fac-electron-'));
  const backend = await startBackend(dir);
  const { server, box } = backend;
  // first start of the app: it enrolls itself with this one-time code (its key sealed by safeStorage)
  const enrollmentCode = await backend.enrollmentCode();
  return {
    dir,
    server,
    box,
    persons: backend.persons,
    person: backend.person,
    appEnv(extra = {}) {
      const inherited = Object.fromEntries(['PATH', 'HOME', 'DISPLAY', 'WAYLAND_DISPLAY', 'XDG_RUNTIME_DIR', 'XAUTHORITY'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])));
      return {
        ...inherited,
        FAC_TEST_BUILD: '1',
        FAC_KIOSK_DATA_DIR: join(dir, 'kiosk'),
        FAC_SYNC_URL: server.url,
        FAC_ENROLLMENT_CODE: enrollmentCode,
        FAC_READER: 'Virtual PCD 00 00',
        FAC_READER_SECOND: 'Virtual PCD 00 01',
        FAC_BOX: box.boxUrl,
        FAC_CA_CERT: backend.caCertPath,
        FAC_LOG_LEVEL: process.env.FAC_TEST_LOG_LEVEL ?? 'warn',
        ...extra,
      };
    },
    insert: backend.insert,
    remove: backend.remove,
    async close() {
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
