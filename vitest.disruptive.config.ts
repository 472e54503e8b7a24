import { defineConfig } from 'vitest/config';

/** Tests that disturb shared infrastructure (e.g. restart the broker): run alone, after the main pass. */
export default defineConfig({
  test: {
    include: ['tests/**/*.disruptive.e2e.test.ts'],
    setupFiles: ['reflect-metadata'],
    globalSetup: ['tests/temp-root.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
