import { defineConfig } from 'vitest/config';

// The production topology on a real PostgreSQL-backed Temporal server: slow (a server build on first run, several
// processes, 200 journeys), so not part of `npm test`. `npm run test:cluster` builds lib/ first.
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    // The Temporal core bridge segfaults under worker threads.
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 600_000,
    setupFiles: ['test/setup-require-ts.ts'],
    globalSetup: ['test/cluster/global-setup.ts'],
  },
});
