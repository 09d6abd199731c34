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
 * Measured on this repository's 2-core machine, shared with other jobs, FUZZ_RUNS=100000 (per
 * shard: 20,000 monotonicity, 7,500 limits, 15,000 permutation, 7,500 tamper cases):
 *   - load average 7 falling to 2: 16 min 41 s wall, 1,176 s CPU (user + sys) — about 10 min on
 *     an otherwise idle machine; wall time per case per shard: monotonicity 21-23 ms, limits
 *     11 ms, permutation 21-22 ms (two verifications a case), tamper 17-18 ms; pool building and
 *     shrinking about a minute;
 *   - load average 8-10 throughout: 24 min 42 s wall, 1,290 s CPU (monotonicity 30 ms,
 *     limits 15 ms, permutation 36 ms, tamper 23 ms a case).
 *   Warm, one verification of a 5-10 line bundle is ~5 ms CPU; the first few thousand cases of a
 *   shard cost more (~40 ms) until the attacker's signatures are in the verifier cache. Without
 *   the harness's memoization (FUZZ_MEMO=0) one verification of the 5-line chain takes ~75 ms
 *   (every trusted key re-validated for every envelope), and 100,000 cases do not fit.
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
