// The estimate's explanations that the engine shares (protocol/estimate/engine.ts words the rest itself).
export const ESTIMATE_WORDS = {
  noFixedHome: 'Vous n’avez pas de logement fixe : on ne compte pas de forfait logement.',
  primeTooYoung: (minimumAge: number) => `La prime d’activité est pour les personnes de ${minimumAge} ans ou plus. Dans votre foyer, la personne qui travaille a moins de ${minimumAge} ans.`,
} as const;
