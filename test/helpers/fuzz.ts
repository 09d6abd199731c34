/**
 * Runs a fast-check property as a sweep that records every counterexample, then shrinks one
 * counterexample of each kind of violation to a minimal one.
 *
 * Sizes: without FUZZ_RUNS (plain `npm test`) each property runs its small default count with a
 * fixed seed. `npm run test:fuzz` (vitest.fuzz.config.ts) sets FUZZ_RUNS, the total number of
 * cases across the properties, split by each property's weight and across FUZZ_SHARD shards
 * (`i/n`, one vitest project each), and FUZZ_SEED (random unless given; printed, and recorded
 * with every counterexample, so a run can be replayed).
 *
 * 1. **Sweep**: `fc.check` over `runs` cases with a predicate that never fails: each case is
 *    checked, counted (`tried`, and `wronglyAccepted` when the check says a verification passed
 *    that must fail), and every violation is recorded with its case and fast-check path.
 * 2. **Shrink**: for each kind of violation (at most FUZZ_SHRINK_KINDS, in the order first seen),
 *    fast-check replays the first case of that kind (`path`) and shrinks it against "this kind of
 *    violation happens", within FUZZ_SHRINK_MS.
 * 3. **Record**: every counterexample, one JSON line each, to FUZZ_OUT (default `.fuzz/` in the
 *    repository) as `<property>[.<shard>].jsonl`; the counters go to the test's `meta.fuzz`, which
 *    test/fuzz-reporter.ts sums into `fuzz: N tried, M wrongly accepted`.
 * 4. **Verdict**: the test fails when any case violated the property, with a message giving the
 *    counts by kind and each minimal counterexample.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import type { TaskMeta } from 'vitest';

/** What the counters say about one property (one shard). */
export interface FuzzMeta {
  property: string;
  tried: number;
  wronglyAccepted: number;
  violations: number;
  ms: number;
  seed: number;
}

declare module 'vitest' {
  interface TaskMeta {
    fuzz?: FuzzMeta;
  }
}

/** The outcome of checking one case. */
export interface Outcome {
  violation?: { kind: string; detail: string };
  /** The check required a failing verification (or an unchanged failing one) and it passed. */
  wronglyAccepted?: boolean;
}

/** A property: cases, a check, and how a case prints. */
export interface PropertySpec<T> {
  /** File-safe name, e.g. `monotonicity`. */
  name: string;
  arb: fc.Arbitrary<T>;
  check: (t: T) => Promise<Outcome>;
  /** A JSON-able description of a case (what a counterexample record holds). */
  describe: (t: T) => unknown;
  /** Cases always run first (known attacks), counted like the others. */
  examples?: T[];
}

const env = process.env;
const fuzzing = env.FUZZ_RUNS !== undefined && env.FUZZ_RUNS !== '';
const [shardIndex, shardCount] = (env.FUZZ_SHARD ?? '1/1').split('/').map(Number) as [number, number];

/** The configuration of this run (see the module documentation). */
export const FUZZ = Object.freeze({
  fuzzing,
  totalRuns: fuzzing ? Number(env.FUZZ_RUNS) : 0,
  seed:
    env.FUZZ_SEED !== undefined && env.FUZZ_SEED !== ''
      ? Number(env.FUZZ_SEED)
      : fuzzing
        ? Date.now() % 2 ** 31
        : 20260201,
  shardIndex: shardIndex || 1,
  shardCount: shardCount || 1,
  shrinkMs: Number(env.FUZZ_SHRINK_MS ?? (fuzzing ? 20_000 : 2_500)),
  shrinkKinds: Number(env.FUZZ_SHRINK_KINDS ?? (fuzzing ? 5 : 3)),
  outDir: resolve(env.FUZZ_OUT ?? '.fuzz'),
});

/** Cases for a property: its default count, or its weight's share of FUZZ_RUNS on this shard. */
export function runsFor(weight: number, defaultRuns: number): number {
  if (!FUZZ.fuzzing) return defaultRuns;
  return Math.max(1, Math.ceil((FUZZ.totalRuns * weight) / FUZZ.shardCount));
}

/** A test timeout that fits the run. */
export function timeoutFor(runs: number, msPerCase: number): number {
  return Math.ceil(runs * msPerCase * 4 + FUZZ.shrinkMs * FUZZ.shrinkKinds * 1.5 + 30_000);
}

function seedOf(name: string): number {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) | 0;
  return (FUZZ.seed + FUZZ.shardIndex * 7919 + h) >>> 0;
}

interface Finding {
  property: string;
  shard: string;
  seed: number;
  path: string;
  kind: string;
  wronglyAccepted: boolean;
  detail: string;
  case: unknown;
  minimal?: boolean;
}

