import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromBase64, toBase64, utf8 } from '../../src/bytes/index.js';
import { isLineproofError } from '../../src/errors.js';
import { serializeEnvelope, type Envelope } from '../../src/dsse/envelope.js';
import { pae } from '../../src/dsse/pae.js';
import { signEnvelope } from '../../src/dsse/sign.js';
import { verifyEnvelope, type VerifyEnvelopeOptions } from '../../src/dsse/verify.js';
import { ed25519Signer, withKeyidFormat } from '../../src/keys/keys.js';
import type { PrivateKey, SignatureVerifier, Signer } from '../../src/keys/types.js';
import { nodeEd25519Verifier } from '../../src/node/ed25519.js';
import { reportSchema, type Report } from '../../src/report/index.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../src/statements/statement.js';
import { signWithNonce, statementBytes, testKey } from '../helpers/dsse.js';
import { TRAP_PUBLIC_KEY, TRAP_SIGNATURE } from '../helpers/ed25519-vectors.js';

let alice: PrivateKey;
let bob: PrivateKey;
let carol: PrivateKey;
let signed: Envelope;

beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([testKey(1), testKey(2), testKey(3)]);
  signed = await signEnvelope(statementBytes(), IN_TOTO_PAYLOAD_TYPE, [ed25519Signer(alice)]);
});

const failed = (r: Report) => r.checks.filter((c) => c.status === 'fail').map((c) => `${c.id}:${c.code}`);
const sigChecks = (r: Report) => r.checks.filter((c) => c.id === 'dsse.signature').map((c) => `${c.status}:${c.code}`);
const ids = (r: Report) => r.checks.map((c) => c.id);

async function verify(input: unknown, options: Partial<VerifyEnvelopeOptions> = {}) {
  const result = await verifyEnvelope(input as Envelope, { trustedKeys: [alice.publicKey], ...options });
  expect(reportSchema.safeParse(result.report).success).toBe(true);
  return result;
}

function withSigs(env: Envelope, sigs: Array<{ keyid?: string; sig: string }>): Envelope {
  return { ...env, signatures: sigs };
}

