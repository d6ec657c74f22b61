/**
 * Whether a paper is in the card holder's name. Names are compared folded: accents, case, hyphens and
 * apostrophes, civilities (« Mme », « M. », « Monsieur »…) and the order of the names do not count; a
 * married name beside the birth name (« DURAND née MARTIN », « épouse ») and a couple on one paper
 * (« M. ou Mme MARTIN Camille et Yanis ») still match. A birth date read on the paper must be the
 * holder's. Pure: the kiosk asks the person when it does not match; the server keeps the answer.
 */
import type { DocType } from './common.ts';

export interface Holder {
  firstName: string;
  lastName: string;
  /** YYYY-MM-DD, when known */
  birthDate?: string | null;
}

export type IdentityVerdict =
  /** the paper names the holder */
  | { verdict: 'match'; paperName: string }
  /** the paper names someone else, or another birth date */
  | { verdict: 'mismatch'; paperName: string; reason: 'name' | 'birth-date' }
  /** the paper gives no name to compare (a RIB whose holder was not read, an unknown paper) */
  | { verdict: 'unknown' };

const CIVILITIES = new Set(['M', 'MR', 'MME', 'MLLE', 'MONSIEUR', 'MADAME', 'MADEMOISELLE', 'MM', 'MMES', 'DR', 'OU', 'ET', 'NEE', 'NE', 'EPOUSE', 'EP', 'VEUVE', 'VVE']);

/** « Lefèvre-Ça » → ['LEFEVRE', 'CA']; civilities and linking words dropped. */
export function nameTokens(text: string): string[] {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/Œ/g, 'OE')
    .replace(/Æ/g, 'AE')
    .split(/[^A-Z]+/)
    .filter((t) => t.length > 0 && !CIVILITIES.has(t));
}

/** The person's name as each kind of paper gives it: the fields read, in the order to try. */
export function paperName(docType: DocType, fields: Readonly<Record<string, string | undefined>>): string | null {
  const joined = [fields.givenNames, fields.surname].filter((v): v is string => !!v && v.trim() !== '').join(' ');
  const candidates: (string | undefined)[] =
    docType === 'payslip' ? [fields.employee, fields.holder] : docType === 'identity-card' || docType === 'passport' || docType === 'residence-permit' ? [joined, fields.holder] : [fields.holder, joined, fields.employee];
  const found = candidates.find((v) => v !== undefined && nameTokens(v).length > 0);
  return found?.trim() ?? null;
}

/**
 * The holder's last name must be on the paper whole (each of its parts), and one of their first names
 * too — or only an initial of it, as some papers print (« C. MARTIN »).
 */
function namesMatch(holder: Holder, name: string): boolean {
  const onPaper = nameTokens(name);
  const words = new Set(onPaper);
  const last = nameTokens(holder.lastName);
  if (last.length === 0 || !last.every((t) => words.has(t))) return false;
  const firsts = nameTokens(holder.firstName);
  if (firsts.some((t) => words.has(t))) return true;
  // initials only: the paper's other words are single letters, and one is the first name's
  const rest = onPaper.filter((t) => !last.includes(t));
  return rest.length > 0 && rest.every((t) => t.length === 1) && firsts.some((f) => rest.includes(f[0]!));
}

export function matchHolder(holder: Holder, docType: DocType, fields: Readonly<Record<string, string | undefined>>): IdentityVerdict {
  const name = paperName(docType, fields);
  if (name === null) return { verdict: 'unknown' };
  if (!namesMatch(holder, name)) return { verdict: 'mismatch', paperName: name, reason: 'name' };
  const born = fields.birthDate;
  if (born && holder.birthDate && /^\d{4}-\d{2}-\d{2}$/.test(born) && born !== holder.birthDate.slice(0, 10)) return { verdict: 'mismatch', paperName: name, reason: 'birth-date' };
  return { verdict: 'match', paperName: name };
}
