/**
 * keyids, as securesystemslib computes them (spec/keys.md):
 *
 * - legacy = hex(sha256(canonical JSON of
 *   `{"keyid_hash_algorithms":["sha256","sha512"],"keytype":"ed25519","keyval":{"public":"<hex>"},"scheme":"ed25519"}`))
 *   — what in-toto 1.x and securesystemslib up to 0.26 (Debian's) compute;
 * - modern = the same without `keyid_hash_algorithms` — what newer securesystemslib and
 *   python-tuf compute;
 * - none = no keyid.
 *
 * The JSON holds only ASCII strings, so RFC 8785 and securesystemslib's own canonical JSON give
 * the same bytes.
 */
import { assertBytes, toHex } from '../bytes/index.js';
import { sha256Hex } from '../digest/index.js';
import { canonicalBytes } from '../json/canonical.js';
import type { KeyidFormat } from './types.js';

/** `keyid_hash_algorithms` as securesystemslib writes it (settings.HASH_ALGORITHMS). */
export const SSLIB_KEYID_HASH_ALGORITHMS: readonly string[] = Object.freeze(['sha256', 'sha512']);

/**
 * The securesystemslib JSON of an Ed25519 public key, the object a keyid is the hash of.
 * @param publicKey raw 32-byte public key
 * @param format `legacy` includes `keyid_hash_algorithms`; `modern` omits it
 * @returns the JSON object (not yet canonicalized)
 * @throws {TypeError|RangeError} when `publicKey` is not 32 bytes
 * @example
 * ```ts
 * canonicalJson(sslibPublicKeyObject(publicKey)); // '{"keyid_hash_algorithms":["sha256","sha512"],"keytype":"ed25519",...}'
 * ```
 */
export function sslibPublicKeyObject(
  publicKey: Uint8Array,
  format: 'legacy' | 'modern' = 'legacy',
): Record<string, unknown> {
  assertBytes(publicKey, 'publicKey', 32);
  const base = { keytype: 'ed25519', scheme: 'ed25519', keyval: { public: toHex(publicKey) } };
  return format === 'legacy' ? { ...base, keyid_hash_algorithms: [...SSLIB_KEYID_HASH_ALGORITHMS] } : base;
}

/**
 * The keyid of an Ed25519 public key in the given format.
 * @param publicKey raw 32-byte public key
 * @param format `legacy` (default), `modern` or `none` (returns `''`)
 * @returns lowercase hex sha256, or `''` for `none`
 * @throws {RangeError} when `publicKey` is not 32 bytes; {TypeError} for an unknown format
 * @example
 * ```ts
 * keyidOf(publicKey);           // legacy, as securesystemslib 0.26 / in-toto 1.x
 * keyidOf(publicKey, 'modern'); // without keyid_hash_algorithms
 * ```
 */
export function keyidOf(publicKey: Uint8Array, format: KeyidFormat = 'legacy'): string {
  switch (format) {
    case 'legacy':
    case 'modern':
      return sha256Hex(canonicalBytes(sslibPublicKeyObject(publicKey, format)));
    case 'none':
      assertBytes(publicKey, 'publicKey', 32);
      return '';
    default: {
      const never: never = format;
      throw new TypeError(`"format" expected legacy, modern or none, got ${String(never)}`);
    }
  }
}

/**
 * Both keyids of a public key (what `lineproof keygen` prints).
 * @example
 * ```ts
 * const { legacy, modern } = keyidsOf(publicKey);
 * ```
 */
export function keyidsOf(publicKey: Uint8Array): { legacy: string; modern: string } {
  return { legacy: keyidOf(publicKey, 'legacy'), modern: keyidOf(publicKey, 'modern') };
}

/**

 * Throw a TypeError unless `format` is a known keyid format.
 * @param format the value to check
 * @param name the argument's name for the message
 * @throws {TypeError} for anything but legacy, modern, none
 * @example
 * ```ts
 * assertKeyidFormat(options.keyidFormat ?? 'legacy');
 * ```
 */
export function assertKeyidFormat(format: unknown, name = 'keyidFormat'): asserts format is KeyidFormat {
  if (format !== 'legacy' && format !== 'modern' && format !== 'none') {
    throw new TypeError(`"${name}" expected legacy, modern or none, got ${JSON.stringify(format)}`);
  }
}
