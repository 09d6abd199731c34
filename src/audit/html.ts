/**
 * The HTML audit report (decisions §12): one self-contained file, every piece of text escaped,
 * the Content-Security-Policy `default-src 'none'; style-src 'unsafe-inline'; img-src data:` —
 * no script runs, nothing is fetched. The page embeds the audit document as a JSON data block
 * (never executed), the signed verification summary inside it, and marks the verdict, the
 * artifact's digest and the attestations relied on with `data-lp-*` attributes, so that
 * `lineproof vsa verify --from-html` can check that what the page shows is what the summary signs.
 */
import { shortDigestText } from '../digest/index.js';
import type { Check } from '../report/index.js';
import { escapeHtml as h, jsonForHtml } from './escape.js';
import { renderLineageSvg, statusText } from './graph.js';
import type { Audit, AuditCard, AuditNode } from './types.js';

/** The page's Content-Security-Policy (decisions §12). */
export const AUDIT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
/** The id of the data block holding the audit document. */
export const AUDIT_DATA_ID = 'lineproof-audit';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2328;background:#fff}
main{max-width:1400px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;overflow-wrap:anywhere}
td code{white-space:nowrap}td.wrap code{white-space:normal}
.verdict{display:inline-block;font-weight:700;font-size:18px;padding:4px 14px;border-radius:6px;color:#fff;margin:8px 0}
.verdict.PASSED{background:#1a7f37}.verdict.FAILED{background:#cf222e}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#f6f8fa}td:first-child,th:first-child{white-space:nowrap}tr.fail td{background:#ffebe9}tr.skip td{color:#57606a}
dl.card{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}dl.card dt{font-weight:600}dl.card dd{margin:0}
.graph{overflow-x:auto;border:1px solid #d0d7de;border-radius:6px;padding:4px;background:#fafbfc}
svg.lineage text{font:11px system-ui,sans-serif;fill:#1f2328}svg.lineage text.stage{font-weight:700}
svg.lineage text.digest{font-family:ui-monospace,monospace;fill:#57606a}svg.lineage text.mark{font-weight:700}
svg.lineage rect{fill:#fff;stroke-width:2}svg.lineage .verified rect{stroke:#1a7f37}
svg.lineage .failing rect,svg.lineage .revoked rect{stroke:#cf222e;stroke-width:4;fill:#ffebe9}
svg.lineage .failing text.mark,svg.lineage .revoked text.mark{fill:#cf222e}svg.lineage .verified text.mark{fill:#1a7f37}
svg.lineage .missing rect{stroke:#8c959f;stroke-dasharray:5 3}svg.lineage .outside rect{stroke:#8c959f;fill:#f6f8fa}
svg.lineage .base rect{stroke-dasharray:8 3}svg.lineage path.edge{fill:none;stroke:#57606a;stroke-width:1.5}
svg.lineage marker path{fill:#57606a}.legend span{margin-right:14px}.muted{color:#57606a}
@media print{.graph{overflow:visible}svg.lineage{max-width:100%;height:auto}tr{break-inside:avoid}}
`;

const code = (s: string): string => `<code>${h(s)}</code>`;
const or = (s: string | null | undefined, dash = '—'): string =>
  s === null || s === undefined || s === '' ? dash : h(s);
const list = (xs: readonly string[]): string => (xs.length === 0 ? '—' : xs.map(h).join('<br>'));
/** Already-escaped HTML fragments, one a line. */
const lines = (xs: readonly string[]): string => (xs.length === 0 ? '—' : xs.join('<br>'));
/** A digest shortened, the whole of it in the tooltip. */
const digest = (d: string): string => `<code title="${h(d)}">${h(shortDigestText(d))}</code>`;

function checksTable(checks: readonly Check[]): string {
  const rows = checks.map(
    (c) =>
      `<tr class="${c.status}"><td>${h(c.status)}</td><td>${code(c.code)}</td><td>${code(c.id)}</td><td>${h(c.subject)}</td>` +
      `<td class="wrap">${or(c.expected)}</td><td class="wrap">${or(c.actual)}</td><td>${h(c.message)}</td></tr>`,
  );
  return `<table class="checks"><thead><tr><th>status</th><th>code</th><th>check</th><th>subject</th><th>expected</th><th>actual</th><th>message</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

function cardHtml(card: AuditCard, audit: Audit): string {
  const a = card.approval;
  const scope = a
    ? `tools: ${list(a.runtimeScope.tools)}<br>data classes: ${list(a.runtimeScope.dataClasses)}<br>secret scopes: ${list(a.runtimeScope.secretScopes)}`
    : '—';
  const evals = card.evaluations.map(
    (e) => `${h(e.suite)}: ${h(e.result)}, ${e.passed} of ${e.gated} gated metric(s) pass (${digest(e.payloadDigest)})`,
  );
  const rows: Array<[string, string]> = [
    ['model', card.model ? h(`${card.model.name} ${card.model.version}`) : h(audit.subject.name)],
    ['owner', or(card.owner)],
    ['description', or(card.description)],
    [
      'intended use cases',
      card.useCases.length === 0
        ? '—'
        : card.useCases.map((u) => `${code(u.id)} (tier ${h(u.tier)}): ${h(u.description)}`).join('<br>'),
    ],
    ['limitations', list(card.limitations)],
    ['license', or(card.license)],
    ['contacts', list(card.contacts)],
    ['evaluation', lines(evals)],
    [
      'approved use',
      a
        ? `${h(a.decision)} ${code(a.useCase)} for ${h(a.stage)}, risk tier ${h(a.tier)}; by ${list(a.approvers)}`
        : '—',
    ],
    ['approval window', a ? `${h(a.notBefore)} to ${h(a.expires)}` : '—'],
    ['conditions', a ? list(a.conditions) : '—'],
    ['runtime scope', scope],
  ];
  return `<dl class="card">${rows.map(([k, v]) => `<dt>${h(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

function stagesTable(nodes: readonly AuditNode[]): string {
  const rows = nodes
    .filter((n) => n.stage !== 'artifact')
    .map((n) => {
      const signers = n.signers.map(
        (s) =>
          `${or(s.identity)} (${h(s.roles.join(', ') || 'no role')}; keyid ${code((s.keyid ?? '—').slice(0, 16))}…)`,
      );
      return (
        `<tr class="${n.status === 'failing' || n.status === 'revoked' ? 'fail' : n.status === 'verified' ? 'pass' : 'skip'}">` +
        `<td>${h(n.stage)}${n.baseModel ? ' (base model)' : ''}</td><td>${h(n.label)}</td><td>${lines(signers)}</td>` +
        `<td>${or(n.attester)}</td><td>${or(n.issuedAt)}</td><td>${h(statusText(n))}</td><td>${digest(n.id)}</td></tr>`
      );
    });
  return `<table class="stages"><thead><tr><th>stage</th><th>what</th><th>signed by</th><th>attester</th><th>issued</th><th>standing</th><th>payload digest</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

function metricsTable(audit: Audit): string {
  if (audit.metrics.length === 0) return '<p class="muted">No trusted evaluation in the chain.</p>';
  const rows = audit.metrics.map(
    (m) =>
      `<tr class="${m.status ?? 'skip'}"><td>${h(m.name)}</td><td>${h(m.category)}</td><td>${h(String(m.value))}${m.unit ? ` ${h(m.unit)}` : ''}</td>` +
      `<td>${or(m.gate)}</td><td>${or(m.status, 'not checked')}</td><td>${m.code ? code(m.code) : '—'}</td><td>${digest(m.evaluation)}</td></tr>`,
  );
  return `<table class="metrics"><thead><tr><th>metric</th><th>category</th><th>value</th><th>gate</th><th>status</th><th>code</th><th>evaluation</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

function policyHtml(audit: Audit): string {
  const p = audit.policy;
  const keys = p.keys.map(
    (k) =>
      `<tr><td>${h(k.name)}</td><td>${h(k.identity)}</td><td>${h(k.roles.join(', '))}</td><td>${code(k.keyid)}</td></tr>`,
  );
  return (
    `<dl class="card"><dt>id</dt><dd>${h(p.id)}</dd><dt>version</dt><dd>${p.version}</dd><dt>digest</dt><dd>${code(p.digest)}</dd>` +
    `<dt>trust</dt><dd>${p.trust ? `${code(p.trust.code)} ${h(p.trust.message)}` : '—'}</dd><dt>signed by</dt><dd>${list(p.signers)}</dd></dl>` +
    `<table class="keys"><thead><tr><th>key</th><th>identity</th><th>roles</th><th>keyid</th></tr></thead><tbody>${keys.join('\n')}</tbody></table>`
  );
}

function vsaHtml(audit: Audit): string {
  const v = audit.vsa;
  if (!v) return '<p class="muted">No verification summary was produced for this verdict.</p>';
  return (
    `<p>A verification summary (SLSA VSA) signs this verdict: <strong data-lp-vsa-result="${h(v.verificationResult)}">${h(v.verificationResult)}</strong> ` +
    `for ${h(v.resourceUri)}, payload ${code(v.payloadDigest)}. It is embedded in this page: ` +
    `${code('lineproof vsa verify --from-html FILE --policy POLICY')} checks its signature and that this page shows what it signs.</p>`
  );
}

/**
 * Render an audit document as one self-contained HTML page.
 * @param audit the audit document ({@link buildAudit})
 * @returns the page's text (UTF-8)
 * @example
 * ```ts
 * writeFileSync('report.html', renderAuditHtml(await buildAudit({ report, bundle, policy, subject })));
 * ```
 */
export function renderAuditHtml(audit: Audit): string {
  const failed = audit.failed;
  const hidden = audit.hidden;
  const inputs = audit.inputs.map((d) => `<li><code data-lp-input="${h(d)}">${h(d)}</code></li>`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h(AUDIT_CSP)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(`Lineproof audit report: ${audit.subject.name} ${audit.verdict}`)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>Lineproof audit report: ${h(audit.subject.name)}</h1>
<p class="verdict ${audit.verdict}" data-lp-verdict="${audit.verdict}">${audit.verdict}</p>
<p>Artifact <code data-lp-subject="${h(audit.subject.digest)}">${h(audit.subject.digest)}</code>, use case ${audit.useCase === null ? 'any the policy allows' : code(audit.useCase)}, as of ${or(audit.asOf)}; policy ${h(audit.policy.id)} version ${audit.policy.version}. ${audit.report.checks.filter((c) => c.status === 'pass').length} checks passed, ${failed.length} failed, ${audit.report.checks.filter((c) => c.status === 'skip').length} listed as skipped. Produced by ${h(audit.generator)}.</p>
${failed.length > 0 ? `<h2>Why it failed</h2>${checksTable(failed)}` : ''}
<h2>Lineage</h2>
<p class="legend"><span>green: a trusted link of the chain</span><span>red: failing or revoked</span><span>dashed: missing, or a base model's chain</span><span>grey: trusted, not part of the verdict</span></p>
<div class="graph">${renderLineageSvg(audit)}</div>
<p class="muted">${hidden.untrusted} envelope(s) signed by no policy key, ${hidden.overCap} past the drawing cap, ${hidden.unreadable} unreadable line(s): not drawn.</p>
<h2>AI card</h2>
${cardHtml(audit.card, audit)}
<h2>Stages, signers and times</h2>
${stagesTable(audit.nodes)}
<h2>Metrics against gates</h2>
${metricsTable(audit)}
<h2>Policy</h2>
${policyHtml(audit)}
<h2>Attestations the verdict relies on</h2>
<ol class="inputs">${inputs.join('')}</ol>
<h2>Verification summary</h2>
${vsaHtml(audit)}
<h2>Every check</h2>
${checksTable(audit.report.checks)}
</main>
<script type="application/json" id="${AUDIT_DATA_ID}">${jsonForHtml(audit)}</script>
</body>
</html>
`;
}
