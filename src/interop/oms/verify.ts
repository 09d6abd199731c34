/**
 * Verifying OpenSSF model signing (sigstore/model-transparency `model_signing`) signatures made
 * with an elliptic-curve key, in the core (zero I/O): the bundle, the key, the ECDSA signature,
 * the in-toto Statement, and — given a way to hash the model — every file. spec/oms.md.
 */
import { LineproofError } from '../../errors.js';
import { isJsonObject, parseJson, type JsonValue } from '../../json/strict.js';
import type { Limits } from '../../limits.js';
import { pae } from '../../dsse/pae.js';
import { ReportBuilder, type Check, type Report } from '../../report/index.js';
import { IN_TOTO_PAYLOAD_TYPE, payloadDigest } from '../../statements/statement.js';
import type { OmsManifest, OmsSerialization } from './serialization.js';
import { parseOmsStatement } from './statement.js';
import { OMS_COMPAT_PREDICATE_TYPE, omsCompatPae, parseOmsCompatStatement, payloadPredicateType } from './compat.js';
import { verifyOmsManifest, type OmsDiff } from './compare.js';
import { ecCurveInfo, type EcPublicKey } from '../../pki/ec.js';
import { verifyEcdsa, type EcdsaVerify } from '../../pki/ecdsa.js';
import { readKeyBundle, type ReadKeyBundle } from '../sigstore.js';
import type { Certificate } from '../../pki/x509.js';
import { checkKey } from './key-check.js';
import { checkCertificateChain, checkLeafHoldsKey } from './certificate-check.js';

/** Which model_signing bundle shape a signature has: a key bundle of 1.0.x or 1.1+, or a certificate bundle. */
export type OmsBundleShape = 'v1.0' | 'v1.1' | 'certificate' | 'sigstore';

/** What an external signature verifier ({@link VerifyOmsSignatureOptions.signatureVerifier}) found. */
export interface OmsExternalSignature {
  /** Its checks (e.g. `oms.bundle`, `oms.certificate`, `oms.tlog`, `oms.identity`, `oms.signature`). */
  checks: Check[];
  /** The verified envelope's payloadType and exact payload bytes, only when every check passed. */
  payloadType?: string;
  payload?: Uint8Array;
}

/** Verifies the bundle's signature some other way (Sigstore keyless); must not throw on untrusted input. */
export type OmsSignatureVerifier = (bundle: Uint8Array | string | JsonValue) => Promise<OmsExternalSignature>;

