/**
 * Training: SLSA Provenance v1 (`https://slsa.dev/provenance/v1`, slsa.dev/spec/v1.0/provenance)
 * with buildType `https://lineproof.dev/buildtypes/ml-training/v0.1`, signed by the training
 * pipeline. Subject: the model weights (their manifest digest, decisions §5, or file digests).
 *
 * The predicate keeps the SLSA v1 shape exactly, so SLSA tooling reads it:
 * ```
 * buildDefinition: { buildType, externalParameters, internalParameters, resolvedDependencies }
 * runDetails:      { builder: { id, version?, builderDependencies? },
 *                    metadata: { invocationId?, startedOn, finishedOn }, byproducts? }
 * ```
 * Strictness follows SLSA's parsing rules: in the objects SLSA defines (the predicate,
 * `buildDefinition`, `runDetails`, `builder`, `metadata`, byproduct and builder-dependency
 * descriptors) unknown fields are ignored, as SLSA requires (its extension fields are
 * `<vendor>_<name>`). The parts this buildType defines are strict — an unknown field fails:
 * - `externalParameters` (SLSA: verifiers SHOULD reject unrecognized fields here):
 *   `code` `{uri, ref?, entryPoint?}` — what the run was asked to execute;
 *   `hyperparameters` — name to JSON value; `baseModel?` — the base model's name or URI (fine-tunes).
 * - `internalParameters`: `issuedAt` and `attester` — the same two fields every Lineproof
 *   predicate carries. They live here because SLSA defines internalParameters as set by the
 *   platform, and the schema of this object belongs to the buildType; `builder.id` stays the
 *   pipeline's identity, and `attester.id` is the signer's claimed identity (decisions §8; SLSA keeps
 *   signer and builder distinct too).
 * - `resolvedDependencies`: each entry's `name` is its role:
 *   `dataset` — payload reference to a dataset attestation (at least one);
 *   `training` — payload reference to the base model's training attestation (fine-tunes);
 *   `dataset-manifest`, `base-model`, `environment` (the image), `dependency` (anything else
 *   pinned) — `{name, digest, uri?, mediaType?, downloadLocation?}`;
 *   `code` — `{name, uri, digest}`, e.g. `git+https://...@refs/heads/main` with `gitCommit`
 *   (at least one).
 * - `runDetails.metadata.startedOn` and `finishedOn` are required here (optional in SLSA).
 * - A byproduct named `manifest` is the model manifest, inlined or named as a sidecar, checked
 *   like the dataset's (strict shape, digest equals a subject's).
 *
 * Rules beyond the schema: finishedOn >= startedOn (PREDICATE_TIME_ORDER); no dependency listed
 * twice (PREDICATE_DUPLICATE); a `training` reference or an `externalParameters.baseModel` needs a
 * `base-model` dependency (PREDICATE_INCONSISTENT).
 * @module
 */
import { z } from 'zod';
import { canonicalJson } from '../../json/canonical.js';
import { digestSetSchema, resourceDescriptorSchema } from '../statement.js';
import {
  attesterSchema,
  checkManifest,
  checkOrder,
  checkUnique,
  jsonValueSchema,
  predicateManifestSchema,
  parseStrict,
  payloadReferenceSchema,
  predicateError,
  textSchema,
  timestampSchema,
  uriSchema,
} from './common.js';

/** predicateType of SLSA Provenance v1. */
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1' as const;
/** The buildType of a Lineproof training run. */
export const ML_TRAINING_BUILD_TYPE = 'https://lineproof.dev/buildtypes/ml-training/v0.1' as const;

/** Roles of resolved dependencies that are artifacts pinned by digest (not attestations). */
export const TRAINING_ARTIFACT_ROLES = ['dataset-manifest', 'base-model', 'environment', 'dependency'] as const;

const pinned = <N extends string>(name: N) =>
  z.strictObject({
    name: z.literal(name),
    uri: uriSchema.optional(),
    digest: digestSetSchema,
    mediaType: textSchema.optional(),
    downloadLocation: uriSchema.optional(),
  });

/** One resolved dependency of a training run; `name` is its role. */
export const trainingDependencySchema = z.discriminatedUnion('name', [
  payloadReferenceSchema('dataset'),
  payloadReferenceSchema('training'),
  pinned('dataset-manifest'),
  pinned('base-model'),
  pinned('environment'),
  pinned('dependency'),
  z.strictObject({ name: z.literal('code'), uri: uriSchema, digest: digestSetSchema }),
]);

