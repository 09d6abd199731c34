/**
 * The Node side of hash parts: `readFileChunks` with a byte range reads exactly those bytes with
 * every check kept, and `hashPart` refuses what cannot be split and a file that changes between
 * the walk and the read. (The CLI round trips are in test/cli/hash-part.test.ts; a real cluster
 * in hash-part-dask.test.ts.)
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFileChunks } from '../../src/node/hash-file.js';
import { hashPart } from '../../src/node/hash-part.js';
import { tempTree } from '../helpers/tmp.js';

const bytes = new Uint8Array(1_000_000).map((_, i) => (i * 7 + (i >> 8)) & 255);

async function readRange(path: string, start: number, end: number): Promise<string> {
  const h = createHash('sha256');
  await readFileChunks(path, (c) => h.update(c), { range: { start, end }, buffer: new Uint8Array(4096) });
  return h.digest('hex');
}

describe('readFileChunks with a range', () => {
  // A fresh file per test (tempTree's folders go after each test).
  const weights = (): string => join(tempTree({ 'w.bin': bytes }), 'w.bin');
  it.each([
    [0, 1_000_000],
    [0, 1],
    [4095, 4097],
    [500_000, 1_000_000],
    [999_999, 1_000_000],
    [123, 123],
  ])('reads exactly [%d, %d)', async (start, end) => {
    expect(await readRange(weights(), start, end)).toBe(
      createHash('sha256').update(bytes.subarray(start, end)).digest('hex'),
    );
  });
  it('refuses a range outside the file', async () => {
    const file = weights();
    await expect(readRange(file, 0, 1_000_001)).rejects.toMatchObject({ code: 'FILE_CHANGED_WHILE_HASHING' });
    await expect(readRange(file, 10, 5)).rejects.toMatchObject({ code: 'FILE_CHANGED_WHILE_HASHING' });
  });
});

describe('hashPart', () => {
  it('refuses a single file with a stream digest, and a bad share', async () => {
    const root = tempTree({ 'w.bin': bytes });
    await expect(hashPart(join(root, 'w.bin'), { part: 1, parts: 2 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(hashPart(root, { part: 3, parts: 2 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(hashPart(root, { part: 1, parts: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(hashPart(root, { part: 1, parts: 1, algorithm: 'md5' })).rejects.toMatchObject({
      code: 'HASH_ALGORITHM_UNSUPPORTED',
    });
  });
  it('a file that changes size after the walk is refused, not hashed into a part', async () => {
    const root = tempTree({ 'a.bin': bytes, 'b.bin': bytes });
    let grown = false;
    const p = hashPart(root, {
      part: 1,
      parts: 1,
      algorithm: 'sha256-tree-v1-65536',
      onProgress: () => {
        if (!grown) writeFileSync(join(root, 'b.bin'), new Uint8Array(10));
        grown = true;
      },
    });
    await expect(p).rejects.toMatchObject({ code: 'FILE_CHANGED_WHILE_HASHING' });
  });
  it('a Hugging Face–style link is refused (parts walk a plain folder)', async () => {
    const root = tempTree({ 'a.bin': bytes });
    const { symlinkSync } = await import('node:fs');
    symlinkSync(join(root, 'a.bin'), join(root, 'link.bin'));
    await expect(hashPart(root, { part: 1, parts: 1 })).rejects.toMatchObject({ code: 'SYMLINK_REFUSED' });
  });
});
