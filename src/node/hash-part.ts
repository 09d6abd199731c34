/**
 * Hash parts on disk (spec/hashing.md, "Across machines"): `hashPart` walks a file or directory
 * exactly as `lineproof hash` does, cuts the sorted listing into N deterministic shares
 * (src/interop/parts/part.ts) and hashes share I — whole files, chunk-tree leaves or
 * model_signing shards, each read with every check of {@link readFileChunks}. Parts from any
 * number of machines merge (mergeHashParts) into what one machine computes.
 */
import { createHash, type Hash } from 'node:crypto';
import { LineproofError } from '../errors.js';
import { StreamDigest } from '../hashing/stream.js';
import { isHashAlgorithm } from '../hashing/engines.js';
import { parseTreeAlgorithm } from '../hashing/tree.js';
import type { HashAlgorithm } from '../hashing/types.js';
import { normalizeIgnore } from '../manifest/ignore.js';
import { omsSerialization, type OmsHashType } from '../interop/oms/serialization.js';
import {
  HASH_PART_MAX_PARTS,
  listingDigest,
  planPart,
  sortListing,
  unitShape,
  type HashPart,
  type HashPartConfig,
  type HashPartEntry,
  type HashPartFormat,
  type PlannedEntry,
} from '../interop/parts/part.js';
import type { TreeProgress } from './file-pool.js';
import { nodeHashEngine } from './hash-engine.js';
import { READ_BUFFER_BYTES, readFileChunks } from './hash-file.js';
import { defaultTreeIgnore, walkForManifest } from './hash-tree.js';
import { walkOmsModel } from './oms.js';
import type { WalkFile, WalkResult } from './walk.js';

/** Options of {@link hashPart}. */
export interface HashPartOptions {
  /** This part, 1..parts. */
  part: number;
  /** N, the number of parts (1..65536). */
  parts: number;
  /** lineproof (default), oms-files or oms-shards. */
  format?: HashPartFormat;
  /**
   * lineproof: sha256 (default), sha512, blake2b, blake3 or `sha256-tree-v1-<leafBytes>` (the
   * only one that splits a single file, by leaves); oms-*: the hash type.
   */
  algorithm?: string;
  /** oms-shards: the shard size (default model_signing's 1,000,000,000). */
  shardSize?: number;
  /** lineproof: ignore patterns (default as hashDirectory); oms-*: ignore paths (default none). */
  ignore?: readonly string[];
  allowSymlinks?: boolean;
  /** The path as the user gave it (recorded; merge prints it back). Default: `path`. */
  given?: string;
  signal?: AbortSignal;
  onProgress?: (progress: TreeProgress) => void;
}

function badOption(message: string): LineproofError {
  return new LineproofError('INVALID_ARGUMENT', message);
}

function checkShare(options: HashPartOptions): void {
  const { part, parts } = options;
  if (!Number.isSafeInteger(parts) || parts < 1 || parts > HASH_PART_MAX_PARTS)
    throw badOption(`parts: expected 1..${HASH_PART_MAX_PARTS}, got ${String(parts)}`);
  if (!Number.isSafeInteger(part) || part < 1 || part > parts)
    throw badOption(`part: expected 1..${parts}, got ${String(part)}`);
}

interface Walked {
  walk: WalkResult;
  ignore: string[];
  skipped: { path: string; reason: string }[];
  /** A file's name in the part: its manifest path, or '.' for a single file. */
  name: (f: WalkFile) => string;
  within: string | undefined;
  follow: (f: WalkFile) => boolean;
  /** oms-shards: the shard size the serialization settled on. */
  shardSize?: number;
}

