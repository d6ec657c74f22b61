/**
 * Scoring of OCR results against the corpus: a field counts only when it is exact after a minimal
 * normalisation, written out here so a reader knows what « exact » allows:
 *  - every value: surrounding spaces trimmed, runs of spaces (including no-break ones) made one space;
 *  - identifiers (IBAN, BIC, NIR, SIRET, numéro fiscal, reference, allocataire and document numbers): spaces
 *    removed, upper case — they are printed in groups, and the groups are not part of the number;
 *  - names of people (holder, employee, surname, givenNames): compared without regard to case, with a leading
 *    civility (M., Mme, Madame, Monsieur, « M. et Mme »…) set aside, and commas between given names read as
 *    spaces — the civility is not part of a name and the extractor keeps it only when printed; accents count;
 *  - other words (employer, bank, street, city): without regard to case, typographic apostrophes as plain ones;
 *  - dates, months, years, amounts, parts, sex, nationality: the normal forms, compared as they are.
 */
import type { Kind, Part } from './corpus.ts';

const IDS = new Set(['iban', 'bic', 'nir', 'siret', 'taxNumber', 'noticeReference', 'allocataireNumber', 'documentNumber']);
const NAMES = new Set(['holder', 'employee', 'surname', 'givenNames']);
const WORDS = new Set(['employer', 'bank', 'address', 'city']);

const CIVILITY = /^(?:(?:M\.?|MR|MME|MLLE|MADAME|MONSIEUR|MADEMOISELLE)\s+(?:(?:ET|OU)\s+(?:M\.?|MME|MADAME|MONSIEUR)\s+)?)/u;

export function normalise(field: string, value: string): string {
  let v = value.replace(/[\s\u00a0\u202f]+/g, ' ').trim();
  if (IDS.has(field)) return v.replace(/ /g, '').toUpperCase();
  if (NAMES.has(field)) {
    v = v.toLocaleUpperCase('fr').replace(/,/g, ' ').replace(/\s+/g, ' ').trim();
    return v.replace(CIVILITY, '').trim();
  }
  if (WORDS.has(field)) return v.toLocaleUpperCase('fr').replace(/[’‘]/g, "'");
  return v;
}

export function same(field: string, expected: string, got: string | undefined): boolean {
  return got !== undefined && normalise(field, expected) === normalise(field, got);
}

export interface Tally {
  documents: number;
  typeOk: number;
  fields: number;
  exact: number;
}

export interface Miss {
  id: string;
  variant: string;
  field: string;
  expected: string;
  got: string | null;
  /** the confidence the extractor gave what it read (absent when it read nothing) */
  confidence?: number;
}

/** One field read: was it right, and how sure the extractor said it was. Fields not read are not counted. */
export interface Reading {
  field: string;
  right: boolean;
  confidence: number;
  /** what the extractor says of the reading, when it says it: its score before calibration, its check, its source */
  raw?: number;
  valid?: boolean;
  source?: string;
}

export interface Outcome {
  part: Part;
  kind: Kind;
  /** 'clean' or the degradation's name */
  variant: string;
  id: string;
  typeOk: boolean;
  gotType: string | null;
  fields: number;
  exact: number;
  misses: Miss[];
  readings: Reading[];
  ms: number;
}

/** A field as the OCR gives it; only `value` is required. */
export interface FieldResult {
  value: string;
  confidence?: number;
  raw?: number;
  valid?: boolean;
  source?: string;
}

/** One picture's result: the type and every expected field. The type is reported apart, not as a field. */
export function scoreOne(
  o: { part: Part; kind: Kind; variant: string; id: string; ms: number },
  expected: Record<string, string>,
  result: { docType: string; fields: Record<string, FieldResult | undefined> } | null,
): Outcome {
  const misses: Miss[] = [];
  const readings: Reading[] = [];
  let exact = 0;
  for (const [field, want] of Object.entries(expected)) {
    const f = result?.fields[field];
    const got = f?.value;
    const right = same(field, want, got);
    if (right) exact++;
    else misses.push({ id: o.id, variant: o.variant, field, expected: want, got: got ?? null, ...(f?.confidence !== undefined ? { confidence: f.confidence } : {}) });
    if (f && f.confidence !== undefined) {
      readings.push({ field, right, confidence: f.confidence, ...(f.raw !== undefined ? { raw: f.raw } : {}), ...(f.valid !== undefined ? { valid: f.valid } : {}), ...(f.source ? { source: f.source } : {}) });
    }
  }
  return { ...o, typeOk: result?.docType === o.kind, gotType: result?.docType ?? null, fields: Object.keys(expected).length, exact, misses, readings };
}

