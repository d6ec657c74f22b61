/**
 * The independent reference data for the aid estimates holds together: every case and scale file parses,
 * ids are unique, there are enough cases of each aid, each case names the OpenFisca YAML test it comes
 * from, its month lies in 2018-01..2025-12, and each scale's dated values follow one another without
 * overlap. Nothing here runs our engine: the data is only ever scored against it, never tuned on.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AIDS, type Aid, type Case, CaseFile, type Scale, ScaleFile } from './schema.ts';

const here = import.meta.dirname;

function load<T>(folder: string, parse: (raw: unknown) => T): { file: string; data: T }[] {
  const dir = join(here, folder);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, data: parse(JSON.parse(readFileSync(join(dir, file), 'utf8'))) }));
}

/** Least number of cases per aid. No OpenFisca test of the lycée grant falls within 2018–2025 (see README). */
const MIN_CASES: Record<Aid, number> = {
  rsa: 15,
  'prime-activite': 15,
  aah: 15,
  'aide-logement': 15,
  'allocations-familiales': 3,
  ars: 3,
  css: 3,
  'cheque-energie': 3,
  asf: 2,
  'bourse-lycee': 0,
};
const MIN_TOTAL = 150;
const FIRST_MONTH = '2018-01';
const LAST_MONTH = '2025-12';

function problemsInCases(cases: Case[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const c of cases) {
    if (seen.has(c.id)) problems.push(`${c.id}: duplicate id`);
    seen.add(c.id);
    if (c.month < FIRST_MONTH || c.month > LAST_MONTH) problems.push(`${c.id}: month ${c.month} outside ${FIRST_MONTH}..${LAST_MONTH}`);
    if (!/\.ya?ml$/.test(c.source.path) || c.source.path.trim() === '') problems.push(`${c.id}: source path ${c.source.path} is not a YAML test`);
    const e = c.expected;
    const period = e.periodicity === 'monthly' ? c.month : c.month.slice(0, 4);
    if (e.period !== period) problems.push(`${c.id}: expected period ${e.period} does not match month ${c.month} (${e.periodicity})`);
    const ids = c.household.persons.map((p) => p.id);
    if (new Set(ids).size !== ids.length) problems.push(`${c.id}: two persons share an id`);
    if (c.household.persons.filter((p) => p.role === 'demandeur').length !== 1) problems.push(`${c.id}: needs exactly one demandeur`);
    if (c.household.persons.filter((p) => p.role === 'conjoint').length > 1) problems.push(`${c.id}: more than one conjoint`);
    if (e.perPerson) {
      for (const id of Object.keys(e.perPerson)) if (!ids.includes(id)) problems.push(`${c.id}: perPerson names ${id}, who is not in the household`);
      const sum = Object.values(e.perPerson).reduce((a, b) => a + b, 0);
      if (Math.abs(sum - (e.amount ?? Number.NaN)) > 1e-6) problems.push(`${c.id}: amount ${e.amount} is not the sum of perPerson (${sum})`);
    }
  }
  return problems;
}

function problemsInScales(scales: Scale[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const s of scales) {
    if (seen.has(s.id)) problems.push(`${s.id}: duplicate id`);
    seen.add(s.id);
    for (let i = 1; i < s.values.length; i++) {
      const before = s.values[i - 1]!.from;
      const from = s.values[i]!.from;
      if (from <= before) problems.push(`${s.id}: ${from} does not come after ${before} (periods overlap or are out of order)`);
    }
    for (const v of s.values) if (v.from > `${LAST_MONTH}-31`) problems.push(`${s.id}: ${v.from} is after ${LAST_MONTH}`);
    if (!s.values.some((v) => v.references.length > 0) && !(s.documentation?.length)) problems.push(`${s.id}: no reference and no documentation`);
  }
  return problems;
}

const caseFiles = load('cases', (raw) => CaseFile.parse(raw));
const scaleFiles = load('scales', (raw) => ScaleFile.parse(raw));
const cases = caseFiles.flatMap(({ data }) => data.cases);
const scales = scaleFiles.flatMap(({ data }) => data.scales);

describe('reference cases for the aid estimates', () => {
  it('parse with the schema, one file per aid', () => {
    expect(caseFiles.length).toBeGreaterThan(0);
    for (const { file, data } of caseFiles) {
      const aid = file.replace(/\.json$/, '');
      expect(AIDS as readonly string[]).toContain(aid);
      expect(data.cases.filter((c) => c.aid !== aid).map((c) => c.id)).toEqual([]);
    }
  });

  it('hold together: unique ids, months in range, YAML sources, coherent periods and persons', () => {
    expect(problemsInCases(cases)).toEqual([]);
  });

  it(`count at least ${MIN_TOTAL} cases and each aid's minimum`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(MIN_TOTAL);
    const short = AIDS.filter((aid) => cases.filter((c) => c.aid === aid).length < MIN_CASES[aid]);
    expect(short).toEqual([]);
  });

  it('catch a planted duplicate id, a month out of range, a non-YAML source and a wrong per-person sum', () => {
    const a = cases[0]!;
    const planted: Case[] = [
      a,
      { ...a },
      { ...a, id: 'planted-old', month: '2017-12', expected: { ...a.expected, period: '2017-12', periodicity: 'monthly' } },
      { ...a, id: 'planted-source', source: { ...a.source, path: 'tests/formulas/rsa.py' } },
      { ...a, id: 'planted-sum', expected: { ...a.expected, perPerson: { [a.household.persons[0]!.id]: 1 }, amount: 2 } },
    ];
    const found = problemsInCases(planted).join('\n');
    expect(found).toMatch(/duplicate id/);
    expect(found).toMatch(/planted-old: month 2017-12 outside/);
    expect(found).toMatch(/planted-source: source path/);
    expect(found).toMatch(/planted-sum: amount 2 is not the sum/);
  });
});

describe('dated scales for the aid estimates', () => {
  it('parse with the schema', () => {
    expect(scaleFiles.length).toBeGreaterThan(0);
    expect(scales.length).toBeGreaterThan(0);
  });

  it('have unique ids, ordered periods without overlap, and a cited source', () => {
    expect(problemsInScales(scales)).toEqual([]);
  });

  it('cover the figures the estimates need', () => {
    const ids = new Set(scales.map((s) => s.id));
    for (const id of ['rsa.montant-forfaitaire', 'prime-activite.montant-forfaitaire', 'prime-activite.pente', 'aah.montant', 'aah.majoration-plafond-couple', 'css.participation.30-49', 'asf.taux-un-parent', 'bmaf']) {
      expect(ids.has(id), id).toBe(true);
    }
  });

  it('catch a planted overlap', () => {
    const s = scales.find((x) => x.values.length >= 2)!;
    const swapped: Scale = { ...s, values: [...s.values].reverse() };
    expect(problemsInScales([swapped]).join('\n')).toMatch(/does not come after/);
  });
});
