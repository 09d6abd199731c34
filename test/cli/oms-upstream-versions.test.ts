/**
 * Every signature upstream's own test suite verifies — model_signing v0.2.0 to v1.1.0, by key,
 * certificate chain and Sigstore keyless (fixtures/model-signing/upstream/, copied from
 * github.com/sigstore/model-transparency at e343073 `scripts/tests/`) — verified by `lineproof oms
 * verify` with the exact command line of upstream's script for it (test-verify-*.sh: its `pushd`
 * and its `model_signing` arguments, read from the script), and failed by a changed file. v0.2's
 * faulty PAE is checked against CPython's own `repr()` of bytes (the peer that made the bug).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { pae } from '../../src/dsse/pae.js';
import { generateEcPrivateKey } from '../../src/pki/ec-private.js';
import { omsKeyHint } from '../../src/pki/ec.js';
import { signEcdsa } from '../../src/pki/ecdsa.js';
import { omsCompatPae, pythonBytesRepr } from '../../src/interop/oms/compat.js';
import { verifyOmsSignature } from '../../src/interop/oms/verify.js';
import type { Report } from '../../src/report/index.js';
import { cli } from '../helpers/cli.js';
import { fixturePath } from '../helpers/fixtures.js';
const PYTHON = 'python3';
import { tempDir } from '../helpers/tmp.js';

const UPSTREAM = fixturePath('model-signing', 'upstream');

/** Upstream's commands of one script, in order: the folder each runs in (pushd/popd) and its arguments. */
function commandsOf(script: string): { cwd: string; args: string[] }[] {
  const text = readFileSync(join(UPSTREAM, script), 'utf8');
  const out: { cwd: string; args: string[] }[] = [];
  const dirs = ['.'];
  const re = /^pushd (\S+)|^popd|python -m model_signing \\\n([\s\S]*?); then/gm;
  for (const m of text.matchAll(re)) {
    if (m[0].startsWith('pushd')) dirs.push(m[1]!);
    else if (m[0].startsWith('popd')) dirs.pop();
    else {
      const args = m[2]!
        .split('\n')
        .map((l) => l.replace(/\\$/, '').trim())
        .join(' ')
        .split(/\s+/)
        .filter((a) => a !== '');
      out.push({ cwd: dirs[dirs.length - 1]!, args });
    }
  }
  if (out.length === 0) throw new Error(`${script}: no model_signing command`);
  return out;
}

const SCRIPTS = readdirSync(UPSTREAM)
  .filter((f) => /^test-verify-v.*\.sh$/.test(f))
  .sort();

describe("upstream's fixtures, with upstream's command lines", () => {
  it('finds every version and mode upstream tests (13 scripts)', () => {
    expect(SCRIPTS.length).toBe(13);
    expect(SCRIPTS.map((s) => /-(certificate|elliptic-key|sigstore)\.sh$/.exec(s)![1]).sort()).toEqual([
      ...Array(5).fill('certificate'),
      ...Array(4).fill('elliptic-key'),
      ...Array(4).fill('sigstore'),
    ]);
  });

  it.each(SCRIPTS)('%s verifies, and fails once a signed file changes', async (script) => {
    const root = join(tempDir('lineproof-upstream-'), 'tests');
    cpSync(UPSTREAM, root, { recursive: true });
    const commands = commandsOf(script);
    for (const { cwd, args } of commands) {
      expect(args[0]).toBe('verify');
      const r = await cli(['oms', ...args, '--json'], { cwd: join(root, cwd) });
      expect(r.stderr).toBe('');
      const report = JSON.parse(r.stdout) as Report;
      expect(report.checks.filter((c) => c.status === 'fail').map((c) => `${c.code} ${c.message}`)).toEqual([]);
      expect(r.code).toBe(0);
    }
    const { cwd, args } = commands[0]!;
    const version = /test-verify-(v[^-]+-[a-z-]+)\.sh/.exec(script)![1]!;
    writeFileSync(join(root, version, 'signme-1'), 'changed after signing');
    const t = await cli(['oms', ...args, '--json'], { cwd: join(root, cwd) });
    expect(t.code).toBe(1);
    expect((JSON.parse(t.stdout) as Report).checks.filter((c) => c.status === 'fail').map((c) => c.code)).toEqual([
      'MANIFEST_ITEM_MISMATCH',
    ]);
  });

  it("v0.2's PAE is reported as such, and the v0.2 format still finds an extra file", async () => {
    const root = join(tempDir('lineproof-upstream-'), 'tests');
    cpSync(UPSTREAM, root, { recursive: true });
    const { cwd, args } = commandsOf('test-verify-v0.2.0-certificate.sh')[0]!;
    const r = await cli(['oms', ...args, '--json'], { cwd: join(root, cwd) });
    const sig = (JSON.parse(r.stdout) as Report).checks.find((c) => c.id === 'oms.signature')!;
    expect(sig.message).toContain("model_signing v0.2's PAE");
    // an extra file is found: the v0.2 format lists every file
    writeFileSync(join(root, 'v0.2.0-certificate', 'extra.bin'), 'x');
    const extra = await cli(['oms', ...args, '--json'], { cwd: join(root, cwd) });
    expect((JSON.parse(extra.stdout) as Report).checks.filter((c) => c.status === 'fail').map((c) => c.code)).toEqual([
      'MANIFEST_ITEM_EXTRA',
    ]);
  });
});

