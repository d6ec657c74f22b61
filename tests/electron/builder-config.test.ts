/**
 * electron-builder.yml, read and validated by electron-builder's own loader and JSON schema, then checked
 * for what the kiosk needs; and the afterPack hook, run on a binary that carries an Electron fuse wire.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import afterPack, { FUSE_STATE, bundleFlavour, checkBundleFlavour, electronBinary, fuseConfig, fuseMismatches, isTestBuild } from '../../build/after-pack.mjs';

const REPO = resolve(import.meta.dirname, '../..');
const require = createRequire(import.meta.url);

// electron-builder's config loader (YAML, extends, defaults) and its schema validation, typed at this boundary
const LoaderModule = z.object({
  getConfig: z.custom<(dir: string, file: string | null, options: null) => Promise<unknown>>((f) => typeof f === 'function'),
  validateConfiguration: z.custom<(config: unknown, logger: unknown) => Promise<void>>((f) => typeof f === 'function'),
});
const loader = LoaderModule.parse(require('app-builder-lib/out/util/config/config.js'));
const DebugLogger = z.custom<new (enabled: boolean) => unknown>((f) => typeof f === 'function').parse((require('builder-util') as { DebugLogger: unknown }).DebugLogger);

const Target = z.object({ target: z.string(), arch: z.array(z.string()) });
const BuilderConfig = z.looseObject({
  appId: z.string(),
  productName: z.string(),
  asar: z.literal(true),
  asarUnpack: z.array(z.string()),
  npmRebuild: z.literal(true),
  afterPack: z.string(),
  extraMetadata: z.object({ main: z.string() }),
  files: z.array(z.looseObject({ filter: z.array(z.string()) })),
  linux: z.looseObject({ executableName: z.string(), target: z.array(Target) }),
  deb: z.looseObject({ depends: z.array(z.string()) }),
  publish: z.array(z.looseObject({ provider: z.string(), url: z.string(), channel: z.string().optional() })),
});

async function loadConfig(file = 'electron-builder.yml'): Promise<unknown> {
  return loader.getConfig(REPO, file, null);
}

describe('electron-builder.yml', () => {
  it('is valid for electron-builder (its own loader and JSON schema)', async () => {
    const raw = await loadConfig();
    await expect(loader.validateConfiguration(raw, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('the schema check is real: an unknown key or a bad type fails it', async () => {
    const raw = z.looseObject({}).parse(await loadConfig());
    await expect(loader.validateConfiguration({ ...raw, notAnOption: true }, new DebugLogger(false))).rejects.toThrow(/notAnOption/);
    await expect(loader.validateConfiguration({ ...raw, asar: 'yes' }, new DebugLogger(false))).rejects.toThrow();
  });

  it('builds AppImage and deb for x64 and arm64', async () => {
    const c = BuilderConfig.parse(await loadConfig());
    const targets = Object.fromEntries(c.linux.target.map((t) => [t.target, [...t.arch].sort()]));
    expect(targets).toEqual({ AppImage: ['arm64', 'x64'], deb: ['arm64', 'x64'] });
    expect(c.linux.executableName).toBe('facilitateur');
  });

  it('runs the bundled main, ships the renderer, leaves dev tools out', async () => {
    const c = BuilderConfig.parse(await loadConfig());
    expect(c.extraMetadata.main).toBe('kiosk/main/dist/main.mjs');
    const filters = c.files.flatMap((f) => f.filter);
    expect(filters).toEqual(expect.arrayContaining(['kiosk/main/dist/**', 'kiosk/renderer/dist/**', 'package.json', '!**/*.ts', '!node_modules/electron/**', '!node_modules/playwright-core/**']));
  });

  it('unpacks the native modules from the asar and rebuilds them for Electron', async () => {
    const c = BuilderConfig.parse(await loadConfig());
    for (const m of ['better-sqlite3', 'pcsclite', 'node-hid', 'sharp']) expect(c.asarUnpack, m).toContain(`node_modules/${m}/**`);
    expect(c.npmRebuild).toBe(true);
    // every package.json dependency with native code is in that list
    const pkg = z.object({ dependencies: z.record(z.string(), z.string()) }).parse(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')));
    for (const m of ['better-sqlite3', 'pcsclite', 'node-hid', 'sharp']) expect(Object.keys(pkg.dependencies)).toContain(m);
  });

  it('makes the deb depend on pcscd and its CCID driver', async () => {
    const c = BuilderConfig.parse(await loadConfig());
    expect(c.deb.depends).toEqual(expect.arrayContaining(['pcscd', 'libpcsclite1', 'libccid']));
    // giving `depends` replaces electron-builder's default list: Electron's own libraries must be there too
    expect(c.deb.depends).toEqual(expect.arrayContaining(['libgtk-3-0', 'libnss3', 'libxss1', 'libxtst6', 'libatspi2.0-0', 'libuuid1']));
  });

  it('publishes a generic HTTPS feed for electron-updater', async () => {
    const c = BuilderConfig.parse(await loadConfig());
    expect(c.publish).toHaveLength(1);
    expect(c.publish[0]).toMatchObject({ provider: 'generic', channel: 'latest' });
    expect(c.publish[0]!.url).toMatch(/^https:\/\//);
  });

  it('names an afterPack hook that exists and is the fuse hook', async () => {
    const c = BuilderConfig.parse(await loadConfig());
    expect(c.afterPack).toBe('./build/after-pack.mjs');
    const hook = (await import(resolve(REPO, c.afterPack))) as { default?: unknown };
    expect(hook.default).toBe(afterPack);
  });
});

describe('fuses', () => {
  it('turns off RunAsNode, NODE_OPTIONS and inspect; asar only with integrity; cookie encryption on', () => {
    expect(fuseConfig({ testBuild: false })).toEqual({
      version: '1',
      0: false, // RunAsNode
      1: true, // EnableCookieEncryption
      2: false, // EnableNodeOptionsEnvironmentVariable
      3: false, // EnableNodeCliInspectArguments
      4: true, // EnableEmbeddedAsarIntegrityValidation
      5: true, // OnlyLoadAppFromAsar
      6: false, // LoadBrowserProcessSpecificV8Snapshot
      7: false, // GrantFileProtocolExtraPrivileges
    });
  });

  it('keeps the inspect fuse in test builds only', () => {
    expect(fuseConfig({ testBuild: true })).toEqual({ ...fuseConfig({ testBuild: false }), 3: true });
    expect(isTestBuild({ FAC_TEST_BUILD: '1' })).toBe(true);
    expect(isTestBuild({ FAC_TEST_BUILD: 'true' })).toBe(false);
    expect(isTestBuild({})).toBe(false);
  });

  it('finds the packaged binary per platform', () => {
    const packager = { executableName: 'facilitateur', appInfo: { productFilename: 'Facilitateur' } };
    expect(electronBinary({ appOutDir: '/out/linux-unpacked', electronPlatformName: 'linux', packager })).toBe('/out/linux-unpacked/facilitateur');
    expect(electronBinary({ appOutDir: '/out/win', electronPlatformName: 'win32', packager })).toBe('/out/win/Facilitateur.exe');
    expect(electronBinary({ appOutDir: '/out/mac', electronPlatformName: 'darwin', packager })).toBe('/out/mac/Facilitateur.app');
  });

  it('refuses to package a test bundle as production, or the other way round', () => {
    expect(bundleFlavour('var BUILD = { flavour: "test", updatePublicKeyPem: null };')).toBe('test');
    expect(bundleFlavour('var BUILD = { flavour: "production", updatePublicKeyPem: null };')).toBe('production');
    expect(bundleFlavour('no define here')).toBe('unknown');
    expect(() => checkBundleFlavour('test', false)).toThrow(/test build but this package is a production build/);
    expect(() => checkBundleFlavour('production', true)).toThrow(/FAC_TEST_BUILD=1 npm run build/);
    expect(() => checkBundleFlavour('unknown', false)).toThrow();
    expect(() => checkBundleFlavour('production', false)).not.toThrow();
    expect(() => checkBundleFlavour('test', true)).not.toThrow();
  });

  describe('the hook on a binary', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fac-fuses-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
    /** Electron's fuse wire as it sits in the binary: sentinel, version 1, length, one byte per fuse. */
    const fakeElectron = (name: string, wire: string) => {
      const file = join(dir, name);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, Buffer.concat([Buffer.from('\x7fELF…code…'), Buffer.from(SENTINEL), Buffer.from([1, wire.length]), Buffer.from(wire), Buffer.from('…more code…')]));
      return file;
    };
    const wireOf = (file: string) => {
      const b = readFileSync(file);
      const at = b.indexOf(SENTINEL) + SENTINEL.length;
      return b.subarray(at + 2, at + 2 + b[at + 1]!).toString();
    };
    const packager = { executableName: 'facilitateur', appInfo: { productFilename: 'Facilitateur' } };

    it('flips every fuse to ours and checks them, leaving a fuse it does not know alone', async () => {
      // every known fuse the other way round, and a ninth fuse (a newer Electron) set to 1
      const out = join(dir, 'prod');
      fakeElectron('prod/facilitateur', '101100111');
      await expect(afterPack({ appOutDir: out, electronPlatformName: 'linux', packager }, {})).resolves.toBe(join(out, 'facilitateur'));
      expect(wireOf(join(out, 'facilitateur'))).toBe('010011001'); // the unknown ninth fuse kept as it was
    });

    it('keeps inspect in a test build', async () => {
      const out = join(dir, 'test');
      fakeElectron('test/facilitateur', '10110011');
      await afterPack({ appOutDir: out, electronPlatformName: 'linux', packager }, { FAC_TEST_BUILD: '1' });
      expect(wireOf(join(out, 'facilitateur'))).toBe('01011100');
    });

    it('fails the build when a fuse cannot be set (a wire too short for our config)', async () => {
      const out = join(dir, 'short');
      fakeElectron('short/facilitateur', '1011');
      await expect(afterPack({ appOutDir: out, electronPlatformName: 'linux', packager }, {})).rejects.toThrow(/not long enough/);
    });

    it('reports fuses that read back wrong', () => {
      const config = fuseConfig({ testBuild: false });
      const wire = { version: '1', 0: FUSE_STATE.ENABLE, 1: FUSE_STATE.ENABLE, 2: FUSE_STATE.DISABLE, 3: FUSE_STATE.DISABLE, 4: FUSE_STATE.ENABLE, 5: FUSE_STATE.REMOVED, 6: FUSE_STATE.DISABLE, 7: FUSE_STATE.DISABLE };
      expect(fuseMismatches(config, wire)).toEqual(['RunAsNode']);
    });
  });
});
