/**
 * Strict Ed25519 (RFC 8032 §5.1.7 / FIPS 186-5), decisions §4.
 *
 * @noble/ed25519's strict branch (`zip215: false`) is the reference; in front of it run explicit
 * pre-checks that hold for every verifier Lineproof ships (this one and the node:crypto verifier
 * of the Node adapter), so their verdicts cannot drift apart:
 *
 * 1. the signature is 64 bytes and the public key 32 (`ED25519_SIGNATURE_MALFORMED`, `KEY_INVALID`);
 * 2. S < L, the group order (`ED25519_NONCANONICAL`), so a signature has one accepted form;
 * 3. A is not of small order, in any of its encodings, canonical or not (`ED25519_SMALL_ORDER`);
 *    then A's y coordinate is below p (`ED25519_NONCANONICAL`);
 * 4. the same two checks for R, the first half of the signature.
 *
 * Then the equation: for a prime-order A (every key our importers accept) the cofactorless
 * `[S]B = R + [k]A` that OpenSSL uses, so the node:crypto verifier's reject is final and a junk
 * signature costs one native check per key (spec/keys.md); for an A with torsion, noble strict's
 * cofactored equation. For a prime-order A that is the same verdict as "the cofactored equation
 * holds and R has no torsion component" (noble strict plus one rule), at one scalar multiplication
 * less; a property test holds the two definitions equal. Honest signers (R = [r]B) are never
 * affected; only a key holder can make a signature that the two equations judge differently.
 * Decoding a key (and its torsion check) is remembered per key bytes.
 *
 * Only the async API of @noble/ed25519 is used (SHA-512 from WebCrypto, `hashes.sha512Async`);
 * its module-level `hashes.*` slots are never assigned.
 */
import * as ed from '@noble/ed25519';
import { assertBytes } from '../bytes/index.js';
import type { ErrorCode } from '../errors.js';
import type { SignatureCheck, SignatureVerifier } from './types.js';

/** Length of an Ed25519 public key, seed and point encoding. */
const ED25519_KEY_BYTES = 32;
/** Length of an Ed25519 signature (R || S). */
const ED25519_SIGNATURE_BYTES = 64;

const P = 2n ** 255n - 19n;
/** The order of the prime-order subgroup. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function leToBigint(bytes: Uint8Array, from: number, to: number): bigint {
  let n = 0n;
  for (let i = to - 1; i >= from; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

function bigintToLe32(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(n & 255n);
    n >>= 8n;
  }
  return out;
}

/**
 * The y coordinates (sign bit cleared, little-endian) of every encoding of a small-order point:
 * the identity (y = 1, and its non-canonical form p + 1), the point of order 2 (y = p - 1), the
 * two points of order 4 (y = 0, and p), and the four points of order 8 (two y values). An encoding
 * is of small order iff its 255-bit y is one of these, whatever its sign bit (for y = ±1 the sign
 * bit set is itself a non-canonical form of x = 0). The test suite checks this list against
 * noble's `isSmallOrder` for every encoding of every torsion point.
 */
const Y_ORDER8_A = 0x7a03ac9277fdc74ec6cc392cfa53202a0f67100d760b3cba4fd84d3d706a17c7n;
const Y_ORDER8_B = P - Y_ORDER8_A;
const SMALL_ORDER_Y: readonly Uint8Array[] = [0n, 1n, P - 1n, P, P + 1n, Y_ORDER8_A, Y_ORDER8_B].map(bigintToLe32);

/**

 * True when the 32-byte encoding `point` is of small order (any encoding, canonical or not).
 * @param point a 32-byte point encoding
 * @returns true for every encoding of the 8 torsion points
 * @throws {TypeError|RangeError} when not 32 bytes
 * @example
 * ```ts
 * isSmallOrderEncoding(fromHex('01' + '00'.repeat(31))); // true: the identity
 * ```
 */
export function isSmallOrderEncoding(point: Uint8Array): boolean {
  assertBytes(point, 'point', ED25519_KEY_BYTES);
  for (const y of SMALL_ORDER_Y) {
    let diff = (point[31]! & 0x7f) ^ y[31]!;
    for (let i = 0; i < 31; i++) diff |= point[i]! ^ y[i]!;
    if (diff === 0) return true;
  }
  return false;
}

