/**
 * Page composition: an SVG built from text, boxes and rules, rendered to PNG by sharp (librsvg) in the
 * Debian faces scripts/setup.sh installs. Written for this corpus alone (it shares nothing with the
 * fixtures' drawing code, so the two cannot drift into the same habits).
 */
import sharp from 'sharp';

/** Text faces: sans, serif and humanist, from nine Debian packages. */
export const FONTS = [
  'DejaVu Sans', 'Liberation Serif', 'Noto Sans', 'Noto Serif', 'FreeSans', 'FreeSerif', 'Nimbus Sans', 'Nimbus Roman',
  'Linux Libertine O', 'Linux Biolinum O', 'Carlito', 'Caladea', 'Cantarell', 'Open Sans', 'Roboto', 'URW Bookman', 'Liberation Sans',
] as const;
export type Font = (typeof FONTS)[number];

/** Machine-readable zones: OCR-B is not packaged by Debian, these monospaced faces stand in for it. */
export const MONO_FONTS = ['DejaVu Sans Mono', 'Liberation Mono', 'FreeMono', 'Nimbus Mono PS'] as const;
export type MonoFont = (typeof MONO_FONTS)[number];

const SERIF = /Serif|Roman|Libertine|Caladea|Bookman/;

export function fontStack(f: string): string {
  return `'${f}', ${SERIF.test(f) ? 'serif' : /Mono/.test(f) ? 'monospace' : 'sans-serif'}`;
}

function x(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const n = (v: number) => v.toFixed(1);

export interface TextStyle {
  size: number;
  bold?: boolean;
  italic?: boolean;
  anchor?: 'start' | 'middle' | 'end';
  color?: string;
  font?: string;
  /** letter spacing in px */
  spacing?: number;
}

export class Sheet {
  private readonly parts: string[] = [];
  constructor(
    readonly width: number,
    readonly height: number,
    readonly font: string,
    readonly paper = '#ffffff',
  ) {}

  text(px: number, py: number, s: string, st: TextStyle): this {
    const attrs = [
      `x="${n(px)}"`,
      `y="${n(py)}"`,
      `font-size="${n(st.size)}"`,
      st.bold ? 'font-weight="bold"' : '',
      st.italic ? 'font-style="italic"' : '',
      st.anchor && st.anchor !== 'start' ? `text-anchor="${st.anchor}"` : '',
      `fill="${st.color ?? '#141414'}"`,
      st.font ? `font-family="${x(fontStack(st.font))}"` : '',
      st.spacing ? `letter-spacing="${n(st.spacing)}"` : '',
    ].filter(Boolean);
    this.parts.push(`<text ${attrs.join(' ')} xml:space="preserve">${x(s)}</text>`);
    return this;
  }

  box(px: number, py: number, w: number, h: number, o: { fill?: string; stroke?: string; width?: number; radius?: number } = {}): this {
    this.parts.push(
      `<rect x="${n(px)}" y="${n(py)}" width="${n(w)}" height="${n(h)}" rx="${n(o.radius ?? 0)}" fill="${o.fill ?? 'none'}" stroke="${o.stroke ?? 'none'}" stroke-width="${n(o.width ?? 1)}"/>`,
    );
    return this;
  }

  rule(x1: number, y1: number, x2: number, y2: number, color = '#444', width = 1.5): this {
    this.parts.push(`<line x1="${n(x1)}" y1="${n(y1)}" x2="${n(x2)}" y2="${n(y2)}" stroke="${color}" stroke-width="${n(width)}"/>`);
    return this;
  }

  raw(svg: string): this {
    this.parts.push(svg);
    return this;
  }

  /** Another sheet drawn inside this one (a card on a photocopied page). */
  place(inner: Sheet, px: number, py: number, scale: number): this {
    this.parts.push(`<g transform="translate(${n(px)} ${n(py)}) scale(${scale.toFixed(3)})" font-family="${x(fontStack(inner.font))}">${inner.body()}</g>`);
    return this;
  }

  body(): string {
    return `<rect width="${this.width}" height="${this.height}" fill="${this.paper}"/>\n${this.parts.join('\n')}`;
  }

  svg(): string {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${this.width}" height="${this.height}" viewBox="0 0 ${this.width} ${this.height}"><g font-family="${x(fontStack(this.font))}">${this.body()}</g></svg>`;
  }

  async png(): Promise<Buffer> {
    return sharp(Buffer.from(this.svg())).flatten({ background: '#ffffff' }).png({ compressionLevel: 6 }).toBuffer();
  }
}

/** Rough advance width of a line of text, to keep values inside their boxes (faces differ by ~15 %). */
export function approxWidth(s: string, size: number): number {
  return s.length * size * 0.56;
}

/** Words wrapped to a number of characters per line. */
export function wrap(s: string, chars: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (const w of s.split(' ')) {
    if (cur && cur.length + 1 + w.length > chars) {
      out.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) out.push(cur);
  return out;
}

/** Every page says it is fictitious, in a corner, outside the data. */
export function specimen(s: Sheet, px: number, py: number, size = 22): void {
  s.text(px, py, 'SPÉCIMEN — document fictif', { size, bold: true, color: '#b71c1c', anchor: 'end' });
}
