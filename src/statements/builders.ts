/**
 * Builders of lifecycle statements: typed, named-field inputs in; an in-toto Statement v1 out,
 * with the references of decisions §6 filled in and validated by the same strict parser readers use,
 * so a builder never returns a statement a verifier would refuse.
 *
 * Common inputs:
 * - `attester` — the signer's claimed identity (`"mailto:alice@example.com"` or `{ id }`).
 * - `now` — an injected clock (a Date or a function returning one); `issuedAt` is `now` written
 *   `YYYY-MM-DDTHH:MM:SSZ`. The core never reads a clock.
 * - Predecessors (`PayloadInput`): the predecessor's exact DSSE payload bytes — the builder hashes
 *   them and checks that they are an attestation of the stage the reference needs
 *   (REFERENCE_STAGE_MISMATCH otherwise) — or its payload digest as `sha256:<hex>`, or a ready
 *   payload reference. The reference is the sha256 of the **payload** bytes: the same JSON written
 *   differently is a different payload and a different reference, by design.
 * - Artifact digests (`DigestInput`): a DigestSet (`{ sha256: '<hex>' }`) or `sha256:<hex>` text.
 * - Times (`TimeInput`): a Date or an RFC 3339 string, written back as `YYYY-MM-DDTHH:MM:SSZ`
 *   (sub-seconds dropped toward the past, except a window start — `notBefore` — rounded up, so
 *   rounding never widens a validity window).
 *
 * The result is a plain JSON object; sign its `canonicalBytes` (RFC 8785) as the DSSE payload.
 * @module
 */
import { toBase64 } from '../bytes/index.js';
import { assertDigestSet, digestSetFromText, parseDigest, sha256Hex, type DigestSet } from '../digest/index.js';
import { LineproofError, isLineproofError } from '../errors.js';
import { assertJsonValue } from '../json/canonical.js';
import { parseJson, type JsonValue } from '../json/strict.js';
import { resolveLimits, type Limits } from '../limits.js';
import { formatTimestamp, parseTimestamp, readNow, type Now, type Rounding } from '../time/index.js';
import {
  IN_TOTO_PAYLOAD_TYPE,
  STATEMENT_TYPE_V1,
  type PayloadReference,
  type ResourceDescriptor,
  type Statement,
} from './statement.js';
import {
  APPROVAL_PREDICATE_TYPE,
  DATASET_PREDICATE_TYPE,
  EVALUATION_PREDICATE_TYPE,
  LINEPROOF_MANIFEST_MEDIA_TYPE,
  ML_TRAINING_BUILD_TYPE,
  PROMOTION_PREDICATE_TYPE,
  REVOCATION_PREDICATE_TYPE,
  SLSA_PROVENANCE_V1,
  parsePredicate,
  stageOf,
  type ApprovalPredicate,
  type Attester,
  type Classification,
  type DatasetPredicate,
  type DeploymentStage,
  type EvaluationPredicate,
  type EvaluationResult,
  type PredicateManifest,
  type Metric,
  type ParsedPredicateOf,
  type PredicateByStage,
  type ProcessingStep,
  type PromotionPredicate,
  type RevocationKind,
  type RevocationPredicate,
  type RevocationReason,
  type Stage,
  type StageReference,
  type TrainingDependency,
  type TrainingPredicate,
} from './predicates/index.js';

/** An artifact digest: a DigestSet or `sha256:<hex>` text. */
export type DigestInput = DigestSet | string;
/** A predecessor attestation: its exact payload bytes, its payload digest `sha256:<hex>`, or a reference. */
export type PayloadInput = Uint8Array | string | PayloadReference;
/** A time: a Date or an RFC 3339 string. */
export type TimeInput = Date | string;

/** A subject of a statement. */
export interface SubjectInput {
  digest: DigestInput;
  name?: string;
  uri?: string;
  mediaType?: string;
}

/** An artifact pinned by digest. */
export interface ArtifactInput {
  digest: DigestInput;
  name?: string;
  uri?: string;
  mediaType?: string;
  downloadLocation?: string;
}

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

function argError(path: string, message: string, cause?: unknown): never {
  throw new LineproofError('INVALID_ARGUMENT', `${path}: ${message}`, { path, cause });
}

function opt<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
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

function attesterOf(a: string | Attester): Attester {
  if (typeof a === 'string') return { id: a };
  if (typeof a !== 'object' || a === null || typeof a.id !== 'string')
    argError('attester', 'expected an identity string or { id }');
  return { id: a.id };
}

