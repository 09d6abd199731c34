/**
 * Builders of the statements that judge and act on a model: an evaluation, an approval, a
 * promotion, a revocation. Conventions: src/statements/builders.ts.
 * @module
 */
import type { DigestSet } from '../digest/index.js';
import { sha256Hex } from '../digest/index.js';
import { parseJson } from '../json/strict.js';
import { formatTimestamp, readNow } from '../time/index.js';
import {
  argError,
  EXPECTED_MEDIA_TYPE,
  artifactOf,
  attesterOf,
  finish,
  opt,
  referenceTo,
  sha256Of,
  subjectsOf,
  toDigestSet,
  writeTime,
  type BuilderBase,
  type PayloadInput,
  type StatementOf,
} from './build-common.js';
import type {
  ApprovalFields,
  EvaluationFields,
  PromotionFields,
  RegistrationFields,
  RevocationFields,
  SubjectInput,
} from './inputs.js';
import {
  APPROVAL_PREDICATE_TYPE,
  APPROVAL_PREDICATE_TYPE_V02,
  EVALUATION_PREDICATE_TYPE,
  EVALUATION_PREDICATE_TYPE_V02,
  METRIC_CATEGORIES_V01,
  REGISTRATION_PREDICATE_TYPE,
  type RegistrationPredicate,
  PROMOTION_PREDICATE_TYPE,
  REVOCATION_PREDICATE_TYPE,
  stageOf,
  type ApprovalPredicate,
  type EvaluationPredicate,
  type PromotionPredicate,
  type RevocationKind,
  type RevocationPredicate,
} from './predicates/index.js';
import { IN_TOTO_PAYLOAD_TYPE, type PayloadReference, type ResourceDescriptor } from './statement.js';

// ---------------------------------------------------------------------------------------------
// evaluation

/** Input of {@link buildEvaluationStatement}. */
export interface EvaluationStatementInput extends BuilderBase, EvaluationFields {
  /** The model evaluated (the training attestation's subject digests). */
  subject: SubjectInput | SubjectInput[];
  /** The training attestation of the model. */
  training: PayloadInput;
  datasetAttestations?: PayloadInput[];
}

/**
 * Build an evaluation statement: `https://lineproof.dev/attestation/evaluation/v0.1`, or `/v0.2`
 * when it has findings or a `red-teaming` metric (a builder writes the oldest version that can say
 * what it is given, so older verifiers read it).
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
    findings: input.findings?.map((f) =>
      opt({
        ...f,
        suite: opt({
          ...f.suite,
          digest: f.suite.digest === undefined ? undefined : toDigestSet(f.suite.digest, 'findings.suite.digest'),
        }),
        report: f.report ? artifactOf(f.report, 'findings.report') : undefined,
      }),
    ),
    result: input.result,
    startedOn: input.startedOn === undefined ? undefined : writeTime(input.startedOn, 'startedOn'),
    finishedOn: input.finishedOn === undefined ? undefined : writeTime(input.finishedOn, 'finishedOn'),
    report: input.report ? artifactOf(input.report, 'report') : undefined,
  });
  const v01 =
    predicate.findings === undefined &&
    predicate.metrics.length > 0 &&
    predicate.metrics.every((m) => (METRIC_CATEGORIES_V01 as readonly string[]).includes(m.category));
  const type = v01 ? EVALUATION_PREDICATE_TYPE : EVALUATION_PREDICATE_TYPE_V02;
  return finish('evaluation', type, subject, predicate, input.limits);
}

// ---------------------------------------------------------------------------------------------
// approval

/** Input of {@link buildApprovalStatement}. */
export interface ApprovalStatementInput extends BuilderBase, ApprovalFields {
  /** The model approved. */
  subject: SubjectInput | SubjectInput[];
  /** The training attestation relied on. */
  training: PayloadInput;
  /** The evaluation attestations relied on (at least one). */
  evaluations: PayloadInput[];
  /** The registration of the model (written as approval v0.2). */
  registration?: PayloadInput;
}

/**
 * Build an approval statement: `https://lineproof.dev/attestation/approval/v0.1`, or `/v0.2` when it
 * refers to a registration. A second
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
    ...(input.registration === undefined
      ? {}
      : { registration: referenceTo('registration', input.registration, 'registration') }),
  };
  const type = predicate.registration === undefined ? APPROVAL_PREDICATE_TYPE : APPROVAL_PREDICATE_TYPE_V02;
  return finish('approval', type, subject, predicate, input.limits);
}

// ---------------------------------------------------------------------------------------------
// registration

/** Input of {@link buildRegistrationStatement}. */
export interface RegistrationStatementInput extends BuilderBase, RegistrationFields {
  /** The model registered (the training attestation's subject digests). */
  subject: SubjectInput | SubjectInput[];
}

/**
 * Build a registration statement (`https://lineproof.dev/attestation/registration/v0.1`): the
 * model's registry entry, signed by a registrar, which an approval (v0.2) refers to.
 * @param input see {@link RegistrationStatementInput}
 * @returns the statement; sign `canonicalBytes(statement)`
 * @throws {LineproofError} as {@link buildDatasetStatement}, and PREDICATE_DUPLICATE for a use case
 *   registered twice
 * @example
 * ```ts
 * const st = buildRegistrationStatement({
 *   subject: { name: 'model', digest: 'sha256:…' }, model: { name: 'triage', version: '3.0.0' },
 *   owner: 'mailto:ml-team@example.com',
 *   useCases: [{ id: 'support-triage', description: 'Route support tickets', riskTier: 'medium' }],
 *   modelCard: { description: 'Ticket router', limitations: ['English only'], license: 'Apache-2.0',
 *     contacts: ['mailto:ml-team@example.com'] },
 *   attester: 'mailto:registry@example.com', now: new Date(),
 * });
 * ```
 */
export function buildRegistrationStatement(input: RegistrationStatementInput): StatementOf<'registration'> {
  const issuedAt = formatTimestamp(readNow(input.now));
  const subject = subjectsOf(input.subject, undefined);
  const predicate: RegistrationPredicate = {
    issuedAt,
    attester: attesterOf(input.attester),
    model: { name: input.model?.name, version: input.model?.version },
    owner: input.owner,
    useCases: (input.useCases ?? []).map((u) => ({ id: u.id, description: u.description, riskTier: u.riskTier })),
    modelCard: {
      description: input.modelCard?.description,
      limitations: input.modelCard?.limitations ?? [],
      license: input.modelCard?.license,
      contacts: input.modelCard?.contacts ?? [],
    },
  };
  return finish('registration', REGISTRATION_PREDICATE_TYPE, subject, predicate, input.limits);
}

// ---------------------------------------------------------------------------------------------
// promotion

/** Input of {@link buildPromotionStatement}. */
export interface PromotionStatementInput extends BuilderBase, PromotionFields {
  /** The model deployed. */
  subject: SubjectInput | SubjectInput[];
  /** The approval deployed under. */
  approval: PayloadInput;
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
export type RevocationStatementInput = BuilderBase &
  Omit<RevocationFields, 'kind' | 'subjects'> &
  (
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
  if (input.mediaType !== IN_TOTO_PAYLOAD_TYPE) argError(`${what}.mediaType`, EXPECTED_MEDIA_TYPE);
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
