import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  assertVerified,
  buildManifest,
  completeRehash,
  diffManifests,
  isVerifiedManifest,
  manifestBytes,
  manifestDigestText,
  planRehash,
  reportSchema,
  sha256Hex,
  utf8,
  verifyManifest,
  type Manifest,
  type StatHint,
  type VerifiedManifest,
} from '../../src/index.js';

const H = (s: string): string => sha256Hex(utf8(s));
const item = (path: string, content: string): { path: string; size: number; digest: { sha256: string } } => ({
  path,
  size: utf8(content).length,
  digest: { sha256: H(content) },
});
const hint = (n: number, size: number): StatHint => ({
  size,
  mtimeNs: BigInt(n) * 1000n,
  ctimeNs: BigInt(n) * 1000n + 1n,
  ino: BigInt(100 + n),
  dev: 7n,
});

const FILES: Record<string, string> = { 'a.txt': 'alpha', 'b/c.bin': 'charlie', 'b/d.bin': 'delta', 'e.json': '{}' };
const signed = (): Manifest => buildManifest(Object.entries(FILES).map(([p, c]) => item(p, c)));
const hintsFor = (files: Record<string, string>): Record<string, StatHint> =>
  Object.fromEntries(Object.entries(files).map(([p, c], i) => [p, hint(i, utf8(c).length)]));

