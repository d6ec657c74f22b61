/**
 * Staff commands: `npm run staff -- <command>` (or `npx tsx sync-server/src/edge/staff/cli.ts <command>`).
 * The platform CA, card issuance over a PC/SC reader, blocking, replacing, PIN unblocking, the
 * revocation list and the welcome letter. They work on a data folder and the database directly
 * (FAC_DATA_DIR / --data, DATABASE_URL); a running server picks up new revocations by itself.
 *
 * Issuance (`ca init`, `card issue|replace|unblock`, `ca revocation-key issue`) needs the CA key and the
 * card admin secret: it runs on the issuance station, whose data folder holds them. The server's data
 * folder holds only the CA certificate and the revocation-signing key `ca revocation-key issue` gives it;
 * `card block` there signs the new list with that key (on the issuance station, with the CA key).
 *
 * Messages are French then English. PINs are never printed; the only secret-ish value printed is the
 * identifier (it is on the card and in the welcome letter), and a console password the command generated
 * (printed once, stored hashed only). Exit codes: 0 ok, 1 failure, 2 bad usage.
 * `--pin -` and `--new-pin -` read the PIN from the standard input instead of the command line.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import { describeCertificate, toPem } from '../../../protocol/card-certificate.ts';
import { isPcscError } from '../../../../drivers/pcsc/errors.ts';
import { RevocationReason } from '../../../protocol/revocation.ts';
import { AdminCommand, KioskSettings } from '../../../protocol/socket.ts';
import { createEnrollment, KioskAdminError, kioskStatus, listKiosks, readKioskSettings, revokeKiosk, writeKioskSettings } from '../../features/fleet/index.ts';
import { openBlobStore } from '../../kernel/blobs/open-blob-store.ts';
import { collectOrphanBlobs } from '../../kernel/blobs/blob-gc.ts';
import { CaError, caDir, DEFAULT_CA_NAME, DEFAULT_CA_YEARS, initCaIn, loadCaCertificate, loadCaCertificateFrom, loadCaFrom } from '../../features/cards/index.ts';
import type { LoadedCa, RevocationSigner } from '../../features/cards/index.ts';
import { caRevocationSigner, DEFAULT_REVOCATION_KEY_DAYS, issueRevocationKey, loadRevocationKey, MAX_REVOCATION_KEY_DAYS, revocationKeyPath } from '../../features/cards/index.ts';
import { blockCard, cardHolder, checkCardPin, listCards, unblockPin } from '../../features/cards/index.ts';
import { CardAdminError } from '../../features/cards/index.ts';
import { issueCard } from '../../features/cards/index.ts';
import type { IssuedCard } from '../../features/cards/index.ts';
import { withCardInReader } from '../../features/cards/index.ts';
import { latestRevocationList, publishRevocationList } from '../../features/cards/index.ts';
import { WELCOME_LETTER_MAX_PLACES, welcomeLetterFor } from '../../features/cards/index.ts';
import { ConfigError, loadStorageConfig } from '../config.ts';
import { ConsoleAccountError, createConsoleAccount, disableConsoleAccount, ROLE_OPTIONS } from '../../features/accounts/index.ts';
import { ROLE_CLI_WORDS, ROLE_WORDS } from '../../kernel/words/inbox.ts';
import { agentStructureAddress, createStructure } from '../../features/agents/index.ts';
import { StructureKind } from '../../../protocol/agents.ts';
import { addLocalEntry, changeLocalEntry, countOffices, describeLocalInput, DIRECTORY_SYNC_MAX, importAnnuaire, kioskArea, listInstitutions, officesForLetter, LocalEntryId, LocalEntryInput, removeLocalEntry, searchDirectory } from '../../features/institutions/index.ts';
import type { LocalOutcome } from '../../features/institutions/index.ts';
import { loadZonesApl } from '../../features/aids/index.ts';
import { DIRECTORY_CLI_WORDS } from '../../kernel/words/directory.ts';
import { STRUCTURE_CLI_WORDS } from '../../kernel/words/staff.ts';
import { CLIENT_CLI_WORDS } from '../../kernel/words/deposits.ts';
import { createClient, DEFAULT_GRACE_HOURS, listClients, MAX_GRACE_HOURS, revokeClient, rotateClientSecret } from '../../features/institutions/index.ts';
import { generatePassword } from '../../features/accounts/index.ts';
import type { StorageConfig } from '../config.ts';
import { openDatabase } from '../../kernel/storage/database.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import { migrateToLatest } from '../../kernel/storage/migrate.ts';
import type { Database } from '../../kernel/storage/schema.ts';

import { insertQueuedPush } from '../../kernel/push-queue.ts';
import type { KeyObject } from 'node:crypto';
import {
  AuditCheckpointer,
  CHECKPOINT_LOG_FILE,
  CheckpointError,
  CheckpointLog,
  checkpointPublicKey,
  describeTrailProblem,
  loadOrCreateCheckpointKey,
  parsePinnedKey,
  publicKeyText,
  verifyAuditTrail,
} from '../../kernel/audit-checkpoints.ts';
import { grantServerRole, ServerRoleError } from '../../kernel/storage/server-role.ts';
import { KioskId } from '../../../protocol/common.ts';
import { departementsOfPostcode, parseArea } from '../../../protocol/departement.ts';

const USAGE = `Commandes du personnel / staff commands — npm run staff -- <commande>

  ca init [--name NOM] [--years N]   créer l'autorité de certification / create the platform CA
  ca show [--pem]                    afficher l'AC et la clé de signature des listes / show the CA
                                     and the revocation-signing key (subject, validity, SHA-256)
  ca revocation-key issue [--server-data DOSSIER] [--days N]
                                     nouvelle clé de signature des listes de révocation pour le
                                     serveur (poste d'émission, 365 jours) / a new revocation-signing
                                     key for the server (issuance station, 365 days)
  card issue --reader LECTEUR --pin CODE
             (--identifier ID | --first-name P --last-name N --birth-date AAAA-MM-JJ)
             [--role beneficiary|agent] [--validity-years N] [--force]
                                     émettre une carte / issue a card
  card block --serial N [--reason lost|stolen|deceased|other]
                                     bloquer une carte / block a card
  card replace --serial ANCIEN --reader LECTEUR --pin CODE
                                     remplacer une carte / replace a card
  card unblock --reader LECTEUR --new-pin CODE
                                     débloquer le code / unblock the PIN
  card list [--identifier ID] [--json]
                                     lister les cartes / list cards
  revocations [--json]               liste de révocation / revocation list
  letter --identifier ID [--kiosk ID | --area 69,01] [--out fichier.pdf]
                                     lettre d'accueil, avec les lieux proches de la tablette où la
                                     carte est remise (ou du département donné) / welcome letter, with
                                     the offices near the kiosk the card is given at (or of the area)
  kiosk enroll --id ID [--name NOM] [--institution ID] [--hours N] [--reinstate] [--code-only]
                                     code d'enregistrement d'une tablette (à usage unique)
                                     / one-time enrollment code for a kiosk
  kiosk revoke --id ID               révoquer une tablette / revoke a kiosk
  kiosk list [--json]                lister les tablettes / list kiosks
  kiosk config --id ID [--display-name TEXTE] [--idle-timeout S] [--idle-warning S]
               [--directory-area 69,01|auto]
                                     réglages envoyés à la tablette ; la zone de l'annuaire est la
                                     liste des départements dont elle garde les lieux (auto : celui
                                     de son lieu) / settings pushed to the kiosk; the directory area
                                     is the départements whose offices it keeps (auto: its place's)
  kiosk command --id ID --run sync-now|end-session|reload [--reason TEXTE]
                                     commande à distance / remote command
  blobs gc [--grace-hours N] [--dry-run]
                                     supprimer les fichiers orphelins / delete orphan files
  console-account create --login L --name "NOM" --institution ID
                                     compte de chef de service pour la console de traitement
                                     (mot de passe : FAC_CONSOLE_PASSWORD, sinon créé et affiché
                                     une seule fois) / head-of-service account for the processing
                                     console (password from FAC_CONSOLE_PASSWORD, else generated
                                     and printed once)
  console-account create --login L --name "NOM" --institution ID --role instructor|depositor|institution-admin
                                     un autre rôle dans l'organisme (head-of-service par défaut) /
                                     another role in the institution (head-of-service by default)
  console-account create --login L --name "NOM" --structure ID
                                     compte de responsable d'une structure : ses agents et leurs
                                     niveaux / a structure admin's account: its agents and levels
  console-account disable --login L  désactiver un compte (ses sessions finissent) / disable an account
  institution-client create --institution ID --name "NOM"
                                     un système d'un organisme, client OAuth 2.0 de l'API des dépôts
                                     (secret affiché une seule fois) / an institution's system as an
                                     OAuth 2.0 client of the deposit API (secret printed once)
  institution-client list [--institution ID] [--json]
                                     lister les clients / list clients
  institution-client rotate --id CLIENT [--grace-hours N]
                                     nouveau secret ; l'ancien marche encore N heures (24, 0 à 168)
                                     / new secret; the former one works N more hours
  institution-client revoke --id CLIENT
                                     retirer un client : ses jetons ne marchent plus / revoke a client
  structure create --id ID --kind cms|ccas|france-services|association --name "NOM" [--address "…"]
                                     une structure où travaillent des agents / a structure agents work in
  directory import FICHIER [--dry-run]
                                     importer l'Annuaire de l'administration (fichier JSON de la
                                     « Base de données locales ») par différence ; --dry-run dit ce qui
                                     changerait sans rien écrire / import the public directory by
                                     difference; --dry-run says what would change, writes nothing
  directory list [--json]            l'annuaire des institutions / the directory
  directory search TEXTE [--kind TYPE] [--json]
                                     les institutions d'une commune (code postal, code INSEE ou nom) /
                                     the offices serving a commune (postcode, INSEE code or name)
  directory add --file ENTREE.json [--id ID]
  directory change --id ID --file ENTREE.json
  directory remove --id ID           entrées locales (CMS, associations…) : ajouter, modifier, retirer /
                                     local entries: add, change, remove
  directory area --kiosk ID          la zone de l'annuaire d'une tablette et son nombre de lieux /
                                     a kiosk's directory area and how many offices it holds
  audit verify [--json]              vérifier le journal d'audit : la chaîne recalculée et comparée à
                                     chaque point de contrôle signé / verify the audit journal against
                                     every signed checkpoint (FAC_AUDIT_PUBLIC_KEY, sinon la clé du dossier)
  audit checkpoint                   signer un point de contrôle maintenant / sign a checkpoint now
  audit key                          la clé publique à épingler (FAC_AUDIT_PUBLIC_KEY) / the key to pin
  db grant --role NOM                PostgreSQL : donner au rôle du serveur ses droits, sans DDL, le journal
                                     en lecture et ajout seuls (à lancer par le propriétaire après chaque
                                     migration) / grant the server's role its rights, no DDL, the journal
                                     read and append only (run as the owner after each migration)

Options communes / common: --data DOSSIER (sinon FAC_DATA_DIR, sinon .data/server), DATABASE_URL,
--ca DOSSIER (dossier de l'AC du poste d'émission / the issuance station's CA folder ; sinon
FAC_CA_DIR, sinon <données>/ca), --wait SECONDES (attente de la carte / wait for the card, 30 s).
--pin - lit le code sur l'entrée standard / reads the PIN from standard input.
Le code de la carte a 6 à 8 chiffres / the card PIN has 6 to 8 digits.`;

class UsageError extends Error {}

type Values = Record<string, string | boolean | undefined>;

interface Context {
  db: Kysely<Database>;
  dialect: Dialect;
  dataDir: string;
  /** the CA's folder (issuance): --ca, else FAC_CA_DIR, else <data>/ca */
  caFolder: string;
  storage: StorageConfig;
  close(): Promise<void>;
}