/** Options of {@link verifyOmsSignature}: exactly one of `publicKey`, `certificateChain` and `signatureVerifier`. */
export interface VerifyOmsSignatureOptions {
  /** The signer's public key, given by the user (never taken from the bundle). */
  publicKey?: EcPublicKey;
  /**
   * Trust anchors (model_signing's `verify certificate --certificate_chain`): the bundle's leaf
   * certificate must chain to one of them (`parseCertificate` / `certificatesFromPem`).
   */
  certificateChain?: readonly Certificate[];
  /** Judge certificate validity at this time (default: the leaf's notBefore, as model_signing). */
  certificateTime?: Date;
  /**
   * Or: steps 1-3 (bundle, key or certificate, signature) done by this function — the Node
   * adapter's Sigstore keyless verification with @sigstore/verify; steps 4-7 stay here.
   */
  signatureVerifier?: OmsSignatureVerifier;
  /**
   * ECDSA verification (default: the core's verifyEcdsa, noble; the Node adapter passes
   * `nodeVerifyEcdsa`, OpenSSL behind the same strict checks, with the same outcomes).
   */
  ecdsaVerify?: EcdsaVerify;
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

/** Step 2: the key to check the signature with, or undefined when its check failed. */
async function resolveKey(
  rb: ReportBuilder,
  m: ReadKeyBundle['key'],
  options: VerifyOmsSignatureOptions,
  subject: string,
): Promise<EcPublicKey | undefined> {
  const given = options.publicKey;
  const anchors = options.certificateChain;
  if (m.kind === 'x509CertificateChain')
    return anchors
      ? checkCertificateChain(rb, m.certificates, anchors, subject, options.certificateTime)
      : checkLeafHoldsKey(rb, m.certificates, given!, subject);
  if (anchors) {
    rb.fail(
      'oms.certificate',
      'CERTIFICATE_UNTRUSTED',
      subject,
      'the bundle holds a public key, not a certificate: nothing in it can chain to the given CA (verify it with the key)',
    );
    return undefined;
  }
  checkKey(rb, m, given!, subject);
  return given;
}

/**
 * Steps 1-5 of the pipeline (see {@link verifyOmsModel}); the report's checks are appended to `rb`.
 */
async function checkSignature(
  rb: ReportBuilder,
  input: Uint8Array | string | JsonValue,
  options: VerifyOmsSignatureOptions,
): Promise<SignatureStage> {
  const what = options.what ?? 'model.sig';
  const given = options.publicKey;
  const anchors = options.certificateChain;
  const external = options.signatureVerifier;
  if ([given, anchors, external].filter((x) => x !== undefined).length !== 1)
    throw new TypeError('"options" expected exactly one of publicKey, certificateChain and signatureVerifier');
  if (external !== undefined) {
    if (typeof external !== 'function') throw new TypeError('"options.signatureVerifier" expected a function');
    return checkExternally(rb, input, external, what);
  }
  if (given !== undefined) {
    if (!given || given.type !== 'ecdsa')
      throw new TypeError('"options.publicKey" expected an EcPublicKey (parseEcPublicKey)');
    ecCurveInfo(given.curve);
  }
  if (anchors !== undefined && (!Array.isArray(anchors) || anchors.length === 0))
    throw new TypeError('"options.certificateChain" expected at least one certificate (certificatesFromPem)');

  // 1. the bundle
  let b: ReadKeyBundle;
  try {
    b = readKeyBundle(input, { dialect: 'oms', what, ...(options.limits ? { limits: options.limits } : {}) });
  } catch (e) {
    rb.failFrom('oms.bundle', what, e);
    return { subject: what };
  }
  const m = b.key;
  const shape: OmsBundleShape =
    m.kind === 'x509CertificateChain' ? 'certificate' : m.kind === 'rawBytes' ? 'v1.0' : 'v1.1';
  const subject = payloadDigest(b.envelope.payload);
  const keyidNote =
    b.keyid === null
      ? 'keyid null'
      : b.keyid === undefined || b.keyid === ''
        ? 'keyid ""'
        : `keyid ${JSON.stringify(b.keyid.slice(0, 40))} (a hint, ignored)`;
  const shapeNote =
    shape === 'certificate'
      ? `a certificate chain of ${m.kind === 'x509CertificateChain' ? m.certificates.length : 0}`
      : shape === 'v1.0'
        ? 'model_signing 1.0.x (publicKey.rawBytes)'
        : 'model_signing 1.1+ (publicKey.hint)';
  rb.pass('oms.bundle', what, `Sigstore bundle v0.3 with ${shapeNote}, one DSSE signature, ${keyidNote}`);

  // 2. the key: the given key (compared with what the bundle names), or the leaf certificate's
  //    key once it chains to a given CA
  const key = await resolveKey(rb, m, options, subject);
  if (!key) return { subject, shape };

  // 3. ECDSA over PAE(payloadType, exact payload bytes) — or, for a v0.2 statement only, over
  //    v0.2's faulty PAE (compat.ts), hashed with SHA-256 for a certificate as model_signing did
  checkEcdsaSignature(rb, key, b.envelope, subject, anchors !== undefined, options.ecdsaVerify ?? verifyEcdsa);

  return { subject, shape, ...checkStatement(rb, b.envelope.payloadType, b.envelope.payload, subject) };
}

/** Step 3: the signature under the key, with model_signing's v0.2 compatibility (compat.ts). */
function checkEcdsaSignature(
  rb: ReportBuilder,
  key: EcPublicKey,
  env: ReadKeyBundle['envelope'],
  subject: string,
  byCertificate: boolean,
  verify: EcdsaVerify,
): void {
  const sig = env.signatures[0]!.sig;
  const hash = ecCurveInfo(key.curve).hashName;
  const whose = byCertificate ? "the signing certificate's key" : 'the given key';
  let check = verify(key, pae(env.payloadType, env.payload), sig);
  if (check.valid) {
    rb.pass(
      'oms.signature',
      subject,
      `ECDSA ${key.curve}/${hash} signature over the DSSE PAE of the payload verifies under ${whose}`,
    );
    return;
  }
  if (check.code !== 'ECDSA_SIGNATURE_MALFORMED' && payloadPredicateType(env.payload) === OMS_COMPAT_PREDICATE_TYPE) {
    const compatHash = byCertificate ? 'P-256' : key.curve;
    check = verify(key, omsCompatPae(env.payload), sig, compatHash);
    if (check.valid) {
      rb.pass(
        'oms.signature',
        subject,
        `ECDSA ${key.curve}/${ecCurveInfo(compatHash).hashName} signature over model_signing v0.2's PAE of the payload (a v0.2 statement) verifies under ${whose}`,
      );
      return;
    }
  }
  if (check.code === 'ECDSA_SIGNATURE_MALFORMED')
    rb.fail('oms.signature', 'ECDSA_SIGNATURE_MALFORMED', subject, check.reason);
  else
    rb.fail(
      'oms.signature',
      'OMS_SIGNATURE_INVALID',
      subject,
      `the ECDSA ${key.curve}/${hash} signature does not verify under ${whose}: the payload or signature changed, or another key signed`,
    );
}

/** Steps 4-5: the payloadType and the statement (parsed from the exact payload bytes), its root digest. */
function checkStatement(
  rb: ReportBuilder,
  payloadType: string,
  payload: Uint8Array,
  subject: string,
): { manifest?: OmsManifest; payload?: Uint8Array } {
  if (payloadType === IN_TOTO_PAYLOAD_TYPE)
    rb.pass('oms.payloadType', subject, `payloadType is ${IN_TOTO_PAYLOAD_TYPE}`, {
      expected: IN_TOTO_PAYLOAD_TYPE,
      actual: IN_TOTO_PAYLOAD_TYPE,
    });
  else
    rb.fail('oms.payloadType', 'DSSE_PAYLOAD_TYPE_MISMATCH', subject, 'model_signing payloads are in-toto statements', {
      expected: IN_TOTO_PAYLOAD_TYPE,
      actual: payloadType.slice(0, 100),
    });
  let manifest: OmsManifest | undefined;
  try {
    const statement = parseJson(payload, { what: 'statement' }); // parsed once, read by either reader
    if (isJsonObject(statement) && statement.predicateType === OMS_COMPAT_PREDICATE_TYPE) {
      manifest = parseOmsCompatStatement(statement);
      rb.pass(
        'oms.statement',
        subject,
        `model_signing v0.2 statement (${OMS_COMPAT_PREDICATE_TYPE}): ${manifest.resources.length} files by sha256, one subject each (the format has no root digest or ignore list)`,
        { actual: `sha256:${manifest.rootDigest}` },
      );
    } else {
      manifest = parseOmsStatement(statement);
      rb.pass(
        'oms.statement',
        subject,
        `model_signing statement for ${JSON.stringify(manifest.modelName.slice(0, 80))}: ${manifest.resources.length} resources by ${manifest.serialization.method}/${manifest.serialization.hash_type}, root digest recomputed`,
        { actual: `sha256:${manifest.rootDigest}` },
      );
    }
  } catch (e) {
    rb.failFrom('oms.statement', subject, e);
  }
  if (!rb.ok || !manifest) return {};
  return { manifest, payload };
}

/** Steps 1-3 by an external verifier (Sigstore keyless in the Node adapter): its checks, then 4-5. */
async function checkExternally(
  rb: ReportBuilder,
  input: Uint8Array | string | JsonValue,
  verify: OmsSignatureVerifier,
  what: string,
): Promise<SignatureStage> {
  const ext = await verify(input);
  for (const c of ext.checks) rb.add(c);
  const subject = ext.payload ? payloadDigest(ext.payload) : what;
  if (!rb.ok || ext.payload === undefined || ext.payloadType === undefined) {
    if (rb.ok) rb.fail('oms.signature', 'OMS_SIGNATURE_INVALID', subject, 'the signature verifier returned no payload');
    return { subject, shape: 'sigstore' };
  }
  return { subject, shape: 'sigstore', ...checkStatement(rb, ext.payloadType, ext.payload, subject) };
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
export async function verifyOmsSignature(
  bundle: Uint8Array | string | JsonValue,
  options: VerifyOmsSignatureOptions,
): Promise<OmsSignatureVerification> {
  const rb = new ReportBuilder('oms');
  const st = await checkSignature(rb, bundle, options);
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
   * The signed manifest comes second (e.g. to hash only the files it lists).
   * A thrown LineproofError becomes the failed check `oms.model`.
   */
  hashModel: (signed: OmsSerialization, manifest: OmsManifest) => Promise<OmsManifest>;
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
 *    (`publicKey.rawBytes`, `keyid: null`), 1.1+ (`publicKey.hint`, `tlogEntries: []`,
 *    `keyid: ""`) or a certificate bundle (`x509CertificateChain`, `sign certificate`) with one
 *    DSSE signature; unknown fields, keyless certificates and log entries refused;
 * 2. **key** (`oms.key`): the key the bundle names is the key the user gave — v1.0 `rawBytes`
 *    compared as a key (never trusted), v1.1 `hint` = SHA-256 of the key's PEM as OpenSSL writes
 *    it, a certificate bundle's leaf holding it; or **certificate** (`oms.certificate`, with
 *    `certificateChain`): the leaf chains to a given CA, valid at its notBefore, and may sign;
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
 * @param options the public key or trust anchors, how to hash the model, limits, names
 * @returns the report; the signed manifest, the model's manifest and the diff when available
 * @throws {TypeError} when neither or both of `publicKey` and `certificateChain` are given, or `hashModel` is malformed (misuse)
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
  const st = await checkSignature(rb, bundle, options);
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
    actual = await options.hashModel(signed.serialization, signed);
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
