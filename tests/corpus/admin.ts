/**
 * The administrative papers: payslip, avis d'impôt, attestation CAF, RIB, proof of address, attestation de
 * droits. Each builder draws the facts, writes them in the document's words (label synonyms, civilities, name
 * orders, amount and date styles, numbers near the target) and returns what it printed as the expected fields.
 */
import { frenchIban, nirKey, taxNumber, withLuhn } from './checks.ts';
import type { Civility, Person } from './french.ts';
import {
  AMOUNT_STYLES, BANKS, DATE_STYLES, EMPLOYERS, MONTHS, TOWNS, address, amount, civility, date, decimal, euros, iso, month,
  monthDays, nameAs, person, streetAs,
} from './french.ts';
import type { AdminSpec, Pair, Table } from './layouts.ts';
import type { Rng } from './rand.ts';

export interface Built {
  spec: AdminSpec;
  fields: Record<string, string>;
}

function cap(s: string): string {
  return s[0]!.toUpperCase() + s.slice(1);
}

function shuffle<T>(r: Rng, xs: T[]): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = r.int(0, i);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

function townLine(t: { postcode: string; city: string }): string {
  return `${t.postcode} ${t.city}`;
}

// ---------------------------------------------------------------- payslip

export function payslip(r: Rng): Built {
  const style = r.pick(AMOUNT_STYLES);
  const ds = r.pick(DATE_STYLES);
  const employer = r.pick(EMPLOYERS);
  const siret = withLuhn(withLuhn(r.digits(8)) + r.digits(4));
  const ea = address(r);
  const p = person(r);
  const civ = civility(r, p);
  const employee = nameAs(r, p, civ);
  const home = address(r);
  const y = r.int(2022, 2025);
  const m = r.int(1, 12);
  const last = monthDays(y, m);
  const start = iso(y, m, 1);
  const end = iso(y, m, last);
  const hours = r.pick([15167, 15167, 12133, 10400, 7583]);
  const rate = r.int(1180, 2600);
  const base = Math.round((hours * rate) / 100);
  const extra = r.chance(0.5) ? r.int(3000, 25000) : 0;
  const gross = base + extra;
  const contributions = Math.round(gross * (0.21 + r.next() * 0.03));
  const netBefore = gross - contributions;
  const taxable = netBefore + Math.round(gross * 0.9825 * 0.029);
  const pas = Math.round((taxable * r.pick([0, 0, 1.1, 2.5, 4.3, 7.5])) / 100);
  const net = netBefore - pas;
  const social = netBefore + r.int(-800, 800);
  const per = r.pick(['dates', 'month', 'long']);
  const mn = MONTHS[m - 1]!;
  const periodText =
    per === 'dates' ? `du ${date(start, ds)} au ${date(end, ds)}` : per === 'month' ? month(`${y}-${String(m).padStart(2, '0')}`, r) : `du 1er ${mn} ${y} au ${last} ${mn} ${y}`;
  const paidOn = iso(y, m, Math.min(last, r.int(25, 31)));
  const netLabel = r.pick(['Net payé', 'Net à payer', 'NET À PAYER AU SALARIÉ', 'Net payé en euros', 'Montant net versé', 'Net à payer']);
  const taxableLabel = r.pick(['Net imposable', 'Montant net imposable', 'Net fiscal', 'Salaire net imposable']);
  const employerShown = r.chance(0.6);
  const pairs: Pair[] = [];
  if (employerShown) pairs.push({ label: 'Employeur', value: employer, phrase: 'Employeur : {v}' });
  pairs.push({ label: r.pick(['SIRET', 'N° SIRET', 'Siret']), value: r.chance(0.5) ? `${siret.slice(0, 3)} ${siret.slice(3, 6)} ${siret.slice(6, 9)} ${siret.slice(9)}` : siret });
  pairs.push({ label: 'Code APE', value: r.pick(['5610A', '4941A', '8121Z', '8810A', '4711D']) });
  pairs.push({ label: r.pick(['Salarié', 'Salarié(e)', 'Nom du salarié']), value: employee });
  pairs.push({ label: 'Matricule', value: r.digits(5) });
  pairs.push({ label: r.pick(['Période', 'Période de paie', 'Période du bulletin']), value: periodText });
  pairs.push({ label: r.pick(['Date de paiement', 'Payé le']), value: date(paidOn, r.pick(DATE_STYLES)) });
  pairs.push({ label: 'Emploi', value: r.pick(['Employé polyvalent', 'Agent de propreté', 'Aide à domicile', 'Chauffeur livreur', 'Cuisinier']) });
  const rows: string[][] = [
    ['Salaire de base', amount(hours, 'plain').replace(/,(\d\d)$/, ',$1'), amount(rate, 'plain'), amount(base, style)],
  ];
  if (extra) rows.push(['Heures supplémentaires', '', '', amount(extra, style)]);
  rows.push(['Salaire brut', '', '', amount(gross, style)]);
  rows.push(['Total des cotisations et contributions', '', '', amount(-contributions, style)]);
  rows.push(['Net à payer avant impôt sur le revenu', '', '', amount(netBefore, style)]);
  rows.push(['Impôt sur le revenu prélevé à la source', '', amount(Math.round((pas / Math.max(1, taxable)) * 10000), 'plain'), amount(-pas, style)]);
  const t: Table = { head: ['Rubrique', 'Base', 'Taux', 'Montant'], rows, bold: [rows.length - 2] };
  const after: Pair[] = shuffle(r, [
    { label: taxableLabel, value: amount(taxable, style) },
    { label: 'Montant net social', value: amount(social, style) },
  ]);
  after.push({ label: netLabel, value: amount(net, style) });
  const paragraphs = [`Dans votre intérêt et pour vous aider à faire valoir vos droits, conservez ce bulletin de paie sans limitation de durée.`];
  if (r.chance(0.5)) paragraphs.unshift(`Cumuls annuels : brut ${amount(gross * m, style)} ; net imposable ${amount(taxable * m, style)}.`);
  const issuer = [employer, streetAs(r, ea.street), townLine(ea.town)];
  return {
    spec: {
      title: r.pick(['BULLETIN DE PAIE', 'Bulletin de salaire', 'BULLETIN DE SALAIRE', 'Bulletin de paie']),
      issuer,
      recipient: [employee, streetAs(r, home.street), townLine(home.town)],
      pairs,
      tables: [t],
      after,
      paragraphs,
    },
    fields: { employer, siret, employee, periodStart: start, periodEnd: end, netPay: decimal(net), netTaxable: decimal(taxable) },
  };
}

