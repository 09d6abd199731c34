#!/usr/bin/env node
// Question: how fast do we hash a dataset of many small files compared with the usual shell?
// Ours: hashDirectory (safe walk, node:crypto, manifest) in a child process, versus
// `find DIR -type f -print0 | xargs -0 -P2 sha256sum`, both with peak RSS (GNU time).
// Usage: npm run bench -- hash-small-files [--files 100000] [--size 4096] [--runs 5]
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { flags, machine, round, ROOT, smallFilesDir, timedRss } from './lib.mjs';

const opts = flags({ files: 100000, size: 4096, runs: 5 });
const dir = smallFilesDir(opts.files, opts.size);
const fileCount = readdirSync(dir)
  .filter((d) => d.startsWith('d'))
  .reduce((n, d) => n + readdirSync(join(dir, d)).length, 0);
// Warm the page cache and the dentry cache.
spawnSync('sh', ['-c', `find ${JSON.stringify(dir)} -type f -print0 | xargs -0 cat > /dev/null`]);

function series(cmd, args) {
  const rs = Array.from({ length: opts.runs }, () => timedRss(cmd, args)).sort((a, b) => a.s - b.s);
  const mid = rs[Math.floor(rs.length / 2)];
  return {
    seconds: { median: round(mid.s, 3), min: round(rs[0].s, 3), max: round(rs.at(-1).s, 3) },
    filesPerSecond: Math.round(fileCount / mid.s),
    peakRssMiB: Math.max(...rs.map((r) => r.rssMiB)),
    runs: opts.runs,
  };
}

const ours = series(process.execPath, [
  '-e',
  `import('${ROOT}/dist/node/index.js').then(async (m) => { const r = await m.hashDirectory(${JSON.stringify(dir)}, { ignore: ['.complete'] }); process.stdout.write(r.digest); })`,
]);
const peer = series('sh', ['-c', `find ${JSON.stringify(dir)} -type f -print0 | xargs -0 -P2 sha256sum > /dev/null`]);
const ratio = round(ours.filesPerSecond / peer.filesPerSecond, 3);
console.log(
  JSON.stringify(
    {
      question: 'hash a dataset of many small files',
      machine: machine(),
      dataset: { files: fileCount, bytesPerFile: opts.size },
      results: { 'ours hashDirectory (manifest)': ours, 'find | xargs -0 -P2 sha256sum': peer },
      targets: [{ name: 'small files vs xargs -P2 sha256sum', ratio, goal: 1.0, met: ratio >= 1.0 }],
    },
    null,
    2,
  ),
);
