/**
 * Approval predicate `https://lineproof.dev/attestation/approval/v0.1` and `/v0.2`, signed by an approver (a
 * second approver adds a signature to the same payload; the policy counts distinct identities and
 * keys). Subject: the model approved.
 *
 * Fields (strict: an unknown field fails):
 * - `issuedAt`, `attester` — when and by whom (the approver's claimed identity).
 * - `decision` — `APPROVED` or `REJECTED` (a rejection is evidence too).
 * - `stage` — the target stage: `staging` or `production`.
 * - `useCase` `{id, description}` — the one use case approved; `verify --use-case ID` matches `id`.
 * - `riskTier` — the policy's tier id (e.g. `low`, `high`), which sets the maximum age and whether
 *   WARNED evaluations pass.
 * - `evidence` — payload references (decisions §6) to exactly the attestations relied on: one
 *   `training` and at least one `evaluation`.
 * - `conditions` — conditions of the approval, as text (may be empty).
 * - `runtimeScope` — what the model may do in production: `tools` (tools and APIs it may call),
 *   `dataClasses` (classes of data it may read), `secretScopes` (secrets it may use). An empty
 *   list grants nothing.
 * - `notBefore`, `expires` — the validity window; decisions §7: valid at T iff
 *   notBefore <= T < min(expires, issuedAt + the tier's maximum age).
 * - v0.2 only: `registration?` — payload reference to the registration of the model (decisions
 *   §13); the policy's `requireRegistration` makes it required.
 *
 * Rules beyond the schema: notBefore < expires (PREDICATE_TIME_ORDER); evidence holds exactly one
 * training and at least one evaluation reference (PREDICATE_INCONSISTENT), none twice, and no
 * runtime-scope entry twice (PREDICATE_DUPLICATE).
 * @module
 */
import { z } from 'zod';
import {
  attesterSchema,
  checkOrder,
  checkUnique,
  identifierSchema,
  payloadReferenceSchema,
  predicateError,
  proseSchema,
  textSchema,
  timestampSchema,
} from './common.js';

/** predicateType of an approval attestation. */
export const APPROVAL_PREDICATE_TYPE = 'https://lineproof.dev/attestation/approval/v0.1' as const;
/** predicateType of an approval that refers to a registration (v0.1 keeps verifying; builders write v0.1 when they can). */
export const APPROVAL_PREDICATE_TYPE_V02 = 'https://lineproof.dev/attestation/approval/v0.2' as const;

/** Approval decisions. */
export const APPROVAL_DECISIONS = ['APPROVED', 'REJECTED'] as const;
/** Deployment stages an approval or promotion targets. */
export const DEPLOYMENT_STAGES = ['staging', 'production'] as const;

/** The runtime scope granted to the model. */
export const runtimeScopeSchema = z.strictObject({
  tools: z.array(textSchema).meta({ description: 'tools and APIs the model may call' }),
  dataClasses: z.array(identifierSchema).meta({ description: 'classes of data the model may read' }),
  secretScopes: z.array(identifierSchema).meta({ description: 'secret scopes the model may use' }),
});

const approvalShape = {
  issuedAt: timestampSchema,
  attester: attesterSchema,
  decision: z.enum(APPROVAL_DECISIONS),
  stage: z.enum(DEPLOYMENT_STAGES),
  useCase: z.strictObject({ id: identifierSchema, description: proseSchema }),
  riskTier: identifierSchema,
  evidence: z.array(
    z.discriminatedUnion('name', [payloadReferenceSchema('training'), payloadReferenceSchema('evaluation')]),
  ),
  conditions: z.array(proseSchema),
  runtimeScope: runtimeScopeSchema,
  notBefore: timestampSchema,
  expires: timestampSchema,
};

/** The approval predicate, v0.1. */
export const approvalPredicateSchemaV01 = z.strictObject(approvalShape).meta({
  title: 'Lineproof approval predicate v0.1',
  description: `predicate of an in-toto Statement with predicateType ${APPROVAL_PREDICATE_TYPE}`,
});

/** The approval predicate, v0.2: v0.1 and the registration the approval is for. */
export const approvalPredicateSchema = z
  .strictObject({
    ...approvalShape,
    registration: payloadReferenceSchema('registration').optional().meta({
      description:
        'the registration of the model approved (decisions §13): the use case must be one it registers, with the same tier',
    }),
  })
  .meta({
    title: 'Lineproof approval predicate v0.2',
    description: `predicate of an in-toto Statement with predicateType ${APPROVAL_PREDICATE_TYPE_V02}`,
  });

/** An approval predicate (v0.1 or v0.2; only v0.2 has `registration`). */
export type ApprovalPredicate = z.infer<typeof approvalPredicateSchema>;
/** A runtime scope. */
export type RuntimeScope = z.infer<typeof runtimeScopeSchema>;
/** A deployment stage. */
export type DeploymentStage = (typeof DEPLOYMENT_STAGES)[number];

/** Rules beyond the schema (see the module doc). */
export function checkApprovalRules(p: ApprovalPredicate): void {
  checkOrder({ path: 'predicate.notBefore', text: p.notBefore }, { path: 'predicate.expires', text: p.expires }, true);
  checkUnique(p.evidence, (r) => r.digest.sha256, 'predicate.evidence', 'reference');
  const trainings = p.evidence.filter((r) => r.name === 'training').length;
  if (trainings !== 1)
    predicateError(
      'PREDICATE_INCONSISTENT',
      'predicate.evidence',
      `needs exactly one training reference, got ${trainings}`,
      { expected: '1', actual: String(trainings) },
    );
  if (!p.evidence.some((r) => r.name === 'evaluation'))
    predicateError('PREDICATE_INCONSISTENT', 'predicate.evidence', 'needs at least one evaluation reference');
  checkUnique(p.runtimeScope.tools, (t) => t, 'predicate.runtimeScope.tools', 'tool');
  checkUnique(p.runtimeScope.dataClasses, (t) => t, 'predicate.runtimeScope.dataClasses', 'data class');
  checkUnique(p.runtimeScope.secretScopes, (t) => t, 'predicate.runtimeScope.secretScopes', 'secret scope');
}
