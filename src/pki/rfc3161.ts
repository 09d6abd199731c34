/**
 * RFC 3161 timestamp tokens over signatures (trusted time for our attestations, spec/verification.md
 * "Certificate identities and trusted time"), in the core: pkijs reads the CMS SignedData and its
 * TSTInfo and checks the CMS signature with WebCrypto; the signing certificate's path is ours
 * (src/interop/x509.ts), validated at the token's genTime.
 *
 * A token counts only when all of this holds, each failure with its own code and never a throw:
 * 1. it is one BER/DER ContentInfo (no trailing bytes), at most {@link MAX_TIMESTAMP_TOKEN_BYTES},
 *    a SignedData with exactly one signer whose encapsulated content is a TSTInfo (version 1);
 *    else TIMESTAMP_INVALID;
 * 2. its messageImprint is SHA-256, SHA-384 or SHA-512 of the signature bytes it is attached to;
 *    else TIMESTAMP_MISMATCH (it timestamps something else);
 * 3. the CMS signature verifies (signed attributes: content-type and message-digest) under a
 *    signing certificate found in the token, among the given intermediates or the anchors; the
 *    signing-certificate attribute (RFC 2634 ESSCertID or RFC 5816 ESSCertIDv2) is present and
 *    names that certificate; the certificate has the extended key usage timeStamping, alone and
 *    critical (RFC 3161 §2.3); it chains to one of the anchors, valid at genTime; else
 *    TIMESTAMP_UNTRUSTED.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { equalBytes, toHex } from '../bytes/index.js';
import type { ErrorCode } from '../errors.js';
import { parseCertificate, verifyCertificatePath, type Certificate } from './x509.js';

/** Largest timestamp token (or response) accepted, in bytes. */
export const MAX_TIMESTAMP_TOKEN_BYTES = 64 * 1024;
/** Most certificates a token may carry. */
export const MAX_TIMESTAMP_CERTIFICATES = 8;

const OID = {
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  extKeyUsage: '2.5.29.37',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
} as const;

/** The hashes a messageImprint may use. */
export type ImprintHash = 'sha256' | 'sha384' | 'sha512';

const HASHES: Record<string, { name: ImprintHash; fn: (b: Uint8Array) => Uint8Array }> = {
  '2.16.840.1.101.3.4.2.1': { name: 'sha256', fn: sha256 },
  '2.16.840.1.101.3.4.2.2': { name: 'sha384', fn: sha384 },
  '2.16.840.1.101.3.4.2.3': { name: 'sha512', fn: sha512 },
};
const HASH_OIDS: Record<ImprintHash, string> = {
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
};

/** Input of {@link verifyTimestampToken}. */
export interface TimestampInput {
  /** The token: a DER ContentInfo (SignedData holding a TSTInfo). */
  token: Uint8Array;
  /** The signature bytes the token must timestamp. */
  signature: Uint8Array;
  /** The timestamp authority's trust anchors (only they can make a token count). */
  anchors: readonly Certificate[];
  /** Untrusted intermediates besides those the token carries. */
  intermediates?: readonly Certificate[];
  /** Names the token in messages. */
  what?: string;
}

/** A verified token. */
export interface TimestampSuccess {
  ok: true;
  /** The TSTInfo genTime (millisecond precision). */
  genTime: Date;
  /** genTime in nanoseconds since the epoch. */
  genTimeNanos: bigint;
  /** The signing certificate (the timestamp authority's leaf). */
  tsa: Certificate;
  /** The validated path, the signing certificate first, an anchor last. */
  path: Certificate[];
  hash: ImprintHash;
  /** The TSTInfo serialNumber, hex. */
  serial: string;
}

/** A token that does not count, and why. */
export interface TimestampFailure {
  ok: false;
  code: Extract<ErrorCode, 'TIMESTAMP_INVALID' | 'TIMESTAMP_MISMATCH' | 'TIMESTAMP_UNTRUSTED'>;
  message: string;
}

type Outcome = TimestampSuccess | TimestampFailure;

function bad(code: TimestampFailure['code'], message: string): TimestampFailure {
  return { ok: false, code, message };
}

function ab(b: Uint8Array): ArrayBuffer {
  return b.slice().buffer;
}

/** Exactly one BER element filling `der`, else null. */
function oneElement(der: Uint8Array): asn1js.AsnType | null {
  try {
    // asn1js throws from inside fromBER on some malformed values (a GeneralizedTime that is not
    // one, nested in a BIT STRING: found by the single-byte-change property)
    const r = asn1js.fromBER(ab(der));
    if (r.offset === -1 || r.offset !== der.length) return null;
    return r.result;
  } catch {
    return null;
  }
}

