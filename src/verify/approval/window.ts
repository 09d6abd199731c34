/**
 * Step 11, the validity window: notBefore <= asOf < min(expires, issuedAt + the tier's
 * maxApprovalAgeDays).
 */
import type { ReportBuilder } from '../../report/index.js';
import { formatTimestamp } from '../../time/index.js';
import type { ParsedNode } from '../authenticate.js';
import { nanos, NS_PER_S, type Tier } from '../context.js';

/** The approval is valid at `asOfNanos`. */
export function checkWindow(
  report: ReportBuilder,
  anchor: ParsedNode<'approval'>,
  subject: string,
  tier: NonNullable<Tier>,
  asOfNanos: bigint,
): void {
  const { notBefore, expires } = anchor.parsed.predicate;
  const nb = nanos(notBefore);
  const maxAge = anchor.issuedAtNanos + BigInt(Math.round(tier.tier.maxApprovalAgeDays * 86400)) * NS_PER_S;
  const exp = nanos(expires);
  const end = exp < maxAge ? exp : maxAge;
  const endText =
    exp < maxAge
      ? expires
      : `${formatTimestamp(Number(maxAge / 1_000_000n))} (issuedAt + ${tier.tier.maxApprovalAgeDays} days)`;
  const actual = (): string => formatTimestamp(Number(asOfNanos / 1_000_000n));
  if (asOfNanos < nb)
    report.fail('approval.window', 'APPROVAL_NOT_YET_VALID', subject, `valid from ${notBefore}`, {
      expected: `>= ${notBefore}`,
      actual: actual(),
    });
  else if (asOfNanos >= end)
    report.fail('approval.window', 'APPROVAL_EXPIRED', subject, `expired at ${endText}`, {
      expected: `< ${endText}`,
      actual: actual(),
    });
  else report.pass('approval.window', subject, `valid from ${notBefore} until ${endText}`);
}
