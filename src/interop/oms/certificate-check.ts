/**
 * @internal Step 2 of the model_signing verification (verify.ts) for certificate bundles
 * (`verificationMaterial.x509CertificateChain`, model_signing's `sign certificate`), as its `verify
 * certificate` does: the leaf (`certificates[0]`) chains to a CA the user gave through the bundle's
 * other certificates (untrusted intermediates), every certificate valid at the signing time —
 * the leaf's notBefore, since such bundles carry no log entry or timestamp — and the leaf may sign
 * (keyUsage digitalSignature, or extKeyUsage codeSigning). Or, as its `verify key` did for these
 * bundles, the leaf holds the key the user gave (the chain is then not checked).
 */
import { LineproofError, isLineproofError } from '../../errors.js';
import type { ReportBuilder } from '../../report/index.js';
import { ecPublicKeyFromSpki, equalEcPublicKeys, type EcPublicKey } from '../../pki/ec.js';
import { parseCertificate, signingUsageProblem, verifyCertificatePath, type Certificate } from '../../pki/x509.js';

/** The leaf's EC key, or the failed check. */
function leafKey(rb: ReportBuilder, leaf: Certificate, subject: string): EcPublicKey | undefined {
  try {
    return ecPublicKeyFromSpki(leaf.spki, 'the signing certificate');
  } catch (e) {
    rb.fail(
      'oms.certificate',
      'OMS_CERTIFICATE_KEY_UNSUPPORTED',
      subject,
      `the signing certificate ${leaf.subject} holds ${leaf.keyAlgorithm === 'ec' ? `an EC key model_signing does not sign with (${isLineproofError(e) ? e.code : 'unreadable'})` : `a ${leaf.keyAlgorithm} key`}; model_signing signs with P-256, P-384 or P-521`,
    );
    return undefined;
  }
}

/** Parse the bundle's certificates; a failed check when one cannot be read. */
function parseChain(rb: ReportBuilder, ders: readonly Uint8Array[], subject: string): Certificate[] | undefined {
  try {
    return ders.map((d, i) => parseCertificate(d, `x509CertificateChain.certificates[${i}]`));
  } catch (e) {
    if (!(e instanceof LineproofError)) throw e;
    rb.failFrom('oms.certificate', subject, e);
    return undefined;
  }
}

/**
 * Verify a certificate bundle's leaf against the user's trust anchors (check `oms.certificate`).
 * @returns the key to verify the signature with, or undefined when the check failed
 */
export async function checkCertificateChain(
  rb: ReportBuilder,
  ders: readonly Uint8Array[],
  anchors: readonly Certificate[],
  subject: string,
  at?: Date,
): Promise<EcPublicKey | undefined> {
  const chain = parseChain(rb, ders, subject);
  if (!chain) return undefined;
  const leaf = chain[0]!;
  const when = at ?? leaf.notBefore;
  const r = await verifyCertificatePath({ leaf, intermediates: chain.slice(1), anchors, at: when });
  if (!r.ok) {
    rb.fail('oms.certificate', r.code, subject, r.message, { actual: leaf.subject });
    return undefined;
  }
  const usage = signingUsageProblem(leaf);
  if (usage) {
    rb.fail('oms.certificate', 'CERTIFICATE_USAGE_INVALID', subject, usage, { actual: leaf.subject });
    return undefined;
  }
  const key = leafKey(rb, leaf, subject);
  if (!key) return undefined;
  const anchor = r.path[r.path.length - 1]!;
  rb.pass(
    'oms.certificate',
    subject,
    `the signing certificate ${leaf.subject} (sha256 ${leaf.fingerprint.slice(0, 16)}…) chains to the given CA ${anchor.subject} through ${r.path.length - 2} intermediate(s), valid at ${when.toISOString()}${at ? '' : ' (its notBefore: the bundle has no log entry or timestamp)'}, and may sign`,
    { expected: anchor.subject, actual: r.path.map((c) => c.subject).join(' <- ') },
  );
  return key;
}

/**
 * A certificate bundle checked with a key (model_signing 1.0's `verify key`): the leaf must hold
 * that key (check `oms.key`); the chain is not checked.
 * @returns the key, or undefined when the check failed
 */
export function checkLeafHoldsKey(
  rb: ReportBuilder,
  ders: readonly Uint8Array[],
  key: EcPublicKey,
  subject: string,
): EcPublicKey | undefined {
  const chain = parseChain(rb, ders, subject);
  if (!chain) return undefined;
  const leaf = chain[0]!;
  const held = leafKey(rb, leaf, subject);
  if (!held) return undefined;
  if (!equalEcPublicKeys(held, key)) {
    rb.fail(
      'oms.key',
      'OMS_KEY_MISMATCH',
      subject,
      `the signing certificate ${leaf.subject} holds another key (${held.curve}) than the one given (${key.curve})`,
      { expected: `the given ${key.curve} key`, actual: `${leaf.subject}'s ${held.curve} key` },
    );
    return undefined;
  }
  rb.pass(
    'oms.key',
    subject,
    `the signing certificate ${leaf.subject} holds the given ${key.curve} key (its chain is not checked: verifying with a key trusts the key)`,
  );
  return key;
}
