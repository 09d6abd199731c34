/**
 * Sigstore keyless with a P-384 signing key: @sigstore/verify 3.1.1 hashes every EC DSSE signature
 * with SHA-256, so Lineproof routes the signature check to hash by the leaf's curve. Every keyless
 * fixture is P-256, so this test builds a private Sigstore with @sigstore/mock 0.12.1 (a Fulcio CA
 * with a CT log, a Rekor log) and a trusted root for it. The mock's CA imports the leaf key as P-256
 * only; the one shim here makes it import the P-384 key it is given (the certificate it issues is
 * otherwise the mock's own). Then: the bundle verifies through Lineproof, the same bundle fails in
 * @sigstore/verify's own DSSE check (the measured reason for the routing), and a changed payload
 * fails.
 */
import { createHash, generateKeyPairSync, sign as cryptoSign, X509Certificate } from 'node:crypto';
import { initializeCA, initializeCTLog, initializeTLog } from '@sigstore/mock';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { describe, expect, it } from 'vitest';
import { pae } from '../../src/dsse/pae.js';
import { canonicalBytes } from '../../src/json/canonical.js';
import { buildOmsManifest } from '../../src/interop/oms/manifest.js';
import { omsStatement } from '../../src/interop/oms/statement.js';
import { sigstoreOmsVerifier } from '../../src/node/oms-sigstore.js';
import type { Check } from '../../src/report/index.js';

const bytesOf = (v: ArrayBufferView): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
const b64 = (b: ArrayBufferView): string => bytesOf(b).toString('base64');
const IDENTITY = 'https://github.com/acme/models/.github/workflows/sign.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';

async function privateSigstore(curve: 'P-256' | 'P-384') {
  const now = new Date();
  const kp = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ctLog = await initializeCTLog(kp(), now);
  const ca = await initializeCA(kp(), ctLog, now);
  // the shim: import the leaf key on the curve it is on
  const c = ca as unknown as { crypto: { subtle: { importKey: (...a: unknown[]) => Promise<unknown> } } };
  const importKey = c.crypto.subtle.importKey.bind(c.crypto.subtle);
  c.crypto.subtle.importKey = (fmt, data, alg, ...rest) =>
    importKey(fmt, data, { ...(alg as object), namedCurve: curve }, ...rest);
  const tlogKeys = kp();
  const tlog = await initializeTLog('https://rekor.example.com', tlogKeys, now);
  const signer = generateKeyPairSync('ec', { namedCurve: curve });
  const certDer = bytesOf(
    await ca.issueCertificate({
      publicKey: new Uint8Array(signer.publicKey.export({ type: 'spki', format: 'der' })),
      subjectAltName: IDENTITY,
      extensions: [{ oid: '1.3.6.1.4.1.57264.1.8', value: ISSUER }],
    }),
  );
  const root = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: 'https://rekor.example.com',
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: b64(tlog.publicKey),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start: '2000-01-01T00:00:00Z' },
        },
        logId: { keyId: b64(createHash('sha256').update(tlog.publicKey).digest()) },
      },
    ],
    certificateAuthorities: [
      {
        subject: { organization: 'mock', commonName: 'mock' },
        uri: 'https://fulcio.example.com',
        certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] },
        validFor: { start: '2000-01-01T00:00:00Z' },
      },
    ],
    ctlogs: [
      {
        baseUrl: 'https://ct.example.com',
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: b64(ctLog.publicKey),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start: '2000-01-01T00:00:00Z' },
        },
        logId: { keyId: b64(ctLog.logID) },
      },
    ],
    timestampAuthorities: [],
  };
  return { tlog, signer, certDer, root };
}

