/**
 * Step 7 of chain verification (spec/verification.md): the anchor — the trusted APPROVED
 * approvals of the artifact for the use case — or, when there is none, the one failure that the
 * trusted approvals explain. Untrusted approvals of the artifact are named as skips, never as
 * the failure: adding untrusted lines never changes a failed code.
 */
import { matchDigestSets, type DigestSet, shortDigestText } from '../digest/index.js';
import { parseAttestationPayload } from '../statements/predicates/index.js';
import { isStage, type Node, type ParsedNode } from './authenticate.js';
import { FUTURE_SKEW_SECONDS, NS_PER_S, subjectMatches, type LevelContext } from './context.js';

/** The approvals of the artifact, from the widest to the anchors. */
export interface Anchors {
  /** Trusted approvals of the artifact, most recent first. */
  candidates: Array<ParsedNode<'approval'>>;
  /** Those with decision APPROVED. */
  approved: Array<ParsedNode<'approval'>>;
  /** Those for the use case (or any allowed use case), before the caller's further requirements. */
  matching: Array<ParsedNode<'approval'>>;
  /** Of those, the ones for the required stage (all when no stage is required). */
  rightStage: Array<ParsedNode<'approval'>>;
  /** Of those, the ones of a tier ranked at least the minimum (all when none is required). */
  rightTier: Array<ParsedNode<'approval'>>;
  /** Approvals that a later REJECTED approval by a trusted approver voids, with the rejection. */
  voided: Array<{ node: ParsedNode<'approval'>; by: ParsedNode<'approval'> }>;
  /** The rest: the anchors, most recent first. */
  forUseCase: Array<ParsedNode<'approval'>>;
}

/**
 * A REJECTED approval is a veto when a key of the approver role signed it (and does not stand
 * rejected), and it is not from the future. Its threshold does not matter: one trusted approver
 * saying no is enough to void earlier approvals (decisions §13).
 */
function isVeto(n: ParsedNode<'approval'>, level: LevelContext): boolean {
  return (
    n.parsed.predicate.decision === 'REJECTED' &&
    n.issuedAtNanos <= level.asOfNanos + BigInt(FUTURE_SKEW_SECONDS) * NS_PER_S &&
    n.signers.some((s) => s.rejected === undefined && s.key.roles.includes('approver'))
  );
}

/** Step 7: the anchors for the level's artifact and use case. */
export function findAnchors(nodes: Map<string, Node>, level: LevelContext): Anchors {
  const { policy, artifact, accepted } = level;
  const candidates = [...nodes.values()]
    .filter((n): n is ParsedNode<'approval'> => isStage(n, 'approval') && subjectMatches(n.parsed, artifact, accepted))
    .sort((a, b) => (a.issuedAtNanos > b.issuedAtNanos ? -1 : a.issuedAtNanos < b.issuedAtNanos ? 1 : 0));
  const approved = candidates.filter((n) => n.parsed.predicate.decision === 'APPROVED');
  const matching = approved.filter((n) => {
    const id = n.parsed.predicate.useCase.id;
    return level.anyUseCase ? policy.tierOf(id) !== undefined : level.useCase !== undefined && id === level.useCase;
  });
  const { stage, minTier } = level.require;
  const rightStage = stage === undefined ? matching : matching.filter((n) => n.parsed.predicate.stage === stage);
  const rightTier =
    minTier === undefined
      ? rightStage
      : rightStage.filter((n) => (policy.tierOf(n.parsed.predicate.useCase.id)?.tier.rank ?? -1) >= minTier.rank);
  const vetoes = candidates.filter((n) => isVeto(n, level));
  const voided: Anchors['voided'] = [];
  const forUseCase = rightTier.filter((n) => {
    const by = vetoes.find(
      (v) => v.parsed.predicate.useCase.id === n.parsed.predicate.useCase.id && v.issuedAtNanos > n.issuedAtNanos,
    );
    if (by) voided.push({ node: n, by });
    return by === undefined;
  });
  return { candidates, approved, matching, rightStage, rightTier, voided, forUseCase };
}

