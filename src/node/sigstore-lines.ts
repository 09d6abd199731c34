/**
 * Sigstore bundle lines of our own attestations (spec/policy.md "Certificate identities and trusted
 * time"): the verifier the core's `verifyChain` is given (`sigstoreVerifier`) for a policy's
 * `sigstore` certificate authority. A line is a Sigstore bundle wrapping one DSSE envelope signed
 * with a Fulcio certificate; it is verified offline with @sigstore/verify 3.1.1 against the trusted
 * root the verifier was made with (the Fulcio chain at the log's time, the SCT, the Rekor entry,
 * RFC 3161 timestamps of the trusted root's authorities), the DSSE signature routed by the leaf's
 * curve as for model_signing (src/node/oms-sigstore.ts). Then the leaf may sign (keyUsage
 * digitalSignature, extKeyUsage codeSigning), and the result names the leaf's subjectAltNames, its
 * OIDC issuer and the earliest verified time — the core matches them to the policy's identities,
 * exactly, and checks the DSSE signature with the leaf's key itself too.
 *
 * Never throws on untrusted input; never reaches the network.
 */
import { bundleFromJSON } from '@sigstore/bundle';
import { Verifier, toTrustMaterial, type SignedEntity } from '@sigstore/verify';
import type { JsonObject } from '../json/strict.js';
import { parseCertificate, type Certificate } from '../pki/x509.js';
import type { SigstoreLineResult, SigstoreLineVerifier } from '../verify/certificate-signers.js';
import {
  fulcioLeafMaySign,
  messageOf,
  routedEntity,
  sigstoreFailure,
  type SigstoreTrustedRoot,
} from './oms-sigstore.js';

const bad = (code: Extract<SigstoreLineResult, { ok: false }>['code'], message: string): SigstoreLineResult => ({
  ok: false,
  code,
  message,
});

/** The earliest time the entity's verified timestamps give (log entries with a promise, RFC 3161 tokens). */
function earliestTime(entity: SignedEntity): Date | undefined {
  let best: number | undefined;
  for (const t of entity.timestamps) {
    const ms =
      t.$case === 'timestamp-authority'
        ? t.timestamp.signingTime.getTime()
        : t.tlogEntry.inclusionPromise
          ? Number(t.tlogEntry.integratedTime) * 1000
          : undefined;
    if (ms !== undefined && Number.isFinite(ms) && (best === undefined || ms < best)) best = ms;
  }
  return best === undefined ? undefined : new Date(best);
}

function leafOf(bundle: ReturnType<typeof bundleFromJSON>): Certificate | string {
  const content = bundle.verificationMaterial.content;
  const der =
    content.$case === 'certificate'
      ? content.certificate.rawBytes
      : content.$case === 'x509CertificateChain'
        ? content.x509CertificateChain.certificates[0]?.rawBytes
        : undefined;
  if (!der)
    return 'a Sigstore line for a sigstore authority carries a Fulcio certificate (verificationMaterial.certificate)';
  try {
    return parseCertificate(new Uint8Array(der), 'verificationMaterial.certificate');
  } catch (e) {
    return messageOf(e);
  }
}

/**
 * The verifier of Sigstore bundle lines under one trusted root, for `verifyChain`'s
 * `sigstoreVerifier`. A policy authority's `trustedRootDigest`, when set, must be the root's
 * digest (`SIGSTORE_TRUSTED_ROOT_MISMATCH` otherwise).
 * @param trustedRoot the trusted root (`loadSigstoreTrustedRoot`: the public-good root shipped in the package by default)
 * @returns the verifier
 * @example
 * ```ts
 * const sigstoreVerifier = sigstoreLineVerifier(loadSigstoreTrustedRoot('trusted_root.json'));
 * const { report } = await verifyChain({ bundle, policy, subject, useCase, sigstoreVerifier });
 * ```
 */
export function sigstoreLineVerifier(trustedRoot: SigstoreTrustedRoot): SigstoreLineVerifier {
  const verifier = new Verifier(toTrustMaterial(trustedRoot.root));
  // eslint-disable-next-line @typescript-eslint/require-await -- the verifier's contract is async
  const verify = async (json: JsonObject, pin: string | undefined): Promise<SigstoreLineResult> => {
    if (pin !== undefined && trustedRoot.digest !== pin)
      return bad(
        'SIGSTORE_TRUSTED_ROOT_MISMATCH',
        `the policy pins the trusted root ${pin}; ${trustedRoot.what} is ${trustedRoot.digest ?? 'not read from a file (no digest)'}`,
      );
    let bundle: ReturnType<typeof bundleFromJSON>;
    try {
      bundle = bundleFromJSON(json);
    } catch (e) {
      return bad('SIGSTORE_BUNDLE_INVALID', `not a valid Sigstore bundle: ${messageOf(e)}`);
    }
    if (bundle.content.$case !== 'dsseEnvelope')
      return bad(
        'SIGSTORE_BUNDLE_UNSUPPORTED',
        'a message-signature bundle; an attestation line wraps a DSSE envelope',
      );
    const leaf = leafOf(bundle);
    if (typeof leaf === 'string') return bad('CERTIFICATE_INVALID', leaf);
    const entity = routedEntity(bundle);
    let signer;
    try {
      signer = verifier.verify(entity);
    } catch (e) {
      return bad(sigstoreFailure(e).code, `@sigstore/verify: ${messageOf(e)} (trusted root ${trustedRoot.what})`);
    }
    if (!fulcioLeafMaySign(leaf))
      return bad(
        'CERTIFICATE_USAGE_INVALID',
        'the Fulcio certificate may not sign: keyUsage digitalSignature and extKeyUsage codeSigning are both required',
      );
    const time = earliestTime(entity);
    if (!time)
      return bad('SIGSTORE_TIMESTAMP_INVALID', 'no verified time (a log entry with a promise, or a timestamp)');
    const issuer = signer.identity?.extensions?.issuer;
    return {
      ok: true,
      leaf: leaf.der,
      subjects: leaf.subjectAltNames.filter((s) => s.type === 'email' || s.type === 'uri').map((s) => s.value),
      ...(issuer !== undefined ? { issuer } : {}),
      time,
    };
  };
  return { verify };
}
