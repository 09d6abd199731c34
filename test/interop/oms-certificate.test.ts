/**
 * model_signing certificate bundles (`verificationMaterial.x509CertificateChain`, its `sign
 * certificate`) against a private PKI made by OpenSSL: the path from the leaf through the bundle's
 * intermediates to a CA the user gives, CA constraints, validity at the signing time, critical
 * extensions, the leaf's usage and key — each failure with its own code — and OpenSSL's `verify` as
 * a differential peer on the same chains. Properties: certificates an attacker appends to the
 * bundle never make an untrusted chain pass, and the order of the intermediates never matters.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toBase64 } from '../../src/bytes/index.js';
import { ecdsaSigner } from '../../src/pki/ecdsa.js';
import { signOmsManifest } from '../../src/interop/oms/sign.js';
import { verifyOmsSignature } from '../../src/interop/oms/verify.js';
import {
  certificatesFromPem,
  parseCertificate,
  verifyCertificatePath,
  MAX_SIGNATURE_CHECKS,
} from '../../src/pki/x509.js';
import { loadCertificates, loadEcPrivateKey } from '../../src/node/ec-keys.js';
import { hashOmsModel, verifyOmsModelPath } from '../../src/node/oms.js';
import type { Report } from '../../src/report/index.js';
import { CA_EXT, LEAF_EXT, Pki, type MadeCert } from '../helpers/pki.js';
import { tempDir } from '../helpers/tmp.js';

const failed = (r: Report): string[] => r.checks.filter((c) => c.status === 'fail').map((c) => c.code);

/** A model signed with `leaf`'s key, its signature a certificate bundle carrying `chain`. */
async function signedModel(leaf: MadeCert, chain: MadeCert[]): Promise<{ model: string; sig: string; bundle: object }> {
  const model = join(tempDir('lineproof-oms-cert-'), 'model');
  mkdirSync(model);
  writeFileSync(join(model, 'weights.bin'), 'weights');
  writeFileSync(join(model, 'config.json'), '{}');
  const hashed = await hashOmsModel(model, { method: 'files', ignorePaths: ['model.sig'] });
  const keyBundle = await signOmsManifest(hashed.manifest, ecdsaSigner(loadEcPrivateKey(leaf.keyPath)));
  const bundle = {
    mediaType: keyBundle.mediaType,
    verificationMaterial: { x509CertificateChain: { certificates: chain.map((c) => ({ rawBytes: toBase64(c.der) })) } },
    dsseEnvelope: keyBundle.dsseEnvelope,
  };
  const sig = join(model, 'model.sig');
  writeFileSync(sig, JSON.stringify(bundle));
  return { model, sig, bundle };
}

async function verifyWith(s: { model: string; sig: string }, anchors: MadeCert[]): Promise<Report> {
  return (
    await verifyOmsModelPath(s.model, {
      signature: s.sig,
      certificateChain: anchors.flatMap((a) => loadCertificates(a.certPath)),
    })
  ).report;
}