function say(fr: string, en: string): void {
  console.log(`${fr} / ${en}`);
}

function parse(args: string[], options: Record<string, { type: 'string' | 'boolean' }>): Values {
  try {
    const { values, positionals } = parseArgs({ args, options: { ...options, data: { type: 'string' }, ca: { type: 'string' }, wait: { type: 'string' } }, allowPositionals: true, strict: true });
    if (positionals.length > 0) throw new UsageError(`argument inattendu « ${positionals[0]} » / unexpected argument`);
    return values as Values;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
}

function str(values: Values, key: string): string | undefined {
  const v = values[key];
  return typeof v === 'string' ? v : undefined;
}

function required(values: Values, key: string): string {
  const v = str(values, key);
  if (v === undefined || v.trim() === '') throw new UsageError(`--${key} manquant / missing --${key}`);
  return v;
}

function secret(values: Values, key: string): string {
  const v = required(values, key);
  if (v !== '-') return v;
  const line = readFileSync(0, 'utf8').split(/\r?\n/)[0] ?? '';
  if (line === '') throw new UsageError(`--${key} - : rien sur l'entrée standard / nothing on standard input`);
  return line;
}

function waitMs(values: Values): number {
  const raw = str(values, 'wait');
  if (raw === undefined) return 30_000;
  const s = Number(raw);
  if (!Number.isFinite(s) || s <= 0 || s > 600) throw new UsageError('--wait : 1 à 600 secondes / 1 to 600 seconds');
  return s * 1000;
}

function roleOf(values: Values): 'beneficiary' | 'agent' | undefined {
  const r = str(values, 'role');
  if (r === undefined) return undefined;
  if (r !== 'beneficiary' && r !== 'agent') throw new UsageError('--role : beneficiary ou agent / beneficiary or agent');
  return r;
}

async function openContext(values: Values): Promise<Context> {
  const storage = loadStorageConfig(process.env, process.cwd(), str(values, 'data'));
  const { db, dialect } = openDatabase(storage.database);
  try {
    await migrateToLatest(db, dialect);
  } catch (e) {
    await db.destroy();
    throw e;
  }
  return { db, dialect, dataDir: storage.dataDir, caFolder: caFolderOf(values, storage.dataDir), storage, close: () => db.destroy() };
}

/**
 * Where the CA is: `--ca DIR`, else FAC_CA_DIR, else the data folder's `ca/`. Apart from the data folder
 * so that an issuance station can keep it elsewhere (a removable medium) while it uses the server's
 * database — with SQLite, the server's own data folder, which must not hold it.
 */
function caFolderOf(values: Values, dataDir: string): string {
  const chosen = str(values, 'ca') ?? (process.env.FAC_CA_DIR?.trim() || undefined);
  return chosen ? resolve(chosen) : caDir(dataDir);
}

async function requireCa(folder: string): Promise<LoadedCa> {
  const ca = await loadCaFrom(folder);
  if (!ca) throw new CardAdminError('no-ca', `no platform CA key in ${folder}: this runs on the issuance station (--ca its CA folder; "npm run staff -- ca init" creates the CA there)`);
  return ca;
}

/**
 * What signs a list published from here: the revocation-signing key when this folder has one (a
 * server's folder), else the CA (an issuance station's), else nothing.
 */
async function revocationSigner(dataDir: string, caFolder: string): Promise<RevocationSigner | null> {
  const ca = loadCaCertificate(dataDir);
  const key = ca ? await loadRevocationKey(dataDir, ca.certificate) : null;
  if (key) return key;
  const full = await loadCaFrom(caFolder);
  return full ? caRevocationSigner(full) : null;
}

async function withContext<T>(values: Values, run: (ctx: Context) => Promise<T>): Promise<T> {
  const ctx = await openContext(values);
  try {
    return await run(ctx);
  } finally {
    await ctx.close();
  }
}

/** After a block or a replacement: a new signed list; running servers push it to the kiosks. */
async function publish(ctx: Context): Promise<void> {
  const signer = await revocationSigner(ctx.dataDir, ctx.caFolder);
  if (!signer) {
    say(
      'Attention : ni clé de signature des listes ni AC ici, la liste de révocation n’est pas signée ni envoyée aux tablettes',
      'warning: no revocation-signing key nor CA here, the revocation list is not signed nor sent to kiosks',
    );
    return;
  }
  const { list, published } = await publishRevocationList(ctx.db, ctx.dialect, signer);
  const by = signer.kind === 'ca' ? 'AC / CA' : 'clé de signature / revocation-signing key';
  say(
    `Liste de révocation ${published ? 'publiée' : 'inchangée'} : version ${list.version}, ${list.revoked.length} carte(s), signée par ${by}`,
    `revocation list ${published ? 'published' : 'unchanged'}: version ${list.version}, ${list.revoked.length} card(s)`,
  );
}

function printIssued(card: IssuedCard): void {
  say(`Carte ${card.serial} émise${card.reissued ? ' (réémise)' : ''}`, `card ${card.serial} issued${card.reissued ? ' (re-issued)' : ''}`);
  console.log(`  Identifiant / identifier ... ${card.identifier}${card.newPerson ? '  (nouvelle personne / new person)' : ''}`);
  console.log(`  Titulaire / holder ......... ${card.firstName} ${card.lastName}`);
  console.log(`  Rôle / role ................ ${card.role}`);
  console.log(`  Certificat / certificate ... ${card.certificateSerial}, valide jusqu'au / valid until ${card.notAfter.slice(0, 10)}`);
  if (card.replaced) console.log(`  Remplace / replaces ........ ${card.replaced} (révoquée / revoked)`);
  console.log(`  Lettre d'accueil / letter .. npm run staff -- letter --identifier ${card.identifier}`);
}

async function cmdCa(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === 'init') {
    const values = parse(rest, { name: { type: 'string' }, years: { type: 'string' } });
    const storage = loadStorageConfig(process.env, process.cwd(), str(values, 'data'));
    const years = str(values, 'years') === undefined ? DEFAULT_CA_YEARS : Number(str(values, 'years'));
    if (!Number.isInteger(years) || years < 1 || years > 50) throw new UsageError('--years : 1 à 50 / 1 to 50');
    const ca = await initCaIn(caFolderOf(values, storage.dataDir), { commonName: str(values, 'name') ?? DEFAULT_CA_NAME, validityYears: years });
    say(`Autorité de certification créée dans ${ca.dir}`, 'platform CA created');
    console.log(`  Sujet / subject ............ ${ca.subject}`);
    console.log(`  Valide jusqu'au / until .... ${ca.notAfter.toISOString().slice(0, 10)}`);
    console.log(`  SHA-256 .................... ${ca.fingerprint}`);
    say('Gardez ca.key.pem et pw3.secret secrets ; installez ca.cert.pem sur les tablettes', 'keep ca.key.pem and pw3.secret secret; install ca.cert.pem on the kiosks');
    return;
  }
  if (sub === 'show') {
    const values = parse(rest, { pem: { type: 'boolean' } });
    const storage = loadStorageConfig(process.env, process.cwd(), str(values, 'data'));
    // the certificate alone: a server's folder has no CA key, and needs none to show it
    const folder = caFolderOf(values, storage.dataDir);
    const ca = loadCaCertificateFrom(folder);
    if (!ca) throw new CardAdminError('no-ca', `no platform CA certificate in ${folder}`);
    if (values.pem === true) {
      process.stdout.write(toPem(ca.certificate));
      return;
    }
    const d = describeCertificate(ca.certificate);
    console.log(`Autorité de certification / platform CA (${folder})
  Sujet / subject ............ ${d.subject}
  Numéro de série / serial ... ${d.serialNumber}
  Valide du / valid from ..... ${d.notBefore.toISOString()}
  Valide jusqu'au / until .... ${d.notAfter.toISOString()}
  SHA-256 .................... ${d.fingerprint}`);
    let key;
    try {
      key = await loadRevocationKey(storage.dataDir, ca.certificate);
    } catch (e) {
      if (!(e instanceof CaError)) throw e;
      // shown, not fatal: this command is how staff find out what is wrong with it
      say(`Clé de signature des listes de révocation inutilisable (${e.code}) : ${e.message}`, 'revocation-signing key unusable');
    }
    if (key) {
      console.log(`Clé de signature des listes de révocation / revocation-signing key (${key.path})
  Numéro de série / serial ... ${key.certificateSerial}
  Valide du / valid from ..... ${key.notBefore.toISOString()}
  Valide jusqu'au / until .... ${key.notAfter.toISOString()}
  SHA-256 .................... ${key.fingerprint}`);
    }
    return;
  }
  if (sub === 'revocation-key') {
    const [action, ...more] = rest;
    if (action !== 'issue') throw new UsageError('ca revocation-key issue [--server-data DOSSIER] [--days N]');
    const values = parse(more, { 'server-data': { type: 'string' }, days: { type: 'string' } });
    const raw = str(values, 'days');
    const days = raw === undefined ? DEFAULT_REVOCATION_KEY_DAYS : /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
    if (!(days >= 1 && days <= MAX_REVOCATION_KEY_DAYS)) throw new UsageError(`--days : 1 à ${MAX_REVOCATION_KEY_DAYS} / 1 to ${MAX_REVOCATION_KEY_DAYS}`);
    const storage = loadStorageConfig(process.env, process.cwd(), str(values, 'data'));
    const serverData = resolve(str(values, 'server-data') ?? storage.dataDir);
    const ca = await requireCa(caFolderOf(values, storage.dataDir));
    const key = await issueRevocationKey(ca, serverData, { validityDays: days });
    say(`Clé de signature des listes de révocation écrite : ${key.path}`, 'revocation-signing key written');
    console.log(`  Numéro de série / serial ... ${key.certificateSerial}`);
    console.log(`  Valide jusqu'au / until .... ${key.notAfter.toISOString().slice(0, 10)}`);
    console.log(`  SHA-256 .................... ${key.fingerprint}`);
    if (key.replaced) console.log(`  Remplace / replaces ........ ${key.replaced}`);
    say(
      `Le serveur n’a besoin que de ${caDir(serverData)}/ca.cert.pem et de ${revocationKeyPath(serverData)} (mode 600) ; redémarrez-le pour qu’il signe avec cette clé`,
      'the server needs only these two files; restart it to sign with the new key',
    );
    return;
  }
  throw new UsageError('ca init | ca show | ca revocation-key issue');
}

