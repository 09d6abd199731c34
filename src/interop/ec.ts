/**
 * Elliptic-curve keys for OpenSSF model signing interop (decisions §4): NIST P-256, P-384 and P-521
 * with @noble/curves. Lineproof signs its own attestations with Ed25519 only; these keys exist to
 * verify and write model_signing signatures.
 *
 * Formats read (strict DER, X.690):
 * - public: PEM `PUBLIC KEY` (text before `-----BEGIN` is skipped: key dumps put a description
 *   there), DER SubjectPublicKeyInfo (RFC 5480: `id-ecPublicKey` with a named-curve OID, the point
 *   uncompressed `04||X||Y` or compressed `02|03||X`), or a bare compressed point (33, 49 or 67
 *   bytes) as model_signing also accepts;
 * - private: PEM or DER PKCS#8 `PRIVATE KEY` (RFC 5958, as OpenSSL writes) and SEC1
 *   `EC PRIVATE KEY` (RFC 5915, as `openssl ecparam -genkey` writes, with or without the
 *   `EC PARAMETERS` block it prints first). Encrypted keys are decrypted by the Node adapter.
 * Explicit curve parameters, other curves and other algorithms are refused (KEY_UNSUPPORTED).
 * Every point is checked on the curve and not the identity; a private key's stored public key
 * must be the one its scalar derives (KEY_MISMATCH).
 */
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { equalBytes, fromUtf8, isBytes, toHex } from '../bytes/index.js';
import { LineproofError, describeType } from '../errors.js';
import { decodePem, encodePem } from '../keys/pem.js';
import { DerReader, TAG, derOid, derTlv, derUnsignedInteger, type Tlv } from './der.js';

/** The curves model_signing accepts. */
export type EcCurve = 'P-256' | 'P-384' | 'P-521';

/** The curves, in order. */
export const EC_CURVES: readonly EcCurve[] = Object.freeze(['P-256', 'P-384', 'P-521']);

/** An elliptic-curve public key, checked on import (on the curve, not the identity). */
export interface EcPublicKey {
  readonly type: 'ecdsa';
  readonly curve: EcCurve;
  /** The uncompressed SEC1 point `04 || X || Y` (65, 97 or 133 bytes). */
  readonly point: Uint8Array;
  /** True when the key was given in compressed form (kept for the model_signing hint, see {@link omsKeyHints}). */
  readonly compressed: boolean;
}

/** An elliptic-curve private key with its public key. */
export interface EcPrivateKey {
  readonly type: 'ecdsa';
  readonly curve: EcCurve;
  /** The private scalar d, big-endian, padded to the field length. Never printed. */
  readonly scalar: Uint8Array;
  readonly publicKey: EcPublicKey;
}

type NobleCurve = typeof p256;

/** Per-curve facts: OID, field length, the hash model_signing pairs with it, Sigstore's key details. */
export interface EcCurveInfo {
  curve: EcCurve;
  /** Named-curve OID (RFC 5480). */
  oid: string;
  /** OpenSSL's name. */
  opensslName: string;
  /** Bytes of a field element / scalar. */
  bytes: number;
  /** The hash ECDSA uses with this curve in model_signing and Sigstore. */
  hash: 'sha256' | 'sha384' | 'sha512';
  /** The hash's display name (`SHA-256`, ...). */
  hashName: string;
  /** Sigstore's `PublicKeyDetails` name. */
  keyDetails: string;
  /** The group order n. */
  order: bigint;
  /** @internal */
  noble: NobleCurve;
  /** @internal */
  digest: (m: Uint8Array) => Uint8Array;
}

const INFO: Record<EcCurve, EcCurveInfo> = {
  'P-256': {
    curve: 'P-256',
    oid: '1.2.840.10045.3.1.7',
    opensslName: 'prime256v1',
    bytes: 32,
    hash: 'sha256',
    hashName: 'SHA-256',
    keyDetails: 'PKIX_ECDSA_P256_SHA_256',
    order: p256.Point.Fn.ORDER,
    noble: p256,
    digest: sha256,
  },
  'P-384': {
    curve: 'P-384',
    oid: '1.3.132.0.34',
    opensslName: 'secp384r1',
    bytes: 48,
    hash: 'sha384',
    hashName: 'SHA-384',
    keyDetails: 'PKIX_ECDSA_P384_SHA_384',
    order: p384.Point.Fn.ORDER,
    noble: p384 as unknown as NobleCurve,
    digest: sha384,
  },
  'P-521': {
    curve: 'P-521',
    oid: '1.3.132.0.35',
    opensslName: 'secp521r1',
    bytes: 66,
    hash: 'sha512',
    hashName: 'SHA-512',
    keyDetails: 'PKIX_ECDSA_P521_SHA_512',
    order: p521.Point.Fn.ORDER,
    noble: p521 as unknown as NobleCurve,
    digest: sha512,
  },
};

