/**
 * Merging hash parts (part.ts) into exactly what one machine computes: the chunk-tree root of a
 * file, a Lineproof v1 manifest, or a model_signing manifest and root. What a merge trusts: the
 * workers that hashed the parts — it checks that the parts are complete, non-overlapping, of one
 * configuration and one listing, never that a digest is the digest of the bytes (sign parts with
 * a worker key, and give merge those keys, to know who vouched for each part).
 */
import { LineproofError, type ErrorCode } from '../../errors.js';
import { fromHex, toHex } from '../../bytes/index.js';
import { canonicalJson } from '../../json/canonical.js';
import { treeAlgorithm, treeRootFromLeafHashes, parseTreeAlgorithm } from '../../hashing/tree.js';
import { buildManifest } from '../../manifest/build.js';
import type { Manifest } from '../../manifest/types.js';
import { buildOmsManifest } from '../oms/manifest.js';
import { omsSerialization, type OmsHashType, type OmsItem, type OmsManifest } from '../oms/serialization.js';
import {
  listingDigest,
  sortListing,
  unitShape,
  type HashPart,
  type HashPartConfig,
  type HashPartEntry,
  type ListedFile,
  type UnitShape,
} from './part.js';

/** What a merge computed. */
export type MergedHash = { config: HashPartConfig; files: ListedFile[] } & (
  | { result: 'tree'; algorithm: string; root: string }
  | { result: 'manifest'; manifest: Manifest }
  | { result: 'oms'; manifest: OmsManifest }
);

type PartCode = Extract<ErrorCode, `HASH_PART_${string}`>;

function fail(code: PartCode, message: string, path?: string): LineproofError {
  return new LineproofError(code, message, path === undefined ? {} : { path });
}

/**
 * The first field in which two configurations differ. `path` is left out: machines mount the same
 * data at different places, and the listing digest already says the files are the same.
 */
function firstDifference(a: HashPartConfig, b: HashPartConfig): string {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  keys.delete('path');
  for (const k of keys) if (canonicalJson((a as never)[k] ?? null) !== canonicalJson((b as never)[k] ?? null)) return k;
  return '';
}

/** Every part 1..N exactly once, all of one configuration. */
function checkParts(parts: readonly HashPart[], names: readonly string[]): HashPartConfig {
  if (parts.length === 0) throw fail('HASH_PART_MISSING', 'merge: no part given');
  const config = parts[0]!.config;
  const seen = new Map<number, string>();
  parts.forEach((p, i) => {
    const d = firstDifference(config, p.config);
    if (d !== '')
      throw fail(
        'HASH_PART_MISMATCH',
        `${names[i]}: its ${d} differs from ${names[0]}'s (${canonicalJson((p.config as never)[d] ?? null).slice(0, 80)} vs ${canonicalJson((config as never)[d] ?? null).slice(0, 80)}): parts of another hash`,
        `config.${d}`,
      );
    const other = seen.get(p.part);
    if (other !== undefined)
      throw fail('HASH_PART_DUPLICATE', `${names[i]}: part ${p.part}/${config.parts} is also ${other}`, 'part');
    seen.set(p.part, names[i]!);
  });
  const missing: number[] = [];
  for (let k = 1; k <= config.parts && missing.length < 10; k++) if (!seen.has(k)) missing.push(k);
  if (missing.length > 0)
    throw fail(
      'HASH_PART_MISSING',
      `merge: part${missing.length > 1 ? 's' : ''} ${missing.join(', ')}${missing.length === 10 ? ', …' : ''} of ${config.parts} missing`,
      'part',
    );
  // Part 1's configuration (its path is the one printed).
  return parts.find((p) => p.part === 1)!.config;
}

interface FileUnits {
  size: number;
  digest?: string;
  ranges: { first: number; end: number; digests: string[]; from: string }[];
}

/** Group entries by path; every file's units covered exactly once. */
function collect(parts: readonly HashPart[], names: readonly string[], shape: UnitShape): Map<string, FileUnits> {
  const byPath = new Map<string, FileUnits>();
  parts.forEach((p, i) => {
    for (const e of p.entries) addEntry(byPath, e, names[i]!, shape);
  });
  for (const [path, f] of byPath) {
    if (shape.unit === 'file') continue;
    if (f.size === 0 && f.ranges.length > 1)
      throw fail('HASH_PART_OVERLAP', `${path}: the empty file is in two parts`, path);
    f.ranges.sort((a, b) => a.first - b.first);
    let next = 0;
    for (const r of f.ranges) {
      if (r.first < next)
        throw fail('HASH_PART_OVERLAP', `${path}: ${shape.unit}s ${r.first}..${next - 1} are in two parts`, path);
      if (r.first > next)
        throw fail('HASH_PART_INCOMPLETE', `${path}: ${shape.unit}s ${next}..${r.first - 1} are in no part`, path);
      next = r.end;
    }
    const n = Math.ceil(f.size / shape.bytes);
    if (next !== n)
      throw fail('HASH_PART_INCOMPLETE', `${path}: ${shape.unit}s ${next}..${n - 1} are in no part`, path);
  }
  return byPath;
}

