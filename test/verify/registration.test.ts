/**
 * Governed promotion (issue 14, decisions §13): registration before approval, and evaluation
 * gates by category with findings. Each refusal with its code; v0.1 approvals and evaluations
 * keep verifying.
 */
import { describe, expect, it } from 'vitest';
import { verifyChain } from '../../src/verify/chain.js';
import { parseAttestationPayload, type Findings } from '../../src/statements/predicates/index.js';
import type { Check, Report } from '../../src/report/index.js';
import { expectStepOrder } from '../helpers/steps.js';
import { buildWorld, IDENTITY, MODEL, OTHER_MODEL, T, type World, type WorldOptions } from '../helpers/world.js';
import { goldenReports } from '../helpers/golden-reports.js';

const expectGolden = goldenReports(import.meta.url);

function failed(report: Report): Check[] {
  return report.checks.filter((c) => c.status === 'fail');
}

async function run(world: World, bundle = world.bundle, useCase = 'support-chat') {
  const { report } = await verifyChain({
    bundle,
    policy: world.policy,
    subject: MODEL,
    useCase,
    asOf: T.asOf,
  });
  expectStepOrder(report);
  expectGolden(report);
  return report;
}

const requireRegistration: WorldOptions['policy'] = (d) => {
  d.requireRegistration = true;
};

describe('registration before approval', () => {
  it('a registered model passes, and the report names its registry entry', async () => {
    const w = await buildWorld({ registration: (i) => i, policy: requireRegistration });
    expect(w.steps.approval.statement.predicateType).toBe('https://lineproof.dev/attestation/approval/v0.2');
    const report = await run(w);
    expect(failed(report)).toEqual([]);
    expect(report.ok).toBe(true);
    const check = report.checks.find((c) => c.id === 'approval.registration');
    expect(check?.status).toBe('pass');
    expect(check?.message).toContain('support-bot@3.0.0, owned by mailto:ml-team@example.com');
    expect(report.checks.filter((c) => c.id === 'chain.role' && c.subject.startsWith('registration'))).toHaveLength(1);
  });

  it('an unregistered model is refused when the policy requires registration: MODEL_NOT_REGISTERED', async () => {
    const w = await buildWorld({ policy: requireRegistration });
    const report = await run(w);
    expect(failed(report).map((c) => c.code)).toEqual(['MODEL_NOT_REGISTERED']);
    expect(report.ok).toBe(false);
  });

  it('without requireRegistration, a v0.1 approval (no registration) still verifies', async () => {
    const w = await buildWorld();
    expect(w.steps.approval.statement.predicateType).toBe('https://lineproof.dev/attestation/approval/v0.1');
    const report = await run(w);
    expect(report.ok).toBe(true);
    expect(report.checks.some((c) => c.id === 'approval.registration')).toBe(false);
  });

  it('a registration naming another tier than the policy is refused: REGISTRATION_TIER_MISMATCH', async () => {
    const w = await buildWorld({
      registration: (i) => ({
        ...i,
        useCases: [{ id: 'support-chat', description: 'answers customers', riskTier: 'low' }],
      }),
    });
    const report = await run(w);
    const f = failed(report);
    expect(f.map((c) => c.code)).toEqual(['REGISTRATION_TIER_MISMATCH']);
    expect(f[0]).toMatchObject({ expected: 'high', actual: 'low' });
  });

  it('an approval for a use case the registration does not register is refused: USE_CASE_NOT_REGISTERED', async () => {
    const w = await buildWorld({
      registration: (i) => ({
        ...i,
        useCases: [
          { id: 'internal-search', description: 'finds documents', riskTier: 'low' },
          { id: 'drafting', description: 'drafts replies', riskTier: 'low' },
        ],
      }),
    });
    const f = failed(await run(w));
    expect(f.map((c) => c.code)).toEqual(['USE_CASE_NOT_REGISTERED']);
    expect(f[0]).toMatchObject({ expected: 'support-chat', actual: 'internal-search, drafting' });
  });

  it('a registration of another model does not register this one: SUBJECT_MISMATCH', async () => {
    const w = await buildWorld({ registration: (i) => ({ ...i, subject: { name: 'other', digest: OTHER_MODEL } }) });
    expect(failed(await run(w)).map((c) => c.code)).toContain('SUBJECT_MISMATCH');
  });

  it('a registration no registrar signed counts for nothing', async () => {
    // Signed by an approver (a policy key, but not a registrar): the link fails its role check.
    const byApprover = await buildWorld({
      registration: (i) => ({ ...i, attester: IDENTITY.carol }),
      signers: { registration: ['carol'] },
      policy: requireRegistration,
    });
    expect(failed(await run(byApprover)).map((c) => c.code)).toContain('SIGNER_NOT_IN_ROLE');
    // Signed by a key the policy does not know: the reference does not resolve, so no registration.
    const untrusted = await buildWorld({
      registration: (i) => ({ ...i, attester: IDENTITY.mallory }),
      signers: { registration: ['mallory'] },
      policy: requireRegistration,
    });
    const codes = failed(await run(untrusted)).map((c) => c.code);
    expect(codes).toContain('REFERENCE_UNRESOLVED');
    expect(codes).toContain('MODEL_NOT_REGISTERED');
  });

  it('a registration issued after the approval is refused (registration comes before approval)', async () => {
    const w = await buildWorld({ registration: (i) => ({ ...i, now: new Date('2026-01-20T00:00:00Z') }) });
    expect(failed(await run(w)).map((c) => c.code)).toContain('TIME_ORDER_VIOLATION');
  });

  it('a revoked registration fails the chain: REVOKED', async () => {
    const w = await buildWorld({ registration: (i) => i });
    const revoked = await buildWorld({
      registration: (i) => i,
      policy: (d) => {
        d.revocations = [{ kind: 'payload', digest: w.steps.registration!.digest, reason: 'withdrawn' }];
      },
    });
    expect(failed(await run(revoked)).map((c) => c.code)).toContain('REVOKED');
  });

  it('the registration is a link of the chain, and parses with its model card', async () => {
    const w = await buildWorld({ registration: (i) => i });
    const { chain } = await verifyChain({
      bundle: w.bundle,
      policy: w.policy,
      subject: MODEL,
      useCase: 'support-chat',
      asOf: T.asOf,
    });
    expect(chain.map((l) => l.stage)).toEqual([
      'dataset',
      'training',
      'registration',
      'evaluation',
      'approval',
      'promotion',
    ]);
    const parsed = parseAttestationPayload(w.steps.registration!.payload);
    expect(parsed.stage).toBe('registration');
    if (parsed.stage === 'registration') expect(parsed.predicate.modelCard.license).toBe('Apache-2.0');
  });
});

