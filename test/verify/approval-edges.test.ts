/**
 * Step 11 at its edges: the approval's validity window to the second (notBefore inclusive, the end
 * exclusive, the end being the earlier of `expires` and issuedAt + the tier's maxApprovalAgeDays),
 * and the count of approvers (rejected keys, keys outside the role, separation of duties, the
 * role's own threshold). Each case names the check it is about; every report is pinned.
 */
import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/verify/chain.js';
import type { Check, Report } from '../../src/report/index.js';
import { expectStepOrder } from '../helpers/steps.js';
import { goldenReports } from '../helpers/golden-reports.js';
import { buildWorld, IDENTITY, MODEL, T, type WorldOptions, type World } from '../helpers/world.js';

const expectGolden = goldenReports(import.meta.url);

async function run(world: World, asOf = T.asOf): Promise<Report> {
  const { report } = await verifyChain({
    bundle: world.bundle,
    policy: world.policy,
    subject: MODEL,
    useCase: 'support-chat',
    asOf,
  });
  expectStepOrder(report);
  expectGolden(report);
  return report;
}
const check = (r: Report, id: string): Check | undefined => r.checks.find((c) => c.id === id);
const pick = (c: Check | undefined) => c && { status: c.status, code: c.code, expected: c.expected, actual: c.actual };

/** Only the stages up to approval, so an early asOf does not meet a promotion from its future. */
const noPromotion = (w: World): World => ({ ...w, bundle: w.bundle.replace(w.steps.promotion.line, '') });

describe('approval.window, to the second', () => {
  // issuedAt 2026-01-14T16:45:00Z; the high tier's maxApprovalAgeDays is 90: the age limit is 2026-04-14T16:45:00Z.
  const AGE_END = '2026-04-14T16:45:00Z';

  it('notBefore is inclusive', async () => {
    const w = noPromotion(await buildWorld());
    expect(pick(check(await run(w, '2026-01-14T23:59:59Z'), 'approval.window'))).toEqual({
      status: 'fail',
      code: 'APPROVAL_NOT_YET_VALID',
      expected: `>= ${T.notBefore}`,
      actual: '2026-01-14T23:59:59Z',
    });
    expect(check(await run(w, T.notBefore), 'approval.window')?.status).toBe('pass');
  });

  it('the age limit ends the window when it comes before expires, exclusive', async () => {
    const w = await buildWorld();
    expect(check(await run(w, '2026-04-14T16:44:59Z'), 'approval.window')?.status).toBe('pass');
    expect(pick(check(await run(w, AGE_END), 'approval.window'))).toEqual({
      status: 'fail',
      code: 'APPROVAL_EXPIRED',
      expected: `< ${AGE_END} (issuedAt + 90 days)`,
      actual: AGE_END,
    });
  });

  it('expires ends the window when it comes before the age limit, exclusive', async () => {
    const w = await buildWorld({ approval: (i) => ({ ...i, expires: '2026-03-01T00:00:00Z' }) });
    expect(check(await run(w, '2026-02-28T23:59:59Z'), 'approval.window')?.status).toBe('pass');
    expect(pick(check(await run(w, '2026-03-01T00:00:00Z'), 'approval.window'))).toEqual({
      status: 'fail',
      code: 'APPROVAL_EXPIRED',
      expected: '< 2026-03-01T00:00:00Z',
      actual: '2026-03-01T00:00:00Z',
    });
  });

  it('expires at the age limit itself: the window ends there, named as the age limit', async () => {
    const w = await buildWorld({ approval: (i) => ({ ...i, expires: AGE_END }) });
    expect(check(await run(w, '2026-04-14T16:44:59Z'), 'approval.window')?.status).toBe('pass');
    expect(pick(check(await run(w, AGE_END), 'approval.window'))).toMatchObject({
      code: 'APPROVAL_EXPIRED',
      expected: `< ${AGE_END} (issuedAt + 90 days)`,
    });
  });

  it('a fractional maxApprovalAgeDays counts in seconds', async () => {
    // 0.5 days = 43,200 s after issuedAt: 2026-01-15T04:45:00Z, before notBefore plus a little
    const w = noPromotion(
      await buildWorld({
        approval: (i) => ({ ...i, notBefore: '2026-01-14T17:00:00Z' }),
        policy: (d) => {
          d.riskTiers.high.maxApprovalAgeDays = 0.5;
        },
      }),
    );
    expect(check(await run(w, '2026-01-15T04:44:59Z'), 'approval.window')?.status).toBe('pass');
    expect(pick(check(await run(w, '2026-01-15T04:45:00Z'), 'approval.window'))).toMatchObject({
      code: 'APPROVAL_EXPIRED',
      expected: '< 2026-01-15T04:45:00Z (issuedAt + 0.5 days)',
    });
  });
});

