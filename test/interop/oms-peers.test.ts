/**
 * model_signing-shaped signatures we write (ECDSA, model_signing 1.1+ bundle shape), checked by
 * our OMS verifier and by two real peers:
 * - `@sigstore/verify` 3.1.1 (sigstore-js), offline with a public key for the hint: it verifies
 *   our P-256 bundles. It verifies every EC signature with SHA-256 whatever the curve (it passes
 *   no digest to node:crypto), so P-384 and P-521 bundles — model_signing's own included — fail
 *   there; that is asserted below so a change in the peer is noticed.
 * - Python `cryptography` on OpenSSL (Debian python3-cryptography, in .ci/apt-packages; every
 *   `python3` on PATH that has it is used, so a newer pip-installed release is checked too),
 *   driven by test/interop/oms_peer.py, which follows model_signing's EC-key signer and verifier
 *   code: it verifies our bundles and models, and signs bundles we verify. Without such a Python
 *   these tests fail.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { Verifier, toSignedEntity, toTrustMaterial, type TrustMaterial } from '@sigstore/verify';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../src/bytes/index.js';
import {
  EC_CURVES,
  ecPrivateKeyToPem,
  ecPublicKeyToPem,
  ecSpkiDer,
  generateEcPrivateKey,
  omsKeyHint,
  parseOmsStatement,
  serializeSigstoreBundle,
  signOmsManifest,
  ecdsaSigner,
  verifyOmsSignature,
  type EcCurve,
  type EcPublicKey,
} from '../../src/index.js';
import { hashOmsModel, loadEcPrivateKey, signOmsModelPath, verifyOmsModelPath } from '../../src/node/index.js';
import type { Report } from '../../src/report/index.js';
import { fixturePath, repoPath } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tmp.js';

const HELPER = repoPath('test', 'interop', 'oms_peer.py');
const failed = (r: Report): string[] =>
  r.checks.filter((c) => c.status === 'fail').map((c) => `${c.code} ${c.subject}`);

function model(): string {
  const dir = join(tempDir('lineproof-omspeer-'), 'my-model');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'config.json'), '{"layers": 2}\n');
  writeFileSync(
    join(dir, 'weights.bin'),
    new Uint8Array(3000).map((_, i) => (i * 7) & 0xff),
  );
  writeFileSync(join(dir, 'sub', 'tokenizer.txt'), 'a b c\n');
  writeFileSync(join(dir, 'empty'), '');
  return dir;
}

/** sigstore/protobuf-specs `PublicKeyDetails` values of the EC curves. */
const KEY_DETAILS: Record<EcCurve, number> = { 'P-256': 5, 'P-384': 12, 'P-521': 13 };

function sigstoreVerify(bundleText: string, key: EcPublicKey, hint = omsKeyHint(key)): string {
  const root = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
  };
  const trust: TrustMaterial = toTrustMaterial(root, {
    [hint]: { rawBytes: Buffer.from(ecSpkiDer(key)), keyDetails: KEY_DETAILS[key.curve] } as unknown as never,
  });
  try {
    new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }).verify(
      toSignedEntity(bundleFromJSON(JSON.parse(bundleText))),
    );
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? (e as Error).name;
  }
}

