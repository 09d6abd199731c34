/**
 * The one strict DER reader and writer (X.690 §10) of Lineproof, for the few structures it reads:
 * Ed25519 keys (RFC 8410 SubjectPublicKeyInfo and PKCS#8, below), and in the interop layer EC keys
 * (RFC 5480, RFC 5915, RFC 5958) and ECDSA signatures (RFC 3279 `Ecdsa-Sig-Value`).
 *
 * Not a general ASN.1 parser: single-byte tags only, definite minimal lengths, and every caller
 * checks that every byte is consumed. A misencoding is reported with the code the caller chooses
 * (KEY_INVALID for keys, ECDSA_SIGNATURE_MALFORMED for signatures). The Ed25519 structures:
 *
 * ```
 * SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
 * OneAsymmetricKey     ::= SEQUENCE { version INTEGER (0 = v1, 1 = v2), privateKeyAlgorithm
 *                                     AlgorithmIdentifier, privateKey OCTET STRING (wrapping an
 *                                     OCTET STRING of the 32-byte seed), attributes [0] OPTIONAL,
 *                                     publicKey [1] BIT STRING OPTIONAL (v2 only) }
 * AlgorithmIdentifier  ::= SEQUENCE { algorithm OID 1.3.101.112 }   -- parameters absent
 * ```
 * Any other algorithm is reported as unsupported with its OID.
 */
import { assertBytes, concatBytes } from '../bytes/index.js';
import { LineproofError, type ErrorCode } from '../errors.js';

/** One decoded TLV: its tag and where its contents lie in the input. */
export interface Tlv {
  tag: number;
  /** Offset of the first content byte. */
  start: number;
  /** Offset just past the last content byte. */
  end: number;
}

/** DER tags used here. */
export const TAG = Object.freeze({
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  SEQUENCE: 0x30,
  /** [0] constructed (context-specific). */
  CTX0: 0xa0,
  /** [1] constructed (context-specific). */
  CTX1: 0xa1,
});

/** A strict DER reader over one byte array; errors carry `code` and `what`. */
export class DerReader {
  constructor(
    readonly der: Uint8Array,
    readonly what: string,
    readonly code: ErrorCode,
  ) {}

  /** An error of this reader's code naming the input. */
  error(msg: string): LineproofError {
    return new LineproofError(this.code, `${this.what}: ${msg}`, { path: this.what });
  }

