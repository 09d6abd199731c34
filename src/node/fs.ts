import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  constants,
  existsSync,
  fstatSync,
  fsyncSync,
  linkSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { LineproofError } from '../errors.js';

/** The file-type tests of a `Stats` or `BigIntStats`. */
interface FileTypeStat {
  isFIFO(): boolean;
  isSocket(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
}

/**
 * What a special file is (`a FIFO`, `a socket`, `a character device`, `a block device`), for
 * messages; undefined for a regular file, a directory or a symbolic link.
 * @param st a stat (number or bigint fields)
 * @returns the kind, or undefined
 * @example
 * ```ts
 * specialFileKind(statSync('/dev/null')); // 'a character device'
 * ```
 */
export function specialFileKind(st: FileTypeStat): string | undefined {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return undefined;
}

/** Throw unless `st` is a regular file: IO_ERROR for a directory, SPECIAL_FILE_REFUSED for anything else. */
function assertRegular(st: Stats, what: string): void {
  if (st.isFile()) return;
  if (st.isDirectory())
    throw new LineproofError('IO_ERROR', `${what}: is a directory, expected a file`, { path: what });
  const kind = specialFileKind(st) ?? 'not a regular file';
  throw new LineproofError('SPECIAL_FILE_REFUSED', `${what}: is ${kind}; expected a regular file`, {
    path: what,
    expected: 'a regular file',
    actual: kind,
  });
}

// O_NONBLOCK: opening a FIFO for reading must not wait for a writer (nor a device for carrier);
// O_NOCTTY: opening a terminal must not make it ours. Both are 0 where the platform lacks them.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/**
 * Open a file that must be a regular file, without blocking on a FIFO and without reading a
 * device. The one checked way to open an input file named by an operator or caller:
 * 1. `stat` the path (following a symbolic link the caller named) and refuse anything that is not
 *    a regular file before opening it (opening some devices has effects);
 * 2. open it read-only with `O_NONBLOCK | O_NOCTTY`, so a FIFO swapped in meanwhile cannot block;
 * 3. `fstat` the opened descriptor and refuse anything that is not a regular file (this is the
 *    authoritative check: it is about the file actually opened).
 * @param path the file
 * @param what names the file in errors (default: the path)
 * @returns the open descriptor (the caller closes it) and the file's stat
 * @throws {LineproofError} IO_ERROR (missing, unreadable, a directory), SPECIAL_FILE_REFUSED
 *   (a FIFO, socket or device) — naming `what`
 * @example
 * ```ts
 * const { fd, stat } = openRegularFile('w.bin');
 * try { readSync(fd, buf, 0, buf.length, 0); } finally { closeSync(fd); }
 * ```
 */
export function openRegularFile(path: string, what = path): { fd: number; stat: Stats } {
  let before: Stats;
  try {
    before = statSync(path);
  } catch (cause) {
    throw new LineproofError('IO_ERROR', `${what}: cannot open (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, {
      path: what,
      cause,
    });
  }
  assertRegular(before, what);
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (cause) {
    throw new LineproofError('IO_ERROR', `${what}: cannot open (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, {
      path: what,
      cause,
    });
  }
  try {
    const stat = fstatSync(fd);
    assertRegular(stat, what);
    return { fd, stat };
  } catch (e) {
    closeSync(fd);
    if (e instanceof LineproofError) throw e;
    throw new LineproofError('IO_ERROR', `${what}: cannot stat (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
      path: what,
      cause: e,
    });
  }
}

/**
 * Read a whole regular file (opened with {@link openRegularFile}: never a FIFO, socket or
 * device, so it cannot block or read forever), refusing one larger than `maxBytes` (checked
 * before and while reading, so a growing file cannot make it read past the limit).
 * @param path the file
 * @param maxBytes the most bytes read
 * @param what names the file in errors (default: the path)
 * @returns the file's bytes
 * @throws {LineproofError} IO_ERROR naming the path (missing, unreadable, a directory),
 *   SPECIAL_FILE_REFUSED (a FIFO, socket or device), LIMIT_EXCEEDED
 * @example
 * ```ts
 * const bytes = readFileLimited('policy.json', 16 << 20);
 * ```
 */
export function readFileLimited(path: string, maxBytes: number, what = path): Uint8Array {
  const { fd, stat: st } = openRegularFile(path, what);
  try {
    if (st.size > maxBytes) {
      throw new LineproofError('LIMIT_EXCEEDED', `${what}: ${st.size} bytes is more than the limit of ${maxBytes}`, {
        path: what,
        expected: `<= ${maxBytes}`,
        actual: String(st.size),
      });
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const buf = new Uint8Array(Math.min(1 << 20, maxBytes + 1 - total) || 1);
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) {
        throw new LineproofError('LIMIT_EXCEEDED', `${what}: more than the limit of ${maxBytes} bytes`, {
          path: what,
          expected: `<= ${maxBytes}`,
        });
      }
      chunks.push(n === buf.length ? buf : buf.subarray(0, n));
    }
    const out = new Uint8Array(total);
    let o = 0;
    for (const c of chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  } catch (e) {
    if (e instanceof LineproofError) throw e;
    throw new LineproofError('IO_ERROR', `${what}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
      path: what,
      cause: e,
    });
  } finally {
    closeSync(fd);
  }
}

/** Options of {@link writeFileChecked}. */
export interface WriteFileOptions {
  /** Names the file in errors (default: the path). */
  what?: string;
  /** The file's mode (default: 0666 less the umask, as `writeFileSync`). */
  mode?: number;
  /**
   * Write a temporary file beside it with the final mode, fsync it, then move it into place, so
   * the file is never seen half written or with a wider mode (default false: write in place).
   */
  atomic?: boolean;
  /** With `atomic`: replace an existing file (default true); false fails with EEXIST as the cause. */
  overwrite?: boolean;
}

function writeError(what: string, cause: unknown): LineproofError {
  return new LineproofError('IO_ERROR', `${what}: cannot write (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, {
    path: what,
    cause,
  });
}

function writeAtomic(path: string, data: string | Uint8Array, mode: number, overwrite: boolean, what: string): void {
  const tmp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', mode);
  } catch (e) {
    throw writeError(what, e);
  }
  try {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw writeError(what, e);
  }
  closeSync(fd);
  try {
    chmodSync(tmp, mode);
    // link refuses to replace a file that exists; rename replaces it.
    if (overwrite) renameSync(tmp, path);
    else linkSync(tmp, path);
  } catch (e) {
    throw writeError(what, e);
  } finally {
    if (existsSync(tmp)) unlinkSync(tmp);
  }
}

/**
 * Write a whole file, the one checked way for every file the adapter and the CLI write: in place
 * (as `writeFileSync`), or atomically (a temporary file with the final mode, fsynced, then linked
 * or renamed into place). Every failure is IO_ERROR naming the file, with the system error as
 * its cause (EEXIST when `overwrite` is false and the file exists).
 * @param path the file
 * @param data its contents
 * @param options what, mode, atomic, overwrite
 * @throws {LineproofError} IO_ERROR
 * @example
 * ```ts
 * writeFileChecked('model.sig', text);
 * writeFileChecked('alice.key', pem, { mode: 0o600, atomic: true, overwrite: false });
 * ```
 */
export function writeFileChecked(path: string, data: string | Uint8Array, options: WriteFileOptions = {}): void {
  const what = options.what ?? path;
  if (options.atomic) {
    writeAtomic(path, data, options.mode ?? 0o666, options.overwrite ?? true, what);
    return;
  }
  try {
    writeFileSync(path, data, options.mode === undefined ? undefined : { mode: options.mode });
  } catch (e) {
    throw writeError(what, e);
  }
}
