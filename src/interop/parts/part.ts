/**
 * Hash parts (spec/hashing.md, "Across machines"): the deterministic share of a file or directory
 * one machine hashes, as a document any engine can produce (Spark, Ray, Dask, a Kubernetes
 * Indexed Job, or Python's hashlib following the spec), merged by merge.ts into exactly what one
 * machine computes. This module: the format, its strict reader, the listing digest and the share.
 *
 * A *unit* is what one digest covers: a whole file (Lineproof manifests of sha256, sha512,
 * blake2b or blake3; model_signing `files`), a chunk-tree leaf (`sha256-tree-v1-N`: leaves are
 * independent, so a large file spreads over parts) or a model_signing shard (`shards`). Units lie
 * end to end over the sorted listing; unit `u` starting at byte `s` of the listing's `size` bytes
 * belongs to part `min(N, floor(s * N / size) + 1)` (part 1 when size is 0). A file with no unit
 * (an empty file under leaves or shards) counts as one empty unit at its offset, so every file is
 * in exactly one part or more.
 */
import { LineproofError } from '../../errors.js';
import { isLowerHex } from '../../bytes/index.js';
import { canonicalBytes } from '../../json/canonical.js';
import { isJsonObject } from '../../json/strict.js';
import { sha256Hex } from '../../digest/index.js';
import { comparePaths } from '../../manifest/path.js';
import { isHashAlgorithm } from '../../hashing/engines.js';
import { parseTreeAlgorithm } from '../../hashing/tree.js';

/** The one version of the part format. */
export const HASH_PART_VERSION = 1;
/** The DSSE payloadType of a part signed with a worker key. */
export const HASH_PART_PAYLOAD_TYPE = 'application/vnd.lineproof.hash-part.v1+json';
/** The most parts one hash may be split into. */
export const HASH_PART_MAX_PARTS = 65536;

export type HashPartFormat = 'lineproof' | 'oms-files' | 'oms-shards';

/** What every part of one hash carries identically (merge refuses parts that differ in any field). */
export interface HashPartConfig {
  /** N, the number of parts. */
  parts: number;
  /** The path as given to `lineproof hash` (printed back by merge). */
  path: string;
  /** Subject name: the directory's or file's base name (model_signing: the model name). */
  name: string;
  kind: 'file' | 'directory';
  format: HashPartFormat;
  /** Item algorithm: sha256, sha512, blake2b, blake3 or sha256-tree-v1-N (lineproof); the hash type (oms-*). */
  algorithm: string;
  /** oms-shards: the shard size. */
  shardSize?: number;
  /** lineproof: the manifest's ignore patterns; oms-*: ignore_paths. */
  ignore: string[];
  allowSymlinks: boolean;
  /** Entries the walk left out (ignored), as `hash --json` lists them. */
  ignored: string[];
  /** oms-*: entries model_signing leaves out (links to directories). */
  skipped: { path: string; reason: string }[];
  /** Files of the listing, and their total bytes. */
  files: number;
  size: number;
  /** Lowercase hex SHA-256 of the listing ({@link listingDigest}). */
  listing: string;
}

/**
 * One entry: a whole file (`digest`), or units `[first, end)` of a file (`digests`, one per unit:
 * a leaf's `SHA-256(0x00 || leaf)`, or a shard's digest).
 */
export interface HashPartEntry {
  path: string;
  size: number;
  digest?: string;
  first?: number;
  end?: number;
  digests?: string[];
}

/** A part: `part` of `config.parts`, and its entries. */
export interface HashPart {
  partVersion: 1;
  part: number;
  config: HashPartConfig;
  entries: HashPartEntry[];
}

/** A file of the listing. */
export interface ListedFile {
  path: string;
  size: number;
}

/** How a configuration cuts files into units. */
export type UnitShape = { unit: 'file' } | { unit: 'leaf' | 'shard'; bytes: number };

/**
 * The unit shape of a configuration.
 * @param config the format, algorithm and shard size
 * @returns whole files, leaves of the tree's leaf size, or shards of the shard size
 */
export function unitShape(config: Pick<HashPartConfig, 'format' | 'algorithm' | 'shardSize'>): UnitShape {
  if (config.format === 'oms-shards') return { unit: 'shard', bytes: config.shardSize! };
  const tree = config.format === 'lineproof' ? parseTreeAlgorithm(config.algorithm) : undefined;
  return tree ? { unit: 'leaf', bytes: tree.leafBytes } : { unit: 'file' };
}

/**
 * Sort a listing in manifest order (model_signing's comparator: component by component, by code point).
 * @param files the files
 * @returns a sorted copy
 */
