/**
 * X.509 certificates for verifying certificate-identity signatures (model_signing's `verify
 * certificate`, and later our own certificate identities), in the core: parsing with pkijs (a
 * well-kept ASN.1/X.509 library with no global side effects: it needs no Reflect polyfill, unlike
 * @peculiar/x509) and certificate signatures checked with WebCrypto (RSA PKCS#1 v1.5, RSA-PSS,
 * ECDSA), so it runs in a browser as in Node.
 *
 * Path validation is ours, small and strict, so each failure has its own code and its cost is
 * bounded (untrusted bundles carry the intermediates):
 * 1. from the leaf, issuers are looked for by name among the user's trust anchors first, then the
 *    bundle's intermediates; an issuer counts only when the child's signature verifies under its
 *    key; depth-first, at most {@link MAX_PATH_DEPTH} certificates and {@link MAX_SIGNATURE_CHECKS}
 *    signature checks in all;
 * 2. every intermediate is a CA (basicConstraints cA), with keyCertSign when it has a keyUsage,
 *    within its issuers' pathLenConstraint;
 * 3. every certificate of the path, the anchor included, is valid at the time given;
 * 4. every critical extension of the path is one this module processes (keyUsage, basicConstraints,
 *    extKeyUsage, subjectAltName, certificatePolicies); any other is refused, as RFC 5280 requires.
 * There is no revocation checking (no CRL or OCSP offline); spec/oms.md says so.
 */
import * as pkijs from 'pkijs';
import { sha256 } from '@noble/hashes/sha2.js';
import { equalBytes, toHex } from '../bytes/index.js';
import { LineproofError, isLineproofError, type ErrorCode } from '../errors.js';
import { decodePem } from '../keys/pem.js';

/** Most certificates in a path (leaf to anchor). */
export const MAX_PATH_DEPTH = 8;
/** Most certificate-signature checks one path validation may spend. */
export const MAX_SIGNATURE_CHECKS = 64;
/** Largest certificate accepted (DER bytes). */
export const MAX_CERTIFICATE_BYTES = 32 * 1024;

const OID = {
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  certificatePolicies: '2.5.29.32',
  codeSigning: '1.3.6.1.5.5.7.3.3',
} as const;

const PROCESSED_CRITICAL = new Set<string>([
  OID.keyUsage,
  OID.basicConstraints,
  OID.extKeyUsage,
  OID.subjectAltName,
  OID.certificatePolicies,
]);

/** A subjectAltName entry. */
export interface SubjectAltName {
  type: 'email' | 'uri' | 'dns' | 'ip' | 'other';
  value: string;
}

/** A parsed certificate: what verification and reports need. */
export interface Certificate {
  /** The DER bytes. */
  readonly der: Uint8Array;
  /** SHA-256 of the DER, hex: the certificate's fingerprint. */
  readonly fingerprint: string;
  /** The subject and issuer names, as `CN=…, O=…` (for reports). */
  readonly subject: string;
  readonly issuer: string;
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The SubjectPublicKeyInfo DER. */
  readonly spki: Uint8Array;
  /** `ec`, `rsa` or another algorithm OID. */
  readonly keyAlgorithm: string;
  readonly isCA: boolean;
  readonly pathLenConstraint?: number;
  /** The keyUsage bits named (undefined when the extension is absent). */
  readonly keyUsage?: readonly string[];
  /** The extKeyUsage OIDs (undefined when absent). */
  readonly extKeyUsage?: readonly string[];
  readonly subjectAltNames: readonly SubjectAltName[];
  /** Every extension: OID, criticality and the extnValue bytes (inside the OCTET STRING). */
  readonly extensions: readonly { oid: string; critical: boolean; value: Uint8Array }[];
}

const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;

const parsedOf = new WeakMap<Certificate, pkijs.Certificate>();

const NAME_KEYS: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

function nameText(n: pkijs.RelativeDistinguishedNames): string {
  return n.typesAndValues
    .map((tv) => {
      const v = (tv.value as { valueBlock?: { value?: unknown } }).valueBlock?.value;
      return `${NAME_KEYS[tv.type] ?? tv.type}=${typeof v === 'string' ? v : '#'}`;
    })
    .join(', ');
}

function invalid(what: string, msg: string, cause?: unknown): LineproofError {
  return new LineproofError('CERTIFICATE_INVALID', `${what}: ${msg}`, {
    path: what,
    ...(cause === undefined ? {} : { cause }),
  });
}

