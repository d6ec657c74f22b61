/**
 * What the access policy takes of a procuration when an agent acts on it: whether it is in force on that
 * day, and whether it still proves itself — both signatures checked again from the stored text against
 * the stored certificates (from our CA), and both cards still active now. The signature check is
 * remembered per procuration (what it checks never changes); the cards' status is read each time, so a
 * card blocked a second ago stops the procuration at once.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { verifyP256Signature } from '../../../../drivers/pcsc/ec.ts';
import { checkCardCertificate } from '../../../protocol/card-certificate.ts';
import type { PaperCategory } from '../../../protocol/agents.ts';
import { ProcurationScope, ProcurationText, countersignBytes, inForce, procurationBytes } from '../../../protocol/procuration.ts';
import type { ProcurationAction } from '../../../protocol/procuration.ts';
import type { CaCertificate } from '../cards/index.ts';
import type { Database, ProcurationRow } from '../../kernel/storage/schema.ts';
import type { PolicyProcuration } from '../../kernel/access-policy.ts';

/** The fact the access policy's procuration ground takes (its shape is the policy's). */
export type { PolicyProcuration };

const CACHE_MAX = 5_000;
/** Signatures already checked, by the stored procuration and the CA they were checked against. */
const signaturesChecked = new Map<string, boolean>();

/** Both signatures over the stored text, against the stored certificates (from `ca`, valid on the signing day). */
async function signaturesHold(row: ProcurationRow, ca: Pick<CaCertificate, 'certificate'>): Promise<boolean> {
  // everything the check reads: a row changed in the database is checked again, not taken from memory
  const h = createHash('sha256').update(ca.certificate);
  for (const part of [row.id, row.text, row.person_signature, row.agent_signature, row.person_certificate, row.agent_certificate, row.person_card_serial, row.agent_card_serial, row.from_day, row.until_day]) h.update('\0').update(part);
  const key = h.digest('hex');
  const known = signaturesChecked.get(key);
  if (known !== undefined) return known;
  let good: boolean;
  try {
    const text = ProcurationText.parse(JSON.parse(row.text));
    const at = new Date(text.createdAt);
    const certified = async (der: string, cardSerial: string) =>
      checkCardCertificate(new Uint8Array(Buffer.from(der, 'base64url')), { caCertificate: ca.certificate, now: at, cardSerial, isRevoked: () => false });
    const person = await certified(row.person_certificate, row.person_card_serial);
    const agent = await certified(row.agent_certificate, row.agent_card_serial);
    good =
      person.ok &&
      agent.ok &&
      person.info.role === 'beneficiary' &&
      agent.info.role === 'agent' &&
      person.info.identifier === text.person.identifier &&
      agent.info.identifier === text.agent.identifier &&
      text.id === row.id &&
      text.person.cardSerial === row.person_card_serial &&
      text.agent.cardSerial === row.agent_card_serial &&
      text.from === row.from_day &&
      text.until === row.until_day &&
      verifyP256Signature(person.info.signaturePublicKey, procurationBytes(text), new Uint8Array(Buffer.from(row.person_signature, 'base64url'))) &&
      verifyP256Signature(agent.info.signaturePublicKey, countersignBytes(text, row.person_signature), new Uint8Array(Buffer.from(row.agent_signature, 'base64url')));
  } catch {
    good = false;
  }
  if (signaturesChecked.size >= CACHE_MAX) signaturesChecked.delete(signaturesChecked.keys().next().value!);
  signaturesChecked.set(key, good);
  return good;
}

/** The scope column (the signed scope, as stored), read through the protocol's schema (a bad row gives nothing). */
export function storedScope(row: Pick<ProcurationRow, 'scope'>): { categories: PaperCategory[]; actions: ProcurationAction[]; aids: string[] } {
  // a caseload reads a thousand of them, most alike: each distinct text is parsed once (callers do not change it)
  const known = scopesRead.get(row.scope);
  if (known) return known;
  let raw: unknown;
  try {
    raw = JSON.parse(row.scope);
  } catch {
    raw = null;
  }
  const s = ProcurationScope.safeParse(raw);
  const scope = s.success ? s.data : { categories: [], actions: [], aids: [] };
  if (scopesRead.size >= CACHE_MAX) scopesRead.delete(scopesRead.keys().next().value!);
  scopesRead.set(row.scope, scope);
  return scope;
}
const scopesRead = new Map<string, { categories: PaperCategory[]; actions: ProcurationAction[]; aids: string[] }>();

/** The scope as stored, read through the protocol's schema (a bad row gives nothing). */
export function scopeOf(row: Pick<ProcurationRow, 'text'>): { categories: PaperCategory[]; actions: ProcurationAction[]; aids: string[] } {
  const t = ProcurationText.safeParse(JSON.parse(row.text));
  return t.success ? t.data.scope : { categories: [], actions: [], aids: [] };
}

/**
 * The procuration `procurationId` between this person and this agent, as the policy sees it on `day`
 * (a Paris calendar day); null when there is none between them. `ca` is the pinned platform CA (null:
 * nothing can be verified).
 */
export async function factsFor(
  db: Kysely<Database>,
  q: { personId: string; agentPersonId: string; procurationId: string; day: string },
  ca: Pick<CaCertificate, 'certificate'> | null,
): Promise<PolicyProcuration | null> {
  const row = await db
    .selectFrom('procurations')
    .selectAll()
    .where('id', '=', q.procurationId)
    .where('person_id', '=', q.personId)
    .where('agent_person_id', '=', q.agentPersonId)
    .executeTakeFirst();
  if (!row) return null;
  const cards = await db
    .selectFrom('cards')
    .select(['serial', 'status', 'person_id'])
    .where('serial', 'in', [row.person_card_serial, row.agent_card_serial])
    .execute();
  const active = (serial: string, personId: string) => cards.some((c) => c.serial === serial && c.person_id === personId && c.status === 'active');
  const cardsActive = active(row.person_card_serial, row.person_id) && active(row.agent_card_serial, row.agent_person_id);
  const verified = cardsActive && ca !== null && (await signaturesHold(row, ca));
  const scope = scopeOf(row);
  return {
    id: row.id,
    personId: row.person_id,
    agentPersonId: row.agent_person_id,
    inForce: inForce({ from: row.from_day, until: row.until_day, revokedAt: row.revoked_at }, q.day),
    verified,
    categories: scope.categories,
    actions: scope.actions,
    aids: scope.aids,
  };
}
