/**
 * A persistent re-hash cache for the producer hashing its own disk (spec/manifests.md "Incremental
 * re-hash"): `hash DIR --cache FILE` records the manifest it produced, its digest and, per file,
 * the stat the bytes were hashed under (size, mtime and ctime in ns, inode, device). The next run
 * re-hashes only files whose stat changed (`rehashDirectory`): a file rewritten with its mtime
 * restored still changes its ctime (and usually its inode), so it is caught.
 *
 * The cache is the producer's own state, trusted as its disk is: it is only used when its manifest
 * digests to the digest it records, the root is the same directory, and the hashing configuration
 * (algorithms, ignore list) is the one asked for now; anything else — a missing, unreadable,
 * foreign or stale cache — means a full hash, with the reason reported, never an error. Verifiers
 * never read one (`verify` takes no cache). Files changed within the racy window (2 s) get no hint
 * and are always re-hashed.
 */
import { existsSync, realpathSync } from 'node:fs';
import { LineproofError } from '../errors.js';
import { isHashAlgorithm } from '../hashing/engines.js';
import type { HashAlgorithm } from '../hashing/types.js';
import { isJsonObject, parseJson } from '../json/strict.js';
import { parseManifest } from '../manifest/build.js';
import { normalizeIgnore } from '../manifest/ignore.js';
import type { Manifest, StatHint } from '../manifest/types.js';
import { verifyManifest } from '../manifest/verify.js';
import { readFileLimited, writeFileChecked } from './fs.js';
import {
  defaultTreeIgnore,
  hashDirectory,
  rehashDirectory,
  type HashedTree,
  type HashTreeOptions,
} from './hash-tree.js';

/** Largest cache file read (a manifest of a million files fits). */
export const MAX_HASH_CACHE_BYTES = 1 << 30;

const KIND = 'lineproof-hash-cache';

/** Options of {@link hashDirectoryCached}. */
export interface HashCacheOptions extends Omit<HashTreeOptions, 'algorithms'> {
  /** Algorithms of each item (default `['sha256']`; names only: a cache cannot rebuild engines). */
  algorithms?: readonly HashAlgorithm[];
}

/** What {@link hashDirectoryCached} did. */
export interface CachedHash {
  tree: Pick<HashedTree, 'manifest' | 'digest' | 'subject' | 'hints' | 'root'> & { size?: number; files: number };
  /** Whether the cache was used, and why not. */
  cache: { used: true; reused: number; hashed: number; removed: number } | { used: false; reason: string };
}

interface CacheFile {
  root: string;
  manifest: Manifest;
  digest: string;
  hints: Record<string, StatHint>;
}

const HINT_FIELDS = ['mtimeNs', 'ctimeNs', 'ino', 'dev'] as const;

function readCache(path: string, root: string): CacheFile | string {
  if (!existsSync(path)) return 'no cache yet';
  let v;
  try {
    v = parseJson(readFileLimited(path, MAX_HASH_CACHE_BYTES, path), { what: path, maxBytes: MAX_HASH_CACHE_BYTES });
  } catch (e) {
    return `the cache cannot be read (${e instanceof LineproofError ? e.code : 'error'})`;
  }
  if (!isJsonObject(v) || v.kind !== KIND || v.cacheVersion !== 1) return 'not a lineproof hash cache (version 1)';
  if (v.root !== root)
    return `the cache is of another directory (${typeof v.root === 'string' ? v.root.slice(0, 200) : 'none recorded'})`;
  let manifest: Manifest;
  try {
    manifest = parseManifest(v.manifest as never, { what: `${path}: manifest` });
  } catch {
    return 'the cached manifest is not a valid manifest';
  }
  if (typeof v.digest !== 'string') return 'the cache records no manifest digest';
  const hints: Record<string, StatHint> = Object.create(null) as Record<string, StatHint>;
  if (!isJsonObject(v.hints)) return 'the cache has no stat hints';
  for (const [p, h] of Object.entries(v.hints)) {
    if (!isJsonObject(h) || typeof h.size !== 'number') return `a stat hint cannot be read (${p.slice(0, 100)})`;
    try {
      const big = HINT_FIELDS.map((f) => BigInt(h[f] as string));
      hints[p] = { size: h.size, mtimeNs: big[0]!, ctimeNs: big[1]!, ino: big[2]!, dev: big[3]! };
    } catch {
      return `a stat hint cannot be read (${p.slice(0, 100)})`;
    }
  }
  return { root, manifest, digest: v.digest, hints };
}

