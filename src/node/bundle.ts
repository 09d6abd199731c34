/**
 * `.intoto.jsonl` bundle files (decisions §6, spec/envelopes.md §6): reading a file as a set, and
 * appending whole lines under an advisory lock so that concurrent writers — several pipeline steps,
 * two approvers — never leave a broken line.
 *
 * The append protocol ({@link appendToBundle}):
 * 1. Serialize each envelope through the strict parser as one JCS line + LF (an in-toto payloadType,
 *    within the envelope size limit) before touching the file.
 * 2. Take the lock `BUNDLE.lock`: create it with O_CREAT|O_EXCL and write `{pid, hostname,
 *    createdAt, token}` into it. If it exists, it is stale when its writer is a process of this host
 *    that no longer exists, or when it is older than `staleLockMs` (default 30 s; a writer holds it
 *    for one write). A stale lock is moved aside by rename (only one breaker wins) and removed;
 *    otherwise wait (exponential backoff from 1 ms, at most 25 ms, with jitter) until
 *    `lockTimeoutMs` (default 10 s), then fail with BUNDLE_LOCK_TIMEOUT naming the holder.
 * 3. Open the bundle with O_APPEND|O_CREAT (mode 0644) and note its size. If its last byte is not LF
 *    (a writer that crashed mid-line, a hand edit), start with an LF so the new line stays whole.
 * 4. Write the bytes with one `write` (looping only if the kernel writes fewer bytes); fsync.
 *    On any error, truncate back to the size noted in 3, so no partial line is left.
 * 5. Release the lock (removed only if it still holds our token).
 * @module
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  linkSync,
  openSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  constants,
  type Stats,
} from 'node:fs';
import { hostname } from 'node:os';
import { utf8 } from '../bytes/index.js';
import { cosignEntry, readBundle, type Bundle, type CosignResult } from '../bundle/jsonl.js';
import { parseEnvelope, serializeEnvelope, type DecodedEnvelope, type Envelope } from '../dsse/envelope.js';
import type { SignOptions } from '../dsse/sign.js';
import { LineproofError } from '../errors.js';
import type { Signer } from '../keys/types.js';
import { resolveLimits, type Limits } from '../limits.js';
import { sha256Hex } from '../digest/index.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../statements/statement.js';
import { readFileLimited } from './fs.js';

/** Largest bundle file read (1 GiB); the envelope count limit (100,000) applies as well. */
export const MAX_BUNDLE_FILE_BYTES = 1024 * 1024 * 1024;
/** Default time to wait for a bundle's lock. */
export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
/** Default age after which a bundle lock is stale. */
export const DEFAULT_STALE_LOCK_MS = 30_000;

/** Options for {@link appendToBundle}. */
export interface AppendToBundleOptions {
  /** Envelope size limit, signatures per envelope. */
  limits?: Partial<Limits>;
  /** How long to wait for the lock before BUNDLE_LOCK_TIMEOUT (ms, default 10,000). */
  lockTimeoutMs?: number;
  /** A lock older than this is stale and broken (ms, default 30,000). */
  staleLockMs?: number;
  /** fsync the bundle after writing (default true). */
  fsync?: boolean;
  /** Names the bundle in errors (default: the path). */
  what?: string;
}

/** What {@link appendToBundle} wrote. */
export interface AppendResult {
  /** The lines written (each JCS + LF), in order. */
  lines: string[];
  /** `sha256:<hex>` of each envelope's payload, in order. */
  payloadDigests: string[];
  /** Byte offset in the file where the first line starts. */
  offset: number;
  /** Bytes written (including an LF added to end an earlier partial line). */
  bytes: number;
  /** True when the file was created (or was empty). */
  created: boolean;
  /** Stale locks broken before the lock was taken (their holder's pid and why), for logs. */
  brokenLocks: string[];
}

interface LockInfo {
  pid?: number;
  hostname?: string;
  createdAt?: string;
  token?: string;
}

