/**
 * One attestation as one OCI artifact (spec/oci.md §2): an image manifest whose `subject` is the
 * model's manifest, `artifactType` {@link LINEPROOF_ATTESTATION_ARTIFACT_TYPE}, `config` the empty
 * descriptor, and one layer holding the DSSE envelope (its JCS bytes, one bundle line without the
 * LF). An envelope is its (payloadType, payload) (decisions §14): all signatures a bundle holds
 * for it travel in one artifact, sorted, so the same chain always yields the same manifest bytes.
 * @module
 */
import { compareStrings } from './strings.js';
import { encodeEnvelope, parseEnvelope, type DecodedEnvelope, type Envelope } from '../../dsse/envelope.js';
import { LineproofError } from '../../errors.js';
import { canonicalBytes } from '../../json/canonical.js';
import { isJsonObject, parseJson, type JsonObject } from '../../json/strict.js';
import type { Limits } from '../../limits.js';
import { parseStatement, payloadDigest } from '../../statements/statement.js';
import {
  DSSE_ENVELOPE_MEDIA_TYPE,
  isSha256Digest,
  LINEPROOF_ATTESTATION_ARTIFACT_TYPE,
  manifestInvalid,
  OCI_EMPTY_DESCRIPTOR,
  OCI_EMPTY_DIGEST,
  OCI_EMPTY_MEDIA_TYPE,
  OCI_MANIFEST_MEDIA_TYPE,
  ociDigest,
  parseOciDescriptor,
  readOciAnnotations,
  type OciDescriptor,
} from './descriptor.js';

/** Annotation naming the attestation's payload digest (`sha256:<hex>`, decisions §6). */
export const PAYLOAD_DIGEST_ANNOTATION = 'dev.lineproof.payload.digest';
/** Annotation naming the in-toto predicateType (the key Docker's attestations use). */
export const PREDICATE_TYPE_ANNOTATION = 'in-toto.io/predicate-type';
/** Largest manifest or index read (the distribution spec asks registries to take at least 4 MB). */
export const MAX_OCI_MANIFEST_BYTES = 4 * 1024 * 1024;

/** What {@link buildAttestationArtifact} makes: the blobs and the manifest to push. */
export interface AttestationArtifact {
  /** `sha256:<hex>` of the envelope's payload. */
  payloadDigest: string;
  /** The layer: the envelope's JCS bytes. */
  layer: Uint8Array;
  layerDescriptor: OciDescriptor;
  /** The manifest's JCS bytes. */
  manifest: Uint8Array;
  /** The manifest's descriptor as a referrers list lists it (artifactType, annotations). */
  descriptor: OciDescriptor;
}

/** The envelope in wire form with its signatures in one order (by signature, then keyid). */
function sortedWire(env: DecodedEnvelope): Envelope {
  const wire = encodeEnvelope(env);
  const sigs = [...wire.signatures].sort(
    (a, b) => compareStrings(a.sig, b.sig) || compareStrings(a.keyid ?? '', b.keyid ?? ''),
  );
  return { ...wire, signatures: sigs };
}

function predicateTypeOf(payload: Uint8Array): string | undefined {
  try {
    return parseStatement(payload).predicateType;
  } catch {
    return undefined; // not an in-toto statement: no annotation
  }
}

/**
 * Build the artifact for one envelope about `subject`.
 * @param envelope a decoded envelope (a bundle entry's, signatures merged)
 * @param subject the model manifest's descriptor (mediaType, digest, size)
 * @returns the layer, the manifest and their descriptors
 * @example
 * ```ts
 * const a = buildAttestationArtifact(entry.envelope, { mediaType: OCI_MANIFEST_MEDIA_TYPE, digest, size });
 * ```
 */
export function buildAttestationArtifact(envelope: DecodedEnvelope, subject: OciDescriptor): AttestationArtifact {
  const layer = canonicalBytes(sortedWire(envelope));
  const layerDescriptor: OciDescriptor = {
    mediaType: DSSE_ENVELOPE_MEDIA_TYPE,
    digest: ociDigest(layer),
    size: layer.length,
  };
  const digest = payloadDigest(envelope.payload);
  const predicateType = predicateTypeOf(envelope.payload);
  const annotations: Record<string, string> = {
    [PAYLOAD_DIGEST_ANNOTATION]: digest,
    ...(predicateType !== undefined ? { [PREDICATE_TYPE_ANNOTATION]: predicateType } : {}),
  };
  const manifest = canonicalBytes({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST_MEDIA_TYPE,
    artifactType: LINEPROOF_ATTESTATION_ARTIFACT_TYPE,
    config: { ...OCI_EMPTY_DESCRIPTOR },
    layers: [layerDescriptor],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations,
  });
  return {
    payloadDigest: digest,
    layer,
    layerDescriptor,
    manifest,
    descriptor: {
      mediaType: OCI_MANIFEST_MEDIA_TYPE,
      digest: ociDigest(manifest),
      size: manifest.length,
      artifactType: LINEPROOF_ATTESTATION_ARTIFACT_TYPE,
      annotations,
    },
  };
}

