/**
 * The whole virtual card-holder box for the demo and the tests: two slots, each a vpcd reader
 * (slot 0 → "Virtual PCD 00 00", slot 1 → "Virtual PCD 00 01"), and the box's HID side (a
 * `VirtualBox` served on loopback TCP, reached by the kiosk with `tcp://127.0.0.1:PORT`).
 * The two move together as a real box does: a card going in reaches the reader first, then closes
 * the card-present switch; a card coming out opens the switch first (instant), then leaves the reader.
 * A locked latch refuses a normal removal (and an insertion into its slot); a forced removal is a
 * card yanked out, which the kiosk must handle all the same.
 *
 * Loopback page ("Simulateur de boîtier", plain forms, no JavaScript) and JSON API:
 *   GET  /api/state                                → slots, box (LED, latches, cable), cards
 *   GET  /api/cards                                → { slot, inserted, slots, cards, corrupt } (older shape)
 *   POST /api/insert {"serial", "slot"?}           → { slot, inserted }
 *   POST /api/remove {"slot"?, "force"?}           → { slot, inserted: null, forced }; 409 box-locked
 *   POST /api/button                               → { pressed: true }
 *   POST /api/box {"plugged": boolean}             → { plugged } (the USB cable)
 * Cross-origin POSTs are refused.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { startVirtualBoxServer, type VirtualBoxServer } from '../hid/virtual-box-server.ts';
import { VirtualBox, type VirtualBoxOptions } from '../hid/virtual-box.ts';
import { indicatorOf } from '../hid/indicators.ts';
import { silentLogger, type Logger } from '../log.ts';
import { listCards } from './card-directory.ts';
import { isVcardError } from './errors.ts';
import { renderPage, type PageSlot, type SlotNumber } from './simulator-page.ts';
import { cardFile, isValidSerial } from './state.ts';
import { VirtualCard } from './vpcd-client.ts';

export const DEFAULT_BOX_PORT = 7392;

export interface SimulatorOptions {
  cardsDir: string;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** The slot used by requests that name none. Default 0. */
  slot?: SlotNumber;
  /** Loopback TCP port of the virtual HID box; 0 (the default) picks a free one. The CLI uses 7392. */
  boxPort?: number;
  /** The box's make-up (latch, button, firmware…). Always two slots. */
  box?: Omit<VirtualBoxOptions, 'slots'>;
  logger?: Logger;
}

export interface SimulatorHandle {
  url: string;
  /** `tcp://127.0.0.1:PORT`: what the kiosk opens (`openCardBox`). */
  boxUrl: string;
  /** The box's firmware model: LED, latches, switches. */
  box: VirtualBox;
  /** Serial of the card in a slot (default: the default slot), or null. */
  inserted(slot?: SlotNumber): string | null;
  close(): Promise<void>;
}

const MAX_BODY = 4096;
const SlotSchema = z.union([z.literal(0), z.literal(1)]);
const InsertBody = z.object({ serial: z.string(), slot: SlotSchema.optional() }).strict();
const RemoveBody = z.object({ slot: SlotSchema.optional(), force: z.boolean().optional() }).strict();
const BoxBody = z.object({ plugged: z.boolean() }).strict();

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const READER: Record<SlotNumber, string> = { 0: 'Virtual PCD 00 00', 1: 'Virtual PCD 00 01' };

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > MAX_BODY) throw new HttpError(413, 'body-too-large', 'request body too large');
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A JSON body validated by `schema`; an empty body counts as `{}` when `emptyOk`. */
async function jsonBody<T>(req: IncomingMessage, schema: z.ZodType<T>, hint: string, emptyOk: boolean): Promise<T> {
  const text = await readBody(req);
  let body: unknown = {};
  if (text.trim() !== '' || !emptyOk) {
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      throw new HttpError(415, 'unsupported-media-type', `send JSON: ${hint}`);
    }
    try {
      body = JSON.parse(text);
    } catch {
      throw new HttpError(400, 'invalid-json', 'body is not valid JSON');
    }
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new HttpError(400, 'invalid-body', `expected ${hint}`);
  return parsed.data;
}

function formSlot(v: string | null, fallback: SlotNumber): SlotNumber {
  if (v === null || v === '') return fallback;
  if (v === '0' || v === '1') return Number(v) as SlotNumber;
  throw new HttpError(400, 'invalid-slot', 'slot must be 0 or 1');
}

