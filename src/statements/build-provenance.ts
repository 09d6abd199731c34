/**
 * Builders of the statements of where a model comes from: a dataset, a training run (SLSA
 * Provenance v1). Conventions: src/statements/builders.ts.
 * @module
 */
import { formatTimestamp, readNow } from '../time/index.js';
import { resolveLimits } from '../limits.js';
import {
  argError,
  artifactOf,
  attesterOf,
  finish,
  manifestOf,
  opt,
  referenceTo,
  subjectsOf,
  toDigestSet,
  writeTime,
  type BuilderBase,
  type PayloadInput,
  type StatementManifestInput,
  type StatementOf,
} from './build-common.js';
import type { ArtifactInput, DatasetFields, SubjectInput, TrainingFields } from './inputs.js';
import {
  DATASET_PREDICATE_TYPE,
  ML_TRAINING_BUILD_TYPE,
  SLSA_PROVENANCE_V1,
  type DatasetPredicate,
  type TrainingDependency,
  type TrainingPredicate,
} from './predicates/index.js';

// ---------------------------------------------------------------------------------------------
// dataset

/** Input of {@link buildDatasetStatement}. */
export interface DatasetStatementInput extends BuilderBase, DatasetFields {
  /** Subjects; default: the manifest (named after the dataset). */
  subject?: SubjectInput | SubjectInput[] | undefined;
  /** The dataset manifest (decisions §5), inlined or as a sidecar. */
  manifest?: StatementManifestInput | undefined;
  /** Dataset attestations this dataset was derived from. */
  derivedFrom?: PayloadInput[];
}

/**
 * Build a dataset statement (`https://lineproof.dev/attestation/dataset/v0.1`).
 * @param input see {@link DatasetStatementInput}
 * @returns the statement; sign `canonicalBytes(statement)`
 * @throws {LineproofError} INVALID_ARGUMENT, TIME_INVALID, REFERENCE_STAGE_MISMATCH,
 *   LIMIT_EXCEEDED, JSON_NOT_REPRESENTABLE, PREDICATE_* (as a reader would)
 * @example
 * ```ts
 * const st = buildDatasetStatement({
 *   manifest: { bytes: manifestJcs }, name: 'reviews', version: '2026-01', owner: 'data-platform',
 *   license: 'CC-BY-4.0', classification: { sensitivity: 'internal', pii: false },
 *   sources: [{ uri: 'https://data.example.com/reviews.tar', digest: 'sha256:…' }],
 *   attester: 'mailto:steward@example.com', now: new Date(),
 * });
 * ```
 */
export function buildDatasetStatement(input: DatasetStatementInput): StatementOf<'dataset'> {
  const limits = resolveLimits(input.limits);
  const issuedAt = formatTimestamp(readNow(input.now));
  const manifest = input.manifest ? manifestOf(input.manifest, limits, 'manifest') : undefined;
  const subject = subjectsOf(input.subject, manifest ? [{ name: input.name, ...manifest.subject }] : undefined);
  const predicate: DatasetPredicate = opt({
    issuedAt,
    attester: attesterOf(input.attester),
    name: input.name,
    version: input.version,
    owner: input.owner,
    description: input.description,
    license: input.license,
    classification: input.classification,
    sources: (input.sources ?? argError('sources', 'required (may be empty)')).map((s, i) =>
      opt({
        name: s.name,
        uri: s.uri,
        digest: s.digest === undefined ? undefined : toDigestSet(s.digest, `sources[${i}].digest`),
        mediaType: s.mediaType,
        downloadLocation: s.downloadLocation,
      }),
    ),
    derivedFrom: input.derivedFrom?.map((p, i) => referenceTo('dataset', p, `derivedFrom[${i}]`)),
    processing: input.processing,
    manifest: manifest?.descriptor,
  });
  return finish('dataset', DATASET_PREDICATE_TYPE, subject, predicate, input.limits);
}

// ---------------------------------------------------------------------------------------------
// training

/** Input of {@link buildTrainingStatement}. */
export interface TrainingStatementInput extends BuilderBase, Omit<TrainingFields, 'baseModel'> {
  /** Subjects (the model weights); default: the manifest (named `model`). */
  subject?: SubjectInput | SubjectInput[] | undefined;
  /** The model manifest (decisions §5), carried as the byproduct named `manifest`. */
  manifest?: StatementManifestInput | undefined;
  /** Dataset attestations trained on (at least one). */
  datasets: PayloadInput[];
  /** The base model of a fine-tune: pinned digest, and optionally its training attestation. */
  baseModel?: ArtifactInput & { training?: PayloadInput };
}

