/** The face of the vault feature: what the rest of the server may use of it. */
export { searchCaseload } from './caseload-search.ts';
export type { CaseloadHit } from './caseload-search.ts';
export { applyDocumentDeposit } from './deposit.ts';
export { documentPdf, DOCUMENT_PDF_JOB } from './document-pdf.ts';
export type { DocumentPdfInput } from './document-pdf.ts';
export { printDocument } from './document-print.ts';
export { authorizeFile, check, listVault, personJournal, readDocument, searchVault } from './person-vault.ts';
export type { PersonSession, VaultDeps } from './person-vault.ts';
export { foldAccents, indexDocument, MAX_SCOPE_OWNERS, ownerToken, scopeColumn, scopeTokens, searchBody, searchScoped } from './vault-index.ts';
export type { ScopedHit, SearchScope } from './vault-index.ts';
export { staffAuthorizeBlobRead, staffListDocuments, staffReadDocument, staffReadPersonAudit } from './vault-reads.ts';
export type { ReadDeps, ReadOutcome, StaffActor } from './vault-reads.ts';
export { applyDocumentDelete, applyDocumentSend } from './vault-writes.ts';
