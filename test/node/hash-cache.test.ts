/**
 * The producer's re-hash cache (`hash DIR --cache FILE`, src/node/hash-cache.ts): after any edits,
 * the cached re-hash gives exactly the digest a full hash gives; unchanged files are not read; a
 * file rewritten with its mtime restored is caught (ctime); a cache that is tampered with, of
 * another directory or of other algorithms is not used, and the reason says why.
 */
import { readFileSync, rmSync, statSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashDirectoryCached } from '../../src/node/hash-cache.js';
import { hashDirectory } from '../../src/node/hash-tree.js';
import { cli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

// no racy window: every file gets a hint at once (the tests restore mtimes on purpose)
const OPTS = { racyWindowMs: 0 };

function dataset(n = 20): string {
  const d = tempDir();
  for (let i = 0; i < n; i++) writeFileSync(join(d, `part-${i}.csv`), `id,value\n${i},${i * i}\n`);
  return d;
}

describe('hashDirectoryCached', () => {
  it('reads only what changed, and gives the full hash digest', async () => {
    const d = dataset();
    const cache = join(tempDir(), 'cache.json');
    const first = await hashDirectoryCached(d, cache, OPTS);
    expect(first.cache).toEqual({ used: false, reason: 'no cache yet' });
    const again = await hashDirectoryCached(d, cache, OPTS);
    expect(again.cache).toEqual({ used: true, reused: 20, hashed: 0, removed: 0 });
    expect(again.tree.digest).toBe(first.tree.digest);
    writeFileSync(join(d, 'part-3.csv'), 'id,value\n3,10\n');
    writeFileSync(join(d, 'part-new.csv'), 'id,value\n');
    rmSync(join(d, 'part-7.csv'));
    const third = await hashDirectoryCached(d, cache, OPTS);
    expect(third.cache).toEqual({ used: true, reused: 18, hashed: 2, removed: 1 });
    expect(third.tree.digest).toBe((await hashDirectory(d)).digest);
  });

  it('a file rewritten in place with its size and mtime restored is caught through ctime', async () => {
    const d = dataset(3);
    const f = join(d, 'part-1.csv');
    // whole seconds, so the mtime can be restored exactly (utimes takes seconds as a float)
    utimesSync(f, 1_700_000_000, 1_700_000_000);
    const cache = join(tempDir(), 'cache.json');
    await hashDirectoryCached(d, cache, OPTS);
    const before = statSync(f, { bigint: true });
    const text = readFileSync(f, 'utf8');
    writeFileSync(f, text.replace('1,1', '1,2'));
    utimesSync(f, 1_700_000_000, 1_700_000_000);
    const after = statSync(f, { bigint: true });
    expect(after.mtimeNs).toBe(before.mtimeNs);
    expect(after.size).toBe(before.size);
    const r = await hashDirectoryCached(d, cache, OPTS);
    expect(r.cache).toMatchObject({ used: true, hashed: 1 });
    expect(r.tree.digest).toBe((await hashDirectory(d)).digest);
  });

  it('a tampered cache, another directory and other algorithms are not used (full hash, reason given)', async () => {
    const d = dataset(4);
    const cache = join(tempDir(), 'cache.json');
    const first = await hashDirectoryCached(d, cache, OPTS);
    const doc = JSON.parse(readFileSync(cache, 'utf8'));
    doc.manifest.items[0].digest.sha256 = '00'.repeat(32);
    writeFileSync(cache, JSON.stringify(doc));
    const tampered = await hashDirectoryCached(d, cache, OPTS);
    expect(tampered.cache).toEqual({
      used: false,
      reason: 'the cached manifest does not digest to the digest recorded',
    });
    expect(tampered.tree.digest).toBe(first.tree.digest);
    const other = dataset(4);
    const foreign = await hashDirectoryCached(other, cache, OPTS);
    expect(foreign.cache.used).toBe(false);
    expect((foreign.cache as { reason: string }).reason).toContain('another directory');
    const sha512 = await hashDirectoryCached(other, cache, { ...OPTS, algorithms: ['sha512'] });
    expect((sha512.cache as { reason: string }).reason).toContain('algorithms sha256');
    writeFileSync(cache, 'not json');
    expect((await hashDirectoryCached(d, cache, OPTS)).cache.used).toBe(false);
  });

  it('after any sequence of edits the cached digest is the full digest', async () => {
    const d = dataset(6);
    mkdirSync(join(d, 'sub'));
    const cache = join(tempDir(), 'cache.json');
    await hashDirectoryCached(d, cache, OPTS);
    const edit = fc.record({
      file: fc.constantFrom('part-0.csv', 'part-5.csv', 'sub/x.csv', 'new.csv'),
      op: fc.constantFrom('write', 'remove', 'same-size', 'touch-back'),
      byte: fc.integer({ min: 0, max: 255 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 4 }), async (edits) => {
        for (const e of edits) {
          const f = join(d, e.file);
          let st;
          try {
            st = statSync(f);
          } catch {
            st = undefined;
          }
          if (e.op === 'remove') rmSync(f, { force: true });
          else if (e.op === 'write') writeFileSync(f, `v ${e.byte}\n`);
          else if (st) {
            const b = readFileSync(f);
            b[0] = e.byte;
            writeFileSync(f, b);
            if (e.op === 'touch-back') utimesSync(f, st.atime, st.mtime);
          }
        }
        const r = await hashDirectoryCached(d, cache, OPTS);
        expect(r.tree.digest).toBe((await hashDirectory(d)).digest);
      }),
      { numRuns: 25 },
    );
  });
});

describe('lineproof hash --cache', () => {
  it('prints what the cache saved, in --json too, and refuses a file or a tree', async () => {
    const d = dataset(5);
    const cache = join(tempDir(), 'c.json');
    const a = await cli(['hash', d, '--cache', cache]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toContain('cache: not used (no cache yet)');
    const b = await cli(['hash', d, '--cache', cache, '--json']);
    const out = JSON.parse(b.stdout);
    expect(out.cache.used).toBeDefined();
    expect(out.digest).toBe(JSON.parse((await cli(['hash', d, '--json'])).stdout).digest);
    expect((await cli(['hash', join(d, 'part-1.csv'), '--cache', cache])).code).toBe(2);
    expect((await cli(['hash', d, '--cache', cache, '--tree'])).code).toBe(2);
  });
});
