/**
 * The builders' inputs as zod schemas: the fields of each lifecycle statement that a caller (or
 * the CLI's flags and `--predicate FILE`) supplies as data — everything but the subject, the
 * manifest bytes, the references to predecessors, the attester and the clock. The builder input
 * types are derived from these schemas, and the CLI validates what it read against them (so it
 * needs no casts), and reads from them which fields a `--predicate` file may hold at each level.
 *
 * Structure is strict (an unknown field fails: {@link unknownField}); values that the predicate
 * schema checks as it parses (text, URIs, times, digests) are typed here but only checked there,
 * so the builder reports them as a reader would.
 * @module
 */
import { z } from 'zod';
import { LineproofError } from '../errors.js';
import { issuePath } from '../json/schema.js';
import { isJsonObject } from '../json/strict.js';
import { APPROVAL_DECISIONS, DEPLOYMENT_STAGES } from './predicates/approval.js';
import { jsonValueSchema } from './predicates/common.js';
import { processingStepSchema, SENSITIVITY_LEVELS } from './predicates/dataset.js';
import { EVALUATION_RESULTS, METRIC_CATEGORIES, metricSchema } from './predicates/evaluation.js';
import { REVOCATION_KINDS, REVOCATION_REASONS } from './predicates/revocation.js';
import { resourceDescriptorSchema } from './statement.js';

/** An artifact digest: a DigestSet or `sha256:<hex>` text (checked by the builder). */
export const digestInputSchema = z.union([z.string(), z.record(z.string(), z.string())]);
/** A time: a Date or RFC 3339 text (checked by the builder). */
export const timeInputSchema = z.union([z.date(), z.string()]);

/** A subject of a statement. */
export const subjectInputSchema = z.strictObject({
  name: z.string().optional(),
  uri: z.string().optional(),
  digest: digestInputSchema,
  mediaType: z.string().optional(),
});

/** An artifact pinned by digest. */
export const artifactInputSchema = z.strictObject({
  name: z.string().optional(),
  uri: z.string().optional(),
  digest: digestInputSchema,
  mediaType: z.string().optional(),
  downloadLocation: z.string().optional(),
});

/** A dataset source: an artifact whose digest is optional (a URI alone names a mutable source). */
const sourceInputSchema = artifactInputSchema.extend({ digest: digestInputSchema.optional() });

/** A tool: name, version, where it is, its digest. */
const toolInputSchema = z.strictObject({
  name: z.string(),
  version: z.string().optional(),
  uri: z.string().optional(),
  digest: digestInputSchema.optional(),
});

/** The data fields of a dataset statement. */
export const datasetFieldsSchema = z.strictObject({
  name: z.string(),
  version: z.string(),
  owner: z.string(),
  description: z.string().optional(),
  license: z.string(),
  classification: z.strictObject({
    sensitivity: z.enum(SENSITIVITY_LEVELS),
    pii: z.boolean(),
    tags: z.array(z.string()).optional(),
  }),
  sources: z.array(sourceInputSchema),
  processing: z.array(processingStepSchema).optional(),
});

/** The data fields of a training statement. */
export const trainingFieldsSchema = z.strictObject({
  /** The pipeline: SLSA `runDetails.builder`. */
  builder: z.strictObject({
    id: z.string(),
    version: z.record(z.string(), z.string()).optional(),
    builderDependencies: z.array(resourceDescriptorSchema).optional(),
  }),
  invocationId: z.string().optional(),
  startedOn: timeInputSchema,
  finishedOn: timeInputSchema,
  /**
   * The code run: `externalParameters.code` `{uri, ref?, entryPoint?}`, and the resolved dependency
   * `{name: "code", uri: resolvedUri ?? uri@ref, digest}` (e.g. `{gitCommit: "<40 hex>"}`).
   */
  code: z.strictObject({
    uri: z.string(),
    ref: z.string().optional(),
    entryPoint: z.string().optional(),
    digest: digestInputSchema,
    resolvedUri: z.string().optional(),
  }),
  hyperparameters: z.record(z.string(), jsonValueSchema),
  /** The dataset manifests (or files) as read by the run. */
  datasetManifests: z.array(artifactInputSchema).optional(),
  /** The base model of a fine-tune, pinned by digest (its training attestation is a reference). */
  baseModel: artifactInputSchema.optional(),
  /** The environment image. */
  environment: artifactInputSchema.optional(),
  /** Any other pinned input (tokenizer, libraries...). */
  dependencies: z.array(artifactInputSchema).optional(),
  /** SLSA byproducts (logs, metrics); the manifest byproduct is added from the manifest. */
  byproducts: z.array(resourceDescriptorSchema).optional(),
});

/** The data fields of an evaluation statement. */
export const evaluationFieldsSchema = z.strictObject({
  suite: z.strictObject({
    name: z.string(),
    version: z.string(),
    uri: z.string().optional(),
    digest: digestInputSchema.optional(),
  }),
  evaluator: toolInputSchema,
  /** The evaluation data (at least one), each named. */
  datasets: z.array(artifactInputSchema.extend({ name: z.string() })),
  metrics: z.array(metricSchema),
  /** Findings by category and severity (written as evaluation v0.2). */
  findings: z
    .array(
      z.strictObject({
        category: z.enum(METRIC_CATEGORIES),
        suite: z.strictObject({
          name: z.string(),
          version: z.string(),
          uri: z.string().optional(),
          digest: digestInputSchema.optional(),
        }),
        critical: z.number(),
        high: z.number(),
        medium: z.number(),
        low: z.number(),
        report: artifactInputSchema.optional(),
      }),
    )
    .optional(),
  result: z.enum(EVALUATION_RESULTS),
  startedOn: timeInputSchema.optional(),
  finishedOn: timeInputSchema.optional(),
  /** The full evaluation report, pinned by digest. */
  report: artifactInputSchema.optional(),
});