describe('verifyEnvelope', () => {
  describe('when the envelope is signed by a trusted key', () => {
    it('verifies, in decisions §6 order, and returns payload, statement and the verified key', async () => {
      const r = await verify(serializeEnvelope(signed), { payloadType: IN_TOTO_PAYLOAD_TYPE });
      expect(r.report.ok).toBe(true);
      expect(r.report.kind).toBe('dsse');
      expect(ids(r.report)).toEqual([
        'dsse.envelope',
        'dsse.signature',
        'dsse.threshold',
        'dsse.payloadType',
        'dsse.statement',
      ]);
      expect(r.report.checks.every((c) => c.status === 'pass')).toBe(true);
      expect(r.payload).toEqual(statementBytes());
      expect(r.payloadType).toBe(IN_TOTO_PAYLOAD_TYPE);
      expect(r.statement?.predicateType).toBe('https://lineproof.dev/attestation/test/v0.1');
      expect(r.verifiedKeys).toEqual([alice.publicKey]);
      expect(r.report.results[0]!.subject).toMatch(/^sha256:[0-9a-f]{64}$/);
    });
    it('accepts the envelope as bytes, text, parsed JSON or wire object', async () => {
      const text = serializeEnvelope(signed);
      for (const input of [utf8(text), text, JSON.parse(text) as unknown, signed])
        expect((await verify(input)).report.ok).toBe(true);
    });
    it('gives the same report with the node:crypto verifier', async () => {
      const a = await verify(signed);
      const b = await verify(signed, { verifier: nodeEd25519Verifier });
      expect(b.report).toEqual(a.report);
    });
    it('lists a payloadType and statement check as skipped when not applicable', async () => {
      const e = await signEnvelope(utf8('hello'), 'text/plain', [ed25519Signer(alice)]);
      const r = await verify(e);
      expect(r.report.ok).toBe(true);
      expect(r.report.checks.filter((c) => c.status === 'skip').map((c) => c.id)).toEqual([
        'dsse.payloadType',
        'dsse.statement',
      ]);
      expect(r.statement).toBeUndefined();
    });
  });

  describe('adversarial envelopes', () => {
    it('wrong key: no trusted signature', async () => {
      const r = await verify(signed, { trustedKeys: [bob.publicKey] });
      expect(r.report.ok).toBe(false);
      expect(failed(r.report)).toEqual(['dsse.threshold:DSSE_NO_TRUSTED_SIGNATURE']);
      expect(sigChecks(r.report)).toEqual(['skip:DSSE_SIGNATURE_UNVERIFIED']);
      expect(r.payload).toBeUndefined();
      expect(r.payloadType).toBeUndefined();
      expect(r.statement).toBeUndefined();
      expect(r.verifiedKeys).toEqual([]);
      expect(Object.keys(r).sort()).toEqual(['report', 'verifiedKeys']);
    });
    it('duplicate signatures count once: threshold 2 is not met', async () => {
      const s = signed.signatures[0]!;
      const r = await verify(withSigs(signed, [s, s, s]), {
        trustedKeys: [alice.publicKey, bob.publicKey],
        threshold: 2,
      });
      expect(failed(r.report)).toEqual(['dsse.threshold:DSSE_THRESHOLD_NOT_MET']);
      expect(sigChecks(r.report)).toEqual(['pass:OK', 'pass:OK', 'pass:OK']);
      expect(r.report.checks.find((c) => c.id === 'dsse.threshold')!.actual).toMatch(/^1 /);
      expect(r.verifiedKeys.length).toBe(1);
    });
    it('one key signing many times (distinct valid signatures) never meets threshold 2 (property)', async () => {
      const message = pae(signed.payloadType, fromBase64(signed.payload));
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.bigInt({ min: 1n, max: 2n ** 250n }), { minLength: 2, maxLength: 16 }),
          fc.boolean(),
          async (nonces, hinted) => {
            const sigs = await Promise.all(nonces.map((n) => signWithNonce(alice, message, n)));
            const env = withSigs(
              signed,
              sigs.map((s, i) => ({
                keyid: hinted && i % 2 ? bob.publicKey.keyid : alice.publicKey.keyid,
                sig: toBase64(s),
              })),
            );
            const r = await verify(env, {
              trustedKeys: [alice.publicKey, bob.publicKey, carol.publicKey],
              threshold: 2,
            });
            expect(r.report.ok).toBe(false);
            expect(failed(r.report)).toEqual(['dsse.threshold:DSSE_THRESHOLD_NOT_MET']);
            expect(r.verifiedKeys).toEqual([alice.publicKey]);
            // yet each of those signatures is individually valid
            expect(sigChecks(r.report).every((c) => c === 'pass:OK')).toBe(true);
          },
        ),
        { numRuns: 15 },
      );
    });
    it('two distinct keys meet threshold 2; order and keyid hints do not matter', async () => {
      const both = await signEnvelope(statementBytes(), IN_TOTO_PAYLOAD_TYPE, [
        ed25519Signer(bob),
        ed25519Signer(alice),
      ]);
      const r = await verify(both, { trustedKeys: [alice.publicKey, bob.publicKey], threshold: 2 });
      expect(r.report.ok).toBe(true);
      expect(r.verifiedKeys).toEqual([bob.publicKey, alice.publicKey]);
      const swapped = withSigs(both, [
        { keyid: alice.publicKey.keyid, sig: both.signatures[0]!.sig },
        { keyid: bob.publicKey.keyid, sig: both.signatures[1]!.sig },
      ]);
      expect((await verify(swapped, { trustedKeys: [bob.publicKey, alice.publicKey], threshold: 2 })).report.ok).toBe(
        true,
      );
    });
    it('a keyid pointing at another trusted key is ignored: the signature is tried against every key', async () => {
      const lying = withSigs(signed, [{ keyid: bob.publicKey.keyid, sig: signed.signatures[0]!.sig }]);
      const r = await verify(lying, { trustedKeys: [bob.publicKey, alice.publicKey] });
      expect(r.report.ok).toBe(true);
      expect(r.verifiedKeys).toEqual([alice.publicKey]);
      expect(r.report.checks.find((c) => c.id === 'dsse.signature')!.message).toMatch(/hint names another trusted key/);
      // and it cannot make bob's key count when only bob is trusted
      const r2 = await verify(lying, { trustedKeys: [bob.publicKey] });
      expect(failed(r2.report)).toEqual(['dsse.threshold:DSSE_NO_TRUSTED_SIGNATURE']);
    });
    it('signatures with no keyid, or modern keyids, verify the same', async () => {
      for (const keyid of [undefined, '', withKeyidFormat(alice.publicKey, 'modern').keyid, 'garbage']) {
        const s = keyid === undefined ? { sig: signed.signatures[0]!.sig } : { keyid, sig: signed.signatures[0]!.sig };
        expect((await verify(withSigs(signed, [s]))).report.ok).toBe(true);
      }
    });
    it('an untrusted extra signature is listed and skipped, not a failure', async () => {
      const both = await signEnvelope(statementBytes(), IN_TOTO_PAYLOAD_TYPE, [
        ed25519Signer(alice),
        ed25519Signer(carol),
      ]);
      const r = await verify(both);
      expect(r.report.ok).toBe(true);
      expect(sigChecks(r.report)).toEqual(['pass:OK', 'skip:DSSE_SIGNATURE_UNVERIFIED']);
    });
    it('the small-order trap signature is named by its code, and a trusted small-order key is refused up front', async () => {
      const trap = withSigs(signed, [{ sig: toBase64(TRAP_SIGNATURE) }]);
      const r = await verify(trap);
      expect(sigChecks(r.report)).toEqual(['skip:ED25519_SMALL_ORDER']);
      await expect(verifyEnvelope(trap, { trustedKeys: [TRAP_PUBLIC_KEY] })).rejects.toSatisfy((e) =>
        isLineproofError(e, 'ED25519_SMALL_ORDER'),
      );
      await expect(
        verifyEnvelope(trap, { trustedKeys: [{ type: 'ed25519', bytes: TRAP_PUBLIC_KEY, keyid: '' }] }),
      ).rejects.toSatisfy((e) => isLineproofError(e, 'ED25519_SMALL_ORDER'));
    });
    it('a wrong-length signature is named ED25519_SIGNATURE_MALFORMED', async () => {
      const r = await verify(withSigs(signed, [{ sig: toBase64(new Uint8Array(63)) }]));
      expect(sigChecks(r.report)).toEqual(['skip:ED25519_SIGNATURE_MALFORMED']);
    });
    it('no signatures at all: no trusted signature', async () => {
      expect(failed((await verify(withSigs(signed, []))).report)).toEqual(['dsse.threshold:DSSE_NO_TRUSTED_SIGNATURE']);
    });
    it('17 signatures fail to decode (DSSE_TOO_MANY_SIGNATURES) and nothing else runs', async () => {
      const r = await verify(
        withSigs(
          signed,
          Array.from({ length: 17 }, () => signed.signatures[0]!),
        ),
      );
      expect(failed(r.report)).toEqual(['dsse.envelope:DSSE_TOO_MANY_SIGNATURES']);
      expect(ids(r.report)).toEqual(['dsse.envelope']);
    });
    it('bad base64 in each field and duplicate JSON keys fail to decode with code and path', async () => {
      const text = serializeEnvelope(signed);
      const cases: Array<[string, string, string]> = [
        [text.replace(/"payload":"[^"]*"/, '"payload":"e30"'), 'BASE64_BAD_PADDING', 'payload'],
        [
          text.replace(/"sig":"([^"]*)"/, '"sig":"$1$1"').replace(/"sig":"([^"]*)==([^"]*)"/, '"sig":"$1$2"'),
          'BASE64_BAD_PADDING',
          'signatures[0].sig',
        ],
        [text.replace(/"sig":"/, '"sig":"*'), 'BASE64_INVALID_CHAR', 'signatures[0].sig'],
        [text.replace(/"payloadType":/, '"payloadType":"x","payloadType":'), 'JSON_DUPLICATE_KEY', 'payloadType'],
        [text.replace(/"keyid":/, '"sig":"AA==","keyid":'), 'JSON_DUPLICATE_KEY', 'signatures[0].sig'],
      ];
      for (const [input, code, path] of cases) {
        const r = await verify(input);
        expect(r.report.checks, input.slice(0, 60)).toEqual([
          expect.objectContaining({ id: 'dsse.envelope', status: 'fail', code, subject: path }),
        ]);
      }
    });
    it('a non-ASCII payloadType fails to decode; signing refuses it too', async () => {
      const r = await verify({ ...signed, payloadType: 'application/vnd.in-toto+jsön' });
      expect(failed(r.report)).toEqual(['dsse.envelope:DSSE_PAYLOAD_TYPE_NOT_ASCII']);
      await expect(signEnvelope(utf8('x'), 'tëxt', [ed25519Signer(alice)])).rejects.toSatisfy((e) =>
        isLineproofError(e, 'DSSE_PAYLOAD_TYPE_NOT_ASCII'),
      );
    });
    it('a payloadType other than the required one fails (DSSE_PAYLOAD_TYPE_MISMATCH), after the signature checks', async () => {
      const e = await signEnvelope(utf8('hello'), 'text/plain', [ed25519Signer(alice)]);
      const r = await verify(e, { payloadType: IN_TOTO_PAYLOAD_TYPE });
      expect(failed(r.report)).toEqual(['dsse.payloadType:DSSE_PAYLOAD_TYPE_MISMATCH']);
      expect(ids(r.report)).toEqual([
        'dsse.envelope',
        'dsse.signature',
        'dsse.threshold',
        'dsse.payloadType',
        'dsse.statement',
      ]);
    });
    it('an in-toto payload that is not a strict Statement fails verification even when signed', async () => {
      // signed through a custom path: signEnvelope itself refuses invalid statements
      const bad: Array<[string, string]> = [
        ['{"_type":"https://in-toto.io/Statement/v1","subject":[],"predicateType":"x"}', 'STATEMENT_INVALID'],
        ['{"_type":"https://in-toto.io/Statement/v1","_type":"x"}', 'JSON_DUPLICATE_KEY'],
        ['not json', 'JSON_SYNTAX'],
        ['['.repeat(100) + ']'.repeat(100), 'JSON_TOO_DEEP'],
      ];
      for (const [payload, code] of bad) {
        const bytes = utf8(payload);
        await expect(signEnvelope(bytes, IN_TOTO_PAYLOAD_TYPE, [ed25519Signer(alice)])).rejects.toSatisfy((e) =>
          isLineproofError(e, code as never),
        );
        const sig = await ed25519Signer(alice).sign(pae(IN_TOTO_PAYLOAD_TYPE, bytes));
        const env: Envelope = {
          payloadType: IN_TOTO_PAYLOAD_TYPE,
          payload: toBase64(bytes),
          signatures: [{ sig: toBase64(sig) }],
        };
        const r = await verify(env);
        expect(failed(r.report), payload.slice(0, 30)).toEqual([`dsse.statement:${code}`]);
        expect(sigChecks(r.report)).toEqual(['pass:OK']);
        expect(r.payload).toBeUndefined();
      }
    });
  });

  describe('tampering (Done-when: any single-byte change fails with a code)', () => {
    it('any single-byte change to the payload fails with DSSE_NO_TRUSTED_SIGNATURE (property)', async () => {
      const payload = fromBase64(signed.payload);
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: payload.length - 1 }), fc.integer({ min: 1, max: 255 }), async (pos, delta) => {
          const p = Uint8Array.from(payload);
          p[pos] = (p[pos]! + delta) & 255;
          const r = await verify({ ...signed, payload: toBase64(p) });
          expect(r.report.ok).toBe(false);
          expect(failed(r.report)).toContain('dsse.threshold:DSSE_NO_TRUSTED_SIGNATURE');
          expect(sigChecks(r.report)).toEqual(['skip:DSSE_SIGNATURE_UNVERIFIED']);
        }),
        { numRuns: 60 },
      );
    });
    it('any single-character change to the payloadType fails with DSSE_NO_TRUSTED_SIGNATURE or DSSE_PAYLOAD_TYPE_NOT_ASCII (property)', async () => {
      const type = signed.payloadType;
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: type.length - 1 }), fc.integer({ min: 0, max: 0x2ffff }), async (pos, cp) => {
          const used = cp >= 0xd800 && cp <= 0xdfff ? 0x41 : cp; // lone surrogates cannot be sent as text
          const ch = String.fromCodePoint(used);
          fc.pre(ch !== type[pos]);
          const t = type.slice(0, pos) + ch + type.slice(pos + 1);
          const r = await verify({ ...signed, payloadType: t });
          expect(r.report.ok).toBe(false);
          const f = failed(r.report);
          if (used < 0x80) expect(f).toContain('dsse.threshold:DSSE_NO_TRUSTED_SIGNATURE');
          else expect(f).toEqual(['dsse.envelope:DSSE_PAYLOAD_TYPE_NOT_ASCII']);
        }),
        { numRuns: 60 },
      );
    });
    it('any single-byte change to the signature fails with DSSE_NO_TRUSTED_SIGNATURE, naming why (property)', async () => {
      const sig = fromBase64(signed.signatures[0]!.sig);
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: 63 }), fc.integer({ min: 1, max: 255 }), async (pos, delta) => {
          const s = Uint8Array.from(sig);
          s[pos] = (s[pos]! + delta) & 255;
          const r = await verify(withSigs(signed, [{ keyid: alice.publicKey.keyid, sig: toBase64(s) }]));
          expect(failed(r.report)).toEqual(['dsse.threshold:DSSE_NO_TRUSTED_SIGNATURE']);
          expect(['skip:DSSE_SIGNATURE_UNVERIFIED', 'skip:ED25519_NONCANONICAL', 'skip:ED25519_SMALL_ORDER']).toContain(
            sigChecks(r.report)[0],
          );
        }),
        { numRuns: 80 },
      );
    });
  });

  describe('never throws on untrusted input', () => {
    it('for arbitrary text, bytes and JSON values (property)', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.string(),
            fc.uint8Array({ maxLength: 200 }),
            fc.jsonValue(),
            fc.record({
              payloadType: fc.string(),
              payload: fc.string(),
              signatures: fc.array(fc.record({ sig: fc.string(), keyid: fc.oneof(fc.string(), fc.constant(null)) }), {
                maxLength: 3,
              }),
            }),
          ),
          async (input) => {
            const r = await verifyEnvelope(input as never, { trustedKeys: [alice.publicKey] });
            expect(r.report.ok).toBe(false);
            expect(r.report.checks.some((c) => c.status === 'fail')).toBe(true);
          },
        ),
        { numRuns: 200 },
      );
    });
    it('a verifier that throws becomes an INTERNAL outcome for that signature, not an exception', async () => {
      const broken: SignatureVerifier = { name: 'broken', verify: () => Promise.reject(new Error('boom')) };
      const r = await verify(signed, { verifier: broken });
      expect(sigChecks(r.report)).toEqual(['skip:INTERNAL']);
      expect(r.report.ok).toBe(false);
    });
  });

  describe('pluggable verifier', () => {
    it('every signature is tried against every trusted key until one verifies (the keyid hint only orders the tries)', async () => {
      const calls: string[] = [];
      const spy: SignatureVerifier = {
        name: 'spy',
        async verify(sig, msg, pub) {
          calls.push(pub === alice.publicKey.bytes ? 'alice' : pub === bob.publicKey.bytes ? 'bob' : 'carol');
          return nodeEd25519Verifier.verify(sig, msg, pub);
        },
      };
      // The hint names alice: she is tried first (the hint orders, it saves tries).
      const r = await verify(signed, { verifier: spy, trustedKeys: [bob.publicKey, carol.publicKey, alice.publicKey] });
      expect(r.report.ok).toBe(true);
      expect(calls).toEqual(['alice']);
      // A hint naming another key (bob) never picks: every key is tried and alice's signature still counts.
      calls.length = 0;
      const lying = withSigs(signed, [{ keyid: bob.publicKey.keyid, sig: signed.signatures[0]!.sig }]);
      const r2 = await verify(lying, { verifier: spy, trustedKeys: [carol.publicKey, bob.publicKey, alice.publicKey] });
      expect(r2.report.ok).toBe(true);
      expect(calls).toEqual(['bob', 'carol', 'alice']);
      // No hint: tried in the given order.
      calls.length = 0;
      const none = withSigs(signed, [{ sig: signed.signatures[0]!.sig }]);
      expect(
        (await verify(none, { verifier: spy, trustedKeys: [bob.publicKey, carol.publicKey, alice.publicKey] })).report
          .ok,
      ).toBe(true);
      expect(calls).toEqual(['bob', 'carol', 'alice']);
    });
  });

  describe('misuse', () => {
    it('throws RangeError for an impossible threshold (after deduplicating trusted keys) or a threshold below 1', async () => {
      await expect(verifyEnvelope(signed, { trustedKeys: [alice.publicKey], threshold: 2 })).rejects.toThrow(
        RangeError,
      );
      await expect(
        verifyEnvelope(signed, {
          trustedKeys: [alice.publicKey, alice.publicKey, withKeyidFormat(alice.publicKey, 'modern')],
          threshold: 2,
        }),
      ).rejects.toThrow(RangeError);
      await expect(verifyEnvelope(signed, { trustedKeys: [alice.publicKey], threshold: 0 })).rejects.toThrow(
        RangeError,
      );
      await expect(verifyEnvelope(signed, { trustedKeys: [alice.publicKey], threshold: 1.5 })).rejects.toThrow(
        RangeError,
      );
      await expect(verifyEnvelope(signed, { trustedKeys: [] })).rejects.toThrow(RangeError);
    });
    it('throws TypeError for malformed options', async () => {
      await expect(verifyEnvelope(signed, {} as never)).rejects.toThrow(TypeError);
      await expect(verifyEnvelope(signed, { trustedKeys: ['x' as never] })).rejects.toThrow(TypeError);
      await expect(verifyEnvelope(signed, { trustedKeys: [alice.publicKey], payloadType: 'ü' })).rejects.toThrow(
        TypeError,
      );
    });
    it('accepts raw public key bytes as trusted keys', async () => {
      expect((await verify(signed, { trustedKeys: [alice.publicKey.bytes] })).report.ok).toBe(true);
    });
  });
});

