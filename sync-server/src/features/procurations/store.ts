/**
 * Storing a procuration numérique the two cards signed at a kiosk. Everything is checked before anything
 * is stored, the way a signed submission is (applications/submission.ts) and with the same parts:
 *  - the text as the protocol defines it (zod), made on this kiosk, naming the two people whose cards
 *    opened the session, prepared minutes ago (not from the future), its dates (from today in Paris, a
 *    day of clock skew allowed; one day to one year), its scope (aids of the catalogue, or every one);
 *  - each certificate from our CA, naming an active card the platform knows (`checkPresentedCard`, as at
 *    login): the person's own beneficiary card, the named agent's agent card;
 *  - the person's signature over `procurationBytes`, the agent's over `countersignBytes` (PSO:CDS with
 *    each card's signature key: `verifyP256Signature`, as a submission);
 *  - the agent's structure as the platform knows it now (`structureOf`);
 *  - a renewal renews a procuration still running between the same two people, and ends it.
 * Then one transaction: the row, the renewed one ended, the journal. A refusal stores nothing, is
 * journaled (the person sees it in their journal) and comes back typed, in plain French.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { verifyP256Signature } from '../../../../drivers/pcsc/ec.ts';
import { canonicalJson } from '../../../protocol/canonical-json.ts';
import type { Json } from '../../../protocol/canonical-json.ts';
import type { CardCertificateProblem } from '../../../protocol/card-certificate.ts';
import { parisDay } from '../../../protocol/format.ts';
import { PROCURATION_MAX_DAYS, PROCURATION_MIN_DAYS, ProcurationText, SignedProcuration, countersignBytes, daysBetween, procurationBytes, startProblem } from '../../../protocol/procuration.ts';
import type { ProcurationScope } from '../../../protocol/procuration.ts';
import type { AidCatalogue } from '../aids/index.ts';
import { checkPresentedCard } from '../cards/index.ts';
import type { CaCertificate } from '../cards/index.ts';
import { appendAudit } from '../../kernel/audit.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { CARD_PROBLEM_WORDS } from '../../kernel/words/applications.ts';
import { PROCURATION_REFUSAL } from '../../kernel/words/procurations.ts';
import type { ProcurationRefusalReason } from '../../kernel/words/procurations.ts';

/** The structure an agent works for, as the platform knows it now. */
export interface AgentStructure {
  id: string;
  name: string;
}

export interface ProcurationDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  /** the pinned platform CA (null: no card can be checked, nothing is stored) */
  ca: () => CaCertificate | null;
  catalogue: AidCatalogue;
  /** the agent's structure (structures live in their own feature; injected so this one needs none) */
  structureOf: (agentPersonId: string) => Promise<AgentStructure | null>;
  /** the clock (tests move it) */
  now?: () => Date;
}

/** Where the signed procuration comes from: the kiosk, and the two people whose cards opened its session. */
export interface StoreContext {
  kioskId: string;
  personId: string;
  agentPersonId: string;
  /** the cards that opened the session, when it is known: the text must name these very cards */
  cardSerials?: { person: string; agent: string };
}

export type ProcurationErrorCode = 'invalid' | 'expired' | 'forbidden' | 'conflict' | 'unknown';

export interface ProcurationError {
  code: ProcurationErrorCode;
  /** why it was refused (store), or `not-found`, `ended`, `not-present` (withdrawing one), `unprintable` */
  reason: ProcurationRefusalReason | 'not-found' | 'ended' | 'not-present' | 'unprintable';
  message: string;
}

export type ProcurationOutcome<T> = { ok: true; value: T } | { ok: false; error: ProcurationError };

/** How far the text's createdAt may be from the server's clock, either way. */
export const CREATED_AT_SKEW_MS = 10 * 60_000;

const CODE_OF: Readonly<Record<ProcurationRefusalReason, ProcurationErrorCode>> = {
  format: 'invalid',
  dates: 'invalid',
  'too-long': 'invalid',
  'too-late': 'invalid',
  stale: 'expired',
  'wrong-session': 'forbidden',
  'wrong-kiosk': 'forbidden',
  'no-ca': 'unknown',
  certificate: 'forbidden',
  'card-unknown': 'forbidden',
  'other-person': 'forbidden',
  'not-beneficiary': 'forbidden',
  'not-agent': 'forbidden',
  'other-agent': 'forbidden',
  'person-signature': 'forbidden',
  'agent-signature': 'forbidden',
  'wrong-name': 'forbidden',
  structure: 'forbidden',
  'unknown-aid': 'invalid',
  scope: 'invalid',
  renewal: 'forbidden',
  duplicate: 'conflict',
};

class Refused extends Error {
  constructor(
    readonly reason: ProcurationRefusalReason,
    readonly words: string,
  ) {
    super(reason);
  }
}