async function cmdCard(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'issue': {
      const values = parse(rest, {
        reader: { type: 'string' },
        identifier: { type: 'string' },
        'first-name': { type: 'string' },
        'last-name': { type: 'string' },
        'birth-date': { type: 'string' },
        role: { type: 'string' },
        pin: { type: 'string' },
        'validity-years': { type: 'string' },
        force: { type: 'boolean' },
      });
      const reader = required(values, 'reader');
      const identifier = str(values, 'identifier');
      const newPerson = ['first-name', 'last-name', 'birth-date'].map((k) => str(values, k));
      if (identifier !== undefined && newPerson.some((v) => v !== undefined)) throw new UsageError('--identifier OU --first-name/--last-name/--birth-date / one or the other');
      if (identifier === undefined && newPerson.some((v) => v === undefined)) throw new UsageError('--identifier, ou --first-name --last-name --birth-date / or the three');
      const validity = str(values, 'validity-years');
      const role = roleOf(values);
      const pin = secret(values, 'pin');
      checkCardPin(pin); // before waiting for a card
      await withContext(values, async (ctx) => {
        const ca = await requireCa(ctx.caFolder);
        say(`Mettez la carte dans le lecteur « ${reader} »…`, 'insert the card in the reader…');
        const card = await withCardInReader({ nameContains: reader, timeoutMs: waitMs(values) }, (connection) =>
          issueCard({
            db: ctx.db,
            dialect: ctx.dialect,
            ca,
            connection,
            person: identifier !== undefined ? { identifier } : { firstName: newPerson[0]!, lastName: newPerson[1]!, birthDate: newPerson[2]! },
            pin,
            ...(role ? { role } : {}),
            ...(validity !== undefined ? { validityYears: Number(validity) } : {}),
            force: values.force === true,
          }),
        );
        printIssued(card);
      });
      return;
    }
    case 'block': {
      const values = parse(rest, { serial: { type: 'string' }, reason: { type: 'string' } });
      const serial = required(values, 'serial').toUpperCase();
      const reason = RevocationReason.exclude(['replaced']).safeParse(str(values, 'reason') ?? 'lost');
      if (!reason.success) throw new UsageError('--reason : lost, stolen, deceased ou other (replaced : card replace)');
      if (!/^[0-9A-F]{8}$/.test(serial)) throw new UsageError('--serial : 8 caractères hexadécimaux / 8 hex digits');
      await withContext(values, async (ctx) => {
        const r = await blockCard(ctx.db, ctx.dialect, { serial, reason: reason.data, actor: { kind: 'staff', id: 'staff-cli' } });
        if (r.changed) say(`Carte ${serial} bloquée (${reason.data})`, `card ${serial} blocked`);
        else say(`Carte ${serial} déjà ${r.status === 'blocked' ? 'bloquée' : 'révoquée'}`, `card ${serial} already ${r.status}`);
        await publish(ctx);
      });
      return;
    }
    case 'replace': {
      const values = parse(rest, { serial: { type: 'string' }, reader: { type: 'string' }, pin: { type: 'string' }, 'validity-years': { type: 'string' }, force: { type: 'boolean' } });
      const old = required(values, 'serial').toUpperCase();
      const reader = required(values, 'reader');
      const pin = secret(values, 'pin');
      checkCardPin(pin); // before waiting for a card
      const validity = str(values, 'validity-years');
      await withContext(values, async (ctx) => {
        const ca = await requireCa(ctx.caFolder);
        const person = await cardHolder(ctx.db, old);
        if (!person) throw new CardAdminError('replace-invalid', `no card ${old} to replace`);
        say(`Mettez la nouvelle carte dans le lecteur « ${reader} »…`, 'insert the new card in the reader…');
        const card = await withCardInReader({ nameContains: reader, timeoutMs: waitMs(values) }, (connection) =>
          issueCard({
            db: ctx.db,
            dialect: ctx.dialect,
            ca,
            connection,
            person: { identifier: person.identifier },
            pin,
            replaces: old,
            ...(validity !== undefined ? { validityYears: Number(validity) } : {}),
            force: values.force === true,
          }),
        );
        printIssued(card);
        await publish(ctx);
      });
      return;
    }
    case 'unblock': {
      const values = parse(rest, { reader: { type: 'string' }, 'new-pin': { type: 'string' } });
      const reader = required(values, 'reader');
      const newPin = secret(values, 'new-pin');
      checkCardPin(newPin);
      await withContext(values, async (ctx) => {
        const ca = await requireCa(ctx.caFolder);
        say(`Mettez la carte dans le lecteur « ${reader} »…`, 'insert the card in the reader…');
        const r = await withCardInReader({ nameContains: reader, timeoutMs: waitMs(values) }, (connection) =>
          unblockPin({ db: ctx.db, dialect: ctx.dialect, ca, connection, newPin, actor: { kind: 'staff', id: 'staff-cli' } }),
        );
        say(`Code de la carte ${r.serial} (${r.identifier}) débloqué : nouveau code enregistré`, 'PIN unblocked, new PIN set');
      });
      return;
    }
    case 'list': {
      const values = parse(rest, { identifier: { type: 'string' }, json: { type: 'boolean' } });
      await withContext(values, async (ctx) => {
        const cards = await listCards(ctx.db, str(values, 'identifier'));
        if (values.json === true) {
          console.log(JSON.stringify(cards, null, 2));
          return;
        }
        if (cards.length === 0) say('Aucune carte', 'no card');
        for (const c of cards) {
          const state = c.status === 'active' ? 'active' : `${c.status} (${c.revocationReason ?? '?'}${c.replacedBy ? ` → ${c.replacedBy}` : ''})`;
          console.log(`${c.serial}  ${c.identifier}  ${c.firstName} ${c.lastName}  ${c.role ?? '-'}  ${state}  ${c.certificateSerial ? `jusqu'au/until ${c.notAfter?.slice(0, 10)}` : 'sans certificat/no certificate'}`);
        }
      });
      return;
    }
    default:
      throw new UsageError('card issue | block | replace | unblock | list');
  }
}

