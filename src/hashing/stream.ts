/**
 * Streaming digests over bytes, iterables, async iterables and web streams.
 *
 * The digest never depends on how the input is split into chunks; the number of bytes is counted
 * alongside, so a source that stops early (a truncated download, a file that shrank) or runs on is
 * caught when the caller knows the expected size. Several algorithms can be computed in one pass.
 */
import { LineproofError, describeType } from '../errors.js';
import { isBytes, toHex } from '../bytes/index.js';
import { assertHashEngine, hashEngine } from './engines.js';
import type { ByteSource, DigestResult, HashAlgorithm, HashEngine, HashProgress, Hasher } from './types.js';

/** Engines given by name (noble defaults) or as objects. */
export type EngineSpec = HashAlgorithm | HashEngine | readonly (HashAlgorithm | HashEngine)[];

/**
 * Turn algorithm names and engine objects into a list of engines with distinct algorithm names.
 * Names resolve to the pure-JS (noble) engines.
 * @throws {TypeError} an empty list, a duplicate algorithm or something that is not an engine
 * @throws {LineproofError} HASH_ALGORITHM_UNSUPPORTED for an unknown name
 * @param spec one name or engine, or a list of them
 * @param what the argument's name, used in messages
 * @returns the engines, in the given order
 * @example
 * ```ts
 * resolveEngines(['sha256', nodeHashEngine('blake2b')]).map((e) => e.algorithm); // ['sha256', 'blake2b']
 * ```
 */
export function resolveEngines(spec: EngineSpec = 'sha256', what = 'algorithms'): HashEngine[] {
  const list = (Array.isArray(spec) ? spec : [spec]) as (HashAlgorithm | HashEngine)[];
  if (list.length === 0) throw new TypeError(`"${what}" expected at least one algorithm`);
  const out: HashEngine[] = [];
  const seen = new Set<string>();
  list.forEach((s, i) => {
    const e = typeof s === 'string' ? hashEngine(s) : s;
    assertHashEngine(e, `${what}[${i}]`);
    if (seen.has(e.algorithm)) throw new TypeError(`"${what}" names ${e.algorithm} twice`);
    seen.add(e.algorithm);
    out.push(e);
  });
  return out;
}

/** Options of {@link StreamDigest}. */
export interface StreamDigestOptions {
  /** Exact number of bytes the source must produce; more or fewer fails with HASH_SIZE_MISMATCH. */
  expectedSize?: number;
  /** Names the input in errors (a path, a URL). */
  what?: string;
}

function assertSize(n: unknown, name: string): asserts n is number {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`"${name}" expected a non-negative safe integer, got ${String(n)}`);
}

/**
 * Incremental digests of one byte sequence under one or more algorithms, with a byte count.
 *
 * @example
 * ```ts
 * const d = new StreamDigest(['sha256', 'blake2b'], { expectedSize: 6 });
 * d.update(utf8('abc'));
 * d.update(utf8('def'));
 * d.finish().digests.sha256; // 'bef57ec7…'
 * ```
 * @param engines algorithm names and/or engines (default sha256)
 * @param options expectedSize (truncation check) and a name for errors
 * @returns (finish) size, hex and raw digests
 * @throws {LineproofError} HASH_SIZE_MISMATCH; TypeError for a chunk that is not bytes
 */
export class StreamDigest {
  readonly engines: readonly HashEngine[];
  readonly expectedSize: number | undefined;
  readonly what: string;
  #hashers: Hasher[];
  #size = 0;
  #done = false;

  /**
   * @param engines algorithm names and/or engines (default sha256)
   * @throws {TypeError} see {@link resolveEngines}; {@link RangeError} a bad expectedSize
   */
  constructor(engines: EngineSpec = 'sha256', options: StreamDigestOptions = {}) {
    this.engines = resolveEngines(engines);
    if (options.expectedSize !== undefined) assertSize(options.expectedSize, 'expectedSize');
    this.expectedSize = options.expectedSize;
    this.what = options.what ?? 'input';
    this.#hashers = this.engines.map((e) => e.create());
  }

  /** Bytes absorbed so far. */
  get size(): number {
    return this.#size;
  }

