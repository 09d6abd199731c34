import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64, toHex, utf8 } from '../../src/bytes/index.js';
import { isLineproofError, type ErrorCode } from '../../src/errors.js';
import { encodeEnvelope, mergeEnvelopes, parseEnvelope, serializeEnvelope } from '../../src/dsse/envelope.js';
import { addSignature, signEnvelope } from '../../src/dsse/sign.js';
import { ed25519Signer } from '../../src/keys/keys.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../src/statements/statement.js';
import { statementBytes, testKey } from '../helpers/dsse.js';

function caught(fn: () => unknown): { code: ErrorCode | string; path?: string | undefined } {
  try {
    fn();
  } catch (e) {
    return isLineproofError(e) ? { code: e.code, path: e.path } : { code: (e as Error).name };
  }
  return { code: 'no error' };
}

/** Code, path, expected and actual of the LineproofError `fn` throws (the fields a report shows). */
function fields(fn: () => unknown): {
  code: ErrorCode | string;
  path?: string | undefined;
  expected?: string | undefined;
  actual?: string | undefined;
} {
  try {
    fn();
  } catch (e) {
    return isLineproofError(e)
      ? { code: e.code, path: e.path, expected: e.expected, actual: e.actual }
      : { code: (e as Error).name };
  }
  return { code: 'no error' };
}

const SIG = toBase64(new Uint8Array(64).fill(7));
const PAYLOAD = toBase64(utf8('hello'));
const env = (o: Record<string, unknown> = {}) =>
  JSON.stringify({ payloadType: 'text/plain', payload: PAYLOAD, signatures: [{ keyid: 'k', sig: SIG }], ...o });

