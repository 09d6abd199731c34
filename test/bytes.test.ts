import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  concatBytes,
  equalBytes,
  equalHex,
  fromBase64,
  fromHex,
  fromUtf8,
  hasLoneSurrogate,
  isAscii,
  toBase64,
  toHex,
  u32be,
  u64be,
  utf8,
} from '../src/bytes/index.js';
import { codeOf } from './helpers/codes.js';

describe('hex', () => {
  it('round-trips any bytes and agrees with Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        const h = toHex(b);
        expect(h).toBe(Buffer.from(b).toString('hex'));
        expect(fromHex(h)).toEqual(b);
        expect(fromHex(h.toUpperCase())).toEqual(b);
      }),
    );
  });
  it('rejects odd length and non-hex characters with HEX_INVALID', () => {
    expect(codeOf(() => fromHex('abc'))).toBe('HEX_INVALID');
    expect(codeOf(() => fromHex('zz'))).toBe('HEX_INVALID');
    expect(codeOf(() => fromHex('0x'))).toBe('HEX_INVALID');
    expect(codeOf(() => fromHex(' 00'.slice(1) + ' '))).toBe('HEX_INVALID');
  });
  it('throws TypeError naming the argument for a non-string', () => {
    expect(() => fromHex(5 as unknown as string, 'digest')).toThrow(/"digest" expected string/);
    expect(() => toHex('ab' as unknown as Uint8Array)).toThrow(TypeError);
  });
});

describe('base64', () => {
  it('emits standard padded base64 identical to Buffer and decodes it back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        const t = toBase64(b);
        expect(t).toBe(Buffer.from(b).toString('base64'));
        expect(fromBase64(t)).toEqual(b);
      }),
    );
  });
  it('accepts the URL-safe alphabet with padding', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        const url = Buffer.from(b).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
        expect(fromBase64(url)).toEqual(b);
      }),
    );
  });
  describe('when the text is malformed (where Buffer silently skips)', () => {
    const cases: Array<[string, string]> = [
      ['YW Jj', 'BASE64_INVALID_CHAR'],
      ['YWJj\n', 'BASE64_INVALID_CHAR'],
      ['YWJ\nj', 'BASE64_INVALID_CHAR'],
      ['YW*j', 'BASE64_INVALID_CHAR'],
      ['YWI', 'BASE64_BAD_PADDING'],
      ['YQ', 'BASE64_BAD_PADDING'],
      ['Y===', 'BASE64_BAD_PADDING'],
      ['YQ=a', 'BASE64_BAD_PADDING'],
      ['=YWJ', 'BASE64_BAD_PADDING'],
      ['YR==', 'BASE64_NONCANONICAL'],
      ['YWJ=', 'BASE64_NONCANONICAL'],
      ['+/-_', 'BASE64_MIXED_ALPHABET'],
      ['YWJjé===', 'BASE64_INVALID_CHAR'],
    ];
    it.each(cases)('%j is rejected with %s', (text, code) => {
      expect(codeOf(() => fromBase64(text))).toBe(code);
    });
    it('Buffer would have accepted some of them (why this decoder exists)', () => {
      expect(Buffer.from('YW Jj', 'base64').toString()).toBe('abc');
      expect(Buffer.from('YR==', 'base64').toString()).toBe('a');
    });
  });
  it('each byte string has exactly one accepted standard text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 20 }), fc.nat(), (b, k) => {
        const t = toBase64(b);
        const body = t.replace(/=+$/, '');
        const i = k % body.length;
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
        const other = alphabet[(alphabet.indexOf(body[i]!) + 1) % 64]!;
        const mutated = t.slice(0, i) + other + t.slice(i + 1);
        let decoded: Uint8Array | undefined;
        try {
          decoded = fromBase64(mutated);
        } catch {
          decoded = undefined;
        }
        if (decoded) expect(equalBytes(decoded, b)).toBe(false);
      }),
    );
  });
});

describe('utf8', () => {
  it('round-trips well-formed text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(fromUtf8(utf8(s))).toBe(s);
      }),
    );
  });
  it('rejects malformed UTF-8 with UTF8_INVALID', () => {
    expect(codeOf(() => fromUtf8(new Uint8Array([0xc3])))).toBe('UTF8_INVALID');
    expect(codeOf(() => fromUtf8(new Uint8Array([0xed, 0xa0, 0x80])))).toBe('UTF8_INVALID'); // encoded surrogate
    expect(codeOf(() => fromUtf8(new Uint8Array([0xc0, 0xaf])))).toBe('UTF8_INVALID'); // overlong
  });
  it('detects lone surrogates and ASCII', () => {
    expect(hasLoneSurrogate('a\ud800b')).toBe(true);
    expect(hasLoneSurrogate('\udc00')).toBe(true);
    expect(hasLoneSurrogate('😀')).toBe(false);
    expect(isAscii('application/vnd.in-toto+json')).toBe(true);
    expect(isAscii('é')).toBe(false);
  });
});

describe('helpers', () => {
  it('concatBytes, equalBytes, equalHex', () => {
    expect(concatBytes(new Uint8Array([1]), new Uint8Array([2, 3]))).toEqual(new Uint8Array([1, 2, 3]));
    expect(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(equalBytes(new Uint8Array([1]), new Uint8Array([1, 0]))).toBe(false);
    expect(equalHex('ABcd', 'abCD')).toBe(true);
    expect(equalHex('abcd', 'abce')).toBe(false);
  });
  it('u32be and u64be encode big-endian and refuse out-of-range values', () => {
    expect(toHex(u32be(0x01020304))).toBe('01020304');
    expect(toHex(u64be(2 ** 32 + 5))).toBe('0000000100000005');
    expect(toHex(u64be(0xffffffffffffffffn))).toBe('ffffffffffffffff');
    expect(() => u32be(-1)).toThrow(RangeError);
    expect(() => u32be(2 ** 32)).toThrow(RangeError);
    expect(() => u64be(2 ** 53)).toThrow(RangeError);
    expect(() => u64be(-1n)).toThrow(RangeError);
  });
});
