/**
 * Hash parts in the core (src/interop/parts/): for any listing, N and unit shape, the parts that
 * planPart cuts, hashed here independently (node:crypto), merge into exactly the root, manifest or
 * model_signing manifest computed in one piece; and every way a set of parts can be wrong — a part
 * dropped, doubled, an entry lost or moved into two parts, another configuration — is refused
 * with its code, never merged into a digest.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineproofError } from '../../src/errors.js';
import { toHex } from '../../src/bytes/index.js';
import { treeRoot } from '../../src/hashing/tree.js';
import { buildManifest, manifestDigestText } from '../../src/manifest/build.js';
import { buildOmsManifest } from '../../src/interop/oms/manifest.js';
import { omsSerialization } from '../../src/interop/oms/serialization.js';
import { mergeHashParts } from '../../src/interop/parts/merge.js';
import {
  listingDigest,
  parseHashPart,
  partOfOffset,
  planPart,
  sortListing,
  unitShape,
  type HashPart,
  type HashPartConfig,
  type HashPartFormat,
} from '../../src/interop/parts/part.js';

const L = 65536;

function content(path: string, size: number): Uint8Array {
  const seed = createHash('sha256').update(path).digest();
  return new Uint8Array(size).map((_, i) => (seed[i % 32]! + i * 7) & 255);
}

const sha = (alg: string, b: Uint8Array): string => createHash(alg).update(b).digest('hex');

interface Case {
  files: { path: string; size: number }[];
  parts: number;
  format: HashPartFormat;
  algorithm: string;
  shardSize?: number;
}

function config(c: Case): HashPartConfig {
  const sorted = sortListing(c.files);
  return {
    parts: c.parts,
    path: 'model',
    name: 'model',
    kind: 'directory',
    format: c.format,
    algorithm: c.algorithm,
    ...(c.shardSize !== undefined ? { shardSize: c.shardSize } : {}),
    ignore: c.format === 'lineproof' ? ['*.intoto.jsonl', '.git/', 'model.sig'] : [],
    allowSymlinks: false,
    ignored: [],
    skipped: [],
    files: sorted.length,
    size: sorted.reduce((n, f) => n + f.size, 0),
    listing: listingDigest(sorted),
  };
}

/** Every part of a case, hashed here from the plan. */
function makeParts(c: Case): HashPart[] {
  const cfg = config(c);
  const shape = unitShape(cfg);
  const sorted = sortListing(c.files);
  return Array.from({ length: c.parts }, (_, k) => ({
    partVersion: 1 as const,
    part: k + 1,
    config: cfg,
    entries: planPart(sorted, shape, k + 1, c.parts).map((e) => {
      const bytes = content(e.path, e.size);
      if (shape.unit === 'file') return { path: e.path, size: e.size, digest: sha(c.algorithm, bytes) };
      const digests: string[] = [];
      for (let u = e.first!; u < e.end!; u++) {
        const unit = bytes.subarray(u * shape.bytes, Math.min(e.size, (u + 1) * shape.bytes));
        digests.push(
          shape.unit === 'leaf'
            ? createHash('sha256')
                .update(new Uint8Array([0]))
                .update(unit)
                .digest('hex')
            : sha(c.algorithm === 'blake2b' ? 'blake2b512' : c.algorithm, unit),
        );
      }
      return { path: e.path, size: e.size, first: e.first!, end: e.end!, digests };
    }),
  }));
}

/** What one machine computes for the case, without any part code. */
function whole(c: Case): string {
  if (c.format === 'lineproof') {
    const tree = c.algorithm.startsWith('sha256-tree-v1-');
    const items = c.files.map((f) => {
      const b = content(f.path, f.size);
      return {
        path: f.path,
        size: f.size,
        digest: { [c.algorithm]: tree ? toHex(treeRoot(b, L)) : sha(c.algorithm, b) },
      };
    });
    return manifestDigestText(buildManifest(items, { algorithms: [c.algorithm], ignore: config(c).ignore }));
  }
  const s = omsSerialization({
    method: c.format === 'oms-files' ? 'files' : 'shards',
    hashType: c.algorithm as 'sha256',
    ...(c.shardSize ? { shardSize: c.shardSize } : {}),
  });
  const node = c.algorithm === 'blake2b' ? 'blake2b512' : c.algorithm;
  const items = c.files.flatMap((f) => {
    const b = content(f.path, f.size);
    if (c.format === 'oms-files') return [{ path: f.path, digest: sha(node, b) }];
    const out = [];
    for (let st = 0; st < f.size; st += c.shardSize!)
      out.push({
        path: f.path,
        start: st,
        end: Math.min(f.size, st + c.shardSize!),
        digest: sha(node, b.subarray(st, st + c.shardSize!)),
      });
    return out;
  });
  return buildOmsManifest({ modelName: 'model', serialization: s, items }).rootDigest;
}