export function tally(os: readonly Outcome[]): Tally {
  return os.reduce((t, o) => ({ documents: t.documents + 1, typeOk: t.typeOk + (o.typeOk ? 1 : 0), fields: t.fields + o.fields, exact: t.exact + o.exact }), { documents: 0, typeOk: 0, fields: 0, exact: 0 });
}

export const rate = (t: Tally): number => (t.fields ? t.exact / t.fields : 0);

export interface Report {
  generatedAt: string;
  parts: Record<string, {
    all: Tally & { rate: number };
    clean: Tally & { rate: number };
    degraded: Tally & { rate: number };
    byKind: Record<string, { clean: Tally & { rate: number }; degraded: Tally & { rate: number } }>;
    byVariant: Record<string, Tally & { rate: number }>;
    worstKind: { kind: string; rate: number };
    calibration: Calibration;
    misses: Miss[];
    wrongType: { id: string; variant: string; got: string | null }[];
    /** set when the misses of this part were left out (see `redact`) */
    hiddenMisses?: number;
    hiddenWrongType?: number;
  }>;
  msPerPicture: { p50: number; p95: number };
}

/** Confidence at and above which a field is shown as read, without asking the person to look (DESIGN.md §8). */
export const SURE = 0.9;

/**
 * How far the extractor's confidence can be trusted: of the fields read at ≥ SURE, how many were right (the
 * goal: ≥ 99 %), and how many of all fields read reached SURE (the share the person need not look at).
 */
export interface Calibration {
  read: number;
  sure: number;
  sureRight: number;
  /** right among the sure ones; 1 when none is sure */
  sureRate: number;
  /** sure among the read ones */
  coverage: number;
  unsure: number;
  unsureRight: number;
  /** wrong readings given ≥ SURE, to look at on the parts whose misses may be shown */
  sureWrong: { field: string; confidence: number }[];
}

export function calibration(rs: readonly Reading[]): Calibration {
  const sure = rs.filter((r) => r.confidence >= SURE);
  const unsure = rs.filter((r) => r.confidence < SURE);
  const sureRight = sure.filter((r) => r.right).length;
  const r4 = (x: number) => Math.round(x * 10000) / 10000;
  return {
    read: rs.length,
    sure: sure.length,
    sureRight,
    sureRate: r4(sure.length ? sureRight / sure.length : 1),
    coverage: r4(rs.length ? sure.length / rs.length : 0),
    unsure: unsure.length,
    unsureRight: unsure.filter((r) => r.right).length,
    sureWrong: sure.filter((r) => !r.right).map((r) => ({ field: r.field, confidence: r.confidence })),
  };
}

const withRate = (t: Tally) => ({ ...t, rate: Math.round(rate(t) * 10000) / 10000 });

export function report(outcomes: readonly Outcome[]): Report {
  const parts: Report['parts'] = {};
  for (const part of [...new Set(outcomes.map((o) => o.part))]) {
    const os = outcomes.filter((o) => o.part === part);
    const byKind: Report['parts'][string]['byKind'] = {};
    for (const kind of [...new Set(os.map((o) => o.kind))]) {
      const k = os.filter((o) => o.kind === kind);
      byKind[kind] = { clean: withRate(tally(k.filter((o) => o.variant === 'clean'))), degraded: withRate(tally(k.filter((o) => o.variant !== 'clean'))) };
    }
    const byVariant: Record<string, Tally & { rate: number }> = {};
    for (const v of [...new Set(os.map((o) => o.variant))]) byVariant[v] = withRate(tally(os.filter((o) => o.variant === v)));
    const worst = Object.entries(byKind)
      .map(([kind]) => ({ kind, rate: rate(tally(os.filter((o) => o.kind === kind))) }))
      .sort((a, b) => a.rate - b.rate)[0] ?? { kind: '-', rate: 0 };
    parts[part] = {
      all: withRate(tally(os)),
      clean: withRate(tally(os.filter((o) => o.variant === 'clean'))),
      degraded: withRate(tally(os.filter((o) => o.variant !== 'clean'))),
      byKind,
      byVariant,
      worstKind: { kind: worst.kind, rate: Math.round(worst.rate * 10000) / 10000 },
      calibration: calibration(os.flatMap((o) => o.readings)),
      misses: os.flatMap((o) => o.misses),
      wrongType: os.filter((o) => !o.typeOk).map((o) => ({ id: o.id, variant: o.variant, got: o.gotType })),
    };
  }
  const ms = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  const pct = (p: number) => Math.round(ms[Math.min(ms.length - 1, Math.max(0, Math.ceil((p / 100) * ms.length) - 1))] ?? 0);
  return { generatedAt: new Date().toISOString(), parts, msPerPicture: { p50: pct(50), p95: pct(95) } };
}

