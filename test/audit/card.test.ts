/**
 * The AI card field by field (mutation-driven): what the card says when the chain has no
 * registration or no approval, the gate a metric declares when no policy check judged it, the
 * approval window as the tier bounds it, the approval's conditions and runtime scope, and which of
 * several approvals the card describes.
 */
import { describe, expect, it } from 'vitest';
import { auditCard, auditMetrics, buildAudit, type Audit } from '../../src/audit/index.js';
import { parseAttestationPayload } from '../../src/statements/predicates/index.js';
import { verifyChain } from '../../src/verify/chain.js';
import { approvalAt, buildWorld, IDENTITY, MODEL, T, verifyWorld, type World } from '../helpers/world.js';

async function auditOf(world: World, bundle = world.bundle, useCase = 'support-chat'): Promise<Audit> {
  const v = await verifyChain({ bundle, policy: world.policy, subject: MODEL, useCase, asOf: T.asOf });
  return buildAudit({
    report: v.report,
    used: v.used,
    bundle,
    policy: world.policy,
    subject: { name: 'm', digest: MODEL },
  });
}

const trainerApproval = (world: World, at: string) => approvalAt(world, 'APPROVED', at, ['trainer']);

describe('the AI card', () => {
  it('says nothing of a model the chain does not register', async () => {
    const world = await buildWorld();
    expect(world.steps.registration).toBeUndefined();
    const { card } = await auditOf(world);
    expect(card).toMatchObject({
      model: null,
      owner: null,
      description: null,
      useCases: [],
      limitations: [],
      license: null,
      contacts: [],
      registration: null,
    });
  });

  it('copies the registration: use cases with their tiers, limitations and contacts', async () => {
    const world = await buildWorld({ registration: (i) => i });
    const { card } = await auditOf(world);
    expect(card.useCases).toEqual([
      { id: 'support-chat', description: 'answers customers', tier: 'high' },
      { id: 'internal-search', description: 'finds documents', tier: 'low' },
    ]);
    expect(card.owner).toBe('mailto:ml-team@example.com');
  });

  it('has no approval when the trusted material holds none', async () => {
    const world = await buildWorld();
    const bundle = world.bundle.replace(world.steps.approval.line, '').replace(world.steps.promotion.line, '');
    const audit = await auditOf(world, bundle);
    expect(audit.verdict).toBe('FAILED');
    expect(audit.card.approval).toBeNull();
  });

  it('bounds the approval window by the tier: the earlier of expires and issuedAt + maxApprovalAgeDays', async () => {
    // High tier: 90 days after 2026-01-14T16:45Z comes before the approval's own expiry.
    const high = await auditOf(await buildWorld());
    expect(high.card.approval).toMatchObject({ notBefore: T.notBefore, expires: '2026-04-14T16:45:00Z' });
    // Low tier (365 days): the approval's own expiry comes first.
    const world = await buildWorld({
      approval: (i) => ({ ...i, useCase: { id: 'internal-search', description: 'search' }, riskTier: 'low' }),
    });
    const low = await auditOf(world, world.bundle, 'internal-search');
    expect(low.card.approval).toMatchObject({ useCase: 'internal-search', tier: 'low', expires: T.expires });
  });

  it("copies the approval's conditions and runtime scope", async () => {
    const world = await buildWorld({
      approval: (i) => ({
        ...i,
        conditions: ['human review of refunds', 'weekly drift report'],
        runtimeScope: { tools: ['search', 'refund'], dataClasses: ['customer-pii'], secretScopes: ['crm:read'] },
      }),
    });
    const { card } = await auditOf(world);
    expect(card.approval).toMatchObject({
      conditions: ['human review of refunds', 'weekly drift report'],
      runtimeScope: { tools: ['search', 'refund'], dataClasses: ['customer-pii'], secretScopes: ['crm:read'] },
    });
  });

  it('describes the approval the chain links, with its signers, when several are trusted', async () => {
    const world = await buildWorld();
    const a1 = await trainerApproval(world, '2026-01-20T00:00:00Z');
    const a2 = await trainerApproval(world, '2026-01-21T00:00:00Z');
    const bundle = world.bundle.replace(world.steps.approval.line, '') + a1.line + a2.line;
    const audit = await auditOf(world, bundle);
    expect(audit.verdict).toBe('FAILED');
    expect(audit.card.approval).toMatchObject({
      payloadDigest: a2.digest,
      approvers: [IDENTITY.trainer],
      expires: '2026-04-21T00:00:00Z',
      notBefore: T.notBefore,
    });
    expect(audit.nodes.find((n) => n.id === a2.digest)?.status).toBe('failing');
    expect(audit.nodes.find((n) => n.id === a1.digest)?.status).toBe('outside');
  });

  it('falls back to the latest trusted approval, without signers, when the chain links none', async () => {
    const world = await buildWorld();
    const a1 = await trainerApproval(world, '2026-01-20T00:00:00Z');
    const a2 = await trainerApproval(world, '2026-01-21T00:00:00Z');
    const v = await verifyWorld(world, world.bundle + a1.line + a2.line);
    const parsed = [a1, a2, world.steps.evaluation].map((s) => parseAttestationPayload(s.payload));
    const noChain = { ...v.report, results: v.report.results.map((r) => ({ ...r, chain: [] })) };
    const card = auditCard(parsed, noChain, world.policy);
    expect(card.approval).toMatchObject({ payloadDigest: a2.digest, approvers: [] });
    const reversed = auditCard([parsed[1]!, parsed[0]!], noChain, world.policy);
    expect(reversed.approval?.payloadDigest).toBe(a2.digest);
    // Same issuedAt: the lower payload digest wins, whatever the order given.
    const low = { ...parsed[1]!, payloadDigest: `sha256:${'0'.repeat(64)}` };
    const high = { ...parsed[1]!, payloadDigest: `sha256:${'f'.repeat(64)}` };
    expect(auditCard([high, low], noChain, world.policy).approval?.payloadDigest).toBe(low.payloadDigest);
    expect(auditCard([low, high], noChain, world.policy).approval?.payloadDigest).toBe(low.payloadDigest);
  });
  it('prefers the approval the chain links over a newer one; signers only for the linked one', async () => {
    const world = await buildWorld();
    const v = await verifyWorld(world);
    const newer = await trainerApproval(world, '2026-01-21T00:00:00Z');
    const [linked, unlinked] = [world.steps.approval, newer].map((s) => parseAttestationPayload(s.payload));
    const both = auditCard([linked!, unlinked!], v.report, world.policy);
    expect(both.approval).toMatchObject({
      payloadDigest: world.steps.approval.digest,
      approvers: [IDENTITY.alice, IDENTITY.bob],
    });
    // The linked approval not among those given: the latest given, and no signer is borrowed.
    const other = auditCard([unlinked!], v.report, world.policy);
    expect(other.approval).toMatchObject({ payloadDigest: newer.digest, approvers: [] });
  });

  it('orders by issuedAt before digest: the later approval wins though its digest sorts higher', async () => {
    const world = await buildWorld();
    const v = await verifyWorld(world);
    const p = parseAttestationPayload((await trainerApproval(world, '2026-01-20T00:00:00Z')).payload);
    const q = parseAttestationPayload((await trainerApproval(world, '2026-01-21T00:00:00Z')).payload);
    const earlier = { ...p, payloadDigest: `sha256:${'0'.repeat(64)}` };
    const later = { ...q, payloadDigest: `sha256:${'f'.repeat(64)}` };
    const noChain = { ...v.report, results: v.report.results.map((r) => ({ ...r, chain: [] })) };
    expect(auditCard([earlier, later], noChain, world.policy).approval?.payloadDigest).toBe(later.payloadDigest);
    expect(auditCard([later, earlier], noChain, world.policy).approval?.payloadDigest).toBe(later.payloadDigest);
  });

  it("gives the policy's tier for the use case, not the one the approval claims; the claim when the policy has none", async () => {
    const world = await buildWorld({ approval: (i) => ({ ...i, riskTier: 'low' }) });
    const { card } = await auditOf(world);
    expect(card.approval).toMatchObject({ useCase: 'support-chat', tier: 'high' });
    const v = await verifyWorld(world);
    const unknown = await buildWorld({
      approval: (i) => ({ ...i, useCase: { id: 'not-in-policy', description: 'x' }, riskTier: 'medium' }),
    });
    const parsed = parseAttestationPayload(unknown.steps.approval.payload);
    expect(auditCard([parsed], v.report, world.policy).approval).toMatchObject({
      useCase: 'not-in-policy',
      tier: 'medium',
    });
  });
});

