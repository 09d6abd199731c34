/**
 * Dataset predicate `https://lineproof.dev/attestation/dataset/v0.1`, signed by a data steward.
 *
 * Subject: the dataset manifest (decisions §5: `sha256` of the manifest's JCS bytes, mediaType
 * `application/vnd.lineproof.manifest.v1+json`), or the digests of the dataset's files.
 *
 * Fields (strict: an unknown field fails):
 * - `issuedAt`, `attester` — when and by whom (claimed identity, checked against the policy).
 * - `name`, `version`, `owner` (the accountable team or person), optional `description`.
 * - `license` — an SPDX license expression (or `LicenseRef-...`, or `NOASSERTION`).
 * - `classification` — `sensitivity` (public / internal / confidential / restricted), `pii`
 *   (whether personal data is present) and optional free `tags` (e.g. `phi`, `minors`,
 *   `copyrighted`); policies and approvals' runtime data classes are matched against these.
 * - `sources` — where the data came from: ResourceDescriptors with a `digest`, a `uri`, or both
 *   (a URI alone names a mutable source; say so in an audit).
 * - `derivedFrom` — payload references (decisions §6) to the dataset attestations this dataset was
 *   derived from (filtered, deduplicated, merged...).
 * - `processing` — the steps applied, in order: name, description, tool, parameters.
 * - `manifest` — optional: the dataset manifest inlined (base64 JCS bytes, at most 1 MiB) or named
 *   as a sidecar; its digest must be a subject's.
 *
 * Rules beyond the schema: `derivedFrom` holds no reference twice (PREDICATE_DUPLICATE); the
 * manifest is a subject and its inlined bytes hash to its digest (PREDICATE_SUBJECT_MISMATCH,
 * PREDICATE_INCONSISTENT).
 * @module
 */
import { z } from 'zod';
import { digestSetSchema } from '../statement.js';
import {
  attesterSchema,
  checkManifest,
  checkUnique,
  identifierSchema,
  jsonValueSchema,
  predicateManifestSchema,
  payloadReferenceSchema,
  proseSchema,
  textSchema,
  timestampSchema,
  toolSchema,
  uriSchema,
} from './common.js';

/** predicateType of a dataset attestation. */
export const DATASET_PREDICATE_TYPE = 'https://lineproof.dev/attestation/dataset/v0.1' as const;

/** Sensitivity classes of a dataset, from least to most restricted. */
export const SENSITIVITY_LEVELS = ['public', 'internal', 'confidential', 'restricted'] as const;

/** A data source: a ResourceDescriptor with a digest, a URI, or both. */
export const datasetSourceSchema = z
  .strictObject({
    name: textSchema.optional(),
    uri: uriSchema.optional(),
    digest: digestSetSchema.optional(),
    mediaType: textSchema.optional(),
    downloadLocation: uriSchema.optional(),
  })
  .refine((s) => s.uri !== undefined || s.digest !== undefined, 'a source needs a digest, a uri, or both');

/** Classification of a dataset. */
export const classificationSchema = z.strictObject({
  sensitivity: z.enum(SENSITIVITY_LEVELS),
  pii: z.boolean().meta({ description: 'true when the data holds personal data' }),
  tags: z.array(identifierSchema).optional().meta({ description: 'further classes, e.g. phi, minors, copyrighted' }),
});

/** One processing step. */
export const processingStepSchema = z.strictObject({
  name: textSchema,
  description: proseSchema.optional(),
  tool: toolSchema.optional(),
  parameters: z.record(z.string(), jsonValueSchema).optional(),
});

/** The dataset predicate, v0.1. */
export const datasetPredicateSchema = z
  .strictObject({
    issuedAt: timestampSchema,
    attester: attesterSchema,
    name: textSchema,
    version: textSchema,
    owner: textSchema.meta({ description: 'accountable team or person' }),
    description: proseSchema.optional(),
    license: textSchema.meta({ description: 'SPDX license expression' }),
    classification: classificationSchema,
    sources: z.array(datasetSourceSchema),
    derivedFrom: z.array(payloadReferenceSchema('dataset')).optional(),
    processing: z.array(processingStepSchema).optional(),
    manifest: predicateManifestSchema.optional(),
  })
  .meta({
    title: 'Lineproof dataset predicate v0.1',
    description: `predicate of an in-toto Statement with predicateType ${DATASET_PREDICATE_TYPE}`,
  });

/** A dataset predicate. */
export type DatasetPredicate = z.infer<typeof datasetPredicateSchema>;
/** A data source. */
export type DatasetSource = z.infer<typeof datasetSourceSchema>;
/** A dataset classification. */
export type Classification = z.infer<typeof classificationSchema>;
/** A processing step. */
export type ProcessingStep = z.infer<typeof processingStepSchema>;

/** Rules beyond the schema (see the module doc). */
export function checkDatasetRules(
  p: DatasetPredicate,
  subjects: ReadonlyArray<{ digest: Record<string, string> }>,
  maxInlineManifestBytes: number,
): void {
  if (p.derivedFrom) checkUnique(p.derivedFrom, (r) => r.digest.sha256, 'predicate.derivedFrom', 'reference');
  if (p.classification.tags) checkUnique(p.classification.tags, (t) => t, 'predicate.classification.tags', 'tag');
  if (p.manifest) checkManifest(p.manifest, subjects, 'predicate.manifest', maxInlineManifestBytes);
}