function merged(parts: HashPart[]): string {
  const m = mergeHashParts(parts);
  if (m.result === 'manifest') return manifestDigestText(m.manifest);
  if (m.result === 'oms') return m.manifest.rootDigest;
  return m.root;
}

const segment = fc.constantFrom('a', 'b', 'w', 'a-b', 'é', 'x.bin');
const arbCase: fc.Arbitrary<Case> = fc
  .record({
    paths: fc.uniqueArray(
      fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/')),
      {
        minLength: 1,
        maxLength: 6,
      },
    ),
    sizes: fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5 * L + 3 })), { minLength: 6, maxLength: 6 }),
    parts: fc.integer({ min: 1, max: 9 }),
    kind: fc.constantFrom('sha256', 'sha512', 'tree', 'oms-files', 'oms-shards'),
  })
  // A path that is also another path's folder cannot be in one tree.
  .filter(({ paths }) => !paths.some((p) => paths.some((q) => q.startsWith(`${p}/`))))
  .map(({ paths, sizes, parts, kind }) => ({
    files: paths.map((path, i) => ({ path, size: sizes[i]! })),
    parts,
    format: kind === 'oms-files' || kind === 'oms-shards' ? kind : 'lineproof',
    algorithm: kind === 'tree' ? `sha256-tree-v1-${L}` : kind === 'sha512' ? 'sha512' : 'sha256',
    ...(kind === 'oms-shards' ? { shardSize: 40_000 } : {}),
  }));

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof LineproofError) return e.code;
    throw e;
  }
  return 'OK';
}

describe('hash parts: the share', () => {
  it('partOfOffset cuts [0, size) into N contiguous ranges, integer-exact past 2^53 / N', () => {
    expect(partOfOffset(0, 100, 4)).toBe(1);
    expect(partOfOffset(24, 100, 4)).toBe(1);
    expect(partOfOffset(25, 100, 4)).toBe(2);
    expect(partOfOffset(99, 100, 4)).toBe(4);
    expect(partOfOffset(0, 0, 7)).toBe(1);
    const big = Number.MAX_SAFE_INTEGER;
    expect(partOfOffset(big - 1, big, 65536)).toBe(65536);
    expect(partOfOffset(Math.floor(big / 2), big, 2)).toBe(1);
  });
  it('every unit is in exactly one part (property)', () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const parts = makeParts(c);
        const seen = new Map<string, number>();
        for (const p of parts)
          for (const e of p.entries) {
            if (e.first === undefined) seen.set(e.path, (seen.get(e.path) ?? 0) + 1);
            else
              for (let u = e.first; u < Math.max(e.end!, e.first + 1); u++)
                seen.set(`${e.path}#${u}`, (seen.get(`${e.path}#${u}`) ?? 0) + 1);
          }
        for (const v of seen.values()) expect(v).toBe(1);
        expect(new Set([...seen.keys()].map((k) => k.split('#')[0]))).toEqual(new Set(c.files.map((f) => f.path)));
      }),
      { numRuns: 150 },
    );
  });
});

