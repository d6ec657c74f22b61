/**
 * Bulletin de salaire: employer, SIRET (14 digits, Luhn), employee, pay period, net paid (after the tax
 * withheld at source; "net à payer" when no "net payé" line is printed) and net taxable pay.
 */
import { digitsOf, findAmounts, findDates, findMonth, isValidSiret } from './checks.ts';
import { cellUnder, cells, findLabels, labelledCell, labelledText, looseMonth, oneOff, sameRowRight, untilNextLabel } from './labels.ts';
import type { Fields, OcrPage } from './page.ts';
import { fold, meanConfidence, reading } from './page.ts';
import { isCivility, labelledPerson, nameAt, recipientName, unglueCivility } from './person.ts';

export function findSiret(text: string): { value: string; corrections: number } | null {
  const t = fold(text);
  const m = /(?<![0-9A-Z])([0-9OQDILSB]{3}\s?[0-9OQDILSB]{3}\s?[0-9OQDILSB]{3}\s?[0-9OQDILSB]{5})(?![0-9])/.exec(t);
  if (!m) return null;
  const raw = m[1]!.replace(/\s/g, '');
  const value = digitsOf(raw);
  if (!/^\d{14}$/.test(value)) return null;
  return { value, corrections: [...raw].filter((c, i) => c !== value[i]).length };
}

/**
 * A SIRET whose label was lost to the OCR (« neser 636 205 734 88870 »): the one 14-digit number of the page
 * that passes its check. A number found without its label is shown for checking; two such numbers, none.
 */
function lonelySiret(page: OcrPage): { value: string; confidence: number } | undefined {
  const found = new Map<string, number>();
  for (const line of page.lines) {
    const words = line.words.map((w) => w.text);
    for (let i = 0; i < words.length; i++) {
      const s = findSiret(words.slice(i, i + 4).join(' '));
      if (s && s.corrections === 0 && isValidSiret(s.value)) found.set(s.value, Math.max(found.get(s.value) ?? 0, line.confidence));
    }
  }
  if (found.size !== 1) return undefined;
  const [value, confidence] = [...found][0]!;
  return { value, confidence: confidence * 0.75 };
}

const centsOf = (decimal: string) => Math.round(Number(decimal) * 100);

/** Every amount with cents printed on the page, in cents. */
function printedAmounts(page: OcrPage): Set<number> {
  const out = new Set<number>();
  for (const line of page.lines) {
    const text = line.text.replace(/(\d)\.(\d\d)(?=\s*(?:€|EUR\b|$|\s|[|\]]))/g, '$1,$2');
    for (const a of findAmounts(text)) if (/,\d\d/.test(text.slice(a.index, a.index + a.length))) out.add(Math.abs(centsOf(a.value)));
  }
  return out;
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
  // a company's name starts with a capital or a figure; « (mesirer » is a neighbouring label misread
  const first = /[\p{L}\d]/u.exec(v)?.[0] ?? '';
  const capitalOrFigure = /\d/.test(first) || first !== first.toLowerCase();
  return v.length >= 3 && /\p{L}{2,}/u.test(v) && !/\bSIRET\b/i.test(v) && capitalOrFigure ? v : null;
}

/** The amount of a label: after it, to its right, or in the cell under it (a row of labels over a row of values). */
function labelledAmount(page: OcrPage, label: RegExp, skip?: RegExp, read: (text: string) => string | undefined = lastAmount): { value: string; confidence: number } | undefined {
  for (const hit of findLabels(page, label)) {
    // the year-to-date totals and the like name the same figures: « Cumuls : … net imposable 4 048,20 € »
    if (skip?.test(fold(hit.line.text))) continue;
    const sources = [hit.rest, ...sameRowRight(page, hit).map((l) => l.words)];
    for (const words of sources) {
      const v = read(untilNextLabel(words.map((w) => w.text).join(' ')));
      if (v) return { value: v, confidence: meanConfidence(words) };
    }
    // a figure on the label's row that is no amount (its comma lost): the row under is another row's
    if (sources.some((ws) => ws.some((w) => /\d{3}/.test(w.text)))) continue;
    const under = cellUnder(page, hit);
    const text = under.map((w) => w.text).join(' ');
    if (skip?.test(fold(text))) continue;
    const v = read(text);
    if (v) return { value: v, confidence: meanConfidence(under) };
  }
  return undefined;
}

