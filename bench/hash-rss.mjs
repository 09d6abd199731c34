#!/usr/bin/env node
// Question: does hashing a large file stay within bounded memory?
// Peak RSS (GNU time %M) of a child process hashing a --size file (default 4 GiB) with the chunk
// tree on all cores, and with tree + whole-file SHA-256 from one read; openssl for comparison.
// Target: below 256 MiB.
import { ensureFile, flags, machine, parseSize, peakRssKiB, ROOT, warm } from './lib.mjs';

const opts = flags({ size: '4GiB', 'leaf-bytes': 1048576 });
const size = parseSize(opts.size);
const path = ensureFile(`random-${size}.bin`, size);
warm(path);
const script = (sha) =>
  `import('${ROOT}/dist/node/index.js').then(async (m) => { const r = await m.hashFileTree(${JSON.stringify(path)}, { leafBytes: ${opts['leaf-bytes']}, sha256: ${sha} }); process.stdout.write(r.root); })`;
const mib = (kib) => Math.round(kib / 1024);
const results = {
  'ours tree all cores': mib(peakRssKiB(process.execPath, ['-e', script(false)])),
  'ours tree + sha256 one read': mib(peakRssKiB(process.execPath, ['-e', script(true)])),
  'openssl dgst -sha256': mib(peakRssKiB('openssl', ['dgst', '-sha256', path])),
};
const limit = 256;
const targets = Object.entries(results)
  .filter(([k]) => k.startsWith('ours'))
  .map(([k, v]) => ({ name: `peak RSS of ${k} (MiB) below ${limit}`, value: v, goal: limit, met: v < limit }));
console.log(
  JSON.stringify(
    {
      question: 'memory while hashing a large file',
      machine: machine(),
      file: { bytes: size },
      peakRssMiB: results,
      targets,
    },
    null,
    2,
  ),
);
