/**
 * RFC 3161 timestamps onto a bundle's signatures (spec/envelopes.md §6.1a): list the signatures a
 * timestamp authority should stamp, then put each token it returns beside the signature it is over.
 * A signature of a plain envelope line that gets a token becomes its own Sigstore bundle line
 * carrying it (the envelope's other signatures stay on the envelope line: a bundle is a set, so the
 * two lines together are the same attestation); a Sigstore line gets the token added to its
 * `timestampVerificationData`. Nothing is verified here: a token counts only when the verifier
 * checks it against a policy's `timestampAuthorities`. Lines that cannot be read are left as they
 * are, for the verifier to judge.
 */
import { toBase64 } from '../bytes/index.js';
import { encodeEnvelope, parseEnvelope, serializeEnvelope, type DecodedEnvelope } from '../dsse/envelope.js';
import { canonicalJson } from '../json/canonical.js';
import { isJsonObject, parseJson, type JsonObject } from '../json/strict.js';
import { resolveLimits, type Limits } from '../limits.js';
import { timestampTokenImprint } from '../pki/rfc3161.js';
import { payloadDigest } from '../statements/statement.js';
import { isSigstoreLine, MAX_LINE_TIMESTAMPS, readSigstoreLine, sigstoreBundleLine } from './sigstore-line.js';

/** One signature of a bundle, for a timestamp request. */
export interface BundleSignature {
  /** 1-based line of the bundle. */
  line: number;
  /** 0-based index among the line's signatures. */
  index: number;
  payloadDigest: string;
  keyid?: string;
  sig: Uint8Array;
}

type ReadLine =
  | { kind: 'envelope'; envelope: DecodedEnvelope }
  | { kind: 'sigstore'; envelope: DecodedEnvelope; json: JsonObject }
  | { kind: 'other' };

function readLine(text: string, limits: Limits, what: string): ReadLine {
  if (text.trim() === '') return { kind: 'other' };
  try {
    const v = parseJson(text, { what, maxBytes: limits.envelopeBytes, maxDepth: limits.jsonDepth });
    if (isSigstoreLine(v)) return { kind: 'sigstore', envelope: readSigstoreLine(v, limits, what).envelope, json: v };
    return { kind: 'envelope', envelope: parseEnvelope(v, { limits, what }) };
  } catch {
    return { kind: 'other' };
  }
}

const linesOf = (bundle: Uint8Array | string): string[] =>
  (typeof bundle === 'string' ? bundle : new TextDecoder('utf-8', { fatal: false }).decode(bundle)).split('\n');

/**
 * The signatures of a bundle's readable lines, each once (a signature on two lines is listed at the first).
 * @param bundle the `.intoto.jsonl` text or bytes
 * @param limits envelope limits
 */
export function bundleSignatures(bundle: Uint8Array | string, limits?: Partial<Limits>): BundleSignature[] {
  const l = resolveLimits(limits);
  const out: BundleSignature[] = [];
  const seen = new Set<string>();
  linesOf(bundle).forEach((text, i) => {
    const r = readLine(text, l, `line ${i + 1}`);
    if (r.kind === 'other') return;
    const digest = payloadDigest(r.envelope.payload);
    r.envelope.signatures.forEach((s, index) => {
      const id = `${digest}|${toBase64(s.sig)}`;
      if (seen.has(id)) return;
      seen.add(id);
      out.push({
        line: i + 1,
        index,
        payloadDigest: digest,
        ...(s.keyid !== undefined ? { keyid: s.keyid } : {}),
        sig: s.sig,
      });
    });
  });
  return out;
}

/** What {@link attachTimestamps} did. */
export interface AttachedTimestamps {
  /** The bundle with the tokens in place (its newline-terminated lines). */
  bundle: string;
  /** Each token placed: its index among the tokens given, and the signature's line and index. */
  attached: Array<{ token: number; line: number; index: number; payloadDigest: string; signature: Uint8Array }>;
  /** Indexes of tokens over no signature of the bundle. */
  unmatched: number[];
}

function withTokens(json: JsonObject, tokens: Uint8Array[]): string {
  const vm = json.verificationMaterial as JsonObject;
  const tv = isJsonObject(vm.timestampVerificationData) ? vm.timestampVerificationData : {};
  const list = Array.isArray(tv.rfc3161Timestamps) ? [...tv.rfc3161Timestamps] : [];
  const have = new Set(
    list.map((t) => (isJsonObject(t) && typeof t.signedTimestamp === 'string' ? t.signedTimestamp : '')),
  );
  for (const t of tokens) {
    const b = toBase64(t);
    if (!have.has(b) && list.length < MAX_LINE_TIMESTAMPS) list.push({ signedTimestamp: b });
    have.add(b);
  }
  const next: JsonObject = {
    ...json,
    verificationMaterial: { ...vm, timestampVerificationData: { rfc3161Timestamps: list } },
  };
  return canonicalJson(next);
}

/**
 * Put each RFC 3161 token beside the signature its messageImprint is over (see the module
 * description). A token over no signature of the bundle is reported in `unmatched`.
 * @param bundle the `.intoto.jsonl` text or bytes
 * @param tokens the tokens (DER ContentInfo, e.g. from `timestampTokenFromResponse`)
 * @param limits envelope limits
 * @example
 * ```ts
 * const { bundle: stamped, unmatched } = attachTimestamps(text, [token]);
 * ```
 */
export function attachTimestamps(
  bundle: Uint8Array | string,
  tokens: readonly Uint8Array[],
  limits?: Partial<Limits>,
): AttachedTimestamps {
  const l = resolveLimits(limits);
  const attached: AttachedTimestamps['attached'] = [];
  const used = new Set<number>();
  // each token parsed once, not once per signature
  const imprints = tokens.map((t) => timestampTokenImprint(t));
  const tokensFor = (sig: Uint8Array, line: number, index: number, digest: string): Uint8Array[] => {
    const mine: Uint8Array[] = [];
    tokens.forEach((t, k) => {
      if (!imprints[k]?.covers(sig)) return;
      mine.push(t);
      used.add(k);
      attached.push({ token: k, line, index, payloadDigest: digest, signature: sig });
    });
    return mine;
  };
  const lines = linesOf(bundle);
  const out: string[] = [];
  lines.forEach((text, i) => {
    const r = readLine(text, l, `line ${i + 1}`);
    if (r.kind === 'other') {
      if (i < lines.length - 1 || text !== '') out.push(text);
      return;
    }
    const digest = payloadDigest(r.envelope.payload);
    if (r.kind === 'sigstore') {
      const mine = tokensFor(r.envelope.signatures[0]!.sig, i + 1, 0, digest);
      out.push(mine.length === 0 ? text : withTokens(r.json, mine));
      return;
    }
    const rest: DecodedEnvelope['signatures'] = [];
    const stamped: string[] = [];
    r.envelope.signatures.forEach((s, index) => {
      const mine = tokensFor(s.sig, i + 1, index, digest);
      if (mine.length === 0) {
        rest.push(s);
        return;
      }
      const one = encodeEnvelope({ ...r.envelope, signatures: [s] });
      stamped.push(sigstoreBundleLine(one, { timestamps: mine }).replace(/\n$/, ''));
    });
    if (stamped.length === 0) out.push(text);
    else {
      if (rest.length > 0) out.push(serializeEnvelope({ ...r.envelope, signatures: rest }));
      out.push(...stamped);
    }
  });
  const unmatched = tokens.map((_, k) => k).filter((k) => !used.has(k));
  return { bundle: out.map((x) => `${x}\n`).join(''), attached, unmatched };
}
