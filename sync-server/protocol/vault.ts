/**
 * The vault as the kiosk reads it (socket.io, namespace `/kiosk`): a person session opened by the card
 * itself (it signs a server nonce with its authentication key), then reads of that person's vault.
 * Writes go through mutations (mutations.ts). Also: the classification of documents by issuing
 * institution, and the expiry rules, shared so that kiosk and server say the same thing.
 */
import { addMonths, paperAgeProblem } from './paper-date.ts';
import { z } from 'zod';
import { Bytes, DocType, FileMime, IsoDate, IsoDateTime, Sha256, Uuid } from './common.ts';
import { CardSerial } from './revocation.ts';

// ---------------------------------------------------------------------------------------------------
// Classification

/** Who issues a kind of paper: the vault is browsed by these. */
export const Issuer = z.enum(['etat', 'impots', 'caf', 'assurance-maladie', 'banque', 'employeur', 'fournisseur', 'autre']);
export type Issuer = z.infer<typeof Issuer>;

export const ISSUER_OF: Record<DocType, Issuer> = {
  'identity-card': 'etat',
  passport: 'etat',
  'residence-permit': 'etat',
  'tax-notice': 'impots',
  'caf-certificate': 'caf',
  'health-insurance': 'assurance-maladie',
  rib: 'banque',
  payslip: 'employeur',
  'proof-of-address': 'fournisseur',
  other: 'autre',
};

/** The name of each kind of paper, as people say it (titles, search, letters). */
export const DOC_TYPE_TITLE: Record<DocType, string> = {
  rib: 'Relevé d’identité bancaire (RIB)',
  'identity-card': 'Carte d’identité',
  passport: 'Passeport',
  'residence-permit': 'Titre de séjour',
  'tax-notice': 'Avis d’impôt',
  'caf-certificate': 'Attestation de la CAF',
  'proof-of-address': 'Justificatif de domicile',
  payslip: 'Bulletin de salaire',
  'health-insurance': 'Attestation de l’Assurance maladie',
  other: 'Document',
};

export const ISSUER_TITLE: Record<Issuer, string> = {
  etat: 'Papiers d’identité',
  impots: 'Impôts',
  caf: 'CAF',
  'assurance-maladie': 'Assurance maladie',
  banque: 'Banque',
  employeur: 'Travail',
  fournisseur: 'Logement et factures',
  autre: 'Autres papiers',
};

/** How a field read on a paper is named on screen and in PDFs; unknown names fall back to the raw name. */
export const FIELD_LABEL: Record<string, string> = {
  holder: 'Titulaire du compte',
  iban: 'IBAN',
  bic: 'BIC',
  bank: 'Banque',
  surname: 'Nom',
  givenNames: 'Prénoms',
  birthDate: 'Date de naissance',
  birthPlace: 'Lieu de naissance',
  sex: 'Sexe',
  nationality: 'Nationalité',
  documentNumber: 'Numéro du document',
  expiryDate: 'Fin de validité',
  issueDate: 'Date de délivrance',
  taxNumber: 'Numéro fiscal',
  referenceIncome: 'Revenu fiscal de référence',
  incomeYear: 'Année des revenus',
  noticeReference: 'Référence de l’avis',
  allocataireNumber: 'Numéro d’allocataire',
  amount: 'Montant',
  period: 'Période',
  name: 'Nom',
  address: 'Adresse',
  postcode: 'Code postal',
  city: 'Ville',
  date: 'Date',
  employer: 'Employeur',
  siret: 'SIRET',
  netPay: 'Net à payer',
  nir: 'Numéro de sécurité sociale',
  employee: 'Salarié(e)',
  periodStart: 'Début de la période',
  periodEnd: 'Fin de la période',
  netTaxable: 'Net imposable',
  parts: 'Nombre de parts',
  // the machine-readable lines' optional zone (on French ID cards: the department and office of issue)
  optionalData: 'Autres informations de la bande en bas',
  // what a CAF attestation says was paid, benefit by benefit
  amount_apl: 'Aide personnalisée au logement (APL)',
  amount_als: 'Allocation de logement sociale (ALS)',
  amount_alf: 'Allocation de logement familiale (ALF)',
  amount_prime_activite: 'Prime d’activité',
  amount_rsa: 'Revenu de solidarité active (RSA)',
  amount_aah: 'Allocation aux adultes handicapés (AAH)',
  amount_ars: 'Allocation de rentrée scolaire',
  amount_asf: 'Allocation de soutien familial',
  amount_cf: 'Complément familial',
  amount_paje: 'Prestation d’accueil du jeune enfant (PAJE)',
  amount_af: 'Allocations familiales',
  total: 'Total versé',
};

