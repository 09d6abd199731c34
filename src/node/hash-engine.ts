import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { hashEngine, assertHashAlgorithm } from '../hashing/engines.js';
import { treeHashEngine } from '../hashing/tree.js';
import type { HashAlgorithm, HashEngine, Hasher } from '../hashing/types.js';

const OPENSSL_NAME: Partial<Record<HashAlgorithm, string>> = {
  sha256: 'sha256',
  sha512: 'sha512',
  // BLAKE2b-512, unkeyed: the same function as noble's blake2b and Python's hashlib.blake2b().
  blake2b: 'blake2b512',
};

const OUTPUT_LEN: Record<HashAlgorithm, number> = { sha256: 32, sha512: 64, blake2b: 64, blake3: 32 };

const cache = new Map<HashAlgorithm, HashEngine>();

interface NativeBlake3 {
  update(input: Buffer): unknown;
  digestBuffer(): Buffer;
}
type NativeBlake3Module = { Blake3Hasher: new () => NativeBlake3 };
let nativeBlake3: NativeBlake3Module | null | undefined;

/**
 * Where native BLAKE3 may come from, in order: the @napi-rs/blake-hash wrapper when the user
 * installed it (it picks its prebuilt package for any platform), then the prebuilt Linux x64
 * packages this package lists as optional dependencies (npm installs the one that fits; nothing is
 * downloaded or built at install time). Each is the official Rust blake3 crate with its SIMD
 * back-ends, as b3sum.
 */
const NATIVE_BLAKE3 = [
  '@napi-rs/blake-hash',
  '@napi-rs/blake-hash-linux-x64-gnu',
  '@napi-rs/blake-hash-linux-x64-musl',
];

/** The native BLAKE3 binding, or null where none loads (the portable engine is used instead). */
function loadNativeBlake3(): NativeBlake3Module | null {
  if (nativeBlake3 !== undefined) return nativeBlake3;
  nativeBlake3 = null;
  const req = createRequire(import.meta.url);
  for (const name of NATIVE_BLAKE3) {
    try {
      const m = req(name) as Partial<NativeBlake3Module>;
      if (typeof m.Blake3Hasher === 'function') {
        nativeBlake3 = m as NativeBlake3Module;
        break;
      }
    } catch {
      // not installed, or not for this platform: try the next
    }
  }
  return nativeBlake3;
}

/** Whether `blake3` runs in native code here (see {@link nodeHashEngine}). */
export function nativeBlake3Available(): boolean {
  return loadNativeBlake3() !== null;
}

function blake3Engine(): HashEngine {
  const native = loadNativeBlake3();
  if (!native) return hashEngine('blake3');
  return Object.freeze({
    algorithm: 'blake3' as const,
    outputLen: 32,
    create(): Hasher {
      const h = new native.Blake3Hasher();
      return {
        // hashed synchronously in native code before returning: the caller may reuse its buffer
        update(chunk: Uint8Array): void {
          h.update(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        },
        digest(): Uint8Array {
          const d = h.digestBuffer();
          return new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength));
        },
      };
    },
  });
}

/**
 * A {@link HashEngine} on node:crypto (OpenSSL: SHA-NI / AVX2 where the CPU has them, about ten
 * times noble's speed for SHA-256). OpenSSL has no BLAKE3: `blake3` runs in native code from
 * @napi-rs/blake-hash's prebuilt packages where one loads (one thread), else the pure-JS engine.
 * Digests are returned as plain Uint8Arrays, never Buffers.
 * @param algorithm `sha256`, `sha512`, `blake2b` or `blake3`
 * @throws {LineproofError} HASH_ALGORITHM_UNSUPPORTED
 * @example
 * ```ts
 * const h = nodeHashEngine('sha256').create();
 * h.update(new TextEncoder().encode('abc'));
 * Buffer.from(h.digest()).toString('hex'); // 'ba7816bf…'
 * ```
 * @returns a frozen engine (cached per algorithm)
 */
export function nodeHashEngine(algorithm: HashAlgorithm): HashEngine {
  assertHashAlgorithm(algorithm);
  let e = cache.get(algorithm);
  if (e) return e;
  const name = OPENSSL_NAME[algorithm];
  if (name === undefined) {
    e = algorithm === 'blake3' ? blake3Engine() : hashEngine(algorithm);
    cache.set(algorithm, e);
    return e;
  }
  {
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

const LEAF_PREFIX = new Uint8Array([0x00]);
const trees = new Map<number, HashEngine>();

/**
 * The chunk tree `sha256-tree-v1-<leafBytes>` as a streaming engine whose leaves are hashed by
 * node:crypto (the same function as the core's `treeHashEngine`, at OpenSSL's speed; one thread:
 * `hashFileTree` puts one file's leaves on every core).
 * @param leafBytes the leaf size
 * @returns the engine (cached per leaf size)
 * @example
 * ```ts
 * const h = nodeTreeHashEngine(1 << 20).create(); h.update(bytes); h.digest();
 * ```
 */
export function nodeTreeHashEngine(leafBytes: number): HashEngine {
  let e = trees.get(leafBytes);
  if (!e) {
    e = treeHashEngine(leafBytes, (chunk) => {
      const h = createHash('sha256');
      h.update(LEAF_PREFIX);
      h.update(chunk);
      const d = h.digest();
      return new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength));
    });
    trees.set(leafBytes, e);
  }
  return e;
}

/**
 * The node:crypto engines for several algorithms (see {@link nodeHashEngine}).
 * @param algorithms algorithm names
 * @returns one engine per name
 * @throws {LineproofError} HASH_ALGORITHM_UNSUPPORTED
 * @example
 * ```ts
 * nodeHashEngines(['sha256', 'blake2b']);
 * ```
 */
export function nodeHashEngines(algorithms: readonly HashAlgorithm[]): HashEngine[] {
  return algorithms.map((a) => nodeHashEngine(a));
}