/**

 * True when the 32-byte encoding `point` has y >= p (a non-canonical encoding).
 * @param point a 32-byte point encoding
 * @returns true when its y (sign bit cleared) is p or more
 * @throws {TypeError|RangeError} when not 32 bytes
 * @example
 * ```ts
 * isNonCanonicalEncoding(fromHex('ee' + 'ff'.repeat(30) + '7f')); // true: y = p + 1
 * ```
 */
export function isNonCanonicalEncoding(point: Uint8Array): boolean {
  assertBytes(point, 'point', ED25519_KEY_BYTES);
  // y >= p = 2^255 - 19 means bytes 1..30 are 0xff, byte 31 (masked) is 0x7f and byte 0 >= 0xed.
  if ((point[31]! & 0x7f) !== 0x7f) return false;
  for (let i = 30; i >= 1; i--) if (point[i] !== 0xff) return false;
  return point[0]! >= 0xed;
}

/**

 * True when the little-endian scalar `s` (32 bytes) is at least the group order L.
 * @param s the 32-byte little-endian S half of a signature
 * @returns true when S >= L
 * @throws {TypeError|RangeError} when not 32 bytes
 * @example
 * ```ts
 * isScalarNonCanonical(signature.subarray(32)); // false for a signature made by a correct signer
 * ```
 */
export function isScalarNonCanonical(s: Uint8Array): boolean {
  assertBytes(s, 's', 32);
  // compare with L from the most significant byte (little-endian): no bigint per signature
  for (let i = 31; i >= 0; i--) {
    const a = s[i]!;
    const b = L_BYTES[i]!;
    if (a !== b) return a > b;
  }
  return true;
}

/** L, little-endian. */
const L_BYTES = bigintToLe32(L);

/** A failed check: its code and a reason naming the part of the signature or key. */
type PrecheckFailure = { valid: false; code: ErrorCode; reason: string };

/**
 * The explicit pre-checks of decisions §4, in the order of this module's documentation. Returns the
 * first failure, or `undefined` when the signature may go on to the verification equation.
 * Never throws for any Uint8Array inputs.
 * @param signature the raw signature (R || S)
 * @param publicKey the raw public key A
 * @returns the first failure, or undefined
 * @throws {TypeError} when an argument is not a Uint8Array (misuse)
 * @example
 * ```ts
 * const a = new Uint8Array(32); a[0] = 1;
 * ed25519Precheck(new Uint8Array(64), a); // { valid: false, code: 'ED25519_SMALL_ORDER', ... }
 * ```
 */
export function ed25519Precheck(signature: Uint8Array, publicKey: Uint8Array): PrecheckFailure | undefined {
  assertBytes(signature, 'signature');
  assertBytes(publicKey, 'publicKey');
  if (signature.length !== ED25519_SIGNATURE_BYTES) return signatureLengthFailure(signature);
  if (publicKey.length !== ED25519_KEY_BYTES) {
    return {
      valid: false,
      code: 'KEY_INVALID',
      reason: `public key: expected ${ED25519_KEY_BYTES} bytes, got ${publicKey.length}`,
    };
  }
  if (isScalarNonCanonical(signature.subarray(32, 64))) return S_FAILURE;
  if (isSmallOrderEncoding(publicKey))
    return { valid: false, code: 'ED25519_SMALL_ORDER', reason: 'public key: A is of small order' };
  if (isNonCanonicalEncoding(publicKey))
    return { valid: false, code: 'ED25519_NONCANONICAL', reason: 'public key: A is encoded with y >= p' };
  return rFailure(signature);
}

const S_FAILURE: PrecheckFailure = Object.freeze({
  valid: false,
  code: 'ED25519_NONCANONICAL',
  reason: 'signature: S is not below the group order L',
});

function signatureLengthFailure(signature: Uint8Array): PrecheckFailure {
  return {
    valid: false,
    code: 'ED25519_SIGNATURE_MALFORMED',
    reason: `signature: expected ${ED25519_SIGNATURE_BYTES} bytes, got ${signature.length}`,
  };
}

function rFailure(signature: Uint8Array): PrecheckFailure | undefined {
  const r = signature.subarray(0, 32);
  if (isSmallOrderEncoding(r))
    return { valid: false, code: 'ED25519_SMALL_ORDER', reason: 'signature: R is of small order' };
  if (isNonCanonicalEncoding(r))
    return { valid: false, code: 'ED25519_NONCANONICAL', reason: 'signature: R is encoded with y >= p' };
  return undefined;
}

