/**
 * A plain letter on A4, made on the kiosk: asking an institution that is not on the platform (a bank, an
 * employer, a landlord…) for a missing paper. The person reads and edits the text on screen; it is
 * printed to be posted or brought. Nothing of it is kept.
 */
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { PDFFont } from 'pdf-lib';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 64;
const SIZE = 12;
const LEADING = 17;

/** The standard PDF fonts speak WinAnsi: what it lacks becomes its nearest plain form, or goes. */
function winAnsi(text: string, font: PDFFont): string {
  const plain = text
    .replace(/[\u2018\u2019\u02bc]/g, '’')
    .replace(/[\u00a0\u202f]/g, ' ')
    .replace(/\r\n?/g, '\n');
  let out = '';
  for (const ch of plain) {
    if (ch === '\n') {
      out += ch;
      continue;
    }
    try {
      font.encodeText(ch);
      out += ch;
    } catch {
      const base = ch.normalize('NFD').replace(/\p{M}/gu, '');
      try {
        font.encodeText(base);
        out += base;
      } catch {
        out += '?';
      }
    }
  }
  return out;
}

function wrap(paragraph: string, font: PDFFont, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of paragraph.split(/ +/)) {
    const next = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(next, SIZE) <= width || !line) line = next;
    else {
      lines.push(line);
      line = word;
    }
  }
  lines.push(line);
  return lines;
}

export async function letterPdf(opts: { to: string; body: string; date?: Date }): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle('Demande de document');
  doc.setProducer('Facilitateur');
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const width = A4[0] - 2 * MARGIN;
  let page = doc.addPage(A4);
  let y = A4[1] - MARGIN;
  const line = (text: string, f: PDFFont = font) => {
    if (y < MARGIN + LEADING) {
      page = doc.addPage(A4);
      y = A4[1] - MARGIN;
    }
    page.drawText(text, { x: MARGIN, y, size: SIZE, font: f });
    y -= LEADING;
  };
  const date = (opts.date ?? new Date()).toLocaleDateString('fr-FR', { day: 'numeric', month: 'long', year: 'numeric' });
  line(winAnsi(`À l’attention de : ${opts.to}`, bold), bold);
  line(winAnsi(`Le ${date}`, font));
  y -= LEADING;
  for (const paragraph of winAnsi(opts.body, font).split('\n')) {
    if (paragraph.trim() === '') {
      y -= LEADING / 2;
      continue;
    }
    for (const l of wrap(paragraph, font, width)) line(l);
  }
  return doc.save();
}
