/**
 * Hashing trees on disk: Lineproof v1 manifests (`hashDirectory`, `hashPath`), incremental
 * re-hashing (`rehashDirectory`) and model_signing manifests (`hashOmsModel`). The walk is
 * {@link walkTree}; files are read once each by {@link readFileChunks} into one reused buffer and
 * hashed with node:crypto.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ERROR_CODES, LineproofError, type ErrorCode } from '../errors.js';
import { parseTreeAlgorithm, treeHashEngine } from '../hashing/tree.js';
import { StreamDigest } from '../hashing/stream.js';
import { ShardDigest } from '../hashing/shards.js';
import { isHashAlgorithm } from '../hashing/engines.js';
import type { HashAlgorithm, HashEngine } from '../hashing/types.js';
import { buildManifest, manifestDigestText, manifestSubject, type ManifestItemInput } from '../manifest/build.js';
import { DEFAULT_IGNORE, ignoreMatcher, normalizeIgnore, omsIgnores } from '../manifest/ignore.js';
import { checkPathSet } from '../manifest/path.js';
import { planRehash, completeRehash, assertVerifiedManifest, type RehashResult } from '../manifest/incremental.js';
import type { VerifiedManifest } from '../manifest/verify.js';
import type { HashedManifest, Manifest, ManifestSubject, StatHint } from '../manifest/types.js';
import {
  buildOmsManifest,
  omsSerialization,
  type OmsItem,
  type OmsManifest,
  type OmsSerializationOptions,
} from '../manifest/oms.js';
import { DEFAULT_LIMITS, resolveLimits, type Limits } from '../limits.js';
import { nodeHashEngine } from './hash-engine.js';
import { READ_BUFFER_BYTES, readFileChunks } from './hash-file.js';
import { walkTree, type WalkFile, type WalkResult } from './walk.js';

/** Progress of a tree hash, reported after each chunk (at most every 256 KiB). */
export interface TreeProgress {
  /** The file being hashed (relative path). */
  path: string;
  bytesDone: number;
  bytesTotal: number;
  filesDone: number;
  filesTotal: number;
}

/** Options of {@link hashDirectory} and {@link hashPath}. */
export interface HashTreeOptions {
  /** Algorithms of each item (default `['sha256']`), computed with node:crypto; or engines. */
  algorithms?: readonly (HashAlgorithm | HashEngine)[];
  /** Ignore patterns (default `.git/`, `*.intoto.jsonl`, `model.sig`); recorded in the manifest. */
  ignore?: readonly string[];
  /** Follow symbolic links whose target is inside the root (default false: refuse them). */
  allowSymlinks?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: TreeProgress) => void;
  limits?: Partial<Limits>;
  /**
   * Files changed less than this many milliseconds before they were read get no stat hint, so
   * they are always re-hashed by {@link rehashDirectory} (default 2000; see RACY_WINDOW_NS).
   */
  racyWindowMs?: number;
  /**
   * Worker threads for trees of many files (default: one per core; 0 or 1: the calling thread).
   * Each worker runs the same per-file checks ({@link hashFileBatch}).
   */
  workers?: number;
  /**
   * URL of the adapter module the workers import (default: this package's `lineproof/node`).
   * Set it when the adapter is bundled into another file; if workers cannot load it, hashing
   * falls back to the calling thread.
   */
  workerModule?: string;
}

/** A hashed directory: its manifest, subject and the stat hints observed while hashing. */
export interface HashedTree extends HashedManifest {
  kind: 'directory';
  /** Absolute real path of the root. */
  root: string;
  manifest: Manifest;
  hints: Record<string, StatHint>;
  /** `sha256:<hex>` of the manifest's JCS bytes: the subject digest. */
  digest: string;
  subject: ManifestSubject;
  /** Total bytes hashed. */
  size: number;
  files: number;
  /** Entries skipped by the ignore list. */
  ignored: string[];
}

/** A hashed single file. */
export interface HashedSingleFile {
  kind: 'file';
  root: string;
  /** `<alg>:<hex>` of the first algorithm: the subject digest. */
  digest: string;
  subject: { name: string; digest: Record<string, string> };
  size: number;
  files: 1;
  hint: StatHint | null;
}