async function keylessBundle(curve: 'P-256' | 'P-384', payloadOverride?: Uint8Array) {
  const s = await privateSigstore(curve);
  const manifest = buildOmsManifest({
    modelName: 'm',
    serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false },
    items: [{ path: 'w.bin', digest: 'ab'.repeat(32) }],
  });
  const payload = canonicalBytes(omsStatement(manifest));
  const type = 'application/vnd.in-toto+json';
  const hash = curve === 'P-384' ? 'sha384' : 'sha256';
  const sig = cryptoSign(hash, pae(type, payload), s.signer.privateKey);
  const certPem = new X509Certificate(s.certDer).toString();
  const entry = await s.tlog.log({
    apiVersion: '0.0.1',
    kind: 'dsse',
    spec: {
      envelopeHash: { algorithm: 'sha256', value: createHash('sha256').update('envelope').digest('hex') },
      payloadHash: { algorithm: 'sha256', value: createHash('sha256').update(payload).digest('hex') },
      signatures: [{ signature: b64(sig), verifier: b64(Buffer.from(certPem)) }],
    },
  });
  const e = Object.values(entry)[0] as {
    body: string;
    integratedTime: number;
    logID: string;
    logIndex: number;
    verification: {
      signedEntryTimestamp: string;
      inclusionProof: { logIndex: number; rootHash: string; treeSize: number; hashes: string[]; checkpoint: string };
    };
  };
  const proof = e.verification.inclusionProof;
  const bundle = {
    mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: {
      certificate: { rawBytes: b64(s.certDer) },
      tlogEntries: [
        {
          logIndex: String(e.logIndex),
          logId: { keyId: b64(Buffer.from(e.logID, 'hex')) },
          kindVersion: { kind: 'dsse', version: '0.0.1' },
          integratedTime: String(e.integratedTime),
          inclusionPromise: { signedEntryTimestamp: e.verification.signedEntryTimestamp },
          inclusionProof: {
            logIndex: String(proof.logIndex),
            rootHash: b64(Buffer.from(proof.rootHash, 'hex')),
            treeSize: String(proof.treeSize),
            hashes: proof.hashes.map((h: string) => b64(Buffer.from(h, 'hex'))),
            checkpoint: { envelope: proof.checkpoint },
          },
          canonicalizedBody: e.body,
        },
      ],
    },
    dsseEnvelope: {
      payload: b64(payloadOverride ?? payload),
      payloadType: type,
      signatures: [{ sig: b64(sig), keyid: '' }],
    },
  };
  return { bundle, root: s.root };
}

const trusted = (root: object) => ({ root: TrustedRoot.fromJSON(root), what: 'the private trusted root' });
const codes = (checks: Check[]) => checks.filter((c) => c.status === 'fail').map((c) => c.code);

describe('Sigstore keyless with P-384 (routed signature check)', () => {
  it('a P-384 keyless bundle verifies through Lineproof, and fails in @sigstore/verify alone', async () => {
    const { bundle, root } = await keylessBundle('P-384');
    const verify = sigstoreOmsVerifier({ identity: IDENTITY, issuer: ISSUER, trustedRoot: trusted(root) });
    const r = await verify(JSON.stringify(bundle));
    expect(codes(r.checks)).toEqual([]);
    expect(r.payload).toBeDefined();
    expect(r.checks.find((c) => c.id === 'oms.identity')?.status).toBe('pass');
    // @sigstore/verify on its own: its DSSE check hashes with SHA-256 and rejects the signature
    const plain = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(root)));
    expect(() => plain.verify(toSignedEntity(bundleFromJSON(bundle)))).toThrow(/signature/i);
  });

  it('a P-256 bundle of the same private Sigstore verifies in both', async () => {
    const { bundle, root } = await keylessBundle('P-256');
    const r = await sigstoreOmsVerifier({ identity: IDENTITY, issuer: ISSUER, trustedRoot: trusted(root) })(
      JSON.stringify(bundle),
    );
    expect(codes(r.checks)).toEqual([]);
    expect(() =>
      new Verifier(toTrustMaterial(TrustedRoot.fromJSON(root))).verify(toSignedEntity(bundleFromJSON(bundle))),
    ).not.toThrow();
  });

  it('a changed payload under the P-384 signature fails', async () => {
    const { bundle, root } = await keylessBundle('P-384', new TextEncoder().encode('{"changed":true}'));
    const r = await sigstoreOmsVerifier({ identity: IDENTITY, issuer: ISSUER, trustedRoot: trusted(root) })(
      JSON.stringify(bundle),
    );
    expect(codes(r.checks).length).toBe(1);
    expect(r.payload).toBeUndefined();
  });
});
