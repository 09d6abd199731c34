/**
 * What every builder shares: the input types of predecessors, digests and times, and the
 * normalisation of inputs (subjects, artifacts, references, manifests, times) into the shapes of
 * the predicates, then {@link finish}: validate the statement as a reader would.
 * @module
 */
import { toBase64 } from '../bytes/index.js';
import { assertDigestSet, digestSetFromText, parseDigest, sha256Hex, type DigestSet } from '../digest/index.js';
import { LineproofError, isLineproofError } from '../errors.js';
import { assertJsonValue } from '../json/canonical.js';
import { parseJson } from '../json/strict.js';
import type { Limits } from '../limits.js';
import { formatTimestamp, parseTimestamp, type Now, type Rounding } from '../time/index.js';
import type { ArtifactInput, SubjectInput } from './inputs.js';
import {
  LINEPROOF_MANIFEST_MEDIA_TYPE,
  parsePredicate,
  type Attester,
  type ParsedPredicateOf,
  type PredicateByStage,
  type PredicateManifest,
  type Stage,
  type StageReference,
} from './predicates/index.js';
import {
  IN_TOTO_PAYLOAD_TYPE,
  STATEMENT_TYPE_V1,
  type PayloadReference,
  type ResourceDescriptor,
  type Statement,
} from './statement.js';

export type { ArtifactInput, SubjectInput } from './inputs.js';
/** An artifact digest: a DigestSet or `sha256:<hex>` text. */
export type DigestInput = DigestSet | string;
/** A predecessor attestation: its exact payload bytes, its payload digest `sha256:<hex>`, or a reference. */
export type PayloadInput = Uint8Array | string | PayloadReference;
/** A time: a Date or an RFC 3339 string. */
export type TimeInput = Date | string;

/** A manifest (decisions §5) carried with the statement: its JCS bytes. */
export interface StatementManifestInput {
  /** The manifest's JCS bytes; its sha256 is the subject digest. */
  bytes: Uint8Array;
  /** Inline the bytes (base64) in the predicate (default true; at most the inline limit, 1 MiB). */
  inline?: boolean;
  /** The sidecar's location (required when not inlined), e.g. `model.manifest.json`. */
  uri?: string;
}

/** Inputs every builder takes. */
export interface BuilderBase {
  /** The signer's claimed identity. */
  attester: string | Attester;
  /** The injected clock; `issuedAt` is read from it once. */
  now: Now;
  /** Limits (inlined manifest size). */
  limits?: Partial<Limits>;
}

/** A built statement of one stage. */
export type StatementOf<S extends Stage> = Statement<PredicateByStage[S]>;

// ---------------------------------------------------------------------------------------------
// input normalisation

/** The message for a reference whose mediaType is not the in-toto one. */
export const EXPECTED_MEDIA_TYPE = `expected ${IN_TOTO_PAYLOAD_TYPE}`;

export function argError(path: string, message: string, cause?: unknown): never {
  throw new LineproofError('INVALID_ARGUMENT', `${path}: ${message}`, { path, cause });
}

/** `T` with each property that may be undefined made optional instead (absent, never undefined). */
export type WithoutUndefined<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

export function opt<T extends Record<string, unknown>>(o: T): WithoutUndefined<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as WithoutUndefined<T>;
}

/**
 * A DigestSet from a DigestSet or `alg:hex` text (a copy; shape checked).
 * @throws {LineproofError} INVALID_ARGUMENT naming `what`
 */
export function toDigestSet(input: DigestInput, what = 'digest'): DigestSet {
  if (typeof input === 'string') return digestSetFromText(input, what);
  try {
    assertDigestSet(input, what);
  } catch (e) {
    argError(what, isLineproofError(e) ? e.message : 'invalid digest set', e);
  }
  return { ...input };
}

export function attesterOf(a: string | Attester): Attester {
  if (typeof a === 'string') return { id: a };
  if (typeof a !== 'object' || a === null || typeof a.id !== 'string')
    argError('attester', 'expected an identity string or { id }');
  return { id: a.id };
}

