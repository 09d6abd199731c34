/**
 * Hashing across machines on a real engine: a Dask distributed cluster (Debian's
 * python3-distributed, .ci/apt-packages) — a scheduler and two workers on 127.0.0.1, started here
 * and stopped after — runs the parts of one hash as tasks: some `lineproof hash --part` (the
 * built CLI), some spec/hashing.md's Python reference (extracted from the spec, so the spec is
 * what is tested). `lineproof hash merge` of what the cluster wrote gives the single-machine
 * digest; a missing, duplicated or mismatched part is refused with its code. A missing Python
 * with `distributed` fails the test, never skips it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { repoPath } from '../helpers/fixtures.js';
import { findPython } from '../helpers/python.js';
import { tempDir, tempTree } from '../helpers/tmp.js';
import { tmpdir } from 'node:os';

const L = 65536;
const CLI = repoPath('dist', 'cli', 'main.js');
const DRIVER = repoPath('test', 'node', 'dask_hash_parts.py');
const clusterDir = mkdtempSync(join(tmpdir(), 'lineproof-dask-'));
const schedulerFile = join(clusterDir, 'scheduler.json');
const procs: ChildProcess[] = [];
let python = '';

/** The Python reference, as spec/hashing.md gives it. */
function reference(): string {
  const spec = readFileSync(repoPath('spec', 'hashing.md'), 'utf8');
  const m = /<!-- hash-part-reference:begin -->\n```python\n([\s\S]*?)```\n<!-- hash-part-reference:end -->/.exec(spec);
  if (!m) throw new Error('spec/hashing.md has no hash-part reference block');
  return m[1]!;
}

function start(args: string[], name: string): ChildProcess {
  const p = spawn(python, args, { cwd: clusterDir, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  p.stderr.on('data', (d: Buffer) => void (log = (log + d.toString()).slice(-4000)));
  p.on('exit', (code) => {
    if (code !== null && code !== 0) console.error(`${name} exited ${code}: ${log}`);
  });
  procs.push(p);
  return p;
}

beforeAll(async () => {
  const found = findPython('distributed');
  if (!found.python)
    throw new Error(
      `no Python that can import distributed (tried ${found.tried.join(', ')}); install python3-distributed (.ci/apt-packages) or set PYTHON`,
    );
  python = found.python;
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build (npm test does)`);
  const common = ['--no-dashboard'];
  start(
    [
      '-m',
      'distributed.cli.dask_scheduler',
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--scheduler-file',
      schedulerFile,
      ...common,
    ],
    'scheduler',
  );
  const until = Date.now() + 60_000;
  while (!existsSync(schedulerFile)) {
    if (Date.now() > until) throw new Error('the Dask scheduler did not start within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  for (const w of [1, 2])
    start(
      [
        '-m',
        'distributed.cli.dask_worker',
        '--scheduler-file',
        schedulerFile,
        '--host',
        '127.0.0.1',
        '--nthreads',
        '1',
        '--local-directory',
        join(clusterDir, `w${w}`),
        ...common,
      ],
      `worker ${w}`,
    );
}, 90_000);

afterAll(() => {
  for (const p of procs) {
    try {
      process.kill(-p.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  rmSync(clusterDir, { recursive: true, force: true });
});

interface Ran {
  part: number;
  file: string;
  by: 'lineproof' | 'python';
  worker: string;
}

/** Run the parts of one hash on the cluster: those in `viaPython` by the spec's reference. */
function onCluster(root: string, parts: number, flags: string[], viaPython: number[], tree: boolean): Ran[] {
  const out = tempDir('lineproof-dask-parts-');
  const job = join(out, 'job.json');
  writeFileSync(
    job,
    JSON.stringify({
      node: process.execPath,
      cli: CLI,
      root,
      out,
      parts,
      flags,
      python: viaPython,
      reference: reference(),
      leafBytes: tree ? L : null,
      algorithm: tree ? 'sha256' : (flags[flags.indexOf('--alg') + 1] ?? 'sha256'),
    }),
  );
  const r = spawnSync(python, [DRIVER, schedulerFile, job], { encoding: 'utf8', timeout: 150_000 });
  if (r.status !== 0) throw new Error(`dask_hash_parts.py failed (${r.status}): ${r.stderr.slice(-3000)}`);
  return (JSON.parse(r.stdout) as { parts: Ran[] }).parts;
}

function dataset(): string {
  const files: Record<string, Uint8Array | string> = { 'README.md': '# data\n', 'empty.csv': '' };
  for (let i = 0; i < 6; i++)
    files[`shard-${i}.bin`] = new Uint8Array(3 * L + i * 1000).map((_, k) => (k * (i + 3)) & 255);
  files['labels/train.csv'] = 'a,b\n1,2\n';
  files['run.intoto.jsonl'] = '{}\n';
  return tempTree(files);
}

describe('hash parts on a Dask cluster', () => {
  it('chunk-tree leaves: lineproof and Python-reference tasks on two workers merge to the one-machine digest', async () => {
    const root = dataset();
    const flags = ['--alg', 'sha256-tree', '--leaf-bytes', String(L)];
    const ran = onCluster(root, 6, flags, [2, 5], true);
    expect(ran.map((r) => r.by)).toEqual(['lineproof', 'python', 'lineproof', 'lineproof', 'python', 'lineproof']);
    expect(new Set(ran.map((r) => r.worker)).size).toBe(2);
    const one = JSON.parse((await cli(['hash', root, ...flags, '--json'])).stdout);
    const merged = await cli(['hash', 'merge', ...ran.map((r) => r.file), '--json']);
    expect(merged.code, merged.stderr).toBe(0);
    expect(JSON.parse(merged.stdout).digest).toBe(one.digest);
    expect(JSON.parse(merged.stdout).manifest).toEqual(one.manifest);
  }, 180_000);

  it('whole files (sha512): the merge equals hash --json; a missing, doubled or foreign part is refused', async () => {
    const root = dataset();
    const flags = ['--alg', 'sha512'];
    const ran = onCluster(root, 3, flags, [1], false);
    const one = await cli(['hash', root, ...flags, '--json']);
    const files = ran.map((r) => r.file);
    const merged = await cli(['hash', 'merge', ...files, '--json']);
    expect(merged.code, merged.stderr).toBe(0);
    expect(JSON.parse(merged.stdout).digest).toBe(JSON.parse(one.stdout).digest);
    const refused = async (args: string[], code: string): Promise<void> => {
      const r = await cli(['hash', 'merge', ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(code);
    };
    await refused(files.slice(1), 'HASH_PART_MISSING');
    await refused([...files, files[0]!], 'HASH_PART_DUPLICATE');
    const foreign = onCluster(root, 4, flags, [], false);
    await refused([files[0]!, foreign[1]!.file, files[2]!], 'HASH_PART_MISMATCH');
  }, 180_000);
});
