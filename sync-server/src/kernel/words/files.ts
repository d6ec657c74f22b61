/**
 * What a person (at the kiosk) or a member of staff is told about a file that came in or had to go out as
 * a PDF: an image or a PDF refused at deposit, a paper that could not be printed. The limits are passed
 * in: the words hold no number of their own.
 */

/** Why an image is refused (kernel/files/images.ts ImageProblem), in words one can act on. */
export const IMAGE_PROBLEM_WORDS = {
  empty: 'Le fichier est vide.',
  'not-an-image': 'Ce fichier n’est pas une image JPEG, PNG ou WebP.',
  'wrong-type': 'Ce fichier n’est pas du type annoncé.',
  'too-large': (maxPixels: number) => `Cette image est trop grande (plus de ${maxPixels / 1_000_000} millions de points).`,
  damaged: 'Cette image est abîmée : elle ne peut pas être lue en entier.',
} as const;

/** Why a PDF is refused or cannot be copied (kernel/files/pdf-pages.ts PdfProblem). */
export const PDF_PROBLEM_WORDS = {
  damaged: 'Ce PDF est abîmé : ses pages ne peuvent pas être lues.',
  encrypted: 'Ce PDF est protégé par un mot de passe : ses pages ne peuvent pas être recopiées.',
  'no-pages': 'Ce PDF n’a aucune page.',
  'too-many-pages': (pages: number) => `Ce PDF a trop de pages (plus de ${pages}).`,
  'too-large': (bytes: number) => `Ce PDF est trop gros (plus de ${Math.round(bytes / 1024 / 1024)} Mo).`,
  'too-complex': 'Ce PDF est trop compliqué : il est fait de trop de morceaux pour être lu.',
} as const;

/** The check of a file at deposit (kernel/files/inspect.ts). */
export const INSPECT_WORDS = {
  busy: 'Le serveur est trop occupé pour vérifier ce fichier. Réessayez dans un moment.',
  pdfTrapped: 'Ce PDF n’a pas pu être ouvert dans les limites de temps et de mémoire : il est peut-être piégé ou abîmé.',
  pdfImageTooLarge: (width: number, height: number) => `Une image de ce PDF est trop grande (${width} × ${height} points).`,
  pdfImageUnreadable: (why: string) => `Une image de ce PDF ne peut pas être lue : ${why.toLowerCase()}`,
  notAccepted: 'Ce type de fichier n’est pas accepté.',
  notAPdf: 'Ce fichier n’est pas un PDF.',
} as const;

/** A paper or a dossier that could not be made into a PDF (kernel/files/print-file.ts). */
export const PRINT_FAILURE_WORDS = {
  busy: 'Beaucoup de papiers sont en cours d’impression. Réessayez dans un moment.',
  paper: 'Ce papier n’a pas pu être mis en PDF : son fichier est peut-être abîmé. Réessayez ; si cela recommence, photographiez-le à nouveau.',
  dossier: 'Ce dossier n’a pas pu être mis en PDF : un de ses papiers est peut-être abîmé. Réessayez ; si cela recommence, demandez à un agent.',
} as const;
