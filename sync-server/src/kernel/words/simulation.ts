/**
 * The simulation's command line (`npm run simulate`, features/aids/simulate/cli.ts): what it says when the
 * file it is given cannot be used. The estimate's own explanations
 * are in protocol/estimate/ (the kiosk shows them too).
 */
export const SIMULATE_CLI = {
  usage: 'Utilisation : npm run simulate -- FICHIER.json [--rules DOSSIER_DES_REGLES]',
  unknownOption: (arg: string) => `Option inconnue : ${arg}`,
  oneFile: 'Un seul fichier à la fois.',
  noFile: 'Indiquez le fichier JSON qui décrit le foyer.',
  unreadable: (file: string) => `Impossible de lire le fichier « ${file} ».`,
  notJson: (file: string, why: string) => `Le fichier « ${file} » n’est pas du JSON valide (${why}).`,
  badSituation: (file: string) => `La situation décrite dans « ${file} » n’est pas valable :`,
  badRules: (why: string) => `Les règles de calcul ne peuvent pas être lues : ${why}`,
} as const;
