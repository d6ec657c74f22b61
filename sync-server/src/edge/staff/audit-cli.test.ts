/**
 * `npm run staff -- audit …` on both engines: a checkpoint signed on demand, `audit verify` passing on an
 * untouched journal and failing — exit 1, the first bad checkpoint named with where the change lies —
 * once the journal was rewritten as an attacker with database access would (an entry deleted, the later
 * ones renumbered and rehashed, triggers dropped and put back), or once a forged line was added to the
 * checkpoint file; a pinned public key other than the folder's trusts none of its lines.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { appendAudit, verifyAuditChain } from '../../kernel/audit.ts';
import { publicKeyText, signCheckpoint } from '../../kernel/audit-checkpoints.ts';
import { DIALECTS } from '../../../test-support/test-env.ts';
import { staffCliEnv } from '../../../test-support/staff-cli.ts';
import type { StaffCliEnv } from '../../../test-support/staff-cli.ts';
import { rewriteWithout } from '../../../test-support/audit-tamper.ts';

describe.each(DIALECTS)('staff audit commands (%s)', (dialect) => {
  let cli: StaffCliEnv;

  beforeAll(async () => {
    cli = await staffCliEnv(dialect, ['FAC_AUDIT_PUBLIC_KEY']);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    delete process.env.FAC_AUDIT_PUBLIC_KEY;
  });
  afterAll(async () => {
    await cli?.close();
  });

  async function append(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      await cli.storage.db.transaction().execute((trx) =>
        appendAudit(trx, cli.storage.dialect, { actor: { kind: 'system', id: 'test' }, action: 'test.entry', subjectPersonId: null, documentId: null, ground: 'test', detail: { i } }),
      );
    }
  }

  const checkpointFile = () => join(cli.env.config.dataDir, 'audit', 'checkpoints.jsonl');

  it('signs checkpoints, verifies, and fails naming the first bad checkpoint after a rewrite or a forged line', async () => {
    const base = Number((await cli.storage.db.selectFrom('audit_journal').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    await append(12);
    expect(await cli.run('audit', 'checkpoint')).toBe(0);
    expect(cli.out.join('\n')).toContain(`Point de contrôle signé : entrée ${base + 12}`);
    await append(5);
    expect(await cli.run('audit', 'checkpoint')).toBe(0);
    expect(await cli.run('audit', 'checkpoint')).toBe(0);
    expect(cli.out.join('\n')).toContain('Rien de nouveau depuis le dernier point de contrôle');

    expect(await cli.run('audit', 'verify')).toBe(0);
    expect(cli.out.join('\n')).toMatch(new RegExp(`${base + 17} entrée\\(s\\), 2 point\\(s\\) de contrôle signé\\(s\\)`));
    expect(cli.out.join('\n')).toContain('Vérification réussie');

    expect(await cli.run('audit', 'key')).toBe(0);
    const pinned = cli.out[0]!;
    expect(pinned).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // the pinned key is the folder's: verified; another pinned key trusts none of the lines
    process.env.FAC_AUDIT_PUBLIC_KEY = pinned;
    expect(await cli.run('audit', 'verify')).toBe(0);
    process.env.FAC_AUDIT_PUBLIC_KEY = publicKeyText(generateKeyPairSync('ed25519').publicKey);
    expect(await cli.run('audit', 'verify')).toBe(1);
    expect(cli.out.filter((l) => l.includes('not signed by the checkpoint key'))).toHaveLength(2);
    process.env.FAC_AUDIT_PUBLIC_KEY = 'not-a-key';
    expect(await cli.run('audit', 'verify')).toBe(1);
    expect(cli.err.join('\n')).toContain('FAC_AUDIT_PUBLIC_KEY');
    delete process.env.FAC_AUDIT_PUBLIC_KEY;

    // a forged line: what an attacker who can write the file but has not the key would add
    const good = readFileSync(checkpointFile(), 'utf8');
    const theirs = generateKeyPairSync('ed25519');
    const last = JSON.parse(good.trimEnd().split('\n').at(-1)!) as { key: string };
    appendFileSync(checkpointFile(), `${JSON.stringify(signCheckpoint({ seq: base + 17, head: 'b'.repeat(64), count: base + 17, at: new Date().toISOString() }, { ...theirs, keyId: last.key }))}\n`);
    expect(await cli.run('audit', 'verify')).toBe(1);
    expect(cli.out).toContain('  - checkpoint file line 3: not signed by the checkpoint key (forged or altered)');
    writeFileSync(checkpointFile(), good);

    // the attacker's rewrite: entry base+14 deleted, the later ones renumbered and rehashed
    await rewriteWithout(cli.storage.db, cli.storage.dialect, base + 14);
    expect(await verifyAuditChain(cli.storage.db)).toMatchObject({ ok: true });
    expect(await cli.run('audit', 'verify')).toBe(1);
    expect(cli.out.join('\n')).toContain('ÉCHEC de la vérification du journal d’audit');
    // one entry fewer: the last checkpoint's entry is gone
    expect(cli.out.join('\n')).toMatch(
      new RegExp(`  - first bad checkpoint: line 2 \\(entry ${base + 17}, signed [^)]+\\): the journal has no entry ${base + 17} — an entry after ${base + 12} and up to ${base + 17} was changed, removed or inserted`),
    );
    // the server goes on appending after the rewrite: the entry is there again, with another hash
    await append(3);
    expect(await verifyAuditChain(cli.storage.db)).toMatchObject({ ok: true });
    expect(await cli.run('audit', 'verify')).toBe(1);
    expect(cli.out.join('\n')).toMatch(
      new RegExp(`  - first bad checkpoint: line 2 \\(entry ${base + 17}, signed [^)]+\\): the journal has another hash at entry ${base + 17} — an entry after ${base + 12} and up to ${base + 17} was changed, removed or inserted`),
    );
    expect(await cli.run('audit', 'verify', '--json')).toBe(1);
    expect(JSON.parse(cli.out[0]!)).toMatchObject({ ok: false, checkpoints: 2, problems: [expect.stringMatching(/^first bad checkpoint: line 2 /)] });
    // and nothing is signed on top of it
    expect(await cli.run('audit', 'checkpoint')).toBe(1);
    expect(cli.out.join('\n')).toContain('Refusé : le journal ne suit pas le dernier point de contrôle');
  });
});
