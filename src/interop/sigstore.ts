/**
 * Sigstore bundles v0.3 (`application/vnd.dev.sigstore.bundle.v0.3+json`, sigstore/protobuf-specs
 * `Bundle` in its JSON mapping) holding one DSSE envelope and a public-key hint: the shape
 * "key-based" Sigstore verifiers read (sigstore-js `@sigstore/verify` with a public key for the hint,
 * OpenSSF model_signing v1.1+ with an EC key).
 *
 * ```json
 * {"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json",
 *  "verificationMaterial":{"publicKey":{"hint":"<text>"},"tlogEntries":[]},
 *  "dsseEnvelope":{"payload":"<base64>","payloadType":"application/vnd.in-toto+json","signatures":[{"sig":"<base64>","keyid":""}]}}
 * ```
 *
 * Reading is strict (spec/oms.md "Sigstore bundles"): strict JSON; the v0.3 media type (either
 * spelling); lowerCamelCase field names only; an unknown field fails (protobuf JSON parsers reject
 * them too); exactly one DSSE signature (several: SIGSTORE_MULTIPLE_SIGNATURES); strict base64.
 * What Lineproof cannot verify offline — certificates, transparency-log entries, RFC 3161
 * timestamps, message signatures — is refused with SIGSTORE_BUNDLE_UNSUPPORTED rather than dropped.
 * The hint is unauthenticated: it never selects or vouches for a key.
 */
import { fromUtf8, isBytes, toBase64 } from '../bytes/index.js';
import { omsKeyHint, parseEcPublicKey } from '../pki/ec.js';
import { LineproofError, describeType } from '../errors.js';
import { isJsonObject, parseJson, type JsonValue } from '../json/strict.js';
import { resolveLimits, type Limits } from '../limits.js';
import {
  allowOnly,
  bundleReader,
  readKeyMaterial,
  type BundleKeyMaterial,
  type BundleReader,
} from '../pki/bundle-read.js';
import { parseEnvelope, encodeEnvelope, type DecodedEnvelope, type Envelope } from '../dsse/envelope.js';
import { verifyEnvelope, type EnvelopeVerification, type VerifyEnvelopeOptions } from '../dsse/verify.js';
import { ReportBuilder } from '../report/index.js';

/** The Sigstore bundle v0.3 media type. */
export const SIGSTORE_BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
/** The older spelling of the same v0.3 media type (still valid per protobuf-specs). */
export const SIGSTORE_BUNDLE_V03_LEGACY_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle+json;version=0.3';

/** A Sigstore bundle v0.3 with a public-key hint and a DSSE envelope, in its JSON form. */
export interface SigstoreBundle {
  mediaType: string;
  verificationMaterial: { publicKey: { hint: string }; tlogEntries: [] };
  dsseEnvelope: { payload: string; payloadType: string; signatures: [{ sig: string; keyid: string }] };
}

/** A bundle as read by {@link readKeyBundle}. */
export interface ReadKeyBundle {
  mediaType: string;
  key: BundleKeyMaterial;
  /** The envelope with exactly one signature. */
  envelope: DecodedEnvelope;
  /** The signature's keyid as written: a string, `null` (model_signing 1.0.x) or absent. */
  keyid: string | null | undefined;
}

/** @internal Options of {@link readKeyBundle}. */
interface ReadKeyBundleOptions {
  /** `sigstore`: protobuf-specs shape only; `oms`: also model_signing v1.0.x (`publicKey.rawBytes`, `keyDetails`). */
  dialect: 'sigstore' | 'oms';
  limits?: Partial<Limits>;
  what?: string;
}

/**
 * @internal Read a key-based Sigstore bundle strictly (shared by the Sigstore converter and the
 * model_signing verifier, whose v1.0.x bundles need the `oms` dialect).
 * @param input the bundle: bytes, text or a parsed value
 * @param options the dialect, limits, a name for messages
 * @returns the media type, the key material, the envelope (one signature) and the keyid as written
 * @example
 * ```ts
 * const b = readKeyBundle(bytes, { dialect: 'oms', what: 'model.sig' });
 * ```
 * @throws {LineproofError} JSON_* codes, BASE64_* codes, SIGSTORE_BUNDLE_INVALID / OMS_BUNDLE_INVALID,
 *   SIGSTORE_BUNDLE_UNSUPPORTED / OMS_BUNDLE_UNSUPPORTED, SIGSTORE_MULTIPLE_SIGNATURES, DSSE_* parse codes
 */
