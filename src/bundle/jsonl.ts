/**
 * `.intoto.jsonl` bundles (decisions §6, spec/envelopes.md §6): a set of DSSE envelopes, one JCS
 * envelope per line + LF.
 *
 * Reading: line order means nothing and duplicates are harmless; blank lines and CRLF are
 * accepted; a malformed line fails naming its line number. An envelope is its (payloadType,
 * payload bytes) (decisions §14): lines with both equal are one envelope and their signatures merge,
 * one by one (identical signature bytes once, whatever their keyid hints); envelopes that differ
 * in either never merge or replace one another. Entries and signatures come in the order first
 * seen; a signature seen with several keyid hints keeps the least (in code-point order), so what
 * a verifier does with them need not depend on line order.
 *
 * Writing is by append of whole lines ({@link bundleLine}); the Node adapter's `appendToBundle`
 * does it under an advisory lock. A second signer co-signs by appending the envelope again with
 * its signature added ({@link cosignEntry}): readers merge the lines.
 */
import { equalBytes, fromUtf8, toBase64 } from '../bytes/index.js';
import { encodeEnvelope, parseEnvelope, type DecodedEnvelope, type Envelope } from '../dsse/envelope.js';
import { addSignature, type SignOptions } from '../dsse/sign.js';
import type { Signer } from '../keys/types.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../statements/statement.js';
import { LineproofError, type ErrorCode } from '../errors.js';
import { canonicalJson } from '../json/canonical.js';
import type { JsonValue } from '../json/strict.js';
import { resolveLimits, type Limits } from '../limits.js';
import { sha256Hex } from '../digest/index.js';
import { parseJson } from '../json/strict.js';
import { isSigstoreLine, MAX_SIGNATURE_MATERIALS, readSigstoreLine, type SignatureMaterial } from './sigstore-line.js';

/** Array.isArray without narrowing a typed array parameter to `any[]`. */
const isArray: (value: unknown) => boolean = Array.isArray;

/** One envelope of a bundle, with where it came from. */
export interface BundleEntry {
  /** The decoded envelope (signatures merged across duplicate lines). */
  envelope: DecodedEnvelope;
  /** `sha256:<hex>` of the payload bytes: the attestation's name in references and reports. */
  payloadDigest: string;
  /** 1-based line numbers (or array indices + 1) it was read from, ascending. */
  lines: number[];
  /** For each signature of `envelope`, the lines it appears on, ascending. */
  signatureLines: number[][];
  /**
   * For each signature of `envelope`, the distinct verification material Sigstore bundle lines
   * carry for it (certificates, RFC 3161 tokens), with their lines; absent when no line did.
   */
  materials?: Array<Array<{ material: SignatureMaterial; lines: number[] }>>;
}

/** One signature as read so far: its bytes, lines and material. */
interface SignatureSlot {
  sig: DecodedEnvelope['signatures'][number];
  lines: number[];
  materials: Map<string, { material: SignatureMaterial; lines: number[] }>;
}

/** Parse one line: a DSSE envelope, or a Sigstore bundle wrapping one (with its signature's material). */
function parseLine(
  value: Uint8Array | string | JsonValue | Envelope,
  limits: Limits,
  what: string,
): { env: DecodedEnvelope; material?: SignatureMaterial } {
  const parsed =
    typeof value === 'string' || value instanceof Uint8Array
      ? parseJson(value, { what, maxBytes: limits.envelopeBytes, maxDepth: limits.jsonDepth })
      : value;
  if (isSigstoreLine(parsed)) {
    const { envelope, material } = readSigstoreLine(parsed, limits, what);
    return { env: envelope, material };
  }
  return { env: parseEnvelope(parsed, { limits, what }) };
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

/** Orders keyid hints so the one kept for a merged signature does not depend on line order. */
function keyidRank(keyid: string | undefined): string {
  return keyid === undefined ? '\uffff' : keyid;
}

/** A line adding material past {@link MAX_SIGNATURE_MATERIALS} for one signature fails (naming the line). */
function addMaterialProblem(
  sigs: Map<string, SignatureSlot>,
  sig: DecodedEnvelope['signatures'][number],
  material: SignatureMaterial,
  line: number,
  what: string,
): BundleLineError | undefined {
  const seen = sigs.get(signatureKey(sig));
  if (!seen || seen.materials.has(material.id) || seen.materials.size < MAX_SIGNATURE_MATERIALS) return undefined;
  return {
    line,
    code: 'LIMIT_EXCEEDED',
    message: `line ${line}: ${what}: more than ${MAX_SIGNATURE_MATERIALS} distinct pieces of verification material for one signature`,
  };
}

type BundleItem = { line: number; value: Uint8Array | string | JsonValue | Envelope };

/** The non-blank lines (or array items) of a bundle input, numbered from 1; or the error that stops reading it. */
function bundleItems(
  input: string | Uint8Array | ReadonlyArray<Uint8Array | string | JsonValue | Envelope>,
  limits: ReturnType<typeof resolveLimits>,
  what: string,
): { items: BundleItem[] } | { error: BundleLineError } {
  let items: BundleItem[];
  if (typeof input === 'string' || input instanceof Uint8Array) {
    let text: string;
    try {
      text = typeof input === 'string' ? input : fromUtf8(input, what);
    } catch (e) {
      return {
        error: { line: 0, code: e instanceof LineproofError ? e.code : 'INTERNAL', message: (e as Error).message },
      };
    }
    items = [];
    text.split('\n').forEach((raw, i) => {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line.trim() === '') return;
      items.push({ line: i + 1, value: line });
    });
  } else if (isArray(input)) {
    items = input.map((value, i) => ({ line: i + 1, value }));
  } else {
    throw new TypeError('"bundle" expected .intoto.jsonl text or bytes, or an array of envelopes');
  }
  if (items.length > limits.envelopesPerBundle)
    return {
      error: {
        line: 0,
        code: 'LIMIT_EXCEEDED',
        message: `${what}: ${items.length} envelopes is more than the limit of ${limits.envelopesPerBundle}`,
      },
    };
  return { items };
}

