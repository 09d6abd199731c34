/**
 * Ignore lists. The ignore list is part of what is signed (decisions §5): a verifier re-hashes with
 * exactly the recorded list, and anyone reading the manifest sees what was left out.
 *
 * Lineproof patterns (v1 manifests), matched against paths relative to the root:
 * - anchored at the root: `model.sig` matches only the top-level `model.sig`;
 * - `*` matches any run of characters within one segment, `**` (a whole segment) matches zero or
 *   more segments: `**` + `/*.tmp` matches a `.tmp` file at any depth;
 * - a trailing `/` matches directories only; a matching directory is skipped with everything in it;
 * - no other special characters; segments follow the path rules (no `.`, `..`, empty, backslash).
 *
 * model_signing ignore paths (its `ignore_paths`) are plain relative paths: a path ignores itself
 * and everything below it.
 */
import { LineproofError } from '../errors.js';
import { checkManifestPath, compareCodePoints } from './path.js';

/** The default ignore list of Lineproof manifests (decisions §5). */
export const DEFAULT_IGNORE: readonly string[] = Object.freeze(['*.intoto.jsonl', '.git/', 'model.sig']);

/**
 * The folder `huggingface_hub` writes into a `--local-dir` download (its download metadata, not the
 * model): ignored by default when the tree's root holds it (see {@link defaultIgnoreFor}).
 */
export const HF_LOCAL_DIR_IGNORE = '.cache/huggingface/';

/**
 * The default ignore list for a tree: {@link DEFAULT_IGNORE}, plus {@link HF_LOCAL_DIR_IGNORE} when
 * the root holds a `.cache/huggingface` folder. Only then: the list is part of the manifest digest,
 * so every other tree keeps the manifest (and digest) it always had and older chains verify.
 * @param hasHfLocalDirCache whether the root holds `.cache/huggingface/`
 * @returns a fresh list
 * @example
 * ```ts
 * defaultIgnoreFor(false); // ['*.intoto.jsonl', '.git/', 'model.sig']
 * defaultIgnoreFor(true);  // [..., '.cache/huggingface/']
 * ```
 */
export function defaultIgnoreFor(hasHfLocalDirCache: boolean): string[] {
  return hasHfLocalDirCache ? [...DEFAULT_IGNORE, HF_LOCAL_DIR_IGNORE] : [...DEFAULT_IGNORE];
}

/**
 * Check one ignore pattern.
 * @throws {LineproofError} MANIFEST_IGNORE_PATTERN_INVALID naming the pattern and the reason
 * @param pattern the pattern
 * @param what names it in the error
 * @example
 * ```ts
 * checkIgnorePattern('logs/*.log'); // ok
 * checkIgnorePattern('../x');       // throws MANIFEST_IGNORE_PATTERN_INVALID
 * ```
 */
function checkIgnorePattern(pattern: unknown, what = 'ignore'): asserts pattern is string {
  if (typeof pattern !== 'string')
    throw new LineproofError('SCHEMA_INVALID', `${what}: expected a string pattern`, { path: what });
  const body = pattern.endsWith('/') ? pattern.slice(0, -1) : pattern;
  try {
    checkManifestPath(body, what);
  } catch (e) {
    const reason = e instanceof LineproofError ? e.code : 'invalid';
    throw new LineproofError(
      'MANIFEST_IGNORE_PATTERN_INVALID',
      `${what}: invalid ignore pattern ${JSON.stringify(pattern).slice(0, 200)} (${reason})`,
      { path: what, actual: pattern.slice(0, 200), cause: e },
    );
  }
  for (const seg of body.split('/')) {
    if (seg.includes('**') && seg !== '**') {
      throw new LineproofError(
        'MANIFEST_IGNORE_PATTERN_INVALID',
        `${what}: "**" must be a whole segment in ${JSON.stringify(pattern).slice(0, 200)}`,
        { path: what, actual: pattern.slice(0, 200) },
      );
    }
  }
}

/**
 * The canonical form of an ignore list: each pattern checked, sorted by code point, duplicates
 * removed.
 * @throws {LineproofError} MANIFEST_IGNORE_PATTERN_INVALID
 * @param patterns the patterns
 * @param what names the list in errors
 * @returns the canonical list
 * @example
 * ```ts
 * normalizeIgnore(['model.sig', '.git/', 'model.sig']); // ['.git/', 'model.sig']
 * ```
 */
export function normalizeIgnore(patterns: readonly string[], what = 'ignore'): string[] {
  if (!Array.isArray(patterns)) throw new TypeError(`"${what}" expected an array of patterns`);
  patterns.forEach((p, i) => checkIgnorePattern(p, `${what}[${i}]`));
  return [...new Set<string>(patterns)].sort(compareCodePoints);
}

const segCache = new Map<string, RegExp>();
function segmentRegex(glob: string): RegExp {
  let re = segCache.get(glob);
  if (!re) {
    re = new RegExp(
      `^${glob
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
      's',
    );
    if (segCache.size > 4096) segCache.clear();
    segCache.set(glob, re);
  }
  return re;
}

function matchSegments(p: string[], i: number, t: string[], j: number): boolean {
  for (;;) {
    if (i === p.length) return j === t.length;
    const seg = p[i]!;
    if (seg === '**') {
      for (let k = j; k <= t.length; k++) if (matchSegments(p, i + 1, t, k)) return true;
      return false;
    }
    if (j === t.length) return false;
    if (seg.includes('*') ? !segmentRegex(seg).test(t[j]!) : seg !== t[j]) return false;
    i++;
    j++;
  }
}

/** A compiled ignore list. */
export interface IgnoreMatcher {
  /** The canonical patterns. */
  readonly patterns: readonly string[];
  /** True when the entry at `path` (a directory when `isDir`) matches a pattern itself. */
  matchesEntry(path: string, isDir: boolean): boolean;
  /** True when the file at `path` is ignored: it, or one of its directories, matches. */
  ignoresFile(path: string): boolean;
}

/**
 * Compile a Lineproof ignore list.
 * @throws {LineproofError} MANIFEST_IGNORE_PATTERN_INVALID
 * @example
 * ```ts
 * const m = ignoreMatcher(['.git/', '*.intoto.jsonl']);
 * m.ignoresFile('.git/config');          // true
 * m.ignoresFile('data/x.intoto.jsonl');  // false: patterns are anchored at the root
 * ```
 * @param patterns the ignore list (checked and normalized)
 * @returns a matcher for entries (walks) and files (manifests)
 */
export function ignoreMatcher(patterns: readonly string[]): IgnoreMatcher {
  const list = normalizeIgnore(patterns);
  const compiled = list.map((p) => ({
    dirOnly: p.endsWith('/'),
    segs: (p.endsWith('/') ? p.slice(0, -1) : p).split('/'),
  }));
  const matchesEntry = (path: string, isDir: boolean): boolean => {
    if (compiled.length === 0) return false;
    const t = path.split('/');
    return compiled.some((c) => (!c.dirOnly || isDir) && matchSegments(c.segs, 0, t, 0));
  };
  return Object.freeze({
    patterns: Object.freeze(list),
    matchesEntry,
    ignoresFile(path: string): boolean {
      if (compiled.length === 0) return false;
      const t = path.split('/');
      for (let k = 1; k < t.length; k++) if (matchesEntry(t.slice(0, k).join('/'), true)) return true;
      return matchesEntry(path, false);
    },
  });
}
