/**
 * Hashing the files of a walked tree: one per-file routine ({@link hashFileBatch}), run on the
 * calling thread for small trees and on the worker pool (worker-pool.ts) for large ones, with the
 * same checks either way. Used by hash-tree.ts.
 */
import { availableParallelism } from 'node:os';
import { ERROR_CODES, LineproofError, type ErrorCode } from '../errors.js';
import { isHashAlgorithm } from '../hashing/engines.js';
import { StreamDigest } from '../hashing/stream.js';
import { parseTreeAlgorithm } from '../hashing/tree.js';
import type { HashEngine } from '../hashing/types.js';
import type { ManifestItemInput } from '../manifest/build.js';
import type { StatHint } from '../manifest/types.js';
import { nodeHashEngine, nodeTreeHashEngine } from './hash-engine.js';
import { READ_BUFFER_BYTES, readFileChunks } from './hash-file.js';
import type { WalkFile } from './walk.js';
import { WorkerTaskError, builtModuleUrl, startWorkerPool, type WorkerTaskFailure } from './worker-pool.js';

/** Progress of a tree hash, reported after each chunk (at most every 256 KiB). */
export interface TreeProgress {
  /** The file being hashed (relative path). */
  path: string;
  bytesDone: number;
  bytesTotal: number;
  filesDone: number;
  filesTotal: number;
}

/** One file of a batch handed to {@link hashFileBatch} (structured-clone safe). */
export interface FileTask {
  path: string;
  absPath: string;
  what: string;
  size: number;
  ino: bigint;
  dev: bigint;
  viaSymlink: boolean;
}

/** Options of {@link hashFileBatch} (structured-clone safe, so a worker thread can run it). */
export interface FileBatchOptions {
  /** Algorithm names: node:crypto algorithms or `sha256-tree-v1-<leafBytes>`. */
  algorithms: readonly string[];
  within: string;
  racyWindowNs?: bigint;
}

/** A hashed file of a batch: its manifest item and stat hint (null when racy). */
type Hashed = { item: ManifestItemInput; hint: StatHint | null };

function enginesByName(algorithms: readonly string[]): HashEngine[] {
  return algorithms.map((a) => {
    const tree = parseTreeAlgorithm(a);
    if (tree) return nodeTreeHashEngine(tree.leafBytes);
    if (!isHashAlgorithm(a)) throw new TypeError(`"algorithms" has unknown algorithm ${JSON.stringify(a)}`);
    return nodeHashEngine(a);
  });
}

/**
 * Hash a batch of walked files, each read once with the checks of {@link readFileChunks}
 * (no link followed unless walked through one, the same inode as walked, no change while read).
 * The one per-file routine: the calling thread runs it for small trees, worker threads for large
 * ones. Returns, per file in order, its item and stat hint.
 */
export async function hashFileBatch(
  files: readonly FileTask[],
  options: FileBatchOptions & {
    engines?: HashEngine[];
    signal?: AbortSignal;
    onBytes?: (file: FileTask, n: number) => void;
    onFile?: (file: FileTask, size: number) => void;
  },
): Promise<Array<{ item: ManifestItemInput; hint: StatHint | null }>> {
  const engines = options.engines ?? enginesByName(options.algorithms);
  const buffer = new Uint8Array(READ_BUFFER_BYTES);
  const out: Hashed[] = [];
  for (const f of files) {
    const d = new StreamDigest(engines, { what: f.what });
    const r = await readFileChunks(f.absPath, (c) => d.update(c), {
      what: f.what,
      follow: f.viaSymlink,
      expect: { size: f.size, ino: f.ino, dev: f.dev },
      buffer,
      within: options.within,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.racyWindowNs === undefined ? {} : { racyWindowNs: options.racyWindowNs }),
      ...(options.onBytes ? { onBytes: (n: number) => options.onBytes!(f, n) } : {}),
    });
    const res = d.finish();
    out.push({ item: { path: f.path, size: res.size, digest: res.digests }, hint: r.hint });
    options.onFile?.(f, res.size);
  }
  return out;
}

/** Options of {@link hashFiles} (see `HashTreeOptions`). */
export interface FilePoolOptions {
  workers?: number;
  workerModule?: string;
  racyWindowNs?: bigint;
  signal?: AbortSignal;
  onProgress?: (progress: TreeProgress) => void;
}

/** What {@link hashFiles} returns: the items in order, the stat hints by path, the bytes hashed. */
export interface HashFilesResult {
  items: ManifestItemInput[];
  hints: Record<string, StatHint>;
  size: number;
}

/** Trees with fewer files than this are hashed on the calling thread (a worker costs ~30 ms)… */
const PARALLEL_MIN_FILES = 512;
/** …unless they hold this many bytes in two files or more (a model of a few large files). */
const PARALLEL_MIN_BYTES = 256 * 1024 * 1024;
/** A worker's batch closes at this many bytes, so large files spread over the workers. */
const BATCH_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Hash walked files into manifest items, on worker threads when there are many (and the engines
 * can be rebuilt there by name), else, or when the workers cannot load, on the calling thread.
 * @param files the walked files
 * @param engines the engines of every item
 * @param options workers, worker module, racy window, signal, onProgress
 * @param what names a file in errors and progress
 * @param within the real path of the root every file must lie in
 * @returns the items, hints and size
 */
