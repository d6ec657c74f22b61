/**
 * The aid catalogue (assets/aids/catalogue.json): which aids exist, who handles them, how they are filed
 * (simple, bundle, linked) and which pièces justificatives each one asks for, depending on the person's
 * situation. The rules are dated data, not code branches: changing them is a new catalogue version with a
 * new `validFrom`, validated here (schema + cross-checks) before anything uses it. The same module says
 * which pieces a person already has in the vault and which are missing, and who issues a missing one.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DocType, IsoDate } from '../../../protocol/common.ts';
import type { FilingSituation as Situation } from '../../../protocol/applications.ts';
import { Activity, AidFamily, Housing, Nationality } from '../../../protocol/applications.ts';
import { addMonths, ISSUER_OF, type Issuer } from '../../../protocol/vault.ts';
import { paperAgeProblem } from '../../../protocol/paper-date.ts';

export const DEFAULT_CATALOGUE_PATH = join(import.meta.dirname, '..', '..', '..', '..', 'assets', 'aids', 'catalogue.json');

// ---------------------------------------------------------------------------------------------------
// Situation and conditions

// The situation is the filing questionnaire's answers, shared with the kiosk (protocol/applications.ts).
export { Activity, FilingSituation as Situation, Housing, Nationality } from '../../../protocol/applications.ts';


/**
 * When a checklist item applies: every key given must match (AND); a list matches when the situation's
 * value is one of it (for `activity`, when any of the person's activities is in it).
 */
export const Condition = z
  .strictObject({
    housing: z.array(Housing).min(1).optional(),
    activity: z.array(Activity).min(1).optional(),
    nationality: z.array(Nationality).min(1).optional(),
    children: z.boolean().optional(),
    couple: z.boolean().optional(),
  })
  .refine((c) => Object.keys(c).length > 0, 'empty condition: leave `when` out instead');
export type Condition = z.infer<typeof Condition>;

export function matches(when: Condition | undefined, situation: Situation): boolean {
  if (!when) return true;
  if (when.housing && !when.housing.includes(situation.housing)) return false;
  if (when.activity && !situation.activity.some((a) => when.activity?.includes(a))) return false;
  if (when.nationality && !when.nationality.includes(situation.nationality)) return false;
  if (when.children !== undefined && when.children !== situation.children) return false;
  if (when.couple !== undefined && when.couple !== situation.couple) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------------
// Institutions

/** Who handles an aid or issues a piece; the seeded institutions use the same kinds (cms, caf, mairie…). */
export const InstitutionKind = z.enum([
  'caf',
  'msa',
  'mdph',
  'departement',
  'cpam',
  'impots',
  'education-nationale',
  'etablissement-scolaire',
  'mairie',
  'ccas',
  'cms',
  'prefecture',
  'france-travail',
  'urssaf',
  'caisse-retraite',
  'asp',
  'employeur',
  'banque',
  'fournisseur',
  'bailleur',
  'hebergeant',
  'medecin',
  'autre',
]);
export type InstitutionKind = z.infer<typeof InstitutionKind>;

/** Where a paper issued by this kind of institution is filed in the vault (protocol/vault.ts `Issuer`). */
export const VAULT_ISSUER_OF_KIND: Record<InstitutionKind, Issuer> = {
  caf: 'caf',
  msa: 'autre',
  mdph: 'autre',
  departement: 'autre',
  cpam: 'assurance-maladie',
  impots: 'impots',
  'education-nationale': 'autre',
  'etablissement-scolaire': 'autre',
  mairie: 'etat',
  ccas: 'autre',
  cms: 'autre',
  prefecture: 'etat',
  'france-travail': 'autre',
  urssaf: 'autre',
  'caisse-retraite': 'autre',
  asp: 'autre',
  employeur: 'employeur',
  banque: 'banque',
  fournisseur: 'fournisseur',
  bailleur: 'fournisseur',
  hebergeant: 'autre',
  medecin: 'autre',
  autre: 'autre',
};

// ---------------------------------------------------------------------------------------------------
// Catalogue

const Slug = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lowercase words joined by dashes');

/** Official pages only: public-service sites over https. */
const OfficialUrl = z.url({
  protocol: /^https$/,
  hostname: /^(www\.)?(service-public\.fr|caf\.fr|msa\.fr|ameli\.fr|impots\.gouv\.fr|([a-z0-9-]+\.)*gouv\.fr)$/,
  error: 'an https address on an official site (service-public.fr, caf.fr, ameli.fr, msa.fr, *.gouv.fr)',
});

export const ChecklistItem = z.strictObject({
  id: Slug,
  /** FALC: what to bring, in plain words */
  label: z.string().min(3).max(300),
  /** the piece as the person names it in a letter or a message: « mes bulletins de salaire des 3 derniers mois » */
  inLetter: z.string().min(3).max(200),
  /** vault document types accepted for this piece */
  docTypes: z.array(DocType).min(1),
  /** the institution that issues this piece: where to ask for it when it is missing */
  issuer: InstitutionKind,
  /** the document must have been issued (or captured) at most this many months ago */
  maxAgeMonths: z.number().int().positive().max(120).optional(),
  when: Condition.optional(),
});
export type ChecklistItem = z.infer<typeof ChecklistItem>;

export const Process = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('simple') }),
  /** filed together once with these aids; shared pieces given once */
  z.strictObject({ kind: z.literal('bundle'), with: z.array(Slug).min(1) }),
  /** waits for the decision on another aid */
  z.strictObject({ kind: z.literal('linked'), after: Slug, reason: z.string().min(3).max(300) }),
]);
export type Process = z.infer<typeof Process>;

