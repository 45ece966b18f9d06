import { defineConfig } from 'vitest/config';

// The operator's view in a real browser: slow (a whole stack + Chromium), so not part of `npm test`.
export default defineConfig({
  test: {
    include: ['test/ui/**/*.test.ts'],
    // The Temporal core bridge segfaults under worker threads.
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 600_000,
    setupFiles: ['test/setup-require-ts.ts'],
    globalSetup: ['test/ui/global-setup.ts'],
  },
});