/**
 * Read a bundle from `.intoto.jsonl` text or bytes, or from an array of envelopes (any form
 * {@link parseEnvelope} takes). Never throws for untrusted content: unreadable lines are listed
 * in `errors` with their line numbers; the caller decides (chain verification fails on them).
 * @throws {TypeError} when `input` is none of the accepted types (misuse)
 */
export function readBundle(
  input: string | Uint8Array | ReadonlyArray<Uint8Array | string | JsonValue | Envelope>,
  options: ReadBundleOptions = {},
): Bundle {
  const limits = resolveLimits(options.limits);
  const what = options.what ?? 'bundle';
  const errors: BundleLineError[] = [];
  const read = bundleItems(input, limits, what);
  if ('error' in read) return { entries: [], errors: [read.error] };
  const items = read.items;
  const byPayload = new Map<string, { entry: BundleEntry; sigs: Map<string, SignatureSlot> }>();
  for (const { line, value } of items) {
    let env: DecodedEnvelope;
    let material: SignatureMaterial | undefined;
    try {
      ({ env, material } = parseLine(value, limits, `${what} line ${line}`));
    } catch (e) {
      errors.push({
        line,
        code: e instanceof LineproofError ? e.code : 'INTERNAL',
        message: `line ${line}: ${(e as Error).message}`,
      });
      continue;
    }
    const digest = `sha256:${sha256Hex(env.payload)}`;
    const key = `${digest}\u0000${env.payloadType}`;
    let slot = byPayload.get(key);
    if (!slot) {
      slot = {
        entry: {
          envelope: { payloadType: env.payloadType, payload: env.payload, signatures: [] },
          payloadDigest: digest,
          lines: [],
          signatureLines: [],
        },
        sigs: new Map(),
      };
      byPayload.set(key, slot);
    } else if (!equalBytes(slot.entry.envelope.payload, env.payload)) {
      // Same digest, different bytes: a SHA-256 collision. Refuse rather than merge.
      errors.push({ line, code: 'INTERNAL', message: `line ${line}: payload digest collision` });
      continue;
    }
    const sigs = slot.sigs;
    const first = material && addMaterialProblem(sigs, env.signatures[0]!, material, line, what);
    if (first) {
      errors.push(first);
      continue;
    }
    // Lines arrive in ascending order, so a repeat can only be the last one.
    if (slot.entry.lines[slot.entry.lines.length - 1] !== line) slot.entry.lines.push(line);
    for (const s of env.signatures) {
      const id = signatureKey(s);
      let seen = sigs.get(id);
      if (!seen) sigs.set(id, (seen = { sig: s, lines: [line], materials: new Map() }));
      else {
        if (seen.lines[seen.lines.length - 1] !== line) seen.lines.push(line);
        if (keyidRank(s.keyid) < keyidRank(seen.sig.keyid)) seen.sig = s;
      }
      if (material) {
        const m = seen.materials.get(material.id);
        if (!m) seen.materials.set(material.id, { material, lines: [line] });
        else if (m.lines[m.lines.length - 1] !== line) m.lines.push(line);
      }
    }
  }
  const slots = [...byPayload.values()];
  for (const { entry, sigs } of slots) {
    const materials: NonNullable<BundleEntry['materials']> = [];
    for (const { sig, lines: at, materials: m } of sigs.values()) {
      entry.envelope.signatures.push(sig);
      entry.signatureLines.push(at);
      materials.push([...m.values()]);
    }
    if (materials.some((m) => m.length > 0)) entry.materials = materials;
  }
  return { entries: slots.map((s) => s.entry), errors };
}

