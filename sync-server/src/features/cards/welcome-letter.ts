/**
 * The welcome letter ("fiche explicative") sent with the card at 16: A4, in simple French (FALC: short
 * sentences, one idea per line, big type, strong contrast, no jargon). It gives the identifier, what
 * the card is for, how to log in at home and at a public service, that the PIN comes separately and is
 * never given to anyone, what to do when the card is lost (places to go), and where to find help.
 * No State branding: a plain "Facilitateur" wordmark.
 *
 * Helvetica and Courier are PDF standard fonts (nothing embedded) with WinAnsi encoding, which covers
 * French (é è à ç ’ « »); other characters of a name lose their accent or become '?'.
 * The drawn lines are returned too, so tests and previews can read the text without a PDF parser.
 */
import type { Kysely } from 'kysely';
import { PageSizes, PDFDocument, rgb, StandardFonts } from 'pdf-lib';
import type { PDFFont, PDFPage } from 'pdf-lib';
import { checkIdentifier } from '../../../protocol/identifier.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { CardAdminError } from './errors.ts';

export interface LetterPlace {
  name: string;
  address: string;
  postcode: string;
  city: string;
}

export interface WelcomeLetterInput {
  person: { firstName: string; lastName: string; identifier: string };
  /** where to go when the card is lost or to get help (the first four are printed) */
  places: LetterPlace[];
  /** the address of the web portal, for logging in at home */
  portalUrl?: string;
  /** printed date, and the PDF's dates (so the same input gives the same file) */
  date?: Date;
}

export interface WelcomeLetter {
  pdf: Uint8Array;
  /** every line drawn, page by page, as drawn (after font substitution) */
  pages: string[][];
}

export const DEFAULT_PORTAL_URL = 'facilitateur.example';

const INK = rgb(0.1, 0.1, 0.1);
const ACCENT = rgb(0.05, 0.25, 0.45); // dark blue on white: contrast ratio above 10:1
const PANEL = rgb(0.93, 0.95, 0.98);
const WARNING_PANEL = rgb(1, 0.95, 0.85);
const MARGIN = 56;
const BODY = 14;
const LEADING = 21;

interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
  mono: PDFFont;
}

/** Keeps what the standard font can draw; other characters lose their accent, or become '?'. */
function drawable(font: PDFFont, text: string): string {
  const supported = new Set(font.getCharacterSet());
  return [...text.normalize('NFC')]
    .map((ch) => {
      if (supported.has(ch.codePointAt(0)!)) return ch;
      const plain = ch.normalize('NFD').replace(/\p{Diacritic}/gu, '');
      return [...plain].every((c) => supported.has(c.codePointAt(0)!)) && plain !== '' ? plain : '?';
    })
    .join('');
}

