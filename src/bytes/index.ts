/**
 * Bytes and their text encodings: hex, base64 (strict), UTF-8 (strict), and helpers.
 *
 * Everything here is pure: Uint8Array in, Uint8Array or string out. Node's `Buffer` is accepted
 * as input (it is a Uint8Array) but never returned.
 */
import { LineproofError, describeType } from '../errors.js';

const encoder = new TextEncoder();
const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** True for a Uint8Array, also one from another realm (iframe, vm context). */
export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array || (ArrayBuffer.isView(value) && value.constructor.name === 'Uint8Array');
}

/**
 * Throw a TypeError unless `value` is a Uint8Array (optionally of an exact length).
 * @param name the argument's name, used in the message
 * @throws {TypeError} when `value` is not a Uint8Array
 * @throws {RangeError} when `length` is given and differs
 */
export function assertBytes(value: unknown, name: string, length?: number): asserts value is Uint8Array {
  if (!isBytes(value)) {
    throw new TypeError(`"${name}" expected Uint8Array, got ${describeType(value)}`);
  }
  if (length !== undefined && value.length !== length) {
    throw new RangeError(`"${name}" expected Uint8Array of length ${length}, got length=${value.length}`);
  }
}

/** Copy a Uint8Array view (such as a Node buffer) into a plain Uint8Array of its own. */
export function toPlainBytes(view: Uint8Array): Uint8Array {
  return new Uint8Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength) as ArrayBuffer);
}

// ---- hex -------------------------------------------------------------------------------------

const HEX = '0123456789abcdef';
const hexTable: string[] = Array.from({ length: 256 }, (_, i) => HEX[i >> 4]! + HEX[i & 15]!);

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes');
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += hexTable[bytes[i]!];
  return out;
}

function hexNibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Decode hex (either case). Rejects odd length and any non-hex character.
 * @throws {LineproofError} HEX_INVALID
 */
export function fromHex(text: string, what = 'hex'): Uint8Array {
  if (typeof text !== 'string') throw new TypeError(`"${what}" expected string, got ${describeType(text)}`);
  if (text.length % 2 !== 0) {
    throw new LineproofError('HEX_INVALID', `${what}: expected an even number of hex digits, got ${text.length}`, {
      path: what,
    });
  }
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hexNibble(text.charCodeAt(2 * i));
    const lo = hexNibble(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) {
      throw new LineproofError('HEX_INVALID', `${what}: non-hex character at offset ${hi < 0 ? 2 * i : 2 * i + 1}`, {
        path: what,
      });
    }
    out[i] = (hi << 4) | lo;
  }
  return out;
}

/** True when `text` is lowercase hex of exactly `bytes` bytes (e.g. 32 for a SHA-256 digest). */
export function isLowerHex(text: unknown, bytes?: number): text is string {
  if (typeof text !== 'string') return false;
  if (bytes !== undefined && text.length !== bytes * 2) return false;
  return text.length % 2 === 0 && /^[0-9a-f]*$/.test(text);
}

// ---- base64 ----------------------------------------------------------------------------------

const B64_STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
// value for each char code; 64 = '=', -1 invalid; std-only and url-only flagged separately
const b64Value = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) {
  b64Value[B64_STD.charCodeAt(i)] = i;
  b64Value[B64_URL.charCodeAt(i)] = i;
}