/**
 * Step 7 without an anchor: STAGE_NOT_APPROVED, TIER_BELOW_MINIMUM, APPROVAL_VOIDED,
 * USE_CASE_NOT_APPROVED, APPROVAL_REJECTED or SUBJECT_NOT_APPROVED.
 */
export function explainNoAnchor(level: LevelContext, nodes: Map<string, Node>, anchors: Anchors): void {
  const { report, subjectName: subject } = level;
  if (explainRequirement(level, anchors)) return;
  if (anchors.approved.length > 0) {
    const ids = [...new Set(anchors.approved.map((n) => n.parsed.predicate.useCase.id))].join(', ');
    report.fail(
      'chain.approval',
      'USE_CASE_NOT_APPROVED',
      subject,
      `the artifact is approved only for other use cases: ${ids}`,
      { expected: (level.anyUseCase ? undefined : level.useCase) ?? 'an allowed use case', actual: ids },
    );
    return;
  }
  if (anchors.candidates.length > 0) {
    report.fail(
      'chain.approval',
      'APPROVAL_REJECTED',
      subject,
      'every trusted approval of the artifact has decision REJECTED',
      { expected: 'APPROVED', actual: 'REJECTED' },
    );
    return;
  }
  for (const node of nodes.values()) {
    if (node.state !== 'untrusted') continue;
    const stage = peekStage(node);
    if (
      stage?.stage === 'approval' &&
      stage.subjects.some((d) => matchDigestSets(d, level.artifact, level.accepted).match)
    ) {
      report.skip(
        'chain.approval.untrusted',
        'UNTRUSTED_SIGNER',
        subject,
        `an approval of the artifact (${shortDigestText(node.digest)}, line ${node.lines.join(', ')}) is signed by no key the policy trusts`,
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
  try {
    const p = parseAttestationPayload(node.payload);
    out = { stage: p.stage, subjects: p.statement.subject.map((s) => s.digest) };
  } catch {
    out = undefined;
  }
  peekCache.set(node, out);
  return out;
}

/** Approvals for the use case exist, but the stage, the tier or a later rejection rules them all out. */
function explainRequirement(level: LevelContext, anchors: Anchors): boolean {
  const { report, subjectName: subject } = level;
  const { stage, minTier } = level.require;
  if (anchors.matching.length > 0 && anchors.rightStage.length === 0) {
    const stages = [...new Set(anchors.matching.map((n) => n.parsed.predicate.stage))].join(', ');
    report.fail('chain.approval', 'STAGE_NOT_APPROVED', subject, `the artifact is approved only for ${stages}`, {
      expected: stage!,
      actual: stages,
    });
    return true;
  }
  if (anchors.rightStage.length > 0 && anchors.rightTier.length === 0) {
    const tiers = [
      ...new Set(anchors.rightStage.map((n) => level.policy.tierOf(n.parsed.predicate.useCase.id)?.name ?? '?')),
    ].join(', ');
    report.fail(
      'chain.approval',
      'TIER_BELOW_MINIMUM',
      subject,
      `the artifact is approved only for use cases of tier ${tiers}, ranked below ${minTier!.name} (rank ${minTier!.rank})`,
      { expected: `a tier of rank >= ${minTier!.rank}`, actual: tiers },
    );
    return true;
  }
  if (anchors.rightTier.length > 0 && anchors.forUseCase.length === 0) {
    report.fail(
      'chain.approval',
      'APPROVAL_VOIDED',
      subject,
      'every matching approval is voided by a later REJECTED approval of the same use case from a trusted approver',
      { expected: 'an APPROVED decision not rejected since', actual: 'REJECTED later' },
    );
    return true;
  }
  return false;
}

/** Step 7 (continued): each voided approval is listed, naming the rejection that voids it. */
export function reportVoided(level: LevelContext, anchors: Anchors): void {
  for (const { node, by } of anchors.voided)
    level.report.skip(
      'chain.approval.voided',
      'APPROVAL_VOIDED',
      shortDigestText(node.digest),
      `approval ${shortDigestText(node.digest)} for ${node.parsed.predicate.useCase.id} is voided by the later REJECTED approval ${shortDigestText(by.digest)} (line ${by.lines.join(', ')})`,
      { actual: shortDigestText(by.digest) },
    );
}
