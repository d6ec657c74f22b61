/**
 * An agent alone at the tablet, acting for a person on her procuration, reads of her papers and her
 * requests, never « mes papiers »: each wording said otherwise names her or says « son », « sa », « ses ».
 */
import { describe, expect, it } from 'vitest';
import { spokenForAbsent, t } from './texts.ts';
import { textsFor } from './voice.tsx';

/** Every sentence a section holds, its functions called with sample words. */
function sentences(section: object): string[] {
  return Object.values(section).map((v: unknown) => (typeof v === 'function' ? String((v as (...a: unknown[]) => unknown)('Prime d’activité', 'acceptée')) : String(v)));
}

describe('the texts for an agent acting for someone absent', () => {
  it('are the person’s own texts when no one is absent', () => {
    expect(textsFor(null)).toBe(t);
  });

  it('speak of her papers and her requests, the rest unchanged', () => {
    const forCamille = textsFor('Camille');
    expect(forCamille.vault.title).toBe('Les papiers de Camille');
    expect(forCamille.home.vault).toBe('Les papiers de Camille');
    expect(forCamille.dossier.lead).toBe('La demande de Camille');
    expect(forCamille.sign.seeRequest).toBe('Voir la demande de Camille');
    expect(forCamille.aids.notice('Prime d’activité', 'acceptée')).toBe('Sa demande de prime d’activité : acceptée.');
    // what is not said otherwise stays as it is
    expect(forCamille.vault.search).toBe(t.vault.search);
    expect(forCamille.dossier.send).toBe(t.dossier.send);
    expect(forCamille.pin).toBe(t.pin);
  });

  it('say what she allowed in the third person, for each thing she may allow', () => {
    expect(Object.keys(t.procuration.actionsOfPerson).sort()).toEqual(Object.keys(t.procuration.actions).sort());
    for (const s of Object.values(t.procuration.actionsOfPerson)) expect(s).not.toMatch(/\b(mon|ma|mes|votre|vos|vous)\b/i);
  });

  it('never say « mon », « ma », « mes », « vous » or « votre » of her papers', () => {
    for (const [name, section] of Object.entries(spokenForAbsent('Camille'))) {
      for (const s of sentences(section)) {
        expect(s, name).not.toMatch(/\b(mon|ma|mes|votre|vos|vous)\b/i);
      }
      // each wording replaces one the person reads
      for (const key of Object.keys(section)) expect(Object.keys(t[name as keyof typeof t]), `${name}.${key}`).toContain(key);
    }
  });
});
