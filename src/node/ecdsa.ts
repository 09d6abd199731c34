/**
 * ECDSA P-256 / P-384 / P-521 on node:crypto (OpenSSL), behind the core's strict checks: the same
 * outcome as the core's `verifyEcdsa` (noble) on every input, at OpenSSL's speed (noble is about
 * 30x slower on P-256, bench/ecdsa-verify).
 *
 * 1. The signature is read by the core's strict DER reader (`parseEcdsaSignature`: minimal
 *    definite lengths, minimal positive INTEGERs, no trailing bytes, 1 <= r, s < n); a failure is
 *    ECDSA_SIGNATURE_MALFORMED with the core's reason. OpenSSL re-encodes and compares since
 *    CVE-2014-8275 too, so what reaches it is exactly what it would accept structurally.
 * 2. OpenSSL verifies the DER signature with the curve's hash (or the hash asked for, model_signing
 *    v0.2's pairing); high S is accepted, as by the core and by OpenSSL. Its verdict is final.
 * The key is the core's validated `EcPublicKey` (a point on its curve), imported once (cached).
 */
import { createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { isBytes, toHex } from '../bytes/index.js';
import { describeType } from '../errors.js';
import { ecCurveInfo, ecSpkiDer, type EcPublicKey } from '../pki/ec.js';
import { parseEcdsaSignature, type EcdsaVerify } from '../pki/ecdsa.js';
import type { SignatureCheck } from '../keys/types.js';

const KEY_CACHE_MAX = 1024;
const keys = new Map<string, KeyObject>();

function keyObject(key: EcPublicKey): KeyObject {
  const id = `${key.curve}:${toHex(key.point)}`;
  let ko = keys.get(id);
  if (!ko) {
    ko = createPublicKey({ key: Buffer.from(ecSpkiDer(key)), format: 'der', type: 'spki' });
    if (keys.size >= KEY_CACHE_MAX) keys.clear();
    keys.set(id, ko);
  }
  return ko;
}

/**
 * {@link EcdsaVerify} on OpenSSL (see the module description): a drop-in for the core's
 * `verifyEcdsa` (`verifyChain`'s `ecdsaVerify`, `verifyOmsModel`'s). Never throws for any bytes.
 * @param key the public key (its curve picks the hash)
 * @param message the exact signed bytes
 * @param signature DER signature
 * @param hash another curve's hash pairing, when a format made one
 * @returns valid, or ECDSA_SIGNATURE_MALFORMED / ECDSA_SIGNATURE_INVALID
 * @example
 * ```ts
 * const check = nodeVerifyEcdsa(key, pae(type, payload), sig);
 * ```
 */
export const nodeVerifyEcdsa: EcdsaVerify = (key, message, signature, hash) => {
  if (!isBytes(message)) throw new TypeError(`"message" expected Uint8Array, got ${describeType(message)}`);
  if (!isBytes(signature))
    return { valid: false, code: 'ECDSA_SIGNATURE_MALFORMED', reason: 'the signature is not bytes' };
  const info = ecCurveInfo(key.curve);
  try {
    parseEcdsaSignature(signature, key.curve);
  } catch (e) {
    return { valid: false, code: 'ECDSA_SIGNATURE_MALFORMED', reason: e instanceof Error ? e.message : 'malformed' };
  }
  const h = hash === undefined ? info : ecCurveInfo(hash);
  let ok: boolean;
  try {
    ok = nodeVerify(h.hash, message, { key: keyObject(key), dsaEncoding: 'der' }, signature);
  } catch {
    ok = false;
  }
  const out: SignatureCheck = ok
    ? { valid: true }
    : {
        valid: false,
        code: 'ECDSA_SIGNATURE_INVALID',
        reason: `the ECDSA ${key.curve}/${h.hashName} signature does not verify for this key and message`,
      };
  return out;
};
