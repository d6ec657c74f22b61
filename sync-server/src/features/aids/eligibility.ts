/**
 * Each aid's basic conditions, checked from what the server knows when a request is made: the person's
 * age (from their birth date) and the situation they declared. Not a decision — the institution decides
 * — but the true reason a request will likely be refused, said plainly before it is sent, so the person
 * may still file it knowing why. Every rule cites its text.
 */
import type { FilingSituation } from '../../../protocol/applications.ts';

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
            text: `Vous avez ${age} ans. Le RSA est pour les personnes de 25 ans ou plus. Avant 25 ans, il faut attendre un enfant ou en élever un, ou avoir travaillé au moins 2 ans pendant les 3 dernières années.`,
            source: 'Code de l’action sociale et des familles, art. L262-4 (1°) et L262-7-1',
          }
        : null,
    ({ situation }) =>
      situation.nationality === 'non-eu'
        ? {
            condition: 'residence',
            text: 'Il faut en général un titre de séjour qui permet de travailler depuis au moins 5 ans. Ce n’est pas demandé aux réfugiés ni aux personnes qui ont une carte de résident.',
            source: 'Code de l’action sociale et des familles, art. L262-4 (2°)',
          }
        : null,
  ],
  'prime-activite': [
    ({ age }) =>
      age !== null && age < 18
        ? { condition: 'age', text: `Vous avez ${age} ans. La prime d’activité est pour les personnes de 18 ans ou plus.`, source: 'Code de la sécurité sociale, art. L842-2 (1°)' }
        : null,
    ({ situation }) =>
      works(situation)
        ? null
        : { condition: 'activity', text: 'La prime d’activité est pour les personnes qui travaillent. Vous n’avez pas dit que vous travaillez.', source: 'Code de la sécurité sociale, art. L842-1' },
    ({ situation }) =>
      situation.nationality === 'non-eu'
        ? {
            condition: 'residence',
            text: 'Il faut en général un titre de séjour qui permet de travailler depuis au moins 5 ans. Ce n’est pas demandé aux réfugiés ni aux personnes qui ont une carte de résident.',
            source: 'Code de la sécurité sociale, art. L842-2 (2°)',
          }
        : null,
  ],
  aah: [
    ({ age }) =>
      age !== null && age < 20
        ? {
            condition: 'age',
            text:
              age < 16
                ? `Vous avez ${age} ans. L’AAH est pour les adultes : à partir de 20 ans, ou de 16 ans pour un jeune qui n’est plus à la charge de ses parents.`
                : `Vous avez ${age} ans. Avant 20 ans, l’AAH est possible seulement si vous n’êtes plus à la charge de vos parents pour la CAF.`,
            source: 'Code de la sécurité sociale, art. L821-1 et R821-1',
          }
        : null,
  ],
  'allocations-familiales': [
    ({ situation }) =>
      situation.children ? null : { condition: 'children', text: 'Les allocations familiales sont pour les familles qui ont au moins 2 enfants à charge. Vous avez dit ne pas avoir d’enfant à charge.', source: 'Code de la sécurité sociale, art. L521-1' },
  ],
  ars: [
    ({ situation }) =>
      situation.children
        ? null
        : { condition: 'children', text: 'L’allocation de rentrée scolaire est pour les enfants de 6 à 18 ans qui vont à l’école. Vous avez dit ne pas avoir d’enfant à charge.', source: 'Code de la sécurité sociale, art. L543-1' },
  ],
  'aides-logement': [
    ({ situation }) =>
      situation.housing === 'homeless'
        ? { condition: 'housing', text: 'Les aides au logement aident à payer un loyer. Sans logement, elles ne peuvent pas être versées pour le moment.', source: 'Code de la construction et de l’habitation, art. L821-1' }
        : situation.housing === 'hosted'
          ? { condition: 'housing', text: 'Les aides au logement aident à payer un loyer. Si vous êtes hébergé sans payer de loyer, vous n’y avez pas droit.', source: 'Code de la construction et de l’habitation, art. L821-1' }
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
