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
export { CA_FILES, CaError, DEFAULT_CA_NAME, DEFAULT_CA_YEARS, caDir, initCa, initCaIn, issuanceSecretsIn, loadCa, loadCaCertificate, loadCaCertificateFrom, loadCaFrom } from './ca-store.ts';
export type { CaCertificate, CaErrorCode, LoadedCa } from './ca-store.ts';
export {
  caRevocationSigner,
  DEFAULT_REVOCATION_KEY_DAYS,
  issueRevocationKey,
  loadRevocationKey,
  MAX_REVOCATION_KEY_DAYS,
  REVOCATION_KEY_FILE,
  REVOCATION_KEY_RENEW_DAYS,
  revocationKeyPath,
} from './revocation-key.ts';
export type { IssuedRevocationKey, LoadedRevocationKey, RevocationSigner } from './revocation-key.ts';
export { blockCard, cardHolder, listCards, unblockPin } from './card-admin.ts';
export { checkPin as checkCardPin } from './card-data.ts';
export { CardAdminError } from './errors.ts';
export { issueCard } from './issue-card.ts';
export type { IssuedCard } from './issue-card.ts';
export { checkPresentedCard } from './presented-card.ts';
export { withCardInReader } from './reader.ts';
export { latestRevocationList, latestRevocationVersion, publishRevocationList, signRevocationList } from './revocations.ts';
export { WELCOME_LETTER_MAX_PLACES, welcomeLetterFor } from './welcome-letter.ts';
export type { LetterPlace } from './welcome-letter.ts';
export { checkWriteProof } from './write-proof.ts';
export type { ProvenCard, WriteProofCheck, WriteProofProblem } from './write-proof.ts';
