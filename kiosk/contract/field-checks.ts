/** The checks of a paper's typed fields, shared with the server's protocol (never copied): the screen says why a value cannot be saved. */
export { checkField, fieldForPerson, fieldKind } from '../../sync-server/protocol/field-checks.ts';
export type { FieldCheck, FieldKind } from '../../sync-server/protocol/field-checks.ts';
