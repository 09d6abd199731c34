/**
 * Elliptic-curve private keys for OpenSSF model signing interop (decisions §4): from a scalar,
 * generated, read from PKCS#8 `PRIVATE KEY` (RFC 5958) or SEC1 `EC PRIVATE KEY` (RFC 5915, with or
 * without the `EC PARAMETERS` block `openssl ecparam -genkey` prints first), and written as
 * PKCS#8. The curves and public keys are in ec.ts; encrypted keys are decrypted by the Node adapter.
 */
import { isBytes } from '../bytes/index.js';
import { LineproofError, describeType } from '../errors.js';
import { encodePem } from '../keys/pem.js';
import { DerReader, TAG, derOid, derTlv, derUnsignedInteger, type Tlv } from '../keys/der.js';
import {
  OID_EC_PUBLIC_KEY,
  bad,
  curveByOid,
  ecCurveInfo,
  ecPublicKeyFromPoint,
  equalEcPublicKeys,
  inputText,
  pemBlocks,
  readEcAlgorithm,
  type EcCurve,
  type EcCurveInfo,
  type EcPrivateKey,
} from './ec.js';

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
