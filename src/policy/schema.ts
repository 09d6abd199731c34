/**
 * The policy document (decisions §8): the trust root of chain verification.
 *
 * A policy is our own format, so it is strict: an unknown field fails. It names trusted keys (with
 * validity windows and status), identities that hold them, roles with thresholds, separation of
 * duties, required stages, per-risk-tier gates, allowed use cases, revocations and accepted
 * digest algorithms. Its digest, `sha256:` of the JCS bytes of the document, appears in every
 * report. Cross-references (identity -> key, role -> identity, use case -> tier) are checked by
 * {@link parsePolicy}.
 *
 * Rules the schema itself enforces (so a `baseModels` sub-policy, which reuses it, gets them too):
 * - every time field (`validFrom`, `validUntil`, `compromisedAt`, `effectiveAt`) is an RFC 3339
 *   date-time with `Z` or an offset, read by `src/time` (a real calendar date; no `Date.parse`);
 * - no map of names (`keys`, `identities`, `roles`, `riskTiers`, `useCases`) has a key named
 *   `__proto__`, `constructor` or `prototype` (zod drops `__proto__` from a record unseen;
 *   `constructor` is found on every object);
 * - a key revocation whose reason is `retired` or `superseded` has `effectiveAt`.
 */
import { z } from 'zod';
import { FINDING_SEVERITIES, METRIC_CATEGORIES } from '../statements/predicates/evaluation.js';
import { timestampSchema } from '../statements/predicates/common.js';

/** Roles of decisions §8. */
export const ROLES = [
  'data-steward',
  'trainer',
  'registrar',
  'evaluator',
  'approver',
  'deployer',
  'verifier',
  'revoker',
] as const;
export type Role = (typeof ROLES)[number];

/** Stages a policy can require, in chain order. */
const REQUIRABLE_STAGES = ['dataset', 'training', 'registration', 'evaluation', 'approval', 'promotion'] as const;

const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@:/+-]{0,127}$/, 'expected a name of letters, digits and ._@:/+- (1-128 characters)');
/** Every time in a policy: RFC 3339 with Z or an offset (the statements' own timestamp rule). */
const time = timestampSchema;

/**
 * Names that every JavaScript object answers to. As keys of a map in the policy they are refused:
 * zod drops `__proto__` from a record without a word, and a lookup that forgets `Object.hasOwn`
 * would find `constructor` on any object, so the policy could mean something else than it says.
 */
const RESERVED_NAMES: readonly string[] = ['__proto__', 'constructor', 'prototype'];

/**
 * A map of names (a zod record) that refuses {@link RESERVED_NAMES} as keys, with the key's path.
 * The check runs on the input, before the record schema (which would already have dropped
 * `__proto__`); the strict JSON parser keeps `__proto__` as an own property, so it is seen.
 */
function nameMap<R extends z.ZodType>(record: R) {
  return z.preprocess<unknown, R, z.input<R>>((input, ctx) => {
    if (typeof input === 'object' && input !== null && !Array.isArray(input)) {
      for (const k of Object.keys(input)) {
        if (RESERVED_NAMES.includes(k))
          ctx.addIssue({
            code: 'custom',
            path: [k],
            input: k,
            message: `${JSON.stringify(k)} is a reserved name (${RESERVED_NAMES.join(', ')} are properties of every JavaScript object)`,
          });
      }
    }
    return input;
  }, record);
}

const keySchema = z.strictObject({
  /** Ed25519 public key: 64 hex digits, or an SPKI PEM block. */
  publicKey: z.string().min(1),
  /** Only Ed25519 keys sign our attestations. */
  type: z.literal('ed25519').default('ed25519'),
  /** active: trusted; retired: trusted only for evidence issued inside [validFrom, validUntil); compromised: never trusted. */
  status: z.enum(['active', 'retired', 'compromised']).default('active'),
  validFrom: time.optional(),
  validUntil: time.optional(),
  /** When a compromise took effect (informative: a compromised key is rejected for every signature). */
  compromisedAt: time.optional(),
  description: z.string().optional(),
});

/**
 * A certificate identity (spec/policy.md): whoever holds a certificate from `authority` naming
 * `subject` among its subjectAltNames (email, URI or DNS name, compared exactly) and, when given,
 * `issuer` as its OIDC issuer extension (Fulcio's 1.3.6.1.4.1.57264.1.8, else .1.1).
 */
const certificateIdentitySchema = z.strictObject({
  /** A name in `certificateAuthorities`. */
  authority: name,
  subject: z.string().min(1).max(1024),
  issuer: z.string().min(1).max(1024).optional(),
});

const identitySchema = z
  .strictObject({
    /** Names of keys in `keys` held by this identity. */
    keys: z.array(name).min(1).optional(),
    /** Instead of keys: a certificate identity (short-lived CI certificates, a private CA). */
    certificate: certificateIdentitySchema.optional(),
    description: z.string().optional(),
  })
  .refine((i) => (i.keys === undefined) !== (i.certificate === undefined), {
    message: 'an identity holds either keys or a certificate identity (exactly one of them)',
  });

