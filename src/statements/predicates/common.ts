/**
 * Building blocks shared by the lifecycle predicates: timestamps, claimed identities, payload
 * references (decisions §6), artifact descriptors and inlined manifests. All strict: an unknown field
 * fails (decisions §6: a new meaning needs a new version URI).
 * @module
 */
import { z } from 'zod';
import { fromBase64 } from '../../bytes/index.js';
import { sha256Hex } from '../../digest/index.js';
import { LineproofError, isLineproofError } from '../../errors.js';
import { issuePath } from '../../json/schema.js';
import { joinPath } from '../../json/strict.js';
import { parseTimestamp, TIMESTAMP_PATTERN, timestampProblem } from '../../time/index.js';
import { digestSetSchema, IN_TOTO_PAYLOAD_TYPE, type PayloadReference } from '../statement.js';

/** The lifecycle stages, in chain order. */
export const STAGES = [
  'dataset',
  'training',
  'registration',
  'evaluation',
  'approval',
  'promotion',
  'revocation',
] as const;
/** A lifecycle stage; also the `name` of a payload reference to an attestation of that stage. */
export type Stage = (typeof STAGES)[number];

/** Prefix of Lineproof's own predicate type URIs (an identifier, never fetched). */
export const LINEPROOF_ATTESTATION_PREFIX = 'https://lineproof.dev/attestation/';

/** Media type of a Lineproof manifest v1 (decisions §3, §5): its digest is sha256 of its JCS bytes. */
export const LINEPROOF_MANIFEST_MEDIA_TYPE = 'application/vnd.lineproof.manifest.v1+json' as const;

/** Control characters (C0, DEL, C1) and the Unicode line/paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** A non-empty single-line string (names, versions, ids): no control characters. */
export const textSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(1024, 'at most 1024 characters')
  .refine((s) => !CONTROL.test(s), 'must not contain control characters');

/** Free text (descriptions, conditions): may span lines, no other control characters. */
export const proseSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(65_536, 'at most 65536 characters')
  .refine(
    (s) => !/[\u0000-\u0009\u000b-\u001f\u007f]/.test(s),
    'must not contain control characters other than line feeds',
  );

/** An identifier: non-empty, no whitespace or control characters (use-case ids, tiers, scopes). */
export const identifierSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(256, 'at most 256 characters')
  .regex(/^[^\s\u0000-\u001f\u007f-\u009f]+$/u, 'must not contain whitespace or control characters');

/**
 * A URI with a lower-case scheme and no whitespace (in-toto ResourceURI / TypeURI: scheme and
 * authority case-normalized). Not resolved or fetched.
 */
export const uriSchema = z
  .string()
  .max(8192, 'at most 8192 characters')
  .regex(
    /^[a-z][a-z0-9+.-]*:[^\s\u0000-\u001f\u007f-\u009f]+$/u,
    'must be a URI with a lower-case scheme, e.g. https://... or git+https://...',
  );

/**
 * A timestamp as read (decisions §7): RFC 3339 with Z or an offset, up to 9 fraction digits, a real
 * calendar date. Builders write `YYYY-MM-DDTHH:MM:SSZ`.
 */
