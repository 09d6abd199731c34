import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_IGNORE,
  MANIFEST_MEDIA_TYPE,
  buildManifest,
  hashManifest,
  ignoreMatcher,
  isLineproofError,
  manifestBytes,
  manifestDigest,
  manifestDigestText,
  manifestSubject,
  normalizeIgnore,
  parseManifest,
  sha256Hex,
  utf8,
  type Manifest,
} from '../../src/index.js';
import { codeOf } from '../helpers/codes.js';

const H = (s: string): string => sha256Hex(utf8(s));

// The example of spec/manifests.md.
const EXAMPLE_JCS =
  '{"hashing":{"algorithms":["sha256"]},"ignore":["*.intoto.jsonl",".git/","model.sig"],"items":[' +
  '{"digest":{"sha256":"44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},"path":"config.json","size":2},' +
  '{"digest":{"sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},"path":"weights/model.safetensors","size":3}],"version":1}';
const EXAMPLE_DIGEST = 'sha256:11c59fcde820585a728777a3271cc985b4727cdacfc9d97f53f910e384059d9e';

function example(): Manifest {
  return buildManifest([
    { path: 'weights/model.safetensors', size: 3, digest: { sha256: H('abc') } },
    { path: 'config.json', size: 2, digest: { sha256: H('{}') } },
  ]);
}

describe('buildManifest', () => {
  it('produces the canonical bytes and digest of the spec example', () => {
    const m = example();
    expect(new TextDecoder().decode(manifestBytes(m))).toBe(EXAMPLE_JCS);
    expect(manifestDigestText(m)).toBe(EXAMPLE_DIGEST);
    expect(manifestDigest(m)).toEqual({ sha256: EXAMPLE_DIGEST.slice(7) });
    expect(manifestSubject(m, 'my-model')).toEqual({
      name: 'my-model',
      digest: { sha256: EXAMPLE_DIGEST.slice(7) },
      mediaType: MANIFEST_MEDIA_TYPE,
    });
  });

  it('records the default ignore list and the hashing configuration', () => {
    const m = example();
    expect(m.ignore).toEqual(['*.intoto.jsonl', '.git/', 'model.sig']);
    expect(m.hashing).toEqual({ algorithms: ['sha256'] });
    expect(m.version).toBe(1);
  });

  it('does not depend on the order items are given in', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(['a', 'b/c', 'b-c', 'B', 'é', '\u{1F600}', 'z/z/z', 'a0'], { minLength: 1 }),
        (paths) => {
          const items = paths.map((p) => ({ path: p, size: p.length, digest: { sha256: H(p) } }));
          const one = manifestDigestText(buildManifest(items));
          const other = manifestDigestText(buildManifest([...items].reverse()));
          expect(one).toBe(other);
        },
      ),
    );
  });

  it('is deep-frozen', () => {
    const m = example();
    expect(
      Object.isFrozen(m) &&
        Object.isFrozen(m.items) &&
        Object.isFrozen(m.items[0]) &&
        Object.isFrozen(m.items[0]!.digest),
    ).toBe(true);
    expect(() => {
      (m.items[0]!.digest as Record<string, string>).sha256 = H('evil');
    }).toThrow(TypeError);
  });

  it('carries several algorithms when asked, sorted', () => {
    const m = buildManifest([{ path: 'x', size: 1, digest: { sha512: '0'.repeat(128), sha256: '1'.repeat(64) } }], {
      algorithms: ['sha512', 'sha256'],
    });
    expect(m.hashing.algorithms).toEqual(['sha256', 'sha512']);
  });

  describe('when an item is bad', () => {
    const cases: [string, unknown, string][] = [
      ['path escape', { path: '../x', size: 1, digest: { sha256: H('x') } }, 'MANIFEST_PATH_ESCAPE'],
      ['absolute path', { path: '/x', size: 1, digest: { sha256: H('x') } }, 'MANIFEST_PATH_ABSOLUTE'],
      ['negative size', { path: 'x', size: -1, digest: { sha256: H('x') } }, 'SCHEMA_INVALID'],
      ['fractional size', { path: 'x', size: 1.5, digest: { sha256: H('x') } }, 'SCHEMA_INVALID'],
      ['short digest', { path: 'x', size: 1, digest: { sha256: 'abcd' } }, 'SCHEMA_INVALID'],
      ['uppercase digest', { path: 'x', size: 1, digest: { sha256: H('x').toUpperCase() } }, 'SCHEMA_INVALID'],
      ['missing algorithm', { path: 'x', size: 1, digest: { sha512: '0'.repeat(128) } }, 'SCHEMA_INVALID'],
      ['extra algorithm', { path: 'x', size: 1, digest: { sha256: H('x'), md5: '0'.repeat(32) } }, 'SCHEMA_INVALID'],
      ['ignored item', { path: 'model.sig', size: 1, digest: { sha256: H('x') } }, 'MANIFEST_ITEM_IGNORED'],
      ['ignored directory', { path: '.git/config', size: 1, digest: { sha256: H('x') } }, 'MANIFEST_ITEM_IGNORED'],
    ];
    for (const [name, item, code] of cases) {
      it(`refuses a ${name} with ${code}`, () => {
        expect(codeOf(() => buildManifest([item as never]))).toBe(code);
      });
    }

    it('refuses duplicates and NFC collisions across items', () => {
      const d = { size: 0, digest: { sha256: H('') } };
      expect(
        codeOf(() =>
          buildManifest([
            { path: 'a', ...d },
            { path: 'a', ...d },
          ]),
        ),
      ).toBe('MANIFEST_DUPLICATE_PATH');
      expect(
        codeOf(() =>
          buildManifest([
            { path: '\u00e9', ...d },
            { path: 'e\u0301', ...d },
          ]),
        ),
      ).toBe('MANIFEST_NFC_COLLISION');
    });

    it('refuses an unsupported algorithm', () => {
      expect(codeOf(() => buildManifest([], { algorithms: ['md5'] }))).toBe('HASH_ALGORITHM_UNSUPPORTED');
      expect(codeOf(() => buildManifest([], { algorithms: ['sha256-tree-v1-1000'] }))).toBe(
        'HASH_ALGORITHM_UNSUPPORTED',
      );
      expect(codeOf(() => buildManifest([], { algorithms: ['sha256-tree-v1-1048576'] }))).toBeUndefined();
    });

    it('enforces the item limit', () => {
      const d = { size: 0, digest: { sha256: H('') } };
      expect(
        codeOf(() =>
          buildManifest(
            [
              { path: 'a', ...d },
              { path: 'b', ...d },
            ],
            { limits: { manifestItems: 1 } },
          ),
        ),
      ).toBe('LIMIT_EXCEEDED');
    });
  });
});

