/**
 * The audit report as Markdown, for a pull-request comment: the verdict, why it failed, the
 * lineage as a Mermaid diagram, the AI card, the stages, the metrics against their gates, the
 * policy. Every piece of chain text is escaped (no HTML, no Markdown syntax survives).
 */
import { shortDigestText } from '../digest/index.js';
import type { Check } from '../report/index.js';
import { escapeMarkdown as m } from './escape.js';
import { renderLineageMermaid, statusText } from './graph.js';
import type { Audit } from './types.js';

const c = (s: string): string => `\`${s.replace(/`/g, "'")}\``;
const dash = (s: string | null | undefined): string => (s === null || s === undefined || s === '' ? '—' : m(s));

function table(head: string[], rows: string[][]): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

const checkRows = (checks: readonly Check[]): string[][] =>
  checks.map((k) => [k.status, c(k.code), c(k.id), m(k.subject), dash(k.expected), dash(k.actual), m(k.message)]);

/**
 * Render an audit document as GitHub-flavoured Markdown.
 * @param audit the audit document
 * @returns the Markdown text
 */
export function renderAuditMarkdown(audit: Audit): string {
  const card = audit.card;
  const a = card.approval;
  const out: string[] = [
    `## Lineproof audit: ${m(audit.subject.name)} — **${audit.verdict}**`,
    '',
    `Artifact ${c(audit.subject.digest)}; use case ${audit.useCase === null ? 'any' : c(audit.useCase)}; as of ${dash(audit.asOf)}; ` +
      `policy ${m(audit.policy.id)} v${audit.policy.version} (${c(shortDigestText(audit.policy.digest))}).`,
    '',
  ];
  if (audit.failed.length > 0)
    out.push(
      '### Why it failed',
      '',
      ...table(['status', 'code', 'check', 'subject', 'expected', 'actual', 'message'], checkRows(audit.failed)),
      '',
    );
  out.push('### Lineage', '', '```mermaid', renderLineageMermaid(audit).trimEnd(), '```', '');
  out.push(
    '### AI card',
    '',
    `- **Model:** ${card.model ? m(`${card.model.name} ${card.model.version}`) : m(audit.subject.name)}`,
    `- **Owner:** ${dash(card.owner)}`,
    `- **Intended use cases:** ${card.useCases.map((u) => `${c(u.id)} (tier ${m(u.tier)})`).join(', ') || '—'}`,
    `- **Limitations:** ${card.limitations.map(m).join('; ') || '—'}`,
    `- **License:** ${dash(card.license)}`,
    `- **Evaluation:** ${card.evaluations.map((e) => `${m(e.suite)} ${m(e.result)} (${e.passed}/${e.gated} gates)`).join('; ') || '—'}`,
    `- **Approval:** ${a ? `${m(a.decision)} ${c(a.useCase)} for ${m(a.stage)}, tier ${m(a.tier)}, ${m(a.notBefore)} to ${m(a.expires)}` : '—'}`,
    `- **Runtime scope:** ${a ? `tools ${a.runtimeScope.tools.map(m).join(', ') || 'none'}; data ${a.runtimeScope.dataClasses.map(m).join(', ') || 'none'}; secrets ${a.runtimeScope.secretScopes.map(m).join(', ') || 'none'}` : '—'}`,
    '',
  );
  const stages = audit.nodes
    .filter((n) => n.stage !== 'artifact')
    .map((n) => [
      m(n.baseModel ? `${n.stage} (base model)` : n.stage),
      m(n.label),
      n.signers.map((s) => `${dash(s.identity)} (${m(s.roles.join(', ') || 'no role')})`).join(', ') || '—',
      dash(n.issuedAt),
      m(statusText(n)),
      c(shortDigestText(n.id)),
    ]);
  out.push('### Stages', '', ...table(['stage', 'what', 'signed by', 'issued', 'standing', 'payload'], stages), '');
  if (audit.metrics.length > 0) {
    const rows = audit.metrics.map((x) => [
      m(x.name),
      m(x.category),
      m(String(x.value)),
      dash(x.gate),
      x.status ?? 'not checked',
    ]);
    out.push('### Metrics against gates', '', ...table(['metric', 'category', 'value', 'gate', 'status'], rows), '');
  }
  out.push(
    `<sub>${audit.report.checks.filter((k) => k.status === 'pass').length} checks passed, ${audit.failed.length} failed; ${m(audit.generator)}. ` +
      `Policy trust: ${audit.policy.trust ? c(audit.policy.trust.code) : '—'}.</sub>`,
    '',
  );
  return out.join('\n');
}
