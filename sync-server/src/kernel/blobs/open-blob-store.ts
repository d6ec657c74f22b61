/** Opens the blob store the configuration names (kept apart from the config parser so that neither store imports the other). */
import { join } from 'node:path';
import type { BlobStoreConfig } from './blob-config.ts';
import type { BlobStore } from './blob-store.ts';
import { LocalBlobStore } from './blob-store.ts';
import { S3BlobStore } from './s3-blob-store.ts';

/** Opens the configured store (`<dataDir>/blobs` for the local one). */
export function openBlobStore(config: BlobStoreConfig, dataDir: string): BlobStore {
  return config.kind === 'local' ? new LocalBlobStore(join(dataDir, 'blobs')) : new S3BlobStore(config);
}