describe('verifyManifest', () => {
  describe('when the files match the attested manifest', () => {
    it('passes, reports each step, and returns a VerifiedManifest', () => {
      const m = signed();
      const { report, verified, diff, notChecked } = verifyManifest(
        manifestBytes(m),
        { manifest: signed(), hints: hintsFor(FILES) },
        { expectedDigest: manifestDigestText(m), payloadDigest: `sha256:${H('payload')}` },
      );
      expect(report.ok).toBe(true);
      expect(() => assertVerified(report)).not.toThrow();
      expect(reportSchema.safeParse(report).success).toBe(true);
      expect(report.checks.map((c) => `${c.id}:${c.status}`)).toEqual([
        'manifest.parse:pass',
        'manifest.digest:pass',
        'manifest.actual:pass',
        'manifest.hashing:pass',
        'manifest.ignore:pass',
        'manifest.items:pass',
      ]);
      expect(diff.matched).toHaveLength(4);
      expect(notChecked).toEqual([]);
      expect(isVerifiedManifest(verified)).toBe(true);
      expect(verified!.manifestDigest).toBe(manifestDigestText(m));
      expect(verified!.payloadDigest).toBe(`sha256:${H('payload')}`);
      expect(verified!.verifiedPaths).toEqual(['a.txt', 'b/c.bin', 'b/d.bin', 'e.json']);
      expect(Object.keys(verified!.hints)).toHaveLength(4);
      expect(Object.isFrozen(verified) && Object.isFrozen(verified!.hints)).toBe(true);
    });

    it('says so when no expected digest was given (skip), and still verifies', () => {
      const { report } = verifyManifest(signed(), signed());
      expect(report.ok).toBe(true);
      expect(report.checks.find((c) => c.id === 'manifest.digest')).toMatchObject({ status: 'skip' });
    });
  });

  describe('when files differ', () => {
    it('lists missing, extra, changed and resized files one by one with expected and actual', () => {
      const now = { ...FILES, 'new.txt': 'surprise', 'e.json': '[]', 'a.txt': 'alpha!' } as Record<string, string>;
      delete now['b/d.bin'];
      const actual = buildManifest(Object.entries(now).map(([p, c]) => item(p, c)));
      const { report, verified, diff } = verifyManifest(signed(), actual, {
        expectedDigest: manifestDigestText(signed()),
      });
      expect(report.ok).toBe(false);
      expect(verified).toBeNull();
      const failed = report.checks.filter((c) => c.status === 'fail').map((c) => [c.subject, c.code]);
      expect(failed).toEqual([
        ['b/d.bin', 'MANIFEST_ITEM_MISSING'],
        ['new.txt', 'MANIFEST_ITEM_EXTRA'],
        ['a.txt', 'MANIFEST_ITEM_SIZE_MISMATCH'],
        ['e.json', 'MANIFEST_ITEM_MISMATCH'],
      ]);
      const changed = report.checks.find((c) => c.subject === 'e.json')!;
      expect(changed.expected).toBe(`sha256:${H('{}')} (2 bytes)`);
      expect(changed.actual).toBe(`sha256:${H('[]')} (2 bytes)`);
      expect(diff.mismatched.map((m) => [m.path, m.reason])).toEqual([
        ['a.txt', 'size'],
        ['e.json', 'digest'],
      ]);
      expect(diff.matched).toEqual(['b/c.bin']);
    });

    it('fails MANIFEST_DIGEST_MISMATCH when the manifest is not the attested one', () => {
      const other = buildManifest([item('a.txt', 'tampered')]);
      const { report, verified } = verifyManifest(other, other, { expectedDigest: manifestDigestText(signed()) });
      expect(report.checks.find((c) => c.status === 'fail')).toMatchObject({
        id: 'manifest.digest',
        code: 'MANIFEST_DIGEST_MISMATCH',
      });
      expect(verified).toBeNull();
    });

    it('fails MANIFEST_HASHING_MISMATCH and MANIFEST_IGNORE_MISMATCH on configuration differences', () => {
      const sha512 = buildManifest([{ path: 'a.txt', size: 5, digest: { sha512: '0'.repeat(128) } }], {
        algorithms: ['sha512'],
      });
      expect(verifyManifest(signed(), sha512).report.checks.find((c) => c.status === 'fail')!.code).toBe(
        'MANIFEST_HASHING_MISMATCH',
      );
      const noIgnore = buildManifest(
        Object.entries(FILES).map(([p, c]) => item(p, c)),
        { ignore: [] },
      );
      const r = verifyManifest(signed(), noIgnore).report;
      expect(r.ok).toBe(false);
      expect(r.checks.find((c) => c.status === 'fail')!.code).toBe('MANIFEST_IGNORE_MISMATCH');
    });
  });

  describe('when only a subset is checked', () => {
    it('checks the subset, lists every other item as not checked, and says extras were not looked for', () => {
      const actual = buildManifest([item('a.txt', 'alpha'), item('b/c.bin', 'charlie')]);
      const { report, verified, notChecked } = verifyManifest(signed(), actual, { subset: ['a.txt', 'b/c.bin'] });
      expect(report.ok).toBe(true);
      expect(notChecked).toEqual(['b/d.bin', 'e.json']);
      const skips = report.checks.filter((c) => c.status === 'skip').map((c) => [c.subject, c.code]);
      expect(skips).toEqual([
        [expect.any(String), 'OK'], // no expected digest given
        ['b/d.bin', 'MANIFEST_ITEM_NOT_CHECKED'],
        ['e.json', 'MANIFEST_ITEM_NOT_CHECKED'],
        [expect.any(String), 'MANIFEST_EXTRA_NOT_CHECKED'],
      ]);
      expect(verified!.verifiedPaths).toEqual(['a.txt', 'b/c.bin']);
    });

    it('fails a subset path the manifest does not list', () => {
      const { report } = verifyManifest(signed(), signed(), { subset: ['a.txt', 'nope.bin'] });
      expect(report.checks.find((c) => c.status === 'fail')).toMatchObject({
        code: 'MANIFEST_SUBSET_PATH_UNKNOWN',
        subject: 'nope.bin',
      });
    });

    it('still fails a changed file inside the subset', () => {
      const actual = buildManifest([item('a.txt', 'ALPHA')]);
      expect(verifyManifest(signed(), actual, { subset: ['a.txt'] }).report.ok).toBe(false);
    });
  });

  it('never throws on untrusted input: garbage becomes a failed manifest.parse check (fast-check)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.uint8Array({ maxLength: 200 }), fc.string()), (input) => {
        const { report, verified } = verifyManifest(input, signed(), {
          expectedDigest: manifestDigestText(signed()),
        });
        expect(report.ok).toBe(false);
        expect(verified).toBeNull();
      }),
      { numRuns: 300 },
    );
  });

  it('throws only for a malformed expectedDigest or payloadDigest (caller misuse)', () => {
    expect(() => verifyManifest(signed(), signed(), { expectedDigest: 'sha256:xyz' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(() => verifyManifest(signed(), signed(), { payloadDigest: `sha512:${'0'.repeat(128)}` })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});

describe('diffManifests', () => {
  it('refuses to compare manifests of different algorithms', () => {
    const sha512 = buildManifest([], { algorithms: ['sha512'] });
    expect(() => diffManifests(signed(), sha512)).toThrow(
      expect.objectContaining({ code: 'MANIFEST_HASHING_MISMATCH' }),
    );
  });
});

describe('incremental re-hash (core)', () => {
  function verifiedWith(hints: Record<string, StatHint>): VerifiedManifest {
    const { verified } = verifyManifest(
      signed(),
      { manifest: signed(), hints },
      { expectedDigest: manifestDigestText(signed()), payloadDigest: `sha256:${H('payload')}` },
    );
    return verified!;
  }

  it('reuses only paths whose five stat fields are unchanged; hashes the rest', () => {
    const hints = hintsFor(FILES);
    const v = verifiedWith(hints);
    const current: Record<string, StatHint> = {
      'a.txt': hints['a.txt']!,
      'b/c.bin': { ...hints['b/c.bin']!, mtimeNs: hints['b/c.bin']!.mtimeNs + 1n },
      'b/d.bin': { ...hints['b/d.bin']!, ino: 999n },
      'e.json': { ...hints['e.json']!, ctimeNs: 1n },
      'new.bin': hint(9, 3),
    };
    const plan = planRehash(v, current);
    expect(plan.reuse.map((i) => i.path)).toEqual(['a.txt']);
    expect(plan.hash).toEqual(['b/c.bin', 'b/d.bin', 'e.json', 'new.bin']);
    expect(plan.removed).toEqual([]);
    const res = completeRehash(v, plan, [
      item('b/c.bin', 'charlie'),
      item('b/d.bin', 'delta'),
      item('e.json', '{}'),
      item('new.bin', 'new'),
    ]);
    expect(res.reused).toEqual(['a.txt']);
    expect(res.hashed).toEqual(['b/c.bin', 'b/d.bin', 'e.json', 'new.bin']);
    expect(res.reusedFrom).toEqual({
      manifestDigest: manifestDigestText(signed()),
      payloadDigest: `sha256:${H('payload')}`,
    });
    expect(res.manifest.items.map((i) => i.path)).toEqual(['a.txt', 'b/c.bin', 'b/d.bin', 'e.json', 'new.bin']);
  });

  it('never reuses a path verified without a stat hint', () => {
    const v = verifiedWith({});
    expect(planRehash(v, hintsFor(FILES)).reuse).toEqual([]);
  });

  it('lists removed files', () => {
    const hints = hintsFor(FILES);
    const v = verifiedWith(hints);
    const { 'e.json': _gone, ...rest } = hints;
    expect(planRehash(v, rest).removed).toEqual(['e.json']);
  });

  describe('when the manifest was not verified', () => {
    it('refuses a plain manifest, a copy of a VerifiedManifest, and a hand-made one (MANIFEST_NOT_VERIFIED)', () => {
      const v = verifiedWith(hintsFor(FILES));
      const forged = [
        signed(),
        { ...v },
        {
          manifest: signed(),
          manifestDigest: manifestDigestText(signed()),
          payloadDigest: null,
          verifiedPaths: Object.keys(FILES),
          hints: hintsFor(FILES),
        },
      ];
      for (const f of forged) {
        expect(() => planRehash(f as unknown as VerifiedManifest, hintsFor(FILES))).toThrow(
          expect.objectContaining({ code: 'MANIFEST_NOT_VERIFIED' }),
        );
        expect(() =>
          completeRehash(f as unknown as VerifiedManifest, { reuse: [], hash: [], removed: [] }, []),
        ).toThrow(expect.objectContaining({ code: 'MANIFEST_NOT_VERIFIED' }));
      }
    });

    it('is a type error to pass a look-alike without the brand (and a run-time error too)', () => {
      const lookAlike = {
        manifest: signed(),
        manifestDigest: manifestDigestText(signed()),
        payloadDigest: null,
        verifiedPaths: [] as string[],
        hints: {},
      };
      // The brand makes these compile-time errors (checked by `tsc -p tsconfig.json`, which fails
      // if an @ts-expect-error line has no error); at run time they throw.
      // @ts-expect-error an object with every field but the brand is not a VerifiedManifest
      expect(() => planRehash(lookAlike, {})).toThrow(expect.objectContaining({ code: 'MANIFEST_NOT_VERIFIED' }));
      // @ts-expect-error a Manifest is not a VerifiedManifest
      expect(() => planRehash(signed(), {})).toThrow(expect.objectContaining({ code: 'MANIFEST_NOT_VERIFIED' }));
    });

    it('a failed verification produces no VerifiedManifest', () => {
      const { verified } = verifyManifest(signed(), buildManifest([item('a.txt', 'x')]));
      expect(verified).toBeNull();
      expect(isVerifiedManifest(null)).toBe(false);
    });
  });
});
