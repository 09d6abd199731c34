import { DEFAULT_LIMITS, LIMIT_BOUNDS } from '../../limits.js';
import { digestSetFromText, type DigestSet } from '../../digest/index.js';
import { LineproofError } from '../../errors.js';
import { readFileLimited } from '../../node/fs.js';
import { nodeEd25519Verifier } from '../../node/ed25519.js';
import { hashPath } from '../../node/hash-tree.js';
import { formatTimestamp, parseTimestamp } from '../../time/index.js';
import { ReportBuilder, type Report } from '../../report/index.js';
import { verifyChain } from '../../verify/chain.js';
import { parseCommandArgs, required, resolvePath } from '../args.js';
import { asExit, CliError, usage } from '../errors.js';
import { EXIT, type CliContext, type Command, type ExitCode } from '../types.js';
import type { PolicyResolution } from '../../policy/signed.js';
import { loadPolicies, POLICY_OPTIONS, POLICY_OPTIONS_HELP, refusalExit } from './policy-load.js';

const HELP = `Usage: lineproof verify --chain BUNDLE --policy POLICY [--policy POLICY ...] [--policy-root ROOT]
                        [--min-policy-version N] (--artifact PATH | --digest ALG:HEX)
                        (--use-case ID | --any-use-case) [--at TIME]
                        [--max-untrusted-checks N] [--json]

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
  --at TIME          verify as of TIME (RFC 3339 with Z or an offset); default: now
  --max-untrusted-checks N
                     the budget of signature checks spent on signatures no policy key verifies
                     (default ${DEFAULT_LIMITS.untrustedSignatureChecks}; each is one check per policy key). Past it the
                     verification fails closed (VERIFY_BUDGET_EXCEEDED); raise it for a bundle
                     that aggregates many signers the policy does not know
  --json             print the verification report (JSON, spec/report.md) instead of the summary

Output: one line per failed check, then the verdict (and the chain when verified).

Exit codes: 0 verified; 1 the evidence fails (chain, bundle, artifact, signatures), or the policy
is refused under --policy-root / --min-policy-version (POLICY_* codes, check policy.trust); 2 usage
error, or an unreadable or invalid policy, bundle file or artifact path.

Example:
  lineproof verify --chain model.intoto.jsonl --policy policy.json --artifact ./model \\
    --use-case customer-support-chat
`;

function summary(ctx: CliContext, report: Report): void {
  const out: string[] = [];
  const failed = report.checks.filter((c) => c.status === 'fail');
  for (const c of failed) out.push(`FAIL ${c.code} ${c.id} (${c.subject}): ${c.message}`);
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

/** A policy refused by the rotation rule: exit 1 with a report holding the failed `policy.trust`; a bad file: exit 2. */
function policyRefused(
  ctx: CliContext,
  resolved: Extract<PolicyResolution, { ok: false }>,
  asOf: string,
  subject: string,
  json: boolean,
): ExitCode {
  if (refusalExit(resolved) === EXIT.USAGE)
    throw new CliError(EXIT.USAGE, `${resolved.code}: ${resolved.message}`, resolved.code);
  const refused = new ReportBuilder('chain', asOf, null);
  refused.fail('policy.trust', resolved.code, resolved.path, resolved.message);
  refused.result({ subject, ok: false, chain: [] });
  const report = refused.build();
  if (json) ctx.io.stdout(`${JSON.stringify(report, null, 2)}\n`);
  else summary(ctx, report);
  return EXIT.FAIL;
}

export const verifyCommand: Command = {
  name: 'verify',
  summary: "verify a model's chain of attestations offline against a policy",
  help: HELP,
  async run(args, ctx) {
    const { values } = parseCommandArgs('verify', args, {
      chain: { type: 'string' },
      ...POLICY_OPTIONS,
      artifact: { type: 'string' },
      digest: { type: 'string' },
      'use-case': { type: 'string' },
      'any-use-case': { type: 'boolean' },
      at: { type: 'string' },
      'max-untrusted-checks': { type: 'string' },
      json: { type: 'boolean' },
    });
    const chainPath = required('verify', values, 'chain');
    const policyPaths = values.policy ?? [];
    if (policyPaths.length === 0) throw usage(`verify: --policy is required (see 'lineproof verify --help')`);
    if ((values.artifact === undefined) === (values.digest === undefined))
      throw usage('verify: give exactly one of --artifact PATH or --digest ALG:HEX');
    if (values['use-case'] !== undefined && values['any-use-case'])
      throw usage('verify: give --use-case ID or --any-use-case, not both');
    if (values['use-case'] === undefined && !values['any-use-case']) {
      throw usage(
        'verify: --use-case ID is required (USE_CASE_REQUIRED): an approval is for one use case; pass --any-use-case to accept any the policy allows',
      );
    }
    let asOf: string;
    if (values.at !== undefined) {
      try {
        parseTimestamp(values.at, '--at');
      } catch (e) {
        throw usage(
          `verify: --at ${(e as Error).message.replace(/^--at: /, '')} (RFC 3339 with Z or an offset, e.g. 2026-03-01T12:00:00Z)`,
        );
      }
      asOf = values.at;
    } else {
      asOf = formatTimestamp(Date.now(), 'up');
    }
    let untrustedSignatureChecks = DEFAULT_LIMITS.untrustedSignatureChecks;
    if (values['max-untrusted-checks'] !== undefined) {
      const [lo, hi] = LIMIT_BOUNDS.untrustedSignatureChecks;
      const text = values['max-untrusted-checks'];
      untrustedSignatureChecks = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
      if (!(untrustedSignatureChecks >= lo && untrustedSignatureChecks <= hi))
        throw usage(
          `verify: --max-untrusted-checks expected a whole number from ${lo} to ${hi}, got ${JSON.stringify(text)}`,
        );
    }
    let subject: DigestSet;
    if (values.digest !== undefined) {
      try {
        subject = digestSetFromText(values.digest, '--digest', { cid: true });
      } catch (e) {
        throw usage(`verify: ${(e as Error).message}`);
      }
    }
    const resolved = await loadPolicies(
      'verify',
      ctx,
      policyPaths,
      values['policy-root'],
      values['min-policy-version'],
    );
    if (!resolved.ok)
      return policyRefused(ctx, resolved, asOf, values.artifact ?? values.digest!, values.json === true);
    const policy = resolved.policy;
    const bundle = await asExit(EXIT.USAGE, () =>
      readFileLimited(resolvePath(ctx, chainPath), 1024 * 1024 * 1024, chainPath),
    );
    if (values.artifact !== undefined) {
      const algorithms = policy.document.digestAlgorithms.filter(
        (a) => a === 'sha256' || a === 'sha512' || a === 'blake2b',
      );
      const hashed = await asExit(EXIT.USAGE, () =>
        hashPath(resolvePath(ctx, values.artifact!), {
          algorithms: algorithms.length > 0 ? (algorithms as Array<'sha256'>) : ['sha256'],
        }),
      );
      subject = hashed.subject.digest;
    }
    let report: Report;
    try {
      ({ report } = await verifyChain({
        bundle,
        policy,
        subject: subject!,
        useCase: values['any-use-case'] ? { any: true } : values['use-case'],
        asOf,
        verifier: nodeEd25519Verifier,
        limits: { untrustedSignatureChecks },
        subjectName: values.artifact ?? values.digest!,
      }));
    } catch (e) {
      if (e instanceof LineproofError) throw usage(`verify: ${e.code}: ${e.message}`);
      throw e;
    }
    if (values.json) ctx.io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    else summary(ctx, report);
    return report.ok ? EXIT.OK : EXIT.FAIL;
  },
};
