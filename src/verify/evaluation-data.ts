/**
 * Step 10 (across links), when the tier asks for it (`riskTiers.*.distinctEvaluationData`): an
 * evaluation's data differs, by digest, from the data of the training it evaluates — the
 * datasets the training refers to (their attestations' subjects) and the dataset manifests it
 * pins. A model evaluated on its own training data says little about how it generalises.
 */
import { matchDigestSets, shortDigestText, digestText, type DigestSet } from '../digest/index.js';
import type { ReportBuilder } from '../report/index.js';
import { isStage, type ParsedNode } from './authenticate.js';
import type { ChainContext } from './context.js';

/** The digests of the data a training used. */
function trainingData(t: ParsedNode<'training'>, byDigest: Map<string, ParsedNode>): DigestSet[] {
  const out: DigestSet[] = [];
  for (const r of t.parsed.references) {
    if (r.role !== 'dataset') continue;
    const d = byDigest.get(r.digest);
    if (d) out.push(...d.parsed.statement.subject.map((s) => s.digest));
  }
  for (const dep of t.parsed.predicate.buildDefinition.resolvedDependencies)
    if (dep.name === 'dataset-manifest') out.push(dep.digest);
  return out;
}

/** `chain.evaluationData`: one check per evaluation of the chain, when the tier requires distinct data. */
export function checkEvaluationData(report: ReportBuilder, linked: ParsedNode[], ctx: ChainContext): void {
  if (ctx.tier?.tier.distinctEvaluationData !== true) return;
  const byDigest = new Map(linked.map((n) => [n.digest, n] as const));
  for (const e of linked) {
    if (!isStage(e, 'evaluation')) continue;
    const subject = `evaluation ${shortDigestText(e.digest)}`;
    const t = e.parsed.references.find((r) => r.role === 'training')?.digest;
    const training = t === undefined ? undefined : byDigest.get(t);
    const used = training && isStage(training, 'training') ? trainingData(training, byDigest) : [];
    const shared = e.parsed.predicate.datasets.filter((d) =>
      used.some((u) => matchDigestSets(d.digest, u, ctx.accepted).match),
    );
    if (shared.length === 0)
      report.pass(
        'chain.evaluationData',
        subject,
        `its ${e.parsed.predicate.datasets.length} dataset(s) differ from the ${used.length} the training used`,
      );
    else
      report.fail(
        'chain.evaluationData',
        'EVALUATION_DATA_NOT_DISTINCT',
        subject,
        `evaluated on data the training used: ${shared.map((d) => `${d.name} (${shortDigestText(digestText(d.digest))})`).join(', ')}`,
        { expected: 'evaluation data distinct from training data', actual: shared.map((d) => d.name).join(', ') },
      );
  }
}
