/**
 * A safe directory walk for hashing: every entry is lstat'ed, never followed blindly.
 *
 * - Regular files are listed with their stat; directories are descended (iteratively, so depth
 *   cannot overflow the stack).
 * - Symbolic links follow a policy: `refuse` (default: SYMLINK_REFUSED), `within-root` (followed
 *   only when the target resolves inside the root — else SYMLINK_OUTSIDE_ROOT; directory links are
 *   descended with loop detection — SYMLINK_LOOP), or `oms` (model_signing's semantics with
 *   `allow_symlinks`: a link to a file is hashed as that file wherever it points; a link to a
 *   directory is not descended and is reported in `skipped`).
 * - FIFOs, sockets and devices are refused (SPECIAL_FILE_REFUSED) unless ignored.
 * - File names must be well-formed UTF-8 (MANIFEST_PATH_NOT_UTF8): a lossy decoding could make two
 *   different files look like one name.
 * - Ignored directories are skipped with everything in them, without being read.
 * Every error names the path it is about.
 */
import { lstatSync, readdirSync, realpathSync, statSync, type BigIntStats } from 'node:fs';
import { basename, sep } from 'node:path';
import { LineproofError } from '../errors.js';
import { fromUtf8 } from '../bytes/index.js';
import { checkManifestPath, comparePaths } from '../manifest/path.js';
import type { StatHint } from '../manifest/types.js';
import { specialFileKind } from './fs.js';

/** What to do with symbolic links (see the module description). */
export type SymlinkPolicy = 'refuse' | 'within-root' | 'oms';

/** Options of {@link walkTree}. */
export interface WalkOptions {
  /** Symbolic links inside the tree (default `refuse`). */
  symlinks?: SymlinkPolicy;
  /**
   * When the root itself is a symbolic link: `follow` (default; the operator named it) or
   * `refuse` (model_signing without allow_symlinks).
   */
  rootSymlink?: 'follow' | 'refuse';
  /** True when the entry at a relative path is ignored; an ignored directory is not descended. */
  ignore?: (path: string, isDir: boolean) => boolean;
  /** `strict` (default): the manifest path rules; `lenient`: model_signing's (backslashes etc. allowed). */
  pathRules?: 'strict' | 'lenient';
  signal?: AbortSignal;
  /** Most files listed (default 10,000,000). */
  maxEntries?: number;
  /**
   * `within-root` only: the real path of a folder containing the root within which links may
   * resolve (default: the root itself). A Hugging Face hub-cache snapshot's files link into the
   * repository's `blobs/` beside `snapshots/` (see hf-cache.ts).
   */
  linkRoot?: string;
}

/** One regular file found by the walk. */
export interface WalkFile {
  /** POSIX path relative to the root; `''` when the root is itself a file. */
  path: string;
  /** Absolute path to open (the resolved target for a followed link). */
  absPath: string;
  size: number;
  /** The file's stat (its target's, for a followed link). */
  hint: StatHint;
  viaSymlink: boolean;
}

/** The result of {@link walkTree}. */
export interface WalkResult {
  /** The root as given, resolved to an absolute real path. */
  root: string;
  /** Base name of the path as given (a model's name). */
  name: string;
  kind: 'file' | 'directory';
  /** Files sorted with the manifest comparator. */
  files: WalkFile[];
  /** Ignored entries (an ignored directory is listed once), sorted. */
  ignored: string[];
  /** Entries left out for a reason other than the ignore list (oms: links to directories). */
  skipped: { path: string; reason: string }[];
  /** Sum of the file sizes. */
  size: number;
}

function fsError(e: unknown, path: string, doing: string): LineproofError {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ELOOP')
    return new LineproofError('SYMLINK_LOOP', `${path}: symbolic links form a loop`, { path, cause: e });
  return new LineproofError('IO_ERROR', `${path}: cannot ${doing} (${code ?? 'error'})`, { path, cause: e });
}

function lstatB(abs: string, shown: string): BigIntStats {
  try {
    return lstatSync(abs, { bigint: true });
  } catch (e) {
    throw fsError(e, shown, 'stat');
  }
}

/**
 * The stat hint of a bigint stat.
 * @param st a stat with bigint fields
 * @returns size, mtimeNs, ctimeNs, ino, dev
 * @example
 * ```ts
 * statHint(lstatSync('w.bin', { bigint: true }));
 * ```
 */
export function statHint(st: BigIntStats): StatHint {
  return { size: Number(st.size), mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs, ino: st.ino, dev: st.dev };
}

function refuseSpecial(st: BigIntStats, shown: string): never {
  throw new LineproofError(
    'SPECIAL_FILE_REFUSED',
    `${shown}: is ${specialFileKind(st) ?? 'not a regular file or directory'}; only regular files are hashed`,
    { path: shown, actual: specialFileKind(st) ?? 'other' },
  );
}

