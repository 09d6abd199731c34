/**
 * Sigstore keyless model_signing signatures (model_signing's default, `verify sigstore`), verified
 * offline in the Node adapter with @sigstore/verify 3.1.1 (the newest on Node 20) rather than log
 * verification written by hand: the Fulcio chain to the trusted root's CA at the log's integrated
 * time, the SCT, the Rekor entry (inclusion promise and proof), an RFC 3161 timestamp when present,
 * the DSSE signature. Then, here: the leaf may sign code (keyUsage digitalSignature and extKeyUsage
 * codeSigning, as sigstore-python requires), the identity is exactly one of the certificate's
 * subjectAltNames and the issuer extension is exactly the one given (each its own check), and the
 * core goes on with the statement and the model (`verifyOmsModel`).
 *
 * Two things of @sigstore/verify are routed around, both measured: its DSSE check hashes every EC
 * signature with SHA-256 (Node's default for EC keys), so P-384 and P-521 signatures (SHA-384,
 * SHA-512, as model_signing makes them) would fail — the entity's signature check is replaced by one
 * that hashes by the leaf's curve; and its identity policy matches the subjectAltName as an
 * unanchored regular expression — the identity is compared here, exactly.
 */
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import {
  PolicyError,
  VerificationError,
  Verifier,
  toSignedEntity,
  toTrustMaterial,
  type SignedEntity,
} from '@sigstore/verify';
import { sha256Hex } from '../digest/index.js';
import { pae } from '../dsse/pae.js';
import { LineproofError, isLineproofError, type ErrorCode } from '../errors.js';
import { isJsonObject, parseJson, type JsonValue } from '../json/strict.js';
import { resolveLimits, type Limits } from '../limits.js';
import { payloadDigest } from '../statements/statement.js';
import { ReportBuilder } from '../report/index.js';
import type { OmsExternalSignature } from '../interop/oms/verify.js';
import { parseCertificate, type Certificate } from '../pki/x509.js';
import { readFileLimited } from './fs.js';
import { verifyOmsModelPath, type VerifyOmsModelPathOptions } from './oms.js';
import type { OmsModelVerification } from '../interop/oms/verify.js';

/** The Sigstore public-good trusted root shipped in the package (trust/README.md says how to refresh it). */
export const DEFAULT_TRUSTED_ROOT_PATH = fileURLToPath(
  new URL('../../trust/sigstore-trusted-root.json', import.meta.url),
);

/** Largest trusted root (or ClientTrustConfig) file read. */
export const MAX_TRUSTED_ROOT_BYTES = 4 << 20;

const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';

/** Whether a Fulcio leaf may sign: keyUsage digitalSignature and extKeyUsage codeSigning (as sigstore-python requires). */
export function fulcioLeafMaySign(leaf: Certificate): boolean {
  return leaf.keyUsage?.includes('digitalSignature') === true && leaf.extKeyUsage?.includes(CODE_SIGNING) === true;
}

/** A trusted root read from a file: the parsed TrustedRoot and where it came from. */
export interface SigstoreTrustedRoot {
  root: ReturnType<typeof TrustedRoot.fromJSON>;
  what: string;
  /** `sha256:` of the file's bytes, which a policy's `trustedRootDigest` pins (set when read from a file). */
  digest?: string;
}

/**
 * Read a Sigstore trusted root: a `trusted_root.json` (`application/vnd.dev.sigstore.trustedroot+json`)
 * or a ClientTrustConfig holding one under `trustedRoot` (model_signing's `--trust_config`).
 * @param path the file (default: the public-good root shipped in the package)
 * @param what names it in errors
 * @returns the trusted root
 * @throws {LineproofError} IO_ERROR, LIMIT_EXCEEDED, JSON_* codes, SIGSTORE_TRUSTED_ROOT_INVALID
 * @example
 * ```ts
 * const root = loadSigstoreTrustedRoot('trusted_root.json');
 * ```
 */
