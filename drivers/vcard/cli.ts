/**
 * Virtual card command line: `npm run card -- <command>`. Messages are French then English.
 * Exit codes: 0 success, 1 failure, 2 bad usage.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { Logger } from '../log.ts';
import { listCards, summarizeCard } from './card-directory.ts';
import { seedDemoCards, loadDemoPersons } from './demo-seed.ts';
import { isVcardError, VcardError } from './errors.ts';
import { issueVirtualCard } from './issue.ts';
import { DEFAULT_BOX_PORT, startSimulator } from './simulator.ts';
import { cardFile, isValidSerial, loadCardState, saveCardState } from './state.ts';
import { VirtualCard } from './vpcd-client.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DEMO_PATH = join(REPO_ROOT, 'assets/seed/demo.json');
const DEFAULT_SIMULATOR_URL = 'http://127.0.0.1:7391';

const USAGE = `Cartes virtuelles / Virtual cards — npm run card -- <commande>

  issue --serial S --identifier ID --pin 142536 [--admin-pin P] [--reset-code R]
        [--first-name F --last-name L] [--dir D]
                          émettre une carte / issue a card
  insert <n° | prénom> [--slot 0|1]
                          insérer une carte dans le simulateur (ou au premier plan
                          jusqu'à Ctrl-C) / insert a card
  remove [--slot 0|1] [--force]
                          retirer la carte d'un emplacement ; --force si le boîtier
                          est verrouillé (carte arrachée) / remove a card
  box [--json]            état du boîtier : voyant, verrou, emplacements / box state
  button                  appuyer sur le bouton du boîtier / press the box's button
  status <n°> [--json]    état public de la carte (jamais les codes) / public card state
  block <n°>              bloquer le code PIN / block the PIN
  simulator [--dir D] [--port P] [--box-port P] [--slot 0|1]
                          lancer le simulateur de boîtier / run the card-holder box
  seed-demo [--dir D]     émettre les cartes de démonstration / issue the demo cards

Emplacements / slots: 0 = principal (Virtual PCD 00 00), 1 = second (Virtual PCD 00 01)
Dossier des cartes / cards folder: --dir, sinon FAC_CARDS_DIR, sinon .data/cards
Simulateur / simulator: FAC_SIMULATOR_URL (défaut ${DEFAULT_SIMULATOR_URL})
Boîtier HID virtuel / virtual HID box: FAC_BOX_PORT (défaut ${DEFAULT_BOX_PORT}), tcp://127.0.0.1:PORT`;

class UsageError extends Error {}

/** What `box` reads from GET /api/state (the part it prints). */
const BoxState = z.object({
  slots: z.array(
    z.object({
      slot: z.number(),
      reader: z.string(),
      inserted: z.string().nullable(),
      holder: z.string().nullable(),
      present: z.boolean(),
      locked: z.boolean(),
    }),
  ),
  box: z.object({
    url: z.string(),
    plugged: z.boolean(),
    hosts: z.number(),
    firmware: z.string(),
    hasLatch: z.boolean(),
    hasButton: z.boolean(),
    led: z.object({ r: z.number(), g: z.number(), b: z.number(), pattern: z.string(), periodMs: z.number(), indicator: z.string().nullable() }),
  }),
});

const consoleLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (a: Record<string, unknown> | string, b?: string) => console.error(typeof a === 'string' ? a : (b ?? ''), typeof a === 'string' ? '' : a),
  error: (a: Record<string, unknown> | string, b?: string) => console.error(typeof a === 'string' ? a : (b ?? ''), typeof a === 'string' ? '' : a),
};

function cardsDir(flag: string | undefined): string {
  return flag ?? process.env.FAC_CARDS_DIR ?? join(REPO_ROOT, '.data/cards');
}

function parse(args: string[], options: Record<string, { type: 'string' | 'boolean' }>, positionals: number) {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  if (parsed.positionals.length !== positionals) {
    throw new UsageError(`${positionals} argument(s) attendu(s), ${parsed.positionals.length} reçu(s) / expected ${positionals} argument(s)`);
  }
  return parsed;
}

