/**
 * The lifecycle predicates and the dispatcher that recognises them.
 *
 * `parsePredicate` is what every reader of an attestation runs after the DSSE signature check and
 * `parseStatement`:
 * 1. Validate the Statement v1 (unknown Statement fields ignored, the in-toto rule) — STATEMENT_INVALID.
 * 2. Recognise the predicate: `predicateType` one of ours, or SLSA Provenance v1 with our
 *    ml-training buildType; anything else — PREDICATE_TYPE_UNKNOWN (a reader reports an
 *    unreferenced one as skipped and fails a referenced one, decisions §6).
 * 3. Validate the predicate against its strict schema — PREDICATE_INVALID with the field path.
 * 4. Check the predicate's own cross-field rules — PREDICATE_TIME_ORDER, PREDICATE_DUPLICATE,
 *    PREDICATE_INCONSISTENT, PREDICATE_SUBJECT_MISMATCH, LIMIT_EXCEEDED (inlined manifest).
 * Rules that span several attestations (an evaluation's model equals its training's subject, an
 * approval is in force at T...) belong to the chain verifier, which builds the lineage graph from
 * {@link referencesOf}.
 * @module
 */
import { LineproofError, isLineproofError } from '../../errors.js';
import { isJsonObject, parseJson, type JsonValue } from '../../json/strict.js';
import { resolveLimits, type Limits } from '../../limits.js';
import {
  IN_TOTO_PAYLOAD_TYPE,
  parseStatement,
  payloadDigest,
  type PayloadReference,
  type Statement,
} from '../statement.js';
import {
  approvalPredicateSchema,
  approvalPredicateSchemaV01,
  checkApprovalRules,
  APPROVAL_PREDICATE_TYPE,
  type ApprovalPredicate,
} from './approval.js';
import { LINEPROOF_ATTESTATION_PREFIX, parseStrict, type Attester, type Stage } from './common.js';
import { checkDatasetRules, datasetPredicateSchema, type DatasetPredicate } from './dataset.js';
import {
  checkEvaluationRules,
  evaluationPredicateSchema,
  evaluationPredicateSchemaV01,
  EVALUATION_PREDICATE_TYPE,
  type EvaluationPredicate,
} from './evaluation.js';
import { checkRegistrationRules, registrationPredicateSchema, type RegistrationPredicate } from './registration.js';
import { promotionPredicateSchema, type PromotionPredicate } from './promotion.js';
import { checkRevocationRules, revocationPredicateSchema, type RevocationPredicate } from './revocation.js';
import {
  checkTrainingRules,
  ML_TRAINING_BUILD_TYPE,
  SLSA_PROVENANCE_V1,
  trainingPredicateSchema,
  type TrainingPredicate,
} from './training.js';

export {
  STAGES,
  LINEPROOF_ATTESTATION_PREFIX,
  LINEPROOF_MANIFEST_MEDIA_TYPE,
  attesterSchema,
  timestampSchema,
  payloadReferenceSchema,
  predicateManifestSchema,
  artifactSchema,
  toolSchema,
  type Stage,
  type Attester,
  type StageReference,
  type PredicateManifest,
  type PinnedArtifact,
  type ToolDescriptor,
} from './common.js';
export * from './dataset.js';
export * from './training.js';
export * from './evaluation.js';
export * from './approval.js';
export * from './promotion.js';
export * from './revocation.js';
export * from './registration.js';
export {
  PREDICATE_TYPES,
  PREDICATE_TYPE_VERSIONS,
  PREDICATE_SCHEMAS,
  PREDICATE_SCHEMA_VERSIONS,
  predicateJsonSchema,
} from './types.js';
import { PREDICATE_TYPES, STAGE_OF_TYPE } from './types.js';

/** The predicate of each stage. */
export interface PredicateByStage {
  dataset: DatasetPredicate;
  training: TrainingPredicate;
  registration: RegistrationPredicate;
  evaluation: EvaluationPredicate;
  approval: ApprovalPredicate;
  promotion: PromotionPredicate;
  revocation: RevocationPredicate;
}

/** A statement whose predicate was recognised and validated. */
export type ParsedPredicate = { [S in Stage]: ParsedPredicateOf<S> }[Stage];

/** A validated statement of one stage. */
export interface ParsedPredicateOf<S extends Stage> {
  stage: S;
  predicateType: string;
  predicate: PredicateByStage[S];
  /** The statement, with its validated predicate. */
  statement: Statement<PredicateByStage[S]>;
  /** The claimed issue time (`issuedAt`; training: `buildDefinition.internalParameters.issuedAt`). */
  issuedAt: string;
  /** The claimed identity of the signer (`attester`; training: in internalParameters). */
  attester: Attester;
}

