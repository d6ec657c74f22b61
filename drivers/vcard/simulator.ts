/**
 * The virtual card-holder box for the demo: holds the cards of a folder, one slot (a vpcd reader),
 * and serves on loopback a small accessible page ("Simulateur de boîtier") and a JSON API:
 *   GET  /api/cards                  → { slot, inserted, cards: [...] }
 *   POST /api/insert {"serial": "…"} → inserts that card (the one in the slot is taken out first)
 *   POST /api/remove                 → takes the card out
 * The page works without JavaScript (plain forms, POST then redirect).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { silentLogger, type Logger } from '../log.ts';
import { listCards, type CardSummary } from './card-directory.ts';
import { isVcardError } from './errors.ts';
import { cardFile, isValidSerial } from './state.ts';
import { VirtualCard } from './vpcd-client.ts';

export interface SimulatorOptions {
  cardsDir: string;
  /** 0 picks a free port. */
  port: number;
  host?: string;
  slot?: 0 | 1;
  logger?: Logger;
}

export interface SimulatorHandle {
  url: string;
  /** Serial of the card in the slot, or null. */
  inserted(): string | null;
  close(): Promise<void>;
}

const MAX_BODY = 4096;
const InsertBody = z.object({ serial: z.string() });

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const NOTICES: Record<string, { text: string; error: boolean }> = {
  inseree: { text: 'La carte est dans le lecteur.', error: false },
  retiree: { text: 'La carte a été retirée.', error: false },
  'carte-inconnue': { text: 'Cette carte est introuvable.', error: true },
  'lecteur-indisponible': {
    text: 'Le lecteur ne répond pas. Vérifiez que le service des cartes à puce (pcscd) fonctionne.',
    error: true,
  },
  erreur: { text: 'Une erreur est survenue. Réessayez.', error: true },
};

