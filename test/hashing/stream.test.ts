import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  HASH_ALGORITHMS,
  StreamDigest,
  hashBytes,
  hashEngine,
  hashSource,
  oneShot,
  resolveEngines,
  isLineproofError,
  type HashAlgorithm,
} from '../../src/index.js';
import { nodeHashEngine } from '../../src/node/index.js';
import { utf8, toHex } from '../../src/bytes/index.js';

// Known answers: FIPS 180-2 (sha256/sha512 "abc"), RFC 7693 Appendix A (BLAKE2b-512 "abc"),
// the BLAKE3 reference test vectors (empty input and "abc").
const KAT: Record<HashAlgorithm, { empty: string; abc: string }> = {
  sha256: {
    empty: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    abc: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
  },
  sha512: {
    empty:
      'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
    abc: 'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
  },
  blake2b: {
    empty:
      '786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce',
    abc: 'ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d17d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923',
  },
  blake3: {
    empty: 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262',
    abc: '6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85',
  },
};

function pattern(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function split(data: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => Math.min(Math.max(c, 0), data.length)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, data.length]) {
    out.push(data.subarray(prev, p));
    prev = p;
  }
  return out;
}

describe('hash engines', () => {
  for (const alg of HASH_ALGORITHMS) {
    it(`${alg}: known answers for "" and "abc" (noble and node:crypto)`, () => {
      for (const engine of [hashEngine(alg), nodeHashEngine(alg)]) {
        expect(hashBytes(new Uint8Array(0), engine).digests[alg]).toBe(KAT[alg].empty);
        expect(hashBytes(utf8('abc'), engine).digests[alg]).toBe(KAT[alg].abc);
        expect(engine.outputLen).toBe(KAT[alg].abc.length / 2);
      }
    });
  }

  it('node:crypto returns plain Uint8Arrays, not Buffers', () => {
    const d = nodeHashEngine('sha256').create();
    d.update(utf8('abc'));
    const out = d.digest();
    expect(Object.getPrototypeOf(out)).toBe(Uint8Array.prototype);
  });

  it('node:crypto and noble agree on random inputs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), (data) => {
        for (const alg of HASH_ALGORITHMS) {
          expect(hashBytes(data, nodeHashEngine(alg)).digests[alg]).toBe(hashBytes(data, hashEngine(alg)).digests[alg]);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('refuses an unknown algorithm with HASH_ALGORITHM_UNSUPPORTED', () => {
    expect(() => hashEngine('md5' as HashAlgorithm)).toThrow(
      expect.objectContaining({ code: 'HASH_ALGORITHM_UNSUPPORTED' }),
    );
    expect(() => nodeHashEngine('sha1' as HashAlgorithm)).toThrow(
      expect.objectContaining({ code: 'HASH_ALGORITHM_UNSUPPORTED' }),
    );
  });

  it('refuses duplicate algorithms and things that are not engines', () => {
    expect(() => resolveEngines(['sha256', 'sha256'])).toThrow(TypeError);
    expect(() => resolveEngines([])).toThrow(TypeError);
    expect(() => resolveEngines([{ algorithm: 'x' } as never])).toThrow(TypeError);
  });

  it('oneShot adapts a streaming engine', async () => {
    expect(toHex(await oneShot(hashEngine('sha256')).digest(utf8('abc')))).toBe(KAT.sha256.abc);
  });
});

describe('chunking never changes a digest', () => {
  describe('when every 2-way and 3-way split of small inputs is tried', () => {
    it('sha256, sha512 and blake2b over all splits around their block sizes', () => {
      const data = pattern(300);
      const algs: HashAlgorithm[] = ['sha256', 'sha512', 'blake2b'];
      const whole = hashBytes(data, algs).digests;
      for (let a = 0; a <= data.length; a++) {
        const d = new StreamDigest(algs);
        for (const c of split(data, [a])) d.update(c);
        expect(d.finish().digests).toEqual(whole);
      }
      const small = data.subarray(0, 140);
      const wholeSmall = hashBytes(small, algs).digests;
      for (let a = 0; a <= small.length; a++) {
        for (let b = a; b <= small.length; b++) {
          const d = new StreamDigest(algs);
          for (const c of split(small, [a, b])) d.update(c);
          expect(d.finish().digests).toEqual(wholeSmall);
        }
      }
    });

    it('blake3 over every 2-way split across its 1024-byte chunk boundary', () => {
      const data = pattern(2100, 7);
      const whole = hashBytes(data, 'blake3').digests.blake3;
      for (let a = 0; a <= data.length; a++) {
        const d = new StreamDigest('blake3');
        for (const c of split(data, [a])) d.update(c);
        expect(d.finish().digests.blake3).toBe(whole);
      }
    });

    it('one byte at a time', () => {
      const data = pattern(1100, 3);
      const whole = hashBytes(data, HASH_ALGORITHMS).digests;
      const d = new StreamDigest(HASH_ALGORITHMS);
      for (let i = 0; i < data.length; i++) d.update(data.subarray(i, i + 1));
      expect(d.finish().digests).toEqual(whole);
    });
  });

  describe('when chunks are views with offsets, Buffers, or one reused buffer', () => {
    it('gives the digest of the bytes, not of the underlying buffer', () => {
      const backing = pattern(4096, 9);
      const data = backing.slice(100, 3100);
      const whole = hashBytes(data, HASH_ALGORITHMS).digests;
      // subarray views into a larger buffer (byteOffset != 0)
      const d1 = new StreamDigest(HASH_ALGORITHMS);
      for (let o = 100; o < 3100; o += 777) d1.update(backing.subarray(o, Math.min(o + 777, 3100)));
      expect(d1.finish().digests).toEqual(whole);
      // Buffer views
      const d2 = new StreamDigest(HASH_ALGORITHMS);
      for (let o = 0; o < data.length; o += 1000)
        d2.update(Buffer.from(data.buffer, data.byteOffset + o, Math.min(1000, data.length - o)));
      expect(d2.finish().digests).toEqual(whole);
    });

    it('is not confused when the caller overwrites its buffer after each update (noble and node:crypto)', () => {
      const data = pattern(5000, 11);
      for (const alg of HASH_ALGORITHMS) {
        for (const engine of [hashEngine(alg), nodeHashEngine(alg)]) {
          const buf = new Uint8Array(333);
          const d = new StreamDigest([engine]);
          for (let o = 0; o < data.length; o += buf.length) {
            const n = Math.min(buf.length, data.length - o);
            buf.set(data.subarray(o, o + n));
            d.update(buf.subarray(0, n));
            buf.fill(0xff);
          }
          expect(d.finish().digests[alg]).toBe(hashBytes(data, alg).digests[alg]);
        }
      }
    });
  });

  it('holds for random inputs and random split points (fast-check), all algorithms, both engines', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2500 }),
        fc.array(fc.nat(2600), { maxLength: 12 }),
        fc.boolean(),
        (data, cuts, useNode) => {
          const engines = HASH_ALGORITHMS.map((a) => (useNode ? nodeHashEngine(a) : hashEngine(a)));
          const whole = hashBytes(data, HASH_ALGORITHMS).digests;
          const d = new StreamDigest(engines);
          for (const c of split(data, cuts)) d.update(c.slice()); // sliced copies
          const r = d.finish();
          expect(r.digests).toEqual(whole);
          expect(r.size).toBe(data.length);
        },
      ),
      { numRuns: 150 },
    );
  });
});

