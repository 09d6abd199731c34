/**
 * @internal Reading a Sigstore bundle's `verificationMaterial` strictly (see sigstore.ts): a
 * public key (a hint, or model_signing 1.0.x's `rawBytes`), or — in the `oms` dialect — a PKI
 * certificate chain (`x509CertificateChain`, model_signing's `sign certificate`). Sigstore keyless
 * material (`certificate`, log entries, timestamps) is refused here; the Node adapter verifies it
 * with @sigstore/verify.
 */
import { fromBase64 } from '../bytes/index.js';
import { LineproofError, type ErrorCode } from '../errors.js';
import { isJsonObject, joinPath, type JsonObject, type JsonValue } from '../json/strict.js';
import { MAX_CERTIFICATE_BYTES } from './x509.js';

/** Most certificates a bundle's x509CertificateChain may hold. */
export const MAX_BUNDLE_CERTIFICATES = 10;

/** Key material of a bundle read by {@link readKeyBundle}. */
export type BundleKeyMaterial =
  | { kind: 'hint'; hint: string }
  /** model_signing v1.0.x only: a PublicKey message where protobuf-specs has a PublicKeyIdentifier. */
  | { kind: 'rawBytes'; rawBytes: Uint8Array; keyDetails?: string }
  /** model_signing `sign certificate`: the leaf first, then intermediates (DER, untrusted). */
  | { kind: 'x509CertificateChain'; certificates: Uint8Array[] };

/** Refuse any field of `o` not in `keys`. */
export function allowOnly(o: JsonObject, keys: readonly string[], path: string, code: ErrorCode, what: string): void {
  for (const k of Object.keys(o)) {
    if (!keys.includes(k)) {
      throw new LineproofError(
        code,
        `${what}: ${joinPath(path, k)}: unknown field (expected ${keys.join(', ')}; field names are lowerCamelCase)`,
        { path: joinPath(path, k) },
      );
    }
  }
}

/** Error makers of one bundle read: the dialect's codes, messages naming the input. */
export interface BundleReader {
  what: string;
  INVALID: ErrorCode;
  invalid: (path: string, msg: string) => LineproofError;
  unsupported: (path: string, msg: string) => LineproofError;
}

/** The error makers of a dialect. */
export function bundleReader(oms: boolean, what: string): BundleReader {
  const INVALID: ErrorCode = oms ? 'OMS_BUNDLE_INVALID' : 'SIGSTORE_BUNDLE_INVALID';
  const UNSUPPORTED: ErrorCode = oms ? 'OMS_BUNDLE_UNSUPPORTED' : 'SIGSTORE_BUNDLE_UNSUPPORTED';
  return {
    what,
    INVALID,
    invalid: (path, msg) => new LineproofError(INVALID, `${what}: ${path}: ${msg}`, { path }),
    unsupported: (path, msg) => new LineproofError(UNSUPPORTED, `${what}: ${path}: ${msg}`, { path }),
  };
}

/** `verificationMaterial`: a public key (or, `oms`, a certificate chain); no log entries or timestamps. */
export function readKeyMaterial(vm: JsonValue | undefined, oms: boolean, r: BundleReader): BundleKeyMaterial {
  const { what, INVALID, invalid, unsupported } = r;
  if (!isJsonObject(vm)) throw invalid('verificationMaterial', vm === undefined ? 'missing' : 'expected an object');
  if (oms && Object.hasOwn(vm, 'x509CertificateChain') && !Object.hasOwn(vm, 'certificate'))
    return readCertificateChain(vm, r);
  if (Object.hasOwn(vm, 'certificate') || Object.hasOwn(vm, 'x509CertificateChain')) {
    throw unsupported(
      'verificationMaterial',
      oms
        ? 'a Sigstore keyless (Fulcio certificate) bundle: verify it with --identity and --identity-provider (the Node adapter checks it with @sigstore/verify)'
        : 'certificate-based (Sigstore keyless or PKI) bundles are not converted; only public-key bundles',
    );
  }
  allowOnly(vm, ['publicKey', 'tlogEntries', 'timestampVerificationData'], 'verificationMaterial', INVALID, what);
  refuseLogMaterial(vm, r);
  const pk = vm.publicKey;
  if (!isJsonObject(pk))
    throw invalid(
      'verificationMaterial.publicKey',
      pk === undefined ? 'missing (a public-key bundle needs it)' : 'expected an object',
    );
  if (oms && (Object.hasOwn(pk, 'rawBytes') || Object.hasOwn(pk, 'keyDetails'))) {
    // model_signing 1.0.x wrote a PublicKey message here: {rawBytes, keyDetails}.
    allowOnly(pk, ['rawBytes', 'keyDetails'], 'verificationMaterial.publicKey', INVALID, what);
    if (typeof pk.rawBytes !== 'string')
      throw invalid('verificationMaterial.publicKey.rawBytes', 'expected a base64 string');
    const rawBytes = decodeField(pk.rawBytes, 'verificationMaterial.publicKey.rawBytes', what);
    if (rawBytes.length === 0) throw invalid('verificationMaterial.publicKey.rawBytes', 'empty');
    if (pk.keyDetails !== undefined && typeof pk.keyDetails !== 'string')
      throw invalid('verificationMaterial.publicKey.keyDetails', 'expected a string');
    return typeof pk.keyDetails === 'string'
      ? { kind: 'rawBytes', rawBytes, keyDetails: pk.keyDetails }
      : { kind: 'rawBytes', rawBytes };
  } else {
    allowOnly(pk, ['hint'], 'verificationMaterial.publicKey', INVALID, what);
    const hint = pk.hint ?? '';
    if (typeof hint !== 'string') throw invalid('verificationMaterial.publicKey.hint', 'expected a string');
    return { kind: 'hint', hint };
  }
}

