import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMonths,
  Aid,
  aidById,
  type AidCatalogue,
  bundleChecklist,
  bundleOf,
  CatalogueError,
  checklistFor,
  DEFAULT_CATALOGUE_PATH,
  loadCatalogue,
  missingPieces,
  parseCatalogue,
  type Situation,
  type VaultDoc,
} from './catalogue.ts';

const REQUIRED = [
  'rsa',
  'prime-activite',
  'aides-logement',
  'aah',
  'pch',
  'cmi',
  'css',
  'allocations-familiales',
  'ars',
  'bourse-lycee',
  'cheque-energie',
];

const base: Situation = { housing: 'tenant', activity: ['salaried'], nationality: 'french', children: false, couple: false };
const ids = (items: { id: string }[]) => items.map((i) => i.id);

let catalogue: AidCatalogue;
let rawText: string;
beforeAll(async () => {
  catalogue = await loadCatalogue();
  rawText = await readFile(DEFAULT_CATALOGUE_PATH, 'utf8');
});

/** A fresh, valid raw copy of the real catalogue, to break in one place. */
function raw(): { aids: Record<string, unknown>[] } & Record<string, unknown> {
  return JSON.parse(rawText) as { aids: Record<string, unknown>[] } & Record<string, unknown>;
}
function refused(data: unknown): CatalogueError {
  try {
    parseCatalogue(data, 'test');
  } catch (err) {
    expect(err).toBeInstanceOf(CatalogueError);
    return err as CatalogueError;
  }
  throw new Error('the catalogue was accepted');
}

