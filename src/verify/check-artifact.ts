/**
 * The load-time check for services (issue 14): before a model is loaded, hash the bytes the
 * service is about to load, verify their chain against the policy for the one use case the
 * service serves, and hand back what the approval grants — its runtime scope, the tier, when it
 * lapses — and who the registered model is. Zero-I/O like the rest of the core: bytes, an async
 * iterable or a web stream in (or a digest already computed, e.g. of a model directory's
 * manifest by `checkModelDirectory` in `lineproof/node`); no clock unless injected (`asOf`).
 *
 * Fails closed: `approval` and `model` are only given when the verdict is ok, so a caller cannot
 * act on the scope of a chain that did not verify; the report says why in every case.
 * @module
 */
import { readBundle } from '../bundle/jsonl.js';
import { digestSetFromText, digestText, type DigestSet } from '../digest/index.js';
import { hashSource } from '../hashing/stream.js';
import type { ByteSource, HashProgress } from '../hashing/types.js';
import type { Report } from '../report/index.js';
import type { ApprovalPredicate, RuntimeScope } from '../statements/predicates/approval.js';
import type { Policy } from '../policy/policy.js';
import { parseAttestationPayload, type ParsedAttestationPayload } from '../statements/predicates/index.js';
import { formatTimestamp, parseTimestamp } from '../time/index.js';
import { verifyChain, type VerifyChainInput } from './chain.js';

/** Inputs of {@link checkArtifact}: those of `verifyChain`, with the artifact itself instead of its digest. */
export interface CheckArtifactInput extends Omit<VerifyChainInput, 'subject' | 'useCase'> {
  /**
   * The bytes to be loaded (hashed with SHA-256 as they stream), or their digest already computed
   * (`sha256:<hex>` or a DigestSet; a model directory's manifest digest).
   */
  artifact: ByteSource | { digest: string | DigestSet };
  /** The use case the service serves: always one (decisions §8), never "any". */
  useCase: string;
  /** Progress while hashing the artifact's bytes. */
  onProgress?: (progress: HashProgress) => void;
  /** Stops hashing with ABORTED. */
  signal?: AbortSignal;
}

/** What the approval the verdict rests on grants (see {@link ArtifactCheck}). */
export interface GrantedApproval {
  /** `sha256:<hex>` of the approval's payload. */
  payloadDigest: string;
  useCase: string;
  /** The policy's risk tier of the use case. */
  tier: string;
  stage: 'staging' | 'production';
  notBefore: string;
  /** When it lapses: the earlier of its `expires` and its issuedAt plus the tier's maximum age. */
  expires: string;
  /** What the model may do in production; an empty list grants nothing. */
  runtimeScope: RuntimeScope;
  conditions: string[];
}

/** The outcome of {@link checkArtifact}. */
export interface ArtifactCheck {
  /** The verdict: load the model only when true. */
  ok: boolean;
  /** The full report (decisions §10), whatever the verdict. */
  report: Report;
  /** `sha256:<hex>` of the artifact as checked. */
  digest: string;
  /** The approval the verdict rests on — only when ok. */
  approval?: GrantedApproval;
  /** The registered model (the chain's registration), only when ok and the chain has one. */
  model?: { name: string; version: string; owner: string; payloadDigest: string };
}

const NS_PER_S = 1_000_000_000n;

