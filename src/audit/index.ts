/**
 * The audit report (decisions §12, spec/audit.md): the document of one verification, and its
 * renderers — a self-contained HTML page, Markdown, DOT and Mermaid — all pure functions.
 */
export { buildAudit, AUDIT_NODE_CAP, type BuildAuditInput } from './build.js';
export { auditCard, auditMetrics } from './card.js';
export { renderAuditHtml, AUDIT_CSP, AUDIT_DATA_ID } from './html.js';
export { renderAuditMarkdown } from './markdown.js';
export { renderLineageDot, renderLineageMermaid, renderLineageSvg } from './graph.js';
export { readAuditPage, verifyAuditPage, type AuditPageContent, type VerifyAuditPageOptions } from './page.js';
export { escapeHtml } from './escape.js';
export * from './types.js';
