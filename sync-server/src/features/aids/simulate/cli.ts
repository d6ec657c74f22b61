// `npm run simulate -- FILE`: reads a dated household situation (JSON: the month, the incomes month by
// month), checks it, and prints the estimate of each aid, with the figures it used, as JSON on stdout.
// Bad input: plain-French errors on stderr and exit code 2.
import { readFileSync } from 'node:fs';
import { estimate, EstimateError } from '../../../../protocol/estimate/engine.ts';
import { loadRules, loadZonesApl } from './rules.ts';
import { parseSituation } from '../../../../protocol/estimate/situation.ts';
import { SIMULATE_CLI } from '../../../kernel/words/simulation.ts';

const USAGE = SIMULATE_CLI.usage;

function fail(lines: string[]): never {
  process.stderr.write(`${lines.join('\n')}\n`);
  process.exit(2);
}

function main(argv: string[]): void {
  let file: string | undefined;
  let rulesFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--rules') rulesFile = argv[++i];
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return;
    } else if (arg.startsWith('-')) fail([SIMULATE_CLI.unknownOption(arg), USAGE]);
    else if (file === undefined) file = arg;
    else fail([SIMULATE_CLI.oneFile, USAGE]);
  }
  if (file === undefined) fail([SIMULATE_CLI.noFile, USAGE]);

  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    fail([SIMULATE_CLI.unreadable(file)]);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    fail([SIMULATE_CLI.notJson(file, (e as Error).message)]);
  }
  const parsed = parseSituation(data);
  if (!parsed.ok) fail([SIMULATE_CLI.badSituation(file), ...parsed.errors.map((e) => `- ${e}`)]);

  let rules;
  try {
    rules = rulesFile === undefined ? loadRules() : loadRules(rulesFile);
  } catch (e) {
    process.stderr.write(`${SIMULATE_CLI.badRules((e as Error).message)}\n`);
    process.exit(1);
  }
  try {
    process.stdout.write(`${JSON.stringify(estimate(parsed.situation, rules, loadZonesApl()), null, 2)}\n`);
  } catch (e) {
    if (e instanceof EstimateError) fail([SIMULATE_CLI.badSituation(file), `- ${e.message}`]);
    throw e;
  }
}

main(process.argv.slice(2));
