/**
 * The exact report of verifyEnvelope, field by field (id, code, status, subject, expected, actual,
 * message): an auditor reads these, so each is part of the contract, not decoration. Written
 * against the surviving mutants of the src/dsse mutation run (test/mutation/survivors-*.md),
 * with the decoded-envelope rules of parseEnvelope and verifyEnvelope's option checks.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { fromBase64, utf8 } from '../../src/bytes/index.js';
import { digestText } from '../../src/digest/index.js';
import { parseEnvelope, type DecodedEnvelope, type Envelope } from '../../src/dsse/envelope.js';
import { pae } from '../../src/dsse/pae.js';
import { signEnvelope } from '../../src/dsse/sign.js';
import { verifyEnvelope } from '../../src/dsse/verify.js';
import { sha256Hex } from '../../src/digest/index.js';
import { ed25519Signer } from '../../src/keys/keys.js';
import type { PrivateKey } from '../../src/keys/types.js';
import { trustedKeySet } from '../../src/dsse/signatures.js';
import type { PublicKey } from '../../src/keys/types.js';

const keyLabel = (k: PublicKey) => trustedKeySet([k])[0]!.label;
import { IN_TOTO_PAYLOAD_TYPE } from '../../src/statements/statement.js';
import { statementBytes, testKey } from '../helpers/dsse.js';

let alice: PrivateKey;
let bob: PrivateKey;
let inToto: Envelope;
let plain: Envelope;

beforeAll(async () => {
  [alice, bob] = await Promise.all([testKey(1), testKey(2)]);
  inToto = await signEnvelope(statementBytes(), IN_TOTO_PAYLOAD_TYPE, [ed25519Signer(alice), ed25519Signer(bob)]);
  plain = await signEnvelope(utf8('hello'), 'text/plain', [ed25519Signer(bob)]);
});

const digestOf = (env: Envelope) => `sha256:${sha256Hex(fromBase64(env.payload))}`;

describe('verifyEnvelope report fields', () => {
  it('a pass names every check with its subject, expected and actual', async () => {
    const r = await verifyEnvelope(inToto, {
      trustedKeys: [alice.publicKey, bob.publicKey],
      threshold: 2,
      payloadType: IN_TOTO_PAYLOAD_TYPE,
      what: 'model.intoto.json',
    });
    const d = digestOf(inToto);
    const a = keyLabel(alice.publicKey);
    const b = keyLabel(bob.publicKey);
    expect(r.report.checks).toEqual([
      {
        id: 'dsse.envelope',
        code: 'OK',
        status: 'pass',
        subject: 'model.intoto.json',
        message: `decoded: payloadType "${IN_TOTO_PAYLOAD_TYPE}", ${fromBase64(inToto.payload).length}-byte payload, 2 signature(s)`,
      },
      {
        id: 'dsse.signature',
        code: 'OK',
        status: 'pass',
        subject: 'signatures[0]',
        actual: a,
        message: expect.stringMatching(
          new RegExp(`^verifies under trusted key ${a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
        ),
      },
      {
        id: 'dsse.signature',
        code: 'OK',
        status: 'pass',
        subject: 'signatures[1]',
        actual: b,
        message: expect.stringMatching(/^verifies under trusted key /),
      },
      {
        id: 'dsse.threshold',
        code: 'OK',
        status: 'pass',
        subject: d,
        expected: '>= 2 distinct trusted key(s)',
        actual: `2 (${a}, ${b})`,
        message: '2 distinct trusted key(s) signed; 2 required',
      },
      {
        id: 'dsse.payloadType',
        code: 'OK',
        status: 'pass',
        subject: d,
        expected: IN_TOTO_PAYLOAD_TYPE,
        actual: IN_TOTO_PAYLOAD_TYPE,
        message: `payloadType is "${IN_TOTO_PAYLOAD_TYPE}"`,
      },
      {
        id: 'dsse.statement',
        code: 'OK',
        status: 'pass',
        subject: d,
        message:
          'an in-toto Statement v1 with predicateType "https://lineproof.dev/attestation/test/v0.1" and 1 subject(s)',
      },
    ]);
    expect(r.report.results).toEqual([{ subject: d, ok: true, chain: [] }]);
    expect(r.verifiedKeys.map((k) => k.keyid)).toEqual([alice.publicKey.keyid, bob.publicKey.keyid]);
    expect(r.payloadType).toBe(IN_TOTO_PAYLOAD_TYPE);
  });

  it('a key that signs twice is named as already counted; the threshold says what is missing', async () => {
    const sig = inToto.signatures[0]!;
    const twice = { ...inToto, signatures: [sig, { sig: sig.sig }] };
    const r = await verifyEnvelope(twice, { trustedKeys: [alice.publicKey, bob.publicKey], threshold: 2 });
    const a = keyLabel(alice.publicKey);
    expect(r.report.checks[2]).toMatchObject({
      id: 'dsse.signature',
      status: 'pass',
      subject: 'signatures[1]',
      actual: a,
      message: expect.stringContaining('already counted for signatures[0]; a key counts once'),
    });
    expect(r.report.checks[3]).toEqual({
      id: 'dsse.threshold',
      code: 'DSSE_THRESHOLD_NOT_MET',
      status: 'fail',
      subject: digestOf(inToto),
      expected: '>= 2 distinct trusted key(s)',
      actual: `1 (${a})`,
      message: '1 distinct trusted key(s) signed; 2 required',
    });
    expect(r.verifiedKeys).toHaveLength(1);
    expect(r.payload).toBeUndefined();
    expect(r.statement).toBeUndefined();
  });

  it('no trusted signature, another payloadType, a payload that is not in-toto: each named', async () => {
    const r = await verifyEnvelope(plain, { trustedKeys: [alice.publicKey], payloadType: IN_TOTO_PAYLOAD_TYPE });
    const d = digestOf(plain);
    expect(r.report.checks.slice(1)).toEqual([
      {
        id: 'dsse.signature',
        code: 'DSSE_SIGNATURE_UNVERIFIED',
        status: 'skip',
        subject: 'signatures[0]',
        message: expect.stringMatching(/^not counted: no trusted key verifies it \(tried 1\)/),
      },
      {
        id: 'dsse.threshold',
        code: 'DSSE_NO_TRUSTED_SIGNATURE',
        status: 'fail',
        subject: d,
        expected: '>= 1 distinct trusted key(s)',
        actual: '0',
        message: 'no signature verifies under a trusted key; 1 required',
      },
      {
        id: 'dsse.payloadType',
        code: 'DSSE_PAYLOAD_TYPE_MISMATCH',
        status: 'fail',
        subject: d,
        expected: IN_TOTO_PAYLOAD_TYPE,
        actual: 'text/plain',
        message: `payloadType "text/plain" is not the required "${IN_TOTO_PAYLOAD_TYPE}"`,
      },
      {
        id: 'dsse.statement',
        code: 'OK',
        status: 'skip',
        subject: d,
        actual: 'text/plain',
        message: 'not an in-toto payload; no Statement to validate',
      },
    ]);
    const none = await verifyEnvelope(plain, { trustedKeys: [bob.publicKey] });
    expect(none.report.checks.find((c) => c.id === 'dsse.payloadType')).toEqual({
      id: 'dsse.payloadType',
      code: 'OK',
      status: 'skip',
      subject: d,
      actual: 'text/plain',
      message: 'no payloadType required',
    });
    expect(none.payload).toEqual(utf8('hello'));
    expect(none.statement).toBeUndefined();
  });

  it('an envelope that does not decode: one failed check naming the input, and its result', async () => {
    const r = await verifyEnvelope('{"payloadType":"x"}', { trustedKeys: [alice.publicKey], what: 'in.json' });
    expect(r.report.checks).toEqual([
      expect.objectContaining({ id: 'dsse.envelope', code: 'DSSE_ENVELOPE_INVALID', status: 'fail' }),
    ]);
    expect(r.report.results).toEqual([{ subject: 'in.json', ok: false, chain: [] }]);
    expect(r.report.checks[0]!.message).toMatch(/^in\.json: /);
    const unnamed = await verifyEnvelope('{}', { trustedKeys: [alice.publicKey] });
    expect(unnamed.report.results[0]!.subject).toBe('envelope');
  });

  it('an in-toto payload that is not a Statement fails dsse.statement, naming the field', async () => {
    const bad = await signEnvelope(utf8('{"_type":"x"}'), IN_TOTO_PAYLOAD_TYPE, [ed25519Signer(alice)], {}).catch(
      () => undefined,
    );
    // signing refuses it, so build the envelope by hand: same signature scheme, PAE over the bytes
    expect(bad).toBeUndefined();
    const payload = utf8('{"_type":"x"}');
    const sig = await ed25519Signer(alice).sign(pae(IN_TOTO_PAYLOAD_TYPE, payload));
    const env: DecodedEnvelope = { payloadType: IN_TOTO_PAYLOAD_TYPE, payload, signatures: [{ sig }] };
    const r = await verifyEnvelope(env, { trustedKeys: [alice.publicKey] });
    const st = r.report.checks.find((c) => c.id === 'dsse.statement')!;
    expect(st).toMatchObject({ status: 'fail', subject: '_type' });
    expect(st.code).not.toBe('OK');
    expect(r.report.results[0]!.subject).toBe(digestText({ sha256: sha256Hex(payload) }));
    expect(r.statement).toBeUndefined();
  });
});

describe('verifyEnvelope option checks (misuse throws)', () => {
  it('names each malformed option', async () => {
    const env = inToto;
    const bad: Array<[unknown, RegExp]> = [
      [null, /^"options" expected object/],
      ['x', /^"options" expected object/],
      [{ trustedKeys: 'k' }, /^"options.trustedKeys" expected array/],
      [{ trustedKeys: [alice.publicKey], threshold: 0 }, /^"options.threshold" expected an integer >= 1/],
      [{ trustedKeys: [alice.publicKey], threshold: 1.5 }, /^"options.threshold" expected an integer >= 1/],
      [{ trustedKeys: [alice.publicKey], threshold: 2 }, /only 1 distinct trusted keys/],
      [{ trustedKeys: [alice.publicKey], payloadType: 7 }, /^"options.payloadType" expected an ASCII string/],
      [{ trustedKeys: [alice.publicKey], payloadType: 'é' }, /^"options.payloadType" expected an ASCII string/],
      [{ trustedKeys: [alice.publicKey], verifier: {} }, /^"options.verifier" expected a SignatureVerifier/],
      [{ trustedKeys: [alice.publicKey], verifier: { verify: 1 } }, /^"options.verifier" expected a SignatureVerifier/],
    ];
    for (const [options, message] of bad)
      await expect(verifyEnvelope(env, options as never), JSON.stringify(options)).rejects.toThrow(message);
    // an absent verifier means the default one
    const ok = await verifyEnvelope(env, { trustedKeys: [alice.publicKey], verifier: undefined } as never);
    expect(ok.report.ok).toBe(true);
  });
});

describe('parseEnvelope of an already decoded envelope', () => {
  const base = (): DecodedEnvelope => ({
    payloadType: 'text/plain',
    payload: utf8('hello'),
    signatures: [{ keyid: 'k1', sig: new Uint8Array(64).fill(7) }],
  });
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return `${(e as { code?: string }).code}:${(e as { path?: string }).path}:${(e as Error).message}`;
    }
    return 'no error';
  };

  it('accepts a payload of exactly the envelope limit and refuses one byte more, naming both sizes', () => {
    expect(() =>
      parseEnvelope({ ...base(), payload: new Uint8Array(1024) }, { limits: { envelopeBytes: 1024 } }),
    ).not.toThrow();
    expect(
      code(() => parseEnvelope({ ...base(), payload: new Uint8Array(1025) }, { limits: { envelopeBytes: 1024 } })),
    ).toBe('LIMIT_EXCEEDED:payload:envelope: a 1025-byte payload is more than the envelope limit of 1024 bytes');
    try {
      parseEnvelope({ ...base(), payload: new Uint8Array(1025) }, { limits: { envelopeBytes: 1024 } });
    } catch (e) {
      expect(e).toMatchObject({ expected: '<= 1024', actual: '1025' });
    }
  });

  it('names each malformed signature by its path', () => {
    const sigs = (signatures: unknown) => code(() => parseEnvelope({ ...base(), signatures } as never, { what: 'e' }));
    expect(sigs(undefined)).toBe('DSSE_ENVELOPE_INVALID:signatures:e: signatures: missing');
    expect(sigs({})).toBe('DSSE_ENVELOPE_INVALID:signatures:e: signatures: must be an array');
    expect(sigs([null])).toBe('DSSE_ENVELOPE_INVALID:signatures[0]:e: signatures[0]: must be an object');
    expect(sigs(['x'])).toBe('DSSE_ENVELOPE_INVALID:signatures[0]:e: signatures[0]: must be an object');
    expect(sigs([{}])).toBe('DSSE_ENVELOPE_INVALID:signatures[0].sig:e: signatures[0].sig: missing');
    expect(sigs([{ sig: 'AAAA' }])).toBe('DSSE_ENVELOPE_INVALID:signatures[0].sig:e: signatures[0].sig: must be bytes');
    expect(sigs([{ sig: new Uint8Array(64), keyid: 5 }])).toBe(
      'DSSE_ENVELOPE_INVALID:signatures[0].keyid:e: signatures[0].keyid: must be a string',
    );
  });

  it("keeps a keyid, drops an empty or null one, and copies every signature's bytes", () => {
    const sig = new Uint8Array(64).fill(9);
    const out = parseEnvelope({
      ...base(),
      signatures: [{ keyid: 'k1', sig }, { keyid: '', sig }, { keyid: null, sig } as never, { sig }],
    });
    expect(out.signatures).toEqual([{ keyid: 'k1', sig }, { sig }, { sig }, { sig }]);
    for (const s of out.signatures) expect(s.sig).not.toBe(sig);
    expect(Object.keys(out.signatures[1]!)).toEqual(['sig']);
  });

  it('names a payloadType that is missing, not a string, or not ASCII', () => {
    expect(code(() => parseEnvelope({ ...base(), payloadType: undefined } as never, { what: 'e' }))).toBe(
      'DSSE_ENVELOPE_INVALID:payloadType:e: payloadType: missing',
    );
    expect(code(() => parseEnvelope({ ...base(), payloadType: 1 } as never, { what: 'e' }))).toBe(
      'DSSE_ENVELOPE_INVALID:payloadType:e: payloadType: must be a string',
    );
    expect(code(() => parseEnvelope({ ...base(), payloadType: 'é' }, { what: 'e' }))).toMatch(
      /^DSSE_PAYLOAD_TYPE_NOT_ASCII:payloadType:e: /,
    );
  });
});

describe('misuse of sign and pae names the argument', () => {
  it('names payload, signer and what a signer returned', async () => {
    const { addSignature } = await import('../../src/dsse/sign.js');
    expect(() => pae('text/plain', 'x' as never)).toThrow(/"payload"/);
    await expect(signEnvelope('x' as never, 'text/plain', [ed25519Signer(alice)])).rejects.toThrow(/"payload"/);
    await expect(addSignature(plain, {} as never)).rejects.toThrow(/^"signer" expected a Signer/);
    const liar = { ...ed25519Signer(alice), sign: () => Promise.resolve('not bytes') };
    await expect(signEnvelope(utf8('x'), 'text/plain', [liar as never])).rejects.toThrow(
      /^signers\[0\]\.sign\(\) expected to return Uint8Array, got string/,
    );
    // an in-toto payload is parsed as JSON before signing, and its errors name the payload
    await expect(signEnvelope(utf8('{'), IN_TOTO_PAYLOAD_TYPE, [ed25519Signer(alice)])).rejects.toThrow(/^payload: /);
  });
});
