/**
 * The audit document field by field (mutation-driven): the artifact's standing, the drawing cap,
 * the policy part, the edges of revocations, the newest registration, the approval the verdict
 * rests on, and each metric's gate, unit and status.
 */
import { describe, expect, it } from 'vitest';
import { AUDIT_NODE_CAP, buildAudit, type Audit } from '../../src/audit/index.js';
import { keyidOf } from '../../src/keys/keyid.js';
import { buildRegistrationStatement } from '../../src/statements/builders.js';
import { verifyChain } from '../../src/verify/chain.js';
import {
  approvalAt,
  buildRevocationStatement,
  buildWorld,
  IDENTITY,
  MODEL,
  sign,
  T,
  type World,
} from '../helpers/world.js';

async function auditOf(world: World, bundle = world.bundle): Promise<Audit> {
  const v = await verifyChain({ bundle, policy: world.policy, subject: MODEL, useCase: 'support-chat', asOf: T.asOf });
  return buildAudit({
    report: v.report,
    used: v.used,
    bundle,
    policy: world.policy,
    subject: { name: 'm', digest: MODEL },
  });
}

describe('the audit document, field by field', () => {
  it('keeps the artifact verified when it is attested and the chain fails elsewhere', async () => {
    const world = await buildWorld();
    const audit = await auditOf(world, world.bundle.replace(world.steps.evaluation.line, ''));
    expect(audit.verdict).toBe('FAILED');
    expect(audit.nodes[0]).toMatchObject({
      id: 'artifact',
      status: 'verified',
      codes: [],
      subjects: [{ name: 'm', digest: MODEL }],
    });
    const missing = audit.nodes.find((n) => n.status === 'missing')!;
    expect(missing).toMatchObject({ stage: 'evaluation', signers: [], subjects: [], issuedAt: null, attester: null });
    expect(missing.label).toMatch(/^evaluation referred to as .*, carried by no trusted envelope$/);
  });

  it(`draws at most ${AUDIT_NODE_CAP} attestations outside the verdict and counts the rest`, async () => {
    const world = await buildWorld();
    let extra = '';
    for (let i = 0; i < AUDIT_NODE_CAP + 3; i++) {
      const s = await sign(
        {
          ...world.steps.dataset.statement,
          predicate: { ...(world.steps.dataset.statement.predicate as object), version: `v${i}` },
        },
        ['steward'],
      );
      extra += s.line;
    }
    const audit = await auditOf(world, world.bundle + extra);
    expect(audit.nodes.filter((n) => n.status === 'outside')).toHaveLength(AUDIT_NODE_CAP);
    expect(audit.hidden).toEqual({ untrusted: 0, overCap: 3, unreadable: 0 });
    const outside = audit.nodes.find((n) => n.status === 'outside')!;
    expect(outside.signers).toEqual([
      { keyid: expect.stringMatching(/^[0-9a-f]{64}$/), identity: IDENTITY.steward, roles: ['data-steward'] },
    ]);
  });

  it('describes the policy as the report and the keys say', async () => {
    const world = await buildWorld();
    const audit = await auditOf(world);
    const trust = audit.report.checks.find((c) => c.id === 'policy.trust')!;
    expect(audit.policy).toMatchObject({
      id: world.policy.document.id,
      version: world.policy.document.version,
      digest: world.policy.digest,
      trust: { code: trust.code, status: trust.status, message: trust.message },
      signers: [],
    });
    expect(audit.policy.keys).toEqual(
      world.policy.keys.map((k) => ({
        name: k.name,
        keyid: keyidOf(k.publicKey),
        identity: k.identity,
        roles: [...k.roles],
      })),
    );
    expect(audit.inputs).toEqual(audit.report.results[0]!.chain.map((l) => l.payloadDigest));
  });

  it('draws a revocation with its revokes edge, and no node for what it revokes outside the drawing', async () => {
    const world = await buildWorld();
    const revocation = await sign(
      buildRevocationStatement({
        kind: 'attestation',
        attestations: [world.steps.training.payload],
        reason: 'legal',
        description: 'takedown',
        effectiveAt: '2026-01-20T00:00:00Z',
        attester: IDENTITY.revoker,
        now: new Date('2026-01-20T00:00:00Z'),
      } as never),
      ['revoker'],
    );
    const audit = await auditOf(world, world.bundle + revocation.line);
    expect(audit.edges).toContainEqual({ from: revocation.digest, to: world.steps.training.digest, role: 'revokes' });
    expect(audit.nodes.find((n) => n.id === revocation.digest)).toMatchObject({ stage: 'revocation' });
    expect(audit.nodes.filter((n) => n.status === 'missing')).toEqual([]);
  });

  it('takes the registration and the approval the verdict rests on, not a newer one outside it', async () => {
    const world = await buildWorld({ registration: (i) => i });
    const newer = await sign(
      buildRegistrationStatement({
        subject: { name: 'model', digest: MODEL },
        model: { name: 'support-bot', version: '3.0.1' },
        owner: 'mailto:ml-team@example.com',
        useCases: [{ id: 'support-chat', description: 'answers customers', riskTier: 'high' }],
        modelCard: { description: 'Newer', limitations: [], license: 'MIT', contacts: ['mailto:a@example.com'] },
        attester: IDENTITY.registrar,
        now: new Date('2026-01-13T00:00:00Z'),
      }),
      ['registrar'],
    );
    const other = await approvalAt(world, 'APPROVED', '2026-01-20T00:00:00Z', ['alice'], 'internal-search');
    const audit = await auditOf(world, world.bundle + newer.line + other.line);
    expect(audit.nodes.find((n) => n.id === newer.digest)?.status).toBe('outside');
    expect(audit.card).toMatchObject({
      model: { name: 'support-bot', version: '3.0.0' },
      description: 'A support assistant',
      license: 'Apache-2.0',
      contacts: ['mailto:ml-team@example.com'],
      limitations: ['English only'],
      owner: 'mailto:ml-team@example.com',
      registration: world.steps.registration!.digest,
    });
    expect(audit.card.approval).toMatchObject({
      payloadDigest: world.steps.approval.digest,
      decision: 'APPROVED',
      useCase: 'support-chat',
      tier: 'high',
      stage: 'production',
      approvers: ['mailto:alice@example.com', 'mailto:bob@example.com'],
    });
  });

  it('gives each metric its gate, unit and check; one no check judged has none', async () => {
    const world = await buildWorld({
      evaluation: (i) => ({
        ...i,
        metrics: [
          ...i.metrics,
          { name: 'latency', category: 'accuracy', value: 12, higherIsBetter: false, unit: 'ms' },
        ],
      }),
    });
    const audit = await auditOf(world);
    const by = Object.fromEntries(audit.metrics.map((m) => [m.name, m]));
    expect(by.accuracy).toEqual({
      evaluation: world.steps.evaluation.digest,
      name: 'accuracy',
      category: 'accuracy',
      value: 0.95,
      unit: null,
      gate: '>= 0.9',
      status: 'pass',
      code: 'OK',
    });
    expect(by.parity_gap).toMatchObject({ gate: '<= 0.05', status: 'pass' });
    expect(by.latency).toEqual({
      evaluation: world.steps.evaluation.digest,
      name: 'latency',
      category: 'accuracy',
      value: 12,
      unit: 'ms',
      gate: null,
      status: null,
      code: null,
    });
    const gated = audit.metrics.filter((m) => m.status !== null).length;
    expect(audit.card.evaluations).toEqual([
      { payloadDigest: world.steps.evaluation.digest, suite: 'release-eval@1', result: 'PASSED', passed: gated, gated },
    ]);
  });
});