describe("v0.2's PAE is accepted for a v0.2 statement only", () => {
  const key = generateEcPrivateKey('P-384');
  const bundleOf = (statement: object, message: (p: Uint8Array) => Uint8Array): string => {
    const payload = new TextEncoder().encode(JSON.stringify(statement));
    const sig = signEcdsa(key, message(payload));
    return JSON.stringify({
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: { publicKey: { hint: omsKeyHint(key.publicKey) }, tlogEntries: [] },
      dsseEnvelope: {
        payload: Buffer.from(payload).toString('base64'),
        payloadType: 'application/vnd.in-toto+json',
        signatures: [{ sig: Buffer.from(sig).toString('base64'), keyid: '' }],
      },
    });
  };
  const digest = 'a'.repeat(64);
  const v02 = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'w.bin', digest: { sha256: digest } }],
    predicateType: 'https://model_signing/Digests/v0.1',
    predicate: { unused: 'Unused, just passed due to API requirements' },
  };
  const v10 = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'm', digest: { sha256: createHash('sha256').update(Buffer.from(digest, 'hex')).digest('hex') } }],
    predicateType: 'https://model_signing/signature/v1.0',
    predicate: {
      serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false },
      resources: [{ name: 'w.bin', algorithm: 'sha256', digest }],
    },
  };
  const codes = async (b: string): Promise<string[]> =>
    (await verifyOmsSignature(b, { publicKey: key.publicKey })).report.checks
      .filter((c) => c.status === 'fail')
      .map((c) => c.code);

  it('a v0.2 statement signed over the v0.2 PAE (curve hash, as a key signer made it) verifies; over the right PAE too', async () => {
    expect(await codes(bundleOf(v02, omsCompatPae))).toEqual([]);
    expect(await codes(bundleOf(v02, (p) => pae('application/vnd.in-toto+json', p)))).toEqual([]);
  });

  it('a v1.0 statement signed over the v0.2 PAE is refused: the faulty encoding carries nothing else', async () => {
    expect(await codes(bundleOf(v10, (p) => pae('application/vnd.in-toto+json', p)))).toEqual([]);
    expect(await codes(bundleOf(v10, omsCompatPae))).toEqual(['OMS_SIGNATURE_INVALID']);
  });
});

describe("v0.2's PAE against CPython", () => {
  it('pythonBytesRepr equals repr(bytes) in CPython for arbitrary bytes (quotes, escapes, high bytes)', () => {
    const samples = fc.sample(fc.uint8Array({ maxLength: 40 }), 300);
    samples.push(new Uint8Array([0x27]), new Uint8Array([0x22, 0x27]), new Uint8Array([0x5c, 0x0a, 0x7f, 0x80]));
    const hex = samples.map((s) => Buffer.from(s).toString('hex')).join('\n');
    const py = spawnSync(
      PYTHON,
      ['-c', 'import sys\nfor l in sys.stdin.read().split("\\n"):\n  print(repr(bytes.fromhex(l)))'],
      {
        input: hex,
        encoding: 'utf8',
      },
    );
    expect(py.status).toBe(0);
    const theirs = py.stdout.split('\n').slice(0, samples.length);
    expect(samples.map(pythonBytesRepr)).toEqual(theirs);
  });

  it('omsCompatPae is the text model_signing 1.x pae_compat builds', () => {
    const payload = new TextEncoder().encode('{\n  "a": "it\'s"\n}');
    const py = spawnSync(
      PYTHON,
      [
        '-c',
        'import sys\np=sys.stdin.buffer.read()\nt="application/vnd.in-toto+json"\nsys.stdout.buffer.write(f"DSSEV1 {len(t)} {t} {len(p)} {p}".encode("utf-8"))',
      ],
      { input: payload },
    );
    expect(new Uint8Array(py.stdout)).toEqual(omsCompatPae(payload));
  });
});
