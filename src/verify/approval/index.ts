/**
 * Step 11 of chain verification (spec/verification.md): the approval gates for the use case's
 * risk tier — the tier itself, the registration, the approvers, the validity window, the
 * evaluations.
 */
import { shortDigestText } from '../../digest/index.js';
import type { ReportBuilder } from '../../report/index.js';
import type { ParsedNode } from '../authenticate.js';
import type { ChainContext } from '../context.js';
import type { Exclusions } from '../separation.js';
import { checkApprovers } from './approvers.js';
import { checkEvaluations } from './evaluations.js';
import { checkRegistration } from './registration.js';
import { checkWindow } from './window.js';

/** Step 11 for one anchor approval and the evaluations it relies on. */
export function checkApproval(
  report: ReportBuilder,
  anchor: ParsedNode<'approval'>,
  evaluations: Array<ParsedNode<'evaluation'>>,
  registration: ParsedNode<'registration'> | undefined,
  ctx: ChainContext,
  exclusions: Exclusions,
): void {
  const approval = anchor.parsed;
  const subject = `approval ${shortDigestText(anchor.digest)}`;
  const tier = ctx.tier;
  if (!tier) {
    report.fail(
      'approval.tier',
      'USE_CASE_NOT_ALLOWED',
      subject,
      `the approval's use case ${JSON.stringify(approval.predicate.useCase.id)} is not allowed by the policy`,
    );
    return;
  }
  if (approval.predicate.riskTier === tier.name) report.pass('approval.tier', subject, `risk tier ${tier.name}`);
  else
    report.fail(
      'approval.tier',
      'RISK_TIER_MISMATCH',
      subject,
      `approved as tier ${approval.predicate.riskTier}, but the policy puts the use case in ${tier.name}`,
      { expected: tier.name, actual: approval.predicate.riskTier },
    );
  checkRegistration(report, anchor, registration, subject, tier, ctx.policy.document.requireRegistration);
  checkApprovers(report, anchor, subject, tier, ctx, exclusions);
  checkWindow(report, anchor, subject, tier, ctx.asOfNanos);
  checkEvaluations(
    report,
    evaluations.map((e) => e.parsed),
    subject,
    tier,
  );
}
