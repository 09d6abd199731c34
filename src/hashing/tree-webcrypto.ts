/**
 * Chunk-tree hashing with WebCrypto (`crypto.subtle.digest`) for the leaves: native SHA-256 in
 * browsers, edge runtimes and Node, from the zero-I/O core. Leaves are independent, so up to
 * `concurrency` digests are in flight at once (Node runs them on its thread pool; browsers on
 * their own). The interior of the tree is tiny (two hashes per leaf) and uses the core's SHA-256.
 */
import { rootHash, merkleTreeHash, assertLeafBytes, TREE_DEFAULT_LEAF_BYTES } from './tree.js';
import { LineproofError } from '../errors.js';

/** The subset of WebCrypto this engine needs. */
export interface SubtleDigest {
  digest(algorithm: 'SHA-256', data: Uint8Array): Promise<ArrayBuffer>;
}

/** Options for {@link treeRootWebCrypto}. */
export interface WebCryptoTreeOptions {
  leafBytes?: number;
  /** Leaf digests in flight at once (default 4; 1 hashes strictly one leaf at a time). */
  concurrency?: number;
  /** WebCrypto's `subtle` (default `globalThis.crypto.subtle`). */
  subtle?: SubtleDigest;
  /** Called after each leaf with bytes hashed so far. */
  onProgress?: (bytes: number) => void;
  signal?: AbortSignal;
}

function defaultSubtle(): SubtleDigest {
  const c = (globalThis as { crypto?: { subtle?: SubtleDigest } }).crypto;
  if (!c?.subtle) throw new TypeError('WebCrypto is not available: pass "subtle"');
  return c.subtle;
}

/**
 * Root of the chunk tree of a byte source, leaves hashed with WebCrypto.
 * @param source bytes, an async iterable of chunks (any split), or a web ReadableStream
 * @returns the root and the total length
 * @example
 * ```ts
 * const { root } = await treeRootWebCrypto(file.stream(), { leafBytes: 1 << 20 });
 * ```
 */
export async function treeRootWebCrypto(
  source: Uint8Array | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
  options: WebCryptoTreeOptions = {},
): Promise<{ root: Uint8Array; totalLength: number; leafHashes: Uint8Array[] }> {
  const leafBytes = options.leafBytes ?? TREE_DEFAULT_LEAF_BYTES;
  assertLeafBytes(leafBytes);
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)
    throw new RangeError(`"concurrency" expected 1..256, got ${concurrency}`);
  const subtle = options.subtle ?? defaultSubtle();
  const leafHashes: Uint8Array[] = [];
  const inflight = new Set<Promise<void>>();
  let total = 0;
  let done = 0;
  // One buffer holding the 0x00 prefix and the current leaf, reused for every leaf: WebCrypto
  // takes a copy of its input when digest() is called (W3C WebCrypto, "get a copy of the bytes
  // held by the data parameter"), so the buffer is free again as soon as the call returns.
  const buf = new Uint8Array(leafBytes + 1);
  let fill = 0;

  // Wait for a free slot *before* starting a digest, not after: with `concurrency` digests in
  // flight the caller goes on reading and filling the next leaf meanwhile, so I/O overlaps hashing
  // even with one digest at a time.
  const submit = async (index: number, length: number): Promise<void> => {
    while (inflight.size >= concurrency) await Promise.race(inflight);
    const p = subtle.digest('SHA-256', length === leafBytes ? buf : buf.subarray(0, length + 1)).then((d) => {
      leafHashes[index] = new Uint8Array(d);
      done += length;
      options.onProgress?.(done);
    });
    const forget = () => void inflight.delete(p);
    p.then(forget, forget);
    inflight.add(p);
  };

  let index = 0;
  const push = async (data: Uint8Array) => {
    let off = 0;
    while (off < data.length) {
      if (options.signal?.aborted) throw new LineproofError('ABORTED', 'tree hashing aborted');
      const take = Math.min(leafBytes - fill, data.length - off);
      buf.set(data.subarray(off, off + take), 1 + fill);
      fill += take;
      off += take;
      if (fill === leafBytes) {
        fill = 0;
        await submit(index++, leafBytes);
      }
    }
    total += data.length;
  };

  if (source instanceof Uint8Array) await push(source);
  else if (isReadableStream(source)) {
    const reader = source.getReader();
    try {
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        await push(value);
      }
    } finally {
      reader.releaseLock();
    }
  } else {
    for await (const chunk of source) await push(chunk);
  }
  if (fill > 0) await submit(index++, fill);
  await Promise.all(inflight);
  if (total === 0) return { root: rootHash(merkleTreeHash([]), 0, leafBytes), totalLength: 0, leafHashes };
  return { root: rootHash(merkleTreeHash(leafHashes), total, leafBytes), totalLength: total, leafHashes };
}

function isReadableStream(x: unknown): x is ReadableStream<Uint8Array> {
  return typeof (x as { getReader?: unknown }).getReader === 'function';
}

/** WebCrypto leaf hash (SHA-256 of 0x00 || chunk); equals the core's `leafHash`. */
export async function leafHashWebCrypto(
  chunk: Uint8Array,
  subtle: SubtleDigest = defaultSubtle(),
): Promise<Uint8Array> {
  const prefixed = new Uint8Array(chunk.length + 1);
  prefixed.set(chunk, 1);
  return new Uint8Array(await subtle.digest('SHA-256', prefixed));
}
