/**
 * The import rules of DESIGN.md §3, checked on every test run (`npm run lint:imports`).
 * A violating import fails the test command.
 */
module.exports = {
  forbidden: [
    {
      name: 'drivers-stay-independent',
      comment: 'drivers/ imports nothing from kiosk/ or sync-server/',
      severity: 'error',
      from: { path: '^drivers/' },
      to: { path: '^(kiosk|sync-server)/' },
    },
    {
      name: 'renderer-only-contract',
      comment: 'kiosk/renderer imports, of the project, only kiosk/contract/ (and its own files)',
      severity: 'error',
      from: { path: '^kiosk/renderer/' },
      to: { path: '^(drivers|sync-server|kiosk/(core|host|main|preload))/' },
    },
    {
      name: 'renderer-no-node',
      comment: 'kiosk/renderer uses no Node built-in (no network, no file system, no hardware); its Vite config is build-time, not shipped',
      severity: 'error',
      from: { path: '^kiosk/renderer/', pathNot: '^kiosk/renderer/vite\\.config\\.ts$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'renderer-no-native-packages',
      comment: 'kiosk/renderer uses no Node-only package',
      severity: 'error',
      from: { path: '^kiosk/renderer/' },
      to: { path: 'node_modules/(better-sqlite3|pcsclite|node-hid|sharp|tesseract\\.js|pino|socket\\.io|tus-js-client|ws|pg|kysely|fastify|electron)/' },
    },
    {
      name: 'contract-is-pure',
      comment: 'kiosk/contract is shared by renderer and core: zod only, no Node, no other layer',
      severity: 'error',
      from: { path: '^kiosk/contract/' },
      to: {
        pathNot: ['^kiosk/contract/', 'node_modules/zod/'],
      },
    },
    {
      name: 'core-no-electron',
      comment: 'kiosk/core is transport-agnostic plain Node: no electron',
      severity: 'error',
      from: { path: '^kiosk/(core|host|contract)/' },
      to: { path: 'node_modules/electron/' },
    },
    {
      name: 'kiosk-uses-only-server-protocol',
      comment: 'of the server, the kiosk imports only sync-server/protocol/',
      severity: 'error',
      from: { path: '^kiosk/' },
      to: { path: '^sync-server/', pathNot: '^sync-server/protocol/' },
    },
    {
      name: 'server-not-kiosk',
      comment: 'sync-server imports nothing from kiosk/; of drivers/ only the card protocol (drivers/pcsc)',
      severity: 'error',
      from: { path: '^sync-server/' },
      to: { path: ['^kiosk/', '^drivers/(?!pcsc/)'] },
    },
    {
      name: 'protocol-is-pure',
      comment: 'sync-server/protocol is imported by the kiosk: zod only',
      severity: 'error',
      from: { path: '^sync-server/protocol/' },
      to: { pathNot: ['^sync-server/protocol/', 'node_modules/zod/'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['(^|/)dist/', '^\\.data/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
  },
};
