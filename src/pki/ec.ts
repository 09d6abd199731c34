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
import { DerReader, TAG, derOid, derTlv } from '../keys/der.js';

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
    noble: p384,
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
    noble: p521,
    digest: sha512,
  },
};

/** id-ecPublicKey (RFC 5480). */
export const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';

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

/** @internal shared with ec-private.ts */
export function curveByOid(oid: string): EcCurveInfo | undefined {
  return EC_CURVES.map((c) => INFO[c]).find((i) => i.oid === oid);
}

/** @internal shared with ec-private.ts */
export function bad(what: string, msg: string): LineproofError {
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
/** @internal shared with ec-private.ts */
export function readEcAlgorithm(r: DerReader, offset: number, limit: number): { info: EcCurveInfo; end: number } {
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
/** @internal shared with ec-private.ts */
export function pemBlocks(text: string, what: string): PemFound[] {
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

/** @internal shared with ec-private.ts */
export function inputText(input: string | Uint8Array, what: string): string | undefined {
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