export function readKeyBundle(input: Uint8Array | string | JsonValue, options: ReadKeyBundleOptions): ReadKeyBundle {
  const limits = resolveLimits(options.limits);
  const oms = options.dialect === 'oms';
  const what = options.what ?? 'bundle';
  const r = bundleReader(oms, what);
  const { INVALID, invalid, unsupported } = r;

  const v: unknown =
    isBytes(input) || typeof input === 'string'
      ? parseJson(input, { what, maxBytes: limits.envelopeBytes, maxDepth: limits.jsonDepth })
      : input;
  if (!isJsonObject(v)) throw invalid('$', 'expected a JSON object');
  if (Object.hasOwn(v, 'messageSignature'))
    throw unsupported('messageSignature', 'a message-signature bundle; only DSSE-envelope bundles are read');
  allowOnly(v, ['mediaType', 'verificationMaterial', 'dsseEnvelope'], '', INVALID, what);
  const mediaType = v.mediaType;
  if (mediaType !== SIGSTORE_BUNDLE_V03_MEDIA_TYPE && mediaType !== SIGSTORE_BUNDLE_V03_LEGACY_MEDIA_TYPE) {
    throw new LineproofError(
      INVALID,
      `${what}: mediaType: expected ${SIGSTORE_BUNDLE_V03_MEDIA_TYPE}, got ${JSON.stringify(mediaType ?? null).slice(0, 100)}`,
      {
        path: 'mediaType',
        expected: SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
        ...(typeof mediaType === 'string' ? { actual: mediaType.slice(0, 100) } : {}),
      },
    );
  }

  const key = readKeyMaterial(v.verificationMaterial, oms, r);
  const { envelope, keyid } = readDsseEnvelope(v.dsseEnvelope, limits, r);
  return { mediaType, key, envelope, keyid };
}

/** `dsseEnvelope`: exactly one signature, non-empty payload and signature. */
function readDsseEnvelope(
  env: JsonValue | undefined,
  limits: Limits,
  r: BundleReader,
): { envelope: DecodedEnvelope; keyid: string | null | undefined } {
  const { what, INVALID, invalid } = r;
  if (!isJsonObject(env)) throw invalid('dsseEnvelope', env === undefined ? 'missing' : 'expected an object');
  allowOnly(env, ['payload', 'payloadType', 'signatures'], 'dsseEnvelope', INVALID, what);
  const sigs = env.signatures;
  if (!Array.isArray(sigs) || sigs.length === 0)
    throw invalid('dsseEnvelope.signatures', 'expected exactly one signature');
  if (sigs.length > 1) {
    throw new LineproofError(
      'SIGSTORE_MULTIPLE_SIGNATURES',
      `${what}: dsseEnvelope.signatures: a Sigstore bundle carries exactly one signature, got ${sigs.length}`,
      {
        path: 'dsseEnvelope.signatures',
        expected: '1',
        actual: String(sigs.length),
      },
    );
  }
  const s0 = sigs[0];
  if (!isJsonObject(s0)) throw invalid('dsseEnvelope.signatures[0]', 'expected an object');
  allowOnly(s0, ['sig', 'keyid'], 'dsseEnvelope.signatures[0]', INVALID, what);
  const keyid = s0.keyid;
  if (keyid !== undefined && keyid !== null && typeof keyid !== 'string')
    throw invalid('dsseEnvelope.signatures[0].keyid', 'expected a string');
  const envelope = parseEnvelope(env, { limits, what: `${what}: dsseEnvelope` });
  if (envelope.signatures[0]!.sig.length === 0) throw invalid('dsseEnvelope.signatures[0].sig', 'empty signature');
  if (envelope.payload.length === 0) throw invalid('dsseEnvelope.payload', 'empty payload');
  return { envelope, keyid };
}

function checkHint(hint: unknown): asserts hint is string {
  if (typeof hint !== 'string' || hint === '' || hint.length > 1024 || /[\u0000-\u001f\u007f]/.test(hint)) {
    throw new LineproofError(
      'INVALID_ARGUMENT',
      `hint: expected 1..1024 characters without control characters, got ${typeof hint === 'string' ? `${hint.length} characters` : describeType(hint)}`,
      { path: 'hint' },
    );
  }
}

/** Options of {@link toSigstoreBundle}. */
export interface ToSigstoreBundleOptions {
  /** The public-key hint (default: the signature's keyid). A verifier looks its key up by it. */
  hint?: string;
  limits?: Partial<Limits>;
}

