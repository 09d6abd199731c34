/**
 * Step 1 of chain verification (spec/verification.md): the inputs. Misuse (no loaded policy, a
 * malformed `asOf` or subject) throws a TypeError; a missing or disallowed use case is a check.
 */
import { digestSetFromText, type DigestSet, digestText } from '../digest/index.js';
import type { JsonValue } from '../json/strict.js';
import type { Limits } from '../limits.js';
import type { Policy } from '../policy/policy.js';
import { ReportBuilder } from '../report/index.js';
import type { Envelope } from '../dsse/envelope.js';
import type { SignatureVerifier } from '../keys/types.js';
import type { SigstoreLineVerifier } from './certificate-signers.js';
import type { EcdsaVerify } from '../pki/ecdsa.js';
import type { RevocationListInput } from './revocation-lists.js';
import { checkArtifactTree, type ArtifactTree } from './artifact-diff.js';
import { nanos, type LevelContext, type Requirements, type Tier } from './context.js';

/** Inputs of `verifyChain`. */
export interface VerifyChainInput {
  /** `.intoto.jsonl` text or bytes, or an array of envelopes. */
  bundle: string | Uint8Array | ReadonlyArray<Uint8Array | string | JsonValue | Envelope>;
  /** The loaded policy (see `parsePolicy`). */
  policy: Policy;
  /** The artifact: its digest (`sha256:<hex>` or a DigestSet), e.g. a model manifest digest. */
  subject: string | DigestSet;
  /** The use case to verify for, or `{ any: true }` to accept an approval for any allowed use case. */
  useCase: string | { any: true } | undefined;
  /** Verify as of this time (RFC 3339 text with Z or an offset, or a Date). */
  asOf: string | Date;
  /** Signature verifier (default: strict Ed25519 of the core). */
  verifier?: SignatureVerifier;
  /**
   * Verifies Sigstore bundle lines for a `sigstore` certificate authority of the policy (the Node
   * adapter's `sigstoreLineVerifier`, @sigstore/verify); without it such signatures are skipped.
   */
  sigstoreVerifier?: SigstoreLineVerifier;
  /**
   * ECDSA verification for certificate signatures (default: the core's `verifyEcdsa`, noble; the
   * Node adapter's `nodeVerifyEcdsa` runs OpenSSL behind the same strict checks, with the same outcomes).
   */
  ecdsaVerify?: EcdsaVerify;
  limits?: Partial<Limits>;
  /** Names the subject in the report (default: its digest text). */
  subjectName?: string;
  /** The approval must be for this stage (an approval for staging does not pass for production). */
  stage?: 'staging' | 'production';
  /** The chain must hold a trusted promotion of the approved model to this environment. */
  environment?: string;
  /**
   * With `{ any: true }` (or a use case): accept only approvals whose use case's risk tier has a
   * `rank` at least this tier's (the tier must have a rank).
   */
  minTier?: string;
  /**
   * Signed revocation lists (decisions §13) and the lowest sequence to accept: the highest valid
   * one's entries count as the policy's revocations (verify --revocations, --min-revocation-sequence).
   */
  revocations?: RevocationListInput;
  /**
   * The artifact's files (a directory's manifest as hashed now, and a reader of sidecar
   * manifests): when no trusted approval is about the artifact, the report lists each file that
   * differs from the closest manifest a trusted training attests (step 13).
   */
  artifactTree?: ArtifactTree;
}

/** The input's policy, or a TypeError when it is not a loaded one. */
export function loadedPolicy(input: VerifyChainInput): Policy {
  if (!input || typeof input !== 'object') throw new TypeError('"input" expected an object');
  const { policy } = input;
  if (!policy || !Array.isArray(policy.keys) || typeof policy.digest !== 'string')
    throw new TypeError('"policy" expected a loaded policy (parsePolicy)');
  return policy;
}

function readAsOf(asOf: string | Date): { asOfNanos: bigint; asOfText: string } {
  if (asOf instanceof Date) {
    if (!Number.isFinite(asOf.getTime())) throw new TypeError('"asOf" is an invalid Date');
    return { asOfNanos: BigInt(asOf.getTime()) * 1_000_000n, asOfText: asOf.toISOString() };
  }
  if (typeof asOf === 'string') {
    try {
      return { asOfNanos: nanos(asOf), asOfText: asOf };
    } catch (e) {
      throw new TypeError(`"asOf" expected an RFC 3339 time with Z or an offset: ${(e as Error).message}`, {
        cause: e,
      });
    }
  }
  throw new TypeError('"asOf" expected an RFC 3339 string or a Date');
}

function readSubject(subject: string | DigestSet): DigestSet {
  if (typeof subject === 'string') return digestSetFromText(subject, 'subject');
  if (subject && typeof subject === 'object' && Object.keys(subject).length > 0) return { ...subject };
  throw new TypeError('"subject" expected sha256:<hex> or a DigestSet');
}

