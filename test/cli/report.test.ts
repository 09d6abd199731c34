/**
 * `lineproof report` and `lineproof vsa verify --from-html`: the formats, the exit codes of
 * verify, the page with its embedded summary verified, and a tampered page refused.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { privateKeyToPem } from '../../src/keys/keys.js';
import { reportSchema } from '../../src/report/index.js';
import { cli } from '../helpers/cli.js';
import { gateKey, vsaWorld } from '../helpers/vsa.js';
import { MODEL, OTHER_MODEL, T } from '../helpers/world.js';

const dir = mkdtempSync(join(tmpdir(), 'lineproof-report-'));
const p = (n: string) => join(dir, n);

beforeAll(async () => {
  const world = await vsaWorld({
    registration: (i) => ({ ...i, modelCard: { ...i.modelCard, limitations: ['<script>alert("x")</script>'] } }),
  });
  writeFileSync(p('policy.json'), JSON.stringify(world.doc, null, 2));
  writeFileSync(p('chain.intoto.jsonl'), world.bundle);
  writeFileSync(p('gate.key'), privateKeyToPem(await gateKey('gate')), { mode: 0o600 });
});

const args = (digest = MODEL, ...more: string[]) => [
  'report',
  '--chain',
  p('chain.intoto.jsonl'),
  '--policy',
  p('policy.json'),
  '--digest',
  digest,
  '--use-case',
  'support-chat',
  '--at',
  T.asOf,
  ...more,
];

describe('lineproof report', () => {
  it('writes the HTML page (--html) and exits as verify does', async () => {
    const ok = await cli(args(MODEL, '--html', p('ok.html')));
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^VERIFIED: sha256:.* html report written to /);
    const html = readFileSync(p('ok.html'), 'utf8');
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; img-src data:">`,
    );
    expect(html).toContain('data-lp-verdict="PASSED"');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    const bad = await cli(args(OTHER_MODEL, '--html', p('bad.html')));
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^NOT VERIFIED: /);
    expect(readFileSync(p('bad.html'), 'utf8')).toContain('data-lp-verdict="FAILED"');
  });

  it('prints Markdown, DOT, Mermaid and the audit document on standard output', async () => {
    const md = await cli(args(MODEL, '--format', 'md'));
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/^## Lineproof audit: .* — \*\*PASSED\*\*/);
    expect(md.stdout).toContain('```mermaid');
    const dot = await cli(args(MODEL, '--format', 'dot'));
    expect(dot.stdout).toMatch(/^digraph lineage \{/);
    expect(dot.stdout).toContain('-> "artifact" [label="produced-by"]');
    const mermaid = await cli(args(MODEL, '--format', 'mermaid'));
    expect(mermaid.stdout).toMatch(/^flowchart LR\n/);
    const json = await cli(args(OTHER_MODEL, '--format', 'json'));
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout) as { auditVersion: number; verdict: string; report: unknown };
    expect(doc).toMatchObject({ auditVersion: 1, verdict: 'FAILED' });
    expect(reportSchema.safeParse(doc.report).success).toBe(true);
  });

  it('prints the verification report with --json beside a written page', async () => {
    const r = await cli(args(MODEL, '--out', p('j.html'), '--json'));
    expect(r.code).toBe(0);
    expect(reportSchema.parse(JSON.parse(r.stdout)).ok).toBe(true);
  });

  it('refuses bad usage with exit 2 and writes nothing', async () => {
    for (const extra of [
      ['--format', 'pdf'],
      ['--html', p('x.html'), '--format', 'md'],
      ['--html', p('x.html'), '--out', p('y.html')],
      ['--json'],
    ]) {
      const r = await cli(args(MODEL, ...extra));
      expect(r.code, extra.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/report: /);
    }
    expect(existsSync(p('x.html'))).toBe(false);
    expect((await cli(['report', '--help'])).stdout).toMatch(/^Usage: lineproof report /);
  });
});

describe('lineproof vsa verify --from-html', () => {
  it('verifies the summary a page embeds and that the page shows what it signs', async () => {
    const made = await cli(args(MODEL, '--html', p('signed.html'), '--vsa-key', p('gate.key')));
    expect(made.code).toBe(0);
    const ok = await cli([
      'vsa',
      'verify',
      '--from-html',
      p('signed.html'),
      '--policy',
      p('policy.json'),
      '--at',
      T.asOf,
    ]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^VERIFIED: .*signed\.html: the summary signs what the page shows: PASSED/);
  });

  it('refuses a page whose verdict or attestations were edited (exit 1), and a page with no summary', async () => {
    await cli(args(OTHER_MODEL, '--html', p('failed.html'), '--vsa-key', p('gate.key')));
    const failed = readFileSync(p('failed.html'), 'utf8');
    const asked = ['--policy', p('policy.json'), '--at', T.asOf, '--expect-result', 'FAILED', '--json'];
    expect((await cli(['vsa', 'verify', '--from-html', p('failed.html'), ...asked])).code).toBe(0);
    writeFileSync(p('flipped.html'), failed.replaceAll('FAILED', 'PASSED'));
    const flipped = await cli(['vsa', 'verify', '--from-html', p('flipped.html'), ...asked]);
    expect(flipped.code).toBe(1);
    const codes = (JSON.parse(flipped.stdout) as { checks: Array<{ status: string; code: string }> }).checks
      .filter((c) => c.status === 'fail')
      .map((c) => c.code);
    expect(codes).toContain('AUDIT_PAGE_MISMATCH');
    const plain = await cli([
      'vsa',
      'verify',
      '--from-html',
      p('ok.html'),
      '--policy',
      p('policy.json'),
      '--at',
      T.asOf,
    ]);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(/AUDIT_PAGE_NO_SUMMARY/);
  });

  it('takes the summary file or --from-html, not both', async () => {
    const r = await cli(['vsa', 'verify', 'x.json', '--from-html', p('ok.html'), '--policy', p('policy.json')]);
    expect(r.code).toBe(2);
    const missing = await cli(['vsa', 'verify', '--from-html', p('nope.html'), '--policy', p('policy.json')]);
    expect(missing.code).toBe(2);
  });
});
