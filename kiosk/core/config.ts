/** Kiosk configuration from the environment, validated; bad configuration is reported in one message. */
import { resolve } from 'node:path';
import { z } from 'zod';
import { KioskId } from '../../sync-server/protocol/common.ts';

const repoRoot = resolve(import.meta.dirname, '../..');

const Port = z.coerce.number().int().min(0).max(65535);

export const KioskConfigSchema = z.object({
  FAC_KIOSK_DATA_DIR: z.string().min(1).default(resolve(repoRoot, '.data/kiosk')),
  FAC_SYNC_URL: z.url().default('http://127.0.0.1:7390'),
  FAC_KIOSK_ID: KioskId.default('borne-cms-centre-1'),
  FAC_KIOSK_TOKEN: z.string().min(16, 'FAC_KIOSK_TOKEN doit faire au moins 16 caractères').default('demo-kiosk-token-change-me-0001'),
  /** substring of the PC/SC reader name of the card-holder box; empty = the first reader */
  FAC_READER: z.string().default('Virtual PCD 00 00'),
  FAC_HOST_PORT: Port.default(7380),
  FAC_HOST_ADDRESS: z.enum(['127.0.0.1', '::1', 'localhost']).default('127.0.0.1'),
  FAC_OCR_WORKERS: z.coerce.number().int().min(1).max(4).default(1),
  FAC_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  FAC_CARDHOLDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(3000),
});

export interface KioskConfig {
  dataDir: string;
  syncUrl: string;
  kioskId: string;
  kioskToken: string;
  reader: string;
  hostPort: number;
  hostAddress: string;
  ocrWorkers: number;
  logLevel: z.infer<typeof KioskConfigSchema>['FAC_LOG_LEVEL'];
  cardholderTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid kiosk configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadKioskConfig(env: Record<string, string | undefined> = process.env): KioskConfig {
  const picked = Object.fromEntries(
    Object.keys(KioskConfigSchema.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]),
  );
  const r = KioskConfigSchema.safeParse(picked);
  if (!r.success) {
    throw new ConfigError(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const c = r.data;
  return {
    dataDir: resolve(c.FAC_KIOSK_DATA_DIR),
    syncUrl: c.FAC_SYNC_URL.replace(/\/$/, ''),
    kioskId: c.FAC_KIOSK_ID,
    kioskToken: c.FAC_KIOSK_TOKEN,
    reader: c.FAC_READER,
    hostPort: c.FAC_HOST_PORT,
    hostAddress: c.FAC_HOST_ADDRESS,
    ocrWorkers: c.FAC_OCR_WORKERS,
    logLevel: c.FAC_LOG_LEVEL,
    cardholderTimeoutMs: c.FAC_CARDHOLDER_TIMEOUT_MS,
  };
}
