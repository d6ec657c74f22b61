/**
 * Reading the public « Annuaire de l'administration » — its « Base de données locales » published by the
 * DILA (Service-Public.gouv.fr) on data.gouv.fr, « Service-Public.fr - Annuaire de l'administration - Base
 * de données locales », JSON since July 2022, schema in « Specifications-datagouv-base-de-donnees-locales-
 * Service-public » (V1.4), Licence Ouverte 2.0. The file is one object `{ "service": [ … ] }`; each service
 * has an `id` (UUID), `nom`, `pivot` (`[{ type_service_local, code_insee_commune: [INSEE…] }]`: its type
 * and the communes it serves), `code_insee_commune` (where it sits), `adresse` (`[{ type_adresse,
 * complement1, complement2, numero_voie, service_distribution, code_postal, nom_commune, longitude,
 * latitude, … }]`, coordinates as text), `telephone` (`[{ valeur, description }]`), `adresse_courriel`
 * (`[texte]`), `site_internet` (`[{ libelle, valeur }]`), `plage_ouverture` (`[{ nom_jour_debut,
 * nom_jour_fin, valeur_heure_debut_1, valeur_heure_fin_1, valeur_heure_debut_2, valeur_heure_fin_2,
 * commentaire }]`, hours « HH:MM:SS », days « Lundi »…), `commentaire_plage_ouverture`, and
 * `date_modification` (« JJ/MM/AAAA HH:MM:SS »), among fields we do not read. The API
 * (api-lannuaire.service-public.gouv.fr) serves the same records with those lists as JSON text: both are
 * read.
 *
 * Pure: the whole file is read and each entry checked before anything is written; problems are given by
 * entry, with the line it starts on.
 */
import { z } from 'zod';
import { CommuneCode } from '../../../protocol/vault.ts';
import type { OpeningSlot } from '../../../protocol/vault.ts';
import { DIRECTORY_IMPORT_WORDS as W } from '../../kernel/words/directory.ts';
import type { EntryPlace } from '../../kernel/words/directory.ts';
import type { InstitutionFields } from './directory.ts';

/** The most services one file may hold (the national file has some 63,000). */
export const ANNUAIRE_MAX_ENTRIES = 100_000;
const MAX_COMMUNES = 5000;

/**
 * The annuaire's service types we keep, and our kind for each (the kinds of the aid checklists' issuers,
 * assets/aids/catalogue.json, and of the seed). Other types (courts, gendarmeries…) are not the places a
 * person gets a paper from here: they are skipped, and counted.
 */
export const KIND_OF_TYPE: Readonly<Record<string, string>> = {
  mairie: 'mairie',
  mairie_com: 'mairie',
  mairie_mobile: 'mairie',
  caf: 'caf',
  cpam: 'cpam',
  france_services: 'france-services',
  msap: 'france-services',
  sip: 'impots',
  sie: 'impots',
  sip_sie: 'impots',
  centre_impots_fonciers: 'impots',
  tresorerie: 'impots',
  sgc: 'impots',
  maison_handicapees: 'mdph',
  ccas: 'ccas',
  pole_emploi: 'france-travail',
  france_travail: 'france-travail',
  prefecture: 'prefecture',
  sous_pref: 'prefecture',
  urssaf: 'urssaf',
  carsat: 'caisse-retraite',
  cicas: 'caisse-retraite',
  msa: 'msa',
  cdas: 'cms',
  centre_social: 'centre-social',
};

const DAYS: Readonly<Record<string, number>> = { lundi: 1, mardi: 2, mercredi: 3, jeudi: 4, vendredi: 5, samedi: 6, dimanche: 7 };
const DAY_NAME = ['', 'lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'];

/** A list the API gives as JSON text and the file as a list. */
function listOf<T extends z.ZodType>(item: T) {
  return z.preprocess((v) => {
    if (typeof v !== 'string') return v ?? [];
    if (v.trim() === '') return [];
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  }, z.array(item));
}

const text = z.string().nullish().transform((s) => (s ?? '').trim());

const Address = z.object({
  type_adresse: text,
  complement1: text,
  complement2: text,
  numero_voie: text,
  service_distribution: text,
  code_postal: text,
  nom_commune: text,
  longitude: z.union([z.string(), z.number()]).nullish(),
  latitude: z.union([z.string(), z.number()]).nullish(),
});

const Slot = z.object({
  nom_jour_debut: text,
  nom_jour_fin: text,
  valeur_heure_debut_1: text,
  valeur_heure_fin_1: text,
  valeur_heure_debut_2: text,
  valeur_heure_fin_2: text,
  commentaire: text,
});

/** One service as the file writes it (the fields we read; the others are let through unread). */
export const AnnuaireService = z.object({
  id: text,
  nom: text,
  pivot: listOf(z.object({ type_service_local: text, code_insee_commune: z.array(z.string()).nullish() })),
  code_insee_commune: text,
  adresse: listOf(Address),
  telephone: listOf(z.object({ valeur: text, description: text })),
  adresse_courriel: z.union([z.array(z.string()), z.string()]).nullish(),
  site_internet: listOf(z.object({ libelle: text, valeur: text })),
  plage_ouverture: listOf(Slot),
  commentaire_plage_ouverture: text,
  date_modification: text,
});
export type AnnuaireService = z.infer<typeof AnnuaireService>;

