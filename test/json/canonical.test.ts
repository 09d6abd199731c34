import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { canonicalBytes, canonicalJson, canonicalPieces } from '../../src/json/canonical.js';
import { parseJson } from '../../src/json/strict.js';
import { LineproofError } from '../../src/errors.js';
import { listFixtures, readFixture } from '../helpers/fixtures.js';
import { codeOf } from '../helpers/codes.js';

describe('canonicalJson (RFC 8785)', () => {
  // fixtures/jcs: cyberphone/json-canonicalization testdata (see fixtures/README.md)
  const names = listFixtures('jcs', 'input');
  it('has the vectors', () => expect(names.length).toBe(6));
  it.each(names)('vector %s canonicalizes to the expected bytes', (name) => {
    const input = parseJson(readFixture('jcs', 'input', name));
    expect(canonicalBytes(input)).toEqual(readFixture('jcs', 'output', name));
  });

  it('is idempotent: canonical(parse(canonical(x))) === canonical(x)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const once = canonicalJson(v);
        expect(canonicalJson(parseJson(once))).toBe(once);
      }),
      { numRuns: 500 },
    );
  });

  it('does not depend on key insertion order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })), (o) => {
        const reversed = Object.fromEntries(Object.entries(o).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(o));
      }),
    );
  });

  describe('when the value cannot be carried by JSON', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    class Point {
      x = 1;
    }
    const cases: Array<[string, unknown]> = [
      ['undefined at top', undefined],
      ['undefined in object', { a: undefined }],
      ['undefined in array', [1, undefined]],
      ['NaN', { n: NaN }],
      ['Infinity', [Infinity]],
      ['BigInt', { n: 1n }],
      ['function', { f: () => 1 }],
      ['symbol', { s: Symbol('x') }],
      ['cycle', cyclic],
      ['Date', { d: new Date(0) }],
      ['Map', new Map()],
      ['class instance', new Point()],
      ['Uint8Array', { b: new Uint8Array(1) }],
      // eslint-disable-next-line no-sparse-arrays -- a hole is the point: canonical JSON must refuse it
      ['sparse array', [1, , 3]],
      ['lone surrogate', { s: '\ud800' }],
      ['lone surrogate key', { '\udc00': 1 }],
      ['toJSON', { toJSON: () => 1 }],
    ];
    it.each(cases)('%s is refused with JSON_NOT_REPRESENTABLE', (_name, value) => {
      expect(codeOf(() => canonicalJson(value))).toBe('JSON_NOT_REPRESENTABLE');
    });
    it('a value nested deeper than 64 is refused with JSON_TOO_DEEP', () => {
      let v: unknown = 1;
      for (let i = 0; i < 65; i++) v = [v];
      expect(codeOf(() => canonicalJson(v))).toBe('JSON_TOO_DEEP');
    });
    it('reports the path of the bad value', () => {
      try {
        canonicalJson({ a: [{ b: NaN }] });
        expect.unreachable();
      } catch (e) {
        expect((e as LineproofError).path).toBe('a[0].b');
      }
    });
  });

  it('accepts null-prototype objects and writes -0 as 0', () => {
    const o = Object.create(null) as Record<string, unknown>;
    o.b = -0;
    o.a = 'x';
    expect(canonicalJson(o)).toBe('{"a":"x","b":0}');
  });
});

describe('canonicalPieces (streamed canonical JSON)', () => {
  const joined = (v: unknown): string => {
    let t = '';
    canonicalPieces(v, (p) => (t += p));
    return t;
  };
  it('concatenates to exactly canonicalJson, for any JSON value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(joined(v)).toBe(canonicalJson(v));
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ maxDepth: 2 })), (o) => {
        expect(joined(o)).toBe(canonicalJson(o));
      }),
      { numRuns: 300 },
    );
  });
  it('refuses what canonicalJson refuses', () => {
    expect(() => joined({ a: Number.NaN })).toThrow(LineproofError);
    expect(() => joined({ a: undefined })).toThrow();
  });
});
