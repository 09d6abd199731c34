/**
 * Ed25519 key import and export (decisions §4, spec/keys.md).
 *
 * Import detects the format: raw bytes (32-byte key or seed, 64-byte seed || public), hex, PEM
 * (SPKI `PUBLIC KEY`, PKCS#8 `PRIVATE KEY` v1 or v2), DER of the same, and securesystemslib key
 * JSON (public and private forms as securesystemslib 0.26 writes them). Encrypted private keys
 * (`ENCRYPTED PRIVATE KEY`, securesystemslib's encrypted JSON) are recognised here and decrypted
 * by the Node adapter (`loadPrivateKey` in `lineproof/node`), as the core has no AES.
 *
 * Every imported public key is checked: on the curve, canonical, not of small order and without a
 * torsion component; a private key's stored public key must be the one its seed derives.
 */
import { assertBytes, equalBytes, fromHex, fromUtf8, isBytes } from '../bytes/index.js';
import { LineproofError, describeType, type ErrorCode } from '../errors.js';
import { isJsonObject, parseJson, type JsonObject } from '../json/strict.js';
import { parsePkcs8Der, parseSpkiDer } from './der.js';
import { ed25519PublicFromSeed, ed25519PublicKeyProblem, randomEd25519Seed } from './ed25519.js';
import { assertKeyidFormat, keyidOf } from './keyid.js';
import { decodePem, looksLikePem } from './pem.js';
import type { KeyidFormat, PrivateKey, PublicKey } from './types.js';

/** Options for key import. */
export interface KeyImportOptions {
  /** keyid format of the resulting key (default `legacy`). */
  keyidFormat?: KeyidFormat;
  /** Names the input in errors, e.g. a file name (default `public key` / `private key`). */
  what?: string;
}

/** Largest key file accepted (bytes); key files are tiny, anything larger is not a key. */
export const MAX_KEY_FILE_BYTES = 64 * 1024;

const SSLIB_ENCRYPTED = /^[0-9a-f]+@@@@[0-9]+@@@@[0-9a-f]+@@@@[0-9a-f]+@@@@[0-9a-f]+$/;

/**

 * True when `text` is securesystemslib's encrypted key format (`salt@@@@iterations@@@@hmac@@@@iv@@@@ciphertext`).
 * @param text the file's text
 * @returns true for the five `@@@@`-separated fields
 * @example
 * ```ts
 * isSslibEncryptedKey(readFileSync('alice', 'utf8'));
 * ```
 */
export function isSslibEncryptedKey(text: string): boolean {
  return SSLIB_ENCRYPTED.test(text.trim());
}

function err(
  code: ErrorCode,
  what: string,
  msg: string,
  extra: { expected?: string; actual?: string; cause?: unknown } = {},
): LineproofError {
  return new LineproofError(code, `${what}: ${msg}`, { path: what, ...extra });
}

/**
 * A {@link PublicKey} from raw bytes, after the checks of {@link ed25519PublicKeyProblem}.
 * @param bytes the raw 32-byte public key
 * @throws {LineproofError} KEY_INVALID, ED25519_SMALL_ORDER, ED25519_NONCANONICAL, ED25519_MIXED_ORDER
 * @throws {TypeError} when `bytes` is not a Uint8Array or the format is unknown
 * @example
 * ```ts
 * const key = publicKeyFromBytes(raw32); // key.keyid is the legacy securesystemslib keyid
 * ```
 */
export function publicKeyFromBytes(bytes: Uint8Array, options: KeyImportOptions = {}): PublicKey {
  assertBytes(bytes, 'bytes');
  const format = options.keyidFormat ?? 'legacy';
  assertKeyidFormat(format);
  const what = options.what ?? 'public key';
  const problem = ed25519PublicKeyProblem(bytes);
  if (problem) throw err(problem.code, what, problem.reason);
  const raw = Uint8Array.from(bytes);
  const key: PublicKey = Object.freeze({ type: 'ed25519' as const, bytes: raw, keyid: keyidOf(raw, format) });
  CHECKED.add(key);
  return key;
}

