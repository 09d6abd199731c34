/**
 * Hugging Face hub-cache snapshots (`huggingface_hub`'s cache layout):
 *
 *     <cache>/models--ORG--NAME/
 *       blobs/<sha256 of an LFS file | git sha1 of a small file>
 *       refs/main
 *       snapshots/<revision>/config.json -> ../../blobs/<…>
 *
 * Every file of a snapshot is a relative symbolic link into the repository's `blobs/`, outside the
 * snapshot folder. Hashing a snapshot follows links only within the repository's cache folder
 * (`models--ORG--NAME/`), never beyond it, so it yields the same manifest as a plain copy of the
 * files. A blob named by 64 hex digits is an LFS object named by the SHA-256 of its bytes; that
 * name is cross-checked against the digest computed (HF_BLOB_MISMATCH on a difference).
 */
import { statSync } from 'node:fs';
import { basename, dirname, sep } from 'node:path';
import { LineproofError } from '../errors.js';
import type { WalkFile } from './walk.js';

/** A hub-cache snapshot found at a path. */
export interface HfSnapshot {
  /** Real path of the repository's cache folder (`…/models--ORG--NAME`): links may resolve inside it. */
  repoDir: string;
  /** Real path of the snapshot (`…/snapshots/REV`). */
  snapshotDir: string;
  /** `model`, `dataset` or `space`. */
  repoType: 'model' | 'dataset' | 'space';
  /** `ORG/NAME` (or `NAME` for a repository without an organisation). */
  repoId: string;
  revision: string;
}

const REPO_DIR = /^(models|datasets|spaces)--(.+)$/;

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The hub-cache snapshot a real path lies in (the snapshot folder itself or a folder inside it),
 * or null: `…/(models|datasets|spaces)--X/snapshots/REV[/…]` whose repository folder has `blobs/`.
 * @param realPath an absolute real path (symbolic links resolved)
 * @returns the snapshot, or null when the path is not inside one
 * @example
 * ```ts
 * detectHfSnapshot('/home/me/.cache/huggingface/hub/models--org--bert/snapshots/4f2c…');
 * // { repoId: 'org/bert', revision: '4f2c…', repoDir: '…/models--org--bert', … }
 * ```
 */
export function detectHfSnapshot(realPath: string): HfSnapshot | null {
  const parts = realPath.split(sep);
  for (let i = parts.length - 2; i >= 1; i--) {
    if (parts[i] !== 'snapshots') continue;
    const m = REPO_DIR.exec(parts[i - 1] ?? '');
    const revision = parts[i + 1] ?? '';
    if (!m || revision === '') continue;
    const repoDir = parts.slice(0, i).join(sep);
    if (!isDir(`${repoDir}${sep}blobs`)) continue;
    const type = m[1] === 'models' ? 'model' : m[1] === 'datasets' ? 'dataset' : 'space';
    return {
      repoDir,
      snapshotDir: parts.slice(0, i + 2).join(sep),
      repoType: type,
      repoId: m[2]!.split('--').join('/'),
      revision,
    };
  }
  return null;
}

/**
 * Refuse a path given as a hub-cache snapshot (`--hf-cache`) that is not one.
 * @param given the path as the user gave it
 * @param realPath its real path
 * @returns the snapshot
 * @throws {LineproofError} HF_CACHE_LAYOUT_INVALID naming the path and the layout expected
 */
export function requireHfSnapshot(given: string, realPath: string): HfSnapshot {
  const s = detectHfSnapshot(realPath);
  if (s) return s;
  throw new LineproofError(
    'HF_CACHE_LAYOUT_INVALID',
    `${given}: is not inside a Hugging Face hub-cache snapshot (expected …/models--ORG--NAME/snapshots/REVISION, with blobs/ beside snapshots/)`,
    { path: given, expected: '<repo>--<id>/snapshots/<revision>', actual: realPath },
  );
}

const LFS_BLOB = /^[0-9a-f]{64}$/;

/**
 * The LFS blob names the walked files resolve to: path -> expected SHA-256 hex. Only files reached
 * through a link into the repository's `blobs/` named by 64 hex digits are listed.
 * @param snapshot the snapshot the walk was in
 * @param files the walk's files
 * @returns expected SHA-256 hex digests by manifest path
 */
export function lfsExpectations(snapshot: HfSnapshot, files: readonly WalkFile[]): Map<string, string> {
  const out = new Map<string, string>();
  const blobs = `${snapshot.repoDir}${sep}blobs`;
  for (const f of files) {
    if (!f.viaSymlink || dirname(f.absPath) !== blobs) continue;
    const name = basename(f.absPath);
    if (LFS_BLOB.test(name)) out.set(f.path, name);
  }
  return out;
}

/**
 * Cross-check hashed files against their LFS blob names.
 * @param expected from {@link lfsExpectations}
 * @param sha256Of the computed SHA-256 hex of a manifest path (undefined when not computed)
 * @returns how many blobs were checked
 * @throws {LineproofError} HF_BLOB_MISMATCH naming the first file whose bytes do not match its blob name
 */
export function checkLfsBlobs(
  expected: ReadonlyMap<string, string>,
  sha256Of: (path: string) => string | undefined,
): number {
  let n = 0;
  for (const [path, want] of expected) {
    const got = sha256Of(path);
    if (got === undefined) continue;
    if (got !== want)
      throw new LineproofError(
        'HF_BLOB_MISMATCH',
        `${path}: its bytes do not match the LFS blob it links to (the blob is named by the SHA-256 of its bytes): the cache is corrupt or was modified`,
        { path, expected: `sha256:${want}`, actual: `sha256:${got}` },
      );
    n++;
  }
  return n;
}
