/**
 * in-toto Statement v1 and ResourceDescriptor (github.com/in-toto/attestation, spec/v1).
 *
 * Unknown fields in a Statement or a ResourceDescriptor are ignored, as the in-toto parsing rules
 * require; our own predicates (elsewhere) are strict. Every subject must carry a digest.
 */
import { z } from 'zod';
import { fromBase64 } from '../bytes/index.js';
import { assertDigestSet, sha256Hex, type DigestSet } from '../digest/index.js';
import { isLineproofError } from '../errors.js';
import { parseJson, type JsonValue } from '../json/strict.js';
import { parseWithSchema } from '../json/schema.js';

/** `_type` of an in-toto Statement v1. */
export const STATEMENT_TYPE_V1 = 'https://in-toto.io/Statement/v1' as const;
/** DSSE payloadType of in-toto statements (decisions §6). */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json' as const;

/** A DigestSet checked for shape (algorithm names, lowercase hex of the right length). */
export const digestSetSchema = z.record(z.string(), z.string()).superRefine((set, ctx) => {
  if (Object.keys(set).length === 0) {
    ctx.addIssue({ code: 'custom', message: 'empty digest set' });
    return;
  }
  // Check entry by entry so an issue names the offending algorithm in its path.
  for (const [alg, hex] of Object.entries(set)) {
    try {
      assertDigestSet({ [alg]: hex }, 'digest');
    } catch (e) {
      ctx.addIssue({
        code: 'custom',
        path: [alg],
        message: isLineproofError(e) ? e.message.replace(/^digest\.[^:]*: /, '') : 'invalid digest',
      });
    }
  }
}) as unknown as z.ZodType<DigestSet>;

/** in-toto ResourceDescriptor v1: at least one of uri, digest, content; unknown fields ignored. */
export const resourceDescriptorSchema = z
  .looseObject({
    name: z.string().optional(),
    uri: z.string().min(1).optional(),
    digest: digestSetSchema.optional(),
    content: z
      .string()
      .refine((s) => {
        try {
          fromBase64(s);
          return true;
        } catch {
          return false;
        }
      }, 'content must be base64')
      .optional(),
    downloadLocation: z.string().optional(),
    mediaType: z.string().optional(),
    annotations: z.record(z.string(), z.unknown()).optional(),
  })
  .refine(
    (rd) => rd.uri !== undefined || rd.digest !== undefined || rd.content !== undefined,
    'a ResourceDescriptor needs at least one of uri, digest, content',
  );

/** A ResourceDescriptor. */
export type ResourceDescriptor = z.infer<typeof resourceDescriptorSchema>;

/** A subject: a ResourceDescriptor that must carry a digest. */
export const subjectSchema = resourceDescriptorSchema.refine(
  (rd) => rd.digest !== undefined,
  'each subject must have a digest',
);

/** in-toto Statement v1; unknown fields ignored. */
export const statementSchema = z.looseObject({
  _type: z.literal(STATEMENT_TYPE_V1),
  subject: z.array(subjectSchema).min(1, 'subject must not be empty'),
  predicateType: z.string().min(1),
  predicate: z.record(z.string(), z.unknown()).optional(),
});

/** An in-toto Statement v1 (predicate left open; predicate modules narrow it). */
export interface Statement<P = Record<string, unknown>> {
  _type: typeof STATEMENT_TYPE_V1;
  subject: Array<ResourceDescriptor & { digest: DigestSet }>;
  predicateType: string;
  predicate?: P;
  [unknown: string]: unknown;
}

/**
 * Parse and validate an in-toto Statement v1 from payload bytes (strict JSON) or a JSON value.
 * @throws {LineproofError} JSON_* codes for bad JSON; STATEMENT_INVALID with the field path
 * @example
 * ```ts
 * const st = parseStatement(payloadBytes); // st.subject[0].digest.sha256
 * ```
 */
export function parseStatement(input: Uint8Array | JsonValue, what = 'statement'): Statement {
  const value = input instanceof Uint8Array ? parseJson(input, { what }) : input;
  return parseWithSchema(statementSchema, value, what, 'STATEMENT_INVALID') as Statement;
}

/** A reference to an earlier attestation by its payload digest (decisions §6). */
export interface PayloadReference {
  name: string;
  digest: { sha256: string };
  mediaType: typeof IN_TOTO_PAYLOAD_TYPE;
}

/**
 * The reference to an attestation whose DSSE payload is `payload`: the sha256 of the **payload**
 * bytes (not the envelope's), so signatures can be added later without changing the reference.
 * @param name the stage of the referenced attestation, e.g. `training`
 */
export function payloadReference(name: string, payload: Uint8Array): PayloadReference {
  return { name, digest: { sha256: sha256Hex(payload) }, mediaType: IN_TOTO_PAYLOAD_TYPE };
}

/** `sha256:<hex>` of a DSSE payload: how reports and the CLI name an attestation. */
export function payloadDigest(payload: Uint8Array): string {
  return `sha256:${sha256Hex(payload)}`;
}
