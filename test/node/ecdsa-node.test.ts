/**
 * ECDSA on OpenSSL in the Node adapter (`nodeVerifyEcdsa`, issue 16 item 5) gives exactly the core's
 * outcome (`verifyEcdsa`, noble) — validity, code and reason — on every input, differentially: for
 * each curve, signatures by OpenSSL (high S half the time) and by the core (RFC 6979, low S), their
 * every single-byte change, truncations and appended bytes, strict-DER variants, another key,
 * another message, and model_signing v0.2's SHA-256 pairing on P-384.
 */
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EC_CURVES, ecCurveInfo, ecPublicKeyFromSpki, type EcCurve } from '../../src/pki/ec.js';
import { signEcdsa, verifyEcdsa } from '../../src/pki/ecdsa.js';
import { generateEcPrivateKey } from '../../src/pki/ec-private.js';
import { nodeVerifyEcdsa } from '../../src/node/ecdsa.js';

const NODE_CURVE: Record<EcCurve, string> = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' };

function openssl(curve: EcCurve) {
  const kp = generateKeyPairSync('ec', { namedCurve: NODE_CURVE[curve] });
  const key = ecPublicKeyFromSpki(new Uint8Array(kp.publicKey.export({ type: 'spki', format: 'der' })));
  return { key, sign: (m: Uint8Array) => new Uint8Array(nodeSign(ecCurveInfo(curve).hash, m, kp.privateKey)) };
}

const same = (key: Parameters<typeof verifyEcdsa>[0], m: Uint8Array, sig: Uint8Array, hash?: EcCurve) =>
  expect(nodeVerifyEcdsa(key, m, sig, hash)).toEqual(verifyEcdsa(key, m, sig, hash));

describe('nodeVerifyEcdsa equals the core verifyEcdsa', () => {
  for (const curve of EC_CURVES) {
    it(`${curve}: valid signatures of both signers, and every single-byte change`, () => {
      const o = openssl(curve);
      const core = generateEcPrivateKey(curve);
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (m, at, x) => {
          for (const [key, sig] of [
            [o.key, o.sign(m)],
            [core.publicKey, signEcdsa(core, m)],
          ] as const) {
            expect(nodeVerifyEcdsa(key, m, sig).valid).toBe(true);
            same(key, m, sig);
            const bad = Uint8Array.from(sig);
            bad[at % bad.length] = bad[at % bad.length]! ^ x;
            same(key, m, bad);
            same(key, m, sig.subarray(0, at % sig.length));
            same(key, m, Uint8Array.from([...sig, x]));
            const other = Uint8Array.from(m);
            if (other.length > 0) {
              other[at % other.length] = other[at % other.length]! ^ x;
              same(key, other, sig);
            }
            same(key === o.key ? core.publicKey : o.key, m, sig);
          }
        }),
        { numRuns: 40 },
      );
    });
  }

  it('strict DER variants: a padded INTEGER, a long-form length, trailing bytes, r = 0 and s = n', () => {
    const o = openssl('P-256');
    const m = new TextEncoder().encode('message');
    const sig = o.sign(m);
    // SEQUENCE len, INTEGER r, INTEGER s
    const rLen = sig[3]!;
    const r = sig.subarray(4, 4 + rLen);
    const s = sig.subarray(6 + rLen);
    const der = (a: Uint8Array, b: Uint8Array, longForm = false) => {
      const body = [0x02, a.length, ...a, 0x02, b.length, ...b];
      return Uint8Array.from(longForm ? [0x30, 0x81, body.length, ...body] : [0x30, body.length, ...body]);
    };
    same(o.key, m, der(r, s));
    same(o.key, m, der(Uint8Array.from([0, ...r]), s));
    same(o.key, m, der(r, s, true));
    same(o.key, m, der(Uint8Array.from([0]), s));
    const n = ecCurveInfo('P-256').noble.Point.CURVE().n;
    const nb = Uint8Array.from(Buffer.from(`00${n.toString(16)}`, 'hex'));
    same(o.key, m, der(r, nb));
  });

  it("model_signing v0.2's SHA-256 pairing on a P-384 key", () => {
    const kp = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const key = ecPublicKeyFromSpki(new Uint8Array(kp.publicKey.export({ type: 'spki', format: 'der' })));
    const m = new TextEncoder().encode('a v0.2 statement');
    const sig = new Uint8Array(nodeSign('sha256', m, kp.privateKey));
    expect(nodeVerifyEcdsa(key, m, sig, 'P-256').valid).toBe(true);
    same(key, m, sig, 'P-256');
    same(key, m, sig);
  });
});
