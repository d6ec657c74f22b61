/**
 * The base map installed on the tablet: a PMTiles archive (vector tiles, Mapbox Vector Tile format) read
 * here with the `pmtiles` library over the file, so the map works with no network (the renderer has no file
 * system: it asks `map.tile`). The archive is hostile until read: every range it asks for is bounded, a
 * compressed directory or tile is inflated under a ceiling, and a file that is missing, cut or not a vector
 * map makes the base map `broken` with why in plain words — the screen then draws the plain plan.
 */
import { open, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { Compression, PMTiles, TileType } from 'pmtiles';
import type { RangeResponse, Source } from 'pmtiles';
import type { MapInfo } from '../../contract/schema.ts';
import { KioskError } from '../../contract/schema.ts';
import type { Logger } from '../log.ts';
import { MAP_WORDS } from '../words.ts';

const inflate = promisify(gunzip);

/** No single read of the archive is bigger (a directory, or a tile): a corrupt header cannot make us read gigabytes. */
const MAX_READ_BYTES = 32 * 1024 * 1024;
/** A tile or a directory inflated past this is refused (a compression bomb). */
const MAX_INFLATED_BYTES = 16 * 1024 * 1024;
/** A base map that could not be read is tried again after this long (an archive being installed). */
const RETRY_MS = 15_000;

/** A file of the tablet as a PMTiles source: positioned reads through one handle. */
class FileRangeSource implements Source {
  private handle: Promise<FileHandle> | null = null;
  constructor(private readonly path: string) {}
  getKey(): string {
    return this.path;
  }
  async getBytes(offset: number, length: number): Promise<RangeResponse> {
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0 || length > MAX_READ_BYTES) {
      throw new ArchiveError(`read of ${length} bytes at ${offset} refused`);
    }
    this.handle ??= open(this.path, 'r');
    const fh = await this.handle;
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, offset);
    // a read cut short is fine past the end of the file (pmtiles asks for the first 16 KiB at once)
    const data = new ArrayBuffer(bytesRead);
    new Uint8Array(data).set(buf.subarray(0, bytesRead));
    return { data };
  }
  async close(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    if (h) await (await h).close().catch(() => undefined);
  }
}

class ArchiveError extends Error {}

async function decompress(buf: ArrayBuffer, compression: Compression): Promise<ArrayBuffer> {
  if (compression === Compression.None || compression === Compression.Unknown) return buf;
  if (compression !== Compression.Gzip) throw new ArchiveError(`compression ${compression} not supported`);
  const out = await inflate(new Uint8Array(buf), { maxOutputLength: MAX_INFLATED_BYTES });
  return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer;
}

type Base = MapInfo['base'];

export class MapTiles {
  private archive: PMTiles | null = null;
  private source: FileRangeSource | null = null;
  private base: Base | null = null;
  private checkedAt = 0;

  constructor(
    /** the archive's path (FAC_MAP_TILES); null: none installed */
    private readonly path: string | null,
    private readonly logger: Logger,
  ) {}

  /** What the base map is: none installed, ready (its zooms, bounds and attribution), or broken and why. */
  async info(): Promise<Base> {
    if (this.path === null) return { state: 'none' };
    if (this.base && (this.base.state === 'ready' || Date.now() - this.checkedAt < RETRY_MS)) return this.base;
    this.checkedAt = Date.now();
    this.base = await this.load(this.path);
    return this.base;
  }

  /** A tile's bytes (a Mapbox Vector Tile, inflated), or null when the archive has none there. */
  async tile(z: number, x: number, y: number): Promise<Uint8Array<ArrayBuffer> | null> {
    const base = await this.info();
    if (base.state === 'none') throw new KioskError('not-found', MAP_WORDS.tilesMissing);
    if (base.state === 'broken') throw new KioskError('storage', base.message);
    if (z < base.minZoom || z > base.maxZoom) return null;
    try {
      const r = await this.archive!.getZxy(z, x, y);
      return r ? new Uint8Array(r.data) : null;
    } catch (err) {
      this.logger.warn({ err: errText(err), z, x, y }, 'map tile unreadable');
      throw new KioskError('storage', MAP_WORDS.tileUnreadable);
    }
  }

  async close(): Promise<void> {
    await this.source?.close();
    this.source = null;
    this.archive = null;
  }

  private async load(path: string): Promise<Base> {
    await this.close();
    const st = await stat(path).catch(() => null);
    if (!st?.isFile()) {
      this.logger.warn({ path }, 'map tiles: no archive at the configured path');
      return { state: 'broken', message: MAP_WORDS.tilesMissing };
    }
    const source = new FileRangeSource(path);
    const archive = new PMTiles(source, undefined, decompress);
    try {
      const h = await archive.getHeader();
      if (h.tileType !== TileType.Mvt) {
        await source.close();
        this.logger.warn({ path, tileType: h.tileType }, 'map tiles: the archive does not hold vector tiles');
        return { state: 'broken', message: MAP_WORDS.tilesNotVector };
      }
      const bounds: [number, number, number, number] = [h.minLon, h.minLat, h.maxLon, h.maxLat];
      const zooms = [h.minZoom, h.maxZoom];
      if (!bounds.every(Number.isFinite) || h.minLon >= h.maxLon || h.minLat >= h.maxLat || !zooms.every((z) => Number.isInteger(z) && z >= 0 && z <= 22) || h.minZoom > h.maxZoom) {
        throw new ArchiveError('header out of range');
      }
      // the root directory is read now, so an archive cut short is known before the screen asks for tiles
      await archive.getZxy(h.minZoom, 0, 0);
      const attribution = attributionOf(await archive.getMetadata().catch(() => null));
      this.archive = archive;
      this.source = source;
      this.logger.info({ path, minZoom: h.minZoom, maxZoom: h.maxZoom, bounds }, 'map tiles: archive opened');
      return { state: 'ready', minZoom: h.minZoom, maxZoom: h.maxZoom, bounds, attribution };
    } catch (err) {
      await source.close();
      this.logger.warn({ path, err: errText(err) }, 'map tiles: the archive cannot be read');
      return { state: 'broken', message: MAP_WORDS.tilesUnreadable };
    }
  }
}

/** The archive's own credit line (« © OpenStreetMap »), as plain text: tags taken out, spaces folded. */
function attributionOf(metadata: unknown): string | null {
  if (typeof metadata !== 'object' || metadata === null) return null;
  const a = (metadata as Record<string, unknown>).attribution;
  if (typeof a !== 'string') return null;
  const text = a
    .replace(/<[^>]*>/g, ' ')
    .replace(/&copy;/g, '©')
    .replace(/&[a-z#0-9]+;/gi, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text === '' ? null : text.slice(0, 300);
}

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err));
