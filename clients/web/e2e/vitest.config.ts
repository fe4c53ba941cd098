import { defineConfig } from 'vitest/config';

// The browser suite: one front process and one built page for the run (global-setup.ts), test files one
// after another (a single browser at a time on a 2-core machine), generous timeouts for real waits.
export default defineConfig({
  test: {
    root: new URL('.', import.meta.url).pathname,
    include: ['**/*.e2e.ts'],
    environment: 'node',
    globalSetup: ['./global-setup.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    reporters: ['verbose'],
  },
});
