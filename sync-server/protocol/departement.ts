/**
 * Départements, as a kiosk's copy of the directory is cut by them: which département a postcode or a
 * commune's INSEE code belongs to, and whether an office is in an area (a short list of départements).
 * Shared by the server (what a kiosk receives, the welcome letter's places) and the kiosk, so both read
 * an area the same way.
 *
 * A département is the first two characters of a code, three for the overseas ones (97x, 98x). Corsica
 * is the exception: its INSEE codes say 2A or 2B, but its postcodes all start with 20 — 200xx and 201xx
 * are in Corse-du-Sud, 202xx and 206xx in Haute-Corse, and any other 20xxx is read as both, so an office
 * is never left out of the area it is in.
 */
import { z } from 'zod';

/** A département's code: « 01 »…« 95 » (no « 20 »), « 2A », « 2B », « 971 »…« 978 », « 986 »…« 988 ». */
export const DepartementCode = z.string().regex(/^(?:0[1-9]|1\d|2[1-9AB]|[3-8]\d|9[0-5]|97[1-8]|98[6-8])$/);
export type DepartementCode = z.infer<typeof DepartementCode>;

/** The most départements one area may hold: a kiosk's copy is for the place it stands in and around. */
export const AREA_MAX_DEPARTEMENTS = 10;

/** A kiosk's area: one to ten départements, each once. */
export const DirectoryArea = z
  .array(DepartementCode)
  .min(1)
  .max(AREA_MAX_DEPARTEMENTS)
  .refine((a) => new Set(a).size === a.length, { message: 'each département once' });
export type DirectoryArea = z.infer<typeof DirectoryArea>;

const CORSE_DU_SUD = ['200', '201'];
const HAUTE_CORSE = ['202', '206'];
/** Corsican postcodes neither list claims: read as both départements. */
const CORSE_EITHER = ['203', '204', '205', '207', '208', '209'];

function valid(code: string): string | null {
  return DepartementCode.safeParse(code).success ? code : null;
}

/** The départements a postcode may be in: one, both Corsican ones for an unclear 20xxx, none for a code that is not French (« 00100 », Monaco). */
export function departementsOfPostcode(postcode: string): string[] {
  if (!/^\d{5}$/.test(postcode)) return [];
  const three = postcode.slice(0, 3);
  if (postcode.startsWith('20')) {
    if (CORSE_DU_SUD.includes(three)) return ['2A'];
    if (HAUTE_CORSE.includes(three)) return ['2B'];
    return ['2A', '2B'];
  }
  const code = valid(postcode.startsWith('97') || postcode.startsWith('98') ? three : postcode.slice(0, 2));
  return code === null ? [] : [code];
}

/** The département of a commune's INSEE code (« 69123 » → « 69 », « 2A004 » → « 2A », « 97411 » → « 974 »), null when it names none. */
export function departementOfCommune(insee: string): string | null {
  if (!/^(?:\d{5}|2[AB]\d{3})$/.test(insee)) return null;
  return valid(insee.startsWith('97') || insee.startsWith('98') ? insee.slice(0, 3) : insee.slice(0, 2));
}

/**
 * An area as prefixes: of the postcodes in it, and of the INSEE codes of its communes. What the server's
 * query and `inArea` both test, so the database and the code cannot disagree on where an office is.
 */
export interface AreaPrefixes {
  postcode: string[];
  commune: string[];
}

export function areaPrefixes(area: readonly string[]): AreaPrefixes {
  const postcode = new Set<string>();
  const commune = new Set<string>();
  for (const d of area) {
    if (valid(d) === null) continue;
    commune.add(d);
    if (d === '2A' || d === '2B') for (const p of [...(d === '2A' ? CORSE_DU_SUD : HAUTE_CORSE), ...CORSE_EITHER]) postcode.add(p);
    else postcode.add(d);
  }
  return { postcode: [...postcode].sort(), commune: [...commune].sort() };
}

/**
 * Whether an office is in the area: its own postcode is, or one of the communes it serves is (a CAF in
 * Lyon serving a commune of the Ain is in the Ain's area too).
 */
export function inArea(office: { postcode: string; communes?: readonly string[] | undefined }, prefixes: AreaPrefixes): boolean {
  if (prefixes.postcode.some((p) => office.postcode.startsWith(p))) return true;
  return (office.communes ?? []).some((c) => prefixes.commune.some((p) => c.startsWith(p)));
}

/** An area as staff type it (« 69, 01 2a »): codes upper-cased, each once, in order; null when one is not a département. */
export function parseArea(text: string): string[] | null {
  const codes = text
    .split(/[\s,;]+/)
    .filter((c) => c !== '')
    .map((c) => c.toUpperCase());
  const unique = [...new Set(codes)].sort();
  return DirectoryArea.safeParse(unique).success ? unique : null;
}