export function writeTime(input: TimeInput, what: string, rounding: Rounding = 'down'): string {
  if (input instanceof Date) {
    try {
      return formatTimestamp(input, rounding);
    } catch (e) {
      argError(what, (e as Error).message, e);
    }
  }
  if (typeof input !== 'string') argError(what, 'expected a Date or an RFC 3339 string');
  const ns = parseTimestamp(input, what).epochNanos; // TIME_INVALID naming the field
  const s = ns / 1_000_000_000n;
  const floor = ns < 0n && s * 1_000_000_000n !== ns ? s - 1n : s;
  const secs = rounding === 'up' && floor * 1_000_000_000n !== ns ? floor + 1n : floor;
  try {
    return formatTimestamp(Number(secs) * 1000);
  } catch (e) {
    argError(what, (e as Error).message, e);
  }
}

export function subjectsOf(
  input: SubjectInput | SubjectInput[] | undefined,
  fallback: ResourceDescriptor[] | undefined,
  what = 'subject',
): Array<ResourceDescriptor & { digest: DigestSet }> {
  if (input === undefined) {
    if (fallback && fallback.length > 0) return fallback as Array<ResourceDescriptor & { digest: DigestSet }>;
    argError(what, 'at least one subject (or a manifest) is required');
  }
  const list = Array.isArray(input) ? input : [input];
  if (list.length === 0) argError(what, 'at least one subject is required');
  return list.map((s, i) =>
    opt({ name: s.name, uri: s.uri, digest: toDigestSet(s.digest, `${what}[${i}].digest`), mediaType: s.mediaType }),
  );
}

export function artifactOf(
  a: ArtifactInput,
  what: string,
): { name?: string; uri?: string; digest: DigestSet; mediaType?: string; downloadLocation?: string } {
  return opt({
    name: a.name,
    uri: a.uri,
    digest: toDigestSet(a.digest, `${what}.digest`),
    mediaType: a.mediaType,
    downloadLocation: a.downloadLocation,
  });
}

export function sha256Of(text: string, what: string): string {
  const { alg, hex } = parseDigest(text, what);
  if (alg !== 'sha256') argError(what, `a payload digest is sha256:<hex>, got ${alg}:`);
  return hex;
}

/**
 * The payload reference (decisions §6) to a predecessor of `stage`.
 * @param stage the stage the predecessor must have
 * @param input its exact payload bytes (hashed, and checked to be an attestation of `stage`), its
 *   payload digest `sha256:<hex>`, or a payload reference (its `name` must be `stage`)
 * @param what names the input in errors
 * @returns `{name: stage, digest: {sha256}, mediaType: "application/vnd.in-toto+json"}`
 * @throws {LineproofError} REFERENCE_STAGE_MISMATCH when the predecessor is of another stage;
 *   INVALID_ARGUMENT for a malformed digest; the predecessor's own JSON_*, STATEMENT_INVALID or
 *   PREDICATE_* error (path prefixed with `what`) when its bytes are not a valid attestation
 * @example
 * ```ts
 * const ref = referenceTo('training', trainingPayloadBytes);
 * ```
 */
