import { defineConfig } from 'vitest/config';

// Slow tests (multi-GB inputs, DoS-size documents): `npm run test:slow`. Not part of `npm test`.
export default defineConfig({
  test: {
    include: ['test/slow/**/*.test.ts'],
    testTimeout: 30 * 60_000,
    hookTimeout: 30 * 60_000,
    pool: 'forks',
  },
});