/** Keys made by {@link publicKeyFromBytes} (frozen, bytes copied and checked). */
const CHECKED = new WeakSet<PublicKey>();

/**
 * `key` itself when it was made by this module's import functions, else a checked copy with the
 * same keyid (a hand-built `PublicKey` object is validated like raw bytes).
 * @throws {LineproofError} as {@link publicKeyFromBytes}
 * @param key a PublicKey (possibly hand-built)
 * @param what names it in errors
 * @returns a checked key with the same keyid
 * @example
 * ```ts
 * const trusted = checkedPublicKey({ type: 'ed25519', bytes, keyid: 'alice' });
 * ```
 */
export function checkedPublicKey(key: PublicKey, what = 'public key'): PublicKey {
  if (CHECKED.has(key)) return key;
  if (!key || typeof key !== 'object' || !isBytes(key.bytes) || typeof key.keyid !== 'string') {
    throw new TypeError(`"${what}" expected PublicKey, got ${describeType(key)}`);
  }
  if (key.type !== 'ed25519')
    throw new LineproofError('KEY_UNSUPPORTED', `${what}: key type ${JSON.stringify(key.type)} is not supported`, {
      path: what,
    });
  const copy = publicKeyFromBytes(key.bytes, { what });
  const out: PublicKey = Object.freeze({ ...copy, keyid: key.keyid });
  CHECKED.add(out);
  return out;
}

/**
 * The same key with its keyid in another format.
 * @example
 * ```ts
 * withKeyidFormat(key, 'modern').keyid;
 * ```
 */
export function withKeyidFormat(key: PublicKey, format: KeyidFormat): PublicKey;
export function withKeyidFormat(key: PrivateKey, format: KeyidFormat): PrivateKey;
export function withKeyidFormat(key: PublicKey | PrivateKey, format: KeyidFormat): PublicKey | PrivateKey {
  assertKeyidFormat(format, 'format');
  if ('seed' in key) return Object.freeze({ ...key, publicKey: withKeyidFormat(key.publicKey, format) });
  const out: PublicKey = Object.freeze({ ...checkedPublicKey(key), keyid: keyidOf(key.bytes, format) });
  CHECKED.add(out);
  return out;
}

/**
 * A {@link PrivateKey} from a 32-byte seed (derives the public key).
 * @throws {RangeError} when `seed` is not 32 bytes
 * @example
 * ```ts
 * const key = await privateKeyFromSeed(seed);
 * ```
 */
export async function privateKeyFromSeed(seed: Uint8Array, options: KeyImportOptions = {}): Promise<PrivateKey> {
  assertBytes(seed, 'seed', 32);
  const pub = await ed25519PublicFromSeed(seed);
  // A seed always derives a prime-order, canonical point; checked anyway (cheap, once per key).
  const publicKey = publicKeyFromBytes(pub, options);
  return Object.freeze({ type: 'ed25519' as const, seed: Uint8Array.from(seed), publicKey });
}

/**
 * Generate a new Ed25519 key pair from the platform CSPRNG.
 * @example
 * ```ts
 * const key = await generateKeyPair();
 * privateKeyToPem(key); publicKeyToPem(key.publicKey);
 * ```
 */
export async function generateKeyPair(options: KeyImportOptions = {}): Promise<PrivateKey> {
  return privateKeyFromSeed(randomEd25519Seed(), options);
}

async function privateFromSeedChecked(
  seed: Uint8Array,
  storedPublic: Uint8Array | undefined,
  options: KeyImportOptions,
  what: string,
): Promise<PrivateKey> {
  const key = await privateKeyFromSeed(seed, options);
  if (storedPublic !== undefined && !equalBytes(storedPublic, key.publicKey.bytes)) {
    throw err('KEY_MISMATCH', what, 'the stored public key is not the one the private key derives');
  }
  return key;
}

function isHexDigitByte(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46);
}

type Detected =
  { kind: 'raw'; bytes: Uint8Array } | { kind: 'der'; bytes: Uint8Array } | { kind: 'text'; text: string };