function writeCache(path: string, tree: CachedHash['tree']): void {
  const hints = Object.fromEntries(
    Object.entries(tree.hints).map(([p, h]) => [
      p,
      { size: h.size, mtimeNs: String(h.mtimeNs), ctimeNs: String(h.ctimeNs), ino: String(h.ino), dev: String(h.dev) },
    ]),
  );
  const doc = { kind: KIND, cacheVersion: 1, root: tree.root, digest: tree.digest, manifest: tree.manifest, hints };
  // plain JSON: the cache is read back, never digested (its manifest is re-digested when read)
  writeFileChecked(path, `${JSON.stringify(doc)}\n`, { what: path, atomic: true });
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Hash a directory as `hashDirectory` does, re-hashing only what changed since the manifest the
 * cache file records (see the module description), then write the new cache (atomically).
 * @param root the directory
 * @param cachePath the cache file (created when missing)
 * @param options as hashDirectory (algorithms by name)
 * @returns the manifest, digest, subject and hints, and what the cache saved (or why it was not used)
 * @throws {LineproofError} the codes of hashDirectory; IO_ERROR when the cache cannot be written
 * @example
 * ```ts
 * const { tree, cache } = await hashDirectoryCached('dataset/', '.lineproof-cache.json');
 * cache.used && cache.hashed; // files read this time
 * ```
 */
export async function hashDirectoryCached(
  root: string,
  cachePath: string,
  options: HashCacheOptions = {},
): Promise<CachedHash> {
  const algorithms = [...(options.algorithms ?? ['sha256'])];
  for (const a of algorithms) if (!isHashAlgorithm(a)) throw new TypeError(`"algorithms": unknown ${String(a)}`);
  let abs: string;
  try {
    abs = realpathSync(root);
  } catch (cause) {
    throw new LineproofError('IO_ERROR', `${root}: cannot resolve (${(cause as NodeJS.ErrnoException).code})`, {
      path: root,
      cause,
    });
  }
  const ignore = normalizeIgnore(options.ignore ?? defaultTreeIgnore(root));
  const cached = readCache(cachePath, abs);
  let out: CachedHash;
  if (typeof cached !== 'string') {
    const h = cached.manifest.hashing;
    const why = !sameList(h.algorithms, algorithms)
      ? `the cache was made with algorithms ${h.algorithms.join(', ')}`
      : !sameList(cached.manifest.ignore, ignore)
        ? 'the cache was made with another ignore list'
        : undefined;
    if (why === undefined) {
      const v = verifyManifest(
        cached.manifest,
        { manifest: cached.manifest, hints: cached.hints },
        {
          expectedDigest: cached.digest,
        },
      );
      if (!v.verified) {
        const failed = v.report.checks.find((c) => c.status === 'fail');
        out = await full(
          root,
          { ...options, algorithms, ignore },
          failed?.code === 'MANIFEST_DIGEST_MISMATCH'
            ? 'the cached manifest does not digest to the digest recorded'
            : `the cached manifest did not verify (${failed?.code ?? 'unknown'})`,
        );
        writeCache(cachePath, out.tree);
        return out;
      }
      {
        const { ignore: _ignore, ...rest } = options;
        const r = await rehashDirectory(root, v.verified, rest);
        out = {
          tree: {
            manifest: r.manifest,
            digest: r.digest,
            subject: r.subject,
            hints: r.hints,
            root: r.root,
            files: r.manifest.items.length,
          },
          cache: { used: true, reused: r.reused.length, hashed: r.hashed.length, removed: r.removed.length },
        };
        writeCache(cachePath, out.tree);
        return out;
      }
    }
    out = await full(root, { ...options, algorithms, ignore }, why ?? 'the cached manifest did not verify');
  } else out = await full(root, { ...options, algorithms, ignore }, cached);
  writeCache(cachePath, out.tree);
  return out;
}

async function full(root: string, options: HashTreeOptions, reason: string): Promise<CachedHash> {
  const h = await hashDirectory(root, options);
  return {
    tree: {
      manifest: h.manifest,
      digest: h.digest,
      subject: h.subject,
      hints: h.hints,
      root: h.root,
      size: h.size,
      files: h.files,
    },
    cache: { used: false, reason },
  };
}