function engineList(algorithms: readonly (HashAlgorithm | HashEngine)[] | undefined): HashEngine[] {
  const list = algorithms ?? ['sha256'];
  if (list.length === 0) throw new TypeError('"algorithms" expected at least one algorithm');
  return list.map((a) => {
    if (typeof a !== 'string') return a;
    if (!isHashAlgorithm(a))
      throw new LineproofError(
        'HASH_ALGORITHM_UNSUPPORTED',
        `algorithm: expected sha256, sha512, blake2b or blake3, got ${JSON.stringify(a)}`,
        { path: 'algorithms', actual: String(a) },
      );
    return nodeHashEngine(a);
  });
}

function racyWindowNs(options: HashTreeOptions): bigint | undefined {
  if (options.racyWindowMs === undefined) return undefined;
  if (!Number.isFinite(options.racyWindowMs) || options.racyWindowMs < 0)
    throw new RangeError(`"racyWindowMs" expected a non-negative number, got ${String(options.racyWindowMs)}`);
  return BigInt(Math.floor(options.racyWindowMs)) * 1_000_000n;
}

interface HashFilesResult {
  items: ManifestItemInput[];
  hints: Record<string, StatHint>;
  size: number;
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

function enginesByName(algorithms: readonly string[]): HashEngine[] {
  return algorithms.map((a) => {
    const tree = parseTreeAlgorithm(a);
    if (tree) return treeHashEngine(tree.leafBytes);
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
  const out: Array<{ item: ManifestItemInput; hint: StatHint | null }> = [];
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

/** Trees with fewer files than this are hashed on the calling thread (a worker costs ~30 ms). */
const PARALLEL_MIN_FILES = 512;

async function hashFiles(
  files: readonly WalkFile[],
  engines: HashEngine[],
  options: HashTreeOptions,
  what: (f: WalkFile) => string,
  within: string,
): Promise<HashFilesResult> {
  const bytesTotal = files.reduce((n, f) => n + f.size, 0);
  // Keyed by file path: no prototype, so a file named __proto__ is an ordinary key.
  const hints: Record<string, StatHint> = Object.create(null) as Record<string, StatHint>;
  let bytesDone = 0;
  let filesDone = 0;
  const racy = racyWindowNs(options);
  const tasks: FileTask[] = files.map((f) => ({
    path: f.path,
    absPath: f.absPath,
    what: what(f),
    size: f.size,
    ino: f.hint.ino,
    dev: f.hint.dev,
    viaSymlink: f.viaSymlink,
  }));
  const names = engines.map((e) => e.algorithm);
  // Engines given by name can be rebuilt in a worker; a caller's own engine object cannot.
  const transferable = engines.every((e) =>
    isHashAlgorithm(e.algorithm)
      ? e === nodeHashEngine(e.algorithm as HashAlgorithm)
      : parseTreeAlgorithm(e.algorithm) !== undefined,
  );
  const workers = options.workers ?? availableParallelism();
  let results: Array<{ item: ManifestItemInput; hint: StatHint | null }> | undefined;
  if (tasks.length >= PARALLEL_MIN_FILES && workers > 1 && transferable) {
    results = await hashFilesParallel(
      tasks,
      { algorithms: names, within, ...(racy === undefined ? {} : { racyWindowNs: racy }) },
      Math.min(workers, 16),
      options,
      (n, f) => {
        bytesDone += n;
        filesDone += f;
        options.onProgress?.({ path: '', bytesDone, bytesTotal, filesDone, filesTotal: files.length });
      },
    );
    if (results === undefined) {
      // Workers could not load the adapter (e.g. it was bundled): hash on this thread instead.
      bytesDone = 0;
      filesDone = 0;
    }
  }
  results ??= await hashFileBatch(tasks, {
    algorithms: names,
    engines,
    within,
    ...(racy === undefined ? {} : { racyWindowNs: racy }),
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
  const items: ManifestItemInput[] = [];
  let size = 0;
  for (const r of results) {
    items.push(r.item);
    size += r.item.size;
    if (r.hint) hints[r.item.path] = r.hint;
  }
  return { items, hints, size };
}

// The worker is plain JavaScript evaluated from a string; it imports this adapter (the built one:
// dist/node/index.js) and runs hashFileBatch, so every file gets exactly the checks above.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.moduleUrl).then((m) => {
  parentPort.on('message', async (batch) => {
    try {
      const out = await m.hashFileBatch(batch.files, workerData.options);
      parentPort.postMessage({ id: batch.id, out });
    } catch (e) {
      parentPort.postMessage({ id: batch.id, error: { code: e && e.code, message: String(e && e.message || e), path: e && e.path } });
    }
  });
  parentPort.postMessage({ ready: true });
}, (e) => parentPort.postMessage({ fatal: String(e && e.message || e) }));
`;

/** URL of the built adapter the workers import (the tests run the sources, after a build). */
function adapterUrl(): string {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL('../../dist/node/index.js', here).href : new URL('./index.js', here).href;
}

async function hashFilesParallel(
  tasks: FileTask[],
  batchOptions: FileBatchOptions,
  workers: number,
  options: HashTreeOptions,
  progress: (bytes: number, files: number) => void,
): Promise<Array<{ item: ManifestItemInput; hint: StatHint | null }> | undefined> {
  if (options.signal?.aborted) throw new LineproofError('ABORTED', 'hashing aborted');
  let unavailable = false;
  const per = Math.max(16, Math.min(256, Math.ceil(tasks.length / (workers * 8))));
  const batches: FileTask[][] = [];
  for (let i = 0; i < tasks.length; i += per) batches.push(tasks.slice(i, i + per));
  const results: Array<Array<{ item: ManifestItemInput; hint: StatHint | null }>> = new Array(batches.length);
  const pool = Array.from(
    { length: workers },
    () =>
      new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { moduleUrl: options.workerModule ?? adapterUrl(), options: batchOptions },
      }),
  );
  let next = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let finished = 0;
      let failed = false;
      const fail = (e: unknown) => {
        if (failed) return;
        failed = true;
        reject(e);
      };
      const onAbort = () => fail(new LineproofError('ABORTED', 'hashing aborted'));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      const give = (w: Worker) => {
        if (failed) return;
        if (next >= batches.length) return;
        const id = next++;
        w.postMessage({ id, files: batches[id] });
      };
      for (const w of pool) {
        w.on(
          'message',
          (m: {
            ready?: boolean;
            fatal?: string;
            id?: number;
            out?: Array<{ item: ManifestItemInput; hint: StatHint | null }>;
            error?: { code?: string; message: string; path?: string };
          }) => {
            if (m.fatal) {
              // The adapter module could not be loaded in a worker: the caller falls back.
              unavailable = true;
              return fail(new LineproofError('INTERNAL', `hashing worker could not start: ${m.fatal}`));
            }
            if (m.ready) return give(w);
            if (m.error) {
              const code =
                m.error.code && Object.hasOwn(ERROR_CODES, m.error.code) ? (m.error.code as ErrorCode) : 'IO_ERROR';
              return fail(new LineproofError(code, m.error.message, m.error.path ? { path: m.error.path } : {}));
            }
            results[m.id!] = m.out!;
            progress(
              m.out!.reduce((n, r) => n + r.item.size, 0),
              m.out!.length,
            );
            if (++finished === batches.length) {
              options.signal?.removeEventListener('abort', onAbort);
              resolve();
            } else give(w);
          },
        );
        w.on('error', (e) => fail(new LineproofError('INTERNAL', `hashing worker failed: ${e.message}`, { cause: e })));
      }
      if (batches.length === 0) resolve();
    });
  } catch (e) {
    if (unavailable) return undefined;
    throw e;
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results.flat();
}

async function walkForManifest(root: string, ignore: readonly string[], options: HashTreeOptions): Promise<WalkResult> {
  const matcher = ignoreMatcher(ignore);
  const limits = resolveLimits(options.limits);
  const walk = await walkTree(root, {
    symlinks: options.allowSymlinks ? 'within-root' : 'refuse',
    ignore: (p, isDir) => matcher.matchesEntry(p, isDir),
    ...(options.signal ? { signal: options.signal } : {}),
    maxEntries: limits.manifestItems ?? DEFAULT_LIMITS.manifestItems,
  });
  if (walk.kind === 'directory')
    checkPathSet(
      walk.files.map((f) => f.path),
      root,
    );
  return walk;
}

/**
 * Hash a directory into a Lineproof v1 manifest.
 *
 * 1. Walk the tree safely ({@link walkTree}): symlinks refused (or followed inside the root with
 *    `allowSymlinks`), special files refused, the ignore list applied, names checked.
 * 2. Check the paths as a set (duplicates, NFC collisions) before reading any byte.
 * 3. Hash each file once with node:crypto, verifying it did not change while read.
 * 4. Build the manifest and its subject (`sha256` of its JCS bytes, with the manifest media type).
 *
 * @param root the directory
 * @param options algorithms, ignore, allowSymlinks, signal, onProgress, limits
 * @returns manifest, subject digest, stat hints, size and counts
 * @throws {LineproofError} every code of {@link walkTree}, path rule codes,
 *   FILE_CHANGED_WHILE_HASHING, INVALID_ARGUMENT when `root` is a file
 * @example
 * ```ts
 * const tree = await hashDirectory('model/');
 * tree.digest;  // 'sha256:…' — what `lineproof hash model/ --json` prints and --digest takes
 * ```
 */
export async function hashDirectory(root: string, options: HashTreeOptions = {}): Promise<HashedTree> {
  const engines = engineList(options.algorithms);
  const ignore = normalizeIgnore(options.ignore ?? DEFAULT_IGNORE);
  const walk = await walkForManifest(root, ignore, options);
  if (walk.kind !== 'directory')
    throw new LineproofError(
      'INVALID_ARGUMENT',
      `${root}: is a file; hashDirectory expects a directory (use hashPath or hashFile)`,
      { path: root },
    );
  return hashWalked(walk, engines, ignore, options);
}

async function hashWalked(
  walk: WalkResult,
  engines: HashEngine[],
  ignore: string[],
  options: HashTreeOptions,
): Promise<HashedTree> {
  const { items, hints, size } = await hashFiles(walk.files, engines, options, (f) => f.path, walk.root);
  const manifest = buildManifest(items, {
    algorithms: engines.map((e) => e.algorithm),
    ignore,
    ...(options.limits ? { limits: options.limits } : {}),
  });
  return {
    kind: 'directory',
    root: walk.root,
    manifest,
    hints,
    digest: manifestDigestText(manifest),
    subject: manifestSubject(manifest, walk.name),
    size,
    files: walk.files.length,
    ignored: walk.ignored,
  };
}

/**
 * Hash a file or a directory: a file's subject digest is the digest of its bytes (decisions §3); a
 * directory's is its manifest digest (see {@link hashDirectory}).
 * @throws {LineproofError} as {@link hashDirectory} and {@link readFileChunks}
 * @example
 * ```ts
 * const r = await hashPath('weights.bin');  // { kind: 'file', digest: 'sha256:…', size, … }
 * ```
 * @param path a file or a directory
 * @param options as {@link hashDirectory}
 * @returns a {@link HashedSingleFile} or a {@link HashedTree}
 */
export async function hashPath(path: string, options: HashTreeOptions = {}): Promise<HashedTree | HashedSingleFile> {
  const engines = engineList(options.algorithms);
  const ignore = normalizeIgnore(options.ignore ?? DEFAULT_IGNORE);
  const walk = await walkForManifest(path, ignore, options);
  if (walk.kind === 'directory') return hashWalked(walk, engines, ignore, options);
  const f = walk.files[0]!;
  const d = new StreamDigest(engines, { what: path });
  let done = 0;
  const racy = racyWindowNs(options);
  const r = await readFileChunks(f.absPath, (c) => d.update(c), {
    what: path,
    follow: true,
    ...(racy === undefined ? {} : { racyWindowNs: racy }),
    expect: { size: f.size, ino: f.hint.ino, dev: f.hint.dev },
    ...(options.signal ? { signal: options.signal } : {}),
    onBytes: (n) => {
      done += n;
      options.onProgress?.({ path, bytesDone: done, bytesTotal: f.size, filesDone: 0, filesTotal: 1 });
    },
  });
  const res = d.finish();
  const first = engines[0]!.algorithm;
  return {
    kind: 'file',
    root: walk.root,
    digest: `${first}:${res.digests[first]}`,
    subject: { name: walk.name, digest: res.digests },
    size: res.size,
    files: 1,
    hint: r.hint,
  };
}

/** The result of {@link rehashDirectory}. */
export interface RehashedTree extends RehashResult {
  root: string;
  subject: ManifestSubject;
  /** Stat hints of the new manifest's files (reused ones keep theirs). */
  hints: Record<string, StatHint>;
  /** Bytes actually read. */
  bytesHashed: number;
}

/**
 * Re-hash a directory that was verified before, reading only the files whose stat changed.
 *
 * 1. Refuse anything but a {@link VerifiedManifest} from `verifyManifest` (MANIFEST_NOT_VERIFIED).
 * 2. Walk with the verified manifest's ignore list; stat every file.
 * 3. Reuse a verified digest only when the path was verified and its size, mtime, ctime, inode and
 *    device all equal the hint recorded when its bytes were hashed; hash everything else.
 * 4. Build the new manifest with the same hashing configuration; say which digests were reused and
 *    from which manifest and payload digest.
 *
 * @param root the directory (the same tree that was verified)
 * @param verified from `verifyManifest`
 * @param options allowSymlinks, signal, onProgress (algorithms and ignore come from the manifest)
 * @throws {LineproofError} MANIFEST_NOT_VERIFIED, HASH_ALGORITHM_UNSUPPORTED (an algorithm the
 *   adapter cannot compute), and the codes of {@link hashDirectory}
 * @example
 * ```ts
 * const r = await rehashDirectory('model/', verified);
 * r.reused.length; r.hashed; r.reusedFrom.payloadDigest;
 * ```
 * @returns the new manifest and digest, reused / hashed / removed paths, where the reused digests come from, new hints and the bytes read
 */
export async function rehashDirectory(
  root: string,
  verified: VerifiedManifest,
  options: Omit<HashTreeOptions, 'algorithms' | 'ignore'> = {},
): Promise<RehashedTree> {
  assertVerifiedManifest(verified);
  const algs = verified.manifest.hashing.algorithms;
  for (const a of algs) {
    if (!isHashAlgorithm(a))
      throw new LineproofError(
        'HASH_ALGORITHM_UNSUPPORTED',
        `the verified manifest uses ${a}, which rehashDirectory cannot compute`,
        { path: 'hashing.algorithms', actual: a },
      );
  }
  const engines = algs.map((a) => nodeHashEngine(a as HashAlgorithm));
  const walk = await walkForManifest(root, verified.manifest.ignore, options);
  if (walk.kind !== 'directory')
    throw new LineproofError('INVALID_ARGUMENT', `${root}: is a file; rehashDirectory expects a directory`, {
      path: root,
    });
  const plan = planRehash(
    verified,
    walk.files.map((f) => [f.path, f.hint] as const),
  );
  const todo = new Set(plan.hash);
  const fresh = await hashFiles(
    walk.files.filter((f) => todo.has(f.path)),
    engines,
    options,
    (f) => f.path,
    walk.root,
  );
  const result = completeRehash(verified, plan, fresh.items);
  const hints: Record<string, StatHint> = Object.assign(Object.create(null) as Record<string, StatHint>, fresh.hints);
  for (const it of plan.reuse) hints[it.path] = verified.hints[it.path]!;
  return {
    ...result,
    root: walk.root,
    subject: manifestSubject(result.manifest, walk.name),
    hints,
    bytesHashed: fresh.size,
  };
}

/** Options of {@link hashOmsModel}. */
export interface HashOmsModelOptions extends OmsSerializationOptions {
  /** Subject name (default: the model path's base name, as model_signing). */
  modelName?: string;
  signal?: AbortSignal;
  onProgress?: (progress: TreeProgress) => void;
}

/** A model hashed in model_signing mode. */
export interface HashedOmsModel {
  manifest: OmsManifest;
  /** `sha256:<root>`: the subject digest. */
  digest: string;
  root: string;
  kind: 'file' | 'directory';
  size: number;
  files: number;
  ignored: string[];
  /** Entries model_signing leaves out without error (links to directories). */
  skipped: { path: string; reason: string }[];
}

/**
 * Hash a model exactly as OpenSSF model_signing does (`files` or `shards`), giving its manifest
 * and root digest — the subject digest of its signature.
 *
 * Symlinks: without `allowSymlinks` every symbolic link (the model path too) fails with
 * SYMLINK_REFUSED; with it, model_signing's semantics: a link to a file is hashed as that file
 * wherever it points, a link to a directory is not descended (listed in `skipped`).
 * Ignore paths are relative to the model and ignore everything below them; pass model_signing's
 * defaults yourself ({@link OMS_GIT_IGNORE_PATHS} and the signature file) to hash what its CLI
 * hashes.
 *
 * @throws {LineproofError} OMS_UNSUPPORTED_COMBINATION, OMS_PATH_UNSUPPORTED, the codes of
 *   {@link walkTree}, FILE_CHANGED_WHILE_HASHING
 * @example
 * ```ts
 * const m = await hashOmsModel('model/', { method: 'shards', allowSymlinks: true });
 * m.digest; // 'sha256:…' = the subject digest model_signing signs
 * ```
 * @param path the model directory, or the file of a single-file model
 * @param options method, hash type, shard size, allowSymlinks, ignore paths, model name, signal, onProgress
 * @returns the manifest, its root digest (`sha256:<hex>`), sizes, ignored and skipped entries
 */
export async function hashOmsModel(path: string, options: HashOmsModelOptions): Promise<HashedOmsModel> {
  const serialization = omsSerialization(options);
  const ignorePaths = serialization.ignore_paths ?? [];
  const walk = await walkTree(path, {
    symlinks: serialization.allow_symlinks ? 'oms' : 'refuse',
    rootSymlink: serialization.allow_symlinks ? 'follow' : 'refuse',
    pathRules: 'lenient',
    ignore: (p) => omsIgnores(ignorePaths, p),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const engine = nodeHashEngine(serialization.hash_type);
  const buffer = new Uint8Array(READ_BUFFER_BYTES);
  const items: OmsItem[] = [];
  let bytesDone = 0;
  let filesDone = 0;
  for (const f of walk.files) {
    const name = walk.kind === 'file' ? '.' : f.path;
    const opts = {
      what: walk.kind === 'file' ? path : f.path,
      follow: f.viaSymlink || walk.kind === 'file',
      expect: { size: f.size, ino: f.hint.ino, dev: f.hint.dev },
      buffer,
      // model_signing with allow_symlinks follows links anywhere; otherwise nothing may resolve outside.
      ...(serialization.allow_symlinks || walk.kind === 'file' ? {} : { within: walk.root }),
      ...(options.signal ? { signal: options.signal } : {}),
      onBytes: (n: number) => {
        bytesDone += n;
        options.onProgress?.({
          path: name,
          bytesDone,
          bytesTotal: walk.size,
          filesDone,
          filesTotal: walk.files.length,
        });
      },
    };
    if (serialization.method === 'files') {
      const d = new StreamDigest([engine], { what: opts.what });
      await readFileChunks(f.absPath, (c) => d.update(c), opts);
      items.push({ path: name, digest: d.finish().digests[engine.algorithm]! });
    } else {
      const d = new ShardDigest(engine, serialization.shard_size!);
      await readFileChunks(f.absPath, (c) => d.update(c), opts);
      for (const s of d.finish(f.size, opts.what))
        items.push({ path: name, digest: s.digest, start: s.start, end: s.end });
    }
    filesDone++;
  }
  const manifest = buildOmsManifest({ modelName: options.modelName ?? walk.name, serialization, items });
  return {
    manifest,
    digest: `sha256:${manifest.rootDigest}`,
    root: walk.root,
    kind: walk.kind,
    size: bytesDone,
    files: walk.files.length,
    ignored: walk.ignored,
    skipped: walk.skipped,
  };
}
