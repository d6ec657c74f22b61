/**
 * The directory of institutions, in the words staff read: the import of the « Annuaire de
 * l'administration » (each problem by entry and line), local entries, the search, the staff CLI's lines.
 */

/** Where a problem is: the entry's place in the file, its line, its id and name when the file gives them. */
export interface EntryPlace {
  index: number;
  line: number | null;
  id: string | null;
  name: string | null;
}

function place(p: EntryPlace): string {
  const bits = [`entrée n° ${p.index + 1}`];
  if (p.line !== null) bits.push(`ligne ${p.line}`);
  if (p.id) bits.push(`id ${p.id}`);
  const head = bits.join(', ');
  return p.name ? `${head} (« ${p.name} »)` : head;
}

export const DIRECTORY_IMPORT_WORDS = {
  notJson: (line: number | null, column: number | null) =>
    `Le fichier n’est pas du JSON lisible${line !== null ? ` (ligne ${line}${column !== null ? `, colonne ${column}` : ''})` : ''}. Rien n’a été importé.`,
  notAnnuaire: 'Le fichier n’a pas la forme de l’Annuaire de l’administration : un objet avec une liste « service » est attendu. Rien n’a été importé.',
  tooLarge: (max: number) => `Le fichier a plus de ${max} entrées. Rien n’a été importé.`,
  entry: (p: EntryPlace, what: string) => `${place(p)} : ${what}`,
  missingId: 'l’identifiant « id » manque',
  missingName: 'le nom « nom » manque',
  noAddress: 'aucune adresse avec un code postal et une commune',
  badField: (field: string, what: string) => `le champ « ${field} » est invalide (${what})`,
  unknownDay: (day: string) => `jour inconnu « ${day} » dans les horaires (lundi à dimanche attendus)`,
  badHour: (value: string) => `heure invalide « ${value} » dans les horaires (HH:MM:SS attendu)`,
  closesBeforeOpens: (day: string, opens: string, closes: string) => `horaires du ${day} : la fermeture (${closes}) n’est pas après l’ouverture (${opens})`,
  badCommune: (code: string) => `code commune INSEE invalide « ${code} »`,
  duplicateId: 'le même identifiant figure deux fois dans le fichier',
  localId: 'cet identifiant est celui d’une entrée locale ; elle n’est jamais remplacée par l’annuaire',
  // warnings: the entry is imported, without what is said
  badCoordinates: (lat: string, lon: string) => `coordonnées refusées (latitude « ${lat} », longitude « ${lon} ») : l’entrée est importée sans position sur le plan`,
  fieldDropped: (field: string) => `le champ « ${field} » est trop long : il n’est pas repris`,
  refused: (n: number) => `${n} problème${n > 1 ? 's' : ''} dans le fichier. Rien n’a été importé.`,
} as const;

/** What staff type for a local entry (staff API and CLI), and what is refused. */
export const DIRECTORY_LOCAL_WORDS = {
  invalid: (where: string, what: string) => `Entrée invalide${where ? ` (${where})` : ''} : ${what}`,
  exists: (id: string) => `Une entrée « ${id} » existe déjà.`,
  unknown: (id: string) => `Aucune entrée locale « ${id} » dans l’annuaire.`,
  notLocal: (id: string) => `L’entrée « ${id} » vient de l’Annuaire de l’administration : elle change avec le prochain import, pas à la main.`,
  notYours: 'Ce lieu a été ajouté par une autre structure : seule elle peut le changer.',
  pairedCoordinates: 'latitude et longitude vont ensemble',
  closesAfterOpens: 'la fermeture doit suivre l’ouverture',
  postcode: '5 chiffres',
  badQuery: 'Recherche invalide : un code postal, un code commune INSEE ou un nom de commune (2 à 100 caractères).',
} as const;