function wrap(font: PDFFont, size: number, text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (font.widthOfTextAtSize(candidate, size) <= width || line === '') line = candidate;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** Draws top-down, recording every line; a line that would cross the bottom margin goes on a new page. */
class Writer {
  y = 0;
  page!: PDFPage;
  readonly pages: string[][] = [];
  readonly width: number;

  constructor(
    private readonly doc: PDFDocument | null,
    readonly fonts: Fonts,
    width = PageSizes.A4[0] - 2 * MARGIN,
  ) {
    this.width = width;
  }

  newPage(): void {
    if (!this.doc) throw new Error('a measuring writer has no pages');
    this.page = this.doc.addPage(PageSizes.A4);
    this.pages.push([]);
    wordmark(this);
  }

  private get lines(): string[] {
    return this.pages[this.pages.length - 1] ?? [];
  }

  text(raw: string, o: { font?: PDFFont; size?: number; color?: ReturnType<typeof rgb>; indent?: number; gapAfter?: number } = {}): void {
    const font = o.font ?? this.fonts.regular;
    const size = o.size ?? BODY;
    const indent = o.indent ?? 0;
    const leading = Math.max(LEADING, size * 1.4);
    for (const line of wrap(font, size, drawable(font, raw), this.width - indent)) {
      if (this.doc && this.y - leading < MARGIN) this.newPage();
      this.y -= leading;
      this.page?.drawText(line, { x: MARGIN + indent, y: this.y, size, font, color: o.color ?? INK });
      this.lines.push(line);
    }
    this.y -= o.gapAfter ?? 0;
  }

  heading(text: string): void {
    // a heading is never the last line of a page
    if (this.doc && this.y - 14 - 3 * LEADING < MARGIN) this.newPage();
    this.y -= 14;
    this.text(text, { font: this.fonts.bold, size: 18, color: ACCENT, gapAfter: 4 });
  }

  /** A tinted panel behind what `draw` writes: measured first, then the panel, then the text over it. */
  panel(color: ReturnType<typeof rgb>, draw: (w: Writer) => void): void {
    const measuring = new Writer(null, this.fonts, this.width);
    draw(measuring);
    const height = -measuring.y + 22;
    if (this.y - height < MARGIN) this.newPage();
    const top = this.y - 4;
    this.page.drawRectangle({ x: MARGIN - 12, y: top - height, width: this.width + 24, height, color });
    this.y -= 6;
    draw(this);
    this.y -= 16;
  }
}

function wordmark(w: Writer): void {
  const { page, fonts } = w;
  const top = page.getHeight() - MARGIN;
  page.drawRectangle({ x: MARGIN, y: top - 26, width: 26, height: 26, color: ACCENT });
  page.drawText('F', { x: MARGIN + 7, y: top - 20, size: 20, font: fonts.bold, color: rgb(1, 1, 1) });
  page.drawText('Facilitateur', { x: MARGIN + 36, y: top - 20, size: 20, font: fonts.bold, color: ACCENT });
  w.pages[w.pages.length - 1]!.push('Facilitateur');
  w.y = top - 40;
}

function frenchDate(d: Date): string {
  return new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Paris' }).format(d);
}

export async function generateWelcomeLetter(input: WelcomeLetterInput): Promise<WelcomeLetter> {
  const check = checkIdentifier(input.person.identifier);
  if (!check.ok) throw new CardAdminError('invalid', `invalid identifier (${check.reason})`);
  const identifier = check.identifier;
  const date = input.date ?? new Date();
  const portal = input.portalUrl ?? DEFAULT_PORTAL_URL;
  const firstName = input.person.firstName.trim();

  const doc = await PDFDocument.create();
  doc.setTitle(`Votre carte Facilitateur - ${firstName}`);
  doc.setAuthor('Facilitateur');
  doc.setLanguage('fr-FR');
  doc.setCreationDate(date);
  doc.setModificationDate(date);
  const fonts: Fonts = {
    regular: await doc.embedFont(StandardFonts.Helvetica),
    bold: await doc.embedFont(StandardFonts.HelveticaBold),
    mono: await doc.embedFont(StandardFonts.CourierBold),
  };

  // ---- page 1: the identifier, what the card is for, how to log in
  const p1 = new Writer(doc, fonts);
  p1.newPage();
  p1.text(frenchDate(date), { gapAfter: 10 });
  p1.text(`Bonjour ${firstName},`, { font: fonts.bold, size: 22, gapAfter: 6 });
  p1.text('Voici votre carte Facilitateur.');
  p1.text('Gardez cette lettre avec vos papiers.', { gapAfter: 14 });

  p1.panel(PANEL, (w) => {
    w.text('Votre identifiant :', { font: fonts.bold });
    w.text(identifier, { font: fonts.mono, size: 30, color: ACCENT, gapAfter: 8 });
    w.text(`En 4 morceaux : ${identifier.split('-').join('  ')}`);
    w.text('Il est aussi écrit sur votre carte.');
  });

  p1.heading('À quoi sert la carte ?');
  p1.text('Elle ouvre votre coffre-fort numérique.');
  p1.text('Vos papiers y sont rangés et protégés.');
  p1.text('Elle vous aide à demander des aides.');
  p1.text('Elle est à vous. Elle ne sert qu’à vous.');

  p1.heading('Chez vous, sur un ordinateur');
  p1.text(`1. Allez sur le site ${portal}`);
  p1.text('2. Tapez votre identifiant.');
  p1.text('3. Vous recevez un code par SMS ou par e-mail.');
  p1.text('4. Tapez ce code. Voilà, vous êtes connecté.');

  p1.heading('Au CMS, à la mairie, à la CAF');
  p1.text('1. Mettez la carte dans le boîtier de la tablette.');
  p1.text('2. Tapez votre code secret sur l’écran.');
  p1.text('3. À la fin, reprenez votre carte.');

  // ---- page 2: the PIN, a lost card, help
  const p2 = p1;
  p2.newPage();
  p2.panel(WARNING_PANEL, (w) => {
    w.text('Votre code secret', { font: fonts.bold, size: 18 });
    w.text('Il arrive dans une autre lettre.');
    w.text('Ne donnez ce code à personne. Jamais.');
    w.text('Un agent ne vous le demandera jamais.');
    w.text('Après 3 codes faux, la carte se bloque.');
    w.text('Un agent peut la débloquer avec vous.');
  });

  p2.heading('Vous avez perdu votre carte ?');
  p2.text('On vous l’a volée ?');
  p2.text('Prévenez-nous vite : nous bloquons la carte.');
  p2.text('Personne ne pourra s’en servir.');
  p2.text('Allez dans un de ces lieux.');
  p2.text('Prenez une pièce d’identité.', { gapAfter: 6 });
  for (const place of input.places.slice(0, 4)) {
    p2.text(place.name, { font: fonts.bold, indent: 12 });
    p2.text(`${place.address}, ${place.postcode} ${place.city}`, { indent: 12, gapAfter: 4 });
  }
  p2.text('Vous recevez ensuite une nouvelle carte.');

  p2.heading('Besoin d’aide ?');
  p2.text('Un agent peut vous aider dans ces lieux.');
  p2.text('Vous pouvez venir avec une personne de confiance.');
  p2.text('C’est gratuit.');

  return { pdf: await doc.save(), pages: p1.pages };
}

/** The letter of a person of the database, with the institutions as places to go. */
export async function welcomeLetterFor(db: Kysely<Database>, rawIdentifier: string, opts: { portalUrl?: string; date?: Date } = {}): Promise<WelcomeLetter> {
  const check = checkIdentifier(rawIdentifier);
  if (!check.ok) throw new CardAdminError('invalid', `invalid identifier (${check.reason})`);
  const person = await db.selectFrom('persons').selectAll().where('identifier', '=', check.identifier).executeTakeFirst();
  if (!person) throw new CardAdminError('unknown-person', `no person with identifier ${check.identifier}`);
  // the places people know first: town hall, social centre, family allowances
  const order = ['mairie', 'cms', 'caf', 'cpam', 'mdph', 'impots'];
  const institutions = await db.selectFrom('institutions').select(['name', 'address', 'postcode', 'city', 'kind']).execute();
  institutions.sort((a, b) => (order.indexOf(a.kind) + 1 || 99) - (order.indexOf(b.kind) + 1 || 99) || a.name.localeCompare(b.name));
  return generateWelcomeLetter({
    person: { firstName: person.first_name, lastName: person.last_name, identifier: person.identifier },
    places: institutions,
    ...opts,
  });
}
