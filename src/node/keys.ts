/**
 * Key files on Node: reading (any format the core imports, plus encrypted private keys, decrypted
 * here with node:crypto since the core has no AES), writing a key pair safely, and the
 * file-permission warning for private keys.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createPrivateKey,
  pbkdf2Sync,
  randomBytes,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { fromUtf8, isBytes, toPlainBytes } from '../bytes/index.js';
import { writeFileChecked } from './fs.js';
import { LineproofError, describeType } from '../errors.js';
import { decodePem, encodePem } from '../keys/pem.js';
import {
  isSslibEncryptedKey,
  MAX_KEY_FILE_BYTES,
  parsePrivateKey,
  parsePublicKey,
  privateKeyFromDer,
  privateKeyToDer,
  privateKeyToPem,
  publicKeyToPem,
  type KeyImportOptions,
} from '../keys/keys.js';
import type { PrivateKey, PublicKey } from '../keys/types.js';
import { readFileLimited } from './fs.js';

/** Options for reading a private key. */
export interface PrivateKeyOptions extends KeyImportOptions {
  /** Passphrase of an encrypted key (the CLI passes `LINEPROOF_KEY_PASSPHRASE`). */
  passphrase?: string;
  /** Called with a warning, e.g. a key file readable by group or others. */
  onWarning?: (message: string) => void;
}

/** Most PBKDF2 iterations accepted from a securesystemslib encrypted key (bounds the work a file can ask for). */
export const MAX_SSLIB_PBKDF2_ITERATIONS = 10_000_000;

function decryptSslib(text: string, passphrase: string, what: string): string {
  const [saltHex, iterText, hmacHex, ivHex, ctHex] = text.trim().split('@@@@') as [
    string,
    string,
    string,
    string,
    string,
  ];
  const iterations = Number(iterText);
  if (!Number.isSafeInteger(iterations) || iterations < 1 || iterations > MAX_SSLIB_PBKDF2_ITERATIONS) {
    throw new LineproofError(
      'KEY_INVALID',
      `${what}: PBKDF2 iteration count ${iterText} is outside 1..${MAX_SSLIB_PBKDF2_ITERATIONS}`,
      { path: what },
    );
  }
  const iv = Buffer.from(ivHex, 'hex');
  const hmac = Buffer.from(hmacHex, 'hex');
  if (iv.length !== 16 || hmac.length !== 32 || saltHex.length % 2 !== 0 || ctHex.length % 2 !== 0) {
    throw new LineproofError('KEY_INVALID', `${what}: malformed securesystemslib encrypted key`, { path: what });
  }
  const ciphertext = Buffer.from(ctHex, 'hex');
  const key = pbkdf2Sync(Buffer.from(passphrase, 'utf8'), Buffer.from(saltHex, 'hex'), iterations, 32, 'sha256');
  const mac = createHmac('sha256', key).update(ciphertext).digest();
  if (!timingSafeEqual(mac, hmac))
    throw new LineproofError('KEY_PASSPHRASE_WRONG', `${what}: wrong passphrase (or a corrupted key file)`, {
      path: what,
    });
  const decipher = createDecipheriv('aes-256-ctr', key, iv);
  const plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  return fromUtf8(toPlainBytes(plain), what);
}

/**
 * @internal An encrypted PKCS#8 PEM opened by OpenSSL (node:crypto): a wrong passphrase is
 * KEY_PASSPHRASE_WRONG, anything else KEY_INVALID, both naming `what`. Shared by the Ed25519 and
 * the ECDSA key loaders; the caller checks the key type.
 */
export function openEncryptedPem(text: string, passphrase: string, what: string): KeyObject {
  try {
    return createPrivateKey({ key: text, format: 'pem', passphrase });
  } catch (cause) {
    const code = (cause as { code?: string }).code ?? '';
    if (
      /BAD_DECRYPT|DECRYPT|ERR_OSSL_EVP|INTERRUPTED_OR_CANCELLED/i.test(code) ||
      /decrypt/i.test((cause as Error).message)
    ) {
      throw new LineproofError('KEY_PASSPHRASE_WRONG', `${what}: wrong passphrase (or a corrupted key file)`, {
        path: what,
        cause,
      });
    }
    // A wrong passphrase decrypts to noise; about 1 time in 256 the noise ends in valid CBC
    // padding, and OpenSSL then fails to decode it (ERR_OSSL_UNSUPPORTED, an ASN.1 error) instead
    // of reporting a bad decrypt. The key file itself parsed as encrypted PKCS#8, so say so.
    if (/ERR_OSSL_UNSUPPORTED|ASN1|DECODER/i.test(code)) {
      throw new LineproofError(
        'KEY_PASSPHRASE_WRONG',
        `${what}: wrong passphrase (or a corrupted key file, or an encryption OpenSSL does not support: ${code})`,
        { path: what, cause },
      );
    }
    throw new LineproofError('KEY_INVALID', `${what}: cannot read the encrypted private key (${code || 'error'})`, {
      path: what,
      cause,
    });
  }
}