/** Whose name a paper carries, as each kind of paper names that person. */
const HOLDER_LABEL: Partial<Record<DocType, string>> = {
  rib: 'Titulaire du compte',
  'tax-notice': 'Déclarant(s)',
  'caf-certificate': 'Allocataire',
  'proof-of-address': 'Au nom de',
  'health-insurance': 'Assuré(e)',
};

/** A field's name on screen; `docType` names the holder as that kind of paper does. */
export function fieldLabel(name: string, docType?: DocType): string {
  if (name === 'holder') return (docType && HOLDER_LABEL[docType]) ?? 'Titulaire';
  return FIELD_LABEL[name] ?? name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
}

/** Papers that are only accepted when recent (an attestation is usually asked for within 3 months). */
export const RECENT_ONLY: ReadonlySet<DocType> = new Set(['caf-certificate', 'proof-of-address', 'payslip', 'health-insurance']);

export const Expiry = z.enum(['valid', 'expires-soon', 'expired', 'too-old']);
export type Expiry = z.infer<typeof Expiry>;

export { addMonths } from './paper-date.ts';

/**
 * Whether a paper can still be used: past its expiry date → expired; within 3 months of it → expires-soon;
 * an attestation dated more than 3 months ago → too-old (the paper's own date: paper-date.ts, one rule
 * with the aid checklists').
 */
export function expiryOf(doc: { docType: DocType; issuedOn?: string | null; expiresOn?: string | null; capturedAt: string }, today: string): Expiry {
  const problem = paperAgeProblem(doc, RECENT_ONLY.has(doc.docType) ? 3 : undefined, today);
  if (problem) return problem;
  if (doc.expiresOn && addMonths(today, 3) >= doc.expiresOn) return 'expires-soon';
  return 'valid';
}

// ---------------------------------------------------------------------------------------------------
// Login message (signed by the card: INTERNAL AUTHENTICATE over SHA-256 of it)

export const LOGIN_CONTEXT = 'FACILITATEUR-LOGIN-V1';

/** What the card signs at login: the kiosk's nonce, and the server's when the kiosk is online. */
export function loginMessage(kioskId: string, kioskNonce: Uint8Array, serverNonce: Uint8Array | null): Uint8Array {
  const head = new TextEncoder().encode(`${LOGIN_CONTEXT}\0${kioskId}\0`);
  const out = new Uint8Array(head.length + kioskNonce.length + (serverNonce?.length ?? 0));
  out.set(head, 0);
  out.set(kioskNonce, head.length);
  if (serverNonce) out.set(serverNonce, head.length + kioskNonce.length);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Socket events

/** base64url without padding (certificates, nonces, signatures) */
export const B64 = z.string().regex(/^[A-Za-z0-9_-]*$/).max(8192);
/** the refusal every kiosk-socket acknowledgement may be */
export const AckFailure = z.object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) });
const fail = AckFailure;

export const VAULT_EVENTS = {
  challenge: 'session:challenge',
  open: 'session:open',
  close: 'session:close',
  list: 'vault:list',
  get: 'vault:get',
  file: 'vault:file',
  search: 'vault:search',
  pdf: 'vault:pdf',
  audit: 'vault:audit',
  /** the papers institutions put in the vault that the person has not been told of yet */
  notices: 'vault:notices',
  noticesSeen: 'vault:notices-seen',
  institutions: 'institutions:list',
  directory: 'directory:sync',
  /** the institutions' answers to the papers the person sent them */
  replies: 'vault:replies',
  repliesSeen: 'vault:replies-seen',
} as const;

export const ChallengeAck = z.union([z.object({ ok: z.literal(true), nonce: B64, expiresAt: IsoDateTime }), fail]);
export type ChallengeAck = z.infer<typeof ChallengeAck>;

export const OpenSessionRequest = z.object({
  /** DER of the card's certificate, base64url */
  certificate: B64.min(100),
  cardSerial: CardSerial,
  kioskNonce: B64.min(43).max(86),
  serverNonce: B64.min(43).max(86),
  /** raw r||s, base64url */
  signature: B64.length(86),
  /** a beneficiary joining an agent's session: the agent's open session on this socket */
  withAgentSession: Uuid.optional(),
});
export type OpenSessionRequest = z.infer<typeof OpenSessionRequest>;

export const OpenSessionAck = z.union([
  z.object({ ok: z.literal(true), sessionId: Uuid, expiresAt: IsoDateTime }),
  fail,
]);
export type OpenSessionAck = z.infer<typeof OpenSessionAck>;