/**
 * The stage of a statement, judged from its `predicateType` (and, for SLSA Provenance v1, its
 * `buildType`), without validating the predicate: use {@link parsePredicate} for that.
 * @param statement a statement (or any object with `predicateType` and `predicate`)
 * @returns the stage, or undefined when the type is not a Lineproof lifecycle predicate
 * @example
 * ```ts
 * stageOf({ predicateType: 'https://lineproof.dev/attestation/approval/v0.1' }); // 'approval'
 * ```
 */
export function stageOf(
  statement: { predicateType?: unknown; predicate?: unknown } | ParsedPredicate,
): Stage | undefined {
  if ('stage' in statement && typeof statement.stage === 'string' && 'statement' in statement) return statement.stage;
  const type = statement.predicateType;
  if (typeof type !== 'string') return undefined;
  if (type === SLSA_PROVENANCE_V1)
    return buildTypeOf(statement.predicate) === ML_TRAINING_BUILD_TYPE ? 'training' : undefined;
  return STAGE_OF_TYPE.get(type);
}

function buildTypeOf(predicate: unknown): unknown {
  if (!isJsonObject(predicate)) return undefined;
  const bd = (predicate as Record<string, unknown>)['buildDefinition'];
  return isJsonObject(bd) ? (bd as Record<string, unknown>)['buildType'] : undefined;
}

/** Options for {@link parsePredicate}. */
export interface ParsePredicateOptions {
  /** Limits (the inlined-manifest size is used here). */
  limits?: Partial<Limits> | undefined;
}

/**
 * Recognise and strictly validate the predicate of an in-toto statement (steps 1-4 of the module doc).
 * @param input a JSON value as parsed from the payload (preferred: validated as signed) or a
 *   Statement from {@link parseStatement}
 * @param options limits
 * @returns the stage, the typed predicate, the statement, and the claimed `issuedAt` and `attester`
 * @throws {LineproofError} STATEMENT_INVALID, PREDICATE_TYPE_UNKNOWN, PREDICATE_INVALID (with the
 *   field path), PREDICATE_TIME_ORDER, PREDICATE_DUPLICATE, PREDICATE_INCONSISTENT,
 *   PREDICATE_SUBJECT_MISMATCH, LIMIT_EXCEEDED
 * @example
 * ```ts
 * const parsed = parsePredicate(parseJson(payloadBytes));
 * if (parsed.stage === 'approval') console.log(parsed.predicate.useCase.id, parsed.attester.id);
 * ```
 */
export function parsePredicate(input: Statement | JsonValue, options: ParsePredicateOptions = {}): ParsedPredicate {
  const limits = resolveLimits(options.limits);
  // 1. the Statement (unknown Statement fields ignored)
  const statement = parseStatement(input as JsonValue);
  // The raw predicate (not zod's copy) so that every key that was signed is seen by the strict schema.
  const raw: unknown = isJsonObject(input) ? (input as Record<string, unknown>)['predicate'] : statement.predicate;
  // 2. recognise the type
  const stage = stageOf({ predicateType: statement.predicateType, predicate: raw });
  if (stage === undefined) throw unknownType(statement.predicateType, raw);
  if (raw === undefined)
    throw new LineproofError('PREDICATE_INVALID', `predicate: a ${stage} statement needs a predicate`, {
      path: 'predicate',
    });
  // 3. the strict schema, 4. the predicate's own rules
  const subjects = statement.subject;
  const maxInline = limits.inlineManifestBytes;
  switch (stage) {
    case 'dataset': {
      const p = parseStrict(datasetPredicateSchema, raw, 'predicate');
      checkDatasetRules(p, subjects, maxInline);
      return done(stage, statement, p, p.issuedAt, p.attester);
    }
    case 'training': {
      const p = parseStrict(trainingPredicateSchema, raw, 'predicate');
      checkTrainingRules(p, subjects, maxInline);
      const ip = p.buildDefinition.internalParameters;
      return done(stage, statement, p, ip.issuedAt, ip.attester);
    }
    case 'registration': {
      const p = parseStrict(registrationPredicateSchema, raw, 'predicate');
      checkRegistrationRules(p);
      return done(stage, statement, p, p.issuedAt, p.attester);
    }
    case 'evaluation': {
      const schema =
        statement.predicateType === EVALUATION_PREDICATE_TYPE
          ? evaluationPredicateSchemaV01
          : evaluationPredicateSchema;
      const p: EvaluationPredicate = parseStrict(schema, raw, 'predicate');
      checkEvaluationRules(p);
      return done(stage, statement, p, p.issuedAt, p.attester);
    }
    case 'approval': {
      const schema =
        statement.predicateType === APPROVAL_PREDICATE_TYPE ? approvalPredicateSchemaV01 : approvalPredicateSchema;
      const p: ApprovalPredicate = parseStrict(schema, raw, 'predicate');
      checkApprovalRules(p);
      return done(stage, statement, p, p.issuedAt, p.attester);
    }
    case 'promotion': {
      const p = parseStrict(promotionPredicateSchema, raw, 'predicate');
      return done(stage, statement, p, p.issuedAt, p.attester);
    }
    case 'revocation': {
      const p = parseStrict(revocationPredicateSchema, raw, 'predicate');
      checkRevocationRules(p, subjects);
      return done(stage, statement, p, p.issuedAt, p.attester);
    }
    default: {
      const never: never = stage;
      throw new LineproofError('INTERNAL', `unhandled stage ${String(never)}`);
    }
  }
}

