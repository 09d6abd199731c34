/**
 * Step 3 of chain verification for signatures that carry verification material (Sigstore bundle
 * lines, src/bundle/sigstore-line.ts; spec/verification.md "Certificate identities and trusted
 * time"):
 *
 * - **Trusted time.** A signature's RFC 3161 tokens are checked against the policy's
 *   `timestampAuthorities`; the earliest genTime of a token that verifies is the signature's
 *   trusted time (it proves the signature existed then). Tokens are checked only for a signature
 *   some trusted key or certificate verifies, so untrusted lines cost no token check.
 * - **Certificate signatures.** The leaf of each certificate material must chain to an `x509`
 *   authority of the policy at the signing time (the trusted time, else the leaf's notBefore, as
 *   model_signing judges), may sign (keyUsage digitalSignature or extKeyUsage codeSigning), holds
 *   the key the signature verifies under (ECDSA P-256/P-384/P-521 with its curve's hash, or
 *   Ed25519), and names a policy identity (subjectAltName and OIDC issuer, exactly). For a
 *   `sigstore` authority the Node adapter's verifier (@sigstore/verify: Fulcio chain at the log's
 *   time, SCT, Rekor entry, timestamps) checks the bundle and returns the identity, which is matched
 *   the same way. The signer is then the matched identity, its "key" the leaf's public key (so a
 *   threshold counts distinct leaf keys), valid over the leaf's validity.
 * - Each certificate material tried and not trusted costs `1 + certificates` checks of the
 *   budget; every failure is a skip, never a reason the chain fails on its own.
 */
import { equalBytes, toHex } from '../bytes/index.js';
import type { ErrorCode } from '../errors.js';
import type { SignatureMaterial } from '../bundle/sigstore-line.js';
import type { JsonObject } from '../json/strict.js';
import type { SignatureVerifier } from '../keys/types.js';
import { parseSpkiDer } from '../keys/der.js';
import { matchCertificateIdentities } from '../policy/certificates.js';
import type { Policy, ResolvedKey } from '../policy/policy.js';
import { ecPublicKeyFromSpki } from '../pki/ec.js';
import { verifyEcdsa, type EcdsaVerify } from '../pki/ecdsa.js';
import { parseCertificate, signingUsageProblem, verifyCertificatePath, type Certificate } from '../pki/x509.js';
import { verifyTimestampToken } from '../pki/rfc3161.js';
import { formatTimestamp } from '../time/index.js';

/** A Sigstore bundle verified offline, as the Node adapter's verifier reports it. */
export type SigstoreLineResult =
  | {
      ok: true;
      /** The Fulcio leaf certificate (DER). */
      leaf: Uint8Array;
      /** The leaf's subjectAltName values. */
      subjects: string[];
      /** Its OIDC issuer extension. */
      issuer?: string;
      /** The log's (or a timestamp authority's) time the certificate was checked at. */
      time: Date;
    }
  | { ok: false; code: ErrorCode; message: string };

/** Verifies a Sigstore bundle line (Fulcio, Rekor, SCT, timestamps) offline; injected by the Node adapter. */
export interface SigstoreLineVerifier {
  /**
   * @param bundle the bundle line (its DSSE envelope included)
   * @param trustedRootDigest the digest the policy pins the trusted root to, when it does
   */
  verify(bundle: JsonObject, trustedRootDigest: string | undefined): Promise<SigstoreLineResult>;
}

/** The trusted time of a signature. */
export interface TrustedTime {
  nanos: bigint;
  /** The timestamp authority (a name in the policy's `timestampAuthorities`), or `sigstore:<authority>` for a log's time. */
  authority: string;
  /** The time, RFC 3339. */
  at: string;
}

/** What a signature's material yielded: its trusted time and why other tokens did not count. */
export interface MaterialTime {
  time?: TrustedTime;
  problems: Array<{ code: ErrorCode; message: string }>;
  /** Checks spent on tokens that did not verify. */
  spent: number;
}

/** The earliest trusted time among a signature's RFC 3161 tokens (each distinct token checked once). */
export async function trustedTime(
  policy: Policy,
  sig: Uint8Array,
  materials: readonly { material: SignatureMaterial }[],
): Promise<MaterialTime> {
  const out: MaterialTime = { problems: [], spent: 0 };
  const seen = new Set<string>();
  for (const { material } of materials) {
    for (const token of material.timestamps) {
      const id = toHex(token);
      if (seen.has(id)) continue;
      seen.add(id);
      let best: { code: ErrorCode; message: string } | undefined;
      let ok = false;
      for (const tsa of policy.timestampAuthorities) {
        const r = await verifyTimestampToken({ token, signature: sig, anchors: tsa.anchors });
        if (r.ok) {
          ok = true;
          if (!out.time || r.genTimeNanos < out.time.nanos)
            out.time = { nanos: r.genTimeNanos, authority: tsa.name, at: formatTimestamp(r.genTime.getTime()) };
          break;
        }
        if (!best || r.code !== 'TIMESTAMP_UNTRUSTED') best = { code: r.code, message: r.message };
      }
      if (!ok) {
        out.spent++;
        out.problems.push(
          best ?? {
            code: 'TIMESTAMP_UNTRUSTED',
            message: 'the policy trusts no timestamp authority (timestampAuthorities)',
          },
        );
      }
    }
  }
  return out;
}