function followLink(abs: string, shown: string): { real: string; st: BigIntStats } {
  let real: string;
  try {
    real = realpathSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    if (code === 'ENOENT')
      throw new LineproofError('SYMLINK_DANGLING', `${shown}: symbolic link points to nothing`, {
        path: shown,
        cause: e,
      });
    throw fsError(e, shown, 'resolve the symbolic link');
  }
  try {
    return { real, st: statSync(real, { bigint: true }) };
  } catch (e) {
    throw fsError(e, shown, 'stat the link target');
  }
}

const idOf = (st: BigIntStats): string => `${st.dev}:${st.ino}`;
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Walk a file or directory safely for hashing.
 * @param root a directory, or a single file
 * @param options symlink policy, ignore predicate, path rules, signal, maxEntries
 * @returns the files (sorted), ignored and skipped entries, total size
 * @throws {LineproofError} IO_ERROR (missing or unreadable path), SYMLINK_REFUSED,
 *   SYMLINK_OUTSIDE_ROOT, SYMLINK_LOOP, SYMLINK_DANGLING, SPECIAL_FILE_REFUSED,
 *   MANIFEST_PATH_NOT_UTF8 and other path rule codes, LIMIT_EXCEEDED, ABORTED — each naming the path
 * @example
 * ```ts
 * const { files } = await walkTree('model/', { ignore: (p) => p === '.git' });
 * ```
 */
export async function walkTree(root: string, options: WalkOptions = {}): Promise<WalkResult> {
  if (typeof root !== 'string' || root === '') throw new TypeError('"root" expected a non-empty path');
  const signal = options.signal;
  const checkAbort = (path: string): void => {
    if (signal?.aborted) throw new LineproofError('ABORTED', `${path}: walk aborted`, { path, cause: signal.reason });
  };
  checkAbort(root);
  const start = walkStart(root, options);
  if ('result' in start) return start.result;
  const { rootReal, rootSt, name } = start;
  const w: Walk = {
    root,
    rootReal,
    linkRoot: options.linkRoot ?? rootReal,
    policy: options.symlinks ?? 'refuse',
    lenient: options.pathRules === 'lenient',
    ignore: options.ignore ?? (() => false),
    maxEntries: options.maxEntries ?? 10_000_000,
    files: [],
    ignored: [],
    skipped: [],
    size: 0,
    stack: [{ rel: '', abs: rootReal, ancestors: new Set([idOf(rootSt)]) }],
  };
  let seen = 0;
  while (w.stack.length > 0) {
    const dir = w.stack.pop()!;
    const shownDir = dir.rel === '' ? root : dir.rel;
    let names: Buffer[];
    try {
      names = readdirSync(dir.abs, { encoding: 'buffer' });
    } catch (e) {
      throw fsError(e, shownDir, 'read the directory');
    }
    for (const raw of names) {
      if (++seen % 1024 === 0) {
        await tick();
        checkAbort(shownDir);
      }
      visitEntry(w, dir, raw);
    }
  }
  w.files.sort((a, b) => comparePaths(a.path, b.path));
  w.ignored.sort(comparePaths);
  w.skipped.sort((a, b) => comparePaths(a.path, b.path));
  return {
    root: rootReal,
    name,
    kind: 'directory',
    files: w.files,
    ignored: w.ignored,
    skipped: w.skipped,
    size: w.size,
  };
}

/** A directory still to read. */
interface WalkDir {
  rel: string;
  abs: string;
  ancestors: ReadonlySet<string>;
}

/** The state of one directory walk. */
interface Walk {
  root: string;
  rootReal: string;
  /** Where followed links may resolve (`within-root`). */
  linkRoot: string;
  policy: SymlinkPolicy;
  lenient: boolean;
  ignore: (path: string, isDir: boolean) => boolean;
  maxEntries: number;
  files: WalkFile[];
  ignored: string[];
  skipped: { path: string; reason: string }[];
  size: number;
  stack: WalkDir[];
}

/** The root: a file (the whole result), or a directory to walk (its real path, stat and name). */
function walkStart(
  root: string,
  options: WalkOptions,
): { result: WalkResult } | { rootReal: string; rootSt: BigIntStats; name: string } {
  const top = lstatB(root, root);
  if (top.isSymbolicLink() && options.rootSymlink === 'refuse') {
    throw new LineproofError('SYMLINK_REFUSED', `${root}: is a symbolic link (symbolic links are not allowed)`, {
      path: root,
    });
  }
  let rootReal: string;
  try {
    rootReal = realpathSync(root);
  } catch (e) {
    throw fsError(e, root, 'resolve');
  }
  const rootSt = top.isSymbolicLink() ? followLink(root, root).st : top;
  const given = basename(root.replace(/[/\\]+$/, ''));
  const name = given !== '' && given !== '.' && given !== '..' ? given : basename(rootReal);
  if (rootSt.isFile()) {
    const hint = statHint(rootSt);
    return {
      result: {
        root: rootReal,
        name,
        kind: 'file',
        files: [{ path: '', absPath: rootReal, size: hint.size, hint, viaSymlink: top.isSymbolicLink() }],
        ignored: [],
        skipped: [],
        size: hint.size,
      },
    };
  }
  if (!rootSt.isDirectory()) refuseSpecial(rootSt, root);
  return { rootReal, rootSt, name };
}

