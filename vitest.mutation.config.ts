import { defineConfig } from 'vitest/config';

// Tests for `npm run test:mutation` (Stryker, stryker.config.json): only the suites that exercise
// src/{verify,policy,dsse,bundle,audit} and src/interop/parts in-process. Stryker's vitest runner runs them in one worker
// thread and, with perTest coverage, only the tests that reach a mutant; suites that spawn
// processes or need Python peers cannot see a mutant and only slow the dry run. Not part of
// `npm test`.
export default defineConfig({
  test: {
    include: [
      'test/dsse/**/*.test.ts',
      'test/bundle/**/*.test.ts',
      'test/policy/**/*.test.ts',
      'test/verify/**/*.test.ts',
      'test/audit/**/*.test.ts',
      'test/cli/report.test.ts',
      'test/cli/verify.test.ts',
      'test/cli/keys-dsse.test.ts',
      'test/cli/attest.test.ts',
      'test/interop/sigstore.test.ts',
      'test/interop/parts.test.ts',
      'test/cli/hash-part.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