function done<S extends Stage>(
  stage: S,
  statement: Statement,
  predicate: PredicateByStage[S],
  issuedAt: string,
  attester: Attester,
): ParsedPredicateOf<S> {
  return {
    stage,
    predicateType: statement.predicateType,
    predicate,
    statement: { ...statement, predicate },
    issuedAt,
    attester,
  };
}

function unknownType(predicateType: string, raw: unknown): LineproofError {
  if (predicateType === SLSA_PROVENANCE_V1) {
    const bt = buildTypeOf(raw);
    return new LineproofError(
      'PREDICATE_TYPE_UNKNOWN',
      `predicate.buildDefinition.buildType: SLSA provenance of buildType ${JSON.stringify(bt ?? null).slice(0, 200)} is not a Lineproof training run (expected ${ML_TRAINING_BUILD_TYPE})`,
      {
        path: 'predicate.buildDefinition.buildType',
        expected: ML_TRAINING_BUILD_TYPE,
        actual: typeof bt === 'string' ? bt.slice(0, 200) : String(bt),
      },
    );
  }
  const ours =
    predicateType.startsWith(LINEPROOF_ATTESTATION_PREFIX) ||
    predicateType.startsWith('https://lineproof.dev/buildtypes/');
  const hint = ours ? ' (a Lineproof predicate version this release does not know: a newer Lineproof may read it)' : '';
  return new LineproofError(
    'PREDICATE_TYPE_UNKNOWN',
    `predicateType: ${JSON.stringify(predicateType.slice(0, 200))} is not a Lineproof lifecycle predicate${hint}`,
    {
      path: 'predicateType',
      expected: Object.values(PREDICATE_TYPES).join(' | '),
      actual: predicateType.slice(0, 200),
    },
  );
}

/** The role a payload reference plays in the statement that makes it. */
export type ReferenceRole =
  /** dataset.derivedFrom: a parent dataset. */
  | 'derived-from'
  /** training resolvedDependencies: a dataset the model was trained on. */
  | 'dataset'
  /** training resolvedDependencies: the base model's own training attestation (fine-tunes). */
  | 'base-model'
  /** approval (v0.2) registration: the registration of the model approved. */
  | 'registration'
  /** evaluation.training, approval evidence: the training attestation of the model. */
  | 'training'
  /** evaluation.datasetAttestations: an evaluation dataset's attestation. */
  | 'evaluation-dataset'
  /** approval evidence: an evaluation relied on. */
  | 'evaluation'
  /** promotion.approval: the approval deployed under. */
  | 'approval'
  /** revocation subjects of kind attestation: a revoked attestation. */
  | 'revokes';

/** One payload reference made by a statement. */
export interface StatementReference {
  role: ReferenceRole;
  /** The stage the referenced attestation must have (undefined for a revoked attestation of any stage). */
  stage: Stage | undefined;
  /** Where the reference is, e.g. `predicate.evidence[1]`. */
  path: string;
  /** `sha256:<hex>` of the referenced payload. */
  digest: string;
  /** The reference as written. */
  reference: PayloadReference;
}

const isStage = (s: unknown): s is Stage => typeof s === 'string' && Object.keys(PREDICATE_TYPES).includes(s);

/**
 * Every payload reference (decisions §6) a statement makes, with its role and the stage the referenced
 * attestation must have: the edges of the lineage graph. In document order.
 * @param input a validated statement from {@link parsePredicate}, or a statement to validate first
 * @returns the references, in document order (empty for a dataset without parents and for
 *   revocations of anything but attestations)
 * @throws {LineproofError} as {@link parsePredicate} when given an unvalidated statement
 * @example
 * ```ts
 * for (const ref of referencesOf(parsed)) graph.addEdge(payloadDigest(payload), ref.digest, ref.role);
 * ```
 */
