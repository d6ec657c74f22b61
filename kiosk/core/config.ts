/** Kiosk configuration from the environment, validated; bad configuration is reported in one message. */
import { resolve } from 'node:path';
import { z } from 'zod';
import { KioskId } from '../../sync-server/protocol/common.ts';
import { parseDataKeySource } from './storage/keys.ts';
import type { DataKeySource } from './storage/keys.ts';
import { CONFIG_WORDS } from './words.ts';

const repoRoot = resolve(import.meta.dirname, '../..');

const Port = z.coerce.number().int().min(0).max(65535);

export const KioskConfigSchema = z.object({
  FAC_KIOSK_DATA_DIR: z.string().min(1).default(resolve(repoRoot, '.data/kiosk')),
  /** where the at-rest data key comes from: file | file:/absolute/path | systemd-credential[:name] */
  FAC_DATA_KEY: z
    .string()
    .refine((v) => parseDataKeySource(v) !== null, 'attendu : file, file:/chemin/absolu, systemd-credential ou systemd-credential:NOM')
    .default('file'),
  FAC_SYNC_URL: z.url().default('http://127.0.0.1:7390'),
  FAC_KIOSK_ID: KioskId.default('borne-cms-centre-1'),
  FAC_KIOSK_TOKEN: z.string().min(16, CONFIG_WORDS.tokenTooShort).default('demo-kiosk-token-change-me-0001'),
  /** substring of the PC/SC reader name of the box's main slot; empty = any reader but the second */
  FAC_READER: z.string().default('Virtual PCD 00 00'),
  /** substring of the PC/SC reader name of the box's second slot (a beneficiary joining an agent) */
  FAC_READER_SECOND: z.string().default('Virtual PCD 00 01'),
  /** the box's HID side: none | hid | hid:VID:PID | tcp://127.0.0.1:PORT (the virtual box) */
  FAC_BOX: z
    .string()
    .regex(/^(none|hid(:[0-9a-fA-F]{4}:[0-9a-fA-F]{4})?|tcp:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d{1,5})$/, 'attendu : none, hid, hid:VID:PID ou tcp://127.0.0.1:PORT')
    .default('none'),
  /** the pinned platform CA certificate (PEM) */
  FAC_CA_CERT: z.string().min(1).default(resolve(repoRoot, '.data/server/ca/ca.cert.pem')),
  /** CUPS printer name for printing papers (empty: this kiosk has no printer) */
  FAC_PRINTER: z.string().regex(/^[A-Za-z0-9_.-]{0,127}$/, CONFIG_WORDS.printerName).default(''),
  FAC_IDLE_TIMEOUT_S: z.coerce.number().int().min(15).max(3600).default(120),
  FAC_IDLE_WARNING_S: z.coerce.number().int().min(5).max(300).default(30),
  FAC_HOST_PORT: Port.default(7380),
  FAC_HOST_ADDRESS: z.enum(['127.0.0.1', '::1', 'localhost']).default('127.0.0.1'),
  FAC_OCR_WORKERS: z.coerce.number().int().min(1).max(4).default(1),
  FAC_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** the aid estimate's rules (dated, sourced scales), installed with the appliance: estimates run offline */
  FAC_AID_RULES_DIR: z.string().min(1).default(resolve(repoRoot, 'assets/aids/rules')),
  /** the 2D-Doc trust store (ANTS authorities and signer certificates), installed with the appliance: codes are verified offline */
  FAC_TWODDOC_TRUST_DIR: z.string().min(1).default(resolve(repoRoot, 'assets/twoddoc/trust')),
  /** the base map installed on the appliance: a PMTiles archive of vector tiles (empty: none, the map is a plain plan) */
  FAC_MAP_TILES: z.string().default(''),
  /** where the tablet stands, « latitude,longitude » and an optional name after a comma (empty: the centre of the directory) */
  FAC_MAP_PLACE: z
    .string()
    .regex(/^$|^\s*-?\d{1,2}(\.\d+)?\s*,\s*-?\d{1,3}(\.\d+)?\s*(,.{1,100})?$/, CONFIG_WORDS.mapPlace)
    .refine((v) => v === '' || parsePlace(v) !== null, CONFIG_WORDS.mapPlace)
    .default(''),
});

/** « 45.764,4.8357,CMS du centre-ville » → the place; null when out of range. */
function parsePlace(v: string): { lat: number; lon: number; label: string | null } | null {
  const [lat, lon, ...rest] = v.split(',');
  const place = { lat: Number(lat), lon: Number(lon), label: rest.join(',').trim() || null };
  if (!Number.isFinite(place.lat) || !Number.isFinite(place.lon) || Math.abs(place.lat) > 90 || Math.abs(place.lon) > 180) return null;
  return place;
}

export interface KioskConfig {
  dataDir: string;
  dataKey: DataKeySource;
  syncUrl: string;
  kioskId: string;
  kioskToken: string;
  reader: string;
  readerSecond: string;
  box: string;
  caCertPath: string;
  printer: string | null;
  idleTimeoutMs: number;
  idleWarningMs: number;
  hostPort: number;
  hostAddress: string;
  ocrWorkers: number;
  logLevel: z.infer<typeof KioskConfigSchema>['FAC_LOG_LEVEL'];
  aidRulesDir: string;
  twoDDocTrustDir: string;
  /** null: no base map installed */
  mapTiles: string | null;
  mapPlace: { lat: number; lon: number; label: string | null } | null;
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
    dataKey: parseDataKeySource(c.FAC_DATA_KEY)!,
    syncUrl: c.FAC_SYNC_URL.replace(/\/$/, ''),
    kioskId: c.FAC_KIOSK_ID,
    kioskToken: c.FAC_KIOSK_TOKEN,
    reader: c.FAC_READER,
    readerSecond: c.FAC_READER_SECOND,
    box: c.FAC_BOX,
    caCertPath: resolve(c.FAC_CA_CERT),
    printer: c.FAC_PRINTER === '' ? null : c.FAC_PRINTER,
    idleTimeoutMs: c.FAC_IDLE_TIMEOUT_S * 1000,
    idleWarningMs: Math.min(c.FAC_IDLE_WARNING_S, c.FAC_IDLE_TIMEOUT_S - 5) * 1000,
    hostPort: c.FAC_HOST_PORT,
    hostAddress: c.FAC_HOST_ADDRESS,
    ocrWorkers: c.FAC_OCR_WORKERS,
    logLevel: c.FAC_LOG_LEVEL,
    aidRulesDir: resolve(c.FAC_AID_RULES_DIR),
    twoDDocTrustDir: resolve(c.FAC_TWODDOC_TRUST_DIR),
    mapTiles: c.FAC_MAP_TILES === '' ? null : resolve(c.FAC_MAP_TILES),
    mapPlace: c.FAC_MAP_PLACE === '' ? null : parsePlace(c.FAC_MAP_PLACE),
  };
}