describe('hash parts: merge', () => {
  it('the merge of all parts is what one machine computes, whatever N and shape (property)', () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const parts = makeParts(c);
        const order = [...parts].reverse();
        expect(merged(order)).toBe(whole(c));
        // Each part survives a JSON round trip and the strict reader.
        expect(merged(parts.map((p) => parseHashPart(JSON.parse(JSON.stringify(p)))))).toBe(merged(parts));
      }),
      { numRuns: 120 },
    );
  });
  it('a single file by leaves merges to its chunk-tree root', () => {
    const size = 7 * L + 5;
    const c: Case = { files: [{ path: '.', size }], parts: 3, format: 'lineproof', algorithm: `sha256-tree-v1-${L}` };
    const parts = makeParts(c).map((p) => ({ ...p, config: { ...p.config, kind: 'file' as const } }));
    const m = mergeHashParts(parts);
    expect(m.result === 'tree' && m.root).toBe(toHex(treeRoot(content('.', size), L)));
  });
  it('refuses, with its code, every set of parts that is not one complete cut (property)', () => {
    fc.assert(
      fc.property(
        arbCase.filter((c) => c.parts >= 2),
        fc.nat(),
        fc.nat(),
        (c, a, b) => {
          const parts = makeParts(c);
          const i = a % parts.length;
          const withEntries = parts.filter((p) => p.entries.length > 0);
          expect(code(() => mergeHashParts(parts.filter((_, k) => k !== i)))).toBe('HASH_PART_MISSING');
          expect(code(() => mergeHashParts([...parts, parts[i]!]))).toBe('HASH_PART_DUPLICATE');
          const other = { ...parts[i]!, config: { ...parts[i]!.config, parts: c.parts + 1 } };
          expect(code(() => mergeHashParts(parts.map((p, k) => (k === i ? other : p))))).toBe('HASH_PART_MISMATCH');
          const alg = { ...parts[i]!, config: { ...parts[i]!.config, ignore: ['other/'] } };
          expect(code(() => mergeHashParts(parts.map((p, k) => (k === i ? alg : p))))).toBe('HASH_PART_MISMATCH');
          if (withEntries.length === 0) return;
          const victim = withEntries[b % withEntries.length]!;
          const e = victim.entries[b % victim.entries.length]!;
          const lost = parts.map((p) => (p === victim ? { ...p, entries: p.entries.filter((x) => x !== e) } : p));
          expect(code(() => mergeHashParts(lost))).toBe('HASH_PART_INCOMPLETE');
          const host = parts.find((p) => p !== victim)!;
          const twice = parts.map((p) => (p === host ? { ...p, entries: [...p.entries, e] } : p));
          expect(code(() => mergeHashParts(twice))).toBe('HASH_PART_OVERLAP');
          const resized = parts.map((p) =>
            p === victim ? { ...p, entries: p.entries.map((x) => (x === e ? { ...x, size: x.size + 1 } : x)) } : p,
          );
          expect(['HASH_PART_MISMATCH', 'HASH_PART_INCOMPLETE', 'HASH_PART_OVERLAP']).toContain(
            code(() => mergeHashParts(resized)),
          );
        },
      ),
      { numRuns: 120 },
    );
  });
  it('no part at all is HASH_PART_MISSING', () => {
    expect(code(() => mergeHashParts([]))).toBe('HASH_PART_MISSING');
  });
});

describe('hash parts: the strict reader', () => {
  const good = makeParts({
    files: [{ path: 'w', size: 3 * L }],
    parts: 2,
    format: 'lineproof',
    algorithm: `sha256-tree-v1-${L}`,
  })[0]!;
  it.each([
    ['another version', { ...good, partVersion: 2 }],
    ['an unknown field', { ...good, extra: 1 }],
    ['part 0', { ...good, part: 0 }],
    ['part above N', { ...good, part: 3 }],
    ['a bad listing digest', { ...good, config: { ...good.config, listing: 'AB' } }],
    [
      'a stream algorithm for a single file',
      { ...good, config: { ...good.config, kind: 'file', algorithm: 'sha256' } },
    ],
    ['a shard size outside oms-shards', { ...good, config: { ...good.config, shardSize: 5 } }],
    [
      'a unit range past the file',
      { ...good, entries: [{ path: 'w', size: L, first: 0, end: 2, digests: ['0'.repeat(64), '0'.repeat(64)] }] },
    ],
    [
      'fewer digests than units',
      { ...good, entries: [{ path: 'w', size: 3 * L, first: 0, end: 2, digests: ['0'.repeat(64)] }] },
    ],
    ['uppercase hex', { ...good, entries: [{ path: 'w', size: L, first: 0, end: 1, digests: ['A'.repeat(64)] }] }],
    ['a whole-file digest in a tree part', { ...good, entries: [{ path: 'w', size: L, digest: '0'.repeat(64) }] }],
    ['not an object', [1, 2]],
  ])('refuses %s (HASH_PART_INVALID)', (_, value) => {
    expect(code(() => parseHashPart(value))).toBe('HASH_PART_INVALID');
  });
  it('never throws anything but HASH_PART_INVALID on mutated parts (property)', () => {
    const text = JSON.stringify(good);
    fc.assert(
      fc.property(fc.nat(text.length - 1), fc.integer({ min: 32, max: 126 }), (at, ch) => {
        let value: unknown;
        try {
          value = JSON.parse(text.slice(0, at) + String.fromCharCode(ch) + text.slice(at + 1));
        } catch {
          return;
        }
        expect(['OK', 'HASH_PART_INVALID']).toContain(code(() => parseHashPart(value)));
      }),
      { numRuns: 1500 },
    );
  });
});
