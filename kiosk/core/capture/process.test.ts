/**
 * Page processing on generated camera stills (a document on a desk): the sheet is found and flattened
 * (tilt, keystone), bad stills are refused with the right reason, and the pixel helpers are exact.
 */
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { degrade, renderRib } from '../../../tests/fixtures/documents.ts';
import { composeFrame } from '../../../tests/fixtures/y4m.ts';
import { homography, otsu, plausibleSheet, quadSize, warpPerspective } from './image-ops.ts';
import type { Quad } from './image-ops.ts';
import { CaptureError, processPage } from './process.ts';

let still: Buffer;
let ribAspect: number;

beforeAll(async () => {
  const rib = await renderRib({ seed: 11 });
  const meta = await sharp(rib.png).metadata();
  ribAspect = meta.width! / meta.height!;
  const frame = await composeFrame(rib.png);
  still = await sharp(frame.rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } }).jpeg({ quality: 92 }).toBuffer();
});

/** Mean grey of a border band of the page: paper is light, the desk is dark. */
async function borderBrightness(jpeg: Buffer): Promise<number> {
  const { data, info } = await sharp(jpeg).greyscale().raw().toBuffer({ resolveWithObject: true });
  let sum = 0;
  let n = 0;
  const band = Math.max(2, Math.round(info.width * 0.01));
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < info.width; x++) {
      if (x < band || y < band || x >= info.width - band || y >= info.height - band) {
        sum += data[y * info.width + x]!;
        n++;
      }
    }
  }
  return sum / n;
}

describe('page processing', () => {
  const cases: [string, () => Promise<Buffer>][] = [
    ['straight', async () => still],
    ['tilted 7°', async () => sharp(still).rotate(7, { background: '#2a2622' }).jpeg().toBuffer()],
    ['keystoned', async () => degrade(still, { perspective: 0.08 })],
  ];
  for (const [name, make] of cases) {
    it(`finds and flattens the sheet: ${name}`, async () => {
      const page = await processPage(await make());
      expect(page.sheet).not.toBeNull();
      // within 6 %: the mean side lengths do not undo foreshortening exactly (no focal length known)
      expect(Math.abs(page.width / page.height / ribAspect - 1)).toBeLessThan(0.06);
      // what is kept is the paper, not the desk
      expect(await borderBrightness(page.archive)).toBeGreaterThan(200);
      expect((await sharp(page.thumbnail).metadata()).width).toBe(320);
      expect(page.archive.length).toBeLessThan(600_000);
    });
  }

  it('turns a page a quarter at a time', async () => {
    const page = await processPage(still, 90);
    expect(page.height / page.width).toBeCloseTo(ribAspect, 1);
  });

  it('refuses blurred, dark and empty stills with the reason', async () => {
    const reason = async (img: Buffer) => processPage(img).then(() => 'accepted', (e: unknown) => (e instanceof CaptureError ? e.problem : 'other'));
    expect(await reason(await sharp(still).blur(6).jpeg().toBuffer())).toBe('blurry');
    expect(await reason(await sharp(still).linear(0.3, 0).jpeg().toBuffer())).toBe('dark');
    expect(await reason(await sharp({ create: { width: 1920, height: 1080, channels: 3, background: '#2a2622' } }).jpeg().toBuffer())).toBe('empty');
    expect(await reason(Buffer.from('not an image'))).toBe('unreadable');
    expect(await reason(still.subarray(0, 2000))).toBe('unreadable');
  });
});

describe('pixel helpers', () => {
  it('maps the rectangle onto the quad exactly', () => {
    const q: Quad = [{ x: 10, y: 20 }, { x: 300, y: 30 }, { x: 280, y: 200 }, { x: 5, y: 190 }];
    const H = homography(q, 100, 50);
    const map = (x: number, y: number) => {
      const d = H[6]! * x + H[7]! * y + 1;
      return [(H[0]! * x + H[1]! * y + H[2]!) / d, (H[3]! * x + H[4]! * y + H[5]!) / d];
    };
    const corners = [map(0, 0), map(100, 0), map(100, 50), map(0, 50)];
    corners.forEach(([x, y], i) => {
      expect(x).toBeCloseTo(q[i]!.x, 6);
      expect(y).toBeCloseTo(q[i]!.y, 6);
    });
    expect(() => homography([{ x: 0, y: 0 }, { x: 0, y: 0 }, { x: 0, y: 0 }, { x: 0, y: 0 }], 10, 10)).toThrow(RangeError);
  });

  it('warps with the identity to the same pixels', () => {
    const src = Uint8Array.from({ length: 20 * 10 }, (_, i) => (i * 37) % 256);
    const H = homography([{ x: 0, y: 0 }, { x: 19, y: 0 }, { x: 19, y: 9 }, { x: 0, y: 9 }], 19, 9);
    const out = warpPerspective(src, 20, 10, 1, H, 19, 9);
    for (let y = 0; y < 9; y++) for (let x = 0; x < 19; x++) expect(out[y * 19 + x]).toBe(src[y * 20 + x]);
  });

  it('splits paper from desk, and knows a sheet from a sliver', () => {
    const data = new Uint8Array(100).map((_, i) => (i % 10 < 5 ? 30 : 220));
    const t = otsu({ data, width: 10, height: 10 });
    expect(t).toBeGreaterThanOrEqual(30);
    expect(t).toBeLessThan(220);
    const sheet: Quad = [{ x: 10, y: 10 }, { x: 90, y: 12 }, { x: 88, y: 70 }, { x: 12, y: 68 }];
    expect(plausibleSheet(sheet, 100, 80)).toBe(true);
    expect(plausibleSheet([{ x: 0, y: 0 }, { x: 99, y: 0 }, { x: 99, y: 5 }, { x: 0, y: 5 }], 100, 80)).toBe(false);
    expect(quadSize(sheet).width).toBeGreaterThan(quadSize(sheet).height);
  });
});