/** No transparency-log entries and no timestamps: this reader verifies neither. */
function refuseLogMaterial(vm: JsonObject, r: BundleReader): void {
  const { what, INVALID, invalid, unsupported } = r;
  if (Object.hasOwn(vm, 'tlogEntries')) {
    const t = vm.tlogEntries;
    if (!Array.isArray(t)) throw invalid('verificationMaterial.tlogEntries', 'expected an array');
    if (t.length > 0)
      throw unsupported(
        'verificationMaterial.tlogEntries',
        `${t.length} transparency-log entries: Lineproof verifies offline and does not check log entries, so it refuses to pass them over silently`,
      );
  }
  if (Object.hasOwn(vm, 'timestampVerificationData')) {
    const tv = vm.timestampVerificationData;
    if (!isJsonObject(tv)) throw invalid('verificationMaterial.timestampVerificationData', 'expected an object');
    allowOnly(tv, ['rfc3161Timestamps'], 'verificationMaterial.timestampVerificationData', INVALID, what);
    const ts = tv.rfc3161Timestamps;
    if (ts !== undefined && !Array.isArray(ts))
      throw invalid('verificationMaterial.timestampVerificationData.rfc3161Timestamps', 'expected an array');
    if (Array.isArray(ts) && ts.length > 0)
      throw unsupported(
        'verificationMaterial.timestampVerificationData',
        'RFC 3161 timestamps are not verified by Lineproof',
      );
  }
}

/** `x509CertificateChain: {certificates: [{rawBytes}, …]}`: 1 to MAX_BUNDLE_CERTIFICATES DER certificates. */
function readCertificateChain(vm: JsonObject, r: BundleReader): BundleKeyMaterial {
  const { what, INVALID, invalid } = r;
  allowOnly(
    vm,
    ['x509CertificateChain', 'tlogEntries', 'timestampVerificationData'],
    'verificationMaterial',
    INVALID,
    what,
  );
  refuseLogMaterial(vm, r);
  const base = 'verificationMaterial.x509CertificateChain';
  const xc = vm.x509CertificateChain;
  if (!isJsonObject(xc)) throw invalid(base, 'expected an object');
  allowOnly(xc, ['certificates'], base, INVALID, what);
  const list = xc.certificates;
  if (!Array.isArray(list) || list.length === 0) throw invalid(`${base}.certificates`, 'expected a non-empty array');
  if (list.length > MAX_BUNDLE_CERTIFICATES)
    throw new LineproofError(
      'LIMIT_EXCEEDED',
      `${what}: ${base}.certificates: ${list.length} certificates, more than ${MAX_BUNDLE_CERTIFICATES}`,
      { path: `${base}.certificates`, expected: `<= ${MAX_BUNDLE_CERTIFICATES}`, actual: String(list.length) },
    );
  const certificates = list.map((c, i) => {
    const at = `${base}.certificates[${i}]`;
    if (!isJsonObject(c)) throw invalid(at, 'expected an object');
    allowOnly(c, ['rawBytes'], at, INVALID, what);
    if (typeof c.rawBytes !== 'string') throw invalid(`${at}.rawBytes`, 'expected a base64 string');
    if (c.rawBytes.length > Math.ceil((MAX_CERTIFICATE_BYTES * 4) / 3) + 4)
      throw new LineproofError('LIMIT_EXCEEDED', `${what}: ${at}.rawBytes: more than ${MAX_CERTIFICATE_BYTES} bytes`, {
        path: `${at}.rawBytes`,
        expected: `<= ${MAX_CERTIFICATE_BYTES}`,
      });
    const der = decodeField(c.rawBytes, `${at}.rawBytes`, what);
    if (der.length === 0) throw invalid(`${at}.rawBytes`, 'empty');
    return der;
  });
  return { kind: 'x509CertificateChain', certificates };
}

/** Strict base64 of a bundle field, the error naming the input. */
export function decodeField(text: string, path: string, what: string): Uint8Array {
  try {
    return fromBase64(text, path);
  } catch (e) {
    if (e instanceof LineproofError) throw new LineproofError(e.code, `${what}: ${e.message}`, { path, cause: e });
    throw e;
  }
}
