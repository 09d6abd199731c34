/**
 * Building, reading and naming Lineproof v1 manifests (decisions §5, spec/manifests.md).
 *
 * A manifest lists every file of a tree (a model directory, a dataset) with its size and digest,
 * together with the hashing configuration and the ignore list. It is built by the pure core from
 * (path, byte source) pairs (hash.ts), or from digests computed elsewhere (so a tree can be signed
 * without its bytes). Its canonical bytes are RFC 8785 JCS; the tree's subject digest is their SHA-256.
 */
import { LineproofError, describeType } from '../errors.js';
import { isJsonObject, parseJson, joinPath, type JsonValue } from '../json/strict.js';
import { canonicalBytes, canonicalPieces } from '../json/canonical.js';
import { isLowerHex, toHex, utf8 } from '../bytes/index.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { digestLength, type DigestSet } from '../digest/index.js';
import { resolveLimits, type Limits } from '../limits.js';
import { HASH_ALGORITHMS } from '../hashing/types.js';
import { checkManifestPath, checkPathSet, comparePaths, compareCodePoints } from './path.js';
import { DEFAULT_IGNORE, ignoreMatcher, normalizeIgnore } from './ignore.js';
import {
  MANIFEST_MEDIA_TYPE,
  MANIFEST_VERSION,
  type Manifest,
  type ManifestItem,
  type ManifestSubject,
} from './types.js';

const TREE_ALG = /^sha256-tree-v1-([0-9]+)$/;

/**
 * True for an algorithm name a v1 manifest may use.
 * @param name any value
 * @returns true for sha256, sha512, blake2b, blake3 and `sha256-tree-v1-<leafBytes>` (power of two, 64 KiB..64 MiB)
 * @example
 * ```ts
 * isManifestAlgorithm('sha256-tree-v1-1048576'); // true
 * ```
 */
function isManifestAlgorithm(name: unknown): name is string {
  if (typeof name !== 'string') return false;
  if ((HASH_ALGORITHMS as readonly string[]).includes(name)) return true;
  const m = TREE_ALG.exec(name);
  if (!m || m[1]!.startsWith('0')) return false;
  const leaf = Number(m[1]);
  return leaf >= 65536 && leaf <= 67108864 && (leaf & (leaf - 1)) === 0;
}

function schema(path: string, why: string): LineproofError {
  return new LineproofError('SCHEMA_INVALID', `${path}: ${why}`, { path });
}

function checkAlgorithms(algs: unknown, what: string): string[] {
  if (!Array.isArray(algs) || algs.length === 0) throw schema(what, 'expected a non-empty array of algorithm names');
  algs.forEach((a, i) => {
    if (!isManifestAlgorithm(a)) {
      throw new LineproofError(
        'HASH_ALGORITHM_UNSUPPORTED',
        `${joinPath(what, i)}: unsupported algorithm ${JSON.stringify(a).slice(0, 80)}`,
        { path: joinPath(what, i) },
      );
    }
  });
  return algs as string[];
}

function checkDigestSet(digest: unknown, algorithms: readonly string[], what: string): asserts digest is DigestSet {
  if (!isJsonObject(digest)) throw schema(what, 'expected an object of algorithm to hex digest');
  const keys = Object.keys(digest);
  if (keys.length !== algorithms.length || !algorithms.every((a) => Object.hasOwn(digest, a))) {
    throw new LineproofError(
      'SCHEMA_INVALID',
      `${what}: expected exactly the algorithms ${algorithms.join(', ')}, got ${keys.join(', ') || 'none'}`,
      {
        path: what,
        expected: algorithms.join(','),
        actual: keys.join(','),
      },
    );
  }
  for (const a of algorithms) {
    const hex = (digest as Record<string, unknown>)[a];
    if (!isLowerHex(hex, digestLength(a)))
      throw schema(joinPath(what, a), `expected ${(digestLength(a) ?? 0) * 2} lowercase hex digits`);
  }
}

function checkSize(size: unknown, what: string): asserts size is number {
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw schema(what, `expected a non-negative integer byte count, got ${describeType(size)}`);
}

const validated = new WeakSet<object>();

