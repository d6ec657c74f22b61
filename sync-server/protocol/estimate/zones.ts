// The zones of the aide au logement (arrêté du 17 mars 1978 relatif au classement des communes par zones,
// modifié): the rent ceilings depend on the zone of the commune. The table is assets/aids/zones-apl.json
// (sources in assets/README.md); this module only validates it and answers from it, so the server and the
// kiosk resolve a commune the same way. Pure zod: whoever reads the file passes its content.
import { z } from 'zod';

export type Zone = 1 | 2 | 3;

/** A commune's INSEE code (code officiel géographique): 5 digits, or 2A/2B and 3 digits in Corsica. */
export const INSEE_CODE = /^(\d{5}|2[AB]\d{3})$/;

const code = z.string().regex(INSEE_CODE, 'un code commune INSEE a 5 caractères, par exemple 31555.');
const zone = z.union([z.literal(1), z.literal(2), z.literal(3)]);
const department = z.string().regex(/^(\d{2}|2[AB]|97\d)$/);

/** [code INSEE, nom, codes postaux séparés par des espaces, commune actuelle pour un arrondissement ou une commune déléguée/associée]. */
const Commune = z.union([z.tuple([code, z.string().min(1), z.string()]), z.tuple([code, z.string().min(1), z.string(), code])]);

export const ZonesAplSchema = z
  .strictObject({
    source: z.record(z.string(), z.string()),
    /** Départements whose communes are all in one zone unless listed (others: zone 3). */
    departments: z.record(department, zone),
    /** Communes whose zone differs from their département's. */
    zones: z.strictObject({ '1': z.array(code), '2': z.array(code) }),
    communes: z.array(Commune).min(30_000, 'la table des communes semble incomplète.'),
  })
  .superRefine((t, ctx) => {
    const both = new Set(t.zones['1']);
    for (const c of t.zones['2']) if (both.has(c)) ctx.addIssue({ code: 'custom', path: ['zones'], message: `${c} est à la fois en zone 1 et en zone 2.` });
    const seen = new Set<string>();
    for (const [c] of t.communes) {
      if (seen.has(c)) ctx.addIssue({ code: 'custom', path: ['communes'], message: `${c} apparaît deux fois.` });
      seen.add(c);
    }
  });
export type ZonesAplFile = z.infer<typeof ZonesAplSchema>;

export interface Commune {
  code: string;
  name: string;
  postcodes: string[];
  /** For a municipal arrondissement or a commune déléguée/associée: the current commune it belongs to. */
  parent?: string;
}

/** The table, indexed once: build it with zonesApl(JSON.parse(file)). */
export interface ZonesApl {
  readonly communes: ReadonlyMap<string, Commune>;
  readonly explicit: ReadonlyMap<string, Zone>;
  readonly departments: Readonly<Record<string, Zone>>;
  /** Normalised names, in the order of `communes`, for the search. */
  readonly keys: readonly { key: string; commune: Commune }[];
}

/** Lower case, no accents, apostrophes and hyphens as spaces, « saint » spelt out: what a person types. */
export function normaliseName(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[’'\-_.]/g, ' ')
    .replace(/\bst(e?)\b/g, 'saint$1')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Validates and indexes the content of assets/aids/zones-apl.json; throws a zod error when it is broken. */
export function zonesApl(file: unknown): ZonesApl {
  const t = ZonesAplSchema.parse(file);
  const communes = new Map<string, Commune>();
  const keys: { key: string; commune: Commune }[] = [];
  for (const [c, name, postcodes, parent] of t.communes) {
    const commune: Commune = { code: c, name, postcodes: postcodes === '' ? [] : postcodes.split(' '), ...(parent === undefined ? {} : { parent }) };
    communes.set(c, commune);
    keys.push({ key: normaliseName(name), commune });
  }
  const explicit = new Map<string, Zone>();
  for (const c of t.zones['1']) explicit.set(c, 1);
  for (const c of t.zones['2']) explicit.set(c, 2);
  return { communes, explicit, departments: t.departments, keys };
}

const departmentOf = (c: string): string => (c.startsWith('97') ? c.slice(0, 3) : c.slice(0, 2));

/**
 * The zone of a commune, or null when the code is no commune the table knows. A commune listed in the
 * arrêté has its zone; an arrondissement or a commune déléguée/associée not listed itself takes the zone of
 * the commune it belongs to; then the département's, and everything else is zone 3.
 */
export function zoneOfCommune(t: ZonesApl, inseeCode: string): Zone | null {
  const own = t.explicit.get(inseeCode);
  if (own !== undefined) return own;
  const commune = t.communes.get(inseeCode);
  if (commune === undefined) return null;
  if (commune.parent !== undefined) {
    const parent = t.explicit.get(commune.parent);
    if (parent !== undefined) return parent;
  }
  return t.departments[departmentOf(commune.parent ?? inseeCode)] ?? 3;
}

/**
 * Communes matching what a person typed, for the kiosk's commune question: digits are a postcode or INSEE
 * code prefix (3 digits at least), anything else a name (start of the name first, then start of a word).
 * Current communes come before arrondissements and former communes; at most `limit` results.
 */
export function searchCommunes(t: ZonesApl, query: string, limit = 20): Commune[] {
  const q = query.trim();
  if (/^(\d{3,5}|2[AB]\d{0,3})$/i.test(q)) {
    const upper = q.toUpperCase();
    const hits = t.keys.filter(({ commune }) => commune.code.startsWith(upper) || commune.postcodes.some((p) => p.startsWith(upper))).map((k) => k.commune);
    return rank(hits, (c) => (c.postcodes.some((p) => p === upper) || c.code === upper ? 0 : 1)).slice(0, limit);
  }
  const key = normaliseName(q);
  if (key.length < 2) return [];
  const hits: { commune: Commune; score: number }[] = [];
  for (const k of t.keys) {
    const score = k.key === key ? 0 : k.key.startsWith(key) ? 1 : k.key.includes(` ${key}`) ? 2 : -1;
    if (score >= 0) hits.push({ commune: k.commune, score });
  }
  const scoreOf = new Map(hits.map((h) => [h.commune.code, h.score]));
  return rank(
    hits.map((h) => h.commune),
    (c) => scoreOf.get(c.code) ?? 3,
  ).slice(0, limit);
}

function rank(xs: Commune[], score: (c: Commune) => number): Commune[] {
  return xs
    .map((c, i) => ({ c, i, s: score(c) * 2 + (c.parent === undefined ? 0 : 1) }))
    .sort((a, b) => a.s - b.s || a.c.name.localeCompare(b.c.name, 'fr') || a.i - b.i)
    .map((x) => x.c);
}
