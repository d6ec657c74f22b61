/**
 * Where to get a paper: for each kind of paper, the kinds of institution that give it. The aid catalogue's
 * checklists already say who issues each piece (`issuer`); the catalogue installed with the appliance, beside
 * the estimate rules, is read once, so the map's paper filter works offline. The vault's own classification
 * (protocol `ISSUER_OF`) completes it for papers no checklist asks for (the CAF's attestation).
 * Papers only a private party gives (a bank, an employer, a landlord) are left out: no office on a map gives them.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DocType } from '../../../sync-server/protocol/common.ts';
import { DOC_TYPE_TITLE, ISSUER_OF } from '../../../sync-server/protocol/vault.ts';
import type { MapInfo } from '../../contract/schema.ts';
import type { Logger } from '../log.ts';

const PRIVATE = new Set(['banque', 'employeur', 'fournisseur', 'bailleur', 'hebergeant', 'medecin', 'autre']);

const CatalogueChecklists = z.object({
  aids: z.array(z.object({ checklist: z.array(z.object({ docTypes: z.array(z.string()), issuer: z.string().min(1).max(40) })).default([]) })),
});

/** The papers one can look for on the map, each with its issuers (most asked first). Empty when the catalogue cannot be read. */
export function papersFromCatalogue(catalogueFile: string, logger: Logger): MapInfo['papers'] {
  const counts = new Map<DocType, Map<string, number>>();
  const count = (doc: DocType, issuer: string, n = 1) => {
    const of = counts.get(doc) ?? new Map<string, number>();
    of.set(issuer, (of.get(issuer) ?? 0) + n);
    counts.set(doc, of);
  };
  try {
    const parsed = CatalogueChecklists.parse(JSON.parse(readFileSync(catalogueFile, 'utf8')));
    for (const aid of parsed.aids) {
      for (const item of aid.checklist) {
        for (const d of item.docTypes) {
          const doc = DocType.safeParse(d);
          if (doc.success) count(doc.data, item.issuer);
        }
      }
    }
  } catch (err) {
    logger.warn({ file: catalogueFile, err: err instanceof Error ? err.message : String(err) }, 'map: aid catalogue unreadable, papers from the vault classification only');
  }
  for (const doc of DocType.options) count(doc, ISSUER_OF[doc], 0);
  const papers: MapInfo['papers'] = [];
  for (const doc of DocType.options) {
    if (doc === 'other') continue;
    const kinds = [...(counts.get(doc) ?? new Map<string, number>()).entries()]
      .filter(([kind]) => !PRIVATE.has(kind))
      .sort((a, b) => b[1] - a[1])
      .map(([kind]) => kind);
    if (kinds.length > 0) papers.push({ docType: doc, title: DOC_TYPE_TITLE[doc], issuerKinds: kinds.slice(0, 20) });
  }
  return papers;
}