const pc = (t: Tally) => `${(rate(t) * 100).toFixed(1).padStart(5)} %`;
const cell = (t: Tally) => `${`${t.exact}/${t.fields}`.padStart(8)} ${pc(t)}  type ${t.typeOk}/${t.documents}`;

/**
 * Which parts' misses may be shown, from `FAC_CORPUS_MISSES`: `tuning` (the default), `all`, `none`, or a
 * comma-separated list of parts. The held-out part is tuned on by no one, so by default only its totals are
 * printed: a miss one has read is a miss one is tempted to fix.
 */
export function partsWithMisses(setting = process.env.FAC_CORPUS_MISSES): Set<string> {
  const s = (setting ?? 'tuning').trim();
  if (s === 'all') return new Set<Part>(['tuning', 'held-out']);
  if (s === 'none' || s === '') return new Set();
  return new Set(s.split(',').map((p) => p.trim()));
}

/** The report without the misses (and wrongly typed pictures) of the parts not in `shown`: totals only. */
export function redact(r: Report, shown: ReadonlySet<string>): Report {
  const parts: Report['parts'] = {};
  for (const [part, p] of Object.entries(r.parts)) {
    parts[part] = shown.has(part) ? p : { ...p, calibration: { ...p.calibration, sureWrong: [] }, misses: [], wrongType: [], hiddenMisses: p.misses.length, hiddenWrongType: p.wrongType.length };
  }
  return { ...r, parts };
}

/** The report as text: per part, per kind (clean | degraded), per variant, then the misses. */
export function table(r: Report, maxMisses = 400): string {
  const out: string[] = [];
  for (const [part, p] of Object.entries(r.parts)) {
    out.push(`== ${part}: ${p.all.documents} pictures, ${pc(p.all)} of fields exact (clean ${pc(p.clean)}, degraded ${pc(p.degraded)}); worst kind ${p.worstKind.kind} ${(p.worstKind.rate * 100).toFixed(1)} %`);
    out.push(`${'kind'.padEnd(18)} ${'clean'.padEnd(32)} degraded`);
    for (const [kind, k] of Object.entries(p.byKind)) out.push(`${kind.padEnd(18)} ${cell(k.clean).padEnd(32)} ${cell(k.degraded)}`);
    out.push('by variant:');
    for (const [v, t] of Object.entries(p.byVariant)) out.push(`  ${v.padEnd(14)} ${cell(t)}`);
    const c = p.calibration;
    out.push(
      `confidence ≥ ${SURE}: ${c.sureRight}/${c.sure} right (${(c.sureRate * 100).toFixed(1)} %), ${(c.coverage * 100).toFixed(1)} % of ${c.read} fields read; below: ${c.unsureRight}/${c.unsure} right`,
    );
    if (p.hiddenMisses !== undefined) {
      out.push(`misses: ${p.hiddenMisses}, wrong type: ${p.hiddenWrongType ?? 0} (not shown; FAC_CORPUS_MISSES lists the parts whose misses are)`);
      continue;
    }
    if (p.wrongType.length) out.push('wrong type:', ...p.wrongType.map((w) => `  ${w.id} [${w.variant}]: ${w.got}`));
    out.push(`misses (${p.misses.length}):`);
    for (const m of p.misses.slice(0, maxMisses)) {
      out.push(`  ${m.id} [${m.variant}] ${m.field}: expected ${JSON.stringify(m.expected)}, read ${JSON.stringify(m.got)}${m.confidence !== undefined ? ` (${m.confidence})` : ''}`);
    }
  }
  out.push(`time per picture (queued behind others on the pool: throughput, not latency): p50 ${r.msPerPicture.p50} ms, p95 ${r.msPerPicture.p95} ms`);
  return out.join('\n');
}
