import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseJson } from '../../src/json/strict.js';
import { canonicalJson } from '../../src/json/canonical.js';
import { LineproofError } from '../../src/errors.js';
import { utf8 } from '../../src/bytes/index.js';
import { failure } from '../helpers/codes.js';

describe('parseJson', () => {
  it('parses the JSON grammar like JSON.parse when there is no duplicate key', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(parseJson(text)).toEqual(JSON.parse(text));
        expect(parseJson(utf8(text))).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips: parse(canonical(x)) equals x for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ noUnicodeString: false }), (v) => {
        const normalized = JSON.parse(JSON.stringify(v)); // -0 becomes 0, as JSON has no -0
        expect(parseJson(canonicalJson(v))).toEqual(normalized);
      }),
      { numRuns: 300 },
    );
  });

  describe('when an object has a duplicate key', () => {
    it('rejects it with JSON_DUPLICATE_KEY and the field path', () => {
      expect(failure(() => parseJson('{"a":1,"a":2}'))).toEqual({ code: 'JSON_DUPLICATE_KEY', path: 'a' });
      expect(failure(() => parseJson('{"signatures":[{"sig":"x","keyid":"","sig":"y"}]}'))).toEqual({
        code: 'JSON_DUPLICATE_KEY',
        path: 'signatures[0].sig',
      });
      expect(failure(() => parseJson('{"x":{"a b":1,"a b":1}}'))).toEqual({
        code: 'JSON_DUPLICATE_KEY',
        path: 'x["a b"]',
      });
    });
    it('treats escaped and literal spellings of one key as duplicates', () => {
      expect(failure(() => parseJson('{"a":1,"\\u0061":2}'))?.code).toBe('JSON_DUPLICATE_KEY');
    });
    it('JSON.parse would have silently kept the last one (why this parser exists)', () => {
      expect(JSON.parse('{"a":1,"a":2}')).toEqual({ a: 2 });
    });
  });

  it('keeps __proto__ as a harmless own property', () => {
    const v = parseJson('{"__proto__":{"polluted":true},"a":1}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.hasOwn(v, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((v as { polluted?: unknown }).polluted).toBeUndefined();
  });

  describe('limits', () => {
    it('accepts depth 64 and rejects depth 65 with JSON_TOO_DEEP', () => {
      expect(() => parseJson('['.repeat(64) + ']'.repeat(64))).not.toThrow();
      expect(failure(() => parseJson('['.repeat(65) + ']'.repeat(65)))?.code).toBe('JSON_TOO_DEEP');
      expect(failure(() => parseJson('{"a":'.repeat(65) + '1' + '}'.repeat(65)))?.code).toBe('JSON_TOO_DEEP');
    });
    it('rejects a deeply nested bomb quickly without a stack overflow', () => {
      expect(failure(() => parseJson('['.repeat(1_000_000)))?.code).toBe('JSON_TOO_DEEP');
    });
    it('rejects input over the size limit with JSON_TOO_LARGE', () => {
      expect(failure(() => parseJson(utf8('[1,2,3]'), { maxBytes: 4 }))?.code).toBe('JSON_TOO_LARGE');
      expect(failure(() => parseJson('[1,2,3]', { maxBytes: 4 }))?.code).toBe('JSON_TOO_LARGE');
    });
  });

  describe('when the text is not strict JSON', () => {
    const cases: Array<[string, string]> = [
      ['', 'JSON_SYNTAX'],
      ['{', 'JSON_SYNTAX'],
      ['{"a":1,}', 'JSON_SYNTAX'],
      ['[1,]', 'JSON_SYNTAX'],
      ['01', 'JSON_SYNTAX'],
      ['1.', 'JSON_SYNTAX'],
      ['.5', 'JSON_SYNTAX'],
      ['+1', 'JSON_SYNTAX'],
      ['NaN', 'JSON_SYNTAX'],
      ['Infinity', 'JSON_SYNTAX'],
      ["{'a':1}", 'JSON_SYNTAX'],
      ['"\t"', 'JSON_SYNTAX'],
      ['"\\x41"', 'JSON_SYNTAX'],
      ['"\\u12"', 'JSON_SYNTAX'],
      ['{} {}', 'JSON_SYNTAX'],
      ['tru', 'JSON_SYNTAX'],
      ['1e400', 'JSON_NUMBER_OUT_OF_RANGE'],
      ['-1e400', 'JSON_NUMBER_OUT_OF_RANGE'],
      ['"\\ud800"', 'JSON_LONE_SURROGATE'],
      ['"\\udc00\\ud800"', 'JSON_LONE_SURROGATE'],
      ['{"\\ud800":1}', 'JSON_LONE_SURROGATE'],
      ['\ufeff{}', 'JSON_BOM'],
    ];
    it.each(cases)('%j fails with %s', (text, code) => {
      expect(failure(() => parseJson(text))?.code).toBe(code);
    });
    it('rejects malformed UTF-8 bytes and a UTF-8 BOM', () => {
      expect(failure(() => parseJson(new Uint8Array([0x22, 0xff, 0x22])))?.code).toBe('UTF8_INVALID');
      expect(failure(() => parseJson(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d])))?.code).toBe('JSON_BOM');
    });
    it('never throws anything but a LineproofError for arbitrary text', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary' }), (s) => {
          try {
            parseJson(s);
          } catch (e) {
            expect(e).toBeInstanceOf(LineproofError);
          }
        }),
        { numRuns: 500 },
      );
    });
    it('names the input in the path when told what it is', () => {
      expect(failure(() => parseJson('{"a":1,"a":2}', { what: 'envelope.json' }))?.path).toBe('a');
      expect(failure(() => parseJson('[', { what: 'envelope.json' }))?.code).toBe('JSON_SYNTAX');
    });
  });

  it('accepts surrogate pairs, escapes and exponents', () => {
    expect(parseJson('"\\ud83d\\ude00"')).toBe('😀');
    expect(parseJson('[1e2,-0.5,0,1E-2]')).toEqual([100, -0.5, 0, 0.01]);
    expect(parseJson(' {"a" : [ true , false , null ] } ')).toEqual({ a: [true, false, null] });
  });
});
