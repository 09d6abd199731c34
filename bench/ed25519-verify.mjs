#!/usr/bin/env node
// Question: what do strict Ed25519 and DSSE verification cost, against OpenSSL's own verify?
// Runs against dist/ (npm run build first). Prints one JSON object: per-operation microseconds
// and each figure as a ratio to raw node:crypto (OpenSSL) verify measured in the same run.
import { createPublicKey, verify as opensslVerify } from 'node:crypto';
import { cpus } from 'node:os';
import * as lp from '../dist/node/index.js';

const N = Number(process.env.N ?? 2000);
const key = await lp.generateKeyPair();
const signer = lp.ed25519Signer(key);
const msg = lp.utf8('x'.repeat(1024));
const sig = await signer.sign(msg);
const bad = Uint8Array.from(sig);
bad[5] ^= 1;
const ko = createPublicKey({ key: Buffer.from(lp.spkiDer(key.publicKey.bytes)), format: 'der', type: 'spki' });
const statement = lp.utf8(
  JSON.stringify({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'm', digest: { sha256: 'ab'.repeat(32) } }],
    predicateType: 'https://lineproof.dev/x',
    predicate: { pad: 'y'.repeat(900) },
  }),
);
const envelope = lp.serializeEnvelope(await lp.signEnvelope(statement, lp.IN_TOTO_PAYLOAD_TYPE, [signer]));

async function time(name, n, fn) {
  for (let i = 0; i < Math.min(200, n); i++) await fn(); // warm up
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn();
  const us = Number(process.hrtime.bigint() - t0) / 1e3 / n;
  return [name, us];
}

const rows = [
  await time('openssl-verify (native peer)', N, () => opensslVerify(null, msg, ko, sig)),
  await time('node-crypto-strict verify, valid', N, () => lp.checkEd25519Node(sig, msg, key.publicKey.bytes)),
  await time('node-crypto-strict verify, invalid (strict fallback)', Math.ceil(N / 10), () =>
    lp.checkEd25519Node(bad, msg, key.publicKey.bytes),
  ),
  await time('noble-strict verify, valid', Math.ceil(N / 10), () => lp.checkEd25519(sig, msg, key.publicKey.bytes)),
  await time('verifyEnvelope 1 KiB in-toto, node-crypto-strict', N, () =>
    lp.verifyEnvelope(envelope, { trustedKeys: [key.publicKey], verifier: lp.nodeEd25519Verifier }),
  ),
  await time('verifyEnvelope 1 KiB in-toto, noble-strict', Math.ceil(N / 10), () =>
    lp.verifyEnvelope(envelope, { trustedKeys: [key.publicKey] }),
  ),
  await time('signEnvelope 1 KiB in-toto, node signer + node verifier', Math.ceil(N / 2), () =>
    lp.signEnvelope(statement, lp.IN_TOTO_PAYLOAD_TYPE, [lp.nodeEd25519Signer(key)], {
      verifier: lp.nodeEd25519Verifier,
    }),
  ),
];
const base = rows[0][1];
console.log(
  JSON.stringify(
    {
      question: 'strict Ed25519 / DSSE verification cost vs OpenSSL verify',
      machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version },
      results: rows.map(([name, us]) => ({
        name,
        microsecondsPerOp: Number(us.toFixed(1)),
        opsPerSecond: Math.round(1e6 / us),
        ratioToOpenssl: Number((us / base).toFixed(2)),
      })),
    },
    null,
    2,
  ),
);
