/**
 * Verifying OpenSSF model signing (sigstore/model-transparency `model_signing`) signatures made
 * with an elliptic-curve key, in the core (zero I/O): the bundle, the key, the ECDSA signature,
 * the in-toto Statement, and — given a way to hash the model — every file. spec/oms.md.
 */
import { fromUtf8 } from '../../bytes/index.js';
import { LineproofError, shortDigest } from '../../errors.js';
import type { JsonValue } from '../../json/strict.js';
import type { Limits } from '../../limits.js';
import { pae } from '../../dsse/pae.js';
import { decodePem, encodePem } from '../../keys/pem.js';
import { ReportBuilder, type Report } from '../../report/index.js';
import { IN_TOTO_PAYLOAD_TYPE, payloadDigest } from '../../statements/statement.js';
import type { OmsManifest, OmsSerialization } from './serialization.js';
import { parseOmsStatement } from './statement.js';
import { verifyOmsManifest, type OmsDiff } from './compare.js';
import {
  ecCurveInfo,
  ecPublicKeyFromSpki,
  equalEcPublicKeys,
  omsKeyHints,
  parseEcPublicKey,
  type EcPublicKey,
} from '../ec.js';
import { verifyEcdsa } from '../ecdsa.js';
import { readKeyBundle, type ReadKeyBundle } from '../sigstore.js';

/** Which model_signing bundle shape a signature has. */
export type OmsBundleShape = 'v1.0' | 'v1.1';

/** Options of {@link verifyOmsSignature}. */
export interface VerifyOmsSignatureOptions {
  /** The signer's public key, given by the user (never taken from the bundle). */
  publicKey: EcPublicKey;
  /** Size and depth limits for the bundle (its size limit is `envelopeBytes`). */
  limits?: Partial<Limits>;
  /** Names the signature file in the report (default `model.sig`). */
  what?: string;
}

/** The outcome of {@link verifyOmsSignature}. */
export interface OmsSignatureVerification {
  /** The report (kind `oms`); `report.ok` is the verdict on the signature and statement. */
  report: Report;
  /** The signed manifest — only when the report is ok. */
  manifest?: OmsManifest;
  /** The verified payload bytes — only when the report is ok. */
  payload?: Uint8Array;
  /** The bundle shape, when the bundle could be read. */
  shape?: OmsBundleShape;
}

interface SignatureStage {
  manifest?: OmsManifest;
  payload?: Uint8Array;
  shape?: OmsBundleShape;
  subject: string;
}

function keyFromRawBytes(raw: Uint8Array, what: string): EcPublicKey {
  // model_signing 1.0.x stored the PEM text here (protobuf-specs means DER): accept either.
  let text: string | undefined;
  try {
    text = fromUtf8(raw, what);
  } catch {
    text = undefined;
  }
  if (text !== undefined && text.trimStart().startsWith('-----BEGIN')) {
    // The field is unsigned, so it is held to one exact text: a single PEM block in the layout
    // OpenSSL and cryptography write (64-column base64, LF endings), nothing before or after —
    // otherwise two different byte strings would both "hold the given key".
    const { label, der } = decodePem(text, what);
    if (encodePem(label, der) !== text) {
      throw new LineproofError(
        'OMS_BUNDLE_INVALID',
        `${what}: not exactly one PEM block in the standard layout (extra or misplaced text)`,
        { path: what },
      );
    }
    return parseEcPublicKey(text, { what });
  }
  return ecPublicKeyFromSpki(raw, what);
}

