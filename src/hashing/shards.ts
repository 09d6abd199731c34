/**
 * Fixed-size shards: split one byte sequence at multiples of `shardSize` and digest each piece,
 * in one pass over the input whatever its chunking. This is how OpenSSF model signing's `shards`
 * method hashes a file (pieces `[0, s)`, `[s, 2s)`, …, the last one shorter; an empty input has no
 * shard at all).
 */
import { LineproofError, describeType } from '../errors.js';
import { isBytes, toHex } from '../bytes/index.js';
import { assertHashEngine } from './engines.js';
import type { HashEngine, Hasher } from './types.js';

/** One shard: bytes `[start, end)` and their digest. */
export interface ShardDigestEntry {
  start: number;
  end: number;
  /** Lowercase hex digest. */
  digest: string;
}

/**
 * The shard ranges of an input of `size` bytes: `[0, s), [s, 2s), …, [ks, size)`; none when size
 * is 0. Mirrors model_signing's endpoints: the last shard ends exactly at `size`.
 * @throws {RangeError} a size or shard size that is not a safe integer (shard size > 0)
 * @example
 * ```ts
 * shardRanges(22, 8); // [[0, 8], [8, 16], [16, 22]]
 * ```
 * @param size length of the input in bytes
 * @param shardSize bytes per shard (> 0)
 * @returns `[start, end)` pairs in order
 */
export function shardRanges(size: number, shardSize: number): [number, number][] {
  if (!Number.isSafeInteger(size) || size < 0)
    throw new RangeError(`"size" expected a non-negative safe integer, got ${String(size)}`);
  if (!Number.isSafeInteger(shardSize) || shardSize <= 0)
    throw new RangeError(`"shardSize" expected a positive safe integer, got ${String(shardSize)}`);
  const out: [number, number][] = [];
  for (let start = 0; start < size; start += shardSize) out.push([start, Math.min(start + shardSize, size)]);
  return out;
}

/**
 * Incremental per-shard digests of one byte sequence.
 * @example
 * ```ts
 * const s = new ShardDigest(hashEngine('sha256'), 8);
 * s.update(utf8('This is a simple model'));
 * s.finish().map((x) => `${x.start}:${x.end}`); // ['0:8', '8:16', '16:22']
 * ```
 * @param engine the hash of each shard
 * @param shardSize bytes per shard (> 0)
 * @returns (finish) the shards in order: `{start, end, digest}`
 * @throws {LineproofError} HASH_SIZE_MISMATCH from finish() when an expected size differs
 */
export class ShardDigest {
  readonly engine: HashEngine;
  readonly shardSize: number;
  #shards: ShardDigestEntry[] = [];
  #current: Hasher | null = null;
  #start = 0;
  #size = 0;
  #done = false;

  /** @throws {TypeError} not an engine; {@link RangeError} a bad shard size */
  constructor(engine: HashEngine, shardSize: number) {
    assertHashEngine(engine);
    if (!Number.isSafeInteger(shardSize) || shardSize <= 0)
      throw new RangeError(`"shardSize" expected a positive safe integer, got ${String(shardSize)}`);
    this.engine = engine;
    this.shardSize = shardSize;
  }

  /** Bytes absorbed so far. */
  get size(): number {
    return this.#size;
  }

  /** Absorb a chunk; shards that it completes are finished on the way. */
  update(chunk: Uint8Array): this {
    if (this.#done) throw new TypeError('ShardDigest: update() after finish()');
    if (!isBytes(chunk)) throw new TypeError(`"chunk" expected Uint8Array, got ${describeType(chunk)}`);
    let off = 0;
    while (off < chunk.length) {
      if (this.#current === null) {
        this.#current = this.engine.create();
        this.#start = this.#size;
      }
      const room = this.#start + this.shardSize - this.#size;
      const take = Math.min(room, chunk.length - off);
      this.#current.update(off === 0 && take === chunk.length ? chunk : chunk.subarray(off, off + take));
      off += take;
      this.#size += take;
      if (take === room) this.#close();
    }
    return this;
  }

  #close(): void {
    const d = this.#current!.digest();
    if (!isBytes(d) || d.length !== this.engine.outputLen) {
      throw new LineproofError(
        'INTERNAL',
        `hash engine ${this.engine.algorithm} returned ${describeType(d)}, expected ${this.engine.outputLen} bytes`,
      );
    }
    this.#shards.push({ start: this.#start, end: this.#size, digest: toHex(d) });
    this.#current = null;
  }

  /**
   * The shards in order. An empty input gives no shard.
   * @param expectedSize when given, a different byte count fails with HASH_SIZE_MISMATCH
   */
  finish(expectedSize?: number, what = 'input'): ShardDigestEntry[] {
    if (this.#done) throw new TypeError('ShardDigest: finish() called twice');
    this.#done = true;
    if (this.#current !== null) this.#close();
    if (expectedSize !== undefined && expectedSize !== this.#size) {
      throw new LineproofError('HASH_SIZE_MISMATCH', `${what}: ${this.#size} bytes, expected ${expectedSize}`, {
        path: what,
        expected: `${expectedSize} bytes`,
        actual: `${this.#size} bytes`,
      });
    }
    return this.#shards;
  }
}
