import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LineproofError } from '../../src/errors.js';
import { hashFileTree } from '../../src/node/tree-pool.js';
import { WorkerTaskError, builtModuleUrl, startWorkerPool } from '../../src/node/worker-pool.js';
import type { FileTask } from '../../src/node/file-pool.js';
import { repoPath } from '../helpers/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'lineproof-pool-'));
const L = 65536;
const big = join(dir, 'big.bin');
writeFileSync(
  big,
  Uint8Array.from({ length: 8 * L + 5 }, (_, i) => (i * 31) & 0xff),
);

function srcFiles(d: string): string[] {
  return readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    return statSync(p).isDirectory() ? srcFiles(p) : [p];
  });
}

const fileBatch = (moduleUrl: string) => ({
  job: 'file-batch' as const,
  data: { moduleUrl, options: { algorithms: ['sha256'], within: dir } },
  count: 1,
  name: 'test worker',
  abortError: () => new LineproofError('ABORTED', 'test aborted'),
});

describe('one worker pool, loading a real module file', () => {
  it('its worker is the built module dist/node/hash-worker.js; no worker source is evaluated from a string', () => {
    expect(existsSync(fileURLToPath(builtModuleUrl('hash-worker.js')))).toBe(true);
    for (const f of srcFiles(repoPath('src'))) {
      const text = readFileSync(f, 'utf8');
      expect(text, f).not.toMatch(/eval:\s*true/);
      if (!f.endsWith('worker-pool.ts')) expect(text, f).not.toMatch(/new Worker\(/);
    }
  });

  it('the tree pool runs on it: the workers are used and the root is that of the calling thread', async () => {
    const inline = await hashFileTree(big, { leafBytes: L, workers: 0, sha256: true });
    const pooled = await hashFileTree(big, { leafBytes: L, workers: 2, sha256: true });
    const selfRead = await hashFileTree(big, { leafBytes: L, workers: 3 });
    expect(pooled.workers).toBe(2);
    expect(selfRead.workers).toBe(3);
    expect(pooled.root).toBe(inline.root);
    expect(selfRead.root).toBe(inline.root);
    expect(pooled.sha256).toBe(inline.sha256);
  });

  it('the file pool runs on it: a task failure keeps its code and path', async () => {
    const pool = startWorkerPool<{ files: FileTask[] }, unknown>(fileBatch(builtModuleUrl('file-pool.js').href));
    try {
      expect(await pool.ready).toBe(true);
      const gone: FileTask = {
        path: 'gone.bin',
        absPath: join(dir, 'gone.bin'),
        what: 'gone.bin',
        size: 1,
        ino: 1n,
        dev: 1n,
        viaSymlink: false,
      };
      const failure = await pool.run(0, { files: [gone] }).then(
        () => undefined,
        (e: unknown) => (e instanceof WorkerTaskError ? e.failure : e),
      );
      expect(failure).toMatchObject({ code: 'FILE_CHANGED_WHILE_HASHING', path: 'gone.bin' });
    } finally {
      await pool.close();
    }
  });

  it('a worker that cannot set up its job says so before any task runs', async () => {
    const pool = startWorkerPool(fileBatch('file:///nonexistent/lineproof-node.js'));
    try {
      expect(await pool.ready).toBe(false);
      await expect(pool.run(0, { files: [] })).rejects.toMatchObject({ code: 'INTERNAL' });
    } finally {
      await pool.close();
    }
  });

  it('an abort rejects the running tasks with the given error', async () => {
    const ctl = new AbortController();
    const pool = startWorkerPool({ ...fileBatch(builtModuleUrl('file-pool.js').href), signal: ctl.signal });
    try {
      expect(await pool.ready).toBe(true);
      ctl.abort();
      await expect(pool.run(0, { files: [] })).rejects.toMatchObject({ code: 'ABORTED', message: 'test aborted' });
    } finally {
      await pool.close();
    }
  });
});
