/**
 * The welcome letter ("fiche explicative") sent with the card at 16: A4, in simple French (FALC: short
 * sentences, one idea per line, big type, strong contrast, no jargon). It gives the identifier, what
 * the card is for, how to log in at home and at a public service, that the PIN comes separately and is
 * never given to anyone, what to do when the card is lost (places to go), and where to find help.
 * No State branding: a plain "Facilitateur" wordmark.
 *
 * Laid out with the PDF kit (protocol/print: the standard fonts with WinAnsi, which covers French; other
 * characters of a name lose their accent or become '?'), the date by the format module.
 * The drawn lines are returned too, so tests and previews can read the text without a PDF parser.
 */
import type { Kysely } from 'kysely';
import { dateFr } from '../../../protocol/format.ts';
import { PageWriter, THEME, startPdf, wordmark } from '../../../protocol/print/pdf-kit.ts';
import type { TextStyle } from '../../../protocol/print/pdf-kit.ts';
import { checkIdentifier } from '../../../protocol/identifier.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { CardAdminError } from './errors.ts';
import { WELCOME_LETTER } from '../../kernel/words/pdf.ts';

export interface LetterPlace {
  name: string;
  address: string;
  postcode: string;
  city: string;
}

export interface WelcomeLetterInput {
  person: { firstName: string; lastName: string; identifier: string };
  /** where to go when the card is lost or to get help (the first `WELCOME_LETTER_MAX_PLACES` are printed) */
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

/** The places the letter prints at most: what page 2 holds beside the code and the help. */
export const WELCOME_LETTER_MAX_PLACES = 4;

/** Big type for everyone (FALC): 14 pt body, generous lines. */
const BODY = 14;
const leading = (size: number) => Math.max(21, size * 1.4);

export async function generateWelcomeLetter(input: WelcomeLetterInput): Promise<WelcomeLetter> {
  const check = checkIdentifier(input.person.identifier);
  if (!check.ok) throw new CardAdminError('invalid', `invalid identifier (${check.reason})`);
  const identifier = check.identifier;
  const date = input.date ?? new Date();
  const portal = input.portalUrl ?? DEFAULT_PORTAL_URL;
  const firstName = input.person.firstName.trim();

  const W = WELCOME_LETTER;
  const { pdf, fonts } = await startPdf({ title: W.title(firstName), date });
  const w = new PageWriter(pdf, fonts, { leading, gap: 0, onNewPage: wordmark });
  const body = (on: PageWriter) => (t: string, style: TextStyle = {}) => on.text(t, { size: BODY, ...style });
  const text = body(w);
  const heading = (t: string) => w.heading(t, { size: 18, before: 14, after: 4 });
  const lines = (all: readonly string[], last: TextStyle = {}) => all.forEach((t, i) => text(t, i === all.length - 1 ? last : {}));

  // ---- page 1: the identifier, what the card is for, how to log in
  w.newPage();
  text(dateFr(date), { gap: 10 });
  text(W.hello(firstName), { font: fonts.bold, size: 22, gap: 6 });
  lines(W.intro, { gap: 14 });

  w.panel(
    (p) => {
      const say = body(p);
      say(W.identifier, { font: fonts.bold });
      say(identifier, { font: fonts.monoBold, size: 30, color: THEME.accent, gap: 8 });
      say(W.inPieces(identifier.split('-')));
      say(W.onCard);
    },
    { fill: THEME.panel },
  );

  heading(W.whatFor.heading);
  lines(W.whatFor.lines);

  heading(W.atHome.heading);
  lines(W.atHome.lines(portal));

  heading(W.atKiosk.heading);
  lines(W.atKiosk.lines);

  // ---- page 2: the PIN, a lost card, help
  w.newPage();
  w.panel(
    (p) => {
      const say = body(p);
      say(W.pin.heading, { font: fonts.bold, size: 18 });
      for (const t of W.pin.lines) say(t);
    },
    { fill: THEME.warning },
  );

  heading(W.lost.heading);
  lines(W.lost.lines);
  text(W.lost.bringId, { gap: 6 });
  for (const place of input.places.slice(0, WELCOME_LETTER_MAX_PLACES)) {
    text(place.name, { font: fonts.bold, indent: 12 });
    text(W.lost.place(place.address, place.postcode, place.city), { indent: 12, gap: 4 });
  }
  text(W.lost.newCard);

  heading(W.help.heading);
  lines(W.help.lines);

  return { pdf: await pdf.save(), pages: w.pages };
}

/**
 * The letter of a person of the database, with the places to go the caller chose (the directory's offices
 * of the area the card is given in: institutions' `officesForLetter`).
 */
export async function welcomeLetterFor(db: Kysely<Database>, rawIdentifier: string, opts: { places: LetterPlace[]; portalUrl?: string; date?: Date }): Promise<WelcomeLetter> {
  const check = checkIdentifier(rawIdentifier);
  if (!check.ok) throw new CardAdminError('invalid', `invalid identifier (${check.reason})`);
  const person = await db.selectFrom('persons').selectAll().where('identifier', '=', check.identifier).executeTakeFirst();
  if (!person) throw new CardAdminError('unknown-person', `no person with identifier ${check.identifier}`);
  return generateWelcomeLetter({
    person: { firstName: person.first_name, lastName: person.last_name, identifier: person.identifier },
    ...opts,
  });
}