const clip = (s: string, n = 900) => (s.length > n ? `${s.slice(0, n)}…` : s);

/**
 * Run a property (sweep, shrink, record) and fail the test when it was violated.
 * @param meta the test's `task.meta`, where the counters go
 */
export async function runProperty<T>(meta: TaskMeta, spec: PropertySpec<T>, runs: number): Promise<void> {
  const seed = seedOf(spec.name);
  const shard = FUZZ.shardCount > 1 ? `${FUZZ.shardIndex}of${FUZZ.shardCount}` : '';
  const check = async (t: T): Promise<Outcome> => {
    try {
      return await spec.check(t);
    } catch (e) {
      return { violation: { kind: 'threw', detail: e instanceof Error ? (e.stack ?? e.message) : String(e) } };
    }
  };

  // 1. Sweep
  const records: Finding[] = [];
  let tried = 0;
  let wronglyAccepted = 0;
  let index = -1;
  const t0 = performance.now();
  await fc.check(
    fc.asyncProperty(spec.arb, async (t) => {
      index++;
      const o = await check(t);
      tried++;
      if (o.wronglyAccepted) wronglyAccepted++;
      if (o.violation)
        records.push({
          property: spec.name,
          shard,
          seed,
          path: String(index),
          kind: o.violation.kind,
          wronglyAccepted: !!o.wronglyAccepted,
          detail: o.violation.detail,
          case: spec.describe(t),
        });
      return true;
    }),
    { seed, numRuns: runs, examples: (spec.examples ?? []).map((e) => [e] as [T]) },
  );
  const ms = performance.now() - t0;
  meta.fuzz = { property: spec.name, tried, wronglyAccepted, violations: records.length, ms, seed };

  // 2. Shrink one counterexample of each kind (kinds with wrongful passes first)
  const kinds = [...new Set([...records.filter((r) => r.wronglyAccepted), ...records].map((r) => r.kind))];
  const minimal: Finding[] = [];
  for (const kind of kinds.slice(0, FUZZ.shrinkKinds)) {
    const first = records.find((r) => r.kind === kind)!;
    const details = await fc.check(
      fc.asyncProperty(spec.arb, async (t) => (await check(t)).violation?.kind !== kind),
      {
        seed,
        numRuns: runs,
        examples: (spec.examples ?? []).map((e) => [e] as [T]),
        path: first.path,
        interruptAfterTimeLimit: FUZZ.shrinkMs,
        markInterruptAsFailure: false,
      },
    );
    const ce = details.counterexample?.[0];
    if (ce === undefined) {
      minimal.push({ ...first, minimal: true, detail: `${first.detail} (not shrunk: replay did not reproduce it)` });
      continue;
    }
    const o = await check(ce);
    minimal.push({
      ...first,
      path: details.counterexamplePath ?? first.path,
      minimal: true,
      wronglyAccepted: !!o.wronglyAccepted,
      detail: o.violation?.detail ?? first.detail,
      case: spec.describe(ce),
    });
  }

  // 3. Record
  mkdirSync(FUZZ.outDir, { recursive: true });
  const file = join(FUZZ.outDir, `${spec.name}${shard ? `.${shard}` : ''}.jsonl`);
  writeFileSync(file, [...minimal, ...records].map((r) => `${JSON.stringify(r)}\n`).join(''));
  const perCase = tried > 0 ? ms / tried : 0;
  console.log(
    `invariants: ${spec.name}${shard ? ` (shard ${FUZZ.shardIndex}/${FUZZ.shardCount})` : ''}: ${tried} cases in ${(ms / 1000).toFixed(1)} s (${perCase.toFixed(1)} ms/case), seed ${seed}, ${records.length} violation(s), ${wronglyAccepted} wrongly accepted`,
  );

  // 4. Verdict
  if (records.length === 0) return;
  const lines = [
    `${spec.name}: ${records.length} of ${tried} case(s) violate the property (${wronglyAccepted} wrongly accepted); seed ${FUZZ.seed} (FUZZ_SEED=${FUZZ.seed}${shard ? ` FUZZ_SHARD=${FUZZ.shardIndex}/${FUZZ.shardCount}` : ''} replays it); every counterexample: ${file}`,
  ];
  for (const kind of kinds) {
    const n = records.filter((r) => r.kind === kind).length;
    const m = minimal.find((r) => r.kind === kind);
    lines.push(`- ${kind}: ${n} case(s)`);
    if (m) lines.push(`  minimal: ${clip(JSON.stringify(m.case), 1500)}`, `  gives: ${clip(m.detail)}`);
  }
  throw new Error(lines.join('\n'));
}
