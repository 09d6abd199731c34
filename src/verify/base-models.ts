/**
 * Step 10 of chain verification (spec/verification.md), base models: a fine-tune's base model (a
 * `base-model` dependency of its training) must be allowed by the policy's `baseModels` — a
 * pinned digest, or a chain of its own that verifies against the baseModels sub-policy. The
 * sub-chains are queued while the chain is checked and verified after it, iteratively, at most
 * `limits.baseModelDepth` levels deep.
 */
import { digestSetFromText, matchDigestSets, digestText, shortDigestText } from '../digest/index.js';
import type { ErrorCode } from '../errors.js';
import type { Policy } from '../policy/policy.js';
import type { ChainLink, Report, ReportBuilder } from '../report/index.js';
import type { ParsedNode } from './authenticate.js';
import type { ChainContext, LevelContext, QueuedBaseModel } from './context.js';

/** One queued sub-chain: a base model, the policy and use case its chain verifies against. */
export interface BaseModelItem extends QueuedBaseModel {
  policy: Policy;
  useCase: string | undefined;
  depth: number;
}

/** The queue of one verification, shared by its levels (the top level walks it). */
export interface BaseModelLevel {
  depth: number;
  queue: BaseModelItem[];
}

/** Step 10 for one training: each base model pinned, queued for its sub-chain, or not allowed. */
export function checkBaseModel(report: ReportBuilder, training: ParsedNode<'training'>, ctx: ChainContext): void {
  const bases = training.parsed.predicate.buildDefinition.resolvedDependencies.filter(
    (d): d is Extract<typeof d, { name: 'base-model' }> => d.name === 'base-model',
  );
  const subject = `training ${shortDigestText(training.digest)}`;
  const spec = ctx.policy.document.baseModels;
  for (const base of bases) {
    const text = digestText(base.digest);
    if (!spec) {
      report.skip(
        'chain.baseModel',
        'BASE_MODEL_UNCHECKED',
        subject,
        `base model ${shortDigestText(text)} is not checked: the policy has no baseModels section`,
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
        `base model ${shortDigestText(text)} is pinned by the policy${pinned.name ? ` (${pinned.name})` : ''}`,
      );
    } else if (spec.policy) {
      ctx.baseModelQueue.push({ digest: base.digest, from: subject });
      report.pass(
        'chain.baseModel.queued',
        subject,
        `base model ${shortDigestText(text)} is not pinned; its own chain is verified against the baseModels sub-policy`,
      );
    } else {
      report.fail(
        'chain.baseModel',
        'BASE_MODEL_NOT_ALLOWED',
        subject,
        `base model ${shortDigestText(text)} is neither pinned nor covered by a sub-policy`,
        {
          expected: (spec.pinned ?? []).map((x) => shortDigestText(x.digest)).join(', ') || 'a pinned digest',
          actual: shortDigestText(text),
        },
      );
    }
  }
}

/**
 * Step 10, the sub-chains: queue the chosen chain's base models on the verification's queue; at
 * the top level, verify each queued base model's chain (which may queue more, one level deeper)
 * and fold its outcome into the report.
 * @param verifyItem verifies one queued base model's chain at its level
 * @returns the payload digests the sub-chains use
 */
export async function verifyBaseModels(
  level: LevelContext,
  state: BaseModelLevel,
  isTop: boolean,
  queued: readonly QueuedBaseModel[],
  verifyItem: (item: BaseModelItem, name: string) => Promise<{ report: Report; chain: ChainLink[] }>,
): Promise<Set<string>> {
  const used = new Set<string>();
  const spec = level.policy.document.baseModels;
  if (!spec?.policy || queued.length === 0) return used;
  const sub = level.policy.baseModelPolicy!;
  for (const q of queued) state.queue.push({ ...q, policy: sub, useCase: spec.useCase, depth: state.depth + 1 });
  if (!isTop) return used;
  const { report } = level;
  while (state.queue.length > 0) {
    const item = state.queue.shift()!;
    const name = `base model ${shortDigestText(digestText(item.digest))}`;
    if (item.depth > level.limits.baseModelDepth) {
      report.fail(
        'chain.baseModel',
        'LIMIT_EXCEEDED',
        name,
        `base models nested deeper than ${level.limits.baseModelDepth}`,
      );
      continue;
    }
    const r = await verifyItem(item, name);
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
  return used;
}
