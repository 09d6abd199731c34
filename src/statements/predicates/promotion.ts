/**
 * Promotion predicate `https://lineproof.dev/attestation/promotion/v0.1`, signed by a deployer.
 * Subject: the model digest deployed.
 *
 * Fields (strict: an unknown field fails):
 * - `issuedAt`, `attester` — when and by whom (the deployer's claimed identity).
 * - `approval` — payload reference (decisions §6) to the approval this deployment relies on.
 * - `stage` — `staging` or `production`; a verifier checks it equals the approval's stage.
 * - `environment` — where it runs (e.g. `prod-eu-west-1`); `endpoint?` — the serving URI.
 * @module
 */
import { z } from 'zod';
import { DEPLOYMENT_STAGES } from './approval.js';
import { attesterSchema, payloadReferenceSchema, textSchema, timestampSchema, uriSchema } from './common.js';

/** predicateType of a promotion attestation. */
export const PROMOTION_PREDICATE_TYPE = 'https://lineproof.dev/attestation/promotion/v0.1' as const;

/** The promotion predicate, v0.1. */
export const promotionPredicateSchema = z
  .strictObject({
    issuedAt: timestampSchema,
    attester: attesterSchema,
    approval: payloadReferenceSchema('approval'),
    stage: z.enum(DEPLOYMENT_STAGES),
    environment: textSchema.meta({ description: 'deployment environment, e.g. prod-eu-west-1' }),
    endpoint: uriSchema.optional().meta({ description: 'serving endpoint URI' }),
  })
  .meta({
    title: 'Lineproof promotion predicate v0.1',
    description: `predicate of an in-toto Statement with predicateType ${PROMOTION_PREDICATE_TYPE}`,
  });

/** A promotion predicate. */
export type PromotionPredicate = z.infer<typeof promotionPredicateSchema>;
