/**
 * The chunk tree `sha256-tree-v1-<leafBytes>` (decisions §3, spec/hashing.md).
 *
 * A file is cut into leaves of `leafBytes` (the last may be shorter; the empty file has none).
 * The Merkle Tree Hash (MTH) is RFC 9162's: leaf = SHA-256(0x00 || chunk),
 * node = SHA-256(0x01 || left || right), split at the largest power of two smaller than n, and
 * MTH of no leaves = SHA-256(""). The root binds the length and leaf size:
 * root = SHA-256(0x02 || u64be(totalLength) || u32be(leafBytes) || MTH).
 *
 * Leaves are independent: any order, any worker, any machine. {@link treeRootFromLeafHashes}
 * merges leaf digests computed elsewhere into the identical root; {@link TreeBuilder} does it
 * streaming with O(log n) memory. Inclusion proofs are RFC 9162 audit paths.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { LineproofError } from '../errors.js';
import { concatBytes, equalBytes, fromHex, toHex, u32be, u64be } from '../bytes/index.js';
import type { HashEngine } from './types.js';

/** Smallest and largest leaf size, and the default (1 MiB). */
export const TREE_MIN_LEAF_BYTES = 65536;
export const TREE_MAX_LEAF_BYTES = 67108864;
export const TREE_DEFAULT_LEAF_BYTES = 1048576;

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);
const ROOT_PREFIX = new Uint8Array([0x02]);
const EMPTY_MTH = sha256(new Uint8Array(0));

/** The self-describing algorithm name for a leaf size, e.g. `sha256-tree-v1-1048576`. */
export function treeAlgorithm(leafBytes: number = TREE_DEFAULT_LEAF_BYTES): string {
  assertLeafBytes(leafBytes);
  return `sha256-tree-v1-${leafBytes}`;
}

/** Parse `sha256-tree-v1-<leafBytes>`, or undefined when `name` is not a tree algorithm. */
export function parseTreeAlgorithm(name: string): { leafBytes: number } | undefined {
  const m = /^sha256-tree-v1-([1-9][0-9]{0,9})$/.exec(name);
  if (!m) return undefined;
  const leafBytes = Number(m[1]);
  return isValidLeafBytes(leafBytes) ? { leafBytes } : undefined;
}

function isValidLeafBytes(n: number): boolean {
  return Number.isInteger(n) && n >= TREE_MIN_LEAF_BYTES && n <= TREE_MAX_LEAF_BYTES && (n & (n - 1)) === 0;
}

/** @throws {RangeError} unless `leafBytes` is a power of two in 65536..67108864 */
export function assertLeafBytes(leafBytes: number, name = 'leafBytes'): void {
  if (!isValidLeafBytes(leafBytes)) {
    throw new RangeError(
      `"${name}" expected a power of two from ${TREE_MIN_LEAF_BYTES} to ${TREE_MAX_LEAF_BYTES}, got ${leafBytes}`,
    );
  }
}

/** Number of leaves of a file of `totalLength` bytes. */
export function leafCount(totalLength: number, leafBytes: number): number {
  if (!Number.isSafeInteger(totalLength) || totalLength < 0)
    throw new RangeError(`"totalLength" expected a safe non-negative integer, got ${totalLength}`);
  return Math.ceil(totalLength / leafBytes);
}

/** SHA-256(0x00 || chunk): the hash of one leaf. */
export function leafHash(chunk: Uint8Array): Uint8Array {
  return sha256.create().update(LEAF_PREFIX).update(chunk).digest();
}

