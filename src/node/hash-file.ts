/**
 * Hashing files with node:crypto, reading with `readSync` into one reused 256 KiB buffer (on the
 * 2-core CI machines `fs.createReadStream` is about 1.6x slower). The file is opened without
 * following a symbolic link (unless asked) and without blocking (a FIFO swapped in is refused
 * rather than waited on), checked to be the regular file that was listed, and checked again after
 * reading: a file that grows, shrinks, is rewritten or replaced while hashed fails with
 * FILE_CHANGED_WHILE_HASHING, never with a silently wrong digest.
 */
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readSync,
  readlinkSync,
  realpathSync,
  type BigIntStats,
} from 'node:fs';
import { sep } from 'node:path';
import { LineproofError } from '../errors.js';
import { StreamDigest, type EngineSpec } from '../hashing/stream.js';
import type { DigestResult, HashAlgorithm, HashEngine } from '../hashing/types.js';
import type { StatHint } from '../manifest/types.js';
import { nodeHashEngine } from './hash-engine.js';
import { statHint } from './walk.js';

/** Size of the reused read buffer. */
export const READ_BUFFER_BYTES = 256 * 1024;

/** Yield to the event loop (so an AbortSignal can fire) after this many bytes. */
const YIELD_BYTES = 64 * 1024 * 1024;

/**
 * A file modified less than this long before it was read may be modified again within the same
 * timestamp tick without its stat changing ("racy" stat, as git calls it): no reusable hint is
 * recorded for it.
 */
export const RACY_WINDOW_NS = 2_000_000_000n;

/** Options of {@link readFileChunks}. */
export interface ReadFileOptions {
  /** Name used in errors (default: the path). */
  what?: string;
  /** Follow a symbolic link at `path` (default false: a link fails with SYMLINK_REFUSED). */
  follow?: boolean;
  /** The identity and size the walk saw; a different file at open time fails. */
  expect?: { size: number; ino: bigint; dev: bigint };
  /** A buffer to reuse (default: a new 256 KiB one). */
  buffer?: Uint8Array;
  signal?: AbortSignal;
  /** Called with the number of bytes of each chunk read. */
  onBytes?: (n: number) => void;
  /** Racy window: no hint for a file changed this recently before the read (default {@link RACY_WINDOW_NS}). */
  racyWindowNs?: bigint;
  /**
   * Real path of a root the opened file must lie in. Checked on the open descriptor (Linux:
   * `/proc/self/fd`), so a directory swapped for a symbolic link after the walk cannot make us
   * read a file outside the root (SYMLINK_OUTSIDE_ROOT).
   */
  within?: string;
  /**
   * Read only bytes `[start, end)` (a part of a file: leaves or shards), with every other check
   * unchanged; growth is seen only when `end` is the file's size, a change anywhere by the stat
   * after the read.
   */
  range?: { start: number; end: number };
}

/** The path an open descriptor refers to (Linux), else the real path of `path`. */
function openedPath(fd: number, path: string): string {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return realpathSync(path);
  }
}

/** What {@link readFileChunks} saw. */
export interface ReadFileResult {
  size: number;
  /** The stat after reading, or null when it is too recent to be trusted for reuse (racy). */
  hint: StatHint | null;
}