/**
 * The key-independent part of {@link ed25519Precheck}: the signature's length, S < L, and R's
 * encoding. For a key that passes its own checks (every imported key), `ed25519Precheck` gives
 * exactly this result, so a verifier of many keys runs it once per signature and spends no key
 * check on a signature it refuses.
 * @param signature the raw signature (R || S)
 * @returns the first failure, or undefined
 * @throws {TypeError} when `signature` is not a Uint8Array (misuse)
 * @example
 * ```ts
 * ed25519SignaturePrecheck(new Uint8Array(63)); // { valid: false, code: 'ED25519_SIGNATURE_MALFORMED', ... }
 * ```
 */
export function ed25519SignaturePrecheck(signature: Uint8Array): PrecheckFailure | undefined {
  assertBytes(signature, 'signature');
  if (signature.length !== ED25519_SIGNATURE_BYTES) return signatureLengthFailure(signature);
  if (isScalarNonCanonical(signature.subarray(32, 64))) return S_FAILURE;
  return rFailure(signature);
}

/**
 * Verify an Ed25519 signature strictly: the pre-checks of {@link ed25519Precheck}, then
 * @noble/ed25519 with `zip215: false` (RFC 8032 decoding, cofactored equation), then R free of
 * torsion when A has none (so that, for a prime-order A, the verdict is the cofactorless equation's). Never throws for
 * any byte inputs; the outcome carries a code when invalid.
 * @param signature the raw 64-byte signature
 * @param message the exact signed bytes
 * @param publicKey the raw 32-byte public key
 * @returns `{ valid: true }` or `{ valid: false, code, reason }`
 * @throws {TypeError} when an argument is not a Uint8Array (misuse)
 * @example
 * ```ts
 * const check = await checkEd25519(sig, message, publicKey);
 * if (!check.valid) console.log(check.code); // e.g. ED25519_SIGNATURE_INVALID
 * ```
 */
export async function checkEd25519(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): Promise<SignatureCheck> {
  assertBytes(message, 'message');
  const pre = ed25519Precheck(signature, publicKey);
  if (pre) return pre;
  const a = decodedKey(publicKey);
  if (a.kind === 'off-curve')
    return { valid: false, code: 'KEY_INVALID', reason: 'public key: A is not a point on the curve' };
  let ok: boolean;
  try {
    ok = await strictEquation(signature, message, publicKey, a);
  } catch {
    ok = false;
  }
  return ok
    ? { valid: true }
    : { valid: false, code: 'ED25519_SIGNATURE_INVALID', reason: 'signature does not verify for this key and message' };
}

/** A decoded public key: not a point, or a point with or without a torsion component. */
type DecodedKey =
  { readonly kind: 'off-curve' } | { readonly kind: 'torsion' | 'prime-order'; readonly point: ed.Point };

/** Most public keys a process meets at once (a policy's keys, a keyring): past it the cache starts over. */
const KEY_CACHE_SIZE = 1024;
const keyCache = new Map<string, DecodedKey>();

/**
 * The point a canonical 32-byte key encoding decodes to, and whether it has a torsion component.
 * A pure function of the bytes, and the costliest part of importing a key (a square root and a
 * full scalar multiplication): remembered for the last {@link KEY_CACHE_SIZE} distinct keys, so
 * a policy parsed again and every signature checked against the same key pay it once.
 */
function decodedKey(encoding: Uint8Array): DecodedKey {
  let hex = '';
  for (const b of encoding) hex += b.toString(16).padStart(2, '0');
  const known = keyCache.get(hex);
  if (known !== undefined) return known;
  let found: DecodedKey;
  try {
    const point = ed.Point.fromBytes(encoding, false);
    found = { kind: point.isTorsionFree() ? 'prime-order' : 'torsion', point };
  } catch {
    found = { kind: 'off-curve' };
  }
  if (keyCache.size >= KEY_CACHE_SIZE) keyCache.clear();
  keyCache.set(hex, found);
  return found;
}

/**
 * The verification equation, after {@link ed25519Precheck} passed (lengths, S < L, A and R canonical
 * and not of small order). k = SHA-512(R || A || M) mod L. For a prime-order A: the cofactorless
 * `[S]B = R + [k]A` (OpenSSL's). For an A with torsion (which no importer of ours accepts): the
 * cofactored `[8]([S]B) = [8](R + [k]A)`. For a prime-order A the cofactored equation plus "R has
 * no torsion component" is the same test as the cofactorless one, which costs one scalar
 * multiplication less; the differential vectors (RFC 8032, Wycheproof, ZIP-215) hold both to
 * noble's strict branch.
 * @throws when R does not decode (the caller reads that as a reject)
 */
