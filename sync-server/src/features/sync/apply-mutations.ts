/**
 * The sync engine (DESIGN.md §5: nothing lost, nothing twice). A kiosk's mutations are applied in seq
 * order, each whole or not at all (its own savepoint), recorded in applied_mutations, with the kiosk's
 * last_seq advanced in the same transaction; the acknowledgement is built only from what committed.
 *
 * Batches of one kiosk never interleave: an in-process mutex per kiosk, and in PostgreSQL a row lock
 * on the kiosk (SELECT … FOR UPDATE) so it stays right with several server processes.
 */
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
import { referencedBlobs } from '../../../protocol/mutations.ts';
import type { Mutation } from '../../../protocol/mutations.ts';
import { ProtocolError } from '../../../protocol/socket.ts';
import type { MutationResult, MutationsAck } from '../../../protocol/socket.ts';
import { reevaluatePerson } from '../applications/index.ts';
import { checkWriteProof } from '../cards/index.ts';
import { appendAudit } from '../../kernel/audit.ts';
import { applyDocumentDeposit } from '../vault/index.ts';
import { applyDocumentDelete, applyDocumentSend } from '../vault/index.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import type { BlobRow, Database } from '../../kernel/storage/schema.ts';
import type { BlobStore } from '../../kernel/blobs/blob-store.ts';
import { KeyedMutex } from '../../kernel/keyed-mutex.ts';
import { refusedBlobs } from '../../kernel/blobs/uploads.ts';
import type { SyncTestHooks } from './test-hooks.ts';
import { MUTATION_ANSWER } from '../../kernel/words/sync.ts';

export interface SyncEngineDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  /** the storage's durability barrier, awaited before an ack that reports applied mutations */
  makeDurable: () => Promise<void>;
  log: FastifyBaseLogger;
  /** checked for the bytes of a blob no mutation referenced before (the orphan cleanup may have taken them) */
  blobStore?: BlobStore;
  /** the pinned platform CA (DER): the cards' certificates in mutation proofs are checked against it; null: none loaded, nothing can be proven */
  caCertificate: () => Uint8Array | null;
  /** fault-injection points for tests; never set by configuration */
  hooks?: SyncTestHooks;
  /** the clock mutations are applied at (tests move it: a procuration over by then); never set by configuration */
  now?: () => Date;
}

/**
 * Refusals that no retry can change (the access policy said no — no proof of the card, a blocked card —
 * the owner or document is unknown, or a file is not what the mutation says: another size or type, or
 * refused as unreadable at its upload): the mutation uses up its seq as refused, so the kiosk's later
 * mutations are not held behind it. A missing blob, a gap or a server error stay retryable.
 */
const FINAL_REFUSALS: ReadonlySet<ProtocolError['code']> = new Set(['forbidden', 'unknown', 'blob_mismatch']);

/** Thrown inside a mutation's transaction to roll it back and report a typed error. */
class Rejection extends Error {
  constructor(readonly error: ProtocolError) {
    super(error.code);
  }
}

/** The error recorded with a refused mutation, given again when the kiosk asks again. */
function storedError(text: string | null, seq: number): ProtocolError {
  try {
    const e = ProtocolError.safeParse(JSON.parse(text ?? 'null'));
    if (e.success) return { ...e.data, seq };
  } catch {
    // an unreadable record says only that it was refused
  }
  return { code: 'forbidden', seq, message: MUTATION_ANSWER.refused };
}

function sameBlobSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === a.length && sb.size === b.length && sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

/** Runs `fn` in a savepoint: its writes stay when it returns; they are rolled back, and the error rethrown, when it throws. */
async function inSavepoint<T>(trx: Transaction<Database>, name: 'mutation' | 'reassess', fn: () => Promise<T>): Promise<T> {
  await sql`SAVEPOINT ${sql.raw(name)}`.execute(trx);
  try {
    const value = await fn();
    await sql`RELEASE SAVEPOINT ${sql.raw(name)}`.execute(trx);
    return value;
  } catch (err) {
    await sql`ROLLBACK TO SAVEPOINT ${sql.raw(name)}`.execute(trx);
    await sql`RELEASE SAVEPOINT ${sql.raw(name)}`.execute(trx);
    throw err;
  }
}

