import { z } from 'zod';

export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'empreinte SHA-256 attendue (64 caractères hexadécimaux)');
export const KioskId = z.string().regex(/^[a-z0-9][a-z0-9-]{2,63}$/, 'identifiant de borne invalide');
export const Uuid = z.uuid();

/** Something named for people by its id and its name: the structure a procuration names; the aids a screen names. */
export const NamedRef = z.strictObject({ id: z.string().min(1).max(64), name: z.string().min(1).max(160) });
export type NamedRef = z.infer<typeof NamedRef>;
export const IsoDateTime = z.iso.datetime({ offset: true });
export const IsoDate = z.iso.date();

/** Document types the platform knows; OCR classifies into these and the vault files by them. */
export const DocType = z.enum([
  'rib',
  'identity-card',
  'passport',
  'residence-permit',
  'tax-notice',
  'caf-certificate',
  'proof-of-address',
  'payslip',
  'health-insurance',
  'other',
]);
export type DocType = z.infer<typeof DocType>;

/**
 * Bytes as they travel in a socket.io message (binary attachments): a Buffer in Node, a Uint8Array
 * elsewhere, over any kind of ArrayBuffer.
 */
export const Bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array);

/** Whom a card is issued to: a person helped by the platform, or a social worker who helps them. */
export const PersonRole = z.enum(['beneficiary', 'agent']);
export type PersonRole = z.infer<typeof PersonRole>;

export const FileMime = z.enum(['image/jpeg', 'image/png', 'image/webp', 'application/pdf']);
export type FileMime = z.infer<typeof FileMime>;

/** Size limits shared by the kiosk (what it sends) and the server (what it accepts). */
export const LIMITS = {
  blobBytes: 25 * 1024 * 1024,
  mutationsPerBatch: 100,
  ocrTextChars: 100_000,
  fieldValueChars: 500,
  fieldsPerDocument: 64,
  socketMessageBytes: 2 * 1024 * 1024,
} as const;
