import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/**/*.test.ts', 'web/src/**/*.test.ts'],
    // Tests that restart shared infrastructure run alone in a second pass (vitest.disruptive.config.ts).
    exclude: ['**/node_modules/**', 'tests/**/*.disruptive.e2e.test.ts'],
    setupFiles: ['reflect-metadata'],
    globalSetup: ['tests/temp-root.ts', 'tests/web-build.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
