/**
 * BLAKE3 in native code in the Node adapter (@napi-rs/blake-hash, issue 16 item 1): it is what
 * `nodeHashEngine('blake3')` runs on this platform (a missing prebuilt package here is a failure,
 * never a silent fall-back), and it agrees with the portable engine (noble, pure JS) on any input
 * cut into any chunks, and with b3sum on files (test/node/peers.test.ts compares hashFile to b3sum).
 * Also the Node adapter's chunk-tree engine (leaves on node:crypto) against the core's.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashEngine } from '../../src/hashing/engines.js';
import { nativeBlake3Available, nodeHashEngine } from '../../src/node/hash-engine.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function digestIn(engine: ReturnType<typeof hashEngine>, data: Uint8Array, cuts: number[]): string {
  const h = engine.create();
  let at = 0;
  for (const c of [...cuts.map((x) => x % (data.length + 1))].sort((a, b) => a - b)) {
    h.update(data.subarray(at, Math.max(at, c)));
    at = Math.max(at, c);
  }
  h.update(data.subarray(at));
  return hex(h.digest());
}

describe('native BLAKE3 (@napi-rs/blake-hash)', () => {
  it('is available on this platform and is the engine the adapter uses', () => {
    expect(nativeBlake3Available()).toBe(true);
    expect(nodeHashEngine('blake3')).not.toBe(hashEngine('blake3'));
    expect(nodeHashEngine('blake3').outputLen).toBe(32);
  });

  it('the BLAKE3 test vector: the empty input', () => {
    const h = nodeHashEngine('blake3').create();
    expect(hex(h.digest())).toBe('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');
  });

  it('agrees with the portable engine on any input in any chunks (around the 1 KiB chunk and 64-byte block edges)', () => {
    const sizes = fc.oneof(
      fc.integer({ min: 0, max: 70 }),
      fc.integer({ min: 1000, max: 1100 }),
      fc.integer({ min: 0, max: 20000 }),
    );
    fc.assert(
      fc.property(
        sizes.chain((n) =>
          fc.tuple(fc.uint8Array({ minLength: n, maxLength: n }), fc.array(fc.nat(), { maxLength: 6 })),
        ),
        ([data, cuts]) => {
          expect(digestIn(nodeHashEngine('blake3'), data, cuts)).toBe(digestIn(hashEngine('blake3'), data, []));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the caller may reuse its buffer after update (the bytes are hashed before it returns)', () => {
    const buf = new Uint8Array(4096).fill(1);
    const h = nodeHashEngine('blake3').create();
    h.update(buf);
    buf.fill(2);
    h.update(buf);
    const want = hashEngine('blake3').create();
    want.update(new Uint8Array(4096).fill(1));
    want.update(new Uint8Array(4096).fill(2));
    expect(hex(h.digest())).toBe(hex(want.digest()));
  });
});

describe('nodeTreeHashEngine (leaves on node:crypto)', () => {
  it('gives the core tree engine’s root on any input in any chunks', async () => {
    const { treeHashEngine } = await import('../../src/hashing/tree.js');
    const { nodeTreeHashEngine } = await import('../../src/node/hash-engine.js');
    const L = 65536;
    fc.assert(
      fc.property(
        fc
          .integer({ min: 0, max: 5 * L + 3 })
          .chain((n) => fc.tuple(fc.uint8Array({ minLength: n, maxLength: n }), fc.array(fc.nat(), { maxLength: 5 }))),
        ([data, cuts]) => {
          expect(digestIn(nodeTreeHashEngine(L), data, cuts)).toBe(digestIn(treeHashEngine(L), data, []));
        },
      ),
      { numRuns: 40 },
    );
  });
});
