/**
 * The card PIN policy proven with standard middleware: a BLANK virtual OpenPGP card in vpcd slot 1 is issued
 * by the platform (issueCard over pcscd) with a 6-digit PIN, then OpenSC's PKCS#11 module, through
 * `pkcs11-tool`, logs in with that PIN and signs with the card's signature key (ECDSA P-256, key id 01);
 * node:crypto checks the signature against the signature public key read from the card. OpenSC refuses a
 * 4-digit PIN itself (CKR_PIN_LEN_RANGE: what made 4-digit cards unusable with standard tools), and so does
 * issuance. pkcs11-tool comes from Debian's `opensc`, which scripts/setup.sh installs: missing, the test
 * fails rather than skips.
 *
 * pkcs11-tool runs as a child process with execFile (never a synchronous spawn): the virtual card answers
 * from this very process, whose event loop must stay free.
 */
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { insertBlankCard, vpcdReader } from '../../../../scripts/demo-cards.ts';
import type { BlankCard } from '../../../../scripts/demo-cards.ts';
import type { CardConnection } from '../../../../drivers/pcsc/connection.ts';
import { OpenPgpCard } from '../../../../drivers/pcsc/openpgp.ts';
import type { ReaderManager } from '../../../../drivers/pcsc/reader-manager.ts';
import { watchReader } from '../../../test-support/test-reader.ts';
import type { WatchedReader } from '../../../test-support/test-reader.ts';
import { CARD_PIN_LENGTH } from '../../../protocol/card-pin.ts';
import { readSeedFile, seedDatabase } from '../../edge/seed.ts';
import { openDatabase } from '../../kernel/storage/database.ts';
import type { Storage } from '../../kernel/storage/database.ts';
import { migrateToLatest } from '../../kernel/storage/migrate.ts';
import { freshEnv, SEED_PATH } from '../../../test-support/test-env.ts';
import type { TestEnv } from '../../../test-support/test-env.ts';
import { initCa } from './ca-store.ts';
import type { LoadedCa } from './ca-store.ts';
import { issueCard } from './issue-card.ts';
import type { IssueCardOptions } from './issue-card.ts';

const SLOT = 1;
const READER = vpcdReader(SLOT);
const PKCS11_TOOL = '/usr/bin/pkcs11-tool';
const MODULE = ['x86_64-linux-gnu', 'aarch64-linux-gnu']
  .flatMap((arch) => [`/usr/lib/${arch}/opensc-pkcs11.so`, `/usr/lib/${arch}/pkcs11/opensc-pkcs11.so`])
  .find((p) => existsSync(p));
/** OpenSC's OpenPGP emulation gives the signature key (id 01, PW1 in mode 81) a token of its own. */
const SIGNATURE_TOKEN = 'OpenPGP card (User PIN (sig))';
const PIN = '482619';

let env: TestEnv;
let storage: Storage;
let ca: LoadedCa;
let work: string;
let manager: ReaderManager;
let watched: WatchedReader;
const inReader: BlankCard[] = [];

interface ToolRun {
  code: number;
  stdout: string;
  stderr: string;
}