/** A certificate signer, or why the material did not give one. */
export type CertificateOutcome =
  { ok: true; key: ResolvedKey; time?: TrustedTime } | { ok: false; code: ErrorCode; message: string };

function fail(code: ErrorCode, message: string): CertificateOutcome {
  return { ok: false, code, message };
}

/** Fulcio's OIDC issuer extensions: v2 (a DER UTF8String) first, then v1 (raw text). */
function oidcIssuer(leaf: Certificate): string | undefined {
  const v2 = leaf.extensions.find((e) => e.oid === '1.3.6.1.4.1.57264.1.8')?.value;
  if (v2 && v2.length >= 2 && v2[0] === 0x0c && v2[1]! < 0x80 && v2.length === v2[1]! + 2)
    return new TextDecoder('utf-8', { fatal: false }).decode(v2.subarray(2));
  const v1 = leaf.extensions.find((e) => e.oid === '1.3.6.1.4.1.57264.1.1')?.value;
  return v1 ? new TextDecoder('utf-8', { fatal: false }).decode(v1) : undefined;
}

function subjectsOf(leaf: Certificate): string[] {
  return leaf.subjectAltNames
    .filter((s) => s.type === 'email' || s.type === 'uri' || s.type === 'dns')
    .map((s) => s.value);
}

/** Whether `sig` over `message` verifies under the leaf's key (ECDSA with its curve's hash, or Ed25519). */
/** The signature verifiers a certificate's key may need. */
export interface LeafVerifiers {
  ed25519: SignatureVerifier;
  /** Default: the core's verifyEcdsa. */
  ecdsa?: EcdsaVerify;
}

async function leafSigned(
  leaf: Certificate,
  message: Uint8Array,
  sig: Uint8Array,
  verifiers: LeafVerifiers,
): Promise<string | null> {
  const { ed25519 } = verifiers;
  if (leaf.keyAlgorithm === 'ec') {
    let key;
    try {
      key = ecPublicKeyFromSpki(leaf.spki, 'the signing certificate');
    } catch {
      return `${leaf.subject} holds an EC key of a curve Lineproof does not verify (P-256, P-384, P-521)`;
    }
    const check = (verifiers.ecdsa ?? verifyEcdsa)(key, message, sig);
    return check.valid
      ? null
      : `the signature does not verify under ${leaf.subject}'s ${key.curve} key (${check.reason})`;
  }
  if (leaf.keyAlgorithm === '1.3.101.112') {
    let raw: Uint8Array;
    try {
      raw = parseSpkiDer(leaf.spki, 'the signing certificate');
    } catch {
      return `${leaf.subject}'s Ed25519 key cannot be read`;
    }
    const check = await ed25519.verify(sig, message, raw);
    return check.valid ? null : `the signature does not verify under ${leaf.subject}'s Ed25519 key (${check.reason})`;
  }
  return `${leaf.subject} holds a ${leaf.keyAlgorithm} key; certificate signatures are ECDSA (P-256, P-384, P-521) or Ed25519`;
}

function signerKey(
  policy: Policy,
  leaf: Certificate,
  identity: string,
  authority: string,
  subject: string,
  issuer: string | undefined,
): ResolvedKey {
  return {
    name: `certificate:${leaf.fingerprint.slice(0, 16)}`,
    publicKey: leaf.spki,
    publicKeyHex: toHex(leaf.spki),
    identity,
    roles: policy.rolesOf.get(identity) ?? [],
    spec: {
      publicKey: '',
      type: 'certificate',
      status: 'active',
      validFrom: formatTimestamp(leaf.notBefore.getTime()),
      // notAfter is inclusive (RFC 5280); validUntil is exclusive
      validUntil: formatTimestamp(leaf.notAfter.getTime() + 1000),
    },
    certificate: {
      authority,
      fingerprint: leaf.fingerprint,
      subject,
      ...(issuer !== undefined ? { issuer } : {}),
      name: leaf.subject,
    },
  };
}

