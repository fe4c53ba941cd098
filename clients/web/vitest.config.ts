import { defineConfig } from 'vitest/config';

// Unit tests of the client's wire behaviour: jsdom for the page's events and storage, fake timers for time.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'jsdom',
  },
});
