/**
 * Escaping for every output format of the audit report. All text from a chain is untrusted: it
 * is escaped for the context it lands in, and control characters never reach the output.
 */

/** Control characters (C0, DEL, C1) and the Unicode line/paragraph separators and bidi controls. */

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Text with control characters replaced by U+FFFD (one line, no hidden reordering). */
export const printable = (s: string): string => s.replace(CONTROL, '\ufffd');

/** Text for HTML (element content and double- or single-quoted attribute values). */
export function escapeHtml(s: string): string {
  return printable(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * JSON for an HTML data block (`<script type="application/json">`): `<`, `>`, `&` and the line
 * separators written as \u escapes, so the text can hold no `</script`, `<!--` or entity and
 * parses to the same value.
 */
export function jsonForHtml(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** Text for Markdown (GitHub-flavoured, in a paragraph or a table cell): HTML and Markdown inert. */
export function escapeMarkdown(s: string): string {
  return printable(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_{}[\]()#+\-.!|~])/g, '\\$1');
}

/** A DOT double-quoted string's content. */
export const escapeDot = (s: string): string => printable(s).replace(/\\/g, '\\\\').replace(/"/g, '\\"');

/**
 * A Mermaid label's content (inside `["…"]`): every character outside a plain set written as a
 * Mermaid entity code (`#60;`), so no quote, bracket or HTML survives.
 */
export const escapeMermaid = (s: string): string =>
  printable(s).replace(/[^A-Za-z0-9 .,:@/_+=-]/gu, (c) => `#${c.codePointAt(0)!};`);
