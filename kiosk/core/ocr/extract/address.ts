/**
 * Justificatif de domicile: an energy, water or telephone bill, or a rent receipt (quittance de loyer). The
 * holder's name, the address of the home (street line, postcode, city) and the document's date. Labels tell
 * the home's address from the issuer's; the recipient block of the letter is the fallback.
 */
import { digitsOf, findDates } from './checks.ts';
import { findLabels, labelledCell, labelledText, lineBelow, textBox } from './labels.ts';
import type { Fields, OcrPage } from './page.ts';
import { fold, meanConfidence, reading } from './page.ts';
import { labelledPerson, recipientName, restoreAccents } from './person.ts';

const CIVILITY = /^(?:M|MR|MME|MLLE|MM|MONSIEUR|MADAME|M\.|MME\.)\b/i;

/** A French postcode: 01–95 (20 for Corsica), 97/98 overseas. */
export function isPlausiblePostcode(pc: string): boolean {
  if (!/^\d{5}$/.test(pc)) return false;
  const dept = Number(pc.slice(0, 2));
  return (dept >= 1 && dept <= 95) || dept === 97 || dept === 98;
}

export function personName(text: string): string | null {
  const v = text.replace(/[|_»«]+/g, ' ').replace(/\s+/g, ' ').trim().replace(/^(M|MME|MLLE)[-,:;·]\s/i, '$1 ');
  if (!CIVILITY.test(v) || /\d/.test(v) || v.split(' ').length < 2 || v.length > 80) return null;
  return v;
}

const POSTCODE_CITY = /(?<!\d)([0-9OQDILSB]{5})\s+([\p{Lu}][\p{Lu}\p{M}' -]*[\p{Lu}])(?:\s+CEDEX(?:\s+\d+)?)?\s*$/u;

function postcodeCity(text: string): { postcode: string; city: string; index: number } | null {
  const m = POSTCODE_CITY.exec(text.trim());
  if (!m) return null;
  const postcode = digitsOf(m[1]!);
  if (!/^\d{5}$/.test(postcode)) return null;
  return { postcode, city: m[2]!.trim(), index: m.index };
}

const STREET = /^\d{1,4}(?:\s?(?:BIS|TER|B|T))?[\s,]+\S+/i;

/** A line's text without the box borders and table rules read at its ends (« | 57 QUAI X, 34070 Y | »). */
function trimmed(text: string): string {
  return text.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}.]+$/gu, '').trim();
}

interface Address {
  street: string;
  postcode: string;
  city: string;
  confidence: number;
}