const redTeam = (critical: number, high = 0): Findings => ({
  category: 'red-teaming',
  suite: { name: 'garak', version: '0.9' },
  critical,
  high,
  medium: 3,
  low: 7,
});

const capRedTeaming: WorldOptions['policy'] = (d) => {
  d.riskTiers.high.findingCaps = { 'red-teaming': { critical: 0, high: 2 } };
  d.riskTiers.high.requiredEvaluationCategories.push('red-teaming');
};

describe('evaluation gates by category, with findings', () => {
  it('a critical red-teaming finding fails a tier that caps it: FINDINGS_CAP_EXCEEDED', async () => {
    const w = await buildWorld({
      evaluation: (i) => ({ ...i, findings: [redTeam(1)] }),
      policy: capRedTeaming,
    });
    expect(w.steps.evaluation.statement.predicateType).toBe('https://lineproof.dev/attestation/evaluation/v0.2');
    const f = failed(await run(w));
    expect(f.map((c) => c.code)).toEqual(['FINDINGS_CAP_EXCEEDED']);
    expect(f[0]!.id).toBe('evaluation.findings.red-teaming');
    expect(f[0]!.message).toContain('1 critical');
    expect(f[0]).toMatchObject({ expected: 'critical <= 0, high <= 2' });
  });

  it('findings within the caps pass, and red-teaming findings cover the required category', async () => {
    const w = await buildWorld({ evaluation: (i) => ({ ...i, findings: [redTeam(0, 2)] }), policy: capRedTeaming });
    const report = await run(w);
    expect(failed(report)).toEqual([]);
    expect(report.checks.find((c) => c.id === 'evaluation.category.red-teaming')?.status).toBe('pass');
    expect(report.checks.find((c) => c.id === 'evaluation.findings.red-teaming')?.status).toBe('pass');
  });

  it('a cap over a category no evaluation reports findings for fails: FINDINGS_MISSING', async () => {
    const w = await buildWorld({
      policy: (d) => {
        d.riskTiers.high.findingCaps = { 'red-teaming': { critical: 0 } };
      },
    });
    expect(failed(await run(w)).map((c) => c.code)).toEqual(['FINDINGS_MISSING']);
  });

  it('each relied-on evaluation is held to the cap: a clean second report does not hide a critical one', async () => {
    const clean = await buildWorld({ evaluation: (i) => ({ ...i, findings: [redTeam(0)] }), policy: capRedTeaming });
    const dirty = await buildWorld({
      evaluation: (i) => ({
        ...i,
        findings: [redTeam(0), { ...redTeam(4), suite: { name: 'internal', version: '2' } }],
      }),
      policy: capRedTeaming,
    });
    expect(failed(await run(clean))).toEqual([]);
    expect(failed(await run(dirty)).map((c) => c.code)).toEqual(['FINDINGS_CAP_EXCEEDED']);
  });

  it('a v0.1 evaluation (no findings) keeps verifying', async () => {
    const w = await buildWorld();
    expect(w.steps.evaluation.statement.predicateType).toBe('https://lineproof.dev/attestation/evaluation/v0.1');
    expect((await run(w)).ok).toBe(true);
  });
});
