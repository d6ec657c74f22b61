/**
 * From a recognised page to a typed document. The type comes from a 2D-Doc when one was read, else from a
 * machine-readable zone, else from keywords; then the type's extractor reads the fields. Fields a 2D-Doc
 * carries replace the OCR readings (confidence 1, source '2d-doc') unless its signature was refused; every
 * field of the code is compared with the printed one (twoddoc-crosscheck.ts: agrees, disagrees, not
 * printed) and those that disagree are also listed in `twoDDocMismatches` (a printed value that differs
 * from the signed one is what a forger changes). An unknown document is 'other' with no fields. Last, every
 * confidence is put on the calibrated scale (calibration.ts), where ≥ SURE means the person need not look.
 */
import type { DocType } from '../../../../sync-server/protocol/common.ts';
import { extractProofOfAddress } from './address.ts';
import { calibrate } from './calibration.ts';
import { extractCafCertificate } from './caf.ts';
import { classify } from './classify.ts';
import { extractHealthInsurance } from './health.ts';
import { extractIdentity, identityTypeOfMrz, readIdentityMrz } from './identity.ts';
import type { Fields, OcrPage } from './page.ts';
import { withoutStrayMarks } from './page.ts';
import { extractPayslip } from './payslip.ts';
import { restoreAccents } from './person.ts';
import { extractRib } from './rib.ts';
import { extractTaxNotice } from './tax.ts';
import type { TwoDDoc } from './twoddoc.ts';
import { twoDDocFields } from './twoddoc.ts';
import { crossCheckTwoDDoc } from './twoddoc-crosscheck.ts';
import type { FieldCheck } from './twoddoc-crosscheck.ts';

export type { Box, FieldReading, FieldSource, Fields, OcrLine, OcrPage, OcrWord } from './page.ts';
export { pageFromText } from './page.ts';
export { classify } from './classify.ts';
export { correctIban, isValidRibKey } from './iban.ts';
export { SURE, calibrate, familyOf, fitCalibration } from './calibration.ts';
export type { CalibrationTable, Family, Observation } from './calibration.ts';
export { readMrz, looksLikeMrzLine } from './mrz.ts';
export type { MrzReading } from './mrz.ts';
export { parseTwoDDoc, verifyTwoDDoc, twoDDocFields, TwoDDocError } from './twoddoc.ts';
export type { TwoDDoc, TwoDDocHeader, TwoDDocSignature } from './twoddoc.ts';
export { crossCheckTwoDDoc, comparable } from './twoddoc-crosscheck.ts';
export type { FieldAgreement, FieldCheck } from './twoddoc-crosscheck.ts';
export { icaoCheckDigit, isValidNir, isValidSiret, isValidTaxNumber, nirKey } from './checks.ts';

export interface ExtractOptions {
  /** the machine-readable zone recognised again with the zone's alphabet only */
  mrzPage?: OcrPage;
  /** a 2D-Doc read from the image and parsed */
  twoDDoc?: TwoDDoc | null;
  /**
   * what its signature check allows (default `unverified`): `trusted` (verified against the trust store)
   * and `unverified` (this kiosk cannot tell) take the code's fields; `refused` (the signature or its
   * certificate is not valid) keeps the printed ones, the code's being worth nothing then
   */
  twoDDocUse?: TwoDDocUse;
  /** reference date for two-digit years */
  now?: Date;
}

export interface Extraction {
  docType: DocType;
  fields: Fields;
  /** fields whose printed value differs from the 2D-Doc's (empty without a 2D-Doc) */
  twoDDocMismatches?: string[];
  /** each field of the 2D-Doc against the printed text (absent without a 2D-Doc) */
  twoDDocCrossCheck?: FieldCheck[];
}

export type TwoDDocUse = 'trusted' | 'unverified' | 'refused';

/**
 * A field where an unverified code and the print disagree is shown as doubtful: either may be the wrong
 * one (a misread, or an edit), and nothing here can tell which.
 */
const UNVERIFIED_DISAGREEMENT_CONFIDENCE = 0.6;

const TEXT_EXTRACTORS: Partial<Record<DocType, (page: OcrPage) => Fields>> = {
  rib: extractRib,
  'tax-notice': extractTaxNotice,
  'caf-certificate': extractCafCertificate,
  'proof-of-address': extractProofOfAddress,
  payslip: extractPayslip,
  'health-insurance': extractHealthInsurance,
};

/** Fields that hold people's names, whose accents another reading on the page may give back. */
const PERSON_FIELDS = ['holder', 'employee', 'surname', 'givenNames'] as const;

function withSource(fields: Fields): Fields {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.source ? v : { ...v, source: 'ocr' as const }]));
}

export function extractDocument(read: OcrPage, opts: ExtractOptions = {}): Extraction {
  const page = withoutStrayMarks(read);
  const fromCode = opts.twoDDoc ? twoDDocFields(opts.twoDDoc) : null;
  const mrz = fromCode ? null : readIdentityMrz(page, opts);
  let docType: DocType;
  if (fromCode) docType = fromCode.docType;
  else if (mrz) docType = identityTypeOfMrz(mrz, page.text) ?? classify(page.text).docType;
  else docType = classify(page.text).docType;

  const identity = docType === 'identity-card' || docType === 'passport' || docType === 'residence-permit';
  const fields = withSource(identity ? extractIdentity(page, opts).fields : (TEXT_EXTRACTORS[docType]?.(page) ?? {}));
  for (const name of PERSON_FIELDS) {
    const f = fields[name];
    if (f) fields[name] = { ...f, value: restoreAccents(page, f.value) };
  }
  if (!fromCode) return { docType, fields: calibrate(fields) };

  const crossCheck = crossCheckTwoDDoc(fromCode.fields, fields);
  const mismatches = crossCheck.filter((c) => c.agreement === 'disagrees').map((c) => c.name);
  const use = opts.twoDDocUse ?? 'unverified';
  if (use !== 'refused') {
    for (const [name, f] of Object.entries(fromCode.fields)) {
      fields[name] = use === 'unverified' && mismatches.includes(name) ? { ...f, confidence: Math.min(f.confidence, UNVERIFIED_DISAGREEMENT_CONFIDENCE) } : f;
    }
  }
  return { docType, fields: calibrate(fields), twoDDocMismatches: mismatches, twoDDocCrossCheck: crossCheck };
}
