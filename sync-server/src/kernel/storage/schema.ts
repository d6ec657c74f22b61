/**
 * Table types for Kysely. Timestamps are ISO-8601 text and JSON is canonical text in both dialects,
 * so that rows (and the audit journal's hashes) read back identically from SQLite and PostgreSQL.
 */
import type { Generated, Insertable, Selectable } from 'kysely';

export type PersonRole = 'beneficiary' | 'agent';
export type CardStatus = 'active' | 'blocked' | 'revoked';
export type VaultKind = 'personal' | 'institutional';

export interface PersonsTable {
  id: string;
  identifier: string;
  first_name: string;
  last_name: string;
  birth_date: string;
  role: PersonRole;
  created_at: string;
}

export type RevocationReasonCode = 'lost' | 'stolen' | 'replaced' | 'deceased' | 'other';

export interface CardsTable {
  serial: string;
  person_id: string;
  /** active; blocked (lost, stolen…, by staff); revoked (replaced by another card) */
  status: CardStatus;
  issued_at: string;
  /** hex serial of the certificate written on the card; null for cards seeded without one */
  certificate_serial: Generated<string | null>;
  role: Generated<PersonRole | null>;
  /** end of the certificate's validity */
  not_after: Generated<string | null>;
  revoked_at: Generated<string | null>;
  revocation_reason: Generated<RevocationReasonCode | null>;
  /** serial of the card that replaced this one */
  replaced_by: Generated<string | null>;
}

export interface RevocationListsTable {
  version: number;
  issued_at: string;
  /** canonical JSON of the signed list */
  body: string;
}

export interface KioskPushesTable {
  push_id: string;
  kiosk_id: string;
  kind: string;
  version: number;
  created_at: string;
  sent_at: string | null;
  attempts: Generated<number>;
  acked_at: string | null;
  last_error: string | null;
  /** canonical JSON of what is pushed, for the queued kinds (admin-command, application-status) */
  body: Generated<string | null>;
  /** acked, or refused by the kiosk (a refused queued push is not sent again); null while pending */
  outcome: Generated<'acked' | 'refused' | null>;
}

export interface InstitutionsTable {
  id: string;
  kind: string;
  name: string;
  address: string;
  city: string;
  postcode: string;
  lat: number | null;
  lon: number | null;
  phone: Generated<string | null>;
  email: Generated<string | null>;
  website: Generated<string | null>;
  /** canonical JSON of OpeningSlot[] (protocol/vault.ts) */
  hours: Generated<string | null>;
  hours_note: Generated<string | null>;
  /** canonical JSON of the INSEE codes served, also one row each in institution_communes */
  communes: Generated<string | null>;
  source: Generated<'annuaire' | 'local'>;
  /** the annuaire's own date of last change of the entry, as it writes it */
  annuaire_modified: Generated<string | null>;
  updated_at: Generated<string | null>;
  /** gone from the directory (the row stays: papers and requests name it) */
  removed_at: Generated<string | null>;
  /** the structure whose admin added this local entry in the console (null: the platform's staff) */
  added_by_structure: Generated<string | null>;
}

export interface InstitutionCommunesTable {
  institution_id: string;
  commune: string;
}

/** The directory's change log, what kiosks follow (directory:sync): seq in commit order. */
export interface DirectoryChangesTable {
  seq: number;
  institution_id: string;
  change: 'upsert' | 'remove';
  at: string;
}

export interface KiosksTable {
  id: string;
  name: string;
  institution_id: string | null;
  /** hex SHA-256 of the kiosk's former shared token; no longer accepted (devices sign challenges) */
  token_hash: string;
  last_seq: Generated<number>;
  revoked_at: string | null;
  /** the device's ECDSA P-256 public key (SPKI DER, base64url); null until enrolled */
  public_key: Generated<string | null>;
  enrolled_at: Generated<string | null>;
  /** canonical JSON of the settings pushed to the kiosk (KioskSettings) and their version */
  settings: Generated<string>;
  settings_version: Generated<number>;
}

export interface KioskEnrollmentsTable {
  /** hex SHA-256 of the normalized code; the code itself is never stored */
  code_hash: string;
  kiosk_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  used_by_key: string | null;
  created_by: string;
}

export interface KioskSessionsTable {
  token_hash: string;
  kiosk_id: string;
  public_key: string;
  created_at: string;
  expires_at: string;
}

export interface KioskAuthNoncesTable {
  nonce: string;
  kiosk_id: string;
  expires_at: string;
}

