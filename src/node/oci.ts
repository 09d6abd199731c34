/**
 * Chains stored beside the model in an OCI registry (spec/oci.md): each attestation of a bundle
 * as one OCI artifact whose `subject` is the model's manifest, listed by the referrers API or,
 * where a registry has none, by the referrers tag (distribution spec v1.1).
 *
 * Push ({@link ociPushChain}):
 * 1. Parse the reference (`REGISTRY/REPO@sha256:<hex>`).
 * 2. Check the chain: every line readable, no Sigstore verification material (one artifact per
 *    envelope carries a DSSE envelope), and at least one in-toto statement with the manifest
 *    digest as a subject sha256 — before any request.
 * 3. GET the model manifest by digest (bounded, checked against the digest): its mediaType and
 *    size make the `subject` descriptor; absent, refuse.
 * 4. Put the empty config blob, unless HEAD finds it.
 * 5. Per envelope (payloadType, payload): build the artifact; put its layer blob unless HEAD finds
 *    it (POST, then PUT ?digest=); PUT the manifest by its digest.
 * 6. If a manifest PUT came back without `OCI-Subject`, update the referrers tag: GET it (404:
 *    an empty index; anything but an index: refuse), add the descriptors not yet listed, PUT it
 *    back when something was added.
 *
 * Pull ({@link ociPullChain}):
 * 1. Parse the reference.
 * 2. List referrers: GET /v2/<name>/referrers/<digest>?artifactType=…, following `Link:
 *    rel="next"` (same origin, bounded pages); on 404, GET the referrers tag instead.
 * 3. Keep the descriptors of our artifactType (once each, within the count limit).
 * 4. Per descriptor: GET the manifest (size-bounded, digest-checked), read it (layout, subject),
 *    GET the layer (bounded, digest-checked), read it as an envelope. A failure is a skipped
 *    referrer with its code; the deadline and the limits end the pull.
 * 5. Return the envelopes as bundle lines (JCS + LF), once each, sorted.
 *
 * Nothing pulled is trusted: `verify` decides, with the policy, what the envelopes prove.
 * @module
 */
import type { Bundle } from '../bundle/jsonl.js';
import { sha256Hex as sha256HexOf } from '../digest/index.js';
import { serializeEnvelope, type DecodedEnvelope } from '../dsse/envelope.js';
import { LineproofError } from '../errors.js';
import { isJsonObject, parseJson, type JsonValue } from '../json/strict.js';
import { resolveLimits, type Limits } from '../limits.js';
import { IN_TOTO_PAYLOAD_TYPE, parseStatement } from '../statements/statement.js';
import {
  buildAttestationArtifact,
  MAX_OCI_MANIFEST_BYTES,
  readAttestationLayer,
  readAttestationManifest,
  type AttestationArtifact,
} from '../interop/oci/artifact.js';
import {
  checkOciContent,
  DOCKER_MANIFEST_MEDIA_TYPES,
  LINEPROOF_ATTESTATION_ARTIFACT_TYPE,
  OCI_EMPTY_BLOB,
  OCI_EMPTY_DESCRIPTOR,
  OCI_INDEX_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
  type OciDescriptor,
} from '../interop/oci/descriptor.js';
import { mediaTypeOf } from '../interop/oci/http.js';
import { formatOciReference, parseOciReference, type OciReference } from '../interop/oci/reference.js';
import { addReferrers, parseReferrersIndex, referrersTag, type ReferrerProblem } from '../interop/oci/referrers.js';
import { OciRegistryClient, statusError, type OciClientOptions } from './oci-http.js';
import { listReferrers } from './oci-referrers.js';

export { type ReferrerProblem } from '../interop/oci/referrers.js';

/** Options of {@link ociPushChain}. */
export interface OciPushOptions extends OciClientOptions {
  /** Envelope limits. */
  limits?: Partial<Limits>;
}

/** One attestation pushed. */
export interface OciPushedArtifact {
  payloadDigest: string;
  /** The artifact manifest's digest (the same for the same envelope, every time). */
  manifestDigest: string;
  /** True when the registry already had this manifest. */
  existed: boolean;
}