describe('the metrics', () => {
  it("matches a check to its own evaluation: another evaluation's metric of the same name keeps its own status", async () => {
    const world = await buildWorld({
      evaluation: (i) => ({
        ...i,
        metrics: i.metrics.map((m) => (m.name === 'jailbreak_rate' ? { ...m, unit: 'ms' } : m)),
      }),
    });
    const v = await verifyWorld(world);
    const parsed = parseAttestationPayload(world.steps.evaluation.payload);
    const other = { ...parsed, payloadDigest: `sha256:${'0'.repeat(64)}` };
    const metrics = auditMetrics([parsed, other], v.report);
    const mine = metrics.filter((m) => m.evaluation === parsed.payloadDigest);
    const theirs = metrics.filter((m) => m.evaluation === other.payloadDigest);
    expect(mine.some((m) => m.status !== null)).toBe(true);
    expect(theirs.every((m) => m.status === null && m.code === null)).toBe(true);
    // No check judged theirs: each shows the gate it declares, its sense from higherIsBetter.
    expect(theirs.map((m) => m.gate)).toEqual(['>= 0.9', '>= 0.85', '<= 0.05', '<= 0.01']);
    expect(theirs.map((m) => m.unit)).toEqual([null, null, null, 'ms']);
  });

  it('summarises each evaluation by its own gated metrics, counting only those that passed', async () => {
    const world = await buildWorld({
      evaluation: (i) => ({
        ...i,
        result: 'WARNED',
        metrics: i.metrics.map((m) => (m.name === 'accuracy' ? { ...m, value: 0.5 } : m)),
      }),
    });
    const v = await verifyWorld(world);
    const parsed = parseAttestationPayload(world.steps.evaluation.payload);
    const other = { ...parsed, payloadDigest: `sha256:${'0'.repeat(64)}` };
    const card = auditCard([parsed, other], v.report, world.policy);
    expect(card.evaluations).toEqual([
      { payloadDigest: parsed.payloadDigest, suite: 'release-eval@1', result: 'WARNED', passed: 3, gated: 4 },
      { payloadDigest: other.payloadDigest, suite: 'release-eval@1', result: 'WARNED', passed: 0, gated: 0 },
    ]);
  });
});
