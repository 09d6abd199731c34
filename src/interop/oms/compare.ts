/**
 * Comparing model_signing manifests: the diff by resource, and the report (kind `oms`) of a model
 * against its signed manifest.
 */
import { equalHex } from '../../bytes/index.js';
import { shortDigest } from '../../errors.js';
import { ReportBuilder, type Report } from '../../report/index.js';
import { omsResourceAlgorithm, type OmsManifest, type OmsResource } from './serialization.js';

/** How two model_signing manifests differ, resource by resource (sorted as model_signing sorts). */
export interface OmsDiff {
  extra: OmsResource[];
  missing: OmsResource[];
  mismatched: { name: string; expected: OmsResource; actual: OmsResource }[];
  matched: string[];
}

/**
 * Compare two model_signing manifests by resource name, algorithm and digest (constant time), as
 * model_signing compares them (serialization details other than the algorithm are not compared).
 * @param expected the signed manifest
 * @param actual the manifest of the model as it is
 * @returns missing, extra, mismatched and matched resources
 * @example
 * ```ts
 * diffOmsManifests(signed, local).mismatched.map((m) => m.name);
 * ```
 */
export function diffOmsManifests(expected: OmsManifest, actual: OmsManifest): OmsDiff {
  const a = new Map(actual.resources.map((r) => [r.name, r]));
  const e = new Map(expected.resources.map((r) => [r.name, r]));
  const out: OmsDiff = { extra: [], missing: [], mismatched: [], matched: [] };
  for (const r of expected.resources) {
    const x = a.get(r.name);
    if (!x) out.missing.push(r);
    else if (x.algorithm !== r.algorithm || !equalHex(x.digest, r.digest))
      out.mismatched.push({ name: r.name, expected: r, actual: x });
    else out.matched.push(r.name);
  }
  for (const r of actual.resources) if (!e.has(r.name)) out.extra.push(r);
  return out;
}

/**
 * Verify a model (its freshly computed model_signing manifest) against an attested one, as a
 * report (kind `oms`): the method, hash type and shard size must agree (`oms.serialization`); then
 * one failed `oms.resource` check per missing, extra or mismatched resource; `oms.resources`
 * passes when all match. Never throws.
 * @param expected the signed manifest
 * @param actual the manifest of the model as it is
 * @param options subject name for the report
 * @returns the report (kind `oms`) and the diff
 * @example
 * ```ts
 * assertVerified(verifyOmsManifest(signed, local).report);
 * ```
 */
export function verifyOmsManifest(
  expected: OmsManifest,
  actual: OmsManifest,
  options: { subject?: string } = {},
): { report: Report; diff: OmsDiff } {
  const subject = options.subject ?? `sha256:${expected.rootDigest}`;
  const rb = new ReportBuilder('oms');
  const empty: OmsDiff = { extra: [], missing: [], mismatched: [], matched: [] };
  const done = (diff: OmsDiff): { report: Report; diff: OmsDiff } => {
    rb.result({ subject, ok: rb.ok, chain: [] });
    return { report: rb.build(), diff };
  };
  const e = expected.serialization;
  const a = actual.serialization;
  const want = `${e.method}/${omsResourceAlgorithm(e)}`;
  const got = `${a.method}/${omsResourceAlgorithm(a)}`;
  if (want !== got) {
    rb.fail(
      'oms.serialization',
      'MANIFEST_HASHING_MISMATCH',
      subject,
      'the model was hashed with another method or hash than the signature records',
      { expected: want, actual: got },
    );
    return done(empty);
  }
  rb.pass('oms.serialization', subject, `hashed by ${e.method} with ${omsResourceAlgorithm(e)}`, {
    expected: want,
    actual: got,
  });
  const diff = diffOmsManifests(expected, actual);
  for (const r of diff.missing)
    rb.fail('oms.resource', 'MANIFEST_ITEM_MISSING', r.name, 'signed but missing', {
      expected: `${r.algorithm}:${r.digest}`,
    });
  for (const r of diff.extra)
    rb.fail('oms.resource', 'MANIFEST_ITEM_EXTRA', r.name, 'present but not signed', {
      actual: `${r.algorithm}:${r.digest}`,
    });
  for (const m of diff.mismatched) {
    rb.fail(
      'oms.resource',
      'MANIFEST_ITEM_MISMATCH',
      m.name,
      `content differs: ${shortDigest(m.actual.digest)}, signed ${shortDigest(m.expected.digest)}`,
      {
        expected: `${m.expected.algorithm}:${m.expected.digest}`,
        actual: `${m.actual.algorithm}:${m.actual.digest}`,
      },
    );
  }
  if (diff.missing.length + diff.extra.length + diff.mismatched.length === 0) {
    rb.pass('oms.resources', subject, `all ${diff.matched.length} resources match`, {
      expected: `sha256:${expected.rootDigest}`,
      actual: `sha256:${actual.rootDigest}`,
    });
  }
  return done(diff);
}
