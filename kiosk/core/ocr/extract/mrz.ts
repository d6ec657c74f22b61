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
  /**
   * changed by look-alikes that only its own check digit supports (no second reading shows them): right far
   * more often than the misreading, but luck one time in ten, so never to be shown as sure
   */
  guessed?: boolean;
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
  /** read from the second recognition of the zone's region (firstLine counts its lines), not the page's */
  pass?: boolean;
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

/** An optional-data field that is fillers but for one or two stray marks after them: empty; else as it is. */
function strayOnly(s: string, width: number): string {
  const marks = s.replace(/[<LKC(«]/g, '');
  return /^[<LKC(«]{3}/.test(s) && marks.length <= 2 ? '<'.repeat(width) : optionalField(s, width);
}

/**
 * A second line of a card's zone one character too long: OCR may have read a character twice or a mark as one,
 * shifting the nationality and the expiry date. The reading with one character taken out before the
 * nationality's end that makes more of the line's checks hold (birth and expiry check digits, three letters of
 * nationality) is the line.
 */
function oneTooMany(line: string): string {
  if (line.length <= 30) return line;
  const fits = (l: string) => {
    const birth = digitField(l.slice(0, 6)).value;
    const expiry = digitField(l.slice(8, 14)).value;
    return (
      Number(icaoCheckDigit(birth) === digitField(l.slice(6, 7)).value) +
      Number(icaoCheckDigit(expiry) === digitField(l.slice(14, 15)).value) +
      Number(/^[A-Z]{3}$/.test(l.slice(15, 18))) +
      Number(/^[FMX<]$/.test(l[7]!))
    );
  };
  let best = line;
  let bestFit = fits(line);
  for (let d = 0; d < 18; d++) {
    const l = line.slice(0, d) + line.slice(d + 1);
    if (fits(l) > bestFit) [best, bestFit] = [l, fits(l)];
  }
  return best;
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
  guessed?: boolean;
  check?: string;
}

/** What a look-alike swap costs: document numbers hold far more digits than O or I, so those swaps are cheap. */
function swapCost(from: string, to: string): number {
  return (from === 'O' && to === '0') || (from === 'I' && to === '1') || (from === 'Q' && to === '0') ? 0.4 : 1;
}

interface Candidate {
  value: string;
  cost: number;
  changes: number;
  /** set for a reading with one character taken out (OCR read one too many): the zone as read */
  from?: string;
  /** its check digit, when not the one at the check digit's place (a character taken out before it) */
  check?: string;
  /** the issuer's documented shape of number put its digits and letters in place: as good as a second reading */
  shaped?: boolean;
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
 * confirmed only when the printed number, read independently, explains every change: the print shows that
 * character, or print and zone both show the same letter where the check wants its digit twin (O/0, I/1).
 * Without that, the cheapest small fix (at most one ordinary swap or two digit-twin swaps) is still the likelier
 * reading than one the check digit refutes, so it is returned as a guess (`guessed`, `ambiguous` when another
 * fix of nearly the same cost checks too) for the person to confirm; larger fixes are not taken. A guess must
 * also make the composite hold: when it is the number's check digit that was misread, not the number, every
 * fix that satisfies the misread digit leaves the composite off by 8 × the error (it weighs that digit too),
 * while a right fix restores it.
 */
function chooseNumber(raw: string, candidates: readonly Candidate[], printed: string | undefined, compositeWith: (value: string, check?: string) => boolean): Corrected {
  const p = printed?.padEnd(raw.length, '<');
  const twins = (a: string, b: string) => a === b || [a, b].sort().join('') === '0O' || [a, b].sort().join('') === '1I';
  const explained = (c: Candidate) =>
    p !== undefined &&
    p.length === c.value.length &&
    [...c.value].every((ch, i) => {
      // a character taken out: the print must show the rest, up to digit twins
      if (c.from !== undefined) return twins(ch, p[i]!);
      const was = raw[i]!;
      if (ch === was) return true;
      if (ch === p[i]) return true;
      return was === p[i] && ((ch === '0' && 'OQD'.includes(was)) || (ch === '1' && 'IJ'.includes(was)));
    });
  const asIs = candidates.find((c) => c.changes === 0);
  if (asIs) {
    // A line one character too long whose number as read checks, by chance one time in ten, while the
    // composite refutes it: when the number with one character taken out checks and makes the composite hold,
    // that character was the stray one (a guess unless the print shows the rest).
    // The composite weighs the number as its own check does, so it cannot tell which character was the stray
    // one: several that check are a guess the person settles.
    const shifted = compositeWith(asIs.value) ? [] : candidates.filter((c) => c.from !== undefined && c.changes === 1 && compositeWith(c.value, c.check));
    // one the printed number shows is settled
    const shown = shifted.find(explained);
    const best = shown ?? shifted[0];
    if (!best) return { value: asIs.value, corrections: 0, valid: true, ambiguous: false };
    const ambiguous = !shown && shifted.some((c) => c.value !== best.value && c.cost < best.cost + 0.5);
    return { value: best.value, corrections: 1, valid: true, ambiguous, ...(shown ? {} : { guessed: true }), ...(best.check ? { check: best.check } : {}) };
  }
  // of the fixes the print explains, the one it agrees with most (a print read a place off explains a change
  // by chance, never the whole number)
  const disagreements = (c: Candidate) => [...c.value].filter((ch, i) => !twins(ch, p?.[i] ?? '')).length;
  const confirmed = candidates.filter((c) => c.changes > 0 && (explained(c) || c.shaped)).sort((a, b) => disagreements(a) - disagreements(b) || a.cost - b.cost);
  const best = confirmed[0];
  if (best) return { value: best.value, corrections: best.changes, valid: true, ambiguous: confirmed.some((c) => c.value !== best.value), ...(best.check ? { check: best.check } : {}) };
  const GUESS_COST = 1;
  const guesses = candidates.filter((c) => c.changes > 0 && c.cost <= GUESS_COST && compositeWith(c.value, c.check));
  const guess = guesses[0];
  if (!guess) return { value: raw, corrections: 0, valid: false, ambiguous: false };
  const rivals = guesses.filter((c) => c.value !== guess.value && c.cost < guess.cost + 0.5);
  return { value: guess.value, corrections: guess.changes, valid: true, ambiguous: rivals.length > 0, guessed: true, ...(guess.check ? { check: guess.check } : {}) };
}

/**
 * A first line longer than the zone's 30 characters may hold one character too many inside the number (a
 * stroke read twice: « I1 », « 0O »): each reading with one of its characters taken out whose check digit
 * then holds. Taking out a character beside its own look-alike is the likelier slip, so it costs less.
 */
function withOneOut(line: string, printed: string | undefined): Candidate[] {
  const out: Candidate[] = [];
  for (let d = 5; d < 15; d++) {
    const s = line.slice(0, d) + line.slice(d + 1);
    const value = s.slice(5, 14);
    if (/</.test(value)) continue;
    const c = line[d]!;
    const twin = (n: string | undefined) => n !== undefined && (n === c || TO_DIGIT[c] === n || TO_DIGIT[n] === c);
    const cost = twin(line[d - 1]) || twin(line[d + 1]) ? 0.6 : 1;
    // the shortened number may still hold a look-alike, which a printed number can settle
    const check = digitField(s.slice(14, 15)).value;
    for (const v of numberCandidates(value, check, printed)) {
      const found = { value: v.value, cost: cost + v.cost, changes: 1 + v.changes, from: value, check };
      // one value reached by several ways: the cheapest counts (a plain removal over a removal with fixes)
      const seen = out.findIndex((o) => o.value === v.value);
      if (seen < 0) out.push(found);
      else if (found.cost < out[seen]!.cost) out[seen] = found;
    }
  }
  return out;
}

/**
 * Shapes of document numbers the issuer documents ('d' a digit, 'a' a letter): French passports are two digits,
 * two letters and five digits. Positions the shape fixes are corrected as the zone's own digit and letter
 * positions are; the check digit still has to hold. French residence permits print two letters and seven
 * digits: a preference only (it puts such a fix first among guesses), the shape not being an ICAO rule.
 */
function numberShape(code: string, issuer: string): { shape: string; documented: boolean } | undefined {
  if (issuer !== 'FRA') return undefined;
  if (code.startsWith('P')) return { shape: 'ddaaddddd', documented: true };
  if (code === 'IR') return { shape: 'aaddddddd', documented: false };
  return undefined;
}

function shapedCandidate(raw: string, check: string, code: string, issuer: string): Candidate[] {
  const s = numberShape(code, issuer);
  if (!s || raw.length !== s.shape.length) return [];
  let value = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    const want = s.shape[i] === 'd' ? /\d/.test(c) ? c : TO_DIGIT[c] : /[A-Z]/.test(c) ? c : TO_LETTER[c];
    if (want === undefined || want === '<') return [];
    value += want;
  }
  const changes = [...value].filter((ch, i) => ch !== raw[i]).length;
  if (changes === 0 || changes > 3 || icaoCheckDigit(value) !== check) return [];
  return [{ value, cost: 0.1 * changes, changes, ...(s.documented ? { shaped: true } : {}) }];
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
  const tokens = rest.split('<').map((g) => letterField(g).value);
  // A token made only of filler look-alikes is misread fillers, not a name.
  const fillerToken = (g: string) => isFillerToken(g) || (g.length === 1 && /[LKCE]/.test(g));
  const given = tokens.filter((g) => g.length > 0 && !fillerToken(g));
  // Where this zone's fillers are misread as letters after the names, the first of them may stick to the last
  // name (« KARIMK<K<K », « THEOK<<<<<<C<CC »): a final K is dropped after a letter no name ends « -xK » with
  // (Erik, Malik, Tarek, Patrick, Frank, Anouk, Mark keep theirs).
  const after = sep < 0 ? '' : f.slice(sep + 2 + rest.length);
  const misreadFillers = tokens.some((g) => g.length > 0 && fillerToken(g)) || /[KLC]/.test(after);
  const last = given[given.length - 1];
  if (last && misreadFillers && last.length >= 4 && /[AOYMBDFGHJPTVWXZ]K$/.test(last)) given[given.length - 1] = last.slice(0, -1);
  // no name ends in a run of K (« NOELKKK<KK<< », « LOICKK<<< »): that run is misread fillers
  else if (last && /^.{2,}?[^K]KK+$/.test(last)) given[given.length - 1] = last.replace(/K+$/, '');
  return { surname: clean(surnamePart), givenNames: given };
}

/** Fit a line to `width`: extra fillers are dropped from the filler runs, missing ones added at the end. */
function fit(line: string, width: number): string {
  let l = line;
  while (l.length > width) {
    // the padding at the end first: a double filler between names (« ROUSSEL<<THIERRY ») is not padding
    const run = /<{3,}(?!.*<{3,})/.exec(l) ?? /<{2,}$/.exec(l) ?? /[<LKC]{2,}$/.exec(l);
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

function field(value: string, valid: boolean, corrections = 0, ambiguous = false, guessed = false): MrzField {
  return { value, valid, corrections, ambiguous, ...(guessed ? { guessed } : {}) };
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
  const l2raw = r2.length >= 30 ? oneTooMany(r2) : `${r2.slice(0, -1).padEnd(29, '<')}${r2.slice(-1)}`;
  const birthRaw = digitField(l2raw.slice(0, 6));
  const birthCheck = digitField(l2raw.slice(6, 7)).value;
  const sexRaw = l2raw[7]!;
  const expiryRaw = digitField(l2raw.slice(8, 14));
  const expiryCheck = digitField(l2raw.slice(14, 15)).value;
  const nat = letterField(l2raw.slice(15, 18), false);
  const composite = digitField(l2raw.slice(-1)).value;
  let opt2 = optionalField(l2raw.slice(18, -1), 11);
  const l2Of = () => `${birthRaw.value}${birthCheck}${sexRaw}${expiryRaw.value}${expiryCheck}${nat.value}${opt2}${composite}`;
  let l2 = l2Of();

  // A number read with one character too many (its own check digit given apart) shifts what follows it.
  const shiftedOpt1 = strayOnly(r1.slice(16), 15);
  const line1Of = (number: string, shiftedCheck?: string) => {
    const check = shiftedCheck ?? docCheck;
    const docForZone = overflow ? `${number.slice(0, 9)}<` : `${number.padEnd(9, '<').slice(0, 9)}${check}`;
    const opt1ForZone = overflow ? optionalField(`${number.slice(9)}${check}${opt1.replace(/^[A-Z0-9]+/, '')}`, 15) : shiftedCheck ? shiftedOpt1 : opt1;
    return `${code}${issuer}${docForZone}${opt1ForZone}`;
  };
  const compositeOf = (number: string, check?: string) => icaoCheckDigit(`${line1Of(number, check).slice(5, 30)}${l2.slice(0, 7)}${l2.slice(8, 15)}${l2.slice(18, 29)}`) === composite;
  const numberReadings = [...numberCandidates(docField, docCheck, opts.printedNumber), ...shapedCandidate(docField, docCheck, code, issuer)];
  // (a line long only by its fillers has its number in place, a filler right after the check digit)
  if (!overflow && r1.length > 30 && r1[15] !== '<') numberReadings.push(...withOneOut(r1, opts.printedNumber));
  numberReadings.sort((a, b) => a.cost - b.cost);
  let doc = chooseNumber(docField, numberReadings, opts.printedNumber, compositeOf);
  // A mark or two inside a run of fillers (« <<<<<<<CCC<<A<<< ») is not data: when reading those optional
  // data fields as empty makes the composite hold, they are empty.
  const blank1 = overflow ? opt1 : strayOnly(opt1Raw, 15);
  const blank2 = strayOnly(l2raw.slice(18, -1), 11);
  if (!compositeOf(doc.value, doc.check) && (blank1 !== opt1 || blank2 !== opt2)) {
    const kept = { opt1, opt2 };
    [opt1, opt2] = [blank1, blank2];
    l2 = l2Of();
    const again = chooseNumber(docField, numberReadings, opts.printedNumber, compositeOf);
    if (compositeOf(again.value, again.check)) doc = again;
    else {
      ({ opt1, opt2 } = kept);
      l2 = l2Of();
    }
  }
  const line1 = line1Of(doc.value, doc.check);
  const opt1ForZone = line1.slice(15, 30);
  const birthOk = icaoCheckDigit(birthRaw.value) === birthCheck;
  const expiryOk = icaoCheckDigit(expiryRaw.value) === expiryCheck;
  // A composite that holds while a field's own check fails holds by two misreadings cancelling: no proof.
  const compositeOk = compositeOf(doc.value, doc.check) && doc.valid && birthOk && expiryOk;
  const birthIso = mrzDate(birthRaw.value, 'birth', opts.now);
  const expiryIso = mrzDate(expiryRaw.value, 'expiry', opts.now);
  const n = names(fit(r3, 30));
  return {
    format: 'TD1',
    documentCode: code.replace(/<+$/, ''),
    issuer,
    documentNumber: field(doc.value.replace(/<+$/, ''), doc.valid, doc.corrections, doc.ambiguous, doc.guessed),
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
  const numberReadings = [...numberCandidates(docRaw, docCheck, opts.printedNumber), ...shapedCandidate(docRaw, docCheck, code, issuer)].sort((a, b) => a.cost - b.cost);
  const doc = chooseNumber(docRaw, numberReadings, opts.printedNumber, compositeOf);
  const l2 = l2Of(doc.value);
  // A composite that holds while a field's own check fails holds by two misreadings cancelling: no proof.
  const compositeOk = compositeOf(doc.value) && doc.valid && icaoCheckDigit(birthRaw.value) === birthCheck && icaoCheckDigit(expiryRaw.value) === expiryCheck;
  const birthIso = mrzDate(birthRaw.value, 'birth', opts.now);
  const expiryIso = mrzDate(expiryRaw.value, 'expiry', opts.now);
  const n = names(l1.slice(5));
  return {
    format: 'TD3',
    documentCode: code.replace(/<+$/, ''),
    issuer,
    documentNumber: field(doc.value.replace(/<+$/, ''), doc.valid, doc.corrections, doc.ambiguous, doc.guessed),
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

/** How much a field's own evidence is worth: proven, proven after look-alike fixes, guessed, refuted. */
function strength(f: MrzField): number {
  if (!f.valid) return 0;
  if (f.guessed) return f.ambiguous ? 1 : 2;
  return (f.ambiguous ? 3 : 4) - Math.min(f.corrections, 3) * 0.1;
}

/**
 * The name line of two readings of one zone, merged where one shows a filler and the other a letter fillers
 * are misread as (« KARIMK<K<K » and « KARIM<<K<< »): only when the lines line up, differing nowhere else.
 */
function mergedNameLine(a: string, b: string): string | null {
  if (a.length !== b.length) return null;
  let out = '';
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) out += x;
    else if ((x === '<' && /[KLCX]/.test(y)) || (y === '<' && /[KLCX]/.test(x))) out += '<';
    else return null;
  }
  return out;
}

/**
 * Two readings of one zone (its own pass in the zone's alphabet, and the page's first reading): each checked
 * field from the reading whose check digit proves it, the fields only the composite covers from a reading
 * whose composite holds, and the names where one reading shows fillers the other misread as letters.
 */
export function combineReadings(a: MrzReading, b: MrzReading): MrzReading {
  if (a.format !== b.format) return score(b) > score(a) ? b : a;
  const rank = (r: MrzReading) => score(r) + strength(r.documentNumber) / 10;
  const [base, other] = rank(b) > rank(a) ? [b, a] : [a, b];
  const out: MrzReading = { ...base };
  for (const k of ['documentNumber', 'birthDate', 'expiryDate'] as const) if (strength(other[k]) > strength(out[k])) out[k] = other[k];
  // The composite covers the number: it proves the other fields only with the number it was computed with.
  if (out.documentNumber.value !== base.documentNumber.value && !(other.composite && other.documentNumber.value === out.documentNumber.value)) {
    const unproven = (f: MrzField) => ({ ...f, valid: false });
    Object.assign(out, { composite: false, sex: unproven(out.sex), nationality: unproven(out.nationality), optionalData: unproven(out.optionalData) });
  }
  if (!out.composite && other.composite && other.documentNumber.value === out.documentNumber.value) {
    Object.assign(out, { composite: true, sex: other.sex, nationality: other.nationality, optionalData: other.optionalData });
  }
  const at = base.format === 'TD1' ? 2 : 0;
  const merged = mergedNameLine(base.lines[at]!, other.lines[at]!);
  if (merged !== null) {
    const n = names(base.format === 'TD1' ? merged : merged.slice(5));
    out.surname = n.surname;
    out.givenNames = n.givenNames;
    out.lines = base.lines.map((l, i) => (i === at ? merged : l));
  }
  return out;
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
