/**
 * Step 9 of chain verification (spec/verification.md), per link: signed by keys holding the
 * stage's role, enough distinct identities, without those separation of duties excludes; the
 * claimed attester is a signer; not from the future; run times in order; not revoked.
 */
import { matchDigestSets, shortDigestText } from '../digest/index.js';
import type { ReportBuilder } from '../report/index.js';
import type { ParsedNode } from './authenticate.js';
import { FUTURE_SKEW_SECONDS, NS_PER_S, ROLE_OF_STAGE, type ChainContext } from './context.js';
import { checkRunTimes } from './run-times.js';
import { countRole, type Exclusions } from './separation.js';

/** Step 9 for one linked attestation. */
export function checkLink(report: ReportBuilder, n: ParsedNode, ctx: ChainContext, exclusions: Exclusions): void {
  const p = n.parsed;
  const subject = `${p.stage} ${shortDigestText(n.digest)}`;
  // Keys: rejected ones explained.
  for (const s of n.signers)
    if (s.rejected) report.fail('chain.key', s.rejected.code, subject, s.rejected.message, { actual: s.key.name });
  // Approvals are counted by the approval gate (tier approvers, separation of duties).
  if (p.stage !== 'approval') checkLinkRole(report, n, subject, ctx, exclusions);
  checkIdentity(report, n, subject);
  checkFuture(report, n, subject, ctx.asOfNanos);
  // Run times: not after the attestation's own issuedAt, nor after the verification time
  checkRunTimes(report, p, subject, ctx.asOfNanos, FUTURE_SKEW_SECONDS);
  checkRevoked(report, n, subject, ctx);
}

/** Signed by enough distinct identities holding the stage's role, minus separation of duties. */
function checkLinkRole(
  report: ReportBuilder,
  n: ParsedNode,
  subject: string,
  ctx: ChainContext,
  exclusions: Exclusions,
): void {
  const role = ROLE_OF_STAGE[n.parsed.stage];
  const valid = n.signers.filter((s) => !s.rejected);
  const inRole = valid.filter((s) => s.key.roles.includes(role));
  const outOfRole = valid.filter((s) => !s.key.roles.includes(role));
  const needed = ctx.policy.document.roles[role]?.threshold ?? 1;
  // Separation of duties: identities that signed a stage paired with this role do not count.
  const { counted, separated } = countRole(inRole, role, exclusions);
  const identities = new Set(counted.keys());
  if (inRole.length === 0) {
    report.fail(
      'chain.role',
      valid.length > 0 ? 'SIGNER_NOT_IN_ROLE' : (n.signers[0]?.rejected?.code ?? 'UNTRUSTED_SIGNER'),
      subject,
      valid.length > 0
        ? `signed by ${outOfRole.map((s) => s.key.identity).join(', ')}, who do not hold the ${role} role`
        : 'no signing key counts',
      { expected: role, actual: outOfRole.map((s) => s.key.identity).join(', ') || 'none' },
    );
  } else if (identities.size < needed) {
    const code =
      separated.length > 0 && identities.size + separated.length >= needed
        ? 'SEPARATION_OF_DUTIES'
        : 'ROLE_THRESHOLD_NOT_MET';
    report.fail(
      'chain.role',
      code,
      subject,
      `${identities.size} distinct ${role} identit(ies) counted; the policy requires ${needed}`,
      { expected: String(needed), actual: String(identities.size) },
    );
  } else {
    report.pass('chain.role', subject, `signed by ${[...identities].join(', ')} as ${role}`);
  }
  if (separated.length > 0) {
    const message = `not counted as ${role} by separation of duties: ${separated.join(', ')}`;
    if (inRole.length > 0 && identities.size >= needed)
      report.skip('chain.separation', 'SEPARATION_OF_DUTIES', subject, message);
    else report.fail('chain.separation', 'SEPARATION_OF_DUTIES', subject, message);
  }
}

/** The claimed `attester` is a counting signer's policy identity. */
function checkIdentity(report: ReportBuilder, n: ParsedNode, subject: string): void {
  const valid = n.signers.filter((s) => !s.rejected);
  const claimed = n.parsed.attester.id;
  if (valid.some((s) => s.key.identity === claimed))
    report.pass('chain.identity', subject, `claimed identity ${claimed} is a signer`);
  else
    report.fail(
      'chain.identity',
      'IDENTITY_MISMATCH',
      subject,
      `claims to be by ${claimed}, but the policy binds the signing key(s) to ${valid.map((s) => s.key.identity).join(', ') || 'no counting identity'}`,
      { expected: claimed, actual: valid.map((s) => s.key.identity).join(', ') || 'none' },
    );
}

/** Not issued after the verification time plus the skew. */
function checkFuture(report: ReportBuilder, n: ParsedNode, subject: string, asOfNanos: bigint): void {
  const issuedAt = n.parsed.issuedAt;
  if (n.issuedAtNanos > asOfNanos + BigInt(FUTURE_SKEW_SECONDS) * NS_PER_S) {
    report.fail(
      'chain.time.future',
      'EVIDENCE_FROM_FUTURE',
      subject,
      `issued ${issuedAt}, after the verification time plus ${FUTURE_SKEW_SECONDS} s`,
      { expected: `<= asOf + ${FUTURE_SKEW_SECONDS}s`, actual: issuedAt },
    );
  } else {
    report.pass('chain.time.future', subject, `issued ${issuedAt}, not after the verification time`);
  }
}

/** Neither the attestation nor (for a dataset) the data it is about is revoked. */
function checkRevoked(report: ReportBuilder, n: ParsedNode, subject: string, ctx: ChainContext): void {
  const p = n.parsed;
  const why = ctx.revoked.payloads.get(n.digest);
  const datasetRevoked =
    p.stage === 'dataset'
      ? ctx.revoked.datasets.find((r) =>
          p.statement.subject.some((s) => matchDigestSets(r.digest, s.digest, ctx.accepted).match),
        )
      : undefined;
  // Name the revoked ancestor and how the approval depends on it (dataset -> training -> ... -> approval).
  const via = p.stage === 'approval' ? '' : `; the approval depends on it: ${ctx.pathToAnchor?.(n.digest) ?? subject}`;
  if (why)
    report.fail('chain.revocation', 'REVOKED', subject, `the attestation is revoked (${why})${via}`, { actual: why });
  if (datasetRevoked)
    report.fail('chain.revocation', 'REVOKED', subject, `the dataset is revoked (${datasetRevoked.reason})${via}`, {
      actual: datasetRevoked.reason,
    });
  if (!why && !datasetRevoked) report.pass('chain.revocation', subject, 'no revocation in effect applies');
}