async function strictEquation(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
  a: Extract<DecodedKey, { point: ed.Point }>,
): Promise<boolean> {
  const r = signature.subarray(0, 32);
  const R = ed.Point.fromBytes(r, false);
  const s = leToBigint(signature, 32, 64);
  const input = new Uint8Array(64 + message.length);
  input.set(r, 0);
  input.set(publicKey, 32);
  input.set(message, 64);
  const k = leToBigint(await ed.hashes.sha512Async(input), 0, 64) % L;
  const sB = ed.Point.BASE.multiply(s, false);
  const rkA = R.add(a.point.multiply(k, false));
  return a.kind === 'prime-order' ? rkA.equals(sB) : rkA.subtract(sB).clearCofactor().is0();
}

/**
 * {@link checkEd25519} as a boolean.
 * @returns true only for a valid strict signature
 * @example
 * ```ts
 * if (await verifyEd25519(sig, message, publicKey)) { ... }
 * ```
 */
export async function verifyEd25519(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
): Promise<boolean> {
  return (await checkEd25519(signature, message, publicKey)).valid;
}

/** The core's strict Ed25519 verifier (pure JS, runs anywhere). The default of every verifier. */
export const strictEd25519Verifier: SignatureVerifier = Object.freeze({
  name: 'noble-strict',
  verify: checkEd25519,
});

/**
 * Validate a public key for use as a trusted key: canonical, not of small order, on the curve, and
 * of prime order (no torsion component). Stricter than what verification alone needs, so keys that
 * different Ed25519 implementations would treat differently are refused up front.
 * @returns undefined when acceptable, else the failure
 * @throws {TypeError} when `publicKey` is not a Uint8Array
 * @param publicKey the raw public key
 * @example
 * ```ts
 * ed25519PublicKeyProblem(publicKey); // undefined, or { valid: false, code: 'ED25519_MIXED_ORDER', ... }
 * ```
 */
export function ed25519PublicKeyProblem(publicKey: Uint8Array): PrecheckFailure | undefined {
  assertBytes(publicKey, 'publicKey');
  if (publicKey.length !== ED25519_KEY_BYTES) {
    return {
      valid: false,
      code: 'KEY_INVALID',
      reason: `expected ${ED25519_KEY_BYTES} bytes, got ${publicKey.length}`,
    };
  }
  if (isSmallOrderEncoding(publicKey))
    return { valid: false, code: 'ED25519_SMALL_ORDER', reason: 'the public key is a point of small order' };
  if (isNonCanonicalEncoding(publicKey))
    return { valid: false, code: 'ED25519_NONCANONICAL', reason: 'the public key is encoded with y >= p' };
  const a = decodedKey(publicKey).kind;
  if (a === 'off-curve')
    return { valid: false, code: 'KEY_INVALID', reason: 'the public key is not a point on the curve' };
  if (a === 'torsion')
    return {
      valid: false,
      code: 'ED25519_MIXED_ORDER',
      reason: 'the public key has a small-order (torsion) component',
    };
  return undefined;
}

/**
 * The public key of a 32-byte seed.
 * @throws {RangeError} when `seed` is not 32 bytes
 * @example
 * ```ts
 * const pub = await ed25519PublicFromSeed(seed);
 * ```
 */
export async function ed25519PublicFromSeed(seed: Uint8Array): Promise<Uint8Array> {
  assertBytes(seed, 'seed', ED25519_KEY_BYTES);
  return Uint8Array.from(await ed.getPublicKeyAsync(seed));
}

/**
 * Sign `message` with a 32-byte seed (deterministic RFC 8032 Ed25519).
 * @throws {RangeError} when `seed` is not 32 bytes
 * @example
 * ```ts
 * const sig = await ed25519Sign(seed, message); // 64 bytes
 * ```
 */
export async function ed25519Sign(seed: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
  assertBytes(seed, 'seed', ED25519_KEY_BYTES);
  assertBytes(message, 'message');
  return Uint8Array.from(await ed.signAsync(message, seed));
}

/**
 * A fresh random 32-byte seed from the platform CSPRNG (`crypto.getRandomValues`).
 * @example
 * ```ts
 * const seed = randomEd25519Seed();
 * ```
 */
export function randomEd25519Seed(): Uint8Array {
  return Uint8Array.from(ed.utils.randomSecretKey());
}