/** id-ecPublicKey (RFC 5480). */
const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';

const OTHER_OIDS: Record<string, string> = {
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
  '1.2.840.113549.1.1.1': 'RSA',
  '1.2.840.113549.1.1.10': 'RSA-PSS',
  '1.3.132.0.10': 'secp256k1',
  '1.2.840.10045.3.1.1': 'P-192',
  '1.3.132.0.33': 'P-224',
};

/**
 * Facts about a curve: OID, field length, hash, Sigstore key details.
 * @param curve `P-256`, `P-384` or `P-521`
 * @returns the curve's info
 * @throws {TypeError} for another curve name
 * @example
 * ```ts
 * ecCurveInfo('P-384').hash; // 'sha384'
 * ```
 */
export function ecCurveInfo(curve: EcCurve): EcCurveInfo {
  const info = INFO[curve];
  if (!info) throw new TypeError(`"curve" expected P-256, P-384 or P-521, got ${String(curve)}`);
  return info;
}

function curveByOid(oid: string): EcCurveInfo | undefined {
  return EC_CURVES.map((c) => INFO[c]).find((i) => i.oid === oid);
}

function bad(what: string, msg: string): LineproofError {
  return new LineproofError('KEY_INVALID', `${what}: ${msg}`, { path: what });
}

/**
 * Check a SEC1 point on a curve and return the key.
 * @param curve the curve
 * @param point SEC1 uncompressed or compressed point
 * @param what names the input in errors
 * @returns the checked key
 * @throws {LineproofError} KEY_INVALID (wrong length, not on the curve, the identity, hybrid form)
 * @example
 * ```ts
 * const key = ecPublicKeyFromPoint('P-256', point65);
 * ```
 */
export function ecPublicKeyFromPoint(curve: EcCurve, point: Uint8Array, what = 'public key'): EcPublicKey {
  const info = ecCurveInfo(curve);
  if (!isBytes(point)) throw new TypeError(`"point" expected Uint8Array, got ${describeType(point)}`);
  const n = info.bytes;
  const first = point[0];
  const compressed = point.length === n + 1 && (first === 2 || first === 3);
  if (!compressed && !(point.length === 2 * n + 1 && first === 4)) {
    throw bad(
      what,
      `${curve} point: expected ${2 * n + 1} bytes starting 04 (uncompressed) or ${n + 1} bytes starting 02/03 (compressed), got ${point.length} bytes starting ${first === undefined ? 'nothing' : first.toString(16).padStart(2, '0')}`,
    );
  }
  let full: Uint8Array;
  try {
    const P = info.noble.Point.fromBytes(point);
    P.assertValidity();
    if (P.is0()) throw new Error('the identity');
    full = P.toBytes(false);
  } catch (e) {
    throw new LineproofError(
      'KEY_INVALID',
      `${what}: not a point on ${curve} (${e instanceof Error ? e.message : 'invalid'})`,
      { path: what, cause: e },
    );
  }
  return Object.freeze({ type: 'ecdsa', curve, point: full, compressed });
}

