/**
 * ECDSA over NIST P-256 / P-384 / P-521 with SHA-256 / SHA-384 / SHA-512 (the pairing model_signing
 * and Sigstore use), on @noble/curves. Signatures are DER `Ecdsa-Sig-Value` (RFC 3279).
 *
 * What a signature must be to verify — exactly what OpenSSL (and so Python `cryptography`, which
 * model_signing uses) accepts:
 * - strict DER: `SEQUENCE { INTEGER r, INTEGER s }`, definite minimal lengths, minimal positive
 *   INTEGERs, no trailing bytes (OpenSSL re-encodes and compares since CVE-2014-8275); anything
 *   else is ECDSA_SIGNATURE_MALFORMED;
 * - 1 <= r, s < n (ECDSA_SIGNATURE_MALFORMED otherwise);
 * - **high S is accepted**: neither ECDSA (FIPS 186-5, SEC 1) nor OpenSSL requires low S, and
 *   OpenSSL / `cryptography` signatures have a high S half of the time, so a low-S-only verifier
 *   (noble's default) would reject valid model_signing signatures at random;
 * - the verification equation, with the message hashed by the curve's hash (ECDSA_SIGNATURE_INVALID).
 * Lineproof's own ECDSA signatures are deterministic (RFC 6979) and low-S, which every verifier accepts.
 */
import { concatBytes, isBytes } from '../bytes/index.js';
import { LineproofError, describeType } from '../errors.js';
import type { SignatureCheck, SignatureVerifier } from '../keys/types.js';
import { DerReader, TAG } from '../keys/der.js';
import { ecCurveInfo, ecPublicKeyFromPoint, type EcCurve, type EcPrivateKey, type EcPublicKey } from './ec.js';

/** The two integers of an ECDSA signature. */
export interface EcdsaSignatureParts {
  r: bigint;
  s: bigint;
}

/**
 * Parse a DER ECDSA signature strictly, with 1 <= r, s < n for the curve.
 * @param signature the DER bytes
 * @param curve the curve (for the order n)
 * @returns r and s
 * @throws {LineproofError} ECDSA_SIGNATURE_MALFORMED naming the problem
 * @example
 * ```ts
 * const { r, s } = parseEcdsaSignature(derSig, 'P-256');
 * ```
 */
export function parseEcdsaSignature(signature: Uint8Array, curve: EcCurve): EcdsaSignatureParts {
  if (!isBytes(signature)) throw new TypeError(`"signature" expected Uint8Array, got ${describeType(signature)}`);
  const info = ecCurveInfo(curve);
  const r = new DerReader(signature, 'ECDSA signature', 'ECDSA_SIGNATURE_MALFORMED');
  const seq = r.outer(TAG.SEQUENCE, 'Ecdsa-Sig-Value SEQUENCE');
  const rt = r.expect(seq.start, seq.end, TAG.INTEGER, 'INTEGER r');
  const st = r.expect(rt.end, seq.end, TAG.INTEGER, 'INTEGER s');
  if (st.end !== seq.end) throw r.error('unexpected fields after s');
  // At most the scalar length plus one sign byte, before building big integers.
  if (rt.end - rt.start > info.bytes + 1 || st.end - st.start > info.bytes + 1)
    throw r.error(`an integer is longer than a ${curve} scalar`);
  const rv = r.unsignedInteger(rt, 'r');
  const sv = r.unsignedInteger(st, 's');
  if (rv < 1n || rv >= info.order) throw r.error(`r is out of range 1..n-1 for ${curve}`);
  if (sv < 1n || sv >= info.order) throw r.error(`s is out of range 1..n-1 for ${curve}`);
  return { r: rv, s: sv };
}

