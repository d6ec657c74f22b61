/**
 * Bulletin de salaire: employer, SIRET (14 digits, Luhn), employee, pay period, net paid (after the tax
 * withheld at source; "net à payer" when no "net payé" line is printed) and net taxable pay.
 */
import { digitsOf, findAmounts, findDates, findMonth, isValidSiret } from './checks.ts';
import { findLabels, labelledText } from './labels.ts';
import type { Fields, OcrPage } from './page.ts';
import { fold, reading } from './page.ts';
import { personName } from './address.ts';

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
  const all = findAmounts(text).filter((a) => /,\d\d/.test(text.slice(a.index, a.index + a.length)));
  return all[all.length - 1]?.value;
}

function company(text: string): string | null {
  const v = text.replace(/[|_]+/g, ' ').replace(/\s+/g, ' ').trim();
  return v.length >= 3 && /\p{L}{2,}/u.test(v) && !/\bSIRET\b/i.test(v) ? v : null;
}

export function extractPayslip(page: OcrPage): Fields {
  const fields: Fields = {};
  const employer = labelledText(page, /\bEMPLOYEUR\b/, company, ['rest', 'right']);
  if (employer) fields.employer = reading(employer.value, employer.confidence, true);
  const siret = labelledText(page, /\bSIRET\b/, findSiret);
  if (siret) {
    const valid = isValidSiret(siret.value.value);
    fields.siret = reading(siret.value.value, (valid ? Math.max(siret.confidence, 0.9) : siret.confidence * 0.5) * 0.97 ** siret.value.corrections, valid);
  }
  const employee = labelledText(page, /\bSALARIE\b|\bEMPLOYE\b/, personName, ['rest', 'right', 'below']);
  if (employee) fields.employee = reading(employee.value, employee.confidence, true);

  for (const hit of findLabels(page, /PERIODE/)) {
    const text = [hit.rest.map((w) => w.text).join(' ')].join(' ');
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

  const paid = labelledText(page, /NET\s+PAYE\b/, lastAmount, ['rest', 'right']) ?? labelledText(page, /NET\s+A\s+PAYER/, lastAmount, ['rest', 'right']);
  if (paid) fields.netPay = reading(paid.value, paid.confidence, Number(paid.value) > 0);
  const taxable = labelledText(page, /NET\s+IMPOSABLE|NET\s+FISCAL/, lastAmount, ['rest', 'right']);
  if (taxable) fields.netTaxable = reading(taxable.value, taxable.confidence, Number(taxable.value) > 0);
  return fields;
}
