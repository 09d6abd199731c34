/**
 * OpenSSF model signing (github.com/sigstore/model-transparency at commit e343073): the signature
 * model_signing v1.0.1 wrote with an ECDSA P-384 key (fixtures/model-signing/v1.0.1-elliptic-key,
 * key fixtures/model-signing/signing-key-pub.pem), verified as its `verify key` command does, and
 * its tampered variants. Mutating tests copy the fixture into a temporary directory first.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from '../../src/bytes/index.js';
import {
  parseEcPublicKey,
  omsKeyHint,
  omsKeyHints,
  generateEcPrivateKey,
  ecCurveInfo,
  verifyOmsSignature,
  type EcPublicKey,
} from '../../src/index.js';
import { verifyOmsModelPath, loadEcPublicKey } from '../../src/node/index.js';
import { parseEcdsaSignature } from '../../src/pki/ecdsa.js';
import { derTlv, derUnsignedInteger } from '../../src/interop/der.js';
import type { Report } from '../../src/report/index.js';
import { fixturePath, readFixture, readFixtureText } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/tmp.js';

const KEY_TEXT = readFixtureText('model-signing', 'signing-key-pub.pem');
const KEY = parseEcPublicKey(KEY_TEXT, { what: 'signing-key-pub.pem' });
const SIG = readFixture('model-signing', 'v1.0.1-elliptic-key', 'model.sig');
/** Upstream's published hint for this key (the vectors README). */
const HINT = 'e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e';

function copyModel(): string {
  const dir = join(tempDir('lineproof-oms-'), 'v1.0.1-elliptic-key');
  cpSync(fixturePath('model-signing', 'v1.0.1-elliptic-key'), dir, { recursive: true });
  return dir;
}

const failed = (r: Report): { id: string; code: string; subject: string }[] =>
  r.checks.filter((c) => c.status === 'fail').map(({ id, code, subject }) => ({ id, code, subject }));

type Json = Record<string, any>;
const bundleJson = (): Json => JSON.parse(new TextDecoder().decode(SIG)) as Json;
const enc = (j: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(j));

/** The fixture's signature re-shaped as model_signing 1.1+ writes bundles (hint, tlogEntries, keyid ""). */
function asV11(hint = HINT): Json {
  const j = bundleJson();
  j.verificationMaterial = { publicKey: { hint }, tlogEntries: [] };
  j.dsseEnvelope.signatures[0].keyid = '';
  return j;
}