/** "12 RUE DES LILAS, 75011 PARIS" on one line, or the street here and "75011 PARIS" on the line below. */
function labelledAddress(page: OcrPage): Address | undefined {
  const label = /ADRESSE\s+DE\s+(?:CONSOMMATION|LIVRAISON|L'?\s*INSTALLATION|FOURNITURE)|ADRESSE\s+DU\s+LOGEMENT(?:\s+LOUE)?|LIEU\s+DE\s+CONSOMMATION|LOGEMENT\s+SITUE|ADRESSE\s+DES\s+LOCAUX/;
  for (const hit of findLabels(page, label)) {
    const rest = hit.rest.filter((w) => w.text !== ':');
    const text = trimmed(rest.map((w) => w.text).join(' '));
    const pc = postcodeCity(text);
    if (pc) {
      const street = text.slice(0, pc.index).replace(/[,\s-]+$/, '').trim();
      if (STREET.test(street)) return { street, ...pc, confidence: meanConfidence(rest) };
    }
    const below = lineBelow(page, textBox(hit.line), hit.lineIndex);
    // the label alone on its line, the address under it: « 12 rue X, 75011 PARIS » on one line
    if (below && rest.length === 0) {
      const t = trimmed(below.text);
      const pcb = postcodeCity(t);
      const street = pcb ? t.slice(0, pcb.index).replace(/[,\s-]+$/, '').trim() : '';
      if (pcb && STREET.test(street)) return { street, ...pcb, confidence: meanConfidence(below.words) };
    }
    if (below && STREET.test(text)) {
      const pc2 = postcodeCity(trimmed(below.text));
      if (pc2 && pc2.index === 0) return { street: text.replace(/[,\s]+$/, ''), ...pc2, confidence: meanConfidence([...rest, ...below.words]) };
    }
  }
  return undefined;
}

/** The letter's recipient block: the holder's name, then street, then postcode and city. */
function recipientBlock(page: OcrPage, holder: string | undefined): Address | undefined {
  const lines = page.lines;
  for (let i = 0; i + 2 < lines.length; i++) {
    const name = personName(trimmed(lines[i]!.text));
    if (!name || (holder && fold(name) !== fold(holder))) continue;
    const street = trimmed(lines[i + 1]!.text);
    if (!STREET.test(street)) continue;
    // the postcode's line under the street, or under one line of complement (« Escalier 3, 2e étage »,
    // « Bâtiment B »: words without a postcode)
    for (const k of [i + 2, i + 3]) {
      const pc = k < lines.length ? postcodeCity(trimmed(lines[k]!.text)) : null;
      if (pc && pc.index === 0) {
        const complement = k === i + 3 ? 0.9 : 1;
        return { street, ...pc, confidence: meanConfidence([...lines[i + 1]!.words, ...lines[k]!.words]) * complement };
      }
      if (k === i + 2 && (pc || /\d{5}/.test(lines[k]!.text) || STREET.test(trimmed(lines[k]!.text)))) break;
    }
  }
  return undefined;
}

/**
 * The home's address is printed twice on a bill, in the recipient block and after its label: two readings of
 * the same postcode are two readings of one address: when they agree they confirm each other, otherwise the
 * surer one is kept (a noisy « ULE » for « LILLE » in one of them) and doubted. Different postcodes: the
 * labelled one, which names the home.
 */
function bestAddress(labelled: Address | undefined, block: Address | undefined): Address | undefined {
  if (!labelled || !block || labelled.postcode !== block.postcode) return labelled ?? block;
  const same = fold(labelled.street) === fold(block.street) && fold(labelled.city) === fold(block.city);
  const best = block.confidence > labelled.confidence ? block : labelled;
  // different words: one reading is wrong, and the surer one may be too — under the calibration's floor, so
  // the person always looks
  return { ...best, confidence: same ? Math.max(labelled.confidence, block.confidence) : Math.min(0.7, best.confidence * 0.85) };
}

export function extractProofOfAddress(page: OcrPage): Fields {
  const fields: Fields = {};
  // labelled (« Client » without colon too, but not « numéro de client »), else the letter's recipient
  const holder =
    labelledPerson(page, [/TITULAIRE\s+DU\s+CONTRAT|NOM\s+DU\s+CLIENT|\bLOCATAIRE\b|\bTITULAIRE\b|(?<!(?:NUMERO|N°|REFERENCE)\s+(?:DE\s+)?)\bCLIENT\b/]) ??
    recipientName(page);
  if (holder) fields.holder = reading(holder.value, holder.where === 'block' ? holder.confidence * 0.8 : holder.confidence, true);
  const address = bestAddress(labelledAddress(page), recipientBlock(page, holder?.value));
  if (address) {
    // accents dropped in the reading kept and kept in the other one (the recipient block, the labelled line)
    fields.address = reading(restoreAccents(page, address.street), address.confidence, true);
    const ok = isPlausiblePostcode(address.postcode);
    fields.postcode = reading(address.postcode, ok ? address.confidence : address.confidence * 0.5, ok);
    fields.city = reading(restoreAccents(page, address.city), address.confidence, true);
  }
  const dateLabel = /DATE\s+DE\s+(?:LA\s+)?FACTURE|DATE\s+D'?\s*EMISSION|FACTURE\s+DU\b|EMISE?\s*LE\b|FAIT\s+A\b.*\bLE\b|DATE\s*:/;
  // after the label, else in the cell under it (a row of labels over a row of values)
  const date =
    labelledText(page, dateLabel, (t) => leadingDate(t) ?? findDates(t)[0]?.iso, ['rest', 'right']) ??
    labelledText(page, dateLabel, leadingDateRepaired, ['rest', 'right']) ??
    labelledCell(page, dateLabel, (t) => leadingDate(t) ?? leadingDateRepaired(t)) ??
    // « Date » alone, without its colon (a rent receipt's row, a grid's label): last, as a table's column
    // head says « Date » too; the value must start right after it
    labelledText(page, LONE_DATE, leadingDate, ['rest', 'right']) ??
    labelledCell(page, LONE_DATE, leadingDate);
  // a repaired date (separators lost, a mark on its day) stays under the calibration's floor: always looked at
  if (date) fields.date = reading(date.value.replace(REPAIRED, ''), date.value.endsWith(REPAIRED) ? Math.min(0.7, date.confidence * 0.8) : date.confidence, true);
  return fields;
}

/** « Date » with no complement (« Date d'échéance », « Date limite… » name other dates). */
const LONE_DATE = /^DATE\b(?!\s*(?:D'|D\b|DE\b|DU\b|DES\b|LIMITE|DEBUT|FIN|ECHEANCE|PREVUE))/;

/** The date a value starts with: a cell under a label that starts with words is another label's (« Période… du 01/06 »). */
function leadingDate(text: string): string | undefined {
  const t = trimmed(text);
  const d = findDates(t)[0];
  return d && d.index === 0 ? d.iso : undefined;
}

/** Marks a date read only after a repair, for a lower confidence. */
const REPAIRED = '~';

/**
 * A date whose separators OCR lost (« 31122023 ») or with a mark glued to its day (« J03-07-2024 », the box's
 * border): read only where the label says a date stands, and only when the day, month and year are plausible.
 */
export function leadingDateRepaired(text: string): string | undefined {
  const t = trimmed(text);
  const compact = /^(\d{2})(\d{2})((?:19|20)\d{2})(?!\d)/.exec(t);
  if (compact) {
    const iso = findDates(`${compact[1]}/${compact[2]}/${compact[3]}`)[0]?.iso;
    if (iso) return iso + REPAIRED;
  }
  const glued = /^\p{L}(?=\d{2}\s?[/.-])/u.exec(t);
  const d = glued ? leadingDate(t.slice(1)) : undefined;
  return d ? d + REPAIRED : undefined;
}