/** Parse manifest or index JSON from a registry (already checked against its digest). */
export function parseOciJson(bytes: Uint8Array, what: string, code: 'OCI_MANIFEST_INVALID' | 'OCI_REFERRERS_INVALID') {
  try {
    return parseJson(bytes, { what, maxBytes: MAX_OCI_MANIFEST_BYTES, maxDepth: 16 });
  } catch (e) {
    throw new LineproofError(code, `${what}: not JSON (${e instanceof LineproofError ? e.code : 'error'})`, {
      path: what,
      cause: e,
    });
  }
}

/** What {@link readAttestationManifest} found: the layer to fetch and the payload digest claimed. */
export interface AttestationManifest {
  layer: OciDescriptor;
  /** The payload digest annotation (checked against the layer once it is read). */
  payloadDigest: string | undefined;
}

function field(o: JsonObject, name: string, what: string, want: unknown): void {
  if (o[name] !== want) throw manifestInvalid(what, name, `expected ${JSON.stringify(want)}`);
}

/**
 * Read an attestation artifact's manifest (already checked against its digest): the layout of
 * {@link buildAttestationArtifact}, about `subjectDigest`.
 * @param bytes the manifest bytes
 * @param subjectDigest the model manifest's digest it must be about
 * @param what names it in messages
 * @returns the layer descriptor and the payload digest annotation
 * @throws {LineproofError} OCI_MANIFEST_INVALID (shape, artifactType, config, layers),
 *   OCI_SUBJECT_MISMATCH (about another manifest)
 * @example
 * ```ts
 * const { layer } = readAttestationManifest(bytes, ref.digest, 'referrer sha256:…');
 * ```
 */
export function readAttestationManifest(bytes: Uint8Array, subjectDigest: string, what: string): AttestationManifest {
  const v = parseOciJson(bytes, what, 'OCI_MANIFEST_INVALID');
  if (!isJsonObject(v)) throw manifestInvalid(what, '', 'a manifest must be a JSON object');
  field(v, 'schemaVersion', what, 2);
  field(v, 'mediaType', what, OCI_MANIFEST_MEDIA_TYPE);
  field(v, 'artifactType', what, LINEPROOF_ATTESTATION_ARTIFACT_TYPE);
  const config = parseOciDescriptor(v.config, what, 'config');
  if (config.mediaType !== OCI_EMPTY_MEDIA_TYPE || config.digest !== OCI_EMPTY_DIGEST || config.size !== 2)
    throw manifestInvalid(what, 'config', 'expected the empty descriptor');
  if (!Array.isArray(v.layers) || v.layers.length !== 1) throw manifestInvalid(what, 'layers', 'expected one layer');
  const layer = parseOciDescriptor(v.layers[0], what, 'layers[0]');
  if (layer.mediaType !== DSSE_ENVELOPE_MEDIA_TYPE)
    throw manifestInvalid(what, 'layers[0].mediaType', `expected ${DSSE_ENVELOPE_MEDIA_TYPE}`);
  if (!isSha256Digest(layer.digest)) throw manifestInvalid(what, 'layers[0].digest', 'expected a sha256 digest');
  const subject = parseOciDescriptor(v.subject, what, 'subject');
  if (subject.digest !== subjectDigest)
    throw new LineproofError(
      'OCI_SUBJECT_MISMATCH',
      `${what}: about ${subject.digest.slice(0, 19)}…, not ${subjectDigest.slice(0, 19)}…`,
      { path: `${what}.subject`, expected: subjectDigest, actual: subject.digest },
    );
  const annotations = readOciAnnotations(v.annotations, what, 'annotations');
  return { layer, payloadDigest: annotations?.[PAYLOAD_DIGEST_ANNOTATION] };
}

/**
 * Read the layer of an attestation artifact (already checked against its digest) as an envelope.
 * @param bytes the layer bytes
 * @param manifest what {@link readAttestationManifest} returned
 * @param limits envelope limits
 * @param what names it in messages
 * @returns the decoded envelope
 * @throws {LineproofError} the envelope parse codes (DSSE_ENVELOPE_INVALID, JSON_*, BASE64_*);
 *   OCI_MANIFEST_INVALID when the payload digest annotation names another payload
 * @example
 * ```ts
 * const env = readAttestationLayer(layerBytes, manifest, resolveLimits(), 'layer sha256:…');
 * ```
 */
export function readAttestationLayer(
  bytes: Uint8Array,
  manifest: AttestationManifest,
  limits: Limits,
  what: string,
): DecodedEnvelope {
  const env = parseEnvelope(bytes, { limits, what });
  const digest = payloadDigest(env.payload);
  if (manifest.payloadDigest !== undefined && manifest.payloadDigest !== digest)
    throw manifestInvalid(
      what,
      `annotations["${PAYLOAD_DIGEST_ANNOTATION}"]`,
      `names payload ${manifest.payloadDigest.slice(0, 19)}…, the layer holds ${digest.slice(0, 19)}…`,
    );
  return env;
}
