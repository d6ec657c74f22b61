/**
 * French ways of writing things (amounts, dates, months) in the variants real papers use, and the pools of
 * fictitious people, places, banks and employers the documents are filled with.
 */
import type { Rng } from './rand.ts';

export const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
const MONTHS_SHORT = ['JANV', 'FÉVR', 'MARS', 'AVR', 'MAI', 'JUIN', 'JUIL', 'AOÛT', 'SEPT', 'OCT', 'NOV', 'DÉC'];
const MONTHS_EN = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** Amounts as printed: "1 234,56", "1234,56", "1 234,56 €", "1.234,56 €", "1 234,56 EUR". */
export type AmountStyle = 'space' | 'plain' | 'space-euro' | 'plain-euro' | 'dot-euro' | 'space-eur';
export const AMOUNT_STYLES: readonly AmountStyle[] = ['space', 'plain', 'space-euro', 'plain-euro', 'dot-euro', 'space-eur'];

export function amount(cents: number, style: AmountStyle): string {
  const neg = cents < 0;
  const c = Math.abs(cents);
  const euros = String(Math.floor(c / 100));
  const rest = String(c % 100).padStart(2, '0');
  const group = (sep: string) => euros.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  const body =
    style === 'plain' || style === 'plain-euro' ? euros : style === 'dot-euro' ? group('.') : group(' ');
  const suffix = style === 'space-euro' || style === 'plain-euro' || style === 'dot-euro' ? ' €' : style === 'space-eur' ? ' EUR' : '';
  return `${neg ? '-' : ''}${body},${rest}${suffix}`;
}

/** Whole euros (tax notices): "23 456", "23456 €". */
export function euros(n: number, rng: Rng): string {
  const g = String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return rng.pick([g, `${g} €`, String(n), `${String(n)} €`]);
}

/** Cents → the normal form of amounts ("1734.56"). */
export function decimal(cents: number): string {
  const neg = cents < 0;
  const c = Math.abs(cents);
  return `${neg ? '-' : ''}${Math.floor(c / 100)}.${String(c % 100).padStart(2, '0')}`;
}

