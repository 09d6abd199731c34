/**
 * Sigstore bundle lines of an `.intoto.jsonl` bundle (decisions §14, spec/envelopes.md §6): a line
 * may be a Sigstore bundle (v0.2 or v0.3) wrapping one DSSE envelope, whose verification material
 * travels with its one signature:
 *
 * - `publicKey: {hint}` — a key signature, as on a plain line (the hint only orders the tries);
 * - `certificate: {rawBytes}` (v0.3) or `x509CertificateChain: {certificates}` (v0.2) — a
 *   certificate signature: the leaf's key verifies it, and the policy's certificate authorities
 *   decide whom the leaf names (a private CA, or Sigstore with the bundle's `tlogEntries`);
 * - `timestampVerificationData.rfc3161Timestamps` — RFC 3161 tokens over the signature bytes,
 *   trusted time when a timestamp authority of the policy signed them.
 *
 * The envelope is its (payloadType, payload) as for any line: it merges with plain lines of the
 * same payload, and the signature with the same bytes elsewhere. Material never vouches for
 * itself: it is untrusted until the verifier checks it against the policy, so adding a line can
 * only add a signature that trusted material verifies. Reading is strict (unknown fields fail; the
 * message names the line) and bounded (certificates, tokens, their bytes).
 */
import { sha256Hex } from '../digest/index.js';
import { parseEnvelope, type DecodedEnvelope, type Envelope } from '../dsse/envelope.js';
import { toBase64 } from '../bytes/index.js';
import { LineproofError } from '../errors.js';
import { canonicalBytes, canonicalJson } from '../json/canonical.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../json/strict.js';
import type { Limits } from '../limits.js';
import { allowOnly, decodeField, MAX_BUNDLE_CERTIFICATES } from '../pki/bundle-read.js';
import { MAX_CERTIFICATE_BYTES } from '../pki/x509.js';

/** Sigstore bundle media types a line may carry. */
export const SIGSTORE_LINE_MEDIA_TYPES: readonly string[] = Object.freeze([
  'application/vnd.dev.sigstore.bundle.v0.3+json',
  'application/vnd.dev.sigstore.bundle+json;version=0.3',
  'application/vnd.dev.sigstore.bundle+json;version=0.2',
]);

/** Most RFC 3161 tokens one line may carry. */
export const MAX_LINE_TIMESTAMPS = 4;
/** Largest RFC 3161 token accepted (DER bytes). */
export const MAX_TIMESTAMP_BYTES = 64 * 1024;
/** Most distinct pieces of material one signature may carry across lines. */
export const MAX_SIGNATURE_MATERIALS = 4;

/** Verification material of one signature, as a Sigstore bundle line carries it (untrusted). */
export interface SignatureMaterial {
  /** `sha256:` of the JCS of `verificationMaterial`: material is the same when this is. */
  id: string;
  /** The signing certificate first, then intermediates (DER); absent for a key signature. */
  certificates?: Uint8Array[];
  /** RFC 3161 tokens (DER) over the signature bytes. */
  timestamps: Uint8Array[];
  /** The whole line, for a Sigstore verifier (Fulcio certificate, Rekor entries): set with `certificates`. */
  sigstoreBundle?: JsonObject;
}

/** Whether a parsed line is a Sigstore bundle (it has `mediaType`) rather than a DSSE envelope. */
export function isSigstoreLine(value: unknown): value is JsonObject {
  return isJsonObject(value) && Object.hasOwn(value, 'mediaType');
}

function invalid(what: string, path: string, msg: string): LineproofError {
  return new LineproofError('SIGSTORE_BUNDLE_INVALID', `${what}: ${path}: ${msg}`, { path });
}

function tooMany(what: string, path: string, n: number, max: number): LineproofError {
  return new LineproofError('LIMIT_EXCEEDED', `${what}: ${path}: ${n}, more than ${max}`, {
    path,
    expected: `<= ${max}`,
    actual: String(n),
  });
}

/** Strict base64 of at most `max` bytes, non-empty. */
function bytesField(value: unknown, path: string, what: string, max: number): Uint8Array {
  if (typeof value !== 'string') throw invalid(what, path, 'expected a base64 string');
  if (value.length > Math.ceil((max * 4) / 3) + 4)
    throw new LineproofError('LIMIT_EXCEEDED', `${what}: ${path}: more than ${max} bytes`, {
      path,
      expected: `<= ${max}`,
    });
  const bytes = decodeField(value, path, what);
  if (bytes.length === 0) throw invalid(what, path, 'empty');
  return bytes;
}