export function sortListing(files: readonly ListedFile[]): ListedFile[] {
  return [...files].sort((a, b) => comparePaths(a.path, b.path));
}

/**
 * The listing digest: SHA-256 of the canonical JSON (RFC 8785) of `[[path, size], …]` in
 * manifest order. Every part carries it, so parts of two different walks never merge.
 * @param sorted the files, sorted by {@link sortListing}
 * @returns lowercase hex
 */
export function listingDigest(sorted: readonly ListedFile[]): string {
  return sha256Hex(canonicalBytes(sorted.map((f) => [f.path, f.size])));
}

/** The part a unit starting at byte `start` of `total` belongs to (1..parts). */
export function partOfOffset(start: number, total: number, parts: number): number {
  if (total === 0) return 1;
  const p = Number((BigInt(start) * BigInt(parts)) / BigInt(total)) + 1;
  return Math.min(parts, p);
}

/** A file's share in one part: the whole file, or its units `[first, end)`. */
export interface PlannedEntry {
  path: string;
  size: number;
  first?: number;
  end?: number;
}

/**
 * The entries of part `part` of `parts` over a sorted listing.
 * @param sorted the listing, sorted
 * @param shape the unit shape
 * @param part 1..parts
 * @param parts N
 * @returns the files (or unit ranges of files) this part hashes, in listing order
 */
export function planPart(sorted: readonly ListedFile[], shape: UnitShape, part: number, parts: number): PlannedEntry[] {
  const total = sorted.reduce((n, f) => n + f.size, 0);
  const out: PlannedEntry[] = [];
  let offset = 0;
  for (const f of sorted) {
    if (shape.unit === 'file' || f.size === 0) {
      if (partOfOffset(offset, total, parts) === part)
        out.push(shape.unit === 'file' ? { path: f.path, size: f.size } : { path: f.path, size: 0, first: 0, end: 0 });
    } else {
      const n = Math.ceil(f.size / shape.bytes);
      // A file's units fall in consecutive parts: bisect for the first unit of this part and of the next.
      const lo = firstUnitAtOrAfter(offset, shape.bytes, n, total, parts, part);
      const hi = firstUnitAtOrAfter(offset, shape.bytes, n, total, parts, part + 1);
      if (hi > lo) out.push({ path: f.path, size: f.size, first: lo, end: hi });
    }
    offset += f.size;
  }
  return out;
}

/** The first unit of a file (at `offset`, `n` units of `bytes`) whose part is >= `part`. */
function firstUnitAtOrAfter(
  offset: number,
  bytes: number,
  n: number,
  total: number,
  parts: number,
  part: number,
): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (partOfOffset(offset + mid * bytes, total, parts) >= part) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function invalid(what: string, why: string): LineproofError {
  return new LineproofError('HASH_PART_INVALID', `${what}: ${why}`, { path: what });
}

const isCount = (v: unknown, max = Number.MAX_SAFE_INTEGER): v is number =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= max;

function onlyKeys(o: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw invalid(what, `unknown field ${JSON.stringify(k)}`);
}

function stringList(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw invalid(what, 'expected an array of strings');
  return v;
}

function digestLen(config: HashPartConfig, shape: UnitShape): number {
  if (shape.unit === 'leaf') return 32;
  return config.algorithm === 'sha512' || config.algorithm === 'blake2b' ? 64 : 32;
}

