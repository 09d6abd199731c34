/**
 * The predicate types of each stage, their versions and zod schemas, and the JSON Schemas
 * generated from them (spec/schemas/).
 * @module
 */
import { z } from 'zod';
import {
  approvalPredicateSchema,
  approvalPredicateSchemaV01,
  APPROVAL_PREDICATE_TYPE,
  APPROVAL_PREDICATE_TYPE_V02,
} from './approval.js';
import type { Stage } from './common.js';
import { datasetPredicateSchema, DATASET_PREDICATE_TYPE } from './dataset.js';
import {
  evaluationPredicateSchema,
  evaluationPredicateSchemaV01,
  EVALUATION_PREDICATE_TYPE,
  EVALUATION_PREDICATE_TYPE_V02,
} from './evaluation.js';
import { promotionPredicateSchema, PROMOTION_PREDICATE_TYPE } from './promotion.js';
import { registrationPredicateSchema, REGISTRATION_PREDICATE_TYPE } from './registration.js';
import { revocationPredicateSchema, REVOCATION_PREDICATE_TYPE } from './revocation.js';
import { SLSA_PROVENANCE_V1, trainingPredicateSchema } from './training.js';

/**
 * The first predicate type of each stage (training: SLSA Provenance v1, told apart by its
 * buildType): what builders write unless a later version's fields are used.
 */
export const PREDICATE_TYPES: Readonly<Record<Stage, string>> = Object.freeze({
  dataset: DATASET_PREDICATE_TYPE,
  training: SLSA_PROVENANCE_V1,
  registration: REGISTRATION_PREDICATE_TYPE,
  evaluation: EVALUATION_PREDICATE_TYPE,
  approval: APPROVAL_PREDICATE_TYPE,
  promotion: PROMOTION_PREDICATE_TYPE,
  revocation: REVOCATION_PREDICATE_TYPE,
});

/**
 * Every predicate type each stage is read from, oldest first. A later version only adds fields
 * (a new meaning needs a new version URI, decisions §6); every version keeps verifying.
 */
export const PREDICATE_TYPE_VERSIONS: Readonly<Record<Stage, readonly string[]>> = Object.freeze({
  dataset: [DATASET_PREDICATE_TYPE],
  training: [SLSA_PROVENANCE_V1],
  registration: [REGISTRATION_PREDICATE_TYPE],
  evaluation: [EVALUATION_PREDICATE_TYPE, EVALUATION_PREDICATE_TYPE_V02],
  approval: [APPROVAL_PREDICATE_TYPE, APPROVAL_PREDICATE_TYPE_V02],
  promotion: [PROMOTION_PREDICATE_TYPE],
  revocation: [REVOCATION_PREDICATE_TYPE],
});

/** The zod schema of each stage's predicate, newest version. */
export const PREDICATE_SCHEMAS = {
  dataset: datasetPredicateSchema,
  training: trainingPredicateSchema,
  registration: registrationPredicateSchema,
  evaluation: evaluationPredicateSchema,
  approval: approvalPredicateSchema,
  promotion: promotionPredicateSchema,
  revocation: revocationPredicateSchema,
} as const satisfies Record<Stage, z.ZodType>;

export const STAGE_OF_TYPE = new Map<string, Stage>(
  Object.entries(PREDICATE_TYPE_VERSIONS)
    .filter(([s]) => s !== 'training')
    .flatMap(([s, types]) => types.map((t) => [t, s as Stage] as const)),
);

/** The zod schema of an older predicate version, by its type (the newest come from {@link PREDICATE_SCHEMAS}). */
export const OLDER_SCHEMAS = new Map<string, z.ZodType>([
  [EVALUATION_PREDICATE_TYPE, evaluationPredicateSchemaV01],
  [APPROVAL_PREDICATE_TYPE, approvalPredicateSchemaV01],
]);

/** Every (stage, version) a JSON Schema is published for in spec/schemas/, e.g. `['approval', 'v0.2']`. */
export const PREDICATE_SCHEMA_VERSIONS: ReadonlyArray<readonly [Stage, string]> = Object.freeze(
  (Object.entries(PREDICATE_TYPE_VERSIONS) as Array<[Stage, readonly string[]]>).flatMap(([stage, types]) =>
    types.map((_, i) => [stage, `v0.${i + 1}`] as const),
  ),
);

/**
 * The JSON Schema (draft 2020-12) of a stage's predicate, generated from its zod schema. Cross-field
 * rules (time order, duplicates, consistency) are not expressible there; spec/predicates.md lists them.
 * @param stage the stage
 * @param version `v0.1`, `v0.2`...; default: the first (what builders write unless a later version's
 *   fields are used)
 * @returns the schema object, with `$id` `https://lineproof.dev/schemas/<stage>/<version>.json`
 */
export function predicateJsonSchema(stage: Stage, version = 'v0.1'): Record<string, unknown> {
  const types = PREDICATE_TYPE_VERSIONS[stage];
  const index = /^v0\.[1-9]$/.test(version) ? Number(version.slice(3)) - 1 : -1;
  const type = types[index];
  if (type === undefined)
    throw new TypeError(
      `predicateJsonSchema: ${stage} has no predicate version ${version} (${types.map((_, i) => `v0.${i + 1}`).join(', ')})`,
    );
  const zod = index === types.length - 1 ? PREDICATE_SCHEMAS[stage] : OLDER_SCHEMAS.get(type)!;
  const schema = z.toJSONSchema(zod, { target: 'draft-2020-12' }) as Record<string, unknown>;
  const { $schema, ...rest } = schema;
  return { $schema, $id: `https://lineproof.dev/schemas/${stage}/${version}.json`, ...rest };
}