async function cmdRevocations(args: string[]): Promise<void> {
  const values = parse(args, { json: { type: 'boolean' } });
  await withContext(values, async (ctx) => {
    const list = await latestRevocationList(ctx.db);
    if (!list) {
      say('Aucune liste publiée (pas d’AC ?)', 'no list published (no CA?)');
      return;
    }
    if (values.json === true) {
      console.log(JSON.stringify(list, null, 2));
      return;
    }
    say(`Liste de révocation version ${list.version} du ${list.issuedAt}`, `revocation list version ${list.version}`);
    if (list.revoked.length === 0) say('  aucune carte révoquée', 'no revoked card');
    for (const r of list.revoked) console.log(`  ${r.cardSerial}  ${r.reason}  ${r.at}`);
  });
}

async function cmdLetter(args: string[]): Promise<void> {
  const values = parse(args, { identifier: { type: 'string' }, out: { type: 'string' }, portal: { type: 'string' }, kiosk: { type: 'string' }, area: { type: 'string' } });
  const identifier = required(values, 'identifier');
  const kiosk = str(values, 'kiosk');
  const areaText = str(values, 'area');
  if (kiosk !== undefined && areaText !== undefined) throw new UsageError(DIRECTORY_CLI_WORDS.letterKioskOrArea);
  if (kiosk !== undefined && !KioskId.safeParse(kiosk).success) throw new UsageError(KIOSK_ID_WORDS);
  const area = areaText === undefined ? null : parseArea(areaText);
  if (areaText !== undefined && area === null) throw new UsageError(DIRECTORY_CLI_WORDS.badArea(areaText));
  await withContext(values, async (ctx) => {
    const portal = str(values, 'portal') ?? process.env.FAC_PORTAL_URL;
    // the places of the area the card is given in: the kiosk's (nearest its office first), or the one typed
    let where: { area: string[] | null; near: { lat: number; lon: number } | null } = { area, near: null };
    if (kiosk !== undefined) {
      if ((await kioskStatus(ctx.db, kiosk)) === 'unknown') throw new KioskAdminError('unknown-kiosk', `no kiosk ${kiosk}`);
      const k = await kioskArea(ctx.db, kiosk);
      where = { area: k.area, near: k.near };
    }
    // an agent's card: the code knows where they work — their structure's postcode, when its address gives one
    const structure = kiosk === undefined && area === null ? await agentStructureAddress(ctx.db, identifier.toUpperCase()) : null;
    const structureArea = departementsOfPostcode(/\b(\d{5})\b/.exec(structure?.address ?? '')?.[1] ?? '');
    if (structure && structureArea.length > 0) {
      where = { area: structureArea, near: null };
      say(...DIRECTORY_CLI_WORDS.letterStructureArea(structure.name, structureArea));
    }
    if (where.area === null) say(...DIRECTORY_CLI_WORDS.letterWithoutArea);
    const places = await officesForLetter(ctx.db, { ...where, max: WELCOME_LETTER_MAX_PLACES });
    const letter = await welcomeLetterFor(ctx.db, identifier, { places, ...(portal ? { portalUrl: portal } : {}) });
    const out = resolve(str(values, 'out') ?? `lettre-${identifier.toUpperCase()}.pdf`);
    writeFileSync(out, letter.pdf);
    say(`Lettre d'accueil écrite : ${out}`, `welcome letter written (${letter.pages.length} pages)`);
    say(...DIRECTORY_CLI_WORDS.letterPlaces(places.length));
    for (const p of places) console.log(`  ${p.name} — ${p.address}, ${p.postcode} ${p.city}`);
  });
}

