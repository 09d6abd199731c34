/**
 * src/dsse/signatures.ts on its own: the trusted key set, the order keys are tried in, the
 * outcome of one signature, the keyid-hint note. (Found by mutation testing: these survived when
 * only envelope- and chain-level tests reached them.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { toHex, utf8 } from '../../src/bytes/index.js';
import { checkSignature, keyHintNote, trustedKeySet } from '../../src/dsse/signatures.js';
import { ed25519Signer } from '../../src/keys/keys.js';
import { keyidsOf } from '../../src/keys/keyid.js';
import type { PrivateKey, SignatureCheck, SignatureVerifier } from '../../src/keys/types.js';
import { testKey } from '../helpers/dsse.js';

let a: PrivateKey;
let b: PrivateKey;
let c: PrivateKey;
let sig: Uint8Array;
const message = utf8('message');

beforeAll(async () => {
  [a, b, c] = await Promise.all([testKey(11), testKey(12), testKey(13)]);
  sig = await ed25519Signer(b).sign(message);
});

/** A verifier that answers from a table by key, and records the keys it was asked about. */
function scripted(answer: (keyHex: string) => SignatureCheck | 'throw'): SignatureVerifier & { asked: string[] } {
  const asked: string[] = [];
  return {
    name: 'scripted',
    asked,
    verify(_sig, _msg, key) {
      asked.push(toHex(key));
      const out = answer(toHex(key));
      if (out === 'throw') return Promise.reject(new Error('boom'));
      return Promise.resolve(out);
    },
  };
}
const invalid = (code: Extract<SignatureCheck, { valid: false }>['code']): SignatureCheck => ({
  valid: false,
  code,
  reason: code.toLowerCase(),
});

describe('trustedKeySet', () => {
  it('keeps the first of keys with the same bytes, from PublicKey or raw bytes', () => {
    const set = trustedKeySet([a.publicKey, a.publicKey.bytes, b.publicKey]);
    expect(set.map((t) => t.hex)).toEqual([toHex(a.publicKey.bytes), toHex(b.publicKey.bytes)]);
    expect(set[0]!.ids).toEqual([keyidsOf(a.publicKey.bytes).legacy, keyidsOf(a.publicKey.bytes).modern]);
  });

  it('labels a key by its keyid, or by its bytes when it has none', () => {
    const [withId, withoutId] = trustedKeySet([a.publicKey, { ...b.publicKey, keyid: '' }]);
    expect(withId!.label).toBe(
      a.publicKey.keyid.length > 16 ? `${a.publicKey.keyid.slice(0, 12)}…` : a.publicKey.keyid,
    );
    expect(withoutId!.label).toBe(`ed25519:${toHex(b.publicKey.bytes).slice(0, 12)}…`);
  });

  it('refuses what is neither a PublicKey nor bytes, naming the entry', () => {
    for (const bad of [null, 'key', 7, {}, { bytes: a.publicKey.bytes }, { keyid: 'x' }, { bytes: 'x', keyid: 'x' }])
      expect(() => trustedKeySet([a.publicKey, bad as never], 'policy.keys')).toThrow(
        /^"policy\.keys\[1\]" expected PublicKey or Uint8Array/,
      );
    expect(() => trustedKeySet([null as never])).toThrow(/^"trustedKeys\[0\]"/);
  });
});

describe('checkSignature', () => {
  it('tries the key the keyid hint names first, then the others, each once', async () => {
    const set = trustedKeySet([a.publicKey, b.publicKey, c.publicKey]);
    const ok = (hex: string) =>
      hex === toHex(b.publicKey.bytes) ? { valid: true as const } : invalid('ED25519_SIGNATURE_INVALID');
    for (const keyid of [b.publicKey.keyid, keyidsOf(b.publicKey.bytes).modern]) {
      const v = scripted(ok);
      expect(await checkSignature(v, set, message, sig, keyid)).toEqual({ keyIndex: 1, tries: 1 });
      expect(v.asked).toEqual([toHex(b.publicKey.bytes)]);
    }
    for (const keyid of [undefined, '', 'names-nothing']) {
      const v = scripted(ok);
      expect(await checkSignature(v, set, message, sig, keyid)).toEqual({ keyIndex: 1, tries: 2 });
      expect(v.asked).toEqual([toHex(a.publicKey.bytes), toHex(b.publicKey.bytes)]);
    }
    // A hint naming a key that does not verify only orders the tries.
    const v = scripted(ok);
    expect(await checkSignature(v, set, message, sig, c.publicKey.keyid)).toEqual({ keyIndex: 1, tries: 3 });
    expect(v.asked).toEqual([c, a, b].map((k) => toHex(k.publicKey.bytes)));
  });

  it('names the one failure all keys agree on, else DSSE_SIGNATURE_UNVERIFIED; counts every try', async () => {
    const set = trustedKeySet([a.publicKey, b.publicKey]);
    const same = await checkSignature(
      scripted(() => invalid('ED25519_SMALL_ORDER')),
      set,
      message,
      sig,
      undefined,
    );
    expect(same).toEqual({
      keyIndex: -1,
      tries: 2,
      failure: { code: 'ED25519_SMALL_ORDER', reason: 'ed25519_small_order' },
    });
    const plain = await checkSignature(
      scripted(() => invalid('ED25519_SIGNATURE_INVALID')),
      set,
      message,
      sig,
      undefined,
    );
    expect(plain.failure).toEqual({
      code: 'DSSE_SIGNATURE_UNVERIFIED',
      reason: 'no trusted key verifies it (tried 2)',
    });
    const mixed = await checkSignature(
      scripted((hex) => invalid(hex === toHex(a.publicKey.bytes) ? 'ED25519_SMALL_ORDER' : 'ED25519_NONCANONICAL')),
      set,
      message,
      sig,
      undefined,
    );
    expect(mixed.failure!.code).toBe('DSSE_SIGNATURE_UNVERIFIED');
    expect(mixed.tries).toBe(2);
  });

  it('a verifier that throws is a failed check (INTERNAL), never an exception', async () => {
    const set = trustedKeySet([a.publicKey]);
    const out = await checkSignature(
      scripted(() => 'throw'),
      set,
      message,
      sig,
      undefined,
    );
    expect(out).toEqual({
      keyIndex: -1,
      tries: 1,
      failure: { code: 'INTERNAL', reason: 'verifier scripted threw: boom' },
    });
  });

  it('a structurally refused signature costs no key check', async () => {
    const v = scripted(() => ({ valid: true }));
    const out = await checkSignature(v, trustedKeySet([a.publicKey]), message, sig.slice(0, 63), undefined);
    expect(out.keyIndex).toBe(-1);
    expect(out.tries).toBe(0);
    expect(v.asked).toEqual([]);
  });
});

describe('keyHintNote', () => {
  it('says nothing without a hint or when the hint named the verifying key', () => {
    const set = trustedKeySet([a.publicKey, b.publicKey]);
    expect(keyHintNote(set, undefined, 0)).toBe('');
    expect(keyHintNote(set, a.publicKey.keyid, 0)).toBe('');
    expect(keyHintNote(set, a.publicKey.keyid, -1)).toBe('');
  });
  it('names a hint that names no trusted key, and one that names another key', () => {
    const set = trustedKeySet([a.publicKey, b.publicKey]);
    expect(keyHintNote(set, 'x'.repeat(40), 0)).toBe(`; its keyid hint "${'x'.repeat(12)}…" names no trusted key`);
    expect(keyHintNote(set, b.publicKey.keyid, 0)).toBe(
      `; its keyid hint names another trusted key (${set[1]!.label}), ignored`,
    );
  });
});
