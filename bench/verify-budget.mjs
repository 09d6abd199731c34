#!/usr/bin/env node
// Question: how long does `lineproof verify` (a fresh CLI process) take on a valid chain flooded
// with junk signatures an attacker appended — up to the default budget of untrusted signature
// checks (it must pass, < 5 s) and far past it (it must fail closed with VERIFY_BUDGET_EXCEEDED,
// < 5 s)? Peer: raw OpenSSL Ed25519 verify (node:crypto) of the same number of (signature, key)
// pairs, in the same run. Runs against dist/ (npm run build first). JSON on stdout.
//
// The chain is demo-shaped (dataset -> training -> evaluation -> approval -> promotion) under a
// policy of 7 keys. Junk: 16 signatures per line on the approval's payload, each with a canonical
// S (< L) and an R that decodes to a curve point (so no structural check refuses it: every one
// costs a check per policy key); half the keyids name no key, half name policy keys.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, verify as opensslVerify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ed from '@noble/ed25519';
import * as lp from '../dist/node/index.js';
import { flags, machine, ROOT } from './lib.mjs';
import { benchChain, NAMES } from './chain.mjs';

const opt = flags({ runs: 5, 'past-lines': 2000 });
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'lineproof-bench-budget-'));

const { keys, model, approval, chain, policy } = await benchChain();
const names = NAMES;
writeFileSync(join(dir, 'policy.json'), JSON.stringify(policy));

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const policyKeyids = names.map((n) => lp.keyidsOf(keys[n].publicKey.bytes).legacy);
let counter = 1n;
function junkSignature(i) {
  // R: a prime-order curve point (decodes, not small order); S: random below L.
  const r = ed.Point.BASE.multiply(counter++).toBytes();
  let s = 0n;
  for (const b of randomBytes(32)) s = (s << 8n) | BigInt(b);
  s %= L;
  const sb = new Uint8Array(32);
  for (let j = 0; j < 32; j++, s >>= 8n) sb[j] = Number(s & 255n);
  const sig = new Uint8Array(64);
  sig.set(r, 0);
  sig.set(sb, 32);
  return {
    keyid: i % 2 === 0 ? lp.toHex(randomBytes(32)) : policyKeyids[i % policyKeyids.length],
    sig: lp.toBase64(sig),
  };
}
function junkLines(count) {
  let out = '';
  for (let l = 0; l < count; l++)
    out += lp.bundleLine({ ...approval.envelope, signatures: Array.from({ length: 16 }, (_, i) => junkSignature(i)) });
  return out;
}

const budget = lp.DEFAULT_LIMITS.untrustedSignatureChecks;
const withinLines = Math.floor(budget / (16 * names.length)); // every junk signature costs one check per key
const cases = {
  'valid chain': chain,
  [`valid chain + ${withinLines} junk lines (${withinLines * 16 * names.length} of ${budget} checks)`]:
    chain + junkLines(withinLines),
  [`valid chain + ${opt['past-lines']} junk lines (${opt['past-lines'] * 16 * names.length} checks wanted, past the budget)`]:
    junkLines(opt['past-lines'] / 2) + chain + junkLines(opt['past-lines'] / 2),
};

function runCli(file) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(
    process.execPath,
    [
      CLI,
      'verify',
      '--chain',
      file,
      '--policy',
      join(dir, 'policy.json'),
      '--digest',
      model,
      '--use-case',
      'chat',
      '--at',
      '2026-02-01T00:00:00Z',
      '--json',
    ],
    { encoding: 'utf8', maxBuffer: 1 << 28 },
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  let failed;
  try {
    failed = [
      ...new Set(
        JSON.parse(r.stdout)
          .checks.filter((c) => c.status === 'fail')
          .map((c) => c.code),
      ),
    ];
  } catch {
    failed = [`unparseable output (exit ${r.status})`];
  }
  return { seconds, exit: r.status, failed };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];
for (const [name, text] of Object.entries(cases)) {
  const file = join(dir, `${results.length}.intoto.jsonl`);
  writeFileSync(file, text);
  runCli(file); // warm-up
  const runs = Array.from({ length: opt.runs }, () => runCli(file));
  results.push({
    name,
    bytes: text.length,
    exit: runs[0].exit,
    failedCodes: runs[0].failed,
    medianSeconds: Number(median(runs.map((r) => r.seconds)).toFixed(3)),
    maxSeconds: Number(Math.max(...runs.map((r) => r.seconds)).toFixed(3)),
  });
}

// The native peer: OpenSSL verifying the same number of (junk signature, key) pairs, in-process.
const { publicKey } = generateKeyPairSync('ed25519');
const msg = lp.pae(lp.IN_TOTO_PAYLOAD_TYPE, approval.payload);
const junk = Array.from({ length: 1024 }, (_, i) => Buffer.from(lp.fromBase64(junkSignature(i).sig)));
const t0 = process.hrtime.bigint();
for (let i = 0; i < budget; i++) opensslVerify(null, msg, publicKey, junk[i % junk.length]);
const opensslSeconds = Number(process.hrtime.bigint() - t0) / 1e9;

rmSync(dir, { recursive: true, force: true });
const within = results[1];
const past = results[2];
console.log(
  JSON.stringify(
    {
      question:
        'lineproof verify on a valid chain flooded with junk signatures: within the default budget (passes) and past it (fails closed)',
      machine: machine(),
      policyKeys: names.length,
      budget,
      peer: {
        name: `openssl Ed25519 verify x ${budget} (node:crypto, in-process)`,
        seconds: Number(opensslSeconds.toFixed(3)),
      },
      results,
      targets: {
        withinBudgetPassesUnder5s: within.exit === 0 && within.failedCodes.length === 0 && within.medianSeconds < 5,
        pastBudgetFailsClosedUnder5s:
          past.exit === 1 &&
          past.failedCodes.includes('VERIFY_BUDGET_EXCEEDED') &&
          past.failedCodes.length === 1 &&
          past.medianSeconds < 5,
        withinBudgetRatioToOpensslChecks: Number((within.medianSeconds / opensslSeconds).toFixed(2)),
      },
    },
    null,
    2,
  ),
);