/** externalParameters of the ml-training buildType. */
export const trainingExternalParametersSchema = z.strictObject({
  code: z.strictObject({
    uri: uriSchema.meta({ description: 'repository, e.g. https://github.com/acme/trainer' }),
    ref: textSchema.optional().meta({ description: 'e.g. refs/heads/main' }),
    entryPoint: textSchema.optional().meta({ description: 'e.g. train.py or a pipeline file' }),
  }),
  hyperparameters: z.record(z.string(), jsonValueSchema),
  baseModel: textSchema
    .optional()
    .meta({ description: 'name or URI of the base model of a fine-tune; pinned by a base-model dependency' }),
});

/** internalParameters of the ml-training buildType. */
export const trainingInternalParametersSchema = z.strictObject({
  issuedAt: timestampSchema,
  attester: attesterSchema,
});

/** The training predicate: SLSA Provenance v1 with the ml-training buildType. */
export const trainingPredicateSchema = z
  .looseObject({
    buildDefinition: z.looseObject({
      buildType: z.literal(ML_TRAINING_BUILD_TYPE),
      externalParameters: trainingExternalParametersSchema,
      internalParameters: trainingInternalParametersSchema,
      resolvedDependencies: z.array(trainingDependencySchema).min(1),
    }),
    runDetails: z.looseObject({
      builder: z.looseObject({
        id: uriSchema.meta({ description: 'the training pipeline identity (SLSA builder.id)' }),
        version: z.record(z.string(), z.string()).optional(),
        builderDependencies: z.array(resourceDescriptorSchema).optional(),
      }),
      metadata: z.looseObject({
        invocationId: textSchema.optional(),
        startedOn: timestampSchema,
        finishedOn: timestampSchema,
      }),
      byproducts: z.array(resourceDescriptorSchema).optional(),
    }),
  })
  .meta({
    title: 'Lineproof training predicate: SLSA Provenance v1, buildType ml-training v0.1',
    description: `predicate of an in-toto Statement with predicateType ${SLSA_PROVENANCE_V1} and buildDefinition.buildType ${ML_TRAINING_BUILD_TYPE}`,
  });

/** A training predicate (SLSA Provenance v1). */
export type TrainingPredicate = z.infer<typeof trainingPredicateSchema>;
/** One resolved dependency of a training run. */
export type TrainingDependency = z.infer<typeof trainingDependencySchema>;
/** externalParameters of a training run. */
export type TrainingExternalParameters = z.infer<typeof trainingExternalParametersSchema>;

/** Rules beyond the schema (see the module doc). */
export function checkTrainingRules(
  p: TrainingPredicate,
  subjects: ReadonlyArray<{ digest: Record<string, string> }>,
  maxInlineManifestBytes: number,
): void {
  const md = p.runDetails.metadata;
  checkOrder(
    { path: 'predicate.runDetails.metadata.startedOn', text: md.startedOn },
    { path: 'predicate.runDetails.metadata.finishedOn', text: md.finishedOn },
    false,
  );
  const deps = p.buildDefinition.resolvedDependencies;
  const base = 'predicate.buildDefinition.resolvedDependencies';
  checkUnique(deps, (d) => canonicalJson({ name: d.name, digest: d.digest }), base, 'dependency');
  const count = (name: string): number => deps.filter((d) => d.name === name).length;
  if (count('dataset') === 0)
    predicateError(
      'PREDICATE_INCONSISTENT',
      base,
      'a training run needs at least one dataset reference (name "dataset")',
    );
  if (count('code') === 0)
    predicateError('PREDICATE_INCONSISTENT', base, 'a training run needs its code (name "code", with uri and digest)');
  if (count('base-model') === 0) {
    if (count('training') > 0)
      predicateError(
        'PREDICATE_INCONSISTENT',
        `${base}[${deps.findIndex((d) => d.name === 'training')}]`,
        'a reference to a base model\'s training attestation needs the base model itself (name "base-model")',
      );
    if (p.buildDefinition.externalParameters.baseModel !== undefined)
      predicateError(
        'PREDICATE_INCONSISTENT',
        'predicate.buildDefinition.externalParameters.baseModel',
        'a base model parameter needs the base model pinned in resolvedDependencies (name "base-model")',
      );
  }
  (p.runDetails.byproducts ?? []).forEach((b, i) => {
    if (b.name !== 'manifest') return;
    const path = `predicate.runDetails.byproducts[${i}]`;
    const m = parseStrict(predicateManifestSchema, b, path);
    checkManifest(m, subjects, path, maxInlineManifestBytes);
  });
}
