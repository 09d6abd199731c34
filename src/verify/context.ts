/**
 * What the steps of chain verification share (spec/verification.md): the verification's context
 * and the small helpers every step uses to name things in the report.
 */
import { matchDigestSets, type DigestSet } from '../digest/index.js';
import type { Limits } from '../limits.js';
import type { Policy } from '../policy/policy.js';
import type { ReportBuilder } from '../report/index.js';
import type { ParsedAttestationPayload } from '../statements/predicates/index.js';
import { parseTimestamp } from '../time/index.js';
import type { Revoked } from './revocations.js';
import { ROLE_OF_STAGE } from '../policy/roles.js';

/** Seconds of clock skew tolerated before evidence counts as "from the future" (decisions §7). */
export const FUTURE_SKEW_SECONDS = 300;

export const NS_PER_S = 1_000_000_000n;

/** The role that must sign each stage (its home: src/policy/roles.ts). */
export { ROLE_OF_STAGE };

/** A policy's risk tier, as `Policy.tierOf` gives it. */
export type Tier = ReturnType<Policy['tierOf']>;

/** Step 1's outcome: what one level of verification is about, and its report. */
export interface LevelContext {
  policy: Policy;
  limits: Limits;
  report: ReportBuilder;
  artifact: DigestSet;
  /** The policy's accepted digest algorithms. */
  accepted: readonly string[];
  asOfNanos: bigint;
  asOfText: string;
  subjectName: string;
  /** The use case asked for; undefined with `{ any: true }` or when missing. */
  useCase: string | undefined;
  /** `{ any: true }`: any allowed use case. */
  anyUseCase: boolean;
  /** The use case's tier (undefined for any use case, or a use case the policy does not allow). */
  tier: Tier;
  /** What the caller requires beyond the use case (verify --stage, --environment, --min-tier). */
  require: Requirements;
}

/** The caller's further requirements, checked against the policy at step 1. */
export interface Requirements {
  /** The approval must be for this stage. */
  stage?: 'staging' | 'production';
  /** The chain must hold a trusted promotion to this environment. */
  environment?: string;
  /** The approval's use case must be of a tier ranked at least this one's. */
  minTier?: { name: string; rank: number };
}

/** A base model whose own chain must verify against the baseModels sub-policy (step 10). */
export interface QueuedBaseModel {
  digest: DigestSet;
  /** The training that depends on it, as named in the report. */
  from: string;
}

/** What steps 8–11 need, for one anchor approval. */
export interface ChainContext {
  policy: Policy;
  artifact: DigestSet;
  accepted: readonly string[];
  asOfNanos: bigint;
  limits: Limits;
  revoked: Revoked;
  subjectName: string;
  tier: Tier;
  /** Payload digests the chain uses (the rest of the bundle is listed in step 12). */
  used: Set<string>;
  /** Base models whose own chains must verify against the baseModels sub-policy. */
  baseModelQueue: QueuedBaseModel[];
  /** verify --environment: a trusted promotion to it must be linked. */
  environment?: string;
  /** Set by step 8: how the anchor depends on a linked attestation (stage and digest, up to the anchor). */
  pathToAnchor?: (digest: string) => string;
}

/** Nanoseconds since the epoch of RFC 3339 text (already validated by the parser). */
export function nanos(text: string): bigint {
  return parseTimestamp(text).epochNanos;
}

/** Whether one of the statement's subjects is the artifact (decisions §3 rule). */
export function subjectMatches(
  parsed: ParsedAttestationPayload,
  artifact: DigestSet,
  accepted: readonly string[],
): boolean {
  return parsed.statement.subject.some((s) => matchDigestSets(s.digest, artifact, accepted).match);
}
