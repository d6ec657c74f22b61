/**
 * The one PDF kit of the server and the kiosk: every letter and printout (the welcome letter, a vault
 * paper, the aid request's dossier and receipt, the kiosk's letter asking for a missing paper) is laid out
 * with it, so they share their page, their margins, their type and their colours.
 *
 * - A4 pages, 56 pt margins, text written down the page and onto a new one when it is full.
 * - The PDF standard fonts (Helvetica, Courier: nothing embedded), whose WinAnsi encoding covers French
 *   (é è à ç œ ’ « » €). What they cannot draw loses its accent, becomes a look-alike, or '?': a name in
 *   another script never makes a printout fail.
 * - Our own calm, high-contrast theme (the kiosk's colours; no State brand, no Marianne): dark ink on white,
 *   one deep teal for titles and marks, tinted panels for what must not be missed.
 *
 * pdf-lib only, no Node: the kiosk's core imports it; the kiosk's contract and renderer must not (they are
 * bundled for the screen, which never makes PDFs).
 */
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import type { Color, PDFFont, PDFPage } from 'pdf-lib';

export const A4: [number, number] = [595.28, 841.89];
export const MARGIN = 56;
/** The width of the text column on an A4 page. */
export const COLUMN = A4[0] - 2 * MARGIN;

/** The colours of every printout (contrast on white: ink 17:1, accent 7.6:1, muted 7.5:1). */
export const THEME = {
  ink: rgb(0.106, 0.106, 0.106), // #1b1b1b
  accent: rgb(0.043, 0.365, 0.38), // #0b5d61, the kiosk's primary colour
  muted: rgb(0.333, 0.333, 0.333), // #555555: labels, notes, footers
  panel: rgb(0.925, 0.957, 0.957), // a light tint of the accent
  warning: rgb(0.992, 0.925, 0.875), // #fdecdf, the kiosk's warning background
  warningInk: rgb(0.541, 0.173, 0.051), // #8a2c0d
  paper: rgb(1, 1, 1),
} as const;

export interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
  /** fixed width: hashes, signatures, identifiers */
  mono: PDFFont;
  monoBold: PDFFont;
}

export interface PdfMeta {
  title: string;
  subject?: string;
  /** the printed date and the file's dates (the same input gives the same file); now by default */
  date?: Date | null;
}

/** A new PDF with our metadata (French, by Facilitateur) and the standard fonts. */
export async function startPdf(meta: PdfMeta): Promise<{ pdf: PDFDocument; fonts: Fonts }> {
  const pdf = await PDFDocument.create({ updateMetadata: false });
  pdf.setTitle(meta.title, { showInWindowTitleBar: true });
  if (meta.subject) pdf.setSubject(meta.subject);
  pdf.setAuthor('Facilitateur');
  pdf.setCreator('Facilitateur');
  pdf.setProducer('Facilitateur');
  pdf.setLanguage('fr-FR');
  const date = meta.date ?? new Date();
  pdf.setCreationDate(date);
  pdf.setModificationDate(date);
  const [regular, bold, mono, monoBold] = await Promise.all(
    [StandardFonts.Helvetica, StandardFonts.HelveticaBold, StandardFonts.Courier, StandardFonts.CourierBold].map((f) => pdf.embedFont(f)),
  );
  return { pdf, fonts: { regular: regular!, bold: bold!, mono: mono!, monoBold: monoBold! } };
}

// ---------------------------------------------------------------------------------------------------
// Text the standard fonts can draw

/** Letters with no decomposition that still have a close WinAnsi look-alike. */
const FOLD: Record<string, string> = {
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  ı: 'i',
  Ħ: 'H',
  ħ: 'h',
  '‐': '-',
  '‑': '-',
  '−': '-',
  '′': '’',
  '″': '"',
  ʼ: '’',
};

const charsets = new WeakMap<PDFFont, Set<number>>();
function canDraw(font: PDFFont, text: string): boolean {
  let set = charsets.get(font);
  if (!set) {
    set = new Set(font.getCharacterSet());
    charsets.set(font, set);
  }
  for (const c of text) if (!set.has(c.codePointAt(0)!)) return false;
  return true;
}

const isSpace = (cp: number) => cp === 0x09 || (cp >= 0x2000 && cp <= 0x200a) || cp === 0x202f || cp === 0x205f || cp === 0x3000;
/** Control characters, zero-width ones, variation selectors, soft hyphens: nothing to draw. */
const isInvisible = (cp: number) =>
  cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0) || (cp >= 0x200b && cp <= 0x200f) || cp === 0x2060 || cp === 0xfeff || cp === 0xad || (cp >= 0xfe00 && cp <= 0xfe0f);

