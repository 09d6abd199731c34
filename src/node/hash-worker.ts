/**
 * The hashing worker thread: the module every worker of worker-pool.ts runs (built to
 * dist/node/hash-worker.js). `workerData` is `{job, data}`:
 * - `tree-leaves` (tree-pool.ts), data `{path, leafBytes}`: a task `{first, count, totalLength,
 *   shared?, sharedFirst?}` hashes leaves [first, first+count) with node:crypto, from its own
 *   positioned reads of `path` or from a shared buffer the main thread filled; the result is their
 *   32-byte hashes, concatenated (transferred).
 * - `file-batch` (file-pool.ts), data `{moduleUrl, options}`: imports `moduleUrl` (a module
 *   exporting `hashFileBatch`) and runs it on each task `{files}`, so every file gets exactly the
 *   checks of the calling thread.
 * It posts `{ready: true}` once set up, or `{fatal}` when it cannot be; then `{id, result}` or
 * `{id, error}` per task.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { FileBatchOptions, FileTask, hashFileBatch } from './file-pool.js';
import type { WorkerJob, WorkerTaskFailure } from './worker-pool.js';

interface LeavesTask {
  id: number;
  first: number;
  count: number;
  totalLength: number;
  shared?: SharedArrayBuffer;
  sharedFirst?: number;
}

function failure(e: unknown): WorkerTaskFailure {
  const err = e as { code?: unknown; message?: unknown; path?: unknown } | undefined;
  return {
    ...(typeof err?.code === 'string' ? { code: err.code } : {}),
    message: typeof err?.message === 'string' ? err.message : String(e),
    ...(typeof err?.path === 'string' ? { path: err.path } : {}),
  };
}

const PREFIX = new Uint8Array([0]);

function treeLeaves(port: MessagePort, data: { path: string; leafBytes: number }): void {
  const { path, leafBytes } = data;
  const buf = new Uint8Array(leafBytes);
  let fd = -1;
  port.on('message', (task: LeavesTask) => {
    try {
      const out = new Uint8Array(32 * task.count);
      for (let i = 0; i < task.count; i++) {
        const leaf = task.first + i;
        const len = Math.min(leafBytes, task.totalLength - leaf * leafBytes);
        let view: Uint8Array;
        if (task.shared) {
          view = new Uint8Array(task.shared, (leaf - task.sharedFirst!) * leafBytes, len);
        } else {
          if (fd < 0) fd = openSync(path, 'r');
          let got = 0;
          while (got < len) {
            const n = readSync(fd, buf, got, len - got, leaf * leafBytes + got);
            if (n === 0) break;
            got += n;
          }
          if (got !== len) {
            port.postMessage({ id: task.id, error: { message: `leaf ${leaf} was short`, shortLeaf: leaf } });
            return;
          }
          view = buf.subarray(0, len);
        }
        out.set(createHash('sha256').update(PREFIX).update(view).digest(), 32 * i);
      }
      port.postMessage({ id: task.id, result: out }, [out.buffer]);
    } catch (e) {
      port.postMessage({ id: task.id, error: failure(e) });
    }
  });
  port.on('close', () => {
    if (fd >= 0) closeSync(fd);
  });
  port.postMessage({ ready: true });
}

async function fileBatch(port: MessagePort, data: { moduleUrl: string; options: FileBatchOptions }): Promise<void> {
  let run: typeof hashFileBatch;
  try {
    const m = (await import(data.moduleUrl)) as { hashFileBatch?: typeof hashFileBatch };
    if (typeof m.hashFileBatch !== 'function') throw new Error(`${data.moduleUrl} has no hashFileBatch`);
    run = m.hashFileBatch;
  } catch (e) {
    port.postMessage({ fatal: e instanceof Error ? e.message : String(e) });
    return;
  }
  port.on('message', (task: { id: number; files: FileTask[] }) => {
    run(task.files, data.options).then(
      (result) => port.postMessage({ id: task.id, result }),
      (e: unknown) => port.postMessage({ id: task.id, error: failure(e) }),
    );
  });
  port.postMessage({ ready: true });
}

const { job, data } = workerData as { job: WorkerJob; data: unknown };
if (parentPort) {
  if (job === 'tree-leaves') treeLeaves(parentPort, data as { path: string; leafBytes: number });
  else void fileBatch(parentPort, data as { moduleUrl: string; options: FileBatchOptions });
}
