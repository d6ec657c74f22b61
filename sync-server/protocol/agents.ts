/**
 * What an agent may see and do, as data a person can review (docs/agents.md explains it in words):
 * each agent has a competence level set by their structure's admin; a level gives vaults, categories of
 * papers and actions. On a procuration, what the person signed narrows it further; it never widens it.
 *
 * Pure: the kiosk (to show only what an agent may use) and the server's access policy (which decides)
 * read the same table.
 */
import { z } from 'zod';
import type { DocType } from './common.ts';

/** Where an agent works: a CMS, a CCAS, a France Services, an association. */
export const StructureKind = z.enum(['cms', 'ccas', 'france-services', 'association']);
export type StructureKind = z.infer<typeof StructureKind>;

/**
 * The three competence levels:
 *  - `accueil`: reception and digital help (a France Services adviser, a volunteer): the everyday papers;
 *  - `accompagnement`: helping with procedures (a CCAS or France Services agent): every paper but health,
 *    the institutional vault, requests and messages;
 *  - `travail-social`: a social worker bound by professional secrecy: health papers too.
 */
export const CompetenceLevel = z.enum(['accueil', 'accompagnement', 'travail-social']);
export type CompetenceLevel = z.infer<typeof CompetenceLevel>;

/** Categories of papers, by what they say of the person. */
export const PaperCategory = z.enum(['identity', 'income', 'bank', 'housing', 'family', 'health', 'other']);
export type PaperCategory = z.infer<typeof PaperCategory>;

export const CATEGORY_OF: Readonly<Record<DocType, PaperCategory>> = {
  'identity-card': 'identity',
  passport: 'identity',
  'residence-permit': 'identity',
  payslip: 'income',
  'tax-notice': 'income',
  'caf-certificate': 'income',
  rib: 'bank',
  'proof-of-address': 'housing',
  'health-insurance': 'health',
  other: 'other',
};

/**
 * What an agent does for a person:
 *  - `consult`: list, search and open the person's papers;
 *  - `scan-for`: photograph a paper and put it in the person's vault (and request);
 *  - `adapt-checklist`: add a piece to a request, or mark one not needed with a reason;
 *  - `file`: start a request for the person;
 *  - `send`: sign and send a request (with the person present, or on a procuration that allows it);
 *  - `message`: write to an institution about the person's request, as an agent.
 */
export const AgentAction = z.enum(['consult', 'scan-for', 'adapt-checklist', 'file', 'send', 'message']);
export type AgentAction = z.infer<typeof AgentAction>;

export type VaultKindName = 'personal' | 'institutional';

export interface Competence {
  vaults: readonly VaultKindName[];
  categories: readonly PaperCategory[];
  actions: readonly AgentAction[];
}

const EVERYDAY: readonly PaperCategory[] = ['identity', 'income', 'housing', 'family', 'other'];

/** The matrix: level → what it opens. Health papers only for social workers; bank details from `accompagnement`. */
export const COMPETENCE: Readonly<Record<CompetenceLevel, Competence>> = {
  accueil: {
    vaults: ['personal'],
    categories: EVERYDAY,
    actions: ['consult', 'scan-for'],
  },
  accompagnement: {
    vaults: ['personal', 'institutional'],
    categories: [...EVERYDAY, 'bank'],
    actions: ['consult', 'scan-for', 'adapt-checklist', 'file', 'send', 'message'],
  },
  'travail-social': {
    vaults: ['personal', 'institutional'],
    categories: [...EVERYDAY, 'bank', 'health'],
    actions: ['consult', 'scan-for', 'adapt-checklist', 'file', 'send', 'message'],
  },
};

/** An agent inactive this long (no login at a kiosk or in the console) is suspended. */
export const AGENT_INACTIVITY_DAYS = 183;
