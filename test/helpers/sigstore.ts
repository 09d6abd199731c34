/**
 * A private Sigstore for tests, built with @sigstore/mock 0.12.1: a Fulcio CA with a CT log, a Rekor
 * log, and a trusted root naming them. `keyless` signs a DSSE payload with a fresh key, has the CA
 * issue its certificate to an identity (subjectAltName) vouched for by an OIDC issuer, logs the
 * signature in Rekor and returns the Sigstore bundle (v0.3), as `cosign attest` or model_signing
 * would make it. The mock's CA imports the leaf key as P-256 only; the one shim here makes it import
 * the key on the curve asked for (the certificate it issues is otherwise the mock's own).
 */
import { createHash, generateKeyPairSync, sign as cryptoSign, X509Certificate } from 'node:crypto';
import { initializeCA, initializeCTLog, initializeTLog } from '@sigstore/mock';
import { vi } from 'vitest';
import { pae } from '../../src/dsse/pae.js';
import { IDENTITY, T } from './world.js';

export const bytesOf = (v: ArrayBufferView): Buffer => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
const b64 = (b: ArrayBufferView): string => bytesOf(b).toString('base64');

export const SIGSTORE_IDENTITY = 'https://github.com/acme/models/.github/workflows/sign.yml@refs/heads/main';
export const SIGSTORE_ISSUER = 'https://token.actions.githubusercontent.com';

export interface KeylessOptions {
  identity?: string;
  issuer?: string;
  /** A payload to put in the bundle instead of the one signed (a tamper). */
  payloadOverride?: Uint8Array;
}

export interface PrivateSigstore {
  /** The trusted root (trusted_root.json) of this Sigstore. */
  root: Record<string, unknown>;
  keyless(payloadType: string, payload: Uint8Array, opts?: KeylessOptions): Promise<Record<string, any>>;
}

/** `f` under a clock stopped at `at` (Date only; the mock reads `new Date()` in places). */
async function at<T>(when: Date | undefined, f: () => Promise<T>): Promise<T> {
  if (!when) return f();
  vi.useFakeTimers({ toFake: ['Date'], now: when });
  try {
    return await f();
  } finally {
    vi.useRealTimers();
  }
}

/**
 * @param curve the signing keys' curve
 * @param clock the time of the whole Sigstore (its root, certificates and log entries), default now
 */
export async function privateSigstore(curve: 'P-256' | 'P-384' = 'P-256', clock?: Date): Promise<PrivateSigstore> {
  return at(clock, () => build(curve, clock));
}

async function build(curve: 'P-256' | 'P-384', clock: Date | undefined): Promise<PrivateSigstore> {
  const now = clock ?? new Date();
  const kp = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ctLog = await initializeCTLog(kp(), now);
  const ca = await initializeCA(kp(), ctLog, clock);
  // the shim: import the leaf key on the curve it is on
  const c = ca as unknown as { crypto: { subtle: { importKey: (...a: unknown[]) => Promise<unknown> } } };
  const importKey = c.crypto.subtle.importKey.bind(c.crypto.subtle);
  c.crypto.subtle.importKey = (fmt, data, alg, ...rest) =>
    importKey(fmt, data, { ...(alg as object), namedCurve: curve }, ...rest);
  const tlog = await initializeTLog('https://rekor.example.com', kp(), clock);
  const key = (k: Uint8Array, logId: string, baseUrl: string) => ({
    baseUrl,
    hashAlgorithm: 'SHA2_256',
    publicKey: { rawBytes: b64(k), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start: '2000-01-01T00:00:00Z' } },
    logId: { keyId: logId },
  });
  const root = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      key(tlog.publicKey, b64(createHash('sha256').update(tlog.publicKey).digest()), 'https://rekor.example.com'),
    ],
    certificateAuthorities: [
      {
        subject: { organization: 'mock', commonName: 'mock' },
        uri: 'https://fulcio.example.com',
        certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] },
        validFor: { start: '2000-01-01T00:00:00Z' },
      },
    ],
    ctlogs: [key(ctLog.publicKey, b64(ctLog.logID), 'https://ct.example.com')],
    timestampAuthorities: [],
  };

  const keyless = (payloadType: string, payload: Uint8Array, opts: KeylessOptions = {}) =>
    at(clock, () => sign(payloadType, payload, opts));
  async function sign(payloadType: string, payload: Uint8Array, opts: KeylessOptions) {
    const signer = generateKeyPairSync('ec', { namedCurve: curve });
    const certDer = bytesOf(
      await ca.issueCertificate({
        publicKey: new Uint8Array(signer.publicKey.export({ type: 'spki', format: 'der' })),
        subjectAltName: opts.identity ?? SIGSTORE_IDENTITY,
        extensions: [{ oid: '1.3.6.1.4.1.57264.1.8', value: opts.issuer ?? SIGSTORE_ISSUER }],
      }),
    );
    const sig = cryptoSign(curve === 'P-384' ? 'sha384' : 'sha256', pae(payloadType, payload), signer.privateKey);
    const certPem = new X509Certificate(certDer).toString();
    const entry = await tlog.log({
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
    return {
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: {
        certificate: { rawBytes: b64(certDer) },
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
        payload: b64(opts.payloadOverride ?? payload),
        payloadType,
        signatures: [{ sig: b64(sig), keyid: '' }],
      },
    };
  }
  return { root, keyless };
}

/** A clock for a private Sigstore: five minutes after the world's training statement's issuedAt. */
export const KEYLESS_CLOCK = new Date(Date.parse(T.training) + 5 * 60_000);

/**
 * The trainer identity bound to SIGSTORE_IDENTITY and SIGSTORE_ISSUER under a `sigstore` authority
 * (`public-good`), its trusted root optionally pinned by digest.
 */
export function keylessTrainerPolicy(pin?: string) {
  return (doc: Record<string, any>): void => {
    delete doc.keys.trainer;
    doc.identities[IDENTITY.trainer] = {
      certificate: { authority: 'public-good', subject: SIGSTORE_IDENTITY, issuer: SIGSTORE_ISSUER },
    };
    doc.certificateAuthorities = {
      'public-good': { type: 'sigstore', ...(pin !== undefined ? { trustedRootDigest: pin } : {}) },
    };
  };
}