function pkcs11Tool(args: string[]): Promise<ToolRun> {
  if (!MODULE) throw new Error('OpenSC PKCS#11 module not found: run scripts/setup.sh (Debian package opensc)');
  const module = MODULE;
  return new Promise((resolve) => {
    execFile(PKCS11_TOOL, ['--module', module, '--token-label', SIGNATURE_TOKEN, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const waitFor = (event: 'card-inserted' | 'card-removed', timeoutMs?: number) => watched.waitFor(event, timeoutMs);

async function blank(serial: string): Promise<void> {
  const inserted = waitFor('card-inserted');
  inReader.push(await insertBlankCard({ dir: join(work, 'cards'), serial, slot: SLOT }));
  await inserted;
}

/** Runs `f` on a connection of our own, released before anyone else (pkcs11-tool) uses the card. */
async function withCard<T>(f: (c: CardConnection) => Promise<T>): Promise<T> {
  const connection = await manager.connect(READER);
  try {
    return await f(connection);
  } finally {
    await connection.disconnect();
  }
}

const issue = (o: Pick<IssueCardOptions, 'person' | 'pin'>) => withCard((connection) => issueCard({ db: storage.db, dialect: storage.dialect, ca, connection, ...o }));

beforeAll(async () => {
  expect(existsSync(PKCS11_TOOL) && MODULE !== undefined, 'pkcs11-tool and OpenSC’s PKCS#11 module (Debian opensc, installed by scripts/setup.sh)').toBe(true);
  env = await freshEnv('sqlite', false);
  storage = openDatabase(env.config.database);
  await migrateToLatest(storage.db, storage.dialect);
  await seedDatabase(storage.db, await readSeedFile(SEED_PATH));
  ca = await initCa(env.config.dataDir);
  work = mkdtempSync(join(tmpdir(), 'fac-pkcs11-'));
  watched = await watchReader(READER);
  manager = watched.manager;
});

afterEach(async () => {
  const removed = manager.cardPresent(READER) ? waitFor('card-removed', 5000).catch(() => undefined) : undefined;
  await Promise.all(inReader.splice(0).map((c) => c.remove()));
  await removed;
});

afterAll(async () => {
  await manager?.close();
  await storage?.db.destroy();
  await env?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('a card issued with a 6-digit PIN works with OpenSC’s PKCS#11 module', () => {
  it('pkcs11-tool logs in with the PIN and signs with the signature key; node:crypto verifies it', async () => {
    expect(PIN).toHaveLength(CARD_PIN_LENGTH.min);
    await blank('0B0000C1');
    await issue({ person: { firstName: 'Inès', lastName: 'Carpentier', birthDate: '1990-07-12' }, pin: PIN });
    const sigPoint = await withCard(async (c) => (await OpenPgpCard.select(c)).readPublicKey('sig'));

    // OpenSC sees the card and the PIN rule a real OpenPGP card has (PW1 6 or more)
    const listed = await pkcs11Tool(['--list-token-slots']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/serial num\s+:\s+ff000b0000c1/i);
    expect(listed.stdout).toMatch(/pin min\/max\s+:\s+6\//);

    const message = Buffer.concat([Buffer.from('Facilitateur: demande signée par la carte\n'), randomBytes(32)]);
    const input = join(work, 'digest.bin');
    const output = join(work, 'signature.bin');
    // mechanism ECDSA signs the 32 bytes given: the SHA-256 of the message, as the kiosk sends it (PSO:CDS)
    writeFileSync(input, createHash('sha256').update(message).digest());
    const t0 = performance.now();
    const signed = await pkcs11Tool(['--login', '--pin', PIN, '--sign', '--mechanism', 'ECDSA', '--id', '01', '--input-file', input, '--output-file', output]);
    console.info(`pkcs11-tool login + ECDSA sign over pcscd/vpcd: ${Math.round(performance.now() - t0)} ms`);
    expect(signed.code, `${signed.stdout}\n${signed.stderr}`).toBe(0);
    const signature = readFileSync(output);
    expect(signature).toHaveLength(64); // r || s

    const key = createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: Buffer.from(sigPoint.subarray(1, 33)).toString('base64url'), y: Buffer.from(sigPoint.subarray(33, 65)).toString('base64url') },
      format: 'jwk',
    });
    expect(verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
    expect(verify('sha256', Buffer.concat([message, Buffer.of(0)]), { key, dsaEncoding: 'ieee-p1363' }, signature)).toBe(false);

    // the public key OpenSC exposes for id 01 is the card's signature key
    const exported = join(work, 'sig-pub.der');
    const read = await pkcs11Tool(['--read-object', '--type', 'pubkey', '--id', '01', '--output-file', exported]);
    expect(read.code, read.stderr).toBe(0);
    const jwk = createPublicKey({ key: readFileSync(exported), format: 'der', type: 'spki' }).export({ format: 'jwk' });
    expect(jwk).toMatchObject(key.export({ format: 'jwk' }));

    // a wrong PIN costs a try, as on any OpenPGP card; the right one resets the counter
    const wrong = await pkcs11Tool(['--login', '--pin', '999999', '--sign', '--mechanism', 'ECDSA', '--id', '01', '--input-file', input, '--output-file', output]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/CKR_PIN_INCORRECT/);
    expect((await withCard(async (c) => (await OpenPgpCard.select(c)).readPwStatus())).pw1Tries).toBe(2);
  });

  it('a 4-digit PIN is refused by OpenSC itself and by issuance, and the card is not touched', async () => {
    await blank('0B0000C2');
    // the card still has its factory PW1 (123456): OpenSC refuses a 4-digit PIN before sending anything
    const short = await pkcs11Tool(['--login', '--pin', '4826', '--list-objects']);
    expect(short.code).not.toBe(0);
    expect(short.stderr).toMatch(/CKR_PIN_LEN_RANGE/);

    await expect(issue({ person: { firstName: 'Inès', lastName: 'Carpentier', birthDate: '1990-07-12' }, pin: '4826' })).rejects.toMatchObject({
      code: 'invalid',
      message: expect.stringMatching(/^Le code doit avoir 6 à 8 chiffres/),
    });
    const status = await withCard(async (c) => {
      const card = await OpenPgpCard.select(c);
      return { pw: await card.readPwStatus(), login: await card.readLoginData(), certificate: await card.readCertificate() };
    });
    expect(status).toMatchObject({ pw: { pw1Tries: 3, pw3Tries: 3 }, login: '', certificate: null });
  });
});
