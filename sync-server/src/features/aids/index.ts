/** The face of the aids feature: what the rest of the server may use of it. */
export { Aid, AidCatalogue, ChecklistItem, InstitutionKind, aidById, assessPieces, bundleChecklist, loadCatalogue } from './catalogue.ts';
export { estimate, EstimateError } from '../../../protocol/estimate/engine.ts';
export { loadRules, loadZonesApl } from './simulate/rules.ts';
export type { ZonesApl } from '../../../protocol/estimate/zones.ts';
export type { Rules } from '../../../protocol/estimate/rules.ts';
export { ageOn, eligibilityWarnings } from './eligibility.ts';
export type { EligibilityWarning } from './eligibility.ts';