/** Read an AlgorithmIdentifier `{id-ecPublicKey, namedCurve}`; return the curve and where it ends. */
function readEcAlgorithm(r: DerReader, offset: number, limit: number): { info: EcCurveInfo; end: number } {
  const seq = r.expect(offset, limit, TAG.SEQUENCE, 'AlgorithmIdentifier SEQUENCE');
  const alg = r.expect(seq.start, seq.end, TAG.OID, 'algorithm OBJECT IDENTIFIER');
  const algOid = r.oid(alg);
  if (algOid !== OID_EC_PUBLIC_KEY) {
    const name = OTHER_OIDS[algOid];
    throw new LineproofError(
      'KEY_UNSUPPORTED',
      `${r.what}: ${name ?? 'unknown'} key (OID ${algOid}); model_signing keys are ECDSA P-256, P-384 or P-521 (id-ecPublicKey ${OID_EC_PUBLIC_KEY})`,
      {
        path: r.what,
        expected: 'ECDSA P-256/P-384/P-521',
        actual: name ?? algOid,
      },
    );
  }
  if (alg.end === seq.end) throw bad(r.what, 'id-ecPublicKey needs curve parameters (a named-curve OID)');
  const params = r.tlv(alg.end, seq.end);
  if (params.tag !== TAG.OID) {
    throw new LineproofError(
      'KEY_UNSUPPORTED',
      `${r.what}: explicit or implicit curve parameters are not supported (RFC 5480 requires a named curve)`,
      { path: r.what, expected: 'named curve' },
    );
  }
  if (params.end !== seq.end) throw bad(r.what, 'unexpected fields after the curve OID');
  const curveOid = r.oid(params);
  const info = curveByOid(curveOid);
  if (!info) {
    const name = OTHER_OIDS[curveOid];
    throw new LineproofError(
      'KEY_UNSUPPORTED',
      `${r.what}: curve ${name ?? 'unknown'} (OID ${curveOid}); model_signing supports P-256, P-384 and P-521`,
      { path: r.what, expected: 'P-256|P-384|P-521', actual: name ?? curveOid },
    );
  }
  return { info, end: seq.end };
}

/**
 * Parse a DER SubjectPublicKeyInfo holding an EC key on a supported named curve.
 * @param der the DER bytes
 * @param what names the input in errors
 * @returns the checked key
 * @throws {LineproofError} KEY_INVALID (malformed DER, bad point), KEY_UNSUPPORTED (another algorithm or curve, explicit parameters)
 * @example
 * ```ts
 * const key = ecPublicKeyFromSpki(spkiDerBytes, 'key.pub');
 * ```
 */
export function ecPublicKeyFromSpki(der: Uint8Array, what = 'public key'): EcPublicKey {
  const r = new DerReader(der, what, 'KEY_INVALID');
  const outer = r.outer(TAG.SEQUENCE, 'SubjectPublicKeyInfo SEQUENCE');
  const { info, end } = readEcAlgorithm(r, outer.start, outer.end);
  const bits = r.expect(end, outer.end, TAG.BIT_STRING, 'subjectPublicKey BIT STRING');
  if (bits.end !== outer.end) throw bad(what, 'unexpected fields after subjectPublicKey');
  return ecPublicKeyFromPoint(info.curve, r.bitStringBytes(bits, 'subjectPublicKey'), what);
}

/**
 * The DER SubjectPublicKeyInfo of a key, as OpenSSL writes it.
 * @param key the key
 * @param options `compressed` to write the compressed point (default: uncompressed)
 * @returns DER bytes
 * @example
 * ```ts
 * ecSpkiDer(key).length; // 91 for P-256
 * ```
 */
export function ecSpkiDer(key: EcPublicKey, options: { compressed?: boolean } = {}): Uint8Array {
  const info = ecCurveInfo(key.curve);
  const point = options.compressed ? info.noble.Point.fromBytes(key.point).toBytes(true) : key.point;
  return derTlv(
    TAG.SEQUENCE,
    derTlv(TAG.SEQUENCE, derOid(OID_EC_PUBLIC_KEY), derOid(info.oid)),
    derTlv(TAG.BIT_STRING, Uint8Array.of(0), point),
  );
}

/**
 * The PEM `PUBLIC KEY` text of a key exactly as OpenSSL writes it (64-column base64, LF line ends).
 * @param key the key
 * @param options `compressed` for the compressed point
 * @returns PEM text ending in LF
 * @example
 * ```ts
 * writeFileSync('key.pub', ecPublicKeyToPem(key));
 * ```
 */
export function ecPublicKeyToPem(key: EcPublicKey, options: { compressed?: boolean } = {}): string {
  return encodePem('PUBLIC KEY', ecSpkiDer(key, options));
}