/**
 * The amount of a row whose decimal comma the OCR lost (« 187380 € » for 1 873,80 €): a bare figure of
 * three digits or more ending the text is read as cents. Only used where a sum checks the result.
 */
function amountLostComma(text: string): string | undefined {
  if (lastAmount(text)) return undefined;
  const m = /(?<![\d,.])(\d{3,8})\s*(?:€|EUR\b)?\s*\W*$/.exec(text);
  return m ? (Number(m[1]) / 100).toFixed(2) : undefined;
}

function scaled<T extends { confidence: number }>(v: T | undefined, factor: number): T | undefined {
  return v && { ...v, confidence: v.confidence * factor };
}

/**
 * The net paid and the net before tax read with their commas lost (« 189543 € », « 187380 € »): taken when
 * the net before tax less the tax withheld makes the net paid, as the three are printed.
 */
function lostCommaNet(page: OcrPage, tax: string): { value: string; confidence: number } | undefined {
  const either = (label: RegExp, skip: RegExp) => labelledAmount(page, label, skip) ?? labelledAmount(page, label, skip, amountLostComma);
  const paid = either(/NET\s+PAYE\b|MONTANT\s+NET\s+VERSE|NET\s+VERSE\b/, NOT_THIS_MONTH) ?? either(/NET\s+A\s+PAYER\b(?!\s+AVANT)/, NOT_THIS_MONTH);
  const before = either(/NET\s+A\s+PAYER\s+AVANT/, /CUMUL|ANNUEL|DEPUIS/);
  if (!paid || !before || centsOf(before.value) - Math.abs(centsOf(tax)) !== centsOf(paid.value)) return undefined;
  return { value: paid.value, confidence: Math.min(paid.confidence, before.confidence) };
}

/**
 * The net taxable read with its comma lost (« 209411 € »): read as cents when that lies between the net
 * before tax and the gross pay, as net taxable pay does (the CSG and CRDS not deducted from tax come on top
 * of the net). Shown for checking.
 */
function taxableLostComma(page: OcrPage, before: { value: string } | undefined): { value: string; confidence: number } | undefined {
  const gross = labelledAmount(page, /SALAIRE\s+BRUT|TOTAL\s+BRUT|\bBRUT\s+TOTAL/, /CUMUL|ANNUEL|DEPUIS/);
  if (!before || !gross) return undefined;
  const v = labelledAmount(page, /NET\s+IMPOSABLE|NET\s+FISCAL/, /CUMUL|ANNUEL|DEPUIS/, amountLostComma);
  if (!v || Number(v.value) < Number(before.value) || Number(v.value) > Number(gross.value)) return undefined;
  return { value: v.value, confidence: v.confidence * 0.6 };
}

/** Figures that are not this month's pay, though their labels contain the same words. */
const NOT_THIS_MONTH = /CUMUL|ANNUEL|DEPUIS|AVANT\s+IMPOT|BRUT/;

const HEADING = /\b(?:BULLETIN\s+DE\s+(?:PAIE|SALAIRE)|FICHE\s+DE\s+PAIE)\b/;

/**
 * The unlabelled employer: the sender's block at the top, a name line above a street line. A recipient's
 * block printed on the same row (« SAS Exemple      M DUPONT Jean ») and a heading are cut off.
 */
