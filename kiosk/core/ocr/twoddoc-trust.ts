/**
 * The 2D-Doc trust store: the certificates a kiosk checks 2D-Doc signatures against, offline.
 *
 * The ANTS publishes the 2D-Doc certification authorities in a trust list (an ETSI TS 119 612 XML "TSL":
 * one trust service provider per authority, named by its 2D-Doc id FR00, FR01…, carrying the authority's
 * certificates); each authority publishes the signer certificates it issues, which a 2D-Doc names by the
 * 4-character certificate id of its header. The tablet has no network for this, so the certificates are
 * installed with the appliance, as files, in one folder (`FAC_TWODDOC_TRUST_DIR`, README.md there):
 *
 *   ca/<CAID>.pem|.der|.crt|.cer             the authority's certificate(s) (a PEM file may hold several:
 *                                             an authority that renewed its certificate)
 *   signers/<CAID>/<CERTID>.pem|.der|.crt|.cer  the signer certificate `certId` issued by authority `caId`
 *
 * The file names are the index (what the code's header says); the signer certificate's subject must carry
 * its certificate id too (in its common name), so a certificate filed under the wrong name is refused at
 * loading rather than trusted for another id. Loading never throws for a bad file: it is left out and named
 * in `problems` (for the logs), and the rest of the store works.
 *
 * Loading happens on the pool's thread; the workers get the certificates as DER bytes (`toEntries`) and
 * rebuild the store (`trustStoreFromEntries`), so no worker reads files.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

/** 2D-Doc identifiers: 4 upper-case letters or digits (FR00, 0001, TS01…). */
export const TWODDOC_ID = /^[0-9A-Z]{4}$/;

/** A certificate file is a few KB; a bigger one is not one. */
const MAX_FILE_BYTES = 64 * 1024;
/** The ANTS lists a handful of authorities and each a few dozen signers: far more is not a trust store. */
const MAX_FILES = 5000;
const EXTENSIONS = new Set(['.pem', '.der', '.crt', '.cer']);

export interface TrustEntry {
  caId: string;
  /** null for an authority's own certificate */
  certId: string | null;
  der: Uint8Array<ArrayBuffer>;
}

export interface TwoDDocTrustStore {
  /** the authority's certificates (trust anchors) by CA id */
  authorities(caId: string): readonly X509Certificate[];
  /** the signer certificates filed under (caId, certId) */
  signers(caId: string, certId: string): readonly X509Certificate[];
  /** how many certificates it holds (authorities, signers) */
  size(): { authorities: number; signers: number };
  /** the certificates as DER, to hand to another thread */
  toEntries(): TrustEntry[];
}

export interface LoadedTrustStore {
  store: TwoDDocTrustStore;
  /** files left out and why (English, for the logs; file names only, never contents) */
  problems: string[];
}

/** Several PEM blocks, or one DER certificate. */
function certificatesOf(bytes: Buffer): X509Certificate[] {
  const text = bytes.toString('latin1');
  if (text.includes('-----BEGIN CERTIFICATE-----')) {
    const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    return blocks.map((b) => new X509Certificate(b));
  }
  return [new X509Certificate(bytes)];
}

/** The subject's common name(s), as Node prints the subject ("CN=…" lines). */
export function commonNames(cert: X509Certificate): string[] {
  return cert.subject
    .split('\n')
    .filter((l) => l.startsWith('CN='))
    .map((l) => l.slice(3));
}

/** Does the signer certificate's common name carry `certId` as a word ("FR99 TS01", "TS01", "2D-DOC TS01")? */
export function namesCertId(cert: X509Certificate, certId: string): boolean {
  return commonNames(cert).some((cn) => cn.toUpperCase().split(/[^0-9A-Z]+/).includes(certId));
}

class Store implements TwoDDocTrustStore {
  private readonly cas = new Map<string, X509Certificate[]>();
  private readonly leaves = new Map<string, X509Certificate[]>();

  add(entry: { caId: string; certId: string | null }, cert: X509Certificate): void {
    const map = entry.certId === null ? this.cas : this.leaves;
    const key = entry.certId === null ? entry.caId : `${entry.caId}/${entry.certId}`;
    const list = map.get(key) ?? [];
    list.push(cert);
    map.set(key, list);
  }

  authorities(caId: string): readonly X509Certificate[] {
    return this.cas.get(caId) ?? [];
  }

  signers(caId: string, certId: string): readonly X509Certificate[] {
    return this.leaves.get(`${caId}/${certId}`) ?? [];
  }

