/**
 * Interop: ECDSA keys and signatures, OpenSSF model signing (manifests, statements, hashing,
 * signatures: src/interop/oms/), Sigstore bundles v0.3 (spec/oms.md, spec/interop.md).
 * @module
 */
export {
  EC_CURVES,
  ecCurveInfo,
  ecPublicKeyFromPoint,
  ecPublicKeyFromSpki,
  ecSpkiDer,
  ecPublicKeyToPem,
  omsKeyHint,
  omsKeyHints,
  equalEcPublicKeys,
  parseEcPublicKey,
  type EcCurve,
  type EcCurveInfo,
  type EcPublicKey,
  type EcPrivateKey,
} from '../pki/ec.js';
export {
  ecPrivateKeyFromScalar,
  generateEcPrivateKey,
  ecPrivateKeyFromDer,
  parseEcPrivateKey,
  ecPrivateKeyToPkcs8Der,
  ecPrivateKeyToPem,
} from '../pki/ec-private.js';
export {
  parseEcdsaSignature,
  verifyEcdsa,
  signEcdsa,
  ecdsaSigner,
  ecdsaVerifier,
  type EcdsaSignatureParts,
  type EcdsaSigner,
} from '../pki/ecdsa.js';
export {
  SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
  SIGSTORE_BUNDLE_V03_LEGACY_MEDIA_TYPE,
  toSigstoreBundle,
  fromSigstoreBundle,
  serializeSigstoreBundle,
  verifySigstoreBundle,
  type SigstoreBundle,
  type ToSigstoreBundleOptions,
  type FromSigstoreBundle,
  type SigstoreBundleVerification,
} from './sigstore.js';
export {
  OMS_PREDICATE_TYPE,
  OMS_DEFAULT_SHARD_SIZE,
  omsSerialization,
  omsResourceAlgorithm,
  type OmsMethod,
  type OmsHashType,
  type OmsSerialization,
  type OmsResource,
  type OmsManifest,
  type OmsSerializationOptions,
  type OmsItem,
} from './oms/serialization.js';
export { OMS_GIT_IGNORE_PATHS, normalizeOmsIgnorePaths, omsIgnores } from './oms/ignore.js';
export { omsRootDigest, buildOmsManifest, omsManifestText, compareOmsResourceKeys } from './oms/manifest.js';
export { omsStatement, parseOmsStatement } from './oms/statement.js';
export { hashOmsEntries, type OmsEntry, type HashOmsOptions } from './oms/hash.js';
export { diffOmsManifests, verifyOmsManifest, type OmsDiff } from './oms/compare.js';
export {
  verifyOmsSignature,
  verifyOmsModel,
  type OmsBundleShape,
  type OmsExternalSignature,
  type OmsSignatureVerifier,
  type VerifyOmsSignatureOptions,
  type OmsSignatureVerification,
  type VerifyOmsModelOptions,
  type OmsModelVerification,
} from './oms/verify.js';
export { signOmsManifest } from './oms/sign.js';
export {
  parseCertificate,
  certificatesFromPem,
  verifyCertificatePath,
  signingUsageProblem,
  MAX_PATH_DEPTH,
  MAX_SIGNATURE_CHECKS,
  MAX_CERTIFICATE_BYTES,
  type Certificate,
  type SubjectAltName,
  type CertificatePathInput,
  type PathSuccess,
  type PathFailure,
} from '../pki/x509.js';
export {
  verifyTimestampToken,
  timestampRequest,
  timestampTokenFromResponse,
  timestampTokenImprint,
  MAX_TIMESTAMP_TOKEN_BYTES,
  type TimestampInput,
  type TimestampSuccess,
  type TimestampFailure,
  type TimestampRequestOptions,
  type ImprintHash,
} from '../pki/rfc3161.js';
export {
  HASH_PART_VERSION,
  HASH_PART_PAYLOAD_TYPE,
  HASH_PART_MAX_PARTS,
  parseHashPart,
  planPart,
  listingDigest,
  sortListing,
  partOfOffset,
  unitShape,
  type HashPart,
  type HashPartConfig,
  type HashPartEntry,
  type HashPartFormat,
  type ListedFile,
  type PlannedEntry,
  type UnitShape,
} from './parts/part.js';
export { mergeHashParts, type MergedHash } from './parts/merge.js';
