import { DEFAULT_LIMITS, LIMIT_BOUNDS } from '../../limits.js';
import { digestSetFromText, type DigestSet } from '../../digest/index.js';
import { LineproofError } from '../../errors.js';
import { readFileLimited } from '../../node/fs.js';
import { nodeEd25519Verifier } from '../../node/ed25519.js';
import { nodeVerifyEcdsa } from '../../node/ecdsa.js';
import { hashPath } from '../../node/hash-tree.js';
import { hashFileTree } from '../../node/tree-pool.js';
import { isHashAlgorithm } from '../../hashing/engines.js';
import { parseTreeAlgorithm } from '../../hashing/tree.js';
import { nodeTreeHashEngine } from '../../node/hash-engine.js';
import { statSync } from 'node:fs';
import { ReportBuilder, type Report } from '../../report/index.js';
import { verifyChain, type ArtifactTree, type ChainVerification, type VerifyChainInput } from '../../verify/chain.js';
import { sidecarReader } from '../../node/sidecar.js';
import type { Policy } from '../../policy/policy.js';
import { atOption, intOption, parseCommandArgs, required, resolvePath } from '../args.js';
import { asExit, CliError, usage } from '../errors.js';
import { EXIT, type CliContext, type Command, type ExitCode } from '../types.js';
import type { PolicyResolution } from '../../policy/signed.js';
import { loadPolicies, POLICY_OPTIONS, POLICY_OPTIONS_HELP, refusalExit } from './policy-load.js';
import { emitVsa, planVsa, vsaAsked, VSA_OPTIONS, VSA_OPTIONS_HELP } from './verify-vsa.js';

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

/** The Sigstore line verifier, when the policy has a sigstore authority (or a root was given). */
async function sigstoreVerifierFor(ctx: CliContext, policy: Policy, rootArg: string | undefined) {
  const needed = [...policy.authorities.values()].some((a) => a.type === 'sigstore');
  if (!needed && rootArg === undefined) return undefined;
  // @sigstore/verify and its protobuf types load only for a policy that needs them (start-up)
  const [{ loadSigstoreTrustedRoot }, { sigstoreLineVerifier }] = await Promise.all([
    import('../../node/oms-sigstore.js'),
    import('../../node/sigstore-lines.js'),
  ]);
  const root = await asExit(EXIT.USAGE, () =>
    rootArg === undefined ? loadSigstoreTrustedRoot() : loadSigstoreTrustedRoot(resolvePath(ctx, rootArg), rootArg),
  );
  return sigstoreLineVerifier(root);
}

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

/** --revocations files, read (exit 2 when unreadable; their content is judged by verification). */
async function readRevocationLists(
  ctx: CliContext,
  paths: string[] | undefined,
  minText: string | undefined,
): Promise<VerifyChainInput['revocations']> {
  const minSequence = intOption('verify', 'min-revocation-sequence', minText, 0, Number.MAX_SAFE_INTEGER);
  if ((paths ?? []).length === 0 && minSequence === undefined) return undefined;
  const lists: Uint8Array[] = [];
  for (const p of paths ?? [])
    lists.push(await asExit(EXIT.USAGE, () => readFileLimited(resolvePath(ctx, p), DEFAULT_LIMITS.envelopeBytes, p)));
  return { lists, what: paths ?? [], ...(minSequence === undefined ? {} : { minSequence }) };
}

/** --max-untrusted-checks N, within the limit's bounds (exit 2 otherwise). */
function readBudget(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LIMITS.untrustedSignatureChecks;
  const [lo, hi] = LIMIT_BOUNDS.untrustedSignatureChecks;
  const n = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  if (!(n >= lo && n <= hi))
    throw usage(
      `verify: --max-untrusted-checks expected a whole number from ${lo} to ${hi}, got ${JSON.stringify(text)}`,
    );
  return n;
}

/** The artifact's digest set, hashed now with the policy's algorithms (exit 2 for a bad path). */
/**
 * The artifact's digests as the policy names them. A file: every algorithm of digestAlgorithms
 * Lineproof computes, a chunk tree (sha256-tree-v1-N) on all cores — with the whole-file sha256
 * from the same read when the policy lists it too. A directory: its manifest with the policy's
 * hashing.algorithms when set (the items must be hashed as the producer hashed them), else the
 * plain digest algorithms (sha256, sha512, blake2b).
 */
