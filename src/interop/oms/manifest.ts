/**
 * model_signing manifests: resources named and sorted exactly as model_signing names and sorts them,
 * and the root digest (SHA-256 over the resources' raw digests). spec/manifests.md.
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { fromHex, isLowerHex, toHex } from '../../bytes/index.js';
import { LineproofError } from '../../errors.js';
import { comparePaths } from '../../manifest/path.js';
import {
  DIGEST_LEN,
  checkOmsPath,
  invalid,
  omsResourceAlgorithm,
  type OmsItem,
  type OmsManifest,
  type OmsResource,
  type OmsSerialization,
} from './serialization.js';

interface Keyed {
  path: string;
  start: number;
  end: number;
  resource: OmsResource;
}

function compareKeyed(a: Keyed, b: Keyed): number {
  return comparePaths(a.path, b.path) || a.start - b.start || a.end - b.end;
}

/**
 * SHA-256 over the raw digests of `resources`, in order (hex).
 * @param resources resources in signed order
 * @returns lowercase hex SHA-256
 * @throws {LineproofError} HEX_INVALID for a malformed digest
 * @example
 * ```ts
 * omsRootDigest([]); // 'e3b0c442…' (SHA-256 of nothing)
 * ```
 */
export function omsRootDigest(resources: readonly OmsResource[]): string {
  const h = nobleSha256.create();
  for (const r of resources) h.update(fromHex(r.digest, 'resource digest'));
  return toHex(h.digest());
}

/**
 * Build a model_signing manifest from digests computed elsewhere, exactly as model_signing would
 * order and name them. For shards, each file's shards must tile it: starts at multiples of the
 * shard size, contiguous, only the last one shorter.
 * @throws {LineproofError} OMS_PATH_UNSUPPORTED, MANIFEST_PATH_* rules (lenient: backslashes and
 *   control characters are allowed, as in model_signing), MANIFEST_DUPLICATE_PATH, OMS_PREDICATE_INVALID
 * @param input the model name, the serialization and one item per file or shard
 * @returns the manifest with sorted resources and its root digest
 * @example
 * ```ts
 * const m = buildOmsManifest({ modelName: 'm', serialization: omsSerialization({ method: 'files' }), items: [{ path: 'w.bin', digest: sha256Hex(bytes) }] });
 * ```
 */
export function buildOmsManifest(input: {
  modelName: string;
  serialization: OmsSerialization;
  items: Iterable<OmsItem>;
}): OmsManifest {
  const s = input.serialization;
  const alg = omsResourceAlgorithm(s);
  const len = DIGEST_LEN[s.hash_type];
  if (typeof input.modelName !== 'string') throw new TypeError('"modelName" expected string');
  const keyed: Keyed[] = [];
  let i = 0;
  for (const it of input.items) {
    const what = `items[${i++}]`;
    checkOmsPath(it.path, s.method, `${what}.path`);
    if (!isLowerHex(it.digest, len)) throw invalid(`${what}.digest`, `expected ${len * 2} lowercase hex digits`);
    if (s.method === 'files') {
      if (it.start !== undefined || it.end !== undefined) throw invalid(what, 'a files manifest has no shard offsets');
      keyed.push({ path: it.path, start: 0, end: 0, resource: { name: it.path, algorithm: alg, digest: it.digest } });
    } else {
      const { start, end } = it;
      if (
        !Number.isSafeInteger(start) ||
        !Number.isSafeInteger(end) ||
        start! < 0 ||
        end! <= start! ||
        end! - start! > s.shard_size! ||
        start! % s.shard_size! !== 0
      ) {
        throw invalid(what, `bad shard [${String(start)}, ${String(end)}) for shard size ${s.shard_size}`);
      }
      keyed.push({
        path: it.path,
        start: start!,
        end: end!,
        resource: { name: `${it.path}:${start}:${end}`, algorithm: alg, digest: it.digest },
      });
    }
  }
  keyed.sort(compareKeyed);
  for (let k = 1; k < keyed.length; k++) {
    const a = keyed[k - 1]!;
    const b = keyed[k]!;
    if (a.path === b.path) {
      if (s.method === 'files' || a.start === b.start)
        throw new LineproofError('MANIFEST_DUPLICATE_PATH', `${JSON.stringify(b.resource.name)} is listed twice`, {
          path: b.resource.name,
        });
      if (b.start !== a.end || a.end - a.start !== s.shard_size)
        throw invalid(
          b.resource.name,
          'shards of a file must be contiguous and only the last one shorter than the shard size',
        );
    } else if (s.method === 'shards' && b.start !== 0) {
      throw invalid(b.resource.name, 'the first shard of a file must start at 0');
    }
  }
  if (keyed.length > 0 && keyed[0]!.start !== 0)
    throw invalid(keyed[0]!.resource.name, 'the first shard of a file must start at 0');
  if (keyed.some((k) => k.path === '.') && new Set(keyed.map((k) => k.path)).size > 1) {
    throw invalid('items', '"." (a single-file model) cannot be listed with other paths');
  }
  const resources = keyed.map((k) => k.resource);
  return {
    modelName: input.modelName,
    serialization: { ...s, ...(s.ignore_paths ? { ignore_paths: [...s.ignore_paths] } : {}) },
    resources,
    rootDigest: omsRootDigest(resources),
  };
}

