/**
 * Chunk-tree hashing of a file on all cores: the adapter's worker pool (worker-pool.ts, job
 * `tree-leaves` of hash-worker.ts) hashing leaves with node:crypto into reused buffers (spec/hashing.md, decisions §3).
 *
 * - Tree only: each worker reads its own leaves with positioned reads (no copy through the main
 *   thread), taking batches from a shared queue so fast workers take more.
 * - Tree and whole-file SHA-256 together: the main thread reads the file once, sequentially, into
 *   a ring of shared buffers; it feeds the whole-file hash while workers hash the leaves of the
 *   same bytes. One read, bounded memory (ring slots x segment size).
 * The root never depends on the number of workers: leaves are merged in index order.
 */
import { closeSync, fstatSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { LineproofError } from '../errors.js';
import { openRegularFile } from './fs.js';
import {
  assertLeafBytes,
  leafCount,
  merkleTreeHash,
  rootHash,
  TREE_DEFAULT_LEAF_BYTES,
  treeAlgorithm,
} from '../hashing/tree.js';
import { toHex } from '../bytes/index.js';
import { WorkerTaskError, startWorkerPool } from './worker-pool.js';

/** Options for {@link hashFileTree}. */
export interface FileTreeOptions {
  /** Leaf size, a power of two from 64 KiB to 64 MiB (default 1 MiB). */
  leafBytes?: number;
  /** Worker threads (default: one per core; 0 hashes on the calling thread). */
  workers?: number;
  /** Also compute the whole-file SHA-256, from the same single read. */
  sha256?: boolean;
  /** Keep every leaf hash in the result (needed to build inclusion proofs). */
  keepLeafHashes?: boolean;
  /** Called with bytes hashed so far (throttled to about once per segment). */
  onProgress?: (bytes: number, total: number) => void;
  signal?: AbortSignal;
}

/** Result of {@link hashFileTree}. */
export interface FileTreeResult {
  algorithm: string;
  leafBytes: number;
  totalLength: number;
  /** Chunk-tree root, lowercase hex. */
  root: string;
  /** Whole-file SHA-256, lowercase hex, when asked for. */
  sha256?: string;
  leafHashes?: Uint8Array[];
  workers: number;
}

function ioError(path: string, cause: unknown, verb: string): LineproofError {
  return new LineproofError(
    'IO_ERROR',
    `${path}: cannot ${verb} (${(cause as NodeJS.ErrnoException)?.code ?? String(cause)})`,
    { path, cause },
  );
}

function changed(path: string, detail: string): LineproofError {
  return new LineproofError('FILE_CHANGED_WHILE_HASHING', `${path}: the file changed while it was hashed (${detail})`, {
    path,
  });
}

interface Task {
  id: number;
  first: number;
  count: number;
  totalLength: number;
  shared?: SharedArrayBuffer;
  sharedFirst?: number;
}

/**
 * Hash a file's chunk tree (and optionally its whole-file SHA-256) on a pool of worker threads.
 * @param path the file
 * @throws {LineproofError} IO_ERROR (naming the path; a directory), SPECIAL_FILE_REFUSED (a FIFO,
 *   socket or device), FILE_CHANGED_WHILE_HASHING, ABORTED
 * @throws {RangeError} for a bad leaf size or worker count
 */
export async function hashFileTree(path: string, options: FileTreeOptions = {}): Promise<FileTreeResult> {
  const leafBytes = options.leafBytes ?? TREE_DEFAULT_LEAF_BYTES;
  assertLeafBytes(leafBytes);
  const requested = options.workers ?? availableParallelism();
  if (!Number.isInteger(requested) || requested < 0 || requested > 256)
    throw new RangeError(`"workers" expected 0..256, got ${requested}`);
  if (options.signal?.aborted) throw new LineproofError('ABORTED', `${path}: hashing aborted`);

  // A regular file only: a FIFO or device is refused (SPECIAL_FILE_REFUSED), never waited on.
  const { fd, stat: st } = openRegularFile(path);
  try {
    const totalLength = st.size;
    const n = leafCount(totalLength, leafBytes);
    // Small files are not worth a thread start (tens of milliseconds).
    let workers = n < 4 ? 0 : Math.min(requested, n);
    const leafHashes: Uint8Array[] = new Array<Uint8Array>(n);
    let whole: string | undefined;
    const pool = workers === 0 ? undefined : startPool(path, leafBytes, workers, options.signal);
    try {
      // Workers that cannot load their module (an adapter bundled without dist/node/hash-worker.js)
      // leave the hashing to this thread.
      if (pool && !(await pool.ready)) workers = 0;
      if (!pool || workers === 0) whole = hashInline(fd, path, totalLength, leafBytes, leafHashes, options);
      else if (options.sha256) whole = await hashShared(fd, path, totalLength, leafBytes, pool, leafHashes, options);
      else await hashSelfRead(totalLength, leafBytes, pool, leafHashes, options);
    } finally {
      await pool?.close();
    }
    if (fstatSync(fd).size !== totalLength) throw changed(path, `size was ${totalLength}, now ${fstatSync(fd).size}`);
    const root = rootHash(merkleTreeHash(leafHashes), totalLength, leafBytes);
    const result: FileTreeResult = {
      algorithm: treeAlgorithm(leafBytes),
      leafBytes,
      totalLength,
      root: toHex(root),
      workers,
    };
    if (whole !== undefined) result.sha256 = whole;
    if (options.keepLeafHashes) result.leafHashes = leafHashes;
    return result;
  } finally {
    closeSync(fd);
  }
}

function readFull(fd: number, path: string, buf: Uint8Array, len: number, pos: number): void {
  let got = 0;
  while (got < len) {
    let k: number;
    try {
      k = readSync(fd, buf, got, len - got, pos + got);
    } catch (e) {
      throw ioError(path, e, 'read');
    }
    if (k === 0) throw changed(path, `ended at ${pos + got} bytes, expected ${pos + len}`);
    got += k;
  }
}

function hashInline(
  fd: number,
  path: string,
  totalLength: number,
  leafBytes: number,
  leafHashes: Uint8Array[],
  options: FileTreeOptions,
): string | undefined {
  const buf = new Uint8Array(leafBytes);
  const whole = options.sha256 ? createHash('sha256') : undefined;
  const prefix = new Uint8Array([0]);
  for (let i = 0; i < leafHashes.length; i++) {
    if (options.signal?.aborted) throw new LineproofError('ABORTED', `${path}: hashing aborted`);
    const len = Math.min(leafBytes, totalLength - i * leafBytes);
    readFull(fd, path, buf, len, i * leafBytes);
    const view = buf.subarray(0, len);
    whole?.update(view);
    leafHashes[i] = new Uint8Array(createHash('sha256').update(prefix).update(view).digest());
    options.onProgress?.(i * leafBytes + len, totalLength);
  }
  return whole ? toHex(new Uint8Array(whole.digest())) : undefined;
}

/** Start `count` tree-leaves workers (worker-pool.ts) and give each a `run(task)` resolving with its leaf hashes. */
function startPool(path: string, leafBytes: number, count: number, signal: AbortSignal | undefined) {
  const pool = startWorkerPool<Omit<Task, 'id'>, Uint8Array>({
    job: 'tree-leaves',
    data: { path, leafBytes },
    count,
    name: 'tree worker',
    ...(signal ? { signal } : {}),
    abortError: () => new LineproofError('ABORTED', `${path}: hashing aborted`),
  });
  return {
    size: pool.size,
    ready: pool.ready,
    async run(worker: number, task: Omit<Task, 'id'>): Promise<Uint8Array> {
      try {
        return await pool.run(worker, task);
      } catch (e) {
        if (!(e instanceof WorkerTaskError)) throw e;
        if (e.failure.shortLeaf !== undefined) throw changed(path, `leaf ${e.failure.shortLeaf} was short`);
        throw new LineproofError(
          'IO_ERROR',
          `${path}: worker could not read (${e.failure.code ?? e.failure.message})`,
          {
            path,
          },
        );
      }
    },
    close: () => pool.close(),
  };
}

type Pool = ReturnType<typeof startPool>;

function store(leafHashes: Uint8Array[], first: number, hashes: Uint8Array): void {
  for (let i = 0; i * 32 < hashes.length; i++) leafHashes[first + i] = hashes.subarray(32 * i, 32 * i + 32);
}

async function hashSelfRead(
  totalLength: number,
  leafBytes: number,
  pool: Pool,
  leafHashes: Uint8Array[],
  options: FileTreeOptions,
): Promise<void> {
  const n = leafHashes.length;
  const workers = pool.size;
  // Batches of about 16 MiB, but small enough that every worker gets several.
  const batch = Math.max(1, Math.min(Math.floor((16 << 20) / leafBytes), Math.ceil(n / (workers * 4))));
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (next < n) {
        const first = next;
        const count = Math.min(batch, n - first);
        next += count;
        store(leafHashes, first, await pool.run(w, { first, count, totalLength }));
        done += count;
        options.onProgress?.(Math.min(done * leafBytes, totalLength), totalLength);
      }
    }),
  );
}

