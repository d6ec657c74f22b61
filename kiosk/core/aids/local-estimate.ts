/**
 * Aid estimates on the kiosk itself, with no server and no personal data leaving it (DESIGN.md §5): the
 * protocol's engine over the rules installed with the appliance (assets/aids/rules, FAC_AID_RULES_DIR),
 * and the aids' names from the last catalogue the server gave, kept on disk (it holds nothing about anyone)
 * so that an estimate still reads right when the network is down.
 */
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { AidSummary } from '../../../sync-server/protocol/applications.ts';
import { estimate } from '../../../sync-server/protocol/estimate/engine.ts';
import { simulateAnswer } from '../../../sync-server/protocol/estimate/answer.ts';
import type { SimulateAnswer } from '../../../sync-server/protocol/estimate/answer.ts';
import { RulesSchema } from '../../../sync-server/protocol/estimate/rules.ts';
import type { Rules } from '../../../sync-server/protocol/estimate/rules.ts';
import type { Situation } from '../../../sync-server/protocol/estimate/situation.ts';
import { searchCommunes, zonesApl } from '../../../sync-server/protocol/estimate/zones.ts';
import type { ZonesApl } from '../../../sync-server/protocol/estimate/zones.ts';
import type { Logger } from '../log.ts';

export const StoredCatalogue = z.object({ version: z.number().int().positive(), validFrom: z.string(), aids: z.array(AidSummary) });
export type StoredCatalogue = z.infer<typeof StoredCatalogue>;

export class LocalEstimates {
  private rules: Rules | null = null;
  private zones: ZonesApl | null | undefined;

  constructor(private readonly opts: { rulesDir: string; dataDir: string; logger: Logger }) {}

  /** The rules, read once; a broken install is said in the log and the estimate fails plainly. */
  private loaded(): Rules {
    if (this.rules) return this.rules;
    const files = readdirSync(this.opts.rulesDir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => JSON.parse(readFileSync(join(this.opts.rulesDir, f), 'utf8')) as unknown);
    this.rules = RulesSchema.parse(files);
    return this.rules;
  }

  /**
   * The communes' zones of the aide au logement, installed beside the rules (assets/aids/zones-apl.json),
   * read once; without the file a commune gives no housing estimate (the engine says so) rather than none at all.
   */
  private zonesLoaded(): ZonesApl | undefined {
    if (this.zones !== undefined) return this.zones ?? undefined;
    const file = join(dirname(this.opts.rulesDir), 'zones-apl.json');
    this.zones = existsSync(file) ? zonesApl(JSON.parse(readFileSync(file, 'utf8')) as unknown) : null;
    if (this.zones === null) this.opts.logger.warn({ file }, 'housing zones table missing: no housing estimate from a commune');
    return this.zones ?? undefined;
  }

  /** The zone table installed on the tablet, or undefined when it is missing (a commune then cannot be checked). */
  zoneTable(): ZonesApl | undefined {
    return this.zonesLoaded();
  }

  /** Communes for what the person typed (a name, a postcode, an INSEE code), at most `limit`: none without the table. */
  communes(query: string, limit = 8): { code: string; name: string; postcodes: string[]; parent?: string }[] {
    const table = this.zonesLoaded();
    if (!table) return [];
    return searchCommunes(table, query, limit).map((c) => ({ code: c.code, name: c.name, postcodes: [...c.postcodes], ...(c.parent === undefined ? {} : { parent: c.parent }) }));
  }

  estimate(situation: Situation, catalogue: readonly { id: string; name: string }[]): SimulateAnswer {
    return simulateAnswer(estimate(situation, this.loaded(), this.zonesLoaded()), catalogue);
  }

  private get cataloguePath(): string {
    return join(this.opts.dataDir, 'aid-catalogue.json');
  }

  /** The catalogue the server just gave, kept for when it cannot be reached (written whole, then renamed). */
  keepCatalogue(c: StoredCatalogue): void {
    try {
      const tmp = `${this.cataloguePath}.tmp`;
      writeFileSync(tmp, JSON.stringify(c));
      renameSync(tmp, this.cataloguePath);
    } catch (err) {
      this.opts.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'aid catalogue not kept for offline use');
    }
  }

  /** The last catalogue kept, or null (none yet, or unreadable: then it is as if there were none). */
  keptCatalogue(): StoredCatalogue | null {
    try {
      const c = StoredCatalogue.safeParse(JSON.parse(readFileSync(this.cataloguePath, 'utf8')));
      return c.success ? c.data : null;
    } catch {
      return null;
    }
  }
}
