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
const names = ['steward', 'trainer', 'evaluator', 'alice', 'bob', 'deployer', 'revoker'];
const id = Object.fromEntries(names.map((n) => [n, `mailto:${n}@example.com`]));
const keys = {};
for (const n of names) keys[n] = await lp.generateKeyPair();
const model = `sha256:${lp.sha256Hex(lp.utf8('bench model'))}`;

const policy = lp.parsePolicy({
  id: 'urn:bench:scale',
  version: 1,
  keys: Object.fromEntries(names.map((n) => [n, { publicKey: lp.publicKeyToHex(keys[n].publicKey) }])),
  identities: Object.fromEntries(names.map((n) => [id[n], { keys: [n] }])),
  roles: {
    'data-steward': { identities: [id.steward, id.revoker] },
    trainer: { identities: [id.trainer] },
    evaluator: { identities: [id.evaluator] },
    approver: { identities: [id.alice, id.bob] },
    deployer: { identities: [id.deployer] },
    revoker: { identities: [id.revoker] },
  },
  riskTiers: { low: { requiredEvaluationCategories: ['accuracy'], approvers: 1, maxApprovalAgeDays: 180 } },
  useCases: { chat: { riskTier: 'low' } },
});

async function sign(statement, who, keyid = true) {
  const base = lp.nodeEd25519Signer(keys[who]);
  const signer = keyid ? base : { ...base, keyid: '' };
  const payload = lp.canonicalBytes(statement);
  const envelope = await lp.signEnvelope(payload, lp.IN_TOTO_PAYLOAD_TYPE, [signer], {
    verifier: lp.nodeEd25519Verifier,
  });
  return { payload, line: lp.bundleLine(envelope) };
}
const at = (d) => new Date(`2026-01-${String(d).padStart(2, '0')}T12:00:00Z`);
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

// the chain the bundle must verify
const dataset = await sign(datasetOf('chain', 'steward'), 'steward');
const training = await sign(
  lp.buildTrainingStatement({
    subject: { name: 'model', digest: model },
    builder: { id: id.trainer },
    startedOn: '2026-01-09T00:00:00Z',
    finishedOn: '2026-01-10T00:00:00Z',
    code: { uri: 'git+https://example.com/t', digest: { gitCommit: 'a'.repeat(40) } },
    hyperparameters: { epochs: 1 },
    datasets: [dataset.payload],
    attester: id.trainer,
    now: at(10),
  }),
  'trainer',
);
const evaluation = await sign(
  lp.buildEvaluationStatement({
    subject: { name: 'model', digest: model },
    suite: { name: 's', version: '1' },
    evaluator: { name: 'e', version: '1' },
    training: training.payload,
    datasets: [{ name: 'h', digest: `sha256:${lp.sha256Hex(lp.utf8('h'))}` }],
    metrics: [{ name: 'acc', category: 'accuracy', value: 0.95, higherIsBetter: true, threshold: 0.9, dataset: 'h' }],
    result: 'PASSED',
    attester: id.evaluator,
    now: at(11),
  }),
  'evaluator',
);
const approval = await sign(
  lp.buildApprovalStatement({
    subject: { name: 'model', digest: model },
    decision: 'APPROVED',
    stage: 'production',
    useCase: { id: 'chat', description: 'c' },
    riskTier: 'low',
    training: training.payload,
    evaluations: [evaluation.payload],
    conditions: [],
    runtimeScope: { tools: [], dataClasses: [], secretScopes: [] },
    notBefore: '2026-01-12T00:00:00Z',
    expires: '2026-07-01T00:00:00Z',
    attester: id.alice,
    now: at(12),
  }),
  'alice',
);
const promotion = await sign(
  lp.buildPromotionStatement({
    subject: { name: 'model', digest: model },
    approval: approval.payload,
    stage: 'production',
    environment: 'prod',
    attester: id.deployer,
    now: at(13),
  }),
  'deployer',
);
const chain = [dataset, training, evaluation, approval, promotion].map((s) => s.line).join('');

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
  for (let i = 0; i < opt.envelopes; i++) lines.push((await sign(datasetOf(i, who(i)), who(i), keyid)).line);
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
