#!/usr/bin/env node
// Question: how much does the re-hash cache save the producer? A dataset of many small files
// (default 100,000 x 4 KiB, shared with hash-small-files), `lineproof hash DIR` as a fresh process:
// a full hash, against `hash DIR --cache FILE` after one file changed (its mtime restored, so only
// ctime shows it). Issue 16 target: the cached re-hash >= 50x faster than the full hash. Also the
// cost floor: `find DIR -type f | wc -l` (the walk alone, as the shell does it).
// Usage: npm run bench -- hash-cache [--files 100000] [--size 4096] [--runs 3]
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { DATA, flags, machine, round, ROOT, smallFilesDir } from './lib.mjs';

const opts = flags({ files: 100000, size: 4096, runs: 3, 'model-files': 8, 'model-mib': 256 });
const dir = smallFilesDir(opts.files, opts.size);
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const cache = join(DATA, `small-${opts.files}x${opts.size}.cache.json`);
spawnSync('sh', ['-c', `find ${JSON.stringify(dir)} -type f -print0 | xargs -0 cat > /dev/null`]);

function run(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.slice(-500)}`);
  return { s, out: r.stdout };
}
const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const full = [];
let fullDigest;
for (let i = 0; i < opts.runs; i++) {
  const r = run(process.execPath, [CLI, 'hash', dir, '--json']);
  full.push(r.s);
  fullDigest = JSON.parse(r.out).digest;
}
// files changed within the last 2 s get no stat hint (racy): let a fresh dataset age first
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2100);
// seed the cache (a full hash that also writes it)
rmSync(cache, { force: true });
run(process.execPath, [CLI, 'hash', dir, '--cache', cache]);
const mid = Math.floor(opts.files / 2);
const target = join(dir, `d${Math.floor(mid / 1000)}`, `f${mid}.bin`);
const cached = [];
let last;
for (let i = 0; i < opts.runs; i++) {
  const st = statSync(target);
  const b = readFileSync(target);
  b[0] ^= 1;
  writeFileSync(target, b);
  utimesSync(target, st.atime, st.mtime);
  const r = run(process.execPath, [CLI, 'hash', dir, '--cache', cache, '--json']);
  cached.push(r.s);
  last = JSON.parse(r.out);
}
// put the file back and check the cached digest against a full hash of the same state
{
  const b = readFileSync(target);
  b[0] ^= opts.runs % 2;
  writeFileSync(target, b);
}
const check = JSON.parse(run(process.execPath, [CLI, 'hash', dir, '--cache', cache, '--json']).out);
if (check.digest !== fullDigest) throw new Error(`cached digest ${check.digest} is not the full hash's ${fullDigest}`);
const walk = [];
for (let i = 0; i < opts.runs; i++) walk.push(run('sh', ['-c', `find ${JSON.stringify(dir)} -type f | wc -l`]).s);

// A model of a few large files (default 8 x 256 MiB): where the bytes, not the files, are the cost.
const model = join(DATA, `model-${opts['model-files']}x${opts['model-mib']}MiB`);
if (!existsSync(join(model, '.complete'))) {
  mkdirSync(model, { recursive: true });
  for (let i = 0; i < opts['model-files']; i++) {
    const b = Buffer.alloc(opts['model-mib'] << 20);
    for (let j = 0; j < b.length; j += 4096) b.writeUInt32LE((i * 2654435761 + j) >>> 0, j);
    writeFileSync(join(model, `shard-${i}.safetensors`), b);
  }
  writeFileSync(join(model, '.complete'), '');
}
spawnSync('sh', ['-c', `cat ${JSON.stringify(model)}/* > /dev/null`]);
const modelCache = `${model}.cache.json`;
const mFull = [];
for (let i = 0; i < opts.runs; i++) mFull.push(run(process.execPath, [CLI, 'hash', model]).s);
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2100);
rmSync(modelCache, { force: true });
run(process.execPath, [CLI, 'hash', model, '--cache', modelCache]);
const shard = join(model, 'shard-0.safetensors');
const mCached = [];
for (let i = 0; i < opts.runs; i++) {
  const st = statSync(shard);
  const fd = readFileSync(shard);
  fd[100] ^= 1;
  writeFileSync(shard, fd);
  utimesSync(shard, st.atime, st.mtime);
  mCached.push(run(process.execPath, [CLI, 'hash', model, '--cache', modelCache]).s);
}
const start = [];
for (let i = 0; i < opts.runs; i++) start.push(run(process.execPath, [CLI, 'hash', '--help']).s);

const fullS = median(full);
const cachedS = median(cached);
const mFullS = median(mFull);
const mCachedS = median(mCached);
console.log(
  JSON.stringify(
    {
      question: 'lineproof hash DIR: a full hash vs --cache after one file changed (target >= 50x)',
      machine: machine(),
      files: opts.files,
      fileBytes: opts.size,
      results: {
        'lineproof hash DIR (full, fresh process)': { seconds: round(fullS, 3) },
        'lineproof hash DIR --cache (one file changed, mtime restored)': {
          seconds: round(cachedS, 3),
          hashed: last.cache.hashed,
          reused: last.cache.reused,
        },
        'find DIR -type f | wc -l (the walk alone, peer floor)': { seconds: round(median(walk), 3) },
        [`model ${opts['model-files']} x ${opts['model-mib']} MiB: lineproof hash DIR (full)`]: {
          seconds: round(mFullS, 3),
        },
        [`model ${opts['model-files']} x ${opts['model-mib']} MiB: --cache, one shard changed`]: {
          seconds: round(mCachedS, 3),
        },
        'lineproof hash --help (start-up, the floor of any run)': { seconds: round(median(start), 3) },
      },
      targets: [
        {
          name: 'cached re-hash vs full hash, 100,000 small files',
          ratio: round(fullS / cachedS, 2),
          target: 50,
          met: fullS / cachedS >= 50,
        },
        {
          name: 'cached re-hash vs full hash, a model of large files',
          ratio: round(mFullS / mCachedS, 2),
          target: 50,
          met: mFullS / mCachedS >= 50,
        },
      ],
    },
    null,
    2,
  ),
);
