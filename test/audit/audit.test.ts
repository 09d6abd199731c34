/**
 * The audit document and its renderers (spec/audit.md): what is drawn is trusted material only,
 * statuses follow the report, the card and metrics follow the chain, and no text from a chain can
 * become markup in any output format (properties over arbitrary text).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildAudit,
  renderAuditHtml,
  renderAuditMarkdown,
  renderLineageDot,
  renderLineageMermaid,
  type Audit,
} from '../../src/audit/index.js';
import { checkArtifact } from '../../src/verify/check-artifact.js';
import { verifyChain } from '../../src/verify/chain.js';
import {
  buildRevocationStatement,
  buildWorld,
  IDENTITY,
  MODEL,
  OTHER_MODEL,
  sign,
  T,
  type World,
  type WorldOptions,
} from '../helpers/world.js';

const registered: WorldOptions = { registration: (i) => i };

async function auditOf(world: World, opts: { subject?: string; bundle?: string } = {}): Promise<Audit> {
  const subject = opts.subject ?? MODEL;
  const bundle = opts.bundle ?? world.bundle;
  const v = await verifyChain({ bundle, policy: world.policy, subject, useCase: 'support-chat', asOf: T.asOf });
  return buildAudit({
    report: v.report,
    used: v.used,
    bundle,
    policy: world.policy,
    subject: { name: 'model/', digest: subject },
    useCase: 'support-chat',
    generator: 'lineproof test',
  });
}

/** The tag names of an HTML text (opening and closing), in order. */
const tagsOf = (html: string): string[] =>
  [...html.matchAll(/<\/?([A-Za-z][A-Za-z0-9-]*)/g)].map((m) => m[1]!.toLowerCase());
const ALLOWED_TAGS = new Set(
  'html head meta title style body main h1 h2 p span strong code table thead tbody tr th td dl dt dd br ol li div svg defs marker path g rect text script'.split(
    ' ',
  ),
);

