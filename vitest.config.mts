import { configDefaults, defineConfig } from 'vitest/config';
import { SlowFirstSequencer } from './test/helpers/slow-first-sequencer.mjs';

export default defineConfig({
  // `journey-await/testing` (and `journey-await`) resolve through package.json `exports` like in a service, to
  // the TypeScript sources under this condition, so the examples run from a clean clone without a build.
  ssr: { resolve: { conditions: ['module', 'node', 'development|production', 'journey-await:source'] } },
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    // The browser tests and the cluster test run on their own: npm run test:ui, npm run test:cluster.
    exclude: [...configDefaults.exclude, 'test/ui/**', 'test/cluster/**'],
    // The Temporal core bridge segfaults under worker threads: each file runs in its own process, with its own
    // servers on free ports. Files mostly wait on servers and timers, so more run at once than there are cores.
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 4,
    sequence: { sequencer: SlowFirstSequencer },
    testTimeout: 60_000,
    hookTimeout: 600_000,
    setupFiles: ['test/setup-require-ts.ts'],
    globalSetup: ['test/global-setup.ts'],
  },
});
