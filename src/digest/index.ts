/**
 * DigestSets (in-toto ResourceDescriptor `digest`) and the text form `alg:hex` (decisions §3).
 *
 * In a DigestSet, `sha256`, `sha512` and `blake2b` always mean the hash of the exact bytes of the
 * artifact. Chunk-tree digests are named `sha256-tree-v1-<leafBytes>`. Two DigestSets match when
 * at least one algorithm accepted by the policy is present in both, and every algorithm present in
 * both agrees (so a set cannot smuggle a wrong digest under an algorithm the verifier ignores).
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
// Only the zero-I/O parts of multiformats (CIDs, multihash digests, their bases); never
// multiformats/hashes/sha2, which imports node:crypto.
import { CID } from 'multiformats/cid';
import * as Multihash from 'multiformats/hashes/digest';
import { LineproofError } from '../errors.js';
import { equalHex, fromHex, isLowerHex, toHex } from '../bytes/index.js';

/** Algorithm name to lowercase hex digest. */
export type DigestSet = Record<string, string>;

/** Digest lengths in bytes of the algorithms whose values we can check for shape. */
const DIGEST_BYTES: Readonly<Record<string, number>> = Object.freeze({
  sha256: 32,
  sha384: 48,
  sha512: 64,
  blake2b: 64,
  blake3: 32,
});

/** Algorithms accepted by default when a policy names none. */
const DEFAULT_ACCEPTED_ALGORITHMS: readonly string[] = Object.freeze(['sha256', 'sha512', 'blake2b']);

const TREE_ALG = /^sha256-tree-v1-(\d+)$/;
const ALG_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
// in-toto DigestSet keys include names such as gitCommit and dirHash.
const SET_KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Expected digest length in bytes of `alg`, or undefined when unknown. */
export function digestLength(alg: string): number | undefined {
  if (Object.hasOwn(DIGEST_BYTES, alg)) return DIGEST_BYTES[alg];
  if (TREE_ALG.test(alg)) return 32;
  return undefined;
}

/** SHA-256 of `bytes` (pure JS, noble). */
export function sha256(bytes: Uint8Array): Uint8Array {
  return nobleSha256(bytes);
}

/** Lowercase hex SHA-256 of `bytes`. */
export function sha256Hex(bytes: Uint8Array): string {
  return toHex(nobleSha256(bytes));
}

/** `alg:hex` text form of a digest, e.g. `sha256:<hex>`. */
export function formatDigest(alg: string, hex: string): string {
  return `${alg}:${hex}`;
}

/** `alg:hex` of a DigestSet's preferred algorithm: sha256 when present, else the first by name. */
export function digestText(set: DigestSet): string {
  const alg = Object.hasOwn(set, 'sha256') ? 'sha256' : Object.keys(set).sort()[0]!;
  return formatDigest(alg, set[alg]!);
}

/**
 * A digest text shortened for messages and reports: `sha256:0123456789ab…`, the algorithm kept and
 * the hex cut to twelve digits; text without an algorithm, or with a short hex, unchanged.
 */
export function shortDigestText(text: string): string {
  const i = text.indexOf(':');
  return i > 0 && text.length - i > 16 ? `${text.slice(0, i + 13)}…` : text;
}

/** A digest read from text: the algorithm and the lowercase hex. */
export interface ParsedDigest {
  alg: string;
  hex: string;
}

/** What {@link parseDigest} accepts besides `alg:hex`. */
export interface ParseDigestOptions {
  /**
   * Also accept a CIDv1 with the raw codec in base32 (`bafkrei…`, what {@link digestToCid}
   * prints), read as the `alg:hex` of its multihash. Off by default: documents carry `alg:hex` only.
   */
  cid?: boolean;
  /** Accept this algorithm only (e.g. `sha256` for a payload digest). */
  alg?: string;
}

/**
 * Parse the text form `alg:hex` (e.g. `sha256:ab12…`), the one reader of digest text. The
 * algorithm is lowercase; the hex is lowercase and has the algorithm's length when it is known.
 * With `cid`, a CID (see {@link digestFromCid}) is read too.
 * @param what the input's name, used in messages and as the error's path
 * @throws {LineproofError} INVALID_ARGUMENT naming the input
 */
