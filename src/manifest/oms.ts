/**
 * OpenSSF model signing (sigstore/model-transparency, `model_signing`) compatibility: its `files`
 * and `shards` manifests and root digest exactly as it computes them, its in-toto statement
 * (predicate `https://model_signing/signature/v1.0`), and a strict reader of such statements.
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
import { LineproofError, shortDigest } from '../errors.js';
import { equalHex, fromHex, isLowerHex, toHex } from '../bytes/index.js';
import { isJsonObject, parseJson, type JsonObject, type JsonValue } from '../json/strict.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { hashEngine } from '../hashing/engines.js';
import { StreamDigest, chunksOf } from '../hashing/stream.js';
import { ShardDigest } from '../hashing/shards.js';
import type { ByteSource, HashEngine, HashProgress } from '../hashing/types.js';
import { ReportBuilder, type Report } from '../report/index.js';
import { checkManifestPath, comparePaths } from './path.js';
import { normalizeOmsIgnorePaths } from './ignore.js';

/** The predicate type model_signing v1.0+ writes. */
export const OMS_PREDICATE_TYPE = 'https://model_signing/signature/v1.0';
/** in-toto Statement v1 `_type` (the statements layer has its own; kept local to avoid a second export). */
const IN_TOTO_STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
/** model_signing's default shard size (1,000,000,000 bytes). */
export const OMS_DEFAULT_SHARD_SIZE = 1_000_000_000;
/** Paths model_signing ignores by default (its git paths); its CLI also ignores the signature file. */
export const OMS_GIT_IGNORE_PATHS: readonly string[] = Object.freeze([
  '.git',
  '.gitattributes',
  '.github',
  '.gitignore',
]);

export type OmsMethod = 'files' | 'shards';
export type OmsHashType = 'sha256' | 'blake2b' | 'blake3';

const HASH_TYPES: readonly OmsHashType[] = ['sha256', 'blake2b', 'blake3'];
const DIGEST_LEN: Record<OmsHashType, number> = { sha256: 32, blake2b: 64, blake3: 32 };

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

