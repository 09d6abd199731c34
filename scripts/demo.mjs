#!/usr/bin/env node
// The first Lineproof demo (`npm run demo`, after a build): generate a key, sign a small in-toto
// statement about a file, verify it, then flip one byte of the payload and show the rejection
// with its code. Runs the built CLI (dist/) exactly as a user would. Exits 0 only when every step
// behaved as expected. (A later issue replaces it with the full lifecycle demo.)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
if (!existsSync(BIN)) {
  console.error('demo: dist/ is missing; run `npm run build` first (npm run demo does)');
  process.exit(1);
}
const dir = mkdtempSync(join(tmpdir(), 'lineproof-demo-'));
const problems = [];

function step(title) {
  console.log(`\n== ${title}`);
}
function lineproof(args, expectCode) {
  console.log(`$ lineproof ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, LINEPROOF_KEY_PASSPHRASE: '' } });
  const out = `${r.stdout}${r.stderr}`.trimEnd();
  if (out) console.log(out.replace(/^/gm, '  '));
  console.log(`  (exit ${r.status})`);
  if (r.status !== expectCode) problems.push(`lineproof ${args[0]} ${args[1] ?? ''}: expected exit ${expectCode}, got ${r.status}`);
  return r;
}

try {
  step('1. generate an Ed25519 key pair');
  lineproof(['keygen', '--out', 'trainer'], 0);

  step('2. write a small in-toto Statement about a model file');
  const model = Buffer.from('pretend these are weights\n');
  writeFileSync(join(dir, 'model.bin'), model);
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'model.bin', digest: { sha256: createHash('sha256').update(model).digest('hex') } }],
    predicateType: 'https://lineproof.dev/attestation/demo/v0.1',
    predicate: { note: 'first demo' },
  };
  writeFileSync(join(dir, 'statement.json'), `${JSON.stringify(statement, null, 2)}\n`);
  console.log(readFileSync(join(dir, 'statement.json'), 'utf8').trimEnd().replace(/^/gm, '  '));

  step('3. sign it as a DSSE envelope');
  lineproof(['dsse', 'sign', '--key', 'trainer.key', '--type', 'application/vnd.in-toto+json', '--in', 'statement.json', '--out', 'statement.intoto.json'], 0);

  step('4. verify it against the public key');
  lineproof(['dsse', 'verify', '--key', 'trainer.pub', '--type', 'application/vnd.in-toto+json', '--in', 'statement.intoto.json'], 0);

  step('5. flip one byte of the payload and verify again');
  const env = JSON.parse(readFileSync(join(dir, 'statement.intoto.json'), 'utf8'));
  const payload = Buffer.from(env.payload, 'base64');
  const at = payload.indexOf('first demo');
  payload[at] ^= 0x20; // "first demo" -> "First demo": still a valid Statement, no longer what was signed
  writeFileSync(join(dir, 'tampered.intoto.json'), `${JSON.stringify({ ...env, payload: payload.toString('base64') })}\n`);
  console.log(`  payload byte ${at}: ${JSON.stringify(String.fromCharCode(payload[at] ^ 0x20))} -> ${JSON.stringify(String.fromCharCode(payload[at]))}`);
  const bad = lineproof(['dsse', 'verify', '--key', 'trainer.pub', '--type', 'application/vnd.in-toto+json', '--in', 'tampered.intoto.json'], 1);
  if (!/FAIL dsse\.threshold DSSE_NO_TRUSTED_SIGNATURE/.test(bad.stdout)) problems.push('the tampered envelope was not rejected with DSSE_NO_TRUSTED_SIGNATURE');
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.log(`\ndemo FAILED:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  process.exit(1);
}
console.log('\ndemo OK: signed, verified, and the one-byte change was rejected with DSSE_NO_TRUSTED_SIGNATURE');