/**
 * The model_signing v1.1+ key hint: hex SHA-256 of the key's PEM text as OpenSSL writes it, with
 * the uncompressed point (what model_signing writes for keys from OpenSSL or `cryptography` >= 42).
 * @param key the public key
 * @returns 64 lowercase hex digits
 * @example
 * ```ts
 * omsKeyHint(key); // 'e8450dec…' for model_signing's test key
 * ```
 */
export function omsKeyHint(key: EcPublicKey): string {
  return toHex(sha256(new TextEncoder().encode(ecPublicKeyToPem(key))));
}

/**
 * Every hint model_signing may have written for this key: the uncompressed form's, then the
 * compressed form's (older `cryptography` releases on OpenSSL keep the point form a key was loaded
 * in, so a compressed key file gives the compressed PEM's hash).
 * @param key the public key
 * @returns two hex hints
 * @example
 * ```ts
 * omsKeyHints(key).includes(bundleHint);
 * ```
 */
export function omsKeyHints(key: EcPublicKey): string[] {
  return [omsKeyHint(key), toHex(sha256(new TextEncoder().encode(ecPublicKeyToPem(key, { compressed: true }))))];
}

/**
 * True when two public keys are the same curve and point (whatever form each was given in).
 * @param a a key
 * @param b another
 * @returns true when equal
 * @example
 * ```ts
 * equalEcPublicKeys(given, fromBundle);
 * ```
 */
export function equalEcPublicKeys(a: EcPublicKey, b: EcPublicKey): boolean {
  return a.curve === b.curve && equalBytes(a.point, b.point);
}

interface PemFound {
  label: string;
  der: Uint8Array;
}

/** Every PEM block of `text` (decoded strictly one by one). */
function pemBlocks(text: string, what: string): PemFound[] {
  const out: PemFound[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const endMarker = `-----END ${m[1]}-----`;
    const endAt = text.indexOf(endMarker, m.index);
    if (endAt === -1) throw bad(what, `no matching "${endMarker}"`);
    out.push(decodePem(text.slice(m.index, endAt + endMarker.length), what));
    re.lastIndex = endAt + endMarker.length;
  }
  return out;
}

function indexOfAscii(bytes: Uint8Array, needle: string): number {
  const first = needle.charCodeAt(0);
  outer: for (
    let i = bytes.indexOf(first);
    i >= 0 && i + needle.length <= bytes.length;
    i = bytes.indexOf(first, i + 1)
  ) {
    for (let j = 1; j < needle.length; j++) if (bytes[i + j] !== needle.charCodeAt(j)) continue outer;
    return i;
  }
  return -1;
}

function inputText(input: string | Uint8Array, what: string): string | undefined {
  if (typeof input === 'string') return input;
  // Bytes holding a PEM BEGIN line are text; anything else is binary (DER or a raw point).
  return indexOfAscii(input, '-----BEGIN ') >= 0 ? fromUtf8(input, what) : undefined;
}

/**
 * Import an EC public key: PEM `PUBLIC KEY` (text before `-----BEGIN` is skipped), DER SPKI, or a
 * bare compressed point (33 / 49 / 67 bytes, as model_signing accepts).
 * @param input file text or bytes
 * @param options `what` names the input in errors
 * @returns the checked key
 * @throws {LineproofError} KEY_INVALID, KEY_UNSUPPORTED, KEY_WRONG_KIND (a private key was given)
 * @example
 * ```ts
 * const key = parseEcPublicKey(readFileSync('signing-key-pub.pem', 'utf8'), { what: 'signing-key-pub.pem' });
 * key.curve; // 'P-384'
 * ```
 */