function refused(reason: Exclude<ProcurationRefusalReason, 'certificate' | 'unknown-aid'>): Refused {
  return new Refused(reason, PROCURATION_REFUSAL[reason]);
}

/** The text without its date refinements: a text that passes this but not the protocol has bad dates. */
const LooseSigned = SignedProcuration.extend({ text: z.strictObject(ProcurationText.shape) });

/** The person's and the agent's signatures, hashed together: the short fingerprint the printed copy shows. */
export function signaturesFingerprint(personSignature: string, agentSignature: string): string {
  const h = createHash('sha256').update(personSignature).update('\0').update(agentSignature).digest('hex').toUpperCase();
  return (h.slice(0, 16).match(/.{4}/g) ?? []).join(' ');
}

export function textSha256(text: ProcurationText): string {
  return createHash('sha256').update(procurationBytes(text)).digest('hex');
}

function checkDates(text: { from: string; until: string }, now: Date): void {
  const today = parisDay(now);
  const yesterday = parisDay(new Date(now.getTime() - 86_400_000));
  if (text.until < text.from || text.from < yesterday || text.until < today) throw refused('dates');
  if (startProblem(today, text.from) !== null) throw refused('too-late');
  const days = daysBetween(text.from, text.until) + 1;
  if (days < PROCURATION_MIN_DAYS || days > PROCURATION_MAX_DAYS) throw refused('too-long');
}

function checkScope(scope: ProcurationScope, catalogue: AidCatalogue): void {
  const once = (xs: readonly string[]) => new Set(xs).size === xs.length;
  if (!once(scope.aids) || !once(scope.categories) || !once(scope.actions)) throw refused('scope');
  if (scope.aids.includes('*')) {
    if (scope.aids.length !== 1) throw refused('scope');
    return;
  }
  const known = new Set(catalogue.aids.map((a) => a.id));
  const unknown = scope.aids.find((id) => !known.has(id));
  if (unknown !== undefined) throw new Refused('unknown-aid', PROCURATION_REFUSAL['unknown-aid'](unknown));
}

function verifies(point: Uint8Array, bytes: Uint8Array, signature: string): boolean {
  try {
    return verifyP256Signature(point, bytes, new Uint8Array(Buffer.from(signature, 'base64url')));
  } catch {
    return false;
  }
}

const CARD_PROBLEM: Record<CardCertificateProblem, string> = CARD_PROBLEM_WORDS;

/** A presented card, checked as at login; refused in the procuration's words. */
async function presented(deps: ProcurationDeps, ca: CaCertificate, cardSerial: string, certificate: string, now: Date) {
  const p = await checkPresentedCard(deps.db, ca, { cardSerial, certificate, now });
  if (!p.ok) {
    if (p.why === 'certificate') throw new Refused('certificate', PROCURATION_REFUSAL.certificate(CARD_PROBLEM[p.problem]));
    throw refused('card-unknown');
  }
  return p;
}

async function fullName(db: Kysely<Database>, personId: string): Promise<string | null> {
  const p = await db.selectFrom('persons').select(['first_name', 'last_name']).where('id', '=', personId).executeTakeFirst();
  return p ? `${p.first_name} ${p.last_name}` : null;
}

/** Every check that needs no transaction; returns what the row needs. */
async function verify(deps: ProcurationDeps, signed: SignedProcuration, ctx: StoreContext, now: Date) {
  const { text } = signed;
  if (text.madeAt.kioskId !== ctx.kioskId) throw refused('wrong-kiosk');
  if (ctx.cardSerials && (ctx.cardSerials.person !== text.person.cardSerial || ctx.cardSerials.agent !== text.agent.cardSerial)) throw refused('wrong-session');
  const createdAt = Date.parse(text.createdAt);
  if (Math.abs(now.getTime() - createdAt) > CREATED_AT_SKEW_MS) throw refused('stale');
  checkDates(text, now);
  checkScope(text.scope, deps.catalogue);

  const ca = deps.ca();
  if (!ca) throw refused('no-ca');
  const person = await presented(deps, ca, text.person.cardSerial, signed.personCertificate, now);
  const agent = await presented(deps, ca, text.agent.cardSerial, signed.agentCertificate, now);

  if (person.card.personId !== ctx.personId || person.card.identifier !== text.person.identifier) throw refused('other-person');
  if (person.card.role !== 'beneficiary' || person.info.role !== 'beneficiary') throw refused('not-beneficiary');
  if (agent.card.role !== 'agent' || agent.info.role !== 'agent') throw refused('not-agent');
  if (agent.card.personId !== ctx.agentPersonId || agent.card.identifier !== text.agent.identifier) throw refused('other-agent');

  if (!verifies(person.info.signaturePublicKey, procurationBytes(text), signed.personSignature)) throw refused('person-signature');
  if (!verifies(agent.info.signaturePublicKey, countersignBytes(text, signed.personSignature), signed.agentSignature)) throw refused('agent-signature');

  if ((await fullName(deps.db, ctx.personId)) !== text.person.name || (await fullName(deps.db, ctx.agentPersonId)) !== text.agent.name) throw refused('wrong-name');

  const structure = await deps.structureOf(ctx.agentPersonId);
  if (!structure || structure.id !== text.agent.structure.id || structure.name !== text.agent.structure.name) throw refused('structure');
  return { person, agent };
}