function keyUsageOf(ext: pkijs.Extension): string[] {
  const bits = ext.parsedValue as { valueBlock?: { valueHexView?: Uint8Array; unusedBits?: number } } | undefined;
  const view = bits?.valueBlock?.valueHexView ?? new Uint8Array(0);
  const out: string[] = [];
  KEY_USAGE_BITS.forEach((name, i) => {
    const byte = view[i >> 3] ?? 0;
    if ((byte >> (7 - (i & 7))) & 1) out.push(name);
  });
  return out;
}

function sansOf(ext: pkijs.Extension): SubjectAltName[] {
  const names = (ext.parsedValue as pkijs.AltName | undefined)?.altNames ?? [];
  return names.map((g) => {
    const v = g.value as unknown;
    switch (g.type) {
      case 1:
        return { type: 'email', value: String(v) };
      case 2:
        return { type: 'dns', value: String(v) };
      case 6:
        return { type: 'uri', value: String(v) };
      case 7:
        return {
          type: 'ip',
          value: toHex((v as { valueBlock: { valueHexView: Uint8Array } }).valueBlock.valueHexView),
        };
      default:
        return { type: 'other', value: `type ${g.type}` };
    }
  });
}

/**
 * Parse one DER certificate.
 * @param der the certificate's DER bytes
 * @param what names the input in errors
 * @returns the certificate
 * @throws {LineproofError} CERTIFICATE_INVALID (not a certificate, too large, trailing bytes, an extension that cannot be read)
 * @example
 * ```ts
 * const leaf = parseCertificate(derBytes, 'x509CertificateChain.certificates[0]');
 * leaf.subject; // 'CN=intermediate-ca'
 * ```
 */
export function parseCertificate(der: Uint8Array, what = 'certificate'): Certificate {
  if (!(der instanceof Uint8Array) || der.length === 0) throw invalid(what, 'expected DER bytes');
  if (der.length > MAX_CERTIFICATE_BYTES)
    throw new LineproofError('LIMIT_EXCEEDED', `${what}: ${der.length} bytes, more than ${MAX_CERTIFICATE_BYTES}`, {
      path: what,
      expected: `<= ${MAX_CERTIFICATE_BYTES}`,
      actual: String(der.length),
    });
  let c: pkijs.Certificate;
  try {
    c = pkijs.Certificate.fromBER(der.slice());
  } catch (e) {
    throw invalid(what, 'not an X.509 certificate (DER)', e);
  }
  let encoded: Uint8Array;
  try {
    encoded = new Uint8Array(c.toSchema(true).toBER());
  } catch (e) {
    throw invalid(what, 'not an X.509 certificate (DER)', e);
  }
  if (!equalBytes(encoded, der)) throw invalid(what, 'not exactly one DER certificate (trailing or non-DER bytes)');
  const exts = c.extensions ?? [];
  let isCA = false;
  let pathLen: number | undefined;
  let keyUsage: string[] | undefined;
  let eku: string[] | undefined;
  let sans: SubjectAltName[] = [];
  const seen = new Set<string>();
  for (const e of exts) {
    if (seen.has(e.extnID)) throw invalid(what, `extension ${e.extnID} appears twice`);
    seen.add(e.extnID);
    if (e.critical && e.parsedValue === undefined && PROCESSED_CRITICAL.has(e.extnID))
      throw invalid(what, `critical extension ${e.extnID} cannot be read`);
    if (e.extnID === OID.basicConstraints) {
      const bc = e.parsedValue as pkijs.BasicConstraints | undefined;
      isCA = bc?.cA === true;
      const pl = bc?.pathLenConstraint;
      if (pl !== undefined) pathLen = typeof pl === 'number' ? pl : pl.valueBlock.valueDec;
    } else if (e.extnID === OID.keyUsage) keyUsage = keyUsageOf(e);
    else if (e.extnID === OID.extKeyUsage)
      eku = [...((e.parsedValue as pkijs.ExtKeyUsage | undefined)?.keyPurposes ?? [])];
    else if (e.extnID === OID.subjectAltName) sans = sansOf(e);
  }
  const alg = c.subjectPublicKeyInfo.algorithm.algorithmId;
  const cert: Certificate = {
    der: der.slice(),
    fingerprint: toHex(sha256(der)),
    subject: nameText(c.subject),
    issuer: nameText(c.issuer),
    serial: toHex(c.serialNumber.valueBlock.valueHexView),
    notBefore: c.notBefore.value,
    notAfter: c.notAfter.value,
    spki: new Uint8Array(c.subjectPublicKeyInfo.toSchema().toBER()),
    keyAlgorithm: alg === '1.2.840.10045.2.1' ? 'ec' : alg === '1.2.840.113549.1.1.1' ? 'rsa' : alg,
    isCA,
    ...(pathLen !== undefined ? { pathLenConstraint: pathLen } : {}),
    ...(keyUsage ? { keyUsage } : {}),
    ...(eku ? { extKeyUsage: eku } : {}),
    subjectAltNames: sans,
    extensions: exts.map((e) => ({
      oid: e.extnID,
      critical: e.critical,
      value: new Uint8Array(e.extnValue.valueBlock.valueHexView),
    })),
  };
  parsedOf.set(cert, c);
  return cert;
}