export function parseEcPublicKey(input: string | Uint8Array, options: { what?: string } = {}): EcPublicKey {
  const what = options.what ?? 'public key';
  if (typeof input !== 'string' && !isBytes(input))
    throw new TypeError(`"input" expected string or Uint8Array, got ${describeType(input)}`);
  const text = inputText(input, what);
  if (text === undefined) {
    const bytes = input as Uint8Array;
    if (bytes.length > 0 && bytes[0] === TAG.SEQUENCE) return ecPublicKeyFromSpki(bytes, what);
    const byLength = EC_CURVES.find((c) => INFO[c].bytes + 1 === bytes.length);
    if (byLength && (bytes[0] === 2 || bytes[0] === 3)) return ecPublicKeyFromPoint(byLength, bytes, what);
    throw bad(
      what,
      'not a recognised EC public key (expected PEM "PUBLIC KEY", DER SubjectPublicKeyInfo, or a compressed point of 33, 49 or 67 bytes)',
    );
  }
  const blocks = pemBlocks(text, what);
  if (blocks.length === 0) throw bad(what, 'no PEM block (-----BEGIN PUBLIC KEY-----)');
  if (blocks.length > 1) throw bad(what, `expected one PEM block, found ${blocks.length}`);
  const { label, der } = blocks[0]!;
  if (label === 'PUBLIC KEY') return ecPublicKeyFromSpki(der, what);
  if (/PRIVATE KEY$/.test(label))
    throw new LineproofError(
      'KEY_WRONG_KIND',
      `${what}: expected a public key, got a ${label}; give the public key (openssl pkey -pubout)`,
      { path: what, expected: 'PUBLIC KEY', actual: label },
    );
  throw bad(what, `expected a PEM "PUBLIC KEY" block, got "${label}"`);
}

