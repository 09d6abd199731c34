#!/usr/bin/env node
// Question: does a dataset of a million files hash in bounded memory, and how fast against the shell?
// Ours: hashDirectory (safe walk, checks, node:crypto on worker threads, manifest) in a child
// process, versus `find DIR -type f -print0 | xargs -0 -P2 sha256sum`; one run each (the dataset
// is large), peak RSS by GNU time. Target: peak RSS < 1 GiB.
// Usage: npm run bench -- hash-million-files [--files 1000000] [--size 64]
import { spawnSync } from 'node:child_process';
import { flags, machine, round, ROOT, smallFilesDir, timedRss } from './lib.mjs';

const opts = flags({ files: 1000000, size: 64 });
const t0 = process.hrtime.bigint();
const dir = smallFilesDir(opts.files, opts.size);
const madeSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
spawnSync('sh', ['-c', `find ${JSON.stringify(dir)} -type f -print0 | xargs -0 cat > /dev/null`]);

function timed(cmd, args) {
  const r = timedRss(cmd, args);
  return { seconds: round(r.s, 2), filesPerSecond: Math.round(opts.files / r.s), peakRssMiB: r.rssMiB };
}

const ours = timed(process.execPath, [
  '-e',
  `import('${ROOT}/dist/node/index.js').then(async (m) => { const r = await m.hashDirectory(${JSON.stringify(dir)}, { ignore: ['.complete'] }); process.stdout.write(r.digest); })`,
]);
const peer = timed('sh', ['-c', `find ${JSON.stringify(dir)} -type f -print0 | xargs -0 -P2 sha256sum > /dev/null`]);
const limit = 1024;
console.log(
  JSON.stringify(
    {
      question: 'hash a dataset of a million files in bounded memory',
      machine: machine(),
      dataset: { files: opts.files, bytesPerFile: opts.size, createdSeconds: round(madeSeconds, 1) },
      results: { 'ours hashDirectory (manifest)': ours, 'find | xargs -0 -P2 sha256sum': peer },
      targets: [
        {
          name: 'peak RSS, 1,000,000 files (MiB)',
          value: ours.peakRssMiB,
          goal: `< ${limit}`,
          met: ours.peakRssMiB < limit,
        },
        {
          name: 'files/s vs xargs -P2 sha256sum (reported)',
          ratio: round(ours.filesPerSecond / peer.filesPerSecond, 3),
        },
      ],
    },
    null,
    2,
  ),
);