export const SessionRequest = z.object({ sessionId: Uuid });
/** `session:challenge` and `institutions:list` need no person session (a session id, if sent, is not read) */
export const SessionChallengeRequest = SessionRequest.partial();
export const InstitutionsRequest = SessionRequest.partial();
/** the answer that carries nothing but its outcome (`session:close`, and the aid space's writes) */
export const OkAck = z.union([z.object({ ok: z.literal(true) }), fail]);
export type OkAck = z.infer<typeof OkAck>;
export const DocumentRequest = SessionRequest.extend({ documentId: Uuid });

/** « La CAF a mis un papier dans votre coffre : Attestation de paiement. » — the server's words */
export const DepositNotice = z.object({ id: Uuid, documentId: Uuid, at: IsoDateTime, text: z.string().min(1).max(400) });
export type DepositNotice = z.infer<typeof DepositNotice>;
export const DepositNoticesAck = z.union([z.object({ ok: z.literal(true), notices: z.array(DepositNotice).max(50) }), fail]);
export type DepositNoticesAck = z.infer<typeof DepositNoticesAck>;
export const DepositNoticesSeenRequest = SessionRequest.extend({ ids: z.array(Uuid).min(1).max(50) });
export const FileRequest = SessionRequest.extend({ sha256: Sha256 });
export const SearchRequest = SessionRequest.extend({ query: z.string().min(1).max(200) });
export const PdfRequest = DocumentRequest.extend({
  /** add a cover letter addressed to this institution (a postal letter) */
  letterTo: z.string().max(64).optional(),
});

/** which of the person's two vaults: what they deposited, or what an institution issued to them */
export const VaultKind = z.enum(['personal', 'institutional']);
export type VaultKind = z.infer<typeof VaultKind>;

/** Who put a paper in the vault for the person: an agent, with the person present or on their procuration. */
export const DepositedBy = z.strictObject({ name: z.string(), structure: z.string().nullable() });
export type DepositedBy = z.infer<typeof DepositedBy>;

export const DocumentSummary = z.object({
  id: Uuid,
  vault: VaultKind,
  docType: DocType,
  issuer: Issuer,
  institutionId: z.string().nullable(),
  title: z.string(),
  version: z.number().int().positive(),
  capturedAt: IsoDateTime,
  issuedOn: IsoDate.nullable(),
  expiresOn: IsoDate.nullable(),
  expiry: Expiry,
  thumbnail: Sha256.nullable(),
  /** for search results: a few words around the match */
  snippet: z.string().optional(),
  /** the current version was deposited by an agent (absent: by the person themself, or an institution) */
  depositedBy: DepositedBy.optional(),
});
export type DocumentSummary = z.infer<typeof DocumentSummary>;

export const ListAck = z.union([z.object({ ok: z.literal(true), documents: z.array(DocumentSummary) }), fail]);
export type ListAck = z.infer<typeof ListAck>;

export const VersionDetail = z.object({
  version: z.number().int().positive(),
  capturedAt: IsoDateTime,
  createdAt: IsoDateTime,
  fields: z.record(z.string(), z.object({ value: z.string(), confidence: z.number(), confirmed: z.boolean() })),
  file: z.object({ sha256: Sha256, mime: FileMime, size: z.number().int() }),
  thumbnail: Sha256.nullable(),
  pages: z.number().int().positive(),
  /** this version was deposited by an agent (absent: by the person themself, or an institution) */
  depositedBy: DepositedBy.optional(),
});
export type VersionDetail = z.infer<typeof VersionDetail>;

export const GetAck = z.union([
  z.object({ ok: z.literal(true), document: DocumentSummary, versions: z.array(VersionDetail) }),
  fail,
]);
export type GetAck = z.infer<typeof GetAck>;

/** bytes travel as socket.io binary attachments (Buffer / Uint8Array) */
export const FileAck = z.union([z.object({ ok: z.literal(true), mime: z.string(), bytes: Bytes }), fail]);
export type FileAck = z.infer<typeof FileAck>;

export const AuditEntry = z.object({
  at: IsoDateTime,
  /** who, as the person can understand it: "Vous", "Sophie (agente, CMS du centre-ville)", "Le service …" */
  who: z.string(),
  action: z.string(),
  documentTitle: z.string().nullable(),
  ground: z.string(),
  /** whose act: the person's own (one line a visit), someone else's (shown apart, with why), the platform's */
  kind: z.enum(['own', 'other', 'platform']).default('other'),
  /** why someone else could do it (the ground, in words); null for the person's own acts and the platform's */
  why: z.string().nullable().default(null),
});
export type AuditEntry = z.infer<typeof AuditEntry>;
export const AuditAck = z.union([z.object({ ok: z.literal(true), entries: z.array(AuditEntry) }), fail]);
export type AuditAck = z.infer<typeof AuditAck>;

