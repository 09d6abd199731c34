/**
 * Evaluation predicate `https://lineproof.dev/attestation/evaluation/v0.1` and `/v0.2`, signed by an evaluator.
 * Subject: the model evaluated (the same digests as the training attestation's subject).
 *
 * Fields (strict: an unknown field fails):
 * - `issuedAt`, `attester` — when and by whom (the evaluator's claimed identity).
 * - `suite` `{name, version, uri?, digest?}` — the evaluation suite; `evaluator` — the tool that
 *   ran it `{name, version?, uri?, digest?}`.
 * - `training` — payload reference (decisions §6) to the training attestation of the model.
 * - `datasets` — the evaluation data, each `{name, digest, uri?, mediaType?}` (at least one);
 *   `datasetAttestations` — optional payload references to their dataset attestations.
 * - `metrics` — `{name, category, value, higherIsBetter, threshold?, unit?, dataset?}`; `category`
 *   is one of `accuracy`, `robustness` (adversarial), `fairness` (bias), `safety` (red-team,
 *   misuse), `drift` (drift sensitivity); `threshold` is the evaluator's declared pass mark (a
 *   policy's thresholds override it, decisions §8); `dataset` names a `datasets` entry.
 * - `result` — `PASSED`, `WARNED` or `FAILED` (WARNED fails unless the policy's tier allows it).
 * - `startedOn?`, `finishedOn?`; `report?` — the full report, pinned by digest.
 * - v0.2: the category `red-teaming` (metrics and findings), `metrics` may be empty when there
 *   are findings, and `findings?` — `{category, suite {name, version, uri?, digest?}, critical,
 *   high, medium, low, report?}`: what a suite found and did not fix, counted by severity; a
 *   policy tier may cap them per category (`findingCaps`).
 *
 * Rules beyond the schema: finishedOn >= startedOn (PREDICATE_TIME_ORDER); dataset names, metric
 * (name, dataset) pairs, (category, suite) of findings and dataset references are unique
 * (PREDICATE_DUPLICATE); at least one metric or finding; a metric's
 * `dataset` names a listed dataset, and a `PASSED` result has no metric on the wrong side of its own
 * declared threshold (PREDICATE_INCONSISTENT).
 * @module
 */
import { z } from 'zod';
import { digestSetSchema } from '../statement.js';
import {
  artifactSchema,
  attesterSchema,
  checkOrder,
  checkUnique,
  payloadReferenceSchema,
  predicateError,
  textSchema,
  timestampSchema,
  toolSchema,
  uriSchema,
} from './common.js';

/** predicateType of an evaluation attestation. */
export const EVALUATION_PREDICATE_TYPE = 'https://lineproof.dev/attestation/evaluation/v0.1' as const;
/** predicateType of an evaluation with findings or red-teaming (v0.1 keeps verifying; builders write v0.1 when they can). */
export const EVALUATION_PREDICATE_TYPE_V02 = 'https://lineproof.dev/attestation/evaluation/v0.2' as const;

/** Metric categories of evaluation v0.1. */
export const METRIC_CATEGORIES_V01 = ['accuracy', 'robustness', 'fairness', 'safety', 'drift'] as const;
/** Evaluation categories (v0.2 adds `red-teaming`: adversarial probing for misuse, jailbreaks, harmful output). */
export const METRIC_CATEGORIES = [...METRIC_CATEGORIES_V01, 'red-teaming'] as const;
/** Severities findings are counted by, most severe first. */
export const FINDING_SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
/** Evaluation results (decisions §8). */
export const EVALUATION_RESULTS = ['PASSED', 'WARNED', 'FAILED'] as const;

/** The fields of one metric, whose category is one of `categories`. */
function metricObject<C extends readonly [string, ...string[]]>(categories: C) {
  return z.strictObject({
    name: textSchema,
    category: z.enum(categories),
    value: z.number().meta({ description: 'finite number' }),
    higherIsBetter: z.boolean(),
    threshold: z.number().optional().meta({
      description:
        "the evaluator's declared pass mark (value >= threshold when higherIsBetter, else value <= threshold)",
    }),
    unit: textSchema.optional(),
    dataset: textSchema.optional().meta({ description: 'name of the datasets entry this metric was measured on' }),
  });
}

/** One metric (v0.1). */
const metricSchemaV01 = metricObject(METRIC_CATEGORIES_V01);
/** One metric (v0.2: any of {@link METRIC_CATEGORIES}). */
export const metricSchema = metricObject(METRIC_CATEGORIES);

const count = z.number().int().min(0).max(1_000_000_000);

/**
 * Findings of one suite in one category (v0.2), counted by severity: what a red-team, robustness
 * or bias review found and did not fix. The suite names who found them.
 */
export const findingsSchema = z.strictObject({
  category: z.enum(METRIC_CATEGORIES),
  suite: z.strictObject({
    name: textSchema,
    version: textSchema,
    uri: uriSchema.optional(),
    digest: digestSetSchema.optional(),
  }),
  critical: count,
  high: count,
  medium: count,
  low: count,
  report: artifactSchema.optional().meta({ description: 'the findings in full, pinned by digest' }),
});