/** What {@link ociPushChain} did. */
export interface OciPushResult {
  reference: string;
  /** The model manifest's descriptor (each artifact's subject). */
  subject: OciDescriptor;
  artifacts: OciPushedArtifact[];
  /** `api` when the registry processed the subjects (OCI-Subject), else `tag` (the referrers tag). */
  referrers: 'api' | 'tag';
  /** Descriptors added to the referrers tag (0 when it listed them all already, or for `api`). */
  tagAdded: number;
}

const SUBJECT_ACCEPT = [OCI_MANIFEST_MEDIA_TYPE, OCI_INDEX_MEDIA_TYPE, ...DOCKER_MANIFEST_MEDIA_TYPES];

/** Step 2: the chain can be pushed and is about the digest. */
function checkChain(bundle: Bundle, ref: OciReference): void {
  const first = bundle.errors[0];
  if (first)
    throw new LineproofError('OCI_CHAIN_UNSUPPORTED', `the chain has a line that cannot be read: ${first.message}`, {
      path: `line ${first.line}`,
    });
  const withMaterial = bundle.entries.find((e) => e.materials !== undefined);
  if (withMaterial)
    throw new LineproofError(
      'OCI_CHAIN_UNSUPPORTED',
      `attestation ${withMaterial.payloadDigest.slice(0, 19)}… (line ${withMaterial.lines[0]}) carries Sigstore verification material, which an OCI artifact of one DSSE envelope does not hold`,
      { path: `line ${withMaterial.lines[0]}` },
    );
  const hex = ref.digest.slice('sha256:'.length);
  const about = bundle.entries.some((e) => {
    if (e.envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) return false;
    try {
      return parseStatement(e.envelope.payload).subject.some((s) => s.digest.sha256 === hex);
    } catch {
      return false;
    }
  });
  if (!about)
    throw new LineproofError(
      'OCI_CHAIN_NOT_ABOUT_SUBJECT',
      `no in-toto statement of the chain (${bundle.entries.length} attestation(s)) has subject sha256 ${hex.slice(0, 12)}…: it would not verify for ${formatOciReference(ref)}`,
      { expected: ref.digest },
    );
}

/** Step 3: the model manifest's descriptor. */
async function subjectDescriptor(client: OciRegistryClient, ref: OciReference): Promise<OciDescriptor> {
  const what = `manifest ${ref.digest.slice(0, 19)}…`;
  const res = await client.request(client.path(`manifests/${ref.digest}`), {
    accept: SUBJECT_ACCEPT,
    maxBytes: MAX_OCI_MANIFEST_BYTES,
    what,
  });
  if (res.status === 404)
    throw new LineproofError(
      'OCI_SUBJECT_NOT_FOUND',
      `${formatOciReference(ref)}: no such manifest in the repository`,
      {
        path: formatOciReference(ref),
      },
    );
  if (res.status !== 200) throw statusError(res, what);
  checkOciContent(res.body, { digest: ref.digest }, what);
  let mediaType = mediaTypeOf(res.headers.get('content-type'));
  try {
    const v = parseJson(res.body, { what, maxBytes: MAX_OCI_MANIFEST_BYTES, maxDepth: 32 });
    const declared = isJsonObject(v) && typeof v.mediaType === 'string' ? v.mediaType : undefined;
    if (declared !== undefined && mediaType !== undefined && declared !== mediaType)
      throw new LineproofError('OCI_MANIFEST_INVALID', `${what}: mediaType ${declared} but Content-Type ${mediaType}`);
    mediaType = declared ?? mediaType;
  } catch (e) {
    if ((e as LineproofError).code === 'OCI_MANIFEST_INVALID') throw e;
    throw new LineproofError('OCI_MANIFEST_INVALID', `${what}: not JSON`, { cause: e });
  }
  if (mediaType === undefined || !SUBJECT_ACCEPT.includes(mediaType))
    throw new LineproofError('OCI_MANIFEST_INVALID', `${what}: ${mediaType ?? 'no media type'} is not a manifest type`);
  return { mediaType, digest: ref.digest, size: res.body.length };
}

