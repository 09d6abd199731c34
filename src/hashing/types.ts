/**
 * The hash-engine interfaces. Every digest Lineproof computes goes through a {@link HashEngine}, so
 * a native hasher (node:crypto in the adapter), a worker pool, WebCrypto for fixed-size leaves or a
 * caller's own implementation can be dropped in without touching the formats built on top.
 */

/** The whole-content hash algorithms Lineproof computes (decisions §3). */
export type HashAlgorithm = 'sha256' | 'sha512' | 'blake2b' | 'blake3';

/** All of {@link HashAlgorithm}, in order of preference. */
export const HASH_ALGORITHMS: readonly HashAlgorithm[] = Object.freeze(['sha256', 'sha512', 'blake2b', 'blake3']);

/**
 * A running hash: absorbs bytes in any number of chunks, then yields its digest once.
 *
 * Contract (callers rely on it):
 * - `update` absorbs the bytes of `chunk` before it returns and keeps no reference to it, so the
 *   caller may overwrite the same buffer for the next chunk (the Node adapter reads every file into
 *   one reused 256 KiB buffer).
 * - The digest depends only on the concatenation of the chunks, never on how it was split.
 * - After `digest()` the hasher is finished; it must not be updated again.
 */
export interface Hasher {
  update(chunk: Uint8Array): void;
  digest(): Uint8Array;
}

/**
 * A hash function: the name of the digest it produces, its length and a factory of running
 * hashes. The name is the key used in a DigestSet (`sha256`, `blake2b`, ...).
 */
export interface HashEngine {
  /** DigestSet key of the digests this engine produces, e.g. `sha256`. */
  readonly algorithm: string;
  /** Digest length in bytes. */
  readonly outputLen: number;
  /** Start a new, independent running hash. */
  create(): Hasher;
}

/**
 * A one-shot hash of a whole buffer, possibly asynchronous — the shape of WebCrypto's
 * `crypto.subtle.digest`, which is fast for fixed-size pieces such as chunk-tree leaves but cannot
 * stream. Any {@link HashEngine} can serve as one through {@link oneShot}.
 */
export interface OneShotHashEngine {
  readonly algorithm: string;
  readonly outputLen: number;
  digest(data: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/** Something that yields bytes: one buffer, a sync or async iterable of chunks, or a web stream. */
export type ByteSource = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

/** Progress of a long hash, reported after each chunk. */
export interface HashProgress {
  /** Bytes absorbed so far. */
  bytes: number;
  /** Bytes expected in all, when known. */
  total?: number;
}

/** The digests of one byte sequence and its length. */
export interface DigestResult {
  /** Number of bytes hashed. */
  size: number;
  /** Lowercase hex digest per algorithm. */
  digests: Record<string, string>;
  /** Raw digest bytes per algorithm. */
  raw: Record<string, Uint8Array>;
}

/**
 * Adapt a streaming engine to the one-shot interface.
 * @param engine any streaming engine
 * @returns the same hash as a one-shot engine
 * @example
 * ```ts
 * oneShot(hashEngine('sha256')).digest(utf8('abc')); // Uint8Array(32)
 * ```
 */
export function oneShot(engine: HashEngine): OneShotHashEngine {
  return {
    algorithm: engine.algorithm,
    outputLen: engine.outputLen,
    digest(data: Uint8Array): Uint8Array {
      const h = engine.create();
      h.update(data);
      return h.digest();
    },
  };
}
