import { describe, expect, it } from 'vitest';
import {
  buildOmsManifest,
  diffOmsManifests,
  hashOmsEntries,
  omsRootDigest,
  omsSerialization,
  omsStatement,
  parseOmsStatement,
  reportSchema,
  sha256Hex,
  utf8,
  verifyOmsManifest,
  type OmsManifest,
} from '../../src/index.js';
import { readFixtureText } from '../helpers/fixtures.js';
import { codeOf } from '../helpers/codes.js';

const H = (s: string): string => sha256Hex(utf8(s));

describe('omsSerialization', () => {
  it('defaults to sha256 without symlinks, shard size 1,000,000,000 for shards', () => {
    expect(omsSerialization({ method: 'files' })).toEqual({
      method: 'files',
      hash_type: 'sha256',
      allow_symlinks: false,
    });
    expect(omsSerialization({ method: 'shards' })).toEqual({
      method: 'shards',
      hash_type: 'sha256',
      allow_symlinks: false,
      shard_size: 1_000_000_000,
    });
  });

  it('refuses shards with blake3 (model_signing would silently hash whole files) with OMS_UNSUPPORTED_COMBINATION', () => {
    expect(codeOf(() => omsSerialization({ method: 'shards', hashType: 'blake3' }))).toBe(
      'OMS_UNSUPPORTED_COMBINATION',
    );
    expect(codeOf(() => omsSerialization({ method: 'files', hashType: 'blake3' }))).toBeUndefined();
  });

  it('refuses a shard size for files, and an unknown hash type', () => {
    expect(codeOf(() => omsSerialization({ method: 'files', shardSize: 8 }))).toBe('OMS_UNSUPPORTED_COMBINATION');
    expect(codeOf(() => omsSerialization({ method: 'files', hashType: 'sha512' as never }))).toBe(
      'HASH_ALGORITHM_UNSUPPORTED',
    );
    expect(() => omsSerialization({ method: 'shards', shardSize: 0 })).toThrow(RangeError);
  });

  it('records ignore paths sorted and without a trailing slash, and refuses escaping ones', () => {
    expect(
      omsSerialization({ method: 'files', ignorePaths: ['model.sig', '.git/', '.gitignore'] }).ignore_paths,
    ).toEqual(['.git', '.gitignore', 'model.sig']);
    expect(codeOf(() => omsSerialization({ method: 'files', ignorePaths: ['../x'] }))).toBe(
      'MANIFEST_IGNORE_PATTERN_INVALID',
    );
  });
});

