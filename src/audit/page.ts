/**
 * Checking an HTML audit page (spec/audit.md "A page that can be checked"): read the embedded
 * audit document and the verification summary it carries, verify the summary (its signature by
 * the policy's verifier role and every rule of `verifyVerificationSummary`), and check that the
 * verdict, the artifact's digest and the attestations relied on that the page marks are the ones
 * the summary signs and the document holds. The page is untrusted input: it is scanned linearly,
 * never executed, and any problem is a failed check, never a throw.
 */
import { fromUtf8 } from '../bytes/index.js';
import { LineproofError } from '../errors.js';
import { parseJson } from '../json/strict.js';
import { ReportBuilder, type Report } from '../report/index.js';
import { verifyVerificationSummary, type VerifySummaryOptions } from '../verify/vsa/verify.js';
import { AUDIT_DATA_ID, renderAuditHtml } from './html.js';
import type { Audit } from './types.js';

/** What a page marks and embeds, as read (nothing here is trusted). */
export interface AuditPageContent {
  /** The embedded audit document, parsed (any JSON value), or the reason it could not be read. */
  document: unknown;
  /** The values of the page's `data-lp-verdict` marks, each equal to its visible text. */
  verdicts: string[];
  subjects: string[];
  inputs: string[];
  /** Marks whose visible text differs from their attribute. */
  inconsistent: string[];
}

/** The page's text; bytes that are not UTF-8 are the reason there is none. */
function pageText(html: string | Uint8Array): string | LineproofError {
  if (typeof html === 'string') return html;
  try {
    return fromUtf8(html, 'the page');
  } catch (e) {
    return new LineproofError('AUDIT_PAGE_INVALID', e instanceof Error ? e.message : String(e));
  }
}

const BLOCK_OPEN = `<script type="application/json" id="${AUDIT_DATA_ID}">`;

/** Every `attr="VALUE">TEXT<` of the page (linear scan), with whether TEXT equals VALUE. */
function marks(html: string, attr: string): { values: string[]; inconsistent: string[] } {
  const values: string[] = [];
  const inconsistent: string[] = [];
  const open = ` ${attr}="`;
  for (let i = html.indexOf(open); i >= 0; i = html.indexOf(open, i + open.length)) {
    const start = i + open.length;
    const end = html.indexOf('"', start);
    if (end < 0) break;
    const value = html.slice(start, end);
    const textEnd = html.indexOf('<', end);
    const text = html.slice(end + 2, textEnd < 0 ? undefined : textEnd);
    values.push(value);
    if (html[end + 1] !== '>' || text !== value) inconsistent.push(`${attr}="${value}"`);
  }
  return { values, inconsistent };
}

/**
 * Read what an audit page embeds and marks, without trusting or executing any of it.
 * @param html the page (text or UTF-8 bytes)
 * @returns the embedded document (or a LineproofError saying why there is none) and the marks
 */
export function readAuditPage(html: string | Uint8Array): AuditPageContent {
  const text = pageText(html);
  if (text instanceof LineproofError)
    return { document: text, verdicts: [], subjects: [], inputs: [], inconsistent: [] };
  const first = text.indexOf(BLOCK_OPEN);
  let document: unknown;
  if (first < 0) document = new LineproofError('AUDIT_PAGE_INVALID', 'the page embeds no audit document');
  else if (text.indexOf(BLOCK_OPEN, first + 1) >= 0)
    document = new LineproofError('AUDIT_PAGE_INVALID', 'the page embeds more than one audit document');
  else {
    const start = first + BLOCK_OPEN.length;
    const end = text.indexOf('</script>', start);
    try {
      if (end < 0) throw new LineproofError('AUDIT_PAGE_INVALID', 'the audit document is not closed');
      document = parseJson(text.slice(start, end), { what: 'the embedded audit document' });
    } catch (e) {
      document = e instanceof LineproofError ? e : new LineproofError('AUDIT_PAGE_INVALID', String(e));
    }
  }
  const v = marks(text, 'data-lp-verdict');
  const s = marks(text, 'data-lp-subject');
  const n = marks(text, 'data-lp-input');
  return {
    document,
    verdicts: v.values,
    subjects: s.values,
    inputs: n.values,
    inconsistent: [...v.inconsistent, ...s.inconsistent, ...n.inconsistent],
  };
}

/** Options of {@link verifyAuditPage}: those of the summary's verification, and the renderer's name. */
export interface VerifyAuditPageOptions extends Omit<VerifySummaryOptions, 'subject'> {
  /**
   * The generator this renderer writes (e.g. `lineproof 0.1.0`): a page that names it must be,
   * byte for byte, the rendering of its embedded document (`audit.rendered`); another is a skip.
   */
  generator?: string;
}

const asAudit = (d: unknown): Partial<Audit> | undefined =>
  typeof d === 'object' && d !== null && !Array.isArray(d) ? d : undefined;
const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && new Set(a).size === new Set([...a, ...b]).size && new Set(a).size === new Set(b).size;