async function hashArtifact(
  ctx: CliContext,
  path: string,
  policy: Policy,
): Promise<{ digest: DigestSet; files: Omit<ArtifactTree, 'readSidecar'> }> {
  const abs = resolvePath(ctx, path);
  const doc = policy.document;
  const isFile = await asExit(EXIT.USAGE, () => {
    try {
      return statSync(abs).isFile();
    } catch (cause) {
      throw new LineproofError(
        'IO_ERROR',
        `${path}: cannot stat (${(cause as NodeJS.ErrnoException).code ?? 'error'})`,
        {
          path,
          cause,
        },
      );
    }
  });
  // a directory without hashing.algorithms: its items by the plain digest algorithms, as before
  const required = isFile ? doc.digestAlgorithms : doc.hashing?.algorithms;
  const names = required ?? doc.digestAlgorithms.filter((a) => a === 'sha256' || a === 'sha512' || a === 'blake2b');
  const plain = names.filter(isHashAlgorithm);
  const trees = required ? names.flatMap((n) => parseTreeAlgorithm(n) ?? []) : [];
  if (isFile && trees.length === 1 && plain.every((a) => a === 'sha256')) {
    const t = await asExit(EXIT.USAGE, () =>
      hashFileTree(abs, { leafBytes: trees[0]!.leafBytes, sha256: plain.includes('sha256') }),
    );
    return {
      digest: { ...(t.sha256 !== undefined ? { sha256: t.sha256 } : {}), [t.algorithm]: t.root },
      files: { manifest: null },
    };
  }
  const engines = [...plain, ...trees.map((t) => nodeTreeHashEngine(t.leafBytes))];
  const hashed = await asExit(EXIT.USAGE, () =>
    hashPath(abs, { algorithms: engines.length > 0 ? engines : ['sha256'] }),
  );
  return { digest: hashed.subject.digest, files: { manifest: hashed.kind === 'directory' ? hashed.manifest : null } };
}

/** --stage, --environment, --min-tier, checked against the policy (exit 2 when they cannot apply). */
function readRequirements(
  values: { stage?: string | undefined; environment?: string | undefined; 'min-tier'?: string | undefined },
  policy: Policy,
): Pick<VerifyChainInput, 'stage' | 'environment' | 'minTier'> {
  const out: Pick<VerifyChainInput, 'stage' | 'environment' | 'minTier'> = {};
  if (values.stage !== undefined) {
    if (values.stage !== 'staging' && values.stage !== 'production')
      throw usage(`verify: --stage expected staging or production, got ${JSON.stringify(values.stage)}`);
    out.stage = values.stage;
  }
  if (values.environment !== undefined) {
    if (values.environment === '') throw usage('verify: --environment expected a name');
    out.environment = values.environment;
  }
  const t = values['min-tier'];
  if (t !== undefined) {
    const tiers = policy.document.riskTiers;
    if (!Object.hasOwn(tiers, t))
      throw usage(
        `verify: --min-tier ${JSON.stringify(t)} is not a risk tier of the policy (${Object.keys(tiers).join(', ')})`,
      );
    if (tiers[t]!.rank === undefined)
      throw usage(`verify: --min-tier ${JSON.stringify(t)}: the policy gives this tier no rank (riskTiers.${t}.rank)`);
    out.minTier = t;
  }
  return out;
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
      stage: { type: 'string' },
      environment: { type: 'string' },
      'min-tier': { type: 'string' },
      revocations: { type: 'string', multiple: true },
      'min-revocation-sequence': { type: 'string' },
      at: { type: 'string' },
      'max-untrusted-checks': { type: 'string' },
      'trusted-root': { type: 'string' },
      json: { type: 'boolean' },
      ...VSA_OPTIONS,
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
    const asOf = atOption('verify', values.at);
    const wantsVsa = vsaAsked(values, chainPath, ctx);
    const untrustedSignatureChecks = readBudget(values['max-untrusted-checks']);
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
    if (!resolved.ok) {
      if (wantsVsa) ctx.io.stderr('lineproof: no verification summary written: the policy was refused\n');
      return policyRefused(ctx, resolved, asOf, values.artifact ?? values.digest!, values.json === true);
    }
    const policy = resolved.policy;
    const requirements = readRequirements(values, policy);
    const vsa = wantsVsa ? await planVsa(ctx, values, policy, asOf) : undefined;
    const revocations = await readRevocationLists(ctx, values.revocations, values['min-revocation-sequence']);
    const bundle = await asExit(EXIT.USAGE, () =>
      readFileLimited(resolvePath(ctx, chainPath), 1024 * 1024 * 1024, chainPath),
    );
    const sigstoreVerifier = await sigstoreVerifierFor(ctx, policy, values['trusted-root']);
    let artifactTree: ArtifactTree | undefined;
    if (values.artifact !== undefined) {
      const hashed = await hashArtifact(ctx, values.artifact, policy);
      subject = hashed.digest;
      artifactTree = { ...hashed.files, readSidecar: sidecarReader(resolvePath(ctx, chainPath)) };
    }
    let verification: ChainVerification;
    try {
      verification = await verifyChain({
        bundle,
        policy,
        subject: subject!,
        useCase: values['any-use-case'] ? { any: true } : values['use-case'],
        asOf,
        verifier: nodeEd25519Verifier,
        ecdsaVerify: nodeVerifyEcdsa,
        limits: { untrustedSignatureChecks },
        subjectName: values.artifact ?? values.digest!,
        ...requirements,
        ...(revocations ? { revocations } : {}),
        ...(sigstoreVerifier ? { sigstoreVerifier } : {}),
        ...(artifactTree ? { artifactTree } : {}),
      });
    } catch (e) {
      if (e instanceof LineproofError) throw usage(`verify: ${e.code}: ${e.message}`);
      throw e;
    }
    const { report } = verification;
    if (values.json) ctx.io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    else summary(ctx, report);
    const json = values.json === true;
    if (vsa) await emitVsa(ctx, vsa, { verification, policy, subject: subject!, asOf, chainPath, json });
    return report.ok ? EXIT.OK : EXIT.FAIL;
  },
};