function decryptPkcs8Pem(text: string, passphrase: string, what: string): Uint8Array {
  decodePem(text, what); // one well-formed block, or KEY_INVALID
  const ko = openEncryptedPem(text, passphrase, what);
  if (ko.asymmetricKeyType !== 'ed25519') {
    throw new LineproofError(
      'KEY_UNSUPPORTED',
      `${what}: ${ko.asymmetricKeyType ?? 'unknown'} key; only Ed25519 is supported`,
      { path: what, expected: 'ed25519', actual: String(ko.asymmetricKeyType) },
    );
  }
  return new Uint8Array(ko.export({ format: 'der', type: 'pkcs8' }));
}

/**
 * Import a private key from bytes or text in any format the core reads, and also encrypted:
 * PKCS#8 `ENCRYPTED PRIVATE KEY` (PBES2, as OpenSSL writes) and securesystemslib's encrypted key
 * files (PBKDF2-HMAC-SHA256, AES-256-CTR, HMAC-SHA256).
 * @throws {LineproofError} KEY_PASSPHRASE_REQUIRED (encrypted, no passphrase), KEY_PASSPHRASE_WRONG,
 *   and the codes of the core's `parsePrivateKey`
 * @example
 * ```ts
 * const key = await importPrivateKey(readFileSync('alice.key'), { passphrase: process.env.LINEPROOF_KEY_PASSPHRASE });
 * ```
 */
export async function importPrivateKey(
  input: string | Uint8Array,
  options: PrivateKeyOptions = {},
): Promise<PrivateKey> {
  const what = options.what ?? 'private key';
  const { passphrase } = options;
  if (passphrase !== undefined && typeof passphrase !== 'string')
    throw new TypeError(`"passphrase" expected string, got ${describeType(passphrase)}`);
  const importOpts: KeyImportOptions =
    options.keyidFormat === undefined ? { what } : { what, keyidFormat: options.keyidFormat };
  try {
    return await parsePrivateKey(input, importOpts);
  } catch (e) {
    if (
      !(e instanceof LineproofError && e.code === 'KEY_PASSPHRASE_REQUIRED') ||
      passphrase === undefined ||
      passphrase === ''
    )
      throw e;
  }
  const text = (isBytes(input) ? fromUtf8(input, what) : input).replace(/^\uFEFF/, '').trim();
  if (isSslibEncryptedKey(text)) return parsePrivateKey(decryptSslib(text, passphrase, what), importOpts);
  return privateKeyFromDer(decryptPkcs8Pem(text, passphrase, what), importOpts);
}

/**
 * True when the file at `path` can be read by its group or others (POSIX mode bits); always
 * false on Windows, where modes do not apply.
 * @param path a file path
 * @returns true when mode & 0o077 is not 0
 * @throws {Error} when the file cannot be stat'ed
 * @example
 * ```ts
 * if (isReadableByOthers('alice.key')) console.warn('chmod 600 alice.key');
 * ```
 */
export function isReadableByOthers(path: string): boolean {
  if (process.platform === 'win32') return false;
  return (statSync(path).mode & 0o077) !== 0;
}

/**
 * Read a private key file (any supported format, encrypted ones with `passphrase`). Warns through
 * `onWarning` when the file is readable by group or others.
 * @throws {LineproofError} IO_ERROR naming the path, SPECIAL_FILE_REFUSED (a FIFO, socket or
 *   device), LIMIT_EXCEEDED, and the codes of {@link importPrivateKey}
 * @example
 * ```ts
 * const key = await loadPrivateKey('alice.key', { passphrase, onWarning: console.warn });
 * ```
 */
export async function loadPrivateKey(path: string, options: PrivateKeyOptions = {}): Promise<PrivateKey> {
  const what = options.what ?? path;
  const bytes = readFileLimited(path, MAX_KEY_FILE_BYTES, what);
  if (options.onWarning && isReadableByOthers(path)) {
    const mode = (statSync(path).mode & 0o777).toString(8).padStart(4, '0');
    options.onWarning(
      `${what}: private key file is readable by group or others (mode ${mode}); run: chmod 600 ${JSON.stringify(path)}`,
    );
  }
  return importPrivateKey(bytes, { ...options, what });
}

/**
 * Read a public key file in any supported format (PEM SPKI, securesystemslib JSON, hex, DER, raw).
 * @throws {LineproofError} IO_ERROR naming the path, SPECIAL_FILE_REFUSED (a FIFO, socket or
 *   device), LIMIT_EXCEEDED, and the codes of `parsePublicKey`
 * @example
 * ```ts
 * const alice = loadPublicKey('alice.pub');
 * ```
 */
export function loadPublicKey(path: string, options: KeyImportOptions = {}): PublicKey {
  const what = options.what ?? path;
  return parsePublicKey(readFileLimited(path, MAX_KEY_FILE_BYTES, what), { ...options, what });
}

/** PBKDF2-HMAC-SHA256 iterations used when encrypting a private key (OWASP 2023 guidance). */
export const DEFAULT_PBKDF2_ITERATIONS = 600_000;

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 255);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}
function derInteger(n: number): Buffer {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 255);
  if (bytes.length === 0 || bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}