function changed(what: string, why: string, expected?: string, actual?: string): LineproofError {
  return new LineproofError('FILE_CHANGED_WHILE_HASHING', `${what}: ${why}`, {
    path: what,
    ...(expected ? { expected } : {}),
    ...(actual ? { actual } : {}),
  });
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Read a regular file once, chunk by chunk, into `sink` (which must consume each chunk before it
 * returns: the buffer is reused). The chunks are exactly the file's bytes.
 * @throws {LineproofError} IO_ERROR, SYMLINK_REFUSED, SPECIAL_FILE_REFUSED,
 *   FILE_CHANGED_WHILE_HASHING, ABORTED — naming the file
 * @param path the file
 * @param sink receives each chunk (a view of the reused buffer)
 * @param options follow, expect, buffer, signal, onBytes, racy window
 * @returns the size read and the stat hint (null when racy)
 * @example
 * ```ts
 * const h = createHash('sha256');
 * await readFileChunks('w.bin', (c) => h.update(c));
 * ```
 */
export async function readFileChunks(
  path: string,
  sink: (chunk: Uint8Array) => void,
  options: ReadFileOptions = {},
): Promise<ReadFileResult> {
  const what = options.what ?? path;
  const signal = options.signal;
  const abort = (): void => {
    if (signal?.aborted)
      throw new LineproofError('ABORTED', `${what}: hashing aborted`, { path: what, cause: signal.reason });
  };
  abort();
  const buf = options.buffer ?? new Uint8Array(READ_BUFFER_BYTES);
  const fd = openForReading(path, what, options.follow === true);
  try {
    const before = fstatSync(fd, { bigint: true });
    checkOpened(fd, path, what, options, before);
    const startNs = BigInt(Date.now()) * 1_000_000n;
    const size = Number(before.size);
    const range = options.range;
    if (range && !(range.start >= 0 && range.start <= range.end && range.end <= size))
      throw changed(what, `range [${range.start}, ${range.end}) is not within its ${size} bytes`);
    const stop = range?.end ?? size;
    let pos = range?.start ?? 0;
    let sinceYield = 0;
    for (;;) {
      if (stop < size && pos === stop) break;
      // Ask for one byte more than remains, so growth is seen.
      const want = Math.min(buf.length, stop - pos + (stop === size ? 1 : 0));
      let n: number;
      try {
        n = readSync(fd, buf, 0, want, pos);
      } catch (e) {
        throw new LineproofError(
          'IO_ERROR',
          `${what}: cannot read at offset ${pos} (${(e as NodeJS.ErrnoException)?.code ?? 'error'})`,
          { path: what, cause: e },
        );
      }
      if (n === 0) break;
      if (pos + n > size)
        throw changed(
          what,
          `grew while it was hashed (more than ${size} bytes)`,
          `${size} bytes`,
          `more than ${size} bytes`,
        );
      sink(n === buf.length ? buf : buf.subarray(0, n));
      pos += n;
      options.onBytes?.(n);
      // A short read that reaches the size is the end of the file: the byte asked for past the
      // size did not exist (growth would have returned it), so no read of zero bytes is needed.
      if (pos === stop && n < want) break;
      sinceYield += n;
      if (signal?.aborted) abort();
      if (sinceYield >= YIELD_BYTES) {
        sinceYield = 0;
        await tick();
        abort();
      }
    }
    if (pos !== stop)
      throw changed(what, `shrank while it was hashed (${pos} of ${size} bytes)`, `${size} bytes`, `${pos} bytes`);
    const after: BigIntStats = fstatSync(fd, { bigint: true });
    if (after.size !== before.size || after.mtimeNs !== before.mtimeNs || after.ctimeNs !== before.ctimeNs) {
      throw changed(what, 'was modified while it was hashed (size or times changed)');
    }
    const windowNs = options.racyWindowNs ?? RACY_WINDOW_NS;
    const racy = after.ctimeNs >= startNs - windowNs || after.mtimeNs >= startNs - windowNs;
    return { size, hint: racy ? null : statHint(after) };
  } finally {
    closeSync(fd);
  }
}

/** Open `path` read-only (not following a final symbolic link unless `follow`), mapping failures to codes. */
function openForReading(path: string, what: string, follow: boolean): number {
  const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (follow ? 0 : (constants.O_NOFOLLOW ?? 0));
  try {
    return openSync(path, flags);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    if (code === 'ELOOP' && !follow)
      throw new LineproofError('SYMLINK_REFUSED', `${what}: is a symbolic link (symbolic links are not allowed)`, {
        path: what,
        cause: e,
      });
    if (code === 'ENOENT') throw changed(what, 'the file disappeared before it could be read');
    throw new LineproofError('IO_ERROR', `${what}: cannot open (${code ?? 'error'})`, { path: what, cause: e });
  }
}

/** The opened file is a regular file, inside the root, and the very one the walk listed. */
function checkOpened(fd: number, path: string, what: string, options: ReadFileOptions, before: BigIntStats): void {
  if (!before.isFile()) {
    throw new LineproofError('SPECIAL_FILE_REFUSED', `${what}: is not a regular file`, { path: what });
  }
  // With `expect`, the open file must be the very inode the walk found inside the root, which
  // already rules out a directory swapped for a link; the path check then runs only to name
  // the failure precisely (it costs a readlink per file).
  const replaced =
    options.expect !== undefined && (before.ino !== options.expect.ino || before.dev !== options.expect.dev);
  if (options.within !== undefined && (options.expect === undefined || replaced)) {
    const where = openedPath(fd, path);
    const root = options.within.endsWith(sep) ? options.within : options.within + sep;
    if (where !== options.within && !where.startsWith(root)) {
      throw new LineproofError(
        'SYMLINK_OUTSIDE_ROOT',
        `${what}: resolves outside the root (a directory on its path was replaced by a symbolic link?)`,
        { path: what, expected: `inside ${options.within}`, actual: where },
      );
    }
  }
  const size = Number(before.size);
  if (options.expect) {
    if (before.ino !== options.expect.ino || before.dev !== options.expect.dev)
      throw changed(what, 'the file was replaced after it was listed');
    if (size !== options.expect.size)
      throw changed(
        what,
        `size changed from ${options.expect.size} to ${size} bytes after it was listed`,
        `${options.expect.size} bytes`,
        `${size} bytes`,
      );
  }
}

/** Options of {@link hashFile}. */
export interface HashFileOptions extends ReadFileOptions {
  /** Algorithm names (node:crypto engines) and/or engines; default sha256. */
  algorithms?: readonly (HashAlgorithm | HashEngine)[];
}

/** What {@link hashFile} returns. */
export interface HashedFile extends DigestResult {
  /** The stat after hashing, or null when too recent to be reused safely. */
  hint: StatHint | null;
}

/**
 * Map algorithm names to node:crypto engines (engine objects pass through).
 * @param algorithms names and/or engines (default sha256)
 * @returns engines: node:crypto for names, engine objects unchanged
 * @throws {LineproofError} HASH_ALGORITHM_UNSUPPORTED
 * @example
 * ```ts
 * await hashSource(stream, { algorithms: nodeEngines(['sha256']) });
 * ```
 */
function nodeEngines(algorithms: readonly (HashAlgorithm | HashEngine)[] = ['sha256']): EngineSpec {
  return algorithms.map((a) => (typeof a === 'string' ? nodeHashEngine(a) : a));
}

/**
 * Hash one file with node:crypto (one read, any number of algorithms).
 * @param path the file
 * @param options algorithms (default sha256), follow, signal, onBytes, buffer
 * @returns size, hex and raw digests per algorithm, and the stat hint
 * @throws {LineproofError} IO_ERROR, SYMLINK_REFUSED, SPECIAL_FILE_REFUSED,
 *   FILE_CHANGED_WHILE_HASHING, ABORTED, HASH_ALGORITHM_UNSUPPORTED
 * @example
 * ```ts
 * const { size, digests } = await hashFile('model.safetensors', { algorithms: ['sha256', 'blake2b'] });
 * ```
 */
export async function hashFile(path: string, options: HashFileOptions = {}): Promise<HashedFile> {
  const d = new StreamDigest(nodeEngines(options.algorithms), { what: options.what ?? path });
  const r = await readFileChunks(path, (c) => d.update(c), options);
  return { ...d.finish(), hint: r.hint };
}
