#!/usr/bin/env node
// Question: what does one trusted envelope cost in chain verification, at scale? A generated
// bundle of N envelopes (default 100,000: dataset attestations of the policy's keys, as a long-lived
// registry bundle holds) plus a five-step chain, verified with verifyChain and the Node adapter's
// verifier. Per envelope, against one native Ed25519 verification (node:crypto / OpenSSL) of the same
// PAE size measured in the same run (issue 16 target: <= 3x). Two signer patterns: keyids present
// (each signature names its key), and no keyids with every signature by the policy's last key (the
// worst order without a hint). Peak RSS sampled. Runs against dist/ (npm run build first).
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import * as lp from '../dist/node/index.js';
import { flags, machine } from './lib.mjs';
import { benchChain } from './chain.mjs';

const opt = flags({ envelopes: 100000, runs: 1, only: -1 });
const SCENARIOS = ['keyids present, signers mixed', 'no keyids, every signature by the last policy key'];
if (opt.only < 0) {
  // each scenario in its own process, so each peak RSS is its own
  const results = [];
  let head;
  for (let i = 0; i < SCENARIOS.length; i++) {
    const r = spawnSync(
      process.execPath,
      [
        fileURLToPath(import.meta.url),
        '--envelopes',
        String(opt.envelopes),
        '--runs',
        String(opt.runs),
        '--only',
        String(i),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 },
    );
    if (r.status !== 0) process.exit(r.status ?? 1);
    const out = JSON.parse(r.stdout);
    head ??= out;
    results.push(...out.results);
  }
  console.log(JSON.stringify({ ...head, results }, null, 2));
  process.exit(0);
}
const base = await benchChain({ model: `sha256:${lp.sha256Hex(lp.utf8('bench model'))}` });
const { id, model, at, sign, chain } = base;
// the steward and the revoker both sign datasets here
base.policy.roles['data-steward'].identities.push(id.revoker);
const policy = lp.parsePolicy(base.policy);
const datasetOf = (i, who) =>
  lp.buildDatasetStatement({
    subject: { name: `shard-${i}`, digest: `sha256:${lp.sha256Hex(lp.utf8(`shard ${i}`))}` },
    name: `shard-${i}`,
    version: '1',
    owner: 'data',
    license: 'CC-BY-4.0',
    classification: { sensitivity: 'internal', pii: false },
    sources: [],
    attester: id[who],
    now: at(5),
  });

// one native verification of a PAE of the typical envelope's size
const sample = await sign(datasetOf(0, 'steward'), 'steward');
const pae = lp.pae(lp.IN_TOTO_PAYLOAD_TYPE, sample.payload);
const kp = generateKeyPairSync('ed25519');
const sig = nodeSign(null, pae, kp.privateKey);
let t = performance.now();
const NATIVE = 20000;
for (let i = 0; i < NATIVE; i++) nodeVerify(null, pae, kp.publicKey, sig);
const nativeMs = (performance.now() - t) / NATIVE;

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

async function scenario(name, who, keyid) {
  const lines = [];
  for (let i = 0; i < opt.envelopes; i++) lines.push((await sign(datasetOf(i, who(i)), who(i), { keyid })).line);
  const bundle = lines.join('') + chain;
  lines.length = 0;
  const bytes = Buffer.byteLength(bundle);
  const times = [];
  let ok;
  for (let r = 0; r < opt.runs; r++) {
    peakRss = process.memoryUsage().rss;
    const t0 = performance.now();
    const out = await lp.verifyChain({
      bundle,
      policy,
      subject: model,
      useCase: 'chat',
      asOf: '2026-02-01T00:00:00Z',
      verifier: lp.nodeEd25519Verifier,
      limits: { envelopesPerBundle: opt.envelopes + 10 },
    });
    times.push(performance.now() - t0);
    ok = out.report.ok;
  }
  const ms = times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
  const per = ms / (opt.envelopes + 5);
  return {
    name,
    envelopes: opt.envelopes + 5,
    bundleMiB: Number((bytes / 2 ** 20).toFixed(1)),
    verified: ok,
    seconds: Number((ms / 1000).toFixed(2)),
    msPerEnvelope: Number(per.toFixed(4)),
    ratioToNativeVerify: Number((per / nativeMs).toFixed(2)),
    peakRssMiB: Math.round(peakRss / 2 ** 20),
    target: 3,
    met: ok && per / nativeMs <= 3,
  };
}

const results = [
  opt.only === 0
    ? await scenario(SCENARIOS[0], (i) => (i % 2 ? 'steward' : 'revoker'), true)
    : await scenario(SCENARIOS[1], () => 'revoker', false),
];
clearInterval(sampler);
console.log(
  JSON.stringify(
    {
      question: 'verifyChain cost per trusted envelope at scale vs one native Ed25519 verify (target <= 3x)',
      machine: machine(),
      nativeVerifyMs: Number(nativeMs.toFixed(4)),
      results,
    },
    null,
    2,
  ),
);