describe('ignore patterns', () => {
  it('anchors at the root, * within a segment, ** across segments, trailing / for directories', () => {
    const m = ignoreMatcher(['.git/', '*.intoto.jsonl', 'model.sig', 'cache/**/*.tmp', 'logs']);
    expect(m.ignoresFile('.git/objects/ab/cdef')).toBe(true);
    expect(m.ignoresFile('chain.intoto.jsonl')).toBe(true);
    expect(m.ignoresFile('sub/chain.intoto.jsonl')).toBe(false);
    expect(m.ignoresFile('model.sig')).toBe(true);
    expect(m.ignoresFile('sub/model.sig')).toBe(false);
    expect(m.ignoresFile('cache/x.tmp')).toBe(true);
    expect(m.ignoresFile('cache/a/b/x.tmp')).toBe(true);
    expect(m.ignoresFile('cache/a/b/x.bin')).toBe(false);
    expect(m.ignoresFile('logs')).toBe(true);
    expect(m.ignoresFile('logs/today')).toBe(true);
    expect(m.matchesEntry('.git', false)).toBe(false); // a file named .git is not the directory
    expect(m.matchesEntry('.git', true)).toBe(true);
    expect(m.ignoresFile('weights.bin')).toBe(false);
  });

  it('treats regex characters literally', () => {
    const m = ignoreMatcher(['a+b(c).[x]']);
    expect(m.ignoresFile('a+b(c).[x]')).toBe(true);
    expect(m.ignoresFile('aab(c).x')).toBe(false);
  });

  it('refuses malformed patterns with MANIFEST_IGNORE_PATTERN_INVALID', () => {
    for (const p of ['../x', '/x', 'a//b', 'a\\b', '', 'a**b/c']) {
      expect(codeOf(() => normalizeIgnore([p]))).toBe('MANIFEST_IGNORE_PATTERN_INVALID');
    }
  });

  it('the default list is sorted and canonical', () => {
    expect(normalizeIgnore(DEFAULT_IGNORE)).toEqual([...DEFAULT_IGNORE]);
  });
});