function detect(input: string | Uint8Array, what: string): Detected {
  if (typeof input === 'string') return { kind: 'text', text: input };
  if (!isBytes(input)) throw new TypeError(`"${what}" expected string or Uint8Array, got ${describeType(input)}`);
  // Raw keys are 32 or 64 bytes; a hex key file of the same length (no newline) is text.
  if ((input.length === 32 || input.length === 64) && !input.every(isHexDigitByte))
    return { kind: 'raw', bytes: input };
  if (input.length > MAX_KEY_FILE_BYTES)
    throw err('KEY_INVALID', what, `${input.length} bytes is too large for a key (limit ${MAX_KEY_FILE_BYTES})`);
  if (input[0] === 0x30) return { kind: 'der', bytes: input };
  try {
    return { kind: 'text', text: fromUtf8(input, what) };
  } catch (cause) {
    throw err('KEY_INVALID', what, 'neither a DER structure nor UTF-8 text', { cause });
  }
}

function labelProblem(label: string, want: 'public' | 'private', what: string): LineproofError {
  if (label === 'PUBLIC KEY' && want === 'private')
    return err('KEY_WRONG_KIND', what, 'expected a private key, got a public key (PEM "PUBLIC KEY")');
  if ((label === 'PRIVATE KEY' || label === 'ENCRYPTED PRIVATE KEY') && want === 'public') {
    return err('KEY_WRONG_KIND', what, `expected a public key, got a private key (PEM "${label}"); give the .pub file`);
  }
  return err(
    'KEY_UNSUPPORTED',
    what,
    `PEM "${label}" is not supported; expected ${want === 'public' ? '"PUBLIC KEY" (SPKI)' : '"PRIVATE KEY" (PKCS#8)'} holding an Ed25519 key`,
    { actual: label },
  );
}

interface SslibKey {
  publicHex: string;
  privateHex?: string;
}

