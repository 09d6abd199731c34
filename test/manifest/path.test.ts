import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkManifestPath, checkPathSet, comparePaths, type ErrorCode } from '../../src/index.js';
// Internal helpers the path rules are built on (not part of the package's surface).
import { hasLoneSurrogate } from '../../src/bytes/index.js';
import { compareCodePoints } from '../../src/manifest/path.js';
import { codeOf } from '../helpers/codes.js';

describe('checkManifestPath', () => {
  const cases: [string, ErrorCode | undefined][] = [
    ['weights/model-00001.safetensors', undefined],
    ['a', undefined],
    ['.hidden/file', undefined],
    ['dir/..data', undefined],
    ['café/ñ.bin', undefined],
    ['', 'MANIFEST_PATH_EMPTY'],
    ['/etc/passwd', 'MANIFEST_PATH_ABSOLUTE'],
    ['../outside', 'MANIFEST_PATH_ESCAPE'],
    ['a/../../b', 'MANIFEST_PATH_ESCAPE'],
    ['a/..', 'MANIFEST_PATH_ESCAPE'],
    ['./a', 'MANIFEST_PATH_DOT_SEGMENT'],
    ['a/./b', 'MANIFEST_PATH_DOT_SEGMENT'],
    ['a\\b', 'MANIFEST_PATH_BACKSLASH'],
    ['..\\..\\windows', 'MANIFEST_PATH_BACKSLASH'],
    ['a//b', 'MANIFEST_PATH_EMPTY_SEGMENT'],
    ['a/', 'MANIFEST_PATH_EMPTY_SEGMENT'],
    ['a\nb', 'MANIFEST_PATH_CONTROL_CHAR'],
    ['a\u0000b', 'MANIFEST_PATH_CONTROL_CHAR'],
    ['a\u001b[31mred', 'MANIFEST_PATH_CONTROL_CHAR'],
    ['a\u007f', 'MANIFEST_PATH_CONTROL_CHAR'],
    ['bad\ud800name', 'MANIFEST_PATH_NOT_UTF8'],
  ];
  for (const [p, code] of cases) {
    it(`${JSON.stringify(p)} -> ${code ?? 'accepted'}`, () => {
      expect(codeOf(() => checkManifestPath(p, 'p'))).toBe(code);
    });
  }

  it('a path escape, an absolute path and a backslash each have their own code', () => {
    const codes = ['../x', '/x', 'a\\x'].map((p) => codeOf(() => checkManifestPath(p)));
    expect(new Set(codes).size).toBe(3);
  });

  it('lenient mode (model_signing) allows backslashes and control characters but never an escape', () => {
    expect(codeOf(() => checkManifestPath('a\\b', 'p', { lenient: true }))).toBeUndefined();
    expect(codeOf(() => checkManifestPath('a\nb', 'p', { lenient: true }))).toBeUndefined();
    expect(codeOf(() => checkManifestPath('../a', 'p', { lenient: true }))).toBe('MANIFEST_PATH_ESCAPE');
    expect(codeOf(() => checkManifestPath('/a', 'p', { lenient: true }))).toBe('MANIFEST_PATH_ABSOLUTE');
  });

  it('refuses a non-string with SCHEMA_INVALID', () => {
    expect(codeOf(() => checkManifestPath(42))).toBe('SCHEMA_INVALID');
  });
});

