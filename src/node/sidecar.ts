/**
 * Reading sidecar manifests (decisions §5: a manifest too large to inline, kept as
 * `NAME.manifest.json`) next to a chain file, for the file-level diff of chain verification
 * (`ArtifactTree.readSidecar`). The bytes read are untrusted: the core uses them only when they
 * hash to the digest a trusted training attests.
 * @module
 */
import { realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { LineproofError } from '../errors.js';
import { checkManifestPath } from '../manifest/path.js';
import { readFileLimited } from './fs.js';

/** Largest sidecar manifest read, in bytes (the manifest parser's own limit). */
export const MAX_SIDECAR_MANIFEST_BYTES = 256 * 1024 * 1024;

/**
 * A reader of sidecar manifests in the directory of `chainPath`: `uri` is a relative POSIX path
 * (no `..`, not absolute, no backslash); the file it names must be a regular file (a symbolic
 * link is followed only when it stays inside the directory) of at most `maxBytes`.
 * @param chainPath the `.intoto.jsonl` file whose directory holds the sidecars
 * @param maxBytes the most bytes read from one sidecar
 * @returns a function returning the sidecar's bytes, or undefined when no such file exists
 * @throws {LineproofError} (from the reader) MANIFEST_PATH_* for a path that could escape,
 *   SYMLINK_OUTSIDE_ROOT, SPECIAL_FILE_REFUSED, IO_ERROR (a directory, unreadable), LIMIT_EXCEEDED
 * @example
 * ```ts
 * const readSidecar = sidecarReader('/models/bot.intoto.jsonl');
 * readSidecar('bot.manifest.json'); // the bytes of /models/bot.manifest.json, or undefined
 * ```
 */
export function sidecarReader(
  chainPath: string,
  maxBytes = MAX_SIDECAR_MANIFEST_BYTES,
): (uri: string) => Uint8Array | undefined {
  const dir = dirname(resolve(chainPath));
  return (uri) => {
    checkManifestPath(uri, 'manifest uri');
    if (isAbsolute(uri)) throw new LineproofError('MANIFEST_PATH_ABSOLUTE', `${uri}: absolute path`, { path: uri });
    let real: string;
    let root: string;
    try {
      root = realpathSync(dir);
      real = realpathSync(join(dir, uri));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR')
        return undefined;
      throw new LineproofError('IO_ERROR', `${uri}: cannot resolve (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
        path: uri,
        cause: e,
      });
    }
    const rel = relative(root, real);
    if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel))
      throw new LineproofError('SYMLINK_OUTSIDE_ROOT', `${uri}: resolves outside the chain's directory`, { path: uri });
    return readFileLimited(real, maxBytes, uri);
  };
}
