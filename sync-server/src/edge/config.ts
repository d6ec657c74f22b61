/**
 * Server configuration, read from the environment and validated with zod.
 * Everything has a default except the staff token outside demo/test mode.
 */
import { existsSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { BlobsConfig, DEFAULT_BLOBS_CONFIG } from '../kernel/blobs/blob-config.ts';
import { loadBlobsConfig } from './blob-env.ts';
import { parsePinnedKey } from '../kernel/audit-checkpoints.ts';
import { DatabaseConfig } from '../kernel/storage/database.ts';
import { CA_FILES, issuanceSecretsIn } from '../features/cards/index.ts';

import { DEMO_STAFF_TOKEN, isPublishedSecret } from './demo-data.ts';

/** The repository root: sync-server/src/edge/ → ../../.. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export { DEMO_STAFF_TOKEN } from './demo-data.ts';

export const LogLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);
export type LogLevel = z.infer<typeof LogLevel>;

export const ServerMode = z.enum(['production', 'demo', 'test']);
export type ServerMode = z.infer<typeof ServerMode>;


export const ServerConfig = z.object({
  mode: ServerMode,
  host: z.string().min(1),
  port: z.number().int().min(0).max(65535),
  dataDir: z.string().min(1),
  database: DatabaseConfig,
  staffToken: z.string().min(16),
  logLevel: LogLevel,
  /** seed JSON loaded at start when the database holds no person and no kiosk */
  seedPath: z.string().nullable(),
  /** blob store (local files or S3-compatible), orphan cleanup, per-kiosk limits (blobs/blob-config.ts) */
  blobs: BlobsConfig.default(DEFAULT_BLOBS_CONFIG),
  /**
   * The reverse proxies in front of the server (addresses, CIDR ranges, or `loopback`, `linklocal`,
   * `uniquelocal`): their X-Forwarded-For / -Proto are believed, so the client's own address counts for
   * the console's login throttle and a TLS proxy gives `Secure` cookies. Empty: nobody's headers are
   * believed (a forged X-Forwarded-For changes nothing).
   */
  trustProxy: z.array(z.string()).default([]),
  /** the audit journal's signed checkpoints (kernel/audit-checkpoints.ts) and their scheduled verification */
  audit: z
    .object({
      /** the checkpoint key's public half, pinned (raw Ed25519, base64url); null: the data folder's is trusted */
      publicKey: z.string().nullable(),
      /** the whole verification's period; 0: never on a schedule */
      verifyIntervalMs: z.number().int().min(0),
    })
    .default({ publicKey: null, verifyIntervalMs: 3_600_000 }),
});
export type ServerConfig = z.infer<typeof ServerConfig>;
/** What `startServer` accepts: `blobs` may be left out (defaults). */
export type ServerConfigInput = z.input<typeof ServerConfig>;

/** What the staff commands need: where the data lives, which database, which blob store. */
export const StorageConfig = ServerConfig.pick({ dataDir: true, database: true, blobs: true });
export type StorageConfig = z.infer<typeof StorageConfig>;

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid server configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const emptyToUndefined = (v: unknown): unknown => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const opt = <T extends z.ZodType>(schema: T) => z.preprocess(emptyToUndefined, schema.optional());

