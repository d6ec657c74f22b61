/**
 * Bulletin de salaire: employer, SIRET (14 digits, Luhn), employee, pay period, net paid (after the tax
 * withheld at source; "net à payer" when no "net payé" line is printed) and net taxable pay.
 */
import { digitsOf, findAmounts, findDates, findMonth, isValidSiret } from './checks.ts';
import { cellUnder, cells, findLabels, labelledCell, labelledText, sameRowRight, untilNextLabel } from './labels.ts';
import type { Fields, OcrPage } from './page.ts';
import { fold, meanConfidence, reading } from './page.ts';
import { isCivility, labelledPerson, nameAt, recipientName } from './person.ts';

export function findSiret(text: string): { value: string; corrections: number } | null {
  const t = fold(text);
  const m = /(?<![0-9A-Z])([0-9OQDILSB]{3}\s?[0-9OQDILSB]{3}\s?[0-9OQDILSB]{3}\s?[0-9OQDILSB]{5})(?![0-9])/.exec(t);
  if (!m) return null;
  const raw = m[1]!.replace(/\s/g, '');
  const value = digitsOf(raw);
  if (!/^\d{14}$/.test(value)) return null;
  return { value, corrections: [...raw].filter((c, i) => c !== value[i]).length };
}

function lastAmount(text: string): string | undefined {
  // a decimal comma read as a dot (« 2020.06 € »): two digits after a dot and before the currency or the end
  // are cents, never a thousands group (three digits)
  text = text.replace(/(\d)\.(\d\d)(?=\s*(?:€|EUR\b|$))/g, '$1,$2');
  const all = findAmounts(text).filter((a) => /,\d\d/.test(text.slice(a.index, a.index + a.length)));
  return all[all.length - 1]?.value;
}

function company(text: string): string | null {
  const v = text.replace(/[|_]+/g, ' ').replace(/\s+/g, ' ').trim();
  return v.length >= 3 && /\p{L}{2,}/u.test(v) && !/\bSIRET\b/i.test(v) ? v : null;
}

/** The amount of a label: after it, to its right, or in the cell under it (a row of labels over a row of values). */
function labelledAmount(page: OcrPage, label: RegExp, skip?: RegExp): { value: string; confidence: number } | undefined {
  for (const hit of findLabels(page, label)) {
    // the year-to-date totals and the like name the same figures: « Cumuls : … net imposable 4 048,20 € »
    if (skip?.test(fold(hit.line.text))) continue;
    const sources = [hit.rest, ...sameRowRight(page, hit).map((l) => l.words)];
    for (const words of sources) {
      const v = lastAmount(untilNextLabel(words.map((w) => w.text).join(' ')));
      if (v) return { value: v, confidence: meanConfidence(words) };
    }
    const under = cellUnder(page, hit);
    const text = under.map((w) => w.text).join(' ');
    if (skip?.test(fold(text))) continue;
    const v = lastAmount(text);
    if (v) return { value: v, confidence: meanConfidence(under) };
  }
  return undefined;
}

/** Figures that are not this month's pay, though their labels contain the same words. */
const NOT_THIS_MONTH = /CUMUL|ANNUEL|DEPUIS|AVANT\s+IMPOT|BRUT/;

const HEADING = /\b(?:BULLETIN\s+DE\s+(?:PAIE|SALAIRE)|FICHE\s+DE\s+PAIE)\b/;

/**
 * The unlabelled employer: the sender's block at the top, a name line above a street line. A recipient's
 * block printed on the same row (« SAS Exemple      M DUPONT Jean ») and a heading are cut off.
 */