function checkKey(rb: ReportBuilder, b: ReadKeyBundle, key: EcPublicKey, subject: string): void {
  const info = ecCurveInfo(key.curve);
  if (b.key.kind === 'rawBytes') {
    let named: EcPublicKey;
    try {
      named = keyFromRawBytes(b.key.rawBytes, 'verificationMaterial.publicKey.rawBytes');
    } catch (e) {
      rb.failFrom('oms.key', subject, e);
      return;
    }
    if (!equalEcPublicKeys(named, key)) {
      rb.fail(
        'oms.key',
        'OMS_KEY_MISMATCH',
        subject,
        `the bundle's publicKey.rawBytes holds another key (${named.curve}) than the one given (${key.curve}); it is never trusted, only compared`,
        {
          expected: `the given ${key.curve} key`,
          actual: `another ${named.curve} key`,
        },
      );
      return;
    }
    if (b.key.keyDetails !== undefined && b.key.keyDetails !== info.keyDetails) {
      rb.fail(
        'oms.key',
        'OMS_KEY_MISMATCH',
        subject,
        `the bundle's keyDetails ${JSON.stringify(b.key.keyDetails.slice(0, 60))} does not describe the given ${key.curve} key`,
        {
          expected: info.keyDetails,
          actual: b.key.keyDetails.slice(0, 60),
        },
      );
      return;
    }
    rb.pass(
      'oms.key',
      subject,
      `publicKey.rawBytes (model_signing 1.0.x) is the given ${key.curve} key`,
      b.key.keyDetails === undefined ? {} : { expected: info.keyDetails, actual: b.key.keyDetails },
    );
    return;
  }
  const hint = b.key.hint;
  if (hint === '') {
    rb.skip('oms.key', 'OK', subject, 'the bundle names no key (empty hint); the signature decides');
    return;
  }
  const hints = omsKeyHints(key);
  if (!hints.includes(hint.toLowerCase())) {
    rb.fail(
      'oms.key',
      'OMS_KEY_MISMATCH',
      subject,
      `publicKey.hint ${shortDigest(hint.slice(0, 80))} is not the SHA-256 of the given key's PEM (${shortDigest(hints[0]!)}); the signature was made for another key`,
      {
        expected: hints[0]!,
        actual: hint.slice(0, 80),
      },
    );
    return;
  }
  rb.pass('oms.key', subject, `publicKey.hint is the SHA-256 of the given ${key.curve} key's PEM`, {
    expected: hints[0]!,
    actual: hint.toLowerCase(),
  });
}

/**
 * Steps 1-5 of the pipeline (see {@link verifyOmsModel}); the report's checks are appended to `rb`.
 */
function checkSignature(
  rb: ReportBuilder,
  input: Uint8Array | string | JsonValue,
  options: VerifyOmsSignatureOptions,
): SignatureStage {
  const what = options.what ?? 'model.sig';
  const key = options.publicKey;
  if (!key || key.type !== 'ecdsa')
    throw new TypeError('"options.publicKey" expected an EcPublicKey (parseEcPublicKey)');
  ecCurveInfo(key.curve);

  // 1. the bundle
  let b: ReadKeyBundle;
  try {
    b = readKeyBundle(input, { dialect: 'oms', what, ...(options.limits ? { limits: options.limits } : {}) });
  } catch (e) {
    rb.failFrom('oms.bundle', what, e);
    return { subject: what };
  }
  const shape: OmsBundleShape = b.key.kind === 'rawBytes' ? 'v1.0' : 'v1.1';
  const subject = payloadDigest(b.envelope.payload);
  const keyidNote =
    b.keyid === null
      ? 'keyid null'
      : b.keyid === undefined || b.keyid === ''
        ? 'keyid ""'
        : `keyid ${JSON.stringify(b.keyid.slice(0, 40))} (a hint, ignored)`;
  rb.pass(
    'oms.bundle',
    what,
    `Sigstore bundle v0.3 of model_signing ${shape === 'v1.0' ? '1.0.x (publicKey.rawBytes)' : '1.1+ (publicKey.hint)'}, one DSSE signature, ${keyidNote}`,
  );

  // 2. the key the bundle names is the given key (compared, never trusted)
  checkKey(rb, b, key, subject);

  // 3. ECDSA over PAE(payloadType, exact payload bytes)
  const sig = b.envelope.signatures[0]!.sig;
  const check = verifyEcdsa(key, pae(b.envelope.payloadType, b.envelope.payload), sig);
  const hash = ecCurveInfo(key.curve).hashName;
  if (check.valid)
    rb.pass(
      'oms.signature',
      subject,
      `ECDSA ${key.curve}/${hash} signature over the DSSE PAE of the payload verifies under the given key`,
    );
  else if (check.code === 'ECDSA_SIGNATURE_MALFORMED')
    rb.fail('oms.signature', 'ECDSA_SIGNATURE_MALFORMED', subject, check.reason);
  else
    rb.fail(
      'oms.signature',
      'OMS_SIGNATURE_INVALID',
      subject,
      `the ECDSA ${key.curve}/${hash} signature does not verify under the given key: the payload or signature changed, or another key signed`,
    );

  // 4. payloadType
  if (b.envelope.payloadType === IN_TOTO_PAYLOAD_TYPE)
    rb.pass('oms.payloadType', subject, `payloadType is ${IN_TOTO_PAYLOAD_TYPE}`, {
      expected: IN_TOTO_PAYLOAD_TYPE,
      actual: IN_TOTO_PAYLOAD_TYPE,
    });
  else
    rb.fail('oms.payloadType', 'DSSE_PAYLOAD_TYPE_MISMATCH', subject, 'model_signing payloads are in-toto statements', {
      expected: IN_TOTO_PAYLOAD_TYPE,
      actual: b.envelope.payloadType.slice(0, 100),
    });

  // 5. the statement (parsed from the exact payload bytes) and its root digest
  let manifest: OmsManifest | undefined;
  try {
    manifest = parseOmsStatement(b.envelope.payload);
    rb.pass(
      'oms.statement',
      subject,
      `model_signing statement for ${JSON.stringify(manifest.modelName.slice(0, 80))}: ${manifest.resources.length} resources by ${manifest.serialization.method}/${manifest.serialization.hash_type}, root digest recomputed`,
      {
        actual: `sha256:${manifest.rootDigest}`,
      },
    );
  } catch (e) {
    rb.failFrom('oms.statement', subject, e);
  }
  if (!rb.ok || !manifest) return { subject, shape };
  return { subject, shape, manifest, payload: b.envelope.payload };
}