export interface ServerSecretsTable {
  name: string;
  value: string;
  created_at: string;
}

export interface BlobUploadsTable {
  upload_id: string;
  kiosk_id: string;
  sha256: string;
  size: number;
  created_at: string;
  finished_at: string | null;
  /** the last sign of life (a byte received, the offset asked); null on rows from before it was kept: created_at */
  touched_at: string | null;
}

export interface AppliedMutationsTable {
  kiosk_id: string;
  seq: number;
  id: string;
  type: string;
  applied_at: string;
  /** `refused`: the seq is used up, the mutation's writes were not made (its error says why) */
  outcome: Generated<'applied' | 'refused'>;
  /** JSON ProtocolError of a refused mutation */
  error: Generated<string | null>;
}

/** A file refused at the end of its upload (kept by hash only, to refuse for good the mutations naming it). */
export interface RefusedBlobsTable {
  sha256: string;
  kiosk_id: string | null;
  problem: string;
  refused_at: string;
}

export interface BlobsTable {
  sha256: string;
  size: number;
  mime: string;
  created_at: string;
  /** the kiosk that first uploaded it (null: before 0003, or not from a kiosk) */
  uploaded_by: Generated<string | null>;
  /** when an applied mutation first referenced it; null = orphan candidate (cleanup after a grace period) */
  referenced_at: Generated<string | null>;
}

export interface DocumentsTable {
  id: string;
  owner_person_id: string;
  vault: VaultKind;
  doc_type: string;
  institution_id: string | null;
  current_version: number;
  created_at: string;
  updated_at: string;
  title: Generated<string>;
  issued_on: Generated<string | null>;
  expires_on: Generated<string | null>;
}

export interface DocumentVersionsTable {
  document_id: string;
  version: number;
  /** canonical JSON of the extracted fields */
  fields: string;
  /** kept for full-text search (a later issue indexes it) */
  ocr_text: string;
  blob_sha256: string;
  captured_at: string;
  created_at: string;
  source_kiosk_id: string | null;
  source_mutation_id: string | null;
  thumbnail_sha256: Generated<string | null>;
  pages: Generated<number>;
  /** canonical JSON of the person's answer when the paper did not seem to name them (protocol HolderAnswer) */
  holder_answer: Generated<string | null>;
  /**
   * canonical JSON of who deposited it when an agent did (agentIdentifier, name, structureId, structure,
   * ground, procurationId?), as it was then; null: the person themself, or an institution
   */
  deposited_by: Generated<string | null>;
}

export interface ThreadsTable {
  id: string;
  person_id: string;
  institution_id: string;
  subject: string;
  created_at: string;
  updated_at: string;
  /** the aid application the thread is about (the negotiation with the institution) */
  application_id: Generated<string | null>;
  person_read_at: Generated<string | null>;
  /** an inbox thread's member of staff in charge (an account of its institution), and since when */
  assigned_to: Generated<string | null>;
  assigned_at: Generated<string | null>;
}

/** When each account last opened an inbox thread (its unread markers are per member of staff). */
export interface InboxReadsTable {
  thread_id: string;
  account_id: string;
  read_at: string;
}

export interface MessagesTable {
  id: string;
  thread_id: string;
  author_kind: 'person' | 'agent' | 'institution';
  author_id: string;
  body: string;
  created_at: string;
}

export interface MessageAttachmentsTable {
  message_id: string;
  document_id: string;
  version: number;
  doc_type: string;
  title: string;
  blob_sha256: string;
}

export type ApplicationStateColumn =
  | 'draft'
  | 'collecting-pieces'
  | 'ready'
  | 'submitted'
  | 'in-processing'
  | 'information-requested'
  | 'accepted'
  | 'refused'
  | 'closed';

export interface ApplicationsTable {
  id: string;
  person_id: string;
  /** an aid of the catalogue (assets/aids/catalogue.json) */
  aid_id: string;
  state: ApplicationStateColumn;
  created_at: string;
  updated_at: string;
  submitted_at: string | null;
  decided_at: string | null;
  /** the institution's message with its decision (required for a refusal) */
  decision_reason: string | null;
  dossier_id: Generated<string | null>;
  /** an acceptance's monthly amount, in cents (null: none given) */
  decision_amount_cents: Generated<number | null>;
  /** an acceptance's start date, YYYY-MM-DD (null: none given) */
  decision_start_date: Generated<string | null>;
  /** a linked aid: the application whose decision it waits for */
  waits_for: Generated<string | null>;
  /** the office it was sent to (named in what the person signed); null: not sent yet, or sent before offices were told apart */
  institution_id: Generated<string | null>;
}

