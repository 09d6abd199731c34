import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromBase64, fromHex, toHex, utf8 } from '../../src/bytes/index.js';
import { isLineproofError, type ErrorCode } from '../../src/errors.js';
import { parsePkcs8Der, parseSpkiDer, pkcs8Der, spkiDer } from '../../src/keys/der.js';
import { keyidOf, keyidsOf } from '../../src/keys/keyid.js';
import {
  checkedPublicKey,
  ed25519Signer,
  generateKeyPair,
  parsePrivateKey,
  parsePublicKey,
  privateKeyFromSeed,
  privateKeyToDer,
  privateKeyToPem,
  privateKeyToSslib,
  publicKeyFromBytes,
  publicKeyToDer,
  publicKeyToHex,
  publicKeyToPem,
  publicKeyToSslib,
  withKeyidFormat,
} from '../../src/keys/keys.js';
import { decodePem, encodePem } from '../../src/keys/pem.js';
import { readFixtureText } from '../helpers/fixtures.js';
import { edgeCases, TRAP_PUBLIC_KEY, wycheproofFile } from '../helpers/ed25519-vectors.js';

const rfc = JSON.parse(readFixtureText('keys', 'rfc8410.json')) as {
  seed: string;
  public: string;
  publicKeyPem: string;
  privateKeyPemV1: string;
  privateKeyPemV2WithAttributeAndPublicKey: string;
};
/** keyids of the RFC 8410 key computed by Debian's securesystemslib 0.26 (legacy) and its canonical JSON (modern). */
const RFC_KEYID_LEGACY = '2f404b605267ac502793a9706798b483b85e19551311d15641543822cd2d10e2';
const RFC_KEYID_MODERN = '946bbfb4fd58b1aeac3ddb00f68fd8c8dea7e9a84e6c149b1c10b36b707c38fd';

function code(fn: () => unknown): ErrorCode | string {
  try {
    fn();
  } catch (e) {
    return isLineproofError(e) ? e.code : `${(e as Error).name}`;
  }
  return 'no error';
}
async function acode(fn: () => Promise<unknown>): Promise<ErrorCode | string> {
  try {
    await fn();
  } catch (e) {
    return isLineproofError(e) ? e.code : `${(e as Error).name}`;
  }
  return 'no error';
}