function ioError(what: string, action: string, cause: unknown): LineproofError {
  return new LineproofError(
    'IO_ERROR',
    `${what}: cannot ${action} (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message ?? 'error'})`,
    { path: what, cause },
  );
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function readLockInfo(path: string): LockInfo | undefined {
  try {
    // A lock file is a few bytes we wrote; anything else there (a FIFO, a huge file) is unreadable.
    const v = JSON.parse(new TextDecoder().decode(readFileLimited(path, 4096))) as unknown;
    return typeof v === 'object' && v !== null ? v : undefined;
  } catch {
    return undefined;
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.ino === b.ino && a.dev === b.dev;
}

/**
 * Break the lock at `lockPath` if it is stale. Returns a description when it was broken (or had
 * vanished: `''`), undefined when it is live.
 */
function breakIfStale(lockPath: string, staleMs: number): string | undefined {
  let st: Stats;
  try {
    st = statSync(lockPath);
  } catch {
    return ''; // released meanwhile: try again at once
  }
  const info = readLockInfo(lockPath);
  let why: string | undefined;
  if (
    info &&
    typeof info.pid === 'number' &&
    info.hostname === hostname() &&
    info.pid !== process.pid &&
    !processExists(info.pid)
  ) {
    why = `pid ${info.pid} on this host no longer exists`;
  } else if (Date.now() - st.mtimeMs > staleMs) {
    why = `${Math.round((Date.now() - st.mtimeMs) / 1000)} s old (stale after ${Math.round(staleMs / 1000)} s)`;
  }
  if (why === undefined) return undefined;
  // Move it aside: of several breakers only one rename succeeds.
  const aside = `${lockPath}.stale.${process.pid}.${randomBytes(6).toString('hex')}`;
  try {
    renameSync(lockPath, aside);
  } catch {
    return '';
  }
  try {
    if (sameFile(statSync(aside), st))
      return `lock of ${info?.pid !== undefined ? `pid ${info.pid}` : 'an unknown writer'} broken: ${why}`;
    // Between our stat and rename a live writer replaced the stale lock: put its lock back.
    try {
      linkSync(aside, lockPath);
    } catch {
      // another writer already holds a new lock; ours was removed — nothing more we can do safely
    }
    return undefined;
  } finally {
    try {
      unlinkSync(aside);
    } catch {
      // already gone
    }
  }
}

async function acquireLock(
  lockPath: string,
  what: string,
  timeoutMs: number,
  staleMs: number,
  broken: string[],
): Promise<string> {
  const token = randomBytes(16).toString('hex');
  const body = `${JSON.stringify({ pid: process.pid, hostname: hostname(), createdAt: new Date().toISOString(), token })}\n`;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    let fd: number | undefined;
    try {
      fd = openSync(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError(`${what}.lock`, 'create the lock file', e);
    }
    if (fd !== undefined) {
      try {
        writeSync(fd, body);
      } catch (e) {
        closeSync(fd);
        fd = undefined;
        try {
          unlinkSync(lockPath);
        } catch {
          // nothing more to undo
        }
        throw ioError(`${what}.lock`, 'write the lock file', e);
      } finally {
        if (fd !== undefined) closeSync(fd);
      }
      return token;
    }
    const b = breakIfStale(lockPath, staleMs);
    if (b !== undefined) {
      if (b !== '') broken.push(b);
      continue;
    }
    if (Date.now() >= deadline) {
      const info = readLockInfo(lockPath);
      const holder = info
        ? `pid ${info.pid ?? '?'} on ${info.hostname ?? '?'} since ${info.createdAt ?? '?'}`
        : 'an unknown writer';
      throw new LineproofError(
        'BUNDLE_LOCK_TIMEOUT',
        `${what}: the lock ${lockPath} is held by ${holder}; gave up after ${timeoutMs} ms (remove the lock file if no writer is running)`,
        { path: lockPath, actual: holder },
      );
    }
    const backoff = Math.min(25, 2 ** Math.min(attempt, 5));
    await sleep(Math.max(1, Math.min(backoff * (0.5 + Math.random()), deadline - Date.now())));
  }
}

function releaseLock(lockPath: string, token: string): void {
  const info = readLockInfo(lockPath);
  if (info?.token !== token) return; // broken as stale by someone else: not ours any more
  try {
    unlinkSync(lockPath);
  } catch {
    // already gone
  }
}

function linesOf(
  envelopes: ReadonlyArray<Envelope | DecodedEnvelope>,
  limits: Limits,
  what: string,
): { lines: string[]; digests: string[] } {
  if (envelopes.length === 0) throw new RangeError('"envelope" expected at least one envelope');
  const lines: string[] = [];
  const digests: string[] = [];
  envelopes.forEach((env, i) => {
    const name = envelopes.length === 1 ? 'envelope' : `envelopes[${i}]`;
    const decoded = parseEnvelope(env, { limits, what: name });
    if (decoded.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
      throw new LineproofError(
        'DSSE_PAYLOAD_TYPE_MISMATCH',
        `${what}: ${name}: a bundle holds in-toto envelopes (payloadType ${IN_TOTO_PAYLOAD_TYPE}), got ${JSON.stringify(decoded.payloadType.slice(0, 100))}`,
        { path: `${name}.payloadType`, expected: IN_TOTO_PAYLOAD_TYPE, actual: decoded.payloadType.slice(0, 100) },
      );
    }
    const line = `${serializeEnvelope(decoded)}\n`;
    const size = utf8(line).length - 1;
    if (size > limits.envelopeBytes) {
      throw new LineproofError(
        'LIMIT_EXCEEDED',
        `${what}: ${name} would be ${size} bytes, more than the envelope limit of ${limits.envelopeBytes}`,
        { path: name, expected: `<= ${limits.envelopeBytes}`, actual: String(size) },
      );
    }
    lines.push(line);
    digests.push(`sha256:${sha256Hex(decoded.payload)}`);
  });
  return { lines, digests };
}

/**
 * Append envelopes to an `.intoto.jsonl` bundle, each as one whole line, under the bundle's
 * advisory lock (the protocol is the numbered list of this module). Several envelopes given
 * together are written with one write. The file is created (mode 0644) if missing.
 * @param path the bundle file
 * @param envelope an envelope (wire form as `signEnvelope` returns it, or decoded), or several
 * @param options lock timeout, stale-lock age, fsync, limits
 * @returns the lines written, payload digests, offset and byte count
 * @throws {LineproofError} BUNDLE_LOCK_TIMEOUT; IO_ERROR naming the path (nothing partial is left);
 *   DSSE_PAYLOAD_TYPE_MISMATCH (not an in-toto envelope), LIMIT_EXCEEDED, and the envelope parse
 *   codes (DSSE_ENVELOPE_INVALID, BASE64_*...) — all before the file is touched
 * @example
 * ```ts
 * const env = await signEnvelope(payload, IN_TOTO_PAYLOAD_TYPE, [nodeEd25519Signer(key)]);
 * await appendToBundle('model.intoto.jsonl', env);
 * ```
 */
export async function appendToBundle(
  path: string,
  envelope: Envelope | DecodedEnvelope | ReadonlyArray<Envelope | DecodedEnvelope>,
  options: AppendToBundleOptions = {},
): Promise<AppendResult> {
  if (typeof path !== 'string' || path === '') throw new TypeError('"path" expected a non-empty string');
  const what = options.what ?? path;
  const limits = resolveLimits(options.limits);
  const timeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const staleMs = options.staleLockMs ?? DEFAULT_STALE_LOCK_MS;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0)
    throw new RangeError('"lockTimeoutMs" expected a finite number >= 0');
  if (!Number.isFinite(staleMs) || staleMs < 0) throw new RangeError('"staleLockMs" expected a finite number >= 0');
  // 1. serialize before touching anything
  const list = Array.isArray(envelope)
    ? (envelope as ReadonlyArray<Envelope | DecodedEnvelope>)
    : [envelope as Envelope | DecodedEnvelope];
  const { lines, digests } = linesOf(list, limits, what);
  // 2. lock
  const lockPath = `${path}.lock`;
  const brokenLocks: string[] = [];
  const token = await acquireLock(lockPath, what, timeoutMs, staleMs, brokenLocks);
  try {
    // 3. open, note the size, end an earlier partial line
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT, 0o644);
    } catch (e) {
      throw ioError(what, 'open for appending', e);
    }
    try {
      let start: number;
      try {
        const st = fstatSync(fd);
        if (!st.isFile()) throw new LineproofError('IO_ERROR', `${what}: not a regular file`, { path: what });
        start = st.size;
      } catch (e) {
        if (e instanceof LineproofError) throw e;
        throw ioError(what, 'stat', e);
      }
      let prefix = '';
      if (start > 0) {
        const last = new Uint8Array(1);
        try {
          readSync(fd, last, 0, 1, start - 1);
        } catch (e) {
          throw ioError(what, 'read its last byte', e);
        }
        if (last[0] !== 0x0a) prefix = '\n';
      }
      const bytes = utf8(prefix + lines.join(''));
      // 4. one write (looping only on a short write), fsync; undo on any error
      try {
        let done = 0;
        while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
        if (options.fsync ?? true) fsyncSync(fd);
      } catch (e) {
        try {
          ftruncateSync(fd, start);
        } catch {
          // nothing more can be done; the reader reports the broken line with its number
        }
        throw ioError(what, 'append', e);
      }
      return {
        lines,
        payloadDigests: digests,
        offset: start + prefix.length,
        bytes: bytes.length,
        created: start === 0,
        brokenLocks,
      };
    } finally {
      closeSync(fd);
    }
  } finally {
    // 5. release
    releaseLock(lockPath, token);
  }
}

