/**
 * Loads seed data (assets/seed/demo.json): persons with their cards, institutions, kiosks, structures
 * and their agents' levels, and the console's demo accounts. Idempotent: rows that already exist are left as they are. Kiosk
 * tokens are stored as SHA-256 only; card PINs in the file belong to the virtual cards and are not stored
 * by the server; console passwords are stored as scrypt hashes only (console/passwords.ts).
 */
import { readFile } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { KioskId } from '../../protocol/common.ts';
import { Identifier } from '../../protocol/identifier.ts';
import { KioskAuth } from '../../protocol/socket.ts';
import { CompetenceLevel, StructureKind } from '../../protocol/agents.ts';
import { tokenHash } from '../kernel/secrets.ts';
import { ConsoleLogin, ConsolePassword, InstitutionRole, seedConsoleAccounts } from '../features/accounts/index.ts';
import { seedStructures } from '../features/agents/index.ts';
import { anyKiosk, seedKiosks } from '../features/fleet/index.ts';
import { seedInstitutions } from '../features/institutions/index.ts';
import { anyPerson, seedPersons } from '../features/persons/index.ts';
import type { Database } from '../kernel/storage/schema.ts';

export const SeedFile = z.object({
  persons: z.array(
    z.object({
      identifier: Identifier,
      firstName: z.string().min(1).max(100),
      lastName: z.string().min(1).max(100),
      birthDate: z.iso.date(),
      role: z.enum(['beneficiary', 'agent']),
      card: z.object({ serial: z.string().regex(/^[0-9A-F]{8,32}$/) }).optional(),
    }),
  ),
  institutions: z.array(
    z.object({
      id: z.string().min(1).max(64),
      kind: z.string().min(1).max(32),
      name: z.string().min(1).max(200),
      address: z.string().max(200),
      city: z.string().max(100),
      postcode: z.string().max(10),
      lat: z.number().min(-90).max(90).nullable().optional(),
      lon: z.number().min(-180).max(180).nullable().optional(),
    }),
  ),
  kiosks: z.array(
    z.object({
      id: KioskId,
      name: z.string().min(1).max(200),
      institutionId: z.string().min(1).max(64).nullable().optional(),
      token: KioskAuth.shape.token,
    }),
  ),
  /** structures where agents work (a CMS, a CCAS…) */
  structures: z
    .array(z.strictObject({ id: z.string().min(1).max(64), kind: StructureKind, name: z.string().min(1).max(160), address: z.string().max(200).nullable().optional() }))
    .default([]),
  /** the seed's agents' profiles: their structure and competence level */
  agents: z.array(z.strictObject({ identifier: Identifier, structureId: z.string().min(1).max(64), level: CompetenceLevel })).default([]),
  /** demo accounts of the console: a head of service of one seeded institution, or the admin of one seeded structure */
  consoleAccounts: z
    .array(
      z.union([
        z.strictObject({
          login: ConsoleLogin,
          name: z.string().min(1).max(120),
          institutionId: z.string().min(1).max(64),
          /** head of service when absent */
          role: InstitutionRole.optional(),
          /** a demo password, documented with the demo data; stored hashed */
          password: ConsolePassword,
        }),
        z.strictObject({ login: ConsoleLogin, name: z.string().min(1).max(120), structureId: z.string().min(1).max(64), password: ConsolePassword }),
      ]),
    )
    .default([]),
}).superRefine((seed, ctx) => {
  const institutions = new Set(seed.institutions.map((i) => i.id));
  const structures = new Set(seed.structures.map((s) => s.id));
  const agents = new Set(seed.persons.filter((p) => p.role === 'agent').map((p) => p.identifier));
  seed.agents.forEach((a, i) => {
    if (!structures.has(a.structureId)) ctx.addIssue({ code: 'custom', path: ['agents', i, 'structureId'], message: `no structure "${a.structureId}" in the seed` });
    if (!agents.has(a.identifier)) ctx.addIssue({ code: 'custom', path: ['agents', i, 'identifier'], message: `no agent "${a.identifier}" in the seed` });
  });
  const logins = new Set<string>();
  seed.consoleAccounts.forEach((a, i) => {
    if ('institutionId' in a && !institutions.has(a.institutionId)) ctx.addIssue({ code: 'custom', path: ['consoleAccounts', i, 'institutionId'], message: `no institution "${a.institutionId}" in the seed` });
    if ('structureId' in a && !structures.has(a.structureId)) ctx.addIssue({ code: 'custom', path: ['consoleAccounts', i, 'structureId'], message: `no structure "${a.structureId}" in the seed` });
    if (logins.has(a.login)) ctx.addIssue({ code: 'custom', path: ['consoleAccounts', i, 'login'], message: `login "${a.login}" twice` });
    logins.add(a.login);
  });
});
export type SeedFile = z.infer<typeof SeedFile>;

export interface SeedCounts {
  persons: number;
  cards: number;
  institutions: number;
  kiosks: number;
  consoleAccounts: number;
  structures: number;
  agents: number;
}

export async function readSeedFile(path: string): Promise<SeedFile> {
  const text = await readFile(path, 'utf8');
  const result = SeedFile.safeParse(JSON.parse(text));
  if (!result.success) {
    throw new Error(`invalid seed file ${path}: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return result.data;
}

/** Inserts what is missing, in one transaction; returns how many rows of each kind were inserted now. */
export async function seedDatabase(db: Kysely<Database>, seed: SeedFile, now: Date = new Date()): Promise<SeedCounts> {
  const at = now.toISOString();
  return db.transaction().execute(async (trx) => {
    const institutions = await seedInstitutions(trx, seed.institutions);
    const { persons, cards } = await seedPersons(trx, seed.persons, at);
    const kiosks = await seedKiosks(trx, seed.kiosks.map((k) => ({ id: k.id, name: k.name, institutionId: k.institutionId ?? null, tokenHash: tokenHash(k.token) })));
    const { structures, agents } = await seedStructures(trx, seed.structures, seed.agents, at);
    const consoleAccounts = await seedConsoleAccounts(trx, seed.consoleAccounts, at);
    return { persons, cards, institutions, kiosks, consoleAccounts, structures, agents };
  });
}

/** True when no person and no kiosk exist yet (FAC_SEED is applied only then). */
export async function isDatabaseEmpty(db: Kysely<Database>): Promise<boolean> {
  return !(await anyPerson(db)) && !(await anyKiosk(db));
}
