/**
 * electron-builder `afterPack` hook: flips Electron's fuses in the packaged binary (before the AppImage or
 * deb is made from it), then reads the fuse wire back and fails the build if any fuse is not as asked.
 *
 * - RunAsNode off: ELECTRON_RUN_AS_NODE cannot turn the kiosk binary into a plain Node interpreter.
 * - NODE_OPTIONS off, and the `--inspect*` switches off: no code injected through the environment or a
 *   debugger port (kept on in test builds, FAC_TEST_BUILD=1, for Playwright).
 * - OnlyLoadAppFromAsar on, embedded asar integrity on (enforced by Electron on macOS and Windows; on
 *   Linux the read-only system partition plays that part, see build/APPLIANCE.md).
 * - Cookie encryption on. No extra privileges for file://, no browser-specific V8 snapshot.
 * A fuse this list does not know (a newer Electron) keeps Electron's default.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { FuseV1Options, FuseVersion, flipFuses, getCurrentFuseWire } from '@electron/fuses';

/** The bytes of the fuse wire ('0', '1', 'r'); @electron/fuses does not export its FuseState enum. */
export const FUSE_STATE = Object.freeze({ DISABLE: 0x30, ENABLE: 0x31, REMOVED: 0x72 });

/** FAC_TEST_BUILD=1 at packaging time makes a test build. */
export function isTestBuild(env = process.env) {
  return env.FAC_TEST_BUILD === '1';
}

/** The fuse settings of a build, as a pure function (unit-tested). */
export function fuseConfig({ testBuild }) {
  return {
    version: FuseVersion.V1,
    [FuseV1Options.RunAsNode]: false,
    [FuseV1Options.EnableCookieEncryption]: true,
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    [FuseV1Options.EnableNodeCliInspectArguments]: testBuild === true,
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    [FuseV1Options.LoadBrowserProcessSpecificV8Snapshot]: false,
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
  };
}

/** Where the packaged Electron binary is, per platform. */
export function electronBinary(context) {
  const { appOutDir, electronPlatformName, packager } = context;
  if (electronPlatformName === 'darwin' || electronPlatformName === 'mas') return join(appOutDir, `${packager.appInfo.productFilename}.app`);
  if (electronPlatformName === 'win32') return join(appOutDir, `${packager.appInfo.productFilename}.exe`);
  return join(appOutDir, packager.executableName);
}

/** Compares the wire read back with the config; returns the fuses that differ. */
export function fuseMismatches(config, wire) {
  const wrong = [];
  for (const [index, wanted] of Object.entries(config)) {
    if (index === 'version') continue;
    const expected = wanted ? FUSE_STATE.ENABLE : FUSE_STATE.DISABLE;
    if (wire[index] !== expected && wire[index] !== FUSE_STATE.REMOVED) wrong.push(FuseV1Options[Number(index)] ?? index);
  }
  return wrong;
}

/** Which build of kiosk/main/dist this is ('test' | 'production' | 'unknown'), from the bundle's text. */
export function bundleFlavour(mainBundleText) {
  const m = /flavour:\s*"(test|production)"/.exec(mainBundleText);
  return m ? m[1] : 'unknown';
}

/** A test bundle never goes into a production package, nor the other way round. */
export function checkBundleFlavour(flavour, testBuild) {
  const wanted = testBuild ? 'test' : 'production';
  if (flavour !== wanted) {
    throw new Error(
      `kiosk/main/dist is a ${flavour} build but this package is a ${wanted} build: run \`${testBuild ? 'FAC_TEST_BUILD=1 ' : ''}npm run build -- --electron\` first`,
    );
  }
}

export default async function afterPack(context, env = process.env) {
  if (context.packager.projectDir) {
    const bundle = readFileSync(join(context.packager.projectDir, 'kiosk/main/dist/main.mjs'), 'utf8');
    checkBundleFlavour(bundleFlavour(bundle), isTestBuild(env));
  }
  const binary = electronBinary(context);
  const config = fuseConfig({ testBuild: isTestBuild(env) });
  await flipFuses(binary, config);
  const wrong = fuseMismatches(config, await getCurrentFuseWire(binary));
  if (wrong.length > 0) throw new Error(`fuses not flipped in ${binary}: ${wrong.join(', ')}`);
  return binary;
}