describe('parseManifest', () => {
  it('round-trips the canonical bytes', () => {
    const m = example();
    const back = parseManifest(manifestBytes(m));
    expect(back).toEqual(m);
    expect(manifestDigestText(back)).toBe(EXAMPLE_DIGEST);
  });

  it('round-trips any valid manifest (fast-check)', () => {
    const seg = fc.stringMatching(/^[a-zA-Z0-9_é\u{1F600}-]{1,6}$/u);
    const item = fc.record({
      path: fc.array(seg, { minLength: 1, maxLength: 3 }).map((s) => s.join('/')),
      size: fc.nat(),
      digest: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => ({ sha256: Buffer.from(b).toString('hex') })),
    });
    fc.assert(
      fc.property(fc.uniqueArray(item, { selector: (i) => i.path, maxLength: 20 }), (items) => {
        let m: Manifest;
        try {
          m = buildManifest(items, { ignore: [] });
        } catch (e) {
          // a generated set may put a file where another path needs a directory
          expect(isLineproofError(e, 'MANIFEST_PATH_CONFLICT')).toBe(true);
          return;
        }
        expect(parseManifest(manifestBytes(m))).toEqual(m);
      }),
      { numRuns: 200 },
    );
  });

  describe('when the manifest is not one this version reads', () => {
    const base = JSON.parse(EXAMPLE_JCS) as Record<string, unknown>;
    const variant = (f: (v: Record<string, unknown>) => void): string => {
      const v = structuredClone(base);
      f(v);
      return JSON.stringify(v);
    };
    const items = (v: Record<string, unknown>): Record<string, unknown>[] => v.items as Record<string, unknown>[];
    const cases: [string, string, string][] = [
      ['version 2', variant((v) => (v.version = 2)), 'MANIFEST_VERSION_UNSUPPORTED'],
      ['an unknown top-level field', variant((v) => (v.extra = true)), 'SCHEMA_INVALID'],
      ['an unknown item field', variant((v) => (items(v)[0]!.mode = 644)), 'SCHEMA_INVALID'],
      ['a missing field', variant((v) => delete v.ignore), 'SCHEMA_INVALID'],
      ['unsorted items', variant((v) => items(v).reverse()), 'MANIFEST_NOT_CANONICAL'],
      ['an unsorted ignore list', variant((v) => (v.ignore as string[]).reverse()), 'MANIFEST_NOT_CANONICAL'],
      ['a repeated ignore pattern', variant((v) => (v.ignore = ['a', 'a'])), 'MANIFEST_NOT_CANONICAL'],
      ['a path escape', variant((v) => (items(v)[0]!.path = '../config.json')), 'MANIFEST_PATH_ESCAPE'],
      ['an absolute path', variant((v) => (items(v)[0]!.path = '/config.json')), 'MANIFEST_PATH_ABSOLUTE'],
      ['a backslash', variant((v) => (items(v)[0]!.path = 'c\\onfig.json')), 'MANIFEST_PATH_BACKSLASH'],
      ['a duplicate path', variant((v) => (items(v)[1]!.path = 'config.json')), 'MANIFEST_DUPLICATE_PATH'],
      [
        'an item its own ignore list excludes',
        variant((v) => (items(v)[1]!.path = 'model.sig')),
        'MANIFEST_ITEM_IGNORED',
      ],
      ['a duplicate key', EXAMPLE_JCS.replace('"version":1', '"version":1,"version":1'), 'JSON_DUPLICATE_KEY'],
      [
        'a wrong digest length',
        variant((v) => ((items(v)[0]!.digest as Record<string, string>).sha256 = 'ab')),
        'SCHEMA_INVALID',
      ],
    ];
    for (const [name, text, code] of cases) {
      it(`refuses ${name} with ${code}`, () => {
        expect(codeOf(() => parseManifest(text))).toBe(code);
      });
    }
  });

  it('accepts non-canonical whitespace but digests the canonical bytes', () => {
    const pretty = JSON.stringify(JSON.parse(EXAMPLE_JCS), null, 2);
    expect(manifestDigestText(parseManifest(pretty))).toBe(EXAMPLE_DIGEST);
  });

  it('any single-byte change of the canonical bytes is refused or changes the digest (fast-check)', () => {
    const bytes = utf8(EXAMPLE_JCS);
    fc.assert(
      fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), (i, x) => {
        const t = bytes.slice();
        t[i] = t[i]! ^ x;
        let m: Manifest;
        try {
          m = parseManifest(t);
        } catch (e) {
          expect(isLineproofError(e)).toBe(true);
          return;
        }
        expect(manifestDigestText(m)).not.toBe(EXAMPLE_DIGEST);
      }),
      { numRuns: 500 },
    );
  });
});

describe('hashManifest (pure core, from byte sources)', () => {
  it('hashes entries, skips ignored ones without opening them, and equals a manifest built from digests', async () => {
    let opened = false;
    const r = await hashManifest([
      { path: 'weights/model.safetensors', source: utf8('abc') },
      { path: 'config.json', size: 2, source: () => [utf8('{'), utf8('}')] },
      {
        path: '.git/HEAD',
        source: () => {
          opened = true;
          return utf8('x');
        },
      },
    ]);
    expect(opened).toBe(false);
    expect(r.ignored).toEqual(['.git/HEAD']);
    expect(r.size).toBe(5);
    expect(manifestDigestText(r.manifest)).toBe(EXAMPLE_DIGEST);
  });

  it('fails a truncated source with HASH_SIZE_MISMATCH and checks paths before reading', async () => {
    await expect(hashManifest([{ path: 'a', size: 10, source: utf8('abc') }])).rejects.toMatchObject({
      code: 'HASH_SIZE_MISMATCH',
    });
    let read = false;
    const src = (): Uint8Array => {
      read = true;
      return utf8('x');
    };
    await expect(
      hashManifest([
        { path: 'ok', source: src },
        { path: '../evil', source: src },
      ]),
    ).rejects.toMatchObject({ code: 'MANIFEST_PATH_ESCAPE' });
    expect(read).toBe(false);
  });

  it('stops with ABORTED', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(hashManifest([{ path: 'a', source: utf8('abc') }], { signal: ac.signal })).rejects.toMatchObject({
      code: 'ABORTED',
    });
  });
});