/** SHA-256(0x01 || left || right): the hash of an interior node. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256.create().update(NODE_PREFIX).update(left).update(right).digest();
}

/** SHA-256(0x02 || u64be(totalLength) || u32be(leafBytes) || mth): the root bound to length and leaf size. */
export function rootHash(mth: Uint8Array, totalLength: number, leafBytes: number): Uint8Array {
  assertLeafBytes(leafBytes);
  return sha256(concatBytes(ROOT_PREFIX, u64be(totalLength), u32be(leafBytes), mth));
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** RFC 9162 Merkle Tree Hash over leaf hashes (recursive split at the largest power of two < n). */
export function merkleTreeHash(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return EMPTY_MTH;
  // Streaming fold: same result as the recursive definition, O(log n) memory.
  const b = new TreeBuilderCore();
  for (const h of leafHashes) b.push(h);
  return b.mth();
}

/** Streaming MTH over leaf hashes that arrive in order: a stack of perfect subtrees. */
class TreeBuilderCore {
  private readonly stack: Array<{ size: number; hash: Uint8Array }> = [];
  count = 0;

  push(h: Uint8Array): void {
    let node = { size: 1, hash: h };
    while (this.stack.length > 0 && this.stack[this.stack.length - 1]!.size === node.size) {
      const left = this.stack.pop()!;
      node = { size: left.size * 2, hash: nodeHash(left.hash, node.hash) };
    }
    this.stack.push(node);
    this.count++;
  }

  mth(): Uint8Array {
    if (this.stack.length === 0) return EMPTY_MTH;
    // Subtree sizes are distinct decreasing powers of two, so folding from the right gives the
    // RFC 9162 split (the left part is always the largest power of two below n).
    let acc = this.stack[this.stack.length - 1]!.hash;
    for (let i = this.stack.length - 2; i >= 0; i--) acc = nodeHash(this.stack[i]!.hash, acc);
    return acc;
  }
}

/**
 * Merge leaf digests computed anywhere (workers, machines, WebCrypto) into the root.
 * @param leafHashes SHA-256(0x00 || chunk) of every leaf, in order
 * @param totalLength the file's length in bytes (must agree with the number of leaves)
 * @throws {RangeError} when the number of leaves does not match `totalLength` and `leafBytes`
 */
export function treeRootFromLeafHashes(
  leafHashes: readonly Uint8Array[],
  totalLength: number,
  leafBytes: number = TREE_DEFAULT_LEAF_BYTES,
): Uint8Array {
  assertLeafBytes(leafBytes);
  const n = leafCount(totalLength, leafBytes);
  if (leafHashes.length !== n)
    throw new RangeError(
      `"leafHashes" expected ${n} leaves for ${totalLength} bytes at ${leafBytes} per leaf, got ${leafHashes.length}`,
    );
  return rootHash(merkleTreeHash(leafHashes), totalLength, leafBytes);
}

/**
 * Streaming chunk-tree hasher: feed bytes in any split, get the root. Memory is one leaf buffer
 * plus O(log n) hashes.
 */
/** A leaf's hash, `SHA-256(0x00 || chunk)` (an adapter may compute it natively). */
export type LeafHashFn = (chunk: Uint8Array) => Uint8Array;

export class TreeHasher {
  private readonly core = new TreeBuilderCore();
  private readonly buf: Uint8Array;
  private fill = 0;
  private total = 0;
  private done = false;

  /**
   * @param leafBytes the leaf size
   * @param leaf the leaf hash (default: noble's SHA-256 of 0x00 || chunk; the Node adapter passes
   *   node:crypto's, the same function)
   */
  constructor(
    readonly leafBytes: number = TREE_DEFAULT_LEAF_BYTES,
    private readonly leaf: LeafHashFn = leafHash,
  ) {
    assertLeafBytes(leafBytes);
    this.buf = new Uint8Array(leafBytes);
  }

  /** Add bytes. */
  update(data: Uint8Array): this {
    if (this.done) throw new TypeError('TreeHasher: update() after digest()');
    let off = 0;
    while (off < data.length) {
      const take = Math.min(this.leafBytes - this.fill, data.length - off);
      if (this.fill === 0 && take === this.leafBytes) {
        // A whole leaf straight from the input, no copy.
        this.core.push(this.leaf(data.subarray(off, off + take)));
      } else {
        this.buf.set(data.subarray(off, off + take), this.fill);
        this.fill += take;
        if (this.fill === this.leafBytes) {
          this.core.push(this.leaf(this.buf));
          this.fill = 0;
        }
      }
      off += take;
    }
    this.total += data.length;
    return this;
  }

  /** The root; the hasher cannot be used afterwards. */
  digest(): Uint8Array {
    if (this.done) throw new TypeError('TreeHasher: digest() called twice');
    this.done = true;
    if (this.fill > 0) this.core.push(this.leaf(this.buf.subarray(0, this.fill)));
    return rootHash(this.core.mth(), this.total, this.leafBytes);
  }

  /** Bytes hashed so far. */
  get length(): number {
    return this.total;
  }
}

/**
 * The chunk tree as a streaming {@link HashEngine} (one thread), so manifests and the streaming
 * digests can record `sha256-tree-v1-<leafBytes>` digests for every file. The Node adapter's
 * worker pool computes the same digest on all cores.
 * @example
 * ```ts
 * const h = treeHashEngine(1 << 20).create(); h.update(bytes); h.digest();
 * ```
 */
export function treeHashEngine(leafBytes: number = TREE_DEFAULT_LEAF_BYTES, leaf?: LeafHashFn): HashEngine {
  const algorithm = treeAlgorithm(leafBytes);
  return Object.freeze({ algorithm, outputLen: 32, create: () => new TreeHasher(leafBytes, leaf) });
}

/** Root of the chunk tree of `data` (whole input in memory; see {@link TreeHasher} for streams). */
export function treeRoot(data: Uint8Array, leafBytes: number = TREE_DEFAULT_LEAF_BYTES): Uint8Array {
  return new TreeHasher(leafBytes).update(data).digest();
}

// ---- inclusion proofs (RFC 9162 §2.1.3) ----------------------------------------------------

/** An inclusion proof of one leaf (decisions §3). */
export interface InclusionProof {
  leafIndex: number;
  treeSize: number;
  totalLength: number;
  leafBytes: number;
  /** RFC 9162 audit path, bottom-up, lowercase hex. */
  path: string[];
}

/** RFC 9162 PATH(m, D[n]) over leaf hashes. */
function auditPath(m: number, leaves: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let lo = 0;
  let hi = leaves.length;
  const frames: Array<Uint8Array> = [];
  // Iterative descent collecting siblings top-down, reversed at the end.
  while (hi - lo > 1) {
    const k = largestPowerOfTwoBelow(hi - lo);
    if (m - lo < k) {
      frames.push(merkleTreeHash(leaves.slice(lo + k, hi)));
      hi = lo + k;
    } else {
      frames.push(merkleTreeHash(leaves.slice(lo, lo + k)));
      lo = lo + k;
    }
  }
  for (let i = frames.length - 1; i >= 0; i--) out.push(frames[i]!);
  return out;
}

/**
 * Build the inclusion proof of leaf `leafIndex` from all leaf hashes.
 * @throws {RangeError} for an index outside the tree or leaf hashes that do not match the length
 */
export function proveLeaf(
  leafHashes: readonly Uint8Array[],
  leafIndex: number,
  totalLength: number,
  leafBytes: number = TREE_DEFAULT_LEAF_BYTES,
): InclusionProof {
  assertLeafBytes(leafBytes);
  const n = leafCount(totalLength, leafBytes);
  if (leafHashes.length !== n) throw new RangeError(`"leafHashes" expected ${n} leaves, got ${leafHashes.length}`);
  if (!Number.isInteger(leafIndex) || leafIndex < 0 || leafIndex >= n)
    throw new RangeError(`"leafIndex" expected 0..${n - 1}, got ${leafIndex}`);
  return { leafIndex, treeSize: n, totalLength, leafBytes, path: auditPath(leafIndex, leafHashes).map(toHex) };
}

/** Leaf indices covering bytes [start, end) of a file. */
export function leavesForRange(
  start: number,
  end: number,
  totalLength: number,
  leafBytes: number,
): { first: number; last: number } {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end <= start || end > totalLength) {
    throw new RangeError(`byte range expected 0 <= start < end <= ${totalLength}, got ${start}:${end}`);
  }
  return { first: Math.floor(start / leafBytes), last: Math.floor((end - 1) / leafBytes) };
}