describe('the real catalogue', () => {
  it('loads, is versioned and dated', () => {
    expect(catalogue.version).toBeGreaterThanOrEqual(1);
    expect(catalogue.validFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('has every required aid, with a FALC description, an official link and a checklist', () => {
    for (const id of REQUIRED) {
      const aid = aidById(catalogue, id);
      expect(aid.description.length).toBeGreaterThan(50);
      // the card's one line: short, and not the description cut short
      expect(aid.summary.length).toBeLessThanOrEqual(90);
      expect(aid.description.startsWith(aid.summary)).toBe(false);
      expect(aid.officialUrl).toMatch(/^https:\/\//);
      expect(aid.checklist.length).toBeGreaterThan(0);
    }
  });

  it('names every piece as the person would in a letter: in the first person, mid-sentence, no final full stop', () => {
    for (const aid of catalogue.aids) {
      for (const item of aid.checklist) {
        expect(item.inLetter, `${aid.id}/${item.id}`).toMatch(/^(mon |ma |mes |le |la |les |l’|un |une )/u);
        expect(item.inLetter, `${aid.id}/${item.id}`).not.toMatch(/\b(votre|vos)\b|\.$/iu);
      }
    }
  });

  it('files PCH and the CMI after the MDPH decision, and RSA with the CSS', () => {
    expect(aidById(catalogue, 'pch').process).toMatchObject({ kind: 'linked', after: 'demande-mdph' });
    expect(aidById(catalogue, 'cmi').process).toMatchObject({ kind: 'linked', after: 'demande-mdph' });
    expect(ids(bundleOf(catalogue, aidById(catalogue, 'rsa')))).toEqual(['rsa', 'css']);
  });
});

describe('checklistFor', () => {
  it('asks a tenant for the rent receipt and a hosted person for the host’s attestation', () => {
    const rsa = aidById(catalogue, 'rsa');
    const tenant = ids(checklistFor(rsa, base));
    const hosted = ids(checklistFor(rsa, { ...base, housing: 'hosted' }));
    expect(tenant).toContain('quittance-loyer');
    expect(tenant).not.toContain('attestation-hebergement');
    expect(hosted).toContain('attestation-hebergement');
    expect(hosted).not.toContain('quittance-loyer');
    expect(ids(checklistFor(aidById(catalogue, 'aides-logement'), base))).toEqual(expect.arrayContaining(['bail', 'attestation-loyer']));
  });

  it('asks an employee for payslips and a job-seeker for the France Travail attestation', () => {
    const rsa = aidById(catalogue, 'rsa');
    const salaried = ids(checklistFor(rsa, base));
    const seeker = ids(checklistFor(rsa, { ...base, activity: ['job-seeker'] }));
    expect(salaried).toContain('bulletins-salaire');
    expect(salaried).not.toContain('attestation-france-travail');
    expect(seeker).toContain('attestation-france-travail');
    expect(seeker).not.toContain('bulletins-salaire');
    expect(ids(checklistFor(rsa, { ...base, activity: ['salaried', 'job-seeker'] }))).toEqual(
      expect.arrayContaining(['bulletins-salaire', 'attestation-france-travail']),
    );
  });

  it('asks for the residence permit only outside the EU, and for the livret de famille only with children', () => {
    const rsa = aidById(catalogue, 'rsa');
    expect(ids(checklistFor(rsa, base))).toEqual(expect.arrayContaining(['identite', 'rib']));
    expect(ids(checklistFor(rsa, base))).not.toContain('titre-sejour');
    expect(ids(checklistFor(rsa, base))).not.toContain('livret-famille');
    const other = ids(checklistFor(rsa, { ...base, nationality: 'non-eu', children: true }));
    expect(other).toEqual(expect.arrayContaining(['titre-sejour', 'livret-famille']));
    expect(other).not.toContain('identite');
  });
});

describe('bundleChecklist', () => {
  it('lists a piece shared by the aids of a bundle once, with the aids that ask for it', () => {
    const aids = bundleOf(catalogue, aidById(catalogue, 'rsa'));
    const items = bundleChecklist(aids, base);
    const separate = aids.flatMap((a) => checklistFor(a, base)).length;
    expect(items.length).toBeLessThan(separate);
    const identity = items.filter((i) => i.item.docTypes.includes('identity-card'));
    expect(identity).toHaveLength(1);
    expect(identity[0]?.aids).toEqual(['rsa', 'css']);
    const payslips = items.filter((i) => i.item.docTypes.includes('payslip'));
    expect(payslips).toHaveLength(1);
    expect(payslips[0]?.aids).toEqual(['rsa', 'css']);
    // pieces of one aid only stay attributed to it
    expect(items.find((i) => i.item.id === 'attestation-assurance-maladie')?.aids).toEqual(['css']);
    expect(items.find((i) => i.item.id === 'quittance-loyer')?.aids).toEqual(['rsa']);
  });

  it('keeps the strictest age limit and does not merge unrelated `other` papers', () => {
    const aids = [aidById(catalogue, 'demande-mdph'), aidById(catalogue, 'cmi'), aidById(catalogue, 'pch')];
    const items = bundleChecklist(aids, base);
    const others = items.filter((i) => i.item.docTypes.includes('other')).map((i) => i.item.id);
    expect(others).toEqual(expect.arrayContaining(['formulaire-mdph', 'certificat-medical-mdph', 'photo-identite', 'devis-pch']));
    const taxA = { id: 'a', label: 'avis', inLetter: 'mon avis', docTypes: ['tax-notice' as const], issuer: 'impots' as const, maxAgeMonths: 16 };
    const mk = (id: string, item: typeof taxA): Aid =>
      Aid.parse({ id, name: id, summary: 'une ligne pour le dire', family: 'money', description: 'x'.repeat(30), institution: 'caf', officialUrl: 'https://www.service-public.fr/', process: { kind: 'simple' }, checklist: [item] });
    const merged = bundleChecklist([mk('one', taxA), mk('two', { ...taxA, id: 'b', maxAgeMonths: 12 })], base);
    expect(merged).toHaveLength(1);
    expect(merged[0]?.item.maxAgeMonths).toBe(12);
    expect(merged[0]?.aids).toEqual(['one', 'two']);
  });
});

describe('missingPieces', () => {
  const today = '2026-06-15';
  const rsa = () => aidById(catalogue, 'rsa');
  const statusOf = (docs: VaultDoc[], id: string, situation = base) => missingPieces(rsa(), situation, docs, today).find((p) => p.item.id === id);

  it('takes a valid document from the vault', () => {
    const card = { docType: 'identity-card' as const, capturedAt: '2025-01-01T10:00:00Z', issuedOn: '2020-05-02', expiresOn: '2035-05-01' };
    const s = statusOf([card], 'identite');
    expect(s).toMatchObject({ status: 'present', document: card });
  });

  it('counts an expired identity card as missing, and says whom to ask', () => {
    const card = { docType: 'identity-card' as const, capturedAt: '2025-01-01T10:00:00Z', issuedOn: '2011-05-02', expiresOn: '2026-05-01' };
    expect(statusOf([card], 'identite')).toMatchObject({ status: 'missing', reason: 'expired', issuer: 'mairie', vaultIssuer: 'etat' });
    // a valid passport does it
    const passport = { docType: 'passport' as const, capturedAt: '2024-01-01T10:00:00Z', expiresOn: '2030-01-01' };
    expect(statusOf([card, passport], 'identite')).toMatchObject({ status: 'present', document: passport });
  });

  it('counts an attestation older than 3 months as missing, a recent one as present', () => {
    const old = { docType: 'other' as const, capturedAt: '2026-03-10T09:00:00Z' };
    const hosted: Situation = { ...base, housing: 'hosted' };
    expect(statusOf([old], 'attestation-hebergement', hosted)).toMatchObject({ status: 'missing', reason: 'too-old', issuer: 'hebergeant' });
    const receipt = { docType: 'proof-of-address' as const, capturedAt: '2026-06-01T09:00:00Z', issuedOn: '2026-03-14' };
    expect(statusOf([receipt], 'quittance-loyer')).toMatchObject({ status: 'missing', reason: 'too-old', issuer: 'bailleur' });
    const recent = { ...receipt, issuedOn: '2026-03-15' };
    expect(statusOf([receipt, recent], 'quittance-loyer')).toMatchObject({ status: 'present', document: recent });
  });

  it('reports an absent piece with its issuer, and ignores documents of other types', () => {
    const s = statusOf([{ docType: 'tax-notice', capturedAt: '2026-01-01T00:00:00Z' }], 'rib');
    expect(s).toMatchObject({ status: 'missing', reason: 'absent', issuer: 'banque', vaultIssuer: 'banque' });
    expect(missingPieces(rsa(), base, [], today).every((p) => p.status === 'missing')).toBe(true);
  });

  it('adds months the calendar way', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2026-03-14', 3)).toBe('2026-06-14');
    expect(addMonths('2025-11-30', 3)).toBe('2026-02-28');
  });
});

describe('a broken catalogue is refused, naming the bad entry', () => {
  it('unknown docType', () => {
    const data = raw();
    const rsa = data.aids[0] as { checklist: { docTypes: string[] }[] };
    rsa.checklist[2]!.docTypes = ['bank-statement'];
    const err = refused(data);
    expect(err.message).toMatch(/aids\[0\] "rsa" › checklist\[2\] "rib" › docTypes\[0\]/);
  });

  it('dangling `after` and unknown bundle partner', () => {
    const data = raw();
    const pch = data.aids.find((a) => a.id === 'pch')!;
    pch.process = { kind: 'linked', after: 'mdph-decision', reason: 'attend la MDPH' };
    const rsa = data.aids.find((a) => a.id === 'rsa')!;
    rsa.process = { kind: 'bundle', with: ['css', 'nope'] };
    const err = refused(data);
    expect(err.issues).toContain('aid "pch": linked after unknown aid "mdph-decision"');
    expect(err.issues).toContain('aid "rsa": bundle names unknown aid "nope"');
  });

  it('a linked cycle', () => {
    const data = raw();
    const mdph = data.aids.find((a) => a.id === 'demande-mdph')!;
    mdph.process = { kind: 'linked', after: 'aah', reason: 'boucle' };
    const err = refused(data);
    expect(err.issues).toHaveLength(1);
    expect(err.message).toMatch(/linked cycle (demande-mdph → aah → demande-mdph|aah → demande-mdph → aah)/);
  });

  it('duplicate aid id and duplicate item id', () => {
    const data = raw();
    data.aids.push({ ...data.aids[1]!, id: 'rsa' });
    const css = data.aids.find((a) => a.id === 'css') as { checklist: { id: string }[] };
    css.checklist[1]!.id = css.checklist[0]!.id;
    const err = refused(data);
    expect(err.issues).toContain('aid "rsa": duplicate aid id');
    expect(err.issues.some((i) => /aid "css", item "identite": duplicate item id/.test(i))).toBe(true);
  });

  it('wrong types, unknown keys and bad conditions', () => {
    const data = raw();
    data.version = '1';
    data.validFrom = '01/04/2026';
    const aides = data.aids.find((a) => a.id === 'aides-logement') as Record<string, unknown> & { checklist: Record<string, unknown>[] };
    aides.officialUrl = 'http://example.com/apl';
    aides.checklist[0]!.when = { housing: 'tenant' };
    aides.checklist[1]!.maxAgeMonths = -3;
    aides.colour = 'blue';
    aides.summary = 'Une aide '.repeat(12);
    aides.family = 'logement';
    const err = refused(data);
    const text = err.message;
    expect(text).toMatch(/^invalid aid catalogue test/);
    expect(text).toMatch(/version: /);
    expect(text).toMatch(/validFrom: /);
    expect(text).toMatch(/aids\[2\] "aides-logement" › officialUrl: an https address/);
    expect(text).toMatch(/aids\[2\] "aides-logement" › checklist\[0\] "identite" › when › housing: /);
    expect(text).toMatch(/aids\[2\] "aides-logement" › checklist\[1\] "titre-sejour" › maxAgeMonths: /);
    expect(text).toMatch(/aids\[2\] "aides-logement": Unrecognized key: "colour"/);
    expect(text).toMatch(/aids\[2\] "aides-logement" › summary: /);
    expect(text).toMatch(/aids\[2\] "aides-logement" › family: /);
  });

  it('a piece whose type the vault files under another issuer', () => {
    const data = raw();
    const rsa = data.aids[0] as { checklist: { id: string; issuer: string }[] };
    rsa.checklist.find((i) => i.id === 'rib')!.issuer = 'caf';
    expect(refused(data).issues).toEqual(['aid "rsa", item "rib": docType "rib" is issued by "banque" in the vault, not by "caf"']);
  });

  describe('from a file', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'catalogue-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('refuses a file that is not JSON, and loads a valid copy', async () => {
      const bad = join(dir, 'bad.json');
      await writeFile(bad, '{ "version": 1, ');
      await expect(loadCatalogue(bad)).rejects.toThrow(/invalid aid catalogue .*bad\.json:\n {2}- not JSON/);
      const good = join(dir, 'good.json');
      await writeFile(good, rawText);
      expect((await loadCatalogue(good)).aids.length).toBe(catalogue.aids.length);
    });
  });
});