export const Aid = z.strictObject({
  id: Slug,
  name: z.string().min(2).max(120),
  /** FALC, one line read first on the kiosk's card: what the aid gives, to whom */
  summary: z.string().min(10).max(90),
  /** the kiosk's pictogram */
  family: AidFamily,
  /** FALC: short sentences, simple words */
  description: z.string().min(20).max(1200),
  /** the kind of institution that handles the request */
  institution: InstitutionKind,
  officialUrl: OfficialUrl,
  process: Process,
  checklist: z.array(ChecklistItem),
});
export type Aid = z.infer<typeof Aid>;

export const AidCatalogue = z.strictObject({
  $comment: z.string().optional(),
  version: z.number().int().positive(),
  /** the date from which these rules apply */
  validFrom: IsoDate,
  aids: z.array(Aid).min(1),
});
export type AidCatalogue = z.infer<typeof AidCatalogue>;

export class CatalogueError extends Error {
  readonly issues: string[];
  constructor(source: string, issues: string[]) {
    super(`invalid aid catalogue ${source}:\n  - ${issues.join('\n  - ')}`);
    this.name = 'CatalogueError';
    this.issues = issues;
  }
}

/** `aids[3].checklist[1].docTypes[0]` → `aids[3] "rsa" › checklist[1] "rib" › docTypes[0]`, read from the raw input. */
function describePath(raw: unknown, path: readonly PropertyKey[]): string {
  const parts: string[] = [];
  let node: unknown = raw;
  for (const key of path) {
    node = node != null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    if (typeof key === 'number') {
      const id = node != null && typeof node === 'object' ? (node as { id?: unknown }).id : undefined;
      const last = parts.pop() ?? '';
      parts.push(`${last}[${key}]${typeof id === 'string' ? ` "${id}"` : ''}`);
    } else {
      parts.push(String(key));
    }
  }
  return parts.join(' › ') || '(root)';
}

