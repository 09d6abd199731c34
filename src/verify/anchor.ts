/**
 * Step 7 of chain verification (spec/verification.md): the anchor — the trusted APPROVED
 * approvals of the artifact for the use case — or, when there is none, the one failure that the
 * trusted approvals explain. Untrusted approvals of the artifact are named as skips, never as
 * the failure: adding untrusted lines never changes a failed code.
 */
import { matchDigestSets, type DigestSet, shortDigestText } from '../digest/index.js';
import { parseAttestationPayload } from '../statements/predicates/index.js';
import { isStage, type Node, type ParsedNode } from './authenticate.js';
import { subjectMatches, type LevelContext } from './context.js';

/** The approvals of the artifact, from the widest to the anchors. */
export interface Anchors {
  /** Trusted approvals of the artifact, most recent first. */
  candidates: Array<ParsedNode<'approval'>>;
  /** Those with decision APPROVED. */
  approved: Array<ParsedNode<'approval'>>;
  /** Those for the use case (or any allowed use case): the anchors, most recent first. */
  forUseCase: Array<ParsedNode<'approval'>>;
}

/** Step 7: the anchors for the level's artifact and use case. */
export function findAnchors(nodes: Map<string, Node>, level: LevelContext): Anchors {
  const { policy, artifact, accepted } = level;
  const candidates = [...nodes.values()]
    .filter((n): n is ParsedNode<'approval'> => isStage(n, 'approval') && subjectMatches(n.parsed, artifact, accepted))
    .sort((a, b) => (a.issuedAtNanos > b.issuedAtNanos ? -1 : a.issuedAtNanos < b.issuedAtNanos ? 1 : 0));
  const approved = candidates.filter((n) => n.parsed.predicate.decision === 'APPROVED');
  const forUseCase = approved.filter((n) => {
    const id = n.parsed.predicate.useCase.id;
    return level.anyUseCase ? policy.tierOf(id) !== undefined : level.useCase !== undefined && id === level.useCase;
  });
  return { candidates, approved, forUseCase };
}

/** Step 7 without an anchor: USE_CASE_NOT_APPROVED, APPROVAL_REJECTED or SUBJECT_NOT_APPROVED. */
export function explainNoAnchor(level: LevelContext, nodes: Map<string, Node>, anchors: Anchors): void {
  const { report, subjectName: subject } = level;
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