function addEntry(byPath: Map<string, FileUnits>, e: HashPartEntry, from: string, shape: UnitShape): void {
  let f = byPath.get(e.path);
  if (f === undefined) {
    f = { size: e.size, ranges: [] };
    byPath.set(e.path, f);
  } else if (f.size !== e.size) {
    throw fail(
      'HASH_PART_MISMATCH',
      `${from}: ${e.path} is ${e.size} bytes here and ${f.size} in another part`,
      e.path,
    );
  } else if (shape.unit === 'file') {
    throw fail('HASH_PART_OVERLAP', `${from}: ${e.path} is in two parts`, e.path);
  }
  if (shape.unit === 'file') f.digest = e.digest!;
  else f.ranges.push({ first: e.first!, end: e.end!, digests: e.digests!, from });
}

function unitDigests(f: FileUnits): string[] {
  return f.ranges.flatMap((r) => r.digests);
}

/**
 * Merge parts into what one machine's `lineproof hash` computes.
 * @param parts the parts (read with parseHashPart), in any order
 * @param names names of the parts for errors (file names); default `part[i]`
 * @returns the configuration, the listing and the chunk-tree root, manifest or model_signing manifest
 * @throws {LineproofError} HASH_PART_MISSING, HASH_PART_DUPLICATE, HASH_PART_MISMATCH (another
 *   configuration, listing or file size), HASH_PART_OVERLAP, HASH_PART_INCOMPLETE; the manifest
 *   builders' path codes
 * @example
 * ```ts
 * const merged = mergeHashParts(files.map((t) => parseHashPart(parseJson(t))));
 * ```
 */
export function mergeHashParts(parts: readonly HashPart[], names?: readonly string[]): MergedHash {
  const labels = names ?? parts.map((_, i) => `part[${i}]`);
  const config = checkParts(parts, labels);
  const shape = unitShape(config);
  const byPath = collect(parts, labels, shape);
  const files = sortListing([...byPath].map(([path, f]) => ({ path, size: f.size })));
  const size = files.reduce((n, f) => n + f.size, 0);
  if (files.length !== config.files || size !== config.size || listingDigest(files) !== config.listing)
    throw fail(
      'HASH_PART_INCOMPLETE',
      `merge: the parts cover ${files.length} files (${size} bytes), the listing they were cut from has ${config.files} (${config.size} bytes)${files.length === config.files && size === config.size ? ' with other names or sizes' : ''}`,
      'config.listing',
    );
  if (config.format !== 'lineproof') return { config, files, result: 'oms', manifest: omsManifest(config, byPath) };
  const tree = parseTreeAlgorithm(config.algorithm);
  const root = (f: FileUnits): string =>
    toHex(
      treeRootFromLeafHashes(
        unitDigests(f).map((d) => fromHex(d)),
        f.size,
        tree!.leafBytes,
      ),
    );
  if (config.kind === 'file') {
    const only = [...byPath.values()][0]!;
    return { config, files, result: 'tree', algorithm: treeAlgorithm(tree!.leafBytes), root: root(only) };
  }
  const items = [...byPath].map(([path, f]) => ({
    path,
    size: f.size,
    digest: { [config.algorithm]: tree ? root(f) : f.digest! },
  }));
  const manifest = buildManifest(items, { algorithms: [config.algorithm], ignore: config.ignore });
  return { config, files, result: 'manifest', manifest };
}

function omsManifest(config: HashPartConfig, byPath: Map<string, FileUnits>): OmsManifest {
  const serialization = omsSerialization({
    method: config.format === 'oms-files' ? 'files' : 'shards',
    hashType: config.algorithm as OmsHashType,
    allowSymlinks: config.allowSymlinks,
    ...(config.shardSize !== undefined ? { shardSize: config.shardSize } : {}),
    ignorePaths: config.ignore,
  });
  const items: OmsItem[] = [];
  for (const [path, f] of byPath) {
    if (config.format === 'oms-files') {
      items.push({ path, digest: f.digest! });
      continue;
    }
    const s = config.shardSize!;
    unitDigests(f).forEach((digest, i) =>
      items.push({ path, start: i * s, end: Math.min(f.size, (i + 1) * s), digest }),
    );
  }
  return buildOmsManifest({ modelName: config.name, serialization, items });
}
