import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ShardDigest, hashBytes, hashEngine, shardRanges } from '../../src/index.js';
import { utf8 } from '../../src/bytes/index.js';

describe('shardRanges', () => {
  it('splits at multiples of the shard size, the last shard shorter (model_signing endpoints)', () => {
    expect(shardRanges(22, 8)).toEqual([
      [0, 8],
      [8, 16],
      [16, 22],
    ]);
    expect(shardRanges(16, 8)).toEqual([
      [0, 8],
      [8, 16],
    ]);
    expect(shardRanges(8, 8)).toEqual([[0, 8]]);
    expect(shardRanges(7, 8)).toEqual([[0, 7]]);
  });

  it('gives no shard for an empty input', () => {
    expect(shardRanges(0, 8)).toEqual([]);
  });

  it('refuses a zero or fractional shard size and a negative size', () => {
    expect(() => shardRanges(10, 0)).toThrow(RangeError);
    expect(() => shardRanges(10, 1.5)).toThrow(RangeError);
    expect(() => shardRanges(-1, 8)).toThrow(RangeError);
  });
});

describe('ShardDigest', () => {
  it('matches the golden first shard of "This is a simple model" with shard size 8', () => {
    const s = new ShardDigest(hashEngine('sha256'), 8);
    s.update(utf8('This is a simple model'));
    const shards = s.finish();
    expect(shards.map((x) => [x.start, x.end])).toEqual([
      [0, 8],
      [8, 16],
      [16, 22],
    ]);
    // fixtures/model-signing/goldens/file_shard/sample_model_file_small_shards
    expect(shards[0]!.digest).toBe('a37010c994067764d86540bf479d93b4d0c3bb3955de7b61f951caf2fd0301b0');
  });

  it('gives no shard for empty input', () => {
    expect(new ShardDigest(hashEngine('sha256'), 8).finish()).toEqual([]);
  });

  it('equals hashing each range separately, whatever the chunking (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.nat(600), { maxLength: 10 }),
        (data, size, cuts) => {
          const s = new ShardDigest(hashEngine('sha256'), size);
          const points = [...new Set(cuts.map((c) => Math.min(c, data.length)))].sort((a, b) => a - b);
          let prev = 0;
          for (const p of [...points, data.length]) {
            s.update(data.subarray(prev, p));
            prev = p;
          }
          const got = s.finish(data.length);
          const want = shardRanges(data.length, size).map(([a, b]) => ({
            start: a,
            end: b,
            digest: hashBytes(data.subarray(a, b)).digests.sha256,
          }));
          expect(got).toEqual(want);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('fails with HASH_SIZE_MISMATCH when the input is not the expected size', () => {
    const s = new ShardDigest(hashEngine('sha256'), 8);
    s.update(utf8('abc'));
    expect(() => s.finish(4)).toThrow(expect.objectContaining({ code: 'HASH_SIZE_MISMATCH' }));
  });
});
