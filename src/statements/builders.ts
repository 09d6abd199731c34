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
 *
 * The data fields of each builder are zod schemas (src/statements/inputs.ts), from which the input
 * types are derived; the builders live in build-provenance.ts (dataset, training) and
 * build-decisions.ts (evaluation, approval, promotion, revocation), their shared normalisation in
 * build-common.ts. This module is the one place to import them from.
 * @module
 */
export {
  referenceTo,
  toDigestSet,
  type BuilderBase,
  type DigestInput,
  type PayloadInput,
  type StatementManifestInput,
  type StatementOf,
  type TimeInput,
} from './build-common.js';
export {
  buildDatasetStatement,
  buildTrainingStatement,
  type DatasetStatementInput,
  type TrainingStatementInput,
} from './build-provenance.js';
export {
  buildApprovalStatement,
  buildEvaluationStatement,
  buildPromotionStatement,
  buildRegistrationStatement,
  buildRevocationStatement,
  type RegistrationStatementInput,
  type ApprovalStatementInput,
  type EvaluationStatementInput,
  type PromotionStatementInput,
  type RevocationStatementInput,
} from './build-decisions.js';
export {
  BUILDER_FIELDS,
  approvalFieldsSchema,
  artifactInputSchema,
  datasetFieldsSchema,
  evaluationFieldsSchema,
  parseBuilderFields,
  promotionFieldsSchema,
  registrationFieldsSchema,
  revocationFieldsSchema,
  subjectInputSchema,
  trainingFieldsSchema,
  unknownField,
  type ApprovalFields,
  type ArtifactInput,
  type DatasetFields,
  type EvaluationFields,
  type PromotionFields,
  type RegistrationFields,
  type RevocationFields,
  type SubjectInput,
  type TrainingFields,
  type UnknownField,
} from './inputs.js';
