// An estimate as the screens receive it (protocol/applications.ts SimulateAck): each aid named from the
// catalogue, the months the rules cover, the figures used. Shared by the server (its socket answer) and
// the kiosk (which estimates offline with the same engine and rules), so both say the same thing.
import type { SimulateAck } from '../applications.ts';
import type { Estimate } from './engine.ts';

export type SimulateAnswer = Extract<SimulateAck, { ok: true }>;

export const ANSWER_WORDS = {
  /** an AAH estimated for the partner: the list says whose it is */
  forPartner: (aid: string) => `${aid} (pour votre conjoint)`,
} as const;

export function simulateAnswer(sim: Estimate, nameOf: (aidId: string) => string): SimulateAnswer {
  return {
    ok: true,
    rulesVersion: `${sim.rulesCover.first}..${sim.rulesCover.last}`,
    validFrom: `${sim.month}-01`,
    warnings: sim.warnings,
    results: sim.results.map((r) => ({
      aid: r.aid,
      aidName: r.person === 'conjoint' ? ANSWER_WORDS.forPartner(nameOf(r.aid)) : nameOf(r.aid),
      eligible: r.eligible,
      monthlyAmount: r.monthlyAmount,
      explanation: r.explanation,
      ...(r.cssParticipation === undefined ? {} : { cssParticipation: r.cssParticipation }),
      scales: r.scales,
    })),
  };
}
