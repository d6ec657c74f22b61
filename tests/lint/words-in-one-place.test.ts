/**
 * What a person reads is written in one place per process: the kiosk core's sentences in
 * `kiosk/core/words.ts`, the server's in `sync-server/src/kernel/words/`. This scans the production code of
 * `kiosk/core` and `sync-server/src` (not tests, not test support) for string literals that read as a
 * French sentence, and fails on one found elsewhere — so a sentence is fixed, made plainer or reread once.
 *
 * The heuristic (`frenchSentence`): a literal of at least two words, with a French accented letter, French
 * quotes « », an elided article or pronoun (l’, d’, n’, qu’…), a word of this domain English never uses
 * (borne, carte, papier, inconnue…), or two French small words (le, vous, pas…).
 * Template literals are read with their holes as a word. Not counted: module paths, log calls (pino
 * messages stay English: they are for the people who run the system), SQL (`sql` templates), a `code:`
 * property (error codes), and a literal marked `// not-words: <why>` on its line or the line before (a
 * document's printed text fed to OCR, say, which no one reads).
 *
 * `NOT_MOVED_YET` lists the server files whose words are still to move, with how many literals each holds;
 * a file may only go down that list (the test fails when a count grows, and asks for the number to be
 * lowered when it shrinks). The kiosk core has none left.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const SCANNED = ['kiosk/core', 'sync-server/src'];
const WORDS_MODULES = [/^kiosk\/core\/words\.ts$/, /^sync-server\/src\/kernel\/words\//];

/** Server files whose words are not in kernel/words yet, and how many French literals each still holds. */
const NOT_MOVED_YET: Readonly<Record<string, number>> = {
  'sync-server/src/edge/staff/cli.ts': 91,
  // the console's HTML templates: the request page grew with the evidence-first layout while the words moved
  'sync-server/src/edge/console/views.ts': 43,
};

const ACCENT = /[àâäçéèêëîïôöùûüÿœæ«»]/i;
const ELISION = /(^|[\s(«"])(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu)’/i;
const SMALL_WORDS = new Set(['le', 'la', 'les', 'des', 'du', 'une', 'un', 'est', 'sont', 'vous', 'votre', 'vos', 'pas', 'avec', 'dans', 'pour', 'sur', 'et', 'ce', 'cette', 'mon', 'mes', 'ne', 'au', 'aux', 'il', 'elle', 'nous', 'qui', 'que', 'de']);
/** French words of this domain that English never uses: one is enough in a two-word literal ("Borne inconnue."). */
const DOMAIN_WORDS = new Set(['borne', 'carte', 'cartes', 'demande', 'demandes', 'papier', 'papiers', 'personne', 'identifiant', 'inconnu', 'inconnue', 'invalide', 'commande', 'motif', 'coffre', 'envoi', 'jeton', 'organisme', 'aide', 'aides', 'fichier', 'serveur', 'tablette', 'mauvais', 'incorrecte']);
const LOG_METHODS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

/** Does this text read as a French sentence (or a piece of one) someone would read? */
function frenchSentence(text: string): boolean {
  const words = text.split(/\s+/).filter((w) => /\p{L}/u.test(w));
  if (words.length < 2) return false;
  if (ACCENT.test(text) || ELISION.test(text)) return true;
  const bare = words.map((w) => w.toLowerCase().replace(/[^\p{L}]/gu, ''));
  if (bare.some((w) => DOMAIN_WORDS.has(w))) return true;
  return new Set(bare.filter((w) => SMALL_WORDS.has(w))).size >= 2;
}

function isLogCall(node: ts.Node): boolean {
  for (let n: ts.Node | undefined = node.parent; n && !ts.isBlock(n) && !ts.isSourceFile(n); n = n.parent) {
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
      const target = n.expression.expression.getText();
      if (LOG_METHODS.has(n.expression.name.text) && /log/i.test(target)) return true;
    }
  }
  return false;
}

function excluded(node: ts.Node, lines: string[], src: ts.SourceFile): boolean {
  const p = node.parent;
  if (ts.isImportDeclaration(p) || ts.isExportDeclaration(p) || ts.isExternalModuleReference(p) || ts.isImportTypeNode(p.parent)) return true;
  if (ts.isCallExpression(p) && p.expression.kind === ts.SyntaxKind.ImportKeyword) return true;
  if (ts.isTaggedTemplateExpression(p) && p.tag.getText() === 'sql') return true;
  if (ts.isPropertyAssignment(p) && p.initializer === node && p.name.getText() === 'code') return true;
  if (isLogCall(node)) return true;
  const line = src.getLineAndCharacterOfPosition(node.getStart()).line;
  return /not-words:/.test(lines[line] ?? '') || /not-words:/.test(lines[line - 1] ?? '');
}

interface Finding {
  file: string;
  line: number;
  text: string;
}

/** Every French sentence literal of one file's source. */
function findSentences(file: string, source: string): Finding[] {
  const src = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const lines = source.split('\n');
  const found: Finding[] = [];
  const visit = (node: ts.Node): void => {
    let text: string | null = null;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) text = node.text;
    else if (ts.isTemplateExpression(node)) text = [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' x ');
    if (text !== null && frenchSentence(text) && !excluded(node, lines, src)) {
      found.push({ file, line: src.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: text.slice(0, 80) });
    }
    if (ts.isTemplateExpression(node)) node.templateSpans.forEach((s) => visit(s.expression));
    else ts.forEachChild(node, visit);
  };
  visit(src);
  return found;
}

function productionFiles(root: string, dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(join(root, dir))) {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) {
      if (name !== 'node_modules' && name !== 'testing' && name !== 'test-support') productionFiles(root, rel, out);
    } else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith('.d.ts')) {
      out.push(rel.split(sep).join('/'));
    }
  }
  return out;
}

