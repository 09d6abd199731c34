/**
 * Step 2 of chain verification (spec/verification.md): read the bundle as a set of envelopes
 * (src/bundle/jsonl.ts), reporting each line that could not be read.
 */
import { readBundle, type BundleEntry } from '../bundle/jsonl.js';
import type { ErrorCode } from '../errors.js';
import type { Limits } from '../limits.js';
import type { ReportBuilder } from '../report/index.js';
import type { VerifyChainInput } from './inputs.js';

/** Limit codes of a bundle line that count as LIMIT_EXCEEDED in the report. */
const LIMIT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'LIMIT_EXCEEDED',
  'DSSE_TOO_MANY_SIGNATURES',
  'JSON_TOO_DEEP',
  'JSON_TOO_LARGE',
]);

/**
 * Step 2: the bundle's distinct envelopes. A malformed line fails `bundle.line` with its line
 * number (BUNDLE_LINE_INVALID, or LIMIT_EXCEEDED past a per-line limit) and the rest is read.
 * @returns the entries, or undefined when the bundle is past its size limit: nothing was read,
 *   and verification fails closed with that reason alone
 */
export function readBundleStep(
  report: ReportBuilder,
  input: VerifyChainInput['bundle'],
  limits: Limits,
): BundleEntry[] | undefined {
  const bundle = readBundle(input, { limits, what: 'bundle' });
  for (const err of bundle.errors) {
    report.fail(
      'bundle.line',
      LIMIT_CODES.has(err.code) ? 'LIMIT_EXCEEDED' : 'BUNDLE_LINE_INVALID',
      err.line === 0 ? 'bundle' : `line ${err.line}`,
      err.message,
      { actual: err.code },
    );
  }
  if (bundle.errors.length === 0)
    report.pass('bundle.read', 'bundle', `${bundle.entries.length} distinct envelope(s) read`);
  if (bundle.errors.some((e) => e.line === 0)) return undefined;
  return bundle.entries;
}
