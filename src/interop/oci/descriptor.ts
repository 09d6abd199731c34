/**
 * OCI content descriptors and the media types Lineproof reads and writes (image spec v1.1,
 * descriptor.md; spec/oci.md §2). Everything a registry sends is untrusted: a descriptor is read
 * field by field, content is checked against its size and digest before it is parsed.
 * @module
 */
import { sha256Hex } from '../../digest/index.js';
import { LineproofError } from '../../errors.js';
import { isJsonObject, joinPath, type JsonValue } from '../../json/strict.js';

/** An OCI image manifest (image spec manifest.md). */
export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json';
/** An OCI image index (image spec image-index.md); also the referrers list. */
export const OCI_INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json';
/** The empty descriptor's media type (manifest.md "Guidance for an Empty Descriptor"). */
export const OCI_EMPTY_MEDIA_TYPE = 'application/vnd.oci.empty.v1+json';
/** Docker's image manifest and manifest list, accepted as the model's manifest (a subject). */
export const DOCKER_MANIFEST_MEDIA_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
] as const;
/** The artifactType of a Lineproof attestation artifact. */
export const LINEPROOF_ATTESTATION_ARTIFACT_TYPE = 'application/vnd.lineproof.attestation.v1+json';
/** The layer media type of a DSSE envelope (as cosign stores in-toto attestations). */
export const DSSE_ENVELOPE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';
/** The empty JSON blob `{}`: its bytes, digest and size. */
export const OCI_EMPTY_BLOB = new Uint8Array([0x7b, 0x7d]);
export const OCI_EMPTY_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';

/** A descriptor as Lineproof uses it (other fields of a read descriptor are ignored). */
export interface OciDescriptor {
  mediaType: string;
  /** `sha256:<64 lowercase hex>` (the only algorithm Lineproof verifies). */
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** The empty descriptor (config of an artifact manifest). */
export const OCI_EMPTY_DESCRIPTOR: Readonly<OciDescriptor> = Object.freeze({
  mediaType: OCI_EMPTY_MEDIA_TYPE,
  digest: OCI_EMPTY_DIGEST,
  size: 2,
});

/** RFC 6838 §4.2 type/subtype (restricted-name), without parameters. */
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;
/** The descriptor.md digest grammar (`algorithm ":" encoded`). */
const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const SHA256 = /^sha256:[0-9a-f]{64}$/;
/** Most annotations read on one descriptor, and their longest key and value. */
const MAX_ANNOTATIONS = 64;
const MAX_ANNOTATION_BYTES = 4096;

/** A descriptor-shape failure. */
export function manifestInvalid(what: string, path: string, message: string): LineproofError {
  return new LineproofError('OCI_MANIFEST_INVALID', `${what}: ${path ? `${path}: ` : ''}${message}`, {
    path: path || what,
  });
}

/** True for an RFC 6838 media type (no parameters). */
export function isMediaType(value: unknown): value is string {
  return typeof value === 'string' && MEDIA_TYPE.test(value);
}

/** Read an annotations map (string to string, bounded) from untrusted JSON; undefined when absent. */
export function readOciAnnotations(
  value: JsonValue | undefined,
  what: string,
  path: string,
): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  if (!isJsonObject(value)) throw manifestInvalid(what, path, 'annotations must be a string-string map');
  const keys = Object.keys(value);
  if (keys.length > MAX_ANNOTATIONS) throw manifestInvalid(what, path, `more than ${MAX_ANNOTATIONS} annotations`);
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = value[k];
    if (typeof v !== 'string') throw manifestInvalid(what, joinPath(path, k), 'an annotation value must be a string');
    if (k.length > MAX_ANNOTATION_BYTES || v.length > MAX_ANNOTATION_BYTES)
      throw manifestInvalid(what, joinPath(path, k), `an annotation longer than ${MAX_ANNOTATION_BYTES} characters`);
    if (k === '__proto__') throw manifestInvalid(what, joinPath(path, k), 'a key named __proto__ is refused');
    out[k] = v;
  }
  return out;
}