/** Put a blob unless the registry has it (HEAD), monolithically: POST, then PUT ?digest=. */
async function putBlob(client: OciRegistryClient, bytes: Uint8Array, digest: string): Promise<void> {
  const what = `blob ${digest.slice(0, 19)}…`;
  const head = await client.request(client.path(`blobs/${digest}`), { method: 'HEAD', maxBytes: 0, what });
  if (head.status === 200) return;
  if (head.status !== 404) throw statusError(head, what);
  const post = await client.request(client.path('blobs/uploads/'), { method: 'POST', maxBytes: 64 * 1024, what });
  const location = post.headers.get('location');
  if (post.status !== 202 || location === null) throw statusError(post, `${what} (upload session)`);
  const url = new URL(location, client.base);
  url.searchParams.set('digest', digest);
  const put = await client.request(url.href, { method: 'PUT', body: bytes, maxBytes: 64 * 1024, what });
  if (put.status !== 201) throw statusError(put, `${what} (upload)`);
}

/** Step 5 for one envelope; returns whether the registry processed its subject. */
async function putArtifact(
  client: OciRegistryClient,
  a: AttestationArtifact,
): Promise<{ existed: boolean; api: boolean }> {
  const digest = a.descriptor.digest;
  const what = `artifact ${digest.slice(0, 19)}…`;
  await putBlob(client, a.layer, a.layerDescriptor.digest);
  const head = await client.request(client.path(`manifests/${digest}`), {
    method: 'HEAD',
    accept: [OCI_MANIFEST_MEDIA_TYPE],
    maxBytes: 0,
    what,
  });
  const put = await client.request(client.path(`manifests/${digest}`), {
    method: 'PUT',
    body: a.manifest,
    contentType: OCI_MANIFEST_MEDIA_TYPE,
    maxBytes: 64 * 1024,
    what,
  });
  if (put.status !== 201) throw statusError(put, what);
  const echoed = put.headers.get('docker-content-digest');
  if (echoed !== null && echoed !== digest)
    throw new LineproofError('OCI_DIGEST_MISMATCH', `${what}: the registry stored it as ${echoed.slice(0, 80)}`);
  return { existed: head.status === 200, api: put.headers.get('oci-subject') === client.ref.digest };
}

/** Step 6: add the descriptors to the referrers tag; returns how many were added. */
async function updateReferrersTag(client: OciRegistryClient, add: OciDescriptor[]): Promise<number> {
  const tag = referrersTag(client.ref.digest);
  const what = `referrers tag ${tag.slice(0, 19)}…`;
  const res = await client.request(client.path(`manifests/${tag}`), {
    accept: [OCI_INDEX_MEDIA_TYPE],
    maxBytes: MAX_OCI_MANIFEST_BYTES,
    what,
  });
  let existing: JsonValue[] = [];
  if (res.status === 200) {
    if (mediaTypeOf(res.headers.get('content-type')) !== OCI_INDEX_MEDIA_TYPE)
      throw new LineproofError('OCI_REFERRERS_INVALID', `${what}: holds another manifest than an image index`);
    existing = parseReferrersIndex(res.body, what, 100_000);
  } else if (res.status !== 404) throw statusError(res, what);
  const { bytes, added } = addReferrers(existing, add);
  if (added.length === 0) return 0;
  const put = await client.request(client.path(`manifests/${tag}`), {
    method: 'PUT',
    body: bytes,
    contentType: OCI_INDEX_MEDIA_TYPE,
    maxBytes: 64 * 1024,
    what,
  });
  if (put.status !== 201) throw statusError(put, what);
  return added.length;
}

