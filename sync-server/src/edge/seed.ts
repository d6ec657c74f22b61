/**
 * Loads seed data (assets/seed/demo.json): persons with their cards, institutions, kiosks, and the
 * processing console's demo accounts. Idempotent: rows that already exist are left as they are. Kiosk
 * tokens are stored as SHA-256 only; card PINs in the file belong to the virtual cards and are not stored
 * by the server; console passwords are stored as scrypt hashes only (console/passwords.ts).
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { KioskId } from '../../protocol/common.ts';
import { Identifier } from '../../protocol/identifier.ts';
import { KioskAuth } from '../../protocol/socket.ts';
import { tokenHash } from '../kernel/secrets.ts';
import { ConsoleLogin, ConsolePassword, seedConsoleAccounts } from '../features/accounts/index.ts';
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
  /** demo accounts of the processing console (a head of service of one seeded institution) */
  consoleAccounts: z
    .array(
      z.strictObject({
        login: ConsoleLogin,
        name: z.string().min(1).max(120),
        institutionId: z.string().min(1).max(64),
        /** a demo password, documented with the demo data; stored hashed */
        password: ConsolePassword,
      }),
    )
    .default([]),
}).superRefine((seed, ctx) => {
  const institutions = new Set(seed.institutions.map((i) => i.id));
  const logins = new Set<string>();
  seed.consoleAccounts.forEach((a, i) => {
    if (!institutions.has(a.institutionId)) ctx.addIssue({ code: 'custom', path: ['consoleAccounts', i, 'institutionId'], message: `no institution "${a.institutionId}" in the seed` });
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
}

export async function readSeedFile(path: string): Promise<SeedFile> {
  const text = await readFile(path, 'utf8');
  const result = SeedFile.safeParse(JSON.parse(text));
  if (!result.success) {
    throw new Error(`invalid seed file ${path}: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return result.data;
}

/** Inserts what is missing; returns how many rows of each kind were inserted now. */
export async function seedDatabase(db: Kysely<Database>, seed: SeedFile, now: Date = new Date()): Promise<SeedCounts> {
  const at = now.toISOString();
  const counts: SeedCounts = { persons: 0, cards: 0, institutions: 0, kiosks: 0, consoleAccounts: 0 };
  await db.transaction().execute(async (trx) => {
    for (const inst of seed.institutions) {
      const r = await trx
        .insertInto('institutions')
        .values({
          id: inst.id,
          kind: inst.kind,
          name: inst.name,
          address: inst.address,
          city: inst.city,
          postcode: inst.postcode,
          lat: inst.lat ?? null,
          lon: inst.lon ?? null,
        })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      counts.institutions += Number(r.numInsertedOrUpdatedRows ?? 0);
    }
    for (const p of seed.persons) {
      const r = await trx
        .insertInto('persons')
        .values({
          id: randomUUID(),
          identifier: p.identifier,
          first_name: p.firstName,
          last_name: p.lastName,
          birth_date: p.birthDate,
          role: p.role,
          created_at: at,
        })
        .onConflict((oc) => oc.column('identifier').doNothing())
        .executeTakeFirst();
      counts.persons += Number(r.numInsertedOrUpdatedRows ?? 0);
      if (p.card) {
        const person = await trx.selectFrom('persons').select('id').where('identifier', '=', p.identifier).executeTakeFirstOrThrow();
        const c = await trx
          .insertInto('cards')
          .values({ serial: p.card.serial, person_id: person.id, status: 'active', issued_at: at })
          .onConflict((oc) => oc.column('serial').doNothing())
          .executeTakeFirst();
        counts.cards += Number(c.numInsertedOrUpdatedRows ?? 0);
      }
    }
    for (const k of seed.kiosks) {
      const r = await trx
        .insertInto('kiosks')
        .values({ id: k.id, name: k.name, institution_id: k.institutionId ?? null, token_hash: tokenHash(k.token), revoked_at: null })
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      counts.kiosks += Number(r.numInsertedOrUpdatedRows ?? 0);
    }
    counts.consoleAccounts = await seedConsoleAccounts(trx, seed.consoleAccounts, at);
  });
  return counts;
}

/** True when no person and no kiosk exist yet (FAC_SEED is applied only then). */
export async function isDatabaseEmpty(db: Kysely<Database>): Promise<boolean> {
  const person = await db.selectFrom('persons').select('id').limit(1).executeTakeFirst();
  const kiosk = await db.selectFrom('kiosks').select('id').limit(1).executeTakeFirst();
  return person === undefined && kiosk === undefined;
}
