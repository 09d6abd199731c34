/**
 * Interop: ECDSA keys and signatures, OpenSSF model signing signatures, Sigstore bundles v0.3
 * (spec/oms.md, spec/interop.md).
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
} from './ec.js';
export {
  ecPrivateKeyFromScalar,
  generateEcPrivateKey,
  ecPrivateKeyFromDer,
  parseEcPrivateKey,
  ecPrivateKeyToPkcs8Der,
  ecPrivateKeyToPem,
} from './ec-private.js';
export {
  parseEcdsaSignature,
  verifyEcdsa,
  signEcdsa,
  ecdsaSigner,
  ecdsaVerifier,
  type EcdsaSignatureParts,
  type EcdsaSigner,
} from './ecdsa.js';
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
  verifyOmsSignature,
  verifyOmsModel,
  type OmsBundleShape,
  type VerifyOmsSignatureOptions,
  type OmsSignatureVerification,
  type VerifyOmsModelOptions,
  type OmsModelVerification,
} from './oms/verify.js';
export { signOmsManifest } from './oms/sign.js';