function employerBlock(page: OcrPage): { value: string; confidence: number } | undefined {
  const lines = page.lines;
  for (let i = 0; i + 1 < lines.length && i < 12; i++) {
    if (!/^\d{1,4}(?:\s?(?:BIS|TER|[A-Z]))?\s+\p{L}/iu.test(lines[i + 1]!.text.trim())) continue;
    let words = lines[i]!.words;
    const heading = cells(words).findIndex((c) => HEADING.test(fold(c.map((w) => w.text).join(' '))));
    if (heading >= 0) words = cells(words).slice(0, heading).flat();
    // a person after the company on the same row: the shortest name that ends the line
    words = words.filter((w) => /[\p{L}\d&]/u.test(w.text));
    const texts = words.map((w) => w.text.replace(/^[([{|]+|[)\]}|]+$/g, ''));
    for (let k = texts.length - 2; k >= 1; k--) {
      const m = nameAt(texts, k);
      if (m && m.end === texts.length) {
        words = words.slice(0, k > 1 && isCivility(texts[k - 1]!) ? k - 1 : k);
        break;
      }
    }
    words = words.filter((w) => /[\p{L}\d&]/u.test(w.text));
    const v = company(words.map((w) => w.text).join(' '));
    if (v && !nameAt(words.map((w) => w.text), 0) && !HEADING.test(fold(v))) return { value: v, confidence: meanConfidence(words) * 0.8 };
    return undefined;
  }
  return undefined;
}

export function extractPayslip(page: OcrPage): Fields {
  const fields: Fields = {};
  const employer = labelledText(page, /\bEMPLOYEUR\b/, company, ['rest', 'right']) ?? labelledCell(page, /\bEMPLOYEUR\b/, company) ?? employerBlock(page);
  if (employer) fields.employer = reading(employer.value, employer.confidence, true);
  const siret = labelledText(page, /\bSIRET\b/, findSiret) ?? labelledCell(page, /\bSIRET\b/, findSiret);
  if (siret) {
    const valid = isValidSiret(siret.value.value);
    fields.siret = reading(siret.value.value, (valid ? Math.max(siret.confidence, 0.9) : siret.confidence * 0.5) * 0.97 ** siret.value.corrections, valid);
  }
  const employee =
    labelledPerson(page, [/NOM\s+(?:ET\s+PRENOMS?\s+)?DU\s+SALARIE/, /\bSALARIE(?:\(?E\)?)?\b(?!\s+(?:BRUT|NET))/, /\bEMPLOYE\(?E?\)?\s*:/]) ?? recipientName(page);
  if (employee) fields.employee = reading(employee.value, employee.where === 'block' ? employee.confidence * 0.8 : employee.confidence, true);
  for (const hit of findLabels(page, /PERIODE/)) {
    // after the label, else in the cell under it (a label over its value)
    const rest = hit.rest.map((w) => w.text).join(' ');
    const text = findDates(rest).length >= 2 || findMonth(rest) ? rest : cellUnder(page, hit).map((w) => w.text).join(' ');
    const dates = findDates(text);
    if (dates.length >= 2) {
      fields.periodStart = reading(dates[0]!.iso, hit.line.confidence, dates[0]!.iso <= dates[1]!.iso);
      fields.periodEnd = reading(dates[1]!.iso, hit.line.confidence, dates[0]!.iso <= dates[1]!.iso);
      break;
    }
    const month = findMonth(text);
    if (month) {
      const [y, m] = month.ym.split('-').map(Number);
      const last = new Date(Date.UTC(y!, m!, 0)).getUTCDate();
      fields.periodStart = reading(`${month.ym}-01`, hit.line.confidence, true);
      fields.periodEnd = reading(`${month.ym}-${String(last).padStart(2, '0')}`, hit.line.confidence, true);
      break;
    }
  }

  // the net paid after the tax withheld at source, never the « net à payer avant impôt »
  const paid =
    labelledAmount(page, /NET\s+PAYE\b|MONTANT\s+NET\s+VERSE|NET\s+VERSE\b/, NOT_THIS_MONTH) ??
    labelledAmount(page, /NET\s+A\s+PAYER\b(?!\s+AVANT)/, NOT_THIS_MONTH);
  if (paid) fields.netPay = reading(paid.value, paid.confidence, Number(paid.value) > 0);
  else {
    // Only the net before tax is printed (or read): it is the net paid when nothing is withheld, so it is
    // shown, for the person to check.
    const before = labelledAmount(page, /NET\s+A\s+PAYER\s+AVANT/, /CUMUL|ANNUEL|DEPUIS/);
    if (before) fields.netPay = reading(before.value, before.confidence * 0.6, Number(before.value) > 0);
  }
  const taxable = labelledAmount(page, /NET\s+IMPOSABLE|NET\s+FISCAL/, /CUMUL|ANNUEL|DEPUIS/);
  if (taxable) fields.netTaxable = reading(taxable.value, taxable.confidence, Number(taxable.value) > 0);
  return fields;
}
