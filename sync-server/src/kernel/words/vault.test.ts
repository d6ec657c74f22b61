import { describe, expect, it } from 'vitest';
import { JOURNAL_COUNT, refusedWriteLine } from './vault.ts';

describe('the journal in words', () => {
  it('says which write from the tablet was not applied, and why, in plain words', () => {
    expect(refusedWriteLine('vault.document.deposit', 'blob_mismatch')).toEqual({
      who: 'Un papier envoyé par la tablette',
      action: 'n’a pas été rangé : son fichier est arrivé abîmé sur le serveur.',
    });
    expect(refusedWriteLine('vault.document.delete', 'forbidden').who).toBe('Une suppression demandée sur la tablette');
    expect(refusedWriteLine('vault.document.send', 'unknown').action).toBe('n’a pas été fait : le coffre ou le papier n’existe plus.');
  });

  it('still reads as a sentence for a write or a reason it does not know (an older or a damaged row)', () => {
    for (const [type, code] of [[undefined, undefined], ['vault.something.new', 'gap'], [42, {}]] as const) {
      const line = refusedWriteLine(type, code);
      expect(line.who).toBe('Un papier envoyé par la tablette');
      expect(line.action).toBe('n’a pas été rangé : le serveur l’a refusé.');
    }
  });

  it('counts in French: one paper, several papers, nothing found', () => {
    expect(JOURNAL_COUNT.found(0)).toBe('rien trouvé');
    expect(JOURNAL_COUNT.found(1)).toBe('1 papier trouvé');
    expect(JOURNAL_COUNT.found(3)).toBe('3 papiers trouvés');
  });
});
