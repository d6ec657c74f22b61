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
    unreadable: { title: 'Nous n’arrivons pas à lire cette carte.', help: 'Retirez la carte. Remettez-la bien à fond, puce vers le bas.' },
    foreign: { title: 'Cette carte n’est pas une carte Facilitateur.', help: 'C’est peut-être une carte de banque ou une autre carte. Retirez-la.' },
    unknown: { title: 'Cette carte n’est pas reconnue.', help: 'Retirez la carte. Un agent peut vérifier votre carte à l’accueil.' },
    revoked: {
      title: 'Cette carte ne marche plus.',
      help: 'Elle a été déclarée perdue, volée ou remplacée. Allez voir un agent à l’accueil avec une pièce d’identité.',
    },
    expired: { title: 'Cette carte n’est plus valable.', help: 'Sa date est dépassée. Un agent peut vous aider à en avoir une nouvelle.' },
    'not-genuine': {
      title: 'Cette carte est refusée.',
      help: 'Elle ne peut pas prouver qu’elle est une vraie carte Facilitateur. Allez voir un agent à l’accueil.',
    },
    blocked: {
      title: 'Votre carte est bloquée.',
      help: 'Le code a été faux 3 fois. Pour la débloquer, allez voir un agent à l’accueil avec une pièce d’identité.',
    },
    'not-beneficiary': {
      title: 'Cette fente est pour la carte de la personne accompagnée.',
      help: 'La carte d’un agent va dans la fente principale.',
    },
    'wrong-slot': {
      title: 'Cette fente sert seulement pendant un rendez-vous avec un agent.',
      help: 'Retirez la carte et mettez-la dans la fente principale du boîtier.',
    },
    remove: 'Retirez votre carte.',
    removeThis: 'Retirez cette carte.',
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
    joinContext: (agent: string) => `pour être accompagné(e) par ${agent}`,
  },
  agent: {
    role: 'Vous êtes connecté(e) comme agent.',
    alone: 'Pour aider une personne, elle met sa carte dans la deuxième fente du boîtier, puis tape son code.',
    with: (name: string) => `Vous accompagnez ${name}.`,
    consent: (name: string) => `${name} a mis sa carte et tapé son code : c’est son accord.`,
    drop: 'Fin de l’accompagnement',
    needBeneficiary: 'Pour ajouter un papier, la personne accompagnée doit d’abord mettre sa carte.',
    reading: 'Nous lisons la carte de la personne…',
  },
  idle: {
    title: 'Êtes-vous toujours là ?',
    countdown: (s: number) => (s === 1 ? 'La session va se fermer dans 1 seconde.' : `La session va se fermer dans ${s} secondes.`),
    here: 'Je suis là',
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
  removeCard: {
    title: 'Au revoir',
    help: 'Vous pouvez retirer votre carte.',
    idle: 'La session est fermée, car la tablette n’a pas été utilisée pendant un moment.',
  },
  sync: {
    offline: 'Pas de connexion',
    pending: (n: number) => (n === 1 ? '1 document attend d’être envoyé' : `${n} documents attendent d’être envoyés`),
  },
  error: 'Un problème est survenu.',
} as const;