interface Parsed {
  signed: pkijs.SignedData;
  tst: pkijs.TSTInfo;
  certs: Certificate[];
}

function parseToken(token: Uint8Array, what: string): Parsed | TimestampFailure {
  if (!(token instanceof Uint8Array) || token.length === 0) return bad('TIMESTAMP_INVALID', `${what}: no bytes`);
  if (token.length > MAX_TIMESTAMP_TOKEN_BYTES)
    return bad('TIMESTAMP_INVALID', `${what}: ${token.length} bytes, more than ${MAX_TIMESTAMP_TOKEN_BYTES}`);
  const el = oneElement(token);
  if (!el) return bad('TIMESTAMP_INVALID', `${what}: not exactly one DER element`);
  let signed: pkijs.SignedData;
  let tst: pkijs.TSTInfo;
  try {
    const info = new pkijs.ContentInfo({ schema: el });
    if (info.contentType !== OID.signedData)
      return bad('TIMESTAMP_INVALID', `${what}: content type ${info.contentType}, not SignedData`);
    signed = new pkijs.SignedData({ schema: info.content });
    if (signed.encapContentInfo.eContentType !== OID.tstInfo)
      return bad(
        'TIMESTAMP_INVALID',
        `${what}: encapsulated content ${signed.encapContentInfo.eContentType}, not TSTInfo`,
      );
    const content = signed.encapContentInfo.eContent;
    if (!content) return bad('TIMESTAMP_INVALID', `${what}: the TSTInfo is missing`);
    const inner = oneElement(new Uint8Array(content.getValue()));
    if (!inner) return bad('TIMESTAMP_INVALID', `${what}: the TSTInfo is not exactly one DER element`);
    tst = new pkijs.TSTInfo({ schema: inner });
  } catch {
    return bad('TIMESTAMP_INVALID', `${what}: not an RFC 3161 timestamp token (CMS SignedData holding a TSTInfo)`);
  }
  if (signed.signerInfos.length !== 1)
    return bad('TIMESTAMP_INVALID', `${what}: ${signed.signerInfos.length} signers, expected exactly one`);
  if (tst.version !== 1) return bad('TIMESTAMP_INVALID', `${what}: TSTInfo version ${tst.version}, expected 1`);
  if (!(tst.genTime instanceof Date) || Number.isNaN(tst.genTime.getTime()))
    return bad('TIMESTAMP_INVALID', `${what}: genTime cannot be read`);
  const raw = (signed.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
  if (raw.length > MAX_TIMESTAMP_CERTIFICATES)
    return bad('TIMESTAMP_INVALID', `${what}: ${raw.length} certificates, more than ${MAX_TIMESTAMP_CERTIFICATES}`);
  const certs: Certificate[] = [];
  for (const [i, c] of raw.entries()) {
    try {
      certs.push(parseCertificate(new Uint8Array(c.toSchema(true).toBER()), `${what}: certificate ${i + 1}`));
    } catch (e) {
      return bad('TIMESTAMP_INVALID', e instanceof Error ? e.message : `${what}: certificate ${i + 1} cannot be read`);
    }
  }
  return { signed, tst, certs };
}

/** The certificate hash the signing-certificate attribute names (v2 first), or why none. */
function essCertHash(signer: pkijs.SignerInfo): { fn: (b: Uint8Array) => Uint8Array; hash: Uint8Array } | string {
  const attrs = signer.signedAttrs?.attributes ?? [];
  const v2 = attrs.find((a) => a.type === OID.signingCertificateV2);
  const v1 = attrs.find((a) => a.type === OID.signingCertificate);
  const attr = v2 ?? v1;
  if (!attr) return 'it has no signing-certificate attribute (RFC 3161 §2.4.1 requires one)';
  try {
    const certs = (attr.values[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
    const first = certs.valueBlock.value[0] as asn1js.Sequence;
    const parts = first.valueBlock.value;
    if (!v2) return { fn: sha1, hash: new Uint8Array((parts[0] as asn1js.OctetString).valueBlock.valueHexView) };
    // ESSCertIDv2: hashAlgorithm DEFAULT sha256, then certHash
    if (parts[0] instanceof asn1js.OctetString)
      return { fn: sha256, hash: new Uint8Array(parts[0].valueBlock.valueHexView) };
    const alg = new pkijs.AlgorithmIdentifier({ schema: parts[0] });
    const h = HASHES[alg.algorithmId];
    if (!h) return `its signing-certificate attribute uses hash ${alg.algorithmId}`;
    return { fn: h.fn, hash: new Uint8Array((parts[1] as asn1js.OctetString).valueBlock.valueHexView) };
  } catch {
    return 'its signing-certificate attribute cannot be read';
  }
}

function ekuProblem(tsa: Certificate): string | null {
  const ext = tsa.extensions.find((e) => e.oid === OID.extKeyUsage);
  if (!ext || !ext.critical) return `${tsa.subject} lacks a critical extendedKeyUsage (RFC 3161 §2.3)`;
  const eku = tsa.extKeyUsage ?? [];
  if (eku.length !== 1 || eku[0] !== OID.timeStamping)
    return `${tsa.subject}'s extendedKeyUsage is not timeStamping alone`;
  return null;
}

async function cmsVerified(
  signed: pkijs.SignedData,
  pool: readonly Certificate[],
  signature: Uint8Array,
): Promise<pkijs.Certificate | string> {
  const own = signed.certificates ?? [];
  // the certificates are not signed: the signer may be found among the anchors and intermediates too
  signed.certificates = pool.map((c) => pkijs.Certificate.fromBER(ab(c.der)));
  try {
    const r = await signed.verify({ signer: 0, data: ab(signature), checkChain: false, extendedMode: true });
    if (r.signatureVerified !== true || !r.signerCertificate) return 'its CMS signature does not verify';
    return r.signerCertificate;
  } catch (e) {
    const msg = e instanceof pkijs.SignedDataVerifyError ? e.message : 'its CMS signature cannot be checked';
    return msg.replace(/^Error during verification: /, '');
  } finally {
    signed.certificates = own;
  }
}

async function verifyParsed(p: Parsed, input: TimestampInput, what: string): Promise<Outcome> {
  const imprint = p.tst.messageImprint;
  const h = HASHES[imprint.hashAlgorithm.algorithmId];
  if (!h)
    return bad(
      'TIMESTAMP_MISMATCH',
      `${what}: messageImprint uses hash ${imprint.hashAlgorithm.algorithmId}, not SHA-256/384/512`,
    );
  const expected = h.fn(input.signature);
  if (!equalBytes(new Uint8Array(imprint.hashedMessage.valueBlock.valueHexView), expected))
    return bad(
      'TIMESTAMP_MISMATCH',
      `${what}: messageImprint is not the ${h.name} of this signature (the token timestamps something else)`,
    );
  const pool = [...p.certs, ...(input.intermediates ?? []), ...input.anchors];
  const signer = await cmsVerified(p.signed, pool, input.signature);
  if (typeof signer === 'string') return bad('TIMESTAMP_UNTRUSTED', `${what}: ${signer}`);
  const der = new Uint8Array(signer.toSchema(true).toBER());
  const tsa = pool.find((c) => equalBytes(c.der, der));
  if (!tsa) return bad('TIMESTAMP_UNTRUSTED', `${what}: its signing certificate cannot be read`);
  const ess = essCertHash(p.signed.signerInfos[0]!);
  if (typeof ess === 'string') return bad('TIMESTAMP_UNTRUSTED', `${what}: ${ess}`);
  if (!equalBytes(ess.fn(tsa.der), ess.hash))
    return bad(
      'TIMESTAMP_UNTRUSTED',
      `${what}: its signing-certificate attribute names another certificate than ${tsa.subject}`,
    );
  const eku = ekuProblem(tsa);
  if (eku) return bad('TIMESTAMP_UNTRUSTED', `${what}: ${eku}`);
  const genTime = p.tst.genTime;
  const path = await verifyCertificatePath({
    leaf: tsa,
    intermediates: [...p.certs, ...(input.intermediates ?? [])].filter((c) => c !== tsa),
    anchors: input.anchors,
    at: genTime,
  });
  if (!path.ok) return bad('TIMESTAMP_UNTRUSTED', `${what}: ${path.message}`);
  return {
    ok: true,
    genTime,
    genTimeNanos: BigInt(genTime.getTime()) * 1_000_000n,
    tsa,
    path: path.path,
    hash: h.name,
    serial: toHex(new Uint8Array(p.tst.serialNumber.valueBlock.valueHexView)),
  };
}

/**
 * Verify an RFC 3161 timestamp token over a signature (see the module description). Never throws
 * on untrusted input.
 * @param input the token, the signature it must be over, the authority's anchors
 * @returns the token's time and authority, or TIMESTAMP_INVALID / TIMESTAMP_MISMATCH / TIMESTAMP_UNTRUSTED
 * @example
 * ```ts
 * const r = await verifyTimestampToken({ token, signature: sig, anchors: certificatesFromPem(tsaRootPem) });
 * if (r.ok) console.log(r.genTime.toISOString(), r.tsa.subject);
 * ```
 */
export async function verifyTimestampToken(input: TimestampInput): Promise<Outcome> {
  const what = input.what ?? 'timestamp token';
  if (!(input.signature instanceof Uint8Array)) throw new TypeError('"signature" expected a Uint8Array');
  if (input.anchors.length === 0) return bad('TIMESTAMP_UNTRUSTED', `${what}: no timestamp authority is trusted`);
  const p = parseToken(input.token, what);
  if ('ok' in p) return p;
  try {
    return await verifyParsed(p, input, what);
  } catch {
    return bad('TIMESTAMP_UNTRUSTED', `${what}: it cannot be checked`);
  }
}

/**
 * A token's messageImprint, read once, to place the token beside the signature it is over
 * (`lineproof bundle timestamp-attach`): nothing about the token is verified, its time and authority
 * count only through {@link verifyTimestampToken}. Never throws.
 * @param token the token (DER ContentInfo)
 * @returns whether a signature is the one imprinted, or undefined for what is not a token
 * @example
 * ```ts
 * timestampTokenImprint(token)?.covers(signatureBytes); // true when the token is over it
 * ```
 */
export function timestampTokenImprint(
  token: Uint8Array,
): { hash: ImprintHash; covers(signature: Uint8Array): boolean } | undefined {
  const p = parseToken(token, 'timestamp token');
  if ('ok' in p) return undefined;
  const h = HASHES[p.tst.messageImprint.hashAlgorithm.algorithmId];
  if (!h) return undefined;
  const imprint = new Uint8Array(p.tst.messageImprint.hashedMessage.valueBlock.valueHexView);
  return { hash: h.name, covers: (signature) => equalBytes(imprint, h.fn(signature)) };
}

/** Options of {@link timestampRequest}. */
export interface TimestampRequestOptions {
  /** The imprint hash (default sha256). */
  hash?: ImprintHash;
  /** A nonce (recommended: random, at most 8 bytes here). */
  nonce?: Uint8Array;
  /** Ask the authority to include its certificate (default true). */
  certReq?: boolean;
}

/**
 * A DER TimeStampReq over a signature, for a timestamp authority (`openssl ts -reply`, or an
 * HTTP TSA the caller posts it to with `Content-Type: application/timestamp-query`).
 * @param signature the signature bytes to timestamp
 * @param options hash, nonce, certReq
 * @returns the request's DER bytes
 */
export function timestampRequest(signature: Uint8Array, options: TimestampRequestOptions = {}): Uint8Array {
  const hash = options.hash ?? 'sha256';
  const oid = HASH_OIDS[hash];
  if (!oid) throw new TypeError(`"hash" expected sha256, sha384 or sha512, got ${String(hash)}`);
  const h = HASHES[oid]!;
  const req = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: oid, algorithmParams: new asn1js.Null() }),
      hashedMessage: new asn1js.OctetString({ valueHex: ab(h.fn(signature)) }),
    }),
    certReq: options.certReq ?? true,
    ...(options.nonce ? { nonce: new asn1js.Integer({ valueHex: ab(options.nonce) }) } : {}),
  });
  return new Uint8Array(req.toSchema().toBER());
}

