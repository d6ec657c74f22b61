/**
 * Sending a dossier, signed (issue #7). `prepare` builds the manifest from the database — the dossier,
 * its aids, the situation, each checklist item's paper (document, version, SHA-256; null while missing),
 * the mode and the ground, stamped with the server's time and the kiosk — and the card signs its exact
 * bytes (PSO:CDS). `submit` checks everything again before storing anything:
 *  - the manifest is fresh (at most MANIFEST_TTL_MS old, not from the future) and is exactly what the
 *    server would build now (so neither a changed dossier nor an edited manifest passes);
 *  - the certificate comes from our CA and names an active card the platform knows (as at login);
 *  - the signature verifies against the card's signature key;
 *  - the card fits the ground: the beneficiary's own card, or, on a procuration, the card of the agent
 *    it was given to, acting alone in the session opened on it; the procuration is checked again then
 *    (in force, both signatures holding, sending allowed, every aid of the request named).
 * Then, in one transaction: the signed manifest, signature, signer and ground on the dossier, a receipt
 * number, and the sending (manual mode, or automatic with nothing missing); an automatic sending with
 * pieces still missing waits for them (dossiers.ts sends it when the last one arrives). Journaled.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { checkPresentedCard } from '../cards/index.ts';
import type { CardCertificateProblem } from '../../../protocol/card-certificate.ts';
import { verifyP256Signature } from '../../../../drivers/pcsc/ec.ts';
import { MANIFEST_CONTEXT, MANIFEST_TTL_MS, manifestBytes } from '../../../protocol/applications.ts';
import type { Manifest, SubmissionGround, SubmissionMode } from '../../../protocol/applications.ts';
import { isMissing, situationOf } from './pieces.ts';
import { officesOf } from './offices.ts';
import type { Office } from './offices.ts';
import { canonicalJson } from '../../../protocol/canonical-json.ts';
import type { Json } from '../../../protocol/canonical-json.ts';
import { CROCKFORD } from '../../../protocol/identifier.ts';
import type { AidCatalogue } from '../aids/index.ts';
import type { CaCertificate } from '../cards/index.ts';
import { appendAudit } from '../../kernel/audit.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { Database } from '../../kernel/storage/schema.ts';
import { fireEventIn, notifyPerson } from './applications.ts';
import { Refusal, recordFinalPieces, reevaluateOwned, refusals, refuse } from './dossiers.ts';
import type { Applicant, Failure, Outcome, Reevaluation } from './dossiers.ts';
import { APPLICATION_ANSWER, CARD_PROBLEM_WORDS } from '../../kernel/words/applications.ts';
import { PROCURATION_DENY_WORDS } from '../../kernel/words/procurations.ts';
import { agentFacts } from '../agents/index.ts';
import { factsFor, procurationNames } from '../procurations/index.ts';
import { decide } from '../../kernel/access-policy.ts';
import { parisDay } from '../../../protocol/format.ts';

export interface SubmissionDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  ca: () => CaCertificate | null;
  catalogue: AidCatalogue;
  /** the clock (tests move it) */
  now?: () => Date;
}

/** How far in the future a manifest's time may be (clocks of several server instances). */
const FUTURE_SKEW_MS = 60_000;

/** FAC-<year>-<8 Crockford base32 characters>, one per random byte (as `randomIdentifier`: 32 divides 256, so no bias). */
export function newReceiptNumber(at: Date): string {
  let code = '';
  for (const b of randomBytes(8)) code += CROCKFORD[b % CROCKFORD.length];
  return `FAC-${at.getUTCFullYear()}-${code}`;
}

export function manifestSha256(manifest: Manifest): string {
  return createHash('sha256').update(manifestBytes(manifest)).digest('hex');
}