describe('buildAudit', () => {
  it('draws a passing chain: every stage a trusted link, the artifact matched, inputs as the verifier used them', async () => {
    const world = await buildWorld(registered);
    const audit = await auditOf(world);
    expect(audit.verdict).toBe('PASSED');
    const byStage = Object.fromEntries(audit.nodes.map((n) => [n.stage, n]));
    for (const s of ['artifact', 'dataset', 'training', 'evaluation', 'registration', 'approval', 'promotion'])
      expect(byStage[s]?.status, s).toBe('verified');
    const v = await verifyChain({
      bundle: world.bundle,
      policy: world.policy,
      subject: MODEL,
      useCase: 'support-chat',
      asOf: T.asOf,
    });
    expect(audit.inputs).toEqual(v.used);
    expect(audit.edges).toContainEqual({
      from: world.steps.training.digest,
      to: world.steps.dataset.digest,
      role: 'dataset',
    });
    expect(audit.edges).toContainEqual({ from: 'artifact', to: world.steps.training.digest, role: 'produced-by' });
    expect(byStage.approval!.signers.map((s) => s.identity).sort()).toEqual([
      'mailto:alice@example.com',
      'mailto:bob@example.com',
    ]);
  });

  it('fills the AI card from the registration and the approval, with the window the load-time check grants', async () => {
    const world = await buildWorld(registered);
    const audit = await auditOf(world);
    const granted = await checkArtifact({
      artifact: { digest: MODEL },
      bundle: world.bundle,
      policy: world.policy,
      useCase: 'support-chat',
      asOf: T.asOf,
    });
    expect(granted.ok).toBe(true);
    const card = audit.card;
    expect(card.model).toEqual({ name: 'support-bot', version: '3.0.0' });
    expect(card.owner).toBe('mailto:ml-team@example.com');
    expect(card.useCases.map((u) => `${u.id}:${u.tier}`)).toEqual(['support-chat:high', 'internal-search:low']);
    expect(card.limitations).toEqual(['English only']);
    expect(card.license).toBe('Apache-2.0');
    expect(card.approval).toMatchObject({
      useCase: 'support-chat',
      tier: granted.approval!.tier,
      notBefore: granted.approval!.notBefore,
      expires: granted.approval!.expires,
      runtimeScope: granted.approval!.runtimeScope,
    });
    expect(card.evaluations).toHaveLength(1);
    expect(card.evaluations[0]!.gated).toBeGreaterThan(0);
    expect(card.evaluations[0]!.passed).toBe(card.evaluations[0]!.gated);
  });

  it('puts each metric beside the check that judged it', async () => {
    const world = await buildWorld({
      evaluation: (i) => ({
        ...i,
        metrics: i.metrics.map((m) => (m.name === 'accuracy' ? { ...m, value: 0.5, threshold: 0.4 } : m)),
      }),
    });
    const audit = await auditOf(world);
    expect(audit.verdict).toBe('FAILED');
    const accuracy = audit.metrics.find((m) => m.name === 'accuracy')!;
    expect(accuracy).toMatchObject({ value: 0.5, status: 'fail' });
    expect(accuracy.code).not.toBe('OK');
    expect(accuracy.gate).toMatch(/>= 0\.9/);
    const evaluation = audit.nodes.find((n) => n.stage === 'evaluation')!;
    expect(evaluation.status).toBe('failing');
    expect(evaluation.codes).toContain(accuracy.code);
  });

  it('marks the artifact failing when it matches no attested subject, and still draws the trusted lineage', async () => {
    const world = await buildWorld();
    const audit = await auditOf(world, { subject: OTHER_MODEL });
    expect(audit.verdict).toBe('FAILED');
    const artifact = audit.nodes.find((n) => n.id === 'artifact')!;
    expect(artifact.status).toBe('failing');
    expect(artifact.codes).toContain('SUBJECT_NOT_APPROVED');
    expect(audit.nodes.filter((n) => n.stage === 'training').map((n) => n.status)).toEqual(['outside']);
    expect(audit.edges.some((e) => e.from === 'artifact')).toBe(false);
  });

  it('marks a reference no trusted envelope carries as missing', async () => {
    const world = await buildWorld();
    const bundle = world.bundle.replace(world.steps.evaluation.line, '');
    expect(bundle).not.toBe(world.bundle);
    const audit = await auditOf(world, { bundle });
    const missing = audit.nodes.find((n) => n.id === world.steps.evaluation.digest)!;
    expect(missing.status).toBe('missing');
    expect(audit.nodes.find((n) => n.stage === 'approval')!.status).toBe('failing');
  });

  it('never draws an envelope no policy key verifies: it is counted, and its text is nowhere in any output', async () => {
    const world = await buildWorld();
    const forged = await buildWorld({
      signers: { dataset: ['mallory'] },
      dataset: (i) => ({ ...i, name: 'FORGED-DATASET-NAME' }),
    });
    const bundle = `${world.bundle}${forged.steps.dataset.line}`;
    const audit = await auditOf(world, { bundle });
    expect(audit.hidden.untrusted).toBe(1);
    expect(audit.nodes.some((n) => n.id === forged.steps.dataset.digest)).toBe(false);
    for (const out of [
      renderAuditHtml(audit),
      renderAuditMarkdown(audit),
      renderLineageDot(audit),
      renderLineageMermaid(audit),
    ])
      expect(out).not.toContain('FORGED-DATASET-NAME');
  });

  it('does not throw on an unreadable bundle', async () => {
    const world = await buildWorld();
    const v = await verifyChain({
      bundle: 'not json\n',
      policy: world.policy,
      subject: MODEL,
      useCase: 'support-chat',
      asOf: T.asOf,
    });
    const audit = await buildAudit({
      report: v.report,
      bundle: 'not json\n',
      policy: world.policy,
      subject: { name: 'm', digest: MODEL },
    });
    expect(audit.verdict).toBe('FAILED');
    expect(audit.hidden.unreadable).toBe(1);
    expect(renderAuditHtml(audit)).toContain('data-lp-verdict="FAILED"');
  });
});

