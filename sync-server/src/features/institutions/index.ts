/** The face of the institutions feature: what the rest of the server may use of it. */
export { IssueRequest, issueInstitutionalDocument } from './issue.ts';
export { DIRECTORY_SYNC_MAX, findInstitution, listInstitutions, pruneDirectoryChanges, seedInstitutions, syncDirectory } from './directory.ts';
export type { SeedInstitution } from './directory.ts';
export { ANNUAIRE_MAX_ENTRIES, KIND_OF_TYPE, readAnnuaire } from './directory-annuaire.ts';
export { importAnnuaire } from './directory-import.ts';
export type { ImportOutcome } from './directory-import.ts';
export { addLocalEntry, changeLocalEntry, describeLocalInput, LocalEntryId, LocalEntryInput, removeLocalEntry } from './directory-local.ts';
export type { LocalOutcome } from './directory-local.ts';
export { searchDirectory } from './directory-search.ts';
export type { DirectorySearch } from './directory-search.ts';