/** Can this dossier be signed now, in this mode and on this ground? */
function signable(r: Reevaluation, applicant: Applicant, mode: SubmissionMode, ground: SubmissionGround): Failure | null {
  if (r.dossier.signed_at !== null) return { code: 'conflict', message: APPLICATION_ANSWER.alreadySigned };
  const open = r.apps.filter((a) => a.state !== 'closed');
  if (open.length === 0) return { code: 'conflict', message: APPLICATION_ANSWER.finished };
  if (open.some((a) => a.state !== 'collecting-pieces' && a.state !== 'ready')) return { code: 'conflict', message: APPLICATION_ANSWER.alreadySent };
  // with the person there, she signs herself; without her, only on the procuration the agent opened for her
  if (ground.kind === 'procuration' && !applicant.procuration) return { code: 'forbidden', message: APPLICATION_ANSWER.procurationAtKiosk };
  if (ground.kind === 'procuration' && applicant.procuration?.id !== ground.procurationId) return { code: 'forbidden', message: APPLICATION_ANSWER.procurationNotThis };
  if (ground.kind === 'beneficiary-signature' && applicant.procuration) return { code: 'forbidden', message: APPLICATION_ANSWER.personAbsent };
  if (mode === 'manual' && !r.complete) {
    const missing = r.assessed.filter(isMissing).map((a) => a.item.label);
    return {
      code: 'incomplete',
      message: APPLICATION_ANSWER.piecesMissing(missing),
    };
  }
  return null;
}

/** The manifest of the dossier as it stands; `offices` says where each request goes (what the person signs too). */
function buildManifest(
  r: Reevaluation,
  applicant: Applicant,
  offices: ReadonlyMap<string, Office | null>,
  o: { mode: SubmissionMode; ground: SubmissionGround; preparedAt: string },
): Manifest {
  return {
    context: MANIFEST_CONTEXT,
    dossierId: r.dossier.id,
    person: applicant.identifier,
    aids: r.apps
      .filter((a) => a.state !== 'closed')
      .map((a) => {
        const office = offices.get(a.id);
        return { applicationId: a.id, aidId: a.aid_id, ...(office ? { institutionId: office.id } : {}) };
      }),
    situation: situationOf(r.dossier),
    mode: o.mode,
    ground: o.ground,
    pieces: r.assessed.map((a) => ({
      ...(a.status === 'present' && a.document
        ? { itemId: a.item.id, documentId: a.document.id, version: a.document.version, sha256: a.document.sha256 }
        : { itemId: a.item.id, documentId: null, version: null, sha256: null }),
      ...(a.adjustment ? { adjustment: { kind: a.adjustment.kind, reason: a.adjustment.reason, by: a.adjustment.by } } : {}),
    })),
    catalogueVersion: r.dossier.catalogue_version,
    preparedAt: o.preparedAt,
    kioskId: applicant.kioskId,
  };
}

/**
 * Why the procuration does not allow sending these aids now, in words (null: it does): the access
 * policy on the procuration ground, with the agent's card that signed, their profile and the
 * procuration as they are now.
 */
async function procurationRefuses(deps: SubmissionDeps, applicant: Applicant, aidIds: readonly string[], now: Date): Promise<string | null> {
  const p = applicant.procuration;
  if (!p) return PROCURATION_DENY_WORDS.procuration_unknown!;
  const ca = deps.ca();
  const [card, agent, procuration] = await Promise.all([
    deps.db.selectFrom('cards').innerJoin('persons', 'persons.id', 'cards.person_id').select(['cards.status', 'cards.person_id', 'persons.role']).where('cards.serial', '=', p.agentCardSerial).executeTakeFirst(),
    agentFacts(deps.db, p.agentPersonId),
    factsFor(deps.db, { personId: applicant.personId, agentPersonId: p.agentPersonId, procurationId: p.id, day: parisDay(now) }, ca),
  ]);
  const d = decide({
    actor: { kind: 'person', personId: p.agentPersonId },
    action: 'application.send',
    subject: { personId: applicant.personId },
    documentClass: null,
    // the card signed the manifest just now: it was there
    ground: { kind: 'procuration', agentCard: card ? { serial: p.agentCardSerial, personId: card.person_id, status: card.status, role: card.role, proven: true } : null, agent, procuration },
    aidIds,
  });
  return d.allow ? null : (PROCURATION_DENY_WORDS[d.reason] ?? d.reason);
}

