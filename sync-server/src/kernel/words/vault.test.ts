import { describe, expect, it } from 'vitest';
import { JOURNAL_COUNT, refusedWriteLine } from './vault.ts';

describe('the journal in words', () => {
  it('says which write from the tablet was not applied, and why, in plain words', () => {
    expect(refusedWriteLine('vault.document.deposit', 'blob_mismatch')).toEqual({
      who: 'Un papier envoyé par la tablette',
      action: 'n’a pas été rangé : son fichier est arrivé abîmé sur le serveur.',
    });
    expect(refusedWriteLine('vault.document.delete', 'forbidden').who).toBe('Une suppression demandée sur la tablette');
    // a sending may hold several papers: the line says none of them left
    expect(refusedWriteLine('vault.document.send', 'unknown').action).toBe('n’a pas été fait : un des papiers n’est plus dans le coffre, ou l’organisme n’est pas connu ; aucun papier n’est parti.');
    expect(refusedWriteLine('vault.document.send', 'forbidden').action).toMatch(/^n’a pas été fait : un des papiers ne pouvait pas être envoyé .* aucun papier n’est parti\.$/);
    expect(refusedWriteLine('vault.document.send', 'blob_mismatch').action).toBe('n’a pas été fait : son fichier est arrivé abîmé sur le serveur.');
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
