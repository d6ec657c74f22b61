/**
 * The sync engine (DESIGN.md §5: nothing lost, nothing twice). A kiosk's mutations are applied in seq
 * order, each in one transaction that also records it in applied_mutations and advances the kiosk's
 * last_seq; the acknowledgement is built only from committed transactions.
 *
 * Batches of one kiosk never interleave: an in-process mutex per kiosk, and in PostgreSQL a row lock
 * on the kiosk (SELECT … FOR UPDATE) so it stays right with several server processes.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import { referencedBlobs } from '../../protocol/mutations.ts';
import type { Mutation } from '../../protocol/mutations.ts';
import type { MutationsAck, ProtocolError } from '../../protocol/socket.ts';
import { applyDocumentDeposit } from '../domain/deposit.ts';
import type { Dialect } from '../storage/database.ts';
import type { BlobRow, Database } from '../storage/schema.ts';
import { KeyedMutex } from './keyed-mutex.ts';

export interface SyncEngineDeps {
  db: Kysely<Database>;
  dialect: Dialect;
  /** the storage's durability barrier, awaited before an ack that reports applied mutations */
  makeDurable: () => Promise<void>;
  log: FastifyBaseLogger;
}

type MutationResult = { seq: number; id: string; status: 'applied' | 'duplicate' };

/** Thrown inside a mutation's transaction to roll it back and report a typed error. */
class Rejection extends Error {
  constructor(
    readonly error: ProtocolError,
    readonly lastSeq: number,
  ) {
    super(error.code);
  }
}

function sameBlobSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === a.length && sb.size === b.length && sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

/** Checks a whole batch before anything is applied: a malformed batch stores nothing. */
function checkBatch(sorted: readonly Mutation[]): ProtocolError | null {
  const ids = new Set<string>();
  for (let i = 0; i < sorted.length; i++) {
    const m = sorted[i]!;
    if (i > 0 && sorted[i - 1]!.seq === m.seq) return { code: 'invalid', seq: m.seq, message: `Numéro de séquence ${m.seq} en double dans le lot.` };
    if (ids.has(m.id)) return { code: 'invalid', seq: m.seq, message: `Identifiant de mutation ${m.id} en double dans le lot.` };
    ids.add(m.id);
    if (!sameBlobSet(referencedBlobs(m), m.blobs)) {
      return { code: 'invalid', seq: m.seq, message: 'La liste des fichiers de la mutation ne correspond pas à son contenu.' };
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

  private async applyInOrder(kioskId: string, batch: readonly Mutation[]): Promise<MutationsAck> {
    const sorted = [...batch].sort((a, b) => a.seq - b.seq);
    const batchError = checkBatch(sorted);
    const before = await this.lastSeq(kioskId);
    if (before === null) return { ok: false, error: { code: 'unknown', message: 'Borne inconnue.' } };
    if (batchError) return { ok: false, error: batchError, lastSeq: before, results: [] };

    const results: MutationResult[] = [];
    let lastSeq = before;
    for (const m of sorted) {
      try {
        const r = await this.deps.db.transaction().execute((trx) => this.applyOne(trx, kioskId, m));
        results.push({ seq: m.seq, id: m.id, status: r.status });
        lastSeq = r.lastSeq;
      } catch (err) {
        if (err instanceof Rejection) return { ok: false, error: err.error, lastSeq: err.lastSeq, results };
        // unexpected (database down…): what committed so far is still reported, the rest is resent later
        this.deps.log.error({ err, kioskId, seq: m.seq }, 'mutation failed');
        return { ok: false, error: { code: 'internal', seq: m.seq, message: 'Erreur interne du serveur, réessayer plus tard.' }, lastSeq, results };
      }
    }
    return { ok: true, lastSeq, results };
  }

  private async applyOne(
    trx: Transaction<Database>,
    kioskId: string,
    m: Mutation,
  ): Promise<{ status: 'applied' | 'duplicate'; lastSeq: number }> {
    let kioskQuery = trx.selectFrom('kiosks').select(['last_seq', 'revoked_at']).where('id', '=', kioskId);
    if (this.deps.dialect === 'postgres') kioskQuery = kioskQuery.forUpdate();
    const kiosk = await kioskQuery.executeTakeFirst();
    if (!kiosk) throw new Rejection({ code: 'unknown', seq: m.seq, message: 'Borne inconnue.' }, 0);
    const lastSeq = kiosk.last_seq;
    if (kiosk.revoked_at !== null) throw new Rejection({ code: 'forbidden', seq: m.seq, message: 'Cette borne a été révoquée.' }, lastSeq);

    if (m.seq <= lastSeq) {
      const recorded = await trx
        .selectFrom('applied_mutations')
        .select('id')
        .where('kiosk_id', '=', kioskId)
        .where('seq', '=', m.seq)
        .executeTakeFirst();
      if (recorded && recorded.id !== m.id) {
        throw new Rejection(
          { code: 'invalid', seq: m.seq, message: `Le numéro ${m.seq} a déjà servi pour une autre mutation.` },
          lastSeq,
        );
      }
      return { status: 'duplicate', lastSeq };
    }
    if (m.seq > lastSeq + 1) {
      throw new Rejection(
        { code: 'gap', seq: m.seq, expectedSeq: lastSeq + 1, message: `Mutation ${m.seq} reçue avant ${lastSeq + 1} : renvoyer depuis ${lastSeq + 1}.` },
        lastSeq,
      );
    }

    const reused = await trx.selectFrom('applied_mutations').select(['kiosk_id', 'seq']).where('id', '=', m.id).executeTakeFirst();
    if (reused) throw new Rejection({ code: 'invalid', seq: m.seq, message: `L’identifiant ${m.id} a déjà servi.` }, lastSeq);

    const blobs = new Map<string, BlobRow>();
    if (m.blobs.length > 0) {
      for (const row of await trx.selectFrom('blobs').selectAll().where('sha256', 'in', m.blobs).execute()) blobs.set(row.sha256, row);
      if (blobs.size !== new Set(m.blobs).size) {
        throw new Rejection({ code: 'blob_missing', seq: m.seq, message: 'Un fichier de la mutation n’a pas encore été reçu.' }, lastSeq);
      }
    }

    const now = new Date().toISOString();
    switch (m.type) {
      case 'vault.document.deposit': {
        const outcome = await applyDocumentDeposit({ trx, dialect: this.deps.dialect, kioskId, mutationId: m.id, now, blobs }, m.payload);
        if (!outcome.ok) throw new Rejection({ ...outcome.error, seq: m.seq }, lastSeq);
        break;
      }
    }

    await trx.insertInto('applied_mutations').values({ kiosk_id: kioskId, seq: m.seq, id: m.id, type: m.type, applied_at: now }).execute();
    await trx.updateTable('kiosks').set({ last_seq: m.seq }).where('id', '=', kioskId).execute();
    return { status: 'applied', lastSeq: m.seq };
  }
}