export function referenceTo<S extends Stage>(stage: S, input: PayloadInput, what: string = stage): StageReference<S> {
  if (input instanceof Uint8Array) {
    let actual: Stage;
    try {
      actual = parsePredicate(parseJson(input, { what: `${what}` })).stage;
    } catch (e) {
      if (isLineproofError(e, 'PREDICATE_TYPE_UNKNOWN')) {
        throw new LineproofError(
          'REFERENCE_STAGE_MISMATCH',
          `${what}: the payload is not a Lineproof ${stage} attestation (${e.message})`,
          { path: what, expected: stage, actual: 'unknown predicate type', cause: e },
        );
      }
      if (isLineproofError(e))
        throw new LineproofError(e.code, `${what}: ${e.message}`, {
          path: e.path ? `${what}.${e.path}` : what,
          expected: e.expected,
          actual: e.actual,
          cause: e,
        });
      throw e;
    }
    if (actual !== stage)
      throw new LineproofError(
        'REFERENCE_STAGE_MISMATCH',
        `${what}: expected the payload of a ${stage} attestation, got a ${actual} attestation`,
        { path: what, expected: stage, actual },
      );
    return { name: stage, digest: { sha256: sha256Hex(input) }, mediaType: IN_TOTO_PAYLOAD_TYPE };
  }
  if (typeof input === 'string')
    return {
      name: stage,
      digest: { sha256: sha256Of(input, what) },
      mediaType: IN_TOTO_PAYLOAD_TYPE,
    };
  if (typeof input !== 'object' || input === null)
    argError(what, 'expected payload bytes, sha256:<hex> or a payload reference');
  if (input.name !== stage)
    throw new LineproofError(
      'REFERENCE_STAGE_MISMATCH',
      `${what}: expected a reference named ${stage}, got ${JSON.stringify(input.name)}`,
      { path: `${what}.name`, expected: stage, actual: String(input.name) },
    );
  if (input.mediaType !== IN_TOTO_PAYLOAD_TYPE) argError(`${what}.mediaType`, EXPECTED_MEDIA_TYPE);
  const hex = input.digest?.sha256;
  if (typeof hex !== 'string') argError(`${what}.digest.sha256`, 'expected 64 lowercase hex digits');
  return {
    name: stage,
    digest: { sha256: sha256Of(`sha256:${hex}`, `${what}.digest.sha256`) },
    mediaType: IN_TOTO_PAYLOAD_TYPE,
  };
}

export function manifestOf(
  m: StatementManifestInput,
  limits: Limits,
  what: string,
): { descriptor: PredicateManifest; subject: ResourceDescriptor & { digest: DigestSet } } {
  if (!(m.bytes instanceof Uint8Array)) argError(`${what}.bytes`, 'expected Uint8Array (the manifest JCS bytes)');
  const sha256 = sha256Hex(m.bytes);
  const inline = m.inline ?? true;
  if (inline && m.bytes.length > limits.inlineManifestBytes) {
    throw new LineproofError(
      'LIMIT_EXCEEDED',
      `${what}: a manifest of ${m.bytes.length} bytes is over the inline limit of ${limits.inlineManifestBytes}; pass inline: false and the sidecar's uri`,
      { path: what, expected: `<= ${limits.inlineManifestBytes}`, actual: String(m.bytes.length) },
    );
  }
  if (!inline && m.uri === undefined)
    argError(`${what}.uri`, 'a manifest that is not inlined needs the uri of its sidecar');
  const descriptor = opt({
    name: 'manifest' as const,
    digest: { sha256 },
    mediaType: LINEPROOF_MANIFEST_MEDIA_TYPE,
    content: inline ? toBase64(m.bytes) : undefined,
    uri: m.uri,
  });
  return { descriptor, subject: { digest: { sha256 }, mediaType: LINEPROOF_MANIFEST_MEDIA_TYPE } };
}

/** Assemble, validate like a reader would, and return the statement. */
export function finish<S extends Stage>(
  stage: S,
  predicateType: string,
  subject: Array<ResourceDescriptor & { digest: DigestSet }>,
  predicate: PredicateByStage[S],
  limits: Partial<Limits> | undefined,
): StatementOf<S> {
  const statement = { _type: STATEMENT_TYPE_V1, subject, predicateType, predicate };
  assertJsonValue(statement); // JSON_NOT_REPRESENTABLE with a path for undefined / NaN / Date... in caller data
  const parsed = parsePredicate(statement, { limits }) as ParsedPredicateOf<S>;
  if (parsed.stage !== stage)
    throw new LineproofError('INTERNAL', `built a ${stage} statement that reads as ${parsed.stage}`);
  return {
    _type: STATEMENT_TYPE_V1,
    subject: parsed.statement.subject,
    predicateType,
    predicate: parsed.predicate,
  };
}
