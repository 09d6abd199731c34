/**
 * Hashing trees on disk: Lineproof v1 manifests (`hashDirectory`, `hashPath`) and incremental
 * re-hashing (`rehashDirectory`). The walk is {@link walkTree}; the files are hashed by
 * file-pool.ts (read once each by {@link readFileChunks} into one reused buffer, with node:crypto,
 * on worker threads for large trees). model_signing manifests are hashed by oms.ts.
 */
import { LineproofError } from '../errors.js';
import { StreamDigest } from '../hashing/stream.js';
import { isHashAlgorithm } from '../hashing/engines.js';
import type { HashAlgorithm, HashEngine } from '../hashing/types.js';
import { buildManifest, manifestDigestText, manifestSubject } from '../manifest/build.js';
import { defaultIgnoreFor, ignoreMatcher, normalizeIgnore } from '../manifest/ignore.js';
import { checkPathSet } from '../manifest/path.js';
import { planRehash, completeRehash, assertVerifiedManifest, type RehashResult } from '../manifest/incremental.js';
import type { VerifiedManifest } from '../manifest/verify.js';
import type { HashedManifest, Manifest, ManifestSubject, StatHint } from '../manifest/types.js';
import { DEFAULT_LIMITS, resolveLimits, type Limits } from '../limits.js';
import { hashFiles, type FilePoolOptions, type TreeProgress } from './file-pool.js';
import { nodeHashEngine } from './hash-engine.js';
import { readFileChunks } from './hash-file.js';
import { walkTree, type WalkResult } from './walk.js';
import { checkLfsBlobs, detectHfSnapshot, lfsExpectations, requireHfSnapshot, type HfSnapshot } from './hf-cache.js';
import { lstatSync, realpathSync } from 'node:fs';
import { join } from 'node:path';

export type { TreeProgress } from './file-pool.js';

