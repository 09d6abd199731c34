/**
 * Writing model_signing signatures with an EC key, in model_signing 1.1+'s bundle shape (spec/oms.md).
 */
import { isBytes, toBase64 } from '../../bytes/index.js';
import { LineproofError, describeType } from '../../errors.js';
import { canonicalBytes } from '../../json/canonical.js';
import { pae } from '../../dsse/pae.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../statements/statement.js';
import type { OmsManifest } from './serialization.js';
import { omsStatement, parseOmsStatement } from './statement.js';
import { omsKeyHint } from '../../pki/ec.js';
import { verifyEcdsa, type EcdsaSigner } from '../../pki/ecdsa.js';
import { SIGSTORE_BUNDLE_V03_MEDIA_TYPE, type SigstoreBundle } from '../sigstore.js';

/**
 * Sign a model_signing manifest (from `hashOmsModel` or `hashOmsEntries`) as model_signing 1.1+
 * does with an EC key, so the same hashing run can feed both a model_signing signature and a
 * Lineproof attestation.
 *
 * 1. payload = the RFC 8785 JSON bytes of the model_signing Statement ({@link omsStatement});
 *    it is read back with the strict statement reader before signing;
 * 2. the signer signs PAE(`application/vnd.in-toto+json`, payload) (ECDSA, DER, the curve's hash);
 * 3. the signature is verified under the signer's public key (sign-then-verify);
 * 4. the bundle: media type `application/vnd.dev.sigstore.bundle.v0.3+json`,
 *    `verificationMaterial: {publicKey: {hint: SHA-256 of the key's PEM}, tlogEntries: []}`, the
 *    DSSE envelope with one signature and `keyid: ""`.
 *
 * @param manifest the model_signing manifest
 * @param signer an {@link EcdsaSigner} (e.g. `ecdsaSigner(parseEcPrivateKey(pem))`, or a KMS)
 * @returns the bundle (write it with `serializeSigstoreBundle`)
 * @throws {LineproofError} SIGNER_FAULT when the signature does not verify under the signer's key;
 *   the codes of `parseOmsStatement` if the manifest is inconsistent
 * @example
 * ```ts
 * const m = await hashOmsModel('model/', { method: 'files', ignorePaths: ['.git', 'model.sig'] });
 * const bundle = await signOmsManifest(m.manifest, ecdsaSigner(key));
 * writeFileSync('model/model.sig', serializeSigstoreBundle(bundle));
 * ```
 */
export async function signOmsManifest(manifest: OmsManifest, signer: EcdsaSigner): Promise<SigstoreBundle> {
  if (!signer || typeof signer.sign !== 'function' || !signer.publicKey || signer.publicKey.type !== 'ecdsa') {
    throw new TypeError(`"signer" expected an EcdsaSigner { curve, publicKey, sign() }, got ${describeType(signer)}`);
  }
  // 1. the payload, checked by the strict reader (so what is signed is what verifiers accept)
  const payload = canonicalBytes(omsStatement(manifest));
  parseOmsStatement(payload);
  // 2. sign the PAE bytes
  const message = pae(IN_TOTO_PAYLOAD_TYPE, payload);
  const sig = await signer.sign(message);
  if (!isBytes(sig)) throw new TypeError(`signer.sign() expected to return Uint8Array, got ${describeType(sig)}`);
  // 3. sign-then-verify
  const check = verifyEcdsa(signer.publicKey, message, sig);
  if (!check.valid) {
    throw new LineproofError(
      'SIGNER_FAULT',
      `signer: the signature it returned does not verify under its own ${signer.publicKey.curve} public key (${check.code}: ${check.reason})`,
      { path: 'signer' },
    );
  }
  // 4. the bundle
  return {
    mediaType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint: omsKeyHint(signer.publicKey) }, tlogEntries: [] },
    dsseEnvelope: {
      payload: toBase64(payload),
      payloadType: IN_TOTO_PAYLOAD_TYPE,
      signatures: [{ sig: toBase64(sig), keyid: '' }],
    },
  };
}