/**
 * Push a chain to an OCI registry beside the model it is about (the numbered list of this module).
 * @param reference `REGISTRY/REPO@sha256:<hex>` of the model's manifest
 * @param bundle the chain (`readBundle` / `readBundleFile`)
 * @param options credentials, plain HTTP, timeouts, limits
 * @returns the subject, each artifact's digests and how the registry lists referrers
 * @throws {LineproofError} OCI_REFERENCE_INVALID, OCI_CHAIN_UNSUPPORTED,
 *   OCI_CHAIN_NOT_ABOUT_SUBJECT, OCI_SUBJECT_NOT_FOUND, OCI_MANIFEST_INVALID, OCI_REFERRERS_INVALID,
 *   OCI_DIGEST_MISMATCH, OCI_UNAUTHORIZED, OCI_REGISTRY_ERROR, OCI_REGISTRY_UNREACHABLE,
 *   OCI_TIMEOUT, OCI_RESPONSE_TOO_LARGE
 * @example
 * ```ts
 * const r = await ociPushChain(`registry.example.com/models/bot@${digest}`, readBundleFile('chain.intoto.jsonl'));
 * r.artifacts.map((a) => a.manifestDigest);
 * ```
 */
export async function ociPushChain(
  reference: string,
  bundle: Bundle,
  options: OciPushOptions = {},
): Promise<OciPushResult> {
  const ref = parseOciReference(reference); // 1
  resolveLimits(options.limits);
  checkChain(bundle, ref); // 2
  const client = new OciRegistryClient(ref, 'pull,push', options);
  const subject = await subjectDescriptor(client, ref); // 3
  await putBlob(client, OCI_EMPTY_BLOB, OCI_EMPTY_DESCRIPTOR.digest); // 4
  const artifacts: OciPushedArtifact[] = [];
  const descriptors: OciDescriptor[] = [];
  let api = true;
  for (const entry of bundle.entries) {
    const a = buildAttestationArtifact(entry.envelope, subject); // 5
    const r = await putArtifact(client, a);
    api &&= r.api;
    artifacts.push({ payloadDigest: a.payloadDigest, manifestDigest: a.descriptor.digest, existed: r.existed });
    descriptors.push(a.descriptor);
  }
  const tagAdded = api ? 0 : await updateReferrersTag(client, descriptors); // 6
  return { reference: formatOciReference(ref), subject, artifacts, referrers: api ? 'api' : 'tag', tagAdded };
}

/** Options of {@link ociPullChain}. */
export interface OciPullOptions extends OciClientOptions {
  /** Envelope limits (size, depth, signatures). */
  limits?: Partial<Limits>;
  /** Most referrers listed in all (default 10,000). */
  maxReferrers?: number;
  /** Most pages of the referrers API followed (default 100). */
  maxPages?: number;
  /** Most bytes of manifests and layers fetched in all (default 1 GiB). */
  maxTotalBytes?: number;
}

/** One attestation pulled. */
export interface OciPulledArtifact {
  manifestDigest: string;
  payloadDigest: string;
}

/** What {@link ociPullChain} found. */
export interface OciPullResult {
  reference: string;
  /** Where the list came from: the referrers API, or the referrers tag (registry without the API). */
  source: 'api' | 'tag';
  /** True when the registry said it applied the artifactType filter (OCI-Filters-Applied). */
  filterApplied: boolean;
  attestations: OciPulledArtifact[];
  /** The bundle: one JCS line + LF per envelope, once each, sorted. */
  lines: string[];
  /** Referrers that could not be read, each with its code. */
  skipped: ReferrerProblem[];
  /** Referrers of other artifact types (signatures, SBOMs…), left alone. */
  others: number;
}

export const DEFAULT_OCI_MAX_REFERRERS = 10_000;
export const DEFAULT_OCI_MAX_PAGES = 100;
export const DEFAULT_OCI_MAX_TOTAL_BYTES = 1024 * 1024 * 1024;

