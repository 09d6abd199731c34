import { LineproofError } from '../errors.js';

/**
 * Read all of standard input (or another readable stream), refusing more than `maxBytes`.
 * Works for pipes, files, terminals and sockets alike (opening `/dev/stdin` fails with ENXIO
 * when standard input is a socket, as with `child_process.spawn(..., { input })`).
 * @throws {LineproofError} LIMIT_EXCEEDED, IO_ERROR
 * @example
 * ```ts
 * const bytes = await readStdinLimited(16 * 1024 * 1024);
 * ```
 */
export async function readStdinLimited(
  maxBytes: number,
  what = 'stdin',
  stream: AsyncIterable<Uint8Array | string> = process.stdin,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
      total += bytes.length;
      if (total > maxBytes) {
        throw new LineproofError('LIMIT_EXCEEDED', `${what}: more than the limit of ${maxBytes} bytes`, {
          path: what,
          expected: `<= ${maxBytes}`,
        });
      }
      chunks.push(bytes);
    }
  } catch (e) {
    if (e instanceof LineproofError) throw e;
    throw new LineproofError('IO_ERROR', `${what}: cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`, {
      path: what,
      cause: e,
    });
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
