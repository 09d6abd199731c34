import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { treeRoot } from '../../src/hashing/tree.js';
import { toHex } from '../../src/bytes/index.js';

const L = 65536;
const dir = mkdtempSync(join(tmpdir(), 'lineproof-proof-'));
const bytes = new Uint8Array(5 * L + 321).map((_, i) => (i * 7 + 3) % 256);
const model = join(dir, 'model.bin');
writeFileSync(model, bytes);
const digest = `sha256-tree-v1-${L}:${toHex(treeRoot(bytes, L))}`;

describe('lineproof hash prove / check-proof', () => {
  it('proves a byte range and checks it from the file and from the bytes alone', async () => {
    const out = join(dir, 'range.proof.json');
    const r = await cli(
      ['hash', 'prove', model, '--range', `${L - 10}:${2 * L + 5}`, '--leaf-bytes', String(L), '--out', out],
      { cwd: dir },
    );
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.digest).toBe(digest);
    expect(doc.proofs.map((p: { leafIndex: number }) => p.leafIndex)).toEqual([0, 1, 2]);
    const fromFile = await cli(['hash', 'check-proof', '--proof', out, '--digest', digest, '--file', model]);
    expect(fromFile.code, fromFile.stdout + fromFile.stderr).toBe(0);
    const part = join(dir, 'part.bin');
    writeFileSync(part, bytes.subarray(0, 3 * L));
    const fromChunk = await cli(['hash', 'check-proof', '--proof', out, '--digest', digest, '--chunk', part, '--json']);
    expect(fromChunk.code).toBe(0);
    expect(JSON.parse(fromChunk.stdout).leaves).toHaveLength(3);
  });

  it('proves the short last leaf', async () => {
    const r = await cli(['hash', 'prove', model, '--leaf', '5', '--leaf-bytes', String(L)]);
    expect(r.code).toBe(0);
    const out = join(dir, 'last.proof.json');
    writeFileSync(out, r.stdout);
    expect((await cli(['hash', 'check-proof', '--proof', out, '--digest', digest, '--file', model])).code).toBe(0);
  });

  describe('when the evidence is wrong', () => {
    it('a tampered chunk fails with exit 1 and TREE_PROOF_MISMATCH', async () => {
      const out = join(dir, 'one.proof.json');
      writeFileSync(out, (await cli(['hash', 'prove', model, '--leaf', '1', '--leaf-bytes', String(L)])).stdout);
      const part = join(dir, 'bad.bin');
      const bad = bytes.slice(L, 2 * L);
      bad[100]! ^= 1;
      writeFileSync(part, bad);
      const r = await cli(['hash', 'check-proof', '--proof', out, '--digest', digest, '--chunk', part]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/TREE_PROOF_MISMATCH/);
    });
    it('a different trusted digest fails with exit 1', async () => {
      const out = join(dir, 'one.proof.json');
      const other = `sha256-tree-v1-${L}:${'00'.repeat(32)}`;
      expect((await cli(['hash', 'check-proof', '--proof', out, '--digest', other, '--file', model])).code).toBe(1);
    });
    it('a malformed proof document fails with exit 1', async () => {
      const out = join(dir, 'junk.json');
      writeFileSync(out, '{"proofVersion":1,"proofVersion":1}');
      const r = await cli(['hash', 'check-proof', '--proof', out, '--digest', digest, '--file', model]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/JSON_DUPLICATE_KEY/);
    });
  });

  describe('usage errors exit 2', () => {
    it.each([
      [['hash', 'prove', model]],
      [['hash', 'prove', model, '--leaf', '1', '--range', '0:1']],
      [['hash', 'prove', model, '--leaf', '99', '--leaf-bytes', String(L)]],
      [['hash', 'prove', model, '--range', '5:1']],
      [['hash', 'prove', model, '--leaf', '0', '--leaf-bytes', '1000']],
      [['hash', 'prove', join(dir, 'missing'), '--leaf', '0']],
      [['hash', 'check-proof', '--proof', 'x', '--digest', `sha256:${'00'.repeat(32)}`, '--file', model]],
      [['hash', 'check-proof', '--digest', digest, '--file', model]],
    ])('%j', async (args) => {
      expect((await cli(args)).code).toBe(2);
    });
  });
});