const roleSchema = z.strictObject({
  /** Identities allowed to act in this role. */
  identities: z.array(name).min(1),
  /** Distinct identities (each with a distinct key) needed for one attestation of this role. */
  threshold: z.number().int().min(1).default(1),
  /**
   * Signatures of this role count only with a trusted RFC 3161 timestamp (from `timestampAuthorities`);
   * key windows, certificate validity and retired/superseded revocations are then judged at the
   * token's time (TIMESTAMP_MISSING).
   */
  requireTimestamp: z.boolean().default(false),
});

/** PEM text of one or more CA certificates: the trust anchors of an authority. */
const pemCertificates = z
  .string()
  .min(1)
  .max(256 * 1024);

/** An authority that issues certificate identities. */
const certificateAuthoritySchema = z.discriminatedUnion('type', [
  /** A private CA: its root certificates (PEM); bundles carry the leaf and intermediates. */
  z.strictObject({ type: z.literal('x509'), certificates: pemCertificates, description: z.string().optional() }),
  /**
   * Sigstore (Fulcio certificates, Rekor entries): the trusted root the verifier is given
   * (`--trusted-root`), pinned by digest when `trustedRootDigest` is set.
   */
  z.strictObject({
    type: z.literal('sigstore'),
    trustedRootDigest: z
      .string()
      .regex(/^sha256:[0-9a-f]{64}$/)
      .optional(),
    description: z.string().optional(),
  }),
]);

/** An RFC 3161 timestamp authority: its root certificates (PEM). */
const timestampAuthoritySchema = z.strictObject({ certificates: pemCertificates, description: z.string().optional() });

const metricGateSchema = z
  .strictObject({
    /** Metric name as written by the evaluator (e.g. `accuracy`, `toxicity_rate`). */
    name: z.string().min(1),
    /** The metric must be >= min (for higher-is-better metrics). */
    min: z.number().optional(),
    /** The metric must be <= max (for lower-is-better metrics). */
    max: z.number().optional(),
  })
  .refine((g) => g.min !== undefined || g.max !== undefined, 'a metric gate needs min or max');

/** The most findings of each severity a tier accepts in one category (an absent severity is not capped). */
const findingCapSchema = z
  .strictObject(
    Object.fromEntries(FINDING_SEVERITIES.map((s) => [s, z.number().int().min(0).optional()])) as Record<
      (typeof FINDING_SEVERITIES)[number],
      z.ZodOptional<z.ZodNumber>
    >,
  )
  .refine((c) => Object.values(c).some((v) => v !== undefined), 'a findings cap needs at least one severity');

const tierSchema = z.strictObject({
  /** Evaluation categories that must each be covered by a passing evaluation. */
  requiredEvaluationCategories: z.array(z.enum(METRIC_CATEGORIES)).default([]),
  /** Thresholds that override those the evaluator declared. */
  metricGates: z.array(metricGateSchema).default([]),
  /**
   * Caps on findings per category and severity (evaluation v0.2), e.g. `{"red-teaming":
   * {"critical": 0, "high": 2}}`: every relied-on evaluation's findings in the category stay within
   * them (FINDINGS_CAP_EXCEEDED), and at least one reports findings in it (FINDINGS_MISSING).
   */
  findingCaps: z.partialRecord(z.enum(METRIC_CATEGORIES), findingCapSchema).default({}),
  /** Whether an evaluation result of WARNED passes for this tier. */
  allowWarned: z.boolean().default(false),
  /** Distinct approver identities (and keys) needed. */
  approvers: z.number().int().min(1).default(1),
  /** Longest an approval stays valid after its issuedAt, in days (whatever its own `expires`). */
  maxApprovalAgeDays: z.number().positive().max(3660),
  /** Order of tiers, higher is stricter (decisions §13): `verify --min-tier` accepts this tier or a higher rank. */
  rank: z.number().int().min(0).max(1000).optional(),
  /** Evaluation data must differ (by digest) from the data the evaluated training used. */
  distinctEvaluationData: z.boolean().default(false),
  description: z.string().optional(),
});

const useCaseSchema = z.strictObject({
  riskTier: name,
  description: z.string().optional(),
});

/**
 * Reasons of a key revocation that describe a rotation rather than a compromise: what they mean
 * depends on when the key stopped being used, so `effectiveAt` is required with them. `reason` is
 * otherwise free text.
 */
const KEY_REVOCATION_REASONS_WITH_TIME: readonly string[] = ['retired', 'superseded'];

/** One revocation entry, as the policy's `revocations` and a signed revocation list's `entries` hold it. */
export const revocationSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('payload'),
    digest: z.string(),
    reason: z.string().min(1),
    effectiveAt: time.optional(),
  }),
  z.strictObject({
    kind: z.literal('model'),
    digest: z.string(),
    reason: z.string().min(1),
    effectiveAt: time.optional(),
  }),
  z.strictObject({
    kind: z.literal('dataset'),
    digest: z.string(),
    reason: z.string().min(1),
    effectiveAt: time.optional(),
  }),
  z
    .strictObject({ kind: z.literal('key'), key: name, reason: z.string().min(1), effectiveAt: time.optional() })
    .refine((r) => r.effectiveAt !== undefined || !KEY_REVOCATION_REASONS_WITH_TIME.includes(r.reason), {
      path: ['effectiveAt'],
      message: `a key revocation with reason ${KEY_REVOCATION_REASONS_WITH_TIME.join(' or ')} needs effectiveAt (when the key stopped being used)`,
    }),
]);

