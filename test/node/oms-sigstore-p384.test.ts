/**
 * Sigstore keyless with a P-384 signing key: @sigstore/verify 3.1.1 hashes every EC DSSE signature
 * with SHA-256, so Lineproof routes the signature check to hash by the leaf's curve. Every keyless
 * fixture is P-256, so this test builds a private Sigstore with @sigstore/mock 0.12.1 (a Fulcio CA
 * with a CT log, a Rekor log) and a trusted root for it (test/helpers/sigstore.ts). Then: the bundle
 * verifies through Lineproof, the same bundle fails in
 * @sigstore/verify's own DSSE check (the measured reason for the routing), and a changed payload
 * fails.
 */
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { describe, expect, it } from 'vitest';
import { canonicalBytes } from '../../src/json/canonical.js';
import { buildOmsManifest } from '../../src/interop/oms/manifest.js';
import { omsStatement } from '../../src/interop/oms/statement.js';
import { sigstoreOmsVerifier } from '../../src/node/oms-sigstore.js';
import type { Check } from '../../src/report/index.js';
import { privateSigstore, SIGSTORE_IDENTITY, SIGSTORE_ISSUER } from '../helpers/sigstore.js';

const IDENTITY = SIGSTORE_IDENTITY;
const ISSUER = SIGSTORE_ISSUER;

async function keylessBundle(curve: 'P-256' | 'P-384', payloadOverride?: Uint8Array) {
  const s = await privateSigstore(curve);
  const manifest = buildOmsManifest({
    modelName: 'm',
    serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false },
    items: [{ path: 'w.bin', digest: 'ab'.repeat(32) }],
  });
  const payload = canonicalBytes(omsStatement(manifest));
  const bundle = await s.keyless('application/vnd.in-toto+json', payload, payloadOverride ? { payloadOverride } : {});
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
