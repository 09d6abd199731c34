import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import * as ed from '@noble/ed25519';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex, utf8 } from '../../src/bytes/index.js';
import { sha256 } from '../../src/digest/index.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { spkiDer } from '../../src/keys/der.js';
import { checkEd25519, ed25519PublicFromSeed, ed25519Sign } from '../../src/keys/ed25519.js';
import { privateKeyFromSeed, ed25519Signer } from '../../src/keys/keys.js';
import { checkEd25519Node, nodeEd25519Signer, nodeEd25519Verifier } from '../../src/node/ed25519.js';
import { allCases, edgeCases, TRAP_PUBLIC_KEY, TRAP_SIGNATURE } from '../helpers/ed25519-vectors.js';
import { bigToLe32, L, leToBig } from '../helpers/dsse.js';

function opensslVerify(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): boolean {
  const key = createPublicKey({ key: Buffer.from(spkiDer(pub)), format: 'der', type: 'spki' });
  return nodeVerify(null, msg, key, sig);
}

const T8 = fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a');

describe('node:crypto Ed25519 verifier (pre-checks + OpenSSL, strict fallback)', () => {
  describe('the Done-when trap: A = 01 00…00, R = 01 00…00, S = 0', () => {
    it("is accepted by Node's own crypto.verify (why the pre-check exists) and rejected by both of ours, for any message", async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 256 }), async (message) => {
          expect(opensslVerify(TRAP_SIGNATURE, message, TRAP_PUBLIC_KEY)).toBe(true);
          expect(await checkEd25519Node(TRAP_SIGNATURE, message, TRAP_PUBLIC_KEY)).toMatchObject({
            valid: false,
            code: 'ED25519_SMALL_ORDER',
          });
          expect(await checkEd25519(TRAP_SIGNATURE, message, TRAP_PUBLIC_KEY)).toMatchObject({
            valid: false,
            code: 'ED25519_SMALL_ORDER',
          });
        }),
        { numRuns: 50 },
      );
    });
  });

  describe('differential against the core strict verifier', () => {
    it('gives the same outcome (verdict and code) on every RFC 8032, Wycheproof, ZIP-215 and edge-case vector', async () => {
      const cases = allCases();
      expect(cases.length).toBe(4 + 150 + 196 + 12);
      const diff: string[] = [];
      for (const c of cases) {
        const a = await checkEd25519(c.signature, c.message, c.publicKey);
        const b = await checkEd25519Node(c.signature, c.message, c.publicKey);
        if (JSON.stringify(a) !== JSON.stringify(b))
          diff.push(`${c.name}: core ${JSON.stringify(a)} node ${JSON.stringify(b)}`);
        if (c.expected !== undefined && b.valid !== c.expected)
          diff.push(`${c.name}: expected ${c.expected}, node gave ${b.valid}`);
      }
      expect(diff).toEqual([]);
    });

    it('where raw OpenSSL disagrees with strict on the vectors, the verifier still agrees with strict', async () => {
      // Shows the two safety nets are exercised: OpenSSL accepts some small-order cases (pre-checks
      // stop them) and rejects some mixed-order cases the cofactored equation accepts (fallback).
      let openAcceptsStrictRejects = 0;
      let openRejectsStrictAccepts = 0;
      for (const c of allCases()) {
        if (c.signature.length !== 64) continue;
        let raw: boolean;
        try {
          raw = opensslVerify(c.signature, c.message, c.publicKey);
        } catch {
          raw = false;
        }
        const strict = (await checkEd25519(c.signature, c.message, c.publicKey)).valid;
        if (raw && !strict) openAcceptsStrictRejects++;
        if (!raw && strict) openRejectsStrictAccepts++;
      }
      expect(openAcceptsStrictRejects).toBeGreaterThan(0);
      expect(openRejectsStrictAccepts).toBeGreaterThan(0);
      const e4 = edgeCases()[4]!;
      expect(opensslVerify(e4.signature, e4.message, e4.publicKey)).toBe(false);
      expect(await checkEd25519Node(e4.signature, e4.message, e4.publicKey)).toEqual({ valid: true });
    });

    it('agrees on random valid signatures and single-byte mutations of them (property)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          fc.uint8Array({ maxLength: 100 }),
          fc.option(fc.tuple(fc.nat({ max: 95 }), fc.integer({ min: 1, max: 255 })), { nil: undefined }),
          async (seed, msg, mutation) => {
            const pub = await ed25519PublicFromSeed(seed);
            const sig = await ed25519Sign(seed, msg);
            const bytes = concatBytes(sig, pub);
            if (mutation) bytes[mutation[0]] = (bytes[mutation[0]]! + mutation[1]) & 255;
            const s = bytes.subarray(0, 64);
            const p = bytes.subarray(64);
            const a = await checkEd25519(s, msg, p);
            const b = await checkEd25519Node(s, msg, p);
            expect(b).toEqual(a);
            expect(a.valid).toBe(mutation === undefined);
          },
        ),
        { numRuns: 150 },
      );
    });

    it('agrees on random bytes and on small-order / torsion components mixed into A and R (property)', async () => {
      const t8 = ed.Point.fromBytes(T8);
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          fc.uint8Array({ maxLength: 40 }),
          fc.integer({ min: 0, max: 7 }),
          fc.integer({ min: 0, max: 7 }),
          fc.uint8Array({ minLength: 64, maxLength: 64 }),
          async (seed, msg, ta, tr, junk) => {
            // A valid signature, then torsion added to A and/or R: the cofactored and cofactorless
            // equations part ways here; S untouched.
            const pub = await ed25519PublicFromSeed(seed);
            const sig = await ed25519Sign(seed, msg);
            const A =
              ta === 0
                ? pub
                : ed.Point.fromBytes(pub)
                    .add(t8.multiply(BigInt(ta)))
                    .toBytes();
            const R =
              tr === 0
                ? sig.subarray(0, 32)
                : ed.Point.fromBytes(sig.subarray(0, 32))
                    .add(t8.multiply(BigInt(tr)))
                    .toBytes();
            const s = concatBytes(R, sig.subarray(32));
            expect(await checkEd25519Node(s, msg, A)).toEqual(await checkEd25519(s, msg, A));
            // and pure noise
            expect(await checkEd25519Node(junk, msg, seed)).toEqual(await checkEd25519(junk, msg, seed));
          },
        ),
        { numRuns: 120 },
      );
    });
    it('a key holder signing with a torsion component in R: cofactored noble accepts, both strict verifiers reject (the OpenSSL reject is final)', async () => {
      // R = [r]B + T8, k = H(R || A || M), S = r + k·a: only the key holder can make this. The
      // cofactored equation ignores T8; the cofactorless one (OpenSSL) does not; the core's strict
      // verifier refuses R with torsion, so both agree and a reject needs no pure-JS re-check.
      const seed = sha256(utf8('torsion R signer'));
      const h = sha512(seed);
      const head = h.slice(0, 32);
      head[0]! &= 248;
      head[31]! &= 127;
      head[31]! |= 64;
      const a = leToBig(head) % L;
      const A = ed.Point.BASE.multiply(a).toBytes();
      expect(toHex(A)).toBe(toHex(await ed25519PublicFromSeed(seed)));
      const msg = utf8('a message');
      const r = 0x1234567890abcdefn;
      const R = ed.Point.BASE.multiply(r).add(ed.Point.fromBytes(T8)).toBytes();
      const k = leToBig(sha512(concatBytes(R, A, msg))) % L;
      const S = (r + k * a) % L;
      const sig = concatBytes(R, bigToLe32(S));
      expect(await ed.verifyAsync(sig, msg, A, { zip215: false })).toBe(true);
      expect(opensslVerify(sig, msg, A)).toBe(false);
      expect((await checkEd25519(sig, msg, A)).valid).toBe(false);
      expect(await checkEd25519Node(sig, msg, A)).toEqual(await checkEd25519(sig, msg, A));
    });
  });

  describe('the verifier object', () => {
    it('is a SignatureVerifier with a name', async () => {
      expect(nodeEd25519Verifier.name).toBe('node-crypto-strict');
      const c = allCases()[0]!;
      expect(await nodeEd25519Verifier.verify(c.signature, c.message, c.publicKey)).toEqual({ valid: true });
    });
  });

  describe('the node:crypto signer', () => {
    it('signs byte-for-byte like the core signer (Ed25519 is deterministic) and exposes key and keyid', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          fc.uint8Array({ maxLength: 64 }),
          async (seed, msg) => {
            const key = await privateKeyFromSeed(seed);
            const a = nodeEd25519Signer(key);
            const b = ed25519Signer(key);
            expect(toHex(await a.sign(msg))).toBe(toHex(await b.sign(msg)));
            expect(toHex(a.publicKey)).toBe(toHex(key.publicKey.bytes));
            expect(a.keyid).toBe(key.publicKey.keyid);
          },
        ),
        { numRuns: 30 },
      );
    });
    it('rejects a non-key with TypeError', () => {
      expect(() => nodeEd25519Signer({} as never)).toThrow(TypeError);
    });
  });
});