/**
 * Verify a model_signing signature file (a Sigstore bundle) against the given EC public key,
 * without looking at the model: steps 1-5 of {@link verifyOmsModel}. Never throws on untrusted input.
 * @param bundle the signature file: bytes, text or parsed JSON
 * @param options the public key (user-given), limits, a name for the report
 * @returns the report (kind `oms`); the signed manifest and payload only when it is ok
 * @throws {TypeError} when `options.publicKey` is not an EcPublicKey (misuse)
 * @example
 * ```ts
 * const { report, manifest } = await verifyOmsSignature(readFileSync('model.sig'), { publicKey: parseEcPublicKey(pem) });
 * ```
 */
// eslint-disable-next-line @typescript-eslint/require-await -- async: a misuse TypeError becomes a rejection
export async function verifyOmsSignature(
  bundle: Uint8Array | string | JsonValue,
  options: VerifyOmsSignatureOptions,
): Promise<OmsSignatureVerification> {
  const rb = new ReportBuilder('oms');
  const st = checkSignature(rb, bundle, options);
  rb.result({ subject: st.subject, ok: rb.ok, chain: [] });
  const report = rb.build();
  const out: OmsSignatureVerification = { report };
  if (st.shape) out.shape = st.shape;
  if (report.ok && st.manifest && st.payload) {
    out.manifest = st.manifest;
    out.payload = st.payload;
  }
  return out;
}

/** Options of {@link verifyOmsModel}. */
export interface VerifyOmsModelOptions extends VerifyOmsSignatureOptions {
  /**
   * Hash the model with the signed serialization (method, hash type, shard size, allow_symlinks;
   * its `ignore_paths` are to be ignored, plus the caller's own). The Node adapter walks the disk.
   * A thrown LineproofError becomes the failed check `oms.model`.
   */
  hashModel: (signed: OmsSerialization) => Promise<OmsManifest>;
  /** Names the model in the report (default: `sha256:<signed root>`). */
  subject?: string;
}

/** The outcome of {@link verifyOmsModel}. */
export interface OmsModelVerification extends OmsSignatureVerification {
  /** The model's manifest as hashed now (when the signature verified and hashing succeeded). */
  actual?: OmsManifest;
  /** Missing, extra, mismatched and matched resources (when the model was hashed). */
  diff?: OmsDiff;
}

