/**
 * Facts fixed when the bundle is built (scripts/build.ts --electron defines `__FAC_BUILD__`): whether this
 * is a test build (fake camera switches honoured, Node's inspector fuse kept) and the public key of the
 * signed update feed. Unbundled (type-checks, unit tests) it reads as a development build.
 */
declare const __FAC_BUILD__: { flavour: 'production' | 'test'; updatePublicKeyPem: string | null } | undefined;

export interface BuildInfo {
  flavour: 'production' | 'test' | 'development';
  updatePublicKeyPem: string | null;
}

export const BUILD: BuildInfo = typeof __FAC_BUILD__ === 'undefined' ? { flavour: 'development', updatePublicKeyPem: null } : __FAC_BUILD__;

/**
 * Test behaviour (fake camera, test hooks): a test build always; an unpackaged development run when
 * FAC_TEST_BUILD=1. A packaged production build never, whatever its environment says.
 */
export function isTestBuild(build: BuildInfo, isPackaged: boolean, env: Record<string, string | undefined>): boolean {
  if (build.flavour === 'test') return true;
  if (build.flavour === 'production' && isPackaged) return false;
  return !isPackaged && env.FAC_TEST_BUILD === '1';
}
