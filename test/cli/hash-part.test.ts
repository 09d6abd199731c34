/**
 * `lineproof hash --part I/N` and `lineproof hash merge`: for every shape a user hashes (a file's
 * chunk tree, a directory of whole files or of leaves, model_signing files and shards), merging
 * the N parts prints byte for byte what `hash PATH --json` prints on one machine; a missing,
 * doubled, foreign or overlapping part is refused with its code; signed parts are checked
 * against the worker keys given.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { tempDir, tempTree } from '../helpers/tmp.js';

const L = 65536;
function bytes(n: number, seed: number): Uint8Array {
  return new Uint8Array(n).map((_, i) => (i * 31 + seed * 7 + (i >> 9)) & 255);
}
function model(): string {
  return tempTree({
    'weights-1.bin': bytes(9 * L + 11, 1),
    'weights-2.bin': bytes(5 * L, 2),
    'config.json': '{"layers":2}',
    'tok/vocab.txt': 'a\nb\n',
    'empty.bin': new Uint8Array(0),
    'run.intoto.jsonl': '{}\n',
  });
}

async function parts(path: string, n: number, flags: string[], dir: string): Promise<string[]> {
  const out: string[] = [];
  for (let i = 1; i <= n; i++) {
    const f = join(dir, `part-${i}.json`);
    const r = await cli(['hash', path, ...flags, '--part', `${i}/${n}`, '--out', f]);
    expect(r.code, r.stderr).toBe(0);
    out.push(f);
  }
  return out;
}

describe('lineproof hash --part / hash merge', () => {
  it.each([
    ['a directory, sha256', 3, ['--alg', 'sha256']],
    ['a directory, blake2b', 2, ['--alg', 'blake2b']],
    ['a directory, chunk-tree leaves', 4, ['--alg', 'sha256-tree', '--leaf-bytes', String(L)]],
    ['model_signing shards', 5, ['--format', 'oms-shards', '--shard-size', '100000']],
    ['model_signing files, blake3', 2, ['--format', 'oms-files', '--alg', 'blake3']],
    ['one part', 1, ['--alg', 'sha256-tree']],
  ])('%s: merge --json prints exactly what hash --json prints', async (_, n, flags) => {
    const dir = tempDir();
    const root = model();
    const one = await cli(['hash', root, ...flags, '--json']);
    expect(one.code, one.stderr).toBe(0);
    const files = await parts(root, n, flags, dir);
    const merged = await cli(['hash', 'merge', ...files.reverse(), '--json']);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toBe(one.stdout);
    expect(merged.stderr).toMatch(/worker signatures not checked/);
  });

  it('a single large file spreads over parts by leaves; merge --out is refused (no manifest)', async () => {
    const dir = tempDir();
    const file = join(dir, 'w.bin');
    writeFileSync(file, bytes(13 * L + 1, 3));
    const flags = ['--alg', 'sha256-tree', '--leaf-bytes', String(L)];
    const one = await cli(['hash', file, ...flags, '--json']);
    const files = await parts(file, 4, flags, dir);
    for (const f of files) expect(JSON.parse(readFileSync(f, 'utf8')).entries).toHaveLength(1);
    const merged = await cli(['hash', 'merge', ...files, '--json']);
    expect(merged.stdout).toBe(one.stdout);
    expect((await cli(['hash', 'merge', ...files, '--out', join(dir, 'm.json')])).code).toBe(2);
    // A stream digest cannot be split.
    const r = await cli(['hash', file, '--part', '1/2', '--out', join(dir, 'x.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/splits into parts only by chunk-tree leaves/);
  });

  it('parts hashed at different mount points merge (the listing is the same); part 1 names the path', async () => {
    const dir = tempDir();
    const root = model();
    const copy = join(dir, 'elsewhere', 'model');
    cpSync(root, copy, { recursive: true });
    const a = join(dir, 'a.json');
    const b = join(dir, 'b.json');
    expect((await cli(['hash', copy, '--part', '2/2', '--out', b])).code).toBe(0);
    expect((await cli(['hash', root, '--part', '1/2', '--out', a])).code).toBe(0);
    const merged = await cli(['hash', 'merge', b, a, '--json']);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toBe((await cli(['hash', root, '--json'])).stdout);
  });

  it('merge --out writes the same manifest hash --out writes', async () => {
    const dir = tempDir();
    const root = model();
    await cli(['hash', root, '--out', join(dir, 'one.json')]);
    const files = await parts(root, 3, [], dir);
    expect((await cli(['hash', 'merge', ...files, '--out', join(dir, 'merged.json')])).code).toBe(0);
    expect(readFileSync(join(dir, 'merged.json'))).toEqual(readFileSync(join(dir, 'one.json')));
  });

  it('refuses a missing, doubled, foreign or overlapping part, naming it', async () => {
    const dir = tempDir();
    const root = model();
    const files = await parts(root, 3, ['--alg', 'sha256-tree', '--leaf-bytes', String(L)], dir);
    const expectCode = async (args: string[], code: string): Promise<string> => {
      const r = await cli(['hash', 'merge', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(code);
      return r.stderr;
    };
    expect(await expectCode([files[0]!, files[2]!], 'HASH_PART_MISSING')).toMatch(/part 2 of 3 missing/);
    expect(await expectCode([...files, files[1]!], 'HASH_PART_DUPLICATE')).toMatch(/part-2\.json/);
    const foreign = join(dir, 'foreign.json');
    const other = await cli(['hash', root, '--alg', 'sha256-tree', '--part', '2/3', '--out', foreign]);
    expect(other.code).toBe(0);
    expect(await expectCode([files[0]!, foreign, files[2]!], 'HASH_PART_MISMATCH')).toMatch(/algorithm differs/);
    // A part edited to claim another part's entries as well.
    const p1 = JSON.parse(readFileSync(files[0]!, 'utf8'));
    const p2 = JSON.parse(readFileSync(files[1]!, 'utf8'));
    const greedy = join(dir, 'greedy.json');
    writeFileSync(greedy, JSON.stringify({ ...p1, entries: [...p1.entries, ...p2.entries] }));
    await expectCode([greedy, ...files.slice(1)], 'HASH_PART_OVERLAP');
    // One entry dropped.
    const short = join(dir, 'short.json');
    writeFileSync(short, JSON.stringify({ ...p2, entries: p2.entries.slice(1) }));
    await expectCode([files[0]!, short, files[2]!], 'HASH_PART_INCOMPLETE');
    writeFileSync(short, '{"partVersion":1');
    await expectCode([short], 'JSON_');
    writeFileSync(short, JSON.stringify({ ...p2, part: 'two' }));
    await expectCode([short], 'HASH_PART_INVALID');
  });

  it('signed parts: merge --worker-key accepts the workers it is given and refuses any other or an unsigned part', async () => {
    const dir = tempDir();
    const root = model();
    for (const w of ['w1', 'w2', 'mallory']) expect((await cli(['keygen', '--out', join(dir, w)])).code).toBe(0);
    const signed = async (i: number, key: string): Promise<string> => {
      const f = join(dir, `signed-${i}-${key}.json`);
      const r = await cli(['hash', root, '--part', `${i}/2`, '--key', join(dir, `${key}.key`), '--out', f]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(readFileSync(f, 'utf8')).payloadType).toBe('application/vnd.lineproof.hash-part.v1+json');
      return f;
    };
    const a = await signed(1, 'w1');
    const b = await signed(2, 'w2');
    const keys = ['--worker-key', join(dir, 'w1.pub'), '--worker-key', join(dir, 'w2.pub')];
    const one = await cli(['hash', root, '--json']);
    const ok = await cli(['hash', 'merge', a, b, ...keys, '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toBe(one.stdout);
    expect(ok.stderr).toMatch(/2 signed by a worker key/);
    const evil = await signed(2, 'mallory');
    const r = await cli(['hash', 'merge', a, evil, ...keys]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('HASH_PART_SIGNATURE_INVALID');
    const plain = join(dir, 'plain.json');
    await cli(['hash', root, '--part', '2/2', '--out', plain]);
    const u = await cli(['hash', 'merge', a, plain, ...keys]);
    expect(u.stderr).toContain('HASH_PART_SIGNATURE_INVALID');
    // Without --worker-key, signed parts are read (and said to be unchecked).
    const unchecked = await cli(['hash', 'merge', a, b]);
    expect(unchecked.code).toBe(0);
    expect(unchecked.stdout).toMatch(/worker signatures not checked/);
  });

  it.each([
    [['--part', '0/3']],
    [['--part', '4/3']],
    [['--part', '1']],
    [['--part', '1/2', '--tree']],
    [['--part', '1/2', '--json']],
    [['--part', '1/2', '--cache', 'c.json']],
    [['--key', 'k.key']],
  ])('usage error %j exits 2', async (extra) => {
    const root = model();
    expect((await cli(['hash', root, ...extra])).code).toBe(2);
  });
  it('hash merge --help names the codes', async () => {
    const r = await cli(['hash', 'merge', '--help']);
    expect(r.code).toBe(0);
    for (const c of ['HASH_PART_MISSING', 'HASH_PART_DUPLICATE', 'HASH_PART_MISMATCH', 'HASH_PART_OVERLAP'])
      expect(r.stdout).toContain(c);
  });
});
