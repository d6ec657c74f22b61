/**
 * Five page structures for the administrative papers, filled from one description of the content: a
 * classic header with « Label : valeur » lines, two columns, labelled boxes, a grid of tables, and a letter
 * in which values sit in sentences. The same facts laid out five ways is what makes the corpus test the
 * reading of labels rather than of positions.
 */
import { Sheet, approxWidth, specimen, wrap } from './draw.ts';
import type { Rng } from './rand.ts';

export interface Pair {
  label: string;
  value: string;
  /** the letter layout writes this sentence instead, `{v}` standing for the value */
  phrase?: string;
}

export interface Table {
  head: string[];
  rows: string[][];
  /** indices of rows in bold (totals) */
  bold?: number[];
}

export interface AdminSpec {
  title: string;
  issuer: string[];
  recipient?: string[];
  pairs: Pair[];
  tables: Table[];
  after: Pair[];
  paragraphs: string[];
  closing?: string;
}

export const LAYOUTS = ['classic', 'two-column', 'boxed', 'grid', 'letter'] as const;
export type Layout = (typeof LAYOUTS)[number];

export const W = 1240;
export const H = 1754;

interface Ctx {
  s: Sheet;
  r: Rng;
  size: number;
  left: number;
  right: number;
  accent: string;
}

function lines(c: Ctx, px: number, py: number, ls: string[], size: number, boldFirst = false, anchor: 'start' | 'end' = 'start'): number {
  ls.forEach((l, i) => c.s.text(px, py + i * size * 1.35, l, { size, bold: boldFirst && i === 0, anchor }));
  return py + ls.length * size * 1.35;
}

function table(c: Ctx, t: Table, y0: number, style: 'rules' | 'cells' | 'stripes' | 'plain'): number {
  const { s, size, left, right } = c;
  const cols = t.head.length;
  const rowH = size * 1.9;
  // the first column holds labels; the others are right-aligned figures shared out on the right
  const all = [t.head, ...t.rows];
  // figures' columns share what the longest label leaves, so headers like « Code guichet » never collide
  const labelW = Math.max(...all.map((row) => approxWidth(row[0] ?? '', size)));
  const numW = Math.max(150, Math.min(260, (right - left - labelW - 24) / Math.max(1, cols - 1)));
  const colRight = (j: number) => right - 12 - (cols - 1 - j) * numW;
  let y = y0;
  all.forEach((row, i) => {
    const bold = i === 0 || (t.bold ?? []).includes(i - 1);
    if (style === 'stripes' && i > 0 && i % 2 === 0) s.box(left - 8, y, right - left + 16, rowH, { fill: '#ececec' });
    if (style === 'cells') {
      s.box(left - 8, y, right - left + 16, rowH, { stroke: '#555', width: 1.2, fill: i === 0 ? '#e8eef5' : 'none' });
      for (let j = 1; j < cols; j++) s.rule(colRight(j) - numW + 12, y, colRight(j) - numW + 12, y + rowH, '#555', 1.2);
    }
    row.forEach((cell, j) => {
      const ty = y + rowH * 0.68;
      if (j === 0) s.text(left, ty, cell, { size, bold });
      else s.text(colRight(j), ty, cell, { size, bold, anchor: 'end' });
    });
    y += rowH;
    if (style === 'rules' && (i === 0 || i === all.length - 1)) s.rule(left - 8, y, right + 8, y, '#333', 1.5);
  });
  return y + size;
}

function paragraphs(c: Ctx, ps: string[], y0: number, size: number): number {
  let y = y0;
  const chars = Math.floor((c.right - c.left) / (size * 0.52));
  for (const p of ps) {
    for (const l of wrap(p, chars)) {
      c.s.text(c.left, y, l, { size, color: '#333' });
      y += size * 1.4;
    }
    y += size * 0.5;
  }
  return y;
}

