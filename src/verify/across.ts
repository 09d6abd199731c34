/**
 * Step 10 of chain verification (spec/verification.md), across links: every link is about the
 * artifact, the evaluations are of the approval's training, runs are in order, the promotion's
 * stage is the approval's, base models are allowed, hashing meets the policy, required stages
 * are present.
 */
import { matchDigestSets, digestText, shortDigestText } from '../digest/index.js';
import type { ReportBuilder } from '../report/index.js';
import type { Stage } from '../statements/predicates/common.js';
import { isStage, type ParsedNode } from './authenticate.js';
import { checkBaseModel } from './base-models.js';
import { FUTURE_SKEW_SECONDS, subjectMatches, type ChainContext } from './context.js';
import { checkHashing } from './hashing.js';
import type { Lineage } from './references.js';
import { checkRunOrder } from './run-times.js';
import { checkEvaluationData } from './evaluation-data.js';

/** Step 10 for one anchor. @returns the evaluations the approval relies on (for step 11) */
export function checkAcrossLinks(
  report: ReportBuilder,
  anchor: ParsedNode<'approval'>,
  { linked, promotions }: Lineage,
  ctx: ChainContext,
): Array<ParsedNode<'evaluation'>> {
  checkSubjects(report, linked, ctx);
  const evaluations = linked.filter(
    (n): n is ParsedNode<'evaluation'> =>
      isStage(n, 'evaluation') && anchor.parsed.references.some((r) => r.digest === n.digest),
  );
  checkConsistency(report, anchor, evaluations);
  checkRunOrders(report, linked);
  for (const pr of promotions) checkPromotion(report, anchor, pr);
  if (ctx.environment !== undefined) checkEnvironment(report, promotions, ctx.environment, ctx.subjectName);
  checkEvaluationData(report, linked, ctx);
  for (const t of linked) if (isStage(t, 'training')) checkBaseModel(report, t, ctx);
  checkHashing(
    report,
    ctx.policy.document.hashing,
    linked.map((n) => ({ digest: n.digest, parsed: n.parsed })),
    { digest: anchor.digest, parsed: anchor.parsed },
    ctx.artifact,
    ctx.accepted,
    ctx.limits,
  );
  checkRequiredStages(report, linked, ctx);
  return evaluations;
}

/** Every training, registration, evaluation, approval and promotion is about the artifact; the model is not revoked. */
function checkSubjects(report: ReportBuilder, linked: ParsedNode[], ctx: ChainContext): void {
  for (const n of linked) {
    const p = n.parsed;
    // A promotion is about the model it deploys: one of another artifact that refers to this
    // approval must not stand in for this model's deployment record.
    if (p.stage === 'dataset' || p.stage === 'revocation') continue;
    const subject = `${p.stage} ${shortDigestText(n.digest)}`;
    if (subjectMatches(p, ctx.artifact, ctx.accepted))
      report.pass('chain.subject', subject, `is about the artifact ${ctx.subjectName}`);
    else
      report.fail(
        'chain.subject',
        'SUBJECT_MISMATCH',
        subject,
        `is about ${p.statement.subject.map((s) => digestText(s.digest)).join(', ')}, not the artifact`,
        {
          expected: ctx.subjectName,
          actual: p.statement.subject.map((s) => shortDigestText(digestText(s.digest))).join(', '),
        },
      );
  }
  const modelRevoked = ctx.revoked.models.find((r) => matchDigestSets(r.digest, ctx.artifact, ctx.accepted).match);
  if (modelRevoked) {
    report.fail('chain.revocation', 'REVOKED', ctx.subjectName, `the model is revoked (${modelRevoked.reason})`, {
      actual: modelRevoked.reason,
    });
  }
}

/** The approval's training is the training of each evaluation it relies on. */
function checkConsistency(
  report: ReportBuilder,
  anchor: ParsedNode<'approval'>,
  evaluations: Array<ParsedNode<'evaluation'>>,
): void {
  const approvalTraining = anchor.parsed.references.find((r) => r.role === 'training')?.digest;
  for (const e of evaluations) {
    const t = e.parsed.references.find((r) => r.role === 'training')?.digest;
    if (t !== approvalTraining) {
      report.fail(
        'chain.consistency',
        'CHAIN_INCONSISTENT',
        shortDigestText(e.digest),
        'the evaluation is of another training run than the one the approval relies on',
        { expected: approvalTraining ?? '(none)', actual: t ?? '(none)' },
      );
    } else {
      report.pass(
        'chain.consistency',
        shortDigestText(e.digest),
        'the evaluation is of the training the approval relies on',
      );
    }
  }
}

/** An evaluation's run does not start before the run of the training it evaluates finished. */
function checkRunOrders(report: ReportBuilder, linked: ParsedNode[]): void {
  const linkedByDigest = new Map(linked.map((n) => [n.digest, n] as const));
  for (const e of linked) {
    if (!isStage(e, 'evaluation')) continue;
    const t = e.parsed.references.find((r) => r.role === 'training')?.digest;
    checkRunOrder(
      report,
      e.parsed,
      t === undefined ? undefined : linkedByDigest.get(t)?.parsed,
      `evaluation ${shortDigestText(e.digest)}`,
      FUTURE_SKEW_SECONDS,
    );
  }
}

/** A promotion deploys to the stage the approval approved. */
function checkPromotion(report: ReportBuilder, anchor: ParsedNode<'approval'>, pr: ParsedNode<'promotion'>): void {
  const deployed = pr.parsed.predicate;
  const approved = anchor.parsed.predicate.stage;
  if (deployed.stage !== approved) {
    report.fail(
      'chain.promotion',
      'PROMOTION_STAGE_MISMATCH',
      shortDigestText(pr.digest),
      `deployed to ${deployed.stage} but approved for ${approved}`,
      { expected: approved, actual: deployed.stage },
    );
  } else {
    report.pass(
      'chain.promotion',
      shortDigestText(pr.digest),
      `deployed to ${deployed.stage} (${deployed.environment}) as approved`,
    );
  }
}

/** verify --environment E: a trusted promotion of this approval to E is linked. */
function checkEnvironment(
  report: ReportBuilder,
  promotions: Array<ParsedNode<'promotion'>>,
  environment: string,
  subject: string,
): void {
  const to = promotions.find((p) => p.parsed.predicate.environment === environment);
  if (to)
    report.pass('chain.promotion.environment', subject, `promoted to ${environment} (${shortDigestText(to.digest)})`, {
      expected: environment,
      actual: environment,
    });
  else
    report.fail(
      'chain.promotion.environment',
      'ENVIRONMENT_NOT_PROMOTED',
      subject,
      `no trusted promotion of the approved model to ${environment} is in the chain`,
      {
        expected: environment,
        actual: [...new Set(promotions.map((p) => p.parsed.predicate.environment))].join(', ') || 'no promotion',
      },
    );
}

/** The policy's required stages are present in the chain. */
function checkRequiredStages(report: ReportBuilder, linked: ParsedNode[], ctx: ChainContext): void {
  for (const stage of ctx.policy.document.requiredStages) {
    const present = linked.filter((n) => n.parsed.stage === (stage as Stage));
    if (present.length > 0)
      report.pass(`chain.stage.${stage}`, ctx.subjectName, `${stage} present (${present.length})`);
    else
      report.fail(
        `chain.stage.${stage}`,
        'STAGE_MISSING',
        ctx.subjectName,
        `required stage ${stage} is missing from the chain`,
        { expected: stage, actual: 'absent' },
      );
  }
}