// ---------------------------------------------------------------- tax notice

function groupedTax(n: string, r: Rng): string {
  return r.chance(0.7) ? `${n.slice(0, 2)} ${n.slice(2, 4)} ${n.slice(4, 7)} ${n.slice(7, 10)} ${n.slice(10)}` : n;
}

export function taxNotice(r: Rng): Built {
  const couple = r.chance(0.45);
  const p1 = person(r);
  const p2 = couple ? person(r, p1.sex === 'F' ? 'M' : 'F', r.chance(0.7) ? p1.surname : undefined) : undefined;
  const upper = (p: Person) => (r.chance(0.75) ? `${p.surname} ${p.given[0]!.toUpperCase()}` : `${p.surname} ${p.given[0]}`);
  const n1 = upper(p1);
  const n2 = p2 ? upper(p2) : '';
  const spi1 = taxNumber(String(r.int(0, 3)) + r.digits(9));
  const spi2 = taxNumber(String(r.int(0, 3)) + r.digits(9));
  const year = r.int(2021, 2024);
  const dept = r.pick(['75', '69', '13', '33', '44', '59', '31', '67']);
  const ref = `${String(year + 1).slice(2)}${dept}${r.pick(['A', 'B', 'C', 'D', 'E', 'K', 'M'])}${r.digits(8)}`;
  const refShown = r.chance(0.5) ? `${ref.slice(0, 2)} ${ref.slice(2, 4)} ${ref.slice(4, 11)} ${ref.slice(11)}` : ref;
  const salaries = r.int(9000, 52000) + (couple ? r.int(8000, 40000) : 0);
  const gross = salaries + r.int(0, 3000);
  const taxableIncome = Math.round(gross * 0.9);
  const rfr = taxableIncome + r.int(0, 1500);
  const kids = r.pick([0, 0, 1, 2, 3]);
  const partsN = (couple ? 2 : 1) + (kids >= 1 ? 0.5 : 0) + (kids >= 2 ? 0.5 : 0) + (kids >= 3 ? 1 : 0);
  const partsText = partsN % 1 ? `${Math.floor(partsN)},5` : r.chance(0.5) ? String(partsN) : `${partsN},00`;
  const tax = Math.max(0, Math.round((taxableIncome / partsN - 11294) * 0.11 * partsN));
  const recovery = iso(year + 1, 7, 31);
  const civs = couple ? r.pick(['M. ET MME', 'MONSIEUR ET MADAME', 'M OU MME']) : p1.sex === 'F' ? r.pick(['MME', 'Madame']) : r.pick(['M.', 'Monsieur']);
  const home = address(r);
  const recipient = [`${civs} ${p1.surname} ${p1.given[0]!.toUpperCase()}`, streetAs(r, home.street.toUpperCase()), townLine(home.town)];
  const pairs: Pair[] = [
    { label: r.pick(['Numéro fiscal du déclarant 1', 'Numéro fiscal', 'N° fiscal']), value: groupedTax(spi1, r) },
    { label: r.pick(["Référence de l'avis", "Référence de l'avis d'impôt"]), value: refShown },
    { label: 'Déclarant 1', value: n1 },
  ];
  if (p2) {
    pairs.push({ label: 'Déclarant 2', value: n2 });
    pairs.push({ label: 'Numéro fiscal du déclarant 2', value: groupedTax(spi2, r) });
  }
  pairs.push({ label: 'Date de mise en recouvrement', value: date(recovery, r.pick(DATE_STYLES)) });
  pairs.push({ label: r.pick(['Nombre de parts', 'Nombre de parts fiscales']), value: partsText });
  const rows = [
    ['Salaires et assimilés', euros(salaries, r)],
    ['Revenu brut global', euros(gross, r)],
    ['Revenu imposable', euros(taxableIncome, r)],
    ['Impôt sur le revenu net', euros(tax, r)],
  ];
  const rfrLabel = r.pick(['Revenu fiscal de référence', 'REVENU FISCAL DE RÉFÉRENCE', 'Revenu fiscal de référence (RFR)']);
  const title = r.pick([
    `AVIS D'IMPÔT ${year + 1} SUR LES REVENUS DE L'ANNÉE ${year}`,
    `Avis d'impôt ${year + 1} — impôt sur les revenus de ${year}`,
    `Avis d'impôt sur le revenu ${year + 1} (revenus ${year})`,
  ]);
  return {
    spec: {
      title,
      issuer: ['Direction générale des Finances publiques', `SIP de ${cap(r.pick(TOWNS).city.toLowerCase())}`, r.pick(['Centre des Finances publiques', 'impots.gouv.fr'])],
      recipient,
      pairs,
      tables: [{ head: ['Détail des revenus', `Revenus ${year}`], rows }],
      after: [{ label: rfrLabel, value: euros(rfr, r) }],
      paragraphs: [
        `Votre revenu fiscal de référence de l'année ${year} peut vous être demandé pour bénéficier de prestations sociales ou de tarifs réduits.`,
      ],
      closing: `Établi le ${date(iso(year + 1, 7, r.int(20, 28)), 'long')}`,
    },
    fields: { taxNumber: spi1, noticeReference: ref, incomeYear: String(year), referenceIncome: decimal(rfr * 100), holder: n1, parts: `${Math.floor(partsN)}.${partsN % 1 ? '50' : '00'}` },
  };
}

