#!/usr/bin/env node
// Question: how fast does `lineproof hash DIR` (a fresh process) hash a model of a few large files
// (default 4 x 512 MiB, in the page cache) against `openssl dgst -sha256` over the same files, one
// after the other, in the same run? Issue 16 target: >= 1.8x, files (and leaves) in parallel.
// Usage: npm run bench -- hash-model-dir [--files 4] [--mib 512] [--runs 3]
import { existsSync, mkdirSync, openSync, writeSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomFillSync } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { DATA, flags, machine, round, ROOT } from './lib.mjs';

const opts = flags({ files: 4, mib: 512, runs: 3 });
const dir = join(DATA, `model-random-${opts.files}x${opts.mib}MiB`);
const files = Array.from({ length: opts.files }, (_, i) => join(dir, `shard-${i}.safetensors`));
if (!existsSync(join(dir, '.complete'))) {
  mkdirSync(dir, { recursive: true });
  const buf = Buffer.alloc(8 << 20);
  for (const f of files) {
    const fd = openSync(f, 'w');
    for (let off = 0; off < opts.mib << 20; off += buf.length) writeSync(fd, randomFillSync(buf));
    closeSync(fd);
  }
  writeFileSync(join(dir, '.complete'), '');
}
spawnSync('sh', ['-c', `cat ${files.map((f) => JSON.stringify(f)).join(' ')} > /dev/null`]);
const CLI = join(ROOT, 'dist', 'cli', 'main.js');

function median(cmd, args) {
  const t = [];
  for (let i = 0; i < opts.runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
    t.push(Number(process.hrtime.bigint() - t0) / 1e9);
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.slice(0, 300)}`);
  }
  return t.sort((a, b) => a - b)[Math.floor(t.length / 2)];
}
const openssl = median('openssl', ['dgst', '-sha256', ...files]);
const rows = [
  ['lineproof hash DIR (sha256 per file)', [CLI, 'hash', dir, '--no-default-ignore', '--ignore', '.complete']],
  [
    'lineproof hash DIR --alg sha256-tree',
    [CLI, 'hash', dir, '--alg', 'sha256-tree', '--no-default-ignore', '--ignore', '.complete'],
  ],
].map(([name, args]) => {
  const s = median(process.execPath, args);
  return { name, seconds: round(s, 3), ratioToOpenssl: round(openssl / s, 2), target: 1.8, met: openssl / s >= 1.8 };
});
console.log(
  JSON.stringify(
    {
      question: `lineproof hash DIR of ${opts.files} x ${opts.mib} MiB vs openssl dgst -sha256 over the same files`,
      machine: machine(),
      opensslSeconds: round(openssl, 3),
      results: rows,
    },
    null,
    2,
  ),
);
