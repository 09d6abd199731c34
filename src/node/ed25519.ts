/**
 * Ed25519 on node:crypto (OpenSSL): a fast verifier and a signer, both behind the core's
 * interfaces (`SignatureVerifier`, `Signer`).
 *
 * OpenSSL alone is not strict enough: its `crypto.verify` accepts the public key `01 00…00` with
 * the signature R = `01 00…00`, S = 0 for every message (decisions §4). So the fast verifier runs:
 *
 * 1. the core's explicit pre-checks (`ed25519Precheck`: lengths, S < L, small-order and
 *    non-canonical A and R) — a failure is returned with its code;
 * 2. OpenSSL's verify, whose verdict is final for a key of prime order (on the curve, no torsion
 *    component: every key Lineproof's importers accept). OpenSSL checks the cofactorless equation
 *    `[S]B = R + [k]A`; the core's strict verifier checks the cofactored one and then that R has
 *    no torsion component, which for such a key is the same verdict. So a signature no trusted key
 *    verifies costs one native check per key, never a pure-JS one (a junk-signature flood is cheap
 *    to refuse);
 * 3. for any other key (only reachable through this raw primitive), the core's strict verifier
 *    decides. The differential vectors show why this fallback stays: the "Taming the many
 *    EdDSAs" cases edge#4 and edge#5 (A with a torsion component) verify under the cofactored
 *    equation and are rejected by OpenSSL; no vector with a prime-order A tells the two apart.
 *
 * The verdict and code therefore equal the core's `strictEd25519Verifier` on every input; the
 * test suite checks it on RFC 8032, Wycheproof, ZIP-215 and edge-case vectors and random cases.
 */
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { assertBytes, isBytes, toHex } from '../bytes/index.js';
import { describeType } from '../errors.js';
import { pkcs8Der, spkiDer } from '../keys/der.js';
import { checkEd25519, ed25519Precheck, ed25519PublicKeyProblem } from '../keys/ed25519.js';
import type { PrivateKey, SignatureCheck, SignatureVerifier, Signer } from '../keys/types.js';

const KEY_CACHE_MAX = 1024;
const keyCache = new Map<string, KeyObject | null>();

/**
 * A KeyObject for a raw public key whose OpenSSL verdict is final (cached): null when the key is
 * not of prime order (off the curve, small order, a torsion component) or OpenSSL refuses it.
 */
function publicKeyObject(publicKey: Uint8Array): KeyObject | null {
  const id = toHex(publicKey);
  const hit = keyCache.get(id);
  if (hit !== undefined) return hit;
  let ko: KeyObject | null = null;
  if (ed25519PublicKeyProblem(publicKey) === undefined) {
    try {
      ko = createPublicKey({ key: Buffer.from(spkiDer(publicKey)), format: 'der', type: 'spki' });
    } catch {
      ko = null;
    }
  }
  if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
  keyCache.set(id, ko);
  return ko;
}

/**
 * Verify with node:crypto after the core's pre-checks; see the module documentation.
 * @param signature raw 64-byte signature
 * @param message the exact signed bytes
 * @param publicKey raw 32-byte public key
 * @returns the same outcome as the core's `checkEd25519`
 * @throws {TypeError} when an argument is not a Uint8Array
 * @example
 * ```ts
 * const check = await checkEd25519Node(sig, message, publicKey);
 * ```
 */
export async function checkEd25519Node(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): Promise<SignatureCheck> {
  assertBytes(message, 'message');
  const pre = ed25519Precheck(signature, publicKey);
  if (pre) return pre;
  const ko = publicKeyObject(publicKey);
  if (ko === null) return checkEd25519(signature, message, publicKey);
  let ok: boolean;
  try {
    ok = nodeVerify(null, message, ko, signature);
  } catch {
    ok = false;
  }
  return ok
    ? { valid: true }
    : { valid: false, code: 'ED25519_SIGNATURE_INVALID', reason: 'signature does not verify for this key and message' };
}

/** The Node adapter's fast Ed25519 verifier (node:crypto with the core's pre-checks). */
export const nodeEd25519Verifier: SignatureVerifier = Object.freeze({
  name: 'node-crypto-strict',
  verify: checkEd25519Node,
});

/**
 * An Ed25519 {@link Signer} on node:crypto (OpenSSL). Ed25519 is deterministic, so its
 * signatures are byte-identical to the core's `ed25519Signer`.
 * @param key the private key
 * @example
 * ```ts
 * const signer = nodeEd25519Signer(await loadPrivateKey('alice.key'));
 * ```
 */
export function nodeEd25519Signer(key: PrivateKey): Signer {
  if (!key || typeof key !== 'object' || !isBytes(key.seed) || key.seed.length !== 32)
    throw new TypeError(`"key" expected PrivateKey, got ${describeType(key)}`);
  const ko = createPrivateKey({ key: Buffer.from(pkcs8Der(key.seed)), format: 'der', type: 'pkcs8' });
  return Object.freeze({
    publicKey: Uint8Array.from(key.publicKey.bytes),
    keyid: key.publicKey.keyid,
    sign(message: Uint8Array): Promise<Uint8Array> {
      // Synchronous work, still reported through the promise (a bad argument rejects, never throws).
      return Promise.resolve().then(() => {
        assertBytes(message, 'message');
        return new Uint8Array(nodeSign(null, message, ko));
      });
    },
  });
}