function scalarBytes(info: EcCurveInfo, d: bigint): Uint8Array {
  const out = new Uint8Array(info.bytes);
  let x = d;
  for (let i = out.length - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/**
 * A private key from its scalar, with the public key it derives.
 * @param curve the curve
 * @param scalar d, big-endian (at most the field length; shorter is left-padded)
 * @param what names the input in errors
 * @returns the key
 * @throws {LineproofError} KEY_INVALID when d is 0 or not below the group order
 * @example
 * ```ts
 * const key = ecPrivateKeyFromScalar('P-256', d32);
 * ```
 */
export function ecPrivateKeyFromScalar(curve: EcCurve, scalar: Uint8Array, what = 'private key'): EcPrivateKey {
  const info = ecCurveInfo(curve);
  if (!isBytes(scalar)) throw new TypeError(`"scalar" expected Uint8Array, got ${describeType(scalar)}`);
  if (scalar.length === 0 || scalar.length > info.bytes)
    throw bad(what, `${curve} private scalar: expected at most ${info.bytes} bytes, got ${scalar.length}`);
  let d = 0n;
  for (const b of scalar) d = (d << 8n) | BigInt(b);
  if (d <= 0n || d >= info.order) throw bad(what, `${curve} private scalar out of range 1..n-1`);
  const padded = scalarBytes(info, d);
  const point = info.noble.getPublicKey(padded, false);
  return Object.freeze({ type: 'ecdsa', curve, scalar: padded, publicKey: ecPublicKeyFromPoint(curve, point, what) });
}

/**
 * Generate a private key (randomness from `crypto.getRandomValues`).
 * @param curve the curve (default P-256)
 * @returns a fresh key
 * @example
 * ```ts
 * const key = generateEcPrivateKey('P-256');
 * ```
 */
export function generateEcPrivateKey(curve: EcCurve = 'P-256'): EcPrivateKey {
  const info = ecCurveInfo(curve);
  return ecPrivateKeyFromScalar(curve, info.noble.utils.randomSecretKey());
}

/** Read ECPrivateKey (RFC 5915) contents; `curveHint` is the curve of an enclosing PKCS#8. */
function readSec1(r: DerReader, seq: Tlv, curveHint: EcCurveInfo | undefined): EcPrivateKey {
  const ver = r.expect(seq.start, seq.end, TAG.INTEGER, 'ECPrivateKey version');
  if (r.unsignedInteger(ver, 'version') !== 1n) throw bad(r.what, 'ECPrivateKey version must be 1 (ecPrivkeyVer1)');
  const priv = r.expect(ver.end, seq.end, TAG.OCTET_STRING, 'privateKey OCTET STRING');
  let pos = priv.end;
  let info = curveHint;
  if (pos < seq.end && r.der[pos] === TAG.CTX0) {
    const wrap = r.tlv(pos, seq.end);
    const oid = r.tlv(wrap.start, wrap.end);
    if (oid.tag !== TAG.OID)
      throw new LineproofError(
        'KEY_UNSUPPORTED',
        `${r.what}: explicit curve parameters are not supported (named curves only)`,
        { path: r.what },
      );
    if (oid.end !== wrap.end) throw bad(r.what, 'unexpected fields in the ECPrivateKey parameters');
    const named = curveByOid(r.oid(oid));
    if (!named)
      throw new LineproofError('KEY_UNSUPPORTED', `${r.what}: curve OID ${r.oid(oid)} is not P-256, P-384 or P-521`, {
        path: r.what,
        actual: r.oid(oid),
      });
    if (info && info !== named)
      throw bad(r.what, `the ECPrivateKey names ${named.curve} but the PKCS#8 algorithm names ${info.curve}`);
    info = named;
    pos = wrap.end;
  }
  if (!info) throw bad(r.what, 'an EC PRIVATE KEY without curve parameters (the curve is unknown)');
  const body = r.body(priv);
  if (body.length !== info.bytes)
    throw bad(r.what, `${info.curve} private key: expected a ${info.bytes}-byte scalar, got ${body.length} bytes`);
  const key = ecPrivateKeyFromScalar(info.curve, body, r.what);
  if (pos < seq.end && r.der[pos] === TAG.CTX1) {
    const wrap = r.tlv(pos, seq.end);
    const bits = r.expect(wrap.start, wrap.end, TAG.BIT_STRING, 'publicKey BIT STRING');
    if (bits.end !== wrap.end) throw bad(r.what, 'unexpected fields in the ECPrivateKey publicKey');
    const stored = ecPublicKeyFromPoint(info.curve, r.bitStringBytes(bits, 'publicKey'), r.what);
    if (!equalEcPublicKeys(stored, key.publicKey)) {
      throw new LineproofError(
        'KEY_MISMATCH',
        `${r.what}: the public key stored in the private key is not the one its scalar derives`,
        { path: r.what },
      );
    }
    pos = wrap.end;
  }
  if (pos !== seq.end) throw bad(r.what, 'unexpected fields in the ECPrivateKey');
  return key;
}

/**
 * Parse a DER EC private key: PKCS#8 PrivateKeyInfo (version 0 or 1) or SEC1 ECPrivateKey.
 * @param der the DER bytes
 * @param what names the input in errors
 * @returns the key
 * @throws {LineproofError} KEY_INVALID, KEY_UNSUPPORTED, KEY_MISMATCH
 * @example
 * ```ts
 * const key = ecPrivateKeyFromDer(pkcs8Bytes, 'key.der');
 * ```
 */
export function ecPrivateKeyFromDer(der: Uint8Array, what = 'private key'): EcPrivateKey {
  const r = new DerReader(der, what, 'KEY_INVALID');
  const outer = r.outer(TAG.SEQUENCE, 'private key SEQUENCE');
  const ver = r.expect(outer.start, outer.end, TAG.INTEGER, 'version INTEGER');
  const version = r.unsignedInteger(ver, 'version');
  const next = r.tlv(ver.end, outer.end);
  if (version === 1n && next.tag === TAG.OCTET_STRING) return readSec1(r, outer, undefined);
  if (version > 1n || next.tag !== TAG.SEQUENCE)
    throw bad(what, 'neither a PKCS#8 PrivateKeyInfo nor a SEC1 ECPrivateKey');
  const { info, end } = readEcAlgorithm(r, ver.end, outer.end);
  const octets = r.expect(end, outer.end, TAG.OCTET_STRING, 'privateKey OCTET STRING');
  const inner = new DerReader(r.body(octets), what, 'KEY_INVALID');
  const key = readSec1(inner, inner.outer(TAG.SEQUENCE, 'ECPrivateKey SEQUENCE'), info);
  let pos = octets.end;
  if (pos < outer.end && der[pos] === TAG.CTX0) pos = r.tlv(pos, outer.end).end; // attributes, ignored
  if (pos < outer.end && (der[pos] === 0x81 || der[pos] === TAG.CTX1) && version === 1n)
    pos = r.tlv(pos, outer.end).end; // v2 public key, checked below by derivation
  if (pos !== outer.end) throw bad(what, 'unexpected fields in the PKCS#8 structure');
  return key;
}

/**
 * Import an EC private key: PEM `PRIVATE KEY` (PKCS#8) or `EC PRIVATE KEY` (SEC1, optionally after
 * an `EC PARAMETERS` block naming the same curve), or DER of either.
 * @param input file text or bytes
 * @param options `what` names the input in errors
 * @returns the key
 * @throws {LineproofError} KEY_PASSPHRASE_REQUIRED (an encrypted key: use the Node adapter's
 *   `loadEcPrivateKey` with a passphrase), KEY_WRONG_KIND (a public key), KEY_INVALID,
 *   KEY_UNSUPPORTED, KEY_MISMATCH
 * @example
 * ```ts
 * const key = parseEcPrivateKey(readFileSync('model-key.pem', 'utf8'), { what: 'model-key.pem' });
 * ```
 */
export function parseEcPrivateKey(input: string | Uint8Array, options: { what?: string } = {}): EcPrivateKey {
  const what = options.what ?? 'private key';
  if (typeof input !== 'string' && !isBytes(input))
    throw new TypeError(`"input" expected string or Uint8Array, got ${describeType(input)}`);
  const text = inputText(input, what);
  if (text === undefined) return ecPrivateKeyFromDer(input as Uint8Array, what);
  const blocks = pemBlocks(text, what);
  const params = blocks.filter((b) => b.label === 'EC PARAMETERS');
  const keys = blocks.filter((b) => b.label !== 'EC PARAMETERS');
  if (keys.length === 0) throw bad(what, 'no PEM private key block');
  if (keys.length > 1 || params.length > 1)
    throw bad(what, `expected one PEM private key block, found ${blocks.length} blocks`);
  const { label, der } = keys[0]!;
  if (label === 'ENCRYPTED PRIVATE KEY') {
    throw new LineproofError(
      'KEY_PASSPHRASE_REQUIRED',
      `${what}: the private key is encrypted; give its passphrase (LINEPROOF_KEY_PASSPHRASE)`,
      { path: what },
    );
  }
  if (label === 'PUBLIC KEY')
    throw new LineproofError('KEY_WRONG_KIND', `${what}: expected a private key, got a PUBLIC KEY`, {
      path: what,
      expected: 'PRIVATE KEY',
      actual: label,
    });
  if (label !== 'PRIVATE KEY' && label !== 'EC PRIVATE KEY')
    throw bad(what, `expected a PEM "PRIVATE KEY" or "EC PRIVATE KEY" block, got "${label}"`);
  if (params.length === 1 && label !== 'EC PRIVATE KEY')
    throw bad(what, 'an EC PARAMETERS block goes only with an EC PRIVATE KEY');
  const key = ecPrivateKeyFromDer(der, what);
  if (params.length === 1) {
    const r = new DerReader(params[0]!.der, what, 'KEY_INVALID');
    const oid = r.outer(TAG.OID, 'EC PARAMETERS named-curve OID');
    if (curveByOid(r.oid(oid))?.curve !== key.curve)
      throw bad(what, `the EC PARAMETERS block names another curve than the key (${key.curve})`);
  }
  return key;
}

/**
 * The DER PKCS#8 PrivateKeyInfo of a key, byte for byte as OpenSSL 3 writes it (version 0, the
 * curve in the algorithm, an inner ECPrivateKey with the public key and no parameters).
 * @param key the private key
 * @returns DER bytes
 * @example
 * ```ts
 * ecPrivateKeyToPkcs8Der(key);
 * ```
 */
export function ecPrivateKeyToPkcs8Der(key: EcPrivateKey): Uint8Array {
  const info = ecCurveInfo(key.curve);
  const sec1 = derTlv(
    TAG.SEQUENCE,
    derUnsignedInteger(1n),
    derTlv(TAG.OCTET_STRING, key.scalar),
    derTlv(TAG.CTX1, derTlv(TAG.BIT_STRING, Uint8Array.of(0), key.publicKey.point)),
  );
  return derTlv(
    TAG.SEQUENCE,
    derUnsignedInteger(0n),
    derTlv(TAG.SEQUENCE, derOid(OID_EC_PUBLIC_KEY), derOid(info.oid)),
    derTlv(TAG.OCTET_STRING, sec1),
  );
}

/**
 * The PEM `PRIVATE KEY` (PKCS#8) text of a key, as OpenSSL writes it.
 * @param key the private key
 * @returns PEM text ending in LF
 * @example
 * ```ts
 * writeFileSync('model-key.pem', ecPrivateKeyToPem(key), { mode: 0o600 });
 * ```
 */
export function ecPrivateKeyToPem(key: EcPrivateKey): string {
  return encodePem('PRIVATE KEY', ecPrivateKeyToPkcs8Der(key));
}
