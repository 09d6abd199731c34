/**
 * Sigstore bundles v0.3 for our Ed25519 DSSE envelopes (src/interop/sigstore.ts), checked by the
 * real peer: sigstore-js `@sigstore/verify` 3.1.1 (pinned devDependency; 4.x needs Node 22) with
 * its bundle parser `@sigstore/bundle` 4.0.0, verifying offline with a public key for the hint and
 * transparency-log, certificate-transparency and timestamp thresholds at 0.
 */
import { bundleFromJSON, bundleToJSON, toDSSEBundle } from '@sigstore/bundle';
import { Verifier, toSignedEntity, toTrustMaterial, type TrustMaterial } from '@sigstore/verify';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../src/bytes/index.js';
import { pae } from '../../src/dsse/pae.js';
import { serializeEnvelope } from '../../src/dsse/envelope.js';
import { addSignature, signEnvelope } from '../../src/dsse/sign.js';
import { ed25519Signer, generateKeyPair, publicKeyToDer } from '../../src/keys/keys.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../src/statements/statement.js';
import {
  SIGSTORE_BUNDLE_V03_LEGACY_MEDIA_TYPE,
  SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
  fromSigstoreBundle,
  serializeSigstoreBundle,
  toSigstoreBundle,
  verifySigstoreBundle,
} from '../../src/index.js';
import { statementBytes } from '../helpers/dsse.js';
import { codeOf } from '../helpers/codes.js';

/** sigstore/protobuf-specs `PublicKeyDetails` values. */
const PKIX_ED25519 = 7;

/** @sigstore/verify trust material: one public key for one hint, no CA, no log, no TSA. */
function trustFor(hint: string, spkiDer: Uint8Array, keyDetails: number): TrustMaterial {
  const root = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
  };
  return toTrustMaterial(root, {
    [hint]: { rawBytes: Buffer.from(spkiDer), keyDetails } as unknown as never,
  });
}

/** Verify with @sigstore/verify offline; returns 'ok' or its error code. */
function sigstoreVerify(bundleText: string, trust: TrustMaterial): string {
  try {
    const bundle = bundleFromJSON(JSON.parse(bundleText));
    new Verifier(trust, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }).verify(toSignedEntity(bundle));
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? (e as Error).name;
  }
}

async function ourEnvelope(): Promise<{ text: string; key: Awaited<ReturnType<typeof generateKeyPair>> }> {
  const key = await generateKeyPair();
  const env = await signEnvelope(statementBytes(), IN_TOTO_PAYLOAD_TYPE, [ed25519Signer(key)]);
  return { text: serializeEnvelope(env), key };
}