/** The use case check (`chain.useCase`): required, and allowed by the policy, which gives its tier. */
function checkUseCase(
  report: ReportBuilder,
  policy: Policy,
  useCase: VerifyChainInput['useCase'],
  subjectName: string,
): { tier: Tier; anyUseCase: boolean; useCase: string | undefined } {
  if (useCase === undefined || useCase === null || (typeof useCase === 'string' && useCase === '')) {
    report.fail(
      'chain.useCase',
      'USE_CASE_REQUIRED',
      subjectName,
      'a use case is required (or explicitly any use case)',
    );
    return { tier: undefined, anyUseCase: false, useCase: undefined };
  }
  if (typeof useCase === 'object' && useCase.any === true) {
    report.skip('chain.useCase', 'OK', subjectName, 'any allowed use case accepted (explicitly)');
    return { tier: undefined, anyUseCase: true, useCase: undefined };
  }
  if (typeof useCase !== 'string') throw new TypeError('"useCase" expected a string or { any: true }');
  const tier = policy.tierOf(useCase);
  if (tier)
    report.pass(
      'chain.useCase',
      subjectName,
      `use case ${JSON.stringify(useCase)} is allowed, risk tier ${JSON.stringify(tier.name)}`,
      { actual: useCase },
    );
  else
    report.fail(
      'chain.useCase',
      'USE_CASE_NOT_ALLOWED',
      subjectName,
      `use case ${JSON.stringify(useCase)} is not allowed by the policy`,
      { expected: Object.keys(policy.document.useCases).join(', ') || '(none)', actual: useCase },
    );
  return { tier, anyUseCase: false, useCase };
}

/**
 * Step 1 (first check): where the policy came from (decisions §13). Rooted: chained from a pinned
 * root, a pass naming the version, digest and the admins who signed it; otherwise a skip that says
 * the policy was trusted as given.
 */
function checkPolicyTrust(report: ReportBuilder, policy: Policy): void {
  const t = policy.trust;
  const d = policy.document;
  const subject = `${d.id} v${d.version}`;
  if (t?.status === 'rooted') {
    const from =
      t.root?.kind === 'keys'
        ? `the pinned root keys (${t.root.threshold} of ${t.root.keys.length})`
        : `the pinned root, version ${t.root?.version}`;
    report.pass(
      'policy.trust',
      subject,
      `policy ${subject} chains from ${from} through ${t.versions.length} version(s), each signed by its admins and the previous version's`,
      { actual: `${policy.digest} signed by ${t.signers.join(', ') || '(the pinned root itself)'}` },
    );
  } else if (t?.status === 'self-signed')
    report.skip(
      'policy.trust',
      'OK',
      subject,
      `policy ${subject} is signed by its own admins (${t.signers.join(', ')}), but no root is pinned: it is trusted as given`,
      { actual: policy.digest },
    );
  else
    report.skip(
      'policy.trust',
      'POLICY_UNSIGNED',
      subject,
      `policy ${subject} is unsigned and no root is pinned: it is trusted as given`,
      {
        actual: policy.digest,
      },
    );
}

/** Step 1: the caller's further requirements, checked against the policy (misuse throws). */
function readRequirements(input: VerifyChainInput, policy: Policy): Requirements {
  const out: Requirements = {};
  if (input.stage !== undefined) {
    if (input.stage !== 'staging' && input.stage !== 'production')
      throw new TypeError(`"stage" expected staging or production, got ${JSON.stringify(input.stage)}`);
    out.stage = input.stage;
  }
  if (input.environment !== undefined) {
    if (typeof input.environment !== 'string' || input.environment === '')
      throw new TypeError('"environment" expected a non-empty string');
    out.environment = input.environment;
  }
  if (input.minTier !== undefined) {
    const tiers = policy.document.riskTiers;
    if (typeof input.minTier !== 'string' || !Object.hasOwn(tiers, input.minTier))
      throw new TypeError(`"minTier" expected a risk tier of the policy (${Object.keys(tiers).join(', ')})`);
    const rank = tiers[input.minTier]!.rank;
    if (rank === undefined)
      throw new TypeError(`"minTier": tier ${JSON.stringify(input.minTier)} has no rank in the policy`);
    out.minTier = { name: input.minTier, rank };
  }
  return out;
}

/**
 * Step 1: read `asOf` and the subject, start the report, and check the use case.
 * @throws {TypeError} a malformed `asOf`, subject or use case (misuse)
 */
export function readInputs(input: VerifyChainInput, policy: Policy, limits: Limits): LevelContext {
  const { asOfNanos, asOfText } = readAsOf(input.asOf);
  const artifact = readSubject(input.subject);
  const subjectName = input.subjectName ?? digestText(artifact);
  if (input.artifactTree !== undefined) checkArtifactTree(input.artifactTree);
  const report = new ReportBuilder('chain', asOfText, policy.digest);
  checkPolicyTrust(report, policy);
  const accepted = policy.document.digestAlgorithms;
  const require = readRequirements(input, policy);
  const useCase = checkUseCase(report, policy, input.useCase, subjectName);
  return { policy, limits, report, artifact, accepted, asOfNanos, asOfText, subjectName, ...useCase, require };
}
