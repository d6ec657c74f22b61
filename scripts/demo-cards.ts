/**
 * The demo and test cards, issued the real way: for each person of the seed whose virtual card file is
 * missing or holds no certificate, a BLANK virtual OpenPGP card (factory PINs, the seed's serial in its
 * AID) goes into vpcd slot 1 ("Virtual PCD 00 01"), and the platform's issuance runs over pcscd
 * (sync-server/src/features/cards/issue-card.ts): keys generated on the card, certificate from the platform CA,
 * the seed's PIN. Idempotent: cards that hold a certificate and the seed's PIN are kept.
 *
 *   npx tsx scripts/demo-cards.ts [--cards DIR] [--data DIR] [--ca DIR] [--seed FILE]
 *
 * The demo machine is both the issuance station and the server, laid out as they would be apart: the CA
 * (key, certificate, card admin secret) in the station's folder, created when missing; the server's data
 * folder gets only the CA certificate and a revocation-signing key, issued when missing or within 30
 * days of its end (what `npm run staff -- ca revocation-key issue` does). Cards folder: --cards, else
 * FAC_CARDS_DIR, else .data/cards; server data: --data, else FAC_DATA_DIR, else .data/server
 * (DATABASE_URL is honoured); the CA: --ca, else FAC_CA_DIR, else .data/issuance/ca — or, when only
 * --data is given, that folder's ca/. A demo from before, whose CA was in .data/server/ca, has it moved
 * to .data/issuance/ca (its cards stay valid). Slot 0 stays free for the box simulator.
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import { ReaderManager } from '../drivers/pcsc/reader-manager.ts';
import { loadDemoPersons } from '../drivers/vcard/demo-seed.ts';
import { blankCardState, cardFile, createCardStateFile, loadCardState, saveCardState } from '../drivers/vcard/state.ts';
import { VirtualCard } from '../drivers/vcard/vpcd-client.ts';
import { CA_FILES, CaError, caDir, initCa, initCaIn, issueRevocationKey, loadCa, loadCaCertificate, loadCaFrom, loadRevocationKey, REVOCATION_KEY_RENEW_DAYS } from '../sync-server/src/features/cards/index.ts';
import type { LoadedCa } from '../sync-server/src/features/cards/index.ts';
import { issueCard } from '../sync-server/src/features/cards/index.ts';
import { loadStorageConfig } from '../sync-server/src/edge/config.ts';
import { readSeedFile, seedDatabase } from '../sync-server/src/edge/seed.ts';
import { openDatabase } from '../sync-server/src/kernel/storage/database.ts';
import type { Dialect } from '../sync-server/src/kernel/storage/database.ts';
import { migrateToLatest } from '../sync-server/src/kernel/storage/migrate.ts';
import type { Database } from '../sync-server/src/kernel/storage/schema.ts';

const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const DEMO_SEED_PATH = join(REPO_ROOT, 'assets/seed/demo.json');
/** The demo's issuance station keeps the CA here, apart from the server's data folder. */
export const DEMO_CA_FOLDER = join(REPO_ROOT, '.data/issuance/ca');

export function vpcdReader(slot: 0 | 1): string {
  return `Virtual PCD 00 0${slot}`;
}

export interface BlankCard {
  path: string;
  serial: string;
  card: VirtualCard;
  /** takes the card out of the reader (idempotent) */
  remove(): Promise<void>;
}

/**
 * Writes a blank card (factory state) for this serial, replacing any file there, and inserts it into
 * the vpcd slot; resolves once vpcd has the card. For issuance tests and the demo.
 */
export async function insertBlankCard(o: { dir: string; serial: string; slot?: 0 | 1 }): Promise<BlankCard> {
  mkdirSync(o.dir, { recursive: true });
  const path = cardFile(o.dir, o.serial);
  const blank = blankCardState(o.serial);
  if (existsSync(path)) saveCardState(path, blank);
  else createCardStateFile(path, blank);
  const card = VirtualCard.fromFile(path, { slot: o.slot ?? 1 });
  await card.insert();
  return { path, serial: o.serial, card, remove: () => card.remove() };
}