describe('buildOmsManifest', () => {
  const files = omsSerialization({ method: 'files' });
  const shards = omsSerialization({ method: 'shards', shardSize: 4 });

  it('sorts by path components in code-point order, then by shard offsets numerically', () => {
    const m = buildOmsManifest({
      modelName: 'm',
      serialization: shards,
      items: [
        { path: 'a-b', digest: H('1'), start: 0, end: 2 },
        { path: 'a/b', digest: H('2'), start: 8, end: 12 },
        { path: 'a/b', digest: H('3'), start: 0, end: 4 },
        { path: 'a/b', digest: H('4'), start: 4, end: 8 },
        { path: 'a/b', digest: H('5'), start: 12, end: 13 },
      ],
    });
    expect(m.resources.map((r) => r.name)).toEqual(['a/b:0:4', 'a/b:4:8', 'a/b:8:12', 'a/b:12:13', 'a-b:0:2']);
    expect(m.resources[0]!.algorithm).toBe('sha256-sharded-4');
  });

  it('computes the root as SHA-256 over the raw digests in order (always SHA-256, also for blake2b)', () => {
    const b2 = omsSerialization({ method: 'files', hashType: 'blake2b' });
    const d1 = 'aa'.repeat(64);
    const d2 = 'bb'.repeat(64);
    const m = buildOmsManifest({
      modelName: 'm',
      serialization: b2,
      items: [
        { path: 'y', digest: d2 },
        { path: 'x', digest: d1 },
      ],
    });
    expect(m.resources.map((r) => r.algorithm)).toEqual(['blake2b', 'blake2b']);
    const raw = new Uint8Array(128);
    raw.fill(0xaa, 0, 64);
    raw.fill(0xbb, 64);
    expect(m.rootDigest).toBe(sha256Hex(raw));
    expect(omsRootDigest([])).toBe(sha256Hex(new Uint8Array(0)));
  });

  it('refuses a ":" in a shard path (its names are path:start:end) with OMS_PATH_UNSUPPORTED, but allows it for files', () => {
    expect(
      codeOf(() =>
        buildOmsManifest({
          modelName: 'm',
          serialization: shards,
          items: [{ path: 'a:b', digest: H('x'), start: 0, end: 1 }],
        }),
      ),
    ).toBe('OMS_PATH_UNSUPPORTED');
    expect(
      codeOf(() =>
        buildOmsManifest({ modelName: 'm', serialization: files, items: [{ path: 'a:b', digest: H('x') }] }),
      ),
    ).toBeUndefined();
  });

  it('refuses shards that do not tile their file, duplicates and escapes', () => {
    const bad = [
      [
        { path: 'a', digest: H('x'), start: 0, end: 3 },
        { path: 'a', digest: H('x'), start: 4, end: 5 },
      ],
      [{ path: 'a', digest: H('x'), start: 4, end: 8 }],
      [{ path: 'a', digest: H('x'), start: 0, end: 5 }],
    ];
    for (const items of bad)
      expect(codeOf(() => buildOmsManifest({ modelName: 'm', serialization: shards, items }))).toBe(
        'OMS_PREDICATE_INVALID',
      );
    expect(
      codeOf(() =>
        buildOmsManifest({
          modelName: 'm',
          serialization: files,
          items: [
            { path: 'a', digest: H('1') },
            { path: 'a', digest: H('2') },
          ],
        }),
      ),
    ).toBe('MANIFEST_DUPLICATE_PATH');
    expect(
      codeOf(() =>
        buildOmsManifest({ modelName: 'm', serialization: files, items: [{ path: '../a', digest: H('1') }] }),
      ),
    ).toBe('MANIFEST_PATH_ESCAPE');
    expect(
      codeOf(() =>
        buildOmsManifest({
          modelName: 'm',
          serialization: files,
          items: [
            { path: '.', digest: H('1') },
            { path: 'b', digest: H('2') },
          ],
        }),
      ),
    ).toBe('OMS_PREDICATE_INVALID');
  });

  it('hashes blake2b and blake3 files in the pure core', async () => {
    for (const hashType of ['blake2b', 'blake3'] as const) {
      const m = await hashOmsEntries(
        [{ path: 'w', size: 3, source: utf8('abc') }],
        omsSerialization({ method: 'files', hashType }),
        { modelName: 'm' },
      );
      expect(m.resources[0]!.algorithm).toBe(hashType);
      expect(m.resources[0]!.digest).toHaveLength(hashType === 'blake2b' ? 128 : 64);
    }
  });

  it('fails a source that is not the declared size with HASH_SIZE_MISMATCH', async () => {
    await expect(
      hashOmsEntries(
        [{ path: 'w', size: 4, source: utf8('abc') }],
        omsSerialization({ method: 'shards', shardSize: 2 }),
        { modelName: 'm' },
      ),
    ).rejects.toMatchObject({ code: 'HASH_SIZE_MISMATCH' });
    await expect(
      hashOmsEntries([{ path: 'w', size: 2, source: utf8('abc') }], omsSerialization({ method: 'files' }), {
        modelName: 'm',
      }),
    ).rejects.toMatchObject({ code: 'HASH_SIZE_MISMATCH' });
  });
});