function readCertificates(vm: JsonObject, what: string): Uint8Array[] | undefined {
  if (Object.hasOwn(vm, 'certificate')) {
    const c = vm.certificate;
    if (!isJsonObject(c)) throw invalid(what, 'verificationMaterial.certificate', 'expected an object');
    allowOnly(c, ['rawBytes'], 'verificationMaterial.certificate', 'SIGSTORE_BUNDLE_INVALID', what);
    return [bytesField(c.rawBytes, 'verificationMaterial.certificate.rawBytes', what, MAX_CERTIFICATE_BYTES)];
  }
  if (!Object.hasOwn(vm, 'x509CertificateChain')) return undefined;
  const base = 'verificationMaterial.x509CertificateChain';
  const xc = vm.x509CertificateChain;
  if (!isJsonObject(xc)) throw invalid(what, base, 'expected an object');
  allowOnly(xc, ['certificates'], base, 'SIGSTORE_BUNDLE_INVALID', what);
  const list = xc.certificates;
  if (!Array.isArray(list) || list.length === 0)
    throw invalid(what, `${base}.certificates`, 'expected a non-empty array');
  if (list.length > MAX_BUNDLE_CERTIFICATES)
    throw tooMany(what, `${base}.certificates`, list.length, MAX_BUNDLE_CERTIFICATES);
  return list.map((c, i) => {
    const at = `${base}.certificates[${i}]`;
    if (!isJsonObject(c)) throw invalid(what, at, 'expected an object');
    allowOnly(c, ['rawBytes'], at, 'SIGSTORE_BUNDLE_INVALID', what);
    return bytesField(c.rawBytes, `${at}.rawBytes`, what, MAX_CERTIFICATE_BYTES);
  });
}

function readTimestamps(vm: JsonObject, what: string): Uint8Array[] {
  if (!Object.hasOwn(vm, 'timestampVerificationData')) return [];
  const base = 'verificationMaterial.timestampVerificationData';
  const tv = vm.timestampVerificationData;
  if (!isJsonObject(tv)) throw invalid(what, base, 'expected an object');
  allowOnly(tv, ['rfc3161Timestamps'], base, 'SIGSTORE_BUNDLE_INVALID', what);
  const list = tv.rfc3161Timestamps ?? [];
  if (!Array.isArray(list)) throw invalid(what, `${base}.rfc3161Timestamps`, 'expected an array');
  if (list.length > MAX_LINE_TIMESTAMPS)
    throw tooMany(what, `${base}.rfc3161Timestamps`, list.length, MAX_LINE_TIMESTAMPS);
  return list.map((t, i) => {
    const at = `${base}.rfc3161Timestamps[${i}]`;
    if (!isJsonObject(t)) throw invalid(what, at, 'expected an object');
    allowOnly(t, ['signedTimestamp'], at, 'SIGSTORE_BUNDLE_INVALID', what);
    return bytesField(t.signedTimestamp, `${at}.signedTimestamp`, what, MAX_TIMESTAMP_BYTES);
  });
}

/**
 * Read one Sigstore bundle line: its envelope (one signature) and that signature's material.
 * @param value the parsed line (a JSON object with `mediaType`)
 * @param limits envelope limits
 * @param what names the line in errors
 * @throws {LineproofError} SIGSTORE_BUNDLE_INVALID, SIGSTORE_BUNDLE_UNSUPPORTED (a message
 *   signature), SIGSTORE_MULTIPLE_SIGNATURES, LIMIT_EXCEEDED, BASE64_* and DSSE_* parse codes
 */
