/**
 * The default hash engines: pure JavaScript from @noble/hashes (audited, no native code), so the
 * core runs anywhere. SHA-256 runs at about 0.15 GB/s here; the Node adapter swaps in node:crypto
 * (about 10x faster) through the same {@link HashEngine} interface. BLAKE3 in pure JS is slow and is
 * offered for compatibility with tools that record it (model_signing's `blake3`).
 */
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { blake2b } from '@noble/hashes/blake2.js';
import { blake3 } from '@noble/hashes/blake3.js';
import { LineproofError } from '../errors.js';
import { HASH_ALGORITHMS, type HashAlgorithm, type HashEngine, type Hasher } from './types.js';

interface NobleHash {
  outputLen: number;
  create(): { update(b: Uint8Array): unknown; digest(): Uint8Array };
}

function nobleEngine(algorithm: HashAlgorithm, fn: NobleHash): HashEngine {
  return Object.freeze({
    algorithm,
    outputLen: fn.outputLen,
    create(): Hasher {
      const h = fn.create();
      return {
        update(chunk: Uint8Array): void {
          h.update(chunk);
        },
        digest(): Uint8Array {
          return h.digest();
        },
      };
    },
  });
}

const NOBLE: Readonly<Record<HashAlgorithm, HashEngine>> = Object.freeze({
  sha256: nobleEngine('sha256', sha256),
  sha512: nobleEngine('sha512', sha512),
  // BLAKE2b with a 64-byte digest and no key: what in-toto, Python's hashlib.blake2b() and
  // OpenSSL's blake2b512 compute.
  blake2b: nobleEngine('blake2b', blake2b),
  blake3: nobleEngine('blake3', blake3),
});

/**
 * True when `name` is one of {@link HASH_ALGORITHMS}.
 * @param name any value
 * @returns true for sha256, sha512, blake2b or blake3
 * @example
 * ```ts
 * isHashAlgorithm('sha256'); // true
 * isHashAlgorithm('md5');    // false
 * ```
 */
export function isHashAlgorithm(name: unknown): name is HashAlgorithm {
  return typeof name === 'string' && (HASH_ALGORITHMS as readonly string[]).includes(name);
}

/**
 * Check an algorithm name given by a caller or operator.
 * @throws {LineproofError} HASH_ALGORITHM_UNSUPPORTED naming the input
 * @param name the value to check
 * @param what names it in the error (e.g. `--alg`)
 * @example
 * ```ts
 * assertHashAlgorithm('blake2b'); // ok
 * ```
 */
export function assertHashAlgorithm(name: unknown, what = 'algorithm'): asserts name is HashAlgorithm {
  if (!isHashAlgorithm(name)) {
    throw new LineproofError(
      'HASH_ALGORITHM_UNSUPPORTED',
      `${what}: expected one of ${HASH_ALGORITHMS.join(', ')}, got ${JSON.stringify(String(name)).slice(0, 80)}`,
      {
        path: what,
        expected: HASH_ALGORITHMS.join('|'),
        actual: String(name).slice(0, 80),
      },
    );
  }
}

/**
 * The pure-JS (noble) engine for `algorithm`.
 * @param algorithm `sha256`, `sha512`, `blake2b` (64-byte digest) or `blake3` (32-byte digest)
 * @returns a frozen {@link HashEngine}
 * @throws {LineproofError} HASH_ALGORITHM_UNSUPPORTED for any other name
 * @example
 * ```ts
 * const h = hashEngine('sha256').create();
 * h.update(utf8('abc'));
 * toHex(h.digest()); // 'ba7816bf…'
 * ```
 */
export function hashEngine(algorithm: HashAlgorithm): HashEngine {
  assertHashAlgorithm(algorithm);
  return NOBLE[algorithm];
}

/**
 * Check that `engine` looks like a {@link HashEngine} (misuse is a TypeError naming the argument).
 * @throws {TypeError}
 * @param engine the value to check
 * @param what the argument's name, used in the message
 * @example
 * ```ts
 * assertHashEngine(hashEngine('sha256')); // ok
 * ```
 */
export function assertHashEngine(engine: unknown, what = 'engine'): asserts engine is HashEngine {
  const e = engine as Partial<HashEngine> | null;
  if (
    typeof e !== 'object' ||
    e === null ||
    typeof e.algorithm !== 'string' ||
    typeof e.create !== 'function' ||
    !Number.isInteger(e.outputLen) ||
    (e.outputLen as number) <= 0
  ) {
    throw new TypeError(`"${what}" expected a HashEngine {algorithm, outputLen, create()}`);
  }
}
