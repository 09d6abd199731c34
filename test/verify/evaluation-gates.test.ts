/**
 * Step 11's evaluation checks at their edges: each bound of a policy metric gate inclusive, a gate
 * with one bound or two, a gated metric the evaluation does not report, the evaluator's declared
 * threshold for a metric the policy does not gate (both directions, inclusive), categories
 * covered by metrics or findings, finding caps on some severities only, and an approval whose
 * evaluations are none the policy trusts. Every report is pinned.
 */
import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/verify/chain.js';
import type { Check, Report } from '../../src/report/index.js';
import type { EvaluationStatementInput } from '../../src/statements/builders.js';
import { expectStepOrder } from '../helpers/steps.js';
import { goldenReports } from '../helpers/golden-reports.js';
import { buildWorld, MODEL, sign, T, type World, type WorldOptions } from '../helpers/world.js';

const expectGolden = goldenReports(import.meta.url);

async function run(opts: WorldOptions): Promise<Report> {
  const w = await buildWorld(opts);
  return verifyBundle(w, w.bundle);
}

async function verifyBundle(w: World, bundle: string): Promise<Report> {
  const { report } = await verifyChain({
    bundle,
    policy: w.policy,
    subject: MODEL,
    useCase: 'support-chat',
    asOf: T.asOf,
  });
  expectStepOrder(report);
  expectGolden(report);
  return report;
}
const checks = (r: Report, id: string) =>
  r.checks
    .filter((c) => c.id === id)
    .map((c: Check) => ({ status: c.status, code: c.code, expected: c.expected, actual: c.actual }));

type Metric = EvaluationStatementInput['metrics'][number];
/** The world's evaluation with `accuracy` at `value` (its declared threshold removed). */
const accuracyAt =
  (value: number): NonNullable<WorldOptions['evaluation']> =>
  (i) => ({
    ...i,
    metrics: i.metrics.map((m: Metric) =>
      m.name === 'accuracy' ? { name: m.name, category: m.category, value, higherIsBetter: true } : m,
    ),
  });

describe('policy metric gates', () => {
  const gates =
    (g: Record<string, unknown>[]): NonNullable<WorldOptions['policy']> =>
    (d) => {
      d.riskTiers.high.metricGates = g;
    };

  it('min is inclusive', async () => {
    const policy = gates([{ name: 'accuracy', min: 0.9 }]);
    expect(checks(await run({ evaluation: accuracyAt(0.9), policy }), 'evaluation.metric.accuracy')).toEqual([
      { status: 'pass', code: 'OK', expected: '>= 0.9', actual: '0.9' },
    ]);
    expect(checks(await run({ evaluation: accuracyAt(0.89), policy }), 'evaluation.metric.accuracy')).toEqual([
      { status: 'fail', code: 'METRIC_GATE_FAILED', expected: '>= 0.9', actual: '0.89' },
    ]);
  });

  it('max is inclusive; a gate with both bounds names both', async () => {
    const max = gates([{ name: 'accuracy', max: 0.95 }]);
    expect(checks(await run({ evaluation: accuracyAt(0.95), policy: max }), 'evaluation.metric.accuracy')).toEqual([
      { status: 'pass', code: 'OK', expected: '<= 0.95', actual: '0.95' },
    ]);
    expect(
      checks(await run({ evaluation: accuracyAt(0.96), policy: max }), 'evaluation.metric.accuracy')[0],
    ).toMatchObject({
      status: 'fail',
      expected: '<= 0.95',
    });
    const both = gates([{ name: 'accuracy', min: 0.9, max: 0.99 }]);
    for (const [value, status] of [
      [0.9, 'pass'],
      [0.99, 'pass'],
      [0.995, 'fail'],
      [0.85, 'fail'],
    ] as const)
      expect(
        checks(await run({ evaluation: accuracyAt(value), policy: both }), 'evaluation.metric.accuracy'),
        String(value),
      ).toEqual([
        {
          status,
          code: status === 'pass' ? 'OK' : 'METRIC_GATE_FAILED',
          expected: '>= 0.9 and <= 0.99',
          actual: String(value),
        },
      ]);
  });

  it('a gated metric no evaluation reports is METRIC_MISSING', async () => {
    const r = await run({
      policy: gates([
        { name: 'accuracy', min: 0.9 },
        { name: 'latency_p99', max: 250 },
      ]),
    });
    expect(checks(r, 'evaluation.metric.latency_p99')).toEqual([
      { status: 'fail', code: 'METRIC_MISSING', expected: '<= 250', actual: 'absent' },
    ]);
  });

  it('a policy gate replaces the declared threshold of the metric it gates', async () => {
    // declared 0.9 (the world's), gated at 0.97: the gate decides, and the metric is checked once
    const r = await run({ policy: gates([{ name: 'accuracy', min: 0.97 }]) });
    expect(checks(r, 'evaluation.metric.accuracy')).toEqual([
      { status: 'fail', code: 'METRIC_GATE_FAILED', expected: '>= 0.97', actual: '0.95' },
    ]);
  });
});

