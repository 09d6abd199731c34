/**
 * Steps 8–11 of chain verification (spec/verification.md) for the anchors of step 7: each
 * candidate approval's chain is checked on scratch reports, and the first that passes (most
 * recent first) is kept — else the most recent, whose failures explain the verdict.
 */
import { keyidOf } from '../keys/keyid.js';
import { ReportBuilder, type ChainLink, type Check } from '../report/index.js';
import type { Stage } from '../statements/predicates/common.js';
import { checkAcrossLinks } from './across.js';
import { checkApproval } from './approval/index.js';
import { isStage, type Node, type ParsedNode } from './authenticate.js';
import { ROLE_OF_STAGE, type ChainContext, type LevelContext, type QueuedBaseModel } from './context.js';
import { checkLink } from './links.js';
import { walkLineage } from './references.js';
import type { Revoked } from './revocations.js';
import { separationExclusions } from './separation.js';

/** The checked chain of one anchor. */
export interface CheckedChain {
  /** Checks of steps 8–10. */
  links: readonly Check[];
  /** Checks of step 11 (the approval gates). */
  gates: readonly Check[];
  /** The links of the chain, in stage order. */
  chain: ChainLink[];
  /** Payload digests the chain uses. */
  used: Set<string>;
  /** Base models whose own chains must verify against the baseModels sub-policy. */
  queue: QueuedBaseModel[];
}

/** Steps 8–11 for each anchor in turn: the first chain that passes, else the most recent one's. */
export function chooseChain(
  level: LevelContext,
  anchors: ReadonlyArray<ParsedNode<'approval'>>,
  nodes: Map<string, Node>,
  revoked: Revoked,
): CheckedChain | undefined {
  let best: CheckedChain | undefined;
  for (const anchor of anchors) {
    const ctx: ChainContext = {
      policy: level.policy,
      artifact: level.artifact,
      accepted: level.accepted,
      asOfNanos: level.asOfNanos,
      limits: level.limits,
      revoked,
      subjectName: level.subjectName,
      tier: level.tier ?? level.policy.tierOf(anchor.parsed.predicate.useCase.id),
      used: new Set(),
      baseModelQueue: [],
      ...(level.require.environment === undefined ? {} : { environment: level.require.environment }),
    };
    const candidate = checkChain(level, anchor, nodes, ctx);
    best ??= candidate;
    if (![...candidate.links, ...candidate.gates].some((c) => c.status === 'fail')) return candidate;
  }
  return best;
}

/** Steps 8–11 for one anchor approval, on scratch reports. */
function checkChain(
  level: LevelContext,
  anchor: ParsedNode<'approval'>,
  nodes: Map<string, Node>,
  ctx: ChainContext,
): CheckedChain {
  const links = new ReportBuilder('chain', level.asOfText, level.policy.digest);
  const gates = new ReportBuilder('chain', level.asOfText, level.policy.digest);
  // 8. Walk the references (promotions of this approval are starting points too)
  const lineage = walkLineage(links, anchor, nodes, ctx);
  // 9. Per link
  const exclusions = separationExclusions(
    ctx.policy.document.separationOfDuties.pairs,
    lineage.linked.map((n) => ({ digest: n.digest, role: ROLE_OF_STAGE[n.parsed.stage], signers: n.signers })),
  );
  for (const n of lineage.linked) checkLink(links, n, ctx, exclusions);
  // 10. Across links
  const evaluations = checkAcrossLinks(links, anchor, lineage, ctx);
  // 11. Approval gates
  const registration = lineage.linked.find(
    (n): n is ParsedNode<'registration'> =>
      isStage(n, 'registration') && anchor.parsed.references.some((r) => r.digest === n.digest),
  );
  checkApproval(gates, anchor, evaluations, registration, ctx, exclusions);
  return {
    links: links.checks,
    gates: gates.checks,
    chain: inStageOrder(lineage.linked).map(linkOf),
    used: ctx.used,
    queue: ctx.baseModelQueue,
  };
}

const STAGE_ORDER: readonly Stage[] = ['dataset', 'training', 'registration', 'evaluation', 'approval', 'promotion'];

function inStageOrder(linked: ParsedNode[]): ParsedNode[] {
  return [...linked].sort(
    (a, b) =>
      STAGE_ORDER.indexOf(a.parsed.stage) - STAGE_ORDER.indexOf(b.parsed.stage) ||
      (a.issuedAtNanos < b.issuedAtNanos ? -1 : 1),
  );
}

function linkOf(node: ParsedNode): ChainLink {
  const p = node.parsed;
  return {
    stage: p.stage,
    payloadDigest: node.digest,
    predicateType: p.predicateType,
    signers: node.signers
      .filter((s) => !s.rejected)
      .map((s) => ({
        keyid: s.key.certificate ? `certificate:sha256:${s.key.certificate.fingerprint}` : keyidOf(s.key.publicKey),
        identity: s.key.identity,
        role: ROLE_OF_STAGE[p.stage],
      })),
    issuedAt: p.issuedAt,
    references: p.references.map((r) => r.digest),
  };
}
