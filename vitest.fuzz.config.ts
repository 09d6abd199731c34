import { defineConfig } from 'vitest/config';

/**
 * The big run of the chain invariants (test/verify/invariants.test.ts): `npm run test:fuzz`.
 *
 * FUZZ_RUNS cases in total (default 100,000), split across the properties by weight and across
 * FUZZ_SHARDS shards (default 2, one vitest project and one worker each, different seeds).
 * FUZZ_SEED fixes the seed (default: random, printed with every violation); FUZZ_OUT is where
 * every counterexample is written (default .fuzz/). The run ends with one line,
 * `fuzz: N tried, M wrongly accepted`, and exits non-zero when M > 0 or any property failed.
 *
 * Measured (this repository's 2-core machine, shared, load average ~5-9):
 *   TODO
 */
const shards = Number(process.env.FUZZ_SHARDS ?? 2);
const env = {
  FUZZ_RUNS: process.env.FUZZ_RUNS ?? '100000',
  FUZZ_SEED: process.env.FUZZ_SEED ?? String(Date.now() % 2 ** 31),
};

export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: shards,
    testTimeout: 60 * 60_000,
    hookTimeout: 10 * 60_000,
    reporters: ['default', './test/summary-reporter.ts', './test/fuzz-reporter.ts'],
    projects: Array.from({ length: shards }, (_, i) => ({
      extends: true,
      test: {
        name: `fuzz-${i + 1}of${shards}`,
        include: ['test/verify/invariants.test.ts'],
        env: { ...env, FUZZ_SHARD: `${i + 1}/${shards}` },
      },
    })),
  },
});
