/**
 * Offline chain verification (decisions §6–§8, §10): given a bundle of DSSE envelopes, a policy, the
 * artifact's digest, a use case and a time, decide whether the artifact is traceable through a
 * trusted, policy-conforming chain dataset -> training -> evaluation -> approval (-> promotion),
 * and say why in a report that names every check.
 *
 * The pipeline is written as a numbered list in spec/verification.md and in the JSDoc of
 * {@link verifyChain}; the body follows it step for step. Untrusted input never throws: every
 * problem is a failed check, and independent checks keep running so the report lists them all.
 */
import { spkiDer } from '../keys/der.js';
import { keyidOf } from '../keys/keyid.js';
import type { SignatureVerifier } from '../keys/types.js';
import { digestSetFromText, matchDigestSets, sha256Hex, type DigestSet } from '../digest/index.js';
import type { ErrorCode } from '../errors.js';
import type { JsonValue } from '../json/strict.js';
import { resolveLimits, type Limits } from '../limits.js';
import { parsePolicy, type Policy, type ResolvedKey } from '../policy/policy.js';
import type { Role } from '../policy/schema.js';
import { ReportBuilder, type ChainLink, type Report } from '../report/index.js';
import {
  parseAttestationPayload,
  type ParsedAttestationPayload,
  type StatementReference,
} from '../statements/predicates/index.js';
import type { Stage } from '../statements/predicates/common.js';
import { formatTimestamp, parseTimestamp } from '../time/index.js';
import type { Envelope } from '../dsse/envelope.js';
import { readBundle } from '../bundle/jsonl.js';
import { strictEd25519Verifier } from '../keys/ed25519.js';
import { authenticateBundle, authenticationBudget, type AuthenticationBudget, type Node } from './authenticate.js';
import { keyStanding, type KeyRevocations } from './key-standing.js';
import { collectRevocations, type Revoked } from './revocations.js';
import { countRole, separationExclusions, type Exclusions } from './separation.js';
import { checkRunOrder, checkRunTimes } from './run-times.js';
import { checkHashing } from './hashing.js';

export type { Node } from './authenticate.js';

/** Seconds of clock skew tolerated before evidence counts as "from the future" (decisions §7). */
export const FUTURE_SKEW_SECONDS = 300;

/** The role that must sign each stage. */
export const ROLE_OF_STAGE: Readonly<Record<Stage, Role>> = Object.freeze({
  dataset: 'data-steward',
  training: 'trainer',
  evaluation: 'evaluator',
  approval: 'approver',
  promotion: 'deployer',
  revocation: 'revoker',
});

/** Inputs of {@link verifyChain}. */
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
  limits?: Partial<Limits>;
  /** Names the subject in the report (default: its digest text). */
  subjectName?: string;
}

/** Internal: a base-model level collects its own base models into the top level's queue. */
interface LevelState {
  depth: number;
  queue: Array<{ digest: DigestSet; from: string; policy: Policy; useCase: string | undefined; depth: number }>;
}

/** The outcome: the report (decisions §10) and the resolved chain. */
export interface ChainVerification {
  report: Report;
  chain: ChainLink[];
}

function nanos(text: string): bigint {
  return parseTimestamp(text).epochNanos;
}

const NS_PER_S = 1_000_000_000n;

function short(d: string): string {
  const i = d.indexOf(':');
  return i > 0 && d.length - i > 16 ? `${d.slice(0, i + 13)}…` : d;
}

/** Digest text of a DigestSet's preferred algorithm. */
function digestText(set: DigestSet): string {
  const alg = Object.hasOwn(set, 'sha256') ? 'sha256' : Object.keys(set).sort()[0]!;
  return `${alg}:${set[alg]}`;
}

/**
 * Walk references from `start` (depth-first, iterative), detecting cycles and depth beyond the
 * limit. Pure over a graph so it can be tested on graphs SHA-256 would never let us build.
 * @returns the digests reached (in visit order), and every problem found
 */
export function walkReferences(
  start: string,
  edges: (digest: string) => readonly string[],
  maxDepth: number,
): { reached: string[]; cycles: Array<{ from: string; to: string }>; tooDeep: string[] } {
  const reached: string[] = [];
  const cycles: Array<{ from: string; to: string }> = [];
  const tooDeep: string[] = [];
  const seen = new Set<string>();
  const onPath = new Set<string>();
  const stack: Array<{ digest: string; depth: number; next: number }> = [{ digest: start, depth: 0, next: 0 }];
  onPath.add(start);
  seen.add(start);
  reached.push(start);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const out = edges(top.digest);
    if (top.next >= out.length) {
      onPath.delete(top.digest);
      stack.pop();
      continue;
    }
    const to = out[top.next++]!;
    if (onPath.has(to)) {
      cycles.push({ from: top.digest, to });
      continue;
    }
    if (seen.has(to)) continue;
    if (top.depth + 1 > maxDepth) {
      tooDeep.push(to);
      continue;
    }
    seen.add(to);
    onPath.add(to);
    reached.push(to);
    stack.push({ digest: to, depth: top.depth + 1, next: 0 });
  }
  return { reached, cycles, tooDeep };
}

