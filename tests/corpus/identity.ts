/**
 * Identity papers: the identity card (front, back with its TD1 zone, or both sides photocopied), the
 * passport data page (TD3 zone) and the residence permit (TD1, « IR »). Zones carry every ICAO 9303 check
 * digit. The expected fields are the printed ones where the front is visible (accents, case as printed) and
 * the zone's spelling where only the back is (no accents, fillers as spaces).
 */
import { mrzCheck } from './checks.ts';
import type { Person } from './french.ts';
import { DATE_STYLES, TOWNS, address, date, iso, passportDate, person, plain } from './french.ts';
import { MONO_FONTS, Sheet, specimen } from './draw.ts';
import type { Rng } from './rand.ts';

export const ID_LAYOUTS = ['bilingual', 'inline', 'photocopy', 'tinted', 'compact'] as const;
export type IdLayout = (typeof ID_LAYOUTS)[number];

interface Holder {
  p: Person;
  birth: string;
  expiry: string;
  issued: string;
  number: string;
  nationality: string;
  birthPlace: string;
}

const ALNUM = 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789';

function holder(r: Rng, kind: 'card' | 'passport' | 'permit'): Holder {
  const p = person(r);
  const birth = iso(r.int(1950, 2005), r.int(1, 12), r.int(1, 28));
  const issuedY = r.int(2019, 2025);
  const issued = iso(issuedY, r.int(1, 12), r.int(1, 28));
  const years = kind === 'permit' ? r.pick([1, 4, 10]) : 10;
  const expiry = iso(issuedY + years, Number(issued.slice(5, 7)), Number(issued.slice(8)) - 1 || 1);
  const number =
    kind === 'passport'
      ? `${r.digits(2)}${r.pick(['AA', 'AB', 'CK', 'FD', 'HX'])}${r.digits(5)}`
      : kind === 'permit'
        ? `${r.pick(['EA', 'FB', 'GC', 'HD'])}${r.digits(7)}`
        : Array.from({ length: 9 }, () => r.pick(ALNUM.split(''))).join('');
  const nationality = kind === 'permit' ? r.pick(['MAR', 'DZA', 'SEN', 'TUN', 'MLI', 'CMR', 'VNM', 'TUR', 'HTI', 'CIV']) : 'FRA';
  const town = r.pick(TOWNS);
  return { p, birth, expiry, issued, number, nationality, birthPlace: kind === 'permit' ? r.pick(['CASABLANCA', 'ALGER', 'DAKAR', 'TUNIS', 'BAMAKO', 'HANOÏ', 'ANKARA']) : `${town.city} (${town.postcode.slice(0, 2)})` };
}

const mrzName = (s: string) => plain(s).replace(/[^A-Z]+/g, '<');
const yymmdd = (d: string) => d.slice(2, 4) + d.slice(5, 7) + d.slice(8, 10);
const pad = (s: string, n: number) => (s + '<'.repeat(n)).slice(0, n);

function td1(code: 'ID' | 'IR', h: Holder): string[] {
  const l1 = pad(`${code}FRA${h.number}${mrzCheck(h.number)}`, 30);
  const b = yymmdd(h.birth);
  const e = yymmdd(h.expiry);
  const l2a = `${b}${mrzCheck(b)}${h.p.sex}${e}${mrzCheck(e)}${h.nationality}`;
  const l2 = pad(l2a, 29);
  const composite = mrzCheck(l1.slice(5, 30) + l2.slice(0, 7) + l2.slice(8, 15) + l2.slice(18, 29));
  const l3 = pad(`${mrzName(h.p.surname)}<<${h.p.given.map(mrzName).join('<')}`, 30);
  return [l1, l2 + composite, l3];
}

function td3(h: Holder): string[] {
  const l1 = pad(`P<FRA${mrzName(h.p.surname)}<<${h.p.given.map(mrzName).join('<')}`, 44);
  const b = yymmdd(h.birth);
  const e = yymmdd(h.expiry);
  const personal = '<'.repeat(14);
  const part = `${h.number}${mrzCheck(h.number)}FRA${b}${mrzCheck(b)}${h.p.sex}${e}${mrzCheck(e)}${personal}<`;
  const composite = mrzCheck(part.slice(0, 10) + part.slice(13, 20) + part.slice(21, 43));
  return [l1, part + composite];
}

