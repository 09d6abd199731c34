/**
 * DSSE envelopes (github.com/secure-systems-lab/dsse, envelope.md), decisions §6.
 *
 * ```json
 * {"payload":"<base64>","payloadType":"application/vnd.in-toto+json","signatures":[{"keyid":"…","sig":"<base64>"}]}
 * ```
 *
 * Parsing is strict: strict JSON (no duplicate keys, bounded depth and size), strict base64
 * (standard or URL-safe, padded; nothing else), an ASCII payloadType, at most 16 signatures (the
 * limit is configurable). Unknown fields, at the top and in signatures, are ignored (in-toto rule).
 * Envelopes are emitted as RFC 8785 canonical JSON with standard padded base64; `keyid` is always
 * written (`""` when the signer has none), as some readers require it.
 */
import { equalBytes, fromBase64, isBytes, toBase64 } from '../bytes/index.js';
import { LineproofError } from '../errors.js';
import { canonicalJson } from '../json/canonical.js';
import { isJsonObject, joinPath, parseJson, type JsonValue } from '../json/strict.js';
import { resolveLimits, type Limits } from '../limits.js';
import { assertAsciiPayloadType } from './pae.js';

/** Array.isArray without narrowing a typed array parameter to `any[]`. */
const isArray: (value: unknown) => boolean = Array.isArray;

/** One signature as it appears in an envelope (wire form). */
export interface EnvelopeSignature {
  /** A hint naming the key; never used to choose a key. */
  keyid?: string;
  /** Standard base64 of the raw signature. */
  sig: string;
}

/** A DSSE envelope in its JSON (wire) form. */
export interface Envelope {
  payloadType: string;
  /** Standard base64 of the payload bytes. */
  payload: string;
  signatures: EnvelopeSignature[];
}

/** One decoded signature. */
export interface DecodedSignature {
  keyid?: string;
  sig: Uint8Array;
}

/** A DSSE envelope with its payload and signatures decoded. */
export interface DecodedEnvelope {
  payloadType: string;
  payload: Uint8Array;
  signatures: DecodedSignature[];
}

/** Options for {@link parseEnvelope}. */
export interface ParseEnvelopeOptions {
  /** Size, depth and signature-count limits (defaults of decisions §11). */
  limits?: Partial<Limits>;
  /** Names the input in messages, e.g. a file name (default `envelope`). */
  what?: string;
}

function invalid(what: string, path: string, msg: string): LineproofError {
  return new LineproofError('DSSE_ENVELOPE_INVALID', `${what}: ${path === '' ? '' : `${path}: `}${msg}`, {
    path: path === '' ? what : path,
  });
}

function decodeB64(text: string, path: string, what: string): Uint8Array {
  try {
    return fromBase64(text, path);
  } catch (e) {
    if (e instanceof LineproofError) throw new LineproofError(e.code, `${what}: ${e.message}`, { path, cause: e });
    throw e;
  }
}

/**
 * Parse and decode an envelope from untrusted bytes, text, or an already parsed JSON value; an
 * already decoded envelope (payload bytes) is checked by the same rules, never re-encoded.
 * @param input envelope JSON bytes or text, a parsed value, or a decoded envelope
 * @returns the decoded envelope (payload and signature bytes)
 * @throws {LineproofError} JSON_* (strict JSON, with the field path), DSSE_ENVELOPE_INVALID
 *   (shape, with the field path), BASE64_* (path such as `signatures[0].sig`),
 *   DSSE_PAYLOAD_TYPE_NOT_ASCII, DSSE_TOO_MANY_SIGNATURES
 * @example
 * ```ts
 * const env = parseEnvelope(bytes, { what: 'model.intoto.json' });
 * env.payload; // Uint8Array
 * ```
 */