describe('keys', () => {
  describe('keyids', () => {
    it('legacy and modern keyids of the RFC 8410 key match securesystemslib (worked example of spec/keys.md)', () => {
      const pub = fromHex(rfc.public);
      expect(keyidOf(pub)).toBe(RFC_KEYID_LEGACY);
      expect(keyidOf(pub, 'legacy')).toBe(RFC_KEYID_LEGACY);
      expect(keyidOf(pub, 'modern')).toBe(RFC_KEYID_MODERN);
      expect(keyidOf(pub, 'none')).toBe('');
      expect(keyidsOf(pub)).toEqual({ legacy: RFC_KEYID_LEGACY, modern: RFC_KEYID_MODERN });
    });
    it('match the keyids securesystemslib 0.26 wrote into its own key files', () => {
      const ids = JSON.parse(readFixtureText('sslib', 'keyids.json')) as Record<
        string,
        { keyid: string; public: string }
      >;
      for (const { keyid, public: pub } of Object.values(ids)) expect(keyidOf(fromHex(pub), 'legacy')).toBe(keyid);
    });
    it('rejects an unknown format and a wrong-length key (misuse)', () => {
      expect(code(() => keyidOf(fromHex(rfc.public), 'sha1' as never))).toBe('TypeError');
      expect(code(() => keyidOf(new Uint8Array(31)))).toBe('RangeError');
    });
    it('withKeyidFormat switches the keyid of public and private keys', async () => {
      const key = await privateKeyFromSeed(fromHex(rfc.seed));
      expect(key.publicKey.keyid).toBe(RFC_KEYID_LEGACY);
      expect(withKeyidFormat(key, 'modern').publicKey.keyid).toBe(RFC_KEYID_MODERN);
      expect(withKeyidFormat(key.publicKey, 'none').keyid).toBe('');
    });
  });

  describe('public key import', () => {
    const pub = fromHex(rfc.public);
    it('reads every form: PEM SPKI, DER SPKI, hex (either case), raw bytes, securesystemslib JSON (legacy and modern)', () => {
      const forms: Array<string | Uint8Array> = [
        rfc.publicKeyPem,
        utf8(rfc.publicKeyPem),
        `some text before the block\n${rfc.publicKeyPem}and after\n`,
        rfc.publicKeyPem.replace(/\n/g, '\r\n'),
        spkiDer(pub),
        rfc.public,
        `${rfc.public.toUpperCase()}\n`,
        utf8(rfc.public),
        pub,
        JSON.stringify(publicKeyToSslib(pub)),
        JSON.stringify(publicKeyToSslib(pub, 'modern')),
        `\uFEFF${rfc.publicKeyPem}`,
      ];
      for (const [i, f] of forms.entries()) {
        const k = parsePublicKey(f);
        expect(toHex(k.bytes), `form ${i}`).toBe(rfc.public);
        expect(k.keyid, `form ${i}`).toBe(RFC_KEYID_LEGACY);
        expect(k.type).toBe('ed25519');
      }
      expect(parsePublicKey(rfc.publicKeyPem, { keyidFormat: 'modern' }).keyid).toBe(RFC_KEYID_MODERN);
    });
    it('reads a securesystemslib .pub file as securesystemslib 0.26 wrote it', () => {
      const k = parsePublicKey(readFixtureText('sslib', 'ed25519.pub'));
      const ids = JSON.parse(readFixtureText('sslib', 'keyids.json')) as Record<
        string,
        { keyid: string; public: string }
      >;
      expect(toHex(k.bytes)).toBe(ids['ed25519']!.public);
      expect(k.keyid).toBe(ids['ed25519']!.keyid);
    });
    it('reads every Wycheproof group key from its DER and PEM forms', () => {
      for (const g of wycheproofFile().testGroups) {
        expect(toHex(parsePublicKey(fromHex(g.publicKeyDer)).bytes)).toBe(g.publicKey.pk);
        expect(toHex(parsePublicKey(g.publicKeyPem).bytes)).toBe(g.publicKey.pk);
      }
    });
    it('reads what OpenSSL (node:crypto) writes, and OpenSSL reads what we write', () => {
      const { publicKey } = generateKeyPairSync('ed25519');
      const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
      const der = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
      const k = parsePublicKey(pem);
      expect(toHex(parsePublicKey(der).bytes)).toBe(toHex(k.bytes));
      expect(publicKeyToPem(k)).toBe(pem);
      expect(toHex(publicKeyToDer(k))).toBe(toHex(der));
      expect(createPublicKey(publicKeyToPem(k)).asymmetricKeyType).toBe('ed25519');
    });
    it('refuses unsafe points with their codes', () => {
      expect(code(() => parsePublicKey(TRAP_PUBLIC_KEY))).toBe('ED25519_SMALL_ORDER');
      expect(code(() => parsePublicKey(spkiDer(TRAP_PUBLIC_KEY)))).toBe('ED25519_SMALL_ORDER');
      expect(code(() => parsePublicKey(edgeCases()[3]!.publicKey))).toBe('ED25519_MIXED_ORDER');
      const nonCanonical = fromHex('ed' + 'ff'.repeat(30) + '7f');
      expect(code(() => parsePublicKey(nonCanonical))).toBe('ED25519_SMALL_ORDER'); // y = p is y = 0
      const nc2 = fromHex('f0' + 'ff'.repeat(30) + '7f');
      expect(['ED25519_NONCANONICAL']).toContain(code(() => parsePublicKey(nc2)));
      const offCurve = new Uint8Array(32);
      offCurve[0] = 2;
      expect(code(() => parsePublicKey(offCurve))).toBe('KEY_INVALID');
    });
    it('says a private key is the wrong kind', async () => {
      expect(code(() => parsePublicKey(rfc.privateKeyPemV1))).toBe('KEY_WRONG_KIND');
      expect(code(() => parsePublicKey(fromBase64(rfc.privateKeyPemV1.split('\n')[1]!)))).toBe('KEY_WRONG_KIND');
      expect(code(() => parsePublicKey(readFixtureText('sslib', 'ed25519')))).toBe('KEY_WRONG_KIND');
      expect(code(() => parsePublicKey(readFixtureText('sslib', 'ed25519-encrypted')))).toBe('KEY_WRONG_KIND');
      expect(
        code(() =>
          parsePublicKey('-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n'),
        ),
      ).toBe('KEY_WRONG_KIND');
    });
    it('says other key types are unsupported, naming them', () => {
      const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
        type: 'spki',
        format: 'pem',
      }) as string;
      const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' });
      const x = generateKeyPairSync('x25519').publicKey.export({ type: 'spki', format: 'pem' }) as string;
      expect(code(() => parsePublicKey(ec))).toBe('KEY_UNSUPPORTED');
      expect(code(() => parsePublicKey(new Uint8Array(rsa)))).toBe('KEY_UNSUPPORTED');
      expect(code(() => parsePublicKey(x))).toBe('KEY_UNSUPPORTED');
      expect(
        code(() => parsePublicKey('-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n')),
      ).toBe('KEY_UNSUPPORTED');
      expect(
        code(() =>
          parsePublicKey(JSON.stringify({ keytype: 'rsa', scheme: 'rsassa-pss-sha256', keyval: { public: 'x' } })),
        ),
      ).toBe('KEY_UNSUPPORTED');
      expect(
        code(() =>
          parsePublicKey(JSON.stringify({ keytype: 'ed25519', scheme: 'ecdsa', keyval: { public: rfc.public } })),
        ),
      ).toBe('KEY_UNSUPPORTED');
      try {
        parsePublicKey(ec);
      } catch (e) {
        expect((e as Error).message).toMatch(/EC \(ECDSA\)/);
      }
    });
    it('refuses malformed input with KEY_INVALID (or the strict JSON code)', () => {
      const bad: Array<[string | Uint8Array, string]> = [
        ['', 'KEY_INVALID'],
        ['hello', 'KEY_INVALID'],
        [rfc.public.slice(2), 'KEY_INVALID'],
        [new Uint8Array(31), 'KEY_INVALID'],
        [new Uint8Array(64), 'KEY_INVALID'],
        ['-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n', 'KEY_INVALID'], // no END
        [
          '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2Vw!yEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n',
          'KEY_INVALID',
        ],
        [rfc.publicKeyPem + rfc.publicKeyPem, 'KEY_INVALID'], // two blocks
        ['{"keytype":"ed25519","keyval":{"public":"abcd"}}', 'KEY_INVALID'],
        ['{"keytype":"ed25519","keyval":{"public":"' + rfc.public + '"},"keytype":"ed25519"}', 'JSON_DUPLICATE_KEY'],
        ['{"keytype":"ed25519"}', 'KEY_INVALID'],
        ['{"keyval":{"public":"' + rfc.public + '"}}', 'KEY_INVALID'],
        ['[1]', 'KEY_INVALID'],
        [new Uint8Array([0x30, 0x80, 0, 0]), 'KEY_INVALID'],
        [new Uint8Array([0xff, 0xfe, 0xfd]), 'KEY_INVALID'],
      ];
      for (const [input, want] of bad)
        expect(
          code(() => parsePublicKey(input)),
          JSON.stringify(typeof input === 'string' ? input.slice(0, 60) : toHex(input)),
        ).toBe(want);
    });
    it('DER is strict: non-minimal lengths, trailing bytes, parameters, wrong bit-string padding', () => {
      const good = spkiDer(fromHex(rfc.public));
      expect(toHex(parseSpkiDer(good))).toBe(rfc.public);
      const longLen = fromHex('30812a300506032b6570032100' + rfc.public); // length in long form (non-minimal)
      const trailing = fromHex(toHex(good) + '00');
      const withNull = fromHex('302c300706032b65700500032100' + rfc.public); // NULL parameters
      const unusedBits = fromHex('302a300506032b6570032101' + rfc.public);
      const shortKey = fromHex('3029300506032b6570032000' + rfc.public.slice(2));
      for (const d of [longLen, trailing, withNull, unusedBits, shortKey])
        expect(
          code(() => parseSpkiDer(d)),
          toHex(d),
        ).toBe('KEY_INVALID');
      // random bytes never crash (property)
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
          const c = code(() => parseSpkiDer(b));
          expect(['KEY_INVALID', 'KEY_UNSUPPORTED', 'no error']).toContain(c);
        }),
      );
    });
    it('parses any generated key in any form back to the same bytes (property)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), async (seed) => {
          const key = await privateKeyFromSeed(seed);
          for (const f of [
            publicKeyToPem(key.publicKey),
            publicKeyToDer(key.publicKey),
            publicKeyToHex(key.publicKey),
            JSON.stringify(publicKeyToSslib(key.publicKey)),
            key.publicKey.bytes,
          ]) {
            expect(toHex(parsePublicKey(f).bytes)).toBe(toHex(key.publicKey.bytes));
          }
        }),
        { numRuns: 25 },
      );
    });
  });

  describe('private key import', () => {
    it('reads PKCS#8 v1 (OpenSSL) and v2 with attributes and the public key (RFC 8410 §10.3)', async () => {
      for (const pem of [rfc.privateKeyPemV1, rfc.privateKeyPemV2WithAttributeAndPublicKey]) {
        const k = await parsePrivateKey(pem);
        expect(toHex(k.seed)).toBe(rfc.seed);
        expect(toHex(k.publicKey.bytes)).toBe(rfc.public);
        expect(k.publicKey.keyid).toBe(RFC_KEYID_LEGACY);
      }
      const v2 = parsePkcs8Der(decodePem(rfc.privateKeyPemV2WithAttributeAndPublicKey).der);
      expect(v2.version).toBe(2);
      expect(toHex(v2.publicKey!)).toBe(rfc.public);
    });
    it('refuses a v2 key whose public key is not the one the seed derives (KEY_MISMATCH)', async () => {
      const der = decodePem(rfc.privateKeyPemV2WithAttributeAndPublicKey).der;
      const tampered = Uint8Array.from(der);
      tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 1;
      expect(await acode(() => parsePrivateKey(encodePem('PRIVATE KEY', tampered)))).toBe('KEY_MISMATCH');
    });
    it('reads raw seeds, seed||public (libsodium), hex of both, DER, and securesystemslib private JSON', async () => {
      const seed = fromHex(rfc.seed);
      const pub = fromHex(rfc.public);
      const both = new Uint8Array([...seed, ...pub]);
      for (const f of [
        seed,
        both,
        rfc.seed,
        toHex(both),
        utf8(rfc.seed),
        pkcs8Der(seed),
        JSON.stringify(privateKeyToSslib(await privateKeyFromSeed(seed))),
      ]) {
        const k = await parsePrivateKey(f);
        expect(toHex(k.publicKey.bytes)).toBe(rfc.public);
      }
      const wrongPub = Uint8Array.from(both);
      wrongPub[40] = wrongPub[40]! ^ 1;
      expect(await acode(() => parsePrivateKey(wrongPub))).toBe('KEY_MISMATCH');
    });
    it('reads an unencrypted securesystemslib private key file as securesystemslib 0.26 wrote it', async () => {
      const k = await parsePrivateKey(readFixtureText('sslib', 'ed25519'));
      const ids = JSON.parse(readFixtureText('sslib', 'keyids.json')) as Record<
        string,
        { keyid: string; public: string }
      >;
      expect(toHex(k.publicKey.bytes)).toBe(ids['ed25519']!.public);
      expect(k.publicKey.keyid).toBe(ids['ed25519']!.keyid);
    });
    it('says an encrypted key needs a passphrase (the core cannot decrypt)', async () => {
      expect(await acode(() => parsePrivateKey(readFixtureText('sslib', 'ed25519-encrypted')))).toBe(
        'KEY_PASSPHRASE_REQUIRED',
      );
      const enc = createPrivateKey(rfc.privateKeyPemV1).export({
        type: 'pkcs8',
        format: 'pem',
        cipher: 'aes-256-cbc',
        passphrase: 'x',
      }) as string;
      expect(await acode(() => parsePrivateKey(enc))).toBe('KEY_PASSPHRASE_REQUIRED');
    });
    it('says a public key is the wrong kind, other types unsupported', async () => {
      expect(await acode(() => parsePrivateKey(rfc.publicKeyPem))).toBe('KEY_WRONG_KIND');
      expect(await acode(() => parsePrivateKey(spkiDer(fromHex(rfc.public))))).toBe('KEY_WRONG_KIND');
      expect(await acode(() => parsePrivateKey(readFixtureText('sslib', 'ed25519.pub')))).toBe('KEY_WRONG_KIND');
      const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
        type: 'pkcs8',
        format: 'pem',
      }) as string;
      expect(await acode(() => parsePrivateKey(ec))).toBe('KEY_UNSUPPORTED');
      const ecSec1 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
        type: 'sec1',
        format: 'pem',
      }) as string;
      expect(await acode(() => parsePrivateKey(ecSec1))).toBe('KEY_UNSUPPORTED');
    });
    it('PKCS#8 DER is strict (version, trailing bytes, seed length, public key in v1)', async () => {
      const seed = fromHex(rfc.seed);
      const good = pkcs8Der(seed);
      const v3 = Uint8Array.from(good);
      v3[4] = 2;
      const trailing = new Uint8Array([...good, 0]);
      const pubInV1 = fromHex('3051020100300506032b657004220420' + rfc.seed + '812100' + rfc.public);
      const shortSeed = fromHex('302d020100300506032b65700421041f' + rfc.seed.slice(2));
      for (const d of [v3, trailing, pubInV1, shortSeed])
        expect(await acode(() => parsePrivateKey(d)), toHex(d)).toBe('KEY_INVALID');
    });
    it('reads what OpenSSL writes and writes what OpenSSL reads (node:crypto and the openssl CLI)', async () => {
      const { privateKey } = generateKeyPairSync('ed25519');
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
      const k = await parsePrivateKey(pem);
      expect(privateKeyToPem(k)).toBe(pem);
      expect(toHex(privateKeyToDer(k))).toBe(
        toHex(new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' }))),
      );
      const dir = mkdtempSync(join(tmpdir(), 'lineproof-keys-'));
      writeFileSync(join(dir, 'k.pem'), privateKeyToPem(k), { mode: 0o600 });
      const pubPem = execFileSync('openssl', ['pkey', '-in', join(dir, 'k.pem'), '-pubout'], { encoding: 'utf8' });
      expect(pubPem).toBe(publicKeyToPem(k.publicKey));
      execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', join(dir, 'o.pem')]);
      const o = await parsePrivateKey(readFileSync(join(dir, 'o.pem')));
      expect(execFileSync('openssl', ['pkey', '-in', join(dir, 'o.pem'), '-pubout'], { encoding: 'utf8' })).toBe(
        publicKeyToPem(o.publicKey),
      );
    });
    it('a generated key signs what its public key verifies', async () => {
      const k = await generateKeyPair({ keyidFormat: 'modern' });
      expect(k.publicKey.keyid).toBe(keyidOf(k.publicKey.bytes, 'modern'));
      const signer = ed25519Signer(k);
      expect(signer.keyid).toBe(k.publicKey.keyid);
      const { checkEd25519 } = await import('../../src/keys/ed25519.js');
      const msg = utf8('hi');
      expect(await checkEd25519(await signer.sign(msg), msg, k.publicKey.bytes)).toEqual({ valid: true });
    });
  });

  describe('checked public keys', () => {
    it('keeps keys made by import, and validates a hand-built one', () => {
      const k = publicKeyFromBytes(fromHex(rfc.public));
      expect(checkedPublicKey(k)).toBe(k);
      const hand = { type: 'ed25519' as const, bytes: fromHex(rfc.public), keyid: 'mine' };
      expect(checkedPublicKey(hand).keyid).toBe('mine');
      expect(code(() => checkedPublicKey({ type: 'ed25519', bytes: TRAP_PUBLIC_KEY, keyid: '' }))).toBe(
        'ED25519_SMALL_ORDER',
      );
      expect(code(() => checkedPublicKey({ type: 'rsa' as never, bytes: fromHex(rfc.public), keyid: '' }))).toBe(
        'KEY_UNSUPPORTED',
      );
    });
  });

  describe('PEM', () => {
    it('writes 64-column lines like OpenSSL and reads them back', () => {
      const der = new Uint8Array(100).map((_, i) => i);
      const pem = encodePem('TEST', der);
      expect(pem.split('\n')[1]!.length).toBe(64);
      expect(toHex(decodePem(pem).der)).toBe(toHex(der));
      expect(decodePem(pem).label).toBe('TEST');
    });
    it('refuses legacy encrypted PEM headers', () => {
      expect(
        code(() =>
          decodePem('-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n\nAAAA\n-----END RSA PRIVATE KEY-----\n'),
        ),
      ).toBe('KEY_INVALID');
    });
  });
});