/** The staff CLI's lines (French / English, as the other commands). */
export const DIRECTORY_CLI_WORDS = {
  usage: 'directory import FICHIER [--dry-run] | directory list [--json] | directory search TEXTE | directory add --json FICHIER | directory change --id ID --json FICHIER | directory remove --id ID | directory area --kiosk ID',
  imported: (c: { added: number; changed: number; removed: number; unchanged: number; skipped: number; warnings: number }, dry: boolean) =>
    [
      `${dry ? 'Essai (rien n’est écrit) : ' : ''}${c.added} ajoutée(s), ${c.changed} modifiée(s), ${c.removed} retirée(s), ${c.unchanged} inchangée(s), ${c.skipped} ignorée(s) (type non retenu), ${c.warnings} avertissement(s), 0 refusée`,
      `${dry ? 'Dry run (nothing written): ' : ''}${c.added} added, ${c.changed} changed, ${c.removed} removed, ${c.unchanged} unchanged, ${c.skipped} skipped (type not kept), ${c.warnings} warning(s), 0 refused`,
    ] as const,
  refused: (n: number) => [`Import refusé : ${n} entrée(s) en erreur, rien n’a été importé`, `Import refused: ${n} entr(y/ies) in error, nothing imported`] as const,
  warning: 'Avertissement / warning',
  added: (id: string) => [`Entrée locale « ${id} » ajoutée`, `local entry added`] as const,
  changed: (id: string, changed: boolean) => (changed ? [`Entrée locale « ${id} » modifiée`, 'local entry changed'] as const : [`Entrée locale « ${id} » inchangée`, 'local entry unchanged'] as const),
  removed: (id: string) => [`Entrée locale « ${id} » retirée`, 'local entry removed'] as const,
  unexpected: (arg: string) => `argument inattendu « ${arg} » / unexpected argument`,
  unreadable: (file: string) => `fichier illisible « ${file} » / unreadable file`,
  // a kiosk's area (kiosk config --directory-area, directory area --kiosk) and the welcome letter's places
  badArea: (text: string) =>
    `zone invalide « ${text} » : 1 à 10 codes de département séparés par des virgules (69, 01, 2A, 974) / invalid area: 1 to 10 département codes`,
  areaOf: (kioskId: string, area: readonly string[] | null, from: 'settings' | 'office' | 'none'): readonly [string, string] =>
    area === null
      ? ([`Tablette ${kioskId} : tout l’annuaire (ni zone réglée, ni département connu pour son lieu)`, `kiosk ${kioskId}: the whole directory (no area set, no département known for its place)`] as const)
      : ([
          `Tablette ${kioskId} : départements ${area.join(', ')} (${from === 'settings' ? 'zone réglée' : 'département de son lieu'})`,
          `kiosk ${kioskId}: départements ${area.join(', ')} (${from === 'settings' ? 'area set' : 'its place’s département'})`,
        ] as const),
  areaCount: (offices: number, max: number) => [`${offices} lieux à copier sur la tablette (${max} au plus)`, `${offices} offices to copy to the kiosk (at most ${max})`] as const,
  areaTooLarge: (offices: number, max: number) =>
    [
      `Cette zone compte ${offices} lieux : une tablette en garde ${max} au plus. Choisissez moins de départements (kiosk config --directory-area).`,
      `this area holds ${offices} offices, more than the ${max} a kiosk keeps: choose fewer départements`,
    ] as const,
  letterKioskOrArea: '--kiosk OU --area, pas les deux / one or the other',
  letterWithoutArea: [
    'Avertissement : ni --kiosk ni --area, les lieux de la lettre viennent de tout l’annuaire. Donnez la tablette où la carte est remise, ou son département.',
    'warning: neither --kiosk nor --area, the letter’s places come from the whole directory',
  ] as const,
  letterStructureArea: (structure: string, area: readonly string[]): readonly [string, string] => [
    `Lieux de la zone de la structure de l’agent, ${structure} : départements ${area.join(', ')}`,
    `places of the area of the agent's structure, ${structure}: départements ${area.join(', ')}`,
  ],
  letterPlaces: (n: number) => [`Lieux imprimés sur la lettre : ${n}`, `places printed on the letter: ${n}`] as const,
} as const;
