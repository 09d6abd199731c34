import { beforeAll, describe, expect, it } from 'vitest';
import { fromBase64, toBase64, utf8 } from '../../src/bytes/index.js';
import { LineproofError } from '../../src/errors.js';
import { parseEnvelope, serializeEnvelope, type Envelope } from '../../src/dsse/envelope.js';
import { pae } from '../../src/dsse/pae.js';
import { addSignature, signEnvelope } from '../../src/dsse/sign.js';
import { verifyEnvelope } from '../../src/dsse/verify.js';
import { ed25519Signer } from '../../src/keys/keys.js';
import type { PrivateKey, SignatureVerifier, Signer } from '../../src/keys/types.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../src/statements/statement.js';
import { statementBytes, testKey } from '../helpers/dsse.js';

let alice: PrivateKey;
let bob: PrivateKey;
let carol: PrivateKey;

beforeAll(async () => {
  [alice, bob, carol] = await Promise.all([testKey(1), testKey(2), testKey(3)]);
});

/** The code of a LineproofError, or the name of any other error; undefined when nothing is thrown. */
async function codeOfAsync(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return e instanceof LineproofError ? e.code : (e as Error).name;
  }
  return undefined;
}

async function errorOf(p: Promise<unknown>): Promise<LineproofError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof LineproofError) return e;
    throw e;
  }
  throw new Error('expected a LineproofError');
}

/** A signer with the key of `key` but a keyid of our choosing. */
function signerWithKeyid(key: PrivateKey, keyid: string): Signer {
  const s = ed25519Signer(key);
  return { publicKey: s.publicKey, keyid, sign: (m) => s.sign(m) };
}

/** Verifies like the default, and records every call. */
function recordingVerifier(calls: string[], answer: boolean): SignatureVerifier {
  return {
    name: 'recording',
    verify: async () => {
      calls.push('verify');
      return answer
        ? { valid: true as const }
        : { valid: false as const, code: 'ED25519_SIGNATURE_INVALID' as const, reason: 'test says no' };
    },
  };
}

const TEXT = utf8('not json at all');