/** The fields of an evaluation predicate, with `metrics` (and, in v0.2, `findings`) as given. */
function evaluationShape<M extends z.ZodType, F extends z.ZodRawShape>(metrics: M, findings: F) {
  return {
    issuedAt: timestampSchema,
    attester: attesterSchema,
    suite: z.strictObject({
      name: textSchema,
      version: textSchema,
      uri: uriSchema.optional(),
      digest: digestSetSchema.optional(),
    }),
    evaluator: toolSchema,
    training: payloadReferenceSchema('training'),
    datasets: z.array(artifactSchema.extend({ name: textSchema })).min(1),
    datasetAttestations: z.array(payloadReferenceSchema('dataset')).optional(),
    metrics,
    ...findings,
    result: z.enum(EVALUATION_RESULTS),
    startedOn: timestampSchema.optional(),
    finishedOn: timestampSchema.optional(),
    report: artifactSchema.optional(),
  };
}

/** The evaluation predicate, v0.1. */
export const evaluationPredicateSchemaV01 = z.strictObject(evaluationShape(z.array(metricSchemaV01).min(1), {})).meta({
  title: 'Lineproof evaluation predicate v0.1',
  description: `predicate of an in-toto Statement with predicateType ${EVALUATION_PREDICATE_TYPE}`,
});

/** The evaluation predicate, v0.2: v0.1, the `red-teaming` category, and findings by severity. */
export const evaluationPredicateSchema = z
  .strictObject(evaluationShape(z.array(metricSchema), { findings: z.array(findingsSchema).max(256).optional() }))
  .meta({
    title: 'Lineproof evaluation predicate v0.2',
    description: `predicate of an in-toto Statement with predicateType ${EVALUATION_PREDICATE_TYPE_V02}`,
  });

/** An evaluation predicate. */
export type EvaluationPredicate = z.infer<typeof evaluationPredicateSchema>;
/** A metric. */
export type Metric = z.infer<typeof metricSchema>;
/** Findings of one suite in one category. */
export type Findings = z.infer<typeof findingsSchema>;
/** A finding severity. */
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];
/** A metric category. */
export type MetricCategory = (typeof METRIC_CATEGORIES)[number];
/** An evaluation result. */
export type EvaluationResult = (typeof EVALUATION_RESULTS)[number];

/** True when `m` meets its own declared threshold (or declares none). */
export function meetsThreshold(
  m: Pick<Metric, 'value' | 'higherIsBetter' | 'threshold'>,
  threshold: number | undefined = m.threshold,
): boolean {
  if (threshold === undefined) return true;
  return m.higherIsBetter ? m.value >= threshold : m.value <= threshold;
}

/** Rules beyond the schema (see the module doc). */
export function checkEvaluationRules(p: EvaluationPredicate): void {
  if (p.startedOn !== undefined && p.finishedOn !== undefined) {
    checkOrder(
      { path: 'predicate.startedOn', text: p.startedOn },
      { path: 'predicate.finishedOn', text: p.finishedOn },
      false,
    );
  }
  checkUnique(p.datasets, (d) => d.name, 'predicate.datasets', 'dataset name');
  if (p.metrics.length === 0 && (p.findings ?? []).length === 0)
    predicateError('PREDICATE_INCONSISTENT', 'predicate.metrics', 'an evaluation needs at least one metric or finding');
  if (p.findings)
    checkUnique(
      p.findings,
      (f) => JSON.stringify([f.category, f.suite.name, f.suite.version]),
      'predicate.findings',
      'findings (category, suite)',
    );
  if (p.datasetAttestations)
    checkUnique(p.datasetAttestations, (r) => r.digest.sha256, 'predicate.datasetAttestations', 'reference');
  checkUnique(
    p.metrics,
    (m) => JSON.stringify([m.name, m.dataset ?? null]),
    'predicate.metrics',
    'metric (name, dataset)',
  );
  const names = new Set(p.datasets.map((d) => d.name));
  p.metrics.forEach((m, i) => {
    if (m.dataset !== undefined && !names.has(m.dataset)) {
      predicateError(
        'PREDICATE_INCONSISTENT',
        `predicate.metrics[${i}].dataset`,
        `names no entry of predicate.datasets`,
        { expected: [...names].join(', '), actual: m.dataset },
      );
    }
    if (p.result === 'PASSED' && !meetsThreshold(m)) {
      predicateError(
        'PREDICATE_INCONSISTENT',
        `predicate.metrics[${i}]`,
        `result is PASSED but ${m.name} = ${m.value} misses its own threshold ${m.threshold} (${m.higherIsBetter ? 'higher' : 'lower'} is better)`,
        { expected: `${m.higherIsBetter ? '>=' : '<='} ${m.threshold}`, actual: String(m.value) },
      );
    }
  });
}
