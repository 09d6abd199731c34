/**
 * A policy identity bound to a Sigstore certificate identity (issue 15 item 4, spec/policy.md
 * "Certificate identities and trusted time"): the training step signed keyless — a Fulcio
 * certificate issued to a CI workflow, the signature in Rekor — travels as a Sigstore bundle line
 * and fills the trainer role, verified offline by the Node adapter's `sigstoreLineVerifier`
 * (@sigstore/verify 3.1.1) against a private Sigstore's trusted root (@sigstore/mock 0.12.1,
 * test/helpers/sigstore.ts). Wrong subject, wrong issuer, another Sigstore, a pinned root that is
 * not the one given, no Sigstore verifier, and a tampered line each fail with their own code.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IN_TOTO_PAYLOAD_TYPE } from '../../src/statements/statement.js';
import { loadSigstoreTrustedRoot } from '../../src/node/oms-sigstore.js';
import { sigstoreLineVerifier } from '../../src/node/sigstore-lines.js';
import { sha256Hex } from '../../src/digest/index.js';
import { buildWorld, IDENTITY, MODEL, T, verifyWorld, type World } from '../helpers/world.js';
import { cli } from '../helpers/cli.js';
import { keylessTrainerPolicy, KEYLESS_CLOCK, privateSigstore, type PrivateSigstore } from '../helpers/sigstore.js';
import { tempDir } from '../helpers/tmp.js';

const memo = <T>(f: () => Promise<T>) => {
  let p: Promise<T> | undefined;
  return () => (p ??= f());
};

const sigstore = memo(() => privateSigstore('P-256', KEYLESS_CLOCK));
const otherSigstore = memo(() => privateSigstore('P-256', KEYLESS_CLOCK));

function rootFile(s: PrivateSigstore): string {
  const path = join(tempDir(), 'trusted_root.json');
  writeFileSync(path, JSON.stringify(s.root));
  return path;
}

const sigstorePolicy = (pin?: () => string) => keylessTrainerPolicy(pin?.());

async function keylessTraining(w: World, s: PrivateSigstore, opts: Parameters<PrivateSigstore['keyless']>[2] = {}) {
  const bundle = await s.keyless(IN_TOTO_PAYLOAD_TYPE, w.steps.training.payload, opts);
  return { bundle, chain: w.bundle.replace(w.steps.training.line, `${JSON.stringify(bundle)}\n`) };
}

async function run(opts: {
  policy?: (doc: Record<string, any>) => void;
  keyless?: Parameters<PrivateSigstore['keyless']>[2];
  root?: PrivateSigstore;
  verifier?: boolean;
  edit?: (bundle: Record<string, any>) => void;
}) {
  const s = await sigstore();
  const w = await buildWorld({ policy: opts.policy ?? sigstorePolicy() });
  const { bundle, chain } = await keylessTraining(w, s, opts.keyless);
  let text = chain;
  if (opts.edit) {
    const changed = structuredClone(bundle);
    opts.edit(changed);
    text = w.bundle.replace(w.steps.training.line, `${JSON.stringify(changed)}\n`);
  }
  const root = loadSigstoreTrustedRoot(rootFile(opts.root ?? s));
  const out = await verifyWorld(
    w,
    text,
    opts.verifier === false ? {} : { sigstoreVerifier: sigstoreLineVerifier(root) },
  );
  return { ...out, text: JSON.stringify(out.report), w };
}

describe('a policy identity bound to a Sigstore certificate identity (keyless, offline)', () => {
  it('the keyless training line fills the trainer role, at the log time', async () => {
    const { report, failed } = await run({});
    expect(failed).toEqual([]);
    expect(report.ok).toBe(true);
    const signer = report.results[0]!.chain.find((c) => c.stage === 'training')!.signers[0]!;
    expect(signer).toMatchObject({ identity: IDENTITY.trainer, role: 'trainer' });
  });

  it('a certificate issued to another workflow is no identity of the policy', async () => {
    const { failed, text } = await run({
      keyless: { identity: 'https://github.com/mallory/x/.github/workflows/a.yml@refs/heads/main' },
    });
    expect(failed.length).toBeGreaterThan(0);
    expect(text).toContain('CERTIFICATE_IDENTITY_UNKNOWN');
  });

  it('the right subject vouched for by another OIDC issuer is no identity of the policy', async () => {
    const { failed, text } = await run({ keyless: { issuer: 'https://accounts.example.com' } });
    expect(failed.length).toBeGreaterThan(0);
    expect(text).toContain('CERTIFICATE_IDENTITY_UNKNOWN');
    expect(text).toContain('issuer https://accounts.example.com');
  });

  it('under another Sigstore trusted root the certificate does not chain', async () => {
    const { failed, text } = await run({ root: await otherSigstore() });
    expect(failed.length).toBeGreaterThan(0);
    expect(text).toMatch(/SIGSTORE_CERTIFICATE_UNTRUSTED|SIGSTORE_TLOG_INVALID/);
  });

  it('a policy pinning the trusted root by digest: the same file passes, another fails (SIGSTORE_TRUSTED_ROOT_MISMATCH)', async () => {
    const s = await sigstore();
    const digest = `sha256:${sha256Hex(new TextEncoder().encode(JSON.stringify(s.root)))}`;
    const good = await run({ policy: sigstorePolicy(() => digest) });
    expect(good.failed).toEqual([]);
    const bad = await run({ policy: sigstorePolicy(() => `sha256:${'00'.repeat(32)}`) });
    expect(bad.failed.length).toBeGreaterThan(0);
    expect(bad.text).toContain('SIGSTORE_TRUSTED_ROOT_MISMATCH');
  });

  it('without a Sigstore verifier the line is skipped (SIGSTORE_BUNDLE_UNSUPPORTED), never trusted', async () => {
    const { failed, text } = await run({ verifier: false });
    expect(failed.length).toBeGreaterThan(0);
    expect(text).toContain('SIGSTORE_BUNDLE_UNSUPPORTED');
  });

  it('a tampered log entry or a swapped signature fails', async () => {
    const tlog = await run({
      edit: (b) => {
        b.verificationMaterial.tlogEntries[0].integratedTime = String(
          Number(b.verificationMaterial.tlogEntries[0].integratedTime) + 60,
        );
      },
    });
    expect(tlog.failed.length).toBeGreaterThan(0);
    expect(tlog.text).toContain('SIGSTORE_TLOG_INVALID');
    const s = await sigstore();
    const other = await s.keyless(IN_TOTO_PAYLOAD_TYPE, new TextEncoder().encode('{"other":true}'));
    const swapped = await run({
      edit: (b) => {
        b.dsseEnvelope.signatures = other.dsseEnvelope.signatures;
      },
    });
    expect(swapped.failed.length).toBeGreaterThan(0);
    expect(swapped.report.ok).toBe(false);
  });

  it('a P-384 keyless line verifies too (the signature check routed by curve)', async () => {
    const s = await privateSigstore('P-384', KEYLESS_CLOCK);
    const w = await buildWorld({ policy: sigstorePolicy() });
    const { chain } = await keylessTraining(w, s);
    const { failed } = await verifyWorld(w, chain, {
      sigstoreVerifier: sigstoreLineVerifier(loadSigstoreTrustedRoot(rootFile(s))),
    });
    expect(failed).toEqual([]);
  });
});

describe('lineproof verify --trusted-root (the CLI)', () => {
  it('verifies the keyless line under the root given, and refuses it under the public-good default', async () => {
    const s = await sigstore();
    const w = await buildWorld({ policy: sigstorePolicy() });
    const { chain } = await keylessTraining(w, s);
    const dir = tempDir();
    writeFileSync(join(dir, 'chain.intoto.jsonl'), chain);
    writeFileSync(join(dir, 'policy.json'), JSON.stringify(w.doc));
    writeFileSync(join(dir, 'trusted_root.json'), JSON.stringify(s.root));
    const args = ['verify', '--chain', 'chain.intoto.jsonl', '--policy', 'policy.json', '--digest', MODEL];
    const common = [...args, '--use-case', 'support-chat', '--at', T.asOf];
    const ok = await cli([...common, '--trusted-root', 'trusted_root.json'], { cwd: dir });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const dflt = await cli([...common, '--json'], { cwd: dir });
    expect(dflt.code).toBe(1);
    expect(dflt.stdout).toContain('SIGSTORE_CERTIFICATE_UNTRUSTED');
    const missing = await cli([...common, '--trusted-root', 'nope.json'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.json');
  });
});
