/** The face of the procurations feature: what the rest of the server may use of it. */
export { CREATED_AT_SKEW_MS, signaturesFingerprint, storeProcuration, textSha256 } from './store.ts';
export type { AgentStructure, ProcurationDeps, ProcurationError, ProcurationErrorCode, ProcurationOutcome, StoreContext } from './store.ts';
export { factsFor } from './facts.ts';
export type { PolicyProcuration } from './facts.ts';
export { caseload, caseloadOf, listForPerson, listForStructure, procurationAids, procurationNames, procurationSubject, revokeAtKiosk, revokeByPerson, revokeByStructure, stateOf } from './manage.ts';
export type { ManageDeps, StructureProcuration } from './manage.ts';
export { PROCURATION_PDF_JOB, procurationPdf, procurationPdfFor, procurationPdfInput } from './procuration-pdf.ts';
export type { ProcurationPdfInput } from './procuration-pdf.ts';
