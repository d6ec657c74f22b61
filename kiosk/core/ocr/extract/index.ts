/**
 * From a recognised page to a typed document. The type comes from a 2D-Doc when one was read, else from a
 * machine-readable zone, else from keywords; then the type's extractor reads the fields. Fields a 2D-Doc
 * carries replace the OCR readings (confidence 1, source '2d-doc'); where the printed text says something
 * else, the field is listed in `twoDDocMismatches` (a printed value that differs from the signed one is
 * what a forger changes). An unknown document is 'other' with no fields.
 */
import type { DocType } from '../../../../sync-server/protocol/common.ts';
import { extractProofOfAddress } from './address.ts';
import { extractCafCertificate } from './caf.ts';
import { classify } from './classify.ts';
import { extractHealthInsurance } from './health.ts';
import { extractIdentity, identityTypeOfMrz, readIdentityMrz } from './identity.ts';
import type { Fields, OcrPage } from './page.ts';
import { fold } from './page.ts';
import { extractPayslip } from './payslip.ts';
import { extractRib } from './rib.ts';
import { extractTaxNotice } from './tax.ts';
import type { TwoDDoc } from './twoddoc.ts';
import { twoDDocFields } from './twoddoc.ts';

export type { Box, FieldReading, FieldSource, Fields, OcrLine, OcrPage, OcrWord } from './page.ts';
export { pageFromText } from './page.ts';
export { classify } from './classify.ts';
export { correctIban, isValidRibKey } from './iban.ts';
export { readMrz, looksLikeMrzLine } from './mrz.ts';
export type { MrzReading } from './mrz.ts';
export { parseTwoDDoc, verifyTwoDDoc, twoDDocFields, TwoDDocError } from './twoddoc.ts';
export type { TwoDDoc, TwoDDocHeader, TwoDDocSignature } from './twoddoc.ts';
export { icaoCheckDigit, isValidNir, isValidSiret, isValidTaxNumber, nirKey } from './checks.ts';

export interface ExtractOptions {
  /** the machine-readable zone recognised again with the zone's alphabet only */
  mrzPage?: OcrPage;
  /** a 2D-Doc read from the image and parsed */
  twoDDoc?: TwoDDoc | null;
  /** reference date for two-digit years */
  now?: Date;
}

export interface Extraction {
  docType: DocType;
  fields: Fields;
  /** fields whose printed value differs from the 2D-Doc's (empty without a 2D-Doc) */
  twoDDocMismatches?: string[];
}

const TEXT_EXTRACTORS: Partial<Record<DocType, (page: OcrPage) => Fields>> = {
  rib: extractRib,
  'tax-notice': extractTaxNotice,
  'caf-certificate': extractCafCertificate,
  'proof-of-address': extractProofOfAddress,
  payslip: extractPayslip,
  'health-insurance': extractHealthInsurance,
};

function withSource(fields: Fields): Fields {
  return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v.source ? v : { ...v, source: 'ocr' as const }]));
}

export function extractDocument(page: OcrPage, opts: ExtractOptions = {}): Extraction {
  const fromCode = opts.twoDDoc ? twoDDocFields(opts.twoDDoc) : null;
  const mrz = fromCode ? null : readIdentityMrz(page, opts);
  let docType: DocType;
  if (fromCode) docType = fromCode.docType;
  else if (mrz) docType = identityTypeOfMrz(mrz, page.text) ?? classify(page.text).docType;
  else docType = classify(page.text).docType;

  const identity = docType === 'identity-card' || docType === 'passport' || docType === 'residence-permit';
  const fields = withSource(identity ? extractIdentity(page, opts).fields : (TEXT_EXTRACTORS[docType]?.(page) ?? {}));
  if (!fromCode) return { docType, fields };

  const mismatches: string[] = [];
  for (const [name, f] of Object.entries(fromCode.fields)) {
    const printed = fields[name];
    if (printed && fold(printed.value).replace(/\s+/g, ' ') !== fold(f.value).replace(/\s+/g, ' ')) mismatches.push(name);
    fields[name] = f;
  }
  return { docType, fields, twoDDocMismatches: mismatches };
}