/**
 * Verify a model's (or dataset's) chain offline. Never throws on untrusted input.
 *
 * 1. **Inputs.** Read `asOf`; require a use case (USE_CASE_REQUIRED) unless `{any: true}`; the use
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
 * 5. **Revocations**: from the policy, and trusted revocation statements in effect at `asOf`, each
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
 *    artifact are named as skips (UNTRUSTED_SIGNER), never as the failure. With several
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
 * 10. **Across links**: every training, evaluation, approval and promotion is about the artifact
 *    (SUBJECT_MISMATCH); the approval's training is the evaluations' training
 *    (CHAIN_INCONSISTENT); an evaluation's run did not start before its training's run finished,
 *    within 300 s (RUN_TIME_INVALID); the promotion's stage is the approval's
 *    (PROMOTION_STAGE_MISMATCH); a fine-tune's base model is pinned by the policy or its own chain
 *    verifies against the baseModels sub-policy — walked iteratively, at most 8 levels
 *    (BASE_MODEL_NOT_ALLOWED); the model's and the datasets' hashing configuration meets the
 *    policy's `hashing` (HASHING_MISMATCH, HASHING_UNKNOWN); required stages are present
 *    (STAGE_MISSING).
 * 11. **Approval gates** for the tier: risk tier matches the policy's (RISK_TIER_MISMATCH);
 *    distinct approver identities and keys, without those separation of duties excludes
 *    (SEPARATION_OF_DUTIES, APPROVAL_THRESHOLD_NOT_MET); valid at asOf:
 *    notBefore <= asOf < min(expires, issuedAt + maxApprovalAgeDays) (APPROVAL_NOT_YET_VALID,
 *    APPROVAL_EXPIRED); evaluations: no FAILED (EVALUATION_FAILED), WARNED only if the tier
 *    allows (EVALUATION_WARNED), every required category covered (EVALUATION_CATEGORY_MISSING),
 *    policy metric gates override declared thresholds (METRIC_GATE_FAILED, METRIC_MISSING).
 * 12. **The rest** of the bundle: unreferenced attestations, untrusted envelopes, envelopes of
 *    other payloadTypes and signatures no policy key verifies are listed as skipped, never
 *    failed. The verdict is ok when at least one check passed and none failed.
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
  if (!input || typeof input !== 'object') throw new TypeError('"input" expected an object');
  return verifyLevel(input, undefined, authenticationBudget(resolveLimits(input.limits)));
}

async function verifyLevel(
  input: VerifyChainInput,
  level: LevelState | undefined,
  budget: AuthenticationBudget,
): Promise<ChainVerification> {
  if (!input || typeof input !== 'object') throw new TypeError('"input" expected an object');
  const { policy } = input;
  if (!policy || !Array.isArray(policy.keys) || typeof policy.digest !== 'string')
    throw new TypeError('"policy" expected a loaded policy (parsePolicy)');
  const limits = resolveLimits(input.limits);

  // 1. Inputs
  let asOfNanos: bigint;
  let asOfText: string;
  if (input.asOf instanceof Date) {
    if (!Number.isFinite(input.asOf.getTime())) throw new TypeError('"asOf" is an invalid Date');
    asOfNanos = BigInt(input.asOf.getTime()) * 1_000_000n;
    asOfText = input.asOf.toISOString();
  } else if (typeof input.asOf === 'string') {
    try {
      asOfNanos = nanos(input.asOf);
    } catch (e) {
      throw new TypeError(`"asOf" expected an RFC 3339 time with Z or an offset: ${(e as Error).message}`);
    }
    asOfText = input.asOf;
  } else {
    throw new TypeError('"asOf" expected an RFC 3339 string or a Date');
  }
  let artifact: DigestSet;
  if (typeof input.subject === 'string') {
    artifact = digestSetFromText(input.subject, 'subject');
  } else if (input.subject && typeof input.subject === 'object' && Object.keys(input.subject).length > 0) {
    artifact = { ...input.subject };
  } else {
    throw new TypeError('"subject" expected sha256:<hex> or a DigestSet');
  }
  const subjectName = input.subjectName ?? digestText(artifact);
  const report = new ReportBuilder('chain', asOfText, policy.digest);
  const accepted = policy.document.digestAlgorithms;

  let tier: ReturnType<Policy['tierOf']>;
  let anyUseCase = false;
  const useCase = input.useCase;
  if (useCase === undefined || useCase === null || (typeof useCase === 'string' && useCase === '')) {
    report.fail(
      'chain.useCase',
      'USE_CASE_REQUIRED',
      subjectName,
      'a use case is required (or explicitly any use case)',
    );
  } else if (typeof useCase === 'object' && useCase.any === true) {
    anyUseCase = true;
    report.skip('chain.useCase', 'OK', subjectName, 'any allowed use case accepted (explicitly)');
  } else if (typeof useCase === 'string') {
    tier = policy.tierOf(useCase);
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
  } else {
    throw new TypeError('"useCase" expected a string or { any: true }');
  }

  // 2. Read the bundle
  const bundle = readBundle(input.bundle, { limits, what: 'bundle' });
  for (const err of bundle.errors) {
    report.fail(
      'bundle.line',
      LIMIT_CODES.has(err.code) ? 'LIMIT_EXCEEDED' : 'BUNDLE_LINE_INVALID',
      err.line === 0 ? 'bundle' : `line ${err.line}`,
      err.message,
      { actual: err.code },
    );
  }
  if (bundle.errors.length === 0)
    report.pass('bundle.read', 'bundle', `${bundle.entries.length} distinct envelope(s) read`);
  // Past the bundle-size limit nothing was read: fail closed with that reason alone.
  if (bundle.errors.some((e) => e.line === 0)) return finish(report, subjectName, []);

  // 3. Authenticate, 4. parse
  const verifier = input.verifier ?? strictEd25519Verifier;
  const { nodes, others } = await authenticateBundle(bundle.entries, policy, verifier, budget, limits);
  if (budget.exceeded) {
    // Fail closed, naming the line; what was not checked cannot give any other reason.
    const at = `line ${budget.exceeded.lines.join(', ')}`;
    report.fail(
      'bundle.budget',
      'VERIFY_BUDGET_EXCEEDED',
      at,
      `more than ${budget.limit} signature checks spent on signatures no policy key verifies (the limit untrustedSignatureChecks); verification stops here`,
      { expected: `<= ${budget.limit}`, actual: String(budget.spent) },
    );
    return finish(report, subjectName, []);
  }

  // 5. Revocations
  const revoked = collectRevocations(policy, nodes.values(), asOfNanos);
  // 6. Resolve signers
  for (const node of nodes.values()) resolveSigners(node, revoked.keys);

  // 7. Anchor
  const candidates = [...nodes.values()]
    .filter((n) => n.trusted && n.parsed?.stage === 'approval' && subjectMatches(n.parsed, artifact, accepted))
    .sort((a, b) => (a.issuedAtNanos! > b.issuedAtNanos! ? -1 : a.issuedAtNanos! < b.issuedAtNanos! ? 1 : 0));
  const approved = candidates.filter(
    (n) =>
      n.parsed!.stage === 'approval' &&
      (n.parsed as Extract<ParsedAttestationPayload, { stage: 'approval' }>).predicate.decision === 'APPROVED',
  );
  const forUseCase = approved.filter((n) => {
    const p = (n.parsed as Extract<ParsedAttestationPayload, { stage: 'approval' }>).predicate;
    return anyUseCase
      ? policy.tierOf(p.useCase.id) !== undefined
      : typeof useCase === 'string' && p.useCase.id === useCase;
  });

  let chain: ChainLink[] = [];
  const used = new Set<string>();
  if (forUseCase.length === 0) {
    explainNoAnchor(
      report,
      subjectName,
      nodes,
      artifact,
      accepted,
      candidates,
      approved,
      anyUseCase ? undefined : (useCase as string | undefined),
    );
  } else {
    // Try each candidate on a scratch report; keep the first that passes, else the most recent.
    let best:
      | { builder: ReportBuilder; chain: ChainLink[]; used: Set<string>; queue: ChainContext['baseModelQueue'] }
      | undefined;
    for (const anchor of forUseCase) {
      const scratch = new ReportBuilder('chain', asOfText, policy.digest);
      const scratchUsed = new Set<string>();
      const scratchQueue: ChainContext['baseModelQueue'] = [];
      const links = checkChain(scratch, anchor, nodes, {
        policy,
        artifact,
        accepted,
        asOfNanos,
        limits,
        revoked,
        subjectName,
        tier:
          tier ??
          policy.tierOf(
            (anchor.parsed as Extract<ParsedAttestationPayload, { stage: 'approval' }>).predicate.useCase.id,
          ),
        used: scratchUsed,
        baseModelQueue: scratchQueue,
      });
      const candidate = { builder: scratch, chain: links, used: scratchUsed, queue: scratchQueue };
      if (!best) best = candidate;
      if (!scratch.checks.some((c) => c.status === 'fail')) {
        best = candidate;
        break;
      }
    }
    for (const c of best!.builder.checks) report.add(c);
    chain = best!.chain;
    for (const d of best!.used) used.add(d);
    // Base models not pinned: their chains verify against the sub-policy, one level deeper. The
    // top level walks the queue iteratively (no recursion), at most limits.baseModelDepth deep.
    const spec = policy.document.baseModels;
    if (spec?.policy && best!.queue.length > 0) {
      const state: LevelState = level ?? { depth: 0, queue: [] };
      const sub = policy.baseModelPolicy!;
      for (const q of best!.queue)
        state.queue.push({ ...q, policy: sub, useCase: spec.useCase, depth: state.depth + 1 });
      if (!level) {
        while (state.queue.length > 0) {
          const item = state.queue.shift()!;
          const name = `base model ${short(digestText(item.digest))}`;
          if (item.depth > limits.baseModelDepth) {
            report.fail(
              'chain.baseModel',
              'LIMIT_EXCEEDED',
              name,
              `base models nested deeper than ${limits.baseModelDepth}`,
            );
            continue;
          }
          const r = await verifyLevel(
            {
              ...input,
              policy: item.policy,
              subject: item.digest,
              useCase: item.useCase ?? { any: true },
              subjectName: name,
            },
            { depth: item.depth, queue: state.queue },
            budget,
          );
          const failed = r.report.checks.filter((c) => c.status === 'fail');
          if (failed.length === 0)
            report.pass(
              'chain.baseModel',
              item.from,
              `${name} verifies against the baseModels sub-policy (${r.chain.length} link(s))`,
            );
          for (const c of failed)
            report.fail(`baseModel.${c.id}`, c.code as ErrorCode, `${name}: ${c.subject}`, c.message, {
              ...(c.expected ? { expected: c.expected } : {}),
              ...(c.actual ? { actual: c.actual } : {}),
            });
          for (const d of r.chain) used.add(d.payloadDigest);
        }
      }
    }
  }

  // 12. The rest of the bundle
  for (const node of nodes.values()) {
    const where = `${short(node.digest)} (line ${node.lines.join(', ')})`;
    if (node.trusted && node.unverified.length > 0) {
      const lines = [...new Set(node.unverified.flatMap((u) => u.lines))].sort((a, b) => a - b);
      report.skip(
        'bundle.signature',
        'DSSE_SIGNATURE_UNVERIFIED',
        where,
        `${node.unverified.length} signature(s) verified by no policy key (line ${lines.join(', ')}); not counted`,
      );
    }
    if (used.has(node.digest)) continue;
    if (!node.trusted)
      report.skip(
        'bundle.untrusted',
        'UNTRUSTED_SIGNER',
        where,
        'signed by no key the policy trusts; not part of the lineage graph',
      );
    else if (node.parseError)
      report.skip(
        'bundle.unreferenced',
        node.parseError.code,
        where,
        `not referenced by the chain: ${node.parseError.message}`,
      );
    else
      report.skip(
        'bundle.unreferenced',
        'UNREFERENCED',
        where,
        `${node.parsed!.stage} attestation not referenced by the chain`,
      );
  }
  for (const other of others) {
    report.skip(
      'bundle.other',
      'DSSE_PAYLOAD_TYPE_MISMATCH',
      `${short(other.payloadDigest)} (line ${other.lines.join(', ')})`,
      `payloadType ${JSON.stringify(other.envelope.payloadType)} is not ${JSON.stringify('application/vnd.in-toto+json')}: not an attestation, not checked`,
    );
  }

  return finish(report, subjectName, chain);
}

/** Limit codes of a bundle line that count as LIMIT_EXCEEDED in the report. */
const LIMIT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'LIMIT_EXCEEDED',
  'DSSE_TOO_MANY_SIGNATURES',
  'JSON_TOO_DEEP',
  'JSON_TOO_LARGE',
]);

