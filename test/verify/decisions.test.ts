/**
 * The decisions users expect from a verdict (issue 13, decisions §13): a later REJECTED approval
 * by a trusted approver voids earlier approvals of the same subject and use case; `stage`,
 * `environment` and `minTier` refuse what they should; a tier may require evaluation data
 * distinct from the training data. Each refusal with its code.
 */
import { describe, expect, it } from 'vitest';
import type { VerifyChainInput } from '../../src/verify/chain.js';
import type { Check, Report } from '../../src/report/index.js';
import { expectStepOrder } from '../helpers/steps.js';
import {
  approvalAt,
  verifyWorld,
  buildWorld,
  DATASET,
  MODEL,
  OTHER_MODEL,
  sign,
  T,
  type KeyName,
  type World,
} from '../helpers/world.js';
import { goldenReports } from '../helpers/golden-reports.js';

const expectGolden = goldenReports(import.meta.url);

/** The one failed check of a report (the test fails when there is not exactly one). */
function failure(report: Report): Check {
  const failed = report.checks.filter((c) => c.status === 'fail');
  expect(failed).toHaveLength(1);
  return failed[0]!;
}

type Extra = Partial<Pick<VerifyChainInput, 'stage' | 'environment' | 'minTier' | 'useCase' | 'policy' | 'asOf'>>;

async function run(world: World, bundle = world.bundle, extra: Extra = {}) {
  const { report } = await verifyWorld(world, bundle, extra);
  expectStepOrder(report);
  expectGolden(report);
  return report;
}

describe('a later REJECTED approval by a trusted approver voids earlier approvals (decisions §13)', () => {
  it('voids the approval: APPROVAL_VOIDED, and the voided one is named', async () => {
    const world = await buildWorld();
    const rejection = await approvalAt(world, 'REJECTED', '2026-01-20T00:00:00Z', ['carol']);
    const report = await run(world, world.bundle + rejection.line);
    expect(report.ok).toBe(false);
    expect(failure(report)).toMatchObject({ id: 'chain.approval', code: 'APPROVAL_VOIDED' });
    const listed = report.checks.find((c) => c.id === 'chain.approval.voided')!;
    expect(listed).toMatchObject({ status: 'skip', code: 'APPROVAL_VOIDED' });
    expect(listed.message).toContain(rejection.digest.slice(7, 19));
    // line order means nothing (beyond the line numbers the report names)
    const verdict = (r: Report) => r.checks.map((c) => `${c.id} ${c.status} ${c.code}`);
    expect(verdict(await run(world, rejection.line + world.bundle))).toEqual(verdict(report));
  });

  it('does not void when the rejection is earlier, for another use case, from the future, or by no trusted approver', async () => {
    const world = await buildWorld();
    const cases: Array<[string, string, KeyName[], string?]> = [
      ['earlier', '2026-01-13T00:00:00Z', ['carol']],
      ['another use case', '2026-01-20T00:00:00Z', ['carol'], 'internal-search'],
      ['from the future', '2026-03-01T00:00:00Z', ['carol']],
      ['by an untrusted key', '2026-01-20T00:00:00Z', ['mallory']],
      ['by a trusted key without the approver role', '2026-01-20T00:00:00Z', ['trainer']],
    ];
    for (const [what, at, by, useCase] of cases) {
      const rejection = await approvalAt(world, 'REJECTED', at, by, useCase);
      const report = await run(world, world.bundle + rejection.line);
      expect(
        report.checks.filter((c) => c.status === 'fail'),
        what,
      ).toEqual([]);
      expect(
        report.checks.some((c) => c.id === 'chain.approval.voided'),
        what,
      ).toBe(false);
    }
  });

  it('a rejection signed by a key that no longer stands (compromised) does not void', async () => {
    const world = await buildWorld({
      policy: (d) => {
        d.keys.carol.status = 'compromised';
        d.keys.carol.compromisedAt = '2026-01-01T00:00:00Z';
      },
    });
    const rejection = await approvalAt(world, 'REJECTED', '2026-01-20T00:00:00Z', ['carol']);
    const report = await run(world, world.bundle + rejection.line);
    expect(report.checks.some((c) => c.id === 'chain.approval.voided')).toBe(false);
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
  });

  it('names the voided approval and the rejection in the listed check', async () => {
    const world = await buildWorld();
    const rejection = await approvalAt(world, 'REJECTED', '2026-01-20T00:00:00Z', ['carol']);
    const report = await run(world, world.bundle + rejection.line);
    const short = (d: string) => `${d.slice(0, 19)}…`;
    expect(report.checks.find((c) => c.id === 'chain.approval.voided')).toEqual({
      id: 'chain.approval.voided',
      code: 'APPROVAL_VOIDED',
      status: 'skip',
      subject: short(world.steps.approval.digest),
      actual: short(rejection.digest),
      message: `approval ${short(world.steps.approval.digest)} for support-chat is voided by the later REJECTED approval ${short(rejection.digest)} (line 6)`,
    });
    expect(failure(report)).toEqual({
      id: 'chain.approval',
      code: 'APPROVAL_VOIDED',
      status: 'fail',
      subject: MODEL,
      expected: 'an APPROVED decision not rejected since',
      actual: 'REJECTED later',
      message:
        'every matching approval is voided by a later REJECTED approval of the same use case from a trusted approver',
    });
  });

  it('a newer APPROVED decision after the rejection is the anchor again', async () => {
    const world = await buildWorld();
    const rejection = await approvalAt(world, 'REJECTED', '2026-01-20T00:00:00Z', ['carol']);
    const again = await approvalAt(world, 'APPROVED', '2026-01-25T00:00:00Z', ['alice', 'bob']);
    const report = await run(world, world.bundle + rejection.line + again.line);
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.results[0]!.chain.find((l) => l.stage === 'approval')!.payloadDigest).toBe(again.digest);
  });
});