const OID_PBES2 = Buffer.from('06092a864886f70d01050d', 'hex');
const OID_PBKDF2 = Buffer.from('06092a864886f70d01050c', 'hex');
const OID_HMAC_SHA256 = Buffer.from('06082a864886f70d0209', 'hex');
const OID_AES256_CBC = Buffer.from('060960864801650304012a', 'hex');

/**
 * PEM PKCS#8 `ENCRYPTED PRIVATE KEY` of a private key: PBES2 with PBKDF2-HMAC-SHA256
 * (`iterations`, default 600,000, a fresh 16-byte salt) and AES-256-CBC (RFC 8018), readable by
 * OpenSSL and by {@link importPrivateKey}. (OpenSSL's own default is 2,048 iterations, too few for
 * a key file at rest.)
 * @throws {RangeError} an empty passphrase or an iteration count outside 1,000..10,000,000
 * @example
 * ```ts
 * writeFileSync('alice.key', encryptPrivateKeyPem(key, passphrase), { mode: 0o600 });
 * ```
 */
export function encryptPrivateKeyPem(
  key: PrivateKey,
  passphrase: string,
  options: { iterations?: number } = {},
): string {
  if (typeof passphrase !== 'string' || passphrase === '')
    throw new RangeError('"passphrase" expected a non-empty string');
  const iterations = options.iterations ?? DEFAULT_PBKDF2_ITERATIONS;
  if (!Number.isSafeInteger(iterations) || iterations < 1000 || iterations > MAX_SSLIB_PBKDF2_ITERATIONS) {
    throw new RangeError(
      `"options.iterations" expected 1000..${MAX_SSLIB_PBKDF2_ITERATIONS}, got ${String(iterations)}`,
    );
  }
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const aesKey = pbkdf2Sync(Buffer.from(passphrase, 'utf8'), salt, iterations, 32, 'sha256');
  const cipher = createCipheriv('aes-256-cbc', aesKey, iv);
  const encrypted = Buffer.concat([cipher.update(privateKeyToDer(key)), cipher.final()]);
  const der = tlv(
    0x30,
    tlv(
      0x30,
      OID_PBES2,
      tlv(
        0x30,
        tlv(
          0x30,
          OID_PBKDF2,
          tlv(0x30, tlv(0x04, salt), derInteger(iterations), tlv(0x30, OID_HMAC_SHA256, Buffer.from([0x05, 0x00]))),
        ),
        tlv(0x30, OID_AES256_CBC, tlv(0x04, iv)),
      ),
    ),
    tlv(0x04, encrypted),
  );
  return encodePem('ENCRYPTED PRIVATE KEY', new Uint8Array(der));
}

/** Where {@link writeKeyPair} wrote the key pair. */
export interface WrittenKeyPair {
  privateKeyPath: string;
  publicKeyPath: string;
  encrypted: boolean;
}

function writeNew(path: string, text: string, mode: number, force: boolean): void {
  // Atomic: the key is never visible with a wider mode or half written; without force, never replaced.
  try {
    writeFileChecked(path, text, { mode, atomic: true, overwrite: force });
  } catch (e) {
    if (((e as Error).cause as NodeJS.ErrnoException | undefined)?.code === 'EEXIST') {
      throw new LineproofError('KEY_EXISTS', `${path}: already exists; refusing to overwrite (use --force)`, { path });
    }
    throw e;
  }
}

/**
 * Write `PREFIX.key` (PKCS#8 PEM, mode 0600; encrypted when `passphrase` is non-empty) and
 * `PREFIX.pub` (SPKI PEM, mode 0644). Refuses to overwrite either file unless `force`.
 * @throws {LineproofError} KEY_EXISTS, IO_ERROR
 * @example
 * ```ts
 * writeKeyPair('keys/alice', await generateKeyPair(), { passphrase });
 * ```
 */
export function writeKeyPair(
  prefix: string,
  key: PrivateKey,
  options: { passphrase?: string; force?: boolean; iterations?: number } = {},
): WrittenKeyPair {
  const privateKeyPath = `${prefix}.key`;
  const publicKeyPath = `${prefix}.pub`;
  const force = options.force === true;
  if (!force) {
    for (const p of [privateKeyPath, publicKeyPath]) {
      if (existsSync(p))
        throw new LineproofError('KEY_EXISTS', `${p}: already exists; refusing to overwrite (use --force)`, {
          path: p,
        });
    }
  }
  const encrypted = options.passphrase !== undefined && options.passphrase !== '';
  writeNew(
    privateKeyPath,
    encrypted
      ? encryptPrivateKeyPem(
          key,
          options.passphrase!,
          options.iterations === undefined ? {} : { iterations: options.iterations },
        )
      : privateKeyToPem(key),
    0o600,
    force,
  );
  writeNew(publicKeyPath, publicKeyToPem(key.publicKey), 0o644, force);
  return { privateKeyPath, publicKeyPath, encrypted };
}