export function loadSigstoreTrustedRoot(path = DEFAULT_TRUSTED_ROOT_PATH, what = path): SigstoreTrustedRoot {
  const bytes = readFileLimited(path, MAX_TRUSTED_ROOT_BYTES, what);
  const v = parseJson(bytes, { what, maxBytes: MAX_TRUSTED_ROOT_BYTES });
  const body = isJsonObject(v) && isJsonObject(v.trustedRoot) ? v.trustedRoot : v;
  const bad = (msg: string): LineproofError =>
    new LineproofError('SIGSTORE_TRUSTED_ROOT_INVALID', `${what}: ${msg}`, { path: what });
  if (!isJsonObject(body)) throw bad('expected a JSON object (a Sigstore trusted_root.json)');
  const mt = body.mediaType;
  if (typeof mt !== 'string' || !mt.startsWith('application/vnd.dev.sigstore.trustedroot'))
    throw bad(
      `mediaType: expected application/vnd.dev.sigstore.trustedroot+json;version=0.1, got ${JSON.stringify(mt ?? null).slice(0, 80)}`,
    );
  try {
    const root = TrustedRoot.fromJSON(body);
    if (root.certificateAuthorities.length === 0) throw bad('no certificate authority');
    return { root, what, digest: `sha256:${sha256Hex(bytes)}` };
  } catch (e) {
    if (isLineproofError(e)) throw e;
    throw bad(`not a trusted root (${(e as Error).message.slice(0, 120)})`);
  }
}

/** The digest a DSSE signature over the PAE was made with, by the key's curve (model_signing's rule). */
function hashFor(key: KeyObject): string | undefined {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (curve === 'secp384r1') return 'sha384';
  if (curve === 'secp521r1') return 'sha512';
  if (curve === 'prime256v1') return 'sha256';
  return undefined;
}

const CHECK_OF: Record<string, { id: string; code: ErrorCode }> = {
  CERTIFICATE_ERROR: { id: 'oms.certificate', code: 'SIGSTORE_CERTIFICATE_UNTRUSTED' },
  PUBLIC_KEY_ERROR: { id: 'oms.certificate', code: 'SIGSTORE_CERTIFICATE_UNTRUSTED' },
  TLOG_ERROR: { id: 'oms.tlog', code: 'SIGSTORE_TLOG_INVALID' },
  TLOG_INCLUSION_PROOF_ERROR: { id: 'oms.tlog', code: 'SIGSTORE_TLOG_INVALID' },
  TLOG_INCLUSION_PROMISE_ERROR: { id: 'oms.tlog', code: 'SIGSTORE_TLOG_INVALID' },
  TLOG_MISSING_INCLUSION_ERROR: { id: 'oms.tlog', code: 'SIGSTORE_TLOG_INVALID' },
  TLOG_BODY_ERROR: { id: 'oms.tlog', code: 'SIGSTORE_TLOG_INVALID' },
  TIMESTAMP_ERROR: { id: 'oms.timestamp', code: 'SIGSTORE_TIMESTAMP_INVALID' },
  SIGNATURE_ERROR: { id: 'oms.signature', code: 'OMS_SIGNATURE_INVALID' },
};

/** Which check and code a @sigstore/verify error is (by its own classification). */
export function sigstoreFailure(e: unknown): { id: string; code: ErrorCode } {
  const code = e instanceof VerificationError || e instanceof PolicyError ? e.code : 'UNKNOWN';
  return CHECK_OF[code] ?? { id: 'oms.sigstore', code: 'SIGSTORE_VERIFICATION_FAILED' };
}

/**
 * The bundle's signed entity for @sigstore/verify, its DSSE signature checked with the hash of the
 * leaf's curve (SHA-384 for P-384, SHA-512 for P-521) instead of always SHA-256.
 */
export function routedEntity(bundle: ReturnType<typeof bundleFromJSON>): SignedEntity {
  const entity = toSignedEntity(bundle);
  if (bundle.content.$case !== 'dsseEnvelope') return entity;
  const env = bundle.content.dsseEnvelope;
  const sig = entity.signature;
  const message = pae(env.payloadType, new Uint8Array(env.payload));
  const rawSig = new Uint8Array(env.signatures[0]!.sig);
  entity.signature = Object.assign(Object.create(sig) as typeof sig, {
    verifySignature: (key: KeyObject): boolean => {
      try {
        return cryptoVerify(hashFor(key), message, key, rawSig);
      } catch {
        return false;
      }
    },
  });
  return entity;
}

/** An error's message and its cause's, bounded (for reports). */
export function messageOf(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : '';
  return `${m}${cause}`.slice(0, 300);
}

/** Options of {@link sigstoreOmsVerifier}. */
export interface SigstoreOmsVerifierOptions {
  /** The signer's identity: exactly one of the certificate's subjectAltNames (an email or URI). */
  identity: string;
  /** The OIDC issuer: exactly the certificate's issuer extension (1.3.6.1.4.1.57264.1.8, or .1.1). */
  issuer: string;
  trustedRoot: SigstoreTrustedRoot;
  limits?: Partial<Limits>;
  /** Names the signature file in the report. */
  what?: string;
}