describe('the model_signing v1.0.1 elliptic-key fixture', () => {
  it('is a P-384 key whose OpenSSL PEM hashes to the published v1.1 hint', () => {
    expect(KEY.curve).toBe('P-384');
    expect(omsKeyHint(KEY)).toBe(HINT);
    expect(ecCurveInfo(KEY.curve).hash).toBe('sha384');
  });

  describe('when verified with --ignore-paths ignore-me', () => {
    it('verifies: bundle, key (rawBytes compared), signature, statement, every file', async () => {
      const dir = copyModel();
      const r = await verifyOmsModelPath(dir, {
        signature: join(dir, 'model.sig'),
        publicKey: KEY,
        ignorePaths: ['ignore-me'],
      });
      expect(failed(r.report)).toEqual([]);
      expect(r.report.ok).toBe(true);
      expect(r.report.kind).toBe('oms');
      expect(r.shape).toBe('v1.0');
      const ids = r.report.checks.filter((c) => c.status === 'pass').map((c) => c.id);
      expect(ids).toEqual([
        'oms.bundle',
        'oms.key',
        'oms.signature',
        'oms.payloadType',
        'oms.statement',
        'oms.model',
        'oms.serialization',
        'oms.resources',
      ]);
      expect(r.manifest?.resources.map((x) => x.name)).toEqual(['signme-1', 'signme-2']);
      expect(r.manifest?.rootDigest).toBe('92745110b1ab4368471cbe31664e10174e954b113a3df333db860317b2c6dec4');
    });

    it('verifies from the fixture folder itself (read only) and with the signature outside the model', async () => {
      const dir = copyModel();
      const outside = join(dir, '..', 'model.sig');
      cpSync(join(dir, 'model.sig'), outside);
      rmSync(join(dir, 'model.sig'));
      const r = await verifyOmsModelPath(dir, { signature: outside, publicKey: KEY, ignorePaths: ['ignore-me'] });
      expect(r.report.ok).toBe(true);
      const direct = await verifyOmsModelPath(fixturePath('model-signing', 'v1.0.1-elliptic-key'), {
        signature: fixturePath('model-signing', 'v1.0.1-elliptic-key', 'model.sig'),
        publicKey: KEY,
        ignorePaths: ['ignore-me'],
      });
      expect(direct.report.ok).toBe(true);
    });
  });

  describe('when verified without --ignore-paths', () => {
    it('reports ignore-me as an extra file, and only that', async () => {
      const dir = copyModel();
      const r = await verifyOmsModelPath(dir, { signature: join(dir, 'model.sig'), publicKey: KEY });
      expect(r.report.ok).toBe(false);
      expect(failed(r.report)).toEqual([{ id: 'oms.resource', code: 'MANIFEST_ITEM_EXTRA', subject: 'ignore-me' }]);
      expect(r.diff?.extra.map((x) => x.name)).toEqual(['ignore-me']);
      expect(r.manifest).toBeUndefined(); // fail closed
    });
  });

  describe('when tampered (the three attacks of the issue, each with its own code)', () => {
    const codes: Record<string, string> = {};

    it('a changed signme-1 fails MANIFEST_ITEM_MISMATCH naming it', async () => {
      const dir = copyModel();
      writeFileSync(join(dir, 'signme-1'), 'signme-X\n');
      const r = await verifyOmsModelPath(dir, {
        signature: join(dir, 'model.sig'),
        publicKey: KEY,
        ignorePaths: ['ignore-me'],
      });
      expect(failed(r.report)).toEqual([{ id: 'oms.resource', code: 'MANIFEST_ITEM_MISMATCH', subject: 'signme-1' }]);
      codes.file = 'MANIFEST_ITEM_MISMATCH';
    });

    it('an added unsigned file fails MANIFEST_ITEM_EXTRA naming it', async () => {
      const dir = copyModel();
      writeFileSync(join(dir, 'backdoor.py'), 'import os\n');
      const r = await verifyOmsModelPath(dir, {
        signature: join(dir, 'model.sig'),
        publicKey: KEY,
        ignorePaths: ['ignore-me'],
      });
      expect(failed(r.report)).toEqual([{ id: 'oms.resource', code: 'MANIFEST_ITEM_EXTRA', subject: 'backdoor.py' }]);
      codes.added = 'MANIFEST_ITEM_EXTRA';
    });

    it('one changed byte of the bundle fails OMS_SIGNATURE_INVALID and the model is not checked', async () => {
      const dir = copyModel();
      const j = bundleJson();
      const payload = fromBase64(j.dsseEnvelope.payload as string);
      const at = new TextDecoder().decode(payload).indexOf('signme-2');
      payload[at + 7] = '3'.charCodeAt(0); // the signed statement now names "signme-3"
      j.dsseEnvelope.payload = toBase64(payload);
      writeFileSync(join(dir, 'model.sig'), JSON.stringify(j));
      const r = await verifyOmsModelPath(dir, {
        signature: join(dir, 'model.sig'),
        publicKey: KEY,
        ignorePaths: ['ignore-me'],
      });
      expect(failed(r.report).map((c) => c.code)).toEqual(['OMS_SIGNATURE_INVALID']);
      expect(r.report.checks.find((c) => c.id === 'oms.model')?.status).toBe('skip');
      codes.bundle = 'OMS_SIGNATURE_INVALID';
    });

    it('a byte changed in place in model.sig fails too (raw file edit)', async () => {
      const dir = copyModel();
      const bytes = new Uint8Array(SIG);
      const text = new TextDecoder().decode(bytes);
      const at = text.indexOf('"payload": "') + '"payload": "'.length + 40;
      bytes[at] = bytes[at] === 0x41 ? 0x42 : 0x41;
      writeFileSync(join(dir, 'model.sig'), bytes);
      const r = await verifyOmsModelPath(dir, {
        signature: join(dir, 'model.sig'),
        publicKey: KEY,
        ignorePaths: ['ignore-me'],
      });
      expect(r.report.ok).toBe(false);
      expect(failed(r.report).map((c) => c.code)).toContain('OMS_SIGNATURE_INVALID');
    });

    it('the three codes are distinct', () => {
      expect(new Set(Object.values(codes)).size).toBe(3);
    });

    it('a deleted file fails MANIFEST_ITEM_MISSING; several problems are all listed', async () => {
      const dir = copyModel();
      rmSync(join(dir, 'signme-2'));
      writeFileSync(join(dir, 'signme-1'), 'other\n');
      writeFileSync(join(dir, 'new'), '');
      const r = await verifyOmsModelPath(dir, {
        signature: join(dir, 'model.sig'),
        publicKey: KEY,
        ignorePaths: ['ignore-me'],
      });
      expect(failed(r.report)).toEqual([
        { id: 'oms.resource', code: 'MANIFEST_ITEM_MISSING', subject: 'signme-2' },
        { id: 'oms.resource', code: 'MANIFEST_ITEM_EXTRA', subject: 'new' },
        { id: 'oms.resource', code: 'MANIFEST_ITEM_MISMATCH', subject: 'signme-1' },
      ]);
    });

    it('.git paths and the signature file are ignored by default', async () => {
      const dir = copyModel();
      cpSync(join(dir, 'signme-1'), join(dir, '.gitattributes'));
      writeFileSync(join(dir, '.gitignore'), 'x');
      const r = await verifyOmsModelPath(dir, {
        signature: join(dir, 'model.sig'),
        publicKey: KEY,
        ignorePaths: ['ignore-me'],
      });
      expect(r.report.ok).toBe(true);
      const strict = await verifyOmsModelPath(dir, {
        signature: join(dir, 'model.sig'),
        publicKey: KEY,
        ignorePaths: ['ignore-me'],
        ignoreGitPaths: false,
      });
      expect(failed(strict.report).map((c) => c.subject)).toEqual(['.gitattributes', '.gitignore']);
    });
  });

  describe('the key', () => {
    it('another P-384 key fails OMS_KEY_MISMATCH (rawBytes compared, never trusted) and OMS_SIGNATURE_INVALID', async () => {
      const other = generateEcPrivateKey('P-384').publicKey;
      const r = await verifyOmsSignature(SIG, { publicKey: other });
      expect(failed(r.report).map((c) => c.code)).toEqual(['OMS_KEY_MISMATCH', 'OMS_SIGNATURE_INVALID']);
    });

    it('a key on another curve fails too (a P-384 signature is not even a P-256 one: r, s are too long)', async () => {
      const other = generateEcPrivateKey('P-256').publicKey;
      const r = await verifyOmsSignature(SIG, { publicKey: other });
      expect(failed(r.report).map((c) => c.code)).toEqual(['OMS_KEY_MISMATCH', 'ECDSA_SIGNATURE_MALFORMED']);
    });

    it('rawBytes naming another key fails OMS_KEY_MISMATCH even though the signature verifies', async () => {
      const j = bundleJson();
      const other = generateEcPrivateKey('P-384').publicKey;
      j.verificationMaterial.publicKey.rawBytes = toBase64(
        new TextEncoder().encode((await import('../../src/index.js')).ecPublicKeyToPem(other)),
      );
      const r = await verifyOmsSignature(enc(j), { publicKey: KEY });
      expect(failed(r.report)).toEqual([
        { id: 'oms.key', code: 'OMS_KEY_MISMATCH', subject: expect.stringMatching(/^sha256:/) },
      ]);
    });

    it('rawBytes as DER SPKI (the protobuf-specs meaning) is accepted', async () => {
      const j = bundleJson();
      const { ecSpkiDer } = await import('../../src/index.js');
      j.verificationMaterial.publicKey.rawBytes = toBase64(ecSpkiDer(KEY));
      expect((await verifyOmsSignature(enc(j), { publicKey: KEY })).report.ok).toBe(true);
    });

    it('keyDetails naming another curve fails OMS_KEY_MISMATCH', async () => {
      const j = bundleJson();
      j.verificationMaterial.publicKey.keyDetails = 'PKIX_ECDSA_P256_SHA_256';
      expect(failed((await verifyOmsSignature(enc(j), { publicKey: KEY })).report).map((c) => c.code)).toEqual([
        'OMS_KEY_MISMATCH',
      ]);
    });

    it('garbage rawBytes fails with the key code', async () => {
      const j = bundleJson();
      j.verificationMaterial.publicKey.rawBytes = toBase64(new TextEncoder().encode('not a key'));
      expect(failed((await verifyOmsSignature(enc(j), { publicKey: KEY })).report).map((c) => c.code)).toEqual([
        'KEY_INVALID',
      ]);
    });
  });

  describe('in model_signing 1.1+ shape (hint, tlogEntries [], keyid "")', () => {
    it('verifies with the hint of the key', async () => {
      const r = await verifyOmsSignature(enc(asV11()), { publicKey: KEY });
      expect(failed(r.report)).toEqual([]);
      expect(r.shape).toBe('v1.1');
      expect(r.manifest?.resources).toHaveLength(2);
    });

    it('also accepts the hint of the compressed PEM (older cryptography keeps the point form)', async () => {
      const r = await verifyOmsSignature(enc(asV11(omsKeyHints(KEY)[1])), { publicKey: KEY });
      expect(r.report.ok).toBe(true);
    });

    it('a hint of another key fails OMS_KEY_MISMATCH', async () => {
      const r = await verifyOmsSignature(enc(asV11('00'.repeat(32))), { publicKey: KEY });
      expect(failed(r.report).map((c) => c.code)).toEqual(['OMS_KEY_MISMATCH']);
    });

    it('an empty hint is skipped: the signature decides', async () => {
      const r = await verifyOmsSignature(enc(asV11('')), { publicKey: KEY });
      expect(r.report.ok).toBe(true);
      expect(r.report.checks.find((c) => c.id === 'oms.key')?.status).toBe('skip');
    });
  });

  describe('the signature encoding (what OpenSSL accepts, no more)', () => {
    const withSig = (sig: Uint8Array): Uint8Array => {
      const j = bundleJson();
      j.dsseEnvelope.signatures[0].sig = toBase64(sig);
      return enc(j);
    };
    const orig = fromBase64(bundleJson().dsseEnvelope.signatures[0].sig as string);
    const { r, s } = parseEcdsaSignature(orig, 'P-384');
    const n = ecCurveInfo('P-384').order;

    it('the same signature with S replaced by n - S (high/low S) still verifies', async () => {
      const flipped = derTlv(0x30, derUnsignedInteger(r), derUnsignedInteger(n - s));
      expect((await verifyOmsSignature(withSig(flipped), { publicKey: KEY })).report.ok).toBe(true);
    });

    it('a non-minimal DER encoding of the same r, s fails ECDSA_SIGNATURE_MALFORMED', async () => {
      const rb = derUnsignedInteger(r);
      const padded = derTlv(0x02, Uint8Array.of(0, ...rb.subarray(2)));
      const bad = derTlv(0x30, padded, derUnsignedInteger(s));
      expect(failed((await verifyOmsSignature(withSig(bad), { publicKey: KEY })).report).map((c) => c.code)).toEqual([
        'ECDSA_SIGNATURE_MALFORMED',
      ]);
    });

    it('r or s out of range fails ECDSA_SIGNATURE_MALFORMED', async () => {
      for (const [rv, sv] of [
        [0n, s],
        [r, 0n],
        [n, s],
        [r, n + s],
      ] as const) {
        const bad = derTlv(0x30, derUnsignedInteger(rv), derUnsignedInteger(sv));
        expect(failed((await verifyOmsSignature(withSig(bad), { publicKey: KEY })).report).map((c) => c.code)).toEqual([
          'ECDSA_SIGNATURE_MALFORMED',
        ]);
      }
    });
  });

  describe('the bundle', () => {
    const codesOf = async (j: Json): Promise<string[]> =>
      failed((await verifyOmsSignature(enc(j), { publicKey: KEY })).report).map((c) => c.code);

    it('refuses unknown fields, other media types, certificates, log entries, several signatures', async () => {
      let j = bundleJson();
      j.extra = 1;
      expect(await codesOf(j)).toEqual(['OMS_BUNDLE_INVALID']);
      j = bundleJson();
      j.mediaType = 'application/vnd.dev.sigstore.bundle.v0.2+json';
      expect(await codesOf(j)).toEqual(['OMS_BUNDLE_INVALID']);
      j = bundleJson();
      j.verificationMaterial = { certificate: { rawBytes: 'AAAA' }, tlogEntries: [] };
      expect(await codesOf(j)).toEqual(['OMS_BUNDLE_UNSUPPORTED']);
      j = asV11();
      j.verificationMaterial.tlogEntries = [{ logIndex: '1' }];
      expect(await codesOf(j)).toEqual(['OMS_BUNDLE_UNSUPPORTED']);
      j = bundleJson();
      j.dsseEnvelope.signatures.push(j.dsseEnvelope.signatures[0]);
      expect(await codesOf(j)).toEqual(['SIGSTORE_MULTIPLE_SIGNATURES']);
      j = bundleJson();
      j.dsseEnvelope.signatures[0].keyId = null;
      expect(await codesOf(j)).toEqual(['OMS_BUNDLE_INVALID']);
      j = bundleJson();
      j.dsseEnvelope.payloadType = 'application/json';
      expect(await codesOf(j)).toEqual(['OMS_SIGNATURE_INVALID', 'DSSE_PAYLOAD_TYPE_MISMATCH']);
    });

    it('never passes a bundle with one byte changed (other than whitespace for whitespace)', async () => {
      const ws = new Set([0x20, 0x09, 0x0a, 0x0d]);
      await fc.assert(
        fc.asyncProperty(fc.nat(SIG.length - 1), fc.integer({ min: 1, max: 255 }), async (at, delta) => {
          const bytes = new Uint8Array(SIG);
          bytes[at] = (bytes[at]! + delta) & 0xff;
          fc.pre(!(ws.has(SIG[at]!) && ws.has(bytes[at])));
          const r = await verifyOmsSignature(bytes, { publicKey: KEY });
          expect(r.report.ok).toBe(false);
          expect(r.manifest).toBeUndefined();
          expect(failed(r.report).length).toBeGreaterThan(0);
        }),
        { numRuns: 300 },
      );
    });

    it('refuses publicKey.rawBytes whose PEM text is altered even when it still holds the key (found by the property above)', async () => {
      const text = new TextDecoder().decode(SIG);
      // Base64 of the PEM's last quantum: one more byte after the END line, or an END line changed.
      for (const altered of [text.replace('LS0tLQo="', 'LS0tLQo+"'), text.replace('LS0tLQo="', 'LS0tLRo="')]) {
        expect(altered).not.toBe(text);
        const r = await verifyOmsSignature(new TextEncoder().encode(altered), { publicKey: KEY });
        expect(r.report.ok).toBe(false);
        expect(failed(r.report).map((c) => `${c.id}:${c.code}`)).toEqual(['oms.key:OMS_BUNDLE_INVALID']);
      }
    });

    it('never throws on arbitrary input', async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
          const r = await verifyOmsSignature(bytes, { publicKey: KEY });
          expect(r.report.ok).toBe(false);
        }),
        { numRuns: 100 },
      );
    });
  });

  it('loadEcPublicKey reads the text dump with the PEM block at its end', () => {
    const k: EcPublicKey = loadEcPublicKey(fixturePath('model-signing', 'signing-key-pub.pem'));
    expect(k.point).toEqual(KEY.point);
    expect(
      readFileSync(fixturePath('model-signing', 'signing-key-pub.pem'), 'utf8').startsWith('Public Key Information'),
    ).toBe(true);
  });
});
