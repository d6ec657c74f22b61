/** Issues the demo persons' cards (assets/seed/demo.json) into a folder; existing cards are kept. */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { VcardError } from './errors.ts';
import { issueVirtualCard } from './issue.ts';
import { cardFile } from './state.ts';

const DemoSchema = z.object({
  persons: z.array(
    z.object({
      identifier: z.string(),
      firstName: z.string(),
      lastName: z.string(),
      role: z.string(),
      card: z.object({ serial: z.string(), pin: z.string(), label: z.string().optional() }),
    }),
  ),
});

export type DemoPerson = z.infer<typeof DemoSchema>['persons'][number];

export function loadDemoPersons(demoPath: string): DemoPerson[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(demoPath, 'utf8'));
  } catch (e) {
    throw new VcardError('io-error', `cannot read demo data ${demoPath}`, { cause: e });
  }
  const parsed = DemoSchema.safeParse(json);
  if (!parsed.success) throw new VcardError('invalid-argument', `demo data ${demoPath} does not have the expected shape`);
  return parsed.data.persons;
}

export interface SeedResult {
  serial: string;
  identifier: string;
  status: 'issued' | 'kept';
}

export async function seedDemoCards(dir: string, demoPath: string): Promise<SeedResult[]> {
  const out: SeedResult[] = [];
  for (const p of loadDemoPersons(demoPath)) {
    const serial = p.card.serial.toUpperCase();
    if (existsSync(cardFile(dir, serial))) {
      out.push({ serial, identifier: p.identifier, status: 'kept' });
      continue;
    }
    await issueVirtualCard({
      dir,
      serial,
      identifier: p.identifier,
      pin: p.card.pin,
      holder: { firstName: p.firstName, lastName: p.lastName },
    });
    out.push({ serial, identifier: p.identifier, status: 'issued' });
  }
  return out;
}
