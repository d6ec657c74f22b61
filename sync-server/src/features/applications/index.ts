/** The face of the applications feature: what the rest of the server may use of it. */
export { catalogueOr, fireEvent, fireEventIn, insertApplication } from './applications.ts';
export { MAX_MONTHLY_CENTS, NO_TERMS, parseEurosFr, parseStartDate, termsOf } from './decision-terms.ts';
export type { DecisionTerms } from './decision-terms.ts';
export { DOSSIER_PDF_JOB, RECEIPT_PDF_JOB, dossierPdf, receiptPdf } from './dossier-pdf.ts';
export type { DossierPdfInput, ReceiptInput } from './dossier-pdf.ts';
export { adaptChecklist, applicantOf, choosePiece, createDossier, dossierAidIds, listDossiers, markNoticesSeen, reevaluatePerson, viewDossier, withdrawDossier, writeToInstitution } from './dossiers.ts';
export type { Applicant, Outcome } from './dossiers.ts';
export { readPieceForProcessing, safeFilename } from './piece-read.ts';
export { requestPiecesAgain } from './pieces.ts';
export { dossierPdfFor, printDossier, printReceipt, receiptPdfFor } from './printouts.ts';
export type { DossierPrintInput } from './printouts.ts';
export { applicationDetail, findVisibleApplication, listDecisions, listQueue, MAX_SEARCH_CHARS, searchApplications, visiblePieceIds } from './processing.ts';
export type { ApplicationDetail, PieceView, QueueRow } from './processing.ts';
export { APPLICATION_EVENTS } from './state-machine.ts';
export type { ApplicationEvent, ApplicationState, TransitionRefusal } from './state-machine.ts';
export { prepareSubmission, submitSigned } from './submission.ts';
export { MAX_MESSAGE_CHARS, messagesOf, postMessage } from './thread.ts';
export { aidName, institutionName } from '../../kernel/words/applications.ts';