// ---------------------------------------------------------------- attestation CAF

const BENEFITS: readonly { key: string; names: readonly string[] }[] = [
  { key: 'amount_apl', names: ['Aide personnalisée au logement', 'Aide personnalisée au logement (APL)', 'APL'] },
  { key: 'amount_prime_activite', names: ["Prime d'activité", "PRIME D'ACTIVITÉ"] },
  { key: 'amount_af', names: ['Allocations familiales', 'ALLOCATIONS FAMILIALES'] },
  { key: 'amount_rsa', names: ['Revenu de solidarité active', 'RSA', 'Revenu de solidarité active (RSA)'] },
  { key: 'amount_aah', names: ['Allocation aux adultes handicapés', 'AAH'] },
  { key: 'amount_als', names: ['Allocation de logement sociale', 'ALS'] },
  { key: 'amount_alf', names: ['Allocation de logement familiale', 'ALF'] },
  { key: 'amount_ars', names: ['Allocation de rentrée scolaire'] },
  { key: 'amount_asf', names: ['Allocation de soutien familial', 'ASF'] },
  { key: 'amount_cf', names: ['Complément familial'] },
  { key: 'amount_paje', names: ["Prestation d'accueil du jeune enfant", 'PAJE allocation de base'] },
];

const CAF_PLACES = ['de la Gironde', 'de Paris', 'du Rhône', 'de la Haute-Garonne', 'du Nord', 'de Loire-Atlantique', "d'Ille-et-Vilaine", 'des Bouches-du-Rhône'];