export function parseEnvelope(
  input: Uint8Array | string | JsonValue | Envelope | DecodedEnvelope,
  options: ParseEnvelopeOptions = {},
): DecodedEnvelope {
  const limits = resolveLimits(options.limits);
  const what = options.what ?? 'envelope';
  if (isDecoded(input)) return checkDecoded(input, limits, what);
  const value: unknown =
    isBytes(input) || typeof input === 'string'
      ? parseJson(input, { what, maxBytes: limits.envelopeBytes, maxDepth: limits.jsonDepth })
      : input;
  if (!isJsonObject(value)) throw invalid(what, '', 'expected a JSON object');

  const payloadType = checkPayloadType(value.payloadType, what);
  const payloadText = value.payload;
  if (typeof payloadText !== 'string')
    throw invalid(what, 'payload', payloadText === undefined ? 'missing' : 'must be a base64 string');
  const payload = decodeB64(payloadText, 'payload', what);

  const sigs = value.signatures;
  if (!Array.isArray(sigs)) throw invalid(what, 'signatures', sigs === undefined ? 'missing' : 'must be an array');
  checkSignatureCount(sigs.length, limits, what);
  const signatures: DecodedSignature[] = sigs.map((s: unknown, i: number) => {
    const path = joinPath('signatures', i);
    if (!isJsonObject(s)) throw invalid(what, path, 'must be an object');
    const sigText = s.sig;
    if (typeof sigText !== 'string')
      throw invalid(what, joinPath(path, 'sig'), sigText === undefined ? 'missing' : 'must be a base64 string');
    const sig = decodeB64(sigText, joinPath(path, 'sig'), what);
    const keyid = s.keyid;
    // `null` (written by model_signing 1.0.1) and "" mean "no keyid".
    if (keyid !== undefined && keyid !== null && typeof keyid !== 'string')
      throw invalid(what, joinPath(path, 'keyid'), 'must be a string');
    return typeof keyid === 'string' && keyid !== '' ? { keyid, sig } : { sig };
  });
  return { payloadType, payload, signatures };
}

function isDecoded(input: unknown): input is DecodedEnvelope {
  return typeof input === 'object' && input !== null && isBytes((input as { payload?: unknown }).payload);
}

function checkPayloadType(payloadType: unknown, what: string): string {
  if (typeof payloadType !== 'string')
    throw invalid(what, 'payloadType', payloadType === undefined ? 'missing' : 'must be a string');
  try {
    assertAsciiPayloadType(payloadType, 'payloadType');
  } catch (e) {
    if (e instanceof LineproofError)
      throw new LineproofError(e.code, `${what}: ${e.message}`, { path: 'payloadType', expected: 'ASCII' });
    throw e;
  }
  return payloadType;
}

function checkSignatureCount(count: number, limits: Limits, what: string): void {
  if (count > limits.signaturesPerEnvelope) {
    throw new LineproofError(
      'DSSE_TOO_MANY_SIGNATURES',
      `${what}: ${count} signatures is more than the limit of ${limits.signaturesPerEnvelope}`,
      { path: 'signatures', expected: `<= ${limits.signaturesPerEnvelope}`, actual: String(count) },
    );
  }
}

/**
 * An already decoded envelope, held to the same rules as the wire form (ASCII payloadType, the
 * signature-count limit, the payload within the envelope size limit), without re-encoding it.
 * Returns copies, so later changes to the caller's arrays cannot change what was checked.
 */
function checkDecoded(env: DecodedEnvelope, limits: Limits, what: string): DecodedEnvelope {
  const payloadType = checkPayloadType(env.payloadType, what);
  if (env.payload.length > limits.envelopeBytes) {
    throw new LineproofError(
      'LIMIT_EXCEEDED',
      `${what}: a ${env.payload.length}-byte payload is more than the envelope limit of ${limits.envelopeBytes} bytes`,
      { path: 'payload', expected: `<= ${limits.envelopeBytes}`, actual: String(env.payload.length) },
    );
  }
  const sigs: unknown = env.signatures;
  if (!Array.isArray(sigs)) throw invalid(what, 'signatures', sigs === undefined ? 'missing' : 'must be an array');
  checkSignatureCount(sigs.length, limits, what);
  const signatures = sigs.map((s: unknown, i: number): DecodedSignature => {
    const path = joinPath('signatures', i);
    if (typeof s !== 'object' || s === null) throw invalid(what, path, 'must be an object');
    const { sig, keyid } = s as { sig?: unknown; keyid?: unknown };
    if (!isBytes(sig)) throw invalid(what, joinPath(path, 'sig'), sig === undefined ? 'missing' : 'must be bytes');
    if (keyid !== undefined && keyid !== null && typeof keyid !== 'string')
      throw invalid(what, joinPath(path, 'keyid'), 'must be a string');
    return typeof keyid === 'string' && keyid !== '' ? { keyid, sig: sig.slice() } : { sig: sig.slice() };
  });
  return { payloadType, payload: env.payload.slice(), signatures };
}