/**
 * @internal The manifest of a statement being read: shards need not tile (model_signing does not
 * check it; a gap shows up in the diff).
 */
export function buildOmsLenient(modelName: string, serialization: OmsSerialization, items: OmsItem[]): OmsManifest {
  if (serialization.method === 'files') return buildOmsManifest({ modelName, serialization, items });
  const alg = omsResourceAlgorithm(serialization);
  const keyed: Keyed[] = items.map((it, i) => {
    checkOmsPath(it.path, 'shards', `statement.predicate.resources[${i}].name`);
    if (it.end! <= it.start!)
      throw invalid(`statement.predicate.resources[${i}].name`, 'a shard must end after it starts');
    return {
      path: it.path,
      start: it.start!,
      end: it.end!,
      resource: { name: `${it.path}:${it.start}:${it.end}`, algorithm: alg, digest: it.digest },
    };
  });
  keyed.sort(compareKeyed);
  for (let k = 1; k < keyed.length; k++) {
    if (compareKeyed(keyed[k - 1]!, keyed[k]!) === 0)
      throw new LineproofError(
        'MANIFEST_DUPLICATE_PATH',
        `${JSON.stringify(keyed[k]!.resource.name)} is listed twice`,
        { path: keyed[k]!.resource.name },
      );
  }
  const resources = keyed.map((k) => k.resource);
  return { modelName, serialization, resources, rootDigest: omsRootDigest(resources) };
}

/**
 * The manifest as `name:digest` lines (the format of model_signing's manifest goldens).
 * @param m the manifest
 * @returns one line per resource, each ending in LF
 * @example
 * ```ts
 * omsManifestText(m); // '.:3aab065c…\n'
 * ```
 */
export function omsManifestText(m: OmsManifest): string {
  return m.resources.map((r) => `${r.name}:${r.digest}\n`).join('');
}

/**
 * Sort helper exposed for tests and callers: model_signing's order of shard keys.
 * @param a a key
 * @param b another
 * @returns negative, zero or positive
 * @example
 * ```ts
 * compareOmsResourceKeys({ path: 'a', start: 8, end: 16 }, { path: 'a', start: 0, end: 8 }); // > 0
 * ```
 */
export function compareOmsResourceKeys(
  a: { path: string; start?: number; end?: number },
  b: { path: string; start?: number; end?: number },
): number {
  return comparePaths(a.path, b.path) || (a.start ?? 0) - (b.start ?? 0) || (a.end ?? 0) - (b.end ?? 0);
}
