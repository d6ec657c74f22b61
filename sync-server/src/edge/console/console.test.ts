/**
 * The processing console through Fastify inject, on both engines: login (right, wrong, throttled),
 * sessions (cookie, hashed token, expiry, disabled account), CSRF, the queue's scoping (institution
 * kind, linked aids waiting for their parent), the decision flow with pieces asked again, refusals that
 * change nothing, the thread, viewing a piece through the access policy (allowed and journaled, or
 * denied and not), and malformed forms answered in French with nothing stored.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fireEvent, listDossiers, viewDossier } from '../../features/applications/index.ts';
import { postMessage, messagesOf } from '../../features/applications/index.ts';
import { LocalBlobStore } from '../../kernel/blobs/blob-store.ts';
import { verifyAuditChain } from '../../kernel/audit.ts';
import { personJournal } from '../../features/vault/index.ts';
import { loadCatalogue } from '../../features/aids/index.ts';
import { readSeedFile, seedDatabase } from '../seed.ts';
import { openDatabase } from '../../kernel/storage/database.ts';
import type { Storage } from '../../kernel/storage/database.ts';
import { migrateToLatest } from '../../kernel/storage/migrate.ts';
import { CAMILLE, countRows, DIALECTS, freshEnv, SEED_PATH, YANIS } from '../../../test-support/test-env.ts';
import type { TestEnv } from '../../../test-support/test-env.ts';
import { createConsoleAccount, disableConsoleAccount } from '../../features/accounts/index.ts';
import { createSession, purgeExpiredConsoleSessions } from '../../features/accounts/index.ts';
import { CONSOLE_CSP, registerConsole } from './routes.ts';
import { fileDossier, piece } from '../../../test-support/console-fixtures.ts';
import type { FiledDossier } from '../../../test-support/console-fixtures.ts';

const DEMO_PASSWORD = 'demo-console-1234';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function setCookies(res: LightMyRequestResponse): Map<string, string> {
  const raw = res.headers['set-cookie'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return new Map(list.map((c) => [c.split('=')[0]!, c]));
}

function cookieValue(setCookie: string | undefined): string {
  return (setCookie ?? '').split(';')[0]!.split('=').slice(1).join('=');
}

function csrfOf(html: string): string {
  const m = /name="csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no csrf field in the page');
  return m[1]!;
}

const form = (o: Record<string, string | string[]>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return p.toString();
};

describe.each(DIALECTS)('processing console (%s)', (dialect) => {
  let env: TestEnv;
  let storage: Storage;
  let app: FastifyInstance;
  let blobDir: string;
  let blobStore: LocalBlobStore;
  let bundle: FiledDossier; // Camille: RSA + CSS (CAF + CPAM)
  let linked: FiledDossier; // Yanis: MDPH request + AAH waiting for it
  let draft: FiledDossier; // Camille: prime d'activité, not sent

  beforeAll(async () => {
    env = await freshEnv(dialect);
    storage = openDatabase(env.config.database);
    await migrateToLatest(storage.db, storage.dialect);
    await seedDatabase(storage.db, await readSeedFile(SEED_PATH));
    blobDir = mkdtempSync(join(tmpdir(), 'fac-console-blobs-'));
    blobStore = new LocalBlobStore(blobDir);
    app = Fastify({ logger: false });
    await registerConsole(app, { db: storage.db, dialect: storage.dialect, blobStore });
    await app.ready();
    const deps = { db: storage.db, dialect: storage.dialect, blobStore };
    const kiosk = (await storage.db.selectFrom('kiosks').select('id').executeTakeFirstOrThrow()).id;
    bundle = await fileDossier(deps, {
      personIdentifier: CAMILLE.identifier,
      aids: ['rsa', 'css'],
      submittedAt: '2025-05-02T08:00:00.000Z',
      kioskId: kiosk,
      pieces: [
        piece('identite', 'Carte d’identité', 'identity-card', { surname: 'MARTIN', givenNames: 'Camille', birthDate: '1970-10-25' }),
        piece('rib', 'RIB La Banque', 'rib', { holder: 'Camille Martin', iban: 'FR7630006000011234567890189' }),
        piece('bulletins-salaire', 'Bulletin de salaire avril', 'payslip', { netPay: '2055.68', periodStart: '2025-04-01' }),
        piece('quittance-loyer', 'Quittance de loyer avril', 'proof-of-address'),
        piece('attestation-assurance-maladie', 'Attestation de droits', 'health-insurance'),
        piece('avis-impot', 'Avis d’impôt 2024', 'tax-notice'),
      ],
    });
    linked = await fileDossier(deps, {
      personIdentifier: YANIS.identifier,
      aids: ['demande-mdph', 'aah'],
      waitsFor: { aah: 'demande-mdph' },
      submittedAt: '2025-05-03T08:00:00.000Z',
      pieces: [
        piece('certificat-medical-mdph', 'Certificat médical', 'other'),
        piece('identite', 'Passeport', 'passport'),
        piece('rib', 'RIB Yanis', 'rib'),
        piece('avis-impot', 'Avis d’impôt Yanis', 'tax-notice'),
      ],
    });
    draft = await fileDossier(deps, { personIdentifier: CAMILLE.identifier, aids: ['prime-activite'], submit: false, pieces: [piece('rib', 'RIB', 'rib')] });
  });
  afterAll(async () => {
    await app?.close();
    await storage?.db.destroy();
    if (blobDir) rmSync(blobDir, { recursive: true, force: true });
    await env?.cleanup();
  });

  interface Browser {
    cookie: string;
    csrf: string;
    get(url: string, extraCookie?: string): Promise<LightMyRequestResponse>;
    post(url: string, body: Record<string, string | string[]>, o?: { csrf?: string | null }): Promise<LightMyRequestResponse>;
  }

  /** Where a request comes from: the peer's address, extra headers (a proxy's), another app (default: `app`). */
  interface Via {
    remoteAddress?: string;
    headers?: Record<string, string>;
    server?: FastifyInstance;
  }

  async function loginForm(via: Via): Promise<{ loginCookie: string; csrf: string }> {
    const res = await (via.server ?? app).inject({ method: 'GET', url: '/console/connexion', remoteAddress: via.remoteAddress ?? '127.0.0.1', headers: via.headers ?? {} });
    expect(res.statusCode).toBe(200);
    return { loginCookie: cookieValue(setCookies(res).get('fac_console_login')), csrf: csrfOf(res.body) };
  }

  async function tryLogin(login: string, password: string, from: string | Via = {}): Promise<LightMyRequestResponse> {
    const via = typeof from === 'string' ? { remoteAddress: from } : from;
    const f = await loginForm(via);
    return (via.server ?? app).inject({
      method: 'POST',
      url: '/console/connexion',
      remoteAddress: via.remoteAddress ?? '127.0.0.1',
      headers: { ...FORM, ...via.headers, cookie: `fac_console_login=${f.loginCookie}` },
      payload: form({ csrf: f.csrf, login, password }),
    });
  }

  async function loginAs(login: string, password = DEMO_PASSWORD): Promise<Browser> {
    const res = await tryLogin(login, password);
    expect(res.statusCode, res.body).toBe(303);
    const session = cookieValue(setCookies(res).get('fac_console'));
    const cookie = `fac_console=${session}`;
    const home = await app.inject({ method: 'GET', url: '/console', headers: { cookie } });
    expect(home.statusCode).toBe(200);
    const csrf = csrfOf(home.body);
    return {
      cookie,
      csrf,
      get: (url, extraCookie) => app.inject({ method: 'GET', url, headers: { cookie: extraCookie ? `${cookie}; ${extraCookie}` : cookie } }),
      post: (url, body, o = {}) =>
        app.inject({
          method: 'POST',
          url,
          headers: { ...FORM, cookie },
          payload: form(o.csrf === null ? body : { csrf: o.csrf ?? csrf, ...body }),
        }),
    };
  }

  /** The one-shot banner cookie a redirect set ("name=value"), as a browser would send it back. */
  const flashOf = (res: LightMyRequestResponse) => {
    const set = setCookies(res).get('fac_console_fait');
    expect(set, 'a banner cookie').toBeDefined();
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/Max-Age=60/);
    return set!.split(';')[0]!;
  };

  const appState = async (id: string) => (await storage.db.selectFrom('applications').select(['state', 'decision_reason']).where('id', '=', id).executeTakeFirstOrThrow());

  it('logs in with the demo account: a strict cookie, only its hash stored, the console under a strict CSP', async () => {
    const res = await tryLogin('caf-chef', DEMO_PASSWORD);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/console');
    const set = setCookies(res).get('fac_console')!;
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).toMatch(/Path=\/console/);
    expect(set).not.toMatch(/Secure/); // plain http here
    const token = cookieValue(set);
    const rows = await storage.db.selectFrom('console_sessions').selectAll().execute();
    expect(rows.some((r) => r.token_hash === createHash('sha256').update(token).digest('hex'))).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(token);
    const row = rows.find((r) => r.token_hash === createHash('sha256').update(token).digest('hex'))!;
    expect(Date.parse(row.expires_at) - Date.parse(row.created_at)).toBe(8 * 3_600_000);

    const home = await app.inject({ method: 'GET', url: '/console', headers: { cookie: `fac_console=${token}` } });
    expect(home.statusCode).toBe(200);
    expect(home.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(home.headers['x-content-type-options']).toBe('nosniff');
    expect(home.headers['cache-control']).toBe('no-store');
    expect(home.body).toContain('<html lang="fr">');
    expect(home.body).not.toMatch(/<script|style=/);
    const css = await app.inject({ method: 'GET', url: '/console/style.css' });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
  });

  it('refuses a wrong password or an unknown login in French, and stores no session', async () => {
    const before = await countRows(storage.db, 'console_sessions');
    for (const [login, password] of [
      ['caf-chef', 'pas-le-bon-mot-de-passe'],
      ['inconnu', DEMO_PASSWORD],
    ] as const) {
      const res = await tryLogin(login, password, '10.0.0.9');
      expect(res.statusCode).toBe(401);
      expect(res.body).toContain('Identifiant ou mot de passe incorrect.');
      expect(res.body).not.toContain(password);
    }
    const empty = await tryLogin('', '', '10.0.0.9');
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Écrivez votre identifiant.');
    expect(empty.body).toMatch(/id="login"[^>]*aria-describedby="login-erreur"[^>]*aria-invalid="true"/);
    expect(await countRows(storage.db, 'console_sessions')).toBe(before);
  });

  it('throttles failed logins per login and address: even the right password waits', async () => {
    for (let i = 0; i < 5; i++) expect((await tryLogin('mdph-chef', `mauvais-${i}-motdepasse`, '10.0.0.5')).statusCode).toBe(401);
    const blocked = await tryLogin('mdph-chef', DEMO_PASSWORD, '10.0.0.5');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.body).toMatch(/Trop d’essais de connexion\. Attendez \d+ minutes? avant de réessayer\./);
    // another address is not blocked
    expect((await tryLogin('mdph-chef', DEMO_PASSWORD, '10.0.0.6')).statusCode).toBe(303);
  });

  it('believes X-Forwarded-* only from a trusted proxy: the client address for the throttle, https for Secure cookies', async () => {
    const wrong = (i: number) => `mauvais-${i}-motdepasse`;
    // no proxy trusted (the default): a forged X-Forwarded-For does not get around the throttle
    for (let i = 0; i < 5; i++) expect((await tryLogin('caf-chef', wrong(i), { remoteAddress: '10.0.1.1', headers: { 'x-forwarded-for': `198.51.100.${i}` } })).statusCode).toBe(401);
    expect((await tryLogin('caf-chef', DEMO_PASSWORD, { remoteAddress: '10.0.1.1', headers: { 'x-forwarded-for': '198.51.100.99' } })).statusCode).toBe(429);
    const plain = await tryLogin('caf-chef', DEMO_PASSWORD, { remoteAddress: '10.0.1.2', headers: { 'x-forwarded-proto': 'https' } });
    expect(plain.statusCode).toBe(303);
    expect(setCookies(plain).get('fac_console')).not.toMatch(/Secure/);

    // behind a TLS proxy the server is told to trust (FAC_TRUST_PROXY): each client counts on its own
    const proxied = Fastify({ logger: false, trustProxy: ['10.0.2.1'] });
    await registerConsole(proxied, { db: storage.db, dialect: storage.dialect, blobStore });
    await proxied.ready();
    try {
      const viaProxy = (client: string): Via => ({ server: proxied, remoteAddress: '10.0.2.1', headers: { 'x-forwarded-for': client, 'x-forwarded-proto': 'https' } });
      for (let i = 0; i < 5; i++) expect((await tryLogin('mdph-chef', wrong(i), viaProxy('203.0.113.5'))).statusCode).toBe(401);
      expect((await tryLogin('mdph-chef', DEMO_PASSWORD, viaProxy('203.0.113.5'))).statusCode).toBe(429);
      const other = await tryLogin('mdph-chef', DEMO_PASSWORD, viaProxy('203.0.113.6'));
      expect(other.statusCode).toBe(303);
      expect(setCookies(other).get('fac_console')).toMatch(/; Secure/);
      const failures = await storage.db.selectFrom('console_login_failures').select('address').where('login', '=', 'mdph-chef').execute();
      expect(new Set(failures.map((f) => f.address))).toContain('203.0.113.5');
    } finally {
      await proxied.close();
    }
  });

  it('checks the CSRF token of every form: missing or wrong → 403, nothing changed', async () => {
    // the login form without its cookie
    const f = await loginForm({});
    const noCookie = await app.inject({ method: 'POST', url: '/console/connexion', headers: FORM, payload: form({ csrf: f.csrf, login: 'caf-chef', password: DEMO_PASSWORD }) });
    expect(noCookie.statusCode).toBe(403);
    expect(noCookie.body).toContain('Formulaire refusé');

    const caf = await loginAs('caf-chef');
    const rsa = bundle.applications.rsa!;
    const missing = await caf.post(`/console/demandes/${rsa}/decision`, { action: 'take-up' }, { csrf: null });
    expect(missing.statusCode).toBe(403);
    const wrong = await caf.post(`/console/demandes/${rsa}/decision`, { action: 'take-up' }, { csrf: 'x'.repeat(43) });
    expect(wrong.statusCode).toBe(403);
    const msg = await caf.post(`/console/demandes/${rsa}/message`, { body: 'Bonjour' }, { csrf: null });
    expect(msg.statusCode).toBe(403);
    expect((await appState(rsa)).state).toBe('submitted');
    expect(await messagesOf(storage.db, [rsa])).toEqual([]);
  });

  it('sends a request without a live session back to the login', async () => {
    const none = await app.inject({ method: 'GET', url: '/console' });
    expect(none.statusCode).toBe(303);
    expect(none.headers.location).toBe('/console/connexion');

    const b = await loginAs('caf-chef');
    const hash = createHash('sha256').update(b.cookie.split('=')[1]!).digest('hex');
    await storage.db.updateTable('console_sessions').set({ expires_at: '2000-01-01T00:00:00.000Z' }).where('token_hash', '=', hash).execute();
    const expired = await b.get('/console');
    expect(expired.statusCode).toBe(303);
    expect(expired.headers.location).toBe('/console/connexion?raison=expiree');
    expect(await storage.db.selectFrom('console_sessions').select('token_hash').where('token_hash', '=', hash).executeTakeFirst()).toBeUndefined();
    const login = await app.inject({ method: 'GET', url: '/console/connexion?raison=expiree' });
    expect(login.body).toContain('Votre session a pris fin.');
    // sessions that ended by themselves and were never used again go at the garbage collection, live ones stay
    const live = await loginAs('caf-chef');
    const liveHash = createHash('sha256').update(live.cookie.split('=')[1]!).digest('hex');
    const account = await storage.db.selectFrom('staff_accounts').select('id').where('login', '=', 'caf-chef').executeTakeFirstOrThrow();
    const old = await createSession(storage.db, account.id, new Date('2001-01-01T00:00:00Z'));
    const oldHash = createHash('sha256').update(old.token).digest('hex');
    expect(await purgeExpiredConsoleSessions(storage.db)).toBeGreaterThanOrEqual(1);
    const left = (await storage.db.selectFrom('console_sessions').select('token_hash').execute()).map((r) => r.token_hash);
    expect(left).toContain(liveHash);
    expect(left).not.toContain(oldHash);

    // a disabled account: its sessions end, and it cannot log in again
    await createConsoleAccount(storage.db, storage.dialect, { login: 'caf-adjointe', name: 'Adjointe CAF', institutionId: 'caf', password: 'adjointe-mot-de-passe' });
    const adj = await loginAs('caf-adjointe', 'adjointe-mot-de-passe');
    expect((await disableConsoleAccount(storage.db, storage.dialect, 'caf-adjointe')).changed).toBe(true);
    expect((await adj.get('/console')).statusCode).toBe(303);
    expect((await tryLogin('caf-adjointe', 'adjointe-mot-de-passe', '10.0.0.7')).statusCode).toBe(401);

    // logout: the session row goes
    const c = await loginAs('caf-chef');
    const out = await c.post('/console/deconnexion', {});
    expect(out.statusCode).toBe(303);
    expect(out.headers.location).toBe('/console/connexion?raison=deconnexion');
    expect((await c.get('/console')).statusCode).toBe(303);
  });

  it('scopes the queue to the institution kind and hides linked aids until their parent is accepted', async () => {
    const caf = await loginAs('caf-chef');
    const mdph = await loginAs('mdph-chef');
    const cafQueue = (await caf.get('/console')).body;
    expect(cafQueue).toContain(`/console/demandes/${bundle.applications.rsa}`);
    expect(cafQueue).toContain('Camille Martin');
    expect(cafQueue).not.toContain(bundle.applications.css!); // the CPAM's
    expect(cafQueue).not.toContain(linked.applications.aah!); // waits for the MDPH
    expect(cafQueue).not.toContain(linked.applications['demande-mdph']!);
    expect(cafQueue).not.toContain(draft.applications['prime-activite']!); // not sent
    // the MDPH's own request, opened by the CAF: as if it did not exist
    const other = await caf.get(`/console/demandes/${linked.applications['demande-mdph']}`);
    expect(other.statusCode).toBe(404);
    expect(other.body).toContain('n’est pas traitée par votre organisme');
    expect((await caf.get(`/console/demandes/${linked.applications.aah}`)).statusCode).toBe(404);
    expect((await caf.get(`/console/demandes/${linked.applications.aah}/pieces/rib`)).statusCode).toBe(404);
    const blocked = await caf.post(`/console/demandes/${linked.applications['demande-mdph']}/decision`, { action: 'take-up' });
    expect(blocked.statusCode).toBe(404);
    expect((await appState(linked.applications['demande-mdph']!)).state).toBe('submitted');

    // the MDPH sees its request, takes it up and accepts it: the AAH reaches the CAF's queue
    expect((await mdph.get('/console')).body).toContain(linked.applications['demande-mdph']!);
    const mdphId = linked.applications['demande-mdph']!;
    expect((await mdph.post(`/console/demandes/${mdphId}/decision`, { action: 'take-up' })).statusCode).toBe(303);
    expect((await mdph.post(`/console/demandes/${mdphId}/decision`, { action: 'accept', message: 'Taux de 80 % reconnu.', confirme: 'oui' })).statusCode).toBe(303);
    const after = (await caf.get('/console')).body;
    expect(after).toContain(linked.applications.aah!);
    // oldest first: Camille's RSA (2 May) before Yanis's AAH (3 May)
    expect(after.indexOf(bundle.applications.rsa!)).toBeLessThan(after.indexOf(linked.applications.aah!));

    // the filter
    const filtered = await caf.get('/console?etat=in-processing');
    expect(filtered.statusCode).toBe(200);
    expect(filtered.body).not.toContain(bundle.applications.rsa!);
    expect(filtered.body).toContain('<option value="in-processing" selected>');
    expect((await caf.get('/console?etat=n-importe')).statusCode).toBe(400);
  });

  it('shows an application: the person, the situation, the other aids, its pieces only, the signature', async () => {
    const caf = await loginAs('caf-chef');
    const page = await caf.get(`/console/demandes/${bundle.applications.rsa}`);
    expect(page.statusCode).toBe(200);
    const body = page.body;
    expect(body).toContain('Revenu de solidarité active');
    expect(body).toContain(CAMILLE.identifier);
    expect(body).toContain('14 mars 2009');
    expect(body).toContain('Locataire');
    expect(body).toContain('Complémentaire santé solidaire'); // the other aid of the dossier
    // Camille is under 25: the RSA's age condition, said to the service before the papers, with its source
    expect(body).toMatch(/À vérifier : les conditions de base[\s\S]*Vous avez \d+ ans\. Le RSA est pour les personnes de 25 ans ou plus\.[\s\S]*L262-4/);
    expect(body.indexOf('À vérifier : les conditions de base')).toBeLessThan(body.indexOf('id="papiers"'));
    for (const item of ['identite', 'rib', 'bulletins-salaire', 'quittance-loyer']) expect(body).toContain(`/papiers/${item}"`);
    // the CPAM's pieces are not the CAF's business
    expect(body).not.toContain('/attestation-assurance-maladie');
    expect(body).not.toContain('/avis-impot');
    expect(body).toContain('Signée par la personne avec sa carte');
    const dossier = await storage.db.selectFrom('dossiers').select('manifest').where('id', '=', bundle.dossierId).executeTakeFirstOrThrow();
    expect(body).toContain(createHash('sha256').update(`FACILITATEUR-DEMANDE-V1\0${dossier.manifest}`).digest('hex'));
    expect(body).toContain('Prendre en charge la demande');
    expect(body).not.toContain('Accepter la demande'); // not before it is taken up
  });

  it('shows the evidence first: the papers with what was read on them, in French, then the history, then the decisions', async () => {
    const caf = await loginAs('caf-chef');
    const body = (await caf.get(`/console/demandes/${bundle.applications.rsa}`)).body;
    const at = (needle: string) => {
      const i = body.indexOf(needle);
      expect(i, needle).toBeGreaterThan(-1);
      return i;
    };
    expect(at('Les papiers donnés')).toBeLessThan(at('id="historique"'));
    expect(at('id="historique"')).toBeLessThan(at('id="decisions"'));
    expect(at('RIB La Banque')).toBeLessThan(at('action="/console/demandes/'));
    expect(at('Ce qui a été lu sur ce papier')).toBeLessThan(at('Prendre en charge la demande'));
    // the fields read, labelled and written for people
    expect(body).toContain('<dt>Date de naissance</dt><dd>25 octobre 1970</dd>');
    expect(body).toContain('<dt>Net à payer</dt><dd>2 055,68 €</dd>');
    expect(body).toContain('<dt>IBAN</dt><dd class="mono">FR76 3000 6000 0112 3456 7890 189</dd>');
    expect(body).toContain('Relevé d’identité bancaire (RIB)');
    // a paper with nothing read says so
    expect(body).toContain('Rien n’a été lu sur ce papier : regardez l’image.');
    // the papers open on their own page beside the request, never the raw picture alone
    expect(body).toContain(`href="/console/demandes/${bundle.applications.rsa}/papiers/rib"`);
    expect(body).not.toMatch(/<a href="[^"]*\/pieces\//);
    // the receipt number is on top, with a way to jump to the decisions
    const receipt = (await storage.db.selectFrom('dossiers').select('receipt_number').where('id', '=', bundle.dossierId).executeTakeFirstOrThrow()).receipt_number!;
    expect(at(receipt)).toBeLessThan(at('Les papiers donnés'));
    expect(body).toContain('<a href="#decisions">Aller aux décisions</a>');
  });

  it('says on its card when a paper is in someone else’s name or has another birth date, with what the person answered', async () => {
    const filed = await fileDossier({ db: storage.db, dialect: storage.dialect, blobStore }, {
      personIdentifier: YANIS.identifier,
      aids: ['prime-activite'],
      pieces: [
        piece('rib', 'RIB', 'rib', { holder: 'Mme Claire MARTIN', iban: 'FR7630006000011234567890189' }),
        piece('bulletins-salaire', 'Bulletin', 'payslip', { employee: 'Thomas NGUYEN', netPay: '1520.10' }),
        piece('identite', 'Carte d’identité', 'identity-card', { surname: 'BENALI', givenNames: 'YANIS', birthDate: '1970-10-25' }),
      ],
    });
    // the person answered at the tablet for the RIB only
    await storage.db
      .updateTable('document_versions')
      .set({ holder_answer: JSON.stringify({ answer: 'household', relation: 'conjoint' }) })
      .where('document_id', '=', filed.documents.rib!.documentId)
      .execute();
    const caf = await loginAs('caf-chef');
    const body = (await caf.get(`/console/demandes/${filed.applications['prime-activite']}`)).body;
    const card = (needle: string) => body.slice(body.lastIndexOf('<li class="card paper"', body.indexOf(needle)), body.indexOf('</li>', body.indexOf(needle)));
    expect(card('Ce papier est au nom de Mme Claire MARTIN.')).toContain('La personne a répondu : « C’est quelqu’un de mon foyer : mon conjoint. »');
    expect(card('Ce papier est au nom de Thomas NGUYEN.')).toContain('La personne n’a pas été interrogée : vérifiez avec elle.');
    expect(body).toContain('Ce papier (au nom de YANIS BENALI) porte une autre date de naissance que celle de la personne.');
    // Camille's papers: her RIB in her name raises nothing; her identity card born 1970 is flagged
    const own = (await caf.get(`/console/demandes/${bundle.applications.rsa}`)).body;
    expect(own.match(/class="holder-mismatch"/g)).toHaveLength(1);
    expect(own).toContain('Ce papier (au nom de Camille MARTIN) porte une autre date de naissance que celle de la personne.');
  });

  it('opens a paper on its own page: the image, the fields read, a way back; the bytes journaled when the image loads', async () => {
    const caf = await loginAs('caf-chef');
    const rsa = bundle.applications.rsa!;
    const seqNow = async () => Number((await storage.db.selectFrom('audit_journal').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirstOrThrow()).m);
    const before = await seqNow();
    const page = await caf.get(`/console/demandes/${rsa}/papiers/rib`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toBe(CONSOLE_CSP);
    const body = page.body;
    expect(body).toMatch(/<h1>[^<]*RIB[^<]*<\/h1>/);
    expect(body).toContain(`<img class="paper-image" src="/console/demandes/${rsa}/pieces/rib" alt="Image du papier : `);
    expect(body).toContain('<dt>Titulaire du compte</dt><dd>Camille Martin</dd>');
    expect(body).toContain('FR76 3000 6000 0112 3456 7890 189');
    expect(body.match(new RegExp(`<a href="/console/demandes/${rsa}#papiers">← Retour à la demande`, 'g'))).toHaveLength(2);
    // the page itself reads no bytes: nothing journaled until the image is fetched
    expect(await seqNow()).toBe(before);
    expect((await caf.get(`/console/demandes/${rsa}/pieces/rib`)).statusCode).toBe(200);
    expect(await seqNow()).toBe(before + 1);

    // another institution's paper of the same dossier, an unknown one, another institution's request: not found
    expect((await caf.get(`/console/demandes/${rsa}/papiers/attestation-assurance-maladie`)).statusCode).toBe(404);
    expect((await caf.get(`/console/demandes/${rsa}/papiers/livret-famille`)).statusCode).toBe(404);
    expect((await caf.get(`/console/demandes/${linked.applications['demande-mdph']}/papiers/certificat-medical-mdph`)).statusCode).toBe(404);
    expect((await caf.get(`/console/demandes/${rsa}/papiers/..%2Fpieces%2Frib`)).statusCode).toBe(404);
    expect(await seqNow()).toBe(before + 1);
  });

  it('finds requests by the person’s name or the receipt number, only within the institution', async () => {
    const caf = await loginAs('caf-chef');
    const mdph = await loginAs('mdph-chef');
    const receiptOf = async (dossierId: string) => (await storage.db.selectFrom('dossiers').select('receipt_number').where('id', '=', dossierId).executeTakeFirstOrThrow()).receipt_number!;
    const camilleReceipt = await receiptOf(bundle.dossierId);
    const yanisReceipt = await receiptOf(linked.dossierId);
    const search = async (b: Browser, q: string) => {
      const res = await b.get(`/console?q=${encodeURIComponent(q)}`);
      expect(res.statusCode, q).toBe(200);
      return res.body;
    };
    const home = (await caf.get('/console')).body;
    expect(home).toMatch(/<form class="inline search" method="get" action="\/console" role="search">/);
    for (const q of ['martin', 'Camille', 'CAMILLE MARTIN', 'martin camille', ' camille   martin ', camilleReceipt, camilleReceipt.toLowerCase(), camilleReceipt.slice(-4)]) {
      const body = await search(caf, q);
      expect(body, q).toContain(`/console/demandes/${bundle.applications.rsa}"`);
      expect(body, q).not.toContain(bundle.applications.css!); // the CPAM's request of the same dossier
      expect(body, q).not.toContain(draft.applications['prime-activite']!); // not sent
      expect(body, q).toContain(camilleReceipt);
    }
    expect(await search(caf, 'martin')).toContain('1 demande correspond à « martin ».');
    // Yanis: the CAF finds his AAH (its parent is accepted by now), never the MDPH's request
    const yanis = await search(caf, yanisReceipt);
    expect(yanis).toContain(linked.applications.aah!);
    expect(yanis).not.toContain(linked.applications['demande-mdph']!);
    // the MDPH never sees the CAF's requests, by name or by receipt
    for (const q of ['Camille', camilleReceipt]) {
      const body = await search(mdph, q);
      expect(body).toContain(`Aucune demande ne correspond à « ${q} ».`);
      expect(body).not.toContain(bundle.applications.rsa!);
    }
    expect(await search(mdph, 'benali')).toContain(linked.applications['demande-mdph']!);
    // wildcards are plain characters, markup is escaped, too long is refused in French
    for (const q of ['%', '_', '\\']) expect(await search(caf, q)).toContain('Aucune demande ne correspond');
    const markup = await search(caf, '<b>Martin</b>');
    expect(markup).toContain('« &lt;b&gt;Martin&lt;/b&gt; »');
    const long = await caf.get(`/console?q=${'a'.repeat(101)}`);
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('100 caractères au plus');
  });

  it('serves a piece through the access policy, journaled; a piece of another institution is refused and not journaled', async () => {
    const caf = await loginAs('caf-chef');
    const rsa = bundle.applications.rsa!;
    const beforeSeq = (await storage.db.selectFrom('audit_journal').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirstOrThrow()).m;
    const res = await caf.get(`/console/demandes/${rsa}/pieces/rib`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toMatch(/^default-src 'none'/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-disposition']).toBe('inline; filename="RIB-La-Banque.png"');
    expect(createHash('sha256').update(res.rawPayload).digest('hex')).toBe(bundle.documents.rib!.sha256);
    const account = await storage.db.selectFrom('staff_accounts').select('id').where('login', '=', 'caf-chef').executeTakeFirstOrThrow();
    const entries = await storage.db.selectFrom('audit_journal').selectAll().where('seq', '>', Number(beforeSeq)).execute();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ action: 'document.file.read', ground: 'institution-processing', actor_kind: 'staff', actor_id: account.id, document_id: bundle.documents.rib!.documentId });
    expect(JSON.parse(entries[0]!.detail)).toMatchObject({ applicationId: rsa, itemId: 'rib', version: 1, institutionId: 'caf' });
    // the person reads it in their journal as the service that opened it, not as "the platform"
    const camille = await storage.db.selectFrom('persons').select(['id', 'first_name']).where('identifier', '=', CAMILLE.identifier).executeTakeFirstOrThrow();
    const journal = await personJournal({ db: storage.db, dialect: storage.dialect }, {
      id: 'journal-check',
      kioskId: 'borne-test',
      personId: camille.id,
      identifier: CAMILLE.identifier,
      firstName: camille.first_name,
      cardSerial: CAMILLE.card,
      role: 'beneficiary',
      consent: null,
      expiresAt: Date.now() + 60_000,
    });
    if (!journal.ok) throw new Error('journal refused');
    const cafName = (await storage.db.selectFrom('institutions').select('name').where('id', '=', 'caf').executeTakeFirstOrThrow()).name;
    expect(journal.value.find((e) => e.action === 'a ouvert le fichier d’un document')).toMatchObject({ who: `Le service ${cafName}`, ground: 'institution-processing' });

    // the CPAM's piece of the same dossier, and the MDPH's medical certificate next to Yanis's AAH
    const cpam = await caf.get(`/console/demandes/${rsa}/pieces/attestation-assurance-maladie`);
    expect(cpam.statusCode).toBe(403);
    expect(cpam.body).toContain('Vous ne pouvez pas ouvrir ce papier.');
    const medical = await caf.get(`/console/demandes/${linked.applications.aah}/pieces/certificat-medical-mdph`);
    expect(medical.statusCode).toBe(403);
    expect((await caf.get(`/console/demandes/${rsa}/pieces/livret-famille`)).statusCode).toBe(404);
    expect((await caf.get(`/console/demandes/${rsa}/pieces/..%2F..%2Fetc`)).statusCode).toBe(404);
    expect(await storage.db.selectFrom('audit_journal').select('seq').where('seq', '>', entries[0]!.seq).execute()).toEqual([]);
  });

  it('takes up, asks for information with a piece flagged, then accepts; refusals change nothing', async () => {
    const caf = await loginAs('caf-chef');
    const rsa = bundle.applications.rsa!;
    const url = `/console/demandes/${rsa}/decision`;

    const takeUp = await caf.post(url, { action: 'take-up' });
    expect(takeUp.statusCode).toBe(303);
    // the banner is not in the address: a reload does not say it again
    expect(takeUp.headers.location).toBe(`/console/demandes/${rsa}`);
    expect((await appState(rsa)).state).toBe('in-processing');
    const flash = flashOf(takeUp);
    const shown = await caf.get(takeUp.headers.location as string, flash);
    expect(shown.body).toContain('C’est fait : la demande est prise en charge.');
    // read once: the page clears the cookie, and the reload (without it) says nothing
    expect(setCookies(shown).get('fac_console_fait')).toMatch(/^fac_console_fait=; .*Max-Age=0/);
    expect((await caf.get(takeUp.headers.location as string)).body).not.toContain('C’est fait');
    // the cookie is bound to its request and its session: not shown on another request, nor in another session
    expect((await caf.get(`/console/demandes/${linked.applications.aah}`, flash)).body).not.toContain('C’est fait');
    const other = await loginAs('caf-chef');
    expect((await other.get(takeUp.headers.location as string, flash)).body).not.toContain('C’est fait');
    expect((await caf.get(takeUp.headers.location as string, 'fac_console_fait=accept.AAAA')).body).not.toContain('C’est fait');

    // a question without words: refused in French, nothing changed
    const noWords = await caf.post(url, { action: 'request-information', message: '   ', pieces: 'rib' });
    expect(noWords.statusCode).toBe(400);
    expect(noWords.body).toContain('Écrivez votre question, ou ce qu’il manque.');
    expect(noWords.body).toMatch(/<input type="checkbox" id="piece-\d+" name="pieces" value="rib" checked>/);
    // a piece the CAF does not handle cannot be asked again
    const notMine = await caf.post(url, { action: 'request-information', message: 'Merci', pieces: 'attestation-assurance-maladie' });
    expect(notMine.statusCode).toBe(400);
    expect((await appState(rsa)).state).toBe('in-processing');

    const ask = await caf.post(url, { action: 'request-information', message: 'Votre RIB est illisible : merci d’en donner un nouveau.', pieces: 'rib' });
    expect(ask.statusCode).toBe(303);
    expect((await appState(rsa)).state).toBe('information-requested');
    const pieces = await storage.db.selectFrom('dossier_pieces').selectAll().where('dossier_id', '=', bundle.dossierId).execute();
    const rib = pieces.find((p) => p.item_id === 'rib')!;
    expect(rib.requested_at).not.toBeNull();
    expect(rib.request_message).toBe('Votre RIB est illisible : merci d’en donner un nouveau.');
    expect(pieces.filter((p) => p.requested_at !== null).map((p) => p.item_id)).toEqual(['rib']);
    // the person is told, on the kiosk the dossier came from
    const notice = await storage.db.selectFrom('application_notices').selectAll().where('application_id', '=', rsa).where('state', '=', 'information-requested').executeTakeFirst();
    expect(notice?.message).toBe('Votre RIB est illisible : merci d’en donner un nouveau.');
    const push = await storage.db.selectFrom('kiosk_pushes').selectAll().where('kind', '=', 'application-status').orderBy('created_at', 'desc').executeTakeFirst();
    expect(JSON.parse(push?.body ?? '{}')).toMatchObject({ applicationId: rsa, status: 'missing-pieces' });
    expect((await caf.get(`/console/demandes/${rsa}`)).body).toContain('Redemandé le');
    // a message of the service is pushed to that kiosk too: ids and a status, never the words
    const pushesFor = async () =>
      (await storage.db.selectFrom('kiosk_pushes').select(['body']).where('kind', '=', 'application-status').execute())
        .map((p) => JSON.parse(p.body ?? '{}') as Record<string, unknown>)
        .filter((b) => b.applicationId === rsa);
    const before = (await pushesFor()).length;
    expect((await caf.post(`/console/demandes/${rsa}/message`, { body: 'Une photo nette suffit.' })).statusCode).toBe(303);
    const after = await pushesFor();
    expect(after).toHaveLength(before + 1);
    expect(Object.keys(after.at(-1)!).sort()).toEqual(['applicationId', 'at', 'status']);
    expect(after.at(-1)).toMatchObject({ status: 'missing-pieces' });

    // the person answers (on the kiosk); the CAF sees the unread message in its queue
    await postMessage(storage.db, storage.dialect, { applicationId: rsa, author: { kind: 'person', id: CAMILLE.identifier }, body: 'Voici mon nouveau RIB.', handlingInstitutionKind: 'caf' });
    expect((await fireEvent(storage.db, storage.dialect, { applicationId: rsa, event: 'information-provided', actor: { kind: 'applicant', id: CAMILLE.identifier } })).ok).toBe(true);
    expect((await caf.get('/console')).body).toMatch(new RegExp(`${rsa}[\\s\\S]*?<span class="badge">1</span>`));

    // a refusal without a reason: refused, nothing changed
    const refuse = await caf.post(url, { action: 'refuse', message: '' });
    expect(refuse.statusCode).toBe(400);
    expect(refuse.body).toContain('Écrivez la raison du refus : la personne la lira.');
    expect(refuse.body).toContain('<title>Erreur : ');
    expect((await appState(rsa)).state).toBe('in-processing');

    // an acceptance is confirmed: without the box, nothing is decided
    const unconfirmed = await caf.post(url, { action: 'accept', message: 'Droits ouverts au 1er mai.', montant: '607,75', debut: '2026-05-01' });
    expect(unconfirmed.statusCode).toBe(400);
    expect(unconfirmed.body).toContain('Cochez la case pour confirmer votre décision. Rien n’a été décidé.');
    expect(unconfirmed.body).toMatch(/<a href="#confirme-accept">/);
    expect(unconfirmed.body).toMatch(/id="confirme-accept"[^>]*aria-invalid="true"/);
    // what was typed is kept, the box is not ticked for the person
    expect(unconfirmed.body).toMatch(/id="montant"[^>]*value="607,75"/);
    expect(unconfirmed.body).not.toMatch(/id="confirme-accept"[^>]*checked/);
    expect((await appState(rsa)).state).toBe('in-processing');
    // a refusal too
    const refuseUnconfirmed = await caf.post(url, { action: 'refuse', message: 'Ressources trop élevées.' });
    expect(refuseUnconfirmed.statusCode).toBe(400);
    expect(refuseUnconfirmed.body).toMatch(/<a href="#confirme-refuse">/);
    expect((await appState(rsa)).state).toBe('in-processing');
    // bad amounts and dates: refused in French, field by field, nothing decided
    for (const [montant, debut, field, words] of [
      ['douze euros', '2026-05-01', 'montant', 'Écrivez le montant en euros avec des chiffres, par exemple 607,75.'],
      ['-12', '', 'montant', 'Écrivez le montant en euros avec des chiffres'],
      ['607,755', '', 'montant', 'Écrivez le montant en euros avec des chiffres'],
      ['250 000', '', 'montant', 'Ce montant est trop grand pour une aide par mois.'],
      ['607,75', '2026-02-31', 'debut', 'Cette date n’existe pas.'],
      ['607,75', '31/02/2026', 'debut', 'Cette date n’existe pas.'],
      ['607,75', 'demain', 'debut', 'Écrivez la date de début sous la forme jour/mois/année'],
      ['', '01/05/1926', 'debut', 'Cette date est trop loin.'],
    ] as const) {
      const bad = await caf.post(url, { action: 'accept', montant, debut, confirme: 'oui' });
      expect(bad.statusCode, `${montant} ${debut}`).toBe(400);
      expect(bad.body).toContain(words);
      expect(bad.body).toMatch(new RegExp(`id="${field}"[^>]*aria-invalid="true"`));
      expect((await appState(rsa)).state).toBe('in-processing');
    }
    // an amount on another decision is not a form the console sends
    expect((await caf.post(url, { action: 'refuse', message: 'Non.', montant: '12', confirme: 'oui' })).statusCode).toBe(400);
    expect((await appState(rsa)).state).toBe('in-processing');

    const accept = await caf.post(url, { action: 'accept', message: 'Droits ouverts au 1er juin.', montant: '1 607,75 €', debut: '01/05/2026', confirme: 'oui' });
    expect(accept.statusCode).toBe(303);
    expect(await appState(rsa)).toEqual({ state: 'accepted', decision_reason: 'Droits ouverts au 1er juin.' });
    const stored = await storage.db.selectFrom('applications').select(['decision_amount_cents', 'decision_start_date']).where('id', '=', rsa).executeTakeFirstOrThrow();
    expect({ cents: Number(stored.decision_amount_cents), start: stored.decision_start_date }).toEqual({ cents: 160775, start: '2026-05-01' });
    // shown on the request, in its history, once as a banner
    const decided = await caf.get(`/console/demandes/${rsa}`, flashOf(accept));
    expect(decided.body).toContain('C’est fait : la demande est acceptée.');
    const termsLine = 'Montant : 1 607,75 € par mois, à partir du 1er mai 2026';
    expect(decided.body).toContain(termsLine);
    const historyPart = decided.body.slice(decided.body.indexOf('id="historique"'));
    expect(historyPart).toMatch(new RegExp(`Demande acceptée<br><strong>${termsLine}</strong>`));
    // the journal knows terms were given, not the amount
    const journaled = await storage.db.selectFrom('audit_journal').select('detail').where('action', '=', 'application.accept').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(JSON.parse(journaled.detail)).toMatchObject({ applicationId: rsa, withTerms: true });
    expect(journaled.detail).not.toContain('160775');

    // what the person sees on the kiosk: the notice of the acceptance, the dossier and its history
    const camille = await storage.db.selectFrom('persons').select('id').where('identifier', '=', CAMILLE.identifier).executeTakeFirstOrThrow();
    const kioskId = (await storage.db.selectFrom('kiosks').select('id').executeTakeFirstOrThrow()).id;
    const applicant = {
      personId: camille.id,
      identifier: CAMILLE.identifier,
      kioskId,
      actor: { kind: 'applicant', id: CAMILLE.identifier },
      author: { kind: 'person', id: CAMILLE.identifier },
      consent: null,
      procuration: null,
    } as const;
    const catalogue = await loadCatalogue();
    const listed = await listDossiers(storage.db, applicant, catalogue);
    const acceptedNotice = listed.notices.find((n) => n.applicationId === rsa && n.state === 'accepted');
    expect(acceptedNotice).toMatchObject({ decisionAmountCents: 160775, decisionStartDate: '2026-05-01', message: 'Droits ouverts au 1er juin.' });
    expect(listed.notices.filter((n) => n.state !== 'accepted').every((n) => n.decisionAmountCents === null)).toBe(true);
    const seen = await viewDossier(storage.db, storage.dialect, applicant, bundle.dossierId, catalogue);
    if (!seen.ok) throw new Error('dossier refused');
    expect(seen.value.aids.find((a) => a.applicationId === rsa)).toMatchObject({ state: 'accepted', decisionAmountCents: 160775, decisionStartDate: '2026-05-01' });
    expect(seen.value.aids.find((a) => a.applicationId === bundle.applications.css)).toMatchObject({ decisionAmountCents: null, decisionStartDate: null });
    expect(seen.value.history.find((h) => h.state === 'accepted')?.text).toBe(`La CAF a accepté votre demande : « Droits ouverts au 1er juin. » ${termsLine}.`);
    // answering the message resets the unread count; the decision is in the recent decisions
    const home = (await caf.get('/console')).body;
    expect(home).toContain('Droits ouverts au 1er juin.');

    // a transition the state machine refuses now: French, nothing changed
    const again = await caf.post(url, { action: 'refuse', message: 'Trop tard', confirme: 'oui' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('Une décision est déjà prise pour cette demande.');
    expect((await appState(rsa)).state).toBe('accepted');

    const history = await storage.db.selectFrom('application_transitions').select(['event', 'actor_kind', 'actor_id']).where('application_id', '=', rsa).orderBy('seq').execute();
    const account = await storage.db.selectFrom('staff_accounts').select('id').where('login', '=', 'caf-chef').executeTakeFirstOrThrow();
    expect(history.filter((h) => h.actor_kind === 'institution').map((h) => [h.event, h.actor_id])).toEqual([
      ['take-up', account.id],
      ['request-information', account.id],
      ['accept', account.id],
    ]);
  });

  it('writes to the applicant in the application’s thread', async () => {
    const caf = await loginAs('caf-chef');
    const aah = linked.applications.aah!;
    const empty = await caf.post(`/console/demandes/${aah}/message`, { body: '  ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Écrivez votre message.');
    const res = await caf.post(`/console/demandes/${aah}/message`, { body: 'Bonjour, votre demande d’AAH est bien arrivée.' });
    expect(res.statusCode).toBe(303);
    const msgs = await messagesOf(storage.db, [aah]);
    const account = await storage.db.selectFrom('staff_accounts').select('id').where('login', '=', 'caf-chef').executeTakeFirstOrThrow();
    expect(msgs).toMatchObject([{ authorKind: 'institution', authorId: account.id, institutionId: 'caf', body: 'Bonjour, votre demande d’AAH est bien arrivée.' }]);
    // the person is told: a notice for their next login (this dossier was filed with no kiosk: nothing to push)
    const notice = await storage.db.selectFrom('application_notices').selectAll().where('application_id', '=', aah).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
    expect(notice).toMatchObject({ message: 'Bonjour, votre demande d’AAH est bien arrivée.', seen_at: null });
    expect(res.headers.location).toBe(`/console/demandes/${aah}#echanges`);
    const page = await caf.get(`/console/demandes/${aah}`, flashOf(res));
    expect(page.body).toContain('C’est fait : votre message est envoyé.');
    expect(page.body).toContain('Claire Dubois');
  });

  it('answers malformed forms with a French 400 and stores nothing', async () => {
    const caf = await loginAs('caf-chef');
    const aah = linked.applications.aah!;
    const before = { state: (await appState(aah)).state, journal: await countRows(storage.db, 'audit_journal'), messages: await countRows(storage.db, 'messages') };
    const cases: LightMyRequestResponse[] = [
      await caf.post(`/console/demandes/${aah}/decision`, { action: 'tout-accepter' }),
      await caf.post(`/console/demandes/${aah}/decision`, { action: 'take-up', intrus: '1' }),
      await caf.post(`/console/demandes/${aah}/decision`, { action: ['take-up', 'accept'] }),
      await caf.post(`/console/demandes/${aah}/decision`, { action: 'take-up', pieces: 'rib' }),
      await caf.post(`/console/demandes/${aah}/message`, { body: ['a', 'b'] }),
      await app.inject({ method: 'POST', url: `/console/demandes/${aah}/decision`, headers: { 'content-type': 'application/json', cookie: caf.cookie }, payload: JSON.stringify({ csrf: caf.csrf, action: 'take-up' }) }),
      await app.inject({ method: 'POST', url: `/console/demandes/${aah}/decision`, headers: { cookie: caf.cookie }, payload: '' }),
    ];
    for (const [i, res] of cases.entries()) {
      expect(res.statusCode, `case ${i}`).toBe(400);
      expect(res.headers['content-type'], `case ${i}`).toMatch(/^text\/html/);
      expect(res.body, `case ${i}`).toContain('Rien n’a été changé.');
    }
    const huge = await caf.post(`/console/demandes/${aah}/message`, { body: 'x'.repeat(70_000) });
    expect(huge.statusCode).toBe(413);
    expect(huge.body).toContain('trop long');
    const other = await app.inject({ method: 'POST', url: `/console/demandes/${aah}/decision`, headers: { 'content-type': 'text/plain', cookie: caf.cookie }, payload: 'bonjour' });
    expect(other.statusCode).toBe(400);
    expect(other.body).toContain('Ce formulaire n’a pas pu être lu.');
    expect((await caf.get('/console/demandes/pas-un-uuid')).statusCode).toBe(404);
    expect((await caf.get('/console/nulle-part')).body).toContain('Page introuvable');
    expect({ state: (await appState(aah)).state, journal: await countRows(storage.db, 'audit_journal'), messages: await countRows(storage.db, 'messages') }).toEqual(before);
  });

  it('keeps the journal chained', async () => {
    expect(await verifyAuditChain(storage.db)).toMatchObject({ ok: true });
  });
});
