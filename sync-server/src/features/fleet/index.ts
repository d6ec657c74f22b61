/** The face of the fleet feature: what the rest of the server may use of it. */
export { Challenges, purgeExpiredNonces } from './challenges.ts';
export { KioskAdminError, createEnrollment, listKiosks, redeemEnrollment, revokeKiosk } from './enrollment.ts';
export { issueSessionToken, purgeExpiredSessions, verifyKioskToken, verifySignedChallenge } from './kiosk-auth.ts';
export { activeKiosksWithTokenHashes, anyKiosk, kioskPlace, kioskStatus, readKioskSettings, revokedKioskIds, seedKiosks, writeKioskSettings } from './kiosk-settings.ts';