  size(): { authorities: number; signers: number } {
    const count = (m: Map<string, X509Certificate[]>) => [...m.values()].reduce((n, l) => n + l.length, 0);
    return { authorities: count(this.cas), signers: count(this.leaves) };
  }

  toEntries(): TrustEntry[] {
    const out: TrustEntry[] = [];
    for (const [caId, list] of this.cas) for (const c of list) out.push({ caId, certId: null, der: new Uint8Array(c.raw) });
    for (const [key, list] of this.leaves) {
      const [caId, certId] = key.split('/') as [string, string];
      for (const c of list) out.push({ caId, certId, der: new Uint8Array(c.raw) });
    }
    return out;
  }
}

export function emptyTrustStore(): TwoDDocTrustStore {
  return new Store();
}

/** The store from DER entries (a worker's copy of what the pool loaded); entries that do not parse are left out. */
export function trustStoreFromEntries(entries: readonly TrustEntry[]): TwoDDocTrustStore {
  const store = new Store();
  for (const e of entries) {
    if (!TWODDOC_ID.test(e.caId) || (e.certId !== null && !TWODDOC_ID.test(e.certId))) continue;
    try {
      store.add(e, new X509Certificate(Buffer.from(e.der)));
    } catch {
      // checked when loaded; a certificate that no longer parses is simply not trusted
    }
  }
  return store;
}

/** Reads the trust store folder (layout above). A missing folder is an empty store, said in `problems`. */
export function loadTwoDDocTrustStore(dir: string): LoadedTrustStore {
  const store = new Store();
  const problems: string[] = [];
  if (!existsSync(dir)) return { store, problems: [`${dir}: no such folder (no 2D-Doc can be verified)`] };
  let files = 0;

  const readCerts = (path: string, name: string): X509Certificate[] | null => {
    if (++files > MAX_FILES) {
      if (files === MAX_FILES + 1) problems.push(`more than ${MAX_FILES} files: the rest is left out`);
      return null;
    }
    try {
      const st = statSync(path);
      if (!st.isFile()) return null;
      if (st.size > MAX_FILE_BYTES) {
        problems.push(`${name}: ${st.size} bytes, too big for a certificate`);
        return null;
      }
      const certs = certificatesOf(readFileSync(path));
      if (certs.length === 0) problems.push(`${name}: no certificate in it`);
      return certs;
    } catch (err) {
      problems.push(`${name}: not a certificate (${err instanceof Error ? err.message : String(err)})`);
      return null;
    }
  };

  const certFiles = (folder: string): { id: string; path: string; name: string }[] => {
    if (!existsSync(folder)) return [];
    return readdirSync(folder)
      .filter((f) => EXTENSIONS.has(extname(f).toLowerCase()))
      .sort()
      .map((f) => ({ id: f.slice(0, -extname(f).length).toUpperCase(), path: join(folder, f), name: f }));
  };

  for (const f of certFiles(join(dir, 'ca'))) {
    if (!TWODDOC_ID.test(f.id)) {
      problems.push(`ca/${f.name}: the file name must be the authority's 2D-Doc id (FR00…)`);
      continue;
    }
    const certs = readCerts(f.path, `ca/${f.name}`);
    for (const c of certs ?? []) {
      if (!c.ca) problems.push(`ca/${f.name}: not a certification authority's certificate (basicConstraints CA is not set)`);
      else store.add({ caId: f.id, certId: null }, c);
    }
  }

  const signersDir = join(dir, 'signers');
  if (existsSync(signersDir)) {
    for (const caId of readdirSync(signersDir).sort()) {
      const folder = join(signersDir, caId);
      if (!statSync(folder).isDirectory()) continue;
      if (!TWODDOC_ID.test(caId)) {
        problems.push(`signers/${caId}: the folder name must be the authority's 2D-Doc id (FR00…)`);
        continue;
      }
      for (const f of certFiles(folder)) {
        const name = `signers/${caId}/${f.name}`;
        if (!TWODDOC_ID.test(f.id)) {
          problems.push(`${name}: the file name must be the 4-character certificate id of the 2D-Doc header`);
          continue;
        }
        for (const c of readCerts(f.path, name) ?? []) {
          if (!namesCertId(c, f.id)) problems.push(`${name}: its subject's common name does not carry ${f.id}`);
          else store.add({ caId, certId: f.id }, c);
        }
      }
    }
  }
  return { store, problems };
}