/** The keyless bundle, parsed and checked for shape by @sigstore/bundle; or a failed check. */
function readKeylessBundle(
  rb: ReportBuilder,
  input: Uint8Array | string | JsonValue,
  limits: Limits,
  what: string,
): ReturnType<typeof bundleFromJSON> | undefined {
  let json: JsonValue;
  try {
    json =
      input instanceof Uint8Array || typeof input === 'string'
        ? parseJson(input, { what, maxBytes: limits.envelopeBytes, maxDepth: limits.jsonDepth })
        : input;
  } catch (e) {
    rb.failFrom('oms.bundle', what, e);
    return undefined;
  }
  const vm = isJsonObject(json) ? json.verificationMaterial : undefined;
  if (
    !isJsonObject(vm) ||
    !Object.hasOwn(vm, 'certificate') ||
    !isJsonObject(json) ||
    !isJsonObject(json.dsseEnvelope)
  ) {
    rb.fail(
      'oms.bundle',
      'OMS_BUNDLE_UNSUPPORTED',
      what,
      isJsonObject(vm) && (Object.hasOwn(vm, 'publicKey') || Object.hasOwn(vm, 'x509CertificateChain'))
        ? 'not a Sigstore keyless bundle: it is signed with a key or a private CA; verify it with --key or --certificate-chain'
        : 'not a Sigstore keyless bundle with a DSSE envelope (verificationMaterial.certificate, dsseEnvelope)',
    );
    return undefined;
  }
  try {
    return bundleFromJSON(json);
  } catch (e) {
    rb.fail('oms.bundle', 'OMS_BUNDLE_INVALID', what, `not a valid Sigstore bundle: ${messageOf(e)}`);
    return undefined;
  }
}

/** keyUsage digitalSignature and extKeyUsage codeSigning, the identity and the issuer: one check each. */
function checkLeaf(
  rb: ReportBuilder,
  leaf: Certificate,
  identity: { issuer?: string | undefined },
  o: SigstoreOmsVerifierOptions,
  subject: string,
): void {
  if (!fulcioLeafMaySign(leaf))
    rb.fail(
      'oms.certificate',
      'CERTIFICATE_USAGE_INVALID',
      subject,
      `the Fulcio certificate may not sign code: keyUsage digitalSignature and extKeyUsage codeSigning are both required`,
    );
  const sans = leaf.subjectAltNames.filter((s) => s.type === 'email' || s.type === 'uri').map((s) => s.value);
  if (sans.includes(o.identity))
    rb.pass('oms.identity', subject, `the certificate's subjectAltName is ${o.identity} (exact)`, {
      expected: o.identity,
      actual: o.identity,
    });
  else
    rb.fail(
      'oms.identity',
      'OMS_IDENTITY_MISMATCH',
      subject,
      `the certificate was issued to ${sans.map((s) => JSON.stringify(s.slice(0, 100))).join(', ') || 'no email or URI'}, not ${JSON.stringify(o.identity.slice(0, 100))}`,
      { expected: o.identity.slice(0, 200), actual: (sans[0] ?? '').slice(0, 200) },
    );
  if (identity.issuer === o.issuer)
    rb.pass('oms.issuer', subject, `the identity was vouched for by ${o.issuer} (exact)`, {
      expected: o.issuer,
      actual: o.issuer,
    });
  else
    rb.fail(
      'oms.issuer',
      'OMS_ISSUER_MISMATCH',
      subject,
      `the identity was vouched for by ${JSON.stringify((identity.issuer ?? 'no issuer extension').slice(0, 100))}, not ${JSON.stringify(o.issuer.slice(0, 100))}`,
      { expected: o.issuer.slice(0, 200), actual: (identity.issuer ?? '').slice(0, 200) },
    );
}

/**
 * A signature verifier for `verifyOmsModel` (`signatureVerifier`): a Sigstore keyless bundle checked
 * offline with @sigstore/verify against a trusted root, then the certificate's usage, identity and
 * issuer. Never throws on untrusted input.
 * @param options identity, issuer, trusted root, limits
 * @returns the verifier
 * @example
 * ```ts
 * const verifier = sigstoreOmsVerifier({ identity: 'me@example.com', issuer: 'https://accounts.google.com', trustedRoot: loadSigstoreTrustedRoot() });
 * const { report } = await verifyOmsModel(sig, { signatureVerifier: verifier, hashModel });
 * ```
 */
