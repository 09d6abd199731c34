import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashDirectory } from '../../src/node/hash-tree.js';
import { LineproofError } from '../../src/errors.js';
import { treeHashEngine } from '../../src/hashing/tree.js';

// Trees of 512 files or more are hashed on worker threads running the same per-file routine.
const dir = mkdtempSync(join(tmpdir(), 'lineproof-parallel-'));
for (let d = 0; d < 7; d++) {
  mkdirSync(join(dir, `d${d}`));
  for (let f = 0; f < 100; f++) writeFileSync(join(dir, `d${d}`, `f${f}.txt`), `file ${d}/${f} `.repeat(f % 7));
}

describe('hashDirectory on worker threads (many files)', () => {
  it('gives the same manifest, digest and hints as the calling thread', async () => {
    const one = await hashDirectory(dir, { workers: 1, racyWindowMs: 0 });
    const two = await hashDirectory(dir, { workers: 2, racyWindowMs: 0 });
    expect(one.files).toBe(700);
    expect(two.digest).toBe(one.digest);
    expect(two.manifest).toEqual(one.manifest);
    expect(two.hints).toEqual(one.hints);
    const tree = await hashDirectory(dir, { workers: 3, algorithms: ['sha256', 'sha512'] });
    expect(tree.manifest.items.every((i) => typeof i.digest.sha512 === 'string')).toBe(true);
  });

  it('reports progress up to every file', async () => {
    let last = { filesDone: 0, filesTotal: -1 };
    await hashDirectory(dir, {
      workers: 2,
      onProgress: (p) => {
        last = p;
      },
    });
    expect(last.filesDone).toBe(last.filesTotal);
  });

  it("a worker's failure keeps its code and path", async () => {
    // The last file in manifest order sits in the last batch, which no worker has started when
    // the first batch reports progress.
    const victim = join(dir, 'd6', 'f99.txt');
    let removed = false;
    const attempt = hashDirectory(dir, {
      workers: 2,
      onProgress: () => {
        if (!removed) {
          removed = true;
          rmSync(victim);
        }
      },
    }).then(
      () => 'OK',
      (e: unknown) => (e instanceof LineproofError ? `${e.code} ${e.path}` : String(e)),
    );
    expect(await attempt).toBe('FILE_CHANGED_WHILE_HASHING d6/f99.txt');
    writeFileSync(victim, 'back');
  });

  it('an aborted signal stops the pool', async () => {
    const ctl = new AbortController();
    ctl.abort();
    await expect(hashDirectory(dir, { workers: 2, signal: ctl.signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });
});

describe('when workers cannot load the adapter (e.g. it was bundled)', () => {
  it('falls back to the calling thread with the same result', async () => {
    const direct = await hashDirectory(dir, { workers: 1 });
    const fallback = await hashDirectory(dir, { workers: 2, workerModule: 'file:///nonexistent/lineproof-node.js' });
    expect(fallback.digest).toBe(direct.digest);
    expect(fallback.files).toBe(direct.files);
  });
});

describe('hashDirectory on worker threads (a few large files)', () => {
  it('a model of a few large files is hashed file by file on the workers, the same as on one thread', async () => {
    const { openSync, ftruncateSync, closeSync, writeSync } = await import('node:fs');
    const model = mkdtempSync(join(tmpdir(), 'lineproof-parallel-large-'));
    try {
      // 3 x 100 MiB, sparse but for a marker each: past the 256 MiB that makes threads worth it
      for (let i = 0; i < 3; i++) {
        const fd = openSync(join(model, `shard-${i}.bin`), 'w');
        ftruncateSync(fd, 100 * 1024 * 1024);
        writeSync(fd, `shard ${i}`, 50 * 1024 * 1024);
        closeSync(fd);
      }
      writeFileSync(join(model, 'config.json'), '{}');
      let progress = 0;
      const two = await hashDirectory(model, { workers: 2, racyWindowMs: 0, onProgress: () => void progress++ });
      const one = await hashDirectory(model, { workers: 1, racyWindowMs: 0 });
      expect(two.digest).toBe(one.digest);
      expect(two.hints).toEqual(one.hints);
      expect(progress).toBeGreaterThan(0);
      const tree = await hashDirectory(model, { workers: 2, algorithms: [treeHashEngine(1048576)] });
      const treeOne = await hashDirectory(model, { workers: 1, algorithms: [treeHashEngine(1048576)] });
      expect(tree.digest).toBe(treeOne.digest);
    } finally {
      rmSync(model, { recursive: true, force: true });
    }
  });
});