function addFile(w: Walk, f: WalkFile): void {
  if (w.files.length >= w.maxEntries) {
    throw new LineproofError('LIMIT_EXCEEDED', `${w.root}: more than ${w.maxEntries} files`, {
      path: w.root,
      expected: `<= ${w.maxEntries}`,
    });
  }
  w.files.push(f);
  w.size += f.size;
}

/** One directory entry: checked, then listed, ignored, queued (a directory) or refused. */
function visitEntry(w: Walk, dir: WalkDir, raw: Buffer): void {
  let nm: string;
  try {
    nm = fromUtf8(raw, 'name');
  } catch (e) {
    const lossy = `${dir.rel === '' ? '' : `${dir.rel}/`}${raw.toString('utf8')}`;
    throw new LineproofError('MANIFEST_PATH_NOT_UTF8', `${lossy}: file name is not well-formed UTF-8`, {
      path: lossy,
      cause: e,
    });
  }
  const rel = dir.rel === '' ? nm : `${dir.rel}/${nm}`;
  const abs = `${dir.abs}${sep}${nm}`;
  checkManifestPath(rel, rel, { lenient: w.lenient });
  const st = lstatB(abs, rel);
  if (st.isDirectory()) {
    if (w.ignore(rel, true)) w.ignored.push(rel);
    else w.stack.push({ rel, abs, ancestors: new Set([...dir.ancestors, idOf(st)]) });
  } else if (st.isFile()) {
    if (w.ignore(rel, false)) w.ignored.push(rel);
    else addFile(w, { path: rel, absPath: abs, size: Number(st.size), hint: statHint(st), viaSymlink: false });
  } else if (st.isSymbolicLink()) {
    visitLink(w, dir, rel, abs);
  } else if (w.ignore(rel, false)) {
    w.ignored.push(rel);
  } else refuseSpecial(st, rel);
}

/** A symbolic link, by the walk's policy: refused, followed inside the root, or model_signing's way. */
function visitLink(w: Walk, dir: WalkDir, rel: string, abs: string): void {
  let targetIsDir = false;
  try {
    targetIsDir = statSync(abs).isDirectory();
  } catch {
    // dangling or looping: decided below unless ignored
  }
  if (w.ignore(rel, targetIsDir)) {
    w.ignored.push(rel);
    return;
  }
  if (w.policy === 'refuse') {
    throw new LineproofError('SYMLINK_REFUSED', `${rel}: is a symbolic link (symbolic links are not allowed)`, {
      path: rel,
    });
  }
  if (w.policy === 'within-root') {
    const { real, st: t } = followLink(abs, rel);
    const bound = w.linkRoot;
    if (real !== bound && !real.startsWith(bound.endsWith(sep) ? bound : bound + sep)) {
      const where = bound === w.rootReal ? 'the root' : bound;
      throw new LineproofError('SYMLINK_OUTSIDE_ROOT', `${rel}: symbolic link points outside ${where}`, {
        path: rel,
        expected: `inside ${bound}`,
        actual: real,
      });
    }
    if (t.isDirectory()) {
      if (dir.ancestors.has(idOf(t)))
        throw new LineproofError('SYMLINK_LOOP', `${rel}: symbolic link to a directory that contains it (a loop)`, {
          path: rel,
          actual: real,
        });
      w.stack.push({ rel, abs: real, ancestors: new Set([...dir.ancestors, idOf(t)]) });
    } else if (t.isFile()) {
      addFile(w, { path: rel, absPath: real, size: Number(t.size), hint: statHint(t), viaSymlink: true });
    } else refuseSpecial(t, rel);
    return;
  }
  // oms: model_signing follows links to files anywhere and never descends linked directories.
  let t: BigIntStats;
  try {
    t = statSync(abs, { bigint: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    if (code === 'ENOENT')
      throw new LineproofError('SYMLINK_DANGLING', `${rel}: symbolic link points to nothing`, {
        path: rel,
        cause: e,
      });
    throw fsError(e, rel, 'stat the link target');
  }
  if (t.isDirectory())
    w.skipped.push({ path: rel, reason: 'symbolic link to a directory: model_signing does not descend into it' });
  else if (t.isFile())
    addFile(w, { path: rel, absPath: abs, size: Number(t.size), hint: statHint(t), viaSymlink: true });
  else refuseSpecial(t, rel);
}