describe('signEnvelope', () => {
  describe('when the arguments are well formed', () => {
    it('signs PAE(payloadType, payload) once per signer, in signer order, with each keyid hint', async () => {
      const env = await signEnvelope(TEXT, 'text/plain', [ed25519Signer(alice), signerWithKeyid(bob, 'bob-hint')]);
      expect(env.payloadType).toBe('text/plain');
      expect(fromBase64(env.payload)).toEqual(TEXT);
      expect(env.signatures.map((s) => s.keyid)).toEqual([ed25519Signer(alice).keyid, 'bob-hint']);
      const message = pae('text/plain', TEXT);
      expect(fromBase64(env.signatures[0]!.sig)).toEqual(await ed25519Signer(alice).sign(message));
      expect(fromBase64(env.signatures[1]!.sig)).toEqual(await ed25519Signer(bob).sign(message));
    });
    it('keeps no keyid for a signer whose keyid is "" (written as "")', async () => {
      const env = await signEnvelope(TEXT, 'text/plain', [signerWithKeyid(alice, '')]);
      expect(env.signatures[0]!.keyid).toBe('');
      expect(parseEnvelope(env).signatures[0]).not.toHaveProperty('keyid');
    });
    it('does not parse a payload that is not in-toto (any bytes sign)', async () => {
      const env = await signEnvelope(new Uint8Array([0xff, 0x00, 0x7b]), 'application/octet-stream', [
        ed25519Signer(alice),
      ]);
      expect(fromBase64(env.payload)).toEqual(new Uint8Array([0xff, 0x00, 0x7b]));
    });
    it('signs with as many distinct signers as the limit allows, and three distinct keys in any order', async () => {
      const env = await signEnvelope(TEXT, 'text/plain', [ed25519Signer(alice), ed25519Signer(bob)], {
        limits: { signaturesPerEnvelope: 2 },
      });
      expect(env.signatures).toHaveLength(2);
      const three = await signEnvelope(TEXT, 'text/plain', [
        ed25519Signer(carol),
        ed25519Signer(alice),
        ed25519Signer(bob),
      ]);
      const r = await verifyEnvelope(three, {
        trustedKeys: [alice.publicKey, bob.publicKey, carol.publicKey],
        threshold: 3,
      });
      expect(r.report.ok).toBe(true);
    });
  });

  describe('when the payload is in-toto', () => {
    it('parses it as a Statement first: STATEMENT_INVALID or JSON_* before any signer is asked', async () => {
      const calls: string[] = [];
      const s = ed25519Signer(alice);
      const watched: Signer = {
        publicKey: s.publicKey,
        keyid: s.keyid,
        sign: async (m) => (calls.push('sign'), s.sign(m)),
      };
      expect(await codeOfAsync(signEnvelope(utf8('{"_type":"nope"}'), IN_TOTO_PAYLOAD_TYPE, [watched]))).toBe(
        'STATEMENT_INVALID',
      );
      expect(await codeOfAsync(signEnvelope(TEXT, IN_TOTO_PAYLOAD_TYPE, [watched]))).toBe('JSON_SYNTAX');
      expect(calls).toEqual([]);
      expect(await codeOfAsync(signEnvelope(statementBytes(), IN_TOTO_PAYLOAD_TYPE, [watched]))).toBeUndefined();
      expect(calls).toEqual(['sign']);
    });
    it('parses it under the limits given (jsonDepth, envelopeBytes)', async () => {
      const deep = statementBytes({ predicate: { a: { b: { c: { d: 1 } } } } });
      expect(await codeOfAsync(signEnvelope(deep, IN_TOTO_PAYLOAD_TYPE, [ed25519Signer(alice)]))).toBeUndefined();
      expect(
        await codeOfAsync(
          signEnvelope(deep, IN_TOTO_PAYLOAD_TYPE, [ed25519Signer(alice)], { limits: { jsonDepth: 3 } }),
        ),
      ).toBe('JSON_TOO_DEEP');
      const big = statementBytes({ predicate: { pad: 'x'.repeat(2000) } });
      const e = await errorOf(
        signEnvelope(big, IN_TOTO_PAYLOAD_TYPE, [ed25519Signer(alice)], { limits: { envelopeBytes: 1024 } }),
      );
      expect([e.code, e.path]).toEqual(['JSON_TOO_LARGE', 'payload']);
    });
  });

  describe('when a signer misbehaves', () => {
    it("refuses a signature that does not verify under the signer's key (SIGNER_FAULT, path names the signer)", async () => {
      const liar: Signer = { publicKey: bob.publicKey.bytes, keyid: 'x', sign: (m) => ed25519Signer(alice).sign(m) };
      const e = await errorOf(signEnvelope(TEXT, 'text/plain', [ed25519Signer(alice), liar]));
      expect([e.code, e.path]).toEqual(['SIGNER_FAULT', 'signers[1]']);
    });
    it('uses the verifier given for sign-then-verify', async () => {
      const calls: string[] = [];
      expect(
        await codeOfAsync(
          signEnvelope(TEXT, 'text/plain', [ed25519Signer(alice)], { verifier: recordingVerifier(calls, false) }),
        ),
      ).toBe('SIGNER_FAULT');
      expect(calls).toEqual(['verify']);
      const liar: Signer = { publicKey: bob.publicKey.bytes, keyid: 'x', sign: (m) => ed25519Signer(alice).sign(m) };
      expect(
        await codeOfAsync(signEnvelope(TEXT, 'text/plain', [liar], { verifier: recordingVerifier(calls, true) })),
      ).toBeUndefined();
    });
    it('throws TypeError when sign() returns something other than bytes', async () => {
      const s = ed25519Signer(alice);
      const bad = {
        publicKey: s.publicKey,
        keyid: 'k',
        sign: async () => Array.from(await s.sign(new Uint8Array())),
      } as unknown as Signer;
      expect(await codeOfAsync(signEnvelope(TEXT, 'text/plain', [bad]))).toBe('TypeError');
    });
  });

  describe('misuse', () => {
    it('throws TypeError for each malformed field of a signer', async () => {
      const s = ed25519Signer(alice);
      const good = { publicKey: s.publicKey, keyid: 'k', sign: (m: Uint8Array) => s.sign(m) };
      const bad: unknown[] = [
        null,
        undefined,
        'signer',
        Object.assign(() => undefined, good), // a function carrying every field is still not a Signer object
        { ...good, sign: 'sign' },
        { ...good, publicKey: Array.from(s.publicKey) },
        { ...good, keyid: undefined },
        { ...good, keyid: 7 },
      ];
      const byBob = await signEnvelope(TEXT, 'text/plain', [ed25519Signer(bob)]);
      for (const b of bad) {
        expect(await codeOfAsync(signEnvelope(TEXT, 'text/plain', [ed25519Signer(bob), b as Signer])), String(b)).toBe(
          'TypeError',
        );
        expect(await codeOfAsync(addSignature(byBob, b as Signer)), String(b)).toBe('TypeError');
        // the arguments are checked first (step 1), before the payload or envelope is read
        expect(
          await codeOfAsync(signEnvelope(utf8('{"_type":"nope"}'), IN_TOTO_PAYLOAD_TYPE, [b as Signer])),
          String(b),
        ).toBe('TypeError');
        expect(await codeOfAsync(addSignature('not an envelope', b as Signer)), String(b)).toBe('TypeError');
      }
      expect(await codeOfAsync(signEnvelope(TEXT, 'text/plain', [good]))).toBeUndefined();
    });
    it('throws RangeError for no signers or a signers value that is not an array', async () => {
      expect(await codeOfAsync(signEnvelope(TEXT, 'text/plain', []))).toBe('RangeError');
      expect(await codeOfAsync(signEnvelope(TEXT, 'text/plain', { length: 1, 0: ed25519Signer(alice) } as never))).toBe(
        'RangeError',
      );
    });
    it('throws RangeError for two signers with one public key, wherever they stand', async () => {
      const other = signerWithKeyid(alice, 'another-hint');
      for (const signers of [
        [ed25519Signer(alice), other],
        [ed25519Signer(alice), ed25519Signer(bob), other],
        [ed25519Signer(bob), ed25519Signer(alice), ed25519Signer(carol), other],
      ]) {
        expect(await codeOfAsync(signEnvelope(TEXT, 'text/plain', signers))).toBe('RangeError');
      }
    });
    it('throws for a non-bytes payload or a non-string payloadType, and refuses a non-ASCII one', async () => {
      expect(await codeOfAsync(signEnvelope('text' as never, 'text/plain', [ed25519Signer(alice)]))).toBe('TypeError');
      expect(await codeOfAsync(signEnvelope(TEXT, 1 as never, [ed25519Signer(alice)]))).toBe('TypeError');
      expect(await codeOfAsync(signEnvelope(TEXT, 'tëxt', [ed25519Signer(alice)]))).toBe('DSSE_PAYLOAD_TYPE_NOT_ASCII');
    });
    it('refuses more signers than the limit (DSSE_TOO_MANY_SIGNATURES) before any signs', async () => {
      const calls: string[] = [];
      const s = ed25519Signer(alice);
      const watched: Signer = {
        publicKey: s.publicKey,
        keyid: s.keyid,
        sign: async (m) => (calls.push('sign'), s.sign(m)),
      };
      const e = await errorOf(
        signEnvelope(TEXT, 'text/plain', [watched, ed25519Signer(bob), ed25519Signer(carol)], {
          limits: { signaturesPerEnvelope: 2 },
        }),
      );
      expect([e.code, e.path, e.expected, e.actual]).toEqual(['DSSE_TOO_MANY_SIGNATURES', 'signers', '<= 2', '3']);
      expect(calls).toEqual([]);
    });
  });
});