function deepFreeze(m: Manifest): Manifest {
  for (const it of m.items) {
    Object.freeze(it.digest);
    Object.freeze(it);
  }
  Object.freeze(m.items);
  Object.freeze(m.ignore);
  Object.freeze(m.hashing.algorithms);
  Object.freeze(m.hashing);
  Object.freeze(m);
  validated.add(m);
  return m;
}

/** Options shared by the manifest builders. */
export interface ManifestOptions {
  /** Digest algorithms of each item (default `['sha256']`). */
  algorithms?: readonly string[];
  /** Ignore patterns (default {@link DEFAULT_IGNORE}); recorded in the manifest. */
  ignore?: readonly string[];
  /** Overrides of the limits (`manifestItems`). */
  limits?: Partial<Limits>;
}

/** An item given with its digest already computed (sign without the bytes). */
export interface ManifestItemInput {
  path: string;
  size: number;
  digest: DigestSet;
}

/**
 * Build a manifest from items whose digests were computed elsewhere: paths checked (each and as
 * a set), digests checked against the algorithms, items sorted with the model_signing comparator.
 * The result is deep-frozen.
 *
 * @param items path, size and digest of each file (any order)
 * @param options algorithms (default sha256) and ignore list (default {@link DEFAULT_IGNORE})
 * @returns the manifest
 * @throws {LineproofError} a path rule code (MANIFEST_PATH_*, MANIFEST_DUPLICATE_PATH,
 *   MANIFEST_NFC_COLLISION, MANIFEST_PATH_CONFLICT), MANIFEST_ITEM_IGNORED for an item the ignore
 *   list excludes, SCHEMA_INVALID for a bad size or digest, HASH_ALGORITHM_UNSUPPORTED, LIMIT_EXCEEDED
 * @example
 * ```ts
 * const m = buildManifest([{ path: 'w.bin', size: 3, digest: { sha256: sha256Hex(utf8('abc')) } }]);
 * manifestDigestText(m); // 'sha256:…'
 * ```
 */
export function buildManifest(items: Iterable<ManifestItemInput>, options: ManifestOptions = {}): Manifest {
  const limits = resolveLimits(options.limits);
  const algorithms = [...new Set(checkAlgorithms([...(options.algorithms ?? ['sha256'])], 'algorithms'))].sort(
    compareCodePoints,
  );
  const ignore = normalizeIgnore(options.ignore ?? DEFAULT_IGNORE);
  const matcher = ignoreMatcher(ignore);
  const out: ManifestItem[] = [];
  let i = 0;
  for (const it of items) {
    const what = `items[${i}]`;
    if (!isJsonObject(it)) throw schema(what, 'expected {path, size, digest}');
    if (++i > limits.manifestItems) {
      throw new LineproofError('LIMIT_EXCEEDED', `manifest: more than ${limits.manifestItems} items`, {
        path: 'items',
        expected: `<= ${limits.manifestItems}`,
      });
    }
    checkManifestPath(it.path, `${what}.path`);
    checkSize(it.size, `${what}.size`);
    checkDigestSet(it.digest, algorithms, `${what}.digest`);
    if (matcher.ignoresFile(it.path)) {
      throw new LineproofError(
        'MANIFEST_ITEM_IGNORED',
        `${what}: ${JSON.stringify(it.path)} is excluded by the ignore list`,
        { path: it.path },
      );
    }
    const digest: DigestSet = {};
    for (const a of algorithms) digest[a] = it.digest[a]!;
    out.push({ path: it.path, size: it.size, digest });
  }
  out.sort((a, b) => comparePaths(a.path, b.path));
  checkPathSet(
    out.map((x) => x.path),
    'items',
  );
  return deepFreeze({ version: MANIFEST_VERSION, hashing: { algorithms }, ignore, items: out });
}

/** Options of {@link parseManifest}. */
export interface ParseManifestOptions {
  /** Largest manifest accepted, in bytes (default 256 MiB). */
  maxBytes?: number;
  /** Names the input in errors. */
  what?: string;
  limits?: Partial<Limits>;
}

/** Default size limit of a manifest document read by {@link parseManifest}. */
const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;

function exactKeys(o: Record<string, unknown>, keys: readonly string[], what: string): void {
  for (const k of Object.keys(o))
    if (!keys.includes(k)) throw schema(joinPath(what, k), `unknown field (a v1 manifest has only ${keys.join(', ')})`);
  for (const k of keys) if (!Object.hasOwn(o, k)) throw schema(joinPath(what, k), 'missing field');
}

