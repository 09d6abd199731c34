/**
 * A tiny strict DER reader and writer for exactly the Ed25519 key structures (RFC 8410):
 *
 * ```
 * SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
 * OneAsymmetricKey     ::= SEQUENCE { version INTEGER (0 = v1, 1 = v2), privateKeyAlgorithm
 *                                     AlgorithmIdentifier, privateKey OCTET STRING (wrapping an
 *                                     OCTET STRING of the 32-byte seed), attributes [0] OPTIONAL,
 *                                     publicKey [1] BIT STRING OPTIONAL (v2 only) }
 * AlgorithmIdentifier  ::= SEQUENCE { algorithm OID 1.3.101.112 }   -- parameters absent
 * ```
 *
 * Not a general ASN.1 parser: lengths must be minimal (DER), every byte must be consumed, and any
 * other algorithm is reported as unsupported with its OID. Misencoded input is `KEY_INVALID`.
 */
import { assertBytes, concatBytes } from '../bytes/index.js';
import { LineproofError } from '../errors.js';

/** DER of OID 1.3.101.112 (id-Ed25519). */
const OID_ED25519 = Uint8Array.of(0x06, 0x03, 0x2b, 0x65, 0x70);
/** The fixed 12-byte prefix of an Ed25519 SubjectPublicKeyInfo (followed by the 32-byte key). */
export const ED25519_SPKI_PREFIX = Uint8Array.of(0x30, 0x2a, 0x30, 0x05, ...OID_ED25519, 0x03, 0x21, 0x00);
/** The fixed 16-byte prefix of an Ed25519 PKCS#8 v1 PrivateKeyInfo, as OpenSSL writes it. */
export const ED25519_PKCS8_PREFIX = Uint8Array.of(
  0x30,
  0x2e,
  0x02,
  0x01,
  0x00,
  0x30,
  0x05,
  ...OID_ED25519,
  0x04,
  0x22,
  0x04,
  0x20,
);

const KNOWN_OIDS: Record<string, string> = {
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
  '1.3.101.110': 'X25519',
  '1.3.101.111': 'X448',
  '1.2.840.10045.2.1': 'EC (ECDSA)',
  '1.2.840.113549.1.1.1': 'RSA',
  '1.2.840.113549.1.1.10': 'RSA-PSS',
};

interface Tlv {
  tag: number;
  /** Offset of the first content byte. */
  start: number;
  /** Offset just past the last content byte. */
  end: number;
}

function bad(what: string, msg: string): LineproofError {
  return new LineproofError('KEY_INVALID', `${what}: ${msg}`, { path: what });
}

/** Read one TLV at `offset`, within `limit`; strict DER lengths (definite, minimal). */
function readTlv(der: Uint8Array, offset: number, limit: number, what: string): Tlv {
  if (offset + 2 > limit) throw bad(what, 'truncated DER');
  const tag = der[offset]!;
  if ((tag & 0x1f) === 0x1f) throw bad(what, 'multi-byte DER tags are not used in Ed25519 keys');
  let len = der[offset + 1]!;
  let start = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) throw bad(what, 'indefinite length is not DER');
    if (n > 3) throw bad(what, 'DER length too large');
    if (start + n > limit) throw bad(what, 'truncated DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = (len << 8) | der[start + i]!;
    if (der[start] === 0 || len < 0x80) throw bad(what, 'non-minimal DER length');
    start += n;
  }
  const end = start + len;
  if (end > limit) throw bad(what, 'DER length runs past the end');
  return { tag, start, end };
}

function expectTag(t: Tlv, tag: number, name: string, what: string): void {
  if (t.tag !== tag) throw bad(what, `expected ${name} (tag 0x${tag.toString(16)}), got tag 0x${t.tag.toString(16)}`);
}

