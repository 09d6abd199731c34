/**
 * model_signing ignore paths (its `ignore_paths`): plain relative paths; a path ignores itself and
 * everything below it. Also the list its CLI signs and verifies with (the caller's paths, the
 * signature file, the git paths), given paths already made relative to the model.
 */
import { LineproofError } from '../../errors.js';
import { checkManifestPath, compareCodePoints } from '../../manifest/path.js';

/** Paths model_signing ignores by default (its git paths); its CLI also ignores the signature file. */
export const OMS_GIT_IGNORE_PATHS: readonly string[] = Object.freeze([
  '.git',
  '.gitattributes',
  '.github',
  '.gitignore',
]);

/**
 * Normalize model_signing ignore paths: relative POSIX paths (trailing `/` dropped), checked
 * leniently (its format allows backslashes), sorted by code point, duplicates removed.
 * @throws {LineproofError} MANIFEST_IGNORE_PATTERN_INVALID for an absolute path, `..`, or an empty one
 * @param paths the ignore paths
 * @param what names the list in errors
 * @returns the canonical list
 * @example
 * ```ts
 * normalizeOmsIgnorePaths(['model.sig', '.git/']); // ['.git', 'model.sig']
 * ```
 */
export function normalizeOmsIgnorePaths(paths: readonly string[], what = 'ignore_paths'): string[] {
  if (!Array.isArray(paths)) throw new TypeError(`"${what}" expected an array of paths`);
  const out = paths.map((p, i) => {
    if (typeof p !== 'string')
      throw new LineproofError('SCHEMA_INVALID', `${what}[${i}]: expected a string`, { path: `${what}[${i}]` });
    const body = p.replace(/\/+$/, '');
    try {
      checkManifestPath(body, `${what}[${i}]`, { lenient: true });
    } catch (e) {
      throw new LineproofError(
        'MANIFEST_IGNORE_PATTERN_INVALID',
        `${what}[${i}]: invalid ignore path ${JSON.stringify(p).slice(0, 200)} (${e instanceof LineproofError ? e.code : 'invalid'})`,
        { path: `${what}[${i}]`, actual: p.slice(0, 200), cause: e },
      );
    }
    return body;
  });
  return [...new Set(out)].sort(compareCodePoints);
}

/**
 * True when `path` is one of `ignorePaths` or lies below one (component-wise prefix).
 * @param ignorePaths normalized ignore paths
 * @param path a path relative to the model
 * @returns true when ignored
 * @example
 * ```ts
 * omsIgnores(['.git'], '.git/config'); // true
 * omsIgnores(['.git'], '.gitignore');  // false
 * ```
 */
export function omsIgnores(ignorePaths: readonly string[], path: string): boolean {
  return ignorePaths.some((p) => path === p || path.startsWith(`${p}/`));
}

/**
 * The ignore paths model_signing's CLI uses: the caller's (relative to the model, POSIX separators;
 * leading `./` dropped), the signature file when it lies inside the model (relative to it), and the
 * git paths unless `gitPaths` is false; normalized.
 * @internal (the Node adapter resolves absolute paths and the signature file first)
 * @param paths the caller's ignore paths, relative to the model
 * @param options the signature file relative to the model (when inside it), whether to add the git paths
 * @returns the normalized list
 * @throws {LineproofError} MANIFEST_IGNORE_PATTERN_INVALID for a path outside the model
 */
export function omsCliIgnorePaths(
  paths: readonly string[],
  options: { signature?: string; gitPaths: boolean },
): string[] {
  const out = paths.map((p) => p.replace(/^(\.\/)+/, ''));
  if (options.signature !== undefined) out.push(options.signature);
  if (options.gitPaths) out.push(...OMS_GIT_IGNORE_PATHS);
  return normalizeOmsIgnorePaths(out, 'ignorePaths');
}
