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
      comment:
        'kiosk/contract is shared by renderer and core: zod, and the protocol\'s schema files and its pure estimate engine (reused, never copied), no Node, no other layer',
      severity: 'error',
      from: { path: '^kiosk/contract/' },
      to: {
        pathNot: ['^kiosk/contract/', 'node_modules/zod/', '^sync-server/protocol/(estimate/)?(?![^/]+\\.test\\.ts$)[^/]+\\.ts$'],
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
      comment:
        'sync-server/protocol is imported by the kiosk: zod, its own files and small codecs only — node:crypto and the TLV/EC helpers of drivers/pcsc for the card certificate profile',
      severity: 'error',
      from: { path: '^sync-server/protocol/', pathNot: ['\\.test\\.ts$', '^sync-server/protocol/print/'] },
      to: {
        pathNot: ['^sync-server/protocol/', 'node_modules/zod/', '^drivers/pcsc/(tlv|ec|errors)\\.ts$', '^crypto$'],
      },
    },
    {
      name: 'protocol-print-is-pdf-lib-only',
      comment: 'sync-server/protocol/print (the PDF kit shared by the server and the kiosk core) adds pdf-lib to the protocol, and nothing else',
      severity: 'error',
      from: { path: '^sync-server/protocol/print/', pathNot: '\\.test\\.ts$' },
      to: {
        pathNot: ['^sync-server/protocol/', 'node_modules/zod/', 'node_modules/pdf-lib/'],
      },
    },
    {
      name: 'contract-schemas-only',
      comment:
        'kiosk/contract and the renderer reuse the protocol\'s schemas, not its Node-only parts (the certificate profiles and the revocation list check) nor its PDF kit (protocol/print): the renderer bundles the contract, and the screen never makes PDFs',
      severity: 'error',
      from: { path: '^kiosk/(contract|renderer)/' },
      to: { path: ['^sync-server/protocol/(card-certificate|der|revocation-signer)\\.ts$', '^sync-server/protocol/print/'] },
    },
    {
      name: 'contract-reaches-no-node-protocol',
      comment:
        'what kiosk/contract and the renderer use of the protocol never leads, even through another protocol file, to its Node-only parts (certificate profiles, revocation list check, PDF kit) nor to drivers/',
      severity: 'error',
      from: { path: '^kiosk/(contract|renderer)/' },
      to: {
        path: ['^sync-server/protocol/(card-certificate|der|revocation-signer)\\.ts$', '^sync-server/protocol/print/', '^drivers/'],
        reachable: true,
      },
    },
    {
      name: 'server-kernel-below-features',
      comment: 'sync-server kernel (storage, access policy, audit, blobs, push queue) imports no feature and no edge: configuration is passed in',
      severity: 'error',
      from: { path: '^sync-server/src/kernel/', pathNot: '\\.test\\.ts$' },
      to: { path: '^sync-server/src/(features|edge)/' },
    },
    {
      name: 'server-features-below-edge',
      comment: 'sync-server features never import the edge (routes, sockets, console pages, CLI, jobs)',
      severity: 'error',
      from: { path: '^sync-server/src/features/', pathNot: '\\.test\\.ts$' },
      to: { path: '^sync-server/src/edge/' },
    },
    {
      name: 'server-feature-face',
      comment: 'a feature is used from another feature only through its face (index.ts)',
      severity: 'error',
      from: { path: '^sync-server/src/features/([^/]+)/', pathNot: '\\.test\\.ts$' },
      to: { path: '^sync-server/src/features/[^/]+/', pathNot: ['^sync-server/src/features/$1/', '^sync-server/src/features/[^/]+/index\\.ts$'] },
    },
    {
      name: 'server-edge-uses-faces',
      comment: 'the edge uses a feature only through its face (index.ts)',
      severity: 'error',
      from: { path: '^sync-server/src/edge/', pathNot: '\\.test\\.ts$' },
      to: { path: '^sync-server/src/features/[^/]+/', pathNot: '^sync-server/src/features/[^/]+/index\\.ts$' },
    },
    {
      name: 'server-src-no-test-support',
      comment: 'production code of the server imports no test support and no test file',
      severity: 'error',
      from: { path: '^sync-server/src/', pathNot: '\\.test\\.ts$' },
      to: { path: ['^sync-server/test-support/', '\\.test\\.ts$'] },
    },
    {
      name: 'server-only-from-its-entry-points',
      comment: 'outside the server (tests, bench, scripts), its features are reached through their faces',
      severity: 'error',
      from: { path: '^(tests|bench|scripts)/' },
      to: { path: '^sync-server/src/features/[^/]+/', pathNot: '^sync-server/src/features/[^/]+/index\\.ts$' },
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