/** The next `event` for this reader, or a rejection after `timeoutMs`. */
function waitFor(manager: ReaderManager, event: 'card-inserted' | 'card-removed', reader: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const on = (e: { reader: string }) => {
      if (e.reader !== reader) return;
      clearTimeout(timer);
      manager.off(event, on);
      resolve();
    };
    const timer = setTimeout(() => {
      manager.off(event, on);
      reject(new Error(`${reader}: no ${event} within ${timeoutMs} ms (is pcscd running with vpcd?)`));
    }, timeoutMs);
    manager.on(event, on);
  });
}

/**
 * Issued, and still with the seed's PIN. A card from an earlier demo whose PIN is not the seed's (the
 * 4-digit PINs from before cards followed the OpenPGP 6-digit minimum) is issued again.
 */
function issuedWithPin(path: string, pin: string): boolean {
  if (!existsSync(path)) return false;
  try {
    const state = loadCardState(path);
    return state.dos.certificate.length > 0 && Buffer.from(state.pins.pw1, 'hex').toString('utf8') === pin;
  } catch {
    return false; // unreadable: issued again
  }
}

export interface DemoCardResult {
  serial: string;
  identifier: string;
  status: 'issued' | 'kept';
}

export interface IssueDemoCardsOptions {
  cardsDir: string;
  /** the server's database; or `serverDataDir` to open it (and to find or create the CA) */
  db?: { db: Kysely<Database>; dialect: Dialect };
  serverDataDir: string;
  seedPath?: string;
  slot?: 0 | 1;
  /** the CA to issue with; by default the one in `<serverDataDir>/ca`, created when missing */
  ca?: LoadedCa;
  log?: (line: string) => void;
}

export async function issueDemoCards(o: IssueDemoCardsOptions): Promise<DemoCardResult[]> {
  const seedPath = o.seedPath ?? DEMO_SEED_PATH;
  const slot = o.slot ?? 1;
  const log = o.log ?? (() => undefined);
  const persons = loadDemoPersons(seedPath);
  const pending = persons.filter((p) => !issuedWithPin(cardFile(o.cardsDir, p.card.serial.toUpperCase()), p.card.pin));
  const results: DemoCardResult[] = persons
    .filter((p) => !pending.includes(p))
    .map((p) => ({ serial: p.card.serial.toUpperCase(), identifier: p.identifier, status: 'kept' as const }));
  if (pending.length === 0) return results;

  const ca = o.ca ?? (await loadCa(o.serverDataDir)) ?? (await initCa(o.serverDataDir));
  let opened: { db: Kysely<Database>; dialect: Dialect } | null = null;
  const storage = o.db ?? (opened = openDatabase(loadStorageConfig(process.env, process.cwd(), o.serverDataDir).database));
  try {
    if (opened) await migrateToLatest(opened.db, opened.dialect);
    // the seed's persons must exist before their cards are issued (idempotent)
    await seedDatabase(storage.db, await readSeedFile(seedPath));
    // one watcher for all the cards, so each insertion and removal is seen before the next card
    const reader = vpcdReader(slot);
    const manager = new ReaderManager({ readerFilter: (n) => n === reader, commandTimeoutMs: 20_000 });
    manager.start();
    try {
      for (const p of pending) {
        const serial = p.card.serial.toUpperCase();
        const inserted = waitFor(manager, 'card-inserted', reader, 15_000);
        const blank = await insertBlankCard({ dir: o.cardsDir, serial, slot });
        try {
          await inserted;
          const connection = await manager.connect(reader);
          try {
            await issueCard({
              db: storage.db,
              dialect: storage.dialect,
              ca,
              connection,
              person: { identifier: p.identifier },
              pin: p.card.pin,
              role: p.role === 'agent' ? 'agent' : 'beneficiary',
              // a blank card whose serial the database knows (its file was deleted): issue it again
              force: true,
              actor: { kind: 'staff', id: 'demo-cards' },
            });
          } finally {
            await connection.disconnect();
          }
        } finally {
          const removed = manager.cardPresent(reader) ? waitFor(manager, 'card-removed', reader, 5_000).catch(() => undefined) : undefined;
          await blank.remove();
          await removed;
        }
        log(`${serial} ${p.identifier} émise / issued`);
        results.push({ serial, identifier: p.identifier, status: 'issued' });
      }
    } finally {
      await manager.close();
    }
  } finally {
    if (opened) await opened.db.destroy();
  }
  return results.sort((a, b) => a.serial.localeCompare(b.serial));
}

