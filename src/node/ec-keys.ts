/**
 * EC key files for OpenSSF model signing: public keys, private keys (encrypted PKCS#8
 * decrypted with node:crypto), and the CA certificates `verify certificate` trusts. The core parses the keys (src/interop/ec.ts, ec-private.ts).
 */
import { statSync } from 'node:fs';
import { LineproofError } from '../errors.js';
import { MAX_KEY_FILE_BYTES } from '../keys/keys.js';
import { decodePem } from '../keys/pem.js';
import { parseEcPublicKey, type EcPrivateKey, type EcPublicKey } from '../pki/ec.js';
import { ecPrivateKeyFromDer, parseEcPrivateKey } from '../pki/ec-private.js';
import { certificatesFromPem, parseCertificate, type Certificate } from '../pki/x509.js';
import { readFileLimited } from './fs.js';
import { isReadableByOthers, openEncryptedPem } from './keys.js';

/**
 * Read an EC public key file (PEM `PUBLIC KEY`, possibly after a text dump of the key; DER SPKI;
 * or a bare compressed point).
 * @param path the file
 * @param options `what` names it in errors (default: the path)
 * @returns the checked key
 * @throws {LineproofError} IO_ERROR, SPECIAL_FILE_REFUSED, LIMIT_EXCEEDED, and the codes of `parseEcPublicKey`
 * @example
 * ```ts
 * const key = loadEcPublicKey('signing-key-pub.pem');
 * ```
 */
export function loadEcPublicKey(path: string, options: { what?: string } = {}): EcPublicKey {
  const what = options.what ?? path;
  return parseEcPublicKey(readFileLimited(path, MAX_KEY_FILE_BYTES, what), { what });
}

/**
 * Import an EC private key, decrypting `ENCRYPTED PRIVATE KEY` (PKCS#8 PBES2, as OpenSSL and
 * `cryptography` write) with `passphrase`.
 * @param input file bytes or text
 * @param options passphrase, `what`
 * @returns the key
 * @throws {LineproofError} KEY_PASSPHRASE_REQUIRED, KEY_PASSPHRASE_WRONG, KEY_UNSUPPORTED, and the codes of `parseEcPrivateKey`
 * @example
 * ```ts
 * const key = importEcPrivateKey(pemText, { passphrase: process.env.LINEPROOF_KEY_PASSPHRASE });
 * ```
 */
export function importEcPrivateKey(
  input: string | Uint8Array,
  options: { passphrase?: string; what?: string } = {},
): EcPrivateKey {
  const what = options.what ?? 'private key';
  try {
    return parseEcPrivateKey(input, { what });
  } catch (e) {
    if (!(e instanceof LineproofError && e.code === 'KEY_PASSPHRASE_REQUIRED') || !options.passphrase) throw e;
  }
  const text = typeof input === 'string' ? input : new TextDecoder().decode(input);
  decodePem(text.slice(text.indexOf('-----BEGIN')), what);
  const ko = openEncryptedPem(text.slice(text.indexOf('-----BEGIN')), options.passphrase, what);
  if (ko.asymmetricKeyType !== 'ec') {
    throw new LineproofError(
      'KEY_UNSUPPORTED',
      `${what}: ${ko.asymmetricKeyType ?? 'unknown'} key; model_signing keys are ECDSA P-256, P-384 or P-521`,
      { path: what, expected: 'ec', actual: String(ko.asymmetricKeyType) },
    );
  }
  return ecPrivateKeyFromDer(new Uint8Array(ko.export({ format: 'der', type: 'pkcs8' })), what);
}

/**
 * Read an EC private key file (PKCS#8 or SEC1 PEM / DER; encrypted PKCS#8 with `passphrase`);
 * warns through `onWarning` when the file is readable by group or others.
 * @param path the file
 * @param options passphrase, onWarning, what
 * @returns the key
 * @throws {LineproofError} IO_ERROR, SPECIAL_FILE_REFUSED, LIMIT_EXCEEDED, and the codes of {@link importEcPrivateKey}
 * @example
 * ```ts
 * const key = loadEcPrivateKey('model-key.pem', { onWarning: console.warn });
 * ```
 */
export function loadEcPrivateKey(
  path: string,
  options: { passphrase?: string; what?: string; onWarning?: (message: string) => void } = {},
): EcPrivateKey {
  const what = options.what ?? path;
  const bytes = readFileLimited(path, MAX_KEY_FILE_BYTES, what);
  if (options.onWarning && isReadableByOthers(path)) {
    const mode = (statSync(path).mode & 0o777).toString(8).padStart(4, '0');
    options.onWarning(
      `${what}: private key file is readable by group or others (mode ${mode}); run: chmod 600 ${JSON.stringify(path)}`,
    );
  }
  return importEcPrivateKey(bytes, { what, ...(options.passphrase ? { passphrase: options.passphrase } : {}) });
}

/** Largest certificate file read (PEM bundle of CAs). */
export const MAX_CERTIFICATE_FILE_BYTES = 1 << 20;

/**
 * Read the certificates of a file: PEM `CERTIFICATE` blocks (text around them skipped; several
 * per file), or one DER certificate.
 * @param path the file
 * @param options `what` names it in errors (default: the path)
 * @returns the certificates, in order
 * @throws {LineproofError} IO_ERROR, SPECIAL_FILE_REFUSED, LIMIT_EXCEEDED, CERTIFICATE_INVALID
 * @example
 * ```ts
 * const anchors = loadCertificates('ca-cert.pem');
 * ```
 */
export function loadCertificates(path: string, options: { what?: string } = {}): Certificate[] {
  const what = options.what ?? path;
  const bytes = readFileLimited(path, MAX_CERTIFICATE_FILE_BYTES, what);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (text.includes('-----BEGIN')) return certificatesFromPem(text, what);
  return [parseCertificate(bytes, what)];
}