function finish(report: ReportBuilder, subjectName: string, chain: ChainLink[]): ChainVerification {
  report.result({ subject: subjectName, ok: report.ok, chain });
  return { report: report.build(), chain };
}

function resolveSigners(node: Node, keyRevocations: KeyRevocations): void {
  if (!node.trusted) return;
  for (const s of node.signers) {
    const rejected = keyStanding(s.key, node.issuedAtNanos, keyRevocations);
    if (rejected) s.rejected = rejected;
  }
}

function subjectMatches(parsed: ParsedAttestationPayload, artifact: DigestSet, accepted: readonly string[]): boolean {
  return parsed.statement.subject.some((s) => matchDigestSets(s.digest, artifact, accepted).match);
}

type Approval = Extract<ParsedAttestationPayload, { stage: 'approval' }>;

function explainNoAnchor(
  report: ReportBuilder,
  subject: string,
  nodes: Map<string, Node>,
  artifact: DigestSet,
  accepted: readonly string[],
  candidates: Node[],
  approved: Node[],
  useCase: string | undefined,
): void {
  if (approved.length > 0) {
    const ids = approved.map((n) => (n.parsed as Approval).predicate.useCase.id);
    report.fail(
      'chain.approval',
      'USE_CASE_NOT_APPROVED',
      subject,
      `the artifact is approved only for other use cases: ${[...new Set(ids)].join(', ')}`,
      { expected: useCase ?? 'an allowed use case', actual: [...new Set(ids)].join(', ') },
    );
    return;
  }
  if (candidates.length > 0) {
    report.fail(
      'chain.approval',
      'APPROVAL_REJECTED',
      subject,
      'every trusted approval of the artifact has decision REJECTED',
      { expected: 'APPROVED', actual: 'REJECTED' },
    );
    return;
  }
  // Untrusted approvals of the artifact are named as skips: they explain, and never change the
  // failure (adding untrusted lines never changes a failed code).
  for (const node of nodes.values()) {
    if (node.trusted) continue;
    const stage = peekStage(node);
    if (stage?.stage === 'approval' && stage.subjects.some((d) => matchDigestSets(d, artifact, accepted).match)) {
      report.skip(
        'chain.approval.untrusted',
        'UNTRUSTED_SIGNER',
        subject,
        `an approval of the artifact (${short(node.digest)}, line ${node.lines.join(', ')}) is signed by no key the policy trusts`,
      );
    }
  }
  report.fail(
    'chain.approval',
    'SUBJECT_NOT_APPROVED',
    subject,
    'no trusted approval in the bundle is about this artifact',
    { expected: subject },
  );
}