/** The identity a verified leaf names under `authority`, or why none. */
function identityOf(
  policy: Policy,
  leaf: Certificate,
  authority: string,
  subjects: string[],
  issuer: string | undefined,
  time: TrustedTime | undefined,
): CertificateOutcome {
  const matches = matchCertificateIdentities(policy.certificateIdentities, authority, subjects, issuer);
  if (matches.length > 1)
    return fail(
      'CERTIFICATE_IDENTITY_AMBIGUOUS',
      `${leaf.subject} (${subjects.join(', ')}) names ${matches.length} identities of the policy under authority ${authority} (${matches.map((m) => m.identity).join(', ')}): it counts for none`,
    );
  const match = matches[0];
  if (!match)
    return fail(
      'CERTIFICATE_IDENTITY_UNKNOWN',
      `${leaf.subject} (${subjects.join(', ') || 'no subjectAltName'}${issuer ? `, issuer ${issuer}` : ''}) is no identity of the policy under authority ${authority}`,
    );
  return {
    ok: true,
    key: signerKey(policy, leaf, match.identity, authority, match.subject, issuer),
    ...(time ? { time } : {}),
  };
}

/**
 * The signer one certificate material yields, tried against each certificate authority of the
 * policy in order; never throws on untrusted material.
 * @param policy the policy (its certificateAuthorities and identities)
 * @param material the material (it has `certificates`)
 * @param message the PAE the signature is over
 * @param sig the signature
 * @param at the signature's trusted time, when it has one
 * @param verifiers the Ed25519 verifier (for an Ed25519 leaf) and the ECDSA one
 * @param sigstore the Sigstore verifier, when the caller gave one
 */
export async function certificateSigner(
  policy: Policy,
  material: SignatureMaterial,
  message: Uint8Array,
  sig: Uint8Array,
  at: TrustedTime | undefined,
  verifiers: LeafVerifiers,
  sigstore: SigstoreLineVerifier | undefined,
): Promise<CertificateOutcome> {
  let chain: Certificate[];
  try {
    chain = (material.certificates ?? []).map((d, i) => parseCertificate(d, `certificate ${i + 1}`));
  } catch (e) {
    return fail('CERTIFICATE_INVALID', e instanceof Error ? e.message : 'a certificate cannot be read');
  }
  const leaf = chain[0];
  if (!leaf) return fail('CERTIFICATE_INVALID', 'no certificate');
  let last: CertificateOutcome = fail(
    'CERTIFICATE_UNTRUSTED',
    'the policy has no certificate authority (certificateAuthorities)',
  );
  for (const authority of policy.authorities.values()) {
    if (authority.type === 'sigstore') {
      if (!sigstore || !material.sigstoreBundle) {
        last = fail(
          'SIGSTORE_BUNDLE_UNSUPPORTED',
          `authority ${authority.name} is Sigstore: its bundles are verified by the Node adapter (no Sigstore verifier was given)`,
        );
        continue;
      }
      let r: SigstoreLineResult;
      try {
        r = await sigstore.verify(material.sigstoreBundle, authority.trustedRootDigest);
      } catch (e) {
        r = { ok: false, code: 'SIGSTORE_VERIFICATION_FAILED', message: e instanceof Error ? e.message : String(e) };
      }
      if (!r.ok) {
        last = fail(r.code, r.message);
        continue;
      }
      // the adapter is trusted code, but the core checks what it signs off on itself: the same
      // leaf as the line carries, and the DSSE signature under its key
      if (!equalBytes(r.leaf, leaf.der)) {
        last = fail(
          'SIGSTORE_VERIFICATION_FAILED',
          'the Sigstore verifier reported another certificate than the line carries',
        );
        continue;
      }
      const wrongSig = await leafSigned(leaf, message, sig, verifiers);
      if (wrongSig) return fail('DSSE_SIGNATURE_UNVERIFIED', wrongSig);
      const time: TrustedTime = {
        nanos: BigInt(r.time.getTime()) * 1_000_000n,
        authority: `sigstore:${authority.name}`,
        at: formatTimestamp(r.time.getTime()),
      };
      const earliest = at && at.nanos < time.nanos ? at : time;
      const found = identityOf(policy, leaf, authority.name, r.subjects, r.issuer, earliest);
      if (found.ok) return found;
      last = found;
      continue;
    }
    const pathAt = (when: Date) =>
      verifyCertificatePath({ leaf, intermediates: chain.slice(1), anchors: authority.anchors, at: when });
    let path = await pathAt(at ? new Date(Number(at.nanos / 1_000_000n)) : leaf.notBefore);
    // a late token (anyone may stamp a genuine signature) must not unmake the path the leaf's own
    // notBefore gives; the window is then judged at the token's time where a role requires one
    if (!path.ok && at) path = await pathAt(leaf.notBefore);
    if (!path.ok) {
      last = fail(path.code, `${path.message} (authority ${authority.name})`);
      continue;
    }
    const usage = signingUsageProblem(leaf);
    if (usage) return fail('CERTIFICATE_USAGE_INVALID', usage);
    const wrong = await leafSigned(leaf, message, sig, verifiers);
    if (wrong) return fail('DSSE_SIGNATURE_UNVERIFIED', wrong);
    const found = identityOf(policy, leaf, authority.name, subjectsOf(leaf), oidcIssuer(leaf), at);
    if (found.ok) return found;
    last = found;
  }
  return last;
}
