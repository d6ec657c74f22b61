// Reads the rules (assets/aids/rules/*.json, one file per aid plus the shared figures) from disk for the
// server and its CLI. The schema and the engine are pure and live in the protocol (protocol/estimate/), so
// the kiosk can estimate offline with the same code and the same files.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { RulesSchema, type Rules } from '../../../../protocol/estimate/rules.ts';
import { zonesApl, type ZonesApl } from '../../../../protocol/estimate/zones.ts';

export { RulesSchema, type Rules };

export const DEFAULT_RULES_DIR = fileURLToPath(new URL('../../../../../assets/aids/rules/', import.meta.url));

export function loadRules(dir: string = DEFAULT_RULES_DIR): Rules {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown);
  return RulesSchema.parse(files);
}

export const DEFAULT_ZONES_FILE = fileURLToPath(new URL('../../../../../assets/aids/zones-apl.json', import.meta.url));

/** The communes and their zone of the aide au logement (assets/aids/zones-apl.json), validated. */
export function loadZonesApl(file: string = DEFAULT_ZONES_FILE): ZonesApl {
  return zonesApl(JSON.parse(readFileSync(file, 'utf8')) as unknown);
}
