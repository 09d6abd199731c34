/**
 * `lineproof oms verify` with model_signing's own command lines, run from the fixtures' parent folder
 * as upstream's README runs them: the key, certificate-chain and Sigstore-keyless fixtures of
 * model_signing v1.0.1 (github.com/sigstore/model-transparency at e343073), in upstream's spelling
 * (`--public_key`, `--certificate_chain`, `--identity_provider`) and ours; each tamper fails with its
 * own code. Keyless verification is offline, against the public-good trusted root in fixtures/
 * (and the copy the package ships).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/index.js';
import { cli } from '../helpers/cli.js';
import { fixturePath } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tmp.js';

/** A copy of fixtures/model-signing/ (the fixtures' parent folder) to run upstream's commands in. */
function parentFolder(): string {
  const dir = join(tempDir('lineproof-oms-upstream-'), 'model-signing');
  cpSync(fixturePath('model-signing'), dir, { recursive: true });
  cpSync(fixturePath('sigstore', 'trusted_root.json'), join(dir, 'trusted_root.json'));
  return dir;
}

const KEY = [
  'key',
  './v1.0.1-elliptic-key',
  '--signature',
  './v1.0.1-elliptic-key/model.sig',
  '--public_key',
  'signing-key-pub.pem',
  '--ignore-paths',
  './v1.0.1-elliptic-key/ignore-me',
];
const CERT = [
  'certificate',
  '--certificate_chain',
  'certificate-keys/ca-cert.pem',
  '--ignore-paths',
  './v1.0.1-certificate/ignore-me',
  '--signature',
  './v1.0.1-certificate/model.sig',
  './v1.0.1-certificate/',
];
const SIGSTORE = [
  'sigstore',
  '--identity',
  'stefanb@us.ibm.com',
  '--identity_provider',
  'https://sigstore.verify.ibm.com/oauth2',
  '--ignore-paths',
  './v1.0.1-sigstore/ignore-me',
  '--signature',
  './v1.0.1-sigstore/model.sig',
  './v1.0.1-sigstore/',
];
/** Our spelling: hyphens, the mode inferred from the flags, the model as --model. */
const ours = (args: string[]): string[] => {
  const rest = args.slice(1).map((a) => (a.startsWith('--') ? a.replace(/_/g, '-') : a));
  const model = args === KEY ? rest.shift()! : rest.pop()!;
  return [...rest, '--model', model];
};

async function verify(dir: string, args: string[]): Promise<{ code: number; report: Report; stderr: string }> {
  const r = await cli(['oms', 'verify', ...args, '--json'], { cwd: dir });
  let report: Report;
  try {
    report = JSON.parse(r.stdout) as Report;
  } catch {
    throw new Error(`exit ${r.code}, no JSON report: ${r.stderr}`);
  }
  return { code: r.code, report, stderr: r.stderr };
}
const failed = (report: Report): string[] => report.checks.filter((c) => c.status === 'fail').map((c) => c.code);