/**
 * What `font` can draw of `text`: one kind of line break ('\n', kept), exotic spaces as spaces, invisible
 * characters dropped, accents the font lacks taken off their letter, look-alikes, and '?' for the rest.
 */
export function drawableText(font: PDFFont, text: string): string {
  let out = '';
  for (const ch of text.normalize('NFC').replace(/\r\n?/g, '\n')) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\n') out += ch;
    else if (isSpace(cp)) out += ' ';
    else if (isInvisible(cp)) continue;
    else if (canDraw(font, ch)) out += ch;
    else {
      const folded = FOLD[ch] ?? ch.normalize('NFD').replace(/\p{M}+/gu, '');
      out += folded !== '' && canDraw(font, folded) ? folded : '?';
    }
  }
  return out;
}

/** Cuts a word wider than `width` into pieces that fit. */
function breakWord(font: PDFFont, word: string, size: number, width: number): string[] {
  if (font.widthOfTextAtSize(word, size) <= width) return [word];
  const parts: string[] = [];
  let part = '';
  for (const ch of word) {
    if (part && font.widthOfTextAtSize(part + ch, size) > width) {
      parts.push(part);
      part = '';
    }
    part += ch;
  }
  parts.push(part);
  return parts;
}

/**
 * Lines of at most `width` points: a paragraph per '\n' (an empty one is an empty line), words kept whole
 * unless one alone is wider than a line (a hash, a reference: cut, so nothing runs off the page).
 * Only ordinary spaces break a line: « 2 055,68 € » written with no-break spaces stays whole. Spaces
 * within a line are kept as written (« FAC  K7QM »); a line never starts with one.
 * `text` must be drawable already (`drawableText`).
 */
export function wrap(font: PDFFont, text: string, size: number, width: number): string[] {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(' ').flatMap((w) => breakWord(font, w, size, width))) {
      const next = line ? `${line} ${word}` : word;
      if (line && font.widthOfTextAtSize(next, size) > width) {
        lines.push(line);
        line = word;
      } else {
        line = next;
      }
    }
    lines.push(line);
  }
  return lines;
}

/** One line, shortened with '…' when too wide (a header; the full text is elsewhere). */
export function oneLine(font: PDFFont, text: string, size: number, width: number): string {
  const t = drawableText(font, text.replace(/\s+/g, ' ').trim());
  if (font.widthOfTextAtSize(t, size) <= width) return t;
  let lo = 0;
  let hi = t.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (font.widthOfTextAtSize(`${t.slice(0, mid).trimEnd()}…`, size) <= width) lo = mid;
    else hi = mid - 1;
  }
  return `${t.slice(0, lo).trimEnd()}…`;
}

// ---------------------------------------------------------------------------------------------------
// The page writer

export interface TextStyle {
  /** points; 12 by default */
  size?: number;
  bold?: boolean;
  /** another of the kit's fonts (mono for an identifier) */
  font?: PDFFont;
  color?: Color;
  /** space after the text, in points (the writer's `gap` by default) */
  gap?: number;
  /** from the left of the column, in points */
  indent?: number;
}

export interface WriterOptions {
  /** line height for a size; 1.4 × size by default */
  leading?: (size: number) => number;
  /** space after each text unless it says otherwise; 4 by default */
  gap?: number;
  /** draws what every new page carries (a wordmark), and may move `y` down under it */
  onNewPage?: (w: PageWriter) => void;
}

/**
 * Writes down an A4 page from its top margin, onto a new page when the next line would cross the bottom
 * one, and remembers every line it drew (page by page) so tests and previews read the text without a PDF
 * parser. A writer without a document only measures (`panel` uses one to size its box).
 */
export class PageWriter {
  /** the current page (null while measuring) */
  page: PDFPage | null = null;
  /** where the next line starts: its top, in points from the bottom of the page */
  y = 0;
  /** left edge and width of the column (a panel narrows them while it writes inside itself) */
  x = MARGIN;
  width = COLUMN;
  /** every line drawn, page by page, as drawn (after font substitution) */
  readonly pages: string[][] = [];
  private readonly leading: (size: number) => number;
  private readonly defaultGap: number;
  /** inside a panel, sized for all it holds: no page break */
  private together = false;

  constructor(
    readonly pdf: PDFDocument | null,
    readonly fonts: Fonts,
    private readonly options: WriterOptions = {},
  ) {
    this.leading = options.leading ?? ((size) => size * 1.4);
    this.defaultGap = options.gap ?? 4;
  }

