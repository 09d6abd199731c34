import { describe, expect, it } from 'vitest';
import * as keysDer from '../../src/keys/der.js';
import * as interopDer from '../../src/interop/der.js';
import { parseEcdsaSignature } from '../../src/pki/ecdsa.js';
import { LineproofError } from '../../src/errors.js';

const { DerReader, TAG, derTlv, parsePkcs8Der, parseSpkiDer, pkcs8Der, spkiDer } = keysDer;

function code(f: () => unknown): string {
  try {
    f();
    return 'OK';
  } catch (e) {
    return e instanceof LineproofError ? `${e.code}: ${e.message}` : String(e);
  }
}

describe('one DER reader', () => {
  it('the interop layer uses the reader and writer of src/keys/der.ts', () => {
    expect(interopDer.DerReader).toBe(DerReader);
    expect(interopDer.TAG).toBe(TAG);
    expect(interopDer.derTlv).toBe(derTlv);
    expect(interopDer.derOid).toBe(keysDer.derOid);
    expect(interopDer.derUnsignedInteger).toBe(keysDer.derUnsignedInteger);
  });

  it('Ed25519 keys round-trip through it', () => {
    const pub = Uint8Array.from({ length: 32 }, (_, i) => i);
    expect(parseSpkiDer(spkiDer(pub))).toEqual(pub);
    expect(parsePkcs8Der(pkcs8Der(pub))).toEqual({ version: 1, seed: pub });
  });

  it('the same misencoding is refused the same way for a key and for a signature', () => {
    // A long-form length below 128 (0x81 0x05) is not DER, wherever it appears.
    const longForm = Uint8Array.of(0x30, 0x81, 0x05, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01);
    expect(code(() => parseSpkiDer(longForm, 'k'))).toBe(
      'KEY_INVALID: k: non-minimal DER length (long form below 128)',
    );
    expect(code(() => parseEcdsaSignature(longForm, 'P-256'))).toBe(
      'ECDSA_SIGNATURE_MALFORMED: ECDSA signature: non-minimal DER length (long form below 128)',
    );
    const indefinite = Uint8Array.of(0x30, 0x80, 0x00, 0x00);
    expect(code(() => parsePkcs8Der(indefinite, 'k'))).toBe('KEY_INVALID: k: indefinite length is not DER');
  });

  it('another algorithm is KEY_UNSUPPORTED naming it', () => {
    const rsaAlg = derTlv(TAG.SEQUENCE, keysDer.derOid('1.2.840.113549.1.1.1'), Uint8Array.of(0x05, 0x00));
    const spki = derTlv(TAG.SEQUENCE, rsaAlg, derTlv(TAG.BIT_STRING, Uint8Array.of(0, 1, 2)));
    expect(code(() => parseSpkiDer(spki, 'k'))).toMatch(
      /^KEY_UNSUPPORTED: k: RSA key \(OID 1\.2\.840\.113549\.1\.1\.1\)/,
    );
  });
});
