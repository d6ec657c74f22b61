// A field's name on screen and in PDFs: the person whose name a paper carries is named as that kind of
// paper names them, and every field an extractor reads has French words, never its internal name.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIELD_LABEL, fieldLabel } from './vault.ts';

describe('field labels', () => {
  it('name the holder as each kind of paper does', () => {
    expect(fieldLabel('holder', 'rib')).toBe('Titulaire du compte');
    expect(fieldLabel('holder', 'tax-notice')).toBe('Déclarant(s)');
    expect(fieldLabel('holder', 'caf-certificate')).toBe('Allocataire');
    expect(fieldLabel('holder', 'health-insurance')).toBe('Assuré(e)');
    expect(fieldLabel('holder')).toBe('Titulaire');
  });

  it('have French words for every field an extractor writes', () => {
    const dir = new URL('../../kiosk/core/ocr/extract/', import.meta.url);
    const written = new Set<string>();
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.test.ts'))) {
      const src = readFileSync(new URL(f, dir), 'utf8');
      for (const m of src.matchAll(/fields\.([a-zA-Z_]+)\s*(?:\?\?)?=/g)) written.add(m[1]!);
      for (const m of src.matchAll(/key: '([a-z_]+)'/g)) written.add(m[1]!);
    }
    expect(written.size).toBeGreaterThan(10);
    const unnamed = [...written].filter((n) => n !== 'holder' && !(n in FIELD_LABEL));
    expect(unnamed).toEqual([]);
  });
});