/** An office read from the file, ready to store. */
export interface AnnuaireEntry {
  id: string;
  fields: InstitutionFields;
  /** the annuaire's date of its last change */
  modified: string | null;
}

export type AnnuaireRead =
  | { ok: true; entries: AnnuaireEntry[]; skipped: number; warnings: string[]; total: number }
  | { ok: false; errors: string[] };

/** Where each element of the top-level `service` list starts (1-based lines), for messages by line. */
export function serviceLines(json: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let lastString = '';
  let stringStart = 0;
  let serviceListDepth = -1;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '\n') line++;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') {
        inString = false;
        lastString = json.slice(stringStart, i);
      }
      continue;
    }
    if (c === '"') {
      inString = true;
      stringStart = i + 1;
    } else if (c === '{' || c === '[') {
      if (c === '[' && depth === 1 && lastString === 'service') serviceListDepth = depth + 1;
      if (c === '{' && depth === serviceListDepth) lines.push(line);
      depth++;
    } else if (c === '}' || c === ']') {
      depth--;
      if (c === ']' && depth + 1 === serviceListDepth) serviceListDepth = -1;
    } else if (c === ',' || c === ':') {
      if (c === ',') lastString = '';
    }
  }
  return lines;
}

/** The line and column of a JSON.parse error, from the message V8 writes. */
function jsonErrorPlace(json: string, message: string): { line: number | null; column: number | null } {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /position (\d+)/.exec(message);
  if (!pos) return { line: null, column: null };
  const before = json.slice(0, Number(pos[1]));
  const nl = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: Number(pos[1]) - nl };
}

const HOUR = /^([01]\d|2[0-3]):([0-5]\d)(?::[0-5]\d)?$/;

function hourOf(value: string, problems: string[]): string | null {
  const m = HOUR.exec(value);
  if (!m) {
    problems.push(W.badHour(value));
    return null;
  }
  return `${m[1]}:${m[2]}`;
}

function dayOf(value: string, problems: string[]): number | null {
  const key = value
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .trim()
    .toLowerCase();
  const d = DAYS[key];
  if (d === undefined) {
    problems.push(W.unknownDay(value));
    return null;
  }
  return d;
}

function hoursOf(s: AnnuaireService, problems: string[]): { hours: OpeningSlot[]; notes: string[] } {
  const hours: OpeningSlot[] = [];
  const notes: string[] = [];
  for (const p of s.plage_ouverture) {
    const from = dayOf(p.nom_jour_debut, problems);
    const to = p.nom_jour_fin === '' ? from : dayOf(p.nom_jour_fin, problems);
    if (p.commentaire !== '') notes.push(p.commentaire);
    if (from === null || to === null) continue;
    const periods: [string, string][] = [];
    for (const [a, b] of [[p.valeur_heure_debut_1, p.valeur_heure_fin_1], [p.valeur_heure_debut_2, p.valeur_heure_fin_2]] as const) {
      if (a === '' && b === '') continue;
      const opens = hourOf(a, problems);
      const closes = hourOf(b, problems);
      if (opens === null || closes === null) continue;
      if (closes <= opens) {
        problems.push(W.closesBeforeOpens(DAY_NAME[from] ?? '', opens, closes));
        continue;
      }
      periods.push([opens, closes]);
    }
    // « Lundi → Vendredi » is each day of the week between
    for (let d = from; ; d = (d % 7) + 1) {
      for (const [opens, closes] of periods) hours.push({ day: d, opens, closes });
      if (d === to) break;
    }
  }
  hours.sort((a, b) => a.day - b.day || a.opens.localeCompare(b.opens));
  const note = s.commentaire_plage_ouverture;
  if (note !== '') notes.unshift(note);
  return { hours, notes };
}

function coordinate(v: string | number | null | undefined): number | null | 'bad' {
  if (v === null || v === undefined || (typeof v === 'string' && v.trim() === '')) return null;
  const n = typeof v === 'number' ? v : Number(v.trim().replace(',', '.'));
  return Number.isFinite(n) ? n : 'bad';
}

function firstEmail(v: string[] | string | null | undefined): string | undefined {
  const all = (Array.isArray(v) ? v : typeof v === 'string' ? v.split(/[;,\s]+/) : []).map((e) => e.trim()).filter((e) => e.includes('@'));
  return all[0];
}

function website(v: string): string {
  return /^https?:\/\//i.test(v) ? v : `https://${v}`;
}