/** Cross-checks the schema cannot express; returns the problems, each naming its entry. */
function crossCheck(catalogue: AidCatalogue): string[] {
  const problems: string[] = [];
  const byId = new Map<string, Aid>();
  for (const aid of catalogue.aids) {
    if (byId.has(aid.id)) problems.push(`aid "${aid.id}": duplicate aid id`);
    byId.set(aid.id, aid);
  }
  for (const aid of catalogue.aids) {
    const itemIds = new Set<string>();
    for (const item of aid.checklist) {
      if (itemIds.has(item.id)) problems.push(`aid "${aid.id}", item "${item.id}": duplicate item id`);
      itemIds.add(item.id);
      if (new Set(item.docTypes).size !== item.docTypes.length) problems.push(`aid "${aid.id}", item "${item.id}": docTypes listed twice`);
      for (const docType of item.docTypes) {
        if (docType === 'other') continue;
        const filedUnder = ISSUER_OF[docType];
        if (filedUnder !== VAULT_ISSUER_OF_KIND[item.issuer]) {
          problems.push(`aid "${aid.id}", item "${item.id}": docType "${docType}" is issued by "${filedUnder}" in the vault, not by "${item.issuer}"`);
        }
      }
    }
    const p = aid.process;
    if (p.kind === 'bundle') {
      for (const other of p.with) {
        if (other === aid.id) problems.push(`aid "${aid.id}": a bundle cannot include the aid itself`);
        else if (!byId.has(other)) problems.push(`aid "${aid.id}": bundle names unknown aid "${other}"`);
      }
      if (new Set(p.with).size !== p.with.length) problems.push(`aid "${aid.id}": bundle lists an aid twice`);
    } else if (p.kind === 'linked' && !byId.has(p.after)) {
      problems.push(`aid "${aid.id}": linked after unknown aid "${p.after}"`);
    }
  }
  // linked cycles: follow `after` from each aid
  const reported = new Set<string>();
  for (const start of catalogue.aids) {
    const chain: string[] = [start.id];
    let current: Aid | undefined = start;
    while (current?.process.kind === 'linked') {
      const next = current.process.after;
      const at = chain.indexOf(next);
      if (at >= 0) {
        const cycle = chain.slice(at);
        const key = [...cycle].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          problems.push(`aid "${next}": linked cycle ${[...cycle, next].join(' → ')}`);
        }
        break;
      }
      chain.push(next);
      current = byId.get(next);
    }
  }
  return problems;
}

/** Validates a parsed catalogue (schema, then cross-checks); throws a CatalogueError naming every bad entry. */
export function parseCatalogue(raw: unknown, source = '(inline)'): AidCatalogue {
  const result = AidCatalogue.safeParse(raw);
  if (!result.success) {
    const messages = result.error.issues.map((i) => `${describePath(raw, i.path)}: ${i.message}`);
    throw new CatalogueError(source, [...new Set(messages)]);
  }
  const problems = crossCheck(result.data);
  if (problems.length > 0) throw new CatalogueError(source, problems);
  return result.data;
}

export async function loadCatalogue(path: string = DEFAULT_CATALOGUE_PATH): Promise<AidCatalogue> {
  const text = await readFile(path, 'utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CatalogueError(path, [`not JSON: ${(err as Error).message}`]);
  }
  return parseCatalogue(raw, path);
}

export function aidById(catalogue: AidCatalogue, id: string): Aid {
  const aid = catalogue.aids.find((a) => a.id === id);
  if (!aid) throw new Error(`unknown aid "${id}"`);
  return aid;
}

/** The aids filed together when this one is filed: itself, then its bundle partners. */
export function bundleOf(catalogue: AidCatalogue, aid: Aid): Aid[] {
  return aid.process.kind === 'bundle' ? [aid, ...aid.process.with.map((id) => aidById(catalogue, id))] : [aid];
}

// ---------------------------------------------------------------------------------------------------
// Checklists

/** The checklist items that apply to this person. */
export function checklistFor(aid: Aid, situation: Situation): ChecklistItem[] {
  return aid.checklist.filter((item) => matches(item.when, situation));
}