async function* asyncChunks(chunks: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) {
    await Promise.resolve();
    yield c;
  }
}

function webStream(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]);
      else controller.close();
    },
  });
}

describe('hashSource', () => {
  const data = pattern(10_000, 5);
  const chunks = split(data, [1, 64, 65, 4000, 9999]);
  const expected = hashBytes(data, ['sha256', 'blake2b']).digests;

  it('gives the same digests for bytes, an iterable, a generator, an async generator and a web stream', async () => {
    const sources = [
      data,
      chunks,
      (function* () {
        yield* chunks;
      })(),
      asyncChunks(chunks),
      webStream(chunks),
    ];
    for (const s of sources) {
      const r = await hashSource(s, { algorithms: ['sha256', 'blake2b'] });
      expect(r.digests).toEqual(expected);
      expect(r.size).toBe(data.length);
    }
  });

  it('fast-check: any chunking through a web stream gives the one-shot digest', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 3000 }),
        fc.array(fc.nat(3000), { maxLength: 8 }),
        async (bytes, cuts) => {
          const r = await hashSource(webStream(split(bytes, cuts)), { algorithms: ['sha256'] });
          expect(r.digests.sha256).toBe(hashBytes(bytes).digests.sha256);
        },
      ),
      { numRuns: 50 },
    );
  });

  describe('when the source is shorter or longer than expected', () => {
    it('fails a truncated source with HASH_SIZE_MISMATCH', async () => {
      await expect(hashSource(asyncChunks(chunks.slice(0, -1)), { expectedSize: data.length })).rejects.toMatchObject({
        code: 'HASH_SIZE_MISMATCH',
      });
    });

    it('fails a source that runs on as soon as it passes the expected size (even an endless one)', async () => {
      let pulled = 0;
      async function* endless(): AsyncGenerator<Uint8Array> {
        for (;;) {
          pulled++;
          yield new Uint8Array(1000);
        }
      }
      await expect(hashSource(endless(), { expectedSize: 2500 })).rejects.toMatchObject({ code: 'HASH_SIZE_MISMATCH' });
      expect(pulled).toBe(3);
    });

    it('accepts exactly the expected size', async () => {
      const r = await hashSource(chunks, { expectedSize: data.length });
      expect(r.size).toBe(data.length);
    });
  });

  it('stops with ABORTED and cancels a web stream', async () => {
    const ac = new AbortController();
    let cancelled = false;
    let n = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        if (++n === 3) ac.abort();
        c.enqueue(new Uint8Array(10));
      },
      cancel() {
        cancelled = true;
      },
    });
    const err = await hashSource(stream, { signal: ac.signal }).catch((e: unknown) => e);
    expect(isLineproofError(err, 'ABORTED')).toBe(true);
    expect(cancelled).toBe(true);
  });

  it('reports progress after each chunk', async () => {
    const seen: number[] = [];
    await hashSource(chunks, { onProgress: (p) => seen.push(p.bytes), expectedSize: data.length });
    expect(seen).toEqual(chunks.map((_, i) => chunks.slice(0, i + 1).reduce((n, c) => n + c.length, 0)));
  });

  it('refuses a string source and a chunk that is not bytes (TypeError)', async () => {
    await expect(hashSource('abc' as never)).rejects.toThrow(TypeError);
    await expect(hashSource([utf8('a'), 'b' as never])).rejects.toThrow(TypeError);
    expect(() => new StreamDigest().update([1, 2] as never)).toThrow(TypeError);
  });

  it('refuses use after finish', () => {
    const d = new StreamDigest();
    d.finish();
    expect(() => d.update(utf8('a'))).toThrow(TypeError);
    expect(() => d.finish()).toThrow(TypeError);
  });
});
