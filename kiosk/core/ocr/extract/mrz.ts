/**
 * Machine-readable zones (ICAO Doc 9303) as OCR returns them: TD1 (3 × 30: identity cards, residence
 * permits) and TD3 (2 × 44: passports). OCR drops or doubles fillers, reads '<' as L, K, C or «, and confuses
 * O/0, I/1, S/5, B/8. The zone's fixed layout says which positions are digits and which letters, so those are
 * corrected outright; alphanumeric positions (the document number) are corrected only where the check digit
 * confirms it. Every check digit is verified: document number, birth date, expiry date, optional data (TD3
 * personal number) and the composite.
 */
import { icaoCheckDigit, isoDate } from './checks.ts';
import type { OcrPage } from './page.ts';

export type MrzFormat = 'TD1' | 'TD3';

export interface MrzField {
  value: string;
  /** its check digit (or the composite, for fields without their own) holds */
  valid: boolean;
  /** characters changed to make it check */
  corrections: number;
  /** another correction would check as well */
  ambiguous: boolean;
}

export interface MrzReading {
  format: MrzFormat;
  /** 'ID', 'IR', 'P', … (fillers removed) */
  documentCode: string;
  issuer: string;
  documentNumber: MrzField;
  birthDate: MrzField;
  expiryDate: MrzField;
  sex: MrzField;
  nationality: MrzField;
  optionalData: MrzField;
  /** the composite check digit holds */
  composite: boolean;
  surname: string;
  givenNames: string[];
  /** index in the input of the zone's first line */
  firstLine: number;
  /** the zone as corrected */
  lines: string[];
}

const TO_DIGIT: Record<string, string> = { O: '0', Q: '0', D: '0', U: '0', I: '1', L: '1', J: '1', T: '1', Z: '2', S: '5', G: '6', B: '8', '<': '0' };
const TO_LETTER: Record<string, string> = { '0': 'O', '1': 'I', '2': 'Z', '4': 'A', '5': 'S', '6': 'G', '7': 'T', '8': 'B' };
/**
 * Look-alikes tried in alphanumeric positions, where only a check digit can tell: the confusions OCR makes in
 * a zone read with its own alphabet. Every extra kind of swap is another chance for a wrong reading to pass a
 * check digit by luck, so the list stays short.
 */
