/**
 * Which persons an institution serves — the only persons whose vault it may put a paper in. An
 * institution serves a person when, today, at least one of these holds:
 *
 * - the person has an aid request under way (filed, not refused nor closed) that this office handles (the
 *   catalogue's `institution`: the CAF for the RSA; once sent, the very office it was sent to, not another
 *   CAF), or whose list of papers asks for one this kind issues (the catalogue's `issuer`: the tax office for
 *   a tax notice the chèque énergie needs) — the paper may be the one the request waits for;
 * - the person wrote to this institution (a thread with it, from the vault or a request);
 * - this institution already put a paper in the person's vault (this year's attestation after last year's).
 *
 * Anyone else is answered as an unknown person: an institution learns nothing of who has a vault.
 */
import type { Kysely } from 'kysely';
import type { AidCatalogue } from '../aids/index.ts';
import type { Database } from '../../kernel/storage/schema.ts';

const UNDER_WAY = ['collecting-pieces', 'ready', 'submitted', 'in-processing', 'information-requested', 'accepted'] as const;

/** The aids whose request this kind of institution handles, or provides a paper for. */
export function aidsConcerning(catalogue: AidCatalogue, institutionKind: string): string[] {
  return catalogue.aids.filter((a) => a.institution === institutionKind || a.checklist.some((item) => item.issuer === institutionKind)).map((a) => a.id);
}

export async function servesPerson(db: Kysely<Database>, catalogue: AidCatalogue, institution: { id: string; kind: string }, personId: string): Promise<boolean> {
  const handled = catalogue.aids.filter((a) => a.institution === institution.kind).map((a) => a.id);
  const issued = catalogue.aids.filter((a) => a.checklist.some((item) => item.issuer === institution.kind)).map((a) => a.id);
  if (handled.length > 0 || issued.length > 0) {
    const request = await db
      .selectFrom('applications')
      .select('id')
      .where('person_id', '=', personId)
      .where('state', 'in', [...UNDER_WAY])
      .where((eb) =>
        eb.or([
          ...(issued.length > 0 ? [eb('aid_id', 'in', issued)] : []),
          // a request sent to another office of the kind is that office's
          ...(handled.length > 0 ? [eb.and([eb('aid_id', 'in', handled), eb.or([eb('institution_id', 'is', null), eb('institution_id', '=', institution.id)])])] : []),
        ]),
      )
      .limit(1)
      .executeTakeFirst();
    if (request) return true;
  }
  const thread = await db.selectFrom('threads').select('id').where('person_id', '=', personId).where('institution_id', '=', institution.id).limit(1).executeTakeFirst();
  if (thread) return true;
  const paper = await db
    .selectFrom('documents')
    .select('id')
    .where('owner_person_id', '=', personId)
    .where('vault', '=', 'institutional')
    .where('institution_id', '=', institution.id)
    .limit(1)
    .executeTakeFirst();
  return paper !== undefined;
}