/** The manifest to sign, as the server builds it now. */
export async function prepareSubmission(
  deps: SubmissionDeps,
  applicant: Applicant,
  input: { dossierId: string; mode: SubmissionMode; ground: SubmissionGround },
): Promise<Outcome<Manifest>> {
  const now = (deps.now?.() ?? new Date()).toISOString();
  return refusals(() =>
    deps.db.transaction().execute(async (trx) => {
      const r = await reevaluateOwned(trx, deps.dialect, applicant.personId, input.dossierId, { catalogue: deps.catalogue, at: now });
      // the owner is checked: this one may sign it now
      const problem = signable(r, applicant, input.mode, input.ground);
      if (problem) throw new Refusal(problem);
      const offices = await officesOf(trx, deps.catalogue, r.apps, applicant.kioskId);
      return { ok: true as const, value: buildManifest(r, applicant, offices, { mode: input.mode, ground: input.ground, preparedAt: now }) };
    }),
  );
}

const CARD_PROBLEM: Record<CardCertificateProblem, string> = CARD_PROBLEM_WORDS;

export interface SubmitInput {
  dossierId: string;
  manifest: Manifest;
  /** DER, base64url */
  certificate: string;
  cardSerial: string;
  /** raw r||s, base64url */
  signature: string;
}