interface Look {
  font: string;
  mono: string;
  bilingual: boolean;
  inline: boolean;
  photoRight: boolean;
  tint: string | null;
  upper: boolean;
  dateStyle: (d: string) => string;
}

function look(layout: IdLayout, font: string, r: Rng, passport: boolean): Look {
  const ds = r.pick(DATE_STYLES.filter((s) => s !== 'long'));
  return {
    font,
    mono: r.pick(MONO_FONTS),
    bilingual: layout !== 'compact',
    inline: layout === 'inline' || layout === 'compact',
    photoRight: layout === 'inline' || (layout === 'photocopy' && r.chance(0.5)),
    tint: layout === 'tinted' ? r.pick(['#e6eef7', '#eef3e6', '#f5ecf2']) : layout === 'bilingual' && r.chance(0.5) ? '#f3f5f8' : null,
    upper: layout === 'compact',
    dateStyle: passport && r.chance(0.6) ? passportDate : (d) => date(d, ds),
  };
}

function guilloche(s: Sheet, w: number, h: number, color: string): void {
  for (let i = 0; i < 14; i++) {
    const y0 = (h / 14) * i;
    s.raw(`<path d="M0 ${y0.toFixed(1)} C ${w * 0.3} ${(y0 + 60).toFixed(1)}, ${w * 0.6} ${(y0 - 60).toFixed(1)}, ${w} ${y0.toFixed(1)}" stroke="${color}" stroke-width="1.2" fill="none"/>`);
  }
}

function photo(s: Sheet, px: number, py: number, w: number, h: number): void {
  s.box(px, py, w, h, { fill: '#dde1e5', stroke: '#9aa3ab', width: 2 });
  s.raw(`<circle cx="${px + w / 2}" cy="${py + h * 0.38}" r="${w * 0.21}" fill="#b6bec6"/>`);
  s.raw(`<ellipse cx="${px + w / 2}" cy="${py + h * 0.86}" rx="${w * 0.36}" ry="${h * 0.14}" fill="#b6bec6"/>`);
}

type Field = [fr: string, en: string, value: string];

function fieldsBlock(s: Sheet, L: Look, fields: Field[], x0: number, y0: number, size: number, colW: number): void {
  let y = y0;
  for (const [fr, en, value] of fields) {
    const label = L.bilingual ? `${fr} / ${en}` : fr;
    const shown = L.upper ? value.toUpperCase() : value;
    if (L.inline) {
      s.text(x0, y, `${label} :`, { size: size * 0.62, color: '#2d4b6b' });
      s.text(x0 + colW, y, shown, { size, bold: true });
      y += size * 1.55;
    } else {
      s.text(x0, y, label, { size: size * 0.58, color: '#2d4b6b' });
      s.text(x0, y + size * 1.05, shown, { size, bold: true });
      y += size * 2.05;
    }
  }
}

function front(kind: 'card' | 'permit', h: Holder, L: Look, r: Rng): Sheet {
  const W = 1000;
  const H = 630;
  const s = new Sheet(W, H, L.font, L.tint ?? '#fbfbfb');
  if (L.tint) guilloche(s, W, H, '#c9d3df');
  s.box(4, 4, W - 8, H - 8, { stroke: '#7d8a99', width: 3, radius: 28 });
  s.text(40, 58, 'RÉPUBLIQUE FRANÇAISE', { size: 26, bold: true, color: '#1f3a5a' });
  s.text(40, 92, kind === 'card' ? (L.bilingual ? "CARTE NATIONALE D'IDENTITÉ / IDENTITY CARD" : "CARTE NATIONALE D'IDENTITÉ") : L.bilingual ? 'TITRE DE SÉJOUR / RESIDENCE PERMIT' : 'TITRE DE SÉJOUR', { size: 23, bold: true });
  const px = L.photoRight ? W - 270 : 40;
  photo(s, px, 125, 230, 295);
  const x0 = L.photoRight ? 40 : 300;
  const fields: Field[] = [
    ['NOM', 'Surname', h.p.surname],
    ['Prénoms', 'Given names', h.p.given.join(', ')],
    ['Sexe', 'Sex', h.p.sex],
    ['Nationalité', 'Nationality', kind === 'card' && r.chance(0.3) ? 'Française' : h.nationality],
    ['Date de naissance', 'Date of birth', L.dateStyle(h.birth)],
  ];
  if (kind === 'permit') fields.push(['Lieu de naissance', 'Place of birth', h.birthPlace]);
  fields.push([kind === 'card' ? 'N° du document' : 'N° du titre', 'Document No', h.number]);
  fields.push(["Date d'expiration", 'Expiry date', L.dateStyle(h.expiry)]);
  const size = L.inline ? 27 : 25;
  if (!L.inline && fields.length > 6) {
    // two columns of labelled values keep the card legible
    fieldsBlock(s, L, fields.slice(0, 4), x0, 150, size, 0);
    fieldsBlock(s, L, fields.slice(4), x0 + 340, 150 + size * 2.05 * 2, size, 0);
  } else fieldsBlock(s, L, fields, x0, 150, size, L.bilingual ? 300 : 230);
  if (kind === 'permit') s.text(40, H - 50, r.pick(['CARTE DE SÉJOUR TEMPORAIRE — VIE PRIVÉE ET FAMILIALE', 'CARTE DE RÉSIDENT', 'CARTE DE SÉJOUR PLURIANNUELLE — SALARIÉ']), { size: 20, bold: true, color: '#5a2d2d' });
  specimen(s, W - 30, H - 20, 18);
  return s;
}