/**
 * Build a training statement: SLSA Provenance v1 with buildType
 * `https://lineproof.dev/buildtypes/ml-training/v0.1`.
 * @param input see {@link TrainingStatementInput}
 * @returns the statement; sign `canonicalBytes(statement)`
 * @throws {LineproofError} as {@link buildDatasetStatement}, and PREDICATE_TIME_ORDER when
 *   finishedOn is before startedOn
 * @example
 * ```ts
 * const st = buildTrainingStatement({
 *   manifest: { bytes: modelManifestJcs }, builder: { id: 'https://ci.example.com/pipelines/train' },
 *   startedOn: '2026-01-10T08:00:00Z', finishedOn: '2026-01-10T20:00:00Z',
 *   code: { uri: 'git+https://github.com/acme/trainer', ref: 'refs/heads/main', digest: { gitCommit: '…' } },
 *   hyperparameters: { learning_rate: 0.0003 }, datasets: [datasetPayloadBytes],
 *   attester: 'https://ci.example.com/pipelines/train', now: new Date(),
 * });
 * ```
 */
export function buildTrainingStatement(input: TrainingStatementInput): StatementOf<'training'> {
  const limits = resolveLimits(input.limits);
  const issuedAt = formatTimestamp(readNow(input.now));
  const manifest = input.manifest ? manifestOf(input.manifest, limits, 'manifest') : undefined;
  const subject = subjectsOf(input.subject, manifest ? [{ name: 'model', ...manifest.subject }] : undefined);
  if (!input.code) argError('code', 'required');
  if (!Array.isArray(input.datasets) || input.datasets.length === 0)
    argError('datasets', 'at least one dataset attestation is required');
  const deps: TrainingDependency[] = [
    ...input.datasets.map((p, i) => referenceTo('dataset', p, `datasets[${i}]`)),
    ...(input.datasetManifests ?? []).map((a, i) => ({
      ...artifactOf(a, `datasetManifests[${i}]`),
      name: 'dataset-manifest' as const,
    })),
    ...(input.baseModel ? [{ ...artifactOf(input.baseModel, 'baseModel'), name: 'base-model' as const }] : []),
    ...(input.baseModel?.training !== undefined
      ? [referenceTo('training', input.baseModel.training, 'baseModel.training')]
      : []),
    {
      name: 'code' as const,
      uri: input.code.resolvedUri ?? (input.code.ref ? `${input.code.uri}@${input.code.ref}` : input.code.uri),
      digest: toDigestSet(input.code.digest, 'code.digest'),
    },
    ...(input.environment ? [{ ...artifactOf(input.environment, 'environment'), name: 'environment' as const }] : []),
    ...(input.dependencies ?? []).map((a, i) => ({
      ...artifactOf(a, `dependencies[${i}]`),
      name: 'dependency' as const,
    })),
  ];
  const byproducts = [...(input.byproducts ?? []), ...(manifest ? [manifest.descriptor] : [])];
  const predicate: TrainingPredicate = {
    buildDefinition: {
      buildType: ML_TRAINING_BUILD_TYPE,
      externalParameters: opt({
        code: opt({ uri: input.code.uri, ref: input.code.ref, entryPoint: input.code.entryPoint }),
        hyperparameters: input.hyperparameters,
        baseModel: input.baseModel ? (input.baseModel.name ?? input.baseModel.uri) : undefined,
      }),
      internalParameters: { issuedAt, attester: attesterOf(input.attester) },
      resolvedDependencies: deps,
    },
    runDetails: opt({
      builder: opt({
        id: input.builder?.id,
        version: input.builder?.version,
        builderDependencies: input.builder?.builderDependencies,
      }),
      metadata: opt({
        invocationId: input.invocationId,
        startedOn: writeTime(input.startedOn, 'startedOn'),
        finishedOn: writeTime(input.finishedOn, 'finishedOn'),
      }),
      byproducts: byproducts.length > 0 ? byproducts : undefined,
    }),
  };
  return finish('training', SLSA_PROVENANCE_V1, subject, predicate, input.limits);
}
