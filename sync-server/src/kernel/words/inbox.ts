/**
 * The words of an institution's inbox and of its accounts in the console (edge/console/inbox-views.ts,
 * accounts-views.ts), and the roles' names. Plain words: the staff reading them are not all at ease with
 * computers either.
 */
import type { StaffRole } from '../storage/schema.ts';

/** Each role of an institution's account: its name, and what it may do, in one line. */
export const ROLE_WORDS: Readonly<Record<Exclude<StaffRole, 'structure-admin'>, { name: string; hint: string }>> = {
  institution: { name: 'Chef de service', hint: 'décide sur les demandes et répartit la boîte de réception' },
  instructor: { name: 'Instructeur', hint: 'traite les demandes et les messages, sans accepter ni refuser' },
  depositor: { name: 'Déposant', hint: 'dépose des papiers dans le coffre des personnes, rien d’autre' },
  'institution-admin': { name: 'Administrateur des comptes', hint: 'crée et gère les comptes de l’organisme' },
};

export const CONSOLE_MENU_WORDS = {
  inbox: 'Boîte de réception',
  inboxUnread: (n: number) => (n === 0 ? 'Boîte de réception' : `Boîte de réception (${n} non ${n === 1 ? 'lu' : 'lus'})`),
  accounts: 'Comptes de l’organisme',
  deposits: 'Déposer un papier',
  notForYourRole: { title: 'Page réservée', text: 'Votre compte ne donne pas accès à cette page. Utilisez le menu pour aller à vos pages.' },
  decisionNotForYou: 'Votre compte ne permet pas d’accepter, de refuser ni de clore une demande : c’est au chef de service. Rien n’a été décidé.',
} as const;

export const INBOX_WORDS = {
  title: 'Boîte de réception',
  lead: (institution: string) => `Les messages et les papiers que des personnes, ou des agents pour elles, ont envoyés à ${institution}. Les plus récents en premier.`,
  filters: { label: 'Voir', mine: 'À moi', unassigned: 'Non attribués', all: 'Tous' },
  filterHint: 'Les messages attribués à un autre instructeur ne sont pas dans votre liste.',
  none: { mine: 'Aucun message ne vous est attribué.', unassigned: 'Aucun message sans personne pour s’en occuper.', all: 'Aucun message pour le moment.' },
  columns: { state: 'État', from: 'De', subject: 'Objet', received: 'Reçu le', papers: 'Papiers', assigned: 'Attribué à' },
  unread: 'Non lu',
  read: 'Lu',
  answered: 'Répondu',
  forPerson: (agent: string, person: string) => `${agent}, agent, pour ${person}`,
  nobody: 'personne',
  papers: (n: number) => (n === 0 ? 'aucun' : n === 1 ? '1 papier' : `${n} papiers`),
  open: (subject: string) => `Ouvrir : ${subject}`,
  thread: {
    title: (subject: string) => `Message : ${subject}`,
    back: 'Retour à la boîte de réception',
    person: 'Personne',
    identifier: 'Identifiant',
    assigned: 'Attribué à',
    sentOn: 'Envoyé le',
    messages: 'Les messages',
    fromPerson: (name: string) => `${name} a écrit`,
    fromAgent: (name: string) => `${name}, agent, a écrit`,
    fromInstitution: (name: string, institution: string) => `${name} (${institution}) a répondu`,
    noNote: 'Pas de message avec le papier.',
    papers: 'Papiers joints',
    see: (title: string) => `Voir le papier : ${title}`,
    newWindow: '(s’ouvre dans un nouvel onglet)',
    seenInJournal: 'Chaque papier ouvert est noté dans le journal que la personne peut lire.',
  },
  assign: {
    title: 'Qui s’en occupe',
    label: 'Attribuer à',
    nobody: 'Personne pour le moment',
    button: 'Attribuer',
    take: 'Je m’en occupe',
    takeHint: 'Ce message n’est attribué à personne : vous pouvez le prendre.',
    yours: 'Ce message vous est attribué.',
    others: (name: string) => `Ce message est attribué à ${name}.`,
    done: 'C’est fait : le message est attribué.',
    unchanged: 'Rien n’a changé : c’était déjà ainsi.',
    forbidden: 'Vous ne pouvez pas attribuer ce message. Rien n’a changé.',
    badAssignee: 'Choisissez une personne de la liste.',
  },
  reply: {
    title: 'Répondre',
    label: 'Votre réponse',
    hint: 'La personne lira votre réponse à la borne, avec le nom du papier, votre nom et celui de l’organisme. Écrivez simplement.',
    button: 'Envoyer la réponse',
    done: 'C’est fait : votre réponse est envoyée. La personne la verra à la borne.',
    empty: 'Écrivez votre réponse.',
    tooLong: (max: number) => `Votre réponse est trop longue : ${max} caractères au plus.`,
  },
  noThread: { title: 'Message introuvable', text: 'Ce message n’existe pas, ou il n’est pas pour vous.' },
  noPaper: { title: 'Papier introuvable', text: 'Ce papier n’est pas dans ce message, ou son fichier n’est plus sur le serveur.' },
  paperForbidden: { title: 'Accès refusé', text: 'Votre compte ne peut pas ouvrir ce papier. Rien n’a été lu.' },
} as const;

export const ACCOUNTS_PAGE_WORDS = {
  title: 'Les comptes de l’organisme',
  lead: (institution: string) => `Les comptes de ${institution} dans la console. Le rôle dit ce que chacun peut faire.`,
  columns: { name: 'Nom', login: 'Identifiant', role: 'Rôle', state: 'État', actions: 'Actions' },
  active: 'Actif',
  disabled: 'Désactivé',
  you: '(vous)',
  roleLabel: 'Rôle',
  changeRole: 'Changer le rôle',
  disable: 'Désactiver',
  enable: 'Réactiver',
  createTitle: 'Créer un compte',
  nameLabel: 'Nom et prénom',
  loginLabel: 'Identifiant de connexion',
  loginHint: '3 à 64 caractères : lettres sans accent, chiffres, point, tiret. Par exemple : caf-dupont.',
  passwordLabel: 'Mot de passe de départ',
  passwordHint: (min: number) => `Au moins ${min} caractères. Donnez-le à la personne de vive voix, pas par courriel.`,
  create: 'Créer le compte',
  created: (login: string) => `C’est fait : le compte ${login} est créé.`,
  done: 'C’est fait.',
  unchanged: 'Rien n’a changé : c’était déjà ainsi.',
  refused: {
    'unknown-account': 'Aucun compte n’a cet identifiant.',
    'other-institution': 'Ce compte est celui d’un autre organisme : vous ne pouvez pas le changer.',
    'own-account': 'Vous ne pouvez pas changer votre propre compte : demandez à un autre administrateur.',
  },
  exists: 'Cet identifiant est déjà pris. Choisissez-en un autre.',
  writeName: 'Écrivez le nom et le prénom.',
  badLogin: 'L’identifiant doit avoir 3 à 64 caractères : lettres sans accent, chiffres, point, tiret.',
  badPassword: (min: number) => `Le mot de passe doit avoir au moins ${min} caractères.`,
} as const;

/** The staff command's words about roles (`console-account create --role`). */
export const ROLE_CLI_WORDS = {
  badRole: '--role : head-of-service, instructor, depositor ou institution-admin / head-of-service, instructor, depositor or institution-admin',
  roleWithStructure: '--role vaut pour un compte d’organisme, pas de structure / --role is for an institution account, not a structure',
  created: (login: string, owner: string, role: string) => [`Compte de console créé : ${login} (${owner}, ${role})`, `console account created: ${login}`] as const,
} as const;
