// Types of after-pack.mjs for the TypeScript tests that import it.
import type { FuseConfig } from '@electron/fuses';

export interface PackContext {
  appOutDir: string;
  electronPlatformName: string;
  /** electron-builder's packager; projectDir is where kiosk/main/dist is checked (absent: not checked) */
  packager: { executableName: string; appInfo: { productFilename: string }; projectDir?: string };
}

export const FUSE_STATE: Readonly<{ DISABLE: 0x30; ENABLE: 0x31; REMOVED: 0x72 }>;
export function isTestBuild(env?: Record<string, string | undefined>): boolean;
export function fuseConfig(opts: { testBuild: boolean }): FuseConfig;
export function electronBinary(context: PackContext): string;
export function bundleFlavour(mainBundleText: string): 'test' | 'production' | 'unknown';
export function checkBundleFlavour(flavour: string, testBuild: boolean): void;
export function fuseMismatches(config: FuseConfig, wire: Record<string, unknown>): string[];
export default function afterPack(context: PackContext, env?: Record<string, string | undefined>): Promise<string>;