const SWAPS: Record<string, readonly string[]> = {
  '0': ['O', 'D', 'Q'],
  O: ['0'],
  D: ['0'],
  Q: ['0'],
  '1': ['I', 'J'],
  I: ['1', 'J'],
  J: ['I', '1'],
  '2': ['Z'],
  Z: ['2'],
  '5': ['S'],
  S: ['5'],
  '8': ['B'],
  B: ['8'],
};
const FILLER_LIKE = /^[<LKCE(«]*$/;

/** Upper case, MRZ alphabet only; the chevron « is two fillers, brackets are fillers. */
export function normaliseMrzLine(raw: string): string {
  return raw
    .toUpperCase()
    .replace(/«/g, '<<')
    .replace(/[‹([{]/g, '<')
    .replace(/[^A-Z0-9<]/g, '');
}

function digitField(s: string): { value: string; corrections: number } {
  let corrections = 0;
  let value = '';
  for (const c of s) {
    if (/\d/.test(c)) value += c;
    else {
      value += TO_DIGIT[c] ?? '0';
      corrections++;
    }
  }
  return { value, corrections };
}

function letterField(s: string, allowFiller = true): { value: string; corrections: number } {
  let corrections = 0;
  let value = '';
  for (const c of s) {
    if (/[A-Z]/.test(c) || (allowFiller && c === '<')) value += c;
    else {
      value += TO_LETTER[c] ?? '<';
      corrections++;
    }
  }
  return { value, corrections };
}

/** An optional-data field of `width`: fillers misread as letters are fillers again; the length is forced. */
function optionalField(s: string, width: number): string {
  if (FILLER_LIKE.test(s)) return '<'.repeat(width);
  // Fillers after the data, possibly misread: trim to the data, then pad.
  let v = s;
  const tail = /[<LKC(«]*$/.exec(v)!;
  if (tail[0].includes('<')) v = v.slice(0, tail.index);
  return (v + '<'.repeat(width)).slice(0, width);
}

interface Corrected {
  value: string;
  corrections: number;
  valid: boolean;
  ambiguous: boolean;
}

/** What a look-alike swap costs: document numbers hold far more digits than O or I, so those swaps are cheap. */
function swapCost(from: string, to: string): number {
  return (from === 'O' && to === '0') || (from === 'I' && to === '1') || (from === 'Q' && to === '0') ? 0.4 : 1;
}

interface Candidate {
  value: string;
  cost: number;
  changes: number;
}

/**
 * Readings of an alphanumeric field whose check digit holds, cheapest first: per position the zone's
 * character (free), the printed reading's character (cheap: a second opinion), or a look-alike; at most
 * three changes and a bounded cost.
 */
function numberCandidates(raw: string, check: string, printed?: string): Candidate[] {
  const out: Candidate[] = [];
  if (icaoCheckDigit(raw) === check) out.push({ value: raw, cost: 0, changes: 0 });
  const trimmed = raw.replace(/<+$/, '');
  const alts: { ch: string; cost: number }[][] = [...raw].map((c, i) => {
    const list: { ch: string; cost: number }[] = [];
    const p = printed && printed.length === trimmed.length ? printed[i] : undefined;
    if (p && p !== c && /[A-Z0-9]/.test(p)) list.push({ ch: p, cost: 0.3 });
    for (const alt of SWAPS[c] ?? []) if (alt !== p) list.push({ ch: alt, cost: swapCost(c, alt) });
    return list;
  });
  const MAX_COST = 2;
  const MAX_CHANGES = 3;
  const chars = [...raw];
  const search = (from: number, changes: number, cost: number): void => {
    if (changes > 0 && icaoCheckDigit(chars.join('')) === check) {
      const value = chars.join('');
      const seen = out.find((o) => o.value === value);
      if (!seen) out.push({ value, cost, changes });
      else if (cost < seen.cost) Object.assign(seen, { cost, changes });
    }
    if (changes === MAX_CHANGES) return;
    for (let i = from; i < chars.length; i++) {
      for (const a of alts[i]!) {
        if (cost + a.cost > MAX_COST) continue;
        const keep = chars[i]!;
        chars[i] = a.ch;
        search(i + 1, changes + 1, cost + a.cost);
        chars[i] = keep;
      }
    }
  };
  search(0, 0, 0);
  return out.sort((a, b) => a.cost - b.cost);
}

/**
 * Which reading of the document number to keep. The zone's own reading stands when its check digit holds.
 * A look-alike fix that satisfies the check digit happens by chance one time in ten, and the composite cannot
 * confirm it (it weighs the number's characters exactly as the number's own check digit does), so a fix is
 * only trusted when the printed number, read independently, explains every change: the print shows that
 * character, or print and zone both show the same letter where the check wants its digit twin (O/0, I/1).
 * An unconfirmed fix is not taken: the zone's reading is returned, not valid, for the person to correct.
 */
function chooseNumber(raw: string, candidates: readonly Candidate[], printed: string | undefined): Corrected {
  const asIs = candidates.find((c) => c.changes === 0);
  if (asIs) return { value: asIs.value, corrections: 0, valid: true, ambiguous: false };
  if (printed === undefined) return { value: raw, corrections: 0, valid: false, ambiguous: false };
  const p = printed.padEnd(raw.length, '<');
  const explained = (c: Candidate) =>
    p.length === raw.length &&
    [...c.value].every((ch, i) => {
      const was = raw[i]!;
      if (ch === was) return true;
      if (ch === p[i]) return true;
      return was === p[i] && ((ch === '0' && 'OQD'.includes(was)) || (ch === '1' && 'IJ'.includes(was)));
    });
  const confirmed = candidates.filter((c) => c.changes > 0 && explained(c));
  const best = confirmed[0];
  if (!best) return { value: raw, corrections: 0, valid: false, ambiguous: false };
  return { value: best.value, corrections: best.changes, valid: true, ambiguous: confirmed.length > 1 };
}

function mrzDate(yymmdd: string, kind: 'birth' | 'expiry', now: Date): string | null {
  if (!/^\d{6}$/.test(yymmdd)) return null;
  const yy = Number(yymmdd.slice(0, 2));
  const current = now.getUTCFullYear() % 100;
  // A birth year after this year's two digits is last century; expiry dates are this century (documents last
  // at most a few decades, so ambiguity only returns in the 2070s).
  const year = kind === 'birth' ? (yy > current ? 1900 + yy : 2000 + yy) : 2000 + yy;
  return isoDate(year, Number(yymmdd.slice(2, 4)), Number(yymmdd.slice(4, 6)));
}

/**
 * A token made only of the letters fillers are misread as (« KK », « KLLLLILLLLL ») is fillers, not a name:
 * names have vowels, and no name is a run of L and K.
 */
function isFillerToken(t: string): boolean {
  return /^[LKC]+$/.test(t) || (/^[LKCI]{5,}$/.test(t) && (t.match(/[LK]/g)?.length ?? 0) >= 4);
}

function names(field: string): { surname: string; givenNames: string[] } {
  const f = field.replace(/^<+/, '');
  const sep = f.indexOf('<<');
  const surnamePart = sep < 0 ? f : f.slice(0, sep);
  let rest = sep < 0 ? '' : f.slice(sep + 2);
  // Given names end at the next double filler; whatever follows is fillers (misread or not).
  const end = rest.indexOf('<<');
  if (end >= 0) rest = rest.slice(0, end);
  const clean = (s: string) =>
    letterField(s)
      .value.split('<')
      // trailing misread fillers ("TRAORE<MOUSSA<KLLLL")
      .filter((t, i, all) => !(i > 0 && i === all.length - 1 && t.length >= 2 && isFillerToken(t)))
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
  const given = rest
    .split('<')
    .map((g) => letterField(g).value)
    // A token made only of filler look-alikes is misread fillers, not a name.
    .filter((g) => g.length > 0 && !isFillerToken(g) && !(g.length === 1 && /[LKCE]/.test(g)));
  return { surname: clean(surnamePart), givenNames: given };
}

/** Fit a line to `width`: extra fillers are dropped from the filler runs, missing ones added at the end. */
function fit(line: string, width: number): string {
  let l = line;
  while (l.length > width) {
    const run = /<{2,}(?!.*<{2,})/.exec(l) ?? /[<LKC]{2,}$/.exec(l);
    if (!run) break;
    l = l.slice(0, run.index) + l.slice(run.index + 1);
  }
  if (l.length > width) l = l.slice(0, width);
  return l.padEnd(width, '<');
}

interface Zone {
  format: MrzFormat;
  lines: string[];
  first: number;
}

/** Where a zone starts: a document code and an issuing state, possibly after a stray mark from the card edge. */
const TD3_START = /P[A-Z<][A-Z<]{3}[A-Z<]/;
const TD1_START = /[IAC][A-Z<][A-Z]{3}[A-Z0-9<]{9}/;

function candidates(lines: readonly string[]): Zone[] {
  const out: Zone[] = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    const l = lines[i]!;
    const next = lines[i + 1]!;
    // Both first lines of a zone carry fillers or the digit runs of the second line: ordinary text does not.
    if (!looksLikeMrzLine(l) || !looksLikeMrzLine(next)) continue;
    const p = TD3_START.exec(l);
    if (p && p.index <= 2 && l.length - p.index >= 36 && next.length >= 36) out.push({ format: 'TD3', lines: [l.slice(p.index), next], first: i });
    const t = TD1_START.exec(l);
    const third = lines[i + 2];
    if (t && t.index <= 2 && l.length - t.index >= 24 && l.length - t.index <= 38 && third !== undefined && next.length >= 24 && (next.slice(0, 6).match(/\d/g) ?? []).length >= 4) {
      out.push({ format: 'TD1', lines: [l.slice(t.index), next, third], first: i });
    }
  }
  return out;
}

function field(value: string, valid: boolean, corrections = 0, ambiguous = false): MrzField {
  return { value, valid, corrections, ambiguous };
}

export interface MrzOptions {
  /** reference date for two-digit years (default: now) */
  now?: Date;
  /** another reading of the document number (the printed one): preferred among readings that check */
  printedNumber?: string;
}

function parseTd1(z: Zone, opts: Required<Pick<MrzOptions, 'now'>> & MrzOptions): MrzReading {
  const [r1, r2, r3] = z.lines as [string, string, string];
  const l1 = fit(r1, 30);
  const code = letterField(l1.slice(0, 2)).value;
  const issuer = letterField(l1.slice(2, 5), false).value;
  let docRaw = l1.slice(5, 14);
  let docCheck = digitField(l1.slice(14, 15)).value;
  const opt1Raw = l1.slice(15, 30);
  let opt1 = optionalField(opt1Raw, 15);
  let overflow = false;
  if (l1[14] === '<' && /^[A-Z0-9]/.test(opt1Raw)) {
    // Document numbers longer than 9 continue in the optional data, their check digit after them.
    const ext = /^[A-Z0-9]+/.exec(opt1Raw)![0];
    docRaw = `${docRaw}${ext.slice(0, -1)}`;
    docCheck = digitField(ext.slice(-1)).value;
    overflow = true;
    opt1 = optionalField(opt1Raw, 15);
  }
  const docField = docRaw.replace(/<+$/, '').padEnd(overflow ? 0 : 9, '<');

  // Line 2 has fixed positions up to the nationality; the composite is its last character.
  // Dropped fillers are restored before the last character (the composite), not after it.
  const l2raw = r2.length >= 30 ? r2 : `${r2.slice(0, -1).padEnd(29, '<')}${r2.slice(-1)}`;
  const birthRaw = digitField(l2raw.slice(0, 6));
  const birthCheck = digitField(l2raw.slice(6, 7)).value;
  const sexRaw = l2raw[7]!;
  const expiryRaw = digitField(l2raw.slice(8, 14));
  const expiryCheck = digitField(l2raw.slice(14, 15)).value;
  const nat = letterField(l2raw.slice(15, 18), false);
  const composite = digitField(l2raw.slice(-1)).value;
  const opt2 = optionalField(l2raw.slice(18, -1), 11);
  const l2 = `${birthRaw.value}${birthCheck}${sexRaw}${expiryRaw.value}${expiryCheck}${nat.value}${opt2}${composite}`;

  const line1Of = (number: string) => {
    const docForZone = overflow ? `${number.slice(0, 9)}<` : `${number.padEnd(9, '<').slice(0, 9)}${docCheck}`;
    const opt1ForZone = overflow ? optionalField(`${number.slice(9)}${docCheck}${opt1.replace(/^[A-Z0-9]+/, '')}`, 15) : opt1;
    return `${code}${issuer}${docForZone}${opt1ForZone}`;
  };
  const compositeOf = (number: string) => icaoCheckDigit(`${line1Of(number).slice(5, 30)}${l2.slice(0, 7)}${l2.slice(8, 15)}${l2.slice(18, 29)}`) === composite;
  const doc = chooseNumber(docField, numberCandidates(docField, docCheck, opts.printedNumber), opts.printedNumber);
  const line1 = line1Of(doc.value);
  const opt1ForZone = line1.slice(15, 30);
  const compositeOk = compositeOf(doc.value);
  const birthOk = icaoCheckDigit(birthRaw.value) === birthCheck;
  const expiryOk = icaoCheckDigit(expiryRaw.value) === expiryCheck;
  const birthIso = mrzDate(birthRaw.value, 'birth', opts.now);
  const expiryIso = mrzDate(expiryRaw.value, 'expiry', opts.now);
  const n = names(fit(r3, 30));
  return {
    format: 'TD1',
    documentCode: code.replace(/<+$/, ''),
    issuer,
    documentNumber: field(doc.value.replace(/<+$/, ''), doc.valid, doc.corrections, doc.ambiguous),
    birthDate: field(birthIso ?? '', birthOk && birthIso !== null, birthRaw.corrections),
    expiryDate: field(expiryIso ?? '', expiryOk && expiryIso !== null, expiryRaw.corrections),
    sex: field(sexRaw === '<' ? 'X' : sexRaw, /^[FMX<]$/.test(sexRaw) && compositeOk),
    nationality: field(nat.value.replace(/</g, ''), compositeOk && /^[A-Z]{3}$/.test(nat.value), nat.corrections),
    optionalData: field(`${opt1ForZone}${opt2}`.replace(/^<+|<+$/g, ''), compositeOk),
    composite: compositeOk,
    surname: n.surname,
    givenNames: n.givenNames,
    firstLine: z.first,
    lines: [line1, l2, fit(r3, 30)],
  };
}

function parseTd3(z: Zone, opts: Required<Pick<MrzOptions, 'now'>> & MrzOptions): MrzReading {
  const [r1, r2] = z.lines as [string, string];
  const l1 = fit(r1, 44);
  const code = letterField(l1.slice(0, 2)).value;
  const issuer = letterField(l1.slice(2, 5), false).value;
  // Line 2: fixed positions from the left up to the expiry check, and the two check digits from the right;
  // the personal number in between takes up whatever length OCR left it.
  const l2raw = r2.length >= 44 ? r2 : `${r2.slice(0, -2).padEnd(42, '<')}${r2.slice(-2)}`;
  const docRaw = l2raw.slice(0, 9);
  const docCheck = digitField(l2raw.slice(9, 10)).value;
  const nat = letterField(l2raw.slice(10, 13), false);
  const birthRaw = digitField(l2raw.slice(13, 19));
  const birthCheck = digitField(l2raw.slice(19, 20)).value;
  const sexRaw = l2raw[20]!;
  const expiryRaw = digitField(l2raw.slice(21, 27));
  const expiryCheck = digitField(l2raw.slice(27, 28)).value;
  const personal = optionalField(l2raw.slice(28, -2), 14);
  const personalCheckRaw = l2raw.slice(-2, -1);
  // An empty personal number may have '<' or 0 as its check digit.
  const personalCheck = personalCheckRaw === '<' ? '<' : digitField(personalCheckRaw).value;
  const composite = digitField(l2raw.slice(-1)).value;
  const personalOk = personal === '<'.repeat(14) ? personalCheck === '<' || personalCheck === '0' : icaoCheckDigit(personal) === personalCheck;
  const l2Of = (number: string) => `${number}${docCheck}${nat.value}${birthRaw.value}${birthCheck}${sexRaw}${expiryRaw.value}${expiryCheck}${personal}${personalCheck}${composite}`;
  const compositeOf = (number: string) => {
    const l = l2Of(number);
    return icaoCheckDigit(`${l.slice(0, 10)}${l.slice(13, 20)}${l.slice(21, 43)}`) === composite;
  };
  const doc = chooseNumber(docRaw, numberCandidates(docRaw, docCheck, opts.printedNumber), opts.printedNumber);
  const l2 = l2Of(doc.value);
  const compositeOk = compositeOf(doc.value);
  const birthIso = mrzDate(birthRaw.value, 'birth', opts.now);
  const expiryIso = mrzDate(expiryRaw.value, 'expiry', opts.now);
  const n = names(l1.slice(5));
  return {
    format: 'TD3',
    documentCode: code.replace(/<+$/, ''),
    issuer,
    documentNumber: field(doc.value.replace(/<+$/, ''), doc.valid, doc.corrections, doc.ambiguous),
    birthDate: field(birthIso ?? '', icaoCheckDigit(birthRaw.value) === birthCheck && birthIso !== null, birthRaw.corrections),
    expiryDate: field(expiryIso ?? '', icaoCheckDigit(expiryRaw.value) === expiryCheck && expiryIso !== null, expiryRaw.corrections),
    sex: field(sexRaw === '<' ? 'X' : sexRaw, /^[FMX<]$/.test(sexRaw) && compositeOk),
    nationality: field(nat.value.replace(/</g, ''), compositeOk && /^[A-Z]{3}$/.test(nat.value), nat.corrections),
    optionalData: field(personal.replace(/<+$/, ''), personalOk),
    composite: compositeOk,
    surname: n.surname,
    givenNames: n.givenNames,
    firstLine: z.first,
    lines: [l1, l2],
  };
}

function score(r: MrzReading): number {
  return (r.composite ? 4 : 0) + Number(r.documentNumber.valid) + Number(r.birthDate.valid) + Number(r.expiryDate.valid);
}

/** The machine-readable zone among recognised lines, parsed and checked; null when there is none. */
export function readMrz(rawLines: readonly string[], options: MrzOptions = {}): MrzReading | null {
  const kept = rawLines.map((l, i) => ({ l: normaliseMrzLine(l), i })).filter((x) => x.l.length >= 20);
  const opts = { ...options, now: options.now ?? new Date() };
  let best: MrzReading | null = null;
  // Several places may look like a zone's start (a long upper-case line above it): the reading whose check
  // digits hold best is the zone.
  for (const zone of candidates(kept.map((x) => x.l))) {
    const r = zone.format === 'TD3' ? parseTd3(zone, opts) : parseTd1(zone, opts);
    if (!best || score(r) > score(best)) best = { ...r, firstLine: kept[zone.first]?.i ?? 0 };
  }
  return best;
}

/** Does this recognised line look like a line of a machine-readable zone? (for locating the zone) */
export function looksLikeMrzLine(raw: string): boolean {
  const l = normaliseMrzLine(raw);
  if (l.length < 20) return false;
  const fillers = (l.match(/</g) ?? []).length;
  const digits = (l.match(/\d/g) ?? []).length;
  // Fillers are the zone's signature (OCR may drop a few); a line without any (all misread) still has a long
  // run of look-alikes or the digit-heavy second line's shape.
  if (fillers >= 3) return true;
  return l.length >= 26 && (fillers >= 2 || /[<LKC]{6,}$/.test(l) || (digits >= 12 && /^\d{6}/.test(l)));
}

/** The region of the machine-readable zone, from the first recognition's line boxes; null when there is none. */
export function mrzRegion(page: OcrPage, width: number, height: number): { left: number; top: number; width: number; height: number } | null {
  const lines = page.lines.filter((l) => looksLikeMrzLine(l.text));
  if (lines.length < 2) return null;
  // The zone is the bottom-most run of such lines, one under the other (at most three).
  const sorted = [...lines].sort((a, b) => a.box.y0 - b.box.y0);
  const zone = [sorted[sorted.length - 1]!];
  for (let i = sorted.length - 2; i >= 0 && zone.length < 3; i--) {
    const above = sorted[i]!;
    const h = Math.max(1, above.box.y1 - above.box.y0);
    if (zone[0]!.box.y0 - above.box.y1 > 2 * h) break;
    zone.unshift(above);
  }
  if (zone.length < 2) return null;
  const x0 = Math.min(...zone.map((l) => l.box.x0));
  const y0 = Math.min(...zone.map((l) => l.box.y0));
  const x1 = Math.max(...zone.map((l) => l.box.x1));
  const y1 = Math.max(...zone.map((l) => l.box.y1));
  const lineHeight = (y1 - y0) / zone.length;
  // A line the first pass did not recognise as the zone's (a short names line) may sit just above or below.
  const margin = zone.length < 3 ? lineHeight * 1.4 : lineHeight * 0.6;
  const left = Math.max(0, Math.floor(x0 - lineHeight));
  const top = Math.max(0, Math.floor(y0 - margin));
  const right = Math.min(width, Math.ceil(x1 + lineHeight));
  const bottom = Math.min(height, Math.ceil(y1 + margin));
  if (right - left < 50 || bottom - top < 20) return null;
  return { left, top, width: right - left, height: bottom - top };
}