const pinnedBaseModelSchema = z.strictObject({
  name: z.string().optional(),
  /** `sha256:<hex>` (or another accepted algorithm) of the base model's subject digest. */
  digest: z.string(),
});

/** A base-model entry: a pinned digest, or a sub-policy for the base model's own chain. */
export type BaseModelsSpec = {
  pinned?: Array<z.infer<typeof pinnedBaseModelSchema>>;
  policy?: PolicyInput;
  useCase?: string;
};

const baseModelsSchema: z.ZodType<BaseModelsSpec> = z.lazy(() =>
  z.strictObject({
    pinned: z.array(pinnedBaseModelSchema).optional(),
    /** A policy the base model's own chain must verify against. */
    policy: policySchema.optional(),
    /** The use case the base model's chain is verified for (default: any). */
    useCase: z.string().optional(),
  }),
) as z.ZodType<BaseModelsSpec>;

/** The policy document's zod schema. */
export const policySchema = z.strictObject({
  $schema: z.string().optional(),
  /** A URI naming this policy. */
  id: z.string().regex(/^[a-z][a-z0-9+.-]*:\S+$/i, 'expected a URI'),
  /** Increases with every change; verifiers may require a minimum (no rollback). */
  version: z.number().int().min(1),
  description: z.string().optional(),
  keys: nameMap(z.record(name, keySchema)),
  identities: nameMap(z.record(name, identitySchema)),
  /** Authorities of certificate identities, by name. */
  certificateAuthorities: nameMap(z.record(name, certificateAuthoritySchema)).optional(),
  /** RFC 3161 timestamp authorities whose tokens give trusted time, by name. */
  timestampAuthorities: nameMap(z.record(name, timestampAuthoritySchema)).optional(),
  roles: nameMap(z.partialRecord(z.enum(ROLES), roleSchema)),
  separationOfDuties: z
    .strictObject({
      /** Pairs [a, b]: an identity that signed a stage of role a cannot count toward role b. */
      pairs: z.array(z.tuple([z.enum(ROLES), z.enum(ROLES)])),
    })
    .default({
      pairs: [
        ['trainer', 'approver'],
        ['evaluator', 'approver'],
      ],
    }),
  requiredStages: z.array(z.enum(REQUIRABLE_STAGES)).default(['dataset', 'training', 'evaluation', 'approval']),
  /**
   * Registration before approval (decisions §13): an approval must refer to a trusted registration
   * of the model (approval v0.2) that registers its use case with the policy's tier for it
   * (MODEL_NOT_REGISTERED, USE_CASE_NOT_REGISTERED, REGISTRATION_TIER_MISMATCH).
   */
  requireRegistration: z.boolean().default(false),
  riskTiers: nameMap(z.record(name, tierSchema)),
  useCases: nameMap(z.record(name, useCaseSchema)),
  revocations: z.array(revocationSchema).default([]),
  /** Digest algorithms accepted when matching subjects (decisions §3). */
  digestAlgorithms: z.array(z.string()).min(1).default(['sha256']),
  /** Required hashing configuration for manifests (e.g. a chunk-tree leaf size). */
  hashing: z
    .strictObject({
      algorithms: z.array(z.string()).min(1).optional(),
      treeLeafBytes: z.number().int().optional(),
    })
    .optional(),
  baseModels: baseModelsSchema.optional(),
  /**
   * Signed revocation lists (decisions §13): when set, verification needs a valid list no older
   * than `maxAgeDays` and not expired (REVOCATIONS_MISSING, REVOCATIONS_STALE, REVOCATIONS_EXPIRED).
   */
  revocationLists: z.strictObject({ maxAgeDays: z.number().positive().max(3660) }).optional(),
  /**
   * Who may sign this policy and its next version (decisions §13): names of keys in `keys` and
   * how many distinct ones must sign. Required for a policy that travels signed.
   */
  admins: z
    .strictObject({
      keys: z.array(name).min(1).max(64),
      threshold: z.number().int().min(1),
    })
    .optional(),
});

/** A policy as written (before defaults). */
export type PolicyInput = z.input<typeof policySchema>;
/** A policy with defaults filled in. */
export type PolicyDocument = z.output<typeof policySchema>;
export type PolicyKey = z.output<typeof keySchema>;
export type RiskTier = z.output<typeof tierSchema>;
export type Revocation = z.output<typeof revocationSchema>;
export type CertificateIdentitySpec = z.output<typeof certificateIdentitySchema>;
export type CertificateAuthoritySpec = z.output<typeof certificateAuthoritySchema>;
