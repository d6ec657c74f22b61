/**
 * Release step after `electron-builder --linux --publish never`: signs the update feed
 * (`latest-linux.yml`, `latest-linux-arm64.yml`) with the offline Ed25519 release key, and sets the
 * staged-rollout percentage. The kiosk refuses a feed without a valid signature (kiosk/main/update-signature.ts).
 *
 *   tsx build/release/sign-feed.ts sign  --feed dist/electron/latest-linux.yml --key /media/release/update-key.pem
 *   tsx build/release/sign-feed.ts stage --feed dist/electron/latest-linux.yml --percent 10
 *
 * The feed is read with electron-updater's own parser (what the kiosk will do), every listed file is
 * hashed again from the artifacts next to the feed, and the signature covers version, file names, SHA-512
 * and sizes. `stagingPercentage` is outside the signature: widening a rollout does not need the key.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { SIGNATURE_FIELD, sha512File, signUpdateInfo, verifyUpdateInfo } from '../../kiosk/main/update-signature.ts';
import type { SignedFile } from '../../kiosk/main/update-signature.ts';

const require = createRequire(import.meta.url);

const ParseFn = z.custom<(raw: string, channelFile: string, url: string) => unknown>((f) => typeof f === 'function');

/** The feed as the kiosk's updater parses it. */
export function parseFeed(text: string): unknown {
  const provider: unknown = require('electron-updater/out/providers/Provider.js');
  const parse = ParseFn.parse((provider as { parseUpdateInfo?: unknown }).parseUpdateInfo);
  return parse(text, 'latest-linux.yml', 'file:latest-linux.yml');
}

const FeedFile = z.object({ url: z.string().regex(/^[\w.+-]+$/), sha512: z.string(), size: z.number().int().positive().optional() });
const Feed = z.looseObject({ version: z.string(), files: z.array(FeedFile).min(1) });

export class FeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeedError';
  }
}

/** Sets (or replaces) one top-level `key: value` line of the yml, leaving the rest as electron-builder wrote it. */
function setTopLevel(text: string, key: string, value: string): string {
  const kept = text.split('\n').filter((line) => !line.startsWith(`${key}:`));
  while (kept.length > 0 && kept.at(-1) === '') kept.pop();
  return [...kept, `${key}: ${value}`, ''].join('\n');
}

export async function signFeed(feedPath: string, privateKeyPem: string): Promise<{ version: string; files: SignedFile[] }> {
  const text = readFileSync(feedPath, 'utf8');
  const parsed = Feed.safeParse(parseFeed(text));
  if (!parsed.success) throw new FeedError(`${feedPath}: not an update feed (${parsed.error.issues[0]?.message})`);
  const { version, files } = parsed.data;
  for (const f of files) {
    const actual = await sha512File(join(dirname(feedPath), f.url));
    if (actual !== f.sha512) throw new FeedError(`${f.url}: its SHA-512 differs from the feed's; rebuild or re-publish`);
  }
  const signature = signUpdateInfo({ version, files }, privateKeyPem);
  const out = setTopLevel(text, SIGNATURE_FIELD, signature);
  // read back as the kiosk will: the signature must verify with the matching public key
  const check = verifyUpdateInfo(parseFeed(out), publicKeyOf(privateKeyPem));
  if (!check.ok) throw new FeedError(`signed feed does not verify: ${check.reason}`);
  writeFileSync(feedPath, out);
  return { version, files };
}

export function stageFeed(feedPath: string, percent: number): void {
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw new FeedError('the rollout percentage is an integer from 0 to 100');
  const text = readFileSync(feedPath, 'utf8');
  if (!Feed.safeParse(parseFeed(text)).success) throw new FeedError(`${feedPath}: not an update feed`);
  writeFileSync(feedPath, setTopLevel(text, 'stagingPercentage', String(percent)));
}

function publicKeyOf(privateKeyPem: string): string {
  return createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'pem' }).toString();
}

async function cli(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: { feed: { type: 'string' }, key: { type: 'string' }, percent: { type: 'string' } } });
  if (!values.feed) throw new FeedError('--feed <latest-linux.yml> is required');
  if (command === 'sign') {
    if (!values.key) throw new FeedError('--key <ed25519 private key PEM> is required');
    const r = await signFeed(values.feed, readFileSync(values.key, 'utf8'));
    console.log(`signed ${values.feed}: version ${r.version}, ${r.files.map((f) => f.url).join(', ')}`);
  } else if (command === 'stage') {
    stageFeed(values.feed, Number(values.percent));
    console.log(`${values.feed}: stagingPercentage ${values.percent}`);
  } else {
    throw new FeedError('usage: sign-feed.ts sign --feed FILE --key KEY | stage --feed FILE --percent N');
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  cli(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