const peekCache = new WeakMap<Node, { stage: string; subjects: DigestSet[] } | undefined>();
/** Read stage and subjects of an untrusted node for explanations only (never trusted). */
function peekStage(node: Node): { stage: string; subjects: DigestSet[] } | undefined {
  if (peekCache.has(node)) return peekCache.get(node);
  let out: { stage: string; subjects: DigestSet[] } | undefined;
  {
    try {
      const p = parseAttestationPayload(node.payload);
      out = { stage: p.stage, subjects: p.statement.subject.map((s) => s.digest) };
    } catch {
      out = undefined;
    }
  }
  peekCache.set(node, out);
  return out;
}

interface ChainContext {
  policy: Policy;
  artifact: DigestSet;
  accepted: readonly string[];
  asOfNanos: bigint;
  limits: Limits;
  revoked: Revoked;
  subjectName: string;
  tier: ReturnType<Policy['tierOf']>;
  used: Set<string>;
  /** Base models whose own chains must verify against the baseModels sub-policy. */
  baseModelQueue: Array<{ digest: DigestSet; from: string }>;
}

function linkOf(node: Node): ChainLink {
  const p = node.parsed!;
  return {
    stage: p.stage,
    payloadDigest: node.digest,
    predicateType: p.predicateType,
    signers: node.signers
      .filter((s) => !s.rejected)
      .map((s) => ({ keyid: keyidOf(s.key.publicKey), identity: s.key.identity, role: ROLE_OF_STAGE[p.stage] })),
    issuedAt: p.issuedAt,
    references: p.references.map((r) => r.digest),
  };
}

