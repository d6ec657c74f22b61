/**
 * One aid estimate as the kiosk makes it (DESIGN.md §8: ≤ 20 ms p50): the questionnaire's answers dated for
 * a month, the situation checked, then the engine of sync-server/protocol/estimate run on the rules already
 * read (the kiosk reads them once) — RSA, prime d'activité (three monthly calculations), AAH on the quarter,
 * CSS on twelve months, the family benefits and the chèque énergie on N-2. Rotates over a few households so no single path is measured alone.
 */
import { AnswersSchema, situationFromAnswers } from '../sync-server/protocol/estimate/answers.ts';
import { estimate } from '../sync-server/protocol/estimate/engine.ts';
import { SituationSchema } from '../sync-server/protocol/estimate/situation.ts';
import { loadRules } from '../sync-server/src/features/aids/index.ts';
import { summarize } from './stats.ts';
import type { BenchResult } from './stats.ts';

const HOUSEHOLDS = [
  { residesInFrance: true, couple: false, adults: [{ age: 35, resources: {} }], housing: { status: 'hosted-free' } },
  { residesInFrance: true, couple: true, adults: [{ age: 40, resources: { salaries: 1300 } }, { age: 38, resources: { salaries: 600 } }], children: [{ age: 4 }, { age: 9 }], housing: { status: 'tenant', rent: 700, housingBenefit: 150 } },
  { residesInFrance: true, couple: true, adults: [{ age: 45, disabilityRate: 80, resources: { salaries: 500 } }, { age: 47, resources: { pensions: 900 } }], housing: { status: 'owner', repayingLoan: false } },
  { residesInFrance: true, couple: false, adults: [{ age: 29, resources: { unemploymentBenefits: 800 } }], children: [{ age: 1 }], housing: { status: 'tenant', rent: 550, housingBenefit: 250 } },
].map((h) => AnswersSchema.parse(h));
const MONTHS = ['2018-05', '2019-11', '2022-08', '2023-10', '2025-06'];

export function benchEstimate(runs = 200): BenchResult[] {
  const rules = loadRules();
  const samples: number[] = [];
  for (let i = 0; i < runs + 20; i++) {
    const answers = HOUSEHOLDS[i % HOUSEHOLDS.length]!;
    const month = MONTHS[i % MONTHS.length]!;
    const t0 = performance.now();
    estimate(SituationSchema.parse(situationFromAnswers(answers, month)), rules);
    if (i >= 20) samples.push(performance.now() - t0); // twenty warm-up rounds
  }
  return [summarize('one aid estimate on the kiosk (every aid, dated situation checked)', samples, { budget: { p50: 20, text: '≤ 20 ms p50' } })];
}