/** Journals a refused procuration: for the chain, and for the person, who sees it in their journal. */
async function journalRefusal(deps: ProcurationDeps, ctx: StoreContext, reason: ProcurationRefusalReason, procurationId: string | null, at: string): Promise<void> {
  await deps.db.transaction().execute((trx) =>
    appendAudit(trx, deps.dialect, {
      actor: { kind: 'system', id: 'procurations' },
      action: 'procuration.refused',
      subjectPersonId: ctx.personId,
      documentId: null,
      ground: 'procuration',
      detail: { reason, kioskId: ctx.kioskId, procurationId },
      at,
    }),
  );
}

/**
 * Checks a signed procuration and stores it (ending the one it renews). `signed` is what came from the
 * kiosk, parsed here; `ctx` says which kiosk sent it and whose cards opened the session.
 */
export async function storeProcuration(deps: ProcurationDeps, signed: unknown, ctx: StoreContext): Promise<ProcurationOutcome<{ id: string; renewed: string | null }>> {
  const now = deps.now?.() ?? new Date();
  const at = now.toISOString();
  const parsed = SignedProcuration.safeParse(signed);
  let id: string | null = null;
  try {
    if (!parsed.success) {
      const loose = LooseSigned.safeParse(signed);
      if (loose.success) {
        id = loose.data.text.id;
        checkDates(loose.data.text, now);
      }
      throw refused('format');
    }
    const s = parsed.data;
    id = s.text.id;
    const { person, agent } = await verify(deps, s, ctx, now);
    const { text } = s;
    await deps.db.transaction().execute(async (trx) => {
      if (await trx.selectFrom('procurations').select('id').where('id', '=', text.id).executeTakeFirst()) throw refused('duplicate');
      if (text.renews !== null) {
        const old = await trx.selectFrom('procurations').selectAll().where('id', '=', text.renews).executeTakeFirst();
        if (!old || old.person_id !== ctx.personId || old.agent_person_id !== ctx.agentPersonId || old.revoked_at !== null || old.until_day < parisDay(now)) throw refused('renewal');
        const ended = await trx.updateTable('procurations').set({ revoked_at: at, revoked_by: 'renewed', revoked_reason: null }).where('id', '=', old.id).where('revoked_at', 'is', null).executeTakeFirst();
        // another renewal or a withdrawal got there first
        if (Number(ended.numUpdatedRows) !== 1) throw refused('renewal');
      }
      await trx
        .insertInto('procurations')
        .values({
          id: text.id,
          person_id: ctx.personId,
          agent_person_id: ctx.agentPersonId,
          structure_id: text.agent.structure.id,
          text: canonicalJson(text as unknown as Json),
          person_signature: s.personSignature,
          agent_signature: s.agentSignature,
          person_certificate: s.personCertificate,
          agent_certificate: s.agentCertificate,
          person_card_serial: text.person.cardSerial,
          agent_card_serial: text.agent.cardSerial,
          from_day: text.from,
          until_day: text.until,
          scope: canonicalJson(text.scope as unknown as Json),
          kiosk_id: ctx.kioskId,
          created_at: text.createdAt,
          stored_at: at,
          revoked_at: null,
          revoked_by: null,
          revoked_reason: null,
          renews: text.renews,
        })
        .execute();
      await appendAudit(trx, deps.dialect, {
        actor: { kind: 'person', id: person.card.identifier },
        action: text.renews === null ? 'procuration.create' : 'procuration.renew',
        subjectPersonId: ctx.personId,
        documentId: null,
        ground: 'own-card',
        detail: {
          procurationId: text.id,
          renews: text.renews,
          agent: agent.card.identifier,
          agentCardSerial: text.agent.cardSerial,
          cardSerial: text.person.cardSerial,
          structureId: text.agent.structure.id,
          from: text.from,
          until: text.until,
          scope: text.scope as unknown as Json,
          kioskId: ctx.kioskId,
          textSha256: textSha256(text),
        },
        at,
      });
    });
    return { ok: true, value: { id: text.id, renewed: text.renews } };
  } catch (e) {
    if (!(e instanceof Refused)) throw e;
    await journalRefusal(deps, ctx, e.reason, id, at);
    return { ok: false, error: { code: CODE_OF[e.reason], reason: e.reason, message: e.words } };
  }
}
