/**
 * The independent corpus: nine kinds of paper, five layouts each, many faces, a clean and a degraded
 * picture of every document, in two parts drawn from disjoint seed ranges — `tuning` (look at it, tune on
 * it) and `held-out` (only ever scored). Everything is a pure function of the part, the kind and the index.
 */
import type { DocType } from '../../sync-server/protocol/common.ts';
import type { Built as AdminBuilt } from './admin.ts';
import { cafCertificate, healthInsurance, payslip, proofOfAddress, rib, taxNotice } from './admin.ts';
import type { Variant } from './degrade.ts';
import { VARIANTS, degrade } from './degrade.ts';
import type { Sheet } from './draw.ts';
import { FONTS } from './draw.ts';
import type { IdLayout } from './identity.ts';
import { ID_LAYOUTS, identityCard, passport, residencePermit } from './identity.ts';
import type { Layout } from './layouts.ts';
import { LAYOUTS, renderAdmin } from './layouts.ts';
import type { Rng } from './rand.ts';
import { rng } from './rand.ts';

export const KINDS = [
  'identity-card', 'passport', 'residence-permit', 'payslip', 'tax-notice', 'caf-certificate', 'rib', 'proof-of-address', 'health-insurance',
] as const satisfies readonly DocType[];
export type Kind = (typeof KINDS)[number];

export const PARTS = ['tuning', 'held-out'] as const;
export type Part = (typeof PARTS)[number];

/**
 * Seed ranges of the parts: far apart, so no document of one can be a document of the other. The held-out
 * range is never used to tune anything.
 */
const SEED_BASE: Record<Part, number> = { tuning: 10_000, 'held-out': 7_700_000 };
const KIND_STRIDE = 10_000;

/** Documents per kind and part: 9 kinds × 6 × 2 pictures = 108 pictures a part. */
export const PER_KIND = 6;

export interface Entry {
  id: string;
  part: Part;
  kind: Kind;
  seed: number;
  layout: string;
  font: string;
  variant: Variant;
}

export function entries(part: Part, perKind = PER_KIND): Entry[] {
  const out: Entry[] = [];
  KINDS.forEach((kind, k) => {
    // layouts and degradations go round from a per-kind start, so every one appears in each kind
    const offset = rng(SEED_BASE[part] + k * KIND_STRIDE + KIND_STRIDE - 1).int(0, 29);
    for (let i = 0; i < perKind; i++) {
      const seed = SEED_BASE[part] + k * KIND_STRIDE + i;
      const r = rng(seed);
      const layouts: readonly string[] = kind === 'identity-card' || kind === 'passport' || kind === 'residence-permit' ? ID_LAYOUTS : LAYOUTS;
      out.push({
        id: `${part}/${kind}/${i}`,
        part,
        kind,
        seed,
        layout: layouts[(i + offset) % layouts.length]!,
        font: r.pick(FONTS),
        variant: VARIANTS[(i + k + offset) % VARIANTS.length]!,
      });
    }
  });
  return out;
}

export interface Built {
  entry: Entry;
  sheet: Sheet;
  fields: Record<string, string>;
  /** identity papers: which side(s) the picture shows, and the zone printed */
  side?: string;
  mrz?: string[];
}

export interface Rendered extends Built {
  clean: Buffer;
  degraded: Buffer;
}

const ADMIN: Partial<Record<Kind, (r: Rng) => AdminBuilt>> = {
  payslip,
  'tax-notice': taxNotice,
  'caf-certificate': cafCertificate,
  rib,
  'proof-of-address': proofOfAddress,
  'health-insurance': healthInsurance,
};

/** The document without its pictures (cheap: the SVG is not rendered). */
export function build(e: Entry): Built {
  const r = rng(e.seed).fork(1);
  const admin = ADMIN[e.kind];
  if (admin) {
    const built = admin(r);
    return { entry: e, sheet: renderAdmin(built.spec, e.layout as Layout, e.font, r.fork(2)), fields: built.fields };
  }
  const make = e.kind === 'identity-card' ? identityCard : e.kind === 'passport' ? passport : residencePermit;
  const doc = make(r, e.layout as IdLayout, e.font);
  return { entry: e, sheet: doc.sheet, fields: doc.fields, side: doc.side, ...(doc.mrz ? { mrz: doc.mrz } : {}) };
}

export async function render(e: Entry): Promise<Rendered> {
  const b = build(e);
  const clean = await b.sheet.png();
  const degraded = await degrade(clean, e.variant, rng(e.seed).fork(3));
  return { ...b, clean, degraded };
}
