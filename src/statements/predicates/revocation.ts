/**
 * Revocation predicate `https://lineproof.dev/attestation/revocation/v0.1`, signed by a revoker.
 * Subject: what is revoked, all of one `kind`:
 * - `attestation` — payload references (decisions §6): `{name: <stage>, digest: {sha256: sha256(payload
 *   bytes)}, mediaType: "application/vnd.in-toto+json"}`; revoking the payload revokes every
 *   envelope and signature over it.
 * - `key` — `{name?, digest: {sha256: <SPKI fingerprint>}}`: sha256 of the key's DER
 *   SubjectPublicKeyInfo (RFC 5280; for Ed25519, RFC 8410: `302a300506032b6570032100 || key`).
 * - `dataset` / `model` — the dataset or model digests (manifest or file digests).
 *
 * Fields (strict: an unknown field fails):
 * - `issuedAt`, `attester` — when and by whom (the revoker's claimed identity).
 * - `kind` — as above. `reason` — `compromised`, `retired`, `superseded`, `erroneous`, `legal`,
 *   `other`; `description` — free text. decisions §7: a key revoked as `compromised` is rejected for
 *   every signature whatever time it claims; a `retired` key still verifies evidence issued before
 *   `effectiveAt`.
 * - `effectiveAt` — from when the revocation applies.
 *
 * A revocation found in a bundle is honoured, but its absence proves nothing (bundle lines can be
 * deleted): revocations that must hold come from the policy or a signed revocation list (decisions §8).
 *
 * Rules beyond the schema (PREDICATE_SUBJECT_MISMATCH): for `attestation`, every subject is a
 * payload reference (mediaType `application/vnd.in-toto+json` and a sha256); for `key`, every subject
 * has a sha256; for `dataset` and `model`, no subject has the in-toto mediaType.
 * @module
 */
import { z } from 'zod';
import { IN_TOTO_PAYLOAD_TYPE } from '../statement.js';
import { attesterSchema, predicateError, proseSchema, timestampSchema } from './common.js';

/** predicateType of a revocation attestation. */
export const REVOCATION_PREDICATE_TYPE = 'https://lineproof.dev/attestation/revocation/v0.1' as const;

/** What a revocation can revoke. */
export const REVOCATION_KINDS = ['attestation', 'key', 'dataset', 'model'] as const;
/** Why. */
export const REVOCATION_REASONS = ['compromised', 'retired', 'superseded', 'erroneous', 'legal', 'other'] as const;

/** The revocation predicate, v0.1. */
export const revocationPredicateSchema = z
  .strictObject({
    issuedAt: timestampSchema,
    attester: attesterSchema,
    kind: z.enum(REVOCATION_KINDS),
    reason: z.enum(REVOCATION_REASONS),
    description: proseSchema,
    effectiveAt: timestampSchema,
  })
  .meta({
    title: 'Lineproof revocation predicate v0.1',
    description: `predicate of an in-toto Statement with predicateType ${REVOCATION_PREDICATE_TYPE}; the subjects are what is revoked`,
  });

/** A revocation predicate. */
export type RevocationPredicate = z.infer<typeof revocationPredicateSchema>;
/** What a revocation revokes. */
export type RevocationKind = (typeof REVOCATION_KINDS)[number];
/** Why. */
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

/** Rules beyond the schema (see the module doc). */
export function checkRevocationRules(
  p: RevocationPredicate,
  subjects: ReadonlyArray<{ digest: Record<string, string>; mediaType?: string | undefined }>,
): void {
  subjects.forEach((s, i) => {
    const path = `subject[${i}]`;
    const isRef = s.mediaType === IN_TOTO_PAYLOAD_TYPE;
    if (p.kind === 'attestation' && (!isRef || s.digest.sha256 === undefined)) {
      predicateError(
        'PREDICATE_SUBJECT_MISMATCH',
        path,
        `a revocation of kind attestation revokes payload references (mediaType ${IN_TOTO_PAYLOAD_TYPE} and a sha256 digest)`,
        { expected: IN_TOTO_PAYLOAD_TYPE, actual: s.mediaType ?? 'no mediaType' },
      );
    }
    if (p.kind === 'key' && s.digest.sha256 === undefined) {
      predicateError(
        'PREDICATE_SUBJECT_MISMATCH',
        path,
        'a revocation of kind key names each key by the sha256 of its DER SubjectPublicKeyInfo',
      );
    }
    if ((p.kind === 'dataset' || p.kind === 'model') && isRef) {
      predicateError(
        'PREDICATE_SUBJECT_MISMATCH',
        path,
        `a revocation of kind ${p.kind} names ${p.kind} digests, not attestations (use kind attestation)`,
      );
    }
  });
}
