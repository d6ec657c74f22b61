/** Typed errors of card issuance and administration; callers branch on `code` (messages are English, for logs). */
export type CardAdminErrorCode =
  | 'no-ca' // the platform CA is not set up
  | 'unknown-card'
  | 'no-card' // no card came into the reader in time
  | 'invalid' // bad input (PIN, names, birth date, identifier)
  | 'unknown-person'
  | 'role-mismatch'
  | 'card-revoked' // the card serial is blocked or revoked: it can never be issued again
  | 'already-issued' // the card holds a certificate, or the database knows it as issued: needs force
  | 'admin-pin' // the card refused both the factory and the derived admin PIN
  | 'admin-pin-blocked'
  | 'card-refused' // the card answered a personalisation command with an error
  | 'replace-invalid'; // the card to replace is unknown, not active, or the new card itself

export class CardAdminError extends Error {
  constructor(
    readonly code: CardAdminErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CardAdminError';
  }
}