function notCanonical(path: string, why: string): LineproofError {
  return new LineproofError('MANIFEST_NOT_CANONICAL', `${path}: ${why}`, { path });
}

/**
 * Read a manifest (untrusted): strict JSON, exact shape (unknown fields fail: a new meaning needs
 * a new version), the canonical form (sorted items and lists), every path rule, and no item that
 * the manifest's own ignore list excludes.
 *
 * @param input JSON bytes or text, or an already parsed JSON value
 * @returns a deep-frozen manifest
 * @throws {LineproofError} JSON_* codes, SCHEMA_INVALID, MANIFEST_VERSION_UNSUPPORTED,
 *   MANIFEST_NOT_CANONICAL, path rule codes, MANIFEST_ITEM_IGNORED, LIMIT_EXCEEDED
 * @example
 * ```ts
 * const m = parseManifest(readFileSync('model.manifest.json'));
 * manifestDigestText(m); // compare with the attested subject digest
 * ```
 */
export function parseManifest(input: Uint8Array | string | JsonValue, options: ParseManifestOptions = {}): Manifest {
  const what = options.what ?? 'manifest';
  const limits = resolveLimits(options.limits);
  const value: unknown =
    typeof input === 'string' || input instanceof Uint8Array
      ? parseJson(input, { what, maxBytes: options.maxBytes ?? MAX_MANIFEST_BYTES })
      : input;
  if (!isJsonObject(value)) throw schema(what, 'expected a JSON object');
  if (Object.hasOwn(value, 'version') && value.version !== MANIFEST_VERSION) {
    throw new LineproofError(
      'MANIFEST_VERSION_UNSUPPORTED',
      `${what}.version: expected ${MANIFEST_VERSION}, got ${JSON.stringify(value.version).slice(0, 40)}`,
      {
        path: `${what}.version`,
        expected: String(MANIFEST_VERSION),
        actual: JSON.stringify(value.version).slice(0, 40),
      },
    );
  }
  exactKeys(value, ['version', 'hashing', 'ignore', 'items'], what);
  const hashing = value.hashing;
  if (!isJsonObject(hashing)) throw schema(`${what}.hashing`, 'expected an object');
  exactKeys(hashing, ['algorithms'], `${what}.hashing`);
  const algorithms = checkAlgorithms(hashing.algorithms, `${what}.hashing.algorithms`);
  for (let i = 1; i < algorithms.length; i++) {
    if (compareCodePoints(algorithms[i - 1]!, algorithms[i]!) >= 0)
      throw notCanonical(`${what}.hashing.algorithms`, 'algorithms must be sorted and distinct');
  }
  if (!Array.isArray(value.ignore)) throw schema(`${what}.ignore`, 'expected an array of patterns');
  const ignore = normalizeIgnore(value.ignore as string[], `${what}.ignore`);
  if (ignore.length !== value.ignore.length || ignore.some((p, i) => p !== (value.ignore as string[])[i])) {
    throw notCanonical(`${what}.ignore`, 'ignore patterns must be sorted by code point and distinct');
  }
  const matcher = ignoreMatcher(ignore);
  if (!Array.isArray(value.items)) throw schema(`${what}.items`, 'expected an array');
  if (value.items.length > limits.manifestItems) {
    throw new LineproofError(
      'LIMIT_EXCEEDED',
      `${what}.items: ${value.items.length} items is more than the limit of ${limits.manifestItems}`,
      { path: `${what}.items` },
    );
  }
  const items: ManifestItem[] = [];
  value.items.forEach((it, i) => {
    const p = `${what}.items[${i}]`;
    if (!isJsonObject(it)) throw schema(p, 'expected {path, size, digest}');
    exactKeys(it, ['path', 'size', 'digest'], p);
    checkManifestPath(it.path, `${p}.path`);
    checkSize(it.size, `${p}.size`);
    checkDigestSet(it.digest, algorithms, `${p}.digest`);
    if (matcher.ignoresFile(it.path))
      throw new LineproofError(
        'MANIFEST_ITEM_IGNORED',
        `${p}: ${JSON.stringify(it.path)} is excluded by the manifest's own ignore list`,
        { path: it.path },
      );
    const prev = items[i - 1];
    if (prev && comparePaths(prev.path, it.path) > 0)
      throw notCanonical(
        `${p}.path`,
        `items must be sorted by path (${JSON.stringify(prev.path)} comes after ${JSON.stringify(it.path)})`,
      );
    items.push({ path: it.path, size: it.size, digest: { ...it.digest } });
  });
  checkPathSet(
    items.map((x) => x.path),
    `${what}.items`,
  );
  return deepFreeze({ version: MANIFEST_VERSION, hashing: { algorithms: [...algorithms] }, ignore, items });
}