/** Checks the signed manifest and sends (or arms the automatic sending of) the dossier. */
export async function submitSigned(deps: SubmissionDeps, applicant: Applicant, input: SubmitInput): Promise<Outcome<{ state: 'submitted' | 'waiting-for-pieces'; receiptNumber: string }>> {
  const now = deps.now?.() ?? new Date();
  const { manifest } = input;
  if (manifest.dossierId !== input.dossierId) return refuse('invalid', APPLICATION_ANSWER.manifestOtherDossier);
  const preparedAt = Date.parse(manifest.preparedAt);
  if (preparedAt > now.getTime() + FUTURE_SKEW_MS) return refuse('invalid', APPLICATION_ANSWER.manifestFuture);
  if (now.getTime() - preparedAt > MANIFEST_TTL_MS) return refuse('expired', APPLICATION_ANSWER.manifestTooOld);

  const ca = deps.ca();
  if (!ca) return refuse('unknown', APPLICATION_ANSWER.noCa);
  const presented = await checkPresentedCard(deps.db, ca, { cardSerial: input.cardSerial, certificate: input.certificate, now });
  if (!presented.ok) {
    return refuse('forbidden', presented.why === 'certificate' ? APPLICATION_ANSWER.cardRefused(CARD_PROBLEM[presented.problem]) : APPLICATION_ANSWER.cardUnknown);
  }
  const { card, info } = presented;
  if (!verifyP256Signature(info.signaturePublicKey, manifestBytes(manifest), new Uint8Array(Buffer.from(input.signature, 'base64url')))) {
    return refuse('forbidden', APPLICATION_ANSWER.signatureRefused);
  }
  const ground = manifest.ground;
  if (ground.kind === 'beneficiary-signature') {
    if (card.personId !== applicant.personId) return refuse('forbidden', APPLICATION_ANSWER.notApplicantCard);
  } else {
    const p = applicant.procuration;
    if (!p) return refuse('forbidden', APPLICATION_ANSWER.procurationAtKiosk);
    if (p.id !== ground.procurationId) return refuse('forbidden', APPLICATION_ANSWER.procurationNotThis);
    // the agent the procuration was given to signs, with their own card
    if (info.role !== 'agent' || card.role !== 'agent' || card.personId !== p.agentPersonId || input.cardSerial !== p.agentCardSerial) {
      return refuse('forbidden', APPLICATION_ANSWER.agentOwnCard);
    }
  }

  const at = now.toISOString();
  return refusals(() =>
    deps.db.transaction().execute(async (trx) => {
      const r = await reevaluateOwned(trx, deps.dialect, applicant.personId, input.dossierId, { catalogue: deps.catalogue, at });
      const problem = signable(r, applicant, manifest.mode, ground);
      if (problem) throw new Refusal(problem);
      if (ground.kind === 'procuration') {
        // as it is now, for every aid sent: in force, both signatures holding, « envoyer mes demandes sans moi », each aid named
        // read in this transaction: SQLite has one connection, and this transaction holds it
        const refused = await procurationRefuses({ ...deps, db: trx }, applicant, r.apps.filter((a) => a.state !== 'closed').map((a) => a.aid_id), now);
        if (refused) throw new Refusal({ code: 'forbidden', message: APPLICATION_ANSWER.procurationNotUsable(refused) });
      }
      const offices = await officesOf(trx, deps.catalogue, r.apps, applicant.kioskId);
      const fresh = buildManifest(r, applicant, offices, { mode: manifest.mode, ground, preparedAt: manifest.preparedAt });
      if (canonicalJson(fresh as unknown as Json) !== canonicalJson(manifest as unknown as Json)) {
        throw new Refusal({
          code: 'invalid',
          message: APPLICATION_ANSWER.manifestChanged,
        });
      }
      // from now on the request belongs to the office the person signed for: only its staff see it
      for (const aid of manifest.aids) {
        if (aid.institutionId !== undefined) await trx.updateTable('applications').set({ institution_id: aid.institutionId }).where('id', '=', aid.applicationId).execute();
      }
      const receiptNumber = newReceiptNumber(now);
      const sendNow = manifest.mode === 'manual' || r.complete;
      await trx
        .updateTable('dossiers')
        .set({
          mode: manifest.mode,
          ground: canonicalJson(ground),
          manifest: canonicalJson(manifest as unknown as Json),
          signature: input.signature,
          signer_card_serial: input.cardSerial,
          signer_identifier: card.identifier,
          signed_at: at,
          kiosk_id: applicant.kioskId,
          receipt_number: receiptNumber,
          updated_at: at,
          ...(sendNow ? { submitted_at: at } : {}),
        })
        .where('id', '=', r.dossier.id)
        .execute();
      await appendAudit(trx, deps.dialect, {
        actor: { kind: 'person', id: applicant.actor.id },
        action: 'application.signed',
        subjectPersonId: applicant.personId,
        documentId: null,
        ground: ground.kind,
        detail: {
          // on a procuration: which one (the person's « Qui peut agir pour moi » counts it), the agent's card, their structure
          ...applicant.actor.journal?.detail,
          dossierId: r.dossier.id,
          mode: manifest.mode,
          ground: ground as unknown as Json,
          manifestSha256: manifestSha256(manifest),
          cardSerial: input.cardSerial,
          signer: card.identifier,
          receiptNumber,
          kioskId: applicant.kioskId,
        },
        at,
      });
      if (sendNow) {
        for (const app of r.apps) {
          if (app.state !== 'ready') continue;
          const sent = await fireEventIn(trx, deps.dialect, { applicationId: app.id, event: 'submit', actor: applicant.actor, at });
          if (!sent.ok) throw new Error(`submit refused: ${sent.reason}`);
        }
        await recordFinalPieces(trx, r.dossier.id, r.assessed, at);
        // she was not there: told at her next login (and live where she last opened her requests) who sent it for her
        if (ground.kind === 'procuration') {
          const names = await procurationNames({ db: trx }, ground.procurationId);
          const message = APPLICATION_ANSWER.sentForYou(names);
          for (const app of r.apps) {
            if (app.state === 'ready') await notifyPerson(trx, { personId: applicant.personId, dossierId: r.dossier.id, applicationId: app.id, state: 'submitted', message, at });
          }
        }
      }
      return { ok: true as const, value: { state: sendNow ? ('submitted' as const) : ('waiting-for-pieces' as const), receiptNumber } };
    }),
  );
}