describe('which approval anchors, and which rejection vetoes, at the edges', () => {
  const voided = (r: Report) => r.checks.some((c) => c.id === 'chain.approval.voided');
  const anchorOf = (r: Report) => r.results[0]!.chain.find((l) => l.stage === 'approval')?.payloadDigest;

  it('a rejection counts up to asOf + 300 s (the future-skew tolerance), not a second later', async () => {
    const world = await buildWorld();
    const at300 = await approvalAt(world, 'REJECTED', '2026-02-01T00:05:00Z', ['carol']);
    expect(voided(await run(world, world.bundle + at300.line))).toBe(true);
    const at301 = await approvalAt(world, 'REJECTED', '2026-02-01T00:05:01Z', ['carol']);
    const report = await run(world, world.bundle + at301.line);
    expect(voided(report)).toBe(false);
    expect(report.ok).toBe(true);
  });

  it('a rejection issued the same second as the approval does not void it: later means later', async () => {
    const world = await buildWorld();
    const same = await approvalAt(world, 'REJECTED', T.approval, ['carol']);
    const report = await run(world, world.bundle + same.line);
    expect(voided(report)).toBe(false);
    expect(report.ok).toBe(true);
  });

  it('a rejection co-signed by an approver and by a key outside the role vetoes', async () => {
    const world = await buildWorld();
    const mixed = await approvalAt(world, 'REJECTED', '2026-01-20T00:00:00Z', ['carol', 'trainer']);
    expect(failure(await run(world, world.bundle + mixed.line))).toMatchObject({ code: 'APPROVAL_VOIDED' });
  });

  it('the most recent approval is the anchor, whatever the line order', async () => {
    const world = await buildWorld();
    const a1 = await approvalAt(world, 'APPROVED', '2026-01-20T00:00:00Z', ['alice', 'bob']);
    const a2 = await approvalAt(world, 'APPROVED', '2026-01-25T00:00:00Z', ['alice', 'bob']);
    for (const bundle of [
      world.bundle + a1.line + a2.line,
      a2.line + world.bundle + a1.line,
      a1.line + a2.line + world.bundle,
    ])
      expect(anchorOf(await run(world, bundle))).toBe(a2.digest);
  });

  it('without a trusted approval, an untrusted approval of the artifact is named; of another artifact, or another stage, not', async () => {
    const world = await buildWorld();
    const chain = world.bundle.replace(world.steps.approval.line, '').replace(world.steps.promotion.line, '');
    const statement = world.steps.approval.statement;
    const other = { name: 'other', digest: { sha256: OTHER_MODEL.slice(7) } };
    const forged = await sign(statement, ['mallory']);
    // two subjects, the artifact second: still an approval of the artifact
    const both = await sign({ ...statement, subject: [other, ...statement.subject] }, ['mallory']);
    const elsewhere = await sign({ ...statement, subject: [other] }, ['mallory']);
    const training = await sign(world.steps.training.statement, ['mallory']);
    const report = await run(world, chain + forged.line + both.line + elsewhere.line + training.line);
    expect(failure(report)).toMatchObject({ id: 'chain.approval', code: 'SUBJECT_NOT_APPROVED', expected: MODEL });
    const named = report.checks.filter((c) => c.id === 'chain.approval.untrusted');
    expect(named.map((c) => [c.status, c.code])).toEqual([
      ['skip', 'UNTRUSTED_SIGNER'],
      ['skip', 'UNTRUSTED_SIGNER'],
    ]);
    const text = named.map((c) => c.message).join('\n');
    for (const d of [forged.digest, both.digest]) expect(text).toContain(d.slice(7, 19));
  });

  it('approved only for other use cases: each is named once, most recent first', async () => {
    const world = await buildWorld();
    const chain = world.bundle.replace(world.steps.approval.line, '').replace(world.steps.promotion.line, '');
    const search = await approvalAt(world, 'APPROVED', '2026-01-20T00:00:00Z', ['alice'], 'internal-search');
    const again = await approvalAt(world, 'APPROVED', '2026-01-18T00:00:00Z', ['alice'], 'internal-search');
    const unlisted = await approvalAt(world, 'APPROVED', '2026-01-19T00:00:00Z', ['alice'], 'unlisted');
    const bundle = chain + search.line + again.line + unlisted.line;
    expect(failure(await run(world, bundle))).toMatchObject({
      code: 'USE_CASE_NOT_APPROVED',
      expected: 'support-chat',
      actual: 'internal-search, unlisted',
    });
    // for any use case, one the policy does not list is not an allowed one
    const onlyUnlisted = chain + unlisted.line;
    expect(failure(await run(world, onlyUnlisted, { useCase: { any: true } }))).toMatchObject({
      code: 'USE_CASE_NOT_APPROVED',
      expected: 'an allowed use case',
      actual: 'unlisted',
    });
    expect((await run(world, bundle, { useCase: { any: true } })).ok).toBe(true);
  });
});

