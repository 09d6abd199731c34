/**
 * Run times (spec/verification.md, steps 9 and 10): the times at which a recorded run started and
 * finished must be sane with respect to the attestation that records them, the verification time,
 * and the run they depend on.
 *
 * Which predicates record run times: training (`runDetails.metadata.startedOn`, `finishedOn`,
 * both required) and evaluation (`startedOn`, `finishedOn`, both optional). Dataset, approval,
 * promotion and revocation predicates record no run; the approval's validity window is checked by
 * the approval gate. `startedOn <= finishedOn` within one predicate is checked when it is parsed
 * (PREDICATE_TIME_ORDER: a chain that refers to such a predicate fails with REFERENCE_INVALID).
 *
 * Per link (step 9): no run time after the attestation's own `issuedAt` plus the clock-skew
 * tolerance (a run cannot end after it was attested), nor after the verification time plus the
 * tolerance (RUN_TIME_INVALID).
 *
 * Across links (step 10): an evaluation that records run times did not start (or, recording only
 * its end, finish) before the training it evaluates finished, within the same tolerance: two
 * machines' clocks are compared (RUN_TIME_INVALID).
 * @module
 */
import type { ReportBuilder } from '../report/index.js';
import type { ParsedAttestationPayload } from '../statements/predicates/index.js';
import { parseTimestamp } from '../time/index.js';

const NS_PER_S = 1_000_000_000n;

/** A recorded run: its start and end as written (either may be absent for an evaluation). */
export interface RunTimes {
  startedOn?: string;
  finishedOn?: string;
}

/** The run times an attestation records, or undefined when its predicate records no run. */
export function runTimesOf(p: ParsedAttestationPayload): RunTimes | undefined {
  switch (p.stage) {
    case 'training':
      return {
        startedOn: p.predicate.runDetails.metadata.startedOn,
        finishedOn: p.predicate.runDetails.metadata.finishedOn,
      };
    case 'evaluation':
      if (p.predicate.startedOn === undefined && p.predicate.finishedOn === undefined) return undefined;
      return {
        ...(p.predicate.startedOn !== undefined ? { startedOn: p.predicate.startedOn } : {}),
        ...(p.predicate.finishedOn !== undefined ? { finishedOn: p.predicate.finishedOn } : {}),
      };
    case 'dataset':
    case 'registration':
    case 'approval':
    case 'promotion':
    case 'revocation':
      return undefined;
    default: {
      const never: never = p;
      return never;
    }
  }
}

function nanos(text: string): bigint {
  return parseTimestamp(text).epochNanos;
}

/**
 * Step 9 for one link: its run times are not after its own issuedAt nor after the verification
 * time (each plus `skewSeconds`).
 * @param report the report to add checks to
 * @param p the link's parsed attestation
 * @param subject how the report names the link
 * @param asOfNanos the verification time
 * @param skewSeconds the clock-skew tolerance (FUTURE_SKEW_SECONDS)
 */
export function checkRunTimes(
  report: ReportBuilder,
  p: ParsedAttestationPayload,
  subject: string,
  asOfNanos: bigint,
  skewSeconds: number,
): void {
  const run = runTimesOf(p);
  if (!run) return;
  const skew = BigInt(skewSeconds) * NS_PER_S;
  const issued = nanos(p.issuedAt);
  let ok = true;
  for (const [field, text] of [
    ['startedOn', run.startedOn],
    ['finishedOn', run.finishedOn],
  ] as const) {
    if (text === undefined) continue;
    const t = nanos(text);
    if (t > issued + skew) {
      ok = false;
      report.fail(
        'chain.time.run.issued',
        'RUN_TIME_INVALID',
        subject,
        `${field} ${text} is after the attestation's own issuedAt ${p.issuedAt} plus ${skewSeconds} s`,
        { expected: `<= issuedAt + ${skewSeconds}s (${p.issuedAt})`, actual: text },
      );
    }
    if (t > asOfNanos + skew) {
      ok = false;
      report.fail(
        'chain.time.run.future',
        'RUN_TIME_INVALID',
        subject,
        `${field} ${text} is after the verification time plus ${skewSeconds} s`,
        { expected: `<= asOf + ${skewSeconds}s`, actual: text },
      );
    }
  }
  if (ok)
    report.pass(
      'chain.time.run',
      subject,
      `run times ${run.startedOn ?? '?'} .. ${run.finishedOn ?? '?'} are not after issuedAt nor the verification time`,
    );
}

/**
 * Step 10 for one evaluation: its run did not start before its training's run finished.
 * @param report the report to add checks to
 * @param evaluation the evaluation's parsed attestation
 * @param training the training it refers to (when linked and trusted)
 * @param subject how the report names the evaluation
 * @param skewSeconds the clock-skew tolerance (FUTURE_SKEW_SECONDS)
 */
export function checkRunOrder(
  report: ReportBuilder,
  evaluation: ParsedAttestationPayload,
  training: ParsedAttestationPayload | undefined,
  subject: string,
  skewSeconds: number,
): void {
  const run = runTimesOf(evaluation);
  const before = training ? runTimesOf(training) : undefined;
  if (!run || before?.finishedOn === undefined) return;
  const field = run.startedOn !== undefined ? 'startedOn' : 'finishedOn';
  const text = (run.startedOn ?? run.finishedOn)!;
  if (nanos(text) + BigInt(skewSeconds) * NS_PER_S < nanos(before.finishedOn)) {
    report.fail(
      'chain.time.run.order',
      'RUN_TIME_INVALID',
      subject,
      `the evaluation's ${field} ${text} is before its training finished (${before.finishedOn})`,
      { expected: `>= ${before.finishedOn} - ${skewSeconds}s`, actual: text },
    );
  } else {
    report.pass(
      'chain.time.run.order',
      subject,
      `the evaluation ran after its training finished (${before.finishedOn})`,
    );
  }
}