function fixed(v: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/**
 * Verify an ECDSA signature (DER) over `message` (hashed here with the curve's hash). Never throws
 * for any bytes: a malformed signature is an outcome.
 * @param key the public key (its curve picks the hash)
 * @param message the exact signed bytes (for DSSE: the PAE bytes)
 * @param signature DER signature
 * @param hash the hash of another curve's pairing, for formats that made one (model_signing v0.2
 *   certificate signatures hash with SHA-256 whatever the curve); default: the curve's
 * @returns valid, or ECDSA_SIGNATURE_MALFORMED / ECDSA_SIGNATURE_INVALID with a reason
 * @example
 * ```ts
 * const check = verifyEcdsa(key, pae(type, payload), sig);
 * if (!check.valid) console.log(check.code);
 * ```
 */
export function verifyEcdsa(
  key: EcPublicKey,
  message: Uint8Array,
  signature: Uint8Array,
  hash?: EcCurve,
): SignatureCheck {
  if (!isBytes(message)) throw new TypeError(`"message" expected Uint8Array, got ${describeType(message)}`);
  if (!isBytes(signature))
    return { valid: false, code: 'ECDSA_SIGNATURE_MALFORMED', reason: 'the signature is not bytes' };
  const info = ecCurveInfo(key.curve);
  let parts: EcdsaSignatureParts;
  try {
    parts = parseEcdsaSignature(signature, key.curve);
  } catch (e) {
    return { valid: false, code: 'ECDSA_SIGNATURE_MALFORMED', reason: e instanceof Error ? e.message : 'malformed' };
  }
  const compact = concatBytes(fixed(parts.r, info.bytes), fixed(parts.s, info.bytes));
  const h = hash === undefined ? info : ecCurveInfo(hash);
  let ok: boolean;
  try {
    ok = info.noble.verify(compact, h.digest(message), key.point, {
      prehash: false,
      lowS: false,
      format: 'compact',
    });
  } catch {
    ok = false;
  }
  return ok
    ? { valid: true }
    : {
        valid: false,
        code: 'ECDSA_SIGNATURE_INVALID',
        reason: `the ECDSA ${key.curve}/${h.hashName} signature does not verify for this key and message`,
      };
}

/**
 * The shape of {@link verifyEcdsa}: verifiers that can stand for it (the Node adapter's
 * `nodeVerifyEcdsa`, OpenSSL behind the same strict pre-checks) give the same outcome on every input.
 */
export type EcdsaVerify = typeof verifyEcdsa;

/**
 * Sign `message` with ECDSA (the curve's hash; RFC 6979 deterministic nonce; low S), DER-encoded.
 * @param key the private key
 * @param message the bytes to sign
 * @returns the DER signature
 * @example
 * ```ts
 * const sig = signEcdsa(key, pae(IN_TOTO_PAYLOAD_TYPE, payload));
 * ```
 */
export function signEcdsa(key: EcPrivateKey, message: Uint8Array): Uint8Array {
  if (!isBytes(message)) throw new TypeError(`"message" expected Uint8Array, got ${describeType(message)}`);
  const info = ecCurveInfo(key.curve);
  return info.noble.sign(info.digest(message), key.scalar, { prehash: false, lowS: true, format: 'der' });
}

/** Signs with an EC key: the shape of a KMS or HSM signer for model_signing bundles. */
export interface EcdsaSigner {
  readonly curve: EcCurve;
  /** The public key (SEC1 uncompressed point and curve). */
  readonly publicKey: EcPublicKey;
  /** Sign `message` (the PAE bytes), returning a DER ECDSA signature with the curve's hash. */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

/**
 * A signer on @noble/curves for a private key.
 * @param key the private key
 * @returns the signer
 * @example
 * ```ts
 * const signer = ecdsaSigner(parseEcPrivateKey(pem));
 * ```
 */
export function ecdsaSigner(key: EcPrivateKey): EcdsaSigner {
  if (!key || key.type !== 'ecdsa' || !isBytes(key.scalar))
    throw new TypeError(`"key" expected an EcPrivateKey, got ${describeType(key)}`);
  return Object.freeze({
    curve: key.curve,
    publicKey: key.publicKey,
    // async so that a throw becomes a rejection, as the EcdsaSigner contract says
    // eslint-disable-next-line @typescript-eslint/require-await
    sign: async (m: Uint8Array) => signEcdsa(key, m),
  });
}

/**
 * A {@link SignatureVerifier} for one curve; its `publicKey` argument is the SEC1 point. Never throws.
 * @param curve the curve
 * @returns the verifier (`name` e.g. `noble-ecdsa-P-256`)
 * @example
 * ```ts
 * await ecdsaVerifier('P-256').verify(sig, message, point65);
 * ```
 */
export function ecdsaVerifier(curve: EcCurve): SignatureVerifier {
  ecCurveInfo(curve);
  return Object.freeze({
    name: `noble-ecdsa-${curve}`,
    // eslint-disable-next-line @typescript-eslint/require-await -- the SignatureVerifier interface is async
    async verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<SignatureCheck> {
      let key: EcPublicKey;
      try {
        key = ecPublicKeyFromPoint(curve, publicKey);
      } catch (e) {
        return {
          valid: false,
          code: 'KEY_INVALID',
          reason: e instanceof LineproofError ? e.message : 'invalid public key',
        };
      }
      if (!isBytes(message)) return { valid: false, code: 'INVALID_ARGUMENT', reason: 'the message is not bytes' };
      return verifyEcdsa(key, message, signature);
    },
  });
}
