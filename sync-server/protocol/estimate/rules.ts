// Zod schema of a dated rules file (assets/aids/rules/YYYY-MM.json): the official scales the simulation
// engine reads. Rules are data: a new scale is a new file, never a code branch.
import { z } from 'zod';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date attendue au format AAAA-MM-JJ');
const amount = z.number().nonnegative();
const rate = z.number().min(0).max(1);

/** Every rule says where it comes from and from when it applies. */
const dated = { source: z.string().min(10), validFrom: isoDate };

const householdIncrease = z.strictObject({ secondPerson: rate, additionalPerson: rate, fromThirdChild: rate });
const housingFlatRate = z.strictObject({ onePerson: rate, twoPersons: rate, threeOrMorePersons: rate });
const ceilingTable = z.strictObject({ byHouseholdSize: z.array(amount).min(1), perAdditionalPerson: amount });

export const RulesSchema = z.strictObject({
  version: z.string().regex(/^\d{4}-\d{2}$/),
  validFrom: isoDate,
  territory: z.string(),
  warning: z.string().min(10),
  notes: z.array(z.string()),
  rsa: z.strictObject({
    ...dated,
    baseAmount: amount,
    householdIncrease,
    housingFlatRate,
    minimumAge: z.number().int(),
    minimumPayment: amount,
  }),
  primeActivite: z.strictObject({
    ...dated,
    baseAmount: amount,
    householdIncrease,
    housingFlatRate,
    earnedIncomeRate: rate,
    bonification: z.strictObject({
      startMonthlyEarnings: amount,
      fullMonthlyEarnings: amount,
      /** null: not known with certainty, left out of the calculation. */
      maxAmount: amount.nullable(),
    }),
    minimumAge: z.number().int(),
    minimumPayment: amount,
  }),
  aah: z.strictObject({
    ...dated,
    fullRate: amount,
    annualCeilingSingle: amount,
    annualCeilingPerChild: amount,
    minimumAge: z.number().int(),
    fullRateDisability: z.number().min(0).max(100),
    minimumDisability: z.number().min(0).max(100),
  }),
  css: z.strictObject({
    ...dated,
    annualCeilingFree: ceilingTable,
    annualCeilingParticipation: ceilingTable,
    /** Monthly participation by age band (age on 1 January); null: not known with certainty. */
    participationByAge: z.array(z.strictObject({ minAge: z.number().int(), amount })).nullable(),
  }),
});

export type Rules = z.infer<typeof RulesSchema>;