describe('renderers: no text from a chain becomes markup', () => {
  const hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>` | *x* [a](javascript:1) --> "q" &amp;';

  it('shows hostile registration text as text in HTML, Markdown, DOT and Mermaid', async () => {
    const world = await buildWorld({
      registration: (i) => ({
        ...i,
        model: { name: hostile, version: '1' },
        modelCard: { ...i.modelCard, description: hostile, limitations: [hostile] },
      }),
    });
    const audit = await auditOf(world);
    const html = renderAuditHtml(audit);
    expect(tagsOf(html).filter((t) => !ALLOWED_TAGS.has(t))).toEqual([]);
    expect(html.match(/<script/g)).toHaveLength(1); // the JSON data block only
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const tags = html.match(/<[A-Za-z][^>]*>/g)!;
    expect(tags.filter((t) => /\s(href|src|action|formaction|xlink:href|on\w+)=/i.test(t))).toEqual([]);
    expect(tags.filter((t) => /url\((?!#arrow\))/.test(t))).toEqual([]);
    const md = renderAuditMarkdown(audit);
    expect(md).not.toMatch(/<script|<img/);
    expect(md).toContain('&lt;script&gt;');
    const mermaid = renderLineageMermaid(audit);
    for (const line of mermaid.split('\n').filter((l) => l.includes('["')))
      expect(line.slice(line.indexOf('["') + 2, line.lastIndexOf('"]')).replaceAll('<br/>', '')).not.toMatch(
        /["<>[\]`]/,
      );
    const dot = renderLineageDot(audit);
    for (const line of dot.split('\n').filter((l) => l.includes('label="')))
      expect(line.replace(/\\./g, '')).toMatch(/^[^"]*"[^"]*" \[label="[^"]*", color=\w+(, style=dashed)?\];$|->/);
  });

  it('property: for any text in the chain, the page has only our tags, one script (data) block, and embeds the document exactly', async () => {
    const base = await buildWorld(registered);
    const v = await verifyChain({
      bundle: base.bundle,
      policy: base.policy,
      subject: MODEL,
      useCase: 'support-chat',
      asOf: T.asOf,
    });
    const audit = await buildAudit({
      report: v.report,
      used: v.used,
      bundle: base.bundle,
      policy: base.policy,
      subject: { name: 'model', digest: MODEL },
    });
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 80 }),
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        (a, b) => {
          const doc: Audit = {
            ...audit,
            subject: { name: a, digest: MODEL },
            nodes: audit.nodes.map((n) => ({ ...n, label: `${b}${a}`, attester: a })),
            card: { ...audit.card, description: a, limitations: [b], owner: b },
            failed: [{ id: 'x', code: 'REVOKED', status: 'fail', subject: a, message: b }],
          };
          const html = renderAuditHtml(doc);
          expect(tagsOf(html).filter((t) => !ALLOWED_TAGS.has(t))).toEqual([]);
          expect(html.match(/<script/g)).toHaveLength(1);
          const block = html.slice(
            html.indexOf('<script type="application/json" id="lineproof-audit">') + 53,
            html.lastIndexOf('</script>'),
          );
          expect(JSON.parse(block)).toEqual(JSON.parse(JSON.stringify(doc)));
          expect(renderAuditMarkdown(doc)).not.toMatch(/<(?!br\/>|sub>|\/sub>)/);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('base models and revocations', () => {
  it("draws a fine-tune's base-model chain as ancestors, joined by the base-model reference", async () => {
    const BASE = `sha256:${'b1'.repeat(32)}`;
    const about = <T extends { subject?: unknown }>(i: T): T => ({ ...i, subject: { name: 'base', digest: BASE } });
    const baseWorld = await buildWorld({ training: about, evaluation: about, approval: about, promotion: about });
    const fine = await buildWorld({
      dataset: (i) => ({ ...i, version: 'fine-tune data' }),
      training: (i) => ({
        ...i,
        baseModel: { name: 'base', digest: BASE, training: baseWorld.steps.training.payload },
      }),
      policy: (d) => {
        d.baseModels = { policy: JSON.parse(JSON.stringify(baseWorld.doc)), useCase: 'support-chat' };
      },
    });
    const audit = await auditOf(fine, { bundle: fine.bundle + baseWorld.bundle });
    expect(audit.verdict).toBe('PASSED');
    const base = audit.nodes.filter((n) => n.baseModel);
    expect(base.map((n) => n.id).sort()).toEqual(
      Object.values(baseWorld.steps)
        .map((s) => s.digest)
        .sort(),
    );
    expect(base.every((n) => n.status === 'verified' && n.signers.length > 0)).toBe(true);
    expect(audit.edges).toContainEqual({
      from: fine.steps.training.digest,
      to: baseWorld.steps.training.digest,
      role: 'base-model',
    });
    expect(renderAuditHtml(audit)).toContain('training (base model)');
  });

  it('marks a revoked model as revoked', async () => {
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
    const audit = await auditOf(world, { bundle: world.bundle + revocation.line });
    expect(audit.verdict).toBe('FAILED');
    const statuses = Object.fromEntries(audit.nodes.map((n) => [n.id, n.status]));
    expect(statuses[world.steps.training.digest]).toBe('revoked');
    expect(renderLineageDot(audit)).toMatch(/REVOKED/);
  });

  it('draws an attestation signed on several lines once', async () => {
    const world = await buildWorld(registered);
    const extra = await sign(world.steps.dataset.statement, ['steward']);
    const audit = await auditOf(world, { bundle: `${world.bundle}${extra.line}` });
    expect(audit.nodes.filter((n) => n.id === world.steps.dataset.digest)).toHaveLength(1);
  });
});