const HourMinute = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/);

/** One opening period of a day (a morning, an afternoon): « lundi 08:30–12:00 ». */
export const OpeningSlot = z.object({
  /** 1 = lundi … 7 = dimanche */
  day: z.number().int().min(1).max(7),
  opens: HourMinute,
  closes: HourMinute,
});
export type OpeningSlot = z.infer<typeof OpeningSlot>;

/** A commune's INSEE code (Corsica's 2A/2B included). */
export const CommuneCode = z.string().regex(/^(?:\d{5}|2[AB]\d{3})$/);

export const Institution = z.object({
  id: z.string(),
  kind: z.string(),
  name: z.string(),
  address: z.string(),
  postcode: z.string(),
  city: z.string(),
  /** where it is (WGS 84), for the kiosk's plan; null when unknown */
  lat: z.number().min(-90).max(90).nullable(),
  lon: z.number().min(-180).max(180).nullable(),
  // What the directory adds (absent for an entry that has none): how to reach the office and when.
  phone: z.string().max(40).optional(),
  email: z.string().max(200).optional(),
  website: z.string().max(500).optional(),
  /** opening periods, in the office's local time */
  hours: z.array(OpeningSlot).max(100).optional(),
  /** what the hours cannot say (« sur rendez-vous le jeudi »), as the directory writes it */
  hoursNote: z.string().max(500).optional(),
  /** the communes this office serves (INSEE codes); absent when it serves any */
  communes: z.array(CommuneCode).max(5000).optional(),
  /** where the entry comes from: the public « Annuaire de l'administration », or staff who added it here */
  source: z.enum(['annuaire', 'local']).optional(),
});
export type Institution = z.infer<typeof Institution>;
export const InstitutionsAck = z.union([z.object({ ok: z.literal(true), institutions: z.array(Institution) }), fail]);
export type InstitutionsAck = z.infer<typeof InstitutionsAck>;

/**
 * The directory kept on a kiosk, brought up to date by difference: the kiosk sends the cursor of its last
 * answer (null the first time, or when it has lost its copy) and receives what changed since, or everything
 * (`full`) when the server cannot say what changed since that cursor. Needs no person session.
 */
export const DirectorySyncRequest = z.object({ cursor: z.string().max(100).nullable() });
export type DirectorySyncRequest = z.infer<typeof DirectorySyncRequest>;
export const DirectorySyncAck = z.union([
  z.object({
    ok: z.literal(true),
    /** to send next time */
    cursor: z.string().max(100),
    /** true: `institutions` is the whole directory, and the kiosk drops every entry it does not list */
    full: z.boolean(),
    /** entries added or changed since the cursor (all of them when `full`) */
    institutions: z.array(Institution).max(20_000),
    /** ids of entries removed since the cursor (empty when `full`) */
    removed: z.array(z.string()).max(20_000),
    /**
     * the offices whose staff read what persons send (always the whole list: accounts change apart from the
     * directory); the kiosk offers only these to send papers to. Absent (an older server): no such list.
     */
    receivers: z.array(z.string().max(64)).max(20_000).optional(),
  }),
  fail,
]);
export type DirectorySyncAck = z.infer<typeof DirectorySyncAck>;

/**
 * An institution's answer to a paper the person sent it from the vault (« Envoyer à un organisme »): which
 * paper, which institution, who answered, the answer, and whether the person saw it already.
 */
export const InstitutionReply = z.object({
  id: Uuid,
  threadId: Uuid,
  paperTitle: z.string().max(200),
  /** how many other papers went with the first in that sending (0: it was sent alone); absent from an older server */
  otherPapers: z.number().int().min(0).max(99).optional(),
  institutionName: z.string().max(200),
  /** the member of staff who answered, as they sign in the console */
  authorName: z.string().max(200),
  body: z.string().max(8000),
  at: IsoDateTime,
  seen: z.boolean(),
});
export type InstitutionReply = z.infer<typeof InstitutionReply>;

export const RepliesAck = z.union([z.object({ ok: z.literal(true), replies: z.array(InstitutionReply).max(200) }), fail]);
export type RepliesAck = z.infer<typeof RepliesAck>;
export const RepliesSeenRequest = SessionRequest.extend({ ids: z.array(Uuid).min(1).max(200) });
/** how many sendings are now read up to their last answer */
export const RepliesSeenAck = z.union([z.object({ ok: z.literal(true), seen: z.number().int().nonnegative() }), fail]);