  /**
   * Absorb a chunk (any Uint8Array view, including a Node Buffer or a subarray with an offset).
   * @throws {TypeError} when `chunk` is not a Uint8Array or the digest is finished
   * @throws {LineproofError} HASH_SIZE_MISMATCH as soon as more bytes than expectedSize arrive
   */
  update(chunk: Uint8Array): this {
    if (this.#done) throw new TypeError('StreamDigest: update() after finish()');
    if (!isBytes(chunk)) throw new TypeError(`"chunk" expected Uint8Array, got ${describeType(chunk)}`);
    if (chunk.length === 0) return this;
    const next = this.#size + chunk.length;
    if (this.expectedSize !== undefined && next > this.expectedSize) {
      this.#done = true;
      throw new LineproofError(
        'HASH_SIZE_MISMATCH',
        `${this.what}: more than the expected ${this.expectedSize} bytes`,
        {
          path: this.what,
          expected: `${this.expectedSize} bytes`,
          actual: `at least ${next} bytes`,
        },
      );
    }
    for (const h of this.#hashers) h.update(chunk);
    this.#size = next;
    return this;
  }

  /**
   * Finish every hash and return the digests with the byte count.
   * @throws {LineproofError} HASH_SIZE_MISMATCH when fewer bytes than expectedSize arrived
   */
  finish(): DigestResult {
    if (this.#done) throw new TypeError('StreamDigest: finish() called twice or after a failure');
    this.#done = true;
    if (this.expectedSize !== undefined && this.#size !== this.expectedSize) {
      throw new LineproofError(
        'HASH_SIZE_MISMATCH',
        `${this.what}: ${this.#size} bytes, expected ${this.expectedSize} (truncated)`,
        {
          path: this.what,
          expected: `${this.expectedSize} bytes`,
          actual: `${this.#size} bytes`,
        },
      );
    }
    const digests: Record<string, string> = {};
    const raw: Record<string, Uint8Array> = {};
    this.engines.forEach((e, i) => {
      const d = this.#hashers[i]!.digest();
      if (!isBytes(d) || d.length !== e.outputLen) {
        throw new LineproofError(
          'INTERNAL',
          `hash engine ${e.algorithm} returned ${describeType(d)}, expected ${e.outputLen} bytes`,
        );
      }
      raw[e.algorithm] = d;
      digests[e.algorithm] = toHex(d);
    });
    return { size: this.#size, digests, raw };
  }
}

/**
 * Digests of bytes already in memory.
 * @param data the bytes (a Buffer or any Uint8Array view is fine)
 * @param engines algorithm names and/or engines (default sha256)
 * @returns size, hex digests and raw digests per algorithm
 * @throws {TypeError} when `data` is not a Uint8Array
 * @example
 * ```ts
 * hashBytes(utf8('abc')).digests.sha256; // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 * ```
 */
export function hashBytes(data: Uint8Array, engines: EngineSpec = 'sha256'): DigestResult {
  if (!isBytes(data)) throw new TypeError(`"data" expected Uint8Array, got ${describeType(data)}`);
  return new StreamDigest(engines).update(data).finish();
}

/** Options of {@link hashSource}. */
export interface HashSourceOptions extends StreamDigestOptions {
  /** Algorithm names and/or engines (default sha256). */
  algorithms?: EngineSpec;
  /** Stops hashing with ABORTED between chunks. */
  signal?: AbortSignal;
  /** Called after each chunk. */
  onProgress?: (progress: HashProgress) => void;
}

function aborted(what: string, signal: AbortSignal): LineproofError {
  return new LineproofError('ABORTED', `${what}: hashing aborted`, { path: what, cause: signal.reason });
}

/**
 * Iterate the chunks of a {@link ByteSource}. A web stream is read through its reader (and
 * cancelled if iteration stops early); a Uint8Array is one chunk.
 * @param what names the source in errors (default `source`)
 * @throws {TypeError} when `source` is none of the accepted shapes (a string is refused: encode it)
 */
export async function* chunksOf(source: ByteSource, what = 'source'): AsyncGenerator<Uint8Array, void, undefined> {
  if (isBytes(source)) {
    yield source;
    return;
  }
  if (typeof source === 'string' || source === null || typeof source !== 'object') {
    throw new TypeError(
      `"${what}" expected Uint8Array, Iterable or AsyncIterable of Uint8Array, or ReadableStream; got ${describeType(source)}`,
    );
  }
  if (typeof (source as ReadableStream<Uint8Array>).getReader === 'function') {
    const reader = (source as ReadableStream<Uint8Array>).getReader();
    let finished = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          finished = true;
          return;
        }
        yield value;
      }
    } finally {
      if (!finished) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
  }
  if (typeof (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
    yield* source as AsyncIterable<Uint8Array>;
    return;
  }
  if (typeof (source as Iterable<Uint8Array>)[Symbol.iterator] === 'function') {
    yield* source as Iterable<Uint8Array>;
    return;
  }
  throw new TypeError(
    `"${what}" expected Uint8Array, Iterable or AsyncIterable of Uint8Array, or ReadableStream; got ${describeType(source)}`,
  );
}

/**
 * Hash a byte source in one pass, under one or more algorithms, counting its bytes.
 *
 * @param source bytes, an (async) iterable of chunks, or a web ReadableStream
 * @param options algorithms (default sha256), expectedSize (truncation check), signal, onProgress
 * @returns size, hex digests and raw digests per algorithm
 * @throws {TypeError} a bad source or a chunk that is not a Uint8Array
 * @throws {LineproofError} HASH_SIZE_MISMATCH, ABORTED, or what the source itself throws
 * @example
 * ```ts
 * const res = await fetch(url);
 * const { size, digests } = await hashSource(res.body!, { algorithms: ['sha256'], expectedSize: 1234 });
 * ```
 */
export async function hashSource(source: ByteSource, options: HashSourceOptions = {}): Promise<DigestResult> {
  const { signal, onProgress } = options;
  const d = new StreamDigest(options.algorithms ?? 'sha256', options);
  if (signal?.aborted) throw aborted(d.what, signal);
  for await (const chunk of chunksOf(source, options.what ?? 'source')) {
    if (signal?.aborted) throw aborted(d.what, signal);
    d.update(chunk);
    onProgress?.({ bytes: d.size, ...(d.expectedSize === undefined ? {} : { total: d.expectedSize }) });
  }
  if (signal?.aborted) throw aborted(d.what, signal);
  return d.finish();
}