function proofError(message: string, path = 'proof'): LineproofError {
  return new LineproofError('TREE_PROOF_INVALID', message, { path });
}

/**
 * Verify that `chunk` is leaf `proof.leafIndex` of the tree whose root is `root`.
 *
 * Checks, in order: the proof's shape (leaf size valid; treeSize equals the number of leaves of
 * totalLength; index inside the tree; path length exactly what RFC 9162 gives for that index and
 * size); the chunk's length equals that leaf's length (so an interior node's 64 bytes cannot pose
 * as a leaf); then the recomputed root equals `root` in constant time.
 * @returns nothing; throws on any failure
 * @throws {LineproofError} TREE_PROOF_INVALID (shape, length) or TREE_PROOF_MISMATCH (root differs)
 */
export function verifyLeafProof(root: Uint8Array, chunk: Uint8Array, proof: InclusionProof): void {
  const { leafIndex, treeSize, totalLength, leafBytes, path } = proof ?? ({} as InclusionProof);
  if (!isValidLeafBytes(leafBytes))
    throw proofError(
      `leafBytes ${String(leafBytes)} is not a power of two in ${TREE_MIN_LEAF_BYTES}..${TREE_MAX_LEAF_BYTES}`,
      'proof.leafBytes',
    );
  if (!Number.isSafeInteger(totalLength) || totalLength < 1)
    throw proofError('totalLength must be a positive safe integer', 'proof.totalLength');
  const n = Math.ceil(totalLength / leafBytes);
  if (treeSize !== n)
    throw proofError(
      `treeSize ${String(treeSize)} does not match ${totalLength} bytes at ${leafBytes} per leaf (${n} leaves)`,
      'proof.treeSize',
    );
  if (!Number.isInteger(leafIndex) || leafIndex < 0 || leafIndex >= n)
    throw proofError(`leafIndex ${String(leafIndex)} is outside 0..${n - 1}`, 'proof.leafIndex');
  if (!Array.isArray(path)) throw proofError('path must be an array of hex hashes', 'proof.path');
  const expectedLen = leafIndex === n - 1 ? totalLength - leafIndex * leafBytes : leafBytes;
  if (chunk.length !== expectedLen)
    throw proofError(`leaf ${leafIndex} must be ${expectedLen} bytes, got ${chunk.length}`, 'chunk');
  const siblings = path.map((h, i) => {
    if (typeof h !== 'string' || !/^[0-9a-f]{64}$/.test(h))
      throw proofError(`path[${i}] is not 64 lowercase hex digits`, `proof.path[${i}]`);
    return fromHex(h);
  });
  // RFC 9162 §2.1.3.2 verification algorithm.
  let fn = leafIndex;
  let sn = n - 1;
  let r = leafHash(chunk);
  for (const p of siblings) {
    if (sn === 0) throw proofError('path is longer than the tree allows', 'proof.path');
    if ((fn & 1) === 1 || fn === sn) {
      r = nodeHash(p, r);
      if ((fn & 1) === 0) {
        while ((fn & 1) === 0 && fn !== 0) {
          fn >>>= 1;
          sn >>>= 1;
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>>= 1;
    sn >>>= 1;
  }
  if (sn !== 0) throw proofError('path is shorter than the tree requires', 'proof.path');
  const computed = rootHash(r, totalLength, leafBytes);
  if (!equalBytes(computed, root)) {
    throw new LineproofError('TREE_PROOF_MISMATCH', `leaf ${leafIndex} does not lead to the expected root`, {
      path: 'proof',
      expected: toHex(root).slice(0, 12),
      actual: toHex(computed).slice(0, 12),
    });
  }
}
