import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { treeRootWebCrypto, leafHashWebCrypto } from '../../src/hashing/tree-webcrypto.js';
import { leafHash, treeRoot } from '../../src/hashing/tree.js';
import { toHex } from '../../src/bytes/index.js';
import { LineproofError } from '../../src/errors.js';

const L = 65536;
function data(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 131 + 7) % 251;
  return out;
}
async function* chunks(bytes: Uint8Array, cuts: number[]) {
  let prev = 0;
  for (const c of [...cuts, bytes.length]) {
    yield bytes.subarray(prev, c);
    prev = c;
  }
}

describe('WebCrypto chunk tree (core)', () => {
  it.each([0, 1, L - 1, L, L + 1, 4 * L, 5 * L + 3])('gives the core root for %i bytes', async (n) => {
    const bytes = data(n);
    for (const concurrency of [1, 4]) {
      const r = await treeRootWebCrypto(bytes, { leafBytes: L, concurrency });
      expect(toHex(r.root)).toBe(toHex(treeRoot(bytes, L)));
      expect(r.totalLength).toBe(n);
    }
  });

  it('does not depend on the split of an async iterable or on concurrency', async () => {
    const bytes = data(3 * L + 17);
    const expected = toHex(treeRoot(bytes, L));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(bytes.length), { maxLength: 8 }),
        fc.integer({ min: 1, max: 8 }),
        async (cuts, concurrency) => {
          const sorted = [...new Set(cuts)].sort((a, b) => a - b);
          const r = await treeRootWebCrypto(chunks(bytes, sorted), { leafBytes: L, concurrency });
          expect(toHex(r.root)).toBe(expected);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('reads a web ReadableStream', async () => {
    const bytes = data(2 * L + 9);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.subarray(0, 100));
        c.enqueue(bytes.subarray(100));
        c.close();
      },
    });
    expect(toHex((await treeRootWebCrypto(stream, { leafBytes: L })).root)).toBe(toHex(treeRoot(bytes, L)));
  });

  it('leaf hashes equal the core leaf hash', async () => {
    const c = data(1000);
    expect(toHex(await leafHashWebCrypto(c))).toBe(toHex(leafHash(c)));
  });

  it('stops on abort with ABORTED and reports progress', async () => {
    const ctl = new AbortController();
    const seen: number[] = [];
    const attempt = treeRootWebCrypto(data(8 * L), {
      leafBytes: L,
      concurrency: 1,
      onProgress: (b) => {
        seen.push(b);
        if (b >= 2 * L) ctl.abort();
      },
      signal: ctl.signal,
    });
    await expect(attempt).rejects.toSatisfy((e: unknown) => e instanceof LineproofError && e.code === 'ABORTED');
    expect(seen[0]).toBe(L);
  });

  it('refuses bad options (misuse)', async () => {
    await expect(treeRootWebCrypto(data(1), { leafBytes: 1000 })).rejects.toThrow(RangeError);
    await expect(treeRootWebCrypto(data(1), { concurrency: 0 })).rejects.toThrow(RangeError);
  });
});