/**
 * Demos from before kept the whole CA in the server's data folder; the server must not hold its key:
 * the folder moves, in one rename, to the issuance station's place (the certificate is given back to
 * the server with its revocation-signing key).
 */
function moveOldDemoCa(dataDir: string, caFolder: string): boolean {
  const old = caDir(dataDir);
  if (old === caFolder || existsSync(caFolder) || !existsSync(join(old, CA_FILES.privateKey))) return false;
  mkdirSync(dirname(caFolder), { recursive: true });
  renameSync(old, caFolder);
  return true;
}

/** The server's revocation-signing key: issued when missing, unusable, or ending within 30 days. */
async function ensureRevocationKey(ca: LoadedCa, dataDir: string): Promise<void> {
  let current = null;
  try {
    const pinned = loadCaCertificate(dataDir);
    current = pinned ? await loadRevocationKey(dataDir, pinned.certificate) : null;
  } catch (e) {
    if (!(e instanceof CaError)) throw e;
    console.log(`Clé de signature des listes inutilisable, remplacée / revocation-signing key unusable, replaced (${e.code})`);
  }
  if (current && current.notAfter.getTime() - Date.now() > REVOCATION_KEY_RENEW_DAYS * 86_400_000) return;
  const key = await issueRevocationKey(ca, dataDir);
  console.log(`Clé de signature des listes de révocation pour le serveur / revocation-signing key for the server: ${key.path} (jusqu'au / until ${key.notAfter.toISOString().slice(0, 10)})`);
}

async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { cards: { type: 'string' }, data: { type: 'string' }, ca: { type: 'string' }, seed: { type: 'string' } }, strict: true }));
  } catch (e) {
    console.error(`Erreur : ${e instanceof Error ? e.message : String(e)}\nUsage: npx tsx scripts/demo-cards.ts [--cards DIR] [--data DIR] [--ca DIR] [--seed FILE]`);
    return 2;
  }
  const cardsDir = resolve(values.cards ?? process.env.FAC_CARDS_DIR ?? join(REPO_ROOT, '.data/cards'));
  const dataDir = loadStorageConfig(process.env, process.cwd(), values.data).dataDir;
  const chosenCa = values.ca ?? (process.env.FAC_CA_DIR?.trim() || undefined);
  const caFolder = chosenCa ? resolve(chosenCa) : values.data ? caDir(dataDir) : DEMO_CA_FOLDER;
  try {
    if (moveOldDemoCa(dataDir, caFolder)) console.log(`AC de la démo déplacée vers le poste d'émission / demo CA moved to the issuance station: ${caFolder}`);
    let ca = await loadCaFrom(caFolder);
    if (!ca) {
      ca = await initCaIn(caFolder);
      console.log(`Autorité de certification créée / platform CA created: ${ca.dir} (SHA-256 ${ca.fingerprint})`);
    }
    await ensureRevocationKey(ca, dataDir);
    const results = await issueDemoCards({ cardsDir, serverDataDir: dataDir, ca, ...(values.seed ? { seedPath: resolve(values.seed) } : {}), log: (l) => console.log(l) });
    for (const r of results.filter((x) => x.status === 'kept')) console.log(`${r.serial} ${r.identifier} déjà émise, conservée / kept`);
    return 0;
  } catch (e) {
    console.error(`Erreur / error: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
