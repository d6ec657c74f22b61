/** The blob store's configuration from the environment (its variables: kernel/blobs/blob-config.ts). */
import { DEFAULT_BLOBS_CONFIG, S3StoreConfig } from '../kernel/blobs/blob-config.ts';
import type { BlobsConfig , BlobStoreConfig} from '../kernel/blobs/blob-config.ts';

const S3_PARAMS = new Set(['endpoint', 'region', 'path-style']);

/** Parses `FAC_BLOB_STORE` (and the S3 credential variables); problems are listed, not thrown. */
export function parseBlobStore(raw: string | undefined, env: Record<string, string | undefined>): { config: BlobStoreConfig } | { problems: string[] } {
  const value = raw?.trim() ?? '';
  if (value === '' || value === 'local') return { config: { kind: 'local' } };
  if (!value.startsWith('s3://')) return { problems: ['FAC_BLOB_STORE: expected "local" or s3://bucket[/prefix]?endpoint=…&region=…'] };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problems: ['FAC_BLOB_STORE: not a valid s3:// URL'] };
  }
  const problems: string[] = [];
  if (url.username || url.password) problems.push('FAC_BLOB_STORE: no credentials in the URL (use FAC_S3_ACCESS_KEY_ID and FAC_S3_SECRET_ACCESS_KEY)');
  if (url.port) problems.push('FAC_BLOB_STORE: the bucket name takes no port (put the endpoint in ?endpoint=)');
  for (const key of url.searchParams.keys()) if (!S3_PARAMS.has(key)) problems.push(`FAC_BLOB_STORE: unknown parameter "${key}" (endpoint, region, path-style)`);
  const pathStyle = url.searchParams.get('path-style');
  if (pathStyle !== null && pathStyle !== 'true' && pathStyle !== 'false') problems.push('FAC_BLOB_STORE: path-style is true or false');
  const path = decodeURIComponent(url.pathname).replace(/^\/+/, '');
  const keyId = env.FAC_S3_ACCESS_KEY_ID?.trim() || null;
  const secret = env.FAC_S3_SECRET_ACCESS_KEY?.trim() || null;
  if ((keyId === null) !== (secret === null)) problems.push('FAC_S3_ACCESS_KEY_ID and FAC_S3_SECRET_ACCESS_KEY go together');
  const endpoint = url.searchParams.get('endpoint');
  const candidate = {
    kind: 's3',
    bucket: url.hostname,
    prefix: path === '' ? '' : path.endsWith('/') ? path : `${path}/`,
    endpoint,
    region: url.searchParams.get('region') ?? 'us-east-1',
    // a custom endpoint (MinIO, Garage…) usually wants path-style requests
    forcePathStyle: pathStyle === null ? endpoint !== null : pathStyle === 'true',
    accessKeyId: keyId,
    secretAccessKey: secret,
  };
  const parsed = S3StoreConfig.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path.join('.');
      const what: Record<string, string> = {
        bucket: 'bucket name: 3 to 63 lower-case letters, digits, dots and dashes',
        prefix: 'prefix: letters, digits and -_.!*\'()/ only',
        endpoint: 'endpoint: an http:// or https:// URL',
        region: 'region: lower-case letters, digits and dashes',
      };
      problems.push(`FAC_BLOB_STORE: ${what[field] ?? `${field}: ${issue.message}`}`);
    }
  }
  if (problems.length > 0 || !parsed.success) return { problems };
  return { config: parsed.data };
}

/** Parses the limits' variables; each bad value is reported. */
export function parseBlobLimits(env: Record<string, string | undefined>, problems: string[]): Omit<BlobsConfig, 'store'> {
  const num = (key: string, fallback: number, min: number, max: number): number => {
    const raw = env[key]?.trim();
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || n < min || n > max) {
      problems.push(`${key}: expected a number from ${min} to ${max}`);
      return fallback;
    }
    return n;
  };
  const d = DEFAULT_BLOBS_CONFIG;
  return {
    graceMs: Math.round(num('FAC_BLOB_GRACE_HOURS', d.graceMs / 3_600_000, 0.01, 24 * 365) * 3_600_000),
    gcIntervalMs: Math.round(num('FAC_BLOB_GC_INTERVAL_MINUTES', d.gcIntervalMs / 60_000, 0, 7 * 24 * 60) * 60_000),
    maxUploadsPerKiosk: Math.round(num('FAC_BLOB_MAX_UPLOADS_PER_KIOSK', d.maxUploadsPerKiosk, 1, 1000)),
    maxUnreferencedPerKiosk: Math.round(num('FAC_BLOB_MAX_UNREFERENCED_PER_KIOSK', d.maxUnreferencedPerKiosk, 1, 1_000_000)),
    uploadStaleMs: Math.round(num('FAC_BLOB_UPLOAD_STALE_MINUTES', d.uploadStaleMs / 60_000, 0.05, 24 * 60) * 60_000),
  };
}

/** The whole blobs configuration from an environment. */
export function loadBlobsConfig(env: Record<string, string | undefined>, problems: string[]): BlobsConfig {
  const store = parseBlobStore(env.FAC_BLOB_STORE, env);
  if ('problems' in store) problems.push(...store.problems);
  return { store: 'config' in store ? store.config : { kind: 'local' }, ...parseBlobLimits(env, problems) };
}
