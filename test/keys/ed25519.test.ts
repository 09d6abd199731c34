import * as ed from '@noble/ed25519';
import fc from 'fast-check';
import { sha512 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { concatBytes, fromHex, toHex } from '../../src/bytes/index.js';
import {
  checkEd25519,
  ed25519Precheck,
  ed25519PublicFromSeed,
  ed25519PublicKeyProblem,
  ed25519Sign,
  isNonCanonicalEncoding,
  isScalarNonCanonical,
  isSmallOrderEncoding,
  strictEd25519Verifier,
  verifyEd25519,
} from '../../src/keys/ed25519.js';
import {
  edgeCases,
  EDGE_EXPECTED,
  rfc8032Cases,
  TRAP_PUBLIC_KEY,
  TRAP_SIGNATURE,
  wycheproofCases,
  zip215Cases,
  ZIP215_LEGACY_VALID_SMALL_ORDER_A,
} from '../helpers/ed25519-vectors.js';

const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function le32(n: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(n & 255n);
    n >>= 8n;
  }
  return out;
}

/** Every encoding (canonical, sign bit flipped, y + p where it fits) of every point of small order. */
function allSmallOrderEncodings(): Uint8Array[] {
  // An order-8 point from the ZIP-215 vectors; its multiples are the whole torsion subgroup.
  const t8 = ed.Point.fromBytes(fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'));
  const out: Uint8Array[] = [];
  let p = ed.Point.ZERO;
  for (let i = 0; i < 8; i++) {
    const enc = p.toBytes();
    const y = BigInt('0x' + toHex(Uint8Array.from(enc).reverse())) & ((1n << 255n) - 1n);
    for (const yy of [y, y + P]) {
      if (yy >= 1n << 255n) continue;
      for (const sign of [0, 0x80]) {
        const e = le32(yy);
        e[31] = e[31]! | sign;
        out.push(e);
      }
    }
    p = p.add(t8);
  }
  return out;
}

describe('strict Ed25519 (core, @noble/ed25519 zip215:false + decisions §4 pre-checks)', () => {
  describe('when given the RFC 8032 §7.1 vectors', () => {
    it('derives each public key, signs byte-for-byte, and verifies', async () => {
      const cases = rfc8032Cases();
      expect(cases.length).toBeGreaterThanOrEqual(4);
      for (const c of cases) {
        expect(toHex(await ed25519PublicFromSeed(c.seed!)), c.name).toBe(toHex(c.publicKey));
        expect(toHex(await ed25519Sign(c.seed!, c.message)), c.name).toBe(toHex(c.signature));
        expect(await checkEd25519(c.signature, c.message, c.publicKey), c.name).toEqual({ valid: true });
      }
    });
  });

  describe('when given the Wycheproof EdDSA vectors', () => {
    const cases = wycheproofCases();
    it('has no "acceptable" case (if one appears, the verifiers must merely agree: see spec/keys.md)', () => {
      expect(cases.filter((c) => c.expected === undefined)).toEqual([]);
      expect(cases.length).toBe(150);
    });
    it('accepts every valid and rejects every invalid case', async () => {
      const wrong: string[] = [];
      for (const c of cases) {
        const got = (await checkEd25519(c.signature, c.message, c.publicKey)).valid;
        if (got !== c.expected) wrong.push(`${c.name} (${c.label}): got ${got}`);
      }
      expect(wrong).toEqual([]);
    });
    it('rejects wrong-length signatures with ED25519_SIGNATURE_MALFORMED', async () => {
      for (const c of cases.filter((x) => x.signature.length !== 64)) {
        expect(await checkEd25519(c.signature, c.message, c.publicKey), c.name).toMatchObject({
          valid: false,
          code: 'ED25519_SIGNATURE_MALFORMED',
        });
      }
    });
  });

  describe('when given the ZIP-215 vectors', () => {
    const cases = zip215Cases();
    it('rejects all 196: valid_legacy=false ones, and the three valid_legacy=true ones for their small-order A', async () => {
      expect(cases.length).toBe(196);
      const legacyValid = cases
        .filter((c) => c.validLegacy)
        .map((c) => `${toHex(c.publicKey)}/${toHex(c.signature.subarray(0, 32))}`);
      expect(legacyValid).toEqual(ZIP215_LEGACY_VALID_SMALL_ORDER_A);
      for (const c of cases) {
        const got = await checkEd25519(c.signature, c.message, c.publicKey);
        expect(got.valid, c.name).toBe(false);
        if (c.validLegacy)
          expect(got, c.name).toMatchObject({ code: 'ED25519_SMALL_ORDER', reason: expect.stringContaining('A') });
      }
    });
    it('every one has A or R of small order or non-canonical (pre-checks alone reject them all)', () => {
      for (const c of cases) expect(ed25519Precheck(c.signature, c.publicKey), c.name).toBeDefined();
    });
    it('while noble in its default ZIP-215 mode accepts what the vectors say (so the strict flag matters)', async () => {
      let agree = 0;
      for (const c of cases) if ((await ed.verifyAsync(c.signature, c.message, c.publicKey)) === c.validZip215) agree++;
      expect(agree).toBe(cases.length);
    });
  });

  describe('when given noble\'s edge cases ("Taming the many EdDSAs")', () => {
    it('gives the documented verdict for each of the 12', async () => {
      const cases = edgeCases();
      expect(cases.length).toBe(EDGE_EXPECTED.length);
      for (const c of cases)
        expect((await checkEd25519(c.signature, c.message, c.publicKey)).valid, c.name).toBe(c.expected);
    });
    it('rejects a small-order R that noble strict alone would accept (edge#2)', async () => {
      const c = edgeCases()[2]!;
      expect(await ed.verifyAsync(c.signature, c.message, c.publicKey, { zip215: false })).toBe(true);
      expect(await checkEd25519(c.signature, c.message, c.publicKey)).toMatchObject({
        valid: false,
        code: 'ED25519_SMALL_ORDER',
      });
    });
  });

  describe('when given the known trap: A = 01 00…00, R = 01 00…00, S = 0', () => {
    it('rejects it for any message with ED25519_SMALL_ORDER', async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 256 }), async (message) => {
          const check = await checkEd25519(TRAP_SIGNATURE, message, TRAP_PUBLIC_KEY);
          expect(check).toMatchObject({ valid: false, code: 'ED25519_SMALL_ORDER' });
          expect(await verifyEd25519(TRAP_SIGNATURE, message, TRAP_PUBLIC_KEY)).toBe(false);
        }),
        { numRuns: 50 },
      );
    });
  });

  describe('the verification equation (cofactorless for prime-order A, cofactored otherwise)', () => {
    const T8 = ed.Point.fromBytes(fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'));
    const leToBig = (b: Uint8Array) => BigInt('0x' + toHex(Uint8Array.from(b).reverse()));
    /** The definition this verifier had before the cofactorless shortcut: noble strict, and R torsion-free when A is. */
    async function reference(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): Promise<boolean> {
      if (ed25519Precheck(sig, pub)) return false;
      if (!(await ed.verifyAsync(sig, msg, pub, { zip215: false }))) return false;
      const R = ed.Point.fromBytes(sig.subarray(0, 32), false);
      return R.isTorsionFree() || !ed.Point.fromBytes(pub, false).isTorsionFree();
    }
    it('agrees with noble strict plus the R-torsion rule on key-holder signatures with torsion in A and R (property)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.bigInt({ min: 1n, max: L - 1n }),
          fc.bigInt({ min: 1n, max: L - 1n }),
          fc.integer({ min: 0, max: 7 }),
          fc.integer({ min: 0, max: 7 }),
          fc.uint8Array({ maxLength: 48 }),
          fc.boolean(),
          async (a, r, ta, tr, msg, flip) => {
            // A = [a]B + [ta]T8, R = [r]B + [tr]T8, S = r + k·a: the cofactored equation holds for
            // every ta, tr; the cofactorless one only when [tr]T8 + [k·ta]T8 = 0.
            const A = ed.Point.BASE.multiply(a)
              .add(T8.multiply(BigInt(ta + 8)))
              .toBytes();
            const R = ed.Point.BASE.multiply(r)
              .add(T8.multiply(BigInt(tr + 8)))
              .toBytes();
            const k = leToBig(sha512(concatBytes(R, A, msg))) % L;
            const sig = concatBytes(R, le32((r + k * a) % L));
            if (flip) sig[40]! ^= 1;
            const got = (await checkEd25519(sig, msg, A)).valid;
            expect(got).toBe(await reference(sig, msg, A));
            if (ta === 0 && tr === 0 && !flip) expect(got).toBe(true);
          },
        ),
        { numRuns: 120 },
      );
    });
  });

  describe('pre-checks', () => {
    it('the small-order list catches every encoding of every torsion point, canonical or not', () => {
      const encodings = allSmallOrderEncodings();
      expect(encodings.length).toBeGreaterThanOrEqual(16 + 4);
      for (const e of encodings) {
        expect(isSmallOrderEncoding(e), toHex(e)).toBe(true);
        // noble agrees these are small order wherever it can decode them permissively
        let decoded: ed.Point | undefined;
        try {
          decoded = ed.Point.fromBytes(e, true);
        } catch {
          decoded = undefined;
        }
        if (decoded) expect(decoded.isSmallOrder(), toHex(e)).toBe(true);
      }
    });
    it('flags no encoding of a prime-order or mixed-order point as small order (property)', async () => {
      fc.assert(
        fc.property(fc.bigInt({ min: 1n, max: L - 1n }), fc.integer({ min: 0, max: 7 }), (k, t) => {
          const t8 = ed.Point.fromBytes(fromHex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'));
          const p = ed.Point.BASE.multiply(k).add(t8.multiply(BigInt(t + 1)));
          const enc = p.toBytes();
          expect(isSmallOrderEncoding(enc)).toBe(p.isSmallOrder());
        }),
        { numRuns: 100 },
      );
    });
    it('agrees with noble on small order for arbitrary 32-byte strings that decode (property)', () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (b) => {
          let p: ed.Point;
          try {
            p = ed.Point.fromBytes(b, true);
          } catch {
            return;
          }
          expect(isSmallOrderEncoding(b)).toBe(p.isSmallOrder());
        }),
        { numRuns: 300 },
      );
    });
    it('finds y >= p exactly', () => {
      for (const y of [P, P + 1n, P + 18n]) expect(isNonCanonicalEncoding(le32(y))).toBe(true);
      for (const y of [0n, 1n, P - 1n]) expect(isNonCanonicalEncoding(le32(y))).toBe(false);
      const signBit = le32(P - 1n);
      signBit[31] = signBit[31]! | 0x80;
      expect(isNonCanonicalEncoding(signBit)).toBe(false);
      fc.assert(
        fc.property(fc.bigInt({ min: 0n, max: (1n << 255n) - 1n }), fc.boolean(), (y, sign) => {
          const e = le32(y);
          if (sign) e[31] = e[31]! | 0x80;
          expect(isNonCanonicalEncoding(e)).toBe(y >= P);
        }),
      );
    });
    it('finds S >= L exactly', () => {
      expect(isScalarNonCanonical(le32(L))).toBe(true);
      expect(isScalarNonCanonical(le32(L - 1n))).toBe(false);
      expect(isScalarNonCanonical(le32((1n << 256n) - 1n))).toBe(true);
    });
    it('finds S >= L as the integer comparison does, near L and anywhere (bytes compared, no bigint)', () => {
      const near = fc.bigInt({ min: L - 1000n, max: L + 1000n });
      const any = fc.bigInt({ min: 0n, max: (1n << 256n) - 1n });
      fc.assert(
        fc.property(fc.oneof(near, any), (s) => {
          expect(isScalarNonCanonical(le32(s))).toBe(s >= L);
        }),
        { numRuns: 2000 },
      );
    });
    it('reports S >= L even on a valid signature made malleable (S + L)', async () => {
      const c = rfc8032Cases()[0]!;
      const s = BigInt('0x' + toHex(Uint8Array.from(c.signature.subarray(32)).reverse()));
      const mall = concatBytes(c.signature.subarray(0, 32), le32(s + L));
      expect(await checkEd25519(mall, c.message, c.publicKey)).toMatchObject({
        valid: false,
        code: 'ED25519_NONCANONICAL',
      });
    });
    it('reports a public key that is not on the curve as KEY_INVALID, never throws', async () => {
      const c = rfc8032Cases()[0]!;
      // y = 2 is not the y of any point (x^2 would have to be a non-square)
      const offCurve = le32(2n);
      expect(() => ed.Point.fromBytes(offCurve)).toThrow();
      expect(await checkEd25519(c.signature, c.message, offCurve)).toMatchObject({ valid: false, code: 'KEY_INVALID' });
      expect(await checkEd25519(c.signature, c.message, new Uint8Array(31))).toMatchObject({
        valid: false,
        code: 'KEY_INVALID',
      });
    });
    it('never throws for arbitrary bytes (property)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ maxLength: 70 }),
          fc.uint8Array({ maxLength: 40 }),
          fc.uint8Array({ maxLength: 16 }),
          async (sig, pub, msg) => {
            const r = await strictEd25519Verifier.verify(sig, msg, pub);
            expect(typeof r.valid).toBe('boolean');
          },
        ),
        { numRuns: 200 },
      );
    });
    it('throws TypeError for a non-Uint8Array argument (misuse)', async () => {
      await expect(checkEd25519('x' as unknown as Uint8Array, new Uint8Array(), new Uint8Array(32))).rejects.toThrow(
        TypeError,
      );
    });
  });

  describe('signing', () => {
    it('any message signed verifies, and any single-byte change of message or signature fails (property)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          fc.uint8Array({ minLength: 1, maxLength: 64 }),
          fc.nat(),
          fc.integer({ min: 1, max: 255 }),
          async (seed, msg, pos, delta) => {
            const pub = await ed25519PublicFromSeed(seed);
            const sig = await ed25519Sign(seed, msg);
            expect((await checkEd25519(sig, msg, pub)).valid).toBe(true);
            const m2 = Uint8Array.from(msg);
            m2[pos % m2.length] = (m2[pos % m2.length]! + delta) & 255;
            expect((await checkEd25519(sig, m2, pub)).valid).toBe(false);
            const s2 = Uint8Array.from(sig);
            s2[pos % 64] = (s2[pos % 64]! + delta) & 255;
            expect((await checkEd25519(s2, msg, pub)).valid).toBe(false);
          },
        ),
        { numRuns: 40 },
      );
    });
  });

  describe('public keys for trust (import checks)', () => {
    it('accept a normal key and refuse small-order, non-canonical, off-curve and mixed-order keys', () => {
      expect(ed25519PublicKeyProblem(rfc8032Cases()[0]!.publicKey)).toBeUndefined();
      expect(ed25519PublicKeyProblem(TRAP_PUBLIC_KEY)).toMatchObject({ code: 'ED25519_SMALL_ORDER' });
      expect(ed25519PublicKeyProblem(le32(P + 3n))).toMatchObject({ code: 'ED25519_NONCANONICAL' });
      expect(ed25519PublicKeyProblem(le32(2n))).toMatchObject({ code: 'KEY_INVALID' });
      expect(ed25519PublicKeyProblem(edgeCases()[3]!.publicKey)).toMatchObject({ code: 'ED25519_MIXED_ORDER' });
      expect(ed25519PublicKeyProblem(new Uint8Array(33))).toMatchObject({ code: 'KEY_INVALID' });
    });
    it('every Wycheproof group key is acceptable', () => {
      const keys = new Set(wycheproofCases().map((c) => toHex(c.publicKey)));
      for (const k of keys) expect(ed25519PublicKeyProblem(fromHex(k)), k).toBeUndefined();
    });
  });
});
