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

/**
 * The estimate for the screens: the aids of the catalogue only (the engine also estimates some it does not
 * list, the ASF counted in the RSA), each with its catalogue name.
 */
export function simulateAnswer(sim: Estimate, catalogue: readonly { id: string; name: string }[]): SimulateAnswer {
  const nameOf = new Map(catalogue.map((a) => [a.id, a.name]));
  return {
    ok: true,
    rulesVersion: `${sim.rulesCover.first}..${sim.rulesCover.last}`,
    validFrom: `${sim.month}-01`,
    warnings: sim.warnings,
    results: sim.results.flatMap((r) => {
      const name = nameOf.get(r.aid);
      if (name === undefined) return [];
      return [{
      aid: r.aid,
      aidName: r.person === 'conjoint' ? ANSWER_WORDS.forPartner(name) : name,
      eligible: r.eligible,
      monthlyAmount: r.monthlyAmount,
      explanation: r.explanation,
      ...(r.cssParticipation === undefined ? {} : { cssParticipation: r.cssParticipation }),
      ...(r.yearlyAmount === undefined ? {} : { yearlyAmount: r.yearlyAmount }),
      scales: r.scales,
      }];
    }),
  };
}
