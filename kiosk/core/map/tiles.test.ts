import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildArchive, writeFixtureArchive } from '../../../tests/support/pmtiles-fixture.ts';
import { KioskError, MapTileRequest } from '../../contract/schema.ts';
import { silentLogger } from '../log.ts';
import { MAP_WORDS } from '../words.ts';
import { MapTiles } from './tiles.ts';

const dir = mkdtempSync(join(tmpdir(), 'fac-map-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function refusal(p: Promise<unknown>): Promise<KioskError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(KioskError);
  return err as KioskError;
}

describe('the base map read from the archive installed on the tablet', () => {
  it('gives each tile as it was written, and null where the archive has none', async () => {
    const path = join(dir, 'ville.pmtiles');
    const written = writeFixtureArchive(path);
    const tiles = new MapTiles(path, silentLogger);
    const info = await tiles.info();
    expect(info).toMatchObject({ state: 'ready', minZoom: 10, maxZoom: 16, attribution: '© contributeurs OpenStreetMap' });
    if (info.state !== 'ready') throw new Error('not ready');
    expect(info.bounds[0]).toBeCloseTo(4.82, 5);
    expect(info.bounds[3]).toBeCloseTo(45.78, 5);
    expect(written.tiles.size).toBeGreaterThan(20);
    for (const [key, bytes] of written.tiles) {
      const [z, x, y] = key.split('/').map(Number) as [number, number, number];
      expect(Buffer.from((await tiles.tile(z, x, y))!), key).toEqual(Buffer.from(bytes));
    }
    // a tile of the same zoom far away, and zooms the archive does not hold
    expect(await tiles.tile(14, 0, 0)).toBeNull();
    expect(await tiles.tile(3, 4, 2)).toBeNull();
    expect(await tiles.tile(18, 134_000, 93_000)).toBeNull();
    await tiles.close();
  });

  it('says plainly when no archive is installed, or the one configured is missing', async () => {
    const none = new MapTiles(null, silentLogger);
    expect(await none.info()).toEqual({ state: 'none' });
    expect((await refusal(none.tile(14, 1, 1))).code).toBe('not-found');

    const missing = new MapTiles(join(dir, 'absente.pmtiles'), silentLogger);
    expect(await missing.info()).toEqual({ state: 'broken', message: MAP_WORDS.tilesMissing });
    const e = await refusal(missing.tile(14, 1, 1));
    expect(e).toMatchObject({ code: 'storage', message: MAP_WORDS.tilesMissing });
  });

  it('refuses a corrupt archive without crashing: not PMTiles, cut short, raster tiles', async () => {
    const garbage = join(dir, 'garbage.pmtiles');
    writeFileSync(garbage, Buffer.from('ceci n’est pas une carte'.repeat(20)));
    const cut = join(dir, 'cut.pmtiles');
    writeFileSync(cut, buildArchive().bytes.subarray(0, 140));
    for (const path of [garbage, cut]) {
      const tiles = new MapTiles(path, silentLogger);
      expect(await tiles.info(), path).toEqual({ state: 'broken', message: MAP_WORDS.tilesUnreadable });
      expect(await refusal(tiles.tile(14, 8405, 5844))).toMatchObject({ code: 'storage', message: MAP_WORDS.tilesUnreadable });
    }
    const raster = join(dir, 'raster.pmtiles');
    const bytes = Buffer.from(buildArchive().bytes);
    bytes[99] = 2; // PNG tiles: not a map this style can draw
    writeFileSync(raster, bytes);
    expect(await new MapTiles(raster, silentLogger).info()).toEqual({ state: 'broken', message: MAP_WORDS.tilesNotVector });
  });

  it('a tile whose bytes were damaged is a typed error, the archive stays usable', async () => {
    const path = join(dir, 'damaged.pmtiles');
    const archive = buildArchive();
    const bytes = Buffer.from(archive.bytes);
    // the last tile's gzip body is overwritten: its inflate fails
    bytes.fill(0x55, bytes.length - 40, bytes.length - 8);
    writeFileSync(path, bytes);
    const tiles = new MapTiles(path, silentLogger);
    expect((await tiles.info()).state).toBe('ready');
    let damaged = 0;
    for (const key of archive.tiles.keys()) {
      const [z, x, y] = key.split('/').map(Number) as [number, number, number];
      const r = await tiles.tile(z, x, y).then(
        () => 'ok',
        (e: unknown) => (e instanceof KioskError ? e.message : 'other'),
      );
      if (r !== 'ok') {
        expect(r).toBe(MAP_WORDS.tileUnreadable);
        damaged++;
      }
    }
    expect(damaged).toBeGreaterThanOrEqual(1);
    await tiles.close();
  });

  it('the contract refuses a tile that cannot exist', () => {
    expect(MapTileRequest.safeParse({ z: 2, x: 4, y: 0 }).success).toBe(false);
    expect(MapTileRequest.safeParse({ z: 23, x: 0, y: 0 }).success).toBe(false);
    expect(MapTileRequest.safeParse({ z: 2, x: 3, y: 3 }).success).toBe(true);
  });
});
