import type { Report } from '../../report/index.js';
import { parseCommandArgs } from '../args.js';
import { EXIT, type CliContext, type Command } from '../types.js';
import { POLICY_OPTIONS_HELP } from './policy-load.js';
import { emitVsa, VSA_OPTIONS_HELP } from './verify-vsa.js';
import { DEFAULT_LIMITS } from '../../limits.js';
import { runVerify, VERIFY_OPTIONS } from './verify-run.js';

const HELP = `Usage: lineproof verify --chain BUNDLE --policy POLICY [--policy POLICY ...] [--policy-root ROOT]
                        [--min-policy-version N] (--artifact PATH | --digest ALG:HEX)
                        (--use-case ID | --any-use-case) [--stage S] [--environment E] [--min-tier T]
                        [--revocations LIST ...] [--min-revocation-sequence N] [--at TIME]
                        [--max-untrusted-checks N] [--trusted-root FILE] [--json]
                        [--vsa-key KEY (--vsa-out FILE | --vsa-append) [--vsa-resource-uri URI]]

Verify, offline, that an artifact (a model directory or file) is traceable through a trusted chain
dataset -> training -> evaluation -> approval (-> promotion) that meets the policy: trusted keys per
role and their validity, thresholds of distinct identities and keys, separation of duties,
evaluation gates of the use case's risk tier, the approval's window, revocations.

Options:
  --chain BUNDLE     the .intoto.jsonl bundle of attestations
${POLICY_OPTIONS_HELP}
  --artifact PATH    hash the model directory or file now (a directory's digest is its manifest's)
  --digest ALG:HEX   the artifact's digest instead, e.g. sha256:<64 hex> as 'lineproof hash --json' prints,
                     or its CID (bafkrei…, as 'lineproof hash --cid' prints)
  --use-case ID      the use case the model is to be used for (required, or --any-use-case)
  --any-use-case     accept an approval for any use case the policy allows (explicit on purpose)
  --stage S          the approval must be for stage S (staging or production): an approval for
                     staging does not pass for production (STAGE_NOT_APPROVED)
  --environment E    the chain must hold a trusted promotion of the approved model to E
                     (ENVIRONMENT_NOT_PROMOTED)
  --min-tier T       accept only approvals whose use case's risk tier ranks at least T's (the
                     policy's riskTiers.*.rank; TIER_BELOW_MINIMUM), e.g. with --any-use-case
  --revocations LIST a signed revocation list ('lineproof revoke sign'; repeatable): the highest valid
                     sequence wins and its entries count as the policy's revocations; a list no
                     revoker threshold signed is listed and ignored
  --min-revocation-sequence N
                     refuse a newest valid list below sequence N (REVOCATIONS_ROLLBACK)
  --at TIME          verify as of TIME (RFC 3339 with Z or an offset); default: now
  --max-untrusted-checks N
                     the budget of signature checks spent on signatures no policy key verifies
                     (default ${DEFAULT_LIMITS.untrustedSignatureChecks}; each is one check per policy key). Past it the
                     verification fails closed (VERIFY_BUDGET_EXCEEDED); raise it for a bundle
                     that aggregates many signers the policy does not know
  --trusted-root FILE
                     the Sigstore trusted_root.json that lines signed keyless are verified under,
                     offline, when the policy has a certificate authority of type sigstore
                     (default: the public-good root shipped in this package; trust/README.md says
                     how to refresh it; a policy may pin it with trustedRootDigest)
  --json             print the verification report (JSON, spec/report.md) instead of the summary
${VSA_OPTIONS_HELP}

Output: one line per failed check, then the verdict (and the chain when verified); with --vsa-key,
a line naming the summary written (on standard error with --json, which prints only the report).
When no trusted approval is about --artifact DIR, one line per changed, missing or extra file
against the closest manifest a trusted training attests (inlined, or a sidecar next to BUNDLE),
and their counts (spec/verification.md, step 13).

Exit codes: 0 verified; 1 the evidence fails (chain, bundle, artifact, signatures), or the policy
is refused under --policy-root / --min-policy-version (POLICY_* codes, check policy.trust); 2 usage
error, or an unreadable or invalid policy, bundle file or artifact path, a --vsa-key outside the
policy's verifier role, or a summary that cannot be written. A FAILED summary is written too (and
the exit code stays 1).

Example:
  lineproof verify --chain model.intoto.jsonl --policy policy.json --artifact ./model \\
    --use-case customer-support-chat
  lineproof verify --chain model.intoto.jsonl --policy policy.json --artifact ./model \\
    --use-case customer-support-chat --vsa-key keys/gate.key --vsa-out model.vsa.json --vsa-append
`;

function summary(ctx: CliContext, report: Report): void {
  const out: string[] = [];
  const failed = report.checks.filter((c) => c.status === 'fail');
  for (const c of report.checks) {
    if (c.status === 'fail') out.push(`FAIL ${c.code} ${c.id} (${c.subject}): ${c.message}`);
    // the file-level diff (verify --artifact): why none was possible, and its counts
    else if (c.id.startsWith('artifact.') && c.code !== 'OK')
      out.push(`SKIP ${c.code} ${c.id} (${c.subject}): ${c.message}`);
    else if (c.id === 'artifact.diff') out.push(`  ${c.message}`);
  }
  const result = report.results[0];
  if (report.ok && result) {
    for (const l of result.chain)
      out.push(
        `  ${l.stage.padEnd(10)} ${l.payloadDigest.slice(0, 19)}…  ${l.issuedAt ?? ''}  ${l.signers.map((s) => s.identity).join(', ')}`,
      );
    const skipped = report.checks.filter((c) => c.status === 'skip' && c.code !== 'OK').length;
    out.push(
      `VERIFIED: ${result.subject} (${report.checks.filter((c) => c.status === 'pass').length} checks passed${skipped ? `, ${skipped} skipped` : ''}; policy ${report.policyDigest?.slice(0, 19)}…; as of ${report.asOf})`,
    );
  } else {
    out.push(
      `NOT VERIFIED: ${result?.subject ?? 'artifact'} (${failed.length} failed check${failed.length === 1 ? '' : 's'}; as of ${report.asOf})`,
    );
  }
  ctx.io.stdout(`${out.join('\n')}\n`);
}

export const verifyCommand: Command = {
  name: 'verify',
  summary: "verify a model's chain of attestations offline against a policy",
  help: HELP,
  async run(args, ctx) {
    const { values } = parseCommandArgs('verify', args, VERIFY_OPTIONS);
    const outcome = await runVerify('verify', values, ctx);
    const report = outcome.refused ?? outcome.report;
    if (values.json) ctx.io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    else summary(ctx, report);
    if (outcome.refused === undefined && outcome.vsa)
      await emitVsa(ctx, outcome.vsa, { ...outcome, json: values.json === true });
    return report.ok ? EXIT.OK : EXIT.FAIL;
  },
};