  /** A writer on a new page of `pdf`. */
  static on(pdf: PDFDocument, fonts: Fonts, options: WriterOptions = {}): PageWriter {
    const w = new PageWriter(pdf, fonts, options);
    w.newPage();
    return w;
  }

  get measuring(): boolean {
    return this.pdf === null;
  }

  newPage(): void {
    if (!this.pdf) return;
    this.page = this.pdf.addPage(A4);
    this.pages.push([]);
    this.y = A4[1] - MARGIN;
    this.options.onNewPage?.(this);
  }

  /** Starts a new page unless `height` points are left above the bottom margin. */
  room(height: number): void {
    if (!this.measuring && !this.together && this.y - height < MARGIN) this.newPage();
  }

  space(height: number): void {
    this.y -= height;
  }

  /** Remembers a line drawn outside `text` (a wordmark, a header), so `pages` says all a page shows. */
  record(line: string): void {
    this.pages.at(-1)?.push(line);
  }

  text(t: string, style: TextStyle = {}): void {
    const size = style.size ?? 12;
    const font = style.font ?? (style.bold ? this.fonts.bold : this.fonts.regular);
    const indent = style.indent ?? 0;
    const leading = this.leading(size);
    for (const line of wrap(font, drawableText(font, t), size, this.width - indent)) {
      this.room(size);
      this.page?.drawText(line, { x: this.x + indent, y: this.y - size, size, font, color: style.color ?? THEME.ink });
      if (this.page && line !== '') this.record(line);
      this.y -= leading;
    }
    this.y -= style.gap ?? this.defaultGap;
  }

  /** Hashes and signatures: small fixed-width type, cut anywhere. */
  mono(t: string, size = 9): void {
    this.text(t, { size, font: this.fonts.mono, gap: 6 });
  }

  /** A title in the accent colour, never alone at the bottom of a page (three lines of text come with it). */
  heading(t: string, o: { size?: number; before?: number; after?: number } = {}): void {
    const size = o.size ?? 14;
    this.y -= o.before ?? 0;
    this.room(this.leading(size) + 3 * this.leading(12));
    this.text(t, { size, bold: true, color: THEME.accent, gap: o.after ?? 8 });
  }

  /** A small grey label above its value, kept together. */
  field(label: string, value: string, o: { mono?: boolean } = {}): void {
    this.room(this.leading(10) + this.leading(12));
    this.text(label, { size: 10, color: THEME.muted, gap: 0 });
    if (o.mono) this.mono(value);
    else this.text(value, { size: 12, bold: true, gap: 8 });
  }

  /**
   * A tinted box around what `draw` writes (measured first, so the box is drawn under the text and kept
   * on one page), the text inset by `pad`.
   */
  panel(draw: (w: PageWriter) => void, o: { fill?: Color; border?: Color; pad?: number } = {}): void {
    const pad = o.pad ?? 12;
    const measure = new PageWriter(null, this.fonts, this.options);
    measure.width = this.width - 2 * pad;
    draw(measure);
    const height = -measure.y + 2 * pad;
    this.room(height);
    this.page?.drawRectangle({
      x: this.x,
      y: this.y - height,
      width: this.width,
      height,
      color: o.fill ?? THEME.panel,
      ...(o.border ? { borderColor: o.border, borderWidth: 1.5 } : {}),
    });
    const [x, width, top] = [this.x, this.width, this.y];
    this.x += pad;
    this.width -= 2 * pad;
    this.y -= pad;
    this.together = true;
    try {
      draw(this);
    } finally {
      this.together = false;
      this.x = x;
      this.width = width;
      this.y = top - height - 12;
    }
  }

  /** One sentence in a bordered panel: the thing the reader must not miss. */
  callout(t: string, size = 13): void {
    this.panel((w) => w.text(t, { size, bold: true, gap: 0 }), { border: THEME.accent });
  }
}

/** The plain wordmark at the top of a page: a square with an F, then « Facilitateur ». */
export function wordmark(w: PageWriter): void {
  const page = w.page;
  if (!page) return;
  const top = A4[1] - MARGIN;
  page.drawRectangle({ x: MARGIN, y: top - 26, width: 26, height: 26, color: THEME.accent });
  page.drawText('F', { x: MARGIN + 7, y: top - 20, size: 20, font: w.fonts.bold, color: THEME.paper });
  page.drawText('Facilitateur', { x: MARGIN + 36, y: top - 20, size: 20, font: w.fonts.bold, color: THEME.accent });
  w.record('Facilitateur');
  w.y = top - 44;
}