export function readSigstoreLine(
  value: JsonObject,
  limits: Limits,
  what: string,
): { envelope: DecodedEnvelope; material: SignatureMaterial } {
  if (Object.hasOwn(value, 'messageSignature'))
    throw new LineproofError(
      'SIGSTORE_BUNDLE_UNSUPPORTED',
      `${what}: messageSignature: a message-signature bundle; a bundle line wraps a DSSE envelope`,
      { path: 'messageSignature' },
    );
  allowOnly(value, ['mediaType', 'verificationMaterial', 'dsseEnvelope'], '', 'SIGSTORE_BUNDLE_INVALID', what);
  if (typeof value.mediaType !== 'string' || !SIGSTORE_LINE_MEDIA_TYPES.includes(value.mediaType))
    throw invalid(what, 'mediaType', `expected one of ${SIGSTORE_LINE_MEDIA_TYPES.join(', ')}`);
  const vm = value.verificationMaterial;
  if (!isJsonObject(vm)) throw invalid(what, 'verificationMaterial', 'expected an object');
  allowOnly(
    vm,
    ['publicKey', 'certificate', 'x509CertificateChain', 'tlogEntries', 'timestampVerificationData'],
    'verificationMaterial',
    'SIGSTORE_BUNDLE_INVALID',
    what,
  );
  const kinds = ['publicKey', 'certificate', 'x509CertificateChain'].filter((k) => Object.hasOwn(vm, k));
  if (kinds.length !== 1)
    throw invalid(what, 'verificationMaterial', 'expected exactly one of publicKey, certificate, x509CertificateChain');
  if (Object.hasOwn(vm, 'publicKey')) {
    const pk = vm.publicKey;
    if (!isJsonObject(pk)) throw invalid(what, 'verificationMaterial.publicKey', 'expected an object');
    allowOnly(pk, ['hint'], 'verificationMaterial.publicKey', 'SIGSTORE_BUNDLE_INVALID', what);
    if (pk.hint !== undefined && typeof pk.hint !== 'string')
      throw invalid(what, 'verificationMaterial.publicKey.hint', 'expected a string');
  }
  if (Object.hasOwn(vm, 'tlogEntries') && !Array.isArray(vm.tlogEntries))
    throw invalid(what, 'verificationMaterial.tlogEntries', 'expected an array');
  const certificates = readCertificates(vm, what);
  const timestamps = readTimestamps(vm, what);
  const env = value.dsseEnvelope;
  if (!isJsonObject(env)) throw invalid(what, 'dsseEnvelope', env === undefined ? 'missing' : 'expected an object');
  allowOnly(env, ['payload', 'payloadType', 'signatures'], 'dsseEnvelope', 'SIGSTORE_BUNDLE_INVALID', what);
  const envelope = parseEnvelope(env, { limits, what: `${what}: dsseEnvelope` });
  if (envelope.signatures.length !== 1)
    throw new LineproofError(
      'SIGSTORE_MULTIPLE_SIGNATURES',
      `${what}: dsseEnvelope.signatures: a Sigstore bundle carries exactly one signature, got ${envelope.signatures.length}`,
      { path: 'dsseEnvelope.signatures', expected: '1', actual: String(envelope.signatures.length) },
    );
  const material: SignatureMaterial = {
    id: `sha256:${sha256Hex(canonicalBytes(vm))}`,
    timestamps,
    ...(certificates ? { certificates, sigstoreBundle: value } : {}),
  };
  return { envelope, material };
}

/** Verification material to put on a Sigstore bundle line. */
export interface LineMaterial {
  /** The signing certificate first, then intermediates (DER). Absent: a key signature. */
  certificates?: readonly Uint8Array[];
  /** The key's hint, for a key signature (default: the signature's keyid). */
  hint?: string;
  /** RFC 3161 tokens over the signature bytes (DER). */
  timestamps?: readonly Uint8Array[];
}

/**
 * A Sigstore bundle line (v0.3; v0.2 when a certificate chain has intermediates) wrapping a DSSE
 * envelope of exactly one signature and its material, as {@link readSigstoreLine} reads it.
 * @param envelope the envelope (one signature)
 * @param material certificates and/or timestamps
 * @returns the line, with its newline
 * @throws {TypeError} not exactly one signature; too many timestamps
 * @example
 * ```ts
 * const line = sigstoreBundleLine(envelope, { certificates: [leafDer], timestamps: [token] });
 * ```
 */
export function sigstoreBundleLine(envelope: Envelope, material: LineMaterial): string {
  if (envelope.signatures.length !== 1) throw new TypeError('a Sigstore bundle line carries exactly one signature');
  const certs = material.certificates ?? [];
  const stamps = material.timestamps ?? [];
  if (stamps.length > MAX_LINE_TIMESTAMPS) throw new TypeError(`at most ${MAX_LINE_TIMESTAMPS} timestamps`);
  const chain = certs.length > 1;
  const sig = envelope.signatures[0]!;
  const vm: Record<string, JsonValue> = chain
    ? { x509CertificateChain: { certificates: certs.map((c) => ({ rawBytes: toBase64(c) })) } }
    : certs.length === 1
      ? { certificate: { rawBytes: toBase64(certs[0]!) } }
      : { publicKey: { hint: material.hint ?? sig.keyid ?? '' } };
  vm.tlogEntries = [];
  if (stamps.length > 0)
    vm.timestampVerificationData = { rfc3161Timestamps: stamps.map((t) => ({ signedTimestamp: toBase64(t) })) };
  const line: JsonObject = {
    mediaType: chain
      ? 'application/vnd.dev.sigstore.bundle+json;version=0.2'
      : 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: vm,
    dsseEnvelope: {
      payload: envelope.payload,
      payloadType: envelope.payloadType,
      signatures: [{ sig: sig.sig, ...(sig.keyid !== undefined ? { keyid: sig.keyid } : {}) }],
    },
  };
  return `${canonicalJson(line)}\n`;
}