  /**
   * Read one TLV at `offset`, which must end within `limit`. Lengths must be definite and minimal
   * (a short form below 128, no leading zero byte in a long form).
   */
  tlv(offset: number, limit: number): Tlv {
    const der = this.der;
    if (offset + 2 > limit) throw this.error('truncated DER');
    const tag = der[offset]!;
    if ((tag & 0x1f) === 0x1f) throw this.error('multi-byte DER tags are not used here');
    let len = der[offset + 1]!;
    let start = offset + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0) throw this.error('indefinite length is not DER');
      if (n > 3) throw this.error('DER length too large');
      if (start + n > limit) throw this.error('truncated DER length');
      if (der[start] === 0) throw this.error('non-minimal DER length (leading zero byte)');
      len = 0;
      for (let i = 0; i < n; i++) len = (len << 8) | der[start + i]!;
      if (len < 0x80) throw this.error('non-minimal DER length (long form below 128)');
      start += n;
    }
    const end = start + len;
    if (end > limit) throw this.error('DER length runs past the end');
    return { tag, start, end };
  }

  /** Read a TLV and require its tag. */
  expect(offset: number, limit: number, tag: number, name: string): Tlv {
    const t = this.tlv(offset, limit);
    if (t.tag !== tag)
      throw this.error(
        `expected ${name} (tag 0x${tag.toString(16).padStart(2, '0')}), got tag 0x${t.tag.toString(16).padStart(2, '0')}`,
      );
    return t;
  }

  /** The contents of a TLV. */
  body(t: Tlv): Uint8Array {
    return this.der.subarray(t.start, t.end);
  }

  /** Read the whole input as exactly one TLV of `tag` (nothing after it). */
  outer(tag: number, name: string): Tlv {
    const t = this.expect(0, this.der.length, tag, name);
    if (t.end !== this.der.length) throw this.error('trailing bytes after the DER structure');
    return t;
  }

  /** The dotted text of an OBJECT IDENTIFIER (minimal base-128 arcs). */
  oid(t: Tlv): string {
    const body = this.body(t);
    if (body.length === 0) throw this.error('empty OID');
    const parts: number[] = [];
    let v = 0;
    let fresh = true;
    for (let i = 0; i < body.length; i++) {
      const b = body[i]!;
      if (fresh && b === 0x80) throw this.error('non-minimal OID arc');
      v = v * 128 + (b & 0x7f);
      if (v > Number.MAX_SAFE_INTEGER / 128) throw this.error('OID arc too large');
      fresh = !(b & 0x80);
      if (fresh) {
        parts.push(v);
        v = 0;
      } else if (i === body.length - 1) throw this.error('truncated OID');
    }
    const first = parts[0]!;
    const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
    return [...head, ...parts.slice(1)].join('.');
  }

  /**
   * A non-negative INTEGER in minimal two's complement: not empty, not negative, no leading zero
   * byte unless the next byte has its top bit set.
   */
  unsignedInteger(t: Tlv, name: string): bigint {
    const b = this.body(t);
    if (b.length === 0) throw this.error(`${name}: empty INTEGER`);
    if (b[0]! & 0x80) throw this.error(`${name}: negative INTEGER`);
    if (b.length > 1 && b[0] === 0 && !(b[1]! & 0x80))
      throw this.error(`${name}: non-minimal INTEGER (unnecessary leading zero)`);
    let v = 0n;
    for (const x of b) v = (v << 8n) | BigInt(x);
    return v;
  }

  /** The bytes of a BIT STRING with no unused bits. */
  bitStringBytes(t: Tlv, name: string): Uint8Array {
    const b = this.body(t);
    if (b.length < 1) throw this.error(`${name}: empty BIT STRING`);
    if (b[0] !== 0) throw this.error(`${name}: BIT STRING with unused bits`);
    return b.subarray(1);
  }
}

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return [0x80 | out.length, ...out];
}

/**
 * Encode one DER TLV.
 * @param tag the tag byte
 * @param parts the contents, concatenated
 * @returns the TLV bytes
 */
export function derTlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const len = parts.reduce((n, p) => n + p.length, 0);
  const head = [tag, ...lengthBytes(len)];
  const out = new Uint8Array(head.length + len);
  out.set(head, 0);
  let o = head.length;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Encode a dotted OID as a DER OBJECT IDENTIFIER TLV.
 * @param dotted e.g. `1.2.840.10045.2.1`
 * @returns the TLV bytes
 */
export function derOid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const body: number[] = [];
  const enc = (v: number): void => {
    const bytes = [v & 0x7f];
    for (v = Math.floor(v / 128); v > 0; v = Math.floor(v / 128)) bytes.unshift(0x80 | (v & 0x7f));
    body.push(...bytes);
  };
  enc(arcs[0]! * 40 + arcs[1]!);
  for (const a of arcs.slice(2)) enc(a);
  return derTlv(TAG.OID, Uint8Array.from(body));
}

/**
 * Encode a non-negative bigint as a minimal DER INTEGER TLV.
 * @param v the value (>= 0)
 * @returns the TLV bytes
 */
export function derUnsignedInteger(v: bigint): Uint8Array {
  if (v < 0n) throw new RangeError('"v" expected a non-negative integer');
  const bytes: number[] = [];
  for (let x = v; x > 0n; x >>= 8n) bytes.unshift(Number(x & 0xffn));
  if (bytes.length === 0 || bytes[0]! & 0x80) bytes.unshift(0);
  return derTlv(TAG.INTEGER, Uint8Array.from(bytes));
}

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

