/**
 * Step 8 of chain verification (spec/verification.md): walk the references from the anchor (and
 * from the promotions that refer to it). Every reference must resolve to a trusted attestation
 * of the expected stage, issued no later than what refers to it; no cycle; depth within the limit.
 */
import { shortDigestText } from '../digest/index.js';
import type { ErrorCode } from '../errors.js';
import type { ReportBuilder } from '../report/index.js';
import type { StatementReference } from '../statements/predicates/index.js';
import { isParsed, isStage, type Node, type ParsedNode } from './authenticate.js';
import type { ChainContext } from './context.js';

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

/** A node's lineage references: base models are checked against the policy instead (step 10). */
export function lineage(n: ParsedNode): StatementReference[] {
  return n.parsed.references.filter((r) => r.role !== 'base-model');
}

/** Step 8's outcome: the trusted attestations the chain links, and the anchor's promotions. */
export interface Lineage {
  linked: ParsedNode[];
  promotions: Array<ParsedNode<'promotion'>>;
}

/** Step 8: walk from the anchor and its promotions; check every reference of every linked node. */
export function walkLineage(
  report: ReportBuilder,
  anchor: ParsedNode<'approval'>,
  nodes: Map<string, Node>,
  ctx: ChainContext,
): Lineage {
  const promotions = [...nodes.values()].filter(
    (n): n is ParsedNode<'promotion'> =>
      isStage(n, 'promotion') && n.parsed.references.some((r) => r.digest === anchor.digest),
  );
  const edgesOf = (d: string): string[] => {
    const n = nodes.get(d);
    // Revocations are not part of the lineage.
    if (!isParsed(n) || n.parsed.stage === 'revocation') return [];
    return lineage(n).map((r) => r.digest);
  };
  const reached = new Set<string>();
  for (const root of [...promotions.map((p) => p.digest), anchor.digest]) {
    const walk = walkReferences(root, edgesOf, ctx.limits.referenceDepth);
    for (const d of walk.reached) reached.add(d);
    for (const c of walk.cycles)
      report.fail(
        'chain.reference.cycle',
        'REFERENCE_CYCLE',
        shortDigestText(c.from),
        `reference to ${shortDigestText(c.to)} closes a cycle`,
      );
    for (const d of walk.tooDeep)
      report.fail(
        'chain.reference.depth',
        'LIMIT_EXCEEDED',
        shortDigestText(d),
        `reference chain deeper than ${ctx.limits.referenceDepth}`,
      );
  }
  const linked: ParsedNode[] = [];
  for (const d of reached) {
    const n = nodes.get(d);
    if (isParsed(n)) {
      linked.push(n);
      ctx.used.add(d);
    }
  }
  ctx.pathToAnchor = pathsToAnchor(anchor, nodes, edgesOf, reached);
  let refsOk = true;
  for (const n of linked) for (const ref of lineage(n)) if (!checkReference(report, n, ref, nodes)) refsOk = false;
  if (refsOk)
    report.pass(
      'chain.references',
      ctx.subjectName,
      `${linked.length} linked attestation(s); every reference resolves to a trusted attestation of the expected stage, issued no earlier than what it refers to`,
    );
  return { linked, promotions };
}

/** One reference of a linked node. @returns whether it resolved without a problem */
function checkReference(
  report: ReportBuilder,
  from: ParsedNode,
  ref: StatementReference,
  nodes: Map<string, Node>,
): boolean {
  const at = `${shortDigestText(from.digest)} ${ref.path}`;
  const target = nodes.get(ref.digest);
  const fail = (code: ErrorCode, message: string, extra: { expected?: string; actual?: string } = {}) => {
    report.fail('chain.reference', code, at, message, extra);
    return false;
  };
  if (target === undefined || target.state === 'untrusted') {
    // An untrusted copy explains (a skip) but is never a different failure than no copy at all.
    if (target)
      report.skip(
        'chain.reference.untrusted',
        'REFERENCE_UNTRUSTED',
        at,
        `an envelope with payload ${shortDigestText(ref.digest)} (line ${target.lines.join(', ')}) is signed by no key the policy trusts`,
      );
    return fail(
      'REFERENCE_UNRESOLVED',
      `refers to ${shortDigestText(ref.digest)} (${ref.role}), which no envelope signed by a trusted key carries`,
      { expected: ref.digest },
    );
  }
  if (target.state === 'invalid') {
    const code = target.error.code === 'PREDICATE_TYPE_UNKNOWN' ? 'PREDICATE_TYPE_UNKNOWN' : 'REFERENCE_INVALID';
    return fail(
      code,
      `refers to ${shortDigestText(ref.digest)}, which is not a valid attestation: ${target.error.message}`,
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
  if (from.issuedAtNanos < target.issuedAtNanos) {
    report.fail(
      'chain.time.order',
      'TIME_ORDER_VIOLATION',
      at,
      `issued ${from.parsed.issuedAt}, before the ${target.parsed.stage} it refers to (${target.parsed.issuedAt})`,
      { expected: `>= ${target.parsed.issuedAt}`, actual: from.parsed.issuedAt },
    );
    return false;
  }
  return true;
}

/**
 * How the anchor depends on each linked attestation: a shortest path of references from the
 * anchor (breadth first over the nodes already reached), written from the attestation up, e.g.
 * `dataset sha256:ab… -> training sha256:cd… -> evaluation sha256:ef… -> approval sha256:01…`.
 */
function pathsToAnchor(
  anchor: ParsedNode<'approval'>,
  nodes: Map<string, Node>,
  edgesOf: (d: string) => string[],
  reached: Set<string>,
): (digest: string) => string {
  const parent = new Map<string, string>();
  const queue = [anchor.digest];
  for (let i = 0; i < queue.length; i++) {
    const d = queue[i]!;
    for (const e of edgesOf(d)) {
      if (e === anchor.digest || parent.has(e) || !reached.has(e)) continue;
      parent.set(e, d);
      queue.push(e);
    }
  }
  const label = (d: string) => {
    const n = nodes.get(d);
    return `${isParsed(n) ? n.parsed.stage : 'attestation'} ${shortDigestText(d)}`;
  };
  return (digest) => {
    const path = [digest];
    for (let d = parent.get(digest); d !== undefined; d = parent.get(d)) path.push(d);
    return path.map(label).join(' -> ');
  };
}
