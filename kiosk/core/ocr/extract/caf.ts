/**
 * Attestation de paiement of a caisse d'allocations familiales: the numéro d'allocataire (7 digits), the
 * beneficiary, the month paid, and one amount per benefit (`amount_apl`, `amount_prime_activite`, …) plus
 * the total when printed. No 2D-Doc type exists for it in the ANTS specification: OCR only.
 */
import { digitsOf, findAmounts, findMonth } from './checks.ts';
import { labelledText } from './labels.ts';
import type { Fields, OcrPage } from './page.ts';
import { fold, reading } from './page.ts';
import { labelledPerson, personInSentences, recipientName } from './person.ts';

/** Benefit names as the caisses print them → field name. Order matters: specific names first. */
export const BENEFITS: readonly { key: string; re: RegExp }[] = [
  { key: 'amount_apl', re: /AIDE\s+PERSONNALISEE\s+AU\s+LOGEMENT|\bAPL\b/ },
  { key: 'amount_als', re: /ALLOCATION\s+DE\s+LOGEMENT\s+SOCIALE|\bALS\b/ },
  { key: 'amount_alf', re: /ALLOCATION\s+DE\s+LOGEMENT\s+FAMILIALE|\bALF\b/ },
  { key: 'amount_prime_activite', re: /PRIME\s+D'?\s*ACTIVITE/ },
  { key: 'amount_rsa', re: /REVENU\s+DE\s+SOLIDARITE\s+ACTIVE|\bRSA\b/ },
  { key: 'amount_aah', re: /ALLOCATION\s+AUX\s+ADULTES\s+HANDICAPES|\bAAH\b/ },
  { key: 'amount_ars', re: /ALLOCATION\s+DE\s+RENTREE\s+SCOLAIRE|\bARS\b/ },
  { key: 'amount_asf', re: /ALLOCATION\s+DE\s+SOUTIEN\s+FAMILIAL|\bASF\b/ },
  { key: 'amount_cf', re: /COMPLEMENT\s+FAMILIAL/ },
  { key: 'amount_paje', re: /ACCUEIL\s+DU\s+JEUNE\s+ENFANT|\bPAJE\b/ },
  { key: 'amount_af', re: /ALLOCATIONS\s+FAMILIALES(?!\s+DE\s)/ },
];

function allocataire(text: string): string | null {
  const m = /(?<![0-9A-Z])([0-9OQDILSB]{7})(?![0-9A-Z])/.exec(fold(text).replace(/(\d)\s(?=\d)/g, '$1'));
  if (!m) return null;
  const v = digitsOf(m[1]!);
  return /^\d{7}$/.test(v) ? v : null;
}

/**
 * Labels of the beneficiary, most specific first; « allocataire » alone is also the word of the number's
 * label (« Numéro allocataire »), which names no one.
 */
const HOLDER_LABELS = [
  /NOM\s+(?:ET\s+PRENOMS?\s+)?DE\s+L'?\s*ALLOCATAIRE/,
  /(?<!(?:NUMERO|N°|NO|REFERENCE|NUM\.?|DOSSIER|DE\s+L'?)\s*)\bALLOCATAIRE\b(?!S)/,
  /\bBENEFICIAIRE\b/,
];

export function extractCafCertificate(page: OcrPage): Fields {
  const fields: Fields = {};
  const num = labelledText(page, /(?:N(?:°|O\.?|UMERO)|REFERENCE|MATRICULE)\s*(?:D'?\s*|DE\s+L'?\s*)?ALLOCATAIRE/, allocataire);
  if (num) fields.allocataireNumber = reading(num.value, num.confidence, true);
  // labelled, else named in the letter's text, else the recipient of the letter
  const holder = labelledPerson(page, HOLDER_LABELS) ?? personInSentences(page) ?? recipientName(page);
  if (holder) fields.holder = reading(holder.value, holder.where === 'block' ? holder.confidence * 0.8 : holder.confidence, true);
  const period = labelledText(page, /PERIODE|MOIS\s+DE|AU\s+TITRE\s+D/, (t) => findMonth(t)?.ym);
  if (period) fields.period = reading(period.value, period.confidence, true);

  for (const line of page.lines) {
    const t = fold(line.text);
    const amounts = findAmounts(line.text);
    if (amounts.length === 0) continue;
    const last = amounts[amounts.length - 1]!;
    // An amount is the row's last number and is written with cents on these statements.
    if (!/\d,\d\d/.test(line.text.slice(last.index, last.index + last.length))) continue;
    if (/^\s*TOTAL/.test(t) || /\bTOTAL\s+(?:DES\s+)?(?:PAIEMENTS|VERSE)/.test(t)) {
      fields.total ??= reading(last.value, line.confidence, true);
      continue;
    }
    const b = BENEFITS.find((x) => x.re.test(t));
    if (b && !fields[b.key]) fields[b.key] = reading(last.value, line.confidence, true);
  }
  // The rows must add up to the printed total: if they do, every amount is confirmed; if not, one is misread.
  const rows = Object.entries(fields).filter(([k]) => k.startsWith('amount_'));
  if (fields.total && rows.length) {
    const sum = rows.reduce((s, [, v]) => s + Math.round(Number(v.value) * 100), 0);
    const agrees = sum === Math.round(Number(fields.total.value) * 100);
    for (const [k, v] of [...rows, ['total', fields.total] as const]) {
      fields[k] = reading(v.value, agrees ? Math.max(v.confidence, 0.95) : v.confidence * 0.6, agrees);
    }
  }
  return fields;
}
