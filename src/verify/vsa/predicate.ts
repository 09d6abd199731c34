/**
 * The SLSA Verification Summary Attestation v1 predicate (decisions §9, spec/vsa.md): what a
 * Lineproof gate writes when it has verified a chain, and how any VSA is read.
 *
 * The VSA is not our predicate, so reading follows the in-toto parsing rules: unknown fields are
 * ignored, known fields must have their type (SLSA `spec/verification_summary.md`, v1.0–v1.2).
 * What Lineproof writes is exact: {@link lineproofVsaPredicateSchema} is strict, and the builder
 * checks its output with it and with the reader ({@link readVsaStatement}).
 * @module
 */
import { z } from 'zod';
import { LineproofError } from '../../errors.js';
import { parseWithSchema } from '../../json/schema.js';
import { timestampProblem, WRITTEN_TIMESTAMP_PATTERN } from '../../time/index.js';
import { digestSetSchema, resourceDescriptorSchema, type Statement } from '../../statements/statement.js';

/** predicateType of a SLSA Verification Summary Attestation, v1. */
export const VSA_PREDICATE_TYPE = 'https://slsa.dev/verification_summary/v1' as const;
/** `verifier.id` of the summaries Lineproof writes (decisions §9). */
export const LINEPROOF_VERIFIER_ID = 'https://lineproof.dev/verifier/v1' as const;
/** The level a PASSED Lineproof summary names: a chain verified against a policy (spec/verification.md). */
export const LINEPROOF_CHAIN_LEVEL = 'LINEPROOF_CHAIN_V1' as const;
/** SLSA's `verifiedLevels` value when policy verification failed. */
export const FAILED_LEVEL = 'FAILED' as const;

/** A verdict: PASSED or FAILED. */
export type VerificationResult = 'PASSED' | 'FAILED';

const noControl = (s: string) => !/[\u0000-\u001f\u007f]/.test(s);

/** A timestamp as the in-toto field type requires it: RFC 3339 in UTC (`Z`). */
const utcTimestamp = z
  .string()
  .refine((s) => s.endsWith('Z') && timestampProblem(s) === undefined, 'must be an RFC 3339 date-time in UTC (Z)');

/** The reader's schema: the SLSA VSA v1 fields with their types; unknown fields ignored. */
export const vsaPredicateSchema = z.looseObject({
  verifier: z.looseObject({
    id: z.string().min(1),
    version: z.record(z.string(), z.string()).optional(),
  }),
  /** Required in SLSA 1.0, optional since 1.1. */
  timeVerified: utcTimestamp.optional(),
  resourceUri: z.string().min(1),
  policy: resourceDescriptorSchema.refine((p) => p.uri !== undefined, 'the policy must have a uri'),
  inputAttestations: z
    .array(resourceDescriptorSchema.refine((rd) => rd.digest !== undefined, 'each input attestation needs a digest'))
    .optional(),
  verificationResult: z.enum(['PASSED', 'FAILED']),
  verifiedLevels: z.array(z.string()),
  dependencyLevels: z.record(z.string(), z.number().int().min(0)).nullable().optional(),
  slsaVersion: z
    .string()
    .regex(/^\d+\.\d+$/, 'expected <MAJOR>.<MINOR>')
    .optional(),
});

/** A VSA predicate as read (unknown fields kept, never interpreted). */
export type VsaPredicate = z.infer<typeof vsaPredicateSchema>;

const sha256Only = z.strictObject({ sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits') });

/** Exactly what Lineproof writes (strict: an unknown or missing field is a bug in the builder). */
export const lineproofVsaPredicateSchema = z
  .strictObject({
    verifier: z.strictObject({
      id: z.literal(LINEPROOF_VERIFIER_ID),
      version: z.record(z.string().min(1), z.string().min(1)).optional(),
    }),
    timeVerified: z.string().regex(WRITTEN_TIMESTAMP_PATTERN, 'expected YYYY-MM-DDTHH:MM:SSZ'),
    resourceUri: z.string().min(1).refine(noControl, 'must not hold control characters'),
    policy: z.strictObject({ uri: z.string().min(1), digest: sha256Only }),
    inputAttestations: z.array(z.strictObject({ uri: z.string().min(1).optional(), digest: sha256Only })),
    verificationResult: z.enum(['PASSED', 'FAILED']),
    verifiedLevels: z.union([z.tuple([z.literal(LINEPROOF_CHAIN_LEVEL)]), z.tuple([z.literal(FAILED_LEVEL)])]),
  })
  .refine(
    (p) => (p.verificationResult === 'PASSED') === (p.verifiedLevels[0] === LINEPROOF_CHAIN_LEVEL),
    'verifiedLevels is [LINEPROOF_CHAIN_V1] for PASSED and [FAILED] for FAILED',
  );

/** A predicate as Lineproof writes it. */
export type LineproofVsaPredicate = z.infer<typeof lineproofVsaPredicateSchema>;

/** The statement as Lineproof writes it: subjects are `{name?, digest}`. */
export const lineproofVsaStatementSchema = z.strictObject({
  _type: z.literal('https://in-toto.io/Statement/v1'),
  subject: z
    .array(z.strictObject({ name: z.string().min(1).optional(), digest: digestSetSchema }))
    .min(1)
    .max(1),
  predicateType: z.literal(VSA_PREDICATE_TYPE),
  predicate: lineproofVsaPredicateSchema,
});

/** A VSA statement whose predicate has been read. */
export type VsaStatement = Statement<VsaPredicate> & { predicate: VsaPredicate };

/**
 * Read a statement as a VSA: its predicateType and its predicate (unknown fields ignored).
 * @param statement an in-toto Statement v1, already validated (e.g. by `verifyEnvelope`)
 * @throws {LineproofError} VSA_INVALID with the field path
 */
export function readVsaStatement(statement: Statement): VsaStatement {
  if (statement.predicateType !== VSA_PREDICATE_TYPE) {
    throw new LineproofError(
      'VSA_INVALID',
      `predicateType: expected ${VSA_PREDICATE_TYPE}, got ${JSON.stringify(statement.predicateType.slice(0, 100))}`,
      { path: 'predicateType', expected: VSA_PREDICATE_TYPE, actual: statement.predicateType.slice(0, 100) },
    );
  }
  const predicate = parseWithSchema(vsaPredicateSchema, statement.predicate ?? null, 'predicate', 'VSA_INVALID');
  return { ...statement, predicate };
}
