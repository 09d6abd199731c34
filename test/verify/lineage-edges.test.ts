/**
 * Steps 8-11 across anchors (src/verify/lineage.ts) and the distinct-evaluation-data rule
 * (src/verify/evaluation-data.ts), mutation-directed: with two approvals of the subject, the chain
 * that passes is chosen whichever is more recent; every datum the training used counts — the
 * datasets it refers to and the dataset manifests it pins — and one shared dataset among distinct
 * ones fails; a training whose dataset is missing from the bundle fails without throwing.
 */
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/index.js';
import { verifyChain } from '../../src/verify/chain.js';
import { approvalAt, buildWorld, DATASET, MODEL, T, verifyWorld, type World } from '../helpers/world.js';

const run = async (world: World, bundle = world.bundle): Promise<Report> => (await verifyWorld(world, bundle)).report;
const failed = (r: Report) => r.checks.filter((c) => c.status === 'fail').map((c) => c.code);

describe('two approvals of the subject', () => {
  it('the passing chain is chosen, whether the failing approval is more recent or older', async () => {
    const world = await buildWorld();
    expect((await run(world)).ok).toBe(true);
    for (const at of ['2026-01-20T00:00:00Z', '2026-01-13T00:00:00Z']) {
      const lone = await approvalAt(world, 'APPROVED', at, ['alice']); // one approver: the high tier needs two
      for (const bundle of [world.bundle + lone.line, lone.line + world.bundle]) {
        const r = await run(world, bundle);
        expect(failed(r)).toEqual([]);
        expect(r.ok).toBe(true);
      }
    }
  });

  it("when no chain passes, the failures are one approval chain's, not a mixture", async () => {
    const world = await buildWorld({ signers: { approval: ['alice'] } });
    const alone = await run(world);
    expect(alone.ok).toBe(false);
    const lone = await approvalAt(world, 'APPROVED', '2026-01-20T00:00:00Z', ['bob']);
    const both = await run(world, world.bundle + lone.line);
    expect(both.ok).toBe(false);
    expect(failed(both).length).toBeGreaterThan(0);
    expect(new Set(failed(both))).toEqual(new Set(failed(alone)));
  });
});

describe('riskTiers.*.distinctEvaluationData: what the training used', () => {
  const strict = (d: Record<string, any>) => (d.riskTiers.high.distinctEvaluationData = true);
  const PINNED = `sha256:${'5e'.repeat(32)}`;
  const OTHER = `sha256:${'de'.repeat(32)}`;

  it('a dataset manifest the training pins counts like the datasets it refers to', async () => {
    const w = await buildWorld({
      policy: strict,
      training: (i) => ({ ...i, datasetManifests: [{ name: 'pinned', digest: PINNED }] }),
      evaluation: (i) => ({ ...i, datasets: [{ name: 'heldout', digest: PINNED }] }),
    });
    const r = await run(w);
    expect(r.checks.find((c) => c.id === 'chain.evaluationData')).toMatchObject({
      status: 'fail',
      code: 'EVALUATION_DATA_NOT_DISTINCT',
      actual: 'heldout',
    });
  });

  it('one shared dataset among distinct ones fails, naming it; all distinct passes, counting both sources', async () => {
    const shared = await buildWorld({
      policy: strict,
      training: (i) => ({ ...i, datasetManifests: [{ name: 'pinned', digest: PINNED }] }),
      evaluation: (i) => ({
        ...i,
        datasets: [
          { name: 'fresh', digest: OTHER },
          { name: 'reused', digest: PINNED },
        ],
        metrics: i.metrics.map((m) => ({ ...m, dataset: 'fresh' })),
      }),
    });
    const r = await run(shared);
    expect(r.checks.find((c) => c.id === 'chain.evaluationData')).toMatchObject({
      status: 'fail',
      actual: 'reused',
    });
    const fine = await buildWorld({
      policy: strict,
      training: (i) => ({ ...i, datasetManifests: [{ name: 'pinned', digest: PINNED }] }),
      evaluation: (i) => ({ ...i, datasets: [{ name: 'heldout', digest: OTHER }] }),
    });
    const ok = await run(fine);
    expect(ok.checks.find((c) => c.id === 'chain.evaluationData')).toMatchObject({
      status: 'pass',
      message: 'its 1 dataset(s) differ from the 2 the training used',
    });
    expect(DATASET).not.toBe(PINNED);
  });

  it('a training whose dataset attestation is missing fails, without throwing', async () => {
    const w = await buildWorld({
      policy: strict,
      evaluation: (i) => ({ ...i, datasets: [{ name: 'heldout', digest: OTHER }] }),
    });
    const r = await run(w, w.bundle.replace(w.steps.dataset.line, ''));
    expect(r.ok).toBe(false);
    expect(failed(r)).toContain('STAGE_MISSING');
  });

  it('with any use case, the tier comes from the approval, and the rule still applies', async () => {
    const w = await buildWorld({ policy: strict });
    const { report } = await verifyChain({
      bundle: w.bundle,
      policy: w.policy,
      subject: MODEL,
      useCase: { any: true },
      asOf: T.asOf,
    });
    expect(report.checks.find((c) => c.id === 'chain.evaluationData')).toMatchObject({
      code: 'EVALUATION_DATA_NOT_DISTINCT',
    });
  });
});
