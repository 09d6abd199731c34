/**
 * The one worker-thread pool of the adapter, used by the chunk-tree pool (tree-pool.ts: leaves of
 * one file) and the file pool (file-pool.ts: batches of walked files). Every worker runs the real
 * module hash-worker.ts (dist/node/hash-worker.js), which sets up one job and answers tasks.
 *
 * Protocol: a worker posts `{ready: true}` once its job is set up, or `{fatal}` when it cannot be
 * (a module it imports is missing); then it answers each `{id, ...task}` with `{id, result}` or
 * `{id, error}`. Tasks are posted only after every worker is ready, so a pool whose workers cannot
 * load says so (`ready` is false) before any work is given, and the caller hashes on its own thread.
 */
import { Worker, type TransferListItem } from 'node:worker_threads';
import { LineproofError } from '../errors.js';

/** The jobs hash-worker.ts can run. */
export type WorkerJob = 'tree-leaves' | 'file-batch';

/** A task's failure as a worker reports it (structured-clone safe). */
export interface WorkerTaskFailure {
  /** The error's code (a LineproofError code, or an errno code such as `EIO`). */
  code?: string;
  message: string;
  path?: string;
  /** tree-leaves: the leaf that was short (the file shrank). */
  shortLeaf?: number;
}

/** A task that failed in a worker: the failure is in `failure`; the pool itself keeps running. */
export class WorkerTaskError extends Error {
  constructor(readonly failure: WorkerTaskFailure) {
    super(failure.message);
    this.name = 'WorkerTaskError';
  }
}

/** A started pool. */
export interface WorkerPool<T, R> {
  readonly size: number;
  /** True once every worker has set up its job; false when one could not (nothing was run). */
  readonly ready: Promise<boolean>;
  /**
   * Run a task on worker `worker` (0 ≤ worker < size).
   * @throws {WorkerTaskError} when the task failed in the worker
   * @throws {LineproofError} ABORTED (the signal), INTERNAL (a worker crashed or could not start)
   */
  run(worker: number, task: T, transfer?: readonly TransferListItem[]): Promise<R>;
  /** Stop every worker; tasks still running are rejected. */
  close(): Promise<void>;
}

/** Options of {@link startWorkerPool}. */
export interface WorkerPoolOptions {
  job: WorkerJob;
  /** The job's set-up data (structured-clone safe), as `workerData.data`. */
  data: unknown;
  /** Number of workers (at least 1). */
  count: number;
  /** Names the workers in errors, e.g. `tree worker`. */
  name: string;
  signal?: AbortSignal;
  /** The error every running task is rejected with when `signal` aborts. */
  abortError: () => Error;
}

const HERE = import.meta.url;

/**
 * URL of a module of the built adapter, `dist/node/<file>`: next to this module once built; from
 * the sources (the tests run them, after a build) the built copy, since a worker runs plain JS.
 * @param file a file name under dist/node, e.g. `hash-worker.js`
 * @returns its URL
 */
export function builtModuleUrl(file: string): URL {
  return HERE.endsWith('.ts') ? new URL(`../../dist/node/${file}`, HERE) : new URL(`./${file}`, HERE);
}

interface Pending {
  resolve: (r: unknown) => void;
  reject: (e: unknown) => void;
}

type Reply = { ready?: true; fatal?: string; id?: number; result?: unknown; error?: WorkerTaskFailure };

/**
 * Start `count` workers running `job` of hash-worker.js.
 * @param options job, set-up data, count, name, signal and its error
 * @returns the pool (call `close` when done)
 */
export function startWorkerPool<T, R>(options: WorkerPoolOptions): WorkerPool<T, R> {
  const url = builtModuleUrl('hash-worker.js');
  const pending = new Map<number, Pending>();
  let nextId = 0;
  let failed: unknown;
  let closing = false;
  const failAll = (e: unknown): void => {
    failed ??= e;
    for (const p of pending.values()) p.reject(failed);
    pending.clear();
  };
  let readyCount = 0;
  let settleReady: (ok: boolean) => void = () => undefined;
  const ready = new Promise<boolean>((resolve) => (settleReady = resolve));
  const workers = Array.from({ length: options.count }, () => {
    const w = new Worker(url, { workerData: { job: options.job, data: options.data } });
    w.on('message', (m: Reply) => {
      if (m.fatal !== undefined) {
        failAll(new LineproofError('INTERNAL', `${options.name} could not start: ${m.fatal}`));
        return settleReady(false);
      }
      if (m.ready) {
        if (++readyCount === options.count) settleReady(true);
        return;
      }
      const p = pending.get(m.id!);
      if (!p) return;
      pending.delete(m.id!);
      if (m.error) p.reject(new WorkerTaskError(m.error));
      else p.resolve(m.result);
    });
    w.on('error', (e) => {
      // Before it is ready, a worker that fails could not load (its module is missing).
      failAll(new LineproofError('INTERNAL', `${options.name} failed: ${e.message}`, { cause: e }));
      settleReady(false);
    });
    w.on('exit', () => {
      if (closing) return;
      failAll(new LineproofError('INTERNAL', `${options.name} stopped unexpectedly`));
      settleReady(false);
    });
    return w;
  });
  const onAbort = (): void => failAll(options.abortError());
  options.signal?.addEventListener('abort', onAbort, { once: true });
  return {
    size: options.count,
    ready,
    async run(worker: number, task: T, transfer?: readonly TransferListItem[]): Promise<R> {
      const ok = await ready;
      if (!ok || failed !== undefined) throw failed;
      const id = nextId++;
      return new Promise<R>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
        workers[worker]!.postMessage({ ...task, id }, transfer);
      });
    },
    async close(): Promise<void> {
      closing = true;
      options.signal?.removeEventListener('abort', onAbort);
      failAll(new LineproofError('INTERNAL', `${options.name} pool closed`));
      settleReady(false);
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
