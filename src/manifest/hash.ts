/**
 * Hashing a tree in the pure core: a Lineproof v1 manifest from (path, byte source) pairs, usable
 * in a browser (files from an `<input>`, entries of an archive). The Node adapter hashes trees on
 * disk (src/node/hash-tree.ts).
 */
import { LineproofError } from '../errors.js';
import { resolveLimits } from '../limits.js';
import { resolveEngines, StreamDigest, chunksOf, type EngineSpec } from '../hashing/stream.js';
import type { ByteSource, HashEngine, HashProgress } from '../hashing/types.js';
import { buildManifest, type ManifestItemInput, type ManifestOptions } from './build.js';
import { checkManifestPath, checkPathSet, comparePaths } from './path.js';
import { DEFAULT_IGNORE, ignoreMatcher, normalizeIgnore } from './ignore.js';
import type { Manifest } from './types.js';

/** One file to hash: its path and its bytes (or a function that opens them when needed). */
export interface ManifestEntry {
  path: string;
  /** Expected size; when given, a source that yields more or fewer bytes fails (HASH_SIZE_MISMATCH). */
  size?: number;
  source: ByteSource | (() => ByteSource | Promise<ByteSource>);
}

/** Options of {@link hashManifest}. */
export interface HashManifestOptions extends Omit<ManifestOptions, 'algorithms'> {
  /** Algorithm names and/or engines (default sha256, pure JS). Engines set the recorded algorithms. */
  algorithms?: EngineSpec;
  signal?: AbortSignal;
  /** Called after each chunk with the path being hashed and the bytes done so far overall. */
  onProgress?: (progress: HashProgress & { path: string; files: number }) => void;
}

/** The result of {@link hashManifest}. */
export interface HashManifestResult {
  manifest: Manifest;
  /** Paths skipped because the ignore list excludes them (their bytes were not read). */
  ignored: string[];
  /** Total bytes hashed. */
  size: number;
}

/**
 * Build a manifest by hashing (path, byte source) pairs — the pure-core path, usable in a browser
 * (files from an `<input>`, entries of an archive). Entries the ignore list excludes are skipped
 * without being opened. Paths are checked before any byte is read.
 *
 * @param entries the files, in any order
 * @param options algorithms or engines, ignore list, signal, onProgress
 * @returns the manifest, the ignored paths and the number of bytes hashed
 * @throws {LineproofError} path rule codes, HASH_SIZE_MISMATCH, ABORTED, LIMIT_EXCEEDED
 * @example
 * ```ts
 * const { manifest } = await hashManifest([{ path: 'a.txt', source: utf8('hello') }]);
 * ```
 */
export async function hashManifest(
  entries: Iterable<ManifestEntry> | AsyncIterable<ManifestEntry>,
  options: HashManifestOptions = {},
): Promise<HashManifestResult> {
  const engines: HashEngine[] = resolveEngines(options.algorithms ?? 'sha256');
  const ignore = normalizeIgnore(options.ignore ?? DEFAULT_IGNORE);
  const matcher = ignoreMatcher(ignore);
  const limits = resolveLimits(options.limits);
  const list: ManifestEntry[] = [];
  const ignored: string[] = [];
  let n = 0;
  for await (const e of entries as AsyncIterable<ManifestEntry>) {
    if (++n > limits.manifestItems)
      throw new LineproofError('LIMIT_EXCEEDED', `manifest: more than ${limits.manifestItems} items`, {
        path: 'items',
      });
    checkManifestPath(e?.path, `entries[${n - 1}].path`);
    if (matcher.ignoresFile(e.path)) ignored.push(e.path);
    else list.push(e);
  }
  checkPathSet(
    list.map((e) => e.path),
    'entries',
  );
  const items: ManifestItemInput[] = [];
  let total = 0;
  let files = 0;
  for (const e of list) {
    if (options.signal?.aborted)
      throw new LineproofError('ABORTED', `${e.path}: hashing aborted`, { path: e.path, cause: options.signal.reason });
    const d = new StreamDigest(engines, { ...(e.size === undefined ? {} : { expectedSize: e.size }), what: e.path });
    const source = typeof e.source === 'function' ? await e.source() : e.source;
    for await (const chunk of chunksOf(source)) {
      if (options.signal?.aborted)
        throw new LineproofError('ABORTED', `${e.path}: hashing aborted`, {
          path: e.path,
          cause: options.signal.reason,
        });
      d.update(chunk);
      options.onProgress?.({ path: e.path, bytes: total + d.size, files });
    }
    const r = d.finish();
    total += r.size;
    files++;
    items.push({ path: e.path, size: r.size, digest: r.digests });
  }
  const manifest = buildManifest(items, { algorithms: engines.map((e) => e.algorithm), ignore, limits });
  return { manifest, ignored: ignored.sort(comparePaths), size: total };
}