/** Checks a whole batch before anything is applied: a malformed batch stores nothing. */
function checkBatch(sorted: readonly Mutation[]): ProtocolError | null {
  const ids = new Set<string>();
  for (let i = 0; i < sorted.length; i++) {
    const m = sorted[i]!;
    if (i > 0 && sorted[i - 1]!.seq === m.seq) return { code: 'invalid', seq: m.seq, message: MUTATION_ANSWER.seqTwice(m.seq) };
    if (ids.has(m.id)) return { code: 'invalid', seq: m.seq, message: MUTATION_ANSWER.idTwice(m.id) };
    ids.add(m.id);
    if (!sameBlobSet(referencedBlobs(m), m.blobs)) {
      return { code: 'invalid', seq: m.seq, message: MUTATION_ANSWER.blobsMismatch };
    }
  }
  return null;
}

export class SyncEngine {
  private readonly mutex = new KeyedMutex();

  constructor(private readonly deps: SyncEngineDeps) {}

  async lastSeq(kioskId: string): Promise<number | null> {
    const row = await this.deps.db.selectFrom('kiosks').select('last_seq').where('id', '=', kioskId).executeTakeFirst();
    return row ? row.last_seq : null;
  }

  /** Where a kiosk stands: its last applied seq and that mutation's id (the kiosk checks the lineage). */
  async position(kioskId: string): Promise<{ lastSeq: number; lastId: string | null } | null> {
    const lastSeq = await this.lastSeq(kioskId);
    if (lastSeq === null) return null;
    if (lastSeq === 0) return { lastSeq, lastId: null };
    const row = await this.deps.db
      .selectFrom('applied_mutations')
      .select('id')
      .where('kiosk_id', '=', kioskId)
      .where('seq', '=', lastSeq)
      .executeTakeFirst();
    return { lastSeq, lastId: row?.id ?? null };
  }

  /** Applies a validated batch for a kiosk whose credentials were checked. */
  apply(kioskId: string, batch: readonly Mutation[]): Promise<MutationsAck> {
    return this.mutex.run(kioskId, () => this.applySerialized(kioskId, batch));
  }

  private async applySerialized(kioskId: string, batch: readonly Mutation[]): Promise<MutationsAck> {
    const ack = await this.applyInOrder(kioskId, batch);
    // duplicates too: their commit may predate a barrier that failed
    if ((ack.results ?? []).length > 0) await this.deps.makeDurable();
    return ack;
  }

