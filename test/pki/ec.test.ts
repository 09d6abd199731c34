/**
 * EC keys and ECDSA (src/interop/ec.ts, ecdsa.ts), including the OpenSSL CLI (Debian `openssl`,
 * installed in CI by .ci/apt-packages) as a peer both ways: keys it writes are read here with the
 * same public key, our PKCS#8 output is byte-identical to its own, signatures we make verify with
 * `openssl dgst -verify` and signatures it makes verify here, on P-256, P-384 and P-521. A missing
 * `openssl` fails these tests.
 */
import { spawnSync } from 'node:child_process';
import { createPublicKey, verify as nodeVerify } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes/index.js';
import {
  EC_CURVES,
  ecCurveInfo,
  ecPrivateKeyFromScalar,
  ecPrivateKeyToPem,
  ecPrivateKeyToPkcs8Der,
  ecPublicKeyToPem,
  ecSpkiDer,
  ecdsaSigner,
  ecdsaVerifier,
  generateEcPrivateKey,
  parseEcPrivateKey,
  parseEcPublicKey,
  parseEcdsaSignature,
  signEcdsa,
  verifyEcdsa,
  type EcCurve,
} from '../../src/index.js';
import { importEcPrivateKey } from '../../src/node/index.js';
import { derOid, derTlv, derUnsignedInteger } from '../../src/interop/der.js';
import { LineproofError } from '../../src/errors.js';
import { decodePem } from '../../src/keys/pem.js';
import { readFixtureText } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tmp.js';
import { codeOf } from '../helpers/codes.js';

