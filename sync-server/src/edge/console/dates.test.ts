/**
 * A date reads the same on paper and on the console: the receipt the person keeps and the page the
 * service reads both write it with the format module (« 1er avril 2026 à 14 h 05 », Paris time).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { receiptPdf } from '../../features/applications/index.ts';
import { dateTimeWords, dateWords } from '../../kernel/words/console.ts';

const dir = mkdtempSync(join(tmpdir(), 'fac-dates-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pdfText(bytes: Uint8Array): string {
  const file = join(dir, 'receipt.pdf');
  writeFileSync(file, bytes);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
}

describe('dates on paper and on the console', () => {
  it('print the first of April as « 1er avril », at the same Paris time, on the receipt and in the console', async () => {
    const signedAt = '2026-04-01T12:05:00Z';
    const submittedAt = '2026-03-31T22:30:00Z'; // already 1 April in Paris
    const text = pdfText(
      await receiptPdf({
        receiptNumber: 'FAC-2026-7KQ2M9XD',
        person: { firstName: 'Camille', lastName: 'Durand', identifier: 'FAC-K7QM-3XD2-9HRW' },
        aids: [{ aidName: 'Prime d’activité', institutionName: 'CAF' }],
        mode: 'manual',
        signedAt,
        submittedAt,
        piecesGiven: 1,
        piecesMissing: 0,
        manifestSha256: 'ab'.repeat(32),
      }),
    );
    expect(dateTimeWords(signedAt)).toBe('1er avril 2026 à 14 h 05');
    expect(text).toContain(`Signée le ${dateTimeWords(signedAt)}`);
    expect(dateTimeWords(submittedAt)).toBe('1er avril 2026 à 0 h 30');
    expect(text).toContain(`Envoyée le ${dateTimeWords(submittedAt)}`);
    expect(dateWords('2026-04-01')).toBe('1er avril 2026');
  });
});
