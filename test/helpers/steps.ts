/**
 * The step of spec/verification.md that emits each check of a chain report, by check id, so a
 * test can see that a real report's checks come out in step order (verifyChain's body is the
 * list of steps). An id this table does not know fails the test: a new check must be placed.
 */
import { expect } from 'vitest';
import type { Check, Report } from '../../src/report/index.js';

const STEP_OF: ReadonlyArray<[RegExp, number]> = [
  [/^(policy\.trust|chain\.useCase)$/, 1],
  [/^bundle\.(line|read)$/, 2],
  [/^bundle\.budget$/, 3],
  [/^revocations\.list$/, 5],
  [/^chain\.approval(\.untrusted|\.voided)?$/, 7],
  [/^chain\.(reference|reference\.cycle|reference\.depth|reference\.untrusted|references|time\.order)$/, 8],
  [/^chain\.(key|role|separation|identity|time\.future|time\.run|time\.run\.issued|time\.run\.future)$/, 9],
  [
    /^chain\.(subject|consistency|time\.run\.order|promotion|promotion\.environment|evaluationData|baseModel|baseModel\.queued|hashing|stage\..+)$/,
    10,
  ],
  [/^baseModel\..+$/, 10],
  [/^(approval|evaluation)\..+$/, 11],
  [/^bundle\.(signature|untrusted|unreferenced|other)$/, 12],
  [/^artifact\.(sidecar|file|diff)$/, 13],
];

/**
 * The step of one check. `chain.revocation` is step 9 for a link (its subject names the link)
 * and step 10 for the model itself (its subject is the artifact's name).
 */
export function stepOf(check: Check, subjectName: string): number {
  if (check.id === 'chain.revocation') return check.subject === subjectName ? 10 : 9;
  const hit = STEP_OF.find(([re]) => re.test(check.id));
  if (!hit) throw new Error(`check id ${check.id} is not placed in a step (test/helpers/steps.ts)`);
  return hit[1];
}

/** The report's checks come out in step order, and name at least `minSteps` distinct steps. */
export function expectStepOrder(report: Report, minSteps = 1): number[] {
  const subjectName = report.results[0]?.subject ?? '';
  const steps = report.checks.map((c) => stepOf(c, subjectName));
  const out = report.checks.map((c, i) => `${steps[i]} ${c.id} ${c.subject}`);
  for (let i = 1; i < steps.length; i++) {
    if (steps[i]! < steps[i - 1]!) expect.fail(`check ${i} (${out[i]}) comes after ${out[i - 1]}:\n${out.join('\n')}`);
  }
  expect(new Set(steps).size).toBeGreaterThanOrEqual(minSteps);
  return steps;
}
