/**
 * The verification `verify` and `report` share: their flags, the inputs read and checked (exit 2
 * for a bad one), the artifact hashed with the policy's algorithms, the chain verified.
 */
import { statSync } from 'node:fs';
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
import { ReportBuilder, type Report } from '../../report/index.js';
import { verifyChain, type ArtifactTree, type ChainVerification, type VerifyChainInput } from '../../verify/chain.js';
import { sidecarReader } from '../../node/sidecar.js';
import type { Policy } from '../../policy/policy.js';
import type { PolicyResolution } from '../../policy/signed.js';
import { atOption, intOption, required, resolvePath, type ParsedValues } from '../args.js';
import { asExit, CliError, usage } from '../errors.js';
import { EXIT, type CliContext } from '../types.js';
import { loadPolicies, POLICY_OPTIONS, refusalExit } from './policy-load.js';
import { planVsa, vsaAsked, VSA_OPTIONS, type VsaPlan } from './verify-vsa.js';
import { withProgress } from '../progress.js';

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

/** --revocations files, read (exit 2 when unreadable; their content is judged by verification). */
async function readRevocationLists(
  cmd: string,
  ctx: CliContext,
  paths: string[] | undefined,
  minText: string | undefined,
): Promise<VerifyChainInput['revocations']> {
  const minSequence = intOption(cmd, 'min-revocation-sequence', minText, 0, Number.MAX_SAFE_INTEGER);
  if ((paths ?? []).length === 0 && minSequence === undefined) return undefined;
  const lists: Uint8Array[] = [];
  for (const p of paths ?? [])
    lists.push(await asExit(EXIT.USAGE, () => readFileLimited(resolvePath(ctx, p), DEFAULT_LIMITS.envelopeBytes, p)));
  return { lists, what: paths ?? [], ...(minSequence === undefined ? {} : { minSequence }) };
}

/** --max-untrusted-checks N, within the limit's bounds (exit 2 otherwise). */
function readBudget(cmd: string, text: string | undefined): number {
  if (text === undefined) return DEFAULT_LIMITS.untrustedSignatureChecks;
  const [lo, hi] = LIMIT_BOUNDS.untrustedSignatureChecks;
  const n = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  if (!(n >= lo && n <= hi))
    throw usage(
      `${cmd}: --max-untrusted-checks expected a whole number from ${lo} to ${hi}, got ${JSON.stringify(text)}`,
    );
  return n;
}

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
    const t = await withProgress(ctx, (onProgress) =>
      asExit(EXIT.USAGE, () =>
        hashFileTree(abs, {
          leafBytes: trees[0]!.leafBytes,
          sha256: plain.includes('sha256'),
          ...(onProgress
            ? {
                onProgress: (done: number, total: number) =>
                  onProgress({ path, bytesDone: done, bytesTotal: total, filesDone: 0, filesTotal: 1 }),
              }
            : {}),
        }),
      ),
    );
    return {
      digest: { ...(t.sha256 !== undefined ? { sha256: t.sha256 } : {}), [t.algorithm]: t.root },
      files: { manifest: null },
    };
  }
  const engines = [...plain, ...trees.map((t) => nodeTreeHashEngine(t.leafBytes))];
  const hashed = await withProgress(ctx, (onProgress) =>
    asExit(EXIT.USAGE, () =>
      hashPath(abs, { algorithms: engines.length > 0 ? engines : ['sha256'], ...(onProgress ? { onProgress } : {}) }),
    ),
  );
  return { digest: hashed.subject.digest, files: { manifest: hashed.kind === 'directory' ? hashed.manifest : null } };
}

/** --stage, --environment, --min-tier, checked against the policy (exit 2 when they cannot apply). */
function readRequirements(
  cmd: string,
  values: { stage?: string | undefined; environment?: string | undefined; 'min-tier'?: string | undefined },
  policy: Policy,
): Pick<VerifyChainInput, 'stage' | 'environment' | 'minTier'> {
  const out: Pick<VerifyChainInput, 'stage' | 'environment' | 'minTier'> = {};
  if (values.stage !== undefined) {
    if (values.stage !== 'staging' && values.stage !== 'production')
      throw usage(`${cmd}: --stage expected staging or production, got ${JSON.stringify(values.stage)}`);
    out.stage = values.stage;
  }
  if (values.environment !== undefined) {
    if (values.environment === '') throw usage(`${cmd}: --environment expected a name`);
    out.environment = values.environment;
  }
  const t = values['min-tier'];
  if (t !== undefined) {
    const tiers = policy.document.riskTiers;
    if (!Object.hasOwn(tiers, t))
      throw usage(
        `${cmd}: --min-tier ${JSON.stringify(t)} is not a risk tier of the policy (${Object.keys(tiers).join(', ')})`,
      );
    if (tiers[t]!.rank === undefined)
      throw usage(`${cmd}: --min-tier ${JSON.stringify(t)}: the policy gives this tier no rank (riskTiers.${t}.rank)`);
    out.minTier = t;
  }
  return out;
}