/** Options for {@link readBundleFile}. */
export interface ReadBundleFileOptions {
  limits?: Partial<Limits>;
  /** Names the file in messages (default: the path). */
  what?: string;
  /** Treat a missing file as an empty bundle (default false: IO_ERROR). */
  allowMissing?: boolean;
}

/**
 * Read an `.intoto.jsonl` file as a set (see `readBundle`): unreadable lines are listed with their
 * line numbers, never thrown.
 * @param path the bundle file
 * @param options limits, name, whether a missing file is an empty bundle
 * @returns the bundle
 * @throws {LineproofError} IO_ERROR (cannot open or read the file), SPECIAL_FILE_REFUSED (a FIFO,
 *   socket or device), LIMIT_EXCEEDED (over 1 GiB)
 * @example
 * ```ts
 * const { entries, errors } = readBundleFile('model.intoto.jsonl');
 * ```
 */
export function readBundleFile(path: string, options: ReadBundleFileOptions = {}): Bundle {
  const what = options.what ?? path;
  let bytes: Uint8Array;
  try {
    bytes = readFileLimited(path, MAX_BUNDLE_FILE_BYTES, what);
  } catch (e) {
    if (
      options.allowMissing &&
      e instanceof LineproofError &&
      (e.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
    )
      return { entries: [], errors: [] };
    throw e;
  }
  return readBundle(bytes, { what, ...(options.limits ? { limits: options.limits } : {}) });
}

/** The result of {@link cosignBundleFile}. */
export interface CosignFileResult extends CosignResult {
  /** What was appended (undefined when the key had already signed). */
  appended?: AppendResult;
}

/**
 * Co-sign an attestation in a bundle file: read the file, add the signer's signature to the
 * payload with this digest (see `cosignEntry`), and append the envelope as a new line (readers
 * merge it with the earlier ones). Nothing is written when the key had already signed.
 * @param path the bundle file
 * @param payloadDigest `sha256:<hex>` of the payload to co-sign
 * @param signer the co-signer
 * @param options sign and append options
 * @returns what was co-signed and appended
 * @throws {LineproofError} BUNDLE_PAYLOAD_NOT_FOUND, the codes of {@link readBundleFile},
 *   `addSignature` and {@link appendToBundle}
 * @example
 * ```ts
 * await cosignBundleFile('model.intoto.jsonl', approvalDigest, nodeEd25519Signer(bob));
 * ```
 */
export async function cosignBundleFile(
  path: string,
  payloadDigest: string,
  signer: Signer,
  options: AppendToBundleOptions & SignOptions = {},
): Promise<CosignFileResult> {
  const bundle = readBundleFile(path, {
    ...(options.what ? { what: options.what } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const result = await cosignEntry(bundle, payloadDigest, signer, options);
  if (!result.added) return result;
  return { ...result, appended: await appendToBundle(path, result.envelope, options) };
}