const KIOSK_ACTOR = { kind: 'staff', id: 'staff-cli' } as const;

const KIOSK_ID_WORDS = '--id : 3 à 64 caractères a-z, 0-9, - / 3 to 64 characters a-z, 0-9, -';

function kioskId(values: Values): string {
  const id = required(values, 'id');
  if (!KioskId.safeParse(id).success) throw new UsageError(KIOSK_ID_WORDS);
  return id;
}

function seconds(values: Values, key: string): number | undefined {
  const raw = str(values, key);
  if (raw === undefined) return undefined;
  if (!/^\d{1,5}$/.test(raw)) throw new UsageError(`--${key} : un nombre de secondes / a number of seconds`);
  return Number(raw);
}

async function cmdKiosk(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'enroll': {
      const values = parse(rest, {
        id: { type: 'string' },
        name: { type: 'string' },
        institution: { type: 'string' },
        hours: { type: 'string' },
        reinstate: { type: 'boolean' },
        'code-only': { type: 'boolean' },
      });
      const id = kioskId(values);
      const hoursRaw = str(values, 'hours');
      const hours = hoursRaw === undefined ? 24 : Number(hoursRaw);
      if (!Number.isFinite(hours) || hours < 0.02 || hours > 720) throw new UsageError('--hours : 0,02 à 720 / 0.02 to 720');
      await withContext(values, async (ctx) => {
        const name = str(values, 'name');
        const institution = str(values, 'institution');
        const e = await createEnrollment(ctx.db, ctx.dialect, {
          kioskId: id,
          ...(name !== undefined ? { name } : {}),
          ...(institution !== undefined ? { institutionId: institution } : {}),
          ttlMs: Math.round(hours * 3_600_000),
          reinstate: values.reinstate === true,
          actor: KIOSK_ACTOR,
        });
        if (values['code-only'] === true) {
          console.log(e.code);
          return;
        }
        say(`Code d'enregistrement de la tablette ${e.kioskId}${e.newKiosk ? ' (nouvelle tablette)' : ''}`, `enrollment code for kiosk ${e.kioskId}${e.newKiosk ? ' (new kiosk)' : ''}`);
        console.log(`  Code ....................... ${e.code}`);
        console.log(`  Nom / name ................. ${e.name}`);
        console.log(`  Valable jusqu'au / until ... ${e.expiresAt}`);
        say('À saisir une seule fois au premier démarrage de la tablette', 'to be entered once, at the kiosk’s first start');
      });
      return;
    }
    case 'revoke': {
      const values = parse(rest, { id: { type: 'string' } });
      const id = kioskId(values);
      await withContext(values, async (ctx) => {
        const r = await revokeKiosk(ctx.db, ctx.dialect, { kioskId: id, actor: KIOSK_ACTOR });
        if (r.changed) say(`Tablette ${id} révoquée : refusée dès maintenant, déconnectée sous 2 secondes`, `kiosk ${id} revoked: refused from now on, disconnected within 2 seconds`);
        else say(`Tablette ${id} déjà révoquée (${r.revokedAt})`, `kiosk ${id} already revoked`);
      });
      return;
    }
    case 'list': {
      const values = parse(rest, { json: { type: 'boolean' } });
      await withContext(values, async (ctx) => {
        const kiosks = await listKiosks(ctx.db);
        if (values.json === true) {
          console.log(JSON.stringify(kiosks, null, 2));
          return;
        }
        if (kiosks.length === 0) say('Aucune tablette', 'no kiosk');
        const label = { 'not-enrolled': 'non enregistrée/not enrolled', enrolled: 'enregistrée/enrolled', revoked: 'révoquée/revoked' } as const;
        for (const k of kiosks) {
          console.log(`${k.id}  ${k.name}  ${label[k.status]}  seq ${k.lastSeq}${k.pendingCodes > 0 ? `  ${k.pendingCodes} code(s) en attente/pending` : ''}`);
        }
      });
      return;
    }
    case 'config': {
      const values = parse(rest, { id: { type: 'string' }, 'display-name': { type: 'string' }, 'idle-timeout': { type: 'string' }, 'idle-warning': { type: 'string' }, 'directory-area': { type: 'string' } });
      const id = kioskId(values);
      const areaText = str(values, 'directory-area');
      // « auto »: no area of its own, the département of the office the kiosk stands in
      const area = areaText === undefined || areaText === 'auto' ? null : parseArea(areaText);
      if (areaText !== undefined && areaText !== 'auto' && area === null) throw new UsageError(DIRECTORY_CLI_WORDS.badArea(areaText));
      const patch = {
        ...(str(values, 'display-name') !== undefined ? { displayName: str(values, 'display-name') } : {}),
        ...(seconds(values, 'idle-timeout') !== undefined ? { idleTimeoutS: seconds(values, 'idle-timeout') } : {}),
        ...(seconds(values, 'idle-warning') !== undefined ? { idleWarningS: seconds(values, 'idle-warning') } : {}),
        ...(area !== null ? { directoryArea: area } : {}),
      };
      if (Object.keys(patch).length === 0 && areaText === undefined) throw new UsageError('--display-name, --idle-timeout, --idle-warning ou --directory-area');
      await withContext(values, async (ctx) => {
        const current = await readKioskSettings(ctx.db, id);
        if (!current) throw new KioskAdminError('unknown-kiosk', `no kiosk ${id}`);
        const { directoryArea: _former, ...kept } = current.settings;
        const merged = KioskSettings.safeParse({ ...(areaText === 'auto' ? kept : current.settings), ...patch });
        if (!merged.success) throw new UsageError('réglages invalides : nom 1 à 100 caractères, délai 15 à 3600 s, avertissement 5 à 300 s / invalid settings');
        // an area whose offices do not fit in one sync answer is refused here, before the kiosk is told
        if (area !== null) {
          const offices = await countOffices(ctx.db, area);
          if (offices > DIRECTORY_SYNC_MAX) {
            console.error(`Erreur : ${DIRECTORY_CLI_WORDS.areaTooLarge(offices, DIRECTORY_SYNC_MAX).join(' / ')}`);
            throw new DirectoryRefused();
          }
        }
        const version = await writeKioskSettings(ctx.db, ctx.dialect, id, merged.data);
        say(`Réglages de ${id} : version ${version}, envoyés à la tablette`, `settings of ${id}: version ${version}, pushed to the kiosk`);
        console.log(`  ${JSON.stringify(merged.data)}`);
        if (areaText !== undefined) await sayKioskArea(ctx.db, id);
      });
      return;
    }
    case 'command': {
      const values = parse(rest, { id: { type: 'string' }, run: { type: 'string' }, reason: { type: 'string' } });
      const id = kioskId(values);
      const reason = str(values, 'reason');
      const command = AdminCommand.safeParse({ command: required(values, 'run'), ...(reason !== undefined ? { reason } : {}) });
      if (!command.success) throw new UsageError('--run : sync-now, end-session ou reload ; --reason : 200 caractères au plus');
      await withContext(values, async (ctx) => {
        if ((await kioskStatus(ctx.db, id)) === 'unknown') throw new KioskAdminError('unknown-kiosk', `no kiosk ${id}`);
        const pushId = await insertQueuedPush(ctx.db, id, 'admin-command', command.data);
        say(`Commande ${command.data.command} envoyée à ${id} (${pushId})`, `command ${command.data.command} queued for ${id}`);
      });
      return;
    }
    default:
      throw new UsageError('kiosk enroll | revoke | list | config | command');
  }
}