function openssl(args: string[], input?: Uint8Array): { stdout: Buffer; stderr: string } {
  const r = spawnSync('openssl', args, { input, timeout: 30_000 });
  if (r.error) throw new Error(`openssl is required for these tests (apt-get install openssl): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return { stdout: r.stdout, stderr: r.stderr.toString() };
}
function opensslOk(args: string[]): boolean {
  const r = spawnSync('openssl', args, { timeout: 30_000 });
  if (r.error) throw new Error(`openssl is required for these tests: ${r.error.message}`);
  return r.status === 0;
}

const OPENSSL_NAME: Record<EcCurve, string> = { 'P-256': 'prime256v1', 'P-384': 'secp384r1', 'P-521': 'secp521r1' };

describe('EC public keys', () => {
  const pemText = readFixtureText('model-signing', 'signing-key-pub.pem');

  it('reads the model_signing key dump (text before -----BEGIN) and writes its PEM block back byte for byte', () => {
    const key = parseEcPublicKey(pemText);
    expect(key.curve).toBe('P-384');
    expect(ecPublicKeyToPem(key)).toBe(pemText.slice(pemText.indexOf('-----BEGIN')));
  });

  it('reads DER, compressed SPKI and a bare compressed point as the same key', () => {
    const key = parseEcPublicKey(pemText);
    expect(parseEcPublicKey(ecSpkiDer(key)).point).toEqual(key.point);
    const c = parseEcPublicKey(ecSpkiDer(key, { compressed: true }));
    expect(c.point).toEqual(key.point);
    expect(c.compressed).toBe(true);
    const der = ecSpkiDer(key, { compressed: true });
    expect(parseEcPublicKey(der.subarray(der.length - 49)).point).toEqual(key.point);
  });

  describe('when the key is not an EC key on P-256/384/521 in strict DER', () => {
    const key = parseEcPublicKey(pemText);
    const der = ecSpkiDer(key);
    const spki = (alg: Uint8Array, point: Uint8Array): Uint8Array =>
      derTlv(0x30, alg, derTlv(0x03, Uint8Array.of(0), point));
    const cases: [string, Uint8Array | string, string][] = [
      [
        'an Ed25519 key',
        new Uint8Array(
          decodePem(
            '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n',
          ).der,
        ),
        'KEY_UNSUPPORTED',
      ],
      [
        'secp256k1',
        spki(derTlv(0x30, derOid('1.2.840.10045.2.1'), derOid('1.3.132.0.10')), new Uint8Array(65).fill(4)),
        'KEY_UNSUPPORTED',
      ],
      [
        'explicit parameters',
        spki(derTlv(0x30, derOid('1.2.840.10045.2.1'), derTlv(0x30, derUnsignedInteger(1n))), key.point),
        'KEY_UNSUPPORTED',
      ],
      ['no parameters', spki(derTlv(0x30, derOid('1.2.840.10045.2.1')), key.point), 'KEY_INVALID'],
      [
        'a point off the curve',
        spki(
          derTlv(0x30, derOid('1.2.840.10045.2.1'), derOid('1.3.132.0.34')),
          Uint8Array.of(4, ...new Uint8Array(96).fill(1)),
        ),
        'KEY_INVALID',
      ],
      [
        'a hybrid point (06)',
        spki(
          derTlv(0x30, derOid('1.2.840.10045.2.1'), derOid('1.3.132.0.34')),
          Uint8Array.of(6, ...key.point.subarray(1)),
        ),
        'KEY_INVALID',
      ],
      [
        'a P-256 OID with a P-384 point',
        spki(derTlv(0x30, derOid('1.2.840.10045.2.1'), derOid('1.2.840.10045.3.1.7')), key.point),
        'KEY_INVALID',
      ],
      ['trailing bytes', Uint8Array.of(...der, 0), 'KEY_INVALID'],
      ['a non-minimal length', Uint8Array.of(0x30, 0x81, der[1]!, ...der.subarray(2)), 'KEY_INVALID'],
      ['a BIT STRING with unused bits', Uint8Array.of(...der.subarray(0, 23), 1, ...der.subarray(24)), 'KEY_INVALID'],
      ['a private key', ecPrivateKeyToPem(generateEcPrivateKey('P-256')), 'KEY_WRONG_KIND'],
      ['two PEM blocks', pemText + pemText, 'KEY_INVALID'],
      ['garbage', new Uint8Array(10), 'KEY_INVALID'],
    ];
    for (const [name, input, code] of cases) {
      it(`${name} fails ${code}`, () => expect(codeOf(() => parseEcPublicKey(input))).toBe(code));
    }
    it('any single-byte change of the DER either fails with a code or is another valid key', () => {
      fc.assert(
        fc.property(fc.nat(der.length - 1), fc.integer({ min: 1, max: 255 }), (at, d) => {
          const m = Uint8Array.from(der);
          m[at] = (m[at]! + d) & 0xff;
          try {
            const k = parseEcPublicKey(m);
            expect(k.point).not.toEqual(key.point); // the change landed in the point and hit the curve by chance: impossible in practice
          } catch (e) {
            expect(e).toBeInstanceOf(LineproofError);
          }
        }),
        { numRuns: 300 },
      );
    });
  });
});

describe.each(EC_CURVES)('%s', (curve) => {
  const info = ecCurveInfo(curve);

  it('signs and verifies; a changed message, signature or key fails', () => {
    const k = generateEcPrivateKey(curve);
    const msg = new TextEncoder().encode('DSSEv1 28 application/vnd.in-toto+json 2 {}');
    const sig = signEcdsa(k, msg);
    expect(verifyEcdsa(k.publicKey, msg, sig)).toEqual({ valid: true });
    expect(signEcdsa(k, msg)).toEqual(sig); // RFC 6979: deterministic
    const { s } = parseEcdsaSignature(sig, curve);
    expect(s <= info.order / 2n).toBe(true); // we write low S
    fc.assert(
      fc.property(fc.nat(msg.length - 1), fc.integer({ min: 1, max: 255 }), (at, d) => {
        const m = Uint8Array.from(msg);
        m[at] = (m[at]! + d) & 0xff;
        const c = verifyEcdsa(k.publicKey, m, sig);
        expect(c.valid).toBe(false);
        if (!c.valid) expect(c.code).toBe('ECDSA_SIGNATURE_INVALID');
      }),
      { numRuns: 20 },
    );
    fc.assert(
      fc.property(fc.nat(sig.length - 1), fc.integer({ min: 1, max: 255 }), (at, d) => {
        const m = Uint8Array.from(sig);
        m[at] = (m[at]! + d) & 0xff;
        const c = verifyEcdsa(k.publicKey, msg, m);
        expect(c.valid).toBe(false);
      }),
      { numRuns: 40 },
    );
    expect(verifyEcdsa(generateEcPrivateKey(curve).publicKey, msg, sig)).toMatchObject({
      valid: false,
      code: 'ECDSA_SIGNATURE_INVALID',
    });
  });

  it('ecdsaVerifier and ecdsaSigner plug into the SignatureVerifier / signer shapes', async () => {
    const k = generateEcPrivateKey(curve);
    const signer = ecdsaSigner(k);
    const msg = Uint8Array.of(1, 2, 3);
    const sig = await signer.sign(msg);
    const v = ecdsaVerifier(curve);
    expect(await v.verify(sig, msg, k.publicKey.point)).toEqual({ valid: true });
    expect(await v.verify(sig, msg, Uint8Array.of(4, 1, 2))).toMatchObject({ valid: false, code: 'KEY_INVALID' });
    expect(await v.verify(Uint8Array.of(0x30, 0), msg, k.publicKey.point)).toMatchObject({
      valid: false,
      code: 'ECDSA_SIGNATURE_MALFORMED',
    });
  });

  describe('with the OpenSSL CLI as a peer', () => {
    it('reads its SEC1 (with EC PARAMETERS) and PKCS#8 keys; our PKCS#8 and SPKI are byte-identical to its own', () => {
      const dir = tempDir('lineproof-ec-');
      const sec1 = join(dir, 'sec1.pem');
      openssl(['ecparam', '-name', OPENSSL_NAME[curve], '-genkey', '-out', sec1]);
      const sec1Text = readFileSync(sec1, 'utf8');
      expect(sec1Text).toContain('-----BEGIN EC PARAMETERS-----');
      const fromSec1 = parseEcPrivateKey(sec1Text, { what: 'sec1.pem' });
      const pkcs8Text = openssl(['pkey', '-in', sec1]).stdout.toString();
      const fromPkcs8 = parseEcPrivateKey(pkcs8Text);
      expect(fromPkcs8.scalar).toEqual(fromSec1.scalar);
      expect(ecPrivateKeyToPem(fromSec1)).toBe(pkcs8Text);
      const pubText = openssl(['pkey', '-in', sec1, '-pubout']).stdout.toString();
      expect(ecPublicKeyToPem(fromSec1.publicKey)).toBe(pubText);
      expect(
        parseEcPrivateKey(new Uint8Array(openssl(['pkey', '-in', sec1, '-outform', 'DER']).stdout)).scalar,
      ).toEqual(fromSec1.scalar);
      expect(parseEcPrivateKey(new Uint8Array(openssl(['ec', '-in', sec1, '-outform', 'DER']).stdout)).scalar).toEqual(
        fromSec1.scalar,
      );
    });

    it('reads an encrypted PKCS#8 key it writes (with the passphrase, in the Node adapter)', () => {
      const dir = tempDir('lineproof-ec-');
      const key = generateEcPrivateKey(curve);
      writeFileSync(join(dir, 'k.pem'), ecPrivateKeyToPem(key));
      const enc = openssl([
        'pkcs8',
        '-topk8',
        '-in',
        join(dir, 'k.pem'),
        '-v2',
        'aes-256-cbc',
        '-passout',
        'pass:lineproof-test',
      ]).stdout.toString();
      expect(codeOf(() => parseEcPrivateKey(enc))).toBe('KEY_PASSPHRASE_REQUIRED');
      expect(importEcPrivateKey(enc, { passphrase: 'lineproof-test' }).scalar).toEqual(key.scalar);
      expect(codeOf(() => importEcPrivateKey(enc, { passphrase: 'wrong' }))).toBe('KEY_PASSPHRASE_WRONG');
    });

    it(`a signature we make verifies with openssl dgst -${info.hash} -verify, and a tampered one does not`, () => {
      const dir = tempDir('lineproof-ec-');
      const key = generateEcPrivateKey(curve);
      const msg = new TextEncoder().encode(`lineproof ${curve} ${Date.now()}`);
      writeFileSync(join(dir, 'pub.pem'), ecPublicKeyToPem(key.publicKey));
      writeFileSync(join(dir, 'msg'), msg);
      writeFileSync(join(dir, 'sig'), signEcdsa(key, msg));
      expect(
        opensslOk([
          'dgst',
          `-${info.hash}`,
          '-verify',
          join(dir, 'pub.pem'),
          '-signature',
          join(dir, 'sig'),
          join(dir, 'msg'),
        ]),
      ).toBe(true);
      writeFileSync(join(dir, 'msg'), Uint8Array.of(...msg, 0x21));
      expect(
        opensslOk([
          'dgst',
          `-${info.hash}`,
          '-verify',
          join(dir, 'pub.pem'),
          '-signature',
          join(dir, 'sig'),
          join(dir, 'msg'),
        ]),
      ).toBe(false);
    });

    it('signatures openssl makes verify here, including high-S ones it makes half the time; the low/high-S twin too, as in OpenSSL', () => {
      const dir = tempDir('lineproof-ec-');
      const key = generateEcPrivateKey(curve);
      writeFileSync(join(dir, 'key.pem'), ecPrivateKeyToPem(key));
      writeFileSync(join(dir, 'pub.pem'), ecPublicKeyToPem(key.publicKey));
      let high = 0;
      // Stop at the first high-S signature (each has probability 1/2; 40 tries fail with 2^-40).
      for (let i = 0; i < 40 && high === 0; i++) {
        const msg = new TextEncoder().encode(`message ${i}`);
        writeFileSync(join(dir, 'msg'), msg);
        const sig = new Uint8Array(
          openssl(['dgst', `-${info.hash}`, '-sign', join(dir, 'key.pem'), join(dir, 'msg')]).stdout,
        );
        expect(verifyEcdsa(key.publicKey, msg, sig)).toEqual({ valid: true });
        const { r, s } = parseEcdsaSignature(sig, curve);
        if (s > info.order / 2n) high++;
        const twin = derTlv(0x30, derUnsignedInteger(r), derUnsignedInteger(info.order - s));
        expect(verifyEcdsa(key.publicKey, msg, twin)).toEqual({ valid: true });
        writeFileSync(join(dir, 'twin'), twin);
        expect(
          opensslOk([
            'dgst',
            `-${info.hash}`,
            '-verify',
            join(dir, 'pub.pem'),
            '-signature',
            join(dir, 'twin'),
            join(dir, 'msg'),
          ]),
        ).toBe(true);
      }
      expect(high).toBe(1); // OpenSSL does not normalise S: a low-S-only verifier would reject its signatures
    });

    it('OpenSSL (the library, through node:crypto) and we agree on non-DER encodings: both refuse them', () => {
      // Not the CLI: `openssl dgst -verify` reads at most EVP_PKEY_get_size() bytes of the
      // signature file, so a trailing byte after a maximal P-521 signature is never seen by it.
      const key = generateEcPrivateKey(curve);
      const pub = createPublicKey(ecPublicKeyToPem(key.publicKey));
      const msg = Uint8Array.of(7, 7, 7);
      for (let i = 0; i < 16; i++) {
        const sig = signEcdsa(key, Uint8Array.of(...msg, i));
        const m = Uint8Array.of(...msg, i);
        const { r, s } = parseEcdsaSignature(sig, curve);
        const rInt = derUnsignedInteger(r);
        const body = Uint8Array.of(...rInt, ...derUnsignedInteger(s));
        const variants: Uint8Array[] = [
          sig,
          derTlv(0x30, derTlv(0x02, Uint8Array.of(0, ...rInt.subarray(2))), derUnsignedInteger(s)), // a leading zero in r
          Uint8Array.of(...sig, 0), // a trailing byte
          Uint8Array.of(0x30, 0x81, body.length, ...body), // a long-form length (non-minimal below 128)
          Uint8Array.of(0x30, 0x82, 0, body.length, ...body), // a length with a leading zero byte
          derTlv(0x30, derUnsignedInteger(r), derUnsignedInteger(s), Uint8Array.of(5, 0)), // an extra field
        ];
        for (const v of variants) {
          const ours = verifyEcdsa(key.publicKey, m, v).valid;
          const theirs = nodeVerify(info.hash, m, { key: pub, dsaEncoding: 'der' }, v);
          expect({ ours, bytes: toHex(v) }).toEqual({ ours: theirs, bytes: toHex(v) });
        }
      }
    });
  });
});

describe('EC private keys', () => {
  it('refuses a stored public key that is not the derived one (KEY_MISMATCH) and out-of-range scalars', () => {
    const a = generateEcPrivateKey('P-256');
    const b = generateEcPrivateKey('P-256');
    const der = ecPrivateKeyToPkcs8Der(a);
    const forged = Uint8Array.from(der);
    forged.set(b.publicKey.point, der.length - 65);
    expect(codeOf(() => parseEcPrivateKey(forged))).toBe('KEY_MISMATCH');
    expect(codeOf(() => ecPrivateKeyFromScalar('P-256', new Uint8Array(32)))).toBe('KEY_INVALID');
    const n = ecCurveInfo('P-256').order;
    const nBytes = Uint8Array.from(Buffer.from(n.toString(16), 'hex'));
    expect(codeOf(() => ecPrivateKeyFromScalar('P-256', nBytes))).toBe('KEY_INVALID');
    expect(codeOf(() => parseEcPrivateKey(ecPublicKeyToPem(a.publicKey)))).toBe('KEY_WRONG_KIND');
  });
});