/** One service → an entry, or its problems (errors: the entry is wrong; warnings: something was left out). */
function readService(s: AnnuaireService, place: EntryPlace, warnings: string[]): { entry: AnnuaireEntry | null; skipped: boolean; errors: string[] } {
  // a service of a type we do not keep is skipped whatever it holds: its defects are not ours to refuse
  const pivot = s.pivot.find((p) => KIND_OF_TYPE[p.type_service_local] !== undefined);
  if (!pivot) return { entry: null, skipped: true, errors: [] };
  const problems: string[] = [];
  if (s.id === '') problems.push(W.missingId);
  if (s.nom === '') problems.push(W.missingName);
  const address = s.adresse.find((a) => a.type_adresse === 'Adresse' && a.code_postal !== '' && a.nom_commune !== '') ?? s.adresse.find((a) => a.code_postal !== '' && a.nom_commune !== '');
  if (!address) problems.push(W.noAddress);
  const communes: string[] = [];
  for (const code of pivot?.code_insee_commune ?? []) {
    if (CommuneCode.safeParse(code).success) communes.push(code);
    else problems.push(W.badCommune(code));
  }
  const { hours, notes } = hoursOf(s, problems);
  if (problems.length > 0 || !address) return { entry: null, skipped: false, errors: problems.map((p) => W.entry(place, p)) };

  let lat = coordinate(address.latitude);
  let lon = coordinate(address.longitude);
  const badPair = lat === 'bad' || lon === 'bad' || (lat === null) !== (lon === null) || (typeof lat === 'number' && Math.abs(lat) > 90) || (typeof lon === 'number' && Math.abs(lon) > 180) || (lat === 0 && lon === 0);
  if (badPair) {
    warnings.push(W.entry(place, W.badCoordinates(String(address.latitude ?? ''), String(address.longitude ?? ''))));
    lat = null;
    lon = null;
  }
  const fields: InstitutionFields = {
    kind: KIND_OF_TYPE[pivot.type_service_local] ?? 'autre',
    name: s.nom,
    address: [address.complement1, address.complement2, address.numero_voie, address.service_distribution].filter((x) => x !== '').join(', '),
    postcode: address.code_postal,
    city: address.nom_commune,
    lat: lat as number | null,
    lon: lon as number | null,
    source: 'annuaire',
  };
  const keep = (field: string, value: string | undefined, max: number): string | undefined => {
    if (value === undefined || value === '') return undefined;
    if (value.length > max) {
      warnings.push(W.entry(place, W.fieldDropped(field)));
      return undefined;
    }
    return value;
  };
  const phone = keep('telephone', s.telephone.find((t) => t.valeur !== '')?.valeur, 40);
  const email = keep('adresse_courriel', firstEmail(s.adresse_courriel), 200);
  const site = s.site_internet.find((w) => w.valeur !== '')?.valeur;
  const web = keep('site_internet', site === undefined ? undefined : website(site), 500);
  const note = notes.length > 0 ? keep('commentaire', notes.join(' ; '), 500) : undefined;
  if (phone) fields.phone = phone;
  if (email) fields.email = email;
  if (web) fields.website = web;
  if (hours.length > 0) fields.hours = hours.slice(0, 100);
  if (note) fields.hoursNote = note;
  if (communes.length > 0) {
    const unique = [...new Set(communes)].sort();
    // the protocol carries at most 5,000 communes an office (a département has fewer)
    if (unique.length > MAX_COMMUNES) warnings.push(W.entry(place, W.fieldDropped('pivot.code_insee_commune')));
    else fields.communes = unique;
  }
  return { entry: { id: s.id, fields, modified: s.date_modification || null }, skipped: false, errors: [] };
}

/** Reads a whole annuaire file: every entry checked, every problem said, nothing half-read. */
export function readAnnuaire(json: string): AnnuaireRead {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (e) {
    const where = jsonErrorPlace(json, e instanceof Error ? e.message : '');
    return { ok: false, errors: [W.notJson(where.line, where.column)] };
  }
  const top = z.object({ service: z.array(z.unknown()) }).safeParse(raw);
  if (!top.success) return { ok: false, errors: [W.notAnnuaire] };
  const services = top.data.service;
  if (services.length > ANNUAIRE_MAX_ENTRIES) return { ok: false, errors: [W.tooLarge(ANNUAIRE_MAX_ENTRIES)] };
  const lines = serviceLines(json);
  const errors: string[] = [];
  const warnings: string[] = [];
  const entries: AnnuaireEntry[] = [];
  const seen = new Set<string>();
  let skipped = 0;
  services.forEach((item, index) => {
    const rough = item !== null && typeof item === 'object' ? (item as Record<string, unknown>) : {};
    const place: EntryPlace = {
      index,
      line: lines.length === services.length ? (lines[index] ?? null) : null,
      id: typeof rough.id === 'string' && rough.id !== '' ? rough.id.slice(0, 80) : null,
      name: typeof rough.nom === 'string' && rough.nom !== '' ? rough.nom.slice(0, 120) : null,
    };
    const parsed = AnnuaireService.safeParse(item);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      errors.push(W.entry(place, W.badField(String(first?.path[0] ?? '?'), first?.message ?? '')));
      return;
    }
    const r = readService(parsed.data, place, warnings);
    if (r.skipped) {
      skipped++;
      return;
    }
    if (!r.entry) {
      errors.push(...r.errors);
      return;
    }
    if (seen.has(r.entry.id)) {
      errors.push(W.entry(place, W.duplicateId));
      return;
    }
    seen.add(r.entry.id);
    entries.push(r.entry);
  });
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, entries, skipped, warnings, total: services.length };
}