describe('comparePaths (model_signing order)', () => {
  it('compares component by component: "a/b" before "a-b" before "a0"', () => {
    expect(['a0', 'a-b', 'a/b', 'a'].sort(comparePaths)).toEqual(['a', 'a/b', 'a-b', 'a0']);
  });

  it('orders by code point, not UTF-16 unit: U+FFFD before U+1F600', () => {
    expect(compareCodePoints('\uFFFD', '\u{1F600}')).toBeLessThan(0);
    expect('\uFFFD' < '\u{1F600}').toBe(false); // what a naive JS sort would do
    expect(['\u{1F600}', '\uFFFD', 'z', 'é'].sort(compareCodePoints)).toEqual(['z', 'é', '\uFFFD', '\u{1F600}']);
  });

  const segment = fc
    .string({ unit: 'binary', minLength: 1, maxLength: 4 })
    .filter((s) => !s.includes('/') && !hasLoneSurrogate(s));
  const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => s.join('/'));
  const cps = (s: string): number[] => [...s].map((c) => c.codePointAt(0)!);
  const lex = (a: number[], b: number[]): number => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
    return a.length - b.length;
  };
  const reference = (a: string, b: string): number => {
    const x = a.split('/');
    const y = b.split('/');
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      const c = lex(cps(x[i]!), cps(y[i]!));
      if (c !== 0) return c;
    }
    return x.length - y.length;
  };

  it('agrees with a reference (tuples of code-point sequences, as Python compares them) on random paths', () => {
    fc.assert(
      fc.property(path, path, (a, b) => {
        expect(Math.sign(comparePaths(a, b))).toBe(Math.sign(reference(a, b)));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('checkPathSet', () => {
  it('accepts distinct paths', () => {
    expect(() => checkPathSet(['a', 'b/c', 'b/d', 'bc'])).not.toThrow();
  });

  it('refuses a duplicate with MANIFEST_DUPLICATE_PATH', () => {
    expect(codeOf(() => checkPathSet(['a/b', 'c', 'a/b']))).toBe('MANIFEST_DUPLICATE_PATH');
  });

  describe('when two names are equal after NFC normalization', () => {
    it('refuses precomposed and decomposed é as file names (MANIFEST_NFC_COLLISION)', () => {
      expect(codeOf(() => checkPathSet(['caf\u00e9', 'cafe\u0301']))).toBe('MANIFEST_NFC_COLLISION');
    });

    it('refuses them as directory names even with different files inside', () => {
      expect(codeOf(() => checkPathSet(['caf\u00e9/a', 'cafe\u0301/b']))).toBe('MANIFEST_NFC_COLLISION');
    });

    it('refuses KELVIN SIGN against K (a singleton normalizing to ASCII)', () => {
      expect(codeOf(() => checkPathSet(['\u212a.bin', 'K.bin']))).toBe('MANIFEST_NFC_COLLISION');
    });

    it('has a code distinct from duplicates', () => {
      expect(codeOf(() => checkPathSet(['x', 'x']))).not.toBe(codeOf(() => checkPathSet(['\u00e9', 'e\u0301'])));
    });
  });

  it('refuses a path that is both a file and a directory (MANIFEST_PATH_CONFLICT)', () => {
    expect(codeOf(() => checkPathSet(['a', 'a/b']))).toBe('MANIFEST_PATH_CONFLICT');
    expect(codeOf(() => checkPathSet(['a/b/c', 'a/b']))).toBe('MANIFEST_PATH_CONFLICT');
  });
});

describe('checkPathSet against a reference (one string per prefix, NFC per segment)', () => {
  function reference(paths: string[]): string {
    const seen = new Map<string, { raw: string; file: boolean }>();
    for (const p of paths) {
      const parts = p.split('/');
      for (let k = 0; k < parts.length; k++) {
        const raw = parts.slice(0, k + 1).join('/');
        const key = parts
          .slice(0, k + 1)
          .map((s) => s.normalize('NFC'))
          .join('/');
        const file = k === parts.length - 1;
        const prev = seen.get(key);
        if (!prev) seen.set(key, { raw, file });
        else if (prev.raw !== raw) return 'MANIFEST_NFC_COLLISION';
        else if (file && prev.file) return 'MANIFEST_DUPLICATE_PATH';
        else if (file !== prev.file) return 'MANIFEST_PATH_CONFLICT';
      }
    }
    return 'OK';
  }
  const outcome = (paths: string[]): string => {
    try {
      checkPathSet(paths);
      return 'OK';
    } catch (e) {
      return (e as { code: string }).code;
    }
  };
  it('gives the same verdict on any set of paths (property)', () => {
    const seg = fc.constantFrom('a', 'b', 'é', 'e\u0301', 'x.bin', 'A');
    fc.assert(
      fc.property(
        fc.array(
          fc.array(seg, { minLength: 1, maxLength: 3 }).map((s) => s.join('/')),
          { maxLength: 8 },
        ),
        (ps) => {
          expect(outcome(ps)).toBe(reference(ps));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
