/**
 * The diff of two manifests, item by item: extra, missing and mismatched files (size or digest,
 * compared in constant time) and matched ones. verify.ts turns it into checks.
 */
import { equalHex } from '../bytes/index.js';
import type { DigestSet } from '../digest/index.js';
import { LineproofError } from '../errors.js';
import { comparePaths } from './path.js';
import type { Manifest, ManifestItem } from './types.js';

/** Size and digest of one item, as compared. */
export interface ItemFacts {
  size: number;
  digest: DigestSet;
}

/** How two manifests differ, item by item. Lists are sorted by path. */
export interface ManifestDiff {
  /** In the actual tree, not in the manifest. */
  extra: { path: string; actual: ItemFacts }[];
  /** In the manifest, not in the actual tree. */
  missing: { path: string; expected: ItemFacts }[];
  /** In both, with a different size or digest. */
  mismatched: { path: string; expected: ItemFacts; actual: ItemFacts; reason: 'size' | 'digest' }[];
  /** In both and equal. */
  matched: string[];
}

/** @internal Whether two manifests were hashed with the same algorithms, in order. */
export function sameAlgorithms(a: Manifest, b: Manifest): boolean {
  const x = a.hashing.algorithms;
  const y = b.hashing.algorithms;
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function sameDigest(a: DigestSet, b: DigestSet): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  let ok = true;
  for (const k of keys) ok = Object.hasOwn(b, k) && equalHex(a[k]!, b[k]!) && ok;
  return ok;
}

/** @internal */
export const facts = (it: ManifestItem): ItemFacts => ({ size: it.size, digest: { ...it.digest } });

/**
 * Compare two manifests item by item (both must use the same hashing algorithms). Digests are
 * compared in constant time. With `subset`, only those paths are compared.
 * @throws {LineproofError} MANIFEST_HASHING_MISMATCH when the algorithms differ
 * @example
 * ```ts
 * const d = diffManifests(signed, local);
 * d.mismatched.map((m) => m.path); // files whose bytes changed
 * ```
 * @param expected the attested manifest
 * @param actual the manifest of the files as they are
 * @param options subset: compare only these paths
 * @returns extra, missing, mismatched (with the reason) and matched paths, sorted
 */
export function diffManifests(
  expected: Manifest,
  actual: Manifest,
  options: { subset?: Iterable<string> } = {},
): ManifestDiff {
  if (!sameAlgorithms(expected, actual)) {
    throw new LineproofError(
      'MANIFEST_HASHING_MISMATCH',
      `manifests use different algorithms: ${expected.hashing.algorithms.join(',')} vs ${actual.hashing.algorithms.join(',')}`,
      {
        expected: expected.hashing.algorithms.join(','),
        actual: actual.hashing.algorithms.join(','),
      },
    );
  }
  const subset = options.subset === undefined ? undefined : new Set(options.subset);
  const keep = (it: ManifestItem): boolean => subset === undefined || subset.has(it.path);
  const e = expected.items.filter(keep);
  const a = actual.items.filter(keep);
  const diff: ManifestDiff = { extra: [], missing: [], mismatched: [], matched: [] };
  let i = 0;
  let j = 0;
  while (i < e.length || j < a.length) {
    const x = e[i];
    const y = a[j];
    const c = x === undefined ? 1 : y === undefined ? -1 : comparePaths(x.path, y.path);
    if (c < 0) {
      diff.missing.push({ path: x!.path, expected: facts(x!) });
      i++;
    } else if (c > 0) {
      diff.extra.push({ path: y!.path, actual: facts(y!) });
      j++;
    } else {
      if (x!.size !== y!.size)
        diff.mismatched.push({ path: x!.path, expected: facts(x!), actual: facts(y!), reason: 'size' });
      else if (!sameDigest(x!.digest, y!.digest))
        diff.mismatched.push({ path: x!.path, expected: facts(x!), actual: facts(y!), reason: 'digest' });
      else diff.matched.push(x!.path);
      i++;
      j++;
    }
  }
  return diff;
}
