/** The face of the cards feature: what the rest of the server may use of it. */
export {
  createPlatformCa,
  exportPrivateKeyPem,
  generateSigningKey,
  importPrivateKeyPem,
  issueCardCertificate,
  issueRevocationSignerCertificate,
  loadPlatformCa,
  signWithCa,
  signWithKey,
} from './ca.ts';
export type { CryptoKey, IssueCardCertificateOptions, IssueRevocationSignerOptions, PlatformCa } from './ca.ts';
export { CA_FILES, CaError, DEFAULT_CA_NAME, DEFAULT_CA_YEARS, caDir, initCa, loadCa } from './ca-store.ts';
export type { LoadedCa } from './ca-store.ts';
export { blockCard, cardHolder, listCards, unblockPin } from './card-admin.ts';
export { CardAdminError } from './errors.ts';
export { issueCard } from './issue-card.ts';
export type { IssuedCard } from './issue-card.ts';
export { checkPresentedCard } from './presented-card.ts';
export { withCardInReader } from './reader.ts';
export { latestRevocationList, latestRevocationVersion, publishRevocationList } from './revocations.ts';
export { welcomeLetterFor } from './welcome-letter.ts';