function checked(m: Manifest): Manifest {
  return validated.has(m) ? m : parseManifest(m as unknown as JsonValue);
}

/**
 * The canonical bytes of a manifest (RFC 8785 JCS). A manifest not built or parsed by this module
 * is checked first.
 * @throws {LineproofError} as {@link parseManifest} for a malformed manifest
 * @param manifest a manifest (built, parsed, or a plain object that passes the checks)
 * @returns the JCS bytes (a fresh copy)
 * @example
 * ```ts
 * new TextDecoder().decode(manifestBytes(m)); // '{"hashing":{…},"ignore":[…],"items":[…],"version":1}'
 * ```
 */
export function manifestBytes(manifest: Manifest): Uint8Array {
  return canonicalBytes(checked(manifest));
}

/**
 * The manifest's digest set: `{sha256: hex of SHA-256(JCS bytes)}` — the tree's subject digest.
 * @example
 * ```ts
 * manifestDigest(m).sha256; // 64 hex digits
 * ```
 * @param manifest the manifest
 * @returns `{sha256: hex}`
 * @throws {LineproofError} as {@link parseManifest} for a malformed manifest
 */
export function manifestDigest(manifest: Manifest): DigestSet {
  const m = checked(manifest);
  let hex = digestCache.get(m);
  if (hex === undefined) {
    hex = canonicalSha256(m);
    digestCache.set(m, hex); // checked manifests are deep-frozen, so the digest cannot go stale
  }
  return { sha256: hex };
}

const digestCache = new WeakMap<Manifest, string>();

/** SHA-256 of the JCS bytes, hashed piece by piece (a manifest of a million files is never one string). */
function canonicalSha256(value: unknown): string {
  const h = nobleSha256.create();
  let pending = '';
  canonicalPieces(value, (p) => {
    pending += p;
    if (pending.length >= 65536) {
      h.update(utf8(pending));
      pending = '';
    }
  });
  h.update(utf8(pending));
  return toHex(h.digest());
}

/**
 * The manifest digest in text form `sha256:<hex>`, exactly as `--digest` takes it.
 * @param manifest the manifest
 * @returns `sha256:<hex>`
 * @throws {LineproofError} as {@link parseManifest} for a malformed manifest
 * @example
 * ```ts
 * manifestDigestText(m); // 'sha256:11c59fcd…'
 * ```
 */
export function manifestDigestText(manifest: Manifest): string {
  return `sha256:${manifestDigest(manifest).sha256}`;
}

/**
 * An in-toto ResourceDescriptor naming the tree: `{name, digest: {sha256}, mediaType}` with the
 * v1 manifest media type.
 * @param name informative name (e.g. the directory name); it is not part of the digest
 * @returns `{name, digest: {sha256}, mediaType: 'application/vnd.lineproof.manifest.v1+json'}`
 * @throws {LineproofError} as {@link parseManifest} for a malformed manifest
 * @example
 * ```ts
 * manifestSubject(m, 'llama-ft'); // { name: 'llama-ft', digest: { sha256: '…' }, mediaType: '…manifest.v1+json' }
 * ```
 */
export function manifestSubject(manifest: Manifest, name: string): ManifestSubject {
  if (typeof name !== 'string') throw new TypeError('"name" expected string');
  return { name, digest: manifestDigest(manifest), mediaType: MANIFEST_MEDIA_TYPE };
}

/**
 * True when `m` was built or parsed (and so checked) by this module.
 * @param m any value
 * @returns true for a deep-frozen manifest from buildManifest, hashManifest or parseManifest
 * @example
 * ```ts
 * isCheckedManifest(parseManifest(bytes)); // true
 * ```
 */
export function isCheckedManifest(m: unknown): m is Manifest {
  return typeof m === 'object' && m !== null && validated.has(m);
}