function classic(c: Ctx, a: AdminSpec): void {
  const { s, size, left, right } = c;
  lines(c, left, 90, a.issuer, size * 0.95, true);
  let y = 260;
  if (a.recipient) y = lines(c, W * 0.56, 250, a.recipient, size) + 20;
  y = Math.max(y, 90 + a.issuer.length * size * 1.35) + 50;
  s.text(W / 2, y, a.title, { size: size * 1.45, bold: true, anchor: 'middle' });
  y += size * 2.4;
  for (const p of a.pairs) {
    s.text(left, y, `${p.label} : ${p.value}`, { size });
    y += size * 1.6;
  }
  y += size * 0.6;
  for (const t of a.tables) y = table(c, t, y, 'rules') + size * 0.4;
  for (const p of a.after) {
    s.text(left, y, p.label, { size, bold: true });
    s.text(right, y, p.value, { size, bold: true, anchor: 'end' });
    y += size * 1.7;
  }
  y = paragraphs(c, a.paragraphs, y + size, size * 0.85);
  if (a.closing) s.text(left, y + size, a.closing, { size: size * 0.9 });
}

function twoColumn(c: Ctx, a: AdminSpec): void {
  const { s, size, left, right } = c;
  s.text(left, 110, a.title, { size: size * 1.5, bold: true, color: c.accent });
  lines(c, right, 175, a.issuer, size * 0.8, true, 'end');
  let y = 175 + a.issuer.length * size * 1.1 + 40;
  if (a.recipient) y = lines(c, left, y, a.recipient, size) + size;
  const col = left + 440;
  s.rule(left, y, right, y, c.accent, 2);
  y += size * 1.8;
  for (const p of a.pairs) {
    s.text(left, y, p.label, { size, color: '#444' });
    s.text(col, y, p.value, { size, bold: true });
    y += size * 1.65;
  }
  y += size * 0.6;
  for (const t of a.tables) y = table(c, t, y, 'plain') + size * 0.4;
  s.rule(left, y - size * 0.6, right, y - size * 0.6, c.accent, 2);
  y += size * 0.6;
  for (const p of a.after) {
    s.text(left, y, p.label, { size });
    s.text(col, y, p.value, { size, bold: true });
    y += size * 1.65;
  }
  y = paragraphs(c, a.paragraphs, y + size, size * 0.8);
  if (a.closing) s.text(right, y + size, a.closing, { size: size * 0.9, anchor: 'end' });
}

function boxed(c: Ctx, a: AdminSpec): void {
  const { s, size, left, right } = c;
  s.box(0, 60, W, size * 3.2, { fill: '#dfe8f2' });
  s.text(left, 60 + size * 2.1, a.title, { size: size * 1.4, bold: true, color: '#0d2b4e' });
  let y = 60 + size * 3.2 + 50;
  const issuerEnd = lines(c, left, y, a.issuer, size * 0.85, true);
  if (a.recipient) {
    s.box(W * 0.52, y - size * 1.2, right - W * 0.52 + 10, a.recipient.length * size * 1.35 + size, { stroke: '#8899aa', radius: 8 });
    lines(c, W * 0.54, y, a.recipient, size);
    y = Math.max(issuerEnd, y + a.recipient.length * size * 1.35) + size * 1.2;
  } else y = issuerEnd + size;
  const boxes = (ps: Pair[]) => {
    const gap = 16;
    const half = (right - left - gap) / 2;
    let col = 0;
    for (const p of ps) {
      const wide = p.value.length + 2 > half / (size * 0.72) || p.label.length > half / (size * 0.45);
      if (wide && col === 1) {
        col = 0;
        y += size * 3.4;
      }
      const w = wide ? right - left : half;
      const bx = left + col * (half + gap);
      s.box(bx, y, w, size * 3, { stroke: '#8899aa', width: 1.3, radius: 4 });
      s.text(bx + 12, y + size * 1.05, p.label, { size: size * 0.72, color: '#556677' });
      s.text(bx + 12, y + size * 2.4, p.value, { size, bold: true });
      if (wide || col === 1) {
        col = 0;
        y += size * 3.4;
      } else col = 1;
    }
    if (col === 1) y += size * 3.4;
  };
  boxes(a.pairs);
  y += size * 0.6;
  for (const t of a.tables) y = table(c, t, y, 'cells') + size * 0.6;
  boxes(a.after);
  y = paragraphs(c, a.paragraphs, y + size, size * 0.8);
  if (a.closing) s.text(left, y + size * 0.5, a.closing, { size: size * 0.85 });
}