export interface BundleItem {
  item: ChecklistItem;
  /** the aids that ask for this piece */
  aids: string[];
}

/**
 * Two items are the same piece when they accept the same document types. An item that accepts `other`
 * (a paper the vault does not classify: medical certificate, lease…) is only the same as an item with
 * the same id.
 */
function pieceKey(item: ChecklistItem): string {
  return item.docTypes.includes('other') ? `id:${item.id}` : `types:${[...item.docTypes].sort().join(',')}`;
}

/**
 * The checklist of several aids filed together: each shared piece once (the first aid's wording, the
 * strictest age limit), with the aids that ask for it.
 */
export function bundleChecklist(aids: readonly Aid[], situation: Situation): BundleItem[] {
  const byKey = new Map<string, BundleItem>();
  for (const aid of aids) {
    for (const item of checklistFor(aid, situation)) {
      const key = pieceKey(item);
      const seen = byKey.get(key);
      if (!seen) {
        byKey.set(key, { item, aids: [aid.id] });
        continue;
      }
      if (!seen.aids.includes(aid.id)) seen.aids.push(aid.id);
      const ages = [seen.item.maxAgeMonths, item.maxAgeMonths].filter((m): m is number => m !== undefined);
      if (ages.length > 0 && Math.min(...ages) !== seen.item.maxAgeMonths) seen.item = { ...seen.item, maxAgeMonths: Math.min(...ages) };
    }
  }
  return [...byKey.values()];
}

// ---------------------------------------------------------------------------------------------------
// Missing pieces

/** What the checklist needs to know of a vault document (a `DocumentSummary` fits). */
export interface VaultDoc {
  docType: DocType;
  capturedAt?: string | null;
  issuedOn?: string | null;
  expiresOn?: string | null;
}

export type MissingReason = 'absent' | 'expired' | 'too-old';

export type PieceStatus<D extends VaultDoc = VaultDoc> =
  | { item: ChecklistItem; status: 'present'; document: D }
  | {
      item: ChecklistItem;
      status: 'missing';
      reason: MissingReason;
      /** where to ask for it */
      issuer: InstitutionKind;
      /** where it will be filed in the vault */
      vaultIssuer: Issuer;
    };

// the same month arithmetic as the vault's expiry rules (one clamped addMonths for both)
export { addMonths };

function dateOf(doc: VaultDoc): string | null {
  return doc.issuedOn?.slice(0, 10) ?? doc.capturedAt?.slice(0, 10) ?? null;
}

function problemOf(item: ChecklistItem, doc: VaultDoc, today: string): MissingReason | null {
  return paperAgeProblem(doc, item.maxAgeMonths, today);
}

/**
 * For each item: the most recent vault document that satisfies it (accepted type, not expired, not older
 * than `maxAgeMonths`), or `missing` with why and whom to ask. `today` is an ISO date.
 */
export function assessPieces<D extends VaultDoc>(items: readonly ChecklistItem[], vaultDocs: readonly D[], today: string): PieceStatus<D>[] {
  return items.map((item) => {
    const candidates = vaultDocs
      .filter((d) => item.docTypes.includes(d.docType))
      .sort((a, b) => (dateOf(b) ?? '').localeCompare(dateOf(a) ?? ''));
    const usable = candidates.find((d) => problemOf(item, d, today) === null);
    if (usable) return { item, status: 'present', document: usable };
    const newest = candidates[0];
    const reason: MissingReason = newest ? (problemOf(item, newest, today) ?? 'absent') : 'absent';
    return { item, status: 'missing', reason, issuer: item.issuer, vaultIssuer: VAULT_ISSUER_OF_KIND[item.issuer] };
  });
}

export function missingPieces<D extends VaultDoc>(aid: Aid, situation: Situation, vaultDocs: readonly D[], today: string): PieceStatus<D>[] {
  return assessPieces(checklistFor(aid, situation), vaultDocs, today);
}