describe('signEnvelope', () => {
  it('refuses a signer whose signature does not verify (SIGNER_FAULT), duplicate keys, no signers, and 17 signers', async () => {
    const liar: Signer = { publicKey: bob.publicKey.bytes, keyid: 'x', sign: (m) => ed25519Signer(alice).sign(m) };
    await expect(signEnvelope(utf8('x'), 't', [liar])).rejects.toSatisfy((e) => isLineproofError(e, 'SIGNER_FAULT'));
    await expect(signEnvelope(utf8('x'), 't', [ed25519Signer(alice), ed25519Signer(alice)])).rejects.toThrow(
      RangeError,
    );
    await expect(signEnvelope(utf8('x'), 't', [])).rejects.toThrow(RangeError);
    await expect(signEnvelope(utf8('x'), 't', [{} as never])).rejects.toThrow(TypeError);
    const keys = await Promise.all(Array.from({ length: 17 }, (_, i) => testKey(10 + i)));
    await expect(signEnvelope(utf8('x'), 't', keys.map(ed25519Signer))).rejects.toSatisfy((e) =>
      isLineproofError(e, 'DSSE_TOO_MANY_SIGNATURES'),
    );
    const env = await signEnvelope(utf8('x'), 't', keys.slice(0, 16).map(ed25519Signer));
    const r = await verifyEnvelope(env, { trustedKeys: keys.map((k) => k.publicKey), threshold: 16 });
    expect(r.report.ok).toBe(true);
  });
  it('writes keyid "" for a signer with keyid format none', async () => {
    const e = await signEnvelope(utf8('x'), 't', [ed25519Signer(withKeyidFormat(alice, 'none'))]);
    expect(e.signatures[0]!.keyid).toBe('');
    expect(serializeEnvelope(e)).toContain('"keyid":""');
  });
});

