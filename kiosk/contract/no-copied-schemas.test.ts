/**
 * The kiosk contract reuses the protocol's schemas instead of copying them (DESIGN.md §3): a copy
 * starts identical and then drifts (`z.object` against `z.strictObject`, an enum of states written out
 * again, a message lost), and the kiosk ends up accepting what the server refuses or the other way
 * round. Where the screen's shape really differs, the contract derives it from the protocol's
 * (`.extend`, `.pick`, `.omit`), which keeps the protocol's own member schemas.
 *
 * Found by shape, not by name, so a copy is caught under any name. Every schema reachable from the
 * contract's exports is compared with every schema reachable from the protocol's, looking through
 * strictness, checks, messages, formats and optional/nullable/default wrappers:
 *  - an enum, a union or an object (2 members or more) shaped like one of the protocol's must be one
 *    of the protocol's;
 *  - an object whose members include, or are included in, those of a protocol object (3 in common or
 *    more) must take each common member that has the same shape from that protocol object.
 */
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import * as applications from '../../sync-server/protocol/applications.ts';
import * as common from '../../sync-server/protocol/common.ts';
import * as events from '../../sync-server/protocol/events.ts';
import * as mutations from '../../sync-server/protocol/mutations.ts';
import * as procuration from '../../sync-server/protocol/procuration.ts';
import * as procurationsEvents from '../../sync-server/protocol/procurations-events.ts';
import * as revocation from '../../sync-server/protocol/revocation.ts';
import * as answers from '../../sync-server/protocol/estimate/answers.ts';
import * as simulation from '../../sync-server/protocol/estimate/situation.ts';
import * as socket from '../../sync-server/protocol/socket.ts';
import * as vault from '../../sync-server/protocol/vault.ts';
import * as contract from './schema.ts';

type Schema = z.core.$ZodType;
type Def = Record<string, unknown> & { type: string };

function isSchema(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && '_zod' in v;
}

function defOf(s: Schema): Def {
  return s._zod.def as unknown as Def;
}