const Env = z.object({
  FAC_MODE: opt(ServerMode),
  FAC_SERVER_HOST: opt(z.string().regex(/^[0-9A-Za-z.:\-[\]]+$/, 'expected a host name or IP address')),
  FAC_SERVER_PORT: opt(
    z
      .string()
      .regex(/^\d{1,5}$/, 'expected a port number (0 = any free port)')
      .transform(Number)
      .pipe(z.number().max(65535, 'a port is at most 65535')),
  ),
  FAC_DATA_DIR: opt(z.string()),
  DATABASE_URL: opt(z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'expected postgres://… (or leave unset for SQLite)')),
  FAC_STAFF_TOKEN: opt(z.string().min(16, 'the staff token must be at least 16 characters long')),
  FAC_LOG_LEVEL: opt(LogLevel),
  FAC_SEED: opt(z.string()),
  FAC_AUDIT_PUBLIC_KEY: opt(z.string().refine((v) => parsePinnedKey(v) !== null, 'expected the checkpoint key\'s public half: 43 characters of base64url (npm run staff -- audit key)')),
  FAC_AUDIT_VERIFY_MINUTES: opt(
    z
      .string()
      .regex(/^\d{1,4}$/, 'expected a number of minutes (0 = never)')
      .transform(Number)
      .pipe(z.number().max(10_080, 'at most a week (10080 minutes)')),
  ),
  FAC_TRUST_PROXY: opt(
    z
      .string()
      .transform((s) => s.split(',').map((x) => x.trim()).filter((x) => x !== ''))
      .pipe(z.array(z.string().refine(isProxyAddress, { error: (iss) => `not an address, a CIDR range or loopback/linklocal/uniquelocal: ${String(iss.input)}` }))),
  ),
});

const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An IP address, an address/prefix range, or one of proxy-addr's names (what Fastify's trustProxy takes). */
function isProxyAddress(v: string): boolean {
  if (PROXY_KEYWORDS.has(v)) return true;
  const [addr, prefix, ...rest] = v.split('/');
  if (rest.length > 0 || addr === undefined) return false;
  const kind = isIP(addr);
  if (kind === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (kind === 4 ? 32 : 128);
}

/**
 * The internet-facing server holds no CA key and no card admin secret (DESIGN.md §6): one problem per
 * such file found in its data folder. Production refuses to start on them; demo and test only warn
 * (their machine is the issuance station too).
 */
export function issuanceSecretProblems(dataDir: string): string[] {
  return issuanceSecretsIn(dataDir).map((path) => {
    const what = path.endsWith(CA_FILES.privateKey) ? 'the platform CA’s private key' : 'the card admin secret (every card’s PW3 derives from it)';
    return `FAC_DATA_DIR: ${path} is ${what}: a production server must not hold it. Keep it on the issuance station only; the server signs revocation lists with its own key (npm run staff -- ca revocation-key issue --server-data DIR, run where the CA is)`;
  });
}

function absolute(p: string, base: string): string {
  return isAbsolute(p) ? p : resolve(base, p);
}

/**
 * Reads the configuration from an environment (usually `process.env`).
 * Throws ConfigError listing every problem at once.
 */
export function loadServerConfig(env: Record<string, string | undefined>, cwd: string = process.cwd()): ServerConfig {
  const problems: string[] = [];
  // each variable on its own, so that one bad value does not hide the others
  const read = <K extends keyof typeof Env.shape>(key: K): z.infer<(typeof Env.shape)[K]> | undefined => {
    const r = Env.shape[key].safeParse(env[key]);
    if (r.success) return r.data as z.infer<(typeof Env.shape)[K]>;
    for (const issue of r.error.issues) problems.push(`${key}: ${issue.message}`);
    return undefined;
  };
  const e = {
    FAC_MODE: read('FAC_MODE'),
    FAC_SERVER_HOST: read('FAC_SERVER_HOST'),
    FAC_SERVER_PORT: read('FAC_SERVER_PORT'),
    FAC_DATA_DIR: read('FAC_DATA_DIR'),
    DATABASE_URL: read('DATABASE_URL'),
    FAC_STAFF_TOKEN: read('FAC_STAFF_TOKEN'),
    FAC_LOG_LEVEL: read('FAC_LOG_LEVEL'),
    FAC_SEED: read('FAC_SEED'),
    FAC_TRUST_PROXY: read('FAC_TRUST_PROXY'),
    FAC_AUDIT_PUBLIC_KEY: read('FAC_AUDIT_PUBLIC_KEY'),
    FAC_AUDIT_VERIFY_MINUTES: read('FAC_AUDIT_VERIFY_MINUTES'),
  };
  const mode = e.FAC_MODE ?? 'production';
  const dataDir = e.FAC_DATA_DIR ? absolute(e.FAC_DATA_DIR, cwd) : join(REPO_ROOT, '.data', 'server');

  let staffToken = e.FAC_STAFF_TOKEN;
  const tokenGiven = (env.FAC_STAFF_TOKEN ?? '').trim() !== '';
  if (!tokenGiven) {
    if (mode === 'production') problems.push('FAC_STAFF_TOKEN: required (at least 16 characters) unless FAC_MODE is demo or test');
    else staffToken = DEMO_STAFF_TOKEN;
  }

  if (mode === 'production') problems.push(...productionProblems({ staffToken: tokenGiven ? staffToken : undefined, seedPath: e.FAC_SEED ?? null }));

  let seedPath: string | null = null;
  if (e.FAC_SEED) {
    seedPath = absolute(e.FAC_SEED, cwd);
    if (!existsSync(seedPath) || !statSync(seedPath).isFile()) problems.push(`FAC_SEED: no such file: ${seedPath}`);
  }

  const blobs = loadBlobsConfig(env, problems);
  if (mode === 'production') problems.push(...issuanceSecretProblems(dataDir));

  if (problems.length > 0) throw new ConfigError(problems);

  return ServerConfig.parse({
    blobs,
    mode,
    host: e.FAC_SERVER_HOST ?? '127.0.0.1',
    port: e.FAC_SERVER_PORT ?? 7390,
    dataDir,
    database: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL }
      : { kind: 'sqlite', file: join(dataDir, 'facilitateur.sqlite') },
    staffToken,
    logLevel: e.FAC_LOG_LEVEL ?? 'info',
    seedPath,
    trustProxy: e.FAC_TRUST_PROXY ?? [],
    audit: { publicKey: e.FAC_AUDIT_PUBLIC_KEY ?? null, verifyIntervalMs: (e.FAC_AUDIT_VERIFY_MINUTES ?? 60) * 60_000 },
  });
}

