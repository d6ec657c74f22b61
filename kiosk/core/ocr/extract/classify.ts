/**
 * Document type from the recognised text: weighted keyword rules per type, matched on folded text (upper
 * case, no accents) with some slack for OCR (optional apostrophes and spaces). The best score wins if it
 * reaches the threshold; below it the document is 'other'. A new type is a new entry in RULES.
 */
import type { DocType } from '../../../../sync-server/protocol/common.ts';
import { fold } from './page.ts';

interface Rule {
  re: RegExp;
  weight: number;
}

const THRESHOLD = 3;

// IBAN shape as printed: country, check digits, then groups; loose on purpose (a signal, not a check).
const IBAN_SHAPE = /\b[A-Z]{2}\s?\d{2}(?:\s?[A-Z0-9]{4}){3,7}/;

const RULES: Partial<Record<DocType, Rule[]>> = {
  rib: [
    { re: /RELEVE\s*D'?\s*IDENTITE\s*BANCAIRE/, weight: 4 },
    { re: /\bR\.?I\.?B\.?\b/, weight: 1 },
    { re: /\bIBAN\b/, weight: 2 },
    { re: /\bBIC\b|\bSWIFT\b/, weight: 1 },
    { re: /TITULAIRE\s+DU\s+COMPTE|INTITULE\s+DU\s+COMPTE/, weight: 1 },
    { re: /DOMICILIATION/, weight: 1 },
    { re: /CODE\s+BANQUE|CODE\s+GUICHET|CLE\s+RIB/, weight: 2 },
    // the bank table's heads without « code », and the sentence every French RIB carries
    { re: /\bBANQUE\s+GUICHET\s+(?:N[°O]?\s*(?:DE\s+)?)?COMPTE\b/, weight: 2 },
    { re: /COORDONNEES\s+BANCAIRES/, weight: 2 },
    { re: /REMIS\s+A\s+VOS\s+CREANCIERS|FAIRE\s+INSCRIRE\s+DES\s+OPERATIONS/, weight: 3 },
    { re: IBAN_SHAPE, weight: 2 },
  ],
  'identity-card': [
    { re: /CARTE\s+NATIONALE\s+D'?\s*IDENTITE/, weight: 4 },
    { re: /IDENTITY\s+CARD/, weight: 2 },
    { re: /\bIDFRA/, weight: 4 },
    { re: /REPUBLIQUE\s+FRANCAISE/, weight: 1 },
  ],
  passport: [
    { re: /\bPASSEPORT\b/, weight: 3 },
    { re: /\bPASSPORT\b/, weight: 2 },
    { re: /\bP<FRA/, weight: 4 },
  ],
  'residence-permit': [
    { re: /TITRE\s+DE\s+SEJOUR/, weight: 4 },
    { re: /RESIDENCE\s+PERMIT/, weight: 2 },
    { re: /CARTE\s+DE\s+(?:SEJOUR|RESIDENT)/, weight: 2 },
    { re: /\bIRFRA/, weight: 4 },
  ],
  'tax-notice': [
    { re: /AVIS\s+D'?\s*IMP(?:O|0)T/, weight: 4 },
    { re: /IMP(?:O|0)T\s+SUR\s+LE(?:S)?\s+REVENU/, weight: 2 },
    { re: /REVENU\s+FISCAL\s+DE\s+REFERENCE/, weight: 3 },
    { re: /NUMERO\s+FISCAL|DGFIP|FINANCES\s+PUBLIQUES/, weight: 1 },
  ],
  'caf-certificate': [
    { re: /CAISSE\s+D'?\s*ALLOCATIONS\s+FAMILIALES/, weight: 3 },
    { re: /\bCAF\b/, weight: 1 },
    { re: /ATTESTATION\s+DE\s+PAIEMENT/, weight: 2 },
    { re: /N(?:°|UMERO)\s*D?'?\s*ALLOCATAIRE/, weight: 2 },
    { re: /PRIME\s+D'?\s*ACTIVITE|AIDE\s+PERSONNALISEE\s+AU\s+LOGEMENT|REVENU\s+DE\s+SOLIDARITE/, weight: 1 },
  ],
  payslip: [
    { re: /BULLETIN\s+DE\s+(?:PAIE|SALAIRE)/, weight: 4 },
    { re: /SALAIRE\s+(?:NET|BRUT|DE\s+BASE)/, weight: 2 },
    { re: /NET\s+A\s+PAYER|NET\s+PAYE\b/, weight: 2 },
    { re: /NET\s+IMPOSABLE|COTISATIONS/, weight: 1 },
  ],
  'proof-of-address': [
    { re: /JUSTIFICATIF\s+DE\s+DOMICILE|ATTESTATION\s+D'?\s*HEBERGEMENT|QUITTANCE\s+DE\s+LOYER/, weight: 4 },
    { re: /\bFACTURE\b/, weight: 1 },
    { re: /ELECTRICITE|\bGAZ\b|FACTURE\s+D'?\s*EAU|EAU\s+POTABLE|TELEPHON|INTERNET|\bFIBRE\b/, weight: 2 },
    { re: /ADRESSE\s+DE\s+(?:CONSOMMATION|LIVRAISON|L'?\s*INSTALLATION)|TITULAIRE\s+DU\s+CONTRAT|\bLOCATAIRE\b/, weight: 2 },
    // a rent receipt whose title was not read still says what it is in its text
    { re: /DONNE\s+QUITTANCE|\bQUITTANCE\b|ADRESSE\s+DU\s+LOGEMENT/, weight: 2 },
  ],
  'health-insurance': [
    { re: /ASSURANCE\s+MALADIE/, weight: 3 },
    { re: /ATTESTATION\s+DE\s+DROITS/, weight: 2 },
    { re: /\bCPAM\b|CARTE\s+VITALE/, weight: 3 },
    { re: /NUMERO\s+DE\s+SECURITE\s+SOCIALE/, weight: 1 },
  ],
};

export interface Classification {
  docType: DocType;
  score: number;
  scores: Partial<Record<DocType, number>>;
}

export function classify(text: string): Classification {
  const folded = fold(text).replace(/[ \t]+/g, ' ');
  const scores: Partial<Record<DocType, number>> = {};
  let docType: DocType = 'other';
  let best = 0;
  for (const [type, rules] of Object.entries(RULES) as [DocType, Rule[]][]) {
    const score = rules.reduce((s, r) => s + (r.re.test(folded) ? r.weight : 0), 0);
    scores[type] = score;
    if (score > best) {
      best = score;
      docType = type;
    }
  }
  return best >= THRESHOLD ? { docType, score: best, scores } : { docType: 'other', score: best, scores };
}
