/**
 * A small base map made at test time, written from the formats' specifications and nothing of the reader's:
 * a few streets, a river, a park and buildings around the demo institutions (Exempleville), encoded as
 * Mapbox Vector Tiles (protobuf, spec 2.1) in the OpenMapTiles layer names the kiosk's style draws
 * (`transportation`, `water`, `park`, `building`), then laid in a PMTiles v3 archive (header, Hilbert tile
 * ids, one root directory, gzip). The kiosk reads it with the `pmtiles` library and draws it with MapLibre:
 * nothing binary is committed, and the writer shares no code with either.
 */
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

type LonLat = [number, number];
type Geometry = { type: 'line'; coords: LonLat[] } | { type: 'polygon'; ring: LonLat[] };
interface Feature {
  layer: 'transportation' | 'water' | 'park' | 'building';
  props: Record<string, string>;
  geometry: Geometry;
}

/** Exempleville, around the demo seed's institutions (assets/seed/demo.json). */
export const FIXTURE_FEATURES: Feature[] = [
  // the river along the quai des Finances, west of the centre
  { layer: 'water', props: { class: 'river' }, geometry: { type: 'polygon', ring: [[4.8225, 45.752], [4.8262, 45.752], [4.8262, 45.776], [4.8225, 45.776]] } },
  // the park by the Hôtel de Ville
  { layer: 'park', props: { class: 'park' }, geometry: { type: 'polygon', ring: [[4.8360, 45.7650], [4.8395, 45.7650], [4.8395, 45.7672], [4.8360, 45.7672]] } },
  { layer: 'transportation', props: { class: 'primary', name: 'Rue de la République' }, geometry: { type: 'line', coords: [[4.8270, 45.7640], [4.8357, 45.7640], [4.8450, 45.7640]] } },
  { layer: 'transportation', props: { class: 'primary', name: 'Avenue des Allocations' }, geometry: { type: 'line', coords: [[4.8357, 45.7540], [4.8420, 45.7600], [4.8460, 45.7700]] } },
  { layer: 'transportation', props: { class: 'secondary', name: 'Quai des Finances' }, geometry: { type: 'line', coords: [[4.8272, 45.7520], [4.8272, 45.7760]] } },
  { layer: 'transportation', props: { class: 'secondary', name: 'Boulevard de l’Autonomie' }, geometry: { type: 'line', coords: [[4.8272, 45.7580], [4.8420, 45.7580]] } },
  { layer: 'transportation', props: { class: 'minor', name: 'Rue de la Santé' }, geometry: { type: 'line', coords: [[4.8345, 45.7676], [4.8400, 45.7700], [4.8450, 45.7720]] } },
  { layer: 'transportation', props: { class: 'minor', name: 'Rue de l’Hôtel de Ville' }, geometry: { type: 'line', coords: [[4.8345, 45.7600], [4.8345, 45.7740]] } },
  ...[
    [4.8357, 45.7643],
    [4.8423, 45.7603],
    [4.8341, 45.7679],
    [4.8303, 45.7583],
    [4.8283, 45.7623],
    [4.8403, 45.7703],
  ].map(([lon, lat]): Feature => ({
    layer: 'building',
    props: {},
    geometry: { type: 'polygon', ring: [[lon! - 0.0004, lat! - 0.0002], [lon! + 0.0004, lat! - 0.0002], [lon! + 0.0004, lat! + 0.0002], [lon! - 0.0004, lat! + 0.0002]] },
  })),
];

export const FIXTURE_BOUNDS: [number, number, number, number] = [4.82, 45.75, 4.85, 45.78];
export const FIXTURE_ZOOMS = { min: 10, max: 16 };

// ---------------------------------------------------------------------------------------------------
// Protobuf, as much as a vector tile needs