describe('DSSE envelopes', () => {
  describe('parsing', () => {
    it('decodes payload and signatures', () => {
      const e = parseEnvelope(env());
      expect(e.payloadType).toBe('text/plain');
      expect(e.payload).toEqual(utf8('hello'));
      expect(e.signatures).toEqual([{ keyid: 'k', sig: new Uint8Array(64).fill(7) }]);
    });
    it('accepts bytes, text, a parsed value, and URL-safe base64', () => {
      const urlSafe = toBase64(new Uint8Array([0xfb, 0xff, 0xfe]))
        .replace(/\+/g, '-')
        .replace(/\//g, '_');
      expect(urlSafe).toMatch(/[-_]/);
      for (const input of [utf8(env()), env(), JSON.parse(env()) as object])
        expect(parseEnvelope(input as never).payload).toEqual(utf8('hello'));
      expect(parseEnvelope(env({ payload: urlSafe })).payload).toEqual(new Uint8Array([0xfb, 0xff, 0xfe]));
    });
    it('ignores unknown fields at the top and in signatures; null or empty keyid means none', () => {
      const e = parseEnvelope(
        JSON.stringify({
          payloadType: 't',
          payload: PAYLOAD,
          signatures: [
            { sig: SIG, keyid: null, extra: 1 },
            { sig: SIG, keyid: '' },
          ],
          future: { x: 1 },
        }),
      );
      expect(e.signatures).toEqual([{ sig: new Uint8Array(64).fill(7) }, { sig: new Uint8Array(64).fill(7) }]);
    });
    it('refuses bad base64 in each field with its code and field path', () => {
      const cases: Array<[string, string, string]> = [
        [env({ payload: 'aGVsbG8' }), 'BASE64_BAD_PADDING', 'payload'],
        [env({ payload: 'aGVs bG8=' }), 'BASE64_INVALID_CHAR', 'payload'],
        [env({ payload: 'aGVsbG9=' }), 'BASE64_NONCANONICAL', 'payload'],
        [env({ signatures: [{ sig: SIG }, { sig: 'AA*A' }] }), 'BASE64_INVALID_CHAR', 'signatures[1].sig'],
        [env({ signatures: [{ sig: 'A+_A' }] }), 'BASE64_MIXED_ALPHABET', 'signatures[0].sig'],
        [env({ signatures: [{ sig: `${SIG}\n` }] }), 'BASE64_INVALID_CHAR', 'signatures[0].sig'],
      ];
      for (const [text, code, path] of cases)
        expect(
          caught(() => parseEnvelope(text)),
          text.slice(0, 80),
        ).toEqual({ code, path });
    });
    it('refuses a wrong shape with DSSE_ENVELOPE_INVALID and the field path', () => {
      const cases: Array<[unknown, string]> = [
        [[], 'envelope'],
        [{ payload: PAYLOAD, signatures: [] }, 'payloadType'],
        [{ payloadType: 1, payload: PAYLOAD, signatures: [] }, 'payloadType'],
        [{ payloadType: 't', signatures: [] }, 'payload'],
        [{ payloadType: 't', payload: PAYLOAD }, 'signatures'],
        [{ payloadType: 't', payload: PAYLOAD, signatures: {} }, 'signatures'],
        [{ payloadType: 't', payload: PAYLOAD, signatures: ['x'] }, 'signatures[0]'],
        [{ payloadType: 't', payload: PAYLOAD, signatures: [{ keyid: 'k' }] }, 'signatures[0].sig'],
        [{ payloadType: 't', payload: PAYLOAD, signatures: [{ sig: SIG, keyid: 5 }] }, 'signatures[0].keyid'],
      ];
      for (const [value, path] of cases)
        expect(
          caught(() => parseEnvelope(JSON.stringify(value))),
          JSON.stringify(value),
        ).toEqual({ code: 'DSSE_ENVELOPE_INVALID', path });
    });
    it('refuses duplicate JSON keys anywhere in the envelope, naming the path', () => {
      expect(
        caught(() => parseEnvelope(`{"payloadType":"t","payload":"${PAYLOAD}","payload":"","signatures":[]}`)),
      ).toEqual({ code: 'JSON_DUPLICATE_KEY', path: 'payload' });
      expect(
        caught(() =>
          parseEnvelope(`{"payloadType":"t","payload":"${PAYLOAD}","signatures":[{"sig":"${SIG}","sig":"${SIG}"}]}`),
        ),
      ).toEqual({ code: 'JSON_DUPLICATE_KEY', path: 'signatures[0].sig' });
    });
    it('refuses a non-ASCII payloadType', () => {
      expect(caught(() => parseEnvelope(env({ payloadType: 'application/vnd.in-toto+jsön' })))).toEqual({
        code: 'DSSE_PAYLOAD_TYPE_NOT_ASCII',
        path: 'payloadType',
      });
    });
    it('allows 16 signatures and refuses 17 (DSSE_TOO_MANY_SIGNATURES); the limit is configurable', () => {
      const sigs = (n: number) => Array.from({ length: n }, () => ({ sig: SIG }));
      expect(parseEnvelope(env({ signatures: sigs(16) })).signatures.length).toBe(16);
      expect(caught(() => parseEnvelope(env({ signatures: sigs(17) })))).toEqual({
        code: 'DSSE_TOO_MANY_SIGNATURES',
        path: 'signatures',
      });
      expect(
        caught(() => parseEnvelope(env({ signatures: sigs(3) }), { limits: { signaturesPerEnvelope: 2 } })).code,
      ).toBe('DSSE_TOO_MANY_SIGNATURES');
    });
    it('reports the limit and the count of a signature list over it (expected, actual)', () => {
      const sigs = Array.from({ length: 3 }, () => ({ sig: SIG }));
      expect(fields(() => parseEnvelope(env({ signatures: sigs }), { limits: { signaturesPerEnvelope: 2 } }))).toEqual({
        code: 'DSSE_TOO_MANY_SIGNATURES',
        path: 'signatures',
        expected: '<= 2',
        actual: '3',
      });
    });
    it('reports a non-ASCII payloadType as expected ASCII', () => {
      expect(fields(() => parseEnvelope(env({ payloadType: 'tëxt' })))).toEqual({
        code: 'DSSE_PAYLOAD_TYPE_NOT_ASCII',
        path: 'payloadType',
        expected: 'ASCII',
        actual: undefined,
      });
    });
    it('refuses oversize and too-deep input with the strict JSON codes', () => {
      expect(
        caught(() => parseEnvelope(env({ pad: 'x'.repeat(3000) }), { limits: { envelopeBytes: 1024 } })).code,
      ).toBe('JSON_TOO_LARGE');
      expect(
        caught(() => parseEnvelope(env({ deep: JSON.parse('['.repeat(70) + ']'.repeat(70)) as unknown }))).code,
      ).toBe('JSON_TOO_DEEP');
    });
  });

  describe('serializing', () => {
    it('writes canonical JSON with standard padded base64 and keyid always present', async () => {
      const e = encodeEnvelope({
        payloadType: 't',
        payload: new Uint8Array([0xfb, 0xff]),
        signatures: [{ sig: new Uint8Array([1]) }, { keyid: 'k', sig: new Uint8Array([2, 3]) }],
      });
      expect(serializeEnvelope(e)).toBe(
        '{"payload":"+/8=","payloadType":"t","signatures":[{"keyid":"","sig":"AQ=="},{"keyid":"k","sig":"AgM="}]}',
      );
      // the wire form given with URL-safe base64 is normalised to standard
      expect(serializeEnvelope({ payloadType: 't', payload: '-_8=', signatures: [{ sig: 'AQ==' }] })).toBe(
        '{"payload":"+/8=","payloadType":"t","signatures":[{"keyid":"","sig":"AQ=="}]}',
      );
      const decoded = parseEnvelope(serializeEnvelope(e));
      expect(encodeEnvelope(decoded)).toEqual(e);
    });
  });

  describe('merging and adding signatures', () => {
    it('a second approver adds a signature to the same payload; adding again changes nothing', async () => {
      const alice = await testKey(1);
      const bob = await testKey(2);
      const payload = statementBytes();
      const a = await signEnvelope(payload, IN_TOTO_PAYLOAD_TYPE, [ed25519Signer(alice)]);
      const ab = await addSignature(a, ed25519Signer(bob));
      expect(ab.payload).toBe(a.payload);
      expect(ab.signatures.length).toBe(2);
      expect(ab.signatures[0]).toEqual(a.signatures[0]);
      expect(await addSignature(ab, ed25519Signer(alice))).toEqual(ab);
      expect(await addSignature(serializeEnvelope(ab), ed25519Signer(bob))).toEqual(ab);
    });
    it('merges envelopes over the same payload, deduplicating identical signatures', async () => {
      const [alice, bob, carol] = await Promise.all([testKey(1), testKey(2), testKey(3)]);
      const payload = statementBytes();
      const a = await signEnvelope(payload, IN_TOTO_PAYLOAD_TYPE, [ed25519Signer(alice)]);
      const b = await signEnvelope(payload, IN_TOTO_PAYLOAD_TYPE, [ed25519Signer(bob), ed25519Signer(alice)]);
      const c = await signEnvelope(payload, IN_TOTO_PAYLOAD_TYPE, [ed25519Signer(carol)]);
      const m = mergeEnvelopes([a, b, serializeEnvelope(c)]);
      expect(m.signatures.map((s) => s.sig)).toEqual([
        a.signatures[0]!.sig,
        b.signatures[0]!.sig,
        c.signatures[0]!.sig,
      ]);
      expect(mergeEnvelopes([a, a])).toEqual(a);
    });
    it('refuses to merge different payloads or types (DSSE_MERGE_MISMATCH) and over-full results', async () => {
      const alice = await testKey(1);
      const a = await signEnvelope(statementBytes(), IN_TOTO_PAYLOAD_TYPE, [ed25519Signer(alice)]);
      const other = await signEnvelope(statementBytes({ predicate: { x: 1 } }), IN_TOTO_PAYLOAD_TYPE, [
        ed25519Signer(alice),
      ]);
      const typed = await signEnvelope(utf8('hello'), 'text/plain', [ed25519Signer(alice)]);
      const typed2 = { ...typed, payloadType: 'text/other' };
      expect(caught(() => mergeEnvelopes([a, other])).code).toBe('DSSE_MERGE_MISMATCH');
      expect(caught(() => mergeEnvelopes([typed, typed2])).code).toBe('DSSE_MERGE_MISMATCH');
      expect(caught(() => mergeEnvelopes([])).code).toBe('RangeError');
      const many = Array.from({ length: 9 }, (_, i) => ({
        ...typed,
        signatures: [
          { keyid: '', sig: toBase64(new Uint8Array(64).fill(i)) },
          { keyid: '', sig: toBase64(new Uint8Array(64).fill(100 + i)) },
        ],
      }));
      expect(caught(() => mergeEnvelopes(many)).code).toBe('DSSE_TOO_MANY_SIGNATURES');
    });
    describe('when an input of a merge is unreadable', () => {
      it('names it by its index, under the name given (default "envelopes")', () => {
        const good = env();
        expect(fields(() => mergeEnvelopes([good, '[]']))).toMatchObject({
          code: 'DSSE_ENVELOPE_INVALID',
          path: 'envelopes[1]',
        });
        expect(fields(() => mergeEnvelopes([good, good, '[]'], { what: 'bundle' }))).toMatchObject({
          code: 'DSSE_ENVELOPE_INVALID',
          path: 'bundle[2]',
        });
      });
      it('parses each input under the limits given', () => {
        const big = env({ pad: 'x'.repeat(2000) });
        expect(mergeEnvelopes([big]).signatures).toHaveLength(1);
        expect(fields(() => mergeEnvelopes([env(), big], { limits: { envelopeBytes: 1024 } }))).toMatchObject({
          code: 'JSON_TOO_LARGE',
          path: 'envelopes[1]',
        });
      });
    });
    it('names what differs in a mismatch: the field path, and for payloadType expected and actual', () => {
      expect(fields(() => mergeEnvelopes([env(), env(), env({ payloadType: 'text/other' })]))).toEqual({
        code: 'DSSE_MERGE_MISMATCH',
        path: 'envelopes[2].payloadType',
        expected: 'text/plain',
        actual: 'text/other',
      });
      expect(fields(() => mergeEnvelopes([env(), env({ payload: toBase64(utf8('other')) })]))).toEqual({
        code: 'DSSE_MERGE_MISMATCH',
        path: 'envelopes[1].payload',
        expected: undefined,
        actual: undefined,
      });
    });
    it('merges up to the signature limit and refuses a union over it (expected, actual)', () => {
      const one = (n: number) => env({ signatures: [{ keyid: '', sig: toBase64(new Uint8Array(64).fill(n)) }] });
      const limits = { signaturesPerEnvelope: 2 };
      expect(mergeEnvelopes([one(1), one(2)], { limits }).signatures).toHaveLength(2);
      expect(mergeEnvelopes([one(1), one(2), one(1)], { limits }).signatures).toHaveLength(2);
      expect(fields(() => mergeEnvelopes([one(1), one(2), one(3)], { limits }))).toEqual({
        code: 'DSSE_TOO_MANY_SIGNATURES',
        path: 'signatures',
        expected: '<= 2',
        actual: '3',
      });
    });
    it('keeps the payload bytes exactly (no re-serialization)', async () => {
      const alice = await testKey(1);
      const odd = utf8(
        '{"_type":"https://in-toto.io/Statement/v1",  "subject":[{"digest":{"sha256":"' +
          'ab'.repeat(32) +
          '"}}],"predicateType":"x"}\n',
      );
      const e = await signEnvelope(odd, IN_TOTO_PAYLOAD_TYPE, [ed25519Signer(alice)]);
      expect(toHex(fromBase64(e.payload))).toBe(toHex(odd));
    });
  });
});
