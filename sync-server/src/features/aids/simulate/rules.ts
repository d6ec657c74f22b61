// Reads a dated rules file from disk for the server and its CLI; the schema and the engine are pure and live in
// the protocol (protocol/estimate/), so the kiosk can estimate offline with the same code.
import { readFileSync } from 'node:fs';
import { RulesSchema, type Rules } from '../../../../protocol/estimate/rules.ts';

export { RulesSchema, type Rules };

export const DEFAULT_RULES_URL = new URL('../../../../../assets/aids/rules/2025-04.json', import.meta.url);

export function loadRules(path: string | URL = DEFAULT_RULES_URL): Rules {
  return RulesSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}
