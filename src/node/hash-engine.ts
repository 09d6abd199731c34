import { createHash } from 'node:crypto';
import { hashEngine, assertHashAlgorithm } from '../hashing/engines.js';
import type { HashAlgorithm, HashEngine, Hasher } from '../hashing/types.js';

const OPENSSL_NAME: Partial<Record<HashAlgorithm, string>> = {
  sha256: 'sha256',
  sha512: 'sha512',
  // BLAKE2b-512, unkeyed: the same function as noble's blake2b and Python's hashlib.blake2b().
  blake2b: 'blake2b512',
};

const OUTPUT_LEN: Record<HashAlgorithm, number> = { sha256: 32, sha512: 64, blake2b: 64, blake3: 32 };

const cache = new Map<HashAlgorithm, HashEngine>();

/**
 * A {@link HashEngine} on node:crypto (OpenSSL: SHA-NI / AVX2 where the CPU has them, about ten
 * times noble's speed for SHA-256). OpenSSL has no BLAKE3, so `blake3` returns the pure-JS engine.
 * Digests are returned as plain Uint8Arrays, never Buffers.
 * @param algorithm `sha256`, `sha512`, `blake2b` or `blake3`
 * @throws {LineproofError} HASH_ALGORITHM_UNSUPPORTED
 * @example
 * ```ts
 * const h = nodeHashEngine('sha256').create();
 * h.update(new TextEncoder().encode('abc'));
 * Buffer.from(h.digest()).toString('hex'); // 'ba7816bf…'
 * ```
 */
export function nodeHashEngine(algorithm: HashAlgorithm): HashEngine {
  assertHashAlgorithm(algorithm);
  const name = OPENSSL_NAME[algorithm];
  if (name === undefined) return hashEngine(algorithm);
  let e = cache.get(algorithm);
  if (!e) {
    e = Object.freeze({
      algorithm,
      outputLen: OUTPUT_LEN[algorithm],
      create(): Hasher {
        const h = createHash(name);
        return {
          // node:crypto copies the bytes into OpenSSL's state before returning: the caller may
          // reuse its buffer.
          update(chunk: Uint8Array): void {
            h.update(chunk);
          },
          digest(): Uint8Array {
            const d = h.digest();
            return new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength));
          },
        };
      },
    });
    cache.set(algorithm, e);
  }
  return e;
}

/** The node:crypto engines for several algorithms (see {@link nodeHashEngine}). */
export function nodeHashEngines(algorithms: readonly HashAlgorithm[]): HashEngine[] {
  return algorithms.map((a) => nodeHashEngine(a));
}
