import { openSync, fstatSync, readSync, closeSync } from 'node:fs';
import { LineproofError } from '../errors.js';

/**
 * Read a whole file, refusing one larger than `maxBytes` (checked before and while reading, so a
 * growing file or a device cannot make it read forever).
 * @throws {LineproofError} IO_ERROR naming the path, or LIMIT_EXCEEDED
 */
export function readFileLimited(path: string, maxBytes: number, what = path): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    throw new LineproofError('IO_ERROR', `${what}: cannot open (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, { path: what, cause });
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new LineproofError('IO_ERROR', `${what}: is a directory, expected a file`, { path: what });
    if (st.size > maxBytes) {
      throw new LineproofError('LIMIT_EXCEEDED', `${what}: ${st.size} bytes is more than the limit of ${maxBytes}`, { path: what, expected: `<= ${maxBytes}`, actual: String(st.size) });
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const buf = new Uint8Array(Math.min(1 << 20, maxBytes + 1 - total) || 1);
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) {
        throw new LineproofError('LIMIT_EXCEEDED', `${what}: more than the limit of ${maxBytes} bytes`, { path: what, expected: `<= ${maxBytes}` });
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
    throw new LineproofError('IO_ERROR', `${what}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { path: what, cause: e });
  } finally {
    closeSync(fd);
  }
}
