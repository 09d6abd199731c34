/**
 * Registration predicate `https://lineproof.dev/attestation/registration/v0.1` (decisions §13),
 * signed by a registrar: the model's entry in the registry, made before it may be approved.
 * Subject: the model registered (the training attestation's subject digests).
 *
 * Fields (strict: an unknown field fails):
 * - `issuedAt`, `attester` — when and by whom (the registrar's claimed identity).
 * - `model` `{name, version}` — the registered name and version.
 * - `owner` — the identity accountable for the model (e.g. `mailto:ml-team@example.com`).
 * - `useCases` — the intended use cases, each `{id, description, riskTier}` (at least one): an
 *   approval (v0.2) referring to this registration must be for one of them, and the policy's tier
 *   for that use case must equal the one registered here (the policy's wins; a registration that
 *   names another tier fails, REGISTRATION_TIER_MISMATCH).
 * - `modelCard` `{description, limitations, license, contacts}` — the model-card fields:
 *   what the model is, its known limitations (may be empty), its license (an SPDX identifier or
 *   a URI) and who to contact (at least one).
 *
 * Rules beyond the schema: use-case ids and contacts are unique (PREDICATE_DUPLICATE).
 * @module
 */
import { z } from 'zod';
import { attesterSchema, checkUnique, identifierSchema, proseSchema, textSchema, timestampSchema } from './common.js';

/** predicateType of a registration attestation. */
export const REGISTRATION_PREDICATE_TYPE = 'https://lineproof.dev/attestation/registration/v0.1' as const;

/** One intended use case of the registered model. */
export const registeredUseCaseSchema = z.strictObject({
  id: identifierSchema.meta({ description: "the use case's id, as the policy's useCases names it" }),
  description: proseSchema,
  riskTier: identifierSchema.meta({ description: "the risk tier registered for it (must equal the policy's)" }),
});

/** The registration predicate, v0.1. */
export const registrationPredicateSchema = z
  .strictObject({
    issuedAt: timestampSchema,
    attester: attesterSchema,
    model: z.strictObject({ name: textSchema, version: textSchema }),
    owner: textSchema.meta({ description: 'the identity accountable for the model' }),
    useCases: z.array(registeredUseCaseSchema).min(1).max(256),
    modelCard: z.strictObject({
      description: proseSchema,
      limitations: z.array(proseSchema).max(256),
      license: textSchema.meta({ description: 'an SPDX license identifier or expression, or a URI' }),
      contacts: z.array(textSchema).min(1).max(64),
    }),
  })
  .meta({
    title: 'Lineproof registration predicate v0.1',
    description: `predicate of an in-toto Statement with predicateType ${REGISTRATION_PREDICATE_TYPE}`,
  });

/** A registration predicate. */
export type RegistrationPredicate = z.infer<typeof registrationPredicateSchema>;
/** One registered use case. */
export type RegisteredUseCase = z.infer<typeof registeredUseCaseSchema>;

/** Rules beyond the schema (see the module doc). */
export function checkRegistrationRules(p: RegistrationPredicate): void {
  checkUnique(p.useCases, (u) => u.id, 'predicate.useCases', 'use case id');
  checkUnique(p.modelCard.contacts, (c) => c, 'predicate.modelCard.contacts', 'contact');
}
