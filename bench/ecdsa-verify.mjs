#!/usr/bin/env node
// Question: what does ECDSA verification on @noble/curves (the core's, used for model_signing
// signatures) cost against OpenSSL's own verify, per curve, and what does verifying a
// model_signing bundle's signature and statement cost? Runs against dist/ (npm run build first).
// Prints one JSON object: microseconds per operation and the ratio to node:crypto (OpenSSL)
// verify of the same signature measured in the same run.
import { createPublicKey, verify as opensslVerify } from 'node:crypto';
import { cpus } from 'node:os';
import * as lp from '../dist/node/index.js';

const N = Number(process.env.N ?? 300);

function time(n, fn) {
  for (let i = 0; i < Math.min(50, n); i++) fn(); // warm up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - t0) / 1e3 / n;
}
async function timeAsync(n, fn) {
  for (let i = 0; i < Math.min(50, n); i++) await fn();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn();
  return Number(process.hrtime.bigint() - t0) / 1e3 / n;
}

const results = [];
for (const curve of lp.EC_CURVES) {
  const key = lp.generateEcPrivateKey(curve);
  const info = lp.ecCurveInfo(curve);
  const msg = lp.utf8('x'.repeat(1024));
  const sig = lp.signEcdsa(key, msg);
  const ko = createPublicKey(lp.ecPublicKeyToPem(key.publicKey));
  const openssl = time(N * 4, () => opensslVerify(info.hash, msg, ko, sig));
  const noble = time(N, () => lp.verifyEcdsa(key.publicKey, msg, sig));
  const viaNode = time(N * 4, () => lp.nodeVerifyEcdsa(key.publicKey, msg, sig));
  const hashed = await lp.hashOmsEntries(
    [{ path: 'w.bin', size: 4, source: lp.utf8('abcd') }],
    lp.omsSerialization({ method: 'files' }),
    { modelName: 'm' },
  );
  const bundle = lp.serializeSigstoreBundle(await lp.signOmsManifest(hashed, lp.ecdsaSigner(key)));
  const oms = await timeAsync(N, () => lp.verifyOmsSignature(bundle, { publicKey: key.publicKey }));
  const row = (name, us) => ({
    name,
    microsecondsPerOp: Number(us.toFixed(1)),
    ratioToOpenssl: Number((us / openssl).toFixed(2)),
  });
  results.push(
    row(`${curve} openssl verify (native peer)`, openssl),
    row(`${curve} noble verifyEcdsa`, noble),
    row(`${curve} nodeVerifyEcdsa (OpenSSL behind the strict DER checks; the adapter's)`, viaNode),
    row(`${curve} verifyOmsSignature (bundle, key, signature, statement)`, oms),
  );
}
console.log(
  JSON.stringify(
    {
      question: 'ECDSA / model_signing signature verification cost vs OpenSSL verify',
      machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version },
      results,
    },
    null,
    2,
  ),
);