export function iso(y: number, m: number, d: number): string {
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

export function monthDays(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export type DateStyle = 'slash' | 'dot' | 'dash' | 'long' | 'space';
export const DATE_STYLES: readonly DateStyle[] = ['slash', 'dot', 'dash', 'long', 'space'];

export function date(isoDate: string, style: DateStyle): string {
  const [y, m, d] = isoDate.split('-');
  if (style === 'long') {
    const day = Number(d);
    return `${day === 1 ? '1er' : day} ${MONTHS[Number(m) - 1]} ${y}`;
  }
  const sep = { slash: '/', dot: '.', dash: '-', space: ' ' }[style];
  return `${d}${sep}${m}${sep}${y}`;
}

/** Passports: "12 MARS/MAR 1985". */
export function passportDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-');
  return `${d} ${MONTHS_SHORT[Number(m) - 1]}/${MONTHS_EN[Number(m) - 1]} ${y}`;
}

export function month(ym: string, rng: Rng): string {
  const [y, m] = ym.split('-');
  const name = MONTHS[Number(m) - 1]!;
  return rng.pick([`${name} ${y}`, `${name[0]!.toUpperCase()}${name.slice(1)} ${y}`, `${m}/${y}`, `${name.toUpperCase()} ${y}`]);
}

/** Upper case without accents: what machine-readable zones allow. */
export function plain(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase();
}

export function capitalise(s: string): string {
  return s
    .toLowerCase()
    .replace(/(^|[\s'-])(\p{L})/gu, (_, a: string, b: string) => a + b.toUpperCase());
}

// ---------------------------------------------------------------- people

export const SURNAMES = [
  'MARTIN', 'BERNARD', 'DUBOIS', 'THOMAS', 'ROBERT', 'RICHARD', 'PETIT', 'DURAND', 'LEROY', 'MOREAU', 'SIMON', 'LAURENT',
  'LEFÈVRE', 'MICHEL', 'GARCIA', 'DAVID', 'BERTRAND', 'ROUX', 'VINCENT', 'FOURNIER', 'MOREL', 'GIRARD', 'ANDRÉ', 'MERCIER',
  'BOYER', 'BLANC', 'GUÉRIN', 'CHEVALIER', 'FRANÇOIS', 'LEGRAND', 'GAUTHIER', 'PERRIN', 'ROUSSEL', 'NGUYEN', 'DIALLO',
  'BENALI', 'TRAORÉ', 'HADDAD', 'DA SILVA', 'LE GOFF', 'MARTIN-LEROY', "N'DIAYE", 'KOWALSKI', 'OUEDRAOGO', 'FERREIRA',
  'BRETON', 'CARON', 'COLIN', 'LEMAIRE', 'RENAUD', 'BARBIER', 'LEBRUN', 'HOARAU', 'PAYET', 'GRONDIN', 'MEUNIER',
];
const GIVEN_F = ['Hélène', 'Zoé', 'Anaïs', 'Maëlle', 'Inès', 'Amélie', 'Claire', 'Léa', 'Chloé', 'Sophie', 'Fatou', 'Aïcha', 'Noémie', 'Agnès', 'Céline', 'Mélanie', 'Émilie', 'Justine', 'Nadia', 'Camille', 'Gaëlle', 'Joséphine', 'Yasmina', 'Marie', 'Anne'];
const GIVEN_M = ['Jérôme', 'Loïc', 'François', 'Mathéo', 'Noël', 'Théo', 'Julien', 'Karim', 'Mamadou', 'Hervé', 'Benoît', 'Lucas', 'Élie', 'Stéphane', 'Grégoire', 'Thierry', 'Youssef', 'Cédric', 'Raphaël', 'Antoine', 'Pierre', 'Jean', 'Joël', 'Rémi', 'Olivier'];

export interface Person {
  sex: 'F' | 'M';
  surname: string;
  /** given names, first one used in letters */
  given: string[];
}

export function person(rng: Rng, sex?: 'F' | 'M', surname?: string): Person {
  const s = sex ?? (rng.chance(0.5) ? 'F' : 'M');
  const pool = s === 'F' ? GIVEN_F : GIVEN_M;
  const count = rng.pick([1, 1, 2, 2, 3]);
  const given: string[] = [];
  while (given.length < count) {
    const g = rng.pick(pool);
    if (!given.includes(g)) given.push(g);
  }
  return { sex: s, surname: surname ?? rng.pick(SURNAMES), given };
}

export type Civility = 'M.' | 'Mme' | 'Madame' | 'Monsieur' | 'MME' | 'M' | '';

export function civility(rng: Rng, p: Person): Civility {
  const c = rng.pick(['short', 'short', 'long', 'upper', 'none'] as const);
  if (c === 'none') return '';
  if (p.sex === 'F') return c === 'long' ? 'Madame' : c === 'upper' ? 'MME' : 'Mme';
  return c === 'long' ? 'Monsieur' : c === 'upper' ? 'M' : 'M.';
}

/** A name as a paper prints it: NOM Prénom, Prénom NOM, or all capitals; with a civility or none. */
export function nameAs(rng: Rng, p: Person, civ: Civility = ''): string {
  const first = p.given[0]!;
  const order = rng.pick(['first-last', 'last-first', 'upper-last-first', 'upper-first-last'] as const);
  const body =
    order === 'first-last' ? `${first} ${p.surname}` : order === 'last-first' ? `${p.surname} ${first}` : order === 'upper-last-first' ? `${p.surname} ${first.toUpperCase()}` : `${first.toUpperCase()} ${p.surname}`;
  return civ ? `${civ} ${body}` : body;
}

// ---------------------------------------------------------------- places

export interface Town {
  postcode: string;
  city: string;
}

export const TOWNS: readonly Town[] = [
  { postcode: '75011', city: 'PARIS' }, { postcode: '69003', city: 'LYON' }, { postcode: '13005', city: 'MARSEILLE' },
  { postcode: '31400', city: 'TOULOUSE' }, { postcode: '44000', city: 'NANTES' }, { postcode: '33800', city: 'BORDEAUX' },
  { postcode: '59000', city: 'LILLE' }, { postcode: '67200', city: 'STRASBOURG' }, { postcode: '35000', city: 'RENNES' },
  { postcode: '34070', city: 'MONTPELLIER' }, { postcode: '06300', city: 'NICE' }, { postcode: '21000', city: 'DIJON' },
  { postcode: '63100', city: 'CLERMONT-FERRAND' }, { postcode: '87000', city: 'LIMOGES' }, { postcode: '29200', city: 'BREST' },
  { postcode: '93200', city: 'SAINT-DENIS' }, { postcode: '95100', city: 'ARGENTEUIL' }, { postcode: '42000', city: 'SAINT-ÉTIENNE' },
  { postcode: '80000', city: 'AMIENS' }, { postcode: '97400', city: 'SAINT-DENIS' }, { postcode: '20000', city: 'AJACCIO' },
  { postcode: '38100', city: 'GRENOBLE' }, { postcode: '49100', city: 'ANGERS' }, { postcode: '76600', city: 'LE HAVRE' },
  { postcode: '57000', city: 'METZ' }, { postcode: '86000', city: 'POITIERS' }, { postcode: '64100', city: 'BAYONNE' },
  { postcode: '01000', city: 'BOURG-EN-BRESSE' }, { postcode: '74000', city: 'ANNECY' }, { postcode: '18000', city: 'BOURGES' },
];

const STREET_KINDS = ['rue', 'avenue', 'boulevard', 'impasse', 'allée', 'chemin', 'place', 'quai'];
const STREET_NAMES = ['des Lilas', 'Victor Hugo', 'Jean Jaurès', 'de la République', 'du Général de Gaulle', 'des Écoles', 'Pasteur', 'de la Gare', 'des Tilleuls', "de l'Église", 'Émile Zola', 'du Moulin', 'des Acacias', 'Gambetta', 'Saint-Exupéry', 'de la Paix', 'des Peupliers', 'Louise Michel', 'Aimé Césaire', 'du 8 Mai 1945'];

export interface Address {
  street: string;
  extra?: string;
  town: Town;
}

export function address(rng: Rng): Address {
  const num = String(rng.int(1, 180)) + rng.pick(['', '', '', '', ' bis', ' ter', 'B']);
  const street = `${num} ${rng.pick(STREET_KINDS)} ${rng.pick(STREET_NAMES)}`;
  const a: Address = { street, town: rng.pick(TOWNS) };
  if (rng.chance(0.35)) a.extra = rng.pick(['Bâtiment B', 'Appartement 12', 'Résidence Les Pins', 'Escalier 3, 2e étage', 'Apt 407']);
  return a;
}

/** A town where it is printed: the street case varies ("12 rue…", "12 RUE…"). */
export function streetAs(rng: Rng, street: string): string {
  return rng.chance(0.35) ? street.toUpperCase() : street;
}

// ---------------------------------------------------------------- banks and employers

export interface Bank {
  name: string;
  code: string;
  bic: string;
  branches: readonly string[];
}

export const BANKS: readonly Bank[] = [
  { name: 'BNP Paribas', code: '30004', bic: 'BNPAFRPPXXX', branches: ['Paris Bastille', 'Lyon Part-Dieu'] },
  { name: 'Société Générale', code: '30003', bic: 'SOGEFRPP', branches: ['Nantes Commerce', 'Lille Flandres'] },
  { name: 'La Banque Postale', code: '20041', bic: 'PSSTFRPPPAR', branches: ['Centre financier de Paris'] },
  { name: 'Crédit Mutuel', code: '10278', bic: 'CMCIFR2A', branches: ['Strasbourg Esplanade', 'Rennes Centre'] },
  { name: 'Crédit Agricole', code: '18206', bic: 'AGRIFRPP882', branches: ['Agence de Melun', 'Agence de Meaux'] },
  { name: 'LCL', code: '30002', bic: 'CRLYFRPP', branches: ['Agence Bordeaux Intendance'] },
  { name: "Caisse d'Épargne", code: '17515', bic: 'CEPAFRPP751', branches: ['Agence Toulouse Capitole'] },
  { name: 'Banque Populaire', code: '10207', bic: 'CCBPFRPPMTG', branches: ['Agence Marseille Prado'] },
  { name: 'CIC', code: '30066', bic: 'CMCIFRPP', branches: ['Agence Grenoble Victor Hugo'] },
  { name: 'Boursorama', code: '40618', bic: 'BOUSFRPPXXX', branches: ['Boulogne-Billancourt'] },
];

export const EMPLOYERS = [
  'Boulangerie Les Blés d’Or', 'SAS Transports Rapides du Centre', 'SARL Nettoyage Horizon', 'Association Aide à Domicile 44',
  'Restaurant Le Petit Zinc', 'SA Logistique Atlantique', 'Clinique des Tilleuls', 'SARL Bâtiment Rénovation Plus',
  'Supermarché Frais & Bon', 'Mairie de Villeneuve', 'EHPAD Les Glycines', 'SAS Informatique Services Ouest',
];
