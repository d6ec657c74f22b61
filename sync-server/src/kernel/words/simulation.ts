/**
 * The simulation's command line (`npm run simulate`, features/aids/simulate/cli.ts): what it says when the
 * file it is given cannot be used. The simulation's own explanations are still in simulate/engine.ts
 * (tests/lint/words-in-one-place.test.ts lists it among the files to move).
 */
export const SIMULATE_CLI = {
  usage: 'Utilisation : npm run simulate -- FICHIER.json [--rules REGLES.json]',
  unknownOption: (arg: string) => `Option inconnue : ${arg}`,
  oneFile: 'Un seul fichier à la fois.',
  noFile: 'Indiquez le fichier JSON qui décrit le foyer.',
  unreadable: (file: string) => `Impossible de lire le fichier « ${file} ».`,
  notJson: (file: string, why: string) => `Le fichier « ${file} » n’est pas du JSON valide (${why}).`,
  badSituation: (file: string) => `La situation décrite dans « ${file} » n’est pas valable :`,
  badRules: (why: string) => `Les règles de calcul ne peuvent pas être lues : ${why}`,
} as const;

/**
 * The estimate's explanations, as they move out of the engine (features/aids/simulate/engine.ts still
 * words most of its own; these are the newest).
 */
export const ESTIMATE_WORDS = {
  noFixedHome: 'Vous n’avez pas de logement fixe : on ne compte pas de forfait logement.',
  primeTooYoung: (minimumAge: number) => `La prime d’activité est pour les personnes de ${minimumAge} ans ou plus. Dans votre foyer, la personne qui travaille a moins de ${minimumAge} ans.`,
} as const;
