/**
 * Offline chain verification (decisions §6–§8, §10): given a bundle of DSSE envelopes, a policy, the
 * artifact's digest, a use case and a time, decide whether the artifact is traceable through a
 * trusted, policy-conforming chain dataset -> training -> evaluation -> approval (-> promotion),
 * and say why in a report that names every check.
 *
 * The pipeline is the numbered list of spec/verification.md and of {@link verifyChain}'s JSDoc;
 * its body is one call per step, each step in its own file of src/verify. Untrusted input never
 * throws: every problem is a failed check, and independent checks keep running so the report
 * lists them all.
 */
import { resolveLimits } from '../limits.js';
import { strictEd25519Verifier } from '../keys/ed25519.js';
import type { ChainLink, Report } from '../report/index.js';
import { explainNoAnchor, findAnchors, reportVoided } from './anchor.js';
import { diffArtifact } from './artifact-diff.js';
import { authenticateBundle, authenticationBudget, reportBudget, type AuthenticationBudget } from './authenticate.js';
import { verifyBaseModels, type BaseModelItem, type BaseModelLevel } from './base-models.js';
import type { LevelContext } from './context.js';
import { loadedPolicy, readInputs, type VerifyChainInput } from './inputs.js';
import { chooseChain } from './lineage.js';
import { readBundleStep } from './read.js';
import { listRest } from './rest.js';
import { collectRevocations } from './revocations.js';
import { checkRevocationLists } from './revocation-lists.js';
import { resolveSigners } from './signers.js';

export type { Node } from './authenticate.js';
export { FUTURE_SKEW_SECONDS, ROLE_OF_STAGE } from './context.js';
export type { VerifyChainInput } from './inputs.js';
export type { ArtifactTree } from './artifact-diff.js';
export { walkReferences } from './references.js';

/** The outcome: the report (decisions §10) and the resolved chain. */
export interface ChainVerification {
  report: Report;
  chain: ChainLink[];
  /**
   * `sha256:<hex>` payload digests of every trusted attestation the verdict relied on: the links
   * of the chain (in `chain` order), then those of its base models' own chains (sorted). A
   * verification summary lists them as its `inputAttestations`.
   */
  used: string[];
}

/** Internal: a base-model level shares the top level's budget and queue (never set by callers). */
const LEVEL = Symbol('lineproof.verify.level');
interface LevelInput extends VerifyChainInput {
  [LEVEL]?: { level: BaseModelLevel; budget: AuthenticationBudget };
}

