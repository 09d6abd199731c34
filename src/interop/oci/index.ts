/**
 * Attestations stored beside a model in an OCI registry (spec/oci.md): references, descriptors,
 * the attestation artifact layout, referrers lists and the HTTP header grammar — the pure format
 * logic; the Node adapter's src/node/oci.ts does the HTTP.
 * @module
 */
export { parseOciReference, formatOciReference, isLoopbackHost, type OciReference } from './reference.js';
export {
  OCI_MANIFEST_MEDIA_TYPE,
  OCI_INDEX_MEDIA_TYPE,
  OCI_EMPTY_MEDIA_TYPE,
  OCI_EMPTY_BLOB,
  OCI_EMPTY_DIGEST,
  OCI_EMPTY_DESCRIPTOR,
  DOCKER_MANIFEST_MEDIA_TYPES,
  LINEPROOF_ATTESTATION_ARTIFACT_TYPE,
  DSSE_ENVELOPE_MEDIA_TYPE,
  checkOciContent,
  isMediaType,
  isSha256Digest,
  ociDigest,
  parseOciDescriptor,
  type OciDescriptor,
} from './descriptor.js';
export {
  buildAttestationArtifact,
  readAttestationManifest,
  readAttestationLayer,
  parseOciJson,
  MAX_OCI_MANIFEST_BYTES,
  PAYLOAD_DIGEST_ANNOTATION,
  PREDICATE_TYPE_ANNOTATION,
  type AttestationArtifact,
  type AttestationManifest,
} from './artifact.js';
export {
  referrersTag,
  parseReferrersIndex,
  readReferrerDescriptors,
  addReferrers,
  type ReferrerProblem,
} from './referrers.js';
export { parseWwwAuthenticate, parseLinkNext, mediaTypeOf, type AuthChallenge } from './http.js';