function back(kind: 'card' | 'permit', h: Holder, L: Look, r: Rng): Sheet {
  const W = 1000;
  const H = 630;
  const s = new Sheet(W, H, L.font, L.tint ?? '#fbfbfb');
  if (L.tint) guilloche(s, W, H, '#d4dbe4');
  s.box(4, 4, W - 8, H - 8, { stroke: '#7d8a99', width: 3, radius: 28 });
  const a = address(r);
  s.text(40, 60, L.bilingual ? 'Adresse / Address' : 'Adresse', { size: 17, color: '#2d4b6b' });
  s.text(40, 92, a.street.toUpperCase(), { size: 24, bold: true });
  s.text(40, 124, `${a.town.postcode} ${a.town.city}`, { size: 24, bold: true });
  s.text(40, 170, L.bilingual ? 'Date de délivrance / Date of issue' : 'Délivrée le', { size: 17, color: '#2d4b6b' });
  s.text(40, 200, date(h.issued, 'space'), { size: 24, bold: true });
  if (kind === 'permit') {
    s.text(560, 60, 'N° étranger / AGDREF', { size: 17, color: '#2d4b6b' });
    s.text(560, 92, r.digits(10), { size: 24, bold: true });
  }
  specimen(s, W - 30, 240, 18);
  const mrz = td1(kind === 'card' ? 'ID' : 'IR', h);
  s.box(20, 345, W - 40, 250, { fill: '#ffffff' });
  mrz.forEach((l, i) => s.text(45, 410 + i * 72, l, { size: 44, font: L.mono, spacing: 3.5 }));
  return s;
}

function passportPage(h: Holder, L: Look, r: Rng): Sheet {
  const W = 1250;
  const H = 880;
  const s = new Sheet(W, H, L.font, L.tint ?? '#f7f4ee');
  if (L.tint) guilloche(s, W, H, '#cfd6cf');
  s.text(40, 60, L.bilingual ? 'RÉPUBLIQUE FRANÇAISE / FRENCH REPUBLIC' : 'RÉPUBLIQUE FRANÇAISE', { size: 26, bold: true, color: '#1f3a5a' });
  s.text(40, 98, L.bilingual ? 'PASSEPORT / PASSPORT' : 'PASSEPORT', { size: 26, bold: true });
  s.text(W - 40, 98, `${L.bilingual ? 'Passeport n° / Passport No' : 'N° du passeport'} ${h.number}`, { size: 22, anchor: 'end' });
  const px = L.photoRight ? W - 300 : 40;
  photo(s, px, 130, 250, 320);
  const x0 = L.photoRight ? 40 : 330;
  const fields: Field[] = [
    ['Nom', 'Surname', h.p.surname],
    ['Prénoms', 'Given names', h.p.given.join(', ')],
    ['Nationalité', 'Nationality', r.chance(0.5) ? 'Française' : 'FRANÇAISE'],
    ['Date de naissance', 'Date of birth', L.dateStyle(h.birth)],
    ['Sexe', 'Sex', h.p.sex],
    ['Lieu de naissance', 'Place of birth', h.birthPlace],
    ['Date de délivrance', 'Date of issue', L.dateStyle(h.issued)],
    ["Date d'expiration", 'Date of expiry', L.dateStyle(h.expiry)],
  ];
  if (L.inline) fieldsBlock(s, L, fields, x0, 150, 25, L.bilingual ? 340 : 250);
  else {
    fieldsBlock(s, L, fields.slice(0, 4), x0, 150, 25, 0);
    fieldsBlock(s, L, fields.slice(4), x0 + 400, 150 + 25 * 2.05 * 2, 25, 0);
  }
  specimen(s, W - 40, 560, 20);
  const mrz = td3(h);
  s.box(20, 640, W - 40, 200, { fill: '#ffffff' });
  mrz.forEach((l, i) => s.text(40, 710 + i * 72, l, { size: 40, font: L.mono, spacing: 1.2 }));
  return s;
}

