/**
 * Each aid's basic conditions, checked from what the server knows when a request is made: the person's
 * age (from their birth date) and the situation they declared. Not a decision — the institution decides
 * — but the true reason a request will likely be refused, said plainly before it is sent, so the person
 * may still file it knowing why. Every rule cites its text.
 */
import type { FilingSituation } from '../../../protocol/applications.ts';
import { ELIGIBILITY_SOURCE, ELIGIBILITY_TEXT } from '../../kernel/words/eligibility.ts';

export type ConditionKind = 'age' | 'residence' | 'activity' | 'children' | 'housing';

export interface EligibilityWarning {
  condition: ConditionKind;
  /** in plain French, for the person and for the service */
  text: string;
  /** the text the rule comes from */
  source: string;
}

export interface EligibilityFacts {
  /** full years on the day of the request; null when the birth date is unknown */
  age: number | null;
  situation: FilingSituation;
}

const works = (s: FilingSituation) => s.activity.includes('salaried') || s.activity.includes('self-employed');

type Rule = (f: EligibilityFacts) => EligibilityWarning | null;

const RULES: Record<string, Rule[]> = {
  rsa: [
    ({ age, situation }) =>
      age !== null && age < 25 && !situation.children
        ? {
            condition: 'age',
            text: ELIGIBILITY_TEXT.rsaAge(age),
            source: ELIGIBILITY_SOURCE.rsaAge,
          }
        : null,
    ({ situation }) =>
      situation.nationality === 'non-eu'
        ? {
            condition: 'residence',
            text: ELIGIBILITY_TEXT.permit,
            source: ELIGIBILITY_SOURCE.rsaPermit,
          }
        : null,
  ],
  'prime-activite': [
    ({ age }) =>
      age !== null && age < 18
        ? { condition: 'age', text: ELIGIBILITY_TEXT.primeAge(age), source: ELIGIBILITY_SOURCE.primeAge }
        : null,
    ({ situation }) =>
      works(situation)
        ? null
        : { condition: 'activity', text: ELIGIBILITY_TEXT.primeWork, source: ELIGIBILITY_SOURCE.primeWork },
    ({ situation }) =>
      situation.nationality === 'non-eu'
        ? {
            condition: 'residence',
            text: ELIGIBILITY_TEXT.permit,
            source: ELIGIBILITY_SOURCE.primePermit,
          }
        : null,
  ],
  aah: [
    ({ age }) =>
      age !== null && age < 20
        ? {
            condition: 'age',
            text: age < 16 ? ELIGIBILITY_TEXT.aahChild(age) : ELIGIBILITY_TEXT.aahYoung(age),
            source: ELIGIBILITY_SOURCE.aahAge,
          }
        : null,
  ],
  'allocations-familiales': [
    ({ situation }) =>
      situation.children ? null : { condition: 'children', text: ELIGIBILITY_TEXT.familyChildren, source: ELIGIBILITY_SOURCE.family },
  ],
  ars: [
    ({ situation }) =>
      situation.children
        ? null
        : { condition: 'children', text: ELIGIBILITY_TEXT.arsChildren, source: ELIGIBILITY_SOURCE.ars },
  ],
  'aides-logement': [
    ({ situation }) =>
      situation.housing === 'homeless'
        ? { condition: 'housing', text: ELIGIBILITY_TEXT.housingHomeless, source: ELIGIBILITY_SOURCE.housing }
        : situation.housing === 'hosted'
          ? { condition: 'housing', text: ELIGIBILITY_TEXT.housingHosted, source: ELIGIBILITY_SOURCE.housing }
          : null,
  ],
};

/** The warnings of one aid for these facts (none for an aid whose conditions are only assessed by its institution). */
export function eligibilityWarnings(aidId: string, facts: EligibilityFacts): EligibilityWarning[] {
  return (RULES[aidId] ?? []).map((rule) => rule(facts)).filter((w): w is EligibilityWarning => w !== null);
}

/** Full years between a birth date and a day (both YYYY-MM-DD): the age the rules speak of. */
export function ageOn(birthDate: string, day: string): number | null {
  const b = /^(\d{4})-(\d{2})-(\d{2})/.exec(birthDate);
  const d = /^(\d{4})-(\d{2})-(\d{2})/.exec(day);
  if (!b || !d) return null;
  const [by, bm, bd] = [Number(b[1]), Number(b[2]), Number(b[3])];
  const [dy, dm, dd] = [Number(d[1]), Number(d[2]), Number(d[3])];
  return dy - by - (dm < bm || (dm === bm && dd < bd) ? 1 : 0);
}