export function parseDigest(text: string, what = 'digest', options: ParseDigestOptions = {}): ParsedDigest {
  if (typeof text !== 'string') throw new TypeError(`"${what}" expected string`);
  const parsed = options.cid && !text.includes(':') ? digestFromCid(text, what) : parseDigestText(text, what);
  if (options.alg !== undefined && parsed.alg !== options.alg) {
    throw new LineproofError('INVALID_ARGUMENT', `${what}: expected ${options.alg}:<hex>, got ${parsed.alg}:…`, {
      path: what,
      expected: options.alg,
      actual: parsed.alg,
    });
  }
  return parsed;
}

function parseDigestText(text: string, what: string): ParsedDigest {
  const i = text.indexOf(':');
  const alg = i < 0 ? '' : text.slice(0, i);
  const hex = i < 0 ? '' : text.slice(i + 1);
  if (!ALG_NAME.test(alg)) {
    throw new LineproofError(
      'INVALID_ARGUMENT',
      `${what}: expected ALG:HEX such as sha256:<64 hex digits>, got ${JSON.stringify(text.slice(0, 80))}`,
      { path: what },
    );
  }
  const len = digestLength(alg);
  if (!isLowerHex(hex) || hex.length === 0 || (len !== undefined && hex.length !== len * 2)) {
    throw new LineproofError(
      'INVALID_ARGUMENT',
      `${what}: expected ${len ? len * 2 : 'some'} lowercase hex digits after "${alg}:", got ${hex.length}`,
      { path: what, expected: len ? `${len * 2} hex digits` : 'hex', actual: `${hex.length} characters` },
    );
  }
  return { alg, hex };
}

// ---- multihash and CID -------------------------------------------------------------------------

/** Multihash codes (the multicodec table) of the algorithms a digest text can name. */
const MULTIHASH_CODES: Readonly<Record<string, number>> = Object.freeze({
  sha256: 0x12,
  sha384: 0x20,
  sha512: 0x13,
  blake2b: 0xb240, // blake2b-512: our blake2b is the 64-byte digest
  blake3: 0x1e,
});
/** The multicodec of raw bytes: a CID of the exact bytes the digest is over. */
const RAW_CODEC = 0x55;

function multihashAlgorithm(code: number): string | undefined {
  return Object.keys(MULTIHASH_CODES).find((a) => MULTIHASH_CODES[a] === code);
}

function notMultihash(what: string, message: string): never {
  throw new LineproofError('INVALID_ARGUMENT', `${what}: ${message}`, { path: what });
}

/**
 * The multihash of a digest: varint(code) ‖ varint(length) ‖ digest.
 * @throws {LineproofError} INVALID_ARGUMENT for malformed hex or an algorithm multihash has no code for
 */
export function digestToMultihash(alg: string, hex: string): Uint8Array {
  const parsed = parseDigestText(formatDigest(alg, hex), 'digest');
  const code = MULTIHASH_CODES[parsed.alg];
  if (code === undefined)
    notMultihash('digest', `no multihash code for ${alg} (${Object.keys(MULTIHASH_CODES).join(', ')})`);
  return Multihash.create(code, fromHex(parsed.hex)).bytes;
}

/**
 * Read a multihash of a known algorithm at its full length (a truncated digest is refused).
 * @throws {LineproofError} INVALID_ARGUMENT naming the input
 */
export function digestFromMultihash(bytes: Uint8Array, what = 'multihash'): ParsedDigest {
  let mh: { code: number; digest: Uint8Array };
  try {
    mh = Multihash.decode(bytes);
  } catch (cause) {
    return notMultihash(what, `not a multihash (${(cause as Error).message})`);
  }
  return fromMultihashDigest(mh, what);
}

function fromMultihashDigest(mh: { code: number; digest: Uint8Array }, what: string): ParsedDigest {
  const alg = multihashAlgorithm(mh.code);
  if (alg === undefined)
    notMultihash(
      what,
      `multihash code 0x${mh.code.toString(16)} is not one of ${Object.keys(MULTIHASH_CODES).join(', ')}`,
    );
  if (mh.digest.length !== digestLength(alg))
    notMultihash(
      what,
      `a ${alg} multihash holds ${digestLength(alg)} bytes, got ${mh.digest.length} (truncated digests are refused)`,
    );
  return { alg, hex: toHex(mh.digest) };
}

/**
 * The CID of the bytes a digest is over: CIDv1, raw codec, base32 (`bafkrei…` for sha256), the
 * form a content-addressed store (IPFS and others) names a blob by.
 * @throws {LineproofError} INVALID_ARGUMENT as {@link digestToMultihash}
 */