/**
 * Wrap a DSSE envelope with one signature in a Sigstore bundle v0.3 with a public-key hint, no
 * transparency-log entry and no certificate. The envelope's payload, payloadType, signature and
 * keyid are carried unchanged, so {@link fromSigstoreBundle} gives the same envelope back.
 *
 * @param envelope the envelope: bytes, text, a parsed value or wire form
 * @param options the hint (default: the signature's keyid), limits
 * @returns the bundle (JSON value; write it with {@link serializeSigstoreBundle})
 * @throws {LineproofError} SIGSTORE_MULTIPLE_SIGNATURES (a bundle carries one signature: split the
 *   envelope per signer), SIGSTORE_BUNDLE_INVALID (no signature), INVALID_ARGUMENT (no usable hint),
 *   and the parse codes of `parseEnvelope`
 * @example
 * ```ts
 * const bundle = toSigstoreBundle(envelopeText, { hint: 'alice' });
 * writeFileSync('statement.sigstore.json', serializeSigstoreBundle(bundle));
 * ```
 */
export function toSigstoreBundle(
  envelope: Uint8Array | string | JsonValue | Envelope,
  options: ToSigstoreBundleOptions = {},
): SigstoreBundle {
  const env = parseEnvelope(envelope, { ...(options.limits ? { limits: options.limits } : {}) });
  if (env.signatures.length === 0)
    throw new LineproofError(
      'SIGSTORE_BUNDLE_INVALID',
      'the envelope has no signature; a Sigstore bundle carries exactly one',
      { path: 'signatures', expected: '1', actual: '0' },
    );
  if (env.signatures.length > 1) {
    throw new LineproofError(
      'SIGSTORE_MULTIPLE_SIGNATURES',
      `the envelope has ${env.signatures.length} signatures; a Sigstore bundle carries exactly one (make one bundle per signer)`,
      {
        path: 'signatures',
        expected: '1',
        actual: String(env.signatures.length),
      },
    );
  }
  const sig = env.signatures[0]!;
  const hint = options.hint ?? sig.keyid;
  if (hint === undefined)
    throw new LineproofError('INVALID_ARGUMENT', 'hint: the signature has no keyid, so a hint must be given', {
      path: 'hint',
    });
  checkHint(hint);
  const wire = encodeEnvelope(env);
  return {
    mediaType: SIGSTORE_BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint }, tlogEntries: [] },
    dsseEnvelope: {
      payload: wire.payload,
      payloadType: wire.payloadType,
      signatures: [{ sig: toBase64(sig.sig), keyid: sig.keyid ?? '' }],
    },
  };
}

/**
 * A bundle as one line of JSON (protobuf field order, as Sigstore tools write it) and a final LF.
 * @param bundle from {@link toSigstoreBundle} or `signOmsManifest`
 * @returns the text to write
 * @example
 * ```ts
 * writeFileSync('model.sig', serializeSigstoreBundle(bundle));
 * ```
 */
export function serializeSigstoreBundle(bundle: SigstoreBundle): string {
  const b = bundle;
  const s = b.dsseEnvelope.signatures[0];
  const ordered = {
    mediaType: b.mediaType,
    verificationMaterial: { publicKey: { hint: b.verificationMaterial.publicKey.hint }, tlogEntries: [] },
    dsseEnvelope: {
      payload: b.dsseEnvelope.payload,
      payloadType: b.dsseEnvelope.payloadType,
      signatures: [{ sig: s.sig, keyid: s.keyid }],
    },
  };
  return `${JSON.stringify(ordered)}\n`;
}

/** The result of {@link fromSigstoreBundle}. */
export interface FromSigstoreBundle {
  /** The envelope in wire form (one signature). */
  envelope: Envelope;
  /** The unauthenticated public-key hint (`''` when absent). */
  hint: string;
  mediaType: string;
}

/**
 * Read a Sigstore bundle v0.3 (public-key hint, one DSSE envelope) strictly and return its
 * envelope. Nothing is verified here: verify the envelope (or use {@link verifySigstoreBundle}).
 * model_signing 1.0.x key bundles (`publicKey.rawBytes` holding the PEM, `keyDetails`) are read
 * too; their hint is the SHA-256 hex of that key's PEM, as model_signing 1.1+ writes it.
 * @param input the bundle: bytes, text or a parsed value
 * @param options limits and a name for messages
 * @returns the envelope, the hint and the media type
 * @throws {LineproofError} SIGSTORE_BUNDLE_INVALID (with the field path), SIGSTORE_BUNDLE_UNSUPPORTED
 *   (certificates, log entries, timestamps, message signatures), SIGSTORE_MULTIPLE_SIGNATURES,
 *   JSON_*, BASE64_*, DSSE_* parse codes
 * @example
 * ```ts
 * const { envelope } = fromSigstoreBundle(readFileSync('statement.sigstore.json'));
 * ```
 */