export function cafCertificate(r: Rng): Built {
  const style = r.pick(AMOUNT_STYLES);
  const p = person(r);
  const couple = r.chance(0.4);
  const p2 = couple ? person(r, p.sex === 'F' ? 'M' : 'F', p.surname) : undefined;
  const civ = civility(r, p);
  const holder = nameAs(r, p, civ);
  const number = r.digits(7);
  const y = r.int(2022, 2025);
  const m = r.int(1, 12);
  const ym = `${y}-${String(m).padStart(2, '0')}`;
  const count = r.int(1, 4);
  const chosen: (typeof BENEFITS)[number][] = [];
  while (chosen.length < count) {
    const b = r.pick(BENEFITS);
    if (!chosen.includes(b)) chosen.push(b);
  }
  const amounts = chosen.map(() => r.int(1500, 90000));
  const total = amounts.reduce((a, b) => a + b, 0);
  const monthCol = r.chance(0.4);
  const monthText = month(ym, r);
  const rows = chosen.map((b, i) => (monthCol ? [r.pick(b.names), `${String(m).padStart(2, '0')}/${y}`, amount(amounts[i]!, style)] : [r.pick(b.names), amount(amounts[i]!, style)]));
  const totalLabel = r.pick(['Total des paiements', 'TOTAL', 'Total versé', 'Total des prestations']);
  rows.push(monthCol ? [totalLabel, '', amount(total, style)] : [totalLabel, amount(total, style)]);
  const home = address(r);
  const recipient = [p2 ? `${r.pick(['Monsieur ou Madame', 'M. OU MME', 'M ou Mme'])} ${p.surname} ${p.given[0]}` : holder, streetAs(r, home.street)];
  if (home.extra) recipient.push(home.extra);
  recipient.push(townLine(home.town));
  const issuedOn = iso(m === 12 ? y + 1 : y, m === 12 ? 1 : m + 1, r.int(2, 20));
  const pairs: Pair[] = [
    { label: r.pick(['N° allocataire', 'Numéro allocataire', "Numéro d'allocataire", 'Référence allocataire']), value: number, phrase: 'Votre numéro allocataire est le {v}.' },
    { label: r.pick(['Bénéficiaire', 'Allocataire', "Nom de l'allocataire"]), value: holder, phrase: 'Nous certifions que {v} a perçu les prestations suivantes.' },
  ];
  if (p2) pairs.push({ label: 'Conjoint', value: nameAs(r, p2, civility(r, p2)) });
  pairs.push({ label: r.pick(['Période', 'Mois de', 'Au titre du mois de', 'Période de paiement']), value: monthText, phrase: 'Ces paiements concernent la période de {v}.' });
  pairs.push({ label: r.pick(["Date d'édition", 'Édité le']), value: date(issuedOn, r.pick(DATE_STYLES)) });
  return {
    spec: {
      title: r.pick(['ATTESTATION DE PAIEMENT', 'Attestation de paiement', 'Attestation de paiement des prestations familiales']),
      issuer: [`Caisse d'allocations familiales ${r.pick(CAF_PLACES)}`, r.pick(['Service allocataires', 'caf.fr', '8 rue des Prestations'])],
      recipient,
      pairs,
      tables: [{ head: monthCol ? ['Prestation', 'Mois', 'Montant'] : ['Prestation', 'Montant'], rows, bold: [rows.length - 1] }],
      after: [],
      paragraphs: ['Cette attestation est délivrée pour servir et valoir ce que de droit. Les montants sont indiqués après déduction de la CRDS.'],
      closing: `Le ${date(issuedOn, 'long')}`,
    },
    fields: {
      allocataireNumber: number,
      holder,
      period: ym,
      total: decimal(total),
      ...Object.fromEntries(chosen.map((b, i) => [b.key, decimal(amounts[i]!)])),
    },
  };
}