function str(v: string | boolean | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function slotArg(raw: string | undefined): 0 | 1 {
  if (raw === undefined || raw === '0') return 0;
  if (raw === '1') return 1;
  throw new UsageError(`emplacement invalide « ${raw} » (0 ou 1) / invalid slot (0 or 1)`);
}

/** The slot named on the command line, or undefined (the simulator then uses its default slot). */
function optionalSlot(raw: string | undefined): 0 | 1 | undefined {
  return raw === undefined ? undefined : slotArg(raw);
}

function portArg(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new UsageError(`port invalide / invalid port: ${text}`);
  return port;
}

const SLOT_FR = ['principal', 'second'] as const;

function serialArg(raw: string | undefined): string {
  const serial = (raw ?? '').toUpperCase();
  if (!isValidSerial(serial)) {
    throw new UsageError(`numéro de carte invalide « ${raw ?? ''} » (8 chiffres hexadécimaux) / invalid card serial (8 hex digits)`);
  }
  return serial;
}

const fold = (s: string) => s.normalize('NFD').replace(/\p{Diacritic}/gu, '').toLowerCase().trim();

/** A serial, or a first name looked up among the cards of the folder and the demo persons. */
function resolveCard(dir: string, query: string): string {
  if (isValidSerial(query.toUpperCase())) return query.toUpperCase();
  const q = fold(query);
  const fromCards = listCards(dir).cards.filter((c) => fold(c.firstName) === q || fold(c.holder) === q);
  if (fromCards.length === 1) return fromCards[0]!.serial;
  if (fromCards.length > 1) throw new VcardError('unknown-card', `plusieurs cartes pour « ${query} » / several cards match`);
  if (existsSync(DEMO_PATH)) {
    const persons = loadDemoPersons(DEMO_PATH).filter((p) => fold(p.firstName) === q);
    if (persons.length === 1) return persons[0]!.card.serial.toUpperCase();
  }
  throw new VcardError('unknown-card', `aucune carte pour « ${query} » / no card matches "${query}"`);
}

/** POSTs `body` (GETs when undefined) to the running simulator; null when none runs. */
async function simulatorRequest(path: string, body?: unknown): Promise<Response | null> {
  const base = process.env.FAC_SIMULATOR_URL ?? DEFAULT_SIMULATOR_URL;
  try {
    return await fetch(new URL(path, base), {
      method: body === undefined ? 'GET' : 'POST',
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (e) {
    const cause = e instanceof Error && e.cause instanceof Error ? (e.cause as NodeJS.ErrnoException) : undefined;
    if (cause?.code === 'ECONNREFUSED') return null;
    throw new VcardError('simulator-unavailable', `le simulateur ne répond pas / simulator not responding (${base})`, { cause: e });
  }
}

async function simulatorError(res: Response): Promise<VcardError> {
  let detail = `HTTP ${res.status}`;
  try {
    const j = (await res.json()) as { message?: unknown };
    if (typeof j.message === 'string') detail = j.message;
  } catch {
    // not JSON
  }
  if (res.status === 404) return new VcardError('unknown-card', `carte inconnue du simulateur / unknown card (${detail})`);
  if (res.status === 409) return new VcardError('box-refused', detail);
  if (res.status === 503) return new VcardError('vpcd-unavailable', detail);
  return new VcardError('simulator-unavailable', `le simulateur a refusé / simulator refused: ${detail}`);
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

async function cmdIssue(args: string[]): Promise<void> {
  const { values } = parse(
    args,
    {
      serial: { type: 'string' },
      identifier: { type: 'string' },
      pin: { type: 'string' },
      'admin-pin': { type: 'string' },
      'reset-code': { type: 'string' },
      'first-name': { type: 'string' },
      'last-name': { type: 'string' },
      dir: { type: 'string' },
    },
    0,
  );
  const serial = serialArg(str(values.serial));
  const identifier = str(values.identifier);
  const pin = str(values.pin);
  if (!identifier) throw new UsageError('--identifier manquant / missing --identifier');
  if (!pin) throw new UsageError('--pin manquant / missing --pin');
  const first = str(values['first-name']);
  const last = str(values['last-name']);
  if ((first === undefined) !== (last === undefined)) throw new UsageError('--first-name et --last-name vont ensemble / go together');
  const adminPin = str(values['admin-pin']);
  const resetCode = str(values['reset-code']);
  const path = await issueVirtualCard({
    dir: cardsDir(str(values.dir)),
    serial,
    identifier,
    pin,
    ...(adminPin !== undefined ? { adminPin } : {}),
    ...(resetCode !== undefined ? { resetCode } : {}),
    ...(first !== undefined && last !== undefined ? { holder: { firstName: first, lastName: last } } : {}),
  });
  console.log(`Carte ${serial} émise / card issued: ${path}`);
}

async function cmdInsert(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { dir: { type: 'string' }, slot: { type: 'string' } }, 1);
  const dir = cardsDir(str(values.dir));
  const wanted = optionalSlot(str(values.slot));
  const slot = wanted ?? 0;
  const serial = resolveCard(dir, positionals[0]!);
  const res = await simulatorRequest('/api/insert', wanted === undefined ? { serial } : { serial, slot: wanted });
  if (res) {
    if (!res.ok) throw await simulatorError(res);
    const { slot: used } = (await res.json()) as { slot?: unknown };
    const where = used === 0 || used === 1 ? ` (emplacement ${SLOT_FR[used]} / slot ${used})` : '';
    console.log(`Carte ${serial} insérée dans le simulateur${where} / card inserted in the simulator`);
    return;
  }
  // No simulator running: hold the card in the reader ourselves until Ctrl-C.
  const vcard = VirtualCard.fromFile(cardFile(dir, serial), { slot, logger: consoleLogger });
  await vcard.insert();
  console.log(`Carte ${serial} insérée dans le lecteur ${slot} ; Ctrl-C pour la retirer / card inserted in reader ${slot}; Ctrl-C removes it`);
  await waitForSignal();
  await vcard.remove();
  console.log('Carte retirée / card removed');
}

async function cmdRemove(args: string[]): Promise<void> {
  const { values } = parse(args, { slot: { type: 'string' }, force: { type: 'boolean' } }, 0);
  const slot = optionalSlot(str(values.slot));
  const force = values.force === true;
  const res = await simulatorRequest('/api/remove', { ...(slot === undefined ? {} : { slot }), ...(force ? { force } : {}) });
  if (!res) {
    throw new VcardError(
      'simulator-unavailable',
      "aucun simulateur lancé ; une carte insérée au premier plan se retire avec Ctrl-C / no simulator running; a card inserted in the foreground is removed with Ctrl-C",
    );
  }
  if (res.status === 409) {
    throw new VcardError(
      'box-refused',
      'le boîtier est verrouillé : il retient la carte pendant la session ; terminez la session, ou forcez avec --force / the box is locked; end the session or use --force',
    );
  }
  if (!res.ok) throw await simulatorError(res);
  const { forced } = (await res.json()) as { forced?: unknown };
  console.log(forced === true ? 'Carte arrachée du boîtier verrouillé / card yanked out of the locked box' : 'Carte retirée / card removed');
}

async function runningSimulator(path: string, body?: unknown): Promise<Response> {
  const res = await simulatorRequest(path, body);
  if (!res) throw new VcardError('simulator-unavailable', 'aucun simulateur lancé (npm run card -- simulator) / no simulator running');
  if (!res.ok) throw await simulatorError(res);
  return res;
}

async function cmdBox(args: string[]): Promise<void> {
  const { values } = parse(args, { json: { type: 'boolean' } }, 0);
  const state = BoxState.safeParse(await (await runningSimulator('/api/state')).json());
  if (!state.success) throw new VcardError('simulator-unavailable', 'réponse inattendue du simulateur / unexpected simulator answer');
  const s = state.data;
  if (values.json === true) {
    console.log(JSON.stringify({ slots: s.slots, box: s.box }, null, 2));
    return;
  }
  const led = s.box.led;
  const ledText = led.pattern === 'off' ? 'éteint / off' : `${led.indicator ?? 'autre / other'} — rgb(${led.r},${led.g},${led.b}) ${led.pattern}${led.periodMs ? ` ${led.periodMs} ms` : ''}`;
  const lines = [
    `Boîtier / box ${s.box.url} — ${s.box.plugged ? `branché / plugged, ${s.box.hosts} tablette(s) / host(s)` : 'débranché / unplugged'}, firmware ${s.box.firmware}`,
    `  Voyant / LED ........ ${ledText}`,
    `  Verrou / latch ...... ${s.box.hasLatch ? s.slots.map((x) => `${x.slot}: ${x.locked ? 'verrouillé / locked' : 'libre / unlocked'}`).join(', ') : 'aucun / none'}`,
    ...s.slots.map(
      (x) =>
        `  Emplacement / slot ${x.slot} (${x.reader}) : ${x.inserted ? `${x.holder || 'carte'} ${x.inserted}` : 'vide / empty'}${x.present ? '' : x.inserted ? ' (contact ouvert / switch open)' : ''}`,
    ),
  ];
  console.log(lines.join('\n'));
}

async function cmdButton(args: string[]): Promise<void> {
  parse(args, {}, 0);
  await runningSimulator('/api/button', {});
  console.log('Bouton du boîtier pressé / box button pressed');
}

async function cmdStatus(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { dir: { type: 'string' }, json: { type: 'boolean' } }, 1);
  const serial = serialArg(positionals[0]);
  const s = summarizeCard(loadCardState(cardFile(cardsDir(str(values.dir)), serial)));
  if (values.json === true) {
    console.log(JSON.stringify(s, null, 2));
    return;
  }
  const yes = (b: boolean) => (b ? 'oui/yes' : 'non/no');
  console.log(`Carte / card ${s.serial}
  Identifiant / identifier ........ ${s.identifier || '—'}
  Titulaire / holder .............. ${s.holder || '—'}
  Essais PIN / PIN tries left ..... ${s.pinTriesLeft}/3${s.pinTriesLeft === 0 ? ' (bloqué / blocked)' : ''}
  Essais code admin / admin PIN ... ${s.adminPinTriesLeft}/3
  Code de déblocage / reset code .. ${s.resetCodeTriesLeft === null ? 'non défini / not set' : `${s.resetCodeTriesLeft}/3`}
  Clé de signature / sig key ...... ${yes(s.keys.sig)}
  Clé d'authentification / aut key  ${yes(s.keys.aut)}
  Clé de chiffrement / dec key .... ${yes(s.keys.dec)}
  Certificat / certificate ........ ${s.certificateBytes ? `${s.certificateBytes} octets/bytes` : 'absent'}
  Signatures faites / signatures .. ${s.signatureCounter}`);
}

async function cmdBlock(args: string[]): Promise<void> {
  const { values, positionals } = parse(args, { dir: { type: 'string' } }, 1);
  const serial = serialArg(positionals[0]);
  const path = cardFile(cardsDir(str(values.dir)), serial);
  const state = loadCardState(path);
  state.counters.pw1 = 0;
  saveCardState(path, state);
  console.log(`Code PIN de la carte ${serial} bloqué / PIN blocked`);
}

async function cmdSimulator(args: string[]): Promise<void> {
  const { values } = parse(args, { dir: { type: 'string' }, port: { type: 'string' }, 'box-port': { type: 'string' }, slot: { type: 'string' } }, 0);
  const slot = slotArg(str(values.slot));
  const port = portArg(str(values.port) ?? process.env.FAC_SIMULATOR_PORT ?? new URL(process.env.FAC_SIMULATOR_URL ?? DEFAULT_SIMULATOR_URL).port);
  const boxPort = portArg(str(values['box-port']) ?? process.env.FAC_BOX_PORT ?? String(DEFAULT_BOX_PORT));
  const dir = cardsDir(str(values.dir));
  const sim = await startSimulator({ cardsDir: dir, port, host: '127.0.0.1', slot, boxPort, logger: consoleLogger });
  console.log(`Simulateur de boîtier : ${sim.url} (cartes / cards: ${dir}) ; Ctrl-C pour arrêter / to stop`);
  console.log(`Boîtier HID virtuel / virtual HID box: ${sim.boxUrl}`);
  await waitForSignal();
  await sim.close();
}

async function cmdSeedDemo(args: string[]): Promise<void> {
  const { values } = parse(args, { dir: { type: 'string' } }, 0);
  const dir = cardsDir(str(values.dir));
  for (const r of await seedDemoCards(dir, DEMO_PATH)) {
    console.log(`${r.serial} ${r.identifier} ${r.status === 'issued' ? 'émise / issued' : 'déjà présente, conservée / kept'}`);
  }
}

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  issue: cmdIssue,
  insert: cmdInsert,
  remove: cmdRemove,
  box: cmdBox,
  button: cmdButton,
  status: cmdStatus,
  block: cmdBlock,
  simulator: cmdSimulator,
  'seed-demo': cmdSeedDemo,
};

const ERROR_TEXT: Record<string, string> = {
  'state-not-found': 'carte introuvable / card not found',
  'state-corrupt': 'fichier de carte illisible / card file is corrupt',
  'state-exists': 'cette carte existe déjà / this card already exists',
  'invalid-argument': 'paramètre invalide / invalid argument',
  'vpcd-unavailable': 'le lecteur virtuel ne répond pas (pcscd lancé ?) / virtual reader not reachable (is pcscd running?)',
  'vpcd-timeout': "le lecteur n'a pas pris la carte (emplacement occupé ?) / the reader did not take the card (slot busy?)",
  'box-refused': 'le boîtier refuse / the box refuses',
};

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
    console.log(USAGE);
    return cmd === undefined ? 2 : 0;
  }
  const run = COMMANDS[cmd];
  if (!run) {
    console.error(`Erreur : commande inconnue « ${cmd} » / unknown command\nAide / help: npm run card -- help`);
    return 2;
  }
  try {
    await run(rest);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`Erreur : ${e.message}\nAide / help: npm run card -- help`);
      return 2;
    }
    if (isVcardError(e)) {
      const head = ERROR_TEXT[e.code];
      console.error(`Erreur : ${head ? `${head} — ` : ''}${e.message}`);
      return 1;
    }
    console.error(`Erreur inattendue / unexpected error: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
