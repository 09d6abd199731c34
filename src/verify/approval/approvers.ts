/**
 * Step 11, approvers: distinct identities with distinct keys, holding the approver role, minus
 * those separation of duties excludes; at least the tier's number and the role's threshold.
 */
import type { ReportBuilder } from '../../report/index.js';
import type { ParsedNode } from '../authenticate.js';
import type { ChainContext, Tier } from '../context.js';
import { countRole, type Exclusions } from '../separation.js';

/** The approvers of `anchor` against its tier. */
export function checkApprovers(
  report: ReportBuilder,
  anchor: ParsedNode<'approval'>,
  subject: string,
  tier: NonNullable<Tier>,
  ctx: ChainContext,
  exclusions: Exclusions,
): void {
  const roleThreshold = ctx.policy.document.roles.approver?.threshold ?? 1;
  const needed = Math.max(tier.tier.approvers, roleThreshold);
  const valid = anchor.signers.filter((s) => !s.rejected && s.key.roles.includes('approver'));
  const { counted, separated: sod } = countRole(valid, 'approver', exclusions);
  const notInRole = anchor.signers.filter((s) => !s.rejected && !s.key.roles.includes('approver'));
  if (notInRole.length > 0)
    report.fail(
      'approval.signers',
      'SIGNER_NOT_IN_ROLE',
      subject,
      `signed by ${notInRole.map((s) => s.key.identity).join(', ')}, who do not hold the approver role`,
      { expected: 'approver', actual: notInRole.map((s) => s.key.identity).join(', ') },
    );
  if (sod.length > 0) {
    const message = `not counted as approver(s) by separation of duties: ${sod.join(', ')}`;
    if (counted.size >= needed) report.skip('approval.separation', 'SEPARATION_OF_DUTIES', subject, message);
    else report.fail('approval.separation', 'SEPARATION_OF_DUTIES', subject, message);
  }
  if (counted.size >= needed)
    report.pass(
      'approval.approvers',
      subject,
      `${counted.size} distinct approver identit(ies) and key(s): ${[...counted.keys()].join(', ')}; ${needed} required`,
      { expected: `>= ${needed}`, actual: String(counted.size) },
    );
  else
    report.fail(
      'approval.approvers',
      sod.length > 0 && counted.size + sod.length >= needed ? 'SEPARATION_OF_DUTIES' : 'APPROVAL_THRESHOLD_NOT_MET',
      subject,
      `${counted.size} distinct approver identit(ies) counted; tier ${tier.name} requires ${needed}`,
      { expected: `>= ${needed}`, actual: String(counted.size) },
    );
}
