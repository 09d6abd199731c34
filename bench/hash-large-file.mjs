#!/usr/bin/env node
// Question: how fast do we hash one large file (model weights) compared with native tools?
// Figures (median of --runs with min and max, file in the page cache), all in one run:
//   ours whole-file SHA-256 on one thread (node adapter), ours chunk tree on all cores (worker
//   pool), ours pure-core WebCrypto tree on one thread, noble SHA-256 (pure JS, on a slice), and
//   the peers `openssl dgst -sha256`, `sha256sum`, `b3sum`. Targets are ratios within this run.
// Usage: npm run bench -- hash-large-file [--size 2GiB] [--runs 5] [--leaf-bytes 1048576]
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import { sha256 } from '@noble/hashes/sha2.js';
import { availableParallelism } from 'node:os';
import { ensureFile, figure, flags, machine, measure, parseSize, runPeer, target, warm } from './lib.mjs';
import { hashFile, hashFileTree, treeRootWebCrypto } from '../dist/node/index.js';

const opts = flags({ size: '2GiB', runs: 5, 'leaf-bytes': 1048576, 'noble-size': '256MiB' });
const size = parseSize(opts.size);
const runs = opts.runs;
const leafBytes = opts['leaf-bytes'];
const path = ensureFile(`random-${size}.bin`, size);
warm(path);

const results = {};
const sha = (out) =>
  out
    .trim()
    .split(/\s+/)
    .find((w) => /^[0-9a-f]{64}$/.test(w));

const openssl = await measure(runs, () => sha(runPeer('openssl', ['dgst', '-sha256', '-r', path])));
results['openssl dgst -sha256'] = figure(size, openssl);
const sha256sum = await measure(runs, () => sha(runPeer('sha256sum', [path])));
results.sha256sum = figure(size, sha256sum);
const b3 = await measure(runs, () => runPeer('b3sum', ['--no-names', path]).trim());
results.b3sum = figure(size, b3);
const b3one = await measure(runs, () => runPeer('b3sum', ['--no-names', '--num-threads', '1', path]).trim());
results['b3sum --num-threads 1'] = figure(size, b3one);
const ours3 = await measure(runs, async () => (await hashFile(path, { algorithms: ['blake3'] })).digests.blake3);
results['ours blake3 one thread (native, @napi-rs/blake-hash)'] = figure(size, ours3);
if (ours3.last !== b3.last) throw new Error(`blake3 disagrees with b3sum: ${ours3.last} vs ${b3.last}`);
const CLI3 = new URL('../dist/cli/main.js', import.meta.url).pathname;
const cli3 = await measure(runs, () => runPeer(process.execPath, [CLI3, 'hash', path, '--alg', 'blake3']));
results['lineproof hash --alg blake3 (CLI process)'] = figure(size, cli3);

const whole = await measure(runs, async () => (await hashFile(path)).digests.sha256);
results['ours sha256 one thread'] = figure(size, whole);
if (whole.last !== openssl.last)
  throw new Error(`whole-file sha256 disagrees with openssl: ${whole.last} vs ${openssl.last}`);