/**
 * The wire form of a decoded envelope: standard padded base64, `keyid` always present.
 * @example
 * ```ts
 * const wire = encodeEnvelope({ payloadType, payload, signatures: [{ keyid, sig }] });
 * ```
 */
export function encodeEnvelope(env: DecodedEnvelope): Envelope {
  return {
    payloadType: env.payloadType,
    payload: toBase64(env.payload),
    signatures: env.signatures.map((s) => ({ keyid: s.keyid ?? '', sig: toBase64(s.sig) })),
  };
}

/**
 * The envelope as one line of RFC 8785 canonical JSON (no trailing newline), the form written to
 * files and `.intoto.jsonl` bundles.
 * @example
 * ```ts
 * writeFileSync('statement.intoto.json', serializeEnvelope(envelope) + '\n');
 * ```
 */
export function serializeEnvelope(env: Envelope | DecodedEnvelope): string {
  const wire = isBytes((env as DecodedEnvelope).payload)
    ? encodeEnvelope(env as DecodedEnvelope)
    : normalizeWire(env as Envelope);
  return canonicalJson(wire);
}

function normalizeWire(env: Envelope): Envelope {
  // Re-encode through the strict parser, so what is written is always what a verifier accepts.
  return encodeEnvelope(parseEnvelope(env));
}

/**
 * Merge envelopes over the same payload: the union of their signatures, identical signatures
 * (same bytes) kept once, the first keyid hint kept (decisions §6: a second approver's signature
 * is added to the same payload).
 * @param envelopes at least one envelope (bytes, text, parsed value or wire form)
 * @returns the merged envelope in wire form
 * @throws {LineproofError} DSSE_MERGE_MISMATCH when payloadType or payload bytes differ;
 *   DSSE_TOO_MANY_SIGNATURES when the union is over the limit; any parse error of an input
 * @throws {RangeError} when `envelopes` is empty
 * @example
 * ```ts
 * const both = mergeEnvelopes([signedByAlice, signedByBob]);
 * ```
 */
export function mergeEnvelopes(
  envelopes: ReadonlyArray<Uint8Array | string | JsonValue | Envelope>,
  options: ParseEnvelopeOptions = {},
): Envelope {
  if (!isArray(envelopes) || envelopes.length === 0) throw new RangeError('"envelopes" expected a non-empty array');
  const limits = resolveLimits(options.limits);
  const decoded = envelopes.map((e, i) =>
    parseEnvelope(e, { ...options, what: `${options.what ?? 'envelopes'}[${i}]` }),
  );
  const first = decoded[0]!;
  const signatures: DecodedSignature[] = [];
  decoded.forEach((env, i) => {
    if (env.payloadType !== first.payloadType) {
      throw new LineproofError('DSSE_MERGE_MISMATCH', `envelopes[${i}]: payloadType differs from envelopes[0]`, {
        path: `envelopes[${i}].payloadType`,
        expected: first.payloadType,
        actual: env.payloadType,
      });
    }
    if (!equalBytes(env.payload, first.payload)) {
      throw new LineproofError(
        'DSSE_MERGE_MISMATCH',
        `envelopes[${i}]: payload differs from envelopes[0]; only signatures over the same payload merge`,
        { path: `envelopes[${i}].payload` },
      );
    }
    for (const s of env.signatures) {
      if (!signatures.some((t) => equalBytes(t.sig, s.sig))) signatures.push(s);
    }
  });
  if (signatures.length > limits.signaturesPerEnvelope) {
    throw new LineproofError(
      'DSSE_TOO_MANY_SIGNATURES',
      `merged envelope: ${signatures.length} signatures is more than the limit of ${limits.signaturesPerEnvelope}`,
      {
        path: 'signatures',
        expected: `<= ${limits.signaturesPerEnvelope}`,
        actual: String(signatures.length),
      },
    );
  }
  return encodeEnvelope({ payloadType: first.payloadType, payload: first.payload, signatures });
}