function oidText(der: Uint8Array, t: Tlv, what: string): string {
  const body = der.subarray(t.start, t.end);
  if (body.length === 0) throw bad(what, 'empty OID');
  const parts: number[] = [];
  let v = 0;
  for (let i = 0; i < body.length; i++) {
    const b = body[i]!;
    if (v === 0 && b === 0x80) throw bad(what, 'non-minimal OID arc');
    v = v * 128 + (b & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 128) throw bad(what, 'OID arc too large');
    if (!(b & 0x80)) {
      parts.push(v);
      v = 0;
    } else if (i === body.length - 1) throw bad(what, 'truncated OID');
  }
  const first = parts[0]!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...parts.slice(1)].join('.');
}

/** Read an AlgorithmIdentifier and require id-Ed25519 with absent parameters. */
function readAlgorithm(der: Uint8Array, offset: number, limit: number, what: string): number {
  const seq = readTlv(der, offset, limit, what);
  expectTag(seq, 0x30, 'AlgorithmIdentifier SEQUENCE', what);
  const oid = readTlv(der, seq.start, seq.end, what);
  expectTag(oid, 0x06, 'OBJECT IDENTIFIER', what);
  const name = oidText(der, oid, what);
  if (name !== '1.3.101.112') {
    const label = KNOWN_OIDS[name];
    throw new LineproofError(
      'KEY_UNSUPPORTED',
      `${what}: ${label ?? 'unknown'} key (OID ${name}); only Ed25519 (1.3.101.112) is supported`,
      { path: what, expected: 'Ed25519', actual: label ?? name },
    );
  }
  if (oid.end !== seq.end) throw bad(what, 'Ed25519 AlgorithmIdentifier must have no parameters (RFC 8410)');
  return seq.end;
}

/**
 * Parse a DER SubjectPublicKeyInfo holding an Ed25519 key.
 * @returns the raw 32-byte public key
 * @throws {LineproofError} KEY_INVALID for malformed DER, KEY_UNSUPPORTED for another algorithm
 * @param der the DER bytes
 * @param what names the input in errors
 * @example
 * ```ts
 * parseSpkiDer(spkiDer(publicKey)); // publicKey
 * ```
 */
export function parseSpkiDer(der: Uint8Array, what = 'public key'): Uint8Array {
  const outer = readTlv(der, 0, der.length, what);
  expectTag(outer, 0x30, 'SubjectPublicKeyInfo SEQUENCE', what);
  if (outer.end !== der.length) throw bad(what, 'trailing bytes after the DER structure');
  const afterAlg = readAlgorithm(der, outer.start, outer.end, what);
  const bits = readTlv(der, afterAlg, outer.end, what);
  expectTag(bits, 0x03, 'BIT STRING', what);
  if (bits.end !== outer.end) throw bad(what, 'unexpected fields after subjectPublicKey');
  if (bits.end - bits.start !== 33 || der[bits.start] !== 0)
    throw bad(what, 'expected a 32-byte BIT STRING with no unused bits');
  return der.slice(bits.start + 1, bits.end);
}

/** A parsed PKCS#8 key: the seed, and the public key when the v2 form carries one. */
export interface Pkcs8Parts {
  version: 1 | 2;
  seed: Uint8Array;
  publicKey?: Uint8Array;
}

/**
 * Parse a DER PKCS#8 PrivateKeyInfo (v1, as OpenSSL writes) or OneAsymmetricKey (v2, with the
 * public key) holding an Ed25519 seed. Attributes ([0]) are read and ignored.
 * @throws {LineproofError} KEY_INVALID for malformed DER, KEY_UNSUPPORTED for another algorithm
 * @param der the DER bytes
 * @param what names the input in errors
 * @returns the version, the seed and (v2) the public key
 * @example
 * ```ts
 * parsePkcs8Der(pkcs8Der(seed)).seed; // seed
 * ```
 */
