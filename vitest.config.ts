import { defineConfig } from 'vitest/config';

// Three projects: pure packages (fast), the server (real SQLite and PostgreSQL), and the browser
// end-to-end suite (real Chromium). `npm test` runs all three.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'apps/client/src/**/*.test.ts', 'python/*.test.ts'],
          // Property tests run a thousand cases: 4 s on a quiet machine, over 5 s on a loaded one.
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'server',
          include: ['apps/server/src/**/*.test.ts', 'apps/server/test/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
