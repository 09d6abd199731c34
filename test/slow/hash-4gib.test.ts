/**
 * Inputs over 4 GiB hash correctly (no 32-bit length or offset anywhere), streamed, never held in
 * memory. The reference digests come from coreutils `sha256sum` over a sparse file with marker
 * bytes on both sides of the 2^32 boundary. Run with `npm run test:slow`.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync, ftruncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShardDigest, hashBytes, hashEngine, hashSource } from '../../src/index.js';
import { hashFile, hashOmsModel, nodeHashEngine } from '../../src/node/index.js';

const FOUR_GIB = 2 ** 32;
const SIZE = FOUR_GIB + 3;
const MARKERS: [number, number][] = [
  [0, 0x11],
  [FOUR_GIB - 1, 0x22],
  [FOUR_GIB, 0x33],
  [FOUR_GIB + 2, 0x44],
];

let dir: string;
let file: string;
let reference: string;

function sha256sum(args: string[], input?: string): string {
  return execFileSync('sh', ['-c', input ?? `sha256sum ${args.map((a) => `'${a}'`).join(' ')}`], { maxBuffer: 1 << 20 })
    .toString()
    .split(/\s/)[0]!;
}

/** The file's bytes, generated in memory window by window into one reused buffer. */
async function* generated(chunk = 1 << 20): AsyncGenerator<Uint8Array> {
  const buf = new Uint8Array(chunk);
  for (let off = 0; off < SIZE; off += chunk) {
    const n = Math.min(chunk, SIZE - off);
    buf.fill(0);
    for (const [at, v] of MARKERS) if (at >= off && at < off + n) buf[at - off] = v;
    yield buf.subarray(0, n);
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'lineproof-4gib-'));
  file = join(dir, 'big.bin');
  const fd = openSync(file, 'w');
  ftruncateSync(fd, SIZE);
  for (const [at, v] of MARKERS) writeSync(fd, new Uint8Array([v]), 0, 1, at);
  closeSync(fd);
  reference = sha256sum([file]);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('inputs over 4 GiB', () => {
  it("hashFile (node:crypto, readSync into a reused buffer) gives sha256sum's digest and the exact size", async () => {
    const r = await hashFile(file);
    expect(r.size).toBe(SIZE);
    expect(r.digests.sha256).toBe(reference);
  });

  it('hashSource over an in-memory stream (node:crypto engine) gives the same digest, counting every byte', async () => {
    const r = await hashSource(generated(), { algorithms: [nodeHashEngine('sha256')], expectedSize: SIZE });
    expect(r.size).toBe(SIZE);
    expect(r.digests.sha256).toBe(reference);
  });

  it('the pure-JS (noble) engine gives the same digest', async () => {
    const r = await hashSource(generated(4 << 20), { algorithms: [hashEngine('sha256')] });
    expect(r.digests.sha256).toBe(reference);
  });

  it('a truncated 4 GiB stream is caught', async () => {
    await expect(
      hashSource(generated(), { algorithms: [nodeHashEngine('sha256')], expectedSize: SIZE + 1 }),
    ).rejects.toMatchObject({ code: 'HASH_SIZE_MISMATCH' });
  });

  it('shards beyond 2^32 have the right offsets and digests', async () => {
    const s = new ShardDigest(nodeHashEngine('sha256'), FOUR_GIB);
    for await (const c of generated()) s.update(c);
    const shards = s.finish(SIZE);
    expect(shards.map((x) => [x.start, x.end])).toEqual([
      [0, FOUR_GIB],
      [FOUR_GIB, SIZE],
    ]);
    expect(shards[0]!.digest).toBe(sha256sum([], `head -c ${FOUR_GIB} '${file}' | sha256sum`));
    expect(shards[1]!.digest).toBe(hashBytes(new Uint8Array([0x33, 0, 0x44])).digests.sha256);
  });

  it('model_signing shards of the file name offsets past 4 GiB exactly', async () => {
    const m = await hashOmsModel(file, { method: 'shards' });
    expect(m.manifest.resources.map((r) => r.name)).toEqual([
      '.:0:1000000000',
      '.:1000000000:2000000000',
      '.:2000000000:3000000000',
      '.:3000000000:4000000000',
      `.:4000000000:${SIZE}`,
    ]);
    const tail = SIZE - 4_000_000_000;
    expect(m.manifest.resources[4]!.digest).toBe(sha256sum([], `tail -c ${tail} '${file}' | sha256sum`));
  });
});
