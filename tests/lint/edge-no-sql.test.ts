/**
 * The server's edge writes no SQL: the ESLint rule must fail on a query at the edge, and only there
 * (features and the kernel own their tables; the edge's tests may seed what they need).
 */
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: repo });
const text = [
  "import { sql } from 'kysely';",
  "import type { Kysely } from 'kysely';",
  'export const rows = (db: Kysely<{ persons: { id: string } }>) => db.selectFrom(\'persons\').selectAll().execute();',
  'export const one = sql`SELECT 1`;',
  '',
].join('\n');

async function sqlErrors(filePath: string): Promise<number> {
  const [result] = await eslint.lintText(text, { filePath: resolve(repo, filePath) });
  return (result?.messages ?? []).filter((m) => m.message.startsWith('no SQL at the server edge')).length;
}

describe('no SQL at the server edge', () => {
  it('fails a query builder call and a sql template in an edge file', async () => {
    expect(await sqlErrors('sync-server/src/edge/http/bad.ts')).toBe(2);
  });
  it('lets features, the kernel and the edge’s tests query', async () => {
    expect(await sqlErrors('sync-server/src/features/vault/ok.ts')).toBe(0);
    expect(await sqlErrors('sync-server/src/kernel/ok.ts')).toBe(0);
    expect(await sqlErrors('sync-server/src/edge/http/ok.test.ts')).toBe(0);
  });
});