/** The artifact's digest: given, or SHA-256 of its bytes. */
async function digestOf(input: CheckArtifactInput): Promise<DigestSet> {
  const a = input.artifact as unknown;
  if (typeof a === 'object' && a !== null && 'digest' in a && !(a instanceof Uint8Array)) {
    const d = a.digest;
    if (typeof d === 'string') return digestSetFromText(d, 'artifact.digest');
    if (typeof d === 'object' && d !== null) return d as DigestSet;
    throw new TypeError('"artifact.digest" expected sha256:<hex> text or a DigestSet');
  }
  const r = await hashSource(a as ByteSource, {
    what: 'artifact',
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  return { sha256: r.digests.sha256! };
}

/**
 * When an approval lapses: the earlier of its `expires` and its `issuedAt` plus the maximum age
 * of its use case's risk tier (the verifier's approval window, spec/verification.md).
 * @param policy the policy the approval is judged under
 * @param p the approval's predicate
 * @returns an RFC 3339 timestamp
 */
export function approvalLapsesAt(policy: Policy, p: ApprovalPredicate): string {
  const tier = policy.tierOf(p.useCase.id);
  const maxAge = BigInt(Math.round((tier?.tier.maxApprovalAgeDays ?? 0) * 86_400)) * NS_PER_S;
  const lapses = parseTimestamp(p.issuedAt).epochNanos + maxAge;
  const expires = parseTimestamp(p.expires).epochNanos;
  return expires <= lapses ? p.expires : formatTimestamp(Number(lapses / 1_000_000n));
}

/** The trusted payloads of the chain the verdict rests on, by payload digest. */
function linkedPayloads(input: CheckArtifactInput, digests: readonly string[]): Map<string, ParsedAttestationPayload> {
  const wanted = new Set(digests);
  const out = new Map<string, ParsedAttestationPayload>();
  for (const e of readBundle(input.bundle, input.limits ? { limits: input.limits } : {}).entries) {
    if (!wanted.has(e.payloadDigest)) continue;
    out.set(e.payloadDigest, parseAttestationPayload(e.envelope.payload, input.limits ? { limits: input.limits } : {}));
  }
  return out;
}

/**
 * Check an artifact before loading it: hash it (or take its digest), verify its chain for the
 * use case at `asOf`, and return the verdict with what the approval grants.
 * @param input see {@link CheckArtifactInput}; `asOf` is required (the core reads no clock)
 * @returns the verdict, the report and, only when ok, the approval (use case, tier, stage,
 *   validity, runtime scope) and the registered model
 * @throws {TypeError} misuse (as `verifyChain`: no loaded policy, a malformed `asOf`; no use case)
 * @throws {LineproofError} ABORTED when `signal` aborts hashing; a byte source's own errors
 * @example
 * ```ts
 * const check = await checkArtifact({ artifact: weightsBytes, bundle, policy, useCase: 'support-chat', asOf: new Date() });
 * if (!check.ok) throw new Error(check.report.checks.filter((c) => c.status === 'fail').map((c) => c.code).join());
 * if (!runtimeScopeAllows(check.approval!.runtimeScope, { tool: 'ticket-api:read' })) refuse();
 * ```
 */
export async function checkArtifact(input: CheckArtifactInput): Promise<ArtifactCheck> {
  if (!input || typeof input !== 'object') throw new TypeError('"input" expected an object');
  if (typeof input.useCase !== 'string' || input.useCase === '')
    throw new TypeError('"useCase" expected the use case the model is loaded for (the load-time check takes one)');
  const digest = await digestOf(input);
  const { artifact: _artifact, onProgress: _progress, signal: _signal, ...rest } = input;
  const { report, chain } = await verifyChain({ ...rest, subject: digest, useCase: input.useCase });
  const out: ArtifactCheck = { ok: report.ok, report, digest: digestText(digest) };
  if (!report.ok) return out;
  const approvalLink = chain.find((l) => l.stage === 'approval');
  const registrationLink = chain.find((l) => l.stage === 'registration');
  const payloads = linkedPayloads(
    input,
    [approvalLink?.payloadDigest, registrationLink?.payloadDigest].filter((d): d is string => d !== undefined),
  );
  const approval = approvalLink ? payloads.get(approvalLink.payloadDigest) : undefined;
  if (approval?.stage !== 'approval') {
    // A verified chain always has its approval: fail closed rather than grant nothing silently.
    return { ...out, ok: false };
  }
  const p = approval.predicate;
  const tier = input.policy.tierOf(p.useCase.id);
  out.approval = {
    payloadDigest: approval.payloadDigest,
    useCase: p.useCase.id,
    tier: tier?.name ?? p.riskTier,
    stage: p.stage,
    notBefore: p.notBefore,
    expires: approvalLapsesAt(input.policy, p),
    runtimeScope: {
      tools: [...p.runtimeScope.tools],
      dataClasses: [...p.runtimeScope.dataClasses],
      secretScopes: [...p.runtimeScope.secretScopes],
    },
    conditions: [...p.conditions],
  };
  const registration = registrationLink ? payloads.get(registrationLink.payloadDigest) : undefined;
  if (registration?.stage === 'registration') {
    const r = registration.predicate;
    out.model = {
      name: r.model.name,
      version: r.model.version,
      owner: r.owner,
      payloadDigest: registration.payloadDigest,
    };
  }
  return out;
}

/** One request against a runtime scope: a tool (or API) call, a data class read, a secret scope used. */
export type ScopeRequest = { tool: string } | { dataClass: string } | { secretScope: string };

/**
 * Whether the approved runtime scope grants a request. Identifiers are compared exactly — no case
 * folding, trimming, Unicode normalisation, prefix or wildcard matching — so a scope grants what
 * it names and nothing else; an empty list grants nothing.
 * @param scope the approval's runtime scope (from {@link checkArtifact})
 * @param request `{tool}`, `{dataClass}` or `{secretScope}`
 * @returns true only when the scope lists the identifier exactly
 * @example
 * ```ts
 * runtimeScopeAllows(scope, { tool: 'ticket-api:read' }); // true only if 'ticket-api:read' is listed
 * ```
 */
export function runtimeScopeAllows(scope: RuntimeScope, request: ScopeRequest): boolean {
  if (!scope || typeof scope !== 'object' || !request || typeof request !== 'object') return false;
  const [list, id] =
    'tool' in request
      ? [scope.tools, request.tool]
      : 'dataClass' in request
        ? [scope.dataClasses, request.dataClass]
        : 'secretScope' in request
          ? [scope.secretScopes, request.secretScope]
          : [undefined, undefined];
  if (!Array.isArray(list) || typeof id !== 'string') return false;
  return list.some((x) => x === id);
}
