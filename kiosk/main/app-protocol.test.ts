import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_CSP, MAINTENANCE_PATH, routeAppRequest, serveAppRequest } from './app-protocol.ts';
import type { AppRoots } from './app-protocol.ts';

let dir: string;
let roots: AppRoots;
const SHELL_DIR = join(import.meta.dirname, 'static');

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fac-app-protocol-'));
  const renderer = join(dir, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(renderer, 'assets', 'index-1.js'), 'console.log(1)');
  writeFileSync(join(renderer, '.env'), 'SECRET=1');
  writeFileSync(join(dir, 'secret.html'), 'outside the root');
  symlinkSync(join(dir, 'secret.html'), join(renderer, 'escape.html'));
  symlinkSync('/etc', join(renderer, 'etc'));
  roots = { renderer, shell: SHELL_DIR };
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('routing', () => {
  it('sends the app to the renderer tree and the shell pages to theirs', () => {
    expect(routeAppRequest('GET', 'app://kiosk/')).toEqual({ kind: 'renderer', path: '/' });
    expect(routeAppRequest('GET', 'app://kiosk/assets/index-1.js?v=2')).toEqual({ kind: 'renderer', path: '/assets/index-1.js' });
    expect(routeAppRequest('GET', `app://kiosk${MAINTENANCE_PATH}`)).toEqual({ kind: 'shell', path: '/maintenance.html' });
  });

  it('answers GET only', () => {
    for (const m of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'CONNECT', 'get', '']) {
      expect(routeAppRequest(m, 'app://kiosk/'), m).toEqual({ kind: 'refused', status: 405 });
    }
  });

  it('serves our host only', () => {
    for (const u of ['app://kiosk.evil/', 'app://evil/', 'app://user:pw@kiosk/', 'app://kiosk:81/', 'app://KIOSK.evil/index.html']) {
      expect(routeAppRequest('GET', u), u).toEqual({ kind: 'refused', status: 403 });
    }
    for (const u of ['https://kiosk/', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,x', 'not a url', `app://kiosk/${'a'.repeat(3000)}`]) {
      expect(routeAppRequest('GET', u), u).toEqual({ kind: 'refused', status: 400 });
    }
  });
});

describe('serving', () => {
  const get = (url: string, method = 'GET') => serveAppRequest(roots, method, url);

  it('serves the app page and its assets with the strict CSP', async () => {
    const page = await get('app://kiosk/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(Buffer.from(page.body!).toString()).toContain('<title>app</title>');
    expect(page.headers['content-security-policy']).toBe(APP_CSP);
    expect(APP_CSP).toContain("connect-src 'none'");
    expect(APP_CSP).toContain("default-src 'none'");
    expect(APP_CSP).toContain("script-src 'self'");
    expect(APP_CSP).not.toContain('unsafe');
    const js = await get('app://kiosk/assets/index-1.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves the maintenance page, in French, without any script', async () => {
    const r = await get(`app://kiosk${MAINTENANCE_PATH}`);
    expect(r.status).toBe(200);
    const html = Buffer.from(r.body!).toString();
    expect(html).toContain('lang="fr"');
    expect(html).toContain('La borne ne marche pas pour le moment.');
    expect(html).not.toMatch(/<script|\son\w+=|\sstyle=/i);
    expect(html).toBe(readFileSync(join(SHELL_DIR, 'maintenance.html'), 'utf8'));
    const css = await get('app://kiosk/_shell/maintenance.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    // the shell tree has no index: /_shell/ is not a page
    expect((await get('app://kiosk/_shell/')).status).toBe(404);
    expect((await get('app://kiosk/_shell')).status).toBe(404);
  });

  it('refuses traversal, encoded or not, dotfiles and symlink escapes', async () => {
    const cases: Array<[string, number[]]> = [
      ['app://kiosk/..%2fsecret.html', [403]],
      ['app://kiosk/%2e%2e/secret.html', [404]], // the URL parser resolves %2e%2e as "..": it stays inside the root
      ['app://kiosk/assets/..%2f..%2fsecret.html', [403]],
      ['app://kiosk/%252e%252e%252fsecret.html', [404]], // double-encoded: a literal odd name, not a traversal
      ['app://kiosk/..%5csecret.html', [400]],
      ['app://kiosk/%00index.html', [400]],
      ['app://kiosk/%E0%A4%A', [400]],
      ['app://kiosk/.env', [403]],
      ['app://kiosk/%2eenv', [403]],
      ['app://kiosk/escape.html', [403]],
      ['app://kiosk/etc/passwd', [404]], // no known type
      ['app://kiosk/etc/hostname.html', [403, 404]],
      ['app://kiosk/_shell/..%2f..%2f..%2fmain.ts', [403]],
      ['app://kiosk/_shell/%2e%2e%2fapp-protocol.ts', [403]],
      ['app://kiosk/missing.js', [404]],
    ];
    for (const [url, statuses] of cases) {
      const r = await get(url);
      expect(statuses, `${url} → ${r.status}`).toContain(r.status);
      expect(r.body, url).toBeNull();
      expect(r.headers['content-security-policy'], url).toBe(APP_CSP);
    }
  });

  it('refuses other methods and hosts with no body', async () => {
    expect(await get('app://kiosk/', 'POST')).toMatchObject({ status: 405, body: null });
    expect(await get('app://kiosk/', 'HEAD')).toMatchObject({ status: 405, body: null });
    expect(await get('app://kiosk.evil/')).toMatchObject({ status: 403, body: null });
  });
});
