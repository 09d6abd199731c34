/**
 * Hashing a model in model_signing mode: each file once, as one `files` resource or cut into
 * `shards` on the way. {@link omsFileDigest} is the one place files and shards are hashed: the
 * core's {@link hashOmsEntries} feeds it from byte sources, the Node adapter's `hashOmsModel`
 * from files on disk; both then build the manifest with {@link buildOmsManifest}.
 */
import { LineproofError } from '../../errors.js';
import { hashEngine } from '../../hashing/engines.js';
import { ShardDigest } from '../../hashing/shards.js';
import { StreamDigest, chunksOf } from '../../hashing/stream.js';
import type { ByteSource, HashEngine, HashProgress } from '../../hashing/types.js';
import { buildOmsManifest } from './manifest.js';
import { checkOmsPath, type OmsItem, type OmsManifest, type OmsSerialization } from './serialization.js';

/** The digest of one file in model_signing mode, fed chunk by chunk. */
export interface OmsFileDigest {
  /** Bytes absorbed so far. */
  readonly size: number;
  /**
   * Absorb a chunk (consumed before it returns).
   * @throws {LineproofError} HASH_SIZE_MISMATCH as soon as more bytes than the file's size arrive
   */
  update(chunk: Uint8Array): void;
  /**
   * The file's items: one (`files`), or one per shard (`shards`; none for an empty file).
   * @throws {LineproofError} HASH_SIZE_MISMATCH when fewer bytes than the file's size arrived
   */
  finish(): OmsItem[];
}

function tooMany(what: string, size: number): LineproofError {
  return new LineproofError('HASH_SIZE_MISMATCH', `${what}: more than the expected ${size} bytes`, {
    path: what,
    expected: `${size} bytes`,
  });
}

/**
 * Start hashing one file of a model in model_signing mode.
 * @internal (used by `hashOmsEntries` and by the Node adapter's `hashOmsModel`)
 * @param serialization from `omsSerialization`
 * @param engine the engine of `serialization.hash_type`
 * @param file its item path (`.` for a single-file model), its size, and `what` to name it in errors (default: the path)
 * @returns the digest to feed
 */
export function omsFileDigest(
  serialization: OmsSerialization,
  engine: HashEngine,
  file: { path: string; size: number; what?: string },
): OmsFileDigest {
  const what = file.what ?? file.path;
  if (serialization.method === 'files') {
    const d = new StreamDigest([engine], { expectedSize: file.size, what });
    return {
      get size() {
        return d.size;
      },
      update: (c) => void d.update(c),
      finish: () => [{ path: file.path, digest: d.finish().digests[engine.algorithm]! }],
    };
  }
  const d = new ShardDigest(engine, serialization.shard_size!);
  return {
    get size() {
      return d.size;
    },
    update(c) {
      if (d.size + c.length > file.size) throw tooMany(what, file.size);
      d.update(c);
    },
    finish: () =>
      d.finish(file.size, what).map((sh) => ({ path: file.path, digest: sh.digest, start: sh.start, end: sh.end })),
  };
}

/** One file of a model to hash in model_signing mode. */
export interface OmsEntry {
  /** Path relative to the model, or `.` for a single-file model. */
  path: string;
  /** Size in bytes (needed for shards; checked against the bytes read either way). */
  size: number;
  source: ByteSource | (() => ByteSource | Promise<ByteSource>);
}

/** Options of {@link hashOmsEntries}. */
export interface HashOmsOptions {
  modelName: string;
  /** Engine for the hash type (default: the pure-JS engine of `hash_type`). Its algorithm must match. */
  engine?: HashEngine;
  signal?: AbortSignal;
  onProgress?: (progress: HashProgress & { path: string }) => void;
}

/**
 * Hash a model's files in model_signing mode (pure core: any byte sources). Each file is read once;
 * shards are cut on the way.
 * @throws {LineproofError} HASH_SIZE_MISMATCH, ABORTED, and the errors of {@link buildOmsManifest}
 * @param entries the model's files: path (`.` for a single-file model), size, bytes
 * @param serialization from `omsSerialization`
 * @param options model name, engine, signal, onProgress
 * @returns the manifest
 * @example
 * ```ts
 * const m = await hashOmsEntries([{ path: '.', size: 22, source: utf8('This is a simple model') }], omsSerialization({ method: 'files' }), { modelName: 'file_model' });
 * m.rootDigest; // '002d162f…' (model_signing's golden)
 * ```
 */
export async function hashOmsEntries(
  entries: Iterable<OmsEntry> | AsyncIterable<OmsEntry>,
  serialization: OmsSerialization,
  options: HashOmsOptions,
): Promise<OmsManifest> {
  const engine = options.engine ?? hashEngine(serialization.hash_type);
  if (engine.algorithm !== serialization.hash_type)
    throw new TypeError(`"engine" computes ${engine.algorithm}, the serialization needs ${serialization.hash_type}`);
  const items: OmsItem[] = [];
  let done = 0;
  const abortCheck = (path: string): void => {
    if (options.signal?.aborted)
      throw new LineproofError('ABORTED', `${path}: hashing aborted`, { path, cause: options.signal.reason });
  };
  for await (const e of entries as AsyncIterable<OmsEntry>) {
    checkOmsPath(e.path, serialization.method, 'path');
    abortCheck(e.path);
    const source = typeof e.source === 'function' ? await e.source() : e.source;
    const d = omsFileDigest(serialization, engine, e);
    for await (const c of chunksOf(source)) {
      abortCheck(e.path);
      d.update(c);
      options.onProgress?.({ path: e.path, bytes: done + d.size });
    }
    items.push(...d.finish());
    done += e.size;
  }
  return buildOmsManifest({ modelName: options.modelName, serialization, items });
}
