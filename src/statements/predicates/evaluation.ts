/**
 * Evaluation predicate `https://lineproof.dev/attestation/evaluation/v0.1`, signed by an evaluator.
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
 *
 * Rules beyond the schema: finishedOn >= startedOn (PREDICATE_TIME_ORDER); dataset names, metric
 * (name, dataset) pairs and dataset references are unique (PREDICATE_DUPLICATE); a metric's
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

/** Metric categories. */
export const METRIC_CATEGORIES = ['accuracy', 'robustness', 'fairness', 'safety', 'drift'] as const;
/** Evaluation results (decisions §8). */
export const EVALUATION_RESULTS = ['PASSED', 'WARNED', 'FAILED'] as const;

/** One metric. */
export const metricSchema = z.strictObject({
  name: textSchema,
  category: z.enum(METRIC_CATEGORIES),
  value: z.number().meta({ description: 'finite number' }),
  higherIsBetter: z.boolean(),
  threshold: z.number().optional().meta({
    description: "the evaluator's declared pass mark (value >= threshold when higherIsBetter, else value <= threshold)",
  }),
  unit: textSchema.optional(),
  dataset: textSchema.optional().meta({ description: 'name of the datasets entry this metric was measured on' }),
});

/** The evaluation predicate, v0.1. */
export const evaluationPredicateSchema = z
  .strictObject({
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
    metrics: z.array(metricSchema).min(1),
    result: z.enum(EVALUATION_RESULTS),
    startedOn: timestampSchema.optional(),
    finishedOn: timestampSchema.optional(),
    report: artifactSchema.optional(),
  })
  .meta({
    title: 'Lineproof evaluation predicate v0.1',
    description: `predicate of an in-toto Statement with predicateType ${EVALUATION_PREDICATE_TYPE}`,
  });

/** An evaluation predicate. */
export type EvaluationPredicate = z.infer<typeof evaluationPredicateSchema>;
/** A metric. */
export type Metric = z.infer<typeof metricSchema>;
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
