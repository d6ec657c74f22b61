/**
 * The dates a procuration may have, as the protocol states them: one day to one year (the text's own
 * rule), starting neither before it is signed nor more than a few weeks after (`startProblem`, which the
 * kiosk checks before any card signs and the server before it stores).
 */
import { describe, expect, it } from 'vitest';
import { PROCURATION_CONTEXT, PROCURATION_MAX_START_DAYS, ProcurationText, startProblem } from './procuration.ts';

const day = (base: string, n: number) => new Date(Date.parse(`${base}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const signed = '2026-12-07';

function text(from: string, until: string) {
  return {
    context: PROCURATION_CONTEXT,
    id: '0b7d3c1e-5a44-4c2f-9d7e-3f1a2b4c5d6e',
    person: { identifier: 'FAC-K7QM-3XD2-9HRW', name: 'Camille Martin', cardSerial: '0A1B2C3D' },
    agent: { identifier: 'FAC-R9TD-4HWN-3GAK', name: 'Sophie Lefèvre', cardSerial: '0A1B2C40', structure: { id: 'cms-centre', name: 'CMS du centre-ville' } },
    scope: { aids: ['*'], categories: ['identity'], actions: ['consult'] },
    from,
    until,
    madeAt: { kioskId: 'kiosk-1', place: 'CMS du centre-ville' },
    createdAt: `${signed}T09:30:00.000Z`,
    renews: null,
  };
}

/** Every problem, the text's then the start's, as `path: words`. */
function problems(from: string, until: string): string[] {
  const r = ProcurationText.safeParse(text(from, until));
  const found = r.success ? [] : r.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`);
  const start = startProblem(signed, from);
  return start ? [...found, `from: ${start}`] : found;
}

describe('the dates of a procuration', () => {
  it.each([
    ['one day, the day it is signed', signed, signed],
    ['a year from the next day', day(signed, 1), day(signed, 366)],
    ['starting the day before (a clock around midnight)', day(signed, -1), day(signed, 30)],
    [`starting ${PROCURATION_MAX_START_DAYS} days later`, day(signed, PROCURATION_MAX_START_DAYS), day(signed, PROCURATION_MAX_START_DAYS + 10)],
  ])('takes %s', (_what, from, until) => {
    expect(problems(from, until)).toEqual([]);
  });

  it.each([
    ['a day longer than a year', signed, day(signed, 366), 'until: une procuration dure d’un jour à un an'],
    ['an end before its start', day(signed, 3), day(signed, 2), 'until: la fin est avant le début'],
    ['a start two days before it is signed', day(signed, -2), day(signed, 10), 'from: elle ne peut pas commencer avant le jour où elle est signée'],
    ['a start years later', day(signed, 3 * 365), day(signed, 3 * 365 + 30), `from: elle doit commencer dans les ${PROCURATION_MAX_START_DAYS} jours qui suivent sa signature`],
    ['a start one day too far', day(signed, PROCURATION_MAX_START_DAYS + 1), day(signed, PROCURATION_MAX_START_DAYS + 2), `from: elle doit commencer dans les ${PROCURATION_MAX_START_DAYS} jours qui suivent sa signature`],
  ])('refuses %s, in plain words', (_what, from, until, words) => {
    expect(problems(from, until)).toContain(words);
  });
});