/** Options of {@link hashDirectory} and {@link hashPath}. */
export interface HashTreeOptions {
  /** Algorithms of each item (default `['sha256']`), computed with node:crypto; or engines. */
  algorithms?: readonly (HashAlgorithm | HashEngine)[];
  /**
   * Ignore patterns (default {@link defaultTreeIgnore}: `.git/`, `*.intoto.jsonl`, `model.sig`, and
   * `.cache/huggingface/` when the root holds it); recorded in the manifest.
   */
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
   * URL of a module exporting {@link hashFileBatch} that the workers import (default: this
   * package's own, dist/node/file-pool.js; `lineproof/node` exports it too). The workers run
   * dist/node/hash-worker.js: a bundled adapter ships it beside the bundle and sets this option;
   * if the workers cannot load either, hashing falls back to the calling thread.
   */
  workerModule?: string;
  /**
   * Hugging Face hub-cache snapshots (hf-cache.ts): `auto` (default) detects a root inside
   * `…/models--ORG--NAME/snapshots/REV` and then follows links only within `models--ORG--NAME/`
   * (its `blobs/`), whatever `allowSymlinks` says, cross-checking LFS blob names against the
   * SHA-256 computed; `true` requires that layout (HF_CACHE_LAYOUT_INVALID otherwise); `false`
   * treats the snapshot as any folder.
   */
  hfCache?: 'auto' | boolean;
}

/** What hashing a Hugging Face hub-cache snapshot found. */
export interface HfSnapshotInfo {
  repoType: HfSnapshot['repoType'];
  repoId: string;
  revision: string;
  /** Real path of the repository's cache folder links were allowed to resolve in. */
  repoDir: string;
  /** Files whose LFS blob name was cross-checked against their SHA-256. */
  lfsChecked: number;
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
  /** Set when the root was a Hugging Face hub-cache snapshot. */
  hfSnapshot?: HfSnapshotInfo;
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

function poolOptions(options: HashTreeOptions): FilePoolOptions {
  const racy = racyWindowNs(options);
  return { ...options, ...(racy === undefined ? {} : { racyWindowNs: racy }) };
}

/**
 * The default ignore list for a root on disk: `.git/`, `*.intoto.jsonl`, `model.sig`, plus
 * `.cache/huggingface/` when the root holds that folder (a `huggingface_hub --local-dir` download).
 * @param root a directory (a file or a missing path gets the plain default)
 * @returns the list
 * @example
 * ```ts
 * defaultTreeIgnore('./downloaded-model'); // [..., '.cache/huggingface/'] after `hf download --local-dir`
 * ```
 */
export function defaultTreeIgnore(root: string): string[] {
  let has = false;
  try {
    has = lstatSync(join(root, '.cache', 'huggingface')).isDirectory();
  } catch {
    // no such folder
  }
  return defaultIgnoreFor(has);
}

/** The hub-cache snapshot the root is, per `hfCache`; null for any other root. */
function snapshotOf(root: string, options: HashTreeOptions): HfSnapshot | null {
  const mode = options.hfCache ?? 'auto';
  if (mode === false) return null;
  let real: string;
  try {
    real = realpathSync(root);
  } catch {
    return null; // the walk reports the path
  }
  return mode === true ? requireHfSnapshot(root, real) : detectHfSnapshot(real);
}

/** @internal */
export interface ManifestWalk extends WalkResult {
  snapshot: HfSnapshot | null;
}

/** @internal The walk of a manifest hash (hash parts cut the same walk). */
export async function walkForManifest(
  root: string,
  ignore: readonly string[],
  options: HashTreeOptions,
): Promise<ManifestWalk> {
  const matcher = ignoreMatcher(ignore);
  const limits = resolveLimits(options.limits);
  const snapshot = snapshotOf(root, options);
  const walk = await walkTree(root, {
    symlinks: options.allowSymlinks || snapshot ? 'within-root' : 'refuse',
    ...(snapshot ? { linkRoot: snapshot.repoDir } : {}),
    ignore: (p, isDir) => matcher.matchesEntry(p, isDir),
    ...(options.signal ? { signal: options.signal } : {}),
    maxEntries: limits.manifestItems ?? DEFAULT_LIMITS.manifestItems,
  });
  if (walk.kind === 'directory')
    checkPathSet(
      walk.files.map((f) => f.path),
      root,
    );
  return { ...walk, snapshot: walk.kind === 'directory' ? snapshot : null };
}

/** Cross-check LFS blob names of a snapshot's hashed files; the snapshot's description. */
function checkSnapshot(
  walk: ManifestWalk,
  items: readonly { path: string; digest: Record<string, string> }[],
): HfSnapshotInfo | undefined {
  const s = walk.snapshot;
  if (!s) return undefined;
  const byPath = new Map(items.map((it) => [it.path, it.digest.sha256]));
  const lfsChecked = checkLfsBlobs(lfsExpectations(s, walk.files), (p) => byPath.get(p));
  return { repoType: s.repoType, repoId: s.repoId, revision: s.revision, repoDir: s.repoDir, lfsChecked };
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
  const ignore = normalizeIgnore(options.ignore ?? defaultTreeIgnore(root));
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
  walk: ManifestWalk,
  engines: HashEngine[],
  ignore: string[],
  options: HashTreeOptions,
): Promise<HashedTree> {
  const { items, hints, size } = await hashFiles(walk.files, engines, poolOptions(options), (f) => f.path, walk.root);
  const hf = checkSnapshot(walk, items);
  const files = walk.files.length;
  // The walk's file list is no longer needed: let it go before the manifest is built (a million
  // files' entries are a third of a GiB). The walk is this function's own (hashDirectory, hashPath).
  (walk as { files: unknown[] }).files = [];
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
    files,
    ignored: walk.ignored,
    ...(hf ? { hfSnapshot: hf } : {}),
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
  const ignore = normalizeIgnore(options.ignore ?? defaultTreeIgnore(path));
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
    poolOptions(options),
    (f) => f.path,
    walk.root,
  );
  checkSnapshot(walk, fresh.items);
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
