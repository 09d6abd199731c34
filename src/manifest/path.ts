/**
 * Manifest paths (decisions §5): POSIX, relative, UTF-8, in one normal form. Enforced when a
 * manifest is built and again when one is read, so a signed manifest can never name a file
 * outside its root, and two manifests of the same tree list the same paths.
 *
 * Also here: the model_signing ordering comparator (paths compared component by component, each
 * component by Unicode code point), used for every list of paths Lineproof signs.
 */
import { LineproofError, type ErrorCode } from '../errors.js';
import { hasLoneSurrogate } from '../bytes/index.js';

function bad(code: ErrorCode, what: string, path: string, why: string): LineproofError {
  return new LineproofError(code, `${what}: ${why}: ${JSON.stringify(path).slice(0, 200)}`, {
    path: what,
    actual: path.slice(0, 200),
  });
}

// C0 controls and DEL: a newline or an escape sequence in a file name breaks line-oriented
// output and can rewrite a terminal; no dataset needs one.

const CONTROL = /[\u0000-\u001f\u007f]/;

/** Options of {@link checkManifestPath}. */
export interface PathRuleOptions {
  /** Allow backslashes and control characters (model_signing mode: its format allows them). */
  lenient?: boolean;
}

/**
 * Check one manifest path against the rules, in this order: a string; not empty
 * (MANIFEST_PATH_EMPTY); no lone surrogate (MANIFEST_PATH_NOT_UTF8); not absolute
 * (MANIFEST_PATH_ABSOLUTE); no backslash (MANIFEST_PATH_BACKSLASH); no control character
 * (MANIFEST_PATH_CONTROL_CHAR); then per segment: not empty (MANIFEST_PATH_EMPTY_SEGMENT), not
 * `..` (MANIFEST_PATH_ESCAPE), not `.` (MANIFEST_PATH_DOT_SEGMENT).
 * @param path the path, e.g. `weights/model-00001.safetensors`
 * @param what names the path in the error (e.g. `items[3].path`)
 * @throws {LineproofError} with one of the codes above, naming `what`
 * @example
 * ```ts
 * checkManifestPath('a/b.bin');   // ok
 * checkManifestPath('../etc');    // throws MANIFEST_PATH_ESCAPE
 * ```
 * @returns nothing (asserts `path` is a valid manifest path)
 */
export function checkManifestPath(path: unknown, what = 'path', options: PathRuleOptions = {}): asserts path is string {
  if (typeof path !== 'string')
    throw new LineproofError('SCHEMA_INVALID', `${what}: expected a string path`, { path: what });
  if (path.length === 0) throw bad('MANIFEST_PATH_EMPTY', what, path, 'empty path');
  if (hasLoneSurrogate(path))
    throw bad('MANIFEST_PATH_NOT_UTF8', what, path, 'path holds a lone surrogate (not UTF-8 text)');
  if (path.startsWith('/')) throw bad('MANIFEST_PATH_ABSOLUTE', what, path, 'absolute path');
  if (!options.lenient) {
    if (path.includes('\\')) throw bad('MANIFEST_PATH_BACKSLASH', what, path, 'backslash in path');
    if (CONTROL.test(path)) throw bad('MANIFEST_PATH_CONTROL_CHAR', what, path, 'control character in path');
  }
  for (const seg of path.split('/')) {
    if (seg === '') throw bad('MANIFEST_PATH_EMPTY_SEGMENT', what, path, 'empty path segment');
    if (seg === '..') throw bad('MANIFEST_PATH_ESCAPE', what, path, '".." segment');
    if (seg === '.') throw bad('MANIFEST_PATH_DOT_SEGMENT', what, path, '"." segment');
  }
}

/** Map a UTF-16 code unit so that numeric order of mapped units is Unicode code-point order. */
function cpKey(u: number): number {
  if (u >= 0xd800 && u <= 0xdfff) return u + 0x2000; // surrogates (astral) above all BMP
  if (u >= 0xe000) return u - 0x800;
  return u;
}