async function cmdBlobs(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'gc') throw new UsageError('blobs gc [--grace-hours N] [--dry-run]');
  const values = parse(rest, { 'grace-hours': { type: 'string' }, 'dry-run': { type: 'boolean' } });
  const raw = str(values, 'grace-hours');
  const grace = raw === undefined ? undefined : Number(raw);
  if (grace !== undefined && (!Number.isFinite(grace) || grace < 0 || grace > 24 * 365)) throw new UsageError('--grace-hours : 0 à 8760 / 0 to 8760');
  await withContext(values, async (ctx) => {
    const store = openBlobStore(ctx.storage.blobs.store, ctx.dataDir);
    try {
      const r = await collectOrphanBlobs({
        db: ctx.db,
        store,
        uploadDir: join(ctx.dataDir, 'uploads'),
        graceMs: grace === undefined ? ctx.storage.blobs.graceMs : Math.round(grace * 3_600_000),
        uploadStaleMs: ctx.storage.blobs.uploadStaleMs,
        dryRun: values['dry-run'] === true,
      });
      const verb = values['dry-run'] === true ? 'à supprimer / to delete' : 'supprimés / deleted';
      say(`Nettoyage des fichiers orphelins (${store.kind})`, 'orphan cleanup');
      console.log(`  Envois inachevés / unfinished uploads ...... ${r.uploadsDeleted} ${verb}`);
      console.log(`  Fichiers jamais utilisés / unused blobs .... ${r.blobsDeleted} ${verb}`);
      console.log(`  Octets sans fiche / stray bytes ............ ${r.strayBytesDeleted} ${verb}`);
      if (r.kept > 0) console.log(`  Gardés (utilisés entre-temps) / kept ....... ${r.kept}`);
    } finally {
      await store.close();
    }
  });
}

async function cmdConsoleAccount(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'create': {
      const values = parse(rest, { login: { type: 'string' }, name: { type: 'string' }, institution: { type: 'string' }, structure: { type: 'string' }, role: { type: 'string' } });
      const login = required(values, 'login');
      const name = required(values, 'name');
      const institution = str(values, 'institution');
      const structure = str(values, 'structure');
      // an institution's account (head of service unless --role says otherwise), or a structure's admin: one or the other
      if ((institution === undefined) === (structure === undefined)) throw new UsageError(STRUCTURE_CLI_WORDS.oneOwner);
      const roleOption = str(values, 'role');
      if (roleOption !== undefined && structure !== undefined) throw new UsageError(ROLE_CLI_WORDS.roleWithStructure);
      const role = ROLE_OPTIONS[roleOption ?? 'head-of-service'];
      if (role === undefined || !Object.hasOwn(ROLE_OPTIONS, roleOption ?? 'head-of-service')) throw new UsageError(ROLE_CLI_WORDS.badRole);
      const fromEnv = process.env.FAC_CONSOLE_PASSWORD;
      const password = fromEnv !== undefined && fromEnv !== '' ? fromEnv : generatePassword();
      await withContext(values, async (ctx) => {
        const a = await createConsoleAccount(ctx.db, ctx.dialect, structure !== undefined ? { login, name, structureId: structure, password } : { login, name, institutionId: institution ?? '', role, password });
        const [fr, en] = ROLE_CLI_WORDS.created(a.login, a.institutionName, a.role === 'structure-admin' ? a.role : ROLE_WORDS[a.role].name);
        say(fr, en);
        if (fromEnv === undefined || fromEnv === '') {
          // printed once, never stored in clear: the person who runs the command hands it over
          console.log(`  Mot de passe / password .... ${password}`);
          say('Notez-le maintenant : il ne sera plus affiché', 'write it down now: it is not shown again');
        } else {
          say('Mot de passe pris dans FAC_CONSOLE_PASSWORD', 'password taken from FAC_CONSOLE_PASSWORD');
        }
      });
      return;
    }
    case 'disable': {
      const values = parse(rest, { login: { type: 'string' } });
      const login = required(values, 'login');
      await withContext(values, async (ctx) => {
        const r = await disableConsoleAccount(ctx.db, ctx.dialect, login);
        if (r.changed) say(`Compte ${login} désactivé : ses sessions sont fermées`, `account ${login} disabled, its sessions ended`);
        else say(`Compte ${login} déjà désactivé (${r.disabledAt})`, `account ${login} already disabled`);
      });
      return;
    }
    default:
      throw new UsageError('console-account create | disable');
  }
}

const CLIENT_ACTOR = { kind: 'staff', id: 'staff-cli' } as const;

/** `institution-client …`: the machine credentials of an institution's own systems (deposit API). */
async function cmdInstitutionClient(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  const failWith = (code: keyof typeof CLIENT_CLI_WORDS.errors): never => {
    throw new UsageError(CLIENT_CLI_WORDS.errors[code]);
  };
  switch (sub) {
    case 'create': {
      const values = parse(rest, { institution: { type: 'string' }, name: { type: 'string' } });
      const institutionId = required(values, 'institution');
      const name = required(values, 'name');
      await withContext(values, async (ctx) => {
        const r = await createClient(ctx.db, ctx.dialect, { institutionId, name }, CLIENT_ACTOR);
        if (!r.ok) return failWith(r.code);
        console.log(CLIENT_CLI_WORDS.created(r.id, r.institutionName));
        console.log(CLIENT_CLI_WORDS.clientId(r.id));
        // printed once, never stored in clear: the person who runs the command hands it to the institution's IT
        console.log(CLIENT_CLI_WORDS.secret(r.secret));
        console.log(CLIENT_CLI_WORDS.writeItDown);
      });
      return;
    }
    case 'list': {
      const values = parse(rest, { institution: { type: 'string' }, json: { type: 'boolean' } });
      await withContext(values, async (ctx) => {
        const rows = await listClients(ctx.db, str(values, 'institution'));
        if (values.json === true) {
          console.log(JSON.stringify(rows, null, 2));
          return;
        }
        if (rows.length === 0) console.log(CLIENT_CLI_WORDS.none);
        for (const c of rows) console.log(CLIENT_CLI_WORDS.row({ ...c, state: c.revokedAt ? CLIENT_CLI_WORDS.states.revoked : CLIENT_CLI_WORDS.states.active }));
      });
      return;
    }
    case 'rotate': {
      const values = parse(rest, { id: { type: 'string' }, 'grace-hours': { type: 'string' } });
      const id = required(values, 'id');
      const raw = str(values, 'grace-hours');
      const graceHours = raw === undefined ? DEFAULT_GRACE_HOURS : Number(raw);
      if (!Number.isInteger(graceHours) || graceHours < 0 || graceHours > MAX_GRACE_HOURS) throw new UsageError(CLIENT_CLI_WORDS.badGrace);
      await withContext(values, async (ctx) => {
        const r = await rotateClientSecret(ctx.db, ctx.dialect, { id, graceHours }, CLIENT_ACTOR);
        if (!r.ok) return failWith(r.code);
        console.log(CLIENT_CLI_WORDS.rotated(id, r.previousUntil));
        console.log(CLIENT_CLI_WORDS.secret(r.secret));
        console.log(CLIENT_CLI_WORDS.writeItDown);
      });
      return;
    }
    case 'revoke': {
      const values = parse(rest, { id: { type: 'string' } });
      const id = required(values, 'id');
      await withContext(values, async (ctx) => {
        const r = await revokeClient(ctx.db, ctx.dialect, id, CLIENT_ACTOR);
        if (!r.ok) return failWith(r.code);
        console.log(r.changed ? CLIENT_CLI_WORDS.revoked(id) : CLIENT_CLI_WORDS.alreadyRevoked(id, r.revokedAt));
      });
      return;
    }
    default:
      throw new UsageError('institution-client create | list | rotate | revoke');
  }
}

