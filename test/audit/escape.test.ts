/**
 * The escapers of the audit report: exact outputs for the characters each context makes special,
 * and round trips (decoding the escaped text gives the printable text back), over any string.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  escapeDot,
  escapeHtml,
  escapeMarkdown,
  escapeMermaid,
  jsonForHtml,
  printable,
} from '../../src/audit/escape.js';

const decodeHtml = (s: string): string =>
  s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!);
const decodeMermaid = (s: string): string => s.replace(/#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)));
const decodeDot = (s: string): string => s.replace(/\\(["\\])/g, '$1');
const decodeMarkdown = (s: string): string =>
  s.replace(/\\(.)/g, '$1').replace(/&(amp|lt|gt);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>' })[e]!);

describe('escapers', () => {
  it('write the special characters of each context exactly', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
    expect(jsonForHtml({ s: '</script><!--&\u2028\u2029' })).toBe(
      '{"s":"\\u003c/script\\u003e\\u003c!--\\u0026\\u2028\\u2029"}',
    );
    expect(escapeMarkdown('<b>*x* & [l](u) `c` | #')).toBe('&lt;b&gt;\\*x\\* &amp; \\[l\\]\\(u\\) \\`c\\` \\| \\#');
    expect(escapeDot('a"b\\c')).toBe('a\\"b\\\\c');
    expect(escapeMermaid('a"<b>[x]')).toBe('a#34;#60;b#62;#91;x#93;');
    expect(escapeMermaid('ok: a.b/c_d+e=f-g @h')).toBe('ok: a.b/c_d+e=f-g @h');
  });

  it('replace controls, line separators and bidi controls by U+FFFD in every context', () => {
    const hidden = 'a\u0000b\u001bc\u007fd\u009be\u2028f\u2029g\u202eh\u2066i\nj\tk';
    const shown = 'a\ufffdb\ufffdc\ufffdd\ufffde\ufffdf\ufffdg\ufffdh\ufffdi\ufffdj\ufffdk';
    expect(printable(hidden)).toBe(shown);
    expect(escapeHtml(hidden)).toBe(shown);
    expect(escapeDot(hidden)).toBe(shown);
    expect(escapeMarkdown(hidden)).toBe(shown);
    expect(escapeMermaid(hidden)).toBe(shown.replace(/\ufffd/g, '#65533;'));
    expect(printable('plain text, ünïcode ✓')).toBe('plain text, ünïcode ✓');
  });

  it('property: each escape decodes back to the printable text, and leaves no special character', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        const p = printable(s);
        expect(p).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
        const html = escapeHtml(s);
        expect(html).not.toMatch(/[<>"']|&(?!(amp|lt|gt|quot|#39);)/);
        expect(decodeHtml(html)).toBe(p);
        const md = escapeMarkdown(s);
        expect(md).not.toMatch(/[<>]/);
        expect(decodeMarkdown(md)).toBe(p);
        const mermaid = escapeMermaid(s);
        expect(mermaid).toMatch(/^[A-Za-z0-9 .,:@/_+=#;-]*$/);
        expect(decodeMermaid(mermaid)).toBe(p);
        expect(decodeDot(escapeDot(s))).toBe(p);
        expect(escapeDot(s)).not.toMatch(/(^|[^\\])(\\\\)*"/);
        const json = jsonForHtml({ s });
        expect(json).not.toMatch(/[<>&\u2028\u2029]/);
        expect(JSON.parse(json)).toEqual({ s });
      }),
      { numRuns: 300 },
    );
  });
});