describe('verify --stage, --environment, --min-tier', () => {
  it('--stage: an approval for production passes for production and not for staging (STAGE_NOT_APPROVED)', async () => {
    const world = await buildWorld();
    expect((await run(world, world.bundle, { stage: 'production' })).ok).toBe(true);
    const staging = await run(world, world.bundle, { stage: 'staging' });
    expect(failure(staging)).toMatchObject({ code: 'STAGE_NOT_APPROVED', expected: 'staging', actual: 'production' });
    await expect(run(world, world.bundle, { stage: 'prod' as never })).rejects.toThrow(/"stage" expected/);
  });

  it('--environment: a trusted promotion to it passes; to another environment, or none, fails (ENVIRONMENT_NOT_PROMOTED)', async () => {
    const world = await buildWorld();
    const ok = await run(world, world.bundle, { environment: 'prod' });
    expect(ok.ok).toBe(true);
    expect(ok.checks.find((c) => c.id === 'chain.promotion.environment')).toMatchObject({ status: 'pass' });
    const other = await run(world, world.bundle, { environment: 'prod-eu-west-1' });
    expect(failure(other)).toMatchObject({
      code: 'ENVIRONMENT_NOT_PROMOTED',
      expected: 'prod-eu-west-1',
      actual: 'prod',
    });
    const withoutPromotion = world.bundle.replace(world.steps.promotion.line, '');
    expect(failure(await run(world, withoutPromotion, { environment: 'prod' }))).toMatchObject({
      code: 'ENVIRONMENT_NOT_PROMOTED',
      actual: 'no promotion',
    });
    // an untrusted promotion to the environment does not count
    const forged = await sign(world.steps.promotion.statement, ['mallory']);
    const report = await run(world, withoutPromotion + forged.line, { environment: 'prod' });
    expect(report.ok).toBe(false);
  });

  it('--min-tier with any use case: only approvals of a tier ranked at least the minimum (TIER_BELOW_MINIMUM)', async () => {
    const ranked = (d: Record<string, any>) => {
      d.riskTiers.low.rank = 1;
      d.riskTiers.high.rank = 2;
    };
    const high = await buildWorld({ policy: ranked });
    const any = { useCase: { any: true as const } };
    expect((await run(high, high.bundle, { ...any, minTier: 'high' })).ok).toBe(true);
    const low = await buildWorld({
      policy: ranked,
      approval: (i) => ({ ...i, useCase: { id: 'internal-search', description: 'search' }, riskTier: 'low' }),
      signers: { approval: ['alice'] },
    });
    expect((await run(low, low.bundle, { ...any })).ok).toBe(true);
    expect((await run(low, low.bundle, { ...any, minTier: 'low' })).ok).toBe(true);
    const refused = await run(low, low.bundle, { ...any, minTier: 'high' });
    expect(failure(refused)).toMatchObject({ code: 'TIER_BELOW_MINIMUM', actual: 'low' });
    // a tier without a rank cannot be a minimum; an unknown tier is misuse
    const unranked = await buildWorld();
    await expect(run(unranked, unranked.bundle, { ...any, minTier: 'high' })).rejects.toThrow(/has no rank/);
    await expect(run(high, high.bundle, { ...any, minTier: 'nope' })).rejects.toThrow(/"minTier" expected/);
  });
});