describe('toSigstoreBundle / fromSigstoreBundle', () => {
  it('wraps an Ed25519 envelope with a hint and no log entry, and gives the same envelope back', async () => {
    const { text, key } = await ourEnvelope();
    const b = toSigstoreBundle(text, { hint: 'alice' });
    expect(b.mediaType).toBe(SIGSTORE_BUNDLE_V03_MEDIA_TYPE);
    expect(b.verificationMaterial).toEqual({ publicKey: { hint: 'alice' }, tlogEntries: [] });
    const back = fromSigstoreBundle(serializeSigstoreBundle(b));
    expect(back.hint).toBe('alice');
    expect(serializeEnvelope(back.envelope)).toBe(text);
    // default hint: the signature's keyid
    expect(toSigstoreBundle(text).verificationMaterial.publicKey.hint).toBe(key.publicKey.keyid);
  });

  it('refuses an envelope with several signatures (SIGSTORE_MULTIPLE_SIGNATURES) or none', async () => {
    const { text } = await ourEnvelope();
    const both = await addSignature(text, ed25519Signer(await generateKeyPair()));
    expect(codeOf(() => toSigstoreBundle(both))).toBe('SIGSTORE_MULTIPLE_SIGNATURES');
    const none = { ...JSON.parse(text), signatures: [] };
    expect(codeOf(() => toSigstoreBundle(none))).toBe('SIGSTORE_BUNDLE_INVALID');
    const noKeyid = JSON.parse(text);
    noKeyid.signatures[0].keyid = '';
    expect(codeOf(() => toSigstoreBundle(noKeyid))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => toSigstoreBundle(text, { hint: 'a\nb' }))).toBe('INVALID_ARGUMENT');
  });

  describe('when reading strictly', () => {
    type Json = Record<string, any>;
    const cases: [string, (b: Json) => void, string][] = [
      ['an unknown top-level field', (b) => (b.extra = true), 'SIGSTORE_BUNDLE_INVALID'],
      ['a snake_case field name', (b) => ((b.media_type = b.mediaType), delete b.mediaType), 'SIGSTORE_BUNDLE_INVALID'],
      [
        'a v0.2 media type',
        (b) => (b.mediaType = 'application/vnd.dev.sigstore.bundle+json;version=0.2'),
        'SIGSTORE_BUNDLE_INVALID',
      ],
      [
        'a certificate',
        (b) => (b.verificationMaterial = { certificate: { rawBytes: 'AAAA' } }),
        'SIGSTORE_BUNDLE_UNSUPPORTED',
      ],
      [
        'a certificate chain',
        (b) => (b.verificationMaterial = { x509CertificateChain: { certificates: [] } }),
        'SIGSTORE_BUNDLE_UNSUPPORTED',
      ],
      [
        'a transparency-log entry',
        (b) => (b.verificationMaterial.tlogEntries = [{ logIndex: '1' }]),
        'SIGSTORE_BUNDLE_UNSUPPORTED',
      ],
      [
        'an RFC 3161 timestamp',
        (b) =>
          (b.verificationMaterial.timestampVerificationData = { rfc3161Timestamps: [{ signedTimestamp: 'AAAA' }] }),
        'SIGSTORE_BUNDLE_UNSUPPORTED',
      ],
      ['a message signature', (b) => ((b.messageSignature = {}), delete b.dsseEnvelope), 'SIGSTORE_BUNDLE_UNSUPPORTED'],
      [
        'model_signing 1.0 rawBytes (not a PublicKeyIdentifier)',
        (b) => (b.verificationMaterial.publicKey = { rawBytes: 'AAAA' }),
        'SIGSTORE_BUNDLE_INVALID',
      ],
      [
        'two signatures',
        (b) => b.dsseEnvelope.signatures.push(b.dsseEnvelope.signatures[0]),
        'SIGSTORE_MULTIPLE_SIGNATURES',
      ],
      ['no signature', (b) => (b.dsseEnvelope.signatures = []), 'SIGSTORE_BUNDLE_INVALID'],
      ['an unknown signature field', (b) => (b.dsseEnvelope.signatures[0].keyId = 'x'), 'SIGSTORE_BUNDLE_INVALID'],
      [
        'unpadded base64',
        (b) => (b.dsseEnvelope.signatures[0].sig = (b.dsseEnvelope.signatures[0].sig as string).replace(/=+$/, '')),
        'BASE64_BAD_PADDING',
      ],
      ['no dsseEnvelope', (b) => delete b.dsseEnvelope, 'SIGSTORE_BUNDLE_INVALID'],
    ];
    for (const [name, mutate, code] of cases) {
      it(`${name} fails ${code}`, async () => {
        const b = toSigstoreBundle((await ourEnvelope()).text, { hint: 'h' }) as unknown as Json;
        mutate(b);
        expect(codeOf(() => fromSigstoreBundle(JSON.stringify(b)))).toBe(code);
      });
    }

    it('accepts the legacy spelling of the v0.3 media type, no tlogEntries, empty timestamps and keyid null', async () => {
      const b = toSigstoreBundle((await ourEnvelope()).text, { hint: 'h' }) as unknown as Json;
      b.mediaType = SIGSTORE_BUNDLE_V03_LEGACY_MEDIA_TYPE;
      delete b.verificationMaterial.tlogEntries;
      b.verificationMaterial.timestampVerificationData = { rfc3161Timestamps: [] };
      b.dsseEnvelope.signatures[0].keyid = null;
      expect(fromSigstoreBundle(JSON.stringify(b)).envelope.signatures[0]!.keyid).toBe('');
    });
  });
});