/** Standard base64 with padding (RFC 4648 §4), as DSSE envelopes are emitted. */
export function toBase64(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes');
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64_STD[n >> 18]! + B64_STD[(n >> 12) & 63]! + B64_STD[(n >> 6) & 63]! + B64_STD[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += B64_STD[n >> 18]! + B64_STD[(n >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += B64_STD[n >> 18]! + B64_STD[(n >> 12) & 63]! + B64_STD[(n >> 6) & 63]! + '=';
  }
  return out;
}

/**
 * Decode base64, standard (`+/`) or URL-safe (`-_`) alphabet, with padding. Strict where Node's
 * Buffer is lenient: any other character (whitespace included), a mix of the two alphabets,
 * missing or misplaced padding, and non-zero unused bits are all rejected, so one byte string has
 * exactly one accepted text per alphabet.
 * @param what names the input in error messages, e.g. `signatures[0].sig`
 * @throws {LineproofError} BASE64_INVALID_CHAR, BASE64_MIXED_ALPHABET, BASE64_BAD_PADDING, BASE64_NONCANONICAL
 */
export function fromBase64(text: string, what = 'base64'): Uint8Array {
  if (typeof text !== 'string') throw new TypeError(`"${what}" expected string, got ${describeType(text)}`);
  let std = false;
  let url = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 61) continue; // '=' is placed-checked below
    if (c >= 128 || b64Value[c] === -1) {
      throw new LineproofError('BASE64_INVALID_CHAR', `${what}: invalid base64 character at offset ${i}`, {
        path: what,
      });
    }
    if (c === 43 || c === 47) std = true;
    else if (c === 45 || c === 95) url = true;
  }
  if (std && url) {
    throw new LineproofError('BASE64_MIXED_ALPHABET', `${what}: mixes standard (+/) and URL-safe (-_) base64`, {
      path: what,
    });
  }
  if (text.length % 4 !== 0) {
    throw new LineproofError(
      'BASE64_BAD_PADDING',
      `${what}: expected a length that is a multiple of 4 (padded base64), got ${text.length}`,
      { path: what },
    );
  }
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const eq = text.indexOf('=');
  if (eq !== -1 && eq < text.length - pad) {
    throw new LineproofError('BASE64_BAD_PADDING', `${what}: "=" before the end at offset ${eq}`, { path: what });
  }
  const outLen = (text.length / 4) * 3 - pad;
  const out = new Uint8Array(outLen);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const a = b64Value[text.charCodeAt(i)]!;
    const b = b64Value[text.charCodeAt(i + 1)]!;
    const last = i + 4 === text.length;
    const c = last && pad === 2 ? 0 : b64Value[text.charCodeAt(i + 2)]!;
    const d = last && pad >= 1 ? 0 : b64Value[text.charCodeAt(i + 3)]!;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >> 16;
    if (o < outLen) out[o++] = (n >> 8) & 255;
    if (o < outLen) out[o++] = n & 255;
    if (last && ((pad === 2 && (b & 15) !== 0) || (pad === 1 && (c & 3) !== 0))) {
      throw new LineproofError('BASE64_NONCANONICAL', `${what}: non-zero unused bits before the padding`, {
        path: what,
      });
    }
  }
  return out;
}

// ---- UTF-8 -----------------------------------------------------------------------------------

/** UTF-8 bytes of `text`. Lone surrogates become U+FFFD (use {@link hasLoneSurrogate} to refuse them). */
export function utf8(text: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError(`"text" expected string, got ${describeType(text)}`);
  return encoder.encode(text);
}

/**
 * Decode well-formed UTF-8; a byte order mark is kept as U+FEFF, not stripped.
 * @throws {LineproofError} UTF8_INVALID
 */
export function fromUtf8(bytes: Uint8Array, what = 'bytes'): string {
  assertBytes(bytes, what);
  try {
    return fatalDecoder.decode(bytes);
  } catch (cause) {
    throw new LineproofError('UTF8_INVALID', `${what}: not well-formed UTF-8`, { path: what, cause });
  }
}

/** True when `text` holds a UTF-16 surrogate without its pair. */
export function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const n = text.charCodeAt(i + 1);
      if (n >= 0xdc00 && n <= 0xdfff) i++;
      else return true;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

/** True when every character of `text` is ASCII (U+0000..U+007F). */
export function isAscii(text: string): boolean {
  return /^[\x00-\x7f]*$/.test(text);
}

// ---- helpers ---------------------------------------------------------------------------------

/** Concatenate byte arrays into a new one. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let len = 0;
  for (const [i, p] of parts.entries()) {
    assertBytes(p, `parts[${i}]`);
    len += p.length;
  }
  const out = new Uint8Array(len);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Compare two byte arrays in time that depends only on their lengths (for digests and MACs).
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  assertBytes(a, 'a');
  assertBytes(b, 'b');
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Compare two hex strings case-insensitively in time that depends only on their lengths. */
export function equalHex(a: string, b: string): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a.charCodeAt(i) | 0x20) ^ (b.charCodeAt(i) | 0x20);
  return diff === 0;
}

/** Big-endian 32-bit unsigned integer. @throws {RangeError} outside 0..2^32-1 */
export function u32be(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`"n" expected integer 0..2^32-1, got ${n}`);
  return new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
}

/** Big-endian 64-bit unsigned integer from a safe integer or bigint. @throws {RangeError} when negative or unsafe */
export function u64be(n: number | bigint): Uint8Array {
  const v = typeof n === 'bigint' ? n : BigInt(n);
  if (typeof n === 'number' && (!Number.isSafeInteger(n) || n < 0))
    throw new RangeError(`"n" expected safe non-negative integer, got ${n}`);
  if (v < 0n || v > 0xffffffffffffffffn) throw new RangeError(`"n" expected 0..2^64-1, got ${v}`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, v, false);
  return out;
}