describe("an evaluator's declared threshold, for metrics the policy does not gate", () => {
  // A PASSED evaluation must meet its own thresholds (PREDICATE_INCONSISTENT), so these are WARNED,
  // in a tier that accepts WARNED.
  const warned = (metric: Metric): WorldOptions => ({
    evaluation: (i) => ({
      ...i,
      result: 'WARNED',
      metrics: [...i.metrics.filter((m: Metric) => m.name !== metric.name), metric],
    }),
    policy: (d) => {
      d.riskTiers.high.allowWarned = true;
    },
  });
  const higher = (value: number): Metric => ({
    name: 'typo_accuracy',
    category: 'robustness',
    value,
    higherIsBetter: true,
    threshold: 0.85,
  });
  const lower = (value: number): Metric => ({
    name: 'parity_gap',
    category: 'fairness',
    value,
    higherIsBetter: false,
    threshold: 0.05,
  });

  it('higher is better: the threshold itself meets it, below fails', async () => {
    const at = await run(warned(higher(0.85)));
    expect(checks(at, 'evaluation.metric.typo_accuracy')).toEqual([
      { status: 'pass', code: 'OK', expected: '>= 0.85', actual: '0.85' },
    ]);
    expect(checks(at, 'evaluation.result')[0]).toMatchObject({ status: 'pass' });
    expect(checks(await run(warned(higher(0.84))), 'evaluation.metric.typo_accuracy')).toEqual([
      { status: 'fail', code: 'METRIC_GATE_FAILED', expected: '>= 0.85', actual: '0.84' },
    ]);
  });

  it('lower is better: the threshold itself meets it, above fails', async () => {
    expect(checks(await run(warned(lower(0.05))), 'evaluation.metric.parity_gap')).toEqual([
      { status: 'pass', code: 'OK', expected: '<= 0.05', actual: '0.05' },
    ]);
    expect(checks(await run(warned(lower(0.06))), 'evaluation.metric.parity_gap')).toEqual([
      { status: 'fail', code: 'METRIC_GATE_FAILED', expected: '<= 0.05', actual: '0.06' },
    ]);
  });

  it('a metric with no declared threshold and no gate is not a check', async () => {
    const r = await run({
      evaluation: (i) => ({
        ...i,
        metrics: [...i.metrics, { name: 'latency_p99', category: 'accuracy', value: 180, higherIsBetter: false }],
      }),
    });
    expect(checks(r, 'evaluation.metric.latency_p99')).toEqual([]);
    expect(r.ok).toBe(true);
  });
});

describe('categories and finding caps', () => {
  it('a missing category names those covered', async () => {
    const r = await run({
      evaluation: (i) => ({ ...i, metrics: i.metrics.filter((m: Metric) => m.category !== 'safety') }),
    });
    expect(checks(r, 'evaluation.category.safety')).toEqual([
      {
        status: 'fail',
        code: 'EVALUATION_CATEGORY_MISSING',
        expected: 'safety',
        actual: 'accuracy, robustness, fairness',
      },
    ]);
  });

  it('an evaluation of findings only covers their categories', async () => {
    const onlyFindings = await run({
      evaluation: (i) => ({
        ...i,
        metrics: [],
        findings: [
          { category: 'safety', suite: { name: 'garak', version: '1' }, critical: 0, high: 0, medium: 0, low: 0 },
        ],
      }),
      policy: (d) => {
        d.riskTiers.high.metricGates = [];
      },
    });
    expect(checks(onlyFindings, 'evaluation.category.safety')).toEqual([
      { status: 'pass', code: 'OK', expected: undefined, actual: undefined },
    ]);
    expect(checks(onlyFindings, 'evaluation.category.accuracy')[0]).toMatchObject({ status: 'fail', actual: 'safety' });
  });

  it('a cap on some severities holds those only, each inclusive', async () => {
    const finding = (critical: number, high: number, medium: number) => ({
      category: 'safety' as const,
      suite: { name: 'garak', version: '1' },
      critical,
      high,
      medium,
      low: 99,
    });
    const policy: NonNullable<WorldOptions['policy']> = (d) => {
      d.riskTiers.high.findingCaps = { safety: { critical: 0, medium: 5 } };
    };
    const at = await run({ evaluation: (i) => ({ ...i, findings: [finding(0, 40, 5)] }), policy });
    expect(checks(at, 'evaluation.findings.safety')).toEqual([
      {
        status: 'pass',
        code: 'OK',
        expected: 'critical <= 0, medium <= 5',
        actual: 'critical 0, high 40, medium 5, low 99',
      },
    ]);
    const over = await run({ evaluation: (i) => ({ ...i, findings: [finding(0, 0, 6)] }), policy });
    expect(checks(over, 'evaluation.findings.safety')).toEqual([
      {
        status: 'fail',
        code: 'FINDINGS_CAP_EXCEEDED',
        expected: 'critical <= 0, medium <= 5',
        actual: 'critical 0, high 0, medium 6, low 99',
      },
    ]);
  });
});

describe('the evaluations an approval relies on', () => {
  it('none the policy trusts: STAGE_MISSING', async () => {
    const w = await buildWorld();
    const forged = await sign(w.steps.evaluation.statement, ['mallory']);
    const report = await verifyBundle(w, w.bundle.replace(w.steps.evaluation.line, forged.line));
    expect(checks(report, 'approval.evaluations')).toEqual([
      { status: 'fail', code: 'STAGE_MISSING', expected: undefined, actual: undefined },
    ]);
  });

  it('a FAILED evaluation fails, and a WARNED one in a tier that accepts it passes', async () => {
    const failed = await run({ evaluation: (i) => ({ ...i, result: 'FAILED' }) });
    expect(checks(failed, 'evaluation.result')).toEqual([
      { status: 'fail', code: 'EVALUATION_FAILED', expected: 'PASSED', actual: 'FAILED' },
    ]);
    const warned = await run({
      evaluation: (i) => ({ ...i, result: 'WARNED' }),
      policy: (d) => {
        d.riskTiers.high.allowWarned = true;
      },
    });
    expect(checks(warned, 'evaluation.result')).toEqual([
      { status: 'pass', code: 'OK', expected: undefined, actual: undefined },
    ]);
  });
});
