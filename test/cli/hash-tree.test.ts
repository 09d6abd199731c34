import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { treeRoot } from '../../src/hashing/tree.js';
import { toHex } from '../../src/bytes/index.js';

const L = 65536;
const dir = mkdtempSync(join(tmpdir(), 'lineproof-hash-tree-'));
const bytes = new Uint8Array(9 * L + 17).map((_, i) => (i * 13 + 1) % 256);
writeFileSync(join(dir, 'weights.bin'), bytes);
mkdirSync(join(dir, 'model'));
writeFileSync(join(dir, 'model', 'weights.bin'), bytes);
writeFileSync(join(dir, 'model', 'config.json'), '{"layers":2}');

describe('lineproof hash --tree', () => {
  it('a file: whole-file sha256 and the tree digest from one read, on workers', async () => {
    const r = await cli([
      'hash',
      join(dir, 'weights.bin'),
      '--tree',
      '--leaf-bytes',
      String(L),
      '--workers',
      '2',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.digest).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
    expect(out.treeDigest).toBe(`sha256-tree-v1-${L}:${toHex(treeRoot(bytes, L))}`);
    expect(out.subject.digest[`sha256-tree-v1-${L}`]).toBe(toHex(treeRoot(bytes, L)));
  });
  it('the human output prints both digests', async () => {
    const r = await cli(['hash', join(dir, 'weights.bin'), '--tree', '--leaf-bytes', String(L)]);
    expect(r.stdout).toMatch(/^sha256:[0-9a-f]{64} {2}/m);
    expect(r.stdout).toMatch(/^sha256-tree-v1-65536:[0-9a-f]{64} {2}/m);
  });
  it('a directory: every manifest item carries the tree digest', async () => {
    const r = await cli(['hash', join(dir, 'model'), '--tree', '--leaf-bytes', String(L), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const item = out.manifest.items.find((i: { path: string }) => i.path === 'weights.bin');
    expect(item.digest[`sha256-tree-v1-${L}`]).toBe(toHex(treeRoot(bytes, L)));
    expect(out.manifest.hashing.algorithms).toEqual(['sha256', `sha256-tree-v1-${L}`]);
  });
  it.each([
    [['--leaf-bytes', String(L)]],
    [['--tree', '--leaf-bytes', '1000']],
    [['--tree', '--format', 'oms-files']],
    [['--workers', '2']],
  ])('usage error %j exits 2', async (extra) => {
    expect((await cli(['hash', join(dir, 'weights.bin'), ...extra])).code).toBe(2);
  });
});

describe('lineproof hash --alg sha256-tree (the tree alone)', () => {
  const root = toHex(treeRoot(bytes, L));
  it('a file: the chunk-tree digest is the subject digest, no whole-file sha256', async () => {
    const r = await cli([
      'hash',
      join(dir, 'weights.bin'),
      '--alg',
      'sha256-tree',
      '--leaf-bytes',
      String(L),
      '--workers',
      '2',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.digest).toBe(`sha256-tree-v1-${L}:${root}`);
    expect(out.subject.digest).toEqual({ [`sha256-tree-v1-${L}`]: root });
    // the same on one thread and with the default worker count
    for (const w of ['0', '1']) {
      const one = await cli([
        'hash',
        join(dir, 'weights.bin'),
        '--alg',
        'sha256-tree',
        '--leaf-bytes',
        String(L),
        '--workers',
        w,
      ]);
      expect(one.stdout.split(/\s+/)[0]).toBe(`sha256-tree-v1-${L}:${root}`);
    }
  });
  it('a directory: its manifest lists the tree digest of every file, and only it', async () => {
    const r = await cli(['hash', join(dir, 'model'), '--alg', 'sha256-tree', '--leaf-bytes', String(L), '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.manifest.hashing.algorithms).toEqual([`sha256-tree-v1-${L}`]);
    const w = out.manifest.items.find((i: { path: string }) => i.path === 'weights.bin');
    expect(w.digest).toEqual({ [`sha256-tree-v1-${L}`]: root });
  });
  it('refuses --tree with it, the oms formats, and an unknown --alg naming the choices', async () => {
    const both = await cli(['hash', join(dir, 'weights.bin'), '--alg', 'sha256-tree', '--tree']);
    expect(both.code).toBe(2);
    const oms = await cli(['hash', join(dir, 'model'), '--alg', 'sha256-tree', '--format', 'oms-files']);
    expect(oms.code).toBe(2);
    const bad = await cli(['hash', join(dir, 'weights.bin'), '--alg', 'md5']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('sha256-tree');
  });
});