export async function startSimulator(opts: SimulatorOptions): Promise<SimulatorHandle> {
  const log = opts.logger ?? silentLogger;
  const host = opts.host ?? '127.0.0.1';
  const defaultSlot: SlotNumber = opts.slot ?? 0;
  const box = new VirtualBox({ ...opts.box, slots: 2 });
  const slots: [{ serial: string; vcard: VirtualCard } | null, { serial: string; vcard: VirtualCard } | null] = [null, null];
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(f: () => Promise<T>): Promise<T> => {
    const p = queue.then(f, f);
    queue = p.catch(() => undefined);
    return p;
  };

  /** Switch open first (the kiosk reacts at once), then the card leaves the reader. */
  const takeOut = async (slot: SlotNumber): Promise<void> => {
    const c = slots[slot];
    box.setCardPresent(slot, false);
    slots[slot] = null;
    if (c) {
      await c.vcard.remove();
      log.info({ serial: c.serial, slot }, 'simulator: card removed');
    }
  };

  const remove = (slot: SlotNumber, force: boolean) =>
    serialized(async () => {
      if (slots[slot] && box.latched(slot) && !force) {
        throw new HttpError(409, 'box-locked', `slot ${slot} is locked by the box: the card is held during the session (force to yank it out)`);
      }
      const forced = slots[slot] !== null && box.latched(slot);
      await takeOut(slot);
      if (forced) log.warn({ slot }, 'simulator: card yanked out of a locked slot');
      return forced;
    });

  const insert = (serialInput: string, slot: SlotNumber) =>
    serialized(async () => {
      const serial = serialInput.trim().toUpperCase();
      if (!isValidSerial(serial)) throw new HttpError(400, 'invalid-serial', 'serial must be 8 hex digits');
      const path = cardFile(opts.cardsDir, serial);
      if (!existsSync(path)) throw new HttpError(404, 'unknown-card', `no card ${serial}`);
      if (slots[slot]?.serial === serial && slots[slot].vcard.inserted) return;
      if (box.latched(slot)) throw new HttpError(409, 'slot-locked', `slot ${slot} is locked by the box`);
      const other: SlotNumber = slot === 0 ? 1 : 0;
      if (slots[other]?.serial === serial) {
        // One card, one slot: moving it means taking it out of the other one first.
        if (box.latched(other)) throw new HttpError(409, 'box-locked', `card ${serial} is held in locked slot ${other}`);
        await takeOut(other);
      }
      if (slots[slot]) await takeOut(slot);
      const vcard = VirtualCard.fromFile(path, { slot, logger: log });
      try {
        await vcard.insert();
      } catch (e) {
        if (isVcardError(e, 'vpcd-unavailable') || isVcardError(e, 'vpcd-timeout')) {
          throw new HttpError(503, 'reader-unavailable', e.message);
        }
        throw e;
      }
      slots[slot] = { serial, vcard };
      box.setCardPresent(slot, true);
      log.info({ serial, slot }, 'simulator: card inserted');
    });

  const pressButton = () => {
    if (!box.info.button) throw new HttpError(409, 'no-button', 'this box has no button');
    if (!box.plugged) throw new HttpError(409, 'box-unplugged', 'the box is unplugged');
    box.pressButton();
  };

  const setPlugged = (plugged: boolean) => (plugged ? box.plug() : box.unplug());

  let boxServer: VirtualBoxServer;
  try {
    boxServer = await startVirtualBoxServer({ box, host: '127.0.0.1', port: opts.boxPort ?? 0, logger: log });
  } catch (e) {
    throw new Error(`cannot serve the virtual box on port ${opts.boxPort ?? 0}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }

  const pageSlots = (): PageSlot[] => {
    const { cards } = listCards(opts.cardsDir);
    return ([0, 1] as const).map((slot) => {
      const c = slots[slot];
      const summary = c ? (cards.find((x) => x.serial === c.serial) ?? { serial: c.serial, holder: '', identifier: '' }) : null;
      return { slot, reader: READER[slot], card: summary, locked: box.latched(slot) };
    });
  };

  const state = () => {
    const { cards, corrupt } = listCards(opts.cardsDir);
    const led = box.led();
    return {
      defaultSlot,
      slots: ([0, 1] as const).map((slot) => {
        const c = slots[slot];
        const card = c ? cards.find((x) => x.serial === c.serial) : undefined;
        return {
          slot,
          reader: READER[slot],
          inserted: c?.serial ?? null,
          holder: card?.holder ?? null,
          present: box.cardPresent(slot),
          locked: box.latched(slot),
        };
      }),
      box: {
        url: boxServer.url,
        plugged: box.plugged,
        hosts: box.hostCount,
        firmware: `${box.info.firmware.major}.${box.info.firmware.minor}.${box.info.firmware.patch}`,
        hasLatch: box.info.latch,
        hasButton: box.info.button,
        led: { ...led, indicator: indicatorOf(led) },
      },
      cards,
      corrupt,
    };
  };

  let origin = '';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };

    if (method === 'POST') {
      // Only this page (or non-browser clients) may press the buttons.
      const o = req.headers.origin;
      const site = req.headers['sec-fetch-site'];
      if ((o !== undefined && o !== origin) || site === 'cross-site') throw new HttpError(403, 'forbidden-origin', 'cross-origin request refused');
    }

    const route = `${method} ${url.pathname}`;
    switch (route) {
      case 'GET /': {
        const nonce = randomBytes(16).toString('base64');
        const { cards } = listCards(opts.cardsDir);
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-store',
          'content-security-policy': `default-src 'none'; style-src 'nonce-${nonce}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
          'x-content-type-options': 'nosniff',
        });
        const led = box.led();
        res.end(
          renderPage({
            cards,
            slots: pageSlots(),
            box: { url: boxServer.url, plugged: box.plugged, hosts: box.hostCount, hasLatch: box.info.latch, hasButton: box.info.button, led },
            notice: url.searchParams.get('info'),
            nonce,
          }),
        );
        return;
      }
      case 'GET /api/state':
        json(200, state());
        return;
      case 'GET /api/cards': {
        const { cards, corrupt } = listCards(opts.cardsDir);
        json(200, { slot: defaultSlot, inserted: slots[defaultSlot]?.serial ?? null, slots: slots.map((s) => s?.serial ?? null), cards, corrupt });
        return;
      }
      case 'POST /api/insert': {
        const body = await jsonBody(req, InsertBody, '{"serial": "…", "slot"?: 0|1}', false);
        const slot = body.slot ?? defaultSlot;
        await insert(body.serial, slot);
        json(200, { slot, inserted: slots[slot]?.serial ?? null });
        return;
      }
      case 'POST /api/remove': {
        const body = await jsonBody(req, RemoveBody, '{"slot"?: 0|1, "force"?: boolean}', true);
        const slot = body.slot ?? defaultSlot;
        const forced = await remove(slot, body.force === true);
        json(200, { slot, inserted: null, forced });
        return;
      }
      case 'POST /api/button':
        await readBody(req);
        pressButton();
        json(200, { pressed: true });
        return;
      case 'POST /api/box': {
        const body = await jsonBody(req, BoxBody, '{"plugged": true|false}', false);
        setPlugged(body.plugged);
        json(200, { plugged: box.plugged });
        return;
      }
      case 'POST /form/insert':
      case 'POST /form/remove':
      case 'POST /form/button':
      case 'POST /form/box': {
        const form = new URLSearchParams(await readBody(req));
        let info: string;
        try {
          if (url.pathname === '/form/insert') {
            await insert(form.get('serial') ?? '', formSlot(form.get('slot'), defaultSlot));
            info = 'inseree';
          } else if (url.pathname === '/form/remove') {
            info = (await remove(formSlot(form.get('slot'), defaultSlot), form.get('force') === '1')) ? 'retrait-force' : 'retiree';
          } else if (url.pathname === '/form/button') {
            pressButton();
            info = 'bouton';
          } else {
            const plugged = form.get('plugged') === '1';
            setPlugged(plugged);
            info = plugged ? 'boitier-branche' : 'boitier-debranche';
          }
        } catch (e) {
          const code = e instanceof HttpError ? e.code : '';
          const byCode: Record<string, string> = {
            'reader-unavailable': 'lecteur-indisponible',
            'box-locked': 'boitier-verrouille',
            'slot-locked': 'emplacement-verrouille',
            'no-button': 'sans-bouton',
            'box-unplugged': 'boitier-absent',
          };
          info = byCode[code] ?? (e instanceof HttpError && e.status < 500 ? 'carte-inconnue' : 'erreur');
          if (!(e instanceof HttpError)) log.error({ err: e instanceof Error ? e.message : String(e) }, 'simulator: form action failed');
        }
        res.writeHead(303, { location: `/?info=${info}` });
        res.end();
        return;
      }
      default:
        if (
          ['/', '/api/state', '/api/cards', '/api/insert', '/api/remove', '/api/button', '/api/box', '/form/insert', '/form/remove', '/form/button', '/form/box'].includes(
            url.pathname,
          )
        ) {
          throw new HttpError(405, 'method-not-allowed', `${method} not allowed on ${url.pathname}`);
        }
        throw new HttpError(404, 'not-found', 'not found');
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const err = e instanceof HttpError ? e : new HttpError(500, 'internal-error', 'internal error');
      if (!(e instanceof HttpError)) log.error({ err: e instanceof Error ? e.message : String(e) }, 'simulator: request failed');
      if (res.headersSent) {
        res.end();
        return;
      }
      res.writeHead(err.status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify({ error: err.code, message: err.message }));
    });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    await boxServer.close();
    throw e;
  }
  const addr = server.address() as AddressInfo;
  const url = `http://${host}:${addr.port}`;
  origin = url;
  log.info({ url, boxUrl: boxServer.url, cardsDir: opts.cardsDir, defaultSlot }, 'simulator listening');

  return {
    url,
    boxUrl: boxServer.url,
    box,
    inserted: (slot: SlotNumber = defaultSlot) => slots[slot]?.serial ?? null,
    close: async () => {
      await serialized(async () => {
        for (const slot of [0, 1] as const) await takeOut(slot);
      });
      await boxServer.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