export function sigstoreOmsVerifier(
  options: SigstoreOmsVerifierOptions,
): (input: Uint8Array | string | JsonValue) => Promise<OmsExternalSignature> {
  if (typeof options?.identity !== 'string' || options.identity === '')
    throw new TypeError('"identity" expected the signer identity (an email or URI)');
  if (typeof options.issuer !== 'string' || options.issuer === '')
    throw new TypeError('"issuer" expected the OIDC issuer URL');
  const limits = resolveLimits(options.limits);
  const what = options.what ?? 'model.sig';
  // eslint-disable-next-line @typescript-eslint/require-await -- the verifier's contract is async
  return async (input) => {
    const rb = new ReportBuilder('oms');
    const out = (): OmsExternalSignature => ({ checks: rb.checks });
    const bundle = readKeylessBundle(rb, input, limits, what);
    if (!bundle) return out();
    if (bundle.content.$case !== 'dsseEnvelope') {
      rb.fail(
        'oms.bundle',
        'OMS_BUNDLE_UNSUPPORTED',
        what,
        'a message-signature bundle; model_signing signs a DSSE envelope',
      );
      return out();
    }
    const env = bundle.content.dsseEnvelope;
    const payload = new Uint8Array(env.payload);
    const subject = payloadDigest(payload);
    rb.pass(
      'oms.bundle',
      what,
      `Sigstore bundle ${bundle.mediaType} with a Fulcio certificate, ${bundle.verificationMaterial.tlogEntries.length} log entr${bundle.verificationMaterial.tlogEntries.length === 1 ? 'y' : 'ies'}, one DSSE signature`,
    );
    let leaf: Certificate;
    try {
      const content = bundle.verificationMaterial.content;
      if (content.$case !== 'certificate') throw new Error('no certificate');
      leaf = parseCertificate(new Uint8Array(content.certificate.rawBytes), 'verificationMaterial.certificate');
    } catch (e) {
      rb.failFrom(
        'oms.certificate',
        subject,
        isLineproofError(e) ? e : new LineproofError('CERTIFICATE_INVALID', messageOf(e)),
      );
      return out();
    }
    const entity = routedEntity(bundle);
    let signer;
    try {
      signer = new Verifier(toTrustMaterial(options.trustedRoot.root)).verify(entity);
    } catch (e) {
      const to = sigstoreFailure(e);
      rb.fail(to.id, to.code, subject, `@sigstore/verify: ${messageOf(e)} (trusted root ${options.trustedRoot.what})`);
      return out();
    }
    rb.pass(
      'oms.sigstore',
      subject,
      `@sigstore/verify: the Fulcio certificate chains to the trusted root's CA at the log's integrated time, its SCT, the Rekor entry and the ECDSA signature verify (trusted root ${options.trustedRoot.what})`,
    );
    checkLeaf(rb, leaf, { issuer: signer.identity?.extensions?.issuer }, options, subject);
    if (!rb.ok) return out();
    return { checks: rb.checks, payloadType: env.payloadType, payload };
  };
}

/** Options of {@link verifyOmsSigstoreModelPath}. */
export interface VerifyOmsSigstoreModelPathOptions extends Omit<
  VerifyOmsModelPathOptions,
  'publicKey' | 'certificateChain'
> {
  identity: string;
  issuer: string;
  /** A trusted_root.json or ClientTrustConfig file (default: the public-good root in the package). */
  trustedRoot?: string;
  /** Names the trusted root file in messages. */
  trustedRootWhat?: string;
}

/**
 * Verify a model on disk against a Sigstore keyless model_signing signature, offline, as
 * model_signing's `verify sigstore` does (see the module description), then the model.
 * @param modelPath the model directory, or the file of a single-file model
 * @param options identity, issuer, trusted root file, signature file, ignore paths…
 * @returns the report (kind `oms`) and the manifests
 * @throws {LineproofError} reading the trusted root or the signature file (IO_ERROR, SIGSTORE_TRUSTED_ROOT_INVALID…)
 * @example
 * ```ts
 * const { report } = await verifyOmsSigstoreModelPath('model/', { signature: 'model/model.sig', identity: 'me@example.com', issuer: 'https://github.com/login/oauth' });
 * ```
 */
export async function verifyOmsSigstoreModelPath(
  modelPath: string,
  options: VerifyOmsSigstoreModelPathOptions,
): Promise<OmsModelVerification> {
  const trustedRoot =
    options.trustedRoot === undefined
      ? loadSigstoreTrustedRoot(DEFAULT_TRUSTED_ROOT_PATH, 'the Sigstore public-good root shipped with Lineproof')
      : loadSigstoreTrustedRoot(options.trustedRoot, options.trustedRootWhat ?? options.trustedRoot);
  const { identity, issuer, trustedRoot: _t, trustedRootWhat: _w, ...rest } = options;
  return verifyOmsModelPath(modelPath, {
    ...rest,
    signatureVerifier: sigstoreOmsVerifier({
      identity,
      issuer,
      trustedRoot,
      ...(options.limits ? { limits: options.limits } : {}),
      what: options.signature,
    }),
  });
}
