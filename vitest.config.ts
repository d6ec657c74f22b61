import { defineConfig } from 'vitest/config';

const common = ['**/node_modules/**', '**/dist/**', '.data/**'];

/**
 * Three projects, run one after the other by scripts/test.sh:
 *  - unit: plain Node, SQLite and PostgreSQL (a throw-away server started by the global setup);
 *  - hw: over real pcscd + vpcd with virtual cards (one file at a time: the readers are shared);
 *  - e2e: Debian Chromium driven by playwright-core against the real server, core and cards.
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['**/*.test.ts'],
          exclude: [...common, '**/*.hw.test.ts', '**/*.e2e.test.ts'],
          globalSetup: ['tests/setup/postgres.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'hw',
          include: ['**/*.hw.test.ts'],
          exclude: common,
          globalSetup: ['tests/setup/pcscd.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['**/*.e2e.test.ts'],
          exclude: common,
          globalSetup: ['tests/setup/pcscd.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