/** The page's marks against its document: one of each single mark, lists equal, texts consistent. */
function checkMarks(b: ReportBuilder, page: AuditPageContent, doc: Partial<Audit>, what: string): boolean {
  if (page.inconsistent.length > 0) {
    b.fail(
      'audit.marks',
      'AUDIT_PAGE_MISMATCH',
      what,
      `marks whose visible text differs: ${page.inconsistent.slice(0, 3).join(', ')}`,
    );
    return false;
  }
  if (page.verdicts.length !== 1 || page.subjects.length !== 1) {
    b.fail(
      'audit.marks',
      'AUDIT_PAGE_INVALID',
      what,
      `expected one verdict and one artifact mark, found ${page.verdicts.length} and ${page.subjects.length}`,
    );
    return false;
  }
  const inputs = Array.isArray(doc.inputs) ? doc.inputs.filter((x): x is string => typeof x === 'string') : [];
  const subject = typeof doc.subject === 'object' && doc.subject !== null ? doc.subject.digest : undefined;
  if (page.verdicts[0] !== doc.verdict || page.subjects[0] !== subject || !sameSet(page.inputs, inputs)) {
    b.fail(
      'audit.marks',
      'AUDIT_PAGE_MISMATCH',
      what,
      'the verdict, artifact or attestations the page shows are not those of its embedded document',
    );
    return false;
  }
  b.pass(
    'audit.marks',
    what,
    `the page shows the verdict ${page.verdicts[0]}, the artifact and ${page.inputs.length} attestation(s) of its embedded document`,
  );
  return true;
}

/** With the renderer's generator: the page must be the rendering of its document. */
function checkRendering(
  b: ReportBuilder,
  html: string,
  doc: Partial<Audit>,
  generator: string | undefined,
  what: string,
): void {
  if (generator === undefined || doc.generator !== generator) {
    b.skip(
      'audit.rendered',
      'OK',
      what,
      `rendered by ${JSON.stringify(String(doc.generator))}: not re-rendered (only the marks are checked)`,
    );
    return;
  }
  let same: boolean;
  try {
    same = renderAuditHtml(doc as Audit) === html;
  } catch {
    same = false;
  }
  if (same)
    b.pass('audit.rendered', what, `the page is exactly the rendering of its embedded document by ${generator}`);
  else
    b.fail(
      'audit.rendered',
      'AUDIT_PAGE_MISMATCH',
      what,
      `the page is not the rendering of its embedded document by ${generator}: it was edited`,
    );
}

/**
 * Verify an HTML audit page: its embedded verification summary, and that the page shows what the
 * summary signs. Never throws on untrusted input.
 * @param html the page (text or UTF-8 bytes)
 * @param options the trust for the summary (a policy's verifier role, or keys) and its rules
 * @returns a report of kind `audit-page`: the summary's checks, then `audit.*` checks
 * @throws {TypeError|RangeError} misuse of the options (as `verifyVerificationSummary`)
 */
export async function verifyAuditPage(
  html: string | Uint8Array,
  options: VerifyAuditPageOptions,
): Promise<{ report: Report }> {
  const what = options.what ?? 'page';
  const decoded = pageText(html);
  const text = decoded instanceof LineproofError ? '' : decoded;
  const page = decoded instanceof LineproofError ? readAuditPage(html) : readAuditPage(text);
  const b = new ReportBuilder('audit-page', null, options.policy?.digest ?? null);
  const done = (): { report: Report } => {
    b.result({ subject: what, ok: b.ok, chain: [] });
    return { report: b.build() };
  };
  if (page.document instanceof LineproofError) {
    b.failFrom('audit.document', what, page.document);
    return done();
  }
  const doc = asAudit(page.document);
  const envelope = doc?.vsa && typeof doc.vsa === 'object' ? doc.vsa.envelope : undefined;
  if (!doc || doc.auditVersion !== 1) {
    b.fail('audit.document', 'AUDIT_PAGE_INVALID', what, 'the embedded document is not an audit document, version 1');
    return done();
  }
  b.pass('audit.document', what, 'the page embeds one audit document, version 1');
  const marksOk = checkMarks(b, page, doc, what);
  checkRendering(b, text, doc, options.generator, what);
  if (typeof envelope !== 'string') {
    b.fail(
      'audit.summary',
      'AUDIT_PAGE_NO_SUMMARY',
      what,
      'the page carries no verification summary (render it with --vsa-key)',
    );
    return done();
  }
  const { generator: _generator, ...summaryOptions } = options;
  const subject = page.subjects[0];
  // The artifact the page shows must be one the summary is about; the verdict required is the
  // caller's (PASSED unless asked), never the page's own.
  const r = await verifyVerificationSummary(envelope, {
    ...summaryOptions,
    ...(marksOk && subject !== undefined ? { subject } : {}),
    what: `${what}: verification summary`,
  });
  for (const c of r.report.checks) b.add(c);
  const p = r.summary?.predicate;
  if (p && marksOk) {
    const signed = (p.inputAttestations ?? []).map((a) => `sha256:${a.digest?.sha256 ?? ''}`);
    const agree =
      p.verificationResult === page.verdicts[0] &&
      sameSet(signed, page.inputs) &&
      doc.policy?.digest === `sha256:${p.policy.digest?.sha256 ?? ''}`;
    if (agree)
      b.pass(
        'audit.summary',
        what,
        `the summary signs what the page shows: ${p.verificationResult}, the artifact, ${signed.length} attestation(s), the policy`,
      );
    else
      b.fail(
        'audit.summary',
        'AUDIT_PAGE_MISMATCH',
        what,
        'the verdict, attestations or policy the page shows are not the ones its verification summary signs',
        {
          expected: `${p.verificationResult}, ${signed.length} attestation(s)`,
          actual: `${page.verdicts[0]}, ${page.inputs.length} attestation(s)`,
        },
      );
  }
  return done();
}