/** Step 4 for one descriptor. */
async function pullArtifact(
  client: OciRegistryClient,
  d: OciDescriptor,
  limits: Limits,
  spend: (n: number) => void,
): Promise<DecodedEnvelope> {
  const what = `referrer ${d.digest.slice(0, 19)}…`;
  if (d.mediaType !== OCI_MANIFEST_MEDIA_TYPE)
    throw new LineproofError(
      'OCI_MANIFEST_INVALID',
      `${what}: mediaType ${d.mediaType.slice(0, 80)} is not an image manifest`,
    );
  if (d.size > MAX_OCI_MANIFEST_BYTES)
    throw new LineproofError('OCI_RESPONSE_TOO_LARGE', `${what}: ${d.size} bytes is over the manifest limit`);
  const res = await client.request(client.path(`manifests/${d.digest}`), {
    accept: [OCI_MANIFEST_MEDIA_TYPE],
    maxBytes: d.size,
    what,
  });
  if (res.status !== 200) throw statusError(res, what);
  spend(res.body.length);
  checkOciContent(res.body, d, what);
  const manifest = readAttestationManifest(res.body, client.ref.digest, what);
  const layerWhat = `${what} layer`;
  if (manifest.layer.size > limits.envelopeBytes)
    throw new LineproofError(
      'OCI_RESPONSE_TOO_LARGE',
      `${layerWhat}: ${manifest.layer.size} bytes is over the envelope limit`,
    );
  const blob = await client.request(client.path(`blobs/${manifest.layer.digest}`), {
    maxBytes: manifest.layer.size,
    what: layerWhat,
  });
  if (blob.status !== 200) throw statusError(blob, layerWhat);
  spend(blob.body.length);
  checkOciContent(blob.body, manifest.layer, layerWhat);
  return readAttestationLayer(blob.body, manifest, limits, layerWhat);
}

/**
 * Pull the chain stored beside a model (the numbered list of this module). Never throws for one
 * bad referrer: it is listed in `skipped` with its code.
 * @param reference `REGISTRY/REPO@sha256:<hex>` of the model's manifest
 * @param options credentials, plain HTTP, timeouts, limits
 * @returns the bundle lines, the attestations, what was skipped
 * @throws {LineproofError} OCI_REFERENCE_INVALID, OCI_REFERRERS_INVALID, OCI_LIMIT_EXCEEDED,
 *   OCI_TIMEOUT (deadline), OCI_UNAUTHORIZED, OCI_REGISTRY_ERROR, OCI_REGISTRY_UNREACHABLE,
 *   OCI_RESPONSE_TOO_LARGE (the list)
 * @example
 * ```ts
 * const { lines } = await ociPullChain(`registry.example.com/models/bot@${digest}`);
 * writeFileSync('pulled.intoto.jsonl', lines.join(''));
 * ```
 */
export async function ociPullChain(reference: string, options: OciPullOptions = {}): Promise<OciPullResult> {
  const ref = parseOciReference(reference); // 1
  const limits = resolveLimits(options.limits);
  const maxTotal = options.maxTotalBytes ?? DEFAULT_OCI_MAX_TOTAL_BYTES;
  const client = new OciRegistryClient(ref, 'pull', options);
  const listed = await listReferrers(client, {
    // 2
    maxReferrers: options.maxReferrers ?? DEFAULT_OCI_MAX_REFERRERS,
    maxPages: options.maxPages ?? DEFAULT_OCI_MAX_PAGES,
  });
  const skipped = [...listed.problems];
  const ours = listed.descriptors.filter((d) => d.artifactType === LINEPROOF_ATTESTATION_ARTIFACT_TYPE); // 3
  const unique = [...new Map(ours.map((d) => [d.digest, d])).values()];
  let spent = 0;
  const spend = (n: number) => {
    spent += n;
    if (spent > maxTotal)
      throw new LineproofError('OCI_LIMIT_EXCEEDED', `referrers: more than ${maxTotal} bytes fetched in all`);
  };
  const lines = new Set<string>();
  const attestations: OciPulledArtifact[] = [];
  for (const d of unique) {
    client.checkDeadline('oci pull'); // 4
    try {
      const env = await pullArtifact(client, d, limits, spend);
      lines.add(`${serializeEnvelope(env)}\n`);
      attestations.push({ manifestDigest: d.digest, payloadDigest: `sha256:${sha256HexOf(env.payload)}` });
    } catch (e) {
      if (!(e instanceof LineproofError) || e.code === 'OCI_LIMIT_EXCEEDED') throw e;
      skipped.push({ at: d.digest, code: e.code, message: e.message });
    }
  }
  return {
    reference: formatOciReference(ref),
    source: listed.source,
    filterApplied: listed.filterApplied,
    attestations,
    lines: [...lines].sort(), // 5
    skipped,
    others: listed.descriptors.length - ours.length,
  };
}
