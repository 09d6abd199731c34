/**
 * Step 11, the evaluations: none FAILED, WARNED only if the tier allows it, every category the
 * tier requires covered (by metrics or findings); the policy's metric gates override the
 * thresholds evaluations declare; findings within the tier's caps per category and severity.
 */
import { shortDigestText } from '../../digest/index.js';
import type { ReportBuilder } from '../../report/index.js';
import {
  FINDING_SEVERITIES,
  type FindingSeverity,
  type Findings,
  type MetricCategory,
  type ParsedAttestationPayload,
} from '../../statements/predicates/index.js';
import type { Tier } from '../context.js';

type Evaluation = Extract<ParsedAttestationPayload, { stage: 'evaluation' }>;
type Metric = Evaluation['predicate']['metrics'][number] & { from: string };
type Gate = NonNullable<Tier>['tier']['metricGates'][number];
type Cap = Partial<Record<FindingSeverity, number>>;
type Finding = Findings & { from: string };

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
  const findings = evaluations.flatMap((e) =>
    (e.predicate.findings ?? []).map((f) => ({ ...f, from: e.payloadDigest })),
  );
  const covered = new Set([...metrics.map((m) => m.category), ...findings.map((f) => f.category)]);
  for (const cat of tier.tier.requiredEvaluationCategories) {
    if (covered.has(cat)) report.pass(`evaluation.category.${cat}`, subject, `category ${cat} is evaluated`);
    else
      report.fail(
        `evaluation.category.${cat}`,
        'EVALUATION_CATEGORY_MISSING',
        subject,
        `tier ${tier.name} requires an evaluation of category ${cat}`,
        // never empty: each relied-on evaluation has a metric or a finding (PREDICATE_INCONSISTENT)
        { expected: cat, actual: [...covered].join(', ') },
      );
  }
  for (const [cat, cap] of Object.entries(tier.tier.findingCaps) as Array<[MetricCategory, Cap]>)
    checkFindings(report, cat, cap, findings, subject, tier.name);
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

/**
 * A tier's cap on findings in one category: at least one relied-on evaluation reports findings in
 * it (their absence is not evidence of none), and each report is within the cap at every severity.
 */
function checkFindings(
  report: ReportBuilder,
  category: MetricCategory,
  cap: Cap,
  findings: Finding[],
  subject: string,
  tierName: string,
): void {
  const id = `evaluation.findings.${category}`;
  const want = FINDING_SEVERITIES.filter((s) => cap[s] !== undefined)
    .map((s) => `${s} <= ${cap[s]}`)
    .join(', ');
  const found = findings.filter((f) => f.category === category);
  if (found.length === 0) {
    report.fail(
      id,
      'FINDINGS_MISSING',
      subject,
      `tier ${tierName} caps ${category} findings (${want}), and no evaluation the approval relies on reports ${category} findings`,
      { expected: want, actual: 'no findings reported' },
    );
    return;
  }
  for (const f of found) {
    const at = `evaluation ${shortDigestText(f.from)}`;
    const counts = FINDING_SEVERITIES.map((s) => `${s} ${f[s]}`).join(', ');
    const over = FINDING_SEVERITIES.filter((s) => cap[s] !== undefined && f[s] > cap[s]);
    const extra = { expected: want, actual: counts };
    if (over.length === 0)
      report.pass(id, at, `${f.suite.name}@${f.suite.version}: ${category} findings ${counts} within the cap`, extra);
    else
      report.fail(
        id,
        'FINDINGS_CAP_EXCEEDED',
        at,
        `${f.suite.name}@${f.suite.version} found ${over.map((s) => `${f[s]} ${s}`).join(', ')} ${category} finding(s); tier ${tierName} allows ${over.map((s) => `${s} <= ${cap[s]}`).join(', ')}`,
        extra,
      );
  }
}
