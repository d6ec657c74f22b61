/** The face of the institutions feature: what the rest of the server may use of it. */
export { IssueRequest, issueInstitutionalDocument, MAX_ISSUED_FILE_BYTES } from './issue.ts';
export { DIRECTORY_SYNC_MAX, findInstitution, listedInstitution, listInstitutions, pruneDirectoryChanges, seedInstitutions, syncDirectory } from './directory.ts';
export type { DirectoryTooLarge, SeedInstitution } from './directory.ts';
export { areaTag, countOffices, kioskArea, LETTER_KINDS, LETTER_PER_KIND, officesForLetter } from './directory-area.ts';
export type { KioskArea, NearbyOffice } from './directory-area.ts';
export { ANNUAIRE_MAX_ENTRIES, KIND_OF_TYPE, readAnnuaire } from './directory-annuaire.ts';
export { importAnnuaire } from './directory-import.ts';
export type { ImportOutcome } from './directory-import.ts';
export { addLocalEntry, changeLocalEntry, describeLocalInput, LocalEntryId, LocalEntryInput, localEntriesOf, removeLocalEntry } from './directory-local.ts';
export type { LocalOutcome } from './directory-local.ts';
export { searchDirectory } from './directory-search.ts';
export type { DirectorySearch } from './directory-search.ts';
export { clientOfToken, createClient, DEFAULT_GRACE_HOURS, DEPOSIT_SCOPE, grantToken, listClients, MAX_GRACE_HOURS, purgeExpiredInstitutionTokens, revokeClient, rotateClientSecret, TOKEN_TTL_S } from './clients.ts';
export type { ClientRow, TokenGrant, TokenHolder } from './clients.ts';
export { DepositMime, DepositRequest, depositActor, depositForInstitution, depositorAccount, markDepositNoticesSeen, mayDeposit, recentDeposits, unseenDepositNotices } from './deposits.ts';
export type { DepositDone, DepositNotice, DepositOutcome, Depositor, RecentDeposit } from './deposits.ts';
export { servesPerson } from './serving.ts';
