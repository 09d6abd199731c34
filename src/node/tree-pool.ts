/**
 * Chunk-tree hashing of a file on all cores: a `worker_threads` pool hashing leaves with
 * node:crypto into reused buffers (spec/hashing.md, decisions §3).
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
import { Worker } from 'node:worker_threads';
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

// The worker is plain JavaScript evaluated from a string so it runs the same from src/ (tests)
// and dist/ (the package) without a loader. It hashes leaves [first, first+count) either from
// its own positioned reads of `path` or from a shared buffer slot.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { openSync, readSync, closeSync } = require('node:fs');
const { createHash } = require('node:crypto');
const { path, leafBytes } = workerData;
const PREFIX = new Uint8Array([0]);
let fd = -1;
const buf = new Uint8Array(leafBytes);
parentPort.on('message', (task) => {
  try {
    const out = new Uint8Array(32 * task.count);
    for (let i = 0; i < task.count; i++) {
      const leaf = task.first + i;
      const len = Math.min(leafBytes, task.totalLength - leaf * leafBytes);
      let view;
      if (task.shared) {
        view = new Uint8Array(task.shared, (leaf - task.sharedFirst) * leafBytes, len);
      } else {
        if (fd < 0) fd = openSync(path, 'r');
        let got = 0;
        while (got < len) {
          const n = readSync(fd, buf, got, len - got, leaf * leafBytes + got);
          if (n === 0) break;
          got += n;
        }
        if (got !== len) { parentPort.postMessage({ id: task.id, error: 'short-read', leaf }); return; }
        view = buf.subarray(0, len);
      }
      out.set(createHash('sha256').update(PREFIX).update(view).digest(), 32 * i);
    }
    parentPort.postMessage({ id: task.id, hashes: out }, [out.buffer]);
  } catch (e) {
    parentPort.postMessage({ id: task.id, error: String(e && e.code || e) });
  }
});
parentPort.on('close', () => { if (fd >= 0) closeSync(fd); });
`;

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
    const workers = n < 4 ? 0 : Math.min(requested, n);
    const leafHashes: Uint8Array[] = new Array(n);
    let whole: string | undefined;
    if (workers === 0) whole = hashInline(fd, path, totalLength, leafBytes, leafHashes, options);
    else if (options.sha256) whole = await hashShared(fd, path, totalLength, leafBytes, workers, leafHashes, options);
    else await hashSelfRead(path, totalLength, leafBytes, workers, leafHashes, options);
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

/** Start `count` workers and give each a `run(task)` that resolves with its leaf hashes. */
function startPool(path: string, leafBytes: number, count: number, signal: AbortSignal | undefined) {
  const pool = Array.from(
    { length: count },
    () => new Worker(WORKER_SOURCE, { eval: true, workerData: { path, leafBytes } }),
  );
  let nextId = 0;
  const pending = new Map<number, { resolve: (h: Uint8Array) => void; reject: (e: unknown) => void; task: Task }>();
  let failed: unknown;
  const failAll = (e: unknown) => {
    failed ??= e;
    for (const p of pending.values()) p.reject(failed);
    pending.clear();
  };
  for (const w of pool) {
    w.on('message', (m: { id: number; hashes?: Uint8Array; error?: string; leaf?: number }) => {
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.error === 'short-read') p.reject(changed(path, `leaf ${m.leaf} was short`));
      else if (m.error)
        p.reject(new LineproofError('IO_ERROR', `${path}: worker could not read (${m.error})`, { path }));
      else p.resolve(m.hashes!);
    });
    w.on('error', (e) => failAll(new LineproofError('INTERNAL', `tree worker failed: ${e.message}`, { cause: e })));
  }
  const onAbort = () => failAll(new LineproofError('ABORTED', `${path}: hashing aborted`));
  signal?.addEventListener('abort', onAbort, { once: true });
  return {
    run(worker: number, task: Omit<Task, 'id'>): Promise<Uint8Array> {
      if (failed) return Promise.reject(failed);
      const id = nextId++;
      return new Promise<Uint8Array>((resolve, reject) => {
        pending.set(id, { resolve, reject, task: { ...task, id } });
        pool[worker]!.postMessage({ ...task, id });
      });
    },
    async close() {
      signal?.removeEventListener('abort', onAbort);
      await Promise.all(pool.map((w) => w.terminate()));
    },
  };
}

function store(leafHashes: Uint8Array[], first: number, hashes: Uint8Array): void {
  for (let i = 0; i * 32 < hashes.length; i++) leafHashes[first + i] = hashes.subarray(32 * i, 32 * i + 32);
}

async function hashSelfRead(
  path: string,
  totalLength: number,
  leafBytes: number,
  workers: number,
  leafHashes: Uint8Array[],
  options: FileTreeOptions,
): Promise<void> {
  const n = leafHashes.length;
  // Batches of about 16 MiB, but small enough that every worker gets several.
  const batch = Math.max(1, Math.min(Math.floor((16 << 20) / leafBytes), Math.ceil(n / (workers * 4))));
  const pool = startPool(path, leafBytes, workers, options.signal);
  let next = 0;
  let done = 0;
  try {
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
  } finally {
    await pool.close();
  }
}

async function hashShared(
  fd: number,
  path: string,
  totalLength: number,
  leafBytes: number,
  workers: number,
  leafHashes: Uint8Array[],
  options: FileTreeOptions,
): Promise<string> {
  const n = leafHashes.length;
  const segLeaves = Math.max(1, Math.floor((8 << 20) / leafBytes));
  const segBytes = segLeaves * leafBytes;
  const slots = Array.from({ length: workers * 2 }, () => new SharedArrayBuffer(segBytes));
  const free: number[] = slots.map((_, i) => i);
  const whole = createHash('sha256');
  const pool = startPool(path, leafBytes, workers, options.signal);
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
    await pool.close();
  }
  return toHex(new Uint8Array(whole.digest()));
}