describe('oms verify with upstream command lines, from the fixtures parent folder', () => {
  it.each([
    ['key', KEY],
    ['certificate', CERT],
    ['sigstore', SIGSTORE],
  ])('%s: verifies in upstream spelling and in ours', async (_mode, args) => {
    const dir = parentFolder();
    for (const a of [args, ours(args)]) {
      const r = await cli(['oms', 'verify', ...a], { cwd: dir });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^verified: /);
    }
    const { report } = await verify(dir, args);
    expect(report.ok).toBe(true);
    expect(report.checks.filter((c) => c.id === 'oms.resource' || c.id === 'oms.resources').length).toBeGreaterThan(0);
  });

  it('certificate: the chain, the leaf and the signing time are reported', async () => {
    const { report } = await verify(parentFolder(), CERT);
    const c = report.checks.find((x) => x.id === 'oms.certificate')!;
    expect(c.status).toBe('pass');
    expect(c.actual).toBe('CN=intermediate-ca <- CN=intermediate-ca <- CN=root-ca');
    expect(c.message).toContain('valid at 2025-05-02T23:36:28.000Z');
  });

  it('sigstore: identity and issuer are separate checks, both exact', async () => {
    const { report } = await verify(parentFolder(), SIGSTORE);
    expect(report.checks.find((c) => c.id === 'oms.identity')?.status).toBe('pass');
    expect(report.checks.find((c) => c.id === 'oms.issuer')?.status).toBe('pass');
    expect(report.checks.find((c) => c.id === 'oms.sigstore')?.status).toBe('pass');
  });

  it('the relative --ignore-paths of upstream (against the working directory) and ours (against the model) agree', async () => {
    const dir = parentFolder();
    const asOurs = KEY.map((a) => (a === './v1.0.1-elliptic-key/ignore-me' ? 'ignore-me' : a));
    expect((await cli(['oms', 'verify', ...asOurs], { cwd: dir })).code).toBe(0);
    const none = KEY.slice(0, -2);
    const r = await verify(dir, none);
    expect(r.code).toBe(1);
    expect(failed(r.report)).toEqual(['MANIFEST_ITEM_EXTRA']);
    const outside = await cli(['oms', 'verify', ...none, '--ignore-paths', '../elsewhere'], { cwd: dir });
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('is not inside the model');
  });

  it('--ignore-unsigned-files leaves files the signature does not list unread; a missing signed file still fails', async () => {
    const dir = parentFolder();
    writeFileSync(join(dir, 'v1.0.1-certificate', 'README.md'), 'added after signing');
    const extra = await verify(dir, CERT);
    expect(failed(extra.report)).toEqual(['MANIFEST_ITEM_EXTRA']);
    expect((await verify(dir, [...CERT, '--ignore_unsigned_files'])).code).toBe(0);
    const noIgnore = CERT.filter((a, i) => a !== '--ignore-paths' && CERT[i - 1] !== '--ignore-paths');
    expect((await verify(dir, [...noIgnore, '--ignore-unsigned-files'])).code).toBe(0);
    spawnSync('rm', [join(dir, 'v1.0.1-certificate', 'signme-2')]);
    const missing = await verify(dir, [...CERT, '--ignore-unsigned-files']);
    expect(failed(missing.report)).toEqual(['MANIFEST_ITEM_MISSING']);
  });
});

