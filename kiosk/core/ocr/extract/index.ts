/**
 * From a recognised page to a typed document: classify, then run the type's extractor. A type without an
 * extractor yet gets its type and no fields; an unknown document is 'other' with no fields.
 */
import type { DocType } from '../../../../sync-server/protocol/common.ts';
import { classify } from './classify.ts';
import type { Fields, OcrPage } from './page.ts';
import { extractRib } from './rib.ts';

export type { Box, FieldReading, Fields, OcrLine, OcrPage, OcrWord } from './page.ts';
export { pageFromText } from './page.ts';
export { classify } from './classify.ts';
export { correctIban, isValidRibKey } from './iban.ts';

const EXTRACTORS: Partial<Record<DocType, (page: OcrPage) => Fields>> = {
  rib: extractRib,
};

export interface Extraction {
  docType: DocType;
  fields: Fields;
}

export function extractDocument(page: OcrPage): Extraction {
  const { docType } = classify(page.text);
  const extractor = EXTRACTORS[docType];
  return { docType, fields: extractor ? extractor(page) : {} };
}
