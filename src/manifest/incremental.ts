/**
 * Incremental re-hashing: after a tree was verified, re-hash only the files whose stat changed and
 * reuse the verified digests of the others. Reuse needs a {@link VerifiedManifest}, which only a
 * successful {@link verifyManifest} produces — so no digest is ever reused that was not computed
 * from the bytes and found equal to an attested manifest.
 *
 * The pure core plans and assembles; the Node adapter (`rehashDirectory`) stats and hashes.
 */
import { LineproofError } from '../errors.js';
import { buildManifest, manifestDigestText, type ManifestItemInput } from './build.js';
import { comparePaths } from './path.js';
import { isVerifiedManifest, type VerifiedManifest } from './verify.js';
import type { Manifest, ManifestItem, StatHint } from './types.js';

/** What to reuse and what to hash. */
export interface RehashPlan {
  /** Items reused from the verified manifest (their stat hint is unchanged). */
  reuse: ManifestItem[];
  /** Paths to hash (new, changed, or without a usable hint), sorted. */
  hash: string[];
  /** Paths of the verified manifest that are gone, sorted. */
  removed: string[];
}

/** The result of an incremental re-hash. */
export interface RehashResult {
  manifest: Manifest;
  /** `sha256:<hex>` of the new manifest. */
  digest: string;
  /** Paths whose digest was reused, sorted. */
  reused: string[];
  /** Paths that were hashed, sorted. */
  hashed: string[];
  /** Paths of the verified manifest no longer present, sorted. */
  removed: string[];
  /** Where the reused digests come from. */
  reusedFrom: { manifestDigest: string; payloadDigest: string | null };
}

/**
 * True when two stat hints are equal in all five fields.
 * @param a a stat hint
 * @param b another
 * @returns true when size, mtimeNs, ctimeNs, ino and dev are all equal
 * @example
 * ```ts
 * sameStat(hint, { ...hint, mtimeNs: hint.mtimeNs + 1n }); // false
 * ```
 */
function sameStat(a: StatHint, b: StatHint): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino && a.dev === b.dev;
}

/**
 * Refuse anything but a {@link VerifiedManifest} produced by `verifyManifest` (a runtime check
 * on top of the type brand: a cast or hand-built object is refused).
 * @throws {LineproofError} MANIFEST_NOT_VERIFIED
 * @param value what the caller passed
 * @example
 * ```ts
 * assertVerifiedManifest(verified); // ok only for verifyManifest()'s own result
 * ```
 */
export function assertVerifiedManifest(value: unknown): asserts value is VerifiedManifest {
  if (!isVerifiedManifest(value)) {
    throw new LineproofError(
      'MANIFEST_NOT_VERIFIED',
      'incremental re-hash needs a manifest returned by a successful verifyManifest(); digests of an unverified manifest are never reused',
    );
  }
}

function entriesOf(
  current: Iterable<readonly [string, StatHint]> | Readonly<Record<string, StatHint>>,
): [string, StatHint][] {
  if (typeof (current as Iterable<unknown>)[Symbol.iterator] === 'function')
    return [...(current as Iterable<readonly [string, StatHint]>)].map(([p, s]) => [p, s]);
  return Object.entries(current as Record<string, StatHint>);
}

/**
 * Decide, file by file, whether a verified digest can be reused: only when the path was verified,
 * a stat hint was recorded for it, and the current stat equals that hint in size, mtime, ctime,
 * inode and device.
 * @param verified from `verifyManifest`
 * @param current path → current stat, for every file of the tree now (after the ignore list)
 * @throws {LineproofError} MANIFEST_NOT_VERIFIED
 * @example
 * ```ts
 * const plan = planRehash(verified, currentStats);
 * plan.hash; // only the files that changed
 * ```
 * @returns the items to reuse, the paths to hash, the paths removed
 */
export function planRehash(
  verified: VerifiedManifest,
  current: Iterable<readonly [string, StatHint]> | Readonly<Record<string, StatHint>>,
): RehashPlan {
  assertVerifiedManifest(verified);
  const byPath = new Map(verified.manifest.items.map((it) => [it.path, it]));
  const verifiedSet = new Set(verified.verifiedPaths);
  const reuse: ManifestItem[] = [];
  const hash: string[] = [];
  const present = new Set<string>();
  for (const [path, stat] of entriesOf(current)) {
    present.add(path);
    const hint = Object.hasOwn(verified.hints, path) ? verified.hints[path] : undefined;
    const item = byPath.get(path);
    if (item && hint && verifiedSet.has(path) && sameStat(hint, stat) && item.size === stat.size) reuse.push(item);
    else hash.push(path);
  }
  const removed = verified.manifest.items.filter((it) => !present.has(it.path)).map((it) => it.path);
  return { reuse: reuse.sort((a, b) => comparePaths(a.path, b.path)), hash: hash.sort(comparePaths), removed };
}

/**
 * Assemble the new manifest from the reused items and the freshly hashed ones, with the verified
 * manifest's hashing configuration and ignore list.
 * @param hashed one item per path of `plan.hash`, hashed with the manifest's algorithms
 * @throws {LineproofError} MANIFEST_NOT_VERIFIED; INTERNAL when `hashed` does not match the plan;
 *   path rule codes
 * @returns the new manifest and its digest, which paths were reused and hashed, and where the reused digests come from
 * @example
 * ```ts
 * const res = completeRehash(verified, plan, hashedItems);
 * res.reusedFrom.payloadDigest; // 'sha256:…' of the attestation the digests were verified against
 * ```
 */
export function completeRehash(
  verified: VerifiedManifest,
  plan: RehashPlan,
  hashed: readonly ManifestItemInput[],
): RehashResult {
  assertVerifiedManifest(verified);
  const want = new Set(plan.hash);
  const got = new Set(hashed.map((h) => h.path));
  if (want.size !== got.size || [...want].some((p) => !got.has(p))) {
    throw new LineproofError(
      'INTERNAL',
      `re-hash: expected digests for ${want.size} planned paths, got ${got.size} (not the same paths)`,
    );
  }
  const manifest = buildManifest([...plan.reuse, ...hashed], {
    algorithms: verified.manifest.hashing.algorithms,
    ignore: verified.manifest.ignore,
  });
  return {
    manifest,
    digest: manifestDigestText(manifest),
    reused: plan.reuse.map((it) => it.path),
    hashed: [...plan.hash],
    removed: [...plan.removed],
    reusedFrom: { manifestDigest: verified.manifestDigest, payloadDigest: verified.payloadDigest },
  };
}