function writeTime(input: TimeInput, what: string, rounding: Rounding = 'down'): string {
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

function subjectsOf(
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

function artifactOf(
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

function sha256Of(text: string, what: string): string {
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
    return { name: stage, digest: { sha256: sha256Hex(input) }, mediaType: IN_TOTO_PAYLOAD_TYPE } as StageReference<S>;
  }
  if (typeof input === 'string')
    return {
      name: stage,
      digest: { sha256: sha256Of(input, what) },
      mediaType: IN_TOTO_PAYLOAD_TYPE,
    } as StageReference<S>;
  if (typeof input !== 'object' || input === null)
    argError(what, 'expected payload bytes, sha256:<hex> or a payload reference');
  if (input.name !== stage)
    throw new LineproofError(
      'REFERENCE_STAGE_MISMATCH',
      `${what}: expected a reference named ${stage}, got ${JSON.stringify(input.name)}`,
      { path: `${what}.name`, expected: stage, actual: String(input.name) },
    );
  if (input.mediaType !== IN_TOTO_PAYLOAD_TYPE) argError(`${what}.mediaType`, `expected ${IN_TOTO_PAYLOAD_TYPE}`);
  const hex = input.digest?.sha256;
  if (typeof hex !== 'string') argError(`${what}.digest.sha256`, 'expected 64 lowercase hex digits');
  return {
    name: stage,
    digest: { sha256: sha256Of(`sha256:${hex}`, `${what}.digest.sha256`) },
    mediaType: IN_TOTO_PAYLOAD_TYPE,
  } as StageReference<S>;
}

function manifestOf(
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
function finish<S extends Stage>(
  stage: S,
  predicateType: string,
  subject: Array<ResourceDescriptor & { digest: DigestSet }>,
  predicate: PredicateByStage[S],
  limits: Partial<Limits> | undefined,
): StatementOf<S> {
  const statement = { _type: STATEMENT_TYPE_V1, subject, predicateType, predicate };
  assertJsonValue(statement); // JSON_NOT_REPRESENTABLE with a path for undefined / NaN / Date... in caller data
  const parsed = parsePredicate(statement as unknown as JsonValue, { limits }) as ParsedPredicateOf<S>;
  if (parsed.stage !== stage)
    throw new LineproofError('INTERNAL', `built a ${stage} statement that reads as ${parsed.stage}`);
  return {
    _type: STATEMENT_TYPE_V1,
    subject: parsed.statement.subject,
    predicateType,
    predicate: parsed.predicate,
  } as StatementOf<S>;
}

// ---------------------------------------------------------------------------------------------
// dataset

/** Input of {@link buildDatasetStatement}. */
export interface DatasetStatementInput extends BuilderBase {
  /** Subjects; default: the manifest (named after the dataset). */
  subject?: SubjectInput | SubjectInput[];
  /** The dataset manifest (decisions §5), inlined or as a sidecar. */
  manifest?: StatementManifestInput;
  name: string;
  version: string;
  owner: string;
  description?: string;
  license: string;
  classification: Classification;
  sources: Array<{ name?: string; uri?: string; digest?: DigestInput; mediaType?: string; downloadLocation?: string }>;
  /** Dataset attestations this dataset was derived from. */
  derivedFrom?: PayloadInput[];
  processing?: ProcessingStep[];
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
export interface TrainingStatementInput extends BuilderBase {
  /** Subjects (the model weights); default: the manifest (named `model`). */
  subject?: SubjectInput | SubjectInput[];
  /** The model manifest (decisions §5), carried as the byproduct named `manifest`. */
  manifest?: StatementManifestInput;
  /** The pipeline: SLSA `runDetails.builder`. */
  builder: { id: string; version?: Record<string, string>; builderDependencies?: ResourceDescriptor[] };
  invocationId?: string;
  startedOn: TimeInput;
  finishedOn: TimeInput;
  /**
   * The code run: `externalParameters.code` `{uri, ref?, entryPoint?}`, and the resolved dependency
   * `{name: "code", uri: resolvedUri ?? uri@ref, digest}` (e.g. `{gitCommit: "<40 hex>"}`).
   */
  code: { uri: string; ref?: string; entryPoint?: string; digest: DigestInput; resolvedUri?: string };
  hyperparameters: Record<string, JsonValue>;
  /** Dataset attestations trained on (at least one). */
  datasets: PayloadInput[];
  /** The dataset manifests (or files) as read by the run. */
  datasetManifests?: ArtifactInput[];
  /** The base model of a fine-tune: pinned digest, and optionally its training attestation. */
  baseModel?: ArtifactInput & { training?: PayloadInput };
  /** The environment image. */
  environment?: ArtifactInput;
  /** Any other pinned input (tokenizer, libraries...). */
  dependencies?: ArtifactInput[];
  /** SLSA byproducts (logs, metrics); the manifest byproduct is added from `manifest`. */
  byproducts?: ResourceDescriptor[];
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
  } as TrainingPredicate;
  return finish('training', SLSA_PROVENANCE_V1, subject, predicate, input.limits);
}

// ---------------------------------------------------------------------------------------------
// evaluation

/** Input of {@link buildEvaluationStatement}. */
export interface EvaluationStatementInput extends BuilderBase {
  /** The model evaluated (the training attestation's subject digests). */
  subject: SubjectInput | SubjectInput[];
  suite: { name: string; version: string; uri?: string; digest?: DigestInput };
  evaluator: { name: string; version?: string; uri?: string; digest?: DigestInput };
  /** The training attestation of the model. */
  training: PayloadInput;
  /** The evaluation data (at least one), each named. */
  datasets: Array<ArtifactInput & { name: string }>;
  datasetAttestations?: PayloadInput[];
  metrics: Metric[];
  result: EvaluationResult;
  startedOn?: TimeInput;
  finishedOn?: TimeInput;
  /** The full evaluation report, pinned by digest. */
  report?: ArtifactInput;
}

/**
 * Build an evaluation statement (`https://lineproof.dev/attestation/evaluation/v0.1`).
 * @param input see {@link EvaluationStatementInput}
 * @returns the statement; sign `canonicalBytes(statement)`
 * @throws {LineproofError} as {@link buildDatasetStatement}, and PREDICATE_INCONSISTENT for a
 *   PASSED result with a metric below its own threshold
 * @example
 * ```ts
 * const st = buildEvaluationStatement({
 *   subject: { name: 'model', digest: 'sha256:…' }, training: trainingPayloadBytes,
 *   suite: { name: 'acme-eval', version: '3.1' }, evaluator: { name: 'lm-eval', version: '0.4.2' },
 *   datasets: [{ name: 'heldout', digest: 'sha256:…' }],
 *   metrics: [{ name: 'accuracy', category: 'accuracy', value: 0.91, higherIsBetter: true, threshold: 0.9 }],
 *   result: 'PASSED', attester: 'mailto:eval@example.com', now: new Date(),
 * });
 * ```
 */
export function buildEvaluationStatement(input: EvaluationStatementInput): StatementOf<'evaluation'> {
  const issuedAt = formatTimestamp(readNow(input.now));
  const subject = subjectsOf(input.subject, undefined);
  const predicate: EvaluationPredicate = opt({
    issuedAt,
    attester: attesterOf(input.attester),
    suite: opt({
      name: input.suite?.name,
      version: input.suite?.version,
      uri: input.suite?.uri,
      digest: input.suite?.digest === undefined ? undefined : toDigestSet(input.suite.digest, 'suite.digest'),
    }),
    evaluator: opt({
      name: input.evaluator?.name,
      version: input.evaluator?.version,
      uri: input.evaluator?.uri,
      digest:
        input.evaluator?.digest === undefined ? undefined : toDigestSet(input.evaluator.digest, 'evaluator.digest'),
    }),
    training: referenceTo('training', input.training, 'training'),
    datasets: (input.datasets ?? []).map((d, i) => ({ ...artifactOf(d, `datasets[${i}]`), name: d.name })),
    datasetAttestations: input.datasetAttestations?.map((p, i) =>
      referenceTo('dataset', p, `datasetAttestations[${i}]`),
    ),
    metrics: (input.metrics ?? []).map((m) => opt({ ...m })),
    result: input.result,
    startedOn: input.startedOn === undefined ? undefined : writeTime(input.startedOn, 'startedOn'),
    finishedOn: input.finishedOn === undefined ? undefined : writeTime(input.finishedOn, 'finishedOn'),
    report: input.report ? artifactOf(input.report, 'report') : undefined,
  }) as EvaluationPredicate;
  return finish('evaluation', EVALUATION_PREDICATE_TYPE, subject, predicate, input.limits);
}

// ---------------------------------------------------------------------------------------------
// approval

/** Input of {@link buildApprovalStatement}. */
export interface ApprovalStatementInput extends BuilderBase {
  /** The model approved. */
  subject: SubjectInput | SubjectInput[];
  decision: 'APPROVED' | 'REJECTED';
  stage: DeploymentStage;
  useCase: { id: string; description: string };
  riskTier: string;
  /** The training attestation relied on. */
  training: PayloadInput;
  /** The evaluation attestations relied on (at least one). */
  evaluations: PayloadInput[];
  conditions?: string[];
  runtimeScope: { tools?: string[]; dataClasses?: string[]; secretScopes?: string[] };
  /** Start of validity (rounded up to the second); default: issuedAt. */
  notBefore?: TimeInput;
  /** End of validity (rounded down to the second). */
  expires: TimeInput;
}

/**
 * Build an approval statement (`https://lineproof.dev/attestation/approval/v0.1`). A second
 * approver signs the same payload (its signature is added to the envelope), not a new statement.
 * @param input see {@link ApprovalStatementInput}
 * @returns the statement; sign `canonicalBytes(statement)`
 * @throws {LineproofError} as {@link buildDatasetStatement}, and PREDICATE_TIME_ORDER when expires
 *   is not after notBefore
 * @example
 * ```ts
 * const st = buildApprovalStatement({
 *   subject: { name: 'model', digest: 'sha256:…' }, decision: 'APPROVED', stage: 'production',
 *   useCase: { id: 'support-triage', description: 'Route support tickets' }, riskTier: 'medium',
 *   training: trainingPayload, evaluations: [evaluationPayload],
 *   runtimeScope: { tools: ['ticket-api:read'], dataClasses: ['internal'], secretScopes: [] },
 *   expires: '2026-07-01T00:00:00Z', attester: 'mailto:risk@example.com', now: new Date(),
 * });
 * ```
 */
export function buildApprovalStatement(input: ApprovalStatementInput): StatementOf<'approval'> {
  const issuedAt = formatTimestamp(readNow(input.now));
  const subject = subjectsOf(input.subject, undefined);
  if (!Array.isArray(input.evaluations) || input.evaluations.length === 0)
    argError('evaluations', 'at least one evaluation attestation is required');
  const predicate: ApprovalPredicate = {
    issuedAt,
    attester: attesterOf(input.attester),
    decision: input.decision,
    stage: input.stage,
    useCase: input.useCase
      ? { id: input.useCase.id, description: input.useCase.description }
      : argError('useCase', 'required'),
    riskTier: input.riskTier,
    evidence: [
      referenceTo('training', input.training, 'training'),
      ...input.evaluations.map((p, i) => referenceTo('evaluation', p, `evaluations[${i}]`)),
    ],
    conditions: input.conditions ?? [],
    runtimeScope: {
      tools: input.runtimeScope?.tools ?? [],
      dataClasses: input.runtimeScope?.dataClasses ?? [],
      secretScopes: input.runtimeScope?.secretScopes ?? [],
    },
    notBefore: input.notBefore === undefined ? issuedAt : writeTime(input.notBefore, 'notBefore', 'up'),
    expires: writeTime(input.expires, 'expires', 'down'),
  };
  return finish('approval', APPROVAL_PREDICATE_TYPE, subject, predicate, input.limits);
}

// ---------------------------------------------------------------------------------------------
// promotion

/** Input of {@link buildPromotionStatement}. */
export interface PromotionStatementInput extends BuilderBase {
  /** The model deployed. */
  subject: SubjectInput | SubjectInput[];
  /** The approval deployed under. */
  approval: PayloadInput;
  stage: DeploymentStage;
  environment: string;
  endpoint?: string;
}

/**
 * Build a promotion statement (`https://lineproof.dev/attestation/promotion/v0.1`).
 * @param input see {@link PromotionStatementInput}
 * @returns the statement; sign `canonicalBytes(statement)`
 * @throws {LineproofError} as {@link buildDatasetStatement}
 * @example
 * ```ts
 * const st = buildPromotionStatement({ subject: { name: 'model', digest: 'sha256:…' }, approval: approvalPayload,
 *   stage: 'production', environment: 'prod-eu-west-1', attester: 'https://deploy.example.com', now: new Date() });
 * ```
 */
export function buildPromotionStatement(input: PromotionStatementInput): StatementOf<'promotion'> {
  const issuedAt = formatTimestamp(readNow(input.now));
  const subject = subjectsOf(input.subject, undefined);
  const predicate: PromotionPredicate = opt({
    issuedAt,
    attester: attesterOf(input.attester),
    approval: referenceTo('approval', input.approval, 'approval'),
    stage: input.stage,
    environment: input.environment,
    endpoint: input.endpoint,
  });
  return finish('promotion', PROMOTION_PREDICATE_TYPE, subject, predicate, input.limits);
}

// ---------------------------------------------------------------------------------------------
// revocation

/** Input of {@link buildRevocationStatement}. */
export type RevocationStatementInput = BuilderBase & {
  reason: RevocationReason;
  description: string;
  /** From when it applies; default: issuedAt. */
  effectiveAt?: TimeInput;
} & (
    | {
        kind: 'attestation';
        /**
         * The revoked attestations: payload bytes (the subject is named after their stage when
         * readable — a revocation need not parse what it revokes), `sha256:<hex>`, or references.
         */
        attestations: PayloadInput[];
      }
    | {
        kind: Exclude<RevocationKind, 'attestation'>;
        /** Keys: `{name?, digest: sha256 of the DER SubjectPublicKeyInfo}`; datasets and models: their digests. */
        subjects: SubjectInput[];
      }
  );

function revokedReference(input: PayloadInput, what: string): PayloadReference {
  if (input instanceof Uint8Array) {
    let name = 'attestation';
    try {
      const stage = stageOf(parseJson(input) as { predicateType?: unknown; predicate?: unknown });
      if (stage) name = stage;
    } catch {
      // unreadable payloads can be revoked too
    }
    return { name, digest: { sha256: sha256Hex(input) }, mediaType: IN_TOTO_PAYLOAD_TYPE };
  }
  if (typeof input === 'string')
    return { name: 'attestation', digest: { sha256: sha256Of(input, what) }, mediaType: IN_TOTO_PAYLOAD_TYPE };
  if (
    typeof input !== 'object' ||
    input === null ||
    typeof input.name !== 'string' ||
    typeof input.digest?.sha256 !== 'string'
  )
    argError(what, 'expected payload bytes, sha256:<hex> or a payload reference');
  if (input.mediaType !== IN_TOTO_PAYLOAD_TYPE) argError(`${what}.mediaType`, `expected ${IN_TOTO_PAYLOAD_TYPE}`);
  return {
    name: input.name,
    digest: { sha256: sha256Of(`sha256:${input.digest.sha256}`, `${what}.digest.sha256`) },
    mediaType: IN_TOTO_PAYLOAD_TYPE,
  };
}

/**
 * Build a revocation statement (`https://lineproof.dev/attestation/revocation/v0.1`); its subjects
 * are what it revokes.
 * @param input see {@link RevocationStatementInput}
 * @returns the statement; sign `canonicalBytes(statement)`
 * @throws {LineproofError} as {@link buildDatasetStatement}, and PREDICATE_SUBJECT_MISMATCH when a
 *   subject is not of the kind revoked
 * @example
 * ```ts
 * const st = buildRevocationStatement({ kind: 'attestation', attestations: [evaluationPayload],
 *   reason: 'erroneous', description: 'evaluated the wrong checkpoint',
 *   attester: 'mailto:security@example.com', now: new Date() });
 * ```
 */
export function buildRevocationStatement(input: RevocationStatementInput): StatementOf<'revocation'> {
  const issuedAt = formatTimestamp(readNow(input.now));
  let subject: Array<ResourceDescriptor & { digest: DigestSet }>;
  if (input.kind === 'attestation') {
    if (!Array.isArray(input.attestations) || input.attestations.length === 0)
      argError('attestations', 'at least one attestation to revoke is required');
    subject = input.attestations.map((p, i) => ({ ...revokedReference(p, `attestations[${i}]`) }));
  } else {
    subject = subjectsOf(input.subjects, undefined, 'subjects');
  }
  const predicate: RevocationPredicate = {
    issuedAt,
    attester: attesterOf(input.attester),
    kind: input.kind,
    reason: input.reason,
    description: input.description,
    effectiveAt: input.effectiveAt === undefined ? issuedAt : writeTime(input.effectiveAt, 'effectiveAt'),
  };
  return finish('revocation', REVOCATION_PREDICATE_TYPE, subject, predicate, input.limits);
}