/**
 * What production refuses in a configuration: demo settings. The database's demo data (the seed's
 * accounts and kiosks) is checked at start, once the database is open (edge/production-check.ts).
 */
export function productionProblems(c: { staffToken: string | undefined; seedPath: string | null }): string[] {
  const problems: string[] = [];
  if (c.staffToken !== undefined && isPublishedSecret(c.staffToken)) {
    problems.push('FAC_STAFF_TOKEN: this token is published in the repository (documentation, demo or test data): choose a secret one for production');
  }
  if (c.seedPath !== null) problems.push('FAC_SEED: loading demo data is refused in production (unset FAC_SEED, or set FAC_MODE=demo)');
  return problems;
}

/**
 * The data folder and database only (`FAC_DATA_DIR`, `DATABASE_URL`), for the staff commands, which
 * need no staff token and open no port. `dataDir` overrides FAC_DATA_DIR (a command-line flag).
 */
export function loadStorageConfig(env: Record<string, string | undefined>, cwd: string = process.cwd(), dataDirFlag?: string): StorageConfig {
  const problems: string[] = [];
  const dataDirRaw = Env.shape.FAC_DATA_DIR.safeParse(env.FAC_DATA_DIR);
  const dbRaw = Env.shape.DATABASE_URL.safeParse(env.DATABASE_URL);
  if (!dbRaw.success) for (const issue of dbRaw.error.issues) problems.push(`DATABASE_URL: ${issue.message}`);
  const blobs = loadBlobsConfig(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  const fromEnv = dataDirRaw.success ? dataDirRaw.data : undefined;
  const chosen = dataDirFlag ?? fromEnv;
  const dataDir = chosen ? absolute(chosen, cwd) : join(REPO_ROOT, '.data', 'server');
  const url = dbRaw.success ? dbRaw.data : undefined;
  return StorageConfig.parse({
    blobs,
    dataDir,
    database: url ? { kind: 'postgres', url } : { kind: 'sqlite', file: join(dataDir, 'facilitateur.sqlite') },
  });
}