async function hashShared(
  fd: number,
  path: string,
  totalLength: number,
  leafBytes: number,
  pool: Pool,
  leafHashes: Uint8Array[],
  options: FileTreeOptions,
): Promise<string> {
  const n = leafHashes.length;
  const workers = pool.size;
  const segLeaves = Math.max(1, Math.floor((8 << 20) / leafBytes));
  const segBytes = segLeaves * leafBytes;
  const slots = Array.from({ length: workers * 2 }, () => new SharedArrayBuffer(segBytes));
  const free: number[] = slots.map((_, i) => i);
  const whole = createHash('sha256');
  const inflight = new Set<Promise<void>>();
  let done = 0;
  let worker = 0;
  try {
    for (let first = 0; first < n; first += segLeaves) {
      if (options.signal?.aborted) throw new LineproofError('ABORTED', `${path}: hashing aborted`);
      while (free.length === 0) await Promise.race(inflight);
      const slot = free.pop()!;
      const count = Math.min(segLeaves, n - first);
      const len = Math.min(segBytes, totalLength - first * leafBytes);
      const view = new Uint8Array(slots[slot]!, 0, len);
      readFull(fd, path, view, len, first * leafBytes);
      whole.update(view);
      const p: Promise<void> = pool
        .run(worker, { first, count, totalLength, shared: slots[slot]!, sharedFirst: first })
        .then((hashes) => {
          store(leafHashes, first, hashes);
          done += len;
          options.onProgress?.(done, totalLength);
        })
        .finally(() => {
          free.push(slot);
          inflight.delete(p);
        });
      p.catch(() => undefined); // handled by the race/all below; avoids an unhandled rejection
      inflight.add(p);
      worker = (worker + 1) % workers;
    }
    await Promise.all(inflight);
  } finally {
    await Promise.allSettled(inflight);
  }
  return toHex(new Uint8Array(whole.digest()));
}