export const timestampSchema = z
  .string()
  .regex(TIMESTAMP_PATTERN, 'must be an RFC 3339 date-time with Z or an offset, e.g. 2026-01-31T12:00:00Z')
  .superRefine((s, ctx) => {
    const problem = timestampProblem(s);
    if (problem !== undefined && TIMESTAMP_PATTERN.test(s)) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({ format: 'date-time', description: 'RFC 3339 date-time with Z or an offset; written YYYY-MM-DDTHH:MM:SSZ' });

/**
 * The signer's claimed identity, the same field in every predicate (`attester`; in the training
 * provenance, `buildDefinition.internalParameters.attester`). A verifier requires it to equal the
 * identity its policy binds to the key that signed the envelope (decisions §8).
 */
export const attesterSchema = z
  .strictObject({
    id: textSchema.meta({
      description:
        'Identity the policy binds to the signing key, e.g. mailto:alice@example.com or https://ci.example.com/pipelines/train',
    }),
  })
  .meta({ description: 'The claimed identity of the signer of this attestation' });
/** The signer's claimed identity. */
export type Attester = z.infer<typeof attesterSchema>;

/** Lowercase hex SHA-256. */
export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');

/**
 * A payload reference (decisions §6) to an attestation of `stage`: exactly
 * `{"name": stage, "digest": {"sha256": sha256(payload bytes)}, "mediaType": "application/vnd.in-toto+json"}`.
 */
export function payloadReferenceSchema<S extends Stage>(stage: S) {
  return z
    .strictObject({
      name: z.literal(stage),
      digest: z.strictObject({ sha256: sha256HexSchema }),
      mediaType: z.literal(IN_TOTO_PAYLOAD_TYPE),
    })
    .meta({
      description: `Reference to ${/^[aeiou]/.test(stage) ? 'an' : 'a'} ${stage} attestation: sha256 of its DSSE payload bytes (decisions §6)`,
    });
}

/** A payload reference whose `name` is a specific stage. */
export type StageReference<S extends Stage> = PayloadReference & { name: S };

/**
 * A strict ResourceDescriptor for an artifact pinned by digest (evaluation data, tools, reports):
 * name, digest (required), optional uri, mediaType, downloadLocation.
 */
export const artifactSchema = z.strictObject({
  name: textSchema.optional(),
  uri: uriSchema.optional(),
  digest: digestSetSchema,
  mediaType: textSchema.optional(),
  downloadLocation: uriSchema.optional(),
});
/** An artifact pinned by digest. */
export type PinnedArtifact = z.infer<typeof artifactSchema>;

/** A tool (evaluator, processing step tool): name, version, and where to find or pin it. */
export const toolSchema = z.strictObject({
  name: textSchema,
  version: textSchema.optional(),
  uri: uriSchema.optional(),
  digest: digestSetSchema.optional(),
});
/** A tool. */
export type ToolDescriptor = z.infer<typeof toolSchema>;

/**
 * A manifest (decisions §5) carried with a predicate: its digest (sha256 of its JCS bytes, equal to a
 * subject's), and either the JCS bytes inlined as base64 `content` (at most the inline limit,
 * default 1 MiB) or the `uri` of a sidecar such as `NAME.manifest.json`.
 */
export const predicateManifestSchema = z
  .strictObject({
    name: z.literal('manifest'),
    digest: z.strictObject({ sha256: sha256HexSchema }),
    mediaType: z.literal(LINEPROOF_MANIFEST_MEDIA_TYPE),
    content: z.string().min(1).optional().meta({ description: 'base64 of the manifest JCS bytes' }),
    uri: textSchema.optional().meta({ description: 'sidecar location when not inlined, e.g. model.manifest.json' }),
  })
  .refine(
    (m) => m.content !== undefined || m.uri !== undefined,
    'a manifest needs its content (inlined) or the uri of its sidecar',
  );
/** A manifest carried with a predicate. */
export type PredicateManifest = z.infer<typeof predicateManifestSchema>;

/** JSON values (hyperparameters, step parameters). */
export const jsonValueSchema = z.json();

/** Throw a coded predicate error at `path`. */
export function predicateError(
  code:
    | 'PREDICATE_INVALID'
    | 'PREDICATE_TIME_ORDER'
    | 'PREDICATE_DUPLICATE'
    | 'PREDICATE_INCONSISTENT'
    | 'PREDICATE_SUBJECT_MISMATCH',
  path: string,
  message: string,
  extra: { expected?: string; actual?: string } = {},
): never {
  throw new LineproofError(code, `${path}: ${message}`, { path, ...extra });
}

/**
 * Validate `value` against a strict zod schema; every failure becomes PREDICATE_INVALID with the
 * field path of the first issue (an unknown key's path names the key itself).
 */
export function parseStrict<S extends z.ZodType>(schema: S, value: unknown, base: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const describe = (i: z.core.$ZodIssue): { path: string; message: string } => {
    if (i.code === 'unrecognized_keys') {
      const key = i.keys[0] ?? '?';
      return {
        path: joinPath(issuePath(i.path, base), key),
        message: `unknown field ${JSON.stringify(key)} (Lineproof predicates are strict; a new field needs a new predicate version)`,
      };
    }
    return { path: issuePath(i.path, base), message: i.message };
  };
  const issues = r.error.issues.map(describe);
  const first = issues[0] ?? { path: base || '$', message: 'invalid' };
  const all = issues
    .slice(0, 5)
    .map((i) => `${i.path}: ${i.message}`)
    .join('; ');
  throw new LineproofError('PREDICATE_INVALID', `${all}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}`, {
    path: first.path,
  });
}

/** Nanoseconds of a timestamp already validated by {@link timestampSchema}. */
export function nanosOf(text: string): bigint {
  return parseTimestamp(text).epochNanos;
}

/** Fail with PREDICATE_TIME_ORDER unless `earlier` <= `later` (or < when `strict`). */
export function checkOrder(
  earlier: { path: string; text: string },
  later: { path: string; text: string },
  strict: boolean,
): void {
  const a = nanosOf(earlier.text);
  const b = nanosOf(later.text);
  if (strict ? a < b : a <= b) return;
  predicateError(
    'PREDICATE_TIME_ORDER',
    later.path,
    `${later.path.split('.').pop()} (${later.text}) must be ${strict ? 'after' : 'at or after'} ${earlier.path.split('.').pop()} (${earlier.text})`,
    { expected: `${strict ? '>' : '>='} ${earlier.text}`, actual: later.text },
  );
}

/** Fail with PREDICATE_DUPLICATE when two entries have the same key. */
export function checkUnique<T>(items: readonly T[], key: (t: T) => string, path: string, what: string): void {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const k = key(item);
    const j = seen.get(k);
    if (j !== undefined) predicateError('PREDICATE_DUPLICATE', `${path}[${i}]`, `${what} duplicates ${path}[${j}]`);
    seen.set(k, i);
  });
}