describe('each tamper fails with its own code', () => {
  it('certificate: an untrusted CA, a changed file, a changed signature, a changed certificate', async () => {
    const codes: string[] = [];
    let dir = parentFolder();
    // a CA of our own (openssl, the peer) that did not issue the chain
    const other = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'other.key',
        '-out',
        'other-ca.pem',
        '-subj',
        '/CN=root-ca',
        '-days',
        '30',
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(other.status).toBe(0);
    const wrongCa = CERT.map((a) => (a === 'certificate-keys/ca-cert.pem' ? 'other-ca.pem' : a));
    codes.push(...failed((await verify(dir, wrongCa)).report));
    dir = parentFolder();
    writeFileSync(join(dir, 'v1.0.1-certificate', 'signme-1'), 'tampered');
    codes.push(...failed((await verify(dir, CERT)).report));
    dir = parentFolder();
    const sigPath = join(dir, 'v1.0.1-certificate', 'model.sig');
    const bundle = JSON.parse(readFileSync(sigPath, 'utf8')) as {
      dsseEnvelope: { signatures: { sig: string }[] };
      verificationMaterial: { x509CertificateChain: { certificates: { rawBytes: string }[] } };
    };
    const s = bundle.dsseEnvelope.signatures[0]!;
    s.sig = s.sig.slice(0, 20) + (s.sig[20] === 'A' ? 'B' : 'A') + s.sig.slice(21);
    writeFileSync(sigPath, JSON.stringify(bundle));
    codes.push(...failed((await verify(dir, CERT)).report));
    dir = parentFolder();
    const sig2 = join(dir, 'v1.0.1-certificate', 'model.sig');
    const b2 = JSON.parse(readFileSync(sig2, 'utf8')) as typeof bundle;
    const leaf = Buffer.from(b2.verificationMaterial.x509CertificateChain.certificates[0]!.rawBytes, 'base64');
    leaf[leaf.length - 10] = leaf[leaf.length - 10]! ^ 1; // inside the certificate's own signature
    b2.verificationMaterial.x509CertificateChain.certificates[0]!.rawBytes = leaf.toString('base64');
    writeFileSync(sig2, JSON.stringify(b2));
    codes.push(...failed((await verify(dir, CERT)).report));
    expect(codes).toEqual([
      'CERTIFICATE_UNTRUSTED',
      'MANIFEST_ITEM_MISMATCH',
      'OMS_SIGNATURE_INVALID',
      'CERTIFICATE_UNTRUSTED',
    ]);
  });

  it('certificate: verify key accepts the bundle with the leaf key, and refuses another key', async () => {
    const dir = parentFolder();
    const asKey = ['key', ...CERT.slice(3), '--public_key', 'certificate-keys/signing-key-cert.pem'];
    // the leaf certificate file is not a public key file: use the key fixture (another key) and the leaf's key
    const leafPub = spawnSync(
      'openssl',
      ['x509', '-in', 'certificate-keys/signing-key-cert.pem', '-pubkey', '-noout'],
      {
        cwd: dir,
        encoding: 'utf8',
      },
    );
    writeFileSync(join(dir, 'leaf.pub'), leafPub.stdout);
    const ok = await verify(
      dir,
      asKey.map((a) => (a === 'certificate-keys/signing-key-cert.pem' ? 'leaf.pub' : a)),
    );
    expect(ok.code).toBe(0);
    expect(ok.report.checks.find((c) => c.id === 'oms.key')?.message).toContain('its chain is not checked');
    // (the fixtures' signing-key-pub.pem is this same leaf key); another key, made by openssl:
    spawnSync('openssl', ['ecparam', '-name', 'secp384r1', '-genkey', '-noout', '-out', 'other.key'], { cwd: dir });
    spawnSync('openssl', ['ec', '-in', 'other.key', '-pubout', '-out', 'other.pub'], { cwd: dir });
    const wrong = await verify(
      dir,
      asKey.map((a) => (a === 'certificate-keys/signing-key-cert.pem' ? 'other.pub' : a)),
    );
    expect(wrong.code).toBe(1);
    expect(failed(wrong.report)).toContain('OMS_KEY_MISMATCH');
  });

  it('sigstore: a wrong identity, a wrong issuer, an untrusted root, a changed file, a changed bundle', async () => {
    const codes: string[] = [];
    let dir = parentFolder();
    codes.push(
      ...failed(
        (
          await verify(
            dir,
            SIGSTORE.map((a) => (a === 'stefanb@us.ibm.com' ? 'someone@us.ibm.com' : a)),
          )
        ).report,
      ),
    );
    codes.push(
      ...failed(
        (
          await verify(
            dir,
            SIGSTORE.map((a) => (a === 'https://sigstore.verify.ibm.com/oauth2' ? 'https://accounts.google.com' : a)),
          )
        ).report,
      ),
    );
    // a trusted root whose only CA is another one: the Fulcio chain is untrusted
    const root = JSON.parse(readFileSync(join(dir, 'trusted_root.json'), 'utf8')) as {
      certificateAuthorities: { certChain: { certificates: { rawBytes: string }[] } }[];
    };
    const ca = readFileSync(join(dir, 'certificate-keys', 'ca-cert.pem'), 'utf8').replace(/-----[^-]+-----|\s/g, '');
    root.certificateAuthorities = root.certificateAuthorities.map((c) => ({
      ...c,
      certChain: { certificates: [{ rawBytes: ca }] },
    }));
    writeFileSync(join(dir, 'other-root.json'), JSON.stringify(root));
    codes.push(...failed((await verify(dir, [...SIGSTORE, '--trusted-root', 'other-root.json'])).report));
    dir = parentFolder();
    writeFileSync(join(dir, 'v1.0.1-sigstore', 'signme-2'), 'tampered');
    codes.push(...failed((await verify(dir, SIGSTORE)).report));
    dir = parentFolder();
    const sigPath = join(dir, 'v1.0.1-sigstore', 'model.sig');
    const bundle = JSON.parse(readFileSync(sigPath, 'utf8')) as { dsseEnvelope: { signatures: { sig: string }[] } };
    const s = bundle.dsseEnvelope.signatures[0]!;
    s.sig = s.sig.slice(0, 20) + (s.sig[20] === 'A' ? 'B' : 'A') + s.sig.slice(21);
    writeFileSync(sigPath, JSON.stringify(bundle));
    codes.push(...failed((await verify(dir, SIGSTORE)).report));
    expect(codes).toEqual([
      'OMS_IDENTITY_MISMATCH',
      'OMS_ISSUER_MISMATCH',
      'SIGSTORE_CERTIFICATE_UNTRUSTED',
      'MANIFEST_ITEM_MISMATCH',
      'SIGSTORE_TLOG_INVALID',
    ]);
  });

  it('sigstore: without its log entry the bundle has no trusted time and fails', async () => {
    const dir = parentFolder();
    const sigPath = join(dir, 'v1.0.1-sigstore', 'model.sig');
    const bundle = JSON.parse(readFileSync(sigPath, 'utf8')) as { verificationMaterial: { tlogEntries: unknown[] } };
    bundle.verificationMaterial.tlogEntries = [];
    writeFileSync(sigPath, JSON.stringify(bundle));
    const r = await verify(dir, SIGSTORE);
    expect(r.code).toBe(1);
    expect(failed(r.report)).toEqual(['SIGSTORE_TIMESTAMP_INVALID']);
  });

  it('sigstore: a key or certificate bundle is not keyless (and the reverse), each naming the mode to use', async () => {
    const dir = parentFolder();
    const r = await verify(
      dir,
      SIGSTORE.map((a) => a.replace('v1.0.1-sigstore', 'v1.0.1-certificate')),
    );
    expect(failed(r.report)).toEqual(['OMS_BUNDLE_UNSUPPORTED']);
    expect(r.report.checks[0]!.message).toContain('--certificate-chain');
    const k = await verify(
      dir,
      KEY.map((a) => a.replace('v1.0.1-elliptic-key', 'v1.0.1-sigstore')),
    );
    expect(failed(k.report)).toEqual(['OMS_BUNDLE_UNSUPPORTED']);
    expect(k.report.checks[0]!.message).toContain('--identity');
  });
});

describe('usage', () => {
  it('modes and flags must agree; both identity flags are required; a bad trusted root exits 2', async () => {
    const dir = parentFolder();
    const run = (args: string[]): Promise<{ code: number; stderr: string }> =>
      cli(['oms', 'verify', ...args], { cwd: dir });
    expect((await run(['./v1.0.1-sigstore/', '--signature', './v1.0.1-sigstore/model.sig'])).code).toBe(2);
    expect((await run([...KEY, '--identity', 'x'])).stderr).toContain('different modes');
    expect((await run(['certificate', ...KEY.slice(1)])).stderr).toContain('flags of mode key');
    expect(
      (await run(SIGSTORE.filter((a, i) => a !== '--identity_provider' && SIGSTORE[i - 1] !== '--identity_provider')))
        .stderr,
    ).toContain('both required');
    writeFileSync(join(dir, 'bad-root.json'), '{"mediaType":"text/plain"}');
    const bad = await run([...SIGSTORE, '--trusted-root', 'bad-root.json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('SIGSTORE_TRUSTED_ROOT_INVALID');
    expect((await run(['certificate', ...CERT.slice(3)])).stderr).toContain('--certificate-chain CA.pem is required');
    expect((await run(['--help'])).code).toBe(0);
  });
});