describe('--min-tier names every tier below the minimum', () => {
  it('approvals of two lower tiers: TIER_BELOW_MINIMUM names both', async () => {
    const ranked = (d: Record<string, any>) => {
      d.riskTiers.low.rank = 1;
      d.riskTiers.medium = { ...d.riskTiers.low, rank: 2 };
      d.riskTiers.high.rank = 3;
      d.useCases.drafting = { riskTier: 'medium' };
    };
    const world = await buildWorld({
      policy: ranked,
      approval: (i) => ({ ...i, useCase: { id: 'internal-search', description: 'search' }, riskTier: 'low' }),
      signers: { approval: ['alice'] },
    });
    const drafting = await approvalAt(world, 'APPROVED', '2026-01-20T00:00:00Z', ['alice'], 'drafting', 'medium');
    const bundle = world.bundle + drafting.line;
    const refused = await run(world, bundle, { useCase: { any: true }, minTier: 'high' });
    expect(failure(refused)).toMatchObject({
      code: 'TIER_BELOW_MINIMUM',
      expected: 'a tier of rank >= 3',
      actual: 'medium, low',
    });
    expect((await run(world, bundle, { useCase: { any: true }, minTier: 'medium' })).ok).toBe(true);
  });
});

describe('riskTiers.*.distinctEvaluationData', () => {
  it('fails an evaluation on the training data (EVALUATION_DATA_NOT_DISTINCT) and passes one on other data', async () => {
    const strict = (d: Record<string, any>) => (d.riskTiers.high.distinctEvaluationData = true);
    const same = await buildWorld({ policy: strict });
    expect(failure(await run(same))).toMatchObject({
      id: 'chain.evaluationData',
      code: 'EVALUATION_DATA_NOT_DISTINCT',
      actual: 'heldout',
    });
    const other = `sha256:${'de'.repeat(32)}`;
    const distinct = await buildWorld({
      policy: strict,
      evaluation: (i) => ({ ...i, datasets: [{ name: 'heldout', digest: other }] }),
    });
    const report = await run(distinct);
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.id === 'chain.evaluationData')).toMatchObject({ status: 'pass' });
    expect(DATASET).not.toBe(other);
  });
});