/**
 * Verify a model's (or dataset's) chain offline. Never throws on untrusted input.
 *
 * 1. **Inputs.** Say where the policy came from (`policy.trust`: rooted, self-signed or unsigned;
 *    decisions §13). Read `asOf`; require a use case (USE_CASE_REQUIRED) unless `{any: true}`; the use
 *    case must be allowed by the policy (USE_CASE_NOT_ALLOWED), which gives its risk tier.
 * 2. **Read the bundle** as a set: an envelope is its (payloadType, payload bytes); lines with
 *    both equal merge their signatures one by one, and envelopes differing in either never merge
 *    or replace one another. A malformed line fails with its line number (BUNDLE_LINE_INVALID);
 *    a line past a limit (signatures per envelope, size, depth) fails the same way with
 *    LIMIT_EXCEEDED, and the rest is read without it; a bundle with more envelopes than the limit
 *    fails closed with LIMIT_EXCEEDED alone.
 * 3. **Authenticate** each in-toto envelope against every policy key, one signature at a time and
 *    in an order fixed by content (payload digest, then signature bytes), never by line order:
 *    checks that need no key first (length, S < L, R's encoding), then each key once, keyid hints
 *    only ordering the tries. A signature no policy key verifies is a skip and never outweighs a
 *    trusted one; an envelope with at least one verifying policy key is trusted, the others are
 *    never part of the lineage graph; envelopes of another payloadType are listed, never checked.
 *    The checks spent on signatures no policy key verifies count against the budget
 *    `untrustedSignatureChecks` (8192 by default); past it verification fails closed with
 *    VERIFY_BUDGET_EXCEEDED naming the line, and reports no other reason.
 * 4. **Parse** each trusted payload as one of our predicates (stage, issuedAt, attester,
 *    references); an unknown type or an invalid predicate is remembered, and fails only if the
 *    chain refers to it.
 * 5. **Revocations**: from the policy, from the winning signed revocation list (highest valid
 *    sequence; REVOCATIONS_FORK, REVOCATIONS_ROLLBACK, and with the policy's `revocationLists`
 *    REVOCATIONS_MISSING, REVOCATIONS_STALE, REVOCATIONS_EXPIRED), and trusted revocation
 *    statements in effect at `asOf`, each
 *    signed by the revoker role's threshold of distinct revoker identities whose keys count
 *    (judged against the policy alone: a statement never disables another revoker).
 * 6. **Resolve signers**: each verifying key's identity and roles from the policy, and whether the
 *    key counts at the statement's issuedAt (one `keyStanding`): a compromised key, or one revoked
 *    for any reason but retired or superseded, never counts (KEY_COMPROMISED); a key revoked as
 *    retired or superseded does not count on evidence issued at or after the revocation's
 *    effectiveAt (KEY_REVOKED); a retired key only inside its window, and no key before its
 *    validFrom (KEY_OUTSIDE_VALIDITY).
 * 7. **Anchor**: the trusted APPROVED approvals whose subject matches the artifact (decisions §3
 *    rule) for the use case; none gives SUBJECT_NOT_APPROVED, USE_CASE_NOT_APPROVED or
 *    APPROVAL_REJECTED, whichever the trusted approvals explain; untrusted approvals of the
 *    artifact are named as skips (UNTRUSTED_SIGNER), never as the failure. `stage` and `minTier`
 *    narrow the anchors (STAGE_NOT_APPROVED, TIER_BELOW_MINIMUM); a later REJECTED approval of
 *    the same use case by a standing approver key voids earlier ones (listed; APPROVAL_VOIDED
 *    when none is left). With several
 *    candidates, each is checked and the first that passes (most recent first) is reported.
 * 8. **Walk** the references from the anchor (and from the promotion that refers to it, if any):
 *    every reference must resolve to a trusted attestation of the expected stage
 *    (REFERENCE_UNRESOLVED when no envelope a trusted key signed carries it — an untrusted copy
 *    is named as a skip, REFERENCE_UNTRUSTED; PREDICATE_TYPE_UNKNOWN, REFERENCE_INVALID,
 *    REFERENCE_STAGE_MISMATCH); no cycle (REFERENCE_CYCLE); depth within the limit.
 * 9. **Per link**: signed by keys holding the stage's role, enough distinct identities and keys,
 *    without those separation of duties excludes (SIGNER_NOT_IN_ROLE, ROLE_THRESHOLD_NOT_MET,
 *    SEPARATION_OF_DUTIES); the claimed `attester` is a signer's policy identity
 *    (IDENTITY_MISMATCH); not issued after asOf + 300 s (EVIDENCE_FROM_FUTURE); its run times
 *    (training, evaluation) not after its own issuedAt nor after asOf, each + 300 s
 *    (RUN_TIME_INVALID); not issued before anything it refers to (TIME_ORDER_VIOLATION); not
 *    revoked (REVOKED).
 * 10. **Across links**: every training, registration, evaluation, approval and promotion is about
 *    the artifact (SUBJECT_MISMATCH); the approval's training is the evaluations' training
 *    (CHAIN_INCONSISTENT); an evaluation's run did not start before its training's run finished,
 *    within 300 s (RUN_TIME_INVALID); the promotion's stage is the approval's
 *    (PROMOTION_STAGE_MISMATCH); a fine-tune's base model is pinned by the policy or its own chain
 *    verifies against the baseModels sub-policy — walked iteratively, at most 8 levels
 *    (BASE_MODEL_NOT_ALLOWED); the model's and the datasets' hashing configuration meets the
 *    policy's `hashing` (HASHING_MISMATCH, HASHING_UNKNOWN); required stages are present
 *    (STAGE_MISSING); with `environment`, a trusted promotion to it
 *    (ENVIRONMENT_NOT_PROMOTED); with the tier's `distinctEvaluationData`, evaluation data not the
 *    training's (EVALUATION_DATA_NOT_DISTINCT).
 * 11. **Approval gates** for the tier: risk tier matches the policy's (RISK_TIER_MISMATCH);
 *    distinct approver identities and keys, without those separation of duties excludes
 *    (SEPARATION_OF_DUTIES, APPROVAL_THRESHOLD_NOT_MET); valid at asOf:
 *    notBefore <= asOf < min(expires, issuedAt + maxApprovalAgeDays) (APPROVAL_NOT_YET_VALID,
 *    APPROVAL_EXPIRED); evaluations: no FAILED (EVALUATION_FAILED), WARNED only if the tier
 *    allows (EVALUATION_WARNED), every required category covered (EVALUATION_CATEGORY_MISSING),
 *    policy metric gates override declared thresholds (METRIC_GATE_FAILED, METRIC_MISSING),
 *    findings within the tier's `findingCaps`, each relied-on evaluation on its own, and reported
 *    in each capped category (FINDINGS_CAP_EXCEEDED, FINDINGS_MISSING); registration: with
 *    `requireRegistration`, the approval refers to a trusted registration (MODEL_NOT_REGISTERED),
 *    and whenever it refers to one, the use case is registered there (USE_CASE_NOT_REGISTERED)
 *    with the policy's tier (REGISTRATION_TIER_MISMATCH).
 * 12. **The rest** of the bundle: unreferenced attestations, untrusted envelopes, envelopes of
 *    other payloadTypes and signatures no policy key verifies are listed as skipped, never
 *    failed. The verdict is ok when at least one check passed and none failed.
 * 13. **Artifact diff**: with `artifactTree` (the artifact's files as hashed now), when no trusted
 *    approval is about the artifact (SUBJECT_NOT_APPROVED), each changed, missing and extra file
 *    against the closest manifest a trusted training attests (inlined, or a sidecar read by
 *    `artifactTree.readSidecar`, its bytes hashing to the attested digest): `artifact.file`
 *    (MANIFEST_ITEM_MISMATCH, MANIFEST_ITEM_SIZE_MISMATCH, MANIFEST_ITEM_MISSING,
 *    MANIFEST_ITEM_EXTRA; the first 100 by path) and `artifact.diff` (the counts and the
 *    attestation compared against, or why no diff was possible). It never changes a verdict.
 *
 * @returns the report and the resolved chain
 * @throws {TypeError} misuse: a missing policy, a malformed subject digest or `asOf`
 * @example
 * ```ts
 * const { report } = await verifyChain({ bundle, policy, subject: 'sha256:…', useCase: 'support-chat', asOf: new Date() });
 * assertVerified(report);
 * ```
 */