/** `structure create`: where agents work (a CMS, a CCAS…); its admin is then a console account with --structure. */
async function cmdStructure(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'create') throw new UsageError('structure create');
  const values = parse(rest, { id: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' }, address: { type: 'string' } });
  const id = required(values, 'id');
  const name = required(values, 'name');
  const kind = StructureKind.safeParse(required(values, 'kind'));
  if (!kind.success) throw new UsageError(STRUCTURE_CLI_WORDS.badKind);
  if (!/^[a-z0-9][a-z0-9-]{1,63}$/.test(id)) throw new UsageError('--id : a-z 0-9 -');
  await withContext(values, async (ctx) => {
    const created = await createStructure(ctx.db, ctx.dialect, { id, kind: kind.data, name, address: str(values, 'address') ?? null }, { kind: 'staff', id: 'staff-cli' });
    const [fr, en] = created ? STRUCTURE_CLI_WORDS.created(id, name) : STRUCTURE_CLI_WORDS.exists(id);
    say(fr, en);
  });
}

/** FAC_AUDIT_PUBLIC_KEY, when set: the checkpoint key verification trusts. */
function pinnedAuditKey(): KeyObject | null {
  const raw = process.env.FAC_AUDIT_PUBLIC_KEY;
  if (raw === undefined || raw.trim() === '') return null;
  const key = parsePinnedKey(raw);
  if (!key) throw new ConfigError(['FAC_AUDIT_PUBLIC_KEY: expected the checkpoint key\'s public half: 43 characters of base64url']);
  return key;
}

async function cmdAudit(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'verify': {
      const values = parse(rest, { json: { type: 'boolean' } });
      await withContext(values, async (ctx) => {
        const dir = join(ctx.dataDir, 'audit');
        const r = await verifyAuditTrail(ctx.db, { log: new CheckpointLog(join(dir, CHECKPOINT_LOG_FILE)), publicKey: checkpointPublicKey(dir, pinnedAuditKey()) });
        const problems = r.problems.map(describeTrailProblem);
        if (values.json === true) console.log(JSON.stringify({ ok: r.ok, entries: r.entries, checkpoints: r.checkpoints, lastCheckpoint: r.lastCheckpoint, problems }));
        else {
          const last = r.lastCheckpoint ? `dernier / last: entrée ${r.lastCheckpoint.seq}, ${r.lastCheckpoint.at}` : 'aucun / none';
          console.log(`Journal d'audit / audit journal: ${r.entries} entrée(s), ${r.checkpoints} point(s) de contrôle signé(s) (${last})`);
          if (r.ok) say('Vérification réussie : la chaîne et chaque point de contrôle concordent', 'verified: the chain and every checkpoint agree');
          else {
            say('ÉCHEC de la vérification du journal d’audit', 'audit journal verification FAILED');
            for (const p of problems) console.log(`  - ${p}`);
          }
        }
        if (!r.ok) throw new AuditFailed();
      });
      return;
    }
    case 'checkpoint': {
      const values = parse(rest, {});
      await withContext(values, async (ctx) => {
        const dir = join(ctx.dataDir, 'audit');
        const checkpointer = new AuditCheckpointer(ctx.db, loadOrCreateCheckpointKey(dir, pinnedAuditKey()), new CheckpointLog(join(dir, CHECKPOINT_LOG_FILE)));
        const r = await checkpointer.checkpointNow();
        if (r.kind === 'written') say(`Point de contrôle signé : entrée ${r.checkpoint.seq}`, `checkpoint signed: entry ${r.checkpoint.seq}`);
        else if (r.kind === 'unchanged') say('Rien de nouveau depuis le dernier point de contrôle', 'nothing new since the last checkpoint');
        else {
          say(`Refusé : le journal ne suit pas le dernier point de contrôle (entrée ${r.problem.seq}, ${r.problem.reason})`, 'refused: the journal does not follow from the last checkpoint');
          throw new AuditFailed();
        }
      });
      return;
    }
    case 'key': {
      const values = parse(rest, {});
      const dir = join(loadStorageConfig(process.env, process.cwd(), str(values, 'data')).dataDir, 'audit');
      console.log(publicKeyText(checkpointPublicKey(dir)));
      return;
    }
    default:
      throw new UsageError('audit verify | checkpoint | key');
  }
}

async function cmdDb(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub !== 'grant') throw new UsageError('db grant --role NOM');
  const values = parse(rest, { role: { type: 'string' } });
  const role = required(values, 'role');
  await withContext(values, async (ctx) => {
    if (ctx.dialect !== 'postgres') throw new UsageError('db grant : PostgreSQL seulement (DATABASE_URL) / PostgreSQL only');
    const g = await grantServerRole(ctx.db, role);
    say(`Droits donnés au rôle ${role}`, `rights granted to ${role}`);
    console.log(`  Lecture et écriture / read-write ....... ${g.readWrite.length} table(s)`);
    console.log(`  Lecture et ajout seuls / append-only ... ${g.appendOnly.join(', ')}`);
    console.log(`  Lecture seule / read-only .............. ${g.readOnly.join(', ')}`);
  });
}

/** A verification that failed: its findings are printed already; the exit code says it. */
class AuditFailed extends Error {}

/** A directory command refused: its problems are printed already; the exit code says it. */
class DirectoryRefused extends Error {}

const CLI_ACTOR = { kind: 'staff' as const, id: 'staff-cli' };

/** A local entry's JSON file (LocalEntryInput), read and checked. */
function localEntryFile(file: string): LocalEntryInput {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(resolve(file), 'utf8'));
  } catch {
    throw new UsageError(DIRECTORY_CLI_WORDS.unreadable(file));
  }
  const input = LocalEntryInput.safeParse(raw);
  if (!input.success) throw new UsageError(describeLocalInput(input.error));
  return input.data;
}

function sayLocal(outcome: LocalOutcome, words: readonly [string, string]): void {
  if (!outcome.ok) {
    console.error(`Erreur : ${outcome.message}`);
    throw new DirectoryRefused();
  }
  say(words[0], words[1]);
}