/**
 * One bundle line: the JCS (RFC 8785) of the envelope's wire form and LF.
 * @param envelope the envelope in wire form (as `signEnvelope` returns it)
 * @returns the line, ending in `\n`
 * @throws {LineproofError} JSON_NOT_REPRESENTABLE when `envelope` is not plain JSON
 * @example
 * ```ts
 * const line = bundleLine(await signEnvelope(payload, IN_TOTO_PAYLOAD_TYPE, [signer]));
 * ```
 */
export function bundleLine(envelope: Envelope): string {
  return `${canonicalJson(envelope)}\n`;
}

/** `sha256:<hex>` in lowercase from `sha256:<hex>` or bare hex (any case); undefined when malformed. */
function normalizePayloadDigest(digest: string): string | undefined {
  if (typeof digest !== 'string') return undefined;
  const m = /^(?:sha256:)?([0-9a-fA-F]{64})$/.exec(digest);
  return m ? `sha256:${m[1]!.toLowerCase()}` : undefined;
}

/**
 * The attestation of a bundle whose payload has this digest (in-toto payloadType preferred, then
 * any other).
 * @param bundle a bundle from {@link readBundle}
 * @param payloadDigest `sha256:<hex>` of the payload bytes (bare hex accepted)
 * @returns the entry, or undefined when no envelope has that payload
 * @throws {LineproofError} INVALID_ARGUMENT when `payloadDigest` is not a sha256 digest
 * @example
 * ```ts
 * const entry = findEntry(readBundle(text), 'sha256:…');
 * ```
 */
export function findEntry(bundle: Bundle, payloadDigest: string): BundleEntry | undefined {
  const digest = normalizePayloadDigest(payloadDigest);
  if (digest === undefined)
    throw new LineproofError(
      'INVALID_ARGUMENT',
      `payload digest: expected sha256:<64 hex digits>, got ${JSON.stringify(String(payloadDigest).slice(0, 80))}`,
      { path: 'payloadDigest' },
    );
  const matches = bundle.entries.filter((e) => e.payloadDigest === digest);
  return matches.find((e) => e.envelope.payloadType === IN_TOTO_PAYLOAD_TYPE) ?? matches[0];
}

/** The result of {@link cosignEntry}. */
export interface CosignResult {
  /** The attestation co-signed, as read from the bundle (signatures of all its lines merged). */
  entry: BundleEntry;
  /** The envelope to append: the payload with every signature known so far and the new one. */
  envelope: Envelope;
  /** False when the signer's key had already signed this payload (nothing needs appending). */
  added: boolean;
}

/**
 * Co-sign an attestation of a bundle (a second approver, a counter-signature): find the envelope by
 * payload digest and add the signer's signature over the same payload (decisions §6). Append
 * `bundleLine(result.envelope)` to the bundle; readers merge it with the earlier line(s), and
 * references to the attestation, which name its payload digest, do not change.
 *
 * The signatures already there are not verified here (the signer may not hold their keys); chain
 * verification counts only trusted ones.
 * @param bundle a bundle from {@link readBundle}
 * @param payloadDigest `sha256:<hex>` of the payload to co-sign
 * @param signer the co-signer
 * @param options verifier and limits for signing
 * @returns the entry, the envelope to append, and whether a signature was added
 * @throws {LineproofError} BUNDLE_PAYLOAD_NOT_FOUND when no envelope has that payload;
 *   INVALID_ARGUMENT for a malformed digest; the codes of `addSignature` (DSSE_TOO_MANY_SIGNATURES,
 *   STATEMENT_INVALID, SIGNER_FAULT)
 * @example
 * ```ts
 * const { envelope, added } = await cosignEntry(readBundle(text), approvalDigest, ed25519Signer(bob));
 * if (added) text += bundleLine(envelope);
 * ```
 */
export async function cosignEntry(
  bundle: Bundle,
  payloadDigest: string,
  signer: Signer,
  options: SignOptions = {},
): Promise<CosignResult> {
  const entry = findEntry(bundle, payloadDigest);
  if (!entry) {
    throw new LineproofError(
      'BUNDLE_PAYLOAD_NOT_FOUND',
      `no envelope of the bundle has payload ${payloadDigest} (${bundle.entries.length} attestation(s) read)`,
      { path: 'payloadDigest', expected: payloadDigest },
    );
  }
  const before = entry.envelope.signatures.length;
  const envelope = await addSignature(encodeEnvelope(entry.envelope), signer, options);
  return { entry, envelope, added: envelope.signatures.length > before };
}