describe('signing model_signing bundles (ours, verified by ours)', () => {
  it.each(EC_CURVES)(
    '%s: sign then verify; a changed file, an added file and a changed bundle byte fail',
    async (curve) => {
      const dir = model();
      const key = generateEcPrivateKey(curve);
      const sigPath = join(dir, 'model.sig');
      const signed = await signOmsModelPath(dir, { key, signaturePath: sigPath });
      writeFileSync(sigPath, signed.text);
      const b = JSON.parse(signed.text);
      expect(b.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
      expect(b.verificationMaterial).toEqual({ publicKey: { hint: omsKeyHint(key.publicKey) }, tlogEntries: [] });
      expect(b.dsseEnvelope.signatures).toEqual([{ sig: expect.any(String), keyid: '' }]);
      const st = parseOmsStatement(fromBase64(b.dsseEnvelope.payload));
      expect(st.serialization.ignore_paths).toEqual(['.git', '.gitattributes', '.github', '.gitignore', 'model.sig']);
      expect(st.resources.map((r) => r.name)).toEqual(['config.json', 'empty', 'sub/tokenizer.txt', 'weights.bin']);
      expect(`sha256:${st.rootDigest}`).toBe(signed.model.digest);

      const ok = await verifyOmsModelPath(dir, { signature: sigPath, publicKey: key.publicKey });
      expect(failed(ok.report)).toEqual([]);
      expect(ok.shape).toBe('v1.1');

      writeFileSync(join(dir, 'config.json'), '{"layers": 3}\n');
      expect(failed((await verifyOmsModelPath(dir, { signature: sigPath, publicKey: key.publicKey })).report)).toEqual([
        'MANIFEST_ITEM_MISMATCH config.json',
      ]);
      writeFileSync(join(dir, 'config.json'), '{"layers": 2}\n');
      writeFileSync(join(dir, 'sub', 'extra.py'), 'x');
      expect(failed((await verifyOmsModelPath(dir, { signature: sigPath, publicKey: key.publicKey })).report)).toEqual([
        'MANIFEST_ITEM_EXTRA sub/extra.py',
      ]);

      const payload = fromBase64(b.dsseEnvelope.payload);
      payload[payload.length - 3]! ^= 1;
      writeFileSync(sigPath, JSON.stringify({ ...b, dsseEnvelope: { ...b.dsseEnvelope, payload: toBase64(payload) } }));
      expect(failed((await verifyOmsSignature(readFileSync(sigPath), { publicKey: key.publicKey })).report)[0]).toMatch(
        /^OMS_SIGNATURE_INVALID /,
      );
    },
  );

  it('signs by shards and single-file models, with a key read from a PKCS#8 file', async () => {
    const dir = model();
    const keyFile = join(dir, '..', 'key.pem');
    const key = generateEcPrivateKey('P-256');
    writeFileSync(keyFile, ecPrivateKeyToPem(key), { mode: 0o600 });
    const loaded = loadEcPrivateKey(keyFile);
    const signed = await signOmsModelPath(dir, {
      key: loaded,
      method: 'shards',
      shardSize: 1024,
      ignorePaths: ['empty'],
      signaturePath: join(dir, '..', 'model.sig'),
    });
    writeFileSync(join(dir, '..', 'model.sig'), signed.text);
    const st = parseOmsStatement(fromBase64(signed.bundle.dsseEnvelope.payload));
    expect(st.resources.map((r) => r.name)).toEqual([
      'config.json:0:14',
      'sub/tokenizer.txt:0:6',
      'weights.bin:0:1024',
      'weights.bin:1024:2048',
      'weights.bin:2048:3000',
    ]);
    expect(st.serialization.ignore_paths).toEqual(['.git', '.gitattributes', '.github', '.gitignore', 'empty']);
    expect(
      (await verifyOmsModelPath(dir, { signature: join(dir, '..', 'model.sig'), publicKey: key.publicKey })).report.ok,
    ).toBe(true);

    const single = join(dir, 'weights.bin');
    const s1 = await signOmsModelPath(single, { key });
    writeFileSync(join(dir, '..', 'single.sig'), s1.text);
    expect(parseOmsStatement(fromBase64(s1.bundle.dsseEnvelope.payload)).resources.map((r) => r.name)).toEqual(['.']);
    expect(
      (await verifyOmsModelPath(single, { signature: join(dir, '..', 'single.sig'), publicKey: key.publicKey })).report
        .ok,
    ).toBe(true);
  });

  it('a model hashed once gives the manifest that signOmsManifest signs (no second hashing pass)', async () => {
    const dir = model();
    const key = generateEcPrivateKey('P-256');
    const hashed = await hashOmsModel(dir, { method: 'files', ignorePaths: ['.git', 'model.sig'] });
    const bundle = await signOmsManifest(hashed.manifest, ecdsaSigner(key));
    const r = await verifyOmsSignature(serializeSigstoreBundle(bundle), { publicKey: key.publicKey });
    expect(r.report.ok).toBe(true);
    expect(r.manifest?.rootDigest).toBe(hashed.manifest.rootDigest);
  });

  it('refuses a signer whose signature does not verify (SIGNER_FAULT)', async () => {
    const key = generateEcPrivateKey('P-256');
    const liar = {
      curve: 'P-256' as const,
      publicKey: generateEcPrivateKey('P-256').publicKey,
      sign: (message: Uint8Array) => ecdsaSigner(key).sign(message),
    };
    const hashed = await hashOmsModel(model(), { method: 'files' });
    await expect(signOmsManifest(hashed.manifest, liar)).rejects.toMatchObject({ code: 'SIGNER_FAULT' });
  });
});

describe('@sigstore/verify 3.x on our model_signing bundles', () => {
  it('verifies a P-256 bundle we sign (offline, public key for the hint); rejects it tampered', async () => {
    const dir = model();
    const key = generateEcPrivateKey('P-256');
    const { text, bundle } = await signOmsModelPath(dir, { key });
    expect(sigstoreVerify(text, key.publicKey)).toBe('ok');
    const payload = fromBase64(bundle.dsseEnvelope.payload);
    payload[10]! ^= 1;
    expect(
      sigstoreVerify(
        JSON.stringify({ ...bundle, dsseEnvelope: { ...bundle.dsseEnvelope, payload: toBase64(payload) } }),
        key.publicKey,
      ),
    ).toBe('SIGNATURE_ERROR');
    expect(sigstoreVerify(text, generateEcPrivateKey('P-256').publicKey, omsKeyHint(key.publicKey))).toBe(
      'SIGNATURE_ERROR',
    );
  });

  it("fails P-384 and P-521 bundles, ours and model_signing's alike (it hashes EC signatures with SHA-256 only); we verify them", async () => {
    for (const curve of ['P-384', 'P-521'] as const) {
      const key = generateEcPrivateKey(curve);
      const { text } = await signOmsModelPath(model(), { key });
      expect(sigstoreVerify(text, key.publicKey)).toBe('SIGNATURE_ERROR');
      expect((await verifyOmsSignature(text, { publicKey: key.publicKey })).report.ok).toBe(true);
    }
  });
});

function canImport(python: string): string | undefined {
  const r = spawnSync(python, ['-c', 'import cryptography; print(cryptography.__version__)'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** $PYTHON, or every python3 on PATH and /usr/bin/python3 with `cryptography`, one per version. */
function findPythons(): { python: string; version: string }[] {
  const out: { python: string; version: string }[] = [];
  const candidates = process.env.PYTHON
    ? [process.env.PYTHON]
    : [
        ...(process.env.PATH ?? '')
          .split(delimiter)
          .filter(Boolean)
          .map((d) => join(d, 'python3')),
        '/usr/bin/python3',
      ];
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
    } catch {
      continue;
    }
    const version = canImport(c);
    if (version && !out.some((p) => p.version === version)) out.push({ python: c, version });
  }
  return out;
}

const pythons = findPythons();

function py(python: string, ...args: string[]): { status: number; out: string } {
  const r = spawnSync(python, [HELPER, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`oms_peer.py ${args[0]} failed (${r.status}): ${r.stderr}`);
  return { status: r.status, out: r.stdout.trim() };
}

describe("Python cryptography following model_signing's EC-key code (oms_peer.py)", () => {
  it('is available (python3-cryptography; set PYTHON to choose an interpreter)', () => {
    expect(
      pythons.map((p) => p.version),
      'no python3 that can import cryptography: apt-get install python3-cryptography (see .ci/apt-packages) or set PYTHON',
    ).not.toEqual([]);
  });

  for (const { python, version } of pythons.length > 0 ? pythons : [{ python: 'python3', version: 'missing' }]) {
    describe(`cryptography ${version} (${python})`, () => {
      it("computes the fixture key's published hint", () => {
        expect(py(python, 'hint', fixturePath('model-signing', 'signing-key-pub.pem')).out).toBe(
          'e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e',
        );
      });

      it.each(EC_CURVES)(
        '%s: verifies the bundles and models we sign; fails them when a file changed',
        async (curve) => {
          const dir = model();
          const key = generateEcPrivateKey(curve);
          const pub = join(dir, '..', 'key.pub');
          writeFileSync(pub, ecPublicKeyToPem(key.publicKey));
          const sigPath = join(dir, 'model.sig');
          const { text } = await signOmsModelPath(dir, { key, signaturePath: sigPath });
          writeFileSync(sigPath, text);
          const r = py(python, 'verify', sigPath, pub, dir);
          expect(r).toMatchObject({ status: 0 });
          expect(JSON.parse(r.out)).toMatchObject({ ok: true, resources: 4 });
          writeFileSync(join(dir, 'sub', 'tokenizer.txt'), 'a b d\n');
          expect(py(python, 'verify', sigPath, pub, dir).status).toBe(1);
        },
      );

      it.each(EC_CURVES)(
        '%s: we verify the bundles it signs; a changed file or another key fails here',
        async (curve) => {
          const dir = model();
          const key = generateEcPrivateKey(curve);
          const priv = join(dir, '..', 'key.pem');
          writeFileSync(priv, ecPrivateKeyToPem(key), { mode: 0o600 });
          const sigPath = join(dir, '..', 'model.sig');
          py(python, 'sign', priv, dir, sigPath);
          const ok = await verifyOmsModelPath(dir, { signature: sigPath, publicKey: key.publicKey });
          expect(failed(ok.report)).toEqual([]);
          expect(ok.report.checks.find((c) => c.id === 'oms.key')?.status).toBe('pass');
          writeFileSync(join(dir, 'weights.bin'), 'changed');
          expect(
            failed((await verifyOmsModelPath(dir, { signature: sigPath, publicKey: key.publicKey })).report),
          ).toEqual(['MANIFEST_ITEM_MISMATCH weights.bin']);
          const other = generateEcPrivateKey(curve).publicKey;
          expect(
            failed((await verifyOmsSignature(readFileSync(sigPath), { publicKey: other })).report).map(
              (f) => f.split(' ')[0],
            ),
          ).toEqual(['OMS_KEY_MISMATCH', 'OMS_SIGNATURE_INVALID']);
        },
      );

      it('verifies the upstream v1.0.1 fixture with ignore-me ignored, as we do', () => {
        const dir = join(tempDir('lineproof-omspeer-'), 'm');
        cpSync(fixturePath('model-signing', 'v1.0.1-elliptic-key'), dir, { recursive: true });
        expect(
          py(
            python,
            'verify',
            join(dir, 'model.sig'),
            fixturePath('model-signing', 'signing-key-pub.pem'),
            dir,
            'ignore-me',
            'model.sig',
          ).status,
        ).toBe(0);
        expect(
          py(
            python,
            'verify',
            join(dir, 'model.sig'),
            fixturePath('model-signing', 'signing-key-pub.pem'),
            dir,
            'model.sig',
          ).status,
        ).toBe(1);
      });
    });
  }
});
