/**
 * Step 11, the evaluations: none FAILED, WARNED only if the tier allows it, every category the
 * tier requires covered; the policy's metric gates override the thresholds evaluations declare.
 */
import { shortDigestText } from '../../digest/index.js';
import type { ReportBuilder } from '../../report/index.js';
import type { ParsedAttestationPayload } from '../../statements/predicates/index.js';
import type { Tier } from '../context.js';

type Evaluation = Extract<ParsedAttestationPayload, { stage: 'evaluation' }>;
type Metric = Evaluation['predicate']['metrics'][number] & { from: string };
type Gate = NonNullable<Tier>['tier']['metricGates'][number];

/** The evaluations the approval relies on, against its tier. */
export function checkEvaluations(
  report: ReportBuilder,
  evaluations: Evaluation[],
  subject: string,
  tier: NonNullable<Tier>,
): void {
  if (evaluations.length === 0) {
    report.fail('approval.evaluations', 'STAGE_MISSING', subject, 'the approval relies on no trusted evaluation');
    return;
  }
  for (const e of evaluations) checkResult(report, e, tier);
  const metrics = evaluations.flatMap((e) => e.predicate.metrics.map((m) => ({ ...m, from: e.payloadDigest })));
  for (const cat of tier.tier.requiredEvaluationCategories) {
    if (metrics.some((m) => m.category === cat))
      report.pass(`evaluation.category.${cat}`, subject, `category ${cat} is evaluated`);
    else
      report.fail(
        `evaluation.category.${cat}`,
        'EVALUATION_CATEGORY_MISSING',
        subject,
        `tier ${tier.name} requires an evaluation of category ${cat}`,
        { expected: cat, actual: [...new Set(metrics.map((m) => m.category))].join(', ') || 'none' },
      );
  }
  const gated = new Set<string>();
  for (const gate of tier.tier.metricGates) {
    gated.add(gate.name);
    checkGate(report, gate, metrics, subject);
  }
  for (const m of metrics) if (!gated.has(m.name) && m.threshold !== undefined) checkDeclared(report, m, m.threshold);
}

function checkResult(report: ReportBuilder, e: Evaluation, tier: NonNullable<Tier>): void {
  const r = e.predicate.result;
  const es = `evaluation ${shortDigestText(e.payloadDigest)}`;
  if (r === 'FAILED')
    report.fail('evaluation.result', 'EVALUATION_FAILED', es, 'result FAILED', { expected: 'PASSED', actual: r });
  else if (r === 'WARNED' && !tier.tier.allowWarned)
    report.fail('evaluation.result', 'EVALUATION_WARNED', es, `result WARNED is not accepted for tier ${tier.name}`, {
      expected: 'PASSED',
      actual: r,
    });
  else report.pass('evaluation.result', es, `result ${r}${r === 'WARNED' ? ` (accepted for tier ${tier.name})` : ''}`);
}

/** A policy metric gate: the metric is reported, and each report of it is within the bounds. */
function checkGate(report: ReportBuilder, gate: Gate, metrics: Metric[], subject: string): void {
  const found = metrics.filter((m) => m.name === gate.name);
  const want = `${gate.min !== undefined ? `>= ${gate.min}` : ''}${gate.min !== undefined && gate.max !== undefined ? ' and ' : ''}${gate.max !== undefined ? `<= ${gate.max}` : ''}`;
  if (found.length === 0) {
    report.fail(
      `evaluation.metric.${gate.name}`,
      'METRIC_MISSING',
      subject,
      `the policy gates metric ${gate.name}, which no evaluation reports`,
      { expected: want, actual: 'absent' },
    );
    return;
  }
  for (const m of found) {
    const ok = (gate.min === undefined || m.value >= gate.min) && (gate.max === undefined || m.value <= gate.max);
    const at = `evaluation ${shortDigestText(m.from)}`;
    const extra = { expected: want, actual: String(m.value) };
    if (ok)
      report.pass(`evaluation.metric.${gate.name}`, at, `${m.name} = ${m.value} meets the policy gate ${want}`, extra);
    else
      report.fail(
        `evaluation.metric.${gate.name}`,
        'METRIC_GATE_FAILED',
        at,
        `${m.name} = ${m.value} fails the policy gate ${want}`,
        extra,
      );
  }
}

/** A metric the policy does not gate, against the threshold its evaluation declares. */
function checkDeclared(report: ReportBuilder, m: Metric, threshold: number): void {
  const ok = m.higherIsBetter ? m.value >= threshold : m.value <= threshold;
  const want = `${m.higherIsBetter ? '>=' : '<='} ${threshold}`;
  const at = `evaluation ${shortDigestText(m.from)}`;
  const extra = { expected: want, actual: String(m.value) };
  if (ok)
    report.pass(
      `evaluation.metric.${m.name}`,
      at,
      `${m.name} = ${m.value} meets its declared threshold ${want}`,
      extra,
    );
  else
    report.fail(
      `evaluation.metric.${m.name}`,
      'METRIC_GATE_FAILED',
      at,
      `${m.name} = ${m.value} fails its declared threshold ${want}`,
      extra,
    );
}
