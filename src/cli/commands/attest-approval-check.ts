/**
 * `attest approval --policy`: before signing, check the approval as verification would, so an
 * approver does not sign what every verifier will refuse. The statement is signed in memory with
 * the approver's key and the chain — the bundle's attestations and this approval — is verified
 * against the policy, for the approval's use case, at the start of its validity (its notBefore, or
 * now). What only a later step supplies is not held against it: the co-signatures a tier's
 * approver count needs (`attest cosign`) and a promotion the policy requires. Beyond what
 * verification checks, an expiry past the tier's maximum age is refused too (the approval would
 * lapse earlier than it says).
 *
 * Refusals exit 2 with the first failed check's code; `--force` signs anyway and says so.
 */
import { encodeEnvelope, type Envelope } from '../../dsse/envelope.js';
import { signEnvelope } from '../../dsse/sign.js';
import type { ErrorCode } from '../../errors.js';
import { canonicalBytes } from '../../json/canonical.js';
import { nodeEd25519Signer, nodeEd25519Verifier } from '../../node/ed25519.js';
import type { Check } from '../../report/index.js';
import type { Statement } from '../../statements/statement.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../statements/statement.js';
import { parseTimestamp } from '../../time/index.js';
import { verifyChain } from '../../verify/chain.js';
import { operatorError, warn, type AttestEnv } from './attest-env.js';

/** Codes a later step of the lifecycle clears: not held against an approval at signing time. */
const LATER: ReadonlySet<string> = new Set(['APPROVAL_THRESHOLD_NOT_MET']);

const NS_PER_S = 1_000_000_000n;

/** What the check found, for the summary (text and --json). */
export interface ApprovalCheck {
  /** The policy checked against, and the time verified as of. */
  policy: string;
  asOf: string;
  passed: number;
  /** Failed checks that refuse the approval (signed anyway with --force). */
  refused: Array<{ id: string; code: string; subject: string; message: string }>;
  /** Failed checks a later step clears (co-signatures, a promotion). */
  later: Array<{ id: string; code: string; message: string }>;
  forced: boolean;
}

function isLater(c: Check, policyRequiresPromotion: boolean): boolean {
  if (LATER.has(c.code)) return true;
  return policyRequiresPromotion && c.code === 'STAGE_MISSING' && c.id === 'chain.stage.promotion';
}

/**
 * Check a built approval against the policy (see the module doc). Throws an operator error
 * (exit 2) for a refusal unless `--force`; prints a warning for each check overridden.
 */
export async function checkApprovalAtSigning(env: AttestEnv, statement: Statement): Promise<ApprovalCheck | undefined> {
  const policy = env.policy;
  if (!policy) return undefined;
  const p = statement.predicate as { useCase: { id: string }; notBefore: string; expires: string; issuedAt: string };
  const payload = canonicalBytes(statement);
  const envelope: Envelope = await signEnvelope(payload, IN_TOTO_PAYLOAD_TYPE, [nodeEd25519Signer(env.key)], {
    verifier: nodeEd25519Verifier,
  });
  const nanos = (t: string) => parseTimestamp(t).epochNanos;
  const asOf = nanos(p.notBefore) > nanos(p.issuedAt) ? p.notBefore : p.issuedAt;
  const subject = statement.subject[0]!;
  const [alg, hex] = Object.entries(subject.digest)[0]!;
  const { report } = await verifyChain({
    bundle: [...env.lookup.index.bundle.entries.map((e) => encodeEnvelope(e.envelope)), envelope],
    policy,
    subject: `${alg}:${hex}`,
    useCase: p.useCase.id,
    asOf,
    verifier: nodeEd25519Verifier,
  });
  const promotion = policy.document.requiredStages.includes('promotion');
  const failed = report.checks.filter((c) => c.status === 'fail');
  const refused = failed
    .filter((c) => !isLater(c, promotion))
    .map((c) => ({ id: c.id, code: c.code, subject: c.subject, message: c.message }));
  const tier = policy.tierOf(p.useCase.id);
  if (tier) {
    const lapses = nanos(p.issuedAt) + BigInt(Math.round(tier.tier.maxApprovalAgeDays * 86_400)) * NS_PER_S;
    if (nanos(p.expires) > lapses)
      refused.push({
        id: 'approval.window',
        code: 'APPROVAL_EXPIRES_BEYOND_MAX_AGE',
        subject: 'approval',
        message: `expires ${p.expires} is later than tier ${tier.name} allows (${tier.tier.maxApprovalAgeDays} days after issuedAt ${p.issuedAt}); a verifier treats it as expired from then`,
      });
  }
  const later = failed
    .filter((c) => isLater(c, promotion))
    .map((c) => ({ id: c.id, code: c.code, message: c.message }));
  const forced = env.values.force === true;
  const result: ApprovalCheck = {
    policy: policy.digest,
    asOf,
    passed: report.checks.filter((c) => c.status === 'pass').length,
    refused,
    later,
    forced: forced && refused.length > 0,
  };
  if (refused.length > 0) {
    const lines = refused.map((r) => `  ${r.code}  ${r.id}  ${r.subject}: ${r.message}`).join('\n');
    if (!forced)
      throw operatorError(
        refused[0]!.code as ErrorCode,
        `${env.cmd}: a verifier would refuse this approval under the policy (as of ${asOf}); not signed (--force signs anyway):\n${lines}`,
      );
    warn(env.ctx, `--force: signing an approval a verifier would refuse under the policy:\n${lines}`);
  }
  return result;
}

/** The summary lines of a check. */
export function checkNotes(c: ApprovalCheck): string[] {
  const out = [
    `checked   against the policy ${c.policy} as of ${c.asOf}: ${c.passed} check(s) passed, ${c.refused.length} refused${c.forced ? ' (signed anyway: --force)' : ''}`,
  ];
  for (const r of c.refused) out.push(`  refused ${r.code} ${r.id}: ${r.message}`);
  for (const l of c.later) out.push(`  later   ${l.code} ${l.id}: ${l.message}`);
  return out;
}