/** Steps 8–11 for one anchor approval. Returns the links of the chain, in stage order. */
function checkChain(report: ReportBuilder, anchor: Node, nodes: Map<string, Node>, ctx: ChainContext): ChainLink[] {
  const { policy } = ctx;
  const approval = anchor.parsed as Approval;

  // 8. Walk the references (promotions of this approval are starting points too)
  const promotions = [...nodes.values()].filter(
    (n) => n.trusted && n.parsed?.stage === 'promotion' && n.parsed.references.some((r) => r.digest === anchor.digest),
  );
  const problems = new Map<string, true>();
  const edgesOf = (d: string): string[] => {
    const n = nodes.get(d);
    if (!n?.trusted || !n.parsed) return [];
    // Revocations are not part of the lineage; a base model's own chain is checked separately
    // against the policy's baseModels section (step 10).
    if (n.parsed.stage === 'revocation') return [];
    return n.parsed.references.filter((r) => r.role !== 'base-model').map((r) => r.digest);
  };
  const roots = [...promotions.map((p) => p.digest), anchor.digest];
  const reached = new Set<string>();
  for (const root of roots) {
    const walk = walkReferences(root, edgesOf, ctx.limits.referenceDepth);
    for (const d of walk.reached) reached.add(d);
    for (const c of walk.cycles)
      report.fail(
        'chain.reference.cycle',
        'REFERENCE_CYCLE',
        short(c.from),
        `reference to ${short(c.to)} closes a cycle`,
      );
    for (const d of walk.tooDeep)
      report.fail(
        'chain.reference.depth',
        'LIMIT_EXCEEDED',
        short(d),
        `reference chain deeper than ${ctx.limits.referenceDepth}`,
      );
  }
  const linked: Node[] = [];
  for (const d of reached) {
    const n = nodes.get(d);
    if (n?.trusted && n.parsed) {
      linked.push(n);
      ctx.used.add(d);
    }
  }
  // Every reference of every linked node must resolve to a trusted node of the expected stage.
  const lineage = (n: Node) => n.parsed!.references.filter((r) => r.role !== 'base-model');
  for (const n of linked) {
    for (const ref of lineage(n)) checkReference(report, n, ref, nodes, problems);
  }
  let refsOk = true;
  for (const n of linked) for (const ref of lineage(n)) if (problems.has(`${n.digest}>${ref.digest}`)) refsOk = false;
  if (refsOk)
    report.pass(
      'chain.references',
      ctx.subjectName,
      `${linked.length} linked attestation(s); every reference resolves to a trusted attestation of the expected stage, issued no earlier than what it refers to`,
    );

  // 9. Per link
  const exclusions = separationExclusions(
    policy.document.separationOfDuties.pairs,
    linked.map((n) => ({ digest: n.digest, role: ROLE_OF_STAGE[n.parsed!.stage], signers: n.signers })),
  );
  for (const n of linked) checkLink(report, n, ctx, exclusions);

  // 10. Across links
  checkSubjects(report, linked, ctx);
  const byStage = (s: Stage) => linked.filter((n) => n.parsed!.stage === s);
  const evaluations = byStage('evaluation').filter((n) => approval.references.some((r) => r.digest === n.digest));
  const approvalTraining = approval.references.find((r) => r.role === 'training')?.digest;
  for (const e of evaluations) {
    const t = e.parsed!.references.find((r) => r.role === 'training')?.digest;
    if (t !== approvalTraining) {
      report.fail(
        'chain.consistency',
        'CHAIN_INCONSISTENT',
        short(e.digest),
        'the evaluation is of another training run than the one the approval relies on',
        { expected: approvalTraining ?? '(none)', actual: t ?? '(none)' },
      );
    } else {
      report.pass('chain.consistency', short(e.digest), 'the evaluation is of the training the approval relies on');
    }
  }
  // An evaluation's run does not start before the run of the training it evaluates finished.
  const linkedByDigest = new Map(linked.map((n) => [n.digest, n] as const));
  for (const e of byStage('evaluation')) {
    const t = e.parsed!.references.find((r) => r.role === 'training')?.digest;
    checkRunOrder(
      report,
      e.parsed!,
      t === undefined ? undefined : linkedByDigest.get(t)?.parsed,
      `evaluation ${short(e.digest)}`,
      FUTURE_SKEW_SECONDS,
    );
  }
  for (const pr of promotions) {
    const p = pr.parsed as Extract<ParsedAttestationPayload, { stage: 'promotion' }>;
    if (p.predicate.stage !== approval.predicate.stage) {
      report.fail(
        'chain.promotion',
        'PROMOTION_STAGE_MISMATCH',
        short(pr.digest),
        `deployed to ${p.predicate.stage} but approved for ${approval.predicate.stage}`,
        { expected: approval.predicate.stage, actual: p.predicate.stage },
      );
    } else {
      report.pass(
        'chain.promotion',
        short(pr.digest),
        `deployed to ${p.predicate.stage} (${p.predicate.environment}) as approved`,
      );
    }
  }
  for (const t of byStage('training')) checkBaseModel(report, t, ctx);
  checkHashing(
    report,
    policy.document.hashing,
    linked.map((n) => ({ digest: n.digest, parsed: n.parsed! })),
    { digest: anchor.digest, parsed: approval },
    ctx.artifact,
    ctx.accepted,
    ctx.limits,
  );
  for (const stage of policy.document.requiredStages) {
    const present = byStage(stage as Stage);
    if (present.length > 0)
      report.pass(`chain.stage.${stage}`, ctx.subjectName, `${stage} present (${present.length})`);
    else
      report.fail(
        `chain.stage.${stage}`,
        'STAGE_MISSING',
        ctx.subjectName,
        `required stage ${stage} is missing from the chain`,
        { expected: stage, actual: 'absent' },
      );
  }

  // 11. Approval gates
  checkApproval(
    report,
    anchor,
    evaluations.map((e) => e.parsed as Extract<ParsedAttestationPayload, { stage: 'evaluation' }>),
    ctx,
    exclusions,
  );

  const order: Stage[] = ['dataset', 'training', 'evaluation', 'approval', 'promotion'];
  return linked
    .sort(
      (a, b) =>
        order.indexOf(a.parsed!.stage) - order.indexOf(b.parsed!.stage) ||
        (a.issuedAtNanos! < b.issuedAtNanos! ? -1 : 1),
    )
    .map(linkOf);
}

