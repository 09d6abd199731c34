/**
 * `.intoto.jsonl` bundles (DESIGN §6): a set of DSSE envelopes, one JCS envelope per line + LF.
 *
 * Reading: line order means nothing and duplicates are harmless; blank lines and CRLF are
 * accepted; a malformed line fails naming its line number. Envelopes with the same payloadType
 * and payload bytes are one attestation: their signatures merge (identical signatures once).
 */
import { equalBytes, fromUtf8, toBase64 } from '../bytes/index.js';
import { parseEnvelope, type DecodedEnvelope, type Envelope } from '../dsse/envelope.js';
import { LineproofError, type ErrorCode } from '../errors.js';
import { canonicalJson } from '../json/canonical.js';
import type { JsonValue } from '../json/strict.js';
import { resolveLimits, type Limits } from '../limits.js';
import { sha256Hex } from '../digest/index.js';

/** One envelope of a bundle, with where it came from. */
export interface BundleEntry {
  /** The decoded envelope (signatures merged across duplicate lines). */
  envelope: DecodedEnvelope;
  /** `sha256:<hex>` of the payload bytes: the attestation's name in references and reports. */
  payloadDigest: string;
  /** 1-based line numbers (or array indices + 1) it was read from. */
  lines: number[];
}

/** A line that could not be read. */
export interface BundleLineError {
  line: number;
  code: ErrorCode;
  message: string;
}

/** The result of {@link readBundle}: what could be read, and every line that could not. */
export interface Bundle {
  entries: BundleEntry[];
  errors: BundleLineError[];
}

/** Options for {@link readBundle}. */
export interface ReadBundleOptions {
  limits?: Partial<Limits>;
  /** Names the bundle in messages (a file name). */
  what?: string;
}

/** Signatures are the same when their bytes are: the keyid is only a hint. */
function signatureKey(sig: { sig: Uint8Array }): string {
  return toBase64(sig.sig);
}

/**
 * Read a bundle from `.intoto.jsonl` text or bytes, or from an array of envelopes (any form
 * {@link parseEnvelope} takes). Never throws for untrusted content: unreadable lines are listed
 * in `errors` with their line numbers; the caller decides (chain verification fails on them).
 * @throws {TypeError} when `input` is none of the accepted types (misuse)
 */
export function readBundle(input: string | Uint8Array | ReadonlyArray<Uint8Array | string | JsonValue | Envelope>, options: ReadBundleOptions = {}): Bundle {
  const limits = resolveLimits(options.limits);
  const what = options.what ?? 'bundle';
  const errors: BundleLineError[] = [];
  let items: Array<{ line: number; value: Uint8Array | string | JsonValue | Envelope }>;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    let text: string;
    try {
      text = typeof input === 'string' ? input : fromUtf8(input, what);
    } catch (e) {
      return { entries: [], errors: [{ line: 0, code: e instanceof LineproofError ? e.code : 'INTERNAL', message: (e as Error).message }] };
    }
    items = [];
    text.split('\n').forEach((raw, i) => {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line.trim() === '') return;
      items.push({ line: i + 1, value: line });
    });
  } else if (Array.isArray(input)) {
    items = input.map((value, i) => ({ line: i + 1, value }));
  } else {
    throw new TypeError('"bundle" expected .intoto.jsonl text or bytes, or an array of envelopes');
  }
  if (items.length > limits.envelopesPerBundle) {
    return { entries: [], errors: [{ line: 0, code: 'LIMIT_EXCEEDED', message: `${what}: ${items.length} envelopes is more than the limit of ${limits.envelopesPerBundle}` }] };
  }
  const byPayload = new Map<string, BundleEntry>();
  for (const { line, value } of items) {
    let env: DecodedEnvelope;
    try {
      env = parseEnvelope(value, { limits, what: `${what} line ${line}` });
    } catch (e) {
      errors.push({ line, code: e instanceof LineproofError ? e.code : 'INTERNAL', message: `line ${line}: ${(e as Error).message}` });
      continue;
    }
    const digest = `sha256:${sha256Hex(env.payload)}`;
    const key = `${env.payloadType}\u0000${digest}`;
    const existing = byPayload.get(key);
    if (!existing) {
      byPayload.set(key, { envelope: { ...env, signatures: [...env.signatures] }, payloadDigest: digest, lines: [line] });
      continue;
    }
    if (!equalBytes(existing.envelope.payload, env.payload)) {
      // Same digest, different bytes: a SHA-256 collision. Refuse rather than merge.
      errors.push({ line, code: 'INTERNAL', message: `line ${line}: payload digest collision` });
      continue;
    }
    existing.lines.push(line);
    const seen = new Set(existing.envelope.signatures.map(signatureKey));
    for (const s of env.signatures) {
      if (!seen.has(signatureKey(s))) {
        existing.envelope.signatures.push(s);
        seen.add(signatureKey(s));
      }
    }
  }
  return { entries: [...byPayload.values()], errors };
}

/** One bundle line: the JCS of the envelope's wire form and LF. */
export function bundleLine(envelope: Envelope): string {
  return `${canonicalJson(envelope)}\n`;
}
