/**
 * OpenSSF model signing (sigstore/model-transparency, `model_signing`) compatibility, in the core
 * (zero I/O). This module: the serialization (method, hash type, shard size, ignore paths) and the
 * types; manifest.ts builds `files` / `shards` manifests and the root digest exactly as it computes
 * them, statement.ts writes and strictly reads its in-toto statement (predicate
 * `https://model_signing/signature/v1.0`), hash.ts hashes files and shards, compare.ts compares
 * manifests; verify.ts and sign.ts handle its signatures.
 *
 * Facts of the format (spec/manifests.md, checked against its published goldens):
 * - A resource per file (`files`), named by its POSIX path relative to the model, or per shard
 *   (`shards`), named `path:start:end`; a single-file model's file is named `.`.
 * - Shards split a file at multiples of `shard_size` (the last one shorter); an empty file has no
 *   shard, so it is absent from a `shards` manifest (but present in a `files` one).
 * - Resources are sorted by path compared component by component in code-point order, then (for
 *   shards) by start and end numerically.
 * - Resource `algorithm` is the hash type (`sha256`, `blake2b`, `blake3`), or
 *   `<hash_type>-sharded-<shard_size>` for shards.
 * - Root (the subject's `sha256`): SHA-256 over the concatenated raw digest bytes of the resources
 *   in order — always SHA-256, whatever the hash type; no resources gives SHA-256 of nothing.
 * - `serialization`: `{method, hash_type, allow_symlinks, shard_size?, ignore_paths?}`.
 * Where model_signing silently changes a request (shards with blake3 become files), Lineproof
 * refuses it (OMS_UNSUPPORTED_COMBINATION) so what is recorded is what was asked.
 */
import { LineproofError } from '../../errors.js';
import { checkManifestPath } from '../../manifest/path.js';
import { normalizeOmsIgnorePaths } from './ignore.js';

/** The predicate type model_signing v1.0+ writes. */
export const OMS_PREDICATE_TYPE = 'https://model_signing/signature/v1.0';
/** model_signing's default shard size (1,000,000,000 bytes). */
export const OMS_DEFAULT_SHARD_SIZE = 1_000_000_000;

export type OmsMethod = 'files' | 'shards';
export type OmsHashType = 'sha256' | 'blake2b' | 'blake3';

/** @internal */
export const HASH_TYPES: readonly OmsHashType[] = ['sha256', 'blake2b', 'blake3'];
/** @internal */
export const DIGEST_LEN: Record<OmsHashType, number> = { sha256: 32, blake2b: 64, blake3: 32 };

/** The `serialization` object of a model_signing predicate. */
export interface OmsSerialization {
  method: OmsMethod;
  hash_type: OmsHashType;
  allow_symlinks: boolean;
  /** Present for `shards` only. */
  shard_size?: number;
  /** Ignored paths, relative to the model (recorded by model_signing v1.1+). */
  ignore_paths?: string[];
}

/** One resource of the predicate. */
export interface OmsResource {
  name: string;
  algorithm: string;
  /** Lowercase hex. */
  digest: string;
}

/** A model_signing manifest: what its statement carries. */
export interface OmsManifest {
  /** Subject name (the model directory's name; informative, not covered by the root digest). */
  modelName: string;
  serialization: OmsSerialization;
  /** Sorted resources. */
  resources: OmsResource[];
  /** Lowercase hex SHA-256 over the resources' raw digests, in order: the subject's `sha256`. */
  rootDigest: string;
}

/** Options naming a model_signing serialization. */
export interface OmsSerializationOptions {
  method: OmsMethod;
  /** Default sha256. */
  hashType?: OmsHashType;
  /** Default false (as model_signing). */
  allowSymlinks?: boolean;
  /** Shards only; default 1,000,000,000. */
  shardSize?: number;
  /** Recorded as `ignore_paths` when non-empty. */
  ignorePaths?: readonly string[];
}

/** @internal */
export function invalid(path: string, why: string): LineproofError {
  return new LineproofError('OMS_PREDICATE_INVALID', `${path}: ${why}`, { path });
}

