/** The face of the institutions feature: what the rest of the server may use of it. */
export { IssueRequest, issueInstitutionalDocument } from './issue.ts';
export { listInstitutions, seedInstitutions } from './directory.ts';
export type { SeedInstitution } from './directory.ts';
