/** The face of the persons feature: what the rest of the server may use of it. */
export { anyPerson, cardholderGreeting, findPersonByIdentifier, personNameOf, seedPersons } from './persons.ts';
export type { SeedPerson } from './persons.ts';