/** Read a part's `config` strictly. */
function readConfig(v: unknown, what: string): HashPartConfig {
  if (!isJsonObject(v)) throw invalid(what, 'expected an object');
  onlyKeys(v, CONFIG_KEYS, what);
  const c = v as unknown as HashPartConfig;
  if (!isCount(c.parts, HASH_PART_MAX_PARTS) || c.parts < 1)
    throw invalid(`${what}.parts`, `expected 1..${HASH_PART_MAX_PARTS}`);
  for (const k of ['path', 'name', 'listing'] as const)
    if (typeof c[k] !== 'string') throw invalid(`${what}.${k}`, 'expected a string');
  if (!isLowerHex(c.listing, 32)) throw invalid(`${what}.listing`, 'expected 64 lowercase hex digits');
  if (c.kind !== 'file' && c.kind !== 'directory') throw invalid(`${what}.kind`, 'expected file or directory');
  if (!['lineproof', 'oms-files', 'oms-shards'].includes(c.format))
    throw invalid(`${what}.format`, 'expected lineproof, oms-files or oms-shards');
  const lineproofAlg = isHashAlgorithm(c.algorithm) || parseTreeAlgorithm(String(c.algorithm)) !== undefined;
  const omsAlg = ['sha256', 'blake2b', 'blake3'].includes(c.algorithm);
  if (typeof c.algorithm !== 'string' || !(c.format === 'lineproof' ? lineproofAlg : omsAlg))
    throw invalid(`${what}.algorithm`, `not an algorithm of format ${c.format}`);
  if (c.format === 'lineproof' && c.kind === 'file' && !parseTreeAlgorithm(c.algorithm))
    throw invalid(`${what}.algorithm`, 'a single file splits only by chunk-tree leaves (sha256-tree-v1-N)');
  if ((c.format === 'oms-shards') !== (c.shardSize !== undefined) || (c.shardSize !== undefined && !(c.shardSize >= 1)))
    throw invalid(`${what}.shardSize`, 'expected a positive shard size for oms-shards, and only there');
  if (c.shardSize !== undefined && !isCount(c.shardSize)) throw invalid(`${what}.shardSize`, 'expected an integer');
  stringList(c.ignore, `${what}.ignore`);
  stringList(c.ignored, `${what}.ignored`);
  if (typeof c.allowSymlinks !== 'boolean') throw invalid(`${what}.allowSymlinks`, 'expected a boolean');
  if (
    !Array.isArray(c.skipped) ||
    !c.skipped.every(
      (s) =>
        isJsonObject(s) && Object.keys(s).length === 2 && typeof s.path === 'string' && typeof s.reason === 'string',
    )
  )
    throw invalid(`${what}.skipped`, 'expected an array of {path, reason}');
  if (!isCount(c.files) || !isCount(c.size)) throw invalid(`${what}.files`, 'files and size must be counts');
  return c;
}

const CONFIG_KEYS = [
  'parts',
  'path',
  'name',
  'kind',
  'format',
  'algorithm',
  'shardSize',
  'ignore',
  'allowSymlinks',
  'ignored',
  'skipped',
  'files',
  'size',
  'listing',
] as const;

/** Read one entry strictly against its configuration. */
function readEntry(v: unknown, config: HashPartConfig, shape: UnitShape, what: string): HashPartEntry {
  if (!isJsonObject(v)) throw invalid(what, 'expected an object');
  const e = v as unknown as HashPartEntry;
  if (typeof e.path !== 'string' || e.path.length === 0) throw invalid(`${what}.path`, 'expected a path');
  if (!isCount(e.size)) throw invalid(`${what}.size`, 'expected a byte count');
  const len = digestLen(config, shape);
  if (shape.unit === 'file') {
    onlyKeys(v, ['path', 'size', 'digest'], what);
    if (!isLowerHex(e.digest, len)) throw invalid(`${what}.digest`, `expected ${len * 2} lowercase hex digits`);
    return e;
  }
  onlyKeys(v, ['path', 'size', 'first', 'end', 'digests'], what);
  const n = Math.ceil(e.size / shape.bytes);
  if (!isCount(e.first) || !isCount(e.end) || e.end > n || (n > 0 ? e.first >= e.end : e.end !== 0 || e.first !== 0))
    throw invalid(what, `bad unit range [${String(e.first)}, ${String(e.end)}) of a file of ${n} ${shape.unit}s`);
  if (!Array.isArray(e.digests) || e.digests.length !== e.end - e.first)
    throw invalid(`${what}.digests`, `expected ${e.end - e.first} digests`);
  e.digests.forEach((d, i) => {
    if (!isLowerHex(d, len)) throw invalid(`${what}.digests[${i}]`, `expected ${len * 2} lowercase hex digits`);
  });
  return e;
}

/**
 * Read a part document strictly (untrusted input: never throws another error, bounded by its size).
 * @param value the parsed JSON
 * @param what names the part in errors (a file name)
 * @returns the part
 * @throws {LineproofError} HASH_PART_INVALID naming the field
 */
export function parseHashPart(value: unknown, what = 'part'): HashPart {
  if (!isJsonObject(value)) throw invalid(what, 'expected a JSON object');
  onlyKeys(value, ['partVersion', 'part', 'config', 'entries'], what);
  if (value.partVersion !== HASH_PART_VERSION)
    throw new LineproofError(
      'HASH_PART_INVALID',
      `${what}.partVersion: expected ${HASH_PART_VERSION}, got ${JSON.stringify(value.partVersion ?? null)}`,
      { path: `${what}.partVersion` },
    );
  const config = readConfig(value.config, `${what}.config`);
  if (!isCount(value.part) || value.part < 1 || value.part > config.parts)
    throw invalid(`${what}.part`, `expected 1..${config.parts}`);
  if (!Array.isArray(value.entries)) throw invalid(`${what}.entries`, 'expected an array');
  const shape = unitShape(config);
  const entries = value.entries.map((e, i) => readEntry(e, config, shape, `${what}.entries[${i}]`));
  return { partVersion: 1, part: value.part, config, entries };
}