/**
 * Every certificate of a PEM text (`CERTIFICATE` blocks; text around them is skipped).
 * @param text PEM text
 * @param what names the input in errors
 * @returns the certificates, in order
 * @throws {LineproofError} CERTIFICATE_INVALID (no CERTIFICATE block, or one that is not a certificate)
 * @example
 * ```ts
 * const anchors = certificatesFromPem(readFileSync('ca-cert.pem', 'utf8'), 'ca-cert.pem');
 * ```
 */
export function certificatesFromPem(text: string, what = 'PEM'): Certificate[] {
  const blocks = [...text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)];
  if (blocks.length === 0) throw invalid(what, 'no "-----BEGIN CERTIFICATE-----" block');
  return blocks.map((m, i) => {
    const { der } = decodePem(m[0], `${what} certificate ${i + 1}`);
    return parseCertificate(der, `${what} certificate ${i + 1}`);
  });
}

/** A failed path validation. */
export interface PathFailure {
  ok: false;
  code: ErrorCode;
  message: string;
}

/** A validated path, leaf first, anchor last. */
export interface PathSuccess {
  ok: true;
  path: Certificate[];
}

/** Input of {@link verifyCertificatePath}. */
export interface CertificatePathInput {
  leaf: Certificate;
  /** Untrusted intermediates (e.g. the rest of a bundle's chain). */
  intermediates: readonly Certificate[];
  /** The trust anchors the user gave; only they can make a path succeed. */
  anchors: readonly Certificate[];
  /** When every certificate of the path must be valid. */
  at: Date;
}

function sameName(a: pkijs.RelativeDistinguishedNames, b: pkijs.RelativeDistinguishedNames): boolean {
  try {
    return a.isEqual(b);
  } catch {
    return false;
  }
}

interface Search {
  checks: number;
  anchors: readonly Certificate[];
  intermediates: readonly Certificate[];
  /** Why the nearest miss failed (for the message). */
  lastProblem: string;
}

async function signedBy(s: Search, child: Certificate, issuer: Certificate): Promise<boolean> {
  if (s.checks >= MAX_SIGNATURE_CHECKS) return false;
  s.checks++;
  try {
    return await parsedOf.get(child)!.verify(parsedOf.get(issuer));
  } catch {
    return false;
  }
}

/** Depth-first: the paths from `cert` up to an anchor, the first found (anchors tried first). */
async function findPath(s: Search, cert: Certificate, chain: Certificate[]): Promise<Certificate[] | null> {
  if (s.anchors.some((a) => equalBytes(a.der, cert.der))) return [...chain, cert];
  if (chain.length + 1 >= MAX_PATH_DEPTH) {
    s.lastProblem = `no anchor within ${MAX_PATH_DEPTH} certificates`;
    return null;
  }
  const p = parsedOf.get(cert)!;
  const inChain = (c: Certificate): boolean => c === cert || chain.some((x) => equalBytes(x.der, c.der));
  for (const [pool, isAnchor] of [
    [s.anchors, true],
    [s.intermediates, false],
  ] as const) {
    for (const cand of pool) {
      if (inChain(cand) || !sameName(p.issuer, parsedOf.get(cand)!.subject)) continue;
      if (!(await signedBy(s, cert, cand))) {
        s.lastProblem = `${cert.subject}'s signature does not verify under ${cand.subject}'s key`;
        continue;
      }
      if (isAnchor) return [...chain, cert, cand];
      const up = await findPath(s, cand, [...chain, cert]);
      if (up) return up;
    }
  }
  return null;
}