export async function hashFiles(
  files: readonly WalkFile[],
  engines: HashEngine[],
  options: FilePoolOptions,
  what: (f: WalkFile) => string,
  within: string,
): Promise<HashFilesResult> {
  const bytesTotal = files.reduce((n, f) => n + f.size, 0);
  let bytesDone = 0;
  let filesDone = 0;
  const racy = options.racyWindowNs;
  // Tasks are made batch by batch (a million files need no second million-entry list).
  const toTask = (f: WalkFile): FileTask => ({
    path: f.path,
    absPath: f.absPath,
    what: what(f),
    size: f.size,
    ino: f.hint.ino,
    dev: f.hint.dev,
    viaSymlink: f.viaSymlink,
  });
  const batch: FileBatchOptions = { algorithms: engines.map((e) => e.algorithm), within };
  if (racy !== undefined) batch.racyWindowNs = racy;
  // Engines given by name can be rebuilt in a worker; a caller's own engine object cannot.
  const transferable = engines.every((e) =>
    isHashAlgorithm(e.algorithm) ? e === nodeHashEngine(e.algorithm) : parseTreeAlgorithm(e.algorithm) !== undefined,
  );
  const workers = options.workers ?? availableParallelism();
  let results: Hashed[] | undefined;
  const worthThreads = files.length >= PARALLEL_MIN_FILES || (files.length >= 2 && bytesTotal >= PARALLEL_MIN_BYTES);
  if (worthThreads && workers > 1 && transferable) {
    results = await hashFilesParallel(files, toTask, batch, Math.min(workers, 16), options, (n, f) => {
      bytesDone += n;
      filesDone += f;
      options.onProgress?.({ path: '', bytesDone, bytesTotal, filesDone, filesTotal: files.length });
    });
    // undefined: the workers could not load the adapter (e.g. it was bundled); hash here instead.
  }
  results ??= await hashFileBatch(files.map(toTask), {
    ...batch,
    engines,
    ...(options.signal ? { signal: options.signal } : {}),
    onBytes: (f, n) => {
      bytesDone += n;
      options.onProgress?.({ path: f.what, bytesDone, bytesTotal, filesDone, filesTotal: files.length });
    },
    onFile: (f, size) => {
      filesDone++;
      if (size === 0)
        options.onProgress?.({ path: f.what, bytesDone, bytesTotal, filesDone, filesTotal: files.length });
    },
  });
  // Keyed by file path: no prototype, so a file named __proto__ is an ordinary key.
  const hints = Object.create(null) as Record<string, StatHint>;
  const items: ManifestItemInput[] = [];
  let size = 0;
  for (const r of results) {
    items.push(r.item);
    size += r.item.size;
    if (r.hint) hints[r.item.path] = r.hint;
  }
  return { items, hints, size };
}

function taskError(f: WorkerTaskFailure): LineproofError {
  const code = f.code && Object.hasOwn(ERROR_CODES, f.code) ? (f.code as ErrorCode) : 'IO_ERROR';
  return new LineproofError(code, f.message, f.path ? { path: f.path } : {});
}

/**
 * Hash the tasks on `workers` threads, in batches taken from a shared queue (so fast workers take
 * more); each worker runs {@link hashFileBatch}. Undefined when the workers cannot load.
 */
async function hashFilesParallel(
  files: readonly WalkFile[],
  toTask: (f: WalkFile) => FileTask,
  batchOptions: FileBatchOptions,
  workers: number,
  options: FilePoolOptions,
  progress: (bytes: number, files: number) => void,
): Promise<Hashed[] | undefined> {
  if (options.signal?.aborted) throw new LineproofError('ABORTED', 'hashing aborted');
  const per = Math.max(16, Math.min(256, Math.ceil(files.length / (workers * 8))));
  // Batches as [start, end) ranges of the files; each made into tasks when it is sent.
  const batches: [number, number][] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < files.length; i++) {
    bytes += files[i]!.size;
    if (i + 1 - start >= per || bytes >= BATCH_MAX_BYTES) {
      batches.push([start, i + 1]);
      start = i + 1;
      bytes = 0;
    }
  }
  if (start < files.length) batches.push([start, files.length]);
  const results: Hashed[][] = [];
  const pool = startWorkerPool<{ files: FileTask[] }, Hashed[]>({
    job: 'file-batch',
    data: { moduleUrl: options.workerModule ?? builtModuleUrl('file-pool.js').href, options: batchOptions },
    count: workers,
    name: 'hashing worker',
    ...(options.signal ? { signal: options.signal } : {}),
    abortError: () => new LineproofError('ABORTED', 'hashing aborted'),
  });
  try {
    if (!(await pool.ready)) return undefined;
    let next = 0;
    let stop = false;
    await Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        while (!stop && next < batches.length) {
          const id = next++;
          try {
            const [from, to] = batches[id]!;
            const got = await pool.run(w, { files: files.slice(from, to).map(toTask) });
            // Keep the walk's path strings, not the copies the message made (a million files).
            got.forEach((r, k) => {
              const f = files[from + k];
              if (got.length !== to - from || f?.path !== r.item.path)
                throw new LineproofError('INTERNAL', 'a hashing worker answered for other files than it was given');
              r.item.path = f.path;
            });
            results[id] = got;
          } catch (e) {
            stop = true;
            throw e instanceof WorkerTaskError ? taskError(e.failure) : e;
          }
          progress(
            results[id].reduce((n, r) => n + r.item.size, 0),
            results[id].length,
          );
        }
      }),
    );
  } finally {
    await pool.close();
  }
  return results.flat();
}