/** French sentences outside the words modules, per file, under `root`. */
function scan(root: string, dirs: readonly string[] = SCANNED): Map<string, Finding[]> {
  const byFile = new Map<string, Finding[]>();
  for (const dir of dirs) {
    for (const file of productionFiles(root, dir)) {
      if (WORDS_MODULES.some((re) => re.test(file))) continue;
      const found = findSentences(file, readFileSync(join(root, file), 'utf8'));
      if (found.length > 0) byFile.set(file, found);
    }
  }
  return byFile;
}

function problems(byFile: Map<string, Finding[]>, allowed: Readonly<Record<string, number>>): string[] {
  const out: string[] = [];
  for (const [file, found] of byFile) {
    const max = allowed[file] ?? 0;
    if (found.length > max) {
      out.push(`${file}: ${found.length} French sentence(s) outside the words modules (allowed ${max}):\n${found.map((f) => `  ${f.line}: ${f.text}`).join('\n')}`);
    }
  }
  for (const [file, max] of Object.entries(allowed)) {
    const now = byFile.get(file)?.length ?? 0;
    if (now < max) out.push(`${file}: ${now} left, fewer than the ${max} listed in NOT_MOVED_YET: lower its number (or remove it at 0)`);
  }
  return out;
}

describe('words in one place', () => {
  it('finds no French sentence outside the words modules (kiosk/core/words.ts, sync-server/src/kernel/words/)', () => {
    expect(problems(scan(repo), NOT_MOVED_YET)).toEqual([]);
  });

  it('leaves nothing to move in the kiosk core', () => {
    expect(Object.keys(NOT_MOVED_YET).filter((f) => f.startsWith('kiosk/'))).toEqual([]);
  });

  describe('on a planted tree', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fac-words-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const write = (rel: string, text: string) => {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), text);
    };

    it('fails on a sentence thrown from a core module, and names the file and line', () => {
      write('kiosk/core/words.ts', "export const CARD = { blocked: 'La carte est bloquée.' };\n");
      write('kiosk/core/session/bad.ts', "import { CARD } from '../words.ts';\nexport const a = CARD.blocked;\nexport function f(): never {\n  throw new Error('Votre carte est bloquée. Prévenez un agent.');\n}\n");
      write('sync-server/src/features/vault/bad.ts', 'export const line = (n: number) => `a regardé ${n} papiers`;\nexport const plain = "Ce papier n’existe pas";\n');
      write('sync-server/src/kernel/words/vault.ts', "export const OK = 'Ce papier n’existe pas.';\n");
      const r = problems(scan(dir), {});
      expect(r).toHaveLength(2);
      expect(r[0]).toContain('kiosk/core/session/bad.ts: 1 French sentence(s)');
      expect(r[0]).toContain('4: Votre carte est bloquée. Prévenez un agent.');
      expect(r[1]).toContain('sync-server/src/features/vault/bad.ts: 2 French sentence(s)');
      // a file on the list may keep what it holds, no more; and its number must follow it down
      expect(problems(scan(dir), { 'kiosk/core/session/bad.ts': 1, 'sync-server/src/features/vault/bad.ts': 2 })).toEqual([]);
      expect(problems(scan(dir), { 'kiosk/core/session/bad.ts': 1, 'sync-server/src/features/vault/bad.ts': 1 })).toHaveLength(1);
      expect(problems(scan(dir), { 'kiosk/core/session/bad.ts': 3, 'sync-server/src/features/vault/bad.ts': 2 })[0]).toContain('lower its number');
    });

    it('lets English logs, SQL, error codes, module paths, tests and marked literals through', () => {
      const ok = [
        "import { x } from './le-module-de-la-carte.ts';",
        "export const y = x;",
        "export const log = { warn: (..._a: unknown[]) => undefined };",
        "log.warn({ card: 'la carte' }, 'the card’s PIN is blocked');",
        "export const q = (sql: (s: TemplateStringsArray) => string) => sql`SELECT le, la FROM des WHERE vous = 1`;",
        "export const e = { code: 'la-carte-est-bloquée', message: 'card blocked' };",
        "// not-words: printed on the test document the OCR warms up on, read by no one",
        "export const svg = 'RELEVÉ D’IDENTITÉ BANCAIRE';",
        "export const one = 'Numéro';",
        "export const english = 'the kiosk’s data key is missing';",
        '',
      ].join('\n');
      write('sync-server/src/edge/ok.ts', ok);
      write('sync-server/src/edge/ok.test.ts', "export const t = 'La carte est bloquée.';\n");
      write('kiosk/core/outbox/testing/child.ts', "export const t = 'Aurélie FONTAINE-DUBREUIL';\n");
      const found = scan(dir);
      expect(found.has('sync-server/src/edge/ok.ts'), JSON.stringify(found.get('sync-server/src/edge/ok.ts'))).toBe(false);
      expect(found.has('sync-server/src/edge/ok.test.ts')).toBe(false);
      expect(found.has('kiosk/core/outbox/testing/child.ts')).toBe(false);
    });

    it('reads as French what a person reads, and not English', () => {
      for (const s of ['La carte a été retirée.', 'Borne inconnue.', 'Vous avez répondu', 'Le PIN est faux pour la carte', 'l’image est floue', 'Pas de connexion pour le moment']) expect(frenchSentence(s), s).toBe(true);
      for (const s of ['mutation refused for good', 'the card’s admin PIN is blocked', 'card-blocked', 'Numéro', 'SELECT 1']) expect(frenchSentence(s), s).toBe(false);
    });
  });
});