function parseSslibJson(text: string, what: string): SslibKey {
  const value = parseJson(text, { what, maxBytes: MAX_KEY_FILE_BYTES, maxDepth: 8 });
  if (!isJsonObject(value)) throw err('KEY_INVALID', what, 'expected a securesystemslib key object');
  const str = (o: JsonObject, k: string, path: string): string | undefined => {
    const v = o[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new LineproofError('KEY_INVALID', `${what}: ${path} must be a string`, { path });
    return v;
  };
  const keytype = str(value, 'keytype', 'keytype');
  if (keytype === undefined)
    throw new LineproofError('KEY_INVALID', `${what}: keytype is missing`, { path: 'keytype' });
  if (keytype !== 'ed25519')
    throw new LineproofError(
      'KEY_UNSUPPORTED',
      `${what}: keytype ${JSON.stringify(keytype)} is not supported; expected "ed25519"`,
      { path: 'keytype', expected: 'ed25519', actual: keytype },
    );
  const scheme = str(value, 'scheme', 'scheme');
  if (scheme !== undefined && scheme !== 'ed25519') {
    throw new LineproofError(
      'KEY_UNSUPPORTED',
      `${what}: scheme ${JSON.stringify(scheme)} is not supported; expected "ed25519"`,
      { path: 'scheme', expected: 'ed25519', actual: scheme },
    );
  }
  str(value, 'keyid', 'keyid'); // a hint only: Lineproof computes its own keyids
  const algs = value.keyid_hash_algorithms;
  if (algs !== undefined && !(Array.isArray(algs) && algs.every((a) => typeof a === 'string'))) {
    throw new LineproofError('KEY_INVALID', `${what}: keyid_hash_algorithms must be an array of strings`, {
      path: 'keyid_hash_algorithms',
    });
  }
  const keyval = value.keyval;
  if (!isJsonObject(keyval))
    throw new LineproofError('KEY_INVALID', `${what}: keyval must be an object`, { path: 'keyval' });
  const pub = str(keyval, 'public', 'keyval.public');
  if (pub === undefined || !/^[0-9a-fA-F]{64}$/.test(pub)) {
    throw new LineproofError('KEY_INVALID', `${what}: keyval.public must be 64 hex digits (a raw Ed25519 public key)`, {
      path: 'keyval.public',
    });
  }
  const priv = str(keyval, 'private', 'keyval.private');
  if (priv !== undefined && priv !== '' && !/^[0-9a-fA-F]{64}$/.test(priv)) {
    throw new LineproofError('KEY_INVALID', `${what}: keyval.private must be 64 hex digits (a raw Ed25519 seed)`, {
      path: 'keyval.private',
    });
  }
  return priv ? { publicHex: pub, privateHex: priv } : { publicHex: pub };
}

/**
 * Import a public key in any supported form (detected): raw 32 bytes, 64 hex digits, PEM or DER
 * SubjectPublicKeyInfo, securesystemslib public key JSON.
 * @param input file bytes or text
 * @returns the checked key with its keyid (legacy unless `keyidFormat` says otherwise)
 * @throws {LineproofError} KEY_INVALID, KEY_UNSUPPORTED, KEY_WRONG_KIND (a private key),
 *   ED25519_SMALL_ORDER, ED25519_NONCANONICAL, ED25519_MIXED_ORDER
 * @example
 * ```ts
 * const key = parsePublicKey(readFileSync('alice.pub', 'utf8'), { what: 'alice.pub' });
 * ```
 */
export function parsePublicKey(input: string | Uint8Array, options: KeyImportOptions = {}): PublicKey {
  const what = options.what ?? 'public key';
  const opts = { ...options, what };
  const d = detect(input, what);
  if (d.kind === 'raw') {
    if (d.bytes.length !== 32)
      throw err('KEY_INVALID', what, `raw public key: expected 32 bytes, got ${d.bytes.length}`);
    return publicKeyFromBytes(d.bytes, opts);
  }
  if (d.kind === 'der') return publicKeyFromDer(d.bytes, opts);
  const text = d.text.replace(/^\uFEFF/, '').trim();
  if (looksLikePem(text)) {
    const { label, der } = decodePem(text, what);
    if (label !== 'PUBLIC KEY') throw labelProblem(label, 'public', what);
    return publicKeyFromBytes(parseSpkiDer(der, what), opts);
  }
  if (text.startsWith('{')) {
    const k = parseSslibJson(text, what);
    if (k.privateHex)
      throw err(
        'KEY_WRONG_KIND',
        what,
        'expected a public key, got a securesystemslib private key (keyval.private is set); give the .pub file',
      );
    return publicKeyFromBytes(fromHex(k.publicHex, what), opts);
  }
  if (/^[0-9a-fA-F]{64}$/.test(text)) return publicKeyFromBytes(fromHex(text, what), opts);
  if (isSslibEncryptedKey(text))
    throw err('KEY_WRONG_KIND', what, 'expected a public key, got an encrypted securesystemslib private key');
  throw err(
    'KEY_INVALID',
    what,
    'not a recognised public key (expected PEM "PUBLIC KEY", securesystemslib JSON, 64 hex digits, DER or 32 raw bytes)',
  );
}

function publicKeyFromDer(der: Uint8Array, opts: KeyImportOptions & { what: string }): PublicKey {
  try {
    return publicKeyFromBytes(parseSpkiDer(der, opts.what), opts);
  } catch (e) {
    // A PKCS#8 structure given as a public key: say so rather than "malformed".
    if (e instanceof LineproofError && e.code === 'KEY_INVALID') {
      try {
        parsePkcs8Der(der, opts.what);
      } catch {
        throw e;
      }
      throw err('KEY_WRONG_KIND', opts.what, 'expected a public key, got a PKCS#8 private key');
    }
    throw e;
  }
}

/**
 * Import a private key in any supported unencrypted form (detected): raw 32-byte seed or 64-byte
 * seed || public key (libsodium), 64 or 128 hex digits, PEM or DER PKCS#8 (v1 as OpenSSL writes,
 * or v2 with the public key, which must match), securesystemslib private key JSON.
 * @param input file bytes or text
 * @throws {LineproofError} KEY_PASSPHRASE_REQUIRED for an encrypted key (decrypt with
 *   `loadPrivateKey` of `lineproof/node`), KEY_INVALID, KEY_UNSUPPORTED, KEY_WRONG_KIND,
 *   KEY_MISMATCH
 * @example
 * ```ts
 * const key = await parsePrivateKey(pemText, { what: 'alice.key' });
 * ```
 */
export async function parsePrivateKey(input: string | Uint8Array, options: KeyImportOptions = {}): Promise<PrivateKey> {
  const what = options.what ?? 'private key';
  const opts = { ...options, what };
  const d = detect(input, what);
  if (d.kind === 'raw') {
    return privateFromSeedChecked(
      d.bytes.subarray(0, 32),
      d.bytes.length === 64 ? d.bytes.subarray(32) : undefined,
      opts,
      what,
    );
  }
  if (d.kind === 'der') return privateKeyFromDer(d.bytes, opts);
  const text = d.text.replace(/^\uFEFF/, '').trim();
  if (looksLikePem(text)) {
    const { label, der } = decodePem(text, what);
    if (label === 'ENCRYPTED PRIVATE KEY') {
      throw err(
        'KEY_PASSPHRASE_REQUIRED',
        what,
        'the private key is encrypted; give its passphrase (LINEPROOF_KEY_PASSPHRASE, or loadPrivateKey in lineproof/node)',
      );
    }
    if (label !== 'PRIVATE KEY') throw labelProblem(label, 'private', what);
    return privateKeyFromDer(der, opts);
  }
  if (text.startsWith('{')) {
    const k = parseSslibJson(text, what);
    if (!k.privateHex)
      throw err(
        'KEY_WRONG_KIND',
        what,
        'expected a private key, got a securesystemslib public key (no keyval.private)',
      );
    return privateFromSeedChecked(fromHex(k.privateHex, what), fromHex(k.publicHex, what), opts, what);
  }
  if (/^[0-9a-fA-F]{64}$/.test(text)) return privateFromSeedChecked(fromHex(text, what), undefined, opts, what);
  if (/^[0-9a-fA-F]{128}$/.test(text)) {
    const b = fromHex(text, what);
    return privateFromSeedChecked(b.subarray(0, 32), b.subarray(32), opts, what);
  }
  if (isSslibEncryptedKey(text)) {
    throw err(
      'KEY_PASSPHRASE_REQUIRED',
      what,
      'the securesystemslib key is encrypted; give its passphrase (LINEPROOF_KEY_PASSPHRASE, or loadPrivateKey in lineproof/node)',
    );
  }
  throw err(
    'KEY_INVALID',
    what,
    'not a recognised private key (expected PEM "PRIVATE KEY" (PKCS#8), securesystemslib JSON, hex, DER or raw bytes)',
  );
}

/**
 * Import a DER PKCS#8 Ed25519 private key (v1 or v2).
 * @throws {LineproofError} KEY_INVALID, KEY_UNSUPPORTED, KEY_WRONG_KIND, KEY_MISMATCH
 * @param der the DER bytes
 * @returns the key with its derived public key
 * @example
 * ```ts
 * const key = await privateKeyFromDer(pkcs8Der(seed));
 * ```
 */
export async function privateKeyFromDer(der: Uint8Array, options: KeyImportOptions = {}): Promise<PrivateKey> {
  const what = options.what ?? 'private key';
  let parts;
  try {
    parts = parsePkcs8Der(der, what);
  } catch (e) {
    if (e instanceof LineproofError && e.code === 'KEY_INVALID') {
      try {
        parseSpkiDer(der, what);
      } catch {
        throw e;
      }
      throw err('KEY_WRONG_KIND', what, 'expected a private key, got a SubjectPublicKeyInfo public key');
    }
    throw e;
  }
  return privateFromSeedChecked(parts.seed, parts.publicKey, { ...options, what }, what);
}

export {
  publicKeyToDer,
  publicKeyToPem,
  publicKeyToHex,
  privateKeyToDer,
  privateKeyToPem,
  publicKeyToSslib,
  privateKeyToSslib,
  ed25519Signer,
} from './export.js';