export function digestToCid(alg: string, hex: string): string {
  return CID.createV1(RAW_CODEC, Multihash.decode(digestToMultihash(alg, hex))).toString();
}

/**
 * Read a CID printed by {@link digestToCid}: CIDv1, raw codec, in base32, with the multihash of a
 * known algorithm at full length. Other codecs (dag-pb, CIDv0 `Qm…`) name a DAG node, not the bytes,
 * and are refused, as are other bases (one text per digest).
 * @throws {LineproofError} INVALID_ARGUMENT naming the input
 */
export function digestFromCid(text: string, what = 'cid'): ParsedDigest {
  if (typeof text !== 'string') throw new TypeError(`"${what}" expected string`);
  let cid: CID;
  try {
    cid = CID.parse(text);
  } catch (cause) {
    return notMultihash(
      what,
      `expected ALG:HEX or a CID, got ${JSON.stringify(text.slice(0, 80))} (${(cause as Error).message})`,
    );
  }
  if (cid.version !== 1 || cid.code !== RAW_CODEC)
    notMultihash(
      what,
      `expected a CIDv1 of raw bytes (codec 0x55), got CIDv${cid.version} with codec 0x${cid.code.toString(16)}`,
    );
  if (cid.toString() !== text) notMultihash(what, `expected the CID in base32 (${cid.toString()})`);
  return fromMultihashDigest(cid.multihash, what);
}

/** Parse `alg:hex` into a one-entry DigestSet. */
export function digestSetFromText(text: string, what = 'digest', options: ParseDigestOptions = {}): DigestSet {
  const { alg, hex } = parseDigest(text, what, options);
  return { [alg]: hex };
}

/**
 * Check a DigestSet's shape: at least one entry, algorithm names in `[A-Za-z0-9_-]`, lowercase hex of
 * the right length for known algorithms.
 * @throws {LineproofError} SCHEMA_INVALID naming the field
 */
export function assertDigestSet(set: unknown, what = 'digest'): asserts set is DigestSet {
  if (typeof set !== 'object' || set === null || Array.isArray(set)) {
    throw new LineproofError('SCHEMA_INVALID', `${what}: expected an object of algorithm to hex digest`, {
      path: what,
    });
  }
  const entries = Object.entries(set);
  if (entries.length === 0) throw new LineproofError('SCHEMA_INVALID', `${what}: empty digest set`, { path: what });
  for (const [alg, hex] of entries) {
    if (!SET_KEY.test(alg))
      throw new LineproofError('SCHEMA_INVALID', `${what}.${alg}: invalid algorithm name`, { path: `${what}.${alg}` });
    const len = digestLength(alg);
    if (!isLowerHex(hex) || hex.length === 0 || (len !== undefined && hex.length !== len * 2)) {
      throw new LineproofError(
        'SCHEMA_INVALID',
        `${what}.${alg}: expected ${len ? len * 2 : 'some'} lowercase hex digits`,
        { path: `${what}.${alg}` },
      );
    }
  }
}

/** The outcome of comparing two DigestSets. */
type DigestMatch =
  | { match: true; algorithms: string[] }
  | { match: false; reason: 'no-common-accepted-algorithm'; common: string[] }
  | { match: false; reason: 'mismatch'; algorithm: string; expected: string; actual: string };

/**
 * Compare two DigestSets (decisions §3): they match when at least one accepted algorithm is present
 * in both, and every algorithm present in both agrees (compared in constant time).
 * @param expected the set being checked against (e.g. the attested subject)
 * @param actual the set computed or presented
 * @param accepted algorithms the policy accepts (default sha256, sha512, blake2b)
 */
export function matchDigestSets(
  expected: DigestSet,
  actual: DigestSet,
  accepted: readonly string[] = DEFAULT_ACCEPTED_ALGORITHMS,
): DigestMatch {
  const common = Object.keys(expected)
    .filter((a) => Object.hasOwn(actual, a))
    .sort();
  for (const alg of common) {
    if (!equalHex(expected[alg]!, actual[alg]!))
      return { match: false, reason: 'mismatch', algorithm: alg, expected: expected[alg]!, actual: actual[alg]! };
  }
  const usable = common.filter(
    (a) => accepted.includes(a) || (accepted.includes('sha256-tree-v1') && TREE_ALG.test(a)),
  );
  if (usable.length === 0) return { match: false, reason: 'no-common-accepted-algorithm', common };
  return { match: true, algorithms: usable };
}