// ---------------------------------------------------------------- RIB

export function rib(r: Rng): Built {
  const bank = r.pick(BANKS);
  const branch = r.digits(5);
  const account = r.chance(0.2) ? `${r.digits(5)}${r.pick(['A', 'B', 'C', 'K'])}${r.digits(5)}` : r.digits(11);
  const iban = frenchIban(bank.code, branch, account);
  const key = iban.slice(25, 27);
  const p = person(r);
  const couple = r.chance(0.25);
  let holder: string;
  if (couple) {
    const p2 = person(r, p.sex === 'F' ? 'M' : 'F');
    holder = r.pick([`M OU MME ${p.surname} ${p.given[0]!.toUpperCase()}`, `${p.given[0]!.toUpperCase()} ${p.surname} OU ${p2.given[0]!.toUpperCase()} ${p2.surname}`]);
  } else holder = nameAs(r, p, civility(r, p));
  const home = address(r);
  const grouped = iban.replace(/(.{4})/g, '$1 ').trim();
  const branchName = r.pick(bank.branches);
  const pairs: Pair[] = [
    { label: r.pick(['Titulaire du compte', 'Intitulé du compte', 'Titulaire', 'Nom du titulaire']), value: holder },
    { label: 'Adresse', value: `${home.street}, ${home.town.postcode} ${home.town.city}` },
    { label: 'Domiciliation', value: `${bank.name.toUpperCase()} ${branchName.toUpperCase()}` },
    { label: r.pick(['IBAN', 'IBAN (International Bank Account Number)', 'Identifiant international de compte (IBAN)']), value: grouped },
    { label: r.pick(['BIC', 'Code BIC', 'BIC (Bank Identifier Code)', 'Code SWIFT / BIC']), value: bank.bic },
  ];
  // half the slips give the bank identifiers first: the IBAN and the BIC move up together
  if (r.chance(0.5)) pairs.unshift(...pairs.splice(3, 2));
  return {
    spec: {
      title: r.pick(["RELEVÉ D'IDENTITÉ BANCAIRE", "Relevé d'identité bancaire", 'RIB — Coordonnées bancaires', 'Vos coordonnées bancaires']),
      issuer: [bank.name, `Agence ${branchName}`, r.pick(['Service clientèle', 'Tél. 01 23 45 67 89'])],
      pairs,
      tables: [
        {
          head: r.pick([['Code banque', 'Code guichet', 'N° de compte', 'Clé RIB'], ['Banque', 'Guichet', 'Compte', 'Clé']]),
          rows: [[bank.code, branch, account, key]],
        },
      ],
      after: [],
      paragraphs: ['Ce relevé est destiné à être remis à vos créanciers ou débiteurs, français ou étrangers, appelés à faire inscrire des opérations à votre compte.'],
    },
    fields: { iban, bic: bank.bic, holder, bank: bank.name },
  };
}

// ---------------------------------------------------------------- proof of address