/**
 * Read a descriptor from untrusted JSON: `mediaType` (RFC 6838), `digest` (the descriptor.md
 * grammar), `size` (a non-negative safe integer), optional `artifactType` and `annotations`.
 * @param value the JSON value
 * @param what names the document in messages
 * @param path the descriptor's field path, e.g. `manifests[3]`
 * @returns the descriptor (only the fields Lineproof uses)
 * @throws {LineproofError} OCI_MANIFEST_INVALID with the field path
 * @example
 * ```ts
 * const d = parseOciDescriptor({ mediaType: OCI_EMPTY_MEDIA_TYPE, digest: OCI_EMPTY_DIGEST, size: 2 }, 'config', '');
 * ```
 */
export function parseOciDescriptor(value: unknown, what: string, path: string): OciDescriptor {
  if (!isJsonObject(value)) throw manifestInvalid(what, path, 'a descriptor must be a JSON object');
  const o = value;
  if (!isMediaType(o.mediaType)) throw manifestInvalid(what, joinPath(path, 'mediaType'), 'not an RFC 6838 media type');
  if (typeof o.digest !== 'string' || o.digest.length > 200 || !DIGEST_GRAMMAR.test(o.digest))
    throw manifestInvalid(what, joinPath(path, 'digest'), 'not a digest (algorithm:encoded)');
  if (typeof o.size !== 'number' || !Number.isSafeInteger(o.size) || o.size < 0)
    throw manifestInvalid(what, joinPath(path, 'size'), 'not a non-negative integer');
  const d: OciDescriptor = { mediaType: o.mediaType, digest: o.digest, size: o.size };
  if (o.artifactType !== undefined) {
    if (!isMediaType(o.artifactType))
      throw manifestInvalid(what, joinPath(path, 'artifactType'), 'not an RFC 6838 media type');
    d.artifactType = o.artifactType;
  }
  const annotations = readOciAnnotations(o.annotations, what, joinPath(path, 'annotations'));
  if (annotations) d.annotations = annotations;
  return d;
}

/** True for `sha256:<64 lowercase hex>`, the only digest Lineproof verifies. */
export function isSha256Digest(digest: unknown): boolean {
  return typeof digest === 'string' && SHA256.test(digest);
}

/**
 * Check content against the size and digest it was asked for by, before it is parsed (descriptor.md
 * "Verification": size first, then digest).
 * @param bytes the content as received
 * @param expected the digest (`sha256:<hex>`) and, when known, the size
 * @param what names the content in messages
 * @throws {LineproofError} OCI_DIGEST_MISMATCH (another size or digest, or a digest algorithm
 *   other than sha256, which cannot be checked)
 * @example
 * ```ts
 * checkOciContent(OCI_EMPTY_BLOB, { digest: OCI_EMPTY_DIGEST, size: 2 }, 'config');
 * ```
 */
export function checkOciContent(bytes: Uint8Array, expected: { digest: string; size?: number }, what: string): void {
  const claimed: string = expected.digest;
  if (!isSha256Digest(claimed))
    throw new LineproofError('OCI_DIGEST_MISMATCH', `${what}: digest ${claimed.slice(0, 80)} is not sha256`, {
      path: what,
      expected: 'sha256:<hex>',
      actual: claimed.slice(0, 80),
    });
  if (expected.size !== undefined && bytes.length !== expected.size)
    throw new LineproofError('OCI_DIGEST_MISMATCH', `${what}: expected ${expected.size} bytes, got ${bytes.length}`, {
      path: what,
      expected: String(expected.size),
      actual: String(bytes.length),
    });
  const actual = `sha256:${sha256Hex(bytes)}`;
  if (actual !== expected.digest)
    throw new LineproofError(
      'OCI_DIGEST_MISMATCH',
      `${what}: expected digest ${expected.digest.slice(0, 19)}…, got ${actual.slice(0, 19)}…`,
      { path: what, expected: expected.digest, actual },
    );
}

/** `sha256:<hex>` of content. */
export function ociDigest(bytes: Uint8Array): string {
  return `sha256:${sha256Hex(bytes)}`;
}