describe('approval.approvers: who counts', () => {
  const approvers = (r: Report) => pick(check(r, 'approval.approvers'));

  it('a signer whose key does not stand is not counted (compromised co-signer)', async () => {
    const w = await buildWorld({
      signers: { approval: ['alice', 'carol'] },
      policy: (d) => {
        d.keys.carol.status = 'compromised';
        d.keys.carol.compromisedAt = '2026-01-01T00:00:00Z';
      },
    });
    expect(approvers(await run(w))).toEqual({
      status: 'fail',
      code: 'APPROVAL_THRESHOLD_NOT_MET',
      expected: '>= 2',
      actual: '1',
    });
  });

  it('signers outside the approver role are named and not counted', async () => {
    const w = await buildWorld({ signers: { approval: ['alice', 'bob', 'trainer', 'evaluator'] } });
    const r = await run(w);
    expect(pick(check(r, 'approval.signers'))).toEqual({
      status: 'fail',
      code: 'SIGNER_NOT_IN_ROLE',
      expected: 'approver',
      actual: `${IDENTITY.trainer}, ${IDENTITY.evaluator}`,
    });
    expect(approvers(r)).toEqual({ status: 'pass', code: 'OK', expected: '>= 2', actual: '2' });
  });

  it("the role's threshold counts when it is above the tier's", async () => {
    const w = await buildWorld({
      signers: { approval: ['alice', 'bob'] },
      policy: (d) => {
        d.roles.approver.threshold = 3;
      },
    });
    expect(approvers(await run(w))).toEqual({
      status: 'fail',
      code: 'APPROVAL_THRESHOLD_NOT_MET',
      expected: '>= 3',
      actual: '2',
    });
    const three = await buildWorld({
      signers: { approval: ['alice', 'bob', 'carol'] },
      policy: (d) => {
        d.roles.approver.threshold = 3;
      },
    });
    expect(approvers(await run(three))).toMatchObject({ status: 'pass', expected: '>= 3', actual: '3' });
  });

  // carol also trains: under [trainer, approver] her approval does not count.
  const carolTrains = (approval: WorldOptions['signers']): WorldOptions => ({
    training: (i) => ({ ...i, attester: IDENTITY.carol }),
    signers: { training: ['carol'], ...approval },
    policy: (d) => {
      d.roles.trainer.identities.push(IDENTITY.carol);
    },
  });

  it('separation of duties: an excluded approver who was not needed is a skip, and the approvers pass', async () => {
    const r = await run(await buildWorld(carolTrains({ approval: ['alice', 'bob', 'carol'] })));
    expect(pick(check(r, 'approval.separation'))).toMatchObject({ status: 'skip', code: 'SEPARATION_OF_DUTIES' });
    expect(approvers(r)).toEqual({ status: 'pass', code: 'OK', expected: '>= 2', actual: '2' });
    expect(r.checks.filter((c) => c.status === 'fail')).toEqual([]);
  });

  it('separation of duties: an excluded approver who was needed fails both checks with SEPARATION_OF_DUTIES', async () => {
    const r = await run(await buildWorld(carolTrains({ approval: ['alice', 'carol'] })));
    expect(pick(check(r, 'approval.separation'))).toMatchObject({ status: 'fail', code: 'SEPARATION_OF_DUTIES' });
    expect(approvers(r)).toEqual({ status: 'fail', code: 'SEPARATION_OF_DUTIES', expected: '>= 2', actual: '1' });
  });

  it('separation of duties: too few approvers even with the excluded one is APPROVAL_THRESHOLD_NOT_MET', async () => {
    const r = await run(
      await buildWorld({
        ...carolTrains({ approval: ['carol'] }),
        approval: (i) => ({ ...i, attester: IDENTITY.carol }),
      }),
    );
    expect(approvers(r)).toEqual({
      status: 'fail',
      code: 'APPROVAL_THRESHOLD_NOT_MET',
      expected: '>= 2',
      actual: '0',
    });
  });
});