/** Read an AlgorithmIdentifier and require id-Ed25519 with absent parameters; returns its end. */
function readEd25519Algorithm(r: DerReader, offset: number, limit: number): number {
  const seq = r.expect(offset, limit, TAG.SEQUENCE, 'AlgorithmIdentifier SEQUENCE');
  const oid = r.expect(seq.start, seq.end, TAG.OID, 'OBJECT IDENTIFIER');
  const name = r.oid(oid);
  if (name !== '1.3.101.112') {
    const label = KNOWN_OIDS[name];
    throw new LineproofError(
      'KEY_UNSUPPORTED',
      `${r.what}: ${label ?? 'unknown'} key (OID ${name}); only Ed25519 (1.3.101.112) is supported`,
      { path: r.what, expected: 'Ed25519', actual: label ?? name },
    );
  }
  if (oid.end !== seq.end) throw r.error('Ed25519 AlgorithmIdentifier must have no parameters (RFC 8410)');
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
  const r = new DerReader(der, what, 'KEY_INVALID');
  const outer = r.outer(TAG.SEQUENCE, 'SubjectPublicKeyInfo SEQUENCE');
  const afterAlg = readEd25519Algorithm(r, outer.start, outer.end);
  const bits = r.expect(afterAlg, outer.end, TAG.BIT_STRING, 'BIT STRING');
  if (bits.end !== outer.end) throw r.error('unexpected fields after subjectPublicKey');
  if (bits.end - bits.start !== 33 || der[bits.start] !== 0)
    throw r.error('expected a 32-byte BIT STRING with no unused bits');
  return der.slice(bits.start + 1, bits.end);
}

/** A parsed PKCS#8 key: the seed, and the public key when the v2 form carries one. */
export interface Pkcs8Parts {
  version: 1 | 2;
  seed: Uint8Array;
  publicKey?: Uint8Array;
}

/** The optional `[1] publicKey` of a v2 OneAsymmetricKey at `pos`: the key and where it ends. */
function readPkcs8PublicKey(
  r: DerReader,
  pos: number,
  limit: number,
  version: 1 | 2,
): { publicKey?: Uint8Array; end: number } {
  const der = r.der;
  if (pos >= limit || (der[pos] !== 0x81 && der[pos] !== TAG.CTX1)) return { end: pos };
  if (version !== 2) throw r.error('a public key field requires version 1 (v2, RFC 5958)');
  if (der[pos] === 0x81) {
    // [1] IMPLICIT BIT STRING: primitive, context-specific tag 1
    const pub = r.tlv(pos, limit);
    if (pub.end - pub.start !== 33 || der[pub.start] !== 0)
      throw r.error('expected a 32-byte public key BIT STRING with no unused bits');
    return { publicKey: der.slice(pub.start + 1, pub.end), end: pub.end };
  }
  // Some encoders write [1] as constructed, wrapping a BIT STRING.
  const wrap = r.tlv(pos, limit);
  const bits = r.expect(wrap.start, wrap.end, TAG.BIT_STRING, 'BIT STRING publicKey');
  if (bits.end !== wrap.end || bits.end - bits.start !== 33 || der[bits.start] !== 0)
    throw r.error('expected a 32-byte public key BIT STRING with no unused bits');
  return { publicKey: der.slice(bits.start + 1, bits.end), end: wrap.end };
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
  const r = new DerReader(der, what, 'KEY_INVALID');
  const outer = r.outer(TAG.SEQUENCE, 'PrivateKeyInfo SEQUENCE');
  const ver = r.expect(outer.start, outer.end, TAG.INTEGER, 'INTEGER version');
  if (ver.end - ver.start !== 1 || (der[ver.start] !== 0 && der[ver.start] !== 1))
    throw r.error('expected version 0 (v1) or 1 (v2)');
  const version = der[ver.start] === 0 ? 1 : 2;
  const afterAlg = readEd25519Algorithm(r, ver.end, outer.end);
  const octets = r.expect(afterAlg, outer.end, TAG.OCTET_STRING, 'OCTET STRING privateKey');
  const inner = r.expect(octets.start, octets.end, TAG.OCTET_STRING, 'CurvePrivateKey OCTET STRING');
  if (inner.end !== octets.end || inner.end - inner.start !== 32) throw r.error('expected a 32-byte Ed25519 seed');
  const seed = der.slice(inner.start, inner.end);
  let pos = octets.end;
  if (pos < outer.end && der[pos] === TAG.CTX0) pos = r.tlv(pos, outer.end).end; // attributes, ignored
  const { publicKey, end } = readPkcs8PublicKey(r, pos, outer.end, version);
  if (end !== outer.end) throw r.error('unexpected fields in the PKCS#8 structure');
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