const SUPPLIERS = {
  electricity: ['Énergie Verte de France', 'ÉlecPlus Fournisseur', 'Lumière & Gaz Services'],
  water: ["Régie des Eaux de l'Agglomération", 'Eau Claire Services'],
  telecom: ['Fibre Nova Télécom', 'Réseau Mobile Plus'],
  rent: ['SCI Les Tilleuls', 'Office Public de l’Habitat Métropole', 'Agence Immobilière du Centre'],
} as const;

export function proofOfAddress(r: Rng): Built {
  const kind = r.pick(['electricity', 'electricity', 'water', 'telecom', 'rent'] as const);
  const p = person(r);
  const civ: Civility = civility(r, p);
  const holder = nameAs(r, p, civ);
  const home = address(r);
  const street = streetAs(r, home.street);
  const supplier = r.pick(SUPPLIERS[kind]);
  const sa = address(r);
  const y = r.int(2023, 2025);
  const m = r.int(1, 12);
  const d = r.int(1, monthDays(y, m));
  const issued = iso(y, m, d);
  const ds = r.pick(DATE_STYLES);
  const due = iso(m === 12 ? y + 1 : y, m === 12 ? 1 : m + 1, Math.min(d, 28));
  const from = iso(m === 1 ? y - 1 : y, m === 1 ? 12 : m - 1, 1);
  const amountStyle = r.pick(AMOUNT_STYLES);
  const recipient = [holder, street];
  if (home.extra) recipient.push(home.extra);
  recipient.push(townLine(home.town));
  const pairs: Pair[] = [];
  const rent = kind === 'rent';
  pairs.push({
    label: rent ? 'Locataire' : r.pick(['Titulaire du contrat', 'Nom du client', 'Client', 'Titulaire']),
    value: holder,
  });
  const addrLabel = rent ? r.pick(['Adresse du logement', 'Logement situé', 'Adresse du logement loué']) : r.pick(['Adresse de consommation', 'Lieu de consommation', 'Adresse de fourniture', "Adresse de l'installation"]);
  pairs.push({ label: addrLabel, value: `${street}, ${home.town.postcode} ${home.town.city}` });
  const dateLabel = rent ? r.pick(['Date', 'Émise le', "Date d'émission"]) : r.pick(['Date de facture', 'Facture du', 'Émise le', "Date d'émission"]);
  pairs.push({ label: dateLabel, value: date(issued, ds) });
  const [fy, fm] = from.split('-').map(Number) as [number, number];
  pairs.push({ label: rent ? 'Période' : 'Période de consommation', value: `du ${date(from, ds)} au ${date(iso(fy, fm, monthDays(fy, fm)), ds)}` });
  pairs.push({ label: rent ? 'Référence du bail' : r.pick(['N° de contrat', 'Référence client', 'Numéro de client']), value: r.digits(r.int(8, 12)) });
  const cost = r.int(2500, 95000);
  const rows = rent
    ? [['Loyer', amount(Math.round(cost * 0.85), amountStyle)], ['Charges', amount(cost - Math.round(cost * 0.85), amountStyle)], ['Total', amount(cost, amountStyle)]]
    : [['Abonnement', amount(Math.round(cost * 0.3), amountStyle)], ['Consommation', amount(cost - Math.round(cost * 0.3), amountStyle)], ['Total TTC', amount(cost, amountStyle)]];
  const after: Pair[] = [{ label: rent ? 'Somme reçue' : 'À payer avant le', value: rent ? amount(cost, amountStyle) : date(due, ds) }];
  const title = rent
    ? r.pick(['QUITTANCE DE LOYER', 'Quittance de loyer'])
    : kind === 'electricity'
      ? r.pick(["Facture d'électricité", "FACTURE D'ÉLECTRICITÉ ET DE GAZ", 'Votre facture énergie'])
      : kind === 'water'
        ? r.pick(["Facture d'eau", "FACTURE D'EAU POTABLE"])
        : r.pick(['Facture Internet et téléphone', 'FACTURE FIBRE ET TÉLÉPHONIE']);
  return {
    spec: {
      title,
      issuer: [supplier, streetAs(r, sa.street), townLine(sa.town)],
      recipient,
      pairs,
      tables: [{ head: [rent ? 'Détail' : 'Détail de la facture', 'Montant'], rows, bold: [rows.length - 1] }],
      after,
      paragraphs: [rent ? 'Le bailleur donne quittance au locataire de la somme ci-dessus, sous réserve de tous ses droits.' : 'Cette facture vaut justificatif de domicile. Conservez-la.'],
      closing: rent ? `Fait à ${sa.town.city}, le ${date(issued, ds)}` : undefined,
    },
    fields: { holder, address: street, postcode: home.town.postcode, city: home.town.city, date: issued },
  };
}