function constraintProblem(path: readonly Certificate[], at: Date): PathFailure | null {
  for (const c of path) {
    if (at < c.notBefore || at > c.notAfter)
      return {
        ok: false,
        code: 'CERTIFICATE_NOT_VALID_AT_TIME',
        message: `${c.subject} is valid from ${c.notBefore.toISOString()} to ${c.notAfter.toISOString()}, not at ${at.toISOString()}`,
      };
    const unknown = c.extensions.find((e) => e.critical && !PROCESSED_CRITICAL.has(e.oid));
    if (unknown)
      return {
        ok: false,
        code: 'CERTIFICATE_CRITICAL_EXTENSION_UNKNOWN',
        message: `${c.subject} has critical extension ${unknown.oid}, which this verifier does not process (RFC 5280 requires refusing it)`,
      };
  }
  // issuers: intermediates and the anchor, from the leaf's issuer up
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    const isAnchor = i === path.length - 1;
    if (!isAnchor && !c.isCA)
      return {
        ok: false,
        code: 'CERTIFICATE_USAGE_INVALID',
        message: `${c.subject} issues ${path[i - 1]!.subject} but is not a CA (basicConstraints cA)`,
      };
    if (!isAnchor && c.keyUsage && !c.keyUsage.includes('keyCertSign'))
      return {
        ok: false,
        code: 'CERTIFICATE_USAGE_INVALID',
        message: `${c.subject} issues certificates but its keyUsage lacks keyCertSign`,
      };
    // certificates below c, not counting the leaf and self-issued ones: at most its pathLen
    if (c.pathLenConstraint !== undefined) {
      const below = path.slice(1, i).filter((x) => x.subject !== x.issuer).length;
      if (below > c.pathLenConstraint)
        return {
          ok: false,
          code: 'CERTIFICATE_USAGE_INVALID',
          message: `${c.subject} allows ${c.pathLenConstraint} intermediate certificate(s) below it, the path has ${below}`,
        };
    }
  }
  return null;
}

/**
 * Validate a certificate path from a leaf to one of the user's trust anchors (see the module
 * description). Never throws on untrusted certificates.
 * @param input leaf, untrusted intermediates, trust anchors, time
 * @returns the path (leaf first, anchor last), or the failure: CERTIFICATE_UNTRUSTED (no path to an
 *   anchor, including a bad signature), CERTIFICATE_NOT_VALID_AT_TIME, CERTIFICATE_USAGE_INVALID,
 *   CERTIFICATE_CRITICAL_EXTENSION_UNKNOWN
 * @example
 * ```ts
 * const r = await verifyCertificatePath({ leaf, intermediates: rest, anchors: certificatesFromPem(ca), at: leaf.notBefore });
 * if (!r.ok) console.log(r.code, r.message);
 * ```
 */
export async function verifyCertificatePath(input: CertificatePathInput): Promise<PathSuccess | PathFailure> {
  const { leaf, intermediates, anchors, at } = input;
  if (!parsedOf.has(leaf)) throw new TypeError('"leaf" expected a certificate from parseCertificate');
  for (const c of [...intermediates, ...anchors])
    if (!parsedOf.has(c)) throw new TypeError('certificates expected from parseCertificate');
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new TypeError('"at" expected a valid Date');
  if (anchors.length === 0) return { ok: false, code: 'CERTIFICATE_UNTRUSTED', message: 'no trust anchor was given' };
  const s: Search = { checks: 0, anchors, intermediates, lastProblem: '' };
  let path: Certificate[] | null;
  try {
    path = await findPath(s, leaf, []);
  } catch (e) {
    return {
      ok: false,
      code: 'CERTIFICATE_UNTRUSTED',
      message: `the path could not be built (${isLineproofError(e) ? e.code : 'error'})`,
    };
  }
  if (!path)
    return {
      ok: false,
      code: 'CERTIFICATE_UNTRUSTED',
      message: `${leaf.subject} (issued by ${leaf.issuer}) does not chain to a given trust anchor${s.lastProblem ? `: ${s.lastProblem}` : ''}${s.checks >= MAX_SIGNATURE_CHECKS ? ` (stopped after ${MAX_SIGNATURE_CHECKS} signature checks)` : ''}`,
    };
  return constraintProblem(path, at) ?? { ok: true, path };
}

/**
 * model_signing's rule for a signing certificate: keyUsage digitalSignature, or else extKeyUsage
 * codeSigning.
 * @param leaf the signing certificate
 * @returns null when it may sign, else why not
 */
export function signingUsageProblem(leaf: Certificate): string | null {
  if (leaf.keyUsage?.includes('digitalSignature')) return null;
  if (leaf.extKeyUsage?.includes(OID.codeSigning)) return null;
  return `${leaf.subject} may not sign: its keyUsage lacks digitalSignature and its extKeyUsage lacks codeSigning`;
}