/** Through the wrappers that do not change what a value looks like. */
function unwrap(s: Schema): Schema {
  let cur = s;
  for (;;) {
    const def = defOf(cur);
    if (['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type)) cur = def.innerType as Schema;
    else if (def.type === 'pipe') cur = def.in as Schema;
    else return cur;
  }
}

/** The shape of a schema, without strictness, checks, messages, formats or wrappers. */
function fingerprint(s: Schema, seen = new Set<Schema>()): string {
  const u = unwrap(s);
  if (seen.has(u)) return 'cycle';
  seen.add(u);
  const def = defOf(u);
  try {
    switch (def.type) {
      case 'object': {
        const shape = def.shape as Record<string, Schema>;
        return `{${Object.keys(shape)
          .sort()
          .map((k) => `${k}:${fingerprint(shape[k]!, seen)}`)
          .join(',')}}`;
      }
      case 'array':
        return `[${fingerprint(def.element as Schema, seen)}]`;
      case 'union':
        return `(${(def.options as Schema[])
          .map((o) => fingerprint(o, seen))
          .sort()
          .join('|')})`;
      case 'enum':
        return `enum(${Object.values(def.entries as Record<string, string>)
          .map(String)
          .sort()
          .join(',')})`;
      case 'literal':
        return `literal(${(def.values as unknown[]).map(String).join(',')})`;
      case 'record':
        return `record<${fingerprint(def.keyType as Schema, seen)},${fingerprint(def.valueType as Schema, seen)}>`;
      default:
        return def.type;
    }
  } finally {
    seen.delete(u);
  }
}

/** Every schema reachable from these values (module exports, the contract's method table…). */
function reachable(roots: Iterable<unknown>): Set<Schema> {
  const out = new Set<Schema>();
  const visit = (v: unknown): void => {
    if (isSchema(v)) {
      if (out.has(v)) return;
      out.add(v);
      const def = defOf(v);
      const children: unknown[] = [];
      if (def.type === 'object') children.push(...Object.values(def.shape as object));
      for (const key of ['innerType', 'element', 'in', 'out', 'keyType', 'valueType', 'left', 'right']) if (key in def) children.push(def[key]);
      if (Array.isArray(def.options)) children.push(...(def.options as unknown[]));
      children.forEach(visit);
      return;
    }
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype) {
      Object.values(v).forEach(visit);
    }
  };
  for (const r of roots) visit(r);
  return out;
}

export interface Copy {
  /** what the contract declares again */
  what: string;
  /** the protocol's schema it copies */
  of: string;
}

/**
 * The copies of protocol schemas among the contract's. `protocolRoots` and `contractRoots` are module
 * namespaces (or any objects holding schemas).
 */
export function findCopies(protocolRoots: Record<string, unknown>[], contractRoots: Record<string, unknown>[]): Copy[] {
  const protocolSchemas = reachable(protocolRoots.flatMap((m) => Object.values(m)));
  const contractSchemas = reachable(contractRoots.flatMap((m) => Object.values(m)));
  const names = new Map<Schema, string>();
  for (const m of [...protocolRoots, ...contractRoots]) for (const [k, v] of Object.entries(m)) if (isSchema(v) && !names.has(v)) names.set(v, k);
  const label = (s: Schema) => names.get(s) ?? fingerprint(s).slice(0, 120);

  const byPrint = new Map<string, Schema[]>();
  for (const p of protocolSchemas) {
    const f = fingerprint(p);
    byPrint.set(f, [...(byPrint.get(f) ?? []), p]);
  }
  const protocolObjects = [...protocolSchemas].filter((p) => defOf(p).type === 'object');
  const copies: Copy[] = [];

  for (const c of contractSchemas) {
    if (protocolSchemas.has(c)) continue;
    const def = defOf(c);
    const counts = def.type === 'enum' || def.type === 'union' || (def.type === 'object' && Object.keys(def.shape as object).length >= 2);
    if (counts) {
      const same = byPrint.get(fingerprint(c));
      if (same) {
        copies.push({ what: label(c), of: label(same[0]!) });
        continue;
      }
    }
    if (def.type !== 'object') continue;
    const shape = def.shape as Record<string, Schema>;
    const keys = Object.keys(shape);
    for (const p of protocolObjects) {
      const pShape = defOf(p).shape as Record<string, Schema>;
      const pKeys = Object.keys(pShape);
      const shared = keys.filter((k) => k in pShape);
      if (shared.length < 3 || (shared.length !== keys.length && shared.length !== pKeys.length)) continue;
      const copied = shared.filter((k) => {
        const mine = unwrap(shape[k]!);
        const theirs = unwrap(pShape[k]!);
        return mine !== theirs && !protocolSchemas.has(mine) && fingerprint(mine) === fingerprint(theirs);
      });
      if (copied.length > 0) copies.push({ what: `${label(c)} (${copied.join(', ')})`, of: label(p) });
    }
  }
  return copies;
}

const PROTOCOL = [common, socket, vault, applications, simulation, answers, mutations, revocation, events, procuration, procurationsEvents] as Record<string, unknown>[];

describe('the kiosk contract and the protocol', () => {
  it('declares no protocol schema again: it imports or derives them', () => {
    expect(findCopies(PROTOCOL, [contract as Record<string, unknown>])).toEqual([]);
  });

  it('would see a copy, under another name, drifted or partial', () => {
    const copiedEnum = z.enum(['draft', 'collecting-pieces', 'ready', 'submitted', 'in-processing', 'information-requested', 'accepted', 'refused', 'closed']);
    const drifted = z.object({ id: z.uuid(), at: z.string(), author: applications.ThreadMessage.shape.author, authorName: z.string(), body: z.string().max(10) });
    const partial = z.object({ itemId: z.string(), label: z.string(), inLetter: z.string() });
    const strictOrNot = z.object({ kind: z.literal('procuration'), procurationId: common.Uuid });
    const ground = z.discriminatedUnion('kind', [z.object({ kind: z.literal('beneficiary-signature') }), strictOrNot]);
    const found = findCopies(PROTOCOL, [{ copiedEnum, drifted, partial, ground }]);
    expect(found.map((c) => c.what)).toEqual(expect.arrayContaining(['copiedEnum', 'drifted', expect.stringMatching(/^partial/), 'ground']));
    expect(found.find((c) => c.what === 'copiedEnum')?.of).toBe('ApplicationStateName');
    expect(found.find((c) => c.what === 'drifted')?.of).toBe('ThreadMessage');
  });

  it('lets the contract derive a screen shape from the protocol’s', () => {
    const withLabel = applications.Notice.extend({ stateLabel: z.string() });
    const picked = vault.AuditEntry.pick({ at: true, who: true, action: true });
    const reused = z.object({ state: applications.ApplicationStateName, mode: applications.SubmissionMode.nullable() });
    expect(findCopies(PROTOCOL, [{ withLabel, picked, reused }])).toEqual([]);
  });
});
