/**
 * Carte Vitale and attestation de droits à l'assurance maladie: the NIR (numéro de sécurité sociale, 13
 * characters and a 2-digit key = 97 − (NIR mod 97), with Corsica's 2A/2B counted as 19/18) and the holder.
 * The value is returned without spaces: "285057800608436", "1850520A0608436"-like for Corsica.
 */
import { isValidNir } from './checks.ts';
import { findLabels, labelledText, lineBelow, textBox } from './labels.ts';
import type { Fields, OcrLine, OcrPage } from './page.ts';
import { fold, meanConfidence, reading } from './page.ts';
import { labelledPerson } from './person.ts';

const D = '[0-9OQDILS]';
const NIR_RE = new RegExp(`(?<![0-9A-Z])([12378])\\s?(${D}{2})\\s?(${D}{2})\\s?(${D}{2}|2A|2B)\\s?(${D}{3})\\s?(${D}{3})\\s?(${D}{2})(?![0-9])`);

function digits(s: string): string {
  return s.replace(/[OQD]/g, '0').replace(/[IL]/g, '1').replace(/S/g, '5');
}

/** A NIR written in its usual groups ("2 85 05 78 006 084 36"), look-alike letters read as digits. */
export function findNir(text: string): { value: string; valid: boolean } | null {
  const m = NIR_RE.exec(fold(text));
  if (!m) return null;
  const dept = /^2[AB]$/.test(m[4]!) ? m[4]! : digits(m[4]!);
  const value = `${m[1]}${digits(m[2]!)}${digits(m[3]!)}${dept}${digits(m[5]!)}${digits(m[6]!)}${digits(m[7]!)}`;
  if (!/^\d{5}(?:\d\d|2A|2B)\d{8}$/.test(value)) return null;
  return { value, valid: isValidNir(value) };
}

function nameLine(text: string): string | null {
  const v = text.replace(/[|_]+/g, ' ').replace(/\s+/g, ' ').trim();
  return /^[\p{Lu}][\p{Lu}\p{M}' -]+$/u.test(v) && v.split(' ').length >= 2 && v.length <= 60 ? v : null;
}

function nirFields(value: string, valid: boolean, confidence: number): Fields {
  return { nir: reading(value, valid ? Math.max(confidence, 0.95) : confidence * 0.5, valid) };
}

export function extractHealthInsurance(page: OcrPage): Fields {
  let fields: Fields = {};
  const labelled = labelledText(page, /SECURITE\s+SOCIALE|\bNIR\b|IMMATRICULATION/, findNir);
  let nirLine: OcrLine | undefined;
  if (labelled) fields = nirFields(labelled.value.value, labelled.value.valid, labelled.confidence);
  else {
    // The card prints the number alone under the holder's name.
    const found = page.lines.map((l) => ({ l, n: findNir(l.text) })).filter((x) => x.n);
    const best = found.find((x) => x.n!.valid) ?? found[0];
    if (best) {
      fields = nirFields(best.n!.value, best.n!.valid, best.l.confidence);
      nirLine = best.l;
    }
  }
  // « Assuré(e) » and not « assurés » (« Service relations assurés »), nor the word of a table's last column
  const holder = labelledPerson(page, [/\bNOM\s+DE\s+L'?\s*ASSURE|\bASSURE(?:\(?E\)?)?(?!S)\b/, /\bBENEFICIAIRE\b/, /\bTITULAIRE\b/]);
  if (holder) fields.holder = reading(holder.value, holder.confidence, true);
  else if (nirLine) {
    // On the card the name is the line just above the number.
    const idx = page.lines.indexOf(nirLine);
    for (let i = idx - 1; i >= 0 && i >= idx - 2; i--) {
      const n = nameLine(page.lines[i]!.text);
      if (n) {
        fields.holder = reading(n, meanConfidence(page.lines[i]!.words), true);
        break;
      }
    }
  }
  // The card's label "Nom" with the name below, on some models.
  if (!fields.holder) {
    for (const hit of findLabels(page, /^NOM\b/)) {
      const below = lineBelow(page, textBox(hit.line), hit.lineIndex);
      const n = below ? nameLine(below.text) : null;
      if (n) {
        fields.holder = reading(n, meanConfidence(below!.words), true);
        break;
      }
    }
  }
  return fields;
}