  /**
   * One transaction for the batch, one savepoint for each mutation: a mutation is applied whole or not
   * at all (a refused one is rolled back to its savepoint, what came before it stays), and the kiosk's
   * last_seq is advanced in the same transaction as the mutations it counts. The kiosk row is locked
   * (PostgreSQL: FOR UPDATE) for the whole batch, so batches of one kiosk arriving at two instances
   * never interleave. One commit per batch instead of one per mutation is what keeps ingest above
   * 1,000 mutations a second on SQLite; the acknowledgement waits for that commit either way.
   */
  private async applyInOrder(kioskId: string, batch: readonly Mutation[]): Promise<MutationsAck> {
    const sorted = [...batch].sort((a, b) => a.seq - b.seq);
    const batchError = checkBatch(sorted);
    const before = await this.lastSeq(kioskId);
    if (before === null) return { ok: false, error: { code: 'unknown', message: MUTATION_ANSWER.kioskUnknown } };
    if (batchError) return { ok: false, error: batchError, lastSeq: before, results: [] };

    try {
      return await this.deps.db.transaction().execute(async (trx): Promise<MutationsAck> => {
        let kioskQuery = trx.selectFrom('kiosks').select(['last_seq', 'revoked_at']).where('id', '=', kioskId);
        if (this.deps.dialect === 'postgres') kioskQuery = kioskQuery.forUpdate();
        const kiosk = await kioskQuery.executeTakeFirst();
        if (!kiosk) return { ok: false, error: { code: 'unknown', message: MUTATION_ANSWER.kioskUnknown } };
        if (kiosk.revoked_at !== null) return { ok: false, error: { code: 'forbidden', message: MUTATION_ANSWER.kioskRevoked }, lastSeq: kiosk.last_seq, results: [] };

        const results: MutationResult[] = [];
        const referenced: string[] = [];
        // persons whose vault changed: their open aid requests are re-assessed once, after the batch
        const vaultsChanged = new Set<string>();
        let lastSeq = kiosk.last_seq;
        let error: ProtocolError | null = null;
        const now = (this.deps.now?.() ?? new Date()).toISOString();
        for (const m of sorted) {
          if (m.seq <= lastSeq) {
            const recorded = await trx.selectFrom('applied_mutations').select(['id', 'outcome', 'error']).where('kiosk_id', '=', kioskId).where('seq', '=', m.seq).executeTakeFirst();
            if (recorded && recorded.id !== m.id) {
              error = { code: 'invalid', seq: m.seq, message: MUTATION_ANSWER.seqUsed(m.seq) };
              break;
            }
            results.push(recorded?.outcome === 'refused' ? { seq: m.seq, id: m.id, status: 'refused', error: storedError(recorded.error, m.seq) } : { seq: m.seq, id: m.id, status: 'duplicate' });
            continue;
          }
          if (m.seq > lastSeq + 1) {
            error = { code: 'gap', seq: m.seq, expectedSeq: lastSeq + 1, message: MUTATION_ANSWER.gap(m.seq, lastSeq + 1) };
            break;
          }
          try {
            const changed = await inSavepoint(trx, 'mutation', () => this.applyOne(trx, kioskId, m, now));
            if (changed) vaultsChanged.add(changed);
          } catch (err) {
            if (!(err instanceof Rejection)) throw err;
            if (!FINAL_REFUSALS.has(err.error.code)) {
              error = err.error;
              break;
            }
            await this.recordRefusal(trx, kioskId, m, err.error, now);
            results.push({ seq: m.seq, id: m.id, status: 'refused', error: err.error });
            lastSeq = m.seq;
            continue;
          }
          results.push({ seq: m.seq, id: m.id, status: 'applied' });
          referenced.push(...m.blobs);
          lastSeq = m.seq;
        }
        // a new paper (or a new version of one) may complete an aid request, or be chosen for it, and a
        // deleted one may leave a piece missing: in the same commit as the papers. Once per person and
        // batch rather than per mutation: 100 deposits of one person re-assess their dossiers once.
        // Sorted: two transactions never wait for each other's dossiers.
        for (const personId of [...vaultsChanged].sort()) await this.reassess(trx, kioskId, personId, now);
        if (lastSeq > kiosk.last_seq) {
          await trx.updateTable('kiosks').set({ last_seq: lastSeq }).where('id', '=', kioskId).execute();
          // from now on the orphan cleanup leaves these blobs alone
          if (referenced.length > 0) {
            await trx.updateTable('blobs').set({ referenced_at: now }).where('sha256', 'in', [...new Set(referenced)]).where('referenced_at', 'is', null).execute();
          }
        }
        return error ? { ok: false, error, lastSeq, results } : { ok: true, lastSeq, results };
      });
    } catch (err) {
      // unexpected (database down…): the whole batch rolled back; the kiosk sends it again later
      this.deps.log.error({ err, kioskId }, 'mutation batch failed');
      return { ok: false, error: { code: 'internal', message: MUTATION_ANSWER.internal }, lastSeq: before, results: [] };
    }
  }

  /**
   * Re-assesses a person's open aid requests, in its own savepoint: a request that cannot be assessed
   * (a damaged row, a bug) must never hold back the papers of the batch — the kiosk would send the same
   * batch again and again, and nothing after it would ever arrive. The papers are kept; the request is
   * assessed again when it is next opened or the next paper arrives.
   */
  private async reassess(trx: Transaction<Database>, kioskId: string, personId: string, now: string): Promise<void> {
    try {
      await inSavepoint(trx, 'reassess', () => reevaluatePerson(trx, this.deps.dialect, personId, { at: now }));
    } catch (err) {
      this.deps.log.error({ err, kioskId, personId }, 'aid requests could not be re-assessed after a vault change; the papers are kept');
    }
  }