/**
 * The token of a DER TimeStampResp (status granted or grantedWithMods).
 * @param der the response bytes
 * @returns the token (DER ContentInfo), or TIMESTAMP_INVALID with the status text
 */
export function timestampTokenFromResponse(der: Uint8Array): { ok: true; token: Uint8Array } | TimestampFailure {
  if (!(der instanceof Uint8Array) || der.length === 0 || der.length > MAX_TIMESTAMP_TOKEN_BYTES)
    return bad('TIMESTAMP_INVALID', `timestamp response: expected 1 to ${MAX_TIMESTAMP_TOKEN_BYTES} bytes`);
  const el = oneElement(der);
  if (!el) return bad('TIMESTAMP_INVALID', 'timestamp response: not exactly one DER element');
  try {
    const resp = new pkijs.TimeStampResp({ schema: el });
    const status = Number(resp.status.status);
    if (status !== 0 && status !== 1) {
      const text = resp.status.statusStrings?.map((s) => String(s.valueBlock.value)).join('; ');
      return bad('TIMESTAMP_INVALID', `timestamp response: status ${status} (not granted)${text ? `: ${text}` : ''}`);
    }
    if (!resp.timeStampToken) return bad('TIMESTAMP_INVALID', 'timestamp response: granted but holds no token');
    return { ok: true, token: new Uint8Array(resp.timeStampToken.toSchema().toBER()) };
  } catch {
    return bad('TIMESTAMP_INVALID', 'timestamp response: not an RFC 3161 TimeStampResp');
  }
}