export interface DossiersTable {
  id: string;
  person_id: string;
  /** canonical JSON of FilingSituation */
  situation: string;
  catalogue_version: number;
  created_at: string;
  updated_at: string;
  /** where status pushes go: the kiosk the person last opened their aid space on or worked on it from */
  kiosk_id: string | null;
  mode: 'manual' | 'automatic' | null;
  /** canonical JSON of SubmissionGround */
  ground: string | null;
  /** canonical JSON of the signed Manifest */
  manifest: string | null;
  signature: string | null;
  signer_card_serial: string | null;
  signer_identifier: string | null;
  signed_at: string | null;
  submitted_at: string | null;
  receipt_number: string | null;
}

export interface DossierPiecesTable {
  dossier_id: string;
  item_id: string;
  document_id: string | null;
  version: number | null;
  blob_sha256: string | null;
  chosen_by: 'auto' | 'person' | null;
  /** when the person chose it (their choices only) */
  chosen_at: string | null;
  attached_at: string | null;
  requested_at: string | null;
  request_message: string | null;
}

export interface ChecklistAdjustmentsTable {
  id: string;
  dossier_id: string;
  item_id: string;
  kind: 'added' | 'not-needed';
  label: string | null;
  /** JSON array of DocType */
  doc_types: string | null;
  issuer: string | null;
  reason: string;
  author_person_id: string;
  author_structure: string | null;
  created_at: string;
  withdrawn_at: string | null;
  withdrawn_by: string | null;
}

export interface ApplicationNoticesTable {
  id: string;
  person_id: string;
  dossier_id: string;
  application_id: string;
  state: ApplicationStateColumn;
  message: string | null;
  created_at: string;
  seen_at: string | null;
}

/**
 * `institution` is an institution's head of service (the value kept from before roles per institution);
 * `instructor`, `depositor` and `institution-admin` belong to an institution too; `structure-admin` to a structure.
 */
export type StaffRole = 'institution' | 'instructor' | 'depositor' | 'institution-admin' | 'structure-admin';

export interface StaffAccountsTable {
  id: string;
  login: string;
  display_name: string;
  /** an institution's head of service: their institution; null for a structure admin */
  institution_id: string | null;
  password_hash: string;
  created_at: string;
  disabled_at: string | null;
  role: Generated<StaffRole>;
  /** a structure admin's structure; null for an institution's account */
  structure_id: Generated<string | null>;
}

export type StructureKindColumn = 'cms' | 'ccas' | 'france-services' | 'association';
export type CompetenceLevelColumn = 'accueil' | 'accompagnement' | 'travail-social';

export interface StructuresTable {
  id: string;
  kind: StructureKindColumn;
  name: string;
  address: string | null;
  created_at: string;
  disabled_at: string | null;
}