/**
 * Check an inlined or sidecar manifest against the statement's subjects: its digest must be a
 * subject's sha256 and, when inlined, the sha256 of the decoded content and within the size limit.
 */
export function checkManifest(
  manifest: PredicateManifest,
  subjects: ReadonlyArray<{ digest: Record<string, string> }>,
  path: string,
  maxInlineBytes: number,
): void {
  if (manifest.content !== undefined) {
    let bytes: Uint8Array;
    try {
      bytes = fromBase64(manifest.content, `${path}.content`);
    } catch (e) {
      predicateError('PREDICATE_INVALID', `${path}.content`, `not base64: ${isLineproofError(e) ? e.code : 'invalid'}`);
    }
    if (bytes.length > maxInlineBytes) {
      throw new LineproofError(
        'LIMIT_EXCEEDED',
        `${path}.content: an inlined manifest of ${bytes.length} bytes is over the limit of ${maxInlineBytes}; store it as a sidecar`,
        { path: `${path}.content`, expected: `<= ${maxInlineBytes}`, actual: String(bytes.length) },
      );
    }
    const actual = sha256Hex(bytes);
    if (actual !== manifest.digest.sha256) {
      predicateError(
        'PREDICATE_INCONSISTENT',
        `${path}.content`,
        'sha256 of the inlined manifest bytes is not the declared digest',
        { expected: manifest.digest.sha256, actual },
      );
    }
  }
  if (!subjects.some((s) => s.digest.sha256 === manifest.digest.sha256)) {
    predicateError(
      'PREDICATE_SUBJECT_MISMATCH',
      `${path}.digest`,
      'the manifest digest is not the sha256 of any subject',
      { expected: 'a subject digest', actual: manifest.digest.sha256 },
    );
  }
}