describe('@sigstore/verify 3.x (offline: public key for the hint, thresholds 0)', () => {
  it('verifies our Ed25519 bundle, and we verify it too', async () => {
    const { text, key } = await ourEnvelope();
    const bundle = serializeSigstoreBundle(toSigstoreBundle(text, { hint: 'alice' }));
    expect(sigstoreVerify(bundle, trustFor('alice', publicKeyToDer(key.publicKey), PKIX_ED25519))).toBe('ok');
    const ours = await verifySigstoreBundle(bundle, {
      trustedKeys: [key.publicKey],
      payloadType: IN_TOTO_PAYLOAD_TYPE,
    });
    expect(ours.report.ok).toBe(true);
    expect(ours.report.kind).toBe('sigstore');
    expect(ours.report.checks.map((c) => c.id)).toEqual([
      'sigstore.bundle',
      'dsse.envelope',
      'dsse.signature',
      'dsse.threshold',
      'dsse.payloadType',
      'dsse.statement',
    ]);
    expect(ours.hint).toBe('alice');
  });

  it('rejects a tampered bundle (payload, payloadType or signature byte), as we do', async () => {
    const { text, key } = await ourEnvelope();
    const trust = trustFor('alice', publicKeyToDer(key.publicKey), PKIX_ED25519);
    const base = JSON.parse(serializeSigstoreBundle(toSigstoreBundle(text, { hint: 'alice' })));
    const tamper = (f: (b: any) => void): string => {
      const b = structuredClone(base);
      f(b);
      return JSON.stringify(b);
    };
    const payload = fromBase64(base.dsseEnvelope.payload);
    payload[payload.length - 2]! ^= 1;
    const sig = fromBase64(base.dsseEnvelope.signatures[0].sig);
    sig[10]! ^= 0x80;
    for (const bad of [
      tamper((b) => (b.dsseEnvelope.payload = toBase64(payload))),
      tamper((b) => (b.dsseEnvelope.payloadType = 'application/vnd.in-toto+jsoN')),
      tamper((b) => (b.dsseEnvelope.signatures[0].sig = toBase64(sig))),
    ]) {
      expect(sigstoreVerify(bad, trust)).toBe('SIGNATURE_ERROR');
      expect((await verifySigstoreBundle(bad, { trustedKeys: [key.publicKey] })).report.ok).toBe(false);
    }
    // another key under the same hint
    const other = await generateKeyPair();
    expect(sigstoreVerify(JSON.stringify(base), trustFor('alice', publicKeyToDer(other.publicKey), PKIX_ED25519))).toBe(
      'SIGNATURE_ERROR',
    );
    // no key for the hint
    expect(sigstoreVerify(JSON.stringify(base), trustFor('bob', publicKeyToDer(key.publicKey), PKIX_ED25519))).toBe(
      'PUBLIC_KEY_ERROR',
    );
  });

  it('agrees with us on random single-byte changes of the payload', async () => {
    const { text, key } = await ourEnvelope();
    const trust = trustFor('alice', publicKeyToDer(key.publicKey), PKIX_ED25519);
    const base = JSON.parse(serializeSigstoreBundle(toSigstoreBundle(text, { hint: 'alice' })));
    const payload = fromBase64(base.dsseEnvelope.payload);
    await fc.assert(
      fc.asyncProperty(fc.nat(payload.length - 1), fc.integer({ min: 1, max: 255 }), async (at, d) => {
        const p = Uint8Array.from(payload);
        p[at] = (p[at]! + d) & 0xff;
        const b = structuredClone(base);
        b.dsseEnvelope.payload = toBase64(p);
        const t = JSON.stringify(b);
        expect(sigstoreVerify(t, trust)).toBe('SIGNATURE_ERROR');
        expect((await verifySigstoreBundle(t, { trustedKeys: [key.publicKey] })).report.ok).toBe(false);
      }),
      { numRuns: 50 },
    );
  });

  it('we read and verify a bundle written by sigstore-js (@sigstore/bundle toDSSEBundle + bundleToJSON) that it verifies', async () => {
    const key = await generateKeyPair();
    const payload = statementBytes();
    const sig = await ed25519Signer(key).sign(pae(IN_TOTO_PAYLOAD_TYPE, payload));
    const theirs = JSON.stringify(
      bundleToJSON(
        toDSSEBundle({
          artifact: Buffer.from(payload),
          artifactType: IN_TOTO_PAYLOAD_TYPE,
          signature: Buffer.from(sig),
          keyHint: 'k1',
        }),
      ),
    );
    expect(sigstoreVerify(theirs, trustFor('k1', publicKeyToDer(key.publicKey), PKIX_ED25519))).toBe('ok');
    const ours = await verifySigstoreBundle(theirs, {
      trustedKeys: [key.publicKey],
      payloadType: IN_TOTO_PAYLOAD_TYPE,
    });
    expect(ours.report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(ours.report.ok).toBe(true);
    expect(fromSigstoreBundle(theirs).hint).toBe('k1');
  });

  it('our reader reports a bundle it cannot read as the failed check sigstore.bundle', async () => {
    const key = await generateKeyPair();
    const r = await verifySigstoreBundle('{"mediaType":"x"}', { trustedKeys: [key.publicKey] });
    expect(r.report.checks.map((c) => [c.id, c.code])).toEqual([['sigstore.bundle', 'SIGSTORE_BUNDLE_INVALID']]);
  });
});