function invalid(path: string, why: string): LineproofError {
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

/** One hashed piece: a file (`files`) or a shard `[start, end)` of a file (`shards`). */
export interface OmsItem {
  /** POSIX path relative to the model, or `.` for a single-file model. */
  path: string;
  digest: string;
  start?: number;
  end?: number;
}

function checkOmsPath(path: unknown, method: OmsMethod, what: string): asserts path is string {
  if (path !== '.') checkManifestPath(path, what, { lenient: true });
  if (method === 'shards' && (path as string).includes(':')) {
    throw new LineproofError(
      'OMS_PATH_UNSUPPORTED',
      `${what}: model_signing shard names are path:start:end, so a path cannot hold ":": ${JSON.stringify(path).slice(0, 200)}`,
      { path: what, actual: String(path).slice(0, 200) },
    );
  }
}

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

/** One file of a model to hash in model_signing mode. */
export interface OmsEntry {
  /** Path relative to the model, or `.` for a single-file model. */
  path: string;
  /** Size in bytes (needed for shards; checked against the bytes read either way). */
  size: number;
  source: ByteSource | (() => ByteSource | Promise<ByteSource>);
}

/** Options of {@link hashOmsEntries}. */
export interface HashOmsOptions {
  modelName: string;
  /** Engine for the hash type (default: the pure-JS engine of `hash_type`). Its algorithm must match. */
  engine?: HashEngine;
  signal?: AbortSignal;
  onProgress?: (progress: HashProgress & { path: string }) => void;
}

/**
 * Hash a model's files in model_signing mode (pure core: any byte sources). Each file is read once;
 * shards are cut on the way.
 * @throws {LineproofError} HASH_SIZE_MISMATCH, ABORTED, and the errors of {@link buildOmsManifest}
 * @param entries the model's files: path (`.` for a single-file model), size, bytes
 * @param serialization from {@link omsSerialization}
 * @param options model name, engine, signal, onProgress
 * @returns the manifest
 * @example
 * ```ts
 * const m = await hashOmsEntries([{ path: '.', size: 22, source: utf8('This is a simple model') }], omsSerialization({ method: 'files' }), { modelName: 'file_model' });
 * m.rootDigest; // '002d162f…' (model_signing's golden)
 * ```
 */
export async function hashOmsEntries(
  entries: Iterable<OmsEntry> | AsyncIterable<OmsEntry>,
  serialization: OmsSerialization,
  options: HashOmsOptions,
): Promise<OmsManifest> {
  const engine = options.engine ?? hashEngine(serialization.hash_type);
  if (engine.algorithm !== serialization.hash_type)
    throw new TypeError(`"engine" computes ${engine.algorithm}, the serialization needs ${serialization.hash_type}`);
  const items: OmsItem[] = [];
  let done = 0;
  const abortCheck = (path: string): void => {
    if (options.signal?.aborted)
      throw new LineproofError('ABORTED', `${path}: hashing aborted`, { path, cause: options.signal.reason });
  };
  for await (const e of entries as AsyncIterable<OmsEntry>) {
    checkOmsPath(e.path, serialization.method, 'path');
    abortCheck(e.path);
    const source = typeof e.source === 'function' ? await e.source() : e.source;
    if (serialization.method === 'files') {
      const d = new StreamDigest([engine], { expectedSize: e.size, what: e.path });
      for await (const c of chunksOf(source)) {
        abortCheck(e.path);
        d.update(c);
        options.onProgress?.({ path: e.path, bytes: done + d.size });
      }
      items.push({ path: e.path, digest: d.finish().digests[engine.algorithm]! });
    } else {
      const d = new ShardDigest(engine, serialization.shard_size!);
      for await (const c of chunksOf(source)) {
        abortCheck(e.path);
        if (d.size + c.length > e.size)
          throw new LineproofError('HASH_SIZE_MISMATCH', `${e.path}: more than the expected ${e.size} bytes`, {
            path: e.path,
            expected: `${e.size} bytes`,
          });
        d.update(c);
        options.onProgress?.({ path: e.path, bytes: done + d.size });
      }
      for (const sh of d.finish(e.size, e.path))
        items.push({ path: e.path, digest: sh.digest, start: sh.start, end: sh.end });
    }
    done += e.size;
  }
  return buildOmsManifest({ modelName: options.modelName, serialization, items });
}

/**
 * The in-toto Statement model_signing signs for this manifest (one subject: the model name and the
 * root digest; predicate `{serialization, resources}`).
 * @param m the manifest
 * @returns the Statement as a JSON value (sign its JCS or JSON bytes as the DSSE payload)
 * @example
 * ```ts
 * omsStatement(m).predicateType; // 'https://model_signing/signature/v1.0'
 * ```
 */
export function omsStatement(m: OmsManifest): JsonObject {
  const ser: JsonObject = { method: m.serialization.method, hash_type: m.serialization.hash_type };
  if (m.serialization.shard_size !== undefined) ser.shard_size = m.serialization.shard_size;
  ser.allow_symlinks = m.serialization.allow_symlinks;
  if (m.serialization.ignore_paths !== undefined) ser.ignore_paths = [...m.serialization.ignore_paths];
  return {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [{ name: m.modelName, digest: { sha256: m.rootDigest } }],
    predicateType: OMS_PREDICATE_TYPE,
    predicate: {
      serialization: ser,
      resources: m.resources.map((r) => ({ name: r.name, algorithm: r.algorithm, digest: r.digest })),
    },
  };
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

const DECIMAL = /^(0|[1-9][0-9]*)$/;

function field(o: JsonObject, key: string, path: string): JsonValue {
  if (!Object.hasOwn(o, key)) throw invalid(`${path}.${key}`, 'missing field');
  return o[key]!;
}

/**
 * Read a model_signing statement (untrusted): the `_type`, one subject with a sha256 digest, the
 * v1.0 predicate type, the serialization, every resource (name form, algorithm, digest length,
 * no duplicates), and the subject digest recomputed over the resources. Unknown fields are ignored
 * (its v1.0 rule). Resources are returned sorted as model_signing compares them.
 *
 * @param input the statement: JSON bytes or text (the DSSE payload), or a parsed value
 * @returns the manifest
 * @throws {LineproofError} OMS_PREDICATE_INVALID, OMS_ROOT_DIGEST_MISMATCH, OMS_UNSUPPORTED_COMBINATION,
 *   MANIFEST_DUPLICATE_PATH, path rule codes, JSON_* codes
 * @example
 * ```ts
 * const m = parseOmsStatement(payloadBytes); // after the DSSE signature verified
 * verifyOmsManifest(m, (await hashOmsModel('model/', { method: m.serialization.method })).manifest);
 * ```
 */
export function parseOmsStatement(input: Uint8Array | string | JsonValue): OmsManifest {
  const v: unknown =
    typeof input === 'string' || input instanceof Uint8Array ? parseJson(input, { what: 'statement' }) : input;
  if (!isJsonObject(v)) throw invalid('statement', 'expected a JSON object');
  if (field(v, '_type', 'statement') !== IN_TOTO_STATEMENT_TYPE)
    throw invalid('statement._type', `expected ${IN_TOTO_STATEMENT_TYPE}`);
  if (field(v, 'predicateType', 'statement') !== OMS_PREDICATE_TYPE)
    throw invalid('statement.predicateType', `expected ${OMS_PREDICATE_TYPE}`);
  const subjects = field(v, 'subject', 'statement');
  if (!Array.isArray(subjects) || subjects.length !== 1)
    throw invalid('statement.subject', 'expected exactly one subject');
  const subj = subjects[0];
  if (!isJsonObject(subj)) throw invalid('statement.subject[0]', 'expected an object');
  const name = Object.hasOwn(subj, 'name') ? subj.name : '';
  if (typeof name !== 'string') throw invalid('statement.subject[0].name', 'expected a string');
  const dg = field(subj, 'digest', 'statement.subject[0]');
  if (!isJsonObject(dg) || !isLowerHex(dg.sha256, 32))
    throw invalid('statement.subject[0].digest.sha256', 'expected 64 lowercase hex digits');
  const pred = field(v, 'predicate', 'statement');
  if (!isJsonObject(pred)) throw invalid('statement.predicate', 'expected an object');
  const ser = field(pred, 'serialization', 'statement.predicate');
  if (!isJsonObject(ser)) throw invalid('statement.predicate.serialization', 'expected an object');
  const sp = 'statement.predicate.serialization';
  const method = field(ser, 'method', sp);
  const hashType = field(ser, 'hash_type', sp);
  const allow = field(ser, 'allow_symlinks', sp);
  if (method !== 'files' && method !== 'shards') throw invalid(`${sp}.method`, 'expected "files" or "shards"');
  if (!HASH_TYPES.includes(hashType as OmsHashType))
    throw invalid(`${sp}.hash_type`, `expected one of ${HASH_TYPES.join(', ')}`);
  if (typeof allow !== 'boolean') throw invalid(`${sp}.allow_symlinks`, 'expected a boolean');
  let shardSize: number | undefined;
  if (method === 'shards') {
    const n = field(ser, 'shard_size', sp);
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0)
      throw invalid(`${sp}.shard_size`, 'expected a positive integer');
    shardSize = n;
  }
  let ignorePaths: string[] | undefined;
  if (Object.hasOwn(ser, 'ignore_paths')) {
    const ip = ser.ignore_paths;
    if (!Array.isArray(ip) || !ip.every((p) => typeof p === 'string'))
      throw invalid(`${sp}.ignore_paths`, 'expected an array of strings');
    ignorePaths = normalizeOmsIgnorePaths(ip as string[], `${sp}.ignore_paths`);
  }
  const serialization = omsSerialization({
    method,
    hashType: hashType as OmsHashType,
    allowSymlinks: allow,
    ...(shardSize === undefined ? {} : { shardSize }),
    ...(ignorePaths ? { ignorePaths } : {}),
  });
  const alg = omsResourceAlgorithm(serialization);
  const resources = field(pred, 'resources', 'statement.predicate');
  if (!Array.isArray(resources)) throw invalid('statement.predicate.resources', 'expected an array');
  const items: OmsItem[] = [];
  const given: OmsResource[] = [];
  resources.forEach((r, i) => {
    const rp = `statement.predicate.resources[${i}]`;
    if (!isJsonObject(r)) throw invalid(rp, 'expected an object');
    const rn = field(r, 'name', rp);
    const ra = field(r, 'algorithm', rp);
    const rd = field(r, 'digest', rp);
    if (typeof rn !== 'string') throw invalid(`${rp}.name`, 'expected a string');
    if (ra !== alg)
      throw invalid(
        `${rp}.algorithm`,
        `expected ${alg} for this serialization, got ${JSON.stringify(ra).slice(0, 60)}`,
      );
    if (!isLowerHex(rd, DIGEST_LEN[serialization.hash_type]))
      throw invalid(`${rp}.digest`, `expected ${DIGEST_LEN[serialization.hash_type] * 2} lowercase hex digits`);
    given.push({ name: rn, algorithm: alg, digest: rd });
    if (method === 'files') {
      items.push({ path: rn, digest: rd });
    } else {
      const parts = rn.split(':');
      if (parts.length !== 3 || !DECIMAL.test(parts[1]!) || !DECIMAL.test(parts[2]!))
        throw invalid(`${rp}.name`, 'expected path:start:end');
      items.push({ path: parts[0]!, digest: rd, start: Number(parts[1]), end: Number(parts[2]) });
    }
  });
  const root = omsRootDigest(given);
  if (!equalHex(root, dg.sha256 as string)) {
    throw new LineproofError(
      'OMS_ROOT_DIGEST_MISMATCH',
      `statement.subject[0].digest.sha256 is ${shortDigest(dg.sha256 as string)}, but the resources hash to ${shortDigest(root)}`,
      {
        path: 'statement.subject[0].digest.sha256',
        expected: root,
        actual: dg.sha256 as string,
      },
    );
  }
  const built = buildOmsLenient(name, serialization, items);
  return { ...built, rootDigest: root };
}

// Reading: shards need not tile (model_signing does not check it; a gap shows up in the diff).
function buildOmsLenient(modelName: string, serialization: OmsSerialization, items: OmsItem[]): OmsManifest {
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

/** How two model_signing manifests differ, resource by resource (sorted as model_signing sorts). */
export interface OmsDiff {
  extra: OmsResource[];
  missing: OmsResource[];
  mismatched: { name: string; expected: OmsResource; actual: OmsResource }[];
  matched: string[];
}

/**
 * Compare two model_signing manifests by resource name, algorithm and digest (constant time), as
 * model_signing compares them (serialization details other than the algorithm are not compared).
 * @param expected the signed manifest
 * @param actual the manifest of the model as it is
 * @returns missing, extra, mismatched and matched resources
 * @example
 * ```ts
 * diffOmsManifests(signed, local).mismatched.map((m) => m.name);
 * ```
 */
export function diffOmsManifests(expected: OmsManifest, actual: OmsManifest): OmsDiff {
  const a = new Map(actual.resources.map((r) => [r.name, r]));
  const e = new Map(expected.resources.map((r) => [r.name, r]));
  const out: OmsDiff = { extra: [], missing: [], mismatched: [], matched: [] };
  for (const r of expected.resources) {
    const x = a.get(r.name);
    if (!x) out.missing.push(r);
    else if (x.algorithm !== r.algorithm || !equalHex(x.digest, r.digest))
      out.mismatched.push({ name: r.name, expected: r, actual: x });
    else out.matched.push(r.name);
  }
  for (const r of actual.resources) if (!e.has(r.name)) out.extra.push(r);
  return out;
}

/**
 * Verify a model (its freshly computed model_signing manifest) against an attested one, as a
 * report (kind `oms`): the method, hash type and shard size must agree (`oms.serialization`); then
 * one failed `oms.resource` check per missing, extra or mismatched resource; `oms.resources`
 * passes when all match. Never throws.
 * @param expected the signed manifest
 * @param actual the manifest of the model as it is
 * @param options subject name for the report
 * @returns the report (kind `oms`) and the diff
 * @example
 * ```ts
 * assertVerified(verifyOmsManifest(signed, local).report);
 * ```
 */
export function verifyOmsManifest(
  expected: OmsManifest,
  actual: OmsManifest,
  options: { subject?: string } = {},
): { report: Report; diff: OmsDiff } {
  const subject = options.subject ?? `sha256:${expected.rootDigest}`;
  const rb = new ReportBuilder('oms');
  const empty: OmsDiff = { extra: [], missing: [], mismatched: [], matched: [] };
  const done = (diff: OmsDiff): { report: Report; diff: OmsDiff } => {
    rb.result({ subject, ok: rb.ok, chain: [] });
    return { report: rb.build(), diff };
  };
  const e = expected.serialization;
  const a = actual.serialization;
  const want = `${e.method}/${omsResourceAlgorithm(e)}`;
  const got = `${a.method}/${omsResourceAlgorithm(a)}`;
  if (want !== got) {
    rb.fail(
      'oms.serialization',
      'MANIFEST_HASHING_MISMATCH',
      subject,
      'the model was hashed with another method or hash than the signature records',
      { expected: want, actual: got },
    );
    return done(empty);
  }
  rb.pass('oms.serialization', subject, `hashed by ${e.method} with ${omsResourceAlgorithm(e)}`, {
    expected: want,
    actual: got,
  });
  const diff = diffOmsManifests(expected, actual);
  for (const r of diff.missing)
    rb.fail('oms.resource', 'MANIFEST_ITEM_MISSING', r.name, 'signed but missing', {
      expected: `${r.algorithm}:${r.digest}`,
    });
  for (const r of diff.extra)
    rb.fail('oms.resource', 'MANIFEST_ITEM_EXTRA', r.name, 'present but not signed', {
      actual: `${r.algorithm}:${r.digest}`,
    });
  for (const m of diff.mismatched) {
    rb.fail(
      'oms.resource',
      'MANIFEST_ITEM_MISMATCH',
      m.name,
      `content differs: ${shortDigest(m.actual.digest)}, signed ${shortDigest(m.expected.digest)}`,
      {
        expected: `${m.expected.algorithm}:${m.expected.digest}`,
        actual: `${m.actual.algorithm}:${m.actual.digest}`,
      },
    );
  }
  if (diff.missing.length + diff.extra.length + diff.mismatched.length === 0) {
    rb.pass('oms.resources', subject, `all ${diff.matched.length} resources match`, {
      expected: `sha256:${expected.rootDigest}`,
      actual: `sha256:${actual.rootDigest}`,
    });
  }
  return done(diff);
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