function employerBlock(page: OcrPage, employee?: string): { value: string; confidence: number } | undefined {
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
    if (!v || HEADING.test(fold(v))) return undefined;
    if (!nameAt(words.map((w) => w.text), 0)) return { value: v, confidence: meanConfidence(words) * 0.8 };
    // A name-like company (« EHPAD Les Glycines »): the sender's block is the employer's when the employee,
    // read under its label, is someone else.
    if (employee && fold(v).replace(/[^A-Z]/g, '') !== fold(employee).replace(/[^A-Z]/g, '')) return { value: v, confidence: meanConfidence(words) * 0.6 };
    return undefined;
  }
  return undefined;
}

/**
 * Dates of a pay period as a noisy picture gives them: the French ways (`findDates`), and also with their
 * separators lost (« du 01022023 au 28 02 2023 »), which only a period's « du … au … » makes safe to read.
 */
function periodDates(text: string): { iso: string; index: number; loose: boolean }[] {
  const out: { iso: string; index: number; loose: boolean }[] = findDates(text).map((d) => ({ iso: d.iso, index: d.index, loose: false }));
  if (out.length < 2 && /\bDU\b.*\bAU\b/.test(fold(text))) {
    for (const m of text.matchAll(/(?<![\d])([0-3]\d)([01]\d)((?:19|20)\d\d)(?!\d)/g)) {
      const [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const date = new Date(Date.UTC(y, mo - 1, d));
      if (date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) continue;
      out.push({ iso: date.toISOString().slice(0, 10), index: m.index, loose: true });
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

/**
 * The pay period after its label, else in the cell under it (a label over its value): two dates, or a month
 * (its first and last days). `factor` lowers the confidence of a label found by a looser rule; a month or a
 * date read by a looser rule lowers it too.
 */
function payPeriod(page: OcrPage, label: RegExp, factor: number): { start: string; end: string; confidence: number } | undefined {
  for (const hit of findLabels(page, label)) {
    const rest = hit.rest.map((w) => w.text).join(' ');
    const found = (t: string) => periodDates(t).length >= 2 || findMonth(t) || looseMonth(t);
    const text = found(rest) ? rest : cellUnder(page, hit).map((w) => w.text).join(' ');
    const dates = periodDates(text);
    if (dates.length >= 2) {
      const loose = dates[0]!.loose || dates[1]!.loose;
      return { start: dates[0]!.iso, end: dates[1]!.iso, confidence: hit.line.confidence * factor * (loose ? 0.8 : 1) };
    }
    const strict = findMonth(text);
    const month = strict ?? looseMonth(text);
    if (month) {
      const [y, m] = month.ym.split('-').map(Number);
      const last = new Date(Date.UTC(y!, m!, 0)).getUTCDate();
      return { start: `${month.ym}-01`, end: `${month.ym}-${String(last).padStart(2, '0')}`, confidence: hit.line.confidence * factor * (strict ? 1 : 0.7) };
    }
  }
  return undefined;
}

export function extractPayslip(page: OcrPage): Fields {
  const fields: Fields = {};
  // the employee under its label, under the label misread by a letter (« Salarlé(e) »), else the recipient
  const employee =
    labelledPerson(page, [/NOM\s+(?:ET\s+PRENOMS?\s+)?DU\s+SALARIE/, /\bSALARIE(?:\(?E\)?)?\b(?!\s+(?:BRUT|NET))/, /\bEMPLOYE\(?E?\)?\s*:/]) ??
    scaled(labelledPerson(page, [new RegExp(`\\b${oneOff('SALARIE')}(?:\\(?E\\)?)?(?![A-Z])(?!\\s+(?:BRUT|NET))`)]), 0.8) ??
    recipientName(page);
  if (employee) fields.employee = reading(unglueCivility(page, employee.value), employee.where === 'block' ? employee.confidence * 0.8 : employee.confidence, true);
  const employer = labelledText(page, /\bEMPLOYEUR\b/, company, ['rest', 'right']) ?? labelledCell(page, /\bEMPLOYEUR\b/, company) ?? employerBlock(page, employee?.value);
  if (employer) fields.employer = reading(employer.value, employer.confidence, true);
  const siret = labelledText(page, /\bSIRET\b/, findSiret) ?? labelledCell(page, /\bSIRET\b/, findSiret);
  const unlabelled = siret ? undefined : lonelySiret(page);
  if (unlabelled) fields.siret = reading(unlabelled.value, unlabelled.confidence, true);
  else if (siret) {
    const valid = isValidSiret(siret.value.value);
    fields.siret = reading(siret.value.value, (valid ? Math.max(siret.confidence, 0.9) : siret.confidence * 0.5) * 0.97 ** siret.value.corrections, valid);
  }
  const period = payPeriod(page, /PERIODE/, 1) ?? payPeriod(page, new RegExp(`\\b${oneOff('PERIODE')}\\b`), 0.8);
  if (period) {
    fields.periodStart = reading(period.start, period.confidence, period.start <= period.end);
    fields.periodEnd = reading(period.end, period.confidence, period.start <= period.end);
  }

  // the net paid after the tax withheld at source, never the « net à payer avant impôt »
  const paid =
    labelledAmount(page, /NET\s+PAYE\b|MONTANT\s+NET\s+VERSE|NET\s+VERSE\b/, NOT_THIS_MONTH) ??
    labelledAmount(page, /NET\s+A\s+PAYER\b(?!\s+AVANT)/, NOT_THIS_MONTH);
  // The net paid is the net before tax less the tax withheld: three readings that agree confirm it, and when
  // its own row is unreadable, the difference is the net paid if the page prints it somewhere.
  const before = labelledAmount(page, /NET\s+A\s+PAYER\s+AVANT/, /CUMUL|ANNUEL|DEPUIS/);
  const tax = labelledAmount(page, /PRELEVE\S*\s+A\s+LA\s+SOURCE|PRELEVEMENT\s+A\s+LA\s+SOURCE/, /CUMUL|ANNUEL|DEPUIS/);
  const afterTax = before && tax ? centsOf(before.value) - Math.abs(centsOf(tax.value)) : undefined;
  if (paid) {
    const agrees = afterTax === centsOf(paid.value);
    fields.netPay = reading(paid.value, agrees ? Math.max(paid.confidence, 0.95) : paid.confidence, Number(paid.value) > 0);
  } else if (before && tax && afterTax !== undefined && afterTax > 0 && afterTax !== centsOf(before.value) && printedAmounts(page).has(afterTax)) {
    fields.netPay = reading((afterTax / 100).toFixed(2), Math.min(before.confidence, tax.confidence) * 0.85, true);
  } else if (tax && lostCommaNet(page, tax.value)) {
    const v = lostCommaNet(page, tax.value)!;
    fields.netPay = reading(v.value, Math.min(v.confidence, tax.confidence) * 0.8, true);
  } else if (before && tax && afterTax !== undefined && afterTax > 0 && afterTax !== centsOf(before.value)) {
    // The net paid row unreadable and its figure printed nowhere legible: the net before tax less the tax
    // withheld is what is usually paid (other items may come between), shown for the person to check.
    fields.netPay = reading((afterTax / 100).toFixed(2), Math.min(before.confidence, tax.confidence) * 0.5, true);
  } else if (before) {
    // Only the net before tax is printed (or read): it is the net paid when nothing is withheld, so it is
    // shown, for the person to check.
    fields.netPay = reading(before.value, before.confidence * 0.6, Number(before.value) > 0);
  }
  // the label misread by a letter (« net imposabte ») or cut short (« Net fisc ») is a weaker sign
  const taxable =
    labelledAmount(page, /NET\s+IMPOSABLE|NET\s+FISCAL/, /CUMUL|ANNUEL|DEPUIS/) ??
    scaled(labelledAmount(page, new RegExp(`NET\\s+${oneOff('IMPOSABLE')}\\b|NET\\s+FISC`), /CUMUL|ANNUEL|DEPUIS/), 0.8) ??
    taxableLostComma(page, before);
  if (taxable) fields.netTaxable = reading(taxable.value, taxable.confidence, Number(taxable.value) > 0);
  return fields;
}
