/**
 * Every field the OCR extractors can read has a French name on screen, in the console and in PDFs: a
 * missing one fell back to its code name split in words (« Optional Data », « Net Taxable »).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIELD_LABEL } from '../../sync-server/protocol/vault.ts';

const extractDir = join(import.meta.dirname, '..', '..', 'kiosk', 'core', 'ocr', 'extract');

function fieldsWritten(): Set<string> {
  const names = new Set<string>();
  for (const file of readdirSync(extractDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    for (const m of readFileSync(join(extractDir, file), 'utf8').matchAll(/\bfields\.([a-zA-Z]+)\s*=[^=]/g)) names.add(m[1]!);
  }
  return names;
}

describe('field labels', () => {
  it('names in French every field an extractor writes', () => {
    const written = fieldsWritten();
    // the scan finds the extractors' fields at all (a renamed variable would make it pass for nothing)
    expect(written.size).toBeGreaterThan(20);
    expect([...written].filter((name) => !(name in FIELD_LABEL))).toEqual([]);
  });
});