export async function verifyChain(input: VerifyChainInput): Promise<ChainVerification> {
  const policy = loadedPolicy(input);
  const limits = resolveLimits(input.limits);
  const inner = (input as LevelInput)[LEVEL];
  const budget = inner?.budget ?? authenticationBudget(limits);
  // 1. Inputs
  const level = readInputs(input, policy, limits);
  // 2. Read the bundle
  const entries = readBundleStep(level.report, input.bundle, limits);
  if (!entries) return finish(level, [], []);
  // 3. Authenticate, 4. parse
  const verifier = input.verifier ?? strictEd25519Verifier;
  const { nodes, others } = await authenticateBundle(entries, policy, verifier, budget, limits, {
    ...(input.sigstoreVerifier ? { sigstoreVerifier: input.sigstoreVerifier } : {}),
    ...(input.ecdsaVerify ? { ecdsaVerify: input.ecdsaVerify } : {}),
  });
  if (reportBudget(level.report, budget)) return finish(level, [], []);
  // 5. Revocations (signed lists first)
  const list = inner ? undefined : await checkRevocationLists(level, input.revocations, verifier);
  const revoked = collectRevocations(policy, nodes.values(), level.asOfNanos, list);
  // 6. Resolve signers
  resolveSigners(policy, nodes.values(), revoked.keys);
  // 7. Anchor
  const anchors = findAnchors(nodes, level);
  reportVoided(level, anchors);
  if (anchors.forUseCase.length === 0) explainNoAnchor(level, nodes, anchors);
  // 8.–11. References, links, across links, approval gates: per anchor, the first that passes
  const best = chooseChain(level, anchors.forUseCase, nodes, revoked);
  const used = new Set(best?.used);
  for (const c of best?.links ?? []) level.report.add(c);
  // 10. (continued) Base models' own chains, against the baseModels sub-policy
  const state = inner?.level ?? { depth: 0, queue: [] };
  const verifyItem = (item: BaseModelItem, name: string) =>
    verifyChain({
      ...withoutRequirements(input),
      policy: item.policy,
      subject: item.digest,
      useCase: item.useCase ?? { any: true },
      subjectName: name,
      [LEVEL]: { level: { depth: item.depth, queue: state.queue }, budget },
    } as LevelInput);
  for (const d of await verifyBaseModels(level, state, !inner, best?.queue ?? [], verifyItem)) used.add(d);
  for (const c of best?.gates ?? []) level.report.add(c);
  // 12. The rest of the bundle
  listRest(level.report, nodes, others, used);
  // 13. The artifact's files against the closest trusted manifest, when no trusted approval is about it
  if (!inner && input.artifactTree && anchors.candidates.length === 0)
    await diffArtifact(level.report, nodes.values(), input.artifactTree, level.subjectName, limits);
  return finish(level, best?.chain ?? [], [...used]);
}

/** A base model's chain is verified for its own use case: the caller's stage, environment and tier do not apply. */
function withoutRequirements(input: VerifyChainInput): VerifyChainInput {
  const { stage: _stage, environment: _environment, minTier: _minTier, revocations: _revocations, ...rest } = input;
  return rest;
}

function finish(level: LevelContext, chain: ChainLink[], used: readonly string[]): ChainVerification {
  level.report.result({ subject: level.subjectName, ok: level.report.ok, chain });
  const links = chain.map((l) => l.payloadDigest);
  const rest = used.filter((d) => !links.includes(d)).sort();
  return { report: level.report.build(), chain, used: [...new Set([...links, ...rest])] };
}