async function walkFor(
  path: string,
  format: HashPartFormat,
  algorithm: string,
  options: HashPartOptions,
): Promise<Walked> {
  if (format === 'lineproof') {
    if (!isHashAlgorithm(algorithm) && !parseTreeAlgorithm(algorithm))
      throw new LineproofError(
        'HASH_ALGORITHM_UNSUPPORTED',
        `algorithm: ${JSON.stringify(algorithm)} is not one Lineproof computes`,
      );
    const ignore = normalizeIgnore(options.ignore ?? defaultTreeIgnore(path));
    const walk = await walkForManifest(path, ignore, {
      allowSymlinks: options.allowSymlinks ?? false,
      hfCache: false,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (walk.kind === 'file' && !parseTreeAlgorithm(algorithm))
      throw badOption(
        `${options.given ?? path}: a single file splits into parts only by chunk-tree leaves (sha256-tree-v1-N); ${algorithm} is one stream`,
      );
    const w: Walked = {
      walk,
      ignore,
      skipped: [],
      name: (f) => (walk.kind === 'file' ? '.' : f.path),
      within: walk.root,
      follow: (f) => f.viaSymlink || walk.kind === 'file',
    };
    return w;
  }
  const serialization = omsSerialization({
    method: format === 'oms-files' ? 'files' : 'shards',
    hashType: algorithm as OmsHashType,
    allowSymlinks: options.allowSymlinks ?? false,
    ...(options.shardSize !== undefined ? { shardSize: options.shardSize } : {}),
    ignorePaths: options.ignore ?? [],
  });
  const walk = await walkOmsModel(path, serialization, options);
  const w: Walked = {
    walk,
    ignore: serialization.ignore_paths ?? [],
    skipped: walk.skipped,
    name: (f) => (walk.kind === 'file' ? '.' : f.path),
    within: serialization.allow_symlinks || walk.kind === 'file' ? undefined : walk.root,
    follow: (f) => f.viaSymlink || walk.kind === 'file',
  };
  if (serialization.shard_size !== undefined) w.shardSize = serialization.shard_size;
  return w;
}

/** Digests of consecutive units of `bytes` (the last one shorter), each `H(prefix || unit)`. */
class UnitDigests {
  readonly out: string[] = [];
  readonly #algorithm: string;
  readonly #bytes: number;
  readonly #prefix: Uint8Array | undefined;
  #h: Hash;
  #filled = 0;
  constructor(algorithm: string, bytes: number, prefix: Uint8Array | undefined) {
    this.#algorithm = algorithm;
    this.#bytes = bytes;
    this.#prefix = prefix;
    this.#h = this.#fresh();
  }
  #fresh(): Hash {
    const h = createHash(this.#algorithm);
    if (this.#prefix) h.update(this.#prefix);
    return h;
  }
  update(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      const take = Math.min(this.#bytes - this.#filled, chunk.length - at);
      this.#h.update(chunk.subarray(at, at + take));
      this.#filled += take;
      at += take;
      if (this.#filled === this.#bytes) this.#close();
    }
  }
  #close(): void {
    this.out.push(this.#h.digest('hex'));
    this.#h = this.#fresh();
    this.#filled = 0;
  }
  finish(): string[] {
    if (this.#filled > 0) this.#close();
    return this.out;
  }
}

const NODE_NAMES: Record<string, string> = { sha256: 'sha256', sha512: 'sha512', blake2b: 'blake2b512' };

/**
 * Hash one part of a file or directory: the share `part` of `parts` of its units.
 * @param path a file or directory
 * @param options part and parts, format, algorithm, shard size, ignore, allowSymlinks, signal, onProgress
 * @returns the part document (spec/hashing.md), to be written as JSON (or signed) and merged
 * @throws {LineproofError} INVALID_ARGUMENT (bad share; a single file with a stream digest),
 *   HASH_ALGORITHM_UNSUPPORTED, every code of the walk and of {@link readFileChunks}
 * @example
 * ```ts
 * const part = await hashPart('model/', { part: 2, parts: 8, algorithm: 'sha256-tree-v1-1048576' });
 * writeFileSync('part-2.json', JSON.stringify(part));
 * ```
 */
export async function hashPart(path: string, options: HashPartOptions): Promise<HashPart> {
  checkShare(options);
  const format = options.format ?? 'lineproof';
  const algorithm = options.algorithm ?? 'sha256';
  const w = await walkFor(path, format, algorithm, options);
  const sorted = sortListing(w.walk.files.map((f) => ({ path: w.name(f), size: f.size })));
  const size = sorted.reduce((n, f) => n + f.size, 0);
  const config: HashPartConfig = {
    parts: options.parts,
    path: options.given ?? path,
    name: w.walk.name,
    kind: w.walk.kind,
    format,
    algorithm,
    ...(w.shardSize !== undefined ? { shardSize: w.shardSize } : {}),
    ignore: w.ignore,
    allowSymlinks: options.allowSymlinks ?? false,
    ignored: w.walk.ignored,
    skipped: w.skipped,
    files: sorted.length,
    size,
    listing: listingDigest(sorted),
  };
  const shape = unitShape(config);
  const plan = planPart(sorted, shape, options.part, options.parts);
  const byName = new Map(w.walk.files.map((f) => [w.name(f), f]));
  const total = plan.reduce((n, e) => n + entryBytes(e, shape), 0);
  const buffer = new Uint8Array(READ_BUFFER_BYTES);
  const entries: HashPartEntry[] = [];
  let done = 0;
  for (const [i, e] of plan.entries()) {
    const f = byName.get(e.path)!;
    entries.push(
      await hashEntry(f, e, w, config, buffer, options, (n) => {
        done += n;
        options.onProgress?.({
          path: e.path,
          bytesDone: done,
          bytesTotal: total,
          filesDone: i,
          filesTotal: plan.length,
        });
      }),
    );
  }
  return { partVersion: 1, part: options.part, config, entries };
}

function entryBytes(e: PlannedEntry, shape: ReturnType<typeof unitShape>): number {
  if (shape.unit === 'file' || e.first === undefined) return e.size;
  return Math.min(e.size, e.end! * shape.bytes) - e.first * shape.bytes;
}

async function hashEntry(
  f: WalkFile,
  e: PlannedEntry,
  w: Walked,
  config: HashPartConfig,
  buffer: Uint8Array,
  options: HashPartOptions,
  onBytes: (n: number) => void,
): Promise<HashPartEntry> {
  const shape = unitShape(config);
  const read = {
    what: e.path === '.' ? config.path : e.path,
    follow: w.follow(f),
    expect: { size: f.size, ino: f.hint.ino, dev: f.hint.dev },
    buffer,
    ...(w.within !== undefined ? { within: w.within } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    onBytes,
  };
  if (shape.unit === 'file') {
    const d = new StreamDigest([nodeHashEngine(config.algorithm as HashAlgorithm)], { what: read.what });
    await readFileChunks(f.absPath, (c) => d.update(c), read);
    return { path: e.path, size: f.size, digest: d.finish().digests[config.algorithm]! };
  }
  const units = new UnitDigests(
    shape.unit === 'leaf' ? 'sha256' : NODE_NAMES[config.algorithm]!,
    shape.bytes,
    shape.unit === 'leaf' ? new Uint8Array([0]) : undefined,
  );
  const start = e.first! * shape.bytes;
  const end = Math.min(f.size, e.end! * shape.bytes);
  if (end > start) await readFileChunks(f.absPath, (c) => units.update(c), { ...read, range: { start, end } });
  return { path: e.path, size: f.size, first: e.first!, end: e.end!, digests: units.finish() };
}