function renderPage(cards: CardSummary[], inserted: string | null, notice: string | null, nonce: string): string {
  const current = cards.find((c) => c.serial === inserted);
  const status = current
    ? `Carte dans le lecteur : ${escapeHtml(current.holder || current.serial)} (n° ${current.serial}).`
    : 'Aucune carte dans le lecteur.';
  const n = notice ? NOTICES[notice] : undefined;
  const noticeHtml = n ? `<p class="${n.error ? 'notice error' : 'notice'}" role="${n.error ? 'alert' : 'status'}">${n.text}</p>` : '';
  const items = cards
    .map((c) => {
      const who = escapeHtml(c.holder || `Carte ${c.serial}`);
      const pin =
        c.pinTriesLeft === 0
          ? '<strong>Code PIN bloqué</strong>'
          : `Code PIN : ${c.pinTriesLeft} essai${c.pinTriesLeft > 1 ? 's' : ''} restant${c.pinTriesLeft > 1 ? 's' : ''}`;
      const isIn = c.serial === inserted;
      const action = isIn
        ? `<form method="post" action="/form/remove"><button type="submit">Retirer la carte de ${who}</button></form>`
        : `<form method="post" action="/form/insert"><input type="hidden" name="serial" value="${c.serial}"><button type="submit">Insérer la carte de ${who}</button></form>`;
      return `<li${isIn ? ' class="in" aria-current="true"' : ''}><h3>${who}${isIn ? ' <span class="badge">dans le lecteur</span>' : ''}</h3>
<p>Identifiant : <span class="mono">${escapeHtml(c.identifier || '—')}</span><br>N° de carte : <span class="mono">${c.serial}</span><br>${pin}</p>
${action}</li>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Simulateur de boîtier</title>
<style nonce="${nonce}">
body{font-family:system-ui,sans-serif;margin:0;background:#f6f6f6;color:#161616;font-size:1.1rem;line-height:1.5}
main{max-width:48rem;margin:0 auto;padding:1.5rem}
h1{font-size:1.8rem;margin:.5rem 0 1rem}
h2{font-size:1.3rem}
h3{font-size:1.15rem;margin:0 0 .25rem}
ul{list-style:none;padding:0}
li{background:#fff;border:2px solid #ddd;border-radius:8px;padding:1rem;margin:0 0 1rem}
li.in{border-color:#000091}
.badge{background:#000091;color:#fff;border-radius:4px;padding:0 .4rem;font-size:.9rem}
.mono{font-family:ui-monospace,monospace}
.slot{font-size:1.2rem;font-weight:600}
.notice{padding:.75rem;border-left:6px solid #18753c;background:#fff}
.notice.error{border-color:#ce0500}
button{font:inherit;padding:.6rem 1rem;border-radius:6px;border:2px solid #000091;background:#000091;color:#fff;cursor:pointer}
button:focus-visible,a:focus-visible{outline:3px solid #0a76f6;outline-offset:2px}
a{color:#000091}
</style>
</head>
<body>
<main>
<h1>Simulateur de boîtier</h1>
<p class="slot" role="status" aria-live="polite">${status}</p>
${noticeHtml}
<h2>Cartes disponibles</h2>
${cards.length ? `<ul>\n${items}\n</ul>` : '<p>Aucune carte. Créez les cartes de démonstration avec <code>npm run card -- seed-demo</code>.</p>'}
<p><a href="/">Actualiser la page</a></p>
</main>
</body>
</html>
`;
}

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

export async function startSimulator(opts: SimulatorOptions): Promise<SimulatorHandle> {
  const log = opts.logger ?? silentLogger;
  const host = opts.host ?? '127.0.0.1';
  const slot = opts.slot ?? 0;
  let current: { serial: string; vcard: VirtualCard } | null = null;
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(f: () => Promise<T>): Promise<T> => {
    const p = queue.then(f, f);
    queue = p.catch(() => undefined);
    return p;
  };

  const remove = () =>
    serialized(async () => {
      const c = current;
      current = null;
      if (c) {
        await c.vcard.remove();
        log.info({ serial: c.serial }, 'simulator: card removed');
      }
    });

  const insert = (serialInput: string) =>
    serialized(async () => {
      const serial = serialInput.trim().toUpperCase();
      if (!isValidSerial(serial)) throw new HttpError(400, 'invalid-serial', 'serial must be 8 hex digits');
      const path = cardFile(opts.cardsDir, serial);
      if (!existsSync(path)) throw new HttpError(404, 'unknown-card', `no card ${serial}`);
      if (current?.serial === serial && current.vcard.inserted) return;
      if (current) {
        await current.vcard.remove();
        current = null;
      }
      const vcard = VirtualCard.fromFile(path, { slot, logger: log });
      try {
        await vcard.insert();
      } catch (e) {
        if (isVcardError(e, 'vpcd-unavailable') || isVcardError(e, 'vpcd-timeout')) {
          throw new HttpError(503, 'reader-unavailable', e.message);
        }
        throw e;
      }
      current = { serial, vcard };
      log.info({ serial }, 'simulator: card inserted');
    });

  const cardsJson = () => {
    const { cards, corrupt } = listCards(opts.cardsDir);
    return { slot, inserted: current?.serial ?? null, cards, corrupt };
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
        res.end(renderPage(cards, current?.serial ?? null, url.searchParams.get('info'), nonce));
        return;
      }
      case 'GET /api/cards':
        json(200, cardsJson());
        return;
      case 'POST /api/insert': {
        if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
          throw new HttpError(415, 'unsupported-media-type', 'send JSON: {"serial": "…"}');
        }
        let body: unknown;
        try {
          body = JSON.parse(await readBody(req));
        } catch (e) {
          if (e instanceof HttpError) throw e;
          throw new HttpError(400, 'invalid-json', 'body is not valid JSON');
        }
        const parsed = InsertBody.safeParse(body);
        if (!parsed.success) throw new HttpError(400, 'invalid-body', 'expected {"serial": "…"}');
        await insert(parsed.data.serial);
        json(200, { inserted: current?.serial ?? null });
        return;
      }
      case 'POST /api/remove':
        await readBody(req);
        await remove();
        json(200, { inserted: null });
        return;
      case 'POST /form/insert':
      case 'POST /form/remove': {
        const form = new URLSearchParams(await readBody(req));
        let info = 'retiree';
        try {
          if (url.pathname === '/form/insert') {
            await insert(form.get('serial') ?? '');
            info = 'inseree';
          } else await remove();
        } catch (e) {
          info = e instanceof HttpError && e.status === 503 ? 'lecteur-indisponible' : e instanceof HttpError && e.status < 500 ? 'carte-inconnue' : 'erreur';
          if (!(e instanceof HttpError)) log.error({ err: e instanceof Error ? e.message : String(e) }, 'simulator: form action failed');
        }
        res.writeHead(303, { location: `/?info=${info}` });
        res.end();
        return;
      }
      default:
        if (['/', '/api/cards', '/api/insert', '/api/remove', '/form/insert', '/form/remove'].includes(url.pathname)) {
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

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${host}:${addr.port}`;
  origin = url;
  log.info({ url, cardsDir: opts.cardsDir, slot }, 'simulator listening');

  return {
    url,
    inserted: () => current?.serial ?? null,
    close: async () => {
      await remove();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