function checkReference(
  report: ReportBuilder,
  from: Node,
  ref: StatementReference,
  nodes: Map<string, Node>,
  problems: Map<string, true>,
): void {
  const at = `${short(from.digest)} ${ref.path}`;
  const target = nodes.get(ref.digest);
  const fail = (code: ErrorCode, message: string, extra: { expected?: string; actual?: string } = {}) => {
    problems.set(`${from.digest}>${ref.digest}`, true);
    report.fail('chain.reference', code, at, message, extra);
  };
  if (!target?.trusted) {
    // An untrusted copy explains (a skip) but is never a different failure than no copy at all.
    if (target)
      report.skip(
        'chain.reference.untrusted',
        'REFERENCE_UNTRUSTED',
        at,
        `an envelope with payload ${short(ref.digest)} (line ${target.lines.join(', ')}) is signed by no key the policy trusts`,
      );
    return fail(
      'REFERENCE_UNRESOLVED',
      `refers to ${short(ref.digest)} (${ref.role}), which no envelope signed by a trusted key carries`,
      { expected: ref.digest },
    );
  }
  if (!target.parsed) {
    const code = target.parseError?.code === 'PREDICATE_TYPE_UNKNOWN' ? 'PREDICATE_TYPE_UNKNOWN' : 'REFERENCE_INVALID';
    return fail(
      code,
      `refers to ${short(ref.digest)}, which is not a valid attestation: ${target.parseError?.message ?? 'unreadable'}`,
    );
  }
  if (ref.stage !== undefined && target.parsed.stage !== ref.stage) {
    return fail(
      'REFERENCE_STAGE_MISMATCH',
      `refers to a ${target.parsed.stage} attestation where a ${ref.stage} is required`,
      { expected: ref.stage, actual: target.parsed.stage },
    );
  }
  // Issued before the thing it is about?
  if (
    from.issuedAtNanos !== undefined &&
    target.issuedAtNanos !== undefined &&
    from.issuedAtNanos < target.issuedAtNanos
  ) {
    problems.set(`${from.digest}>${ref.digest}`, true);
    report.fail(
      'chain.time.order',
      'TIME_ORDER_VIOLATION',
      at,
      `issued ${from.parsed!.issuedAt}, before the ${target.parsed.stage} it refers to (${target.parsed.issuedAt})`,
      { expected: `>= ${target.parsed.issuedAt}`, actual: from.parsed!.issuedAt },
    );
  }
}

