/**
 * DigestSets (in-toto ResourceDescriptor `digest`) and the text form `alg:hex` (decisions §3).
 *
 * In a DigestSet, `sha256`, `sha512` and `blake2b` always mean the hash of the exact bytes of the
 * artifact. Chunk-tree digests are named `sha256-tree-v1-<leafBytes>`. Two DigestSets match when
 * at least one algorithm accepted by the policy is present in both, and every algorithm present in
 * both agrees (so a set cannot smuggle a wrong digest under an algorithm the verifier ignores).
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { LineproofError } from '../errors.js';
import { equalHex, isLowerHex, toHex } from '../bytes/index.js';

/** Algorithm name to lowercase hex digest. */
export type DigestSet = Record<string, string>;

/** Digest lengths in bytes of the algorithms whose values we can check for shape. */
export const DIGEST_BYTES: Readonly<Record<string, number>> = Object.freeze({
  sha256: 32,
  sha384: 48,
  sha512: 64,
  blake2b: 64,
  blake3: 32,
});

/** Algorithms accepted by default when a policy names none. */
export const DEFAULT_ACCEPTED_ALGORITHMS: readonly string[] = Object.freeze(['sha256', 'sha512', 'blake2b']);

const TREE_ALG = /^sha256-tree-v1-(\d+)$/;
const ALG_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
// in-toto DigestSet keys include names such as gitCommit and dirHash.
const SET_KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Expected digest length in bytes of `alg`, or undefined when unknown. */
export function digestLength(alg: string): number | undefined {
  if (Object.hasOwn(DIGEST_BYTES, alg)) return DIGEST_BYTES[alg];
  if (TREE_ALG.test(alg)) return 32;
  return undefined;
}

/** SHA-256 of `bytes` (pure JS, noble). */
export function sha256(bytes: Uint8Array): Uint8Array {
  return nobleSha256(bytes);
}

/** Lowercase hex SHA-256 of `bytes`. */
export function sha256Hex(bytes: Uint8Array): string {
  return toHex(nobleSha256(bytes));
}

/** `sha256:<hex>` text form of a digest. */
export function formatDigest(alg: string, hex: string): string {
  return `${alg}:${hex}`;
}

/**
 * Parse the text form `alg:hex` (e.g. `sha256:ab12…`). The algorithm is lowercase; the hex is
 * lowercase and has the algorithm's length when it is known.
 * @throws {LineproofError} INVALID_ARGUMENT naming the input
 */
export function parseDigest(text: string, what = 'digest'): { alg: string; hex: string } {
  if (typeof text !== 'string') throw new TypeError(`"${what}" expected string`);
  const i = text.indexOf(':');
  const alg = i < 0 ? '' : text.slice(0, i);
  const hex = i < 0 ? '' : text.slice(i + 1);
  if (!ALG_NAME.test(alg)) {
    throw new LineproofError(
      'INVALID_ARGUMENT',
      `${what}: expected ALG:HEX such as sha256:<64 hex digits>, got ${JSON.stringify(text.slice(0, 80))}`,
      { path: what },
    );
  }
  const len = digestLength(alg);
  if (!isLowerHex(hex) || hex.length === 0 || (len !== undefined && hex.length !== len * 2)) {
    throw new LineproofError(
      'INVALID_ARGUMENT',
      `${what}: expected ${len ? len * 2 : 'some'} lowercase hex digits after "${alg}:", got ${hex.length}`,
      { path: what, expected: len ? `${len * 2} hex digits` : 'hex', actual: `${hex.length} characters` },
    );
  }
  return { alg, hex };
}

/** Parse `alg:hex` into a one-entry DigestSet. */
export function digestSetFromText(text: string, what = 'digest'): DigestSet {
  const { alg, hex } = parseDigest(text, what);
  return { [alg]: hex };
}

/**
 * Check a DigestSet's shape: at least one entry, algorithm names in `[A-Za-z0-9_-]`, lowercase hex of
 * the right length for known algorithms.
 * @throws {LineproofError} SCHEMA_INVALID naming the field
 */
export function assertDigestSet(set: unknown, what = 'digest'): asserts set is DigestSet {
  if (typeof set !== 'object' || set === null || Array.isArray(set)) {
    throw new LineproofError('SCHEMA_INVALID', `${what}: expected an object of algorithm to hex digest`, {
      path: what,
    });
  }
  const entries = Object.entries(set);
  if (entries.length === 0) throw new LineproofError('SCHEMA_INVALID', `${what}: empty digest set`, { path: what });
  for (const [alg, hex] of entries) {
    if (!SET_KEY.test(alg))
      throw new LineproofError('SCHEMA_INVALID', `${what}.${alg}: invalid algorithm name`, { path: `${what}.${alg}` });
    const len = digestLength(alg);
    if (!isLowerHex(hex) || (hex as string).length === 0 || (len !== undefined && (hex as string).length !== len * 2)) {
      throw new LineproofError(
        'SCHEMA_INVALID',
        `${what}.${alg}: expected ${len ? len * 2 : 'some'} lowercase hex digits`,
        { path: `${what}.${alg}` },
      );
    }
  }
}

/** The outcome of comparing two DigestSets. */
export type DigestMatch =
  | { match: true; algorithms: string[] }
  | { match: false; reason: 'no-common-accepted-algorithm'; common: string[] }
  | { match: false; reason: 'mismatch'; algorithm: string; expected: string; actual: string };

/**
 * Compare two DigestSets (decisions §3): they match when at least one accepted algorithm is present
 * in both, and every algorithm present in both agrees (compared in constant time).
 * @param expected the set being checked against (e.g. the attested subject)
 * @param actual the set computed or presented
 * @param accepted algorithms the policy accepts (default sha256, sha512, blake2b)
 */
export function matchDigestSets(
  expected: DigestSet,
  actual: DigestSet,
  accepted: readonly string[] = DEFAULT_ACCEPTED_ALGORITHMS,
): DigestMatch {
  const common = Object.keys(expected)
    .filter((a) => Object.hasOwn(actual, a))
    .sort();
  for (const alg of common) {
    if (!equalHex(expected[alg]!, actual[alg]!))
      return { match: false, reason: 'mismatch', algorithm: alg, expected: expected[alg]!, actual: actual[alg]! };
  }
  const usable = common.filter(
    (a) => accepted.includes(a) || (accepted.includes('sha256-tree-v1') && TREE_ALG.test(a)),
  );
  if (usable.length === 0) return { match: false, reason: 'no-common-accepted-algorithm', common };
  return { match: true, algorithms: usable };
}
