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

  const { pdf, fonts } = await startPdf({ title: `Votre carte Facilitateur - ${firstName}`, date });
  const w = new PageWriter(pdf, fonts, { leading, gap: 0, onNewPage: wordmark });
  const body = (on: PageWriter) => (t: string, style: TextStyle = {}) => on.text(t, { size: BODY, ...style });
  const text = body(w);
  const heading = (t: string) => w.heading(t, { size: 18, before: 14, after: 4 });

  // ---- page 1: the identifier, what the card is for, how to log in
  w.newPage();
  text(dateFr(date), { gap: 10 });
  text(`Bonjour ${firstName},`, { font: fonts.bold, size: 22, gap: 6 });
  text('Voici votre carte Facilitateur.');
  text('Gardez cette lettre avec vos papiers.', { gap: 14 });

  w.panel(
    (p) => {
      const say = body(p);
      say('Votre identifiant :', { font: fonts.bold });
      say(identifier, { font: fonts.monoBold, size: 30, color: THEME.accent, gap: 8 });
      say(`En 4 morceaux : ${identifier.split('-').join('  ')}`);
      say('Il est aussi écrit sur votre carte.');
    },
    { fill: THEME.panel },
  );

  heading('À quoi sert la carte ?');
  text('Elle ouvre votre coffre-fort numérique.');
  text('Vos papiers y sont rangés et protégés.');
  text('Elle vous aide à demander des aides.');
  text('Elle est à vous. Elle ne sert qu’à vous.');

  heading('Chez vous, sur un ordinateur');
  text(`1. Allez sur le site ${portal}`);
  text('2. Tapez votre identifiant.');
  text('3. Vous recevez un code par SMS ou par e-mail.');
  text('4. Tapez ce code. Voilà, vous êtes connecté.');

  heading('Au CMS, à la mairie, à la CAF');
  text('1. Mettez la carte dans le boîtier de la tablette.');
  text('2. Tapez votre code secret sur l’écran.');
  text('3. À la fin, reprenez votre carte.');

  // ---- page 2: the PIN, a lost card, help
  w.newPage();
  w.panel(
    (p) => {
      const say = body(p);
      say('Votre code secret', { font: fonts.bold, size: 18 });
      say('Il arrive dans une autre lettre.');
      say('Ne donnez ce code à personne. Jamais.');
      say('Un agent ne vous le demandera jamais.');
      say('Après 3 codes faux, la carte se bloque.');
      say('Un agent peut la débloquer avec vous.');
    },
    { fill: THEME.warning },
  );

  heading('Vous avez perdu votre carte ?');
  text('On vous l’a volée ?');
  text('Prévenez-nous vite : nous bloquons la carte.');
  text('Personne ne pourra s’en servir.');
  text('Allez dans un de ces lieux.');
  text('Prenez une pièce d’identité.', { gap: 6 });
  for (const place of input.places.slice(0, 4)) {
    text(place.name, { font: fonts.bold, indent: 12 });
    text(`${place.address}, ${place.postcode} ${place.city}`, { indent: 12, gap: 4 });
  }
  text('Vous recevez ensuite une nouvelle carte.');

  heading('Besoin d’aide ?');
  text('Un agent peut vous aider dans ces lieux.');
  text('Vous pouvez venir avec une personne de confiance.');
  text('C’est gratuit.');

  return { pdf: await pdf.save(), pages: w.pages };
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