export interface IdDoc {
  sheet: Sheet;
  fields: Record<string, string>;
  side: 'front' | 'back' | 'both' | 'data-page';
  /** the machine-readable zone printed, when a side with one is shown */
  mrz?: string[];
}

/**
 * The names as a TD1 zone's third line prints them — cut at 30 characters, fillers as spaces: all a picture
 * of the back alone shows of them.
 */
function zoneNames(line: string): { surname: string; given: string } {
  const [surname = '', ...rest] = line.split('<<');
  return { surname: surname.replace(/</g, ' ').trim(), given: rest.join('<<').split('<').filter(Boolean).join(', ') };
}

/** `zone`: the zone's lines when the front is not shown (the names are then the zone's). */
function expected(h: Holder, zone: string[] | null): Record<string, string> {
  const names = zone ? zoneNames(zone[2]!) : null;
  return {
    surname: names ? names.surname : h.p.surname,
    givenNames: names ? names.given : h.p.given.join(', '),
    birthDate: h.birth,
    documentNumber: h.number,
    expiryDate: h.expiry,
    sex: h.p.sex,
    nationality: h.nationality,
  };
}

/** Card sides on a sheet: alone with a margin, stacked, or photocopied on an A4 page. */
function compose(layout: IdLayout, sides: Sheet[], font: string, r: Rng): Sheet {
  if (layout === 'photocopy') {
    const page = new Sheet(1240, 1754, font, '#ffffff');
    const scale = Math.min(r.pick([0.85, 0.95, 1.0]), 1100 / sides[0]!.width);
    sides.forEach((c, i) => page.place(c, r.int(60, Math.floor(1240 - c.width * scale - 60)), 120 + i * (c.height * scale + 120), scale));
    page.text(1200, 1720, 'Copie certifiée conforme — SPÉCIMEN', { size: 18, anchor: 'end', color: '#b71c1c' });
    return page;
  }
  const first = sides[0]!;
  const m = 50;
  const sheet = new Sheet(first.width + 2 * m, sides.reduce((a, c) => a + c.height + m, m), font, '#ffffff');
  let y = m;
  for (const c of sides) {
    sheet.place(c, m, y, 1);
    y += c.height + m;
  }
  return sheet;
}

export function identityCard(r: Rng, layout: IdLayout, font: string): IdDoc {
  const h = holder(r, 'card');
  const L = look(layout, font, r, false);
  const side = layout === 'photocopy' ? 'both' : r.pick(['front', 'back', 'both'] as const);
  const sides = side === 'front' ? [front('card', h, L, r)] : side === 'back' ? [back('card', h, L, r)] : [front('card', h, L, r), back('card', h, L, r)];
  const fields = expected(h, side === 'back' ? td1('ID', h) : null);
  return { sheet: compose(layout, sides, font, r), fields, side, ...(side !== 'front' ? { mrz: td1('ID', h) } : {}) };
}

export function residencePermit(r: Rng, layout: IdLayout, font: string): IdDoc {
  const h = holder(r, 'permit');
  const L = look(layout, font, r, false);
  const side = layout === 'photocopy' ? 'both' : r.pick(['both', 'both', 'back'] as const);
  const sides = side === 'back' ? [back('permit', h, L, r)] : [front('permit', h, L, r), back('permit', h, L, r)];
  return { sheet: compose(layout, sides, font, r), fields: expected(h, side === 'back' ? td1('IR', h) : null), side, mrz: td1('IR', h) };
}

export function passport(r: Rng, layout: IdLayout, font: string): IdDoc {
  const h = holder(r, 'passport');
  const L = look(layout, font, r, true);
  return { sheet: compose(layout, [passportPage(h, L, r)], font, r), fields: expected(h, null), side: 'data-page', mrz: td3(h) };
}

