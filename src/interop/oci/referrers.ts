/**
 * Referrers lists (distribution spec v1.1 "Listing Referrers", "Referrers Tag Schema";
 * spec/oci.md §3): an OCI image index whose `manifests` are descriptors of the manifests with a
 * `subject` field naming one digest. From the referrers API, or, where a registry has none, from
 * the tag `<alg>-<ref>` that clients keep up to date themselves.
 * @module
 */
import { LineproofError } from '../../errors.js';
import { canonicalBytes } from '../../json/canonical.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../json/strict.js';
import { parseOciJson } from './artifact.js';
import { OCI_INDEX_MEDIA_TYPE, parseOciDescriptor, type OciDescriptor } from './descriptor.js';

/**
 * The referrers tag of a digest: `sha256:<hex>` becomes `sha256-<hex>` (distribution spec
 * "Referrers Tag Schema": `<alg>-<ref>`, `<ref>` at most 64 characters).
 * @param digest `sha256:<64 hex>`
 * @returns the tag
 * @example
 * ```ts
 * referrersTag('sha256:' + 'a'.repeat(64)); // 'sha256-aaaa…'
 * ```
 */
export function referrersTag(digest: string): string {
  const m = /^(sha256):([0-9a-f]{64})$/.exec(digest);
  if (!m) throw new RangeError('"digest" expected sha256:<64 lowercase hex>');
  return `${m[1]}-${m[2]}`;
}

function invalid(what: string, message: string): LineproofError {
  return new LineproofError('OCI_REFERRERS_INVALID', `${what}: ${message}`, { path: what });
}

/**
 * Read a referrers list (already bounded in size): an image index with `schemaVersion` 2, the
 * index media type and a `manifests` array of at most `maxEntries` objects. Entries are returned as
 * they are; {@link readReferrerDescriptors} reads them one by one, so one bad entry never hides the
 * others.
 * @param bytes the index bytes
 * @param what names it in messages
 * @param maxEntries most entries accepted
 * @returns the raw entries
 * @throws {LineproofError} OCI_REFERRERS_INVALID (not an index); OCI_LIMIT_EXCEEDED (too many entries)
 * @example
 * ```ts
 * const entries = parseReferrersIndex(bytes, 'referrers', 10_000);
 * ```
 */
export function parseReferrersIndex(bytes: Uint8Array, what: string, maxEntries: number): JsonValue[] {
  const v = parseOciJson(bytes, what, 'OCI_REFERRERS_INVALID');
  if (!isJsonObject(v)) throw invalid(what, 'an image index must be a JSON object');
  if (v.schemaVersion !== 2) throw invalid(what, 'schemaVersion: expected 2');
  if (v.mediaType !== undefined && v.mediaType !== OCI_INDEX_MEDIA_TYPE)
    throw invalid(what, `mediaType: expected ${OCI_INDEX_MEDIA_TYPE}`);
  if (!Array.isArray(v.manifests)) throw invalid(what, 'manifests: expected an array');
  if (v.manifests.length > maxEntries)
    throw new LineproofError(
      'OCI_LIMIT_EXCEEDED',
      `${what}: ${v.manifests.length} referrers is more than the limit of ${maxEntries}`,
      { path: what, expected: `<= ${maxEntries}`, actual: String(v.manifests.length) },
    );
  return v.manifests;
}

/** One entry of a referrers list that could not be read. */
export interface ReferrerProblem {
  /** Where: `manifests[i]` of the list, or a manifest digest. */
  at: string;
  code: LineproofError['code'];
  message: string;
}

/**
 * Read the entries of a referrers list as descriptors; an entry that is not one is a problem, not
 * an exception.
 * @param entries from {@link parseReferrersIndex}
 * @param what names the list in messages
 * @returns the descriptors and the problems
 * @example
 * ```ts
 * const { descriptors, problems } = readReferrerDescriptors(entries, 'referrers');
 * ```
 */
export function readReferrerDescriptors(
  entries: readonly JsonValue[],
  what: string,
): { descriptors: OciDescriptor[]; problems: ReferrerProblem[] } {
  const descriptors: OciDescriptor[] = [];
  const problems: ReferrerProblem[] = [];
  entries.forEach((e, i) => {
    try {
      descriptors.push(parseOciDescriptor(e, what, `manifests[${i}]`));
    } catch (err) {
      const x = err as LineproofError;
      problems.push({ at: `${what} manifests[${i}]`, code: x.code, message: x.message });
    }
  });
  return { descriptors, problems };
}

/**
 * Add descriptors to a referrers list, each once (by digest; distribution spec "Pushing Manifests
 * with Subject": duplicates SHOULD NOT be created). Entries already there stay as they are, in
 * their order; new ones follow in the order given.
 * @param existing the list's entries (raw, from {@link parseReferrersIndex}), or none
 * @param add the descriptors to add (artifactType and annotations copied from each manifest)
 * @returns the new index bytes (JCS) and the descriptors actually added
 * @example
 * ```ts
 * const { bytes, added } = addReferrers([], [artifact.descriptor]);
 * ```
 */
export function addReferrers(
  existing: readonly JsonValue[],
  add: readonly OciDescriptor[],
): { bytes: Uint8Array; added: OciDescriptor[] } {
  const seen = new Set(
    existing.filter((e): e is JsonObject => isJsonObject(e) && typeof e.digest === 'string').map((e) => e.digest),
  );
  const added: OciDescriptor[] = [];
  for (const d of add) {
    if (seen.has(d.digest)) continue;
    seen.add(d.digest);
    added.push(d);
  }
  const manifests = [...existing, ...added.map((d) => ({ ...d }))];
  return { bytes: canonicalBytes({ schemaVersion: 2, mediaType: OCI_INDEX_MEDIA_TYPE, manifests }), added };
}