/**
 * Compare two strings by Unicode code point (the order of Python's `str`, and of their UTF-8
 * bytes). JavaScript's `<` compares UTF-16 code units, which puts U+10000.. before U+E000..U+FFFF.
 * @param a a string
 * @param b another
 * @returns negative, zero or positive
 * @example
 * ```ts
 * compareCodePoints('\uFFFD', '\u{1F600}') < 0; // true (JavaScript's < says otherwise)
 * ```
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return cpKey(x) - cpKey(y);
  }
  return a.length - b.length;
}

/**
 * The model_signing ordering of paths: split on `/` and compare the component lists
 * lexicographically, each component by code point (Python's `PurePosixPath` ordering). So
 * `a/b` sorts before `a-b` (component `a` < `a-b`), unlike a plain string sort.
 * @example
 * ```ts
 * ['a-b', 'a/b'].sort(comparePaths); // ['a/b', 'a-b']
 * ```
 * @param a a path
 * @param b another
 * @returns negative, zero or positive
 */
export function comparePaths(a: string, b: string): number {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  for (;;) {
    const ea = a.indexOf('/', i);
    const eb = b.indexOf('/', j);
    const ca = a.slice(i, ea < 0 ? a.length : ea);
    const cb = b.slice(j, eb < 0 ? b.length : eb);
    const c = compareCodePoints(ca, cb);
    if (c !== 0) return c;
    if (ea < 0 || eb < 0) return ea < 0 ? (eb < 0 ? 0 : -1) : 1;
    i = ea + 1;
    j = eb + 1;
  }
}

const ASCII = /^[\x00-\x7f]*$/;
const nfc = (s: string): string => (ASCII.test(s) ? s : s.normalize('NFC'));

/**
 * Check a set of paths together (each must already pass {@link checkManifestPath}):
 * no path twice (MANIFEST_DUPLICATE_PATH), no two different names equal after NFC normalization —
 * checked name by name at every directory level (MANIFEST_NFC_COLLISION), and no path that is
 * both a file and the directory of another path (MANIFEST_PATH_CONFLICT).
 * @param paths the file paths
 * @param what names the collection in errors
 * @throws {LineproofError} with one of the codes above, naming both paths
 * @returns nothing
 * @example
 * ```ts
 * checkPathSet(['caf\u00e9', 'cafe\u0301']); // throws MANIFEST_NFC_COLLISION
 * ```
 */
export function checkPathSet(paths: Iterable<string>, what = 'items'): void {
  // key: NFC form of a prefix -> the raw prefix; `files`: the keys that are files. An ASCII path
  // is its own key (NFC changes no ASCII), so a million files add no string of their own.
  const seen = new Map<string, string>();
  const files = new Set<string>();
  for (const p of paths) {
    const ascii = ASCII.test(p);
    let start = 0;
    let key = '';
    for (;;) {
      const slash = p.indexOf('/', start);
      const file = slash < 0;
      const raw = file ? p : p.slice(0, slash);
      if (ascii) key = raw;
      else {
        const seg = nfc(p.slice(start, file ? p.length : slash));
        key = start === 0 ? seg : `${key}/${seg}`;
      }
      const prev = seen.get(key);
      if (prev === undefined) {
        seen.set(key, raw);
        if (file) files.add(key);
      } else {
        if (prev !== raw) {
          throw new LineproofError(
            'MANIFEST_NFC_COLLISION',
            `${what}: ${JSON.stringify(prev)} and ${JSON.stringify(raw)} are the same name after NFC normalization`,
            { path: p, expected: prev, actual: raw },
          );
        }
        const prevFile = files.has(key);
        if (file && prevFile)
          throw new LineproofError('MANIFEST_DUPLICATE_PATH', `${what}: ${JSON.stringify(p)} is listed twice`, {
            path: p,
          });
        if (file !== prevFile) {
          throw new LineproofError(
            'MANIFEST_PATH_CONFLICT',
            `${what}: ${JSON.stringify(raw)} is both a file and a directory`,
            { path: raw },
          );
        }
      }
      if (file) break;
      start = slash + 1;
    }
  }
}