function grid(c: Ctx, a: AdminSpec): void {
  const { s, size, left, right } = c;
  let y = lines(c, left, 90, a.issuer, size * 0.9, true);
  s.text(right, 100, a.title, { size: size * 1.2, bold: true, anchor: 'end' });
  if (a.recipient) y = lines(c, left, y + size, a.recipient, size);
  y += size * 1.5;
  // pairs two to a row: label | value | label | value, long values on a row of their own
  const rowH = size * 2;
  const half = (right - left) / 2;
  const labelW = half * 0.45;
  let pending: Pair[] = [];
  const flush = (ps: Pair[]) => {
    ps.forEach((p, i) => {
      const bx = left - 8 + i * half;
      const w = ps.length === 1 ? right - left + 16 : half;
      s.box(bx, y, labelW, rowH, { stroke: '#666', fill: '#f1f1f1' });
      s.box(bx + labelW, y, w - labelW, rowH, { stroke: '#666' });
      s.text(bx + 8, y + rowH * 0.66, p.label, { size: size * 0.72 });
      s.text(bx + labelW + 10, y + rowH * 0.66, p.value, { size });
    });
    y += rowH;
  };
  for (const p of a.pairs) {
    const long = p.value.length > (half - labelW) / (size * 0.72) || p.label.length > labelW / (size * 0.42);
    if (long) {
      if (pending.length) flush(pending);
      pending = [];
      flush([p]);
    } else {
      pending.push(p);
      if (pending.length === 2) {
        flush(pending);
        pending = [];
      }
    }
  }
  if (pending.length) flush(pending);
  y += size * 1.2;
  for (const t of a.tables) y = table(c, t, y, 'stripes') + size * 0.5;
  for (const p of a.after) {
    s.box(left - 8, y, right - left + 16, rowH, { stroke: '#666' });
    s.text(left, y + rowH * 0.66, p.label, { size, bold: true });
    s.text(right, y + rowH * 0.66, p.value, { size, bold: true, anchor: 'end' });
    y += rowH;
  }
  y = paragraphs(c, a.paragraphs, y + size * 1.5, size * 0.8);
  if (a.closing) s.text(left, y + size, a.closing, { size: size * 0.85 });
}

function letter(c: Ctx, a: AdminSpec): void {
  const { s, size, left, right } = c;
  lines(c, left, 90, a.issuer, size * 0.85, true);
  let y = 300;
  if (a.recipient) y = lines(c, W * 0.55, y, a.recipient, size);
  y = Math.max(y, 90 + a.issuer.length * size * 1.2) + size * 1.5;
  if (a.closing) {
    s.text(right, y, a.closing, { size, anchor: 'end' });
    y += size * 2.2;
  }
  s.text(left, y, `Objet : ${a.title}`, { size, bold: true });
  y += size * 2.2;
  s.text(left, y, 'Madame, Monsieur,', { size });
  y += size * 1.9;
  const chars = Math.floor((right - left) / (size * 0.52));
  for (const p of a.pairs) {
    const t = p.phrase ? p.phrase.replace('{v}', p.value) : `${p.label} : ${p.value}`;
    const ls = p.phrase ? wrap(t, chars) : [t];
    ls.forEach((l) => {
      s.text(p.phrase ? left : left + 40, y, l, { size });
      y += size * 1.45;
    });
    y += size * 0.25;
  }
  y += size * 0.5;
  for (const t of a.tables) y = table({ ...c, left: left + 40, right: right - 40 }, t, y, 'rules') + size * 0.4;
  for (const p of a.after) {
    s.text(left + 40, y, `${p.label} : ${p.value}`, { size, bold: true });
    y += size * 1.6;
  }
  y = paragraphs(c, a.paragraphs, y + size, size * 0.9);
  s.text(right - 200, y + size * 2, 'Le service gestion', { size, italic: true, anchor: 'middle' });
}

const RENDER: Record<Layout, (c: Ctx, a: AdminSpec) => void> = { classic, 'two-column': twoColumn, boxed, grid, letter };

export function renderAdmin(a: AdminSpec, layout: Layout, font: string, r: Rng): Sheet {
  const s = new Sheet(W, H, font, r.pick(['#ffffff', '#ffffff', '#fdfcf7', '#f8f9fb']));
  const c: Ctx = { s, r, size: r.int(21, 26), left: r.int(70, 100), right: W - r.int(70, 100), accent: r.pick(['#0b4f8a', '#1d6b3a', '#7a1f4b', '#333333', '#9a4a00']) };
  RENDER[layout](c, a);
  specimen(s, W - 40, H - 30, 20);
  return s;
}
