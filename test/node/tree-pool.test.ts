import { createHash } from 'node:crypto';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hashFileTree } from '../../src/node/tree-pool.js';
import { treeRoot, proveLeaf, verifyLeafProof } from '../../src/hashing/tree.js';
import { fromHex, toHex } from '../../src/bytes/index.js';
import { LineproofError } from '../../src/errors.js';

const L = 65536;
const dir = mkdtempSync(join(tmpdir(), 'lineproof-tree-'));
function data(n: number, seed = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 131 + 7 + seed) % 251;
  return out;
}
function file(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('hashFileTree (worker pool)', () => {
  const sizes = [0, 10, L, 3 * L + 1, 4 * L, 9 * L + 5, 33 * L + 100];
  it.each(sizes)('%i bytes: root equals the core tree, sha256 equals node:crypto', async (n) => {
    const bytes = data(n);
    const p = file(`f${n}`, bytes);
    const r = await hashFileTree(p, { leafBytes: L, sha256: true, workers: 2 });
    expect(r.root).toBe(toHex(treeRoot(bytes, L)));
    expect(r.sha256).toBe(sha(bytes));
    expect(r.totalLength).toBe(n);
    expect(r.algorithm).toBe('sha256-tree-v1-65536');
    const treeOnly = await hashFileTree(p, { leafBytes: L, workers: 2 });
    expect(treeOnly.root).toBe(r.root);
    expect(treeOnly.sha256).toBeUndefined();
  });

  it('the number of workers never changes the root (property)', async () => {
    const bytes = data(21 * L + 333, 5);
    const p = file('prop', bytes);
    const expected = toHex(treeRoot(bytes, L));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 5 }), fc.boolean(), async (workers, both) => {
        const r = await hashFileTree(p, { leafBytes: L, workers, sha256: both });
        expect(r.root).toBe(expected);
      }),
      { numRuns: 12 },
    );
  });

  it('keeps leaf hashes for inclusion proofs', async () => {
    const bytes = data(6 * L + 1);
    const p = file('proofs', bytes);
    const r = await hashFileTree(p, { leafBytes: L, keepLeafHashes: true, workers: 2 });
    const proof = proveLeaf(r.leafHashes!, 6, bytes.length, L);
    expect(() => verifyLeafProof(fromHex(r.root), bytes.subarray(6 * L), proof)).not.toThrow();
  });

  it('reports progress up to the total', async () => {
    const bytes = data(12 * L);
    const p = file('progress', bytes);
    const seen: number[] = [];
    await hashFileTree(p, { leafBytes: L, workers: 2, onProgress: (b) => seen.push(b) });
    expect(seen.at(-1)).toBe(bytes.length);
  });

  describe('when something goes wrong', () => {
    const code = async (fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (e) {
        return e instanceof LineproofError ? e.code : String(e);
      }
      return 'OK';
    };
    it('a missing file is IO_ERROR naming the path', async () => {
      expect(await code(() => hashFileTree(join(dir, 'missing')))).toBe('IO_ERROR');
    });
    it('a directory is IO_ERROR', async () => {
      expect(await code(() => hashFileTree(dir))).toBe('IO_ERROR');
    });
    it('an aborted signal is ABORTED', async () => {
      const p = file('abort', data(40 * L));
      const ctl = new AbortController();
      const attempt = hashFileTree(p, { leafBytes: L, workers: 2, onProgress: () => ctl.abort(), signal: ctl.signal });
      expect(await code(() => attempt)).toBe('ABORTED');
      const pre = new AbortController();
      pre.abort();
      expect(await code(() => hashFileTree(p, { signal: pre.signal }))).toBe('ABORTED');
    });
    it.each([false, true])('a file truncated while hashed is FILE_CHANGED_WHILE_HASHING (sha256: %s)', async (both) => {
      const p = file(`shrink${both}`, data(64 * L));
      let cut = false;
      const attempt = hashFileTree(p, {
        leafBytes: L,
        workers: 1,
        sha256: both,
        onProgress: () => {
          if (!cut) {
            cut = true;
            truncateSync(p, 10 * L);
          }
        },
      });
      expect(await code(() => attempt)).toBe('FILE_CHANGED_WHILE_HASHING');
    });
    it('bad options are misuse errors', async () => {
      await expect(hashFileTree(join(dir, 'f10'), { workers: -1 })).rejects.toThrow(RangeError);
      await expect(hashFileTree(join(dir, 'f10'), { leafBytes: 12345 })).rejects.toThrow(RangeError);
    });
  });
});
