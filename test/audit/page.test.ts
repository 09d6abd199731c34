/**
 * `verifyAuditPage` (spec/audit.md "A page that can be checked"): a page rendered with a signed
 * verification summary verifies; every way of making the page show something other than what the
 * summary signs fails with its code; hostile pages never throw.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildAudit, readAuditPage, renderAuditHtml, verifyAuditPage, type Audit } from '../../src/audit/index.js';
import { fromBase64 } from '../../src/bytes/index.js';
import { serializeEnvelope } from '../../src/dsse/envelope.js';
import { ed25519Signer } from '../../src/keys/export.js';
import { payloadDigest } from '../../src/statements/statement.js';
import { verifyChain } from '../../src/verify/chain.js';
import { buildVerificationSummary, signVerificationSummary } from '../../src/verify/vsa/build.js';
import { gateKey, vsaWorld } from '../helpers/vsa.js';
import { MODEL, OTHER_MODEL, T, type World } from '../helpers/world.js';

const GEN = 'lineproof test';
let world: World;

async function page(subject = MODEL, opts: { vsa?: boolean } = {}): Promise<{ html: string; audit: Audit }> {
  const v = await verifyChain({
    bundle: world.bundle,
    policy: world.policy,
    subject,
    useCase: 'support-chat',
    asOf: T.asOf,
  });
  let vsa;
  if (opts.vsa !== false) {
    const statement = buildVerificationSummary({
      verification: v,
      policy: world.policy,
      subject,
      timeVerified: T.asOf,
    });
    const envelope = await signVerificationSummary(statement, [ed25519Signer(await gateKey('gate'))], {
      policy: world.policy,
    });
    vsa = {
      envelope: serializeEnvelope(envelope),
      payloadDigest: payloadDigest(fromBase64(envelope.payload)),
      verificationResult: statement.predicate.verificationResult,
      resourceUri: statement.predicate.resourceUri,
    };
  }
  const audit = await buildAudit({
    report: v.report,
    used: v.used,
    bundle: world.bundle,
    policy: world.policy,
    subject: { name: 'model', digest: subject },
    generator: GEN,
    ...(vsa ? { vsa } : {}),
  });
  return { html: renderAuditHtml(audit), audit };
}

const check = (html: string | Uint8Array, extra: Record<string, unknown> = {}) =>
  verifyAuditPage(html, { policy: world.policy, asOf: T.asOf, generator: GEN, ...extra });
const failed = (r: { report: { checks: Array<{ status: string; code: string }> } }) =>
  [...new Set(r.report.checks.filter((c) => c.status === 'fail').map((c) => c.code))].sort();

beforeAll(async () => {
  world = await vsaWorld({ registration: (i) => i });
});

describe('verifyAuditPage', () => {
  it('verifies a page whose embedded summary signs what it shows', async () => {
    const { html, audit } = await page();
    const r = await check(html);
    expect(failed(r)).toEqual([]);
    expect(r.report.ok).toBe(true);
    const ids = r.report.checks.map((c) => c.id);
    for (const id of [
      'audit.document',
      'audit.marks',
      'audit.rendered',
      'dsse.threshold',
      'vsa.subject',
      'audit.summary',
    ])
      expect(ids).toContain(id);
    expect(readAuditPage(html).inputs).toEqual(audit.inputs);
  });

  it('checks a FAILED page only when FAILED is asked for', async () => {
    const { html } = await page(OTHER_MODEL);
    expect(failed(await check(html))).toEqual(['VSA_LEVEL_MISSING', 'VSA_RESULT_MISMATCH']);
    expect((await check(html, { expectResult: 'FAILED' })).report.ok).toBe(true);
  });

  it('refuses a page whose shown verdict was flipped (text, attribute, or both and the document)', async () => {
    const { html } = await page(OTHER_MODEL);
    const textOnly = html.replace('data-lp-verdict="FAILED">FAILED<', 'data-lp-verdict="FAILED">PASSED<');
    expect(failed(await check(textOnly, { expectResult: 'FAILED' }))).toContain('AUDIT_PAGE_MISMATCH');
    const both = html.replace('data-lp-verdict="FAILED">FAILED<', 'data-lp-verdict="PASSED">PASSED<');
    expect(failed(await check(both, { expectResult: 'FAILED' }))).toContain('AUDIT_PAGE_MISMATCH');
    const all = both.replace('"verdict":"FAILED"', '"verdict":"PASSED"');
    const r = await check(all, { expectResult: 'FAILED', generator: 'another' });
    expect(failed(r)).toEqual(['AUDIT_PAGE_MISMATCH']);
    expect(r.report.checks.find((c) => c.id === 'audit.summary')?.status).toBe('fail');
  });

  it('refuses a page that drops or adds an attestation relied on', async () => {
    const { html, audit } = await page();
    const first = audit.inputs[0]!;
    const dropped = html.replace(`<li><code data-lp-input="${first}">${first}</code></li>`, '');
    expect(failed(await check(dropped))).toEqual(['AUDIT_PAGE_MISMATCH']);
    const forged = `sha256:${'0'.repeat(64)}`;
    const added = html.replace(
      '<ol class="inputs">',
      `<ol class="inputs"><li><code data-lp-input="${forged}">${forged}</code></li>`,
    );
    expect(failed(await check(added))).toEqual(['AUDIT_PAGE_MISMATCH']);
  });

  it('refuses an edited page of this renderer, and says when it cannot re-render', async () => {
    const { html } = await page();
    const edited = html.replace('<h2>AI card</h2>', '<h2>AI card</h2><p>Approved by the board.</p>');
    const r = await check(edited);
    expect(r.report.checks.find((c) => c.id === 'audit.rendered')).toMatchObject({
      status: 'fail',
      code: 'AUDIT_PAGE_MISMATCH',
    });
    const other = await check(edited, { generator: 'lineproof 9.9.9' });
    expect(other.report.checks.find((c) => c.id === 'audit.rendered')?.status).toBe('skip');
    expect(other.report.ok).toBe(true);
  });

  it('refuses a page without a summary, with two documents, or with none', async () => {
    const { html } = await page(MODEL, { vsa: false });
    expect(failed(await check(html))).toEqual(['AUDIT_PAGE_NO_SUMMARY']);
    const block = html.slice(html.indexOf('<script type="application/json"'), html.lastIndexOf('</script>') + 9);
    expect(failed(await check(html.replace('</body>', `${block}</body>`)))).toEqual(['AUDIT_PAGE_INVALID']);
    expect(failed(await check(html.replace(block, '')))).toEqual(['AUDIT_PAGE_INVALID']);
    expect(failed(await check(new Uint8Array([0xff, 0xfe, 0x3c])))).toEqual(['AUDIT_PAGE_INVALID']);
  });

  it('refuses a summary signed by a key outside the verifier role', async () => {
    const { html, audit } = await page();
    const v = await verifyChain({
      bundle: world.bundle,
      policy: world.policy,
      subject: MODEL,
      useCase: 'support-chat',
      asOf: T.asOf,
    });
    const statement = buildVerificationSummary({
      verification: v,
      policy: world.policy,
      subject: MODEL,
      timeVerified: T.asOf,
    });
    const envelope = await signVerificationSummary(statement, [ed25519Signer(await gateKey('stranger'))]);
    const swapped = renderAuditHtml({ ...audit, vsa: { ...audit.vsa!, envelope: serializeEnvelope(envelope) } });
    expect(html).not.toBe(swapped);
    expect(failed(await check(swapped))).toContain('DSSE_NO_TRUSTED_SIGNATURE');
  });

  it('names the check that fails: marks, document, summary', async () => {
    const { html, audit } = await page();
    const at = async (h: string, id: string, extra: Record<string, unknown> = {}) =>
      (await check(h, extra)).report.checks.find((c) => c.id === id);
    // visible text differs from its attribute
    const text = html.replace('data-lp-verdict="PASSED">PASSED<', 'data-lp-verdict="PASSED">FAILED<');
    expect(await at(text, 'audit.marks')).toMatchObject({ status: 'fail', code: 'AUDIT_PAGE_MISMATCH' });
    // a second verdict mark
    const twice = html.replace('<h2>Lineage</h2>', '<h2>Lineage</h2><p data-lp-verdict="PASSED">PASSED</p>');
    expect(await at(twice, 'audit.marks')).toMatchObject({ status: 'fail', code: 'AUDIT_PAGE_INVALID' });
    // no artifact mark
    const d = audit.subject.digest;
    const noSubject = html.replace(`<code data-lp-subject="${d}">${d}</code>`, `<code>${d}</code>`);
    expect(await at(noSubject, 'audit.marks')).toMatchObject({ status: 'fail', code: 'AUDIT_PAGE_INVALID' });
    // the artifact shown is not the document's
    const other = `sha256:${'1'.repeat(64)}`;
    const swapped = html.replace(`data-lp-subject="${d}">${d}<`, `data-lp-subject="${other}">${other}<`);
    expect(await at(swapped, 'audit.marks', { generator: 'x' })).toMatchObject({
      status: 'fail',
      code: 'AUDIT_PAGE_MISMATCH',
    });
    // the document is not an audit document, version 1
    const v2 = renderAuditHtml({ ...audit, auditVersion: 2 as 1 });
    expect(await at(v2, 'audit.document')).toMatchObject({ status: 'fail', code: 'AUDIT_PAGE_INVALID' });
    const notJson = html.replace('{"auditVersion"', '{auditVersion');
    expect(await at(notJson, 'audit.document')).toMatchObject({ status: 'fail' });
    // the summary signs another policy than the page shows
    const policy = renderAuditHtml({ ...audit, policy: { ...audit.policy, digest: `sha256:${'2'.repeat(64)}` } });
    expect(await at(policy, 'audit.summary', { generator: 'x' })).toMatchObject({
      status: 'fail',
      code: 'AUDIT_PAGE_MISMATCH',
    });
    // a good page: every audit check passes, the rendering included
    for (const id of ['audit.document', 'audit.marks', 'audit.rendered', 'audit.summary'])
      expect((await at(html, id))?.status, id).toBe('pass');
    expect((await at(html, 'audit.rendered', { generator: 'x' }))?.status).toBe('skip');
  });

  it('reads marks only where attribute and text agree, and the embedded document as JSON', async () => {
    const { html, audit } = await page();
    const read = readAuditPage(html);
    expect(read.verdicts).toEqual(['PASSED']);
    expect(read.subjects).toEqual([audit.subject.digest]);
    expect(read.inconsistent).toEqual([]);
    expect(read.document).toEqual(JSON.parse(JSON.stringify(audit)));
    const broken = readAuditPage(html.replace('data-lp-verdict="PASSED">PASSED', 'data-lp-verdict="PASSED" >PASSED'));
    expect(broken.inconsistent).toEqual(['data-lp-verdict="PASSED"']);
    expect(readAuditPage(new Uint8Array([0xc3, 0x28])).document).toBeInstanceOf(Error);
    const unclosed = readAuditPage(html.slice(0, html.lastIndexOf('</script>')));
    expect(unclosed.document).toBeInstanceOf(Error);
  });

  it('property: any mutation never throws; a mutated page is a faithful rendering only if what it shows is unchanged', async () => {
    const { html } = await page();
    const block = html.indexOf('<script type="application/json"');
    await fc.assert(
      fc.asyncProperty(
        fc.nat(html.length - 1),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }),
        async (at, s) => {
          const mutated = html.slice(0, at) + s + html.slice(at + 1);
          const r = await check(mutated);
          if (r.report.ok) expect(mutated === html || readAuditPage(mutated).verdicts[0] === 'PASSED').toBe(true);
          // A field the page does not show may be edited in the data block (it is not signed either):
          // what the page shows, everything before the block, is then unchanged.
          if (r.report.checks.find((c) => c.id === 'audit.rendered')?.status === 'pass')
            expect(mutated.slice(0, block)).toBe(html.slice(0, block));
        },
      ),
      { numRuns: 60 },
    );
  });
});