// ---------------------------------------------------------------- health insurance

export function makeNir(r: Rng, p: Person): string {
  const yy = r.digits(2);
  const mm = String(r.int(1, 12)).padStart(2, '0');
  const dept = r.pick(['75', '69', '13', '2A', '2B', '33', '59', '44', '93', '31', '99']);
  const body = `${p.sex === 'F' ? '2' : '1'}${yy}${mm}${dept}${r.digits(3)}${r.digits(3)}`;
  return body + nirKey(body);
}

function groupedNir(n: string, r: Rng): string {
  return r.pick([
    `${n[0]} ${n.slice(1, 3)} ${n.slice(3, 5)} ${n.slice(5, 7)} ${n.slice(7, 10)} ${n.slice(10, 13)} ${n.slice(13)}`,
    `${n.slice(0, 13)} ${n.slice(13)}`,
    `${n[0]} ${n.slice(1, 3)} ${n.slice(3, 5)} ${n.slice(5, 7)} ${n.slice(7, 10)} ${n.slice(10, 13)} ${n.slice(13)}`,
  ]);
}

export function healthInsurance(r: Rng): Built {
  const p = person(r);
  const nir = makeNir(r, p);
  const civ = civility(r, p);
  const holder = nameAs(r, p, civ);
  const home = address(r);
  const y = r.int(2023, 2025);
  const kids = r.int(0, 2);
  const rows: string[][] = [[holder.replace(/^(M\.|Mme|Madame|Monsieur|MME|M)\s/, ''), date(iso(1950 + r.int(10, 50), r.int(1, 12), r.int(1, 28)), 'slash'), 'Assuré(e)']];
  for (let i = 0; i < kids; i++) {
    const k = person(r, undefined, p.surname);
    rows.push([`${k.given[0]} ${p.surname}`, date(iso(y - r.int(1, 17), r.int(1, 12), r.int(1, 28)), 'slash'), 'Enfant']);
  }
  const pairs: Pair[] = [
    { label: r.pick(['Assuré(e)', "Nom et prénom de l'assuré", 'Bénéficiaire', 'Titulaire']), value: holder },
    { label: r.pick(['Numéro de sécurité sociale', "N° d'immatriculation", 'NIR']), value: groupedNir(nir, r) },
    { label: 'Organisme de rattachement', value: `${r.digits(2)} ${r.digits(3)} ${r.digits(4)}` },
    { label: 'Droits ouverts', value: `du ${date(iso(y, 1, 1), 'slash')} au ${date(iso(y + 1, 12, 31), 'slash')}` },
  ];
  return {
    spec: {
      title: r.pick(["ATTESTATION DE DROITS À L'ASSURANCE MALADIE", 'Attestation de droits', "Attestation de droits à l'assurance maladie"]),
      issuer: ['Assurance Maladie', `CPAM ${r.pick(CAF_PLACES)}`, r.pick(['ameli.fr', 'Service relations assurés'])],
      recipient: [holder, streetAs(r, home.street), townLine(home.town)],
      pairs,
      tables: [{ head: ['Bénéficiaire', 'Né(e) le', 'Qualité'], rows }],
      after: [],
      paragraphs: ['Cette attestation justifie de vos droits auprès des professionnels de santé. Elle ne remplace pas la carte Vitale.'],
      closing: `Délivrée le ${date(iso(y, r.int(1, 12), r.int(1, 28)), 'long')}`,
    },
    fields: { nir, holder },
  };
}
