import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashDirectory } from '../../src/node/hash-tree.js';
import { LineproofError } from '../../src/errors.js';

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
