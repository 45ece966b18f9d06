import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The browser tests run on their own: npm run test:ui (vitest.ui.config.mts).
    exclude: [...configDefaults.exclude, 'test/ui/**'],
    // The Temporal core bridge segfaults under worker threads; time skipping is global per server.
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 600_000,
    globalSetup: ['test/global-setup.ts'],
  },
});