describe('certificate bundles against a private PKI (OpenSSL)', () => {
  const pki = new Pki();
  const root = pki.root('root-ca');
  const inter = pki.issue('inter-ca', root, { key: 'rsa:2048', ext: CA_EXT });
  const leaf = pki.issue('signer', inter, { key: 'ec:P-384', ext: LEAF_EXT });

  it('a leaf chaining through the bundle intermediate to the given root verifies, with the model', async () => {
    const s = await signedModel(leaf, [leaf, inter]);
    const r = await verifyWith(s, [root]);
    expect(failed(r)).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.checks.find((c) => c.id === 'oms.certificate')?.actual).toBe('CN=signer <- CN=inter-ca <- CN=root-ca');
    expect(pki.opensslVerifies(leaf, [inter], [root])).toBe(true);
  });

  it('an untrusted root, or an intermediate missing from the bundle, is CERTIFICATE_UNTRUSTED (as OpenSSL says)', async () => {
    const other = pki.root('other-root');
    const s = await signedModel(leaf, [leaf, inter]);
    expect(failed(await verifyWith(s, [other]))).toEqual(['CERTIFICATE_UNTRUSTED']);
    expect(pki.opensslVerifies(leaf, [inter], [other])).toBe(false);
    const bare = await signedModel(leaf, [leaf]);
    expect(failed(await verifyWith(bare, [root]))).toEqual(['CERTIFICATE_UNTRUSTED']);
    expect(pki.opensslVerifies(leaf, [], [root])).toBe(false);
    // trusting the intermediate itself is the user's choice
    expect(failed(await verifyWith(bare, [inter]))).toEqual([]);
  });

  it('a same-named impostor CA (another key) is not an issuer', async () => {
    const impostor = pki.root('inter-ca-fake', { ext: CA_EXT });
    const fake = pki.issue('inter-ca-impostor', impostor, { key: 'rsa:2048', ext: CA_EXT, subject: 'inter-ca' });
    const s = await signedModel(leaf, [leaf, fake]);
    expect(failed(await verifyWith(s, [root]))).toEqual(['CERTIFICATE_UNTRUSTED']);
    const both = await signedModel(leaf, [leaf, fake, inter]);
    expect(failed(await verifyWith(both, [root]))).toEqual([]);
  });

  it('CA constraints: an issuer that is not a CA, without keyCertSign, or past a pathLenConstraint', async () => {
    const notCa = pki.issue('not-a-ca', root, {
      ext: ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature'],
    });
    const l1 = pki.issue('l1', notCa, { key: 'ec:P-256', ext: LEAF_EXT });
    expect(failed(await verifyWith(await signedModel(l1, [l1, notCa]), [root]))).toEqual(['CERTIFICATE_USAGE_INVALID']);
    expect(pki.opensslVerifies(l1, [notCa], [root])).toBe(false);
    const noSign = pki.issue('no-certsign', root, {
      ext: ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,digitalSignature'],
    });
    const l2 = pki.issue('l2', noSign, { key: 'ec:P-256', ext: LEAF_EXT });
    expect(failed(await verifyWith(await signedModel(l2, [l2, noSign]), [root]))).toEqual([
      'CERTIFICATE_USAGE_INVALID',
    ]);
    expect(pki.opensslVerifies(l2, [noSign], [root])).toBe(false);
    const tight = pki.root('tight-root', {
      ext: ['basicConstraints=critical,CA:TRUE,pathlen:0', 'keyUsage=critical,keyCertSign'],
    });
    const i3 = pki.issue('i3', tight, { key: 'rsa:2048', ext: CA_EXT });
    const l3 = pki.issue('l3', i3, { key: 'ec:P-256', ext: LEAF_EXT });
    expect(failed(await verifyWith(await signedModel(l3, [l3, i3]), [tight]))).toEqual(['CERTIFICATE_USAGE_INVALID']);
    expect(pki.opensslVerifies(l3, [i3], [tight])).toBe(false);
    const l4 = pki.issue('l4', tight, { key: 'ec:P-256', ext: LEAF_EXT });
    expect(failed(await verifyWith(await signedModel(l4, [l4]), [tight]))).toEqual([]);
  });

  it('the leaf must be allowed to sign: digitalSignature, or else codeSigning', async () => {
    const enc = pki.issue('enc-only', inter, { key: 'ec:P-256', ext: ['keyUsage=critical,keyEncipherment'] });
    expect(failed(await verifyWith(await signedModel(enc, [enc, inter]), [root]))).toEqual([
      'CERTIFICATE_USAGE_INVALID',
    ]);
    const cs = pki.issue('codesign-only', inter, {
      key: 'ec:P-256',
      ext: ['keyUsage=critical,keyEncipherment', 'extendedKeyUsage=codeSigning'],
    });
    expect(failed(await verifyWith(await signedModel(cs, [cs, inter]), [root]))).toEqual([]);
  });

  it('an unknown critical extension anywhere in the path is refused', async () => {
    const odd = pki.issue('odd', inter, {
      key: 'ec:P-256',
      ext: [...LEAF_EXT, '1.3.6.1.4.1.99999.1=critical,ASN1:UTF8String:x'],
    });
    expect(failed(await verifyWith(await signedModel(odd, [odd, inter]), [root]))).toEqual([
      'CERTIFICATE_CRITICAL_EXTENSION_UNKNOWN',
    ]);
    expect(pki.opensslVerifies(odd, [inter], [root])).toBe(false);
  });

  it('validity is judged at the signing time (the leaf notBefore), or the time given', async () => {
    const s = await signedModel(leaf, [leaf, inter]);
    const anchors = loadCertificates(root.certPath);
    const later = new Date(parseCertificate(leaf.der).notAfter.getTime() + 1000);
    const r = await verifyOmsSignature(JSON.stringify(s.bundle), { certificateChain: anchors, certificateTime: later });
    expect(failed(r.report)).toEqual(['CERTIFICATE_NOT_VALID_AT_TIME']);
  });

  it('a leaf with an RSA key is OMS_CERTIFICATE_KEY_UNSUPPORTED; a key bundle has nothing to chain', async () => {
    const rsaLeaf = pki.issue('rsa-leaf', inter, { key: 'rsa:2048', ext: LEAF_EXT });
    const s = await signedModel(leaf, [leaf, inter]);
    const swapped = {
      ...s.bundle,
      verificationMaterial: {
        x509CertificateChain: {
          certificates: [{ rawBytes: toBase64(rsaLeaf.der) }, { rawBytes: toBase64(inter.der) }],
        },
      },
    };
    const anchors = loadCertificates(root.certPath);
    expect(failed((await verifyOmsSignature(JSON.stringify(swapped), { certificateChain: anchors })).report)).toEqual([
      'OMS_CERTIFICATE_KEY_UNSUPPORTED',
    ]);
    const keyBundle = { ...s.bundle, verificationMaterial: { publicKey: { hint: '' }, tlogEntries: [] } };
    expect(failed((await verifyOmsSignature(JSON.stringify(keyBundle), { certificateChain: anchors })).report)).toEqual(
      ['CERTIFICATE_UNTRUSTED'],
    );
  });

  it('malformed chains fail in the bundle check, bounded: bad DER, no certificates, too many, unknown fields', async () => {
    const s = await signedModel(leaf, [leaf, inter]);
    const anchors = loadCertificates(root.certPath);
    const withChain = (x: unknown): string =>
      JSON.stringify({ ...s.bundle, verificationMaterial: { x509CertificateChain: x } });
    const codes = async (x: unknown): Promise<string[]> =>
      failed((await verifyOmsSignature(withChain(x), { certificateChain: anchors })).report);
    expect(
      await codes({ certificates: [{ rawBytes: toBase64(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01])) }] }),
    ).toEqual(['CERTIFICATE_INVALID']);
    expect(await codes({ certificates: [] })).toEqual(['OMS_BUNDLE_INVALID']);
    expect(await codes({ certificates: Array.from({ length: 11 }, () => ({ rawBytes: toBase64(leaf.der) })) })).toEqual(
      ['LIMIT_EXCEEDED'],
    );
    expect(await codes({ certificates: [{ rawBytes: toBase64(leaf.der), extra: 1 }] })).toEqual(['OMS_BUNDLE_INVALID']);
    const trailing = new Uint8Array([...leaf.der, 0]);
    expect(await codes({ certificates: [{ rawBytes: toBase64(trailing) }] })).toEqual(['CERTIFICATE_INVALID']);
  });
});

