/**
 * `lineproof oms verify|sign` and `lineproof bundle to-sigstore|from-sigstore`: exit codes
 * (decisions §2), --json reports, --help. The model_signing fixture (github.com/sigstore/model-transparency
 * at e343073) is copied to a temporary directory before any change.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../src/bytes/index.js';
import { ecPrivateKeyToPem, ecPublicKeyToPem, fromSigstoreBundle, generateEcPrivateKey } from '../../src/index.js';
import { reportSchema, type Report } from '../../src/report/index.js';
import { cli } from '../helpers/cli.js';
import { statementBytes } from '../helpers/dsse.js';
import { fixturePath } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tmp.js';

function fixtureCopy(): { dir: string; model: string; key: string } {
  const dir = tempDir('lineproof-cli-oms-');
  const model = join(dir, 'v1.0.1-elliptic-key');
  cpSync(fixturePath('model-signing', 'v1.0.1-elliptic-key'), model, { recursive: true });
  cpSync(fixturePath('model-signing', 'signing-key-pub.pem'), join(dir, 'signing-key-pub.pem'));
  return { dir, model, key: join(dir, 'signing-key-pub.pem') };
}

const verifyArgs = (f: { model: string; key: string }, ...more: string[]): string[] => [
  'oms',
  'verify',
  '--model',
  f.model,
  '--signature',
  join(f.model, 'model.sig'),
  '--key',
  f.key,
  ...more,
];
const failedCodes = (stdout: string): string[] =>
  (JSON.parse(stdout) as Report).checks.filter((c) => c.status === 'fail').map((c) => `${c.code} ${c.subject}`);

describe('lineproof oms verify', () => {
  it('verifies the model_signing v1.0.1 fixture with --ignore-paths ignore-me (exit 0)', async () => {
    const f = fixtureCopy();
    const r = await cli(verifyArgs(f, '--ignore-paths', 'ignore-me'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^verified: /);
    expect(r.stdout).toContain('ECDSA P-384/SHA-384');
  });

  it('--json prints exactly the report (kind oms), valid against the report schema', async () => {
    const f = fixtureCopy();
    const r = await cli(verifyArgs(f, '--ignore-paths', 'ignore-me', '--json'));
    expect(r.code).toBe(0);
    const report = reportSchema.parse(JSON.parse(r.stdout));
    expect(report.kind).toBe('oms');
    expect(report.ok).toBe(true);
  });

  it('without --ignore-paths reports ignore-me as an extra file (exit 1)', async () => {
    const f = fixtureCopy();
    const r = await cli(verifyArgs(f));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL oms.resource MANIFEST_ITEM_EXTRA (ignore-me)');
    expect(r.stdout).toMatch(/NOT VERIFIED/);
    expect(failedCodes((await cli(verifyArgs(f, '--json'))).stdout)).toEqual(['MANIFEST_ITEM_EXTRA ignore-me']);
  });

  it('a changed signme-1, an added file and a changed bundle byte fail with distinct codes (exit 1)', async () => {
    const codes: string[] = [];
    let f = fixtureCopy();
    writeFileSync(join(f.model, 'signme-1'), 'tampered\n');
    let r = await cli(verifyArgs(f, '--ignore-paths', 'ignore-me', '--json'));
    expect(r.code).toBe(1);
    codes.push(...failedCodes(r.stdout));
    f = fixtureCopy();
    writeFileSync(join(f.model, 'unsigned.bin'), 'x');
    r = await cli(verifyArgs(f, '--ignore-paths', 'ignore-me', '--json'));
    expect(r.code).toBe(1);
    codes.push(...failedCodes(r.stdout));
    f = fixtureCopy();
    const sig = readFileSync(join(f.model, 'model.sig'));
    const at = sig.indexOf('"sig": "') + 20;
    sig[at] = sig[at] === 0x41 ? 0x42 : 0x41;
    writeFileSync(join(f.model, 'model.sig'), sig);
    r = await cli(verifyArgs(f, '--ignore-paths', 'ignore-me', '--json'));
    expect(r.code).toBe(1);
    codes.push(...failedCodes(r.stdout).map((c) => c.split(' ')[0]!));
    expect(codes).toEqual([
      'MANIFEST_ITEM_MISMATCH signme-1',
      'MANIFEST_ITEM_EXTRA unsigned.bin',
      'OMS_SIGNATURE_INVALID',
    ]);
  });

  it('a signature file that is not JSON fails (exit 1); operator errors exit 2', async () => {
    const f = fixtureCopy();
    writeFileSync(join(f.model, 'model.sig'), 'not json');
    expect((await cli(verifyArgs(f, '--ignore-paths', 'ignore-me'))).code).toBe(1);
    const g = fixtureCopy();
    expect(
      (
        await cli([
          'oms',
          'verify',
          '--model',
          join(g.dir, 'nope'),
          '--signature',
          join(g.model, 'model.sig'),
          '--key',
          g.key,
        ])
      ).code,
    ).toBe(2);
    expect(
      (await cli(['oms', 'verify', '--model', g.model, '--signature', join(g.dir, 'nope.sig'), '--key', g.key])).code,
    ).toBe(2);
    expect(
      (
        await cli([
          'oms',
          'verify',
          '--model',
          g.model,
          '--signature',
          join(g.model, 'model.sig'),
          '--key',
          join(g.dir, 'nope.pem'),
        ])
      ).code,
    ).toBe(2);
    writeFileSync(
      join(g.dir, 'ed.pub'),
      '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n',
    );
    const ed = await cli([
      'oms',
      'verify',
      '--model',
      g.model,
      '--signature',
      join(g.model, 'model.sig'),
      '--key',
      join(g.dir, 'ed.pub'),
    ]);
    expect(ed.code).toBe(2);
    expect(ed.stderr).toContain('KEY_UNSUPPORTED');
    expect((await cli(['oms', 'verify', '--model', g.model, '--key', g.key])).code).toBe(2);
    expect((await cli([...verifyArgs(g), '--bogus'])).code).toBe(2);
    expect((await cli(verifyArgs(g, '--ignore-paths', '../x'))).code).toBe(2);
    expect((await cli(verifyArgs(g, '--ignore-paths', '/etc/passwd'))).code).toBe(2);
  });

  it('an absolute ignore path inside the model works like the relative one', async () => {
    const f = fixtureCopy();
    expect((await cli(verifyArgs(f, '--ignore-paths', join(f.model, 'ignore-me')))).code).toBe(0);
  });
});

describe('lineproof oms sign', () => {
  it('signs with an "EC PRIVATE KEY" (SEC1) key from openssl ecparam; oms verify accepts it and fails it tampered', async () => {
    const dir = tempDir('lineproof-cli-oms-');
    const model = join(dir, 'model');
    mkdirSync(join(model, 'd'), { recursive: true });
    writeFileSync(join(model, 'w.bin'), 'weights');
    writeFileSync(join(model, 'd', 'c.json'), '{}');
    const gen = spawnSync('openssl', [
      'ecparam',
      '-name',
      'prime256v1',
      '-genkey',
      '-noout',
      '-out',
      join(dir, 'key.pem'),
    ]);
    expect(gen.status, 'openssl is required (apt-get install openssl)').toBe(0);
    expect(readFileSync(join(dir, 'key.pem'), 'utf8')).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    spawnSync('openssl', ['pkey', '-in', join(dir, 'key.pem'), '-pubout', '-out', join(dir, 'key.pub')]);
    const s = await cli(['oms', 'sign', '--model', 'model', '--key', 'key.pem', '--out', 'model/model.sig', '--json'], {
      cwd: dir,
    });
    expect(s.stderr).toMatch(/^(|lineproof: warning: .*readable by group or others.*\n)$/);
    expect(s.code).toBe(0);
    const out = JSON.parse(s.stdout) as { digest: string; resources: number; curve: string; hint: string };
    expect(out).toMatchObject({ resources: 2, curve: 'P-256' });
    const v = await cli(['oms', 'verify', '--model', 'model', '--signature', 'model/model.sig', '--key', 'key.pub'], {
      cwd: dir,
    });
    expect(v.code).toBe(0);
    writeFileSync(join(model, 'd', 'c.json'), '{"x":1}');
    const bad = await cli(
      ['oms', 'verify', '--model', 'model', '--signature', 'model/model.sig', '--key', 'key.pub', '--json'],
      { cwd: dir },
    );
    expect(bad.code).toBe(1);
    expect(failedCodes(bad.stdout)).toEqual(['MANIFEST_ITEM_MISMATCH d/c.json']);
  });

  it('signs by shards; a single-file model; usage errors exit 2', async () => {
    const dir = tempDir('lineproof-cli-oms-');
    const key = generateEcPrivateKey('P-384');
    writeFileSync(join(dir, 'k.pem'), ecPrivateKeyToPem(key), { mode: 0o600 });
    writeFileSync(join(dir, 'k.pub'), ecPublicKeyToPem(key.publicKey));
    mkdirSync(join(dir, 'm'));
    writeFileSync(join(dir, 'm', 'big'), new Uint8Array(100));
    expect(
      (
        await cli(
          [
            'oms',
            'sign',
            '--model',
            'm',
            '--key',
            'k.pem',
            '--out',
            's.sig',
            '--method',
            'shards',
            '--shard-size',
            '30',
          ],
          { cwd: dir },
        )
      ).code,
    ).toBe(0);
    const st = JSON.parse(
      new TextDecoder().decode(fromBase64(JSON.parse(readFileSync(join(dir, 's.sig'), 'utf8')).dsseEnvelope.payload)),
    );
    expect(st.predicate.resources.map((r: { name: string }) => r.name)).toEqual([
      'big:0:30',
      'big:30:60',
      'big:60:90',
      'big:90:100',
    ]);
    expect(
      (await cli(['oms', 'verify', '--model', 'm', '--signature', 's.sig', '--key', 'k.pub'], { cwd: dir })).code,
    ).toBe(0);
    expect(
      (await cli(['oms', 'sign', '--model', 'm/big', '--key', 'k.pem', '--out', 'f.sig'], { cwd: dir })).code,
    ).toBe(0);
    expect(
      (await cli(['oms', 'verify', '--model', 'm/big', '--signature', 'f.sig', '--key', 'k.pub'], { cwd: dir })).code,
    ).toBe(0);
    for (const args of [
      ['--model', 'm', '--key', 'k.pem', '--out', 'x.sig', '--method', 'tensors'],
      ['--model', 'm', '--key', 'k.pem', '--out', 'x.sig', '--shard-size', '10'],
      ['--model', 'nope', '--key', 'k.pem', '--out', 'x.sig'],
      ['--model', 'm', '--key', 'k.pub', '--out', 'x.sig'],
      ['--model', 'm', '--key', 'k.pem'],
      ['--model', 'm', '--key', 'k.pem', '--out', 'no-such-dir/x.sig'],
    ]) {
      const r = await cli(['oms', 'sign', ...args], { cwd: dir });
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
    }
  });

  it('an encrypted key needs LINEPROOF_KEY_PASSPHRASE (exit 2 without it)', async () => {
    const dir = tempDir('lineproof-cli-oms-');
    writeFileSync(join(dir, 'k.pem'), ecPrivateKeyToPem(generateEcPrivateKey('P-256')), { mode: 0o600 });
    const enc = spawnSync('openssl', [
      'pkcs8',
      '-topk8',
      '-in',
      join(dir, 'k.pem'),
      '-v2',
      'aes-256-cbc',
      '-passout',
      'pass:pw',
      '-out',
      join(dir, 'enc.pem'),
    ]);
    expect(enc.status).toBe(0);
    writeFileSync(join(dir, 'w'), 'x');
    const no = await cli(['oms', 'sign', '--model', 'w', '--key', 'enc.pem', '--out', 'w.sig'], { cwd: dir });
    expect(no.code).toBe(2);
    expect(no.stderr).toContain('KEY_PASSPHRASE_REQUIRED');
    expect(
      (
        await cli(['oms', 'sign', '--model', 'w', '--key', 'enc.pem', '--out', 'w.sig'], {
          cwd: dir,
          env: { LINEPROOF_KEY_PASSPHRASE: 'pw' },
        })
      ).code,
    ).toBe(0);
  });
});

describe('lineproof bundle to-sigstore | from-sigstore', () => {
  async function envelope(dir: string): Promise<string> {
    writeFileSync(join(dir, 'st.json'), statementBytes());
    expect((await cli(['keygen', '--out', 'alice'], { cwd: dir })).code).toBe(0);
    expect(
      (
        await cli(
          [
            'dsse',
            'sign',
            '--key',
            'alice.key',
            '--type',
            'application/vnd.in-toto+json',
            '--in',
            'st.json',
            '--out',
            'env.json',
          ],
          { cwd: dir },
        )
      ).code,
    ).toBe(0);
    return readFileSync(join(dir, 'env.json'), 'utf8');
  }

  it('round-trips an envelope (same bytes back) and the envelope still verifies', async () => {
    const dir = tempDir('lineproof-cli-sig-');
    const env = await envelope(dir);
    const to = await cli(['bundle', 'to-sigstore', '--in', 'env.json', '--hint', 'alice', '--out', 'b.json'], {
      cwd: dir,
    });
    expect(to.code).toBe(0);
    const b = JSON.parse(readFileSync(join(dir, 'b.json'), 'utf8'));
    expect(b.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(b.verificationMaterial).toEqual({ publicKey: { hint: 'alice' }, tlogEntries: [] });
    const from = await cli(['bundle', 'from-sigstore', '--in', 'b.json'], { cwd: dir });
    expect(from.code).toBe(0);
    expect(from.stdout).toBe(env);
    writeFileSync(join(dir, 'back.json'), from.stdout);
    expect((await cli(['dsse', 'verify', '--key', 'alice.pub', '--in', 'back.json'], { cwd: dir })).code).toBe(0);
  });

  it('refuses several signatures (exit 1, SIGSTORE_MULTIPLE_SIGNATURES) and a malformed bundle (exit 1); no hint is a usage error', async () => {
    const dir = tempDir('lineproof-cli-sig-');
    const env = JSON.parse(await envelope(dir));
    env.signatures.push({ keyid: 'x', sig: toBase64(new Uint8Array(64)) });
    writeFileSync(join(dir, 'two.json'), JSON.stringify(env));
    const r = await cli(['bundle', 'to-sigstore', '--in', 'two.json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SIGSTORE_MULTIPLE_SIGNATURES');
    env.signatures = [{ keyid: '', sig: env.signatures[0].sig }];
    writeFileSync(join(dir, 'nokeyid.json'), JSON.stringify(env));
    expect((await cli(['bundle', 'to-sigstore', '--in', 'nokeyid.json'], { cwd: dir })).code).toBe(2);
    expect((await cli(['bundle', 'to-sigstore', '--in', 'nokeyid.json', '--hint', 'h'], { cwd: dir })).code).toBe(0);
    const fixture = await cli(
      ['bundle', 'from-sigstore', '--in', fixturePath('model-signing', 'v1.0.1-elliptic-key', 'model.sig')],
      { cwd: dir },
    );
    // model_signing 1.0.x key bundles (publicKey.rawBytes) are read: their envelope comes out as is
    expect(fixture.stderr).toBe('');
    expect(fixture.code).toBe(0);
    const sig = JSON.parse(readFileSync(fixturePath('model-signing', 'v1.0.1-elliptic-key', 'model.sig'), 'utf8')) as {
      dsseEnvelope: { payload: string };
    };
    const out = JSON.parse(fixture.stdout) as { payload: string; signatures: { keyid: string }[] };
    expect(out.payload).toBe(sig.dsseEnvelope.payload);
    expect(out.signatures[0]!.keyid).toBe('');
    // ... and its hint is model_signing 1.1's for the same key: re-wrapped, it is a 1.1 bundle
    writeFileSync(join(dir, 'v10.json'), fixture.stdout);
    const { hint } = fromSigstoreBundle(readFileSync(fixturePath('model-signing', 'v1.0.1-elliptic-key', 'model.sig')));
    expect(hint).toBe('e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e');
    const f = fixtureCopy();
    const up = await cli([
      'bundle',
      'to-sigstore',
      '--in',
      join(dir, 'v10.json'),
      '--hint',
      hint,
      '--out',
      join(f.dir, 'v11.sig'),
    ]);
    expect(up.code).toBe(0);
    const v = await cli([
      'oms',
      'verify',
      '--model',
      f.model,
      '--signature',
      join(f.dir, 'v11.sig'),
      '--key',
      f.key,
      '--ignore-paths',
      'ignore-me',
      '--ignore-paths',
      'model.sig', // the 1.0 signature beside it; 1.0.1 recorded no ignore_paths
      '--json',
    ]);
    expect(v.code).toBe(0);
    expect((JSON.parse(v.stdout) as Report).checks.find((c) => c.id === 'oms.key')?.message).toContain(
      'publicKey.hint',
    );
    // a certificate bundle is not a key bundle: refused, not stripped
    const cert = await cli([
      'bundle',
      'from-sigstore',
      '--in',
      fixturePath('model-signing', 'v1.0.1-certificate', 'model.sig'),
    ]);
    expect(cert.code).toBe(1);
    expect(cert.stderr).toContain('SIGSTORE_BUNDLE_UNSUPPORTED');
    expect((await cli(['bundle', 'from-sigstore', '--in', 'missing.json'], { cwd: dir })).code).toBe(2);
    expect((await cli(['bundle', 'from-sigstore'], { cwd: dir })).code).toBe(2);
  });
});

describe('--help', () => {
  for (const cmd of [
    ['oms', 'verify'],
    ['oms', 'sign'],
    ['bundle', 'to-sigstore'],
    ['bundle', 'from-sigstore'],
  ]) {
    it(`lineproof ${cmd.join(' ')} --help`, async () => {
      const r = await cli([...cmd, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout.startsWith(`Usage: lineproof ${cmd.join(' ')}`)).toBe(true);
      expect(r.stdout).toMatch(/Exit codes: 0/);
      expect(r.stdout).toMatch(/Examples?[ :(]/);
    });
  }
});