export function referencesOf(input: ParsedPredicate | Statement | JsonValue): StatementReference[] {
  const parsed = isParsed(input) ? input : parsePredicate(input);
  const out: StatementReference[] = [];
  const add = (role: ReferenceRole, stage: Stage | undefined, path: string, reference: PayloadReference): void => {
    out.push({
      role,
      stage,
      path,
      digest: `sha256:${reference.digest.sha256}`,
      reference: { name: reference.name, digest: { sha256: reference.digest.sha256 }, mediaType: reference.mediaType },
    });
  };
  switch (parsed.stage) {
    case 'dataset':
      (parsed.predicate.derivedFrom ?? []).forEach((r, i) =>
        add('derived-from', 'dataset', `predicate.derivedFrom[${i}]`, r),
      );
      break;
    case 'training':
      parsed.predicate.buildDefinition.resolvedDependencies.forEach((d, i) => {
        const path = `predicate.buildDefinition.resolvedDependencies[${i}]`;
        if (d.name === 'dataset') add('dataset', 'dataset', path, d);
        else if (d.name === 'training') add('base-model', 'training', path, d);
      });
      break;
    case 'evaluation':
      add('training', 'training', 'predicate.training', parsed.predicate.training);
      (parsed.predicate.datasetAttestations ?? []).forEach((r, i) =>
        add('evaluation-dataset', 'dataset', `predicate.datasetAttestations[${i}]`, r),
      );
      break;
    case 'approval':
      parsed.predicate.evidence.forEach((r, i) => add(r.name, r.name, `predicate.evidence[${i}]`, r));
      if (parsed.predicate.registration)
        add('registration', 'registration', 'predicate.registration', parsed.predicate.registration);
      break;
    case 'registration':
      break;
    case 'promotion':
      add('approval', 'approval', 'predicate.approval', parsed.predicate.approval);
      break;
    case 'revocation':
      if (parsed.predicate.kind === 'attestation') {
        parsed.statement.subject.forEach((s, i) => {
          add('revokes', isStage(s.name) ? s.name : undefined, `subject[${i}]`, {
            name: s.name ?? 'attestation',
            digest: { sha256: s.digest.sha256! },
            mediaType: IN_TOTO_PAYLOAD_TYPE,
          });
        });
      }
      break;
    default: {
      const never: never = parsed;
      throw new LineproofError('INTERNAL', `unhandled stage ${String((never as ParsedPredicate).stage)}`);
    }
  }
  return out;
}

function isParsed(v: unknown): v is ParsedPredicate {
  return (
    typeof v === 'object' &&
    v !== null &&
    'stage' in v &&
    'statement' in v &&
    'predicate' in v &&
    isStage((v as { stage: unknown }).stage)
  );
}

/** A lifecycle attestation payload, parsed and validated, with its payload digest and references. */
export type ParsedAttestationPayload = ParsedPredicate & {
  /** `sha256:<hex>` of the payload bytes: how other statements refer to this one (decisions §6). */
  payloadDigest: string;
  /** Every payload reference this statement makes. */
  references: StatementReference[];
};

/**
 * Parse a DSSE payload (after its signatures were verified) as a lifecycle attestation: strict JSON
 * (duplicate keys, depth, size), Statement v1, the predicate (see {@link parsePredicate}).
 * @param payload the exact payload bytes
 * @param options limits (JSON depth and size, inlined manifest size)
 * @returns the parsed predicate, `payloadDigest` and `references`
 * @throws {LineproofError} JSON_* codes, and the codes of {@link parsePredicate}
 * @example
 * ```ts
 * const a = parseAttestationPayload(payloadBytes);
 * a.stage; a.payloadDigest; a.references.map((r) => r.digest);
 * ```
 */
export function parseAttestationPayload(
  payload: Uint8Array,
  options: ParsePredicateOptions = {},
): ParsedAttestationPayload {
  const limits = resolveLimits(options.limits);
  const value = parseJson(payload, { what: 'payload', maxDepth: limits.jsonDepth, maxBytes: limits.envelopeBytes });
  const parsed = parsePredicate(value, options);
  return {
    ...parsed,
    payloadDigest: payloadDigest(payload),
    references: referencesOf(parsed),
  };
}

/** True when `e` is a PREDICATE_TYPE_UNKNOWN error: the statement is not ours (a reader skips it when unreferenced). */
export function isUnknownPredicate(e: unknown): boolean {
  return isLineproofError(e, 'PREDICATE_TYPE_UNKNOWN');
}