describe('properties of the path search (fast-check)', () => {
  const pki = new Pki();
  const root = pki.root('p-root');
  const inter = pki.issue('p-inter', root, { key: 'rsa:2048', ext: CA_EXT });
  const leaf = pki.issue('p-leaf', inter, { key: 'ec:P-256', ext: LEAF_EXT });
  const rogue = pki.root('p-rogue');
  // decoys an attacker may append: same-named CAs with other keys, unrelated CAs, the leaf again
  const decoys = [
    pki.issue('p-inter-rogue', rogue, { key: 'rsa:2048', ext: CA_EXT, subject: 'p-inter' }),
    pki.root('p-inter-self', { ext: CA_EXT }),
    rogue,
    leaf,
    pki.issue('p-other', root, { key: 'ec:P-256', ext: CA_EXT }),
  ].map((c) => parseCertificate(c.der));
  const [L, I, R, X] = [leaf, inter, root, rogue].map((c) => parseCertificate(c.der)) as [
    ReturnType<typeof parseCertificate>,
    ReturnType<typeof parseCertificate>,
    ReturnType<typeof parseCertificate>,
    ReturnType<typeof parseCertificate>,
  ];
  const at = L.notBefore;

  it('appended certificates never make an untrusted chain pass, nor a trusted one fail; order never matters', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.subarray(decoys),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 1000 }),
        async (extra, withInter, trustRoot, seed) => {
          const pool = [...(withInter ? [I] : []), ...extra];
          const shuffled = [...pool].sort((a, b) => (a.fingerprint + seed).localeCompare(b.fingerprint + seed));
          const r = await verifyCertificatePath({ leaf: L, intermediates: shuffled, anchors: [trustRoot ? R : X], at });
          const base = await verifyCertificatePath({
            leaf: L,
            intermediates: withInter ? [I] : [],
            anchors: [trustRoot ? R : X],
            at,
          });
          expect(r.ok).toBe(base.ok);
          expect(r.ok).toBe(withInter && trustRoot);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('the search is bounded: a bundle of ten same-named decoys spends at most the signature budget', async () => {
    const many = Array.from({ length: 10 }, (_, i) =>
      parseCertificate(pki.issue(`d${i}`, rogue, { key: 'ec:P-256', ext: CA_EXT, subject: 'p-inter' }).der),
    );
    const r = await verifyCertificatePath({ leaf: L, intermediates: many, anchors: [R], at });
    expect(r.ok).toBe(false);
    expect(MAX_SIGNATURE_CHECKS).toBe(64);
    const withReal = await verifyCertificatePath({ leaf: L, intermediates: [...many, I], anchors: [R], at });
    expect(withReal.ok).toBe(true);
    expect(certificatesFromPem(`text before\n${root.pem}\n${inter.pem}`).map((c) => c.subject)).toEqual([
      'CN=p-root',
      'CN=p-inter',
    ]);
  });
});