/** A policy refused by the rotation rule: a report holding the failed `policy.trust`; a bad file: exit 2. */
function policyRefused(resolved: Extract<PolicyResolution, { ok: false }>, asOf: string, subject: string): Report {
  if (refusalExit(resolved) === EXIT.USAGE)
    throw new CliError(EXIT.USAGE, `${resolved.code}: ${resolved.message}`, resolved.code);
  const refused = new ReportBuilder('chain', asOf, null);
  refused.fail('policy.trust', resolved.code, resolved.path, resolved.message);
  refused.result({ subject, ok: false, chain: [] });
  return refused.build();
}

/** The flags `verify` and `report` share. */
export const VERIFY_OPTIONS = {
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
} as const;

/** The parsed values of {@link VERIFY_OPTIONS}. */
export type VerifyValues = ParsedValues<typeof VERIFY_OPTIONS>;

/** What one verification produced, for the command that prints or renders it. */
export type VerifyOutcome =
  | { refused: Report; asOf: string; subjectName: string }
  | {
      refused?: undefined;
      verification: ChainVerification;
      report: Report;
      policy: Policy;
      subject: DigestSet;
      subjectName: string;
      asOf: string;
      chainPath: string;
      bundle: Uint8Array;
      vsa?: VsaPlan;
    };

/**
 * Read the inputs of `verify` (or `report`), hash the artifact and verify the chain. A policy
 * refused by the rotation rule gives a report with the failed `policy.trust` (exit 1 for the caller).
 * @param cmd the command's name, for messages
 * @param embedded true when the summary goes into the output (so --vsa-key needs no --vsa-out)
 */
export async function runVerify(
  cmd: string,
  values: VerifyValues,
  ctx: CliContext,
  embedded = false,
): Promise<VerifyOutcome> {
  const chainPath = required(cmd, values, 'chain');
  const policyPaths = values.policy ?? [];
  if (policyPaths.length === 0) throw usage(`${cmd}: --policy is required (see 'lineproof ${cmd} --help')`);
  if ((values.artifact === undefined) === (values.digest === undefined))
    throw usage(`${cmd}: give exactly one of --artifact PATH or --digest ALG:HEX`);
  if (values['use-case'] !== undefined && values['any-use-case'])
    throw usage(`${cmd}: give --use-case ID or --any-use-case, not both`);
  if (values['use-case'] === undefined && !values['any-use-case']) {
    throw usage(
      `${cmd}: --use-case ID is required (USE_CASE_REQUIRED): an approval is for one use case; pass --any-use-case to accept any the policy allows`,
    );
  }
  const asOf = atOption(cmd, values.at);
  const wantsVsa = vsaAsked(values, chainPath, ctx, embedded);
  const untrustedSignatureChecks = readBudget(cmd, values['max-untrusted-checks']);
  const subjectName = values.artifact ?? values.digest!;
  let subject: DigestSet;
  if (values.digest !== undefined) {
    try {
      subject = digestSetFromText(values.digest, '--digest', { cid: true });
    } catch (e) {
      throw usage(`${cmd}: ${(e as Error).message}`);
    }
  }
  const resolved = await loadPolicies(cmd, ctx, policyPaths, values['policy-root'], values['min-policy-version']);
  if (!resolved.ok) {
    if (wantsVsa) ctx.io.stderr('lineproof: no verification summary written: the policy was refused\n');
    return { refused: policyRefused(resolved, asOf, subjectName), asOf, subjectName };
  }
  const policy = resolved.policy;
  const requirements = readRequirements(cmd, values, policy);
  const vsa = wantsVsa ? await planVsa(ctx, values, policy, asOf) : undefined;
  const revocations = await readRevocationLists(cmd, ctx, values.revocations, values['min-revocation-sequence']);
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
      subjectName,
      ...requirements,
      ...(revocations ? { revocations } : {}),
      ...(sigstoreVerifier ? { sigstoreVerifier } : {}),
      ...(artifactTree ? { artifactTree } : {}),
    });
  } catch (e) {
    if (e instanceof LineproofError) throw usage(`${cmd}: ${e.code}: ${e.message}`);
    throw e;
  }
  return {
    verification,
    report: verification.report,
    policy,
    subject: subject!,
    subjectName,
    asOf,
    chainPath,
    bundle,
    ...(vsa ? { vsa } : {}),
  };
}