describe('addSignature', () => {
  let byAlice: Envelope;
  beforeAll(async () => {
    byAlice = await signEnvelope(TEXT, 'text/plain', [ed25519Signer(alice)]);
  });

  it('appends a signature over the same PAE bytes, keeping the existing ones first', async () => {
    const both = await addSignature(byAlice, signerWithKeyid(bob, 'bob-hint'));
    expect(both.payload).toBe(byAlice.payload);
    expect(both.payloadType).toBe(byAlice.payloadType);
    expect(both.signatures[0]).toEqual(byAlice.signatures[0]);
    expect(both.signatures[1]!.keyid).toBe('bob-hint');
    expect(fromBase64(both.signatures[1]!.sig)).toEqual(await ed25519Signer(bob).sign(pae('text/plain', TEXT)));
  });
  it("returns the envelope unchanged, without signing, when any signature already verifies under the signer's key", async () => {
    const both = await addSignature(byAlice, ed25519Signer(bob));
    const calls: string[] = [];
    const s = ed25519Signer(bob);
    const watched: Signer = {
      publicKey: s.publicKey,
      keyid: 'new-hint',
      sign: async (m) => (calls.push('sign'), s.sign(m)),
    };
    expect(await addSignature(both, watched)).toEqual(both);
    expect(await addSignature(serializeEnvelope(both), watched)).toEqual(both);
    expect(calls).toEqual([]);
  });
  it('adds up to the limit and refuses one more (DSSE_TOO_MANY_SIGNATURES)', async () => {
    const limits = { signaturesPerEnvelope: 2 };
    const both = await addSignature(byAlice, ed25519Signer(bob), { limits });
    expect(both.signatures).toHaveLength(2);
    const e = await errorOf(addSignature(both, ed25519Signer(carol), { limits }));
    expect([e.code, e.path, e.expected, e.actual]).toEqual(['DSSE_TOO_MANY_SIGNATURES', 'signatures', '<= 2', '3']);
    // at the limit, a signer already present is still a no-op, not an error
    expect(await addSignature(both, ed25519Signer(alice), { limits })).toEqual(both);
  });
  it('parses the envelope under the limits given', async () => {
    const three = await signEnvelope(TEXT, 'text/plain', [
      ed25519Signer(alice),
      ed25519Signer(bob),
      ed25519Signer(carol),
    ]);
    // refused as read (3 signatures), not as added to (4)
    const e = await errorOf(
      addSignature(three, ed25519Signer(await testKey(4)), { limits: { signaturesPerEnvelope: 2 } }),
    );
    expect([e.code, e.path, e.actual]).toEqual(['DSSE_TOO_MANY_SIGNATURES', 'signatures', '3']);
    const big = await signEnvelope(utf8('x'.repeat(2000)), 'text/plain', [ed25519Signer(alice)]);
    expect((await addSignature(serializeEnvelope(big), ed25519Signer(bob))).signatures).toHaveLength(2);
    expect(
      await codeOfAsync(addSignature(serializeEnvelope(big), ed25519Signer(bob), { limits: { envelopeBytes: 1024 } })),
    ).toBe('JSON_TOO_LARGE');
  });
  it('refuses to sign an in-toto payload that is not a Statement (STATEMENT_INVALID), under the limits given', async () => {
    const notStatement: Envelope = {
      payloadType: IN_TOTO_PAYLOAD_TYPE,
      payload: toBase64(utf8('{"_type":"nope"}')),
      signatures: [],
    };
    expect(await codeOfAsync(addSignature(notStatement, ed25519Signer(alice)))).toBe('STATEMENT_INVALID');
    const deep = await signEnvelope(
      statementBytes({ predicate: { a: { b: { c: { d: 1 } } } } }),
      IN_TOTO_PAYLOAD_TYPE,
      [ed25519Signer(alice)],
    );
    expect(await codeOfAsync(addSignature(deep, ed25519Signer(bob), { limits: { jsonDepth: 3 } }))).toBe(
      'JSON_TOO_DEEP',
    );
    expect((await addSignature(deep, ed25519Signer(bob))).signatures).toHaveLength(2);
  });
  it('uses the verifier given, both to spot an existing signature and for sign-then-verify', async () => {
    const calls: string[] = [];
    // a verifier that accepts everything sees alice's signature as bob's: nothing is added
    expect(await addSignature(byAlice, ed25519Signer(bob), { verifier: recordingVerifier(calls, true) })).toEqual(
      byAlice,
    );
    expect(calls).toEqual(['verify']);
    // one that rejects everything: bob's new signature fails its own check
    expect(
      await codeOfAsync(addSignature(byAlice, ed25519Signer(bob), { verifier: recordingVerifier([], false) })),
    ).toBe('SIGNER_FAULT');
  });
  it('refuses a signer whose signature does not verify under its own key (SIGNER_FAULT, path "signer")', async () => {
    const liar: Signer = { publicKey: bob.publicKey.bytes, keyid: 'x', sign: (m) => ed25519Signer(carol).sign(m) };
    const e = await errorOf(addSignature(byAlice, liar));
    expect([e.code, e.path]).toEqual(['SIGNER_FAULT', 'signer']);
  });
});
