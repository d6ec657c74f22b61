/**
 * A person's name on a paper, whatever the kind: after a label (« Allocataire », « Nom du salarié »,
 * « Assuré(e) »…) on its line, to its right, or in the cell below it on a form grid; in a sentence
 * (« Nous certifions que Mme X a perçu… »); or in the letter's recipient block. Names are printed with or
 * without a civility, NOM Prénom or Prénom NOM, in capitals or mixed case, sometimes for a couple
 * (« M. et Mme … »): what they share is a run of capitalised words with no digits, of which the surname is
 * usually in capitals. The value keeps what was printed (civility included); `score.ts`-like comparisons
 * set the civility aside.
 */
import { cellUnder, cells, findLabels, sameRowRight } from './labels.ts';
import type { OcrPage, OcrWord } from './page.ts';
import { fold, meanConfidence } from './page.ts';

const CIVILITY_WORD = /^(?:M|MR|MME|MLLE|MM|MMES|MONSIEUR|MADAME|MADEMOISELLE)\.?$/;
/** « M », « Mme », « Madame »… (a civility word, dot or not). */
export function isCivility(text: string): boolean {
  return CIVILITY_WORD.test(fold(text));
}
const JOIN_WORD = /^(?:ET|OU|&)$/;
/** Particles of a surname (« Jean de LA FONTAINE »): lower case, only between two name words. */
const PARTICLE = /^(?:de|du|des|d'|le|la|van|von|da|dos|ben|el)$/;

/**
 * Words that are labels, headings or parts of an address, never of a name: a run of name words stops at
 * them, so a label glued to a name (« BOYER Mélanie NIR ») or a label taken for a value is left out.
 */
const NOT_NAME = new Set(
  (
    // (labels' own small words, one by one: a list of words, not a sentence)
    ['NOM', 'NOMS', 'PRENOM', 'PRENOMS', 'NE', 'NEE', 'ET', 'OU', 'EN', 'SUR', 'PAR', 'POUR'].join(' ') +
    ' ' +
    'ALLOCATAIRE ALLOCATAIRES BENEFICIAIRE BENEFICIAIRES SALARIE SALARIEE SALARIE(E) EMPLOYE EMPLOYEE CLIENT CLIENTE LOCATAIRE ' +
    'TITULAIRE TITULAIRES ASSURE ASSUREE ASSURE(E) ASSURES DECLARANT DECLARANTS CONJOINT CONJOINTE ENFANT QUALITE ' +
    'NIR NUMERO REFERENCE MATRICULE SIRET APE CODE DATE PERIODE EMPLOI ADRESSE COMPTE INTITULE BANQUE GUICHET CLE IBAN BIC ' +
    'DOMICILIATION AGENCE CAISSE CPAM CAF SERVICE SERVICES CENTRE DIRECTION SIP MAIRIE SOCIETE SAS SARL SA EURL SCI SNC ASSOCIATION GROUPE ' +
    'RUE AVENUE AV BOULEVARD BD IMPASSE PLACE CHEMIN ALLEE ROUTE QUAI COURS RESIDENCE BATIMENT APPARTEMENT APT ESCALIER ETAGE BP CEDEX ' +
    'ATTESTATION AVIS FACTURE QUITTANCE BULLETIN PAIE RELEVE IDENTITE BANCAIRE SPECIMEN DOCUMENT FICTIF MONTANT TOTAL'
  ).split(' '),
);

function clean(text: string): string {
  return text.replace(/[‘’`´]/g, "'").replace(/^[^\p{L}]+|[^\p{L}.]+$/gu, '');
}

/** A word of a name: a capital then letters, hyphens, apostrophes (« N'DIAYE », « Jean-Pierre », « D'ALMEIDA »). */
function isNameWord(t: string): boolean {
  return /^\p{Lu}[\p{L}\p{M}]*(?:['-]\p{L}[\p{L}\p{M}]*)*$/u.test(t) && !NOT_NAME.has(fold(t));
}

const isCapitals = (t: string) => /^[\p{Lu}\p{M}'-]{2,}$/u.test(t);

export interface PersonMatch {
  value: string;
  /** index in the words given of the first and one past the last word of the name */
  start: number;
  end: number;
  civility: boolean;
}

/**
 * The name starting at word `start` of `texts`: an optional civility (or two, for a couple), then two to six
 * name words (particles allowed between them). Without a civility, one word at least must be in capitals,
 * as surnames are printed: a capitalised phrase (« Service Clients ») is not taken for a name.
 */
export function nameAt(texts: readonly string[], start: number, opts: { civilityRequired?: boolean } = {}): PersonMatch | null {
  let i = start;
  const civ: string[] = [];
  const civOf = (k: number) => (k < texts.length ? clean(texts[k]!).replace(/[-,:;·]$/, '') : '');
  if (CIVILITY_WORD.test(fold(civOf(i)))) {
    civ.push(civOf(i));
    i++;
    if (i + 1 < texts.length && JOIN_WORD.test(fold(texts[i]!)) && CIVILITY_WORD.test(fold(civOf(i + 1)))) {
      civ.push(texts[i]!, civOf(i + 1));
      i += 2;
    }
  }
  if (opts.civilityRequired && civ.length === 0) return null;
  const words: string[] = [];
  let j = i;
  while (j < texts.length && words.length < 6) {
    const t = clean(texts[j]!);
    if (isNameWord(t)) {
      words.push(t);
      j++;
      // a word followed by punctuation ends the name (« DUPONT Marie, née le… »)
      if (/[,;:]$/.test(texts[j - 1]!)) break;
      continue;
    }
    if (words.length > 0 && PARTICLE.test(texts[j]!) && j + 1 < texts.length && isNameWord(clean(texts[j + 1]!))) {
      words.push(texts[j]!);
      j++;
      continue;
    }
    break;
  }
  const named = words.filter((w) => !PARTICLE.test(w));
  if (named.length < 2) return null;
  if (civ.length === 0 && !named.some(isCapitals)) return null;
  // a name is not all initials
  if (named.every((w) => w.replace(/[^\p{L}]/gu, '').length < 2)) return null;
  return { value: [...civ, ...words].join(' '), start, end: j, civility: civ.length > 0 };
}

/** The name at the beginning of `text` (what follows is ignored: a date, a number, another label). */
export function leadingName(text: string, opts: { civilityRequired?: boolean } = {}): string | null {
  return nameAt(text.split(/\s+/).filter(Boolean), 0, opts)?.value ?? null;
}

/** A name after a civility anywhere in `text` (a sentence: « …certifions que Mme X a perçu… »). */
export function nameInSentence(text: string): string | null {
  const ws = text.split(/\s+/).filter(Boolean);
  for (let i = 0; i < ws.length; i++) {
    if (!CIVILITY_WORD.test(fold(clean(ws[i]!)))) continue;
    const m = nameAt(ws, i, { civilityRequired: true });
    if (m) return m.value;
  }
  return null;
}

export interface PersonReading {
  value: string;
  confidence: number;
  where: 'rest' | 'right' | 'below' | 'sentence' | 'block';
}

function fromWords(all: readonly OcrWord[], opts: { civilityRequired?: boolean } = {}): PersonReading | null {
  // a box's border or a table rule read before the name (« | M DUPONT ») is no part of it
  const first = all.findIndex((w) => /[\p{L}\p{N}]/u.test(w.text));
  const words = first > 0 ? all.slice(first) : all;
  const texts = words.map((w) => w.text);
  const m = nameAt(texts, 0, opts);
  if (!m) return null;
  return { value: m.value, confidence: meanConfidence(words.slice(m.start, m.end)), where: 'rest' };
}

/**
 * The first person named by one of `labels` (tried in order, every occurrence of each): the rest of the
 * label's line, the row to its right, the words below in its column, then the whole line below.
 */
export function labelledPerson(page: OcrPage, labels: readonly RegExp[]): PersonReading | undefined {
  for (const label of labels) {
    for (const hit of findLabels(page, label)) {
      const rest = fromWords(hit.rest);
      if (rest) return rest;
      for (const l of sameRowRight(page, hit)) {
        const r = fromWords(l.words);
        if (r) return { ...r, where: 'right' };
      }
      // below: the cell under the label's, so a row of labels over a row of values pairs them by column
      const r = fromWords(cellUnder(page, hit));
      if (r) return { ...r, where: 'below' };
    }
  }
  return undefined;
}

/** A person named after a civility in a sentence of the page. */
export function personInSentences(page: OcrPage): PersonReading | undefined {
  for (const line of page.lines) {
    const v = nameInSentence(line.text);
    if (v) return { value: v, confidence: line.confidence, where: 'sentence' };
  }
  return undefined;
}

/**
 * The letter's recipient block: a name line directly above a street line (a number then words) — the issuer's
 * own address block has a company's name there, which has no word in capitals and no civility, or is
 * refused by `nameAt` otherwise.
 */
export function recipientName(page: OcrPage): PersonReading | undefined {
  const lines = page.lines;
  for (let i = 0; i + 1 < lines.length; i++) {
    const next = lines[i + 1]!;
    if (!/^\d{1,4}(?:\s?(?:BIS|TER|[A-Z]))?\b/i.test(next.text.trim())) continue;
    const r = fromWords(lines[i]!.words);
    // the whole line must be the name: a line that merely begins with one is a sentence or a heading
    if (r && r.value.split(' ').length === lines[i]!.words.length) return { ...r, where: 'block' };
  }
  return undefined;
}

const hasMark = (s: string) => /\p{M}/u.test(s.normalize('NFD'));

/**
 * A name's accents lost in one reading and kept in another (« CHLOE » under the label, « CHLOÉ » in the
 * address block; the zone's « THEO » and the printed « THÉO »): OCR drops accents on capitals, it does not
 * invent them, so a word of the page with the same letters and accents replaces the bare one. Words that
 * already have an accent are kept as read.
 */
export function restoreAccents(page: OcrPage, value: string): string {
  const accented = new Map<string, string>();
  for (const line of page.lines) {
    for (const w of line.words) {
      const t = w.text.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
      if (t.length >= 2 && hasMark(t) && /^[\p{L}\p{M}'-]+$/u.test(t)) accented.set(fold(t), t);
      // the parts of « D'ÉPARGNE » or « SAINT-ÉTIENNE » too: a value is matched letter run by letter run
      for (const part of t.split(/['’-]/)) if (part.length >= 2 && part !== t && hasMark(part) && /^[\p{L}\p{M}]+$/u.test(part)) accented.set(fold(part), part);
    }
  }
  return value.replace(/[\p{L}\p{M}]+/gu, (word) => {
    if (hasMark(word)) return word;
    const found = accented.get(fold(word));
    if (!found) return word;
    // the reading's case is kept: « CHLOE » → « CHLOÉ », « Chloe » → « Chloé »
    const upper = word === word.toLocaleUpperCase('fr');
    return upper ? found.toLocaleUpperCase('fr') : found[0]!.toLocaleUpperCase('fr') + found.slice(1).toLocaleLowerCase('fr');
  });
}

/**
 * A civility glued to the surname by the OCR (« MFRANÇOIS Julien » for « M FRANÇOIS Julien »): split only when
 * another line of the page prints the same civility and surname apart, since « MBAPPE » or « MME » alone can
 * be a name's own letters.
 */
export function unglueCivility(page: OcrPage, value: string): string {
  const [first = '', ...others] = value.split(' ');
  const m = /^(MME|MLLE|MR|M)(\p{Lu}[\p{Lu}\p{M}'-]+)$/u.exec(first.normalize('NFC'));
  if (!m) return value;
  for (const line of page.lines) {
    const ws = line.words.map((w) => clean(w.text));
    for (let i = 0; i + 1 < ws.length; i++) {
      if (fold(ws[i]!).replace(/\.$/, '') === m[1] && ws[i + 1] === m[2]) return [m[1], m[2], ...others].join(' ');
    }
  }
  return value;
}

/**
 * The letter's recipient block printed to the right of the issuer's, each row of both read as one line
 * (« Direction générale des Finances publiques   M. ET MME LAURENT LUCAS »): the last cell of a line is the
 * name when the last cell of the next line, in the same column, starts with a street number.
 */
export function recipientBeside(page: OcrPage): PersonReading | undefined {
  const lines = page.lines;
  for (let i = 0; i + 1 < lines.length; i++) {
    const row = cells(lines[i]!.words);
    const next = cells(lines[i + 1]!.words);
    if (row.length < 2 || next.length < 2) continue;
    const name = row[row.length - 1]!;
    const street = next[next.length - 1]!;
    const h = Math.max(1, name[0]!.box.y1 - name[0]!.box.y0);
    if (Math.abs(street[0]!.box.x0 - name[0]!.box.x0) > 1.5 * h) continue;
    if (!/^\d{1,4}(?:\s?(?:BIS|TER|[A-Z]))?\b/i.test(street.map((w) => w.text).join(' '))) continue;
    const r = fromWords(name);
    if (r && r.value.split(' ').length === name.length) return { ...r, where: 'block' };
  }
  return undefined;
}
