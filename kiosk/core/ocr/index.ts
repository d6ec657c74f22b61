/**
 * Local OCR: a pool of warm worker threads (sharp preprocessing + tesseract.js, offline; zxing-wasm for 2D-Doc
 * codes) that turns a still into a classified document with checked fields. See README.md.
 */
export { createOcrPool } from './pool.ts';
export type { AnalyseOptions, OcrPool, OcrPoolOptions, OcrPoolStats, OcrProgress } from './pool.ts';
export { OcrError, OcrErrorCode, OCR_MESSAGES } from './errors.ts';
export { OcrResult, OcrStage, FieldReading, TwoDDocCheck, TwoDDocSummary } from './protocol.ts';
export { emptyTrustStore, loadTwoDDocTrustStore, trustStoreFromEntries } from './twoddoc-trust.ts';
export type { LoadedTrustStore, TrustEntry, TwoDDocTrustStore } from './twoddoc-trust.ts';
export { checkTwoDDocSignature, REFUSED_STATUSES, TWODDOC_STATUSES } from './twoddoc-verify.ts';
export type { TwoDDocStatus, TwoDDocVerdict } from './twoddoc-verify.ts';
export type { OcrTimings } from './protocol.ts';
export {
  extractDocument,
  classify,
  correctIban,
  pageFromText,
  readMrz,
  parseTwoDDoc,
  verifyTwoDDoc,
  twoDDocFields,
  TwoDDocError,
  crossCheckTwoDDoc,
  comparable,
  icaoCheckDigit,
  isValidNir,
  isValidSiret,
  isValidTaxNumber,
  nirKey,
} from './extract/index.ts';
export type { Extraction, ExtractOptions, FieldAgreement, FieldCheck, FieldSource, MrzReading, TwoDDoc, TwoDDocHeader, TwoDDocSignature } from './extract/index.ts';
export type { OcrPage } from './extract/page.ts';
