/**
 * A minimal strict DER reader (X.690 §10) for the few structures of the interop layer: EC keys
 * (RFC 5480 SubjectPublicKeyInfo, RFC 5915 ECPrivateKey, RFC 5958 PKCS#8) and ECDSA signatures
 * (RFC 3279 `Ecdsa-Sig-Value`). Not a general ASN.1 parser: single-byte tags only, definite
 * minimal lengths, and every caller checks that every byte is consumed. A misencoding is reported
 * with the code the caller chooses (KEY_INVALID for keys, ECDSA_SIGNATURE_MALFORMED for signatures).
 */
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