/** `directory …`: the annuaire's import, the directory's list and search, local entries. */
async function cmdDirectory(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, kind: { type: 'string' }, file: { type: 'string' }, id: { type: 'string' }, kiosk: { type: 'string' }, data: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const values = parsed.values as Values;
  const [positional, extra] = parsed.positionals;
  if (extra !== undefined || (positional !== undefined && sub !== 'import' && sub !== 'search')) throw new UsageError(DIRECTORY_CLI_WORDS.unexpected(extra ?? positional ?? ''));
  switch (sub) {
    case 'import': {
      if (positional === undefined) throw new UsageError(DIRECTORY_CLI_WORDS.usage);
      let json: string;
      try {
        json = readFileSync(resolve(positional), 'utf8');
      } catch {
        throw new UsageError(DIRECTORY_CLI_WORDS.unreadable(positional));
      }
      const dryRun = values['dry-run'] === true;
      await withContext(values, async (ctx) => {
        const outcome = await importAnnuaire(ctx.db, ctx.dialect, json, { actor: CLI_ACTOR, dryRun });
        if (!outcome.ok) {
          for (const p of outcome.errors) console.error(`  - ${p}`);
          const [fr, en] = DIRECTORY_CLI_WORDS.refused(outcome.errors.length);
          console.error(`Erreur : ${fr} / ${en}`);
          throw new DirectoryRefused();
        }
        for (const w of outcome.warnings) console.log(`${DIRECTORY_CLI_WORDS.warning} : ${w}`);
        const [fr, en] = DIRECTORY_CLI_WORDS.imported({ ...outcome, warnings: outcome.warnings.length }, dryRun);
        say(fr, en);
      });
      return;
    }
    case 'list':
    case 'search': {
      await withContext(values, async (ctx) => {
        let list;
        if (sub === 'search') {
          if (positional === undefined || positional.trim().length < 2) throw new UsageError(DIRECTORY_CLI_WORDS.usage);
          const kind = str(values, 'kind');
          list = (await searchDirectory(ctx.db, loadZonesApl(), positional, kind ? { kind } : {})).institutions;
        } else list = await listInstitutions(ctx.db);
        if (values.json === true) {
          process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
          return;
        }
        for (const i of list) console.log(`${i.id}\t${i.kind}\t${i.name}\t${i.address}, ${i.postcode} ${i.city}${i.phone ? `\t${i.phone}` : ''}\t${i.source ?? 'local'}`);
      });
      return;
    }
    case 'add': {
      const input = localEntryFile(required(values, 'file'));
      const id = str(values, 'id');
      if (id !== undefined && !LocalEntryId.safeParse(id).success) throw new UsageError('--id : a-z 0-9 -');
      await withContext(values, async (ctx) => {
        const outcome = await addLocalEntry(ctx.db, ctx.dialect, CLI_ACTOR, input, ...(id !== undefined ? [id] : []));
        sayLocal(outcome, DIRECTORY_CLI_WORDS.added(outcome.ok ? outcome.institution.id : ''));
      });
      return;
    }
    case 'change': {
      const id = required(values, 'id');
      const input = localEntryFile(required(values, 'file'));
      await withContext(values, async (ctx) => {
        const outcome = await changeLocalEntry(ctx.db, ctx.dialect, CLI_ACTOR, id, input);
        sayLocal(outcome, DIRECTORY_CLI_WORDS.changed(id, outcome.ok && outcome.changed));
      });
      return;
    }
    case 'remove': {
      const id = required(values, 'id');
      await withContext(values, async (ctx) => {
        sayLocal(await removeLocalEntry(ctx.db, ctx.dialect, CLI_ACTOR, id), DIRECTORY_CLI_WORDS.removed(id));
      });
      return;
    }
    case 'area': {
      const id = str(values, 'kiosk');
      if (id === undefined || !KioskId.safeParse(id).success) throw new UsageError(DIRECTORY_CLI_WORDS.usage);
      await withContext(values, async (ctx) => {
        if ((await kioskStatus(ctx.db, id)) === 'unknown') throw new KioskAdminError('unknown-kiosk', `no kiosk ${id}`);
        if (!(await sayKioskArea(ctx.db, id))) throw new DirectoryRefused();
      });
      return;
    }
    default:
      throw new UsageError(DIRECTORY_CLI_WORDS.usage);
  }
}

/** Says a kiosk's area and how many offices it holds; false (and said as an error) when they do not fit in one sync answer. */
async function sayKioskArea(db: Kysely<Database>, id: string): Promise<boolean> {
  const { area, from } = await kioskArea(db, id);
  say(...DIRECTORY_CLI_WORDS.areaOf(id, area, from));
  const offices = await countOffices(db, area);
  if (offices > DIRECTORY_SYNC_MAX) {
    console.error(`Erreur : ${DIRECTORY_CLI_WORDS.areaTooLarge(offices, DIRECTORY_SYNC_MAX).join(' / ')}`);
    return false;
  }
  say(...DIRECTORY_CLI_WORDS.areaCount(offices, DIRECTORY_SYNC_MAX));
  return true;
}

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  audit: cmdAudit,
  db: cmdDb,
  ca: cmdCa,
  card: cmdCard,
  revocations: cmdRevocations,
  letter: cmdLetter,
  kiosk: cmdKiosk,
  blobs: cmdBlobs,
  'console-account': cmdConsoleAccount,
  structure: cmdStructure,
  directory: cmdDirectory,
  'institution-client': cmdInstitutionClient,
};

const KIOSK_ERRORS: Record<string, string> = {
  invalid: 'donnée invalide / invalid input',
  'unknown-kiosk': 'tablette inconnue / unknown kiosk',
  'unknown-institution': 'institution inconnue / unknown institution',
  revoked: 'tablette révoquée : ajoutez --reinstate pour la réintégrer avec un nouvel appareil / kiosk revoked: add --reinstate',
};

const CONSOLE_ACCOUNT_ERRORS: Record<ConsoleAccountError['code'], string> = {
  invalid: 'donnée invalide (identifiant : 3 à 64 caractères a-z 0-9 . _ - ; mot de passe : 12 caractères au moins) / invalid input',
  exists: 'cet identifiant existe déjà / login taken',
  'unknown-institution': 'institution inconnue / unknown institution',
  'unknown-structure': STRUCTURE_CLI_WORDS.unknownStructure,
  'unknown-account': 'compte inconnu / unknown account',
};

const CARD_ERRORS: Record<string, string> = {
  'no-ca': 'pas d’autorité de certification / no platform CA',
  'unknown-card': 'carte inconnue / unknown card',
  'no-card': 'pas de carte dans le lecteur / no card in the reader',
  invalid: 'donnée invalide / invalid input',
  'unknown-person': 'personne inconnue / unknown person',
  'role-mismatch': 'rôle différent de celui de la personne / role differs from the person’s',
  'card-revoked': 'carte révoquée ou bloquée / card revoked or blocked',
  'already-issued': 'carte déjà émise (--force pour la réémettre) / card already issued (--force to re-issue)',
  'admin-pin': 'code administrateur refusé par la carte / admin PIN refused by the card',
  'admin-pin-blocked': 'code administrateur bloqué : carte inutilisable / admin PIN blocked: card unusable',
  'card-refused': 'la carte a refusé une commande / the card refused a command',
  'replace-invalid': 'remplacement impossible / cannot replace',
};

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    console.log(USAGE);
    return cmd === undefined ? 2 : 0;
  }
  const run = COMMANDS[cmd];
  if (!run) {
    console.error(`Erreur : commande inconnue « ${cmd} » / unknown command\nAide / help: npm run staff -- help`);
    return 2;
  }
  try {
    await run(rest);
    return 0;
  } catch (e) {
    if (e instanceof AuditFailed || e instanceof DirectoryRefused) return 1;
    if (e instanceof ServerRoleError || e instanceof CheckpointError) {
      console.error(`Erreur : ${e.message}`);
      return 1;
    }
    if (e instanceof UsageError) {
      console.error(`Erreur : ${e.message}\nAide / help: npm run staff -- help`);
      return 2;
    }
    if (e instanceof CardAdminError) {
      console.error(`Erreur : ${CARD_ERRORS[e.code] ?? e.code} — ${e.message}`);
      return 1;
    }
    if (e instanceof KioskAdminError) {
      console.error(`Erreur : ${KIOSK_ERRORS[e.code] ?? e.code} — ${e.message}`);
      return 1;
    }
    if (e instanceof ConsoleAccountError) {
      const head = CONSOLE_ACCOUNT_ERRORS[e.code];
      console.error(`Erreur : ${head} — ${e.message}`);
      return e.code === 'invalid' ? 2 : 1;
    }
    if (e instanceof CaError) {
      const head =
        e.code === 'exists'
          ? 'une AC existe déjà, elle n’est jamais remplacée / a CA exists already, it is never replaced'
          : e.code === 'other-ca'
            ? 'le serveur fait confiance à une autre AC / the server trusts another CA'
            : 'AC ou clé de signature inutilisable / CA or revocation-signing key unusable';
      console.error(`Erreur : ${head} — ${e.message}`);
      return 1;
    }
    if (e instanceof ConfigError) {
      console.error(`Erreur de configuration / configuration error:\n${e.problems.map((p) => `  - ${p}`).join('\n')}`);
      return 1;
    }
    if (isPcscError(e)) {
      console.error(`Erreur du lecteur / reader error (${e.code}) — ${e.message}`);
      return 1;
    }
    console.error(`Erreur inattendue / unexpected error: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