/**
 * Build a `serialization` object, refusing what the format cannot express.
 * @throws {LineproofError} OMS_UNSUPPORTED_COMBINATION (shards with blake3, a shard size for
 *   files), HASH_ALGORITHM_UNSUPPORTED, MANIFEST_IGNORE_PATTERN_INVALID; RangeError for a bad shard size
 * @example
 * ```ts
 * omsSerialization({ method: 'shards', shardSize: 8 });
 * // { method: 'shards', hash_type: 'sha256', allow_symlinks: false, shard_size: 8 }
 * ```
 * @param options method, hash type, allow_symlinks, shard size, ignore paths
 * @returns the serialization object model_signing records
 */
export function omsSerialization(options: OmsSerializationOptions): OmsSerialization {
  const hashType = options.hashType ?? 'sha256';
  if (!HASH_TYPES.includes(hashType)) {
    throw new LineproofError(
      'HASH_ALGORITHM_UNSUPPORTED',
      `model_signing hash type: expected one of ${HASH_TYPES.join(', ')}, got ${JSON.stringify(hashType)}`,
      { path: 'hash_type', actual: String(hashType) },
    );
  }
  if (options.method !== 'files' && options.method !== 'shards')
    throw new TypeError(`"method" expected 'files' or 'shards', got ${String(options.method)}`);
  const out: OmsSerialization = {
    method: options.method,
    hash_type: hashType,
    allow_symlinks: options.allowSymlinks ?? false,
  };
  if (options.method === 'shards') {
    if (hashType === 'blake3') {
      throw new LineproofError(
        'OMS_UNSUPPORTED_COMBINATION',
        'model_signing cannot shard with blake3 (it silently hashes whole files instead); use --format oms-files with blake3, or shards with sha256 or blake2b',
        {
          path: 'hash_type',
          expected: 'sha256|blake2b',
          actual: 'blake3',
        },
      );
    }
    const size = options.shardSize ?? OMS_DEFAULT_SHARD_SIZE;
    if (!Number.isSafeInteger(size) || size <= 0)
      throw new RangeError(`"shardSize" expected a positive safe integer, got ${String(size)}`);
    out.shard_size = size;
  } else if (options.shardSize !== undefined) {
    throw new LineproofError('OMS_UNSUPPORTED_COMBINATION', 'a shard size only applies to the shards method', {
      path: 'shard_size',
    });
  }
  const ignore = normalizeOmsIgnorePaths(options.ignorePaths ?? []);
  if (ignore.length > 0) out.ignore_paths = ignore;
  return out;
}

/**
 * The resource `algorithm` for a serialization: `sha256`, or `sha256-sharded-<size>` for shards.
 * @param s the serialization
 * @returns the algorithm name every resource carries
 * @example
 * ```ts
 * omsResourceAlgorithm(omsSerialization({ method: 'shards', shardSize: 8 })); // 'sha256-sharded-8'
 * ```
 */
export function omsResourceAlgorithm(s: OmsSerialization): string {
  return s.method === 'shards' ? `${s.hash_type}-sharded-${s.shard_size}` : s.hash_type;
}

/**
 * The options that hash a model again with a signed serialization (its method, hash type,
 * allow_symlinks and shard size; the ignore paths are the caller's to add).
 * @internal
 * @param s the signed serialization
 * @returns options for `omsSerialization` (and the adapter's `hashOmsModel`)
 */
export function omsHashOptions(s: OmsSerialization): OmsSerializationOptions {
  return {
    method: s.method,
    hashType: s.hash_type,
    allowSymlinks: s.allow_symlinks,
    ...(s.shard_size !== undefined ? { shardSize: s.shard_size } : {}),
  };
}

/** One hashed piece: a file (`files`) or a shard `[start, end)` of a file (`shards`). */
export interface OmsItem {
  /** POSIX path relative to the model, or `.` for a single-file model. */
  path: string;
  digest: string;
  start?: number;
  end?: number;
}

/** @internal */
export function checkOmsPath(path: unknown, method: OmsMethod, what: string): asserts path is string {
  if (path !== '.') checkManifestPath(path, what, { lenient: true });
  if (method === 'shards' && path.includes(':')) {
    throw new LineproofError(
      'OMS_PATH_UNSUPPORTED',
      `${what}: model_signing shard names are path:start:end, so a path cannot hold ":": ${JSON.stringify(path).slice(0, 200)}`,
      { path: what, actual: String(path).slice(0, 200) },
    );
  }
}
