/**
 * Ed25519 key export (spec/keys.md): DER, PEM, hex and securesystemslib JSON of public and private
 * keys, and the default pure-JS signer. Import is in keys.ts.
 */
import { assertBytes, isBytes, toHex } from '../bytes/index.js';
import { describeType } from '../errors.js';
import { pkcs8Der, spkiDer } from './der.js';
import { ed25519Sign } from './ed25519.js';
import { keyidOf, sslibPublicKeyObject, SSLIB_KEYID_HASH_ALGORITHMS } from './keyid.js';
import { encodePem } from './pem.js';
import type { PrivateKey, PublicKey, Signer } from './types.js';

function pubBytes(key: PublicKey | Uint8Array, name: string): Uint8Array {
  if (isBytes(key)) {
    assertBytes(key, name, 32);
    return key;
  }
  if (!key || typeof key !== 'object' || !isBytes(key.bytes))
    throw new TypeError(`"${name}" expected PublicKey or Uint8Array, got ${describeType(key)}`);
  return key.bytes;
}

function privKey(key: PrivateKey): PrivateKey {
  if (!key || typeof key !== 'object' || !isBytes(key.seed) || key.seed.length !== 32) {
    throw new TypeError(`"key" expected PrivateKey, got ${describeType(key)}`);
  }
  return key;
}

/**
 * DER SubjectPublicKeyInfo (44 bytes) of a public key.
 * @param key a PublicKey or raw 32 bytes
 * @returns 44 DER bytes
 * @throws {TypeError|RangeError} for anything else
 * @example
 * ```ts
 * writeFileSync('alice.pub.der', publicKeyToDer(key.publicKey));
 * ```
 */
export function publicKeyToDer(key: PublicKey | Uint8Array): Uint8Array {
  return spkiDer(pubBytes(key, 'key'));
}

/**
 * PEM SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`), as OpenSSL writes it.
 * @example
 * ```ts
 * writeFileSync('alice.pub', publicKeyToPem(key.publicKey));
 * ```
 */
export function publicKeyToPem(key: PublicKey | Uint8Array): string {
  return encodePem('PUBLIC KEY', publicKeyToDer(key));
}

/**
 * Lowercase hex of the raw public key.
 * @param key a PublicKey or raw 32 bytes
 * @returns 64 lowercase hex digits
 * @throws {TypeError|RangeError} for anything else
 * @example
 * ```ts
 * publicKeyToHex(key.publicKey); // '19bf44…'
 * ```
 */
export function publicKeyToHex(key: PublicKey | Uint8Array): string {
  return toHex(pubBytes(key, 'key'));
}

/**
 * DER PKCS#8 v1 (48 bytes) of a private key, the form OpenSSL writes.
 * @param key the private key
 * @returns 48 DER bytes (contains the seed: keep it secret)
 * @throws {TypeError} when not a PrivateKey
 * @example
 * ```ts
 * const der = privateKeyToDer(key);
 * ```
 */
export function privateKeyToDer(key: PrivateKey): Uint8Array {
  return pkcs8Der(privKey(key).seed);
}

/**
 * PEM PKCS#8 v1 (`-----BEGIN PRIVATE KEY-----`), unencrypted. For an encrypted file use
 * `encryptPrivateKeyPem` of `lineproof/node`.
 * @example
 * ```ts
 * writeFileSync('alice.key', privateKeyToPem(key), { mode: 0o600 });
 * ```
 */
export function privateKeyToPem(key: PrivateKey): string {
  return encodePem('PRIVATE KEY', privateKeyToDer(key));
}

/**
 * The securesystemslib public key JSON object, as securesystemslib 0.26 writes `<name>.pub`
 * (`legacy`, with `keyid_hash_algorithms`) or as newer versions write it (`modern`).
 * @example
 * ```ts
 * JSON.stringify(publicKeyToSslib(key.publicKey));
 * ```
 */
export function publicKeyToSslib(
  key: PublicKey | Uint8Array,
  format: 'legacy' | 'modern' = 'legacy',
): Record<string, unknown> {
  return sslibPublicKeyObject(pubBytes(key, 'key'), format);
}

/**
 * The securesystemslib private key JSON object, as securesystemslib 0.26 writes an unencrypted
 * private key file: keytype, scheme, keyid (legacy), keyid_hash_algorithms, keyval {public, private}.
 * @param key the private key
 * @returns the JSON object (contains the seed: keep it secret)
 * @throws {TypeError} when not a PrivateKey
 * @example
 * ```ts
 * writeFileSync('alice', JSON.stringify(privateKeyToSslib(key)), { mode: 0o600 });
 * ```
 */
export function privateKeyToSslib(key: PrivateKey): Record<string, unknown> {
  const k = privKey(key);
  const pub = k.publicKey.bytes;
  return {
    keytype: 'ed25519',
    scheme: 'ed25519',
    keyid: keyidOf(pub, 'legacy'),
    keyid_hash_algorithms: [...SSLIB_KEYID_HASH_ALGORITHMS],
    keyval: { public: toHex(pub), private: toHex(k.seed) },
  };
}

/**
 * The default Ed25519 {@link Signer} on @noble/ed25519 (pure JS). Its keyid is the private key's
 * public keyid (format chosen at import).
 * @example
 * ```ts
 * const signer = ed25519Signer(await parsePrivateKey(pem));
 * const sig = await signer.sign(message);
 * ```
 */
export function ed25519Signer(key: PrivateKey): Signer {
  const k = privKey(key);
  const seed = Uint8Array.from(k.seed);
  return Object.freeze({
    publicKey: Uint8Array.from(k.publicKey.bytes),
    keyid: k.publicKey.keyid,
    sign: (message: Uint8Array) => ed25519Sign(seed, message),
  });
}
