/**
 * "Qui a vu mes papiers ?" as the person reads it: their own acts of one visit in one line, in the
 * second person (« Vous avez … »), the platform's steps behind them left out; someone else's act on its
 * own line with who and why, an opening logged twice (the paper, then its file) said once; a step the
 * platform took by itself said as what happened, not as someone's act. Both engines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit } from '../../kernel/audit.ts';
import type { AuditEntryInput } from '../../kernel/audit.ts';
import { startServer } from '../../edge/server.ts';
import type { RunningServer } from '../../edge/server.ts';
import { CAMILLE, DIALECTS, freshEnv } from '../../../test-support/test-env.ts';
import type { TestEnv } from '../../../test-support/test-env.ts';
import { personJournal } from './index.ts';

describe.each(DIALECTS)('the person’s journal (%s)', (dialect) => {
  let env: TestEnv;
  let server: RunningServer;
  beforeAll(async () => {
    env = await freshEnv(dialect);
    server = await startServer(env.config, { logger: false });
  });
  afterAll(async () => {
    await server?.close();
    await env?.cleanup();
  });

  it('reads as a person tells it: one line a visit for their own acts, others apart with who and why, no double lines', async () => {
    const db = server.db;
    const camille = await db.selectFrom('persons').select(['id', 'first_name']).where('identifier', '=', CAMILLE.identifier).executeTakeFirstOrThrow();
    const sophie = await db.selectFrom('persons').select(['identifier']).where('role', '=', 'agent').executeTakeFirstOrThrow();
    const caf = await db.selectFrom('staff_accounts').innerJoin('institutions', 'institutions.id', 'staff_accounts.institution_id').select(['staff_accounts.id', 'institutions.name']).where('staff_accounts.login', '=', 'caf-chef').executeTakeFirstOrThrow();
    const you: AuditEntryInput['actor'] = { kind: 'person', id: CAMILLE.identifier };
    const day = '2026-06-03T';
    const rows: { at: string; actor: AuditEntryInput['actor']; action: string; ground: string; documentId?: string; detail?: AuditEntryInput['detail'] }[] = [
      { at: '08:00:00', actor: you, action: 'document.deposit', ground: 'own-card', documentId: 'doc-a', detail: { title: 'RIB' } },
      { at: '08:01:00', actor: you, action: 'document.deposit', ground: 'own-card', documentId: 'doc-b', detail: { title: 'Bulletin de salaire' } },
      { at: '08:02:00', actor: you, action: 'application.create', ground: 'own-card' },
      { at: '08:02:01', actor: you, action: 'application.start-collecting', ground: 'own-card' },
      { at: '08:05:00', actor: you, action: 'application.signed', ground: 'own-card' },
      { at: '08:06:00', actor: you, action: 'audit.read', ground: 'own-card' },
      // the CAF opens the RIB: the paper, then its file
      { at: '09:00:00', actor: { kind: 'staff', id: caf.id }, action: 'document.read', ground: 'institution-processing', documentId: 'doc-a', detail: { title: 'RIB' } },
      { at: '09:00:20', actor: { kind: 'staff', id: caf.id }, action: 'document.file.read', ground: 'institution-processing', documentId: 'doc-a', detail: { title: 'RIB' } },
      // Sophie, with Camille's card in the box
      { at: '09:30:00', actor: { kind: 'person', id: sophie.identifier }, action: 'document.read', ground: 'present-beneficiary', documentId: 'doc-b', detail: { title: 'Bulletin de salaire' } },
      { at: '10:00:00', actor: { kind: 'system', id: 'platform' }, action: 'application.information-provided', ground: 'system' },
      // another visit, hours later
      { at: '13:00:00', actor: you, action: 'document.deposit', ground: 'own-card', documentId: 'doc-c', detail: { title: 'Avis d’impôt' } },
    ];
    await db.transaction().execute(async (trx) => {
      for (const r of rows) {
        await appendAudit(trx, server.dialect, { at: `${day}${r.at}.000Z`, actor: r.actor, action: r.action, subjectPersonId: camille.id, documentId: r.documentId ?? null, ground: r.ground, detail: r.detail ?? {} });
      }
    });
    const journal = await personJournal(
      { db, dialect: server.dialect },
      { id: 'journal-check', kioskId: 'borne-test', personId: camille.id, identifier: CAMILLE.identifier, firstName: camille.first_name, cardSerial: CAMILLE.card, role: 'beneficiary', consent: null, expiresAt: Date.now() + 60_000 },
    );
    if (!journal.ok) throw new Error('journal refused');
    const lines = journal.value.filter((l) => l.at.startsWith(day)).map((l) => ({ who: l.who, action: l.action, documentTitle: l.documentTitle, kind: l.kind, why: l.why }));
    expect(lines).toEqual([
      { who: 'Vous', action: 'avez ajouté 1 papier', documentTitle: 'Avis d’impôt', kind: 'own', why: null },
      { who: 'Les papiers redemandés', action: 'sont arrivés : la demande repart chez le service', documentTitle: null, kind: 'platform', why: null },
      { who: 'Sophie (agent)', action: 'a ouvert un document', documentTitle: 'Bulletin de salaire', kind: 'other', why: 'avec votre carte : vous étiez là' },
      { who: `Le service ${caf.name}`, action: 'a ouvert le fichier d’un document', documentTitle: 'RIB', kind: 'other', why: 'pour étudier votre demande' },
      { who: 'Vous', action: 'avez ajouté 2 papiers, commencé 1 demande d’aide et signé 1 demande avec votre carte', documentTitle: null, kind: 'own', why: null },
    ]);
    // never "Vous a …"
    expect(JSON.stringify(journal.value)).not.toMatch(/"Vous","action":"a /);
  });
});