export interface AgentProfilesTable {
  person_id: string;
  structure_id: string;
  level: CompetenceLevelColumn;
  suspended_at: string | null;
  suspended_reason: 'inactive' | 'admin' | null;
  last_active_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ConsoleSessionsTable {
  token_hash: string;
  account_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
}

export interface ConsoleLoginFailuresTable {
  id: string;
  login: string;
  address: string;
  at: string;
}

export interface ApplicationTransitionsTable {
  application_id: string;
  seq: number;
  /** null for the creation */
  from_state: ApplicationStateColumn | null;
  to_state: ApplicationStateColumn;
  event: string;
  actor_kind: 'applicant' | 'institution' | 'system';
  actor_id: string;
  at: string;
  message: string | null;
}

export interface AuditJournalTable {
  seq: number;
  at: string;
  actor_kind: string;
  actor_id: string;
  action: string;
  subject_person_id: string | null;
  document_id: string | null;
  ground: string;
  /** canonical JSON */
  detail: string;
  prev_hash: string;
  hash: string;
}

export interface Database {
  persons: PersonsTable;
  cards: CardsTable;
  institutions: InstitutionsTable;
  institution_communes: InstitutionCommunesTable;
  directory_changes: DirectoryChangesTable;
  kiosks: KiosksTable;
  applied_mutations: AppliedMutationsTable;
  blobs: BlobsTable;
  refused_blobs: RefusedBlobsTable;
  documents: DocumentsTable;
  document_versions: DocumentVersionsTable;
  audit_journal: AuditJournalTable;
  revocation_lists: RevocationListsTable;
  kiosk_pushes: KioskPushesTable;
  kiosk_enrollments: KioskEnrollmentsTable;
  kiosk_sessions: KioskSessionsTable;
  kiosk_auth_nonces: KioskAuthNoncesTable;
  server_secrets: ServerSecretsTable;
  blob_uploads: BlobUploadsTable;
  threads: ThreadsTable;
  messages: MessagesTable;
  message_attachments: MessageAttachmentsTable;
  inbox_reads: InboxReadsTable;
  applications: ApplicationsTable;
  application_transitions: ApplicationTransitionsTable;
  dossiers: DossiersTable;
  dossier_pieces: DossierPiecesTable;
  checklist_adjustments: ChecklistAdjustmentsTable;
  application_notices: ApplicationNoticesTable;
  staff_accounts: StaffAccountsTable;
  console_sessions: ConsoleSessionsTable;
  console_login_failures: ConsoleLoginFailuresTable;
  structures: StructuresTable;
  agent_profiles: AgentProfilesTable;
  procurations: ProcurationsTable;
  institution_clients: InstitutionClientsTable;
  institution_tokens: InstitutionTokensTable;
  institution_deposits: InstitutionDepositsTable;
}

/** An institution's system, as an OAuth 2.0 client (migration 0023): features/institutions/clients.ts. */
export interface InstitutionClientsTable {
  id: string;
  institution_id: string;
  name: string;
  secret_hash: string;
  previous_secret_hash: string | null;
  previous_secret_until: string | null;
  /** space-separated */
  scopes: string;
  created_at: string;
  rotated_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** A bearer token given to a client, by its hash (migration 0023). */
export interface InstitutionTokensTable {
  token_hash: string;
  client_id: string;
  scope: string;
  created_at: string;
  expires_at: string;
}

/** A paper an institution put in a person's institutional vault, by a client or in the console (migration 0023). */
export interface InstitutionDepositsTable {
  id: string;
  institution_id: string;
  client_id: string | null;
  account_id: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  person_id: string;
  document_id: string;
  doc_type: string;
  title: string;
  sha256: string;
  created_at: string;
  seen_at: string | null;
}

export type ProcurationRevoker = 'person' | 'structure' | 'renewed';

/** A procuration numérique as signed (migration 0017): see features/procurations. */
export interface ProcurationsTable {
  id: string;
  person_id: string;
  agent_person_id: string;
  structure_id: string;
  /** canonical JSON of the signed ProcurationText */
  text: string;
  /** raw r‖s, base64url */
  person_signature: string;
  agent_signature: string;
  /** DER, base64url: what the signatures were checked against */
  person_certificate: string;
  agent_certificate: string;
  person_card_serial: string;
  agent_card_serial: string;
  from_day: string;
  until_day: string;
  /** canonical JSON of the scope as signed */
  scope: string;
  kiosk_id: string;
  /** the text's createdAt */
  created_at: string;
  stored_at: string;
  revoked_at: string | null;
  revoked_by: ProcurationRevoker | null;
  revoked_reason: string | null;
  renews: string | null;
}

export type ProcurationRow = Selectable<ProcurationsTable>;
export type PersonRow = Selectable<PersonsTable>;
export type ChecklistAdjustmentRow = Selectable<ChecklistAdjustmentsTable>;
export type CardRow = Selectable<CardsTable>;
export type KioskPushRow = Selectable<KioskPushesTable>;
export type BlobRow = Selectable<BlobsTable>;
export type KioskRow = Selectable<KiosksTable>;
export type DocumentRow = Selectable<DocumentsTable>;
export type DocumentVersionRow = Selectable<DocumentVersionsTable>;
export type AuditRow = Selectable<AuditJournalTable>;
export type ApplicationRow = Selectable<ApplicationsTable>;
export type ApplicationTransitionRow = Selectable<ApplicationTransitionsTable>;
export type DossierRow = Selectable<DossiersTable>;
export type DossierPieceRow = Selectable<DossierPiecesTable>;
export type ApplicationNoticeRow = Selectable<ApplicationNoticesTable>;
export type StaffAccountRow = Selectable<StaffAccountsTable>;
export type StructureRow = Selectable<StructuresTable>;
export type AgentProfileRow = Selectable<AgentProfilesTable>;
export type NewAuditRow = Insertable<AuditJournalTable>;
