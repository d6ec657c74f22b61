/**
 * Staff commands: `npm run staff -- <command>` (or `npx tsx sync-server/src/edge/staff/cli.ts <command>`).
 * The platform CA, card issuance over a PC/SC reader, blocking, replacing, PIN unblocking, the
 * revocation list and the welcome letter. They work on the server's data folder and database directly
 * (FAC_DATA_DIR / --data, DATABASE_URL); a running server picks up new revocations by itself.
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
import { CaError, caDir, DEFAULT_CA_NAME, DEFAULT_CA_YEARS, initCa, loadCa } from '../../features/cards/index.ts';
import type { LoadedCa } from '../../features/cards/index.ts';
import { blockCard, cardHolder, listCards, unblockPin } from '../../features/cards/index.ts';
import { CardAdminError } from '../../features/cards/index.ts';
import { issueCard } from '../../features/cards/index.ts';
import type { IssuedCard } from '../../features/cards/index.ts';
import { withCardInReader } from '../../features/cards/index.ts';
import { latestRevocationList, publishRevocationList } from '../../features/cards/index.ts';
import { welcomeLetterFor } from '../../features/cards/index.ts';
import { ConfigError, loadStorageConfig } from '../config.ts';
import { ConsoleAccountError, createConsoleAccount, disableConsoleAccount } from '../../features/accounts/index.ts';
import { generatePassword } from '../../features/accounts/index.ts';
import type { StorageConfig } from '../config.ts';
import { openDatabase } from '../../kernel/storage/database.ts';
import type { Dialect } from '../../kernel/storage/database.ts';
import { migrateToLatest } from '../../kernel/storage/migrate.ts';
import type { Database } from '../../kernel/storage/schema.ts';

import { insertQueuedPush } from '../../kernel/push-queue.ts';
import { KioskId } from '../../../protocol/common.ts';

const USAGE = `Commandes du personnel / staff commands — npm run staff -- <commande>

  ca init [--name NOM] [--years N]   créer l'autorité de certification / create the platform CA
  ca show [--pem]                    afficher l'AC / show the CA (subject, validity, SHA-256)
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
  letter --identifier ID [--out fichier.pdf]
                                     lettre d'accueil / welcome letter
  kiosk enroll --id ID [--name NOM] [--institution ID] [--hours N] [--reinstate] [--code-only]
                                     code d'enregistrement d'une tablette (à usage unique)
                                     / one-time enrollment code for a kiosk
  kiosk revoke --id ID               révoquer une tablette / revoke a kiosk
  kiosk list [--json]                lister les tablettes / list kiosks
  kiosk config --id ID [--display-name TEXTE] [--idle-timeout S] [--idle-warning S]
                                     réglages envoyés à la tablette / settings pushed to the kiosk
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
  console-account disable --login L  désactiver un compte (ses sessions finissent) / disable an account

Options communes / common: --data DOSSIER (sinon FAC_DATA_DIR, sinon .data/server), DATABASE_URL,
--wait SECONDES (attente de la carte / wait for the card, 30 s). --pin - lit le code sur l'entrée
standard / reads the PIN from standard input.`;

class UsageError extends Error {}

type Values = Record<string, string | boolean | undefined>;

interface Context {
  db: Kysely<Database>;
  dialect: Dialect;
  dataDir: string;
  storage: StorageConfig;
  close(): Promise<void>;
}

function say(fr: string, en: string): void {
  console.log(`${fr} / ${en}`);
}

function parse(args: string[], options: Record<string, { type: 'string' | 'boolean' }>): Values {
  try {
    const { values, positionals } = parseArgs({ args, options: { ...options, data: { type: 'string' }, wait: { type: 'string' } }, allowPositionals: true, strict: true });
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
  return { db, dialect, dataDir: storage.dataDir, storage, close: () => db.destroy() };
}

async function requireCa(dataDir: string): Promise<LoadedCa> {
  const ca = await loadCa(dataDir);
  if (!ca) throw new CardAdminError('no-ca', `no platform CA in ${caDir(dataDir)}: run "npm run staff -- ca init" first`);
  return ca;
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
  const ca = await loadCa(ctx.dataDir);
  if (!ca) {
    say('Attention : pas d’AC, la liste de révocation n’est pas signée ni envoyée aux tablettes', 'warning: no CA, the revocation list is not signed nor sent to kiosks');
    return;
  }
  const { list, published } = await publishRevocationList(ctx.db, ctx.dialect, ca);
  say(
    `Liste de révocation ${published ? 'publiée' : 'inchangée'} : version ${list.version}, ${list.revoked.length} carte(s)`,
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
    const ca = await initCa(storage.dataDir, { commonName: str(values, 'name') ?? DEFAULT_CA_NAME, validityYears: years });
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
    const ca = await requireCa(storage.dataDir);
    if (values.pem === true) {
      process.stdout.write(toPem(ca.certificate));
      return;
    }
    const d = describeCertificate(ca.certificate);
    console.log(`Autorité de certification / platform CA (${ca.dir})
  Sujet / subject ............ ${d.subject}
  Numéro de série / serial ... ${d.serialNumber}
  Valide du / valid from ..... ${d.notBefore.toISOString()}
  Valide jusqu'au / until .... ${d.notAfter.toISOString()}
  SHA-256 .................... ${d.fingerprint}`);
    return;
  }
  throw new UsageError('ca init | ca show');
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
      await withContext(values, async (ctx) => {
        const ca = await requireCa(ctx.dataDir);
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
      const validity = str(values, 'validity-years');
      await withContext(values, async (ctx) => {
        const ca = await requireCa(ctx.dataDir);
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
      await withContext(values, async (ctx) => {
        const ca = await requireCa(ctx.dataDir);
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
  const values = parse(args, { identifier: { type: 'string' }, out: { type: 'string' }, portal: { type: 'string' } });
  const identifier = required(values, 'identifier');
  await withContext(values, async (ctx) => {
    const portal = str(values, 'portal') ?? process.env.FAC_PORTAL_URL;
    const letter = await welcomeLetterFor(ctx.db, identifier, portal ? { portalUrl: portal } : {});
    const out = resolve(str(values, 'out') ?? `lettre-${identifier.toUpperCase()}.pdf`);
    writeFileSync(out, letter.pdf);
    say(`Lettre d'accueil écrite : ${out}`, `welcome letter written (${letter.pages.length} pages)`);
  });
}

const KIOSK_ACTOR = { kind: 'staff', id: 'staff-cli' } as const;

function kioskId(values: Values): string {
  const id = required(values, 'id');
  if (!KioskId.safeParse(id).success) throw new UsageError('--id : 3 à 64 caractères a-z, 0-9, - / 3 to 64 characters a-z, 0-9, -');
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
      const values = parse(rest, { id: { type: 'string' }, 'display-name': { type: 'string' }, 'idle-timeout': { type: 'string' }, 'idle-warning': { type: 'string' } });
      const id = kioskId(values);
      const patch = {
        ...(str(values, 'display-name') !== undefined ? { displayName: str(values, 'display-name') } : {}),
        ...(seconds(values, 'idle-timeout') !== undefined ? { idleTimeoutS: seconds(values, 'idle-timeout') } : {}),
        ...(seconds(values, 'idle-warning') !== undefined ? { idleWarningS: seconds(values, 'idle-warning') } : {}),
      };
      if (Object.keys(patch).length === 0) throw new UsageError('--display-name, --idle-timeout ou --idle-warning');
      await withContext(values, async (ctx) => {
        const current = await readKioskSettings(ctx.db, id);
        if (!current) throw new KioskAdminError('unknown-kiosk', `no kiosk ${id}`);
        const merged = KioskSettings.safeParse({ ...current.settings, ...patch });
        if (!merged.success) throw new UsageError('réglages invalides : nom 1 à 100 caractères, délai 15 à 3600 s, avertissement 5 à 300 s / invalid settings');
        const version = await writeKioskSettings(ctx.db, ctx.dialect, id, merged.data);
        say(`Réglages de ${id} : version ${version}, envoyés à la tablette`, `settings of ${id}: version ${version}, pushed to the kiosk`);
        console.log(`  ${JSON.stringify(merged.data)}`);
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
      const values = parse(rest, { login: { type: 'string' }, name: { type: 'string' }, institution: { type: 'string' } });
      const login = required(values, 'login');
      const name = required(values, 'name');
      const institution = required(values, 'institution');
      const fromEnv = process.env.FAC_CONSOLE_PASSWORD;
      const password = fromEnv !== undefined && fromEnv !== '' ? fromEnv : generatePassword();
      await withContext(values, async (ctx) => {
        const a = await createConsoleAccount(ctx.db, ctx.dialect, { login, name, institutionId: institution, password });
        say(`Compte de console créé : ${a.login} (${a.institutionName})`, `console account created: ${a.login}`);
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

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  ca: cmdCa,
  card: cmdCard,
  revocations: cmdRevocations,
  letter: cmdLetter,
  kiosk: cmdKiosk,
  blobs: cmdBlobs,
  'console-account': cmdConsoleAccount,
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
      const head = e.code === 'exists' ? 'une AC existe déjà, elle n’est jamais remplacée / a CA exists already, it is never replaced' : 'AC inutilisable / CA unusable';
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