// WebCrypto figures run before any worker pool, so no earlier phase's threads or shared memory
// weigh on the thread pool WebCrypto uses.
// The core sees only an async iterable of chunks (as a browser's file.stream() would give); the
// harness reads with readSync into one reused buffer, as the node:crypto figure does.
async function* chunks() {
  const fd = openSync(path, 'r');
  const b = new Uint8Array(leafBytes);
  try {
    for (let n; (n = readSync(fd, b, 0, b.length, null)) > 0;) yield b.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
const web = await measure(runs, async () => (await treeRootWebCrypto(chunks(), { leafBytes, concurrency: 1 })).root);
results['ours WebCrypto tree one thread'] = figure(size, web);
const web4 = await measure(runs, async () => (await treeRootWebCrypto(chunks(), { leafBytes, concurrency: 4 })).root);
results['ours WebCrypto tree, 4 digests in flight'] = figure(size, web4);
const webStream = await measure(
  runs,
  async () =>
    (
      await treeRootWebCrypto(Readable.toWeb(createReadStream(path, { highWaterMark: leafBytes })), {
        leafBytes,
        concurrency: 1,
      })
    ).root,
);
results['ours WebCrypto tree one thread, from a web ReadableStream'] = figure(size, webStream);

const workers = availableParallelism();
const tree = await measure(runs, async () => (await hashFileTree(path, { leafBytes, workers })).root);
results[`ours tree all cores (${workers} workers)`] = figure(size, tree);
const tree1 = await measure(runs, async () => (await hashFileTree(path, { leafBytes, workers: 1 })).root);
results['ours tree one worker'] = figure(size, tree1);
const both = await measure(runs, async () => {
  const r = await hashFileTree(path, { leafBytes, workers, sha256: true });
  return `${r.root}/${r.sha256}`;
});
results['ours tree + sha256 from one read'] = figure(size, both);

// The paths a user takes: the CLI as a fresh process (start-up included), as openssl runs.
const CLI = CLI3;
const cliTree = await measure(
  runs,
  () =>
    runPeer(process.execPath, [CLI, 'hash', path, '--alg', 'sha256-tree', '--leaf-bytes', String(leafBytes)])
      .trim()
      .split(/\s+/)[0]
      .split(':')[1],
);
results['lineproof hash --alg sha256-tree (CLI process)'] = figure(size, cliTree);
const cliBoth = await measure(runs, () =>
  runPeer(process.execPath, [CLI, 'hash', path, '--tree', '--leaf-bytes', String(leafBytes)]),
);
results['lineproof hash --tree (CLI process, sha256 + tree)'] = figure(size, cliBoth);
if (cliTree.last !== tree.last) throw new Error(`CLI tree root disagrees: ${cliTree.last} vs ${tree.last}`);

for (const [name, r] of [
  ['pool', tree.last],
  ['one worker', tree1.last],
  ['webcrypto', Buffer.from(web.last).toString('hex')],
  ['webcrypto x4', Buffer.from(web4.last).toString('hex')],
  ['webcrypto stream', Buffer.from(webStream.last).toString('hex')],
]) {
  if (r !== tree.last) throw new Error(`tree roots disagree (${name}): ${r} vs ${tree.last}`);
}

// The ceiling WebCrypto's async API sets in Node, without any I/O: one 1 MiB digest in flight at a
// time (crypto.subtle.digest) against node:crypto's synchronous createHash over the same buffer.
{
  const { createHash } = await import('node:crypto');
  const mem = new Uint8Array(leafBytes + 1).fill(7);
  const n = Math.max(16, Math.floor(Math.min(size, 512 << 20) / leafBytes));
  const subtleOnly = await measure(runs, async () => {
    for (let i = 0; i < n; i++) await crypto.subtle.digest('SHA-256', mem);
  });
  results['ceiling: crypto.subtle.digest alone, in memory, one in flight'] = figure(n * leafBytes, subtleOnly);
  const syncOnly = await measure(runs, () => {
    for (let i = 0; i < n; i++) createHash('sha256').update(mem).digest();
  });
  results['ceiling: node:crypto createHash alone, in memory'] = figure(n * leafBytes, syncOnly);
}

const nobleBytes = Math.min(size, parseSize(opts['noble-size']));
const slice = new Uint8Array(nobleBytes);
{
  const fd = openSync(path, 'r');
  readSync(fd, slice, 0, nobleBytes, 0);
  closeSync(fd);
}
const noble = await measure(Math.min(runs, 3), () => sha256(slice));
results['noble sha256 (pure JS)'] = figure(nobleBytes, noble);

const f = (k) => results[k];
const targets = [
  target(
    'whole-file SHA-256 one thread vs openssl dgst -sha256',
    f('ours sha256 one thread'),
    f('openssl dgst -sha256'),
    0.95,
  ),
  target(
    'blake3 one thread (native) vs b3sum --num-threads 1',
    f('ours blake3 one thread (native, @napi-rs/blake-hash)'),
    f('b3sum --num-threads 1'),
    0.8,
  ),
  target(
    `tree on all cores vs openssl dgst -sha256`,
    f(`ours tree all cores (${workers} workers)`),
    f('openssl dgst -sha256'),
    1.8,
  ),
  target(
    'lineproof hash --alg sha256-tree (CLI process) vs openssl dgst -sha256',
    f('lineproof hash --alg sha256-tree (CLI process)'),
    f('openssl dgst -sha256'),
    1.8,
  ),
  target(
    'WebCrypto tree one thread vs ours node:crypto one thread',
    f('ours WebCrypto tree one thread'),
    f('ours sha256 one thread'),
    0.8,
  ),
];
// Context for the WebCrypto target: the same ratio for the bare APIs, without I/O or the tree.
const ceiling = {
  name: 'context: crypto.subtle.digest one in flight vs createHash (no I/O, no tree)',
  ratio:
    Math.round(
      (f('ceiling: crypto.subtle.digest alone, in memory, one in flight').gbPerSecond /
        f('ceiling: node:crypto createHash alone, in memory').gbPerSecond) *
        1000,
    ) / 1000,
};
for (const r of Object.values(results)) delete r.last;
console.log(
  JSON.stringify(
    {
      question: 'hash one large file',
      machine: machine(),
      file: { bytes: size, leafBytes, pageCache: true },
      results,
      targets,
      context: [ceiling],
    },
    null,
    2,
  ),
);