describe('parseOmsStatement', () => {
  const golden = (): Record<string, unknown> =>
    JSON.parse(readFixtureText('model-signing', 'goldens', 'payload', 'sample_model_folder_small_shards')) as Record<
      string,
      unknown
    >;
  const pred = (v: Record<string, unknown>): Record<string, unknown> => v.predicate as Record<string, unknown>;
  const res = (v: Record<string, unknown>): Record<string, unknown>[] => pred(v).resources as Record<string, unknown>[];

  it('reads a golden (shard_size 8.0 as printed by protobuf)', () => {
    const m = parseOmsStatement(JSON.stringify(golden()));
    expect(m.serialization).toEqual({ method: 'shards', hash_type: 'sha256', allow_symlinks: true, shard_size: 8 });
    expect(m.resources).toHaveLength(30);
    expect(m.modelName).toBe('sample_model');
  });

  it('accepts resources in any order (model_signing compares them as a map) and returns them sorted', () => {
    const v = golden();
    res(v).reverse();
    // the root digest is over the resources as listed, so re-sign it for the reversed order
    (v.subject as { digest: { sha256: string } }[])[0]!.digest.sha256 = omsRootDigest(res(v) as never);
    const m = parseOmsStatement(v as never);
    expect(m.resources.map((r) => r.name)).toEqual(parseOmsStatement(golden() as never).resources.map((r) => r.name));
  });

  const tampers: [string, (v: Record<string, unknown>) => void, string][] = [
    ['a changed resource digest', (v) => (res(v)[3]!.digest = H('tampered')), 'OMS_ROOT_DIGEST_MISMATCH'],
    ['a removed resource', (v) => res(v).pop(), 'OMS_ROOT_DIGEST_MISMATCH'],
    [
      'a wrong predicate type',
      (v) => (v.predicateType = 'https://model_signing/Digests/v0.1'),
      'OMS_PREDICATE_INVALID',
    ],
    [
      'two subjects',
      (v) => (v.subject as unknown[]).push({ name: 'x', digest: { sha256: H('x') } }),
      'OMS_PREDICATE_INVALID',
    ],
    [
      'an unknown method',
      (v) => ((pred(v).serialization as Record<string, unknown>).method = 'tensors'),
      'OMS_PREDICATE_INVALID',
    ],
    [
      'a resource algorithm not matching the serialization',
      (v) => (res(v)[0]!.algorithm = 'sha256'),
      'OMS_PREDICATE_INVALID',
    ],
    ['a malformed shard name', (v) => (res(v)[0]!.name = 'd0/f00:0'), 'OMS_PREDICATE_INVALID'],
    ['a non-canonical offset', (v) => (res(v)[0]!.name = 'd0/f00:00:8'), 'OMS_PREDICATE_INVALID'],
    ['a path escape', (v) => (res(v)[0]!.name = '../f00:0:8'), 'MANIFEST_PATH_ESCAPE'],
    ['a duplicate resource', (v) => (res(v)[1] = { ...res(v)[0]! }), 'MANIFEST_DUPLICATE_PATH'],
    [
      'shards with blake3',
      (v) => ((pred(v).serialization as Record<string, unknown>).hash_type = 'blake3'),
      'OMS_UNSUPPORTED_COMBINATION',
    ],
  ];
  for (const [name, f, code] of tampers) {
    it(`refuses ${name} with ${code}`, () => {
      const v = golden();
      f(v);
      if (code !== 'OMS_ROOT_DIGEST_MISMATCH' && code !== 'OMS_UNSUPPORTED_COMBINATION') {
        (v.subject as { digest: { sha256: string } }[])[0]!.digest.sha256 = omsRootDigest(
          (res(v) as { digest: string }[]).filter((r) => /^[0-9a-f]{64}$/.test(r.digest)) as never,
        );
      }
      expect(codeOf(() => parseOmsStatement(v as never))).toBe(code);
    });
  }

  it('ignores unknown fields (its v1.0 rule)', () => {
    const v = golden();
    pred(v).future = { x: 1 };
    (pred(v).serialization as Record<string, unknown>).chunk_size = 1048576;
    expect(() => parseOmsStatement(v as never)).not.toThrow();
  });
});

describe('verifyOmsManifest', () => {
  const ser = omsSerialization({ method: 'files' });
  const m = (items: [string, string][]): OmsManifest =>
    buildOmsManifest({ modelName: 'm', serialization: ser, items: items.map(([path, c]) => ({ path, digest: H(c) })) });

  it('passes when every resource matches', () => {
    const { report } = verifyOmsManifest(
      m([
        ['a', '1'],
        ['b', '2'],
      ]),
      m([
        ['b', '2'],
        ['a', '1'],
      ]),
    );
    expect(report.ok).toBe(true);
    expect(reportSchema.safeParse(report).success).toBe(true);
  });

  it('lists missing, extra and mismatched resources one by one', () => {
    const { report, diff } = verifyOmsManifest(
      m([
        ['a', '1'],
        ['b', '2'],
        ['c', '3'],
      ]),
      m([
        ['a', '1'],
        ['b', 'X'],
        ['d', '4'],
      ]),
    );
    expect(report.ok).toBe(false);
    expect(report.checks.filter((c) => c.status === 'fail').map((c) => [c.subject, c.code])).toEqual([
      ['c', 'MANIFEST_ITEM_MISSING'],
      ['d', 'MANIFEST_ITEM_EXTRA'],
      ['b', 'MANIFEST_ITEM_MISMATCH'],
    ]);
    expect(diff.matched).toEqual(['a']);
  });

  it('fails a different method or shard size with MANIFEST_HASHING_MISMATCH', () => {
    const sh = buildOmsManifest({
      modelName: 'm',
      serialization: omsSerialization({ method: 'shards', shardSize: 8 }),
      items: [],
    });
    expect(verifyOmsManifest(m([]), sh).report.checks[0]).toMatchObject({
      status: 'fail',
      code: 'MANIFEST_HASHING_MISMATCH',
    });
  });

  it('round-trips through its statement', () => {
    const x = m([
      ['a', '1'],
      ['b/c', '2'],
    ]);
    expect(diffOmsManifests(x, parseOmsStatement(omsStatement(x))).matched).toEqual(['a', 'b/c']);
  });
});
