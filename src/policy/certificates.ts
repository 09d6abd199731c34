/**
 * @internal Certificate identities and timestamp authorities of a policy (spec/policy.md): loaded
 * and cross-checked with the policy, so every mistake fails at load, never during verification.
 *
 * - `certificateAuthorities`: `x509` (a private CA: its root certificates, PEM) or `sigstore`
 *   (Fulcio and Rekor, under the trusted root the verifier is given, optionally pinned by digest).
 * - An identity with `certificate: {authority, subject, issuer?}` names an authority of the policy;
 *   a `sigstore` one needs `issuer` (as model_signing's `--identity-provider`: an identity is only
 *   as good as the OIDC issuer vouching for it). No two identities claim the same (authority,
 *   subject, issuer): the signer's identity must never be ambiguous.
 * - `timestampAuthorities`: the roots of RFC 3161 timestamp authorities, PEM.
 */
import { LineproofError } from '../errors.js';
import { issuePath } from '../json/schema.js';
import { certificatesFromPem, type Certificate } from '../pki/x509.js';
import type { PolicyDocument, Role } from './schema.js';

/** A policy identity bound to a certificate identity. */
export interface CertificateIdentity {
  /** The identity's name in the policy. */
  identity: string;
  authority: string;
  /** A subjectAltName the certificate must hold (exact). */
  subject: string;
  /** The OIDC issuer extension it must hold (exact), when set. */
  issuer?: string;
  roles: Role[];
}

/** A certificate authority of the policy, its anchors parsed. */
export type ResolvedAuthority =
  | { name: string; type: 'x509'; anchors: Certificate[] }
  | { name: string; type: 'sigstore'; trustedRootDigest?: string };

/** A timestamp authority of the policy, its anchors parsed. */
export interface ResolvedTimestampAuthority {
  name: string;
  anchors: Certificate[];
}

/** What {@link resolveCertificateTrust} adds to a loaded policy. */
export interface CertificateTrust {
  certificateIdentities: CertificateIdentity[];
  authorities: Map<string, ResolvedAuthority>;
  timestampAuthorities: ResolvedTimestampAuthority[];
}

function fail(
  code: 'POLICY_INVALID' | 'POLICY_REFERENCE_UNKNOWN' | 'POLICY_KEY_AMBIGUOUS',
  what: string,
  path: string,
  msg: string,
): never {
  throw new LineproofError(code, `${what}: ${path}: ${msg}`, { path });
}

function anchorsOf(pem: string, what: string, path: string): Certificate[] {
  let certs: Certificate[];
  try {
    certs = certificatesFromPem(pem, `${what}: ${path}`);
  } catch (e) {
    fail('POLICY_INVALID', what, path, e instanceof LineproofError ? e.message : String(e));
  }
  return certs;
}

/**
 * The certificate identities, certificate authorities and timestamp authorities of a policy.
 * @param document the schema-checked policy
 * @param rolesOf roles by identity
 * @param what names the policy in errors
 * @throws {LineproofError} POLICY_INVALID (a PEM that holds no certificate; a sigstore identity
 *   without issuer; requireTimestamp on the verifier role, or with no authority that gives time), POLICY_REFERENCE_UNKNOWN (an unknown authority), POLICY_KEY_AMBIGUOUS (two
 *   identities claiming the same certificate identity)
 */
export function resolveCertificateTrust(
  document: PolicyDocument,
  rolesOf: Map<string, Role[]>,
  what: string,
): CertificateTrust {
  const authorities = new Map<string, ResolvedAuthority>();
  for (const [name, spec] of Object.entries(document.certificateAuthorities ?? {})) {
    const path = issuePath(['certificateAuthorities', name, 'certificates']);
    authorities.set(
      name,
      spec.type === 'x509'
        ? { name, type: 'x509', anchors: anchorsOf(spec.certificates, what, path) }
        : {
            name,
            type: 'sigstore',
            ...(spec.trustedRootDigest !== undefined ? { trustedRootDigest: spec.trustedRootDigest } : {}),
          },
    );
  }
  const certificateIdentities: CertificateIdentity[] = [];
  const claimed = new Map<string, string>();
  for (const [identity, spec] of Object.entries(document.identities)) {
    const c = spec.certificate;
    if (!c) continue;
    const path = issuePath(['identities', identity, 'certificate']);
    const authority = authorities.get(c.authority);
    if (!Object.hasOwn(document.certificateAuthorities ?? {}, c.authority) || !authority)
      fail(
        'POLICY_REFERENCE_UNKNOWN',
        what,
        `${path}.authority`,
        `names unknown certificate authority ${JSON.stringify(c.authority)}`,
      );
    if (authority.type === 'sigstore' && c.issuer === undefined)
      fail(
        'POLICY_INVALID',
        what,
        `${path}.issuer`,
        'a Sigstore certificate identity needs issuer (the OIDC issuer that vouches for the subject)',
      );
    const id = JSON.stringify([c.authority, c.subject]);
    const other = claimed.get(id);
    if (other !== undefined)
      fail('POLICY_KEY_AMBIGUOUS', what, path, `the same certificate identity as identity ${JSON.stringify(other)}`);
    claimed.set(id, identity);
    certificateIdentities.push({
      identity,
      authority: c.authority,
      subject: c.subject,
      ...(c.issuer !== undefined ? { issuer: c.issuer } : {}),
      roles: rolesOf.get(identity) ?? [],
    });
  }
  for (const [role, spec] of Object.entries(document.roles)) {
    if (!spec?.requireTimestamp) continue;
    const path = issuePath(['roles', role, 'requireTimestamp']);
    if (role === 'verifier')
      fail(
        'POLICY_INVALID',
        what,
        path,
        'a verification summary is one DSSE envelope with no timestamp material: the verifier role cannot require a timestamp',
      );
    const sigstore = [...authorities.values()].some((a) => a.type === 'sigstore');
    if (Object.keys(document.timestampAuthorities ?? {}).length === 0 && !sigstore)
      fail(
        'POLICY_INVALID',
        what,
        path,
        'requires a trusted timestamp, but the policy trusts no timestamp authority (timestampAuthorities) and no Sigstore log: no signature could ever count',
      );
  }
  const timestampAuthorities = Object.entries(document.timestampAuthorities ?? {}).map(([name, spec]) => ({
    name,
    anchors: anchorsOf(spec.certificates, what, issuePath(['timestampAuthorities', name, 'certificates'])),
  }));
  return { certificateIdentities, authorities, timestampAuthorities };
}

/**
 * The policy identities a certificate's identity matches: each identity of `authority` whose
 * subject is one of the certificate's subjectAltNames and, when it names an issuer, whose issuer is
 * the certificate's OIDC issuer. More than one means the certificate is ambiguous (a CA issued it
 * several SANs): the caller refuses it rather than pick one.
 */
export function matchCertificateIdentities(
  identities: readonly CertificateIdentity[],
  authority: string,
  sans: readonly string[],
  oidcIssuer: string | undefined,
): CertificateIdentity[] {
  return identities.filter(
    (i) =>
      i.authority === authority &&
      sans.includes(i.subject) &&
      (i.issuer === undefined || (oidcIssuer !== undefined && i.issuer === oidcIssuer)),
  );
}
