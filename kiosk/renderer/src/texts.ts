/**
 * Screen texts, in simple French (FALC): short sentences, one idea each, the words people use.
 * Kept together so they can be reviewed and translated in one place.
 */
export const t = {
  brand: 'Facilitateur',
  attract: {
    title: 'Bonjour',
    insert: 'Insérez votre carte',
    help: 'Mettez votre carte dans le boîtier, puce vers le bas.',
    noCard: 'Vous n’avez pas de carte ? Demandez à un agent.',
  },
  reading: { title: 'Nous lisons votre carte…', help: 'Ne retirez pas la carte.' },
  problem: {
    unreadable: { title: 'Nous n’arrivons pas à lire cette carte.', help: 'Retirez la carte. Remettez-la bien à fond.' },
    unknown: { title: 'Cette carte n’est pas une carte Facilitateur.', help: 'Retirez la carte. Demandez à un agent si besoin.' },
    offline: { title: 'La tablette n’arrive pas à vous reconnaître pour le moment.', help: 'Retirez la carte et réessayez dans quelques minutes. Un agent peut vous aider.' },
    blocked: {
      title: 'Votre carte est bloquée.',
      help: 'Le code a été faux 3 fois. Pour la débloquer, allez voir un agent à l’accueil avec une pièce d’identité.',
    },
    remove: 'Retirez votre carte.',
  },
  pin: {
    hello: (name: string) => `Bonjour ${name}`,
    prompt: 'Tapez votre code secret',
    hint: 'Personne ne doit voir votre code.',
    digits: (n: number) => (n === 0 ? 'Aucun chiffre tapé' : n === 1 ? '1 chiffre tapé' : `${n} chiffres tapés`),
    erase: 'Effacer',
    validate: 'Valider',
    wrong: (left: number) =>
      left === 1 ? 'Ce code est faux. Il vous reste 1 essai. Ensuite, la carte sera bloquée.' : `Ce code est faux. Il vous reste ${left} essais.`,
    checking: 'Vérification du code…',
  },
  home: {
    hello: (name: string) => `Bonjour ${name}`,
    question: 'Que voulez-vous faire ?',
    scan: 'Ajouter un papier',
    scanHelp: 'Prendre en photo un document',
    finish: 'Terminer',
  },
  scan: {
    title: 'Posez votre document sous la caméra',
    help: 'Mettez tout le document dans le cadre. Ne bougez plus.',
    take: 'Prendre la photo',
    reading: 'Nous lisons votre document…',
    cancel: 'Annuler',
    noCamera: 'La caméra ne marche pas. Prévenez un agent.',
  },
  check: {
    title: 'Vérifiez ce que nous avons lu',
    help: 'Regardez votre document. Est-ce que c’est bien écrit pareil ?',
    doubt: 'À vérifier',
    yes: 'Oui, c’est juste',
    fix: 'Corriger',
    retake: 'Reprendre la photo',
    unknownDoc: 'Nous n’avons pas reconnu ce document.',
    keepAnyway: 'Garder quand même',
    docTypes: { rib: 'Relevé d’identité bancaire (RIB)', other: 'Document' } as Record<string, string>,
    labels: { iban: 'IBAN', bic: 'BIC', holder: 'Titulaire du compte', bank: 'Banque' } as Record<string, string>,
  },
  saved: {
    title: 'Votre document est enregistré.',
    sending: 'Il part vers votre coffre-fort.',
    sent: 'Il est dans votre coffre-fort.',
    another: 'Ajouter un autre papier',
    finish: 'Terminer',
  },
  removeCard: { title: 'Au revoir', help: 'Vous pouvez retirer votre carte.' },
  sync: {
    offline: 'Pas de connexion',
    pending: (n: number) => (n === 1 ? '1 document attend d’être envoyé' : `${n} documents attendent d’être envoyés`),
  },
  error: 'Un problème est survenu.',
} as const;