  /**
   * A mutation refused for good: its seq is used up (recorded as refused, with the reason), and the
   * refusal is journaled on the person whose vault it named — a write attempted without their card is
   * something they and the staff must be able to see. Its writes were rolled back with its savepoint.
   */
  private async recordRefusal(trx: Transaction<Database>, kioskId: string, m: Mutation, error: ProtocolError, now: string): Promise<void> {
    await trx
      .insertInto('applied_mutations')
      .values({ kiosk_id: kioskId, seq: m.seq, id: m.id, type: m.type, applied_at: now, outcome: 'refused', error: JSON.stringify({ code: error.code, message: error.message }) })
      .execute();
    const owner = await trx.selectFrom('persons').select('id').where('identifier', '=', m.payload.owner).executeTakeFirst();
    await appendAudit(trx, this.deps.dialect, {
      actor: { kind: 'system', id: `kiosk:${kioskId}` },
      action: 'mutation.refused',
      subjectPersonId: owner?.id ?? null,
      documentId: null,
      ground: m.payload.ground.kind,
      detail: { kioskId, mutationId: m.id, type: m.type, code: error.code, reason: error.message, cards: m.proof.cards.map((c) => c.cardSerial).join(',') },
      at: now,
    });
    this.deps.log.warn({ kioskId, seq: m.seq, mutationId: m.id, type: m.type, code: error.code, reason: error.message }, 'mutation refused for good');
  }

  /**
   * One mutation's writes, inside its savepoint; a Rejection rolls them back. Returns the person whose
   * vault gained or lost a paper, if any.
   */
  private async applyOne(trx: Transaction<Database>, kioskId: string, m: Mutation, now: string): Promise<string | null> {
    const reused = await trx.selectFrom('applied_mutations').select(['kiosk_id', 'seq']).where('id', '=', m.id).executeTakeFirst();
    if (reused) throw new Rejection({ code: 'invalid', seq: m.seq, message: MUTATION_ANSWER.idUsed(m.id) });

    const blobs = new Map<string, BlobRow>();
    if (m.blobs.length > 0) {
      // locked: the orphan cleanup's conditional delete waits for this transaction, then sees referenced_at
      let blobQuery = trx.selectFrom('blobs').selectAll().where('sha256', 'in', m.blobs);
      if (this.deps.dialect === 'postgres') blobQuery = blobQuery.forUpdate();
      for (const row of await blobQuery.execute()) blobs.set(row.sha256, row);
      const store = this.deps.blobStore;
      const bytesMissing = async () => {
        for (const row of blobs.values()) if (row.referenced_at === null && store && !(await store.has(row.sha256))) return true;
        return false;
      };
      if (blobs.size !== new Set(m.blobs).size || (await bytesMissing())) {
        // a file the server refused at its upload will never come: the mutation is refused for good
        const refused = await refusedBlobs(trx, m.blobs.filter((sha) => !blobs.has(sha)));
        if (refused.size > 0) throw new Rejection({ code: 'blob_mismatch', seq: m.seq, message: MUTATION_ANSWER.blobRefused(String([...refused.values()][0])) });
        throw new Rejection({ code: 'blob_missing', seq: m.seq, message: MUTATION_ANSWER.blobMissing });
      }
    }

    // who was there: the cards the ground names must each have signed this very mutation on this kiosk
    const caCertificate = this.deps.caCertificate();
    const proof = await checkWriteProof(trx, caCertificate, { kioskId, mutation: m, ground: m.payload.ground, now: new Date(now) });

    let changed: string | null = null;
    switch (m.type) {
      case 'vault.document.deposit': {
        const outcome = await applyDocumentDeposit({ trx, dialect: this.deps.dialect, kioskId, mutationId: m.id, now, blobs, proof, caCertificate }, m.payload);
        if (!outcome.ok) throw new Rejection({ ...outcome.error, seq: m.seq });
        changed = outcome.personId;
        break;
      }
      case 'vault.document.delete':
      case 'vault.document.send': {
        const ctx = { trx, dialect: this.deps.dialect, kioskId, mutationId: m.id, now, proof, caCertificate };
        const outcome = m.type === 'vault.document.delete' ? await applyDocumentDelete(ctx, m.payload) : await applyDocumentSend(ctx, m.payload);
        if (!outcome.ok) throw new Rejection({ ...outcome.error, seq: m.seq });
        changed = outcome.changedVaultOf ?? null;
        break;
      }
    }

    await trx.insertInto('applied_mutations').values({ kiosk_id: kioskId, seq: m.seq, id: m.id, type: m.type, applied_at: now }).execute();
    await this.deps.hooks?.beforeCommit?.({ kioskId, seq: m.seq, id: m.id });
    return changed;
  }
}
