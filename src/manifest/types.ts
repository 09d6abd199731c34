/**
 * Types of Lineproof v1 manifests (decisions §5, spec/manifests.md).
 */
import type { DigestSet } from '../digest/index.js';

/** Media type of a v1 manifest, carried by the subject that names it by digest. */
export const MANIFEST_MEDIA_TYPE = 'application/vnd.lineproof.manifest.v1+json';

/** The manifest format version this code writes and reads. */
export const MANIFEST_VERSION = 1 as const;

/** How the items were hashed; signed with the manifest so verification needs no flags. */
export interface ManifestHashing {
  /**
   * Digest algorithms of every item, sorted, at least one: `sha256`, `sha512`, `blake2b`,
   * `blake3`, or a chunk-tree name `sha256-tree-v1-<leafBytes>` (decisions §3).
   */
  algorithms: string[];
}

/** One file of the tree. */
export interface ManifestItem {
  /** POSIX path relative to the root (see spec/manifests.md for the rules). */
  path: string;
  /** Length in bytes. */
  size: number;
  /** Exactly the algorithms of {@link ManifestHashing.algorithms}. */
  digest: DigestSet;
}

/**
 * A v1 manifest. Its canonical bytes are the JCS of this object; its digest (the subject digest
 * of the tree) is the SHA-256 of those bytes.
 */
export interface Manifest {
  version: typeof MANIFEST_VERSION;
  hashing: ManifestHashing;
  /** Ignore patterns, sorted by code point, no duplicates. */
  ignore: string[];
  /** Items sorted with the model_signing comparator, paths unique. */
  items: ManifestItem[];
}

/**
 * What the filesystem said about a file when it was hashed. When all five fields are unchanged the
 * content is taken as unchanged (as git's index and rsync do); see spec/manifests.md for the limits
 * of that assumption.
 */
export interface StatHint {
  size: number;
  mtimeNs: bigint;
  ctimeNs: bigint;
  ino: bigint;
  dev: bigint;
}

/** A manifest with the stat hints observed while its files were hashed. */
export interface HashedManifest {
  manifest: Manifest;
  /** Per path, the stat of the file as hashed (absent where no reliable hint exists). */
  hints?: Readonly<Record<string, StatHint>>;
}

/** An in-toto ResourceDescriptor naming a tree by its manifest digest. */
export interface ManifestSubject {
  name: string;
  digest: DigestSet;
  mediaType: typeof MANIFEST_MEDIA_TYPE;
}