export function fromSigstoreBundle(
  input: Uint8Array | string | JsonValue,
  options: { limits?: Partial<Limits>; what?: string } = {},
): FromSigstoreBundle {
  const read = readSigstore(input, options, true);
  const env = encodeEnvelope(read.envelope);
  // Keep the keyid as written ('' when null or absent).
  env.signatures = [{ keyid: read.keyid, sig: env.signatures[0]!.sig }];
  return { envelope: env, hint: read.hint, mediaType: read.mediaType };
}

/**
 * A Sigstore bundle read strictly: its decoded envelope, keyid as written, hint and media type. With
 * `legacy`, a bundle the protobuf-specs shape refuses may still be model_signing 1.0.x's key bundle
 * (`publicKey: {rawBytes: <PEM>, keyDetails}`): its hint is then the SHA-256 of that PEM (what
 * model_signing 1.1 writes as the hint for the same key).
 */
function readSigstore(
  input: Uint8Array | string | JsonValue,
  options: { limits?: Partial<Limits>; what?: string },
  legacy = false,
): { envelope: DecodedEnvelope; keyid: string; hint: string; mediaType: string } {
  let b: ReadKeyBundle;
  try {
    b = readKeyBundle(input, { dialect: 'sigstore', ...options });
  } catch (e) {
    if (!legacy) throw e;
    let old: ReadKeyBundle;
    try {
      old = readKeyBundle(input, { dialect: 'oms', ...options });
    } catch {
      throw e;
    }
    if (old.key.kind !== 'rawBytes') throw e;
    let hint: string;
    try {
      // model_signing 1.0.x wrote the key's PEM here; anything else is not that format
      const pem = fromUtf8(old.key.rawBytes, 'verificationMaterial.publicKey.rawBytes');
      if (!pem.startsWith('-----BEGIN PUBLIC KEY-----')) throw e;
      hint = omsKeyHint(parseEcPublicKey(pem));
    } catch {
      throw e;
    }
    b = { ...old, key: { kind: 'hint', hint } };
  }
  if (b.key.kind !== 'hint') throw new LineproofError('INTERNAL', 'sigstore dialect returned raw key bytes');
  const keyid = typeof b.keyid === 'string' ? b.keyid : '';
  return { envelope: b.envelope, keyid, hint: b.key.hint, mediaType: b.mediaType };
}

/** The outcome of {@link verifySigstoreBundle}: the envelope's verification plus the bundle check. */
export interface SigstoreBundleVerification extends EnvelopeVerification {
  /** The bundle's unauthenticated hint, when the bundle could be read. */
  hint?: string;
}

/**
 * Verify a Sigstore bundle holding one of our DSSE envelopes: read it strictly (check
 * `sigstore.bundle`), then verify the envelope exactly as `verifyEnvelope` does (its `dsse.*`
 * checks, the same trusted keys, threshold and payloadType rules). The hint never picks a key.
 * Never throws on untrusted input. Report kind `sigstore`.
 * @param input the bundle
 * @param options as `verifyEnvelope` (trustedKeys, threshold, payloadType, verifier, limits, what)
 * @returns the report, and the verified payload and statement when ok
 * @throws {RangeError|TypeError} for misuse (as `verifyEnvelope`)
 * @example
 * ```ts
 * const { report } = await verifySigstoreBundle(bytes, { trustedKeys: [alice] });
 * assertVerified(report);
 * ```
 */
export async function verifySigstoreBundle(
  input: Uint8Array | string | JsonValue,
  options: VerifyEnvelopeOptions,
): Promise<SigstoreBundleVerification> {
  const what = options.what ?? 'bundle';
  const rb = new ReportBuilder('sigstore');
  let read: ReturnType<typeof readSigstore>;
  try {
    read = readSigstore(input, { what, ...(options.limits ? { limits: options.limits } : {}) });
  } catch (e) {
    // Misuse of the options still throws from verifyEnvelope below; here only the input failed.
    rb.failFrom('sigstore.bundle', what, e);
    rb.result({ subject: what, ok: false, chain: [] });
    return { report: rb.build(), verifiedKeys: [] };
  }
  rb.pass(
    'sigstore.bundle',
    what,
    `a Sigstore bundle v0.3 with public-key hint ${JSON.stringify(read.hint.slice(0, 80))} (unauthenticated) and one DSSE signature`,
  );
  // The decoded envelope as read: verified by the same rules and limits, never re-encoded.
  const inner = await verifyEnvelope(read.envelope, { ...options, what });
  for (const c of inner.report.checks) rb.add(c);
  for (const r of inner.report.results) rb.result({ ...r, ok: rb.ok });
  return { ...inner, report: rb.build(), hint: read.hint };
}
