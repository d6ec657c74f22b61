/**
 * The words of the aids' basic conditions (features/aids/eligibility.ts): what the person reads before
 * sending a request, and the text each rule comes from, as the service reads it in the console.
 */
const YOUNG_RSA = 'Avant 25 ans, il faut attendre un enfant ou en élever un, ou avoir travaillé au moins 2 ans pendant les 3 dernières années.';
const PERMIT = 'Il faut en général un titre de séjour qui permet de travailler depuis au moins 5 ans. Ce n’est pas demandé aux réfugiés ni aux personnes qui ont une carte de résident.';

export const ELIGIBILITY_TEXT = {
  rsaAge: (age: number) => `Vous avez ${age} ans. Le RSA est pour les personnes de 25 ans ou plus. ${YOUNG_RSA}`,
  permit: PERMIT,
  primeAge: (age: number) => `Vous avez ${age} ans. La prime d’activité est pour les personnes de 18 ans ou plus.`,
  primeWork: 'La prime d’activité est pour les personnes qui travaillent. Vous n’avez pas dit que vous travaillez.',
  aahChild: (age: number) => `Vous avez ${age} ans. L’AAH est pour les adultes : à partir de 20 ans, ou de 16 ans pour un jeune qui n’est plus à la charge de ses parents.`,
  aahYoung: (age: number) => `Vous avez ${age} ans. Avant 20 ans, l’AAH est possible seulement si vous n’êtes plus à la charge de vos parents pour la CAF.`,
  familyChildren: 'Les allocations familiales sont pour les familles qui ont au moins 2 enfants à charge. Vous avez dit ne pas avoir d’enfant à charge.',
  arsChildren: 'L’allocation de rentrée scolaire est pour les enfants de 6 à 18 ans qui vont à l’école. Vous avez dit ne pas avoir d’enfant à charge.',
  housingHomeless: 'Les aides au logement aident à payer un loyer. Sans logement, elles ne peuvent pas être versées pour le moment.',
  housingHosted: 'Les aides au logement aident à payer un loyer. Si vous êtes hébergé sans payer de loyer, vous n’y avez pas droit.',
} as const;

/** Where each rule comes from. */
export const ELIGIBILITY_SOURCE = {
  rsaAge: 'Code de l’action sociale et des familles, art. L262-4 (1°) et L262-7-1',
  rsaPermit: 'Code de l’action sociale et des familles, art. L262-4 (2°)',
  primeAge: 'Code de la sécurité sociale, art. L842-2 (1°)',
  primeWork: 'Code de la sécurité sociale, art. L842-1',
  primePermit: 'Code de la sécurité sociale, art. L842-2 (2°)',
  aahAge: 'Code de la sécurité sociale, art. L821-1 et R821-1',
  family: 'Code de la sécurité sociale, art. L521-1',
  ars: 'Code de la sécurité sociale, art. L543-1',
  housing: 'Code de la construction et de l’habitation, art. L821-1',
} as const;