function checkLink(report: ReportBuilder, n: Node, ctx: ChainContext, exclusions: Exclusions): void {
  const p = n.parsed!;
  const subject = `${p.stage} ${short(n.digest)}`;
  const role = ROLE_OF_STAGE[p.stage];
  // Keys: rejected ones explained.
  for (const s of n.signers)
    if (s.rejected) report.fail('chain.key', s.rejected.code, subject, s.rejected.message, { actual: s.key.name });
  const valid = n.signers.filter((s) => !s.rejected);
  const inRole = valid.filter((s) => s.key.roles.includes(role));
  const outOfRole = valid.filter((s) => !s.key.roles.includes(role));
  if (p.stage !== 'approval') {
    // Approvals are counted by the approval gate (tier approvers, separation of duties).
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
  // Claimed identity
  const claimed = p.attester.id;
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
  // Future
  if (n.issuedAtNanos! > ctx.asOfNanos + BigInt(FUTURE_SKEW_SECONDS) * NS_PER_S) {
    report.fail(
      'chain.time.future',
      'EVIDENCE_FROM_FUTURE',
      subject,
      `issued ${p.issuedAt}, after the verification time plus ${FUTURE_SKEW_SECONDS} s`,
      { expected: `<= asOf + ${FUTURE_SKEW_SECONDS}s`, actual: p.issuedAt },
    );
  } else {
    report.pass('chain.time.future', subject, `issued ${p.issuedAt}, not after the verification time`);
  }
  // Run times: not after the attestation's own issuedAt, nor after the verification time
  checkRunTimes(report, p, subject, ctx.asOfNanos, FUTURE_SKEW_SECONDS);
  // Revoked
  const why = ctx.revoked.payloads.get(n.digest);
  const datasetRevoked =
    p.stage === 'dataset'
      ? ctx.revoked.datasets.find((r) =>
          p.statement.subject.some((s) => matchDigestSets(r.digest, s.digest, ctx.accepted).match),
        )
      : undefined;
  if (why) report.fail('chain.revocation', 'REVOKED', subject, `the attestation is revoked (${why})`, { actual: why });
  if (datasetRevoked)
    report.fail('chain.revocation', 'REVOKED', subject, `the dataset is revoked (${datasetRevoked.reason})`, {
      actual: datasetRevoked.reason,
    });
  if (!why && !datasetRevoked) report.pass('chain.revocation', subject, 'no revocation in effect applies');
}

function checkSubjects(report: ReportBuilder, linked: Node[], ctx: ChainContext): void {
  for (const n of linked) {
    const p = n.parsed!;
    // A promotion is about the model it deploys: one of another artifact that refers to this
    // approval must not stand in for this model's deployment record.
    if (p.stage !== 'training' && p.stage !== 'evaluation' && p.stage !== 'approval' && p.stage !== 'promotion')
      continue;
    const subject = `${p.stage} ${short(n.digest)}`;
    if (subjectMatches(p, ctx.artifact, ctx.accepted))
      report.pass('chain.subject', subject, `is about the artifact ${ctx.subjectName}`);
    else
      report.fail(
        'chain.subject',
        'SUBJECT_MISMATCH',
        subject,
        `is about ${p.statement.subject.map((s) => digestText(s.digest)).join(', ')}, not the artifact`,
        { expected: ctx.subjectName, actual: p.statement.subject.map((s) => short(digestText(s.digest))).join(', ') },
      );
  }
  const modelRevoked = ctx.revoked.models.find((r) => matchDigestSets(r.digest, ctx.artifact, ctx.accepted).match);
  if (modelRevoked) {
    report.fail('chain.revocation', 'REVOKED', ctx.subjectName, `the model is revoked (${modelRevoked.reason})`, {
      actual: modelRevoked.reason,
    });
  }
}

/**
 * A fine-tune's base model (a `base-model` dependency of its training) must be allowed by the
 * policy's `baseModels`: a pinned digest, or a chain that verifies against the sub-policy. The
 * sub-policy chains are queued and verified after this one, iteratively (depth at most
 * `limits.baseModelDepth`), by {@link verifyChain}.
 */
function checkBaseModel(report: ReportBuilder, training: Node, ctx: ChainContext): void {
  const p = training.parsed as Extract<ParsedAttestationPayload, { stage: 'training' }>;
  const bases = p.predicate.buildDefinition.resolvedDependencies.filter(
    (d): d is Extract<typeof d, { name: 'base-model' }> => d.name === 'base-model',
  );
  const subject = `training ${short(training.digest)}`;
  const spec = ctx.policy.document.baseModels;
  for (const base of bases) {
    const text = digestText(base.digest);
    if (!spec) {
      report.skip(
        'chain.baseModel',
        'BASE_MODEL_UNCHECKED',
        subject,
        `base model ${short(text)} is not checked: the policy has no baseModels section`,
      );
      continue;
    }
    const pinned = (spec.pinned ?? []).find(
      (pin) => matchDigestSets(digestSetFromText(pin.digest, 'baseModels.pinned'), base.digest, ctx.accepted).match,
    );
    if (pinned) {
      report.pass(
        'chain.baseModel',
        subject,
        `base model ${short(text)} is pinned by the policy${pinned.name ? ` (${pinned.name})` : ''}`,
      );
    } else if (spec.policy) {
      ctx.baseModelQueue.push({ digest: base.digest, from: subject });
      report.pass(
        'chain.baseModel.queued',
        subject,
        `base model ${short(text)} is not pinned; its own chain is verified against the baseModels sub-policy`,
      );
    } else {
      report.fail(
        'chain.baseModel',
        'BASE_MODEL_NOT_ALLOWED',
        subject,
        `base model ${short(text)} is neither pinned nor covered by a sub-policy`,
        {
          expected: (spec.pinned ?? []).map((x) => short(x.digest)).join(', ') || 'a pinned digest',
          actual: short(text),
        },
      );
    }
  }
}

function checkApproval(
  report: ReportBuilder,
  anchor: Node,
  evaluations: Array<Extract<ParsedAttestationPayload, { stage: 'evaluation' }>>,
  ctx: ChainContext,
  exclusions: Exclusions,
): void {
  const approval = anchor.parsed as Approval;
  const subject = `approval ${short(anchor.digest)}`;
  const tier = ctx.tier;
  if (!tier) {
    report.fail(
      'approval.tier',
      'USE_CASE_NOT_ALLOWED',
      subject,
      `the approval's use case ${JSON.stringify(approval.predicate.useCase.id)} is not allowed by the policy`,
    );
    return;
  }
  if (approval.predicate.riskTier === tier.name) report.pass('approval.tier', subject, `risk tier ${tier.name}`);
  else
    report.fail(
      'approval.tier',
      'RISK_TIER_MISMATCH',
      subject,
      `approved as tier ${approval.predicate.riskTier}, but the policy puts the use case in ${tier.name}`,
      { expected: tier.name, actual: approval.predicate.riskTier },
    );

  // Approvers: distinct identities with distinct keys, holding the role, minus separation of duties.
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

  // Validity window: notBefore <= asOf < min(expires, issuedAt + max age)
  const nb = nanos(approval.predicate.notBefore);
  const maxAge = anchor.issuedAtNanos! + BigInt(Math.round(tier.tier.maxApprovalAgeDays * 86400)) * NS_PER_S;
  const exp = nanos(approval.predicate.expires);
  const end = exp < maxAge ? exp : maxAge;
  const endText =
    exp < maxAge
      ? approval.predicate.expires
      : `${formatTimestamp(Number(maxAge / 1_000_000n))} (issuedAt + ${tier.tier.maxApprovalAgeDays} days)`;
  if (ctx.asOfNanos < nb)
    report.fail('approval.window', 'APPROVAL_NOT_YET_VALID', subject, `valid from ${approval.predicate.notBefore}`, {
      expected: `>= ${approval.predicate.notBefore}`,
      actual: formatTimestamp(Number(ctx.asOfNanos / 1_000_000n)),
    });
  else if (ctx.asOfNanos >= end)
    report.fail('approval.window', 'APPROVAL_EXPIRED', subject, `expired at ${endText}`, {
      expected: `< ${endText}`,
      actual: formatTimestamp(Number(ctx.asOfNanos / 1_000_000n)),
    });
  else report.pass('approval.window', subject, `valid from ${approval.predicate.notBefore} until ${endText}`);

  // Evaluations
  if (evaluations.length === 0) {
    report.fail('approval.evaluations', 'STAGE_MISSING', subject, 'the approval relies on no trusted evaluation');
    return;
  }
  for (const e of evaluations) {
    const r = e.predicate.result;
    const es = `evaluation ${short(e.payloadDigest)}`;
    if (r === 'FAILED')
      report.fail('evaluation.result', 'EVALUATION_FAILED', es, 'result FAILED', { expected: 'PASSED', actual: r });
    else if (r === 'WARNED' && !tier.tier.allowWarned)
      report.fail('evaluation.result', 'EVALUATION_WARNED', es, `result WARNED is not accepted for tier ${tier.name}`, {
        expected: 'PASSED',
        actual: r,
      });
    else
      report.pass('evaluation.result', es, `result ${r}${r === 'WARNED' ? ` (accepted for tier ${tier.name})` : ''}`);
  }
  const metrics = evaluations.flatMap((e) => e.predicate.metrics.map((m) => ({ ...m, from: e.payloadDigest })));
  for (const cat of tier.tier.requiredEvaluationCategories) {
    if (metrics.some((m) => m.category === cat))
      report.pass(`evaluation.category.${cat}`, subject, `category ${cat} is evaluated`);
    else
      report.fail(
        `evaluation.category.${cat}`,
        'EVALUATION_CATEGORY_MISSING',
        subject,
        `tier ${tier.name} requires an evaluation of category ${cat}`,
        { expected: cat, actual: [...new Set(metrics.map((m) => m.category))].join(', ') || 'none' },
      );
  }
  const gated = new Set<string>();
  for (const gate of tier.tier.metricGates) {
    gated.add(gate.name);
    const found = metrics.filter((m) => m.name === gate.name);
    const want = `${gate.min !== undefined ? `>= ${gate.min}` : ''}${gate.min !== undefined && gate.max !== undefined ? ' and ' : ''}${gate.max !== undefined ? `<= ${gate.max}` : ''}`;
    if (found.length === 0) {
      report.fail(
        `evaluation.metric.${gate.name}`,
        'METRIC_MISSING',
        subject,
        `the policy gates metric ${gate.name}, which no evaluation reports`,
        { expected: want, actual: 'absent' },
      );
      continue;
    }
    for (const m of found) {
      const ok = (gate.min === undefined || m.value >= gate.min) && (gate.max === undefined || m.value <= gate.max);
      if (ok)
        report.pass(
          `evaluation.metric.${gate.name}`,
          `evaluation ${short(m.from)}`,
          `${m.name} = ${m.value} meets the policy gate ${want}`,
          { expected: want, actual: String(m.value) },
        );
      else
        report.fail(
          `evaluation.metric.${gate.name}`,
          'METRIC_GATE_FAILED',
          `evaluation ${short(m.from)}`,
          `${m.name} = ${m.value} fails the policy gate ${want}`,
          { expected: want, actual: String(m.value) },
        );
    }
  }
  for (const m of metrics) {
    if (gated.has(m.name) || m.threshold === undefined) continue;
    const ok = m.higherIsBetter ? m.value >= m.threshold : m.value <= m.threshold;
    const want = `${m.higherIsBetter ? '>=' : '<='} ${m.threshold}`;
    if (ok)
      report.pass(
        `evaluation.metric.${m.name}`,
        `evaluation ${short(m.from)}`,
        `${m.name} = ${m.value} meets its declared threshold ${want}`,
        { expected: want, actual: String(m.value) },
      );
    else
      report.fail(
        `evaluation.metric.${m.name}`,
        'METRIC_GATE_FAILED',
        `evaluation ${short(m.from)}`,
        `${m.name} = ${m.value} fails its declared threshold ${want}`,
        { expected: want, actual: String(m.value) },
      );
  }
}