export function parsePkcs8Der(der: Uint8Array, what = 'private key'): Pkcs8Parts {
  const outer = readTlv(der, 0, der.length, what);
  expectTag(outer, 0x30, 'PrivateKeyInfo SEQUENCE', what);
  if (outer.end !== der.length) throw bad(what, 'trailing bytes after the DER structure');
  const ver = readTlv(der, outer.start, outer.end, what);
  expectTag(ver, 0x02, 'INTEGER version', what);
  if (ver.end - ver.start !== 1 || (der[ver.start] !== 0 && der[ver.start] !== 1))
    throw bad(what, 'expected version 0 (v1) or 1 (v2)');
  const version = der[ver.start] === 0 ? 1 : 2;
  const afterAlg = readAlgorithm(der, ver.end, outer.end, what);
  const octets = readTlv(der, afterAlg, outer.end, what);
  expectTag(octets, 0x04, 'OCTET STRING privateKey', what);
  const inner = readTlv(der, octets.start, octets.end, what);
  expectTag(inner, 0x04, 'CurvePrivateKey OCTET STRING', what);
  if (inner.end !== octets.end || inner.end - inner.start !== 32) throw bad(what, 'expected a 32-byte Ed25519 seed');
  const seed = der.slice(inner.start, inner.end);
  let pos = octets.end;
  let publicKey: Uint8Array | undefined;
  if (pos < outer.end && der[pos] === 0xa0) {
    const attrs = readTlv(der, pos, outer.end, what);
    pos = attrs.end;
  }
  if (pos < outer.end && der[pos] === 0x81) {
    // [1] IMPLICIT BIT STRING: primitive, context-specific tag 1
    if (version !== 2) throw bad(what, 'a public key field requires version 1 (v2, RFC 5958)');
    const pub = readTlv(der, pos, outer.end, what);
    if (pub.end - pub.start !== 33 || der[pub.start] !== 0)
      throw bad(what, 'expected a 32-byte public key BIT STRING with no unused bits');
    publicKey = der.slice(pub.start + 1, pub.end);
    pos = pub.end;
  } else if (pos < outer.end && der[pos] === 0xa1) {
    // Some encoders write [1] as constructed, wrapping a BIT STRING.
    if (version !== 2) throw bad(what, 'a public key field requires version 1 (v2, RFC 5958)');
    const wrap = readTlv(der, pos, outer.end, what);
    const bits = readTlv(der, wrap.start, wrap.end, what);
    expectTag(bits, 0x03, 'BIT STRING publicKey', what);
    if (bits.end !== wrap.end || bits.end - bits.start !== 33 || der[bits.start] !== 0)
      throw bad(what, 'expected a 32-byte public key BIT STRING with no unused bits');
    publicKey = der.slice(bits.start + 1, bits.end);
    pos = wrap.end;
  }
  if (pos !== outer.end) throw bad(what, 'unexpected fields in the PKCS#8 structure');
  return publicKey ? { version, seed, publicKey } : { version, seed };
}

/**

 * DER SubjectPublicKeyInfo of a raw Ed25519 public key (44 bytes).
 * @param publicKey the raw 32-byte key
 * @returns 44 DER bytes
 * @throws {TypeError|RangeError} when `publicKey` is not 32 bytes
 * @example
 * ```ts
 * spkiDer(publicKey).length; // 44
 * ```
 */
export function spkiDer(publicKey: Uint8Array): Uint8Array {
  assertBytes(publicKey, 'publicKey', 32);
  return concatBytes(ED25519_SPKI_PREFIX, publicKey);
}

/**

 * DER PKCS#8 v1 PrivateKeyInfo of a 32-byte seed (48 bytes), the form OpenSSL writes.
 * @param seed the 32-byte seed
 * @returns 48 DER bytes
 * @throws {TypeError|RangeError} when `seed` is not 32 bytes
 * @example
 * ```ts
 * pkcs8Der(seed).length; // 48
 * ```
 */
export function pkcs8Der(seed: Uint8Array): Uint8Array {
  assertBytes(seed, 'seed', 32);
  return concatBytes(ED25519_PKCS8_PREFIX, seed);
}