class Proto {
  private readonly bytes: number[] = [];
  varint(v: number): this {
    let n = v;
    while (n >= 0x80) {
      this.bytes.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.bytes.push(n);
    return this;
  }
  key(field: number, wire: 0 | 2): this {
    return this.varint((field << 3) | wire);
  }
  uint(field: number, v: number): this {
    return this.key(field, 0).varint(v);
  }
  raw(field: number, data: Uint8Array): this {
    this.key(field, 2).varint(data.length);
    for (const b of data) this.bytes.push(b);
    return this;
  }
  string(field: number, s: string): this {
    return this.raw(field, new TextEncoder().encode(s));
  }
  packed(field: number, values: number[]): this {
    const inner = new Proto();
    for (const v of values) inner.varint(v);
    return this.raw(field, inner.done());
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

const zigzag = (n: number) => (n << 1) ^ (n >> 31);
const EXTENT = 4096;

/** Where a longitude and latitude fall in tile (z, x, y), in the tile's 0…4096 units (Web Mercator). */
function toTile(z: number, x: number, y: number, [lon, lat]: LonLat): [number, number] {
  const n = 2 ** z;
  const wx = ((lon + 180) / 360) * n;
  const s = Math.sin((lat * Math.PI) / 180);
  const wy = (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * n;
  return [Math.round((wx - x) * EXTENT), Math.round((wy - y) * EXTENT)];
}

function lonLatToTileXY(z: number, [lon, lat]: LonLat): [number, number] {
  const n = 2 ** z;
  const s = Math.sin((lat * Math.PI) / 180);
  return [Math.floor(((lon + 180) / 360) * n), Math.floor((0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * n)];
}

function command(id: 1 | 2 | 7, count: number): number {
  return (id & 0x7) | (count << 3);
}

function encodeGeometry(points: [number, number][], close: boolean): number[] {
  const out: number[] = [];
  let [cx, cy] = [0, 0];
  points.forEach(([px, py], i) => {
    if (i === 0) out.push(command(1, 1));
    if (i === 1) out.push(command(2, points.length - 1));
    out.push(zigzag(px - cx), zigzag(py - cy));
    [cx, cy] = [px, py];
  });
  if (close) out.push(command(7, 1));
  return out;
}

/** One vector tile: the features whose box meets the tile's, in the tile's units (MapLibre clips at the tile's edge). */
export function encodeTile(z: number, x: number, y: number, features: Feature[] = FIXTURE_FEATURES): Uint8Array | null {
  const layers = new Map<string, { keys: string[]; values: string[]; features: Uint8Array[] }>();
  for (const f of features) {
    const coords = f.geometry.type === 'line' ? f.geometry.coords : f.geometry.ring;
    const pts = coords.map((c) => toTile(z, x, y, c));
    const xs = pts.map((p) => p[0]);
    const ys = pts.map((p) => p[1]);
    const buffer = 256;
    if (Math.max(...xs) < -buffer || Math.min(...xs) > EXTENT + buffer || Math.max(...ys) < -buffer || Math.min(...ys) > EXTENT + buffer) continue;
    const layer = layers.get(f.layer) ?? { keys: [], values: [], features: [] };
    layers.set(f.layer, layer);
    const tags: number[] = [];
    for (const [k, v] of Object.entries(f.props)) {
      if (!layer.keys.includes(k)) layer.keys.push(k);
      if (!layer.values.includes(v)) layer.values.push(v);
      tags.push(layer.keys.indexOf(k), layer.values.indexOf(v));
    }
    let geometry: number[];
    if (f.geometry.type === 'polygon') {
      // the exterior ring turns clockwise on screen (y down): positive area by the surveyor's formula
      let area = 0;
      for (let i = 0; i < pts.length; i++) {
        const [ax, ay] = pts[i]!;
        const [bx, by] = pts[(i + 1) % pts.length]!;
        area += ax * by - bx * ay;
      }
      geometry = encodeGeometry(area > 0 ? pts : [...pts].reverse(), true);
    } else {
      geometry = encodeGeometry(pts, false);
    }
    const feature = new Proto()
      .packed(2, tags)
      .uint(3, f.geometry.type === 'line' ? 2 : 3)
      .packed(4, geometry);
    layer.features.push(feature.done());
  }
  if (layers.size === 0) return null;
  const tile = new Proto();
  for (const [name, layer] of layers) {
    const l = new Proto().uint(15, 2).string(1, name);
    for (const f of layer.features) l.raw(2, f);
    for (const k of layer.keys) l.string(3, k);
    for (const v of layer.values) l.raw(4, new Proto().string(1, v).done());
    l.uint(5, EXTENT);
    tile.raw(3, l.done());
  }
  return tile.done();
}

// ---------------------------------------------------------------------------------------------------
// PMTiles v3

/** The tile's id on the archive's Hilbert curve: the tiles of the zooms before, then its place on this zoom's curve. */
export function hilbertTileId(z: number, x: number, y: number): number {
  let base = 0;
  for (let i = 0; i < z; i++) base += 4 ** i;
  const n = 2 ** z;
  let [tx, ty] = [x, y];
  let d = 0;
  for (let s = n / 2; s >= 1; s /= 2) {
    const rx = (tx & s) > 0 ? 1 : 0;
    const ry = (ty & s) > 0 ? 1 : 0;
    d += s * s * ((3 * rx) ^ ry);
    if (ry === 0) {
      if (rx === 1) {
        tx = n - 1 - tx;
        ty = n - 1 - ty;
      }
      [tx, ty] = [ty, tx];
    }
  }
  return base + d;
}

function varints(values: number[]): number[] {
  const p = new Proto();
  for (const v of values) p.varint(v);
  return [...p.done()];
}

function u64(view: DataView, at: number, v: number): void {
  view.setBigUint64(at, BigInt(v), true);
}

export interface FixtureArchive {
  bytes: Uint8Array;
  /** each tile written, by « z/x/y », as it was before compression */
  tiles: Map<string, Uint8Array>;
}

/** The archive's bytes: header, root directory, metadata, tile data (each tile gzipped). */
export function buildArchive(opts: { bounds?: [number, number, number, number]; zooms?: { min: number; max: number }; attribution?: string } = {}): FixtureArchive {
  const bounds = opts.bounds ?? FIXTURE_BOUNDS;
  const zooms = opts.zooms ?? FIXTURE_ZOOMS;
  const tiles = new Map<string, Uint8Array>();
  const entries: { id: number; data: Uint8Array }[] = [];
  for (let z = zooms.min; z <= zooms.max; z++) {
    const [x0, y0] = lonLatToTileXY(z, [bounds[0], bounds[3]]);
    const [x1, y1] = lonLatToTileXY(z, [bounds[2], bounds[1]]);
    for (let x = x0; x <= x1; x++) {
      for (let y = y0; y <= y1; y++) {
        const tile = encodeTile(z, x, y);
        if (!tile) continue;
        tiles.set(`${z}/${x}/${y}`, tile);
        entries.push({ id: hilbertTileId(z, x, y), data: gzipSync(tile) });
      }
    }
  }
  entries.sort((a, b) => a.id - b.id);
  let offset = 0;
  const placed = entries.map((e) => {
    const at = offset;
    offset += e.data.length;
    return { ...e, offset: at };
  });
  // the directory: count, id deltas, run lengths, lengths, offsets (0 = right after the one before, else offset + 1)
  const dir = [
    ...varints([placed.length]),
    ...varints(placed.map((e, i) => e.id - (i === 0 ? 0 : placed[i - 1]!.id))),
    ...varints(placed.map(() => 1)),
    ...varints(placed.map((e) => e.data.length)),
    ...varints(placed.map((e, i) => (i > 0 && e.offset === placed[i - 1]!.offset + placed[i - 1]!.data.length ? 0 : e.offset + 1))),
  ];
  const root = gzipSync(Uint8Array.from(dir));
  const metadata = gzipSync(
    new TextEncoder().encode(
      JSON.stringify({
        name: 'Exempleville (test)',
        attribution: opts.attribution ?? '<a href="https://www.openstreetmap.org/copyright">&copy; contributeurs OpenStreetMap</a>',
        vector_layers: ['transportation', 'water', 'park', 'building'].map((id) => ({ id, fields: {} })),
      }),
    ),
  );
  const data = Buffer.concat(placed.map((e) => e.data));
  const HEADER = 127;
  const header = new Uint8Array(HEADER);
  const view = new DataView(header.buffer);
  header.set(new TextEncoder().encode('PMTiles'), 0);
  header[7] = 3;
  u64(view, 8, HEADER);
  u64(view, 16, root.length);
  u64(view, 24, HEADER + root.length);
  u64(view, 32, metadata.length);
  u64(view, 40, HEADER + root.length + metadata.length); // no leaf directories
  u64(view, 48, 0);
  u64(view, 56, HEADER + root.length + metadata.length);
  u64(view, 64, data.length);
  u64(view, 72, placed.length);
  u64(view, 80, placed.length);
  u64(view, 88, placed.length);
  header[96] = 1; // clustered: tiles in id order
  header[97] = 2; // internal compression: gzip
  header[98] = 2; // tile compression: gzip
  header[99] = 1; // tile type: Mapbox Vector Tile
  header[100] = zooms.min;
  header[101] = zooms.max;
  const e7 = (v: number) => Math.round(v * 1e7);
  view.setInt32(102, e7(bounds[0]), true);
  view.setInt32(106, e7(bounds[1]), true);
  view.setInt32(110, e7(bounds[2]), true);
  view.setInt32(114, e7(bounds[3]), true);
  header[118] = Math.min(zooms.max, 14);
  view.setInt32(119, e7((bounds[0] + bounds[2]) / 2), true);
  view.setInt32(123, e7((bounds[1] + bounds[3]) / 2), true);
  return { bytes: Buffer.concat([header, root, metadata, data]), tiles };
}

/** Writes the archive to `path`; gives what was written. */
export function writeFixtureArchive(path: string, opts: Parameters<typeof buildArchive>[0] = {}): FixtureArchive {
  const archive = buildArchive(opts);
  writeFileSync(path, archive.bytes);
  return archive;
}
