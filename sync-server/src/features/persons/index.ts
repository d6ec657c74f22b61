/** The face of the persons feature: what the rest of the server may use of it. */
export { cardholderGreeting, findPersonByIdentifier } from './persons.ts';