describe('verifyEnvelope of an already decoded envelope (no re-encoding, the same limits)', () => {
  const decoded = (env: Envelope) => ({
    payloadType: env.payloadType,
    payload: fromBase64(env.payload),
    signatures: env.signatures.map((s) => ({ ...(s.keyid ? { keyid: s.keyid } : {}), sig: fromBase64(s.sig) })),
  });

  it('verifies exactly as its wire form does', async () => {
    const wire = await verify(signed);
    const dec = await verify(decoded(signed));
    expect(dec.report.ok).toBe(true);
    expect(dec.report.checks.map((c) => [c.id, c.status, c.code])).toEqual(
      wire.report.checks.map((c) => [c.id, c.status, c.code]),
    );
    expect(dec.payload).toEqual(wire.payload);
  });

  it('holds the signature-count limit (no raised limit on this path), failing closed without throwing', async () => {
    const one = decoded(signed).signatures[0]!;
    const many = { ...decoded(signed), signatures: Array.from({ length: 17 }, () => ({ ...one })) };
    const r = await verify(many);
    expect(r.report.ok).toBe(false);
    expect(failed(r.report)).toEqual(['dsse.envelope:DSSE_TOO_MANY_SIGNATURES']);
    const limited = await verify(decoded(signed), { limits: { signaturesPerEnvelope: 1 } });
    expect(limited.report.ok).toBe(true);
  });

  it('refuses a non-ASCII payloadType, a signature that is not bytes, an oversized payload', async () => {
    const d = decoded(signed);
    expect(failed((await verify({ ...d, payloadType: 'application/vnd.in-toto+json\u00e9' })).report)).toEqual([
      'dsse.envelope:DSSE_PAYLOAD_TYPE_NOT_ASCII',
    ]);
    expect(failed((await verify({ ...d, signatures: [{ sig: 'AAAA' }] })).report)).toEqual([
      'dsse.envelope:DSSE_ENVELOPE_INVALID',
    ]);
    expect(failed((await verify({ ...d, signatures: 'x' })).report)).toEqual(['dsse.envelope:DSSE_ENVELOPE_INVALID']);
    const big = await verify({ ...d, payload: new Uint8Array(1025) }, { limits: { envelopeBytes: 1024 } });
    expect(failed(big.report)).toEqual(['dsse.envelope:LIMIT_EXCEEDED']);
  });

  it('checks a copy: changing the caller arrays afterwards changes nothing verified', async () => {
    const d = decoded(signed);
    const pending = verifyEnvelope(d, { trustedKeys: [alice.publicKey] });
    d.payload.fill(0);
    d.signatures[0]!.sig.fill(0);
    const r = await pending;
    expect(r.report.ok).toBe(true);
    expect(r.payload).toEqual(fromBase64(signed.payload));
  });
});