/** The data fields of an approval statement. */
export const approvalFieldsSchema = z.strictObject({
  decision: z.enum(APPROVAL_DECISIONS),
  stage: z.enum(DEPLOYMENT_STAGES),
  useCase: z.strictObject({ id: z.string(), description: z.string() }),
  riskTier: z.string(),
  conditions: z.array(z.string()).optional(),
  runtimeScope: z.strictObject({
    tools: z.array(z.string()).optional(),
    dataClasses: z.array(z.string()).optional(),
    secretScopes: z.array(z.string()).optional(),
  }),
  /** Start of validity (rounded up to the second); default: issuedAt. */
  notBefore: timeInputSchema.optional(),
  /** End of validity (rounded down to the second). */
  expires: timeInputSchema,
});

/** The data fields of a registration statement. */
export const registrationFieldsSchema = z.strictObject({
  model: z.strictObject({ name: z.string(), version: z.string() }),
  owner: z.string(),
  useCases: z.array(z.strictObject({ id: z.string(), description: z.string(), riskTier: z.string() })),
  modelCard: z.strictObject({
    description: z.string(),
    limitations: z.array(z.string()).optional(),
    license: z.string(),
    contacts: z.array(z.string()),
  }),
});

/** The data fields of a promotion statement. */
export const promotionFieldsSchema = z.strictObject({
  stage: z.enum(DEPLOYMENT_STAGES),
  environment: z.string(),
  endpoint: z.string().optional(),
});

/** The data fields of a revocation statement (attestations revoked are references, not data). */
export const revocationFieldsSchema = z.strictObject({
  kind: z.enum(REVOCATION_KINDS),
  reason: z.enum(REVOCATION_REASONS),
  description: z.string(),
  /** From when it applies; default: issuedAt. */
  effectiveAt: timeInputSchema.optional(),
  /** Keys: `{name?, digest: sha256 of the DER SubjectPublicKeyInfo}`; datasets and models: their digests. */
  subjects: z.array(subjectInputSchema).optional(),
});

/** The data fields of each stage's builder. */
export const BUILDER_FIELDS = {
  dataset: datasetFieldsSchema,
  training: trainingFieldsSchema,
  registration: registrationFieldsSchema,
  evaluation: evaluationFieldsSchema,
  approval: approvalFieldsSchema,
  promotion: promotionFieldsSchema,
  revocation: revocationFieldsSchema,
} as const;

export type SubjectInput = z.infer<typeof subjectInputSchema>;
export type ArtifactInput = z.infer<typeof artifactInputSchema>;
export type DatasetFields = z.infer<typeof datasetFieldsSchema>;
export type TrainingFields = z.infer<typeof trainingFieldsSchema>;
export type EvaluationFields = z.infer<typeof evaluationFieldsSchema>;
export type RegistrationFields = z.infer<typeof registrationFieldsSchema>;
export type ApprovalFields = z.infer<typeof approvalFieldsSchema>;
export type PromotionFields = z.infer<typeof promotionFieldsSchema>;
export type RevocationFields = z.infer<typeof revocationFieldsSchema>;

/**
 * Validate builder fields (for instance flags merged with a `--predicate` file) against their schema.
 * @param schema one of {@link BUILDER_FIELDS}
 * @param value the fields
 * @param what names the input in the message, e.g. `approval input`
 * @returns the typed fields
 * @throws {LineproofError} INVALID_ARGUMENT for an unknown field, PREDICATE_INVALID for a value of
 *   the wrong type or not one of the allowed values, with the field's path
 */
export function parseBuilderFields<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const unknown = unknownField(schema, value);
  if (unknown)
    throw new LineproofError('INVALID_ARGUMENT', `${what}: ${unknown.path}: unknown field`, { path: unknown.path });
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.slice(0, 5);
  const path = issuePath(issues[0]?.path ?? []);
  throw new LineproofError(
    'PREDICATE_INVALID',
    `${what}: ${issues.map((i) => `${issuePath(i.path)}: ${i.message}`).join('; ')}`,
    { path },
  );
}

/** The first field of `value` that `schema` does not allow, and the fields allowed where it is. */
export interface UnknownField {
  path: string;
  allowed: string[];
}

/** The strict object schema under optional / nullable / pipe wrappers, or an array's element. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap() as z.ZodType;
    else return s;
  }
}

/**
 * The first unknown field of `value` against the strict objects of `schema`, depth first, in the
 * value's field order; undefined when there is none. Only structure is looked at: values of the
 * wrong type are not descended into (their schema says so); loose objects and records allow any field.
 * @example
 * ```ts
 * unknownField(datasetFieldsSchema, { name: 'x', colour: 'red' }); // { path: 'colour', allowed: ['name', ...] }
 * ```
 */
export function unknownField(schema: z.ZodType, value: unknown, path = ''): UnknownField | undefined {
  const s = unwrap(schema);
  if (s instanceof z.ZodArray) {
    if (!Array.isArray(value)) return undefined;
    for (const [i, v] of value.entries()) {
      const found = unknownField(s.element as z.ZodType, v, `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (!(s instanceof z.ZodObject) || !(s.def.catchall instanceof z.ZodNever) || !isJsonObject(value)) return undefined;
  const shape = s.shape as Record<string, z.ZodType>;
  for (const [k, v] of Object.entries(value)) {
    const p = path === '' ? k : `${path}.${k}`;
    if (!Object.hasOwn(shape, k)) return { path: p, allowed: Object.keys(shape) };
    const found = unknownField(shape[k]!, v, p);
    if (found) return found;
  }
  return undefined;
}