/**
 * Verify a model against its model_signing signature. The steps, each a check in the report
 * (kind `oms`), run in this order:
 *
 * 1. **bundle** (`oms.bundle`): strict JSON; a Sigstore bundle v0.3 of model_signing 1.0.x
 *    (`publicKey.rawBytes`, `keyid: null`) or 1.1+ (`publicKey.hint`, `tlogEntries: []`,
 *    `keyid: ""`) with one DSSE signature; unknown fields, certificates and log entries refused;
 * 2. **key** (`oms.key`): the key the bundle names is the key the user gave — v1.0 `rawBytes`
 *    compared as a key (never trusted), v1.1 `hint` = SHA-256 of the key's PEM as OpenSSL writes it;
 * 3. **signature** (`oms.signature`): ECDSA (P-256/SHA-256, P-384/SHA-384, P-521/SHA-512, strict
 *    DER, high S accepted) over PAE(payloadType, the exact payload bytes);
 * 4. **payloadType** (`oms.payloadType`) is `application/vnd.in-toto+json`;
 * 5. **statement** (`oms.statement`): an in-toto Statement v1 with predicateType
 *    `https://model_signing/signature/v1.0`, strict JSON, its root digest recomputed;
 * 6. only when 1-5 pass, **hash the model** (`oms.model`) with the signed serialization;
 * 7. **compare** (`oms.serialization`, then one `oms.resource` failure per missing, extra or
 *    mismatched file or shard — MANIFEST_ITEM_MISSING / _EXTRA / _MISMATCH — or `oms.resources`).
 *
 * Never throws on untrusted input.
 * @param bundle the signature file: bytes, text or parsed JSON
 * @param options the public key, how to hash the model, limits, names
 * @returns the report; the signed manifest, the model's manifest and the diff when available
 * @throws {TypeError} when `options.publicKey` or `options.hashModel` is malformed (misuse)
 * @example
 * ```ts
 * const { report } = await verifyOmsModel(sigBytes, { publicKey, hashModel: async (s) => (await hashOmsModel('model/', { ...s })).manifest });
 * ```
 */
export async function verifyOmsModel(
  bundle: Uint8Array | string | JsonValue,
  options: VerifyOmsModelOptions,
): Promise<OmsModelVerification> {
  if (typeof options?.hashModel !== 'function') throw new TypeError('"options.hashModel" expected a function');
  const rb = new ReportBuilder('oms');
  // 1-5
  const st = checkSignature(rb, bundle, options);
  const signed = st.manifest;
  const subject = options.subject ?? (signed ? `sha256:${signed.rootDigest}` : st.subject);
  const out: OmsModelVerification = { report: rb.build() };
  if (st.shape) out.shape = st.shape;
  if (!signed || !rb.ok) {
    const first = rb.checks.find((c) => c.status === 'fail');
    rb.skip(
      'oms.model',
      first?.code ?? 'OMS_SIGNATURE_INVALID',
      subject,
      'the model was not checked: the signature or its statement did not verify',
    );
    rb.result({ subject, ok: false, chain: [] });
    out.report = rb.build();
    return out;
  }
  // 6. hash the model with the signed serialization
  let actual: OmsManifest;
  try {
    actual = await options.hashModel(signed.serialization);
  } catch (e) {
    if (!(e instanceof LineproofError)) throw e;
    rb.failFrom('oms.model', subject, e);
    rb.result({ subject, ok: false, chain: [] });
    out.report = rb.build();
    return out;
  }
  rb.pass(
    'oms.model',
    subject,
    `hashed ${actual.resources.length} resources by ${actual.serialization.method}/${actual.serialization.hash_type}`,
    { actual: `sha256:${actual.rootDigest}` },
  );
  // 7. compare, resource by resource
  const cmp = verifyOmsManifest(signed, actual, { subject });
  for (const c of cmp.report.checks) rb.add(c);
  rb.result({ subject, ok: rb.ok, chain: [] });
  out.report = rb.build();
  out.actual = actual;
  out.diff = cmp.diff;
  if (out.report.ok && st.payload) {
    out.manifest = signed;
    out.payload = st.payload;
  }
  return out;
}
