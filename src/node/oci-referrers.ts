/**
 * Listing the referrers of a manifest (distribution spec v1.1 "Listing Referrers" and
 * "Unavailable Referrers API"; spec/oci.md §3): the referrers API with the artifactType filter,
 * page by page along `Link: rel="next"` (same origin only, a bounded number of pages and
 * entries); on 404, the referrers tag. A tag that holds no valid image index means no referrers
 * (as the spec says), and is reported.
 * @module
 */
import { LineproofError } from '../errors.js';
import { MAX_OCI_MANIFEST_BYTES } from '../interop/oci/artifact.js';
import {
  LINEPROOF_ATTESTATION_ARTIFACT_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  type OciDescriptor,
} from '../interop/oci/descriptor.js';
import { mediaTypeOf, parseLinkNext } from '../interop/oci/http.js';
import {
  parseReferrersIndex,
  readReferrerDescriptors,
  referrersTag,
  type ReferrerProblem,
} from '../interop/oci/referrers.js';
import { statusError, type OciRegistryClient } from './oci-http.js';

/** The referrers found, and where. */
export interface ListedReferrers {
  source: 'api' | 'tag';
  filterApplied: boolean;
  descriptors: OciDescriptor[];
  problems: ReferrerProblem[];
}

function referrersInvalid(what: string, message: string): LineproofError {
  return new LineproofError('OCI_REFERRERS_INVALID', `${what}: ${message}`, { path: what });
}

/** The referrers tag (a registry without the referrers API). */
async function fromTag(client: OciRegistryClient, max: number): Promise<ListedReferrers> {
  const tag = referrersTag(client.ref.digest);
  const what = `referrers tag ${tag.slice(0, 19)}…`;
  const res = await client.request(client.path(`manifests/${tag}`), {
    accept: [OCI_INDEX_MEDIA_TYPE],
    maxBytes: MAX_OCI_MANIFEST_BYTES,
    what,
  });
  const none: ListedReferrers = { source: 'tag', filterApplied: false, descriptors: [], problems: [] };
  if (res.status === 404) return none;
  if (res.status !== 200) throw statusError(res, what);
  try {
    if (mediaTypeOf(res.headers.get('content-type')) !== OCI_INDEX_MEDIA_TYPE)
      throw referrersInvalid(what, 'the tag holds another manifest than an image index');
    const r = readReferrerDescriptors(parseReferrersIndex(res.body, what, max), what);
    return { ...none, ...r };
  } catch (e) {
    if (!(e instanceof LineproofError) || e.code !== 'OCI_REFERRERS_INVALID') throw e;
    return { ...none, problems: [{ at: what, code: e.code, message: `${e.message} (taken as no referrers)` }] };
  }
}

/**
 * List the referrers of the client's digest.
 * @param client the registry client (its reference names the digest)
 * @param limits most entries in all and most pages
 * @returns the descriptors, the problems, the source
 * @throws {LineproofError} OCI_REFERRERS_INVALID (an API answer that is not an index, a bad Link),
 *   OCI_LIMIT_EXCEEDED, and the request codes
 */
export async function listReferrers(
  client: OciRegistryClient,
  limits: { maxReferrers: number; maxPages: number },
): Promise<ListedReferrers> {
  const query = `?artifactType=${encodeURIComponent(LINEPROOF_ATTESTATION_ARTIFACT_TYPE)}`;
  let target: string | undefined = client.path(`referrers/${client.ref.digest}${query}`);
  const out: ListedReferrers = { source: 'api', filterApplied: true, descriptors: [], problems: [] };
  const seenPages = new Set<string>([new URL(target, client.base).href]);
  for (let page = 0; target !== undefined; page++) {
    const what = `referrers page ${page + 1}`;
    if (page >= limits.maxPages)
      throw new LineproofError('OCI_LIMIT_EXCEEDED', `referrers: more than ${limits.maxPages} pages`);
    const res = await client.request(target, {
      accept: [OCI_INDEX_MEDIA_TYPE],
      maxBytes: MAX_OCI_MANIFEST_BYTES,
      what,
    });
    if (res.status === 404 && page === 0) return fromTag(client, limits.maxReferrers);
    if (res.status !== 200) throw statusError(res, what);
    if (mediaTypeOf(res.headers.get('content-type')) !== OCI_INDEX_MEDIA_TYPE)
      throw referrersInvalid(what, `Content-Type is not ${OCI_INDEX_MEDIA_TYPE}`);
    const applied = (res.headers.get('oci-filters-applied') ?? '').split(',').map((s) => s.trim());
    out.filterApplied &&= applied.includes('artifactType');
    const left = limits.maxReferrers - out.descriptors.length - out.problems.length;
    const r = readReferrerDescriptors(parseReferrersIndex(res.body, what, Math.max(left, 0)), what);
    out.descriptors.push(...r.descriptors);
    out.problems.push(...r.problems);
    const next = parseLinkNext(res.headers.get('link') ?? '');
    if (next === undefined) break;
    const url = new URL(next, res.url);
    if (url.origin !== client.base.origin)
      throw referrersInvalid(what, `Link rel="next" leads to another origin (${url.origin})`);
    if (seenPages.has(url.href)) throw referrersInvalid(what, 'Link rel="next" leads back to a page already read');
    seenPages.add(url.href);
    target = url.href;
  }
  return out;
}
