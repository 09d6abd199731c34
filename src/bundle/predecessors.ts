/**
 * Predecessor discovery: which attestations of a bundle a new attestation may rely on — the ones
 * a `--ref` names, or the ones found by stage and subject — and which of them the policy would
 * count (a signature by a key of the stage's role that stands at the attestation's `issuedAt`:
 * {@link keyStanding}, the verifier's own answer, so validity windows and revocations apply).
 *
 * Every function returns a result; none throws on bundle content or on reference text. Nothing
 * here authenticates a chain: `verifyChain` does.
 * @module
 */
import { matchDigestSets, type DigestSet } from '../digest/index.js';
import type { ErrorCode } from '../errors.js';
import { strictEd25519Verifier } from '../keys/ed25519.js';
import type { SignatureVerifier } from '../keys/types.js';
import { keyStanding } from '../policy/key-standing.js';
import type { Policy } from '../policy/policy.js';
import { ROLE_OF_STAGE } from '../policy/roles.js';
import { STAGES, type Stage } from '../statements/predicates/common.js';
import type { ParsedAttestationPayload } from '../statements/predicates/index.js';
import { resolveSignatures, type BundleAttestation, type BundleIndex, type ResolvedSignature } from './lookup.js';

/** An attestation of one stage, as the index gives it. */
export type AttestationOf<S extends Stage> = BundleAttestation & {
  attestation: Extract<ParsedAttestationPayload, { stage: S }>;
};

/** What lookups consult: the index, and the policy with the signatures resolved against its keys. */
export interface PredecessorContext {
  index: BundleIndex;
  /** Without a policy every attestation of the right stage is a candidate. */
  policy: Policy | undefined;
  /** Each attestation's signatures resolved against the policy keys, by payload digest. */
  signatures: ReadonlyMap<string, readonly ResolvedSignature[]>;
  /** Digest algorithms accepted when matching subjects (the policy's, or sha256). */
  accepted: readonly string[];
}

/**
 * The context for lookups in `index`: with a policy, every attestation's signatures are resolved
 * against its keys (each signature against every key).
 * @param index the indexed bundle
 * @param policy the policy, or undefined
 * @param verifier signature verifier (default: strict Ed25519 of the core)
 * @returns the context
 */
export async function predecessorContext(
  index: BundleIndex,
  policy: Policy | undefined,
  verifier: SignatureVerifier = strictEd25519Verifier,
): Promise<PredecessorContext> {
  const signatures = new Map<string, ResolvedSignature[]>();
  if (policy) {
    for (const a of index.attestations)
      signatures.set(a.entry.payloadDigest, await resolveSignatures(a.entry.envelope, policy.keys, verifier));
  }
  return { index, policy, signatures, accepted: policy?.document.digestAlgorithms ?? ['sha256'] };
}

/** A predecessor: its payload digest, its stage (when known), and its payload bytes when in the bundle. */
export interface Predecessor {
  digest: string;
  stage: Stage | undefined;
  payload?: Uint8Array;
  /** The attestation, when it is in the bundle. */
  found?: BundleAttestation;
}

/** The predecessor of an attestation found in the bundle. */
export function predecessorOf(a: BundleAttestation): Predecessor {
  return { digest: a.entry.payloadDigest, stage: a.attestation.stage, payload: a.entry.envelope.payload, found: a };
}

/** The builder input of a predecessor: its payload bytes (stage re-checked by the builder) or its digest. */
export function payloadInput(p: Predecessor): Uint8Array | string {
  return p.payload ?? p.digest;
}

/**
 * True when a policy key of the stage's role that stands at the attestation's claimed `issuedAt`
 * signed it (always true without a policy).
 */
export function trustedForStage(ctx: PredecessorContext, a: BundleAttestation): boolean {
  const policy = ctx.policy;
  if (!policy) return true;
  const role = ROLE_OF_STAGE[a.attestation.stage];
  return (ctx.signatures.get(a.entry.payloadDigest) ?? []).some(
    (s) => s.key !== undefined && keyStanding(policy, s.key, { role, at: a.attestation.issuedAt }).counts,
  );
}

/** Is the attestation about this subject (decisions §3 matching)? */
export function isAbout(ctx: PredecessorContext, a: BundleAttestation, subject: DigestSet): boolean {
  return a.attestation.statement.subject.some((s) => matchDigestSets(s.digest, subject, ctx.accepted).match);
}

/** The attestations of a stage that count (see {@link trustedForStage}) and pass `filter`. */
export function candidates<S extends Stage>(
  ctx: PredecessorContext,
  stage: S,
  filter: (a: AttestationOf<S>) => boolean = () => true,
): Array<AttestationOf<S>> {
  return ctx.index.ofStage(stage).filter((a) => trustedForStage(ctx, a) && filter(a));
}

/** One predecessor, or why there is not exactly one. */
export type OneResult =
  | { ok: true; predecessor: Predecessor }
  | { ok: false; code: 'PREDECESSOR_NOT_FOUND'; candidates: [] }
  | { ok: false; code: 'PREDECESSOR_AMBIGUOUS'; candidates: BundleAttestation[] };

/** Exactly one of `found`, or PREDECESSOR_NOT_FOUND / PREDECESSOR_AMBIGUOUS with the candidates. */
export function exactlyOne(found: readonly BundleAttestation[]): OneResult {
  if (found.length === 0) return { ok: false, code: 'PREDECESSOR_NOT_FOUND', candidates: [] };
  if (found.length > 1) return { ok: false, code: 'PREDECESSOR_AMBIGUOUS', candidates: [...found] };
  return { ok: true, predecessor: predecessorOf(found[0]!) };
}

/** The dataset attestations no other counted dataset attestation of the bundle derives from. */
export function leafDatasets(ctx: PredecessorContext): Array<AttestationOf<'dataset'>> {
  return candidates(ctx, 'dataset', (a) =>
    ctx.index
      .referrers(a.entry.payloadDigest)
      .every((r) => r.from.attestation.stage !== 'dataset' || !trustedForStage(ctx, r.from)),
  );
}

/** The training attestations whose subject is `subject`. */
export function trainingsOf(ctx: PredecessorContext, subject: DigestSet): Array<AttestationOf<'training'>> {
  return candidates(ctx, 'training', (a) => isAbout(ctx, a, subject));
}

/** The evaluations of `subject` relied on by an approval, or why they cannot be chosen. */
export type EvaluationsResult =
  | { ok: true; evaluations: Predecessor[] }
  | { ok: false; code: 'PREDECESSOR_NOT_FOUND'; candidates: [] }
  /** Two or more evaluations of one suite and version: the first such group. */
  | { ok: false; code: 'PREDECESSOR_AMBIGUOUS'; candidates: BundleAttestation[] };

/**
 * The evaluations of `subject` that refer to the training `trainingDigest`, at most one per suite
 * and version.
 */
export function evaluationsOf(ctx: PredecessorContext, subject: DigestSet, trainingDigest: string): EvaluationsResult {
  const found = candidates(
    ctx,
    'evaluation',
    (a) =>
      isAbout(ctx, a, subject) &&
      a.attestation.references.some((r) => r.role === 'training' && r.digest === trainingDigest),
  );
  if (found.length === 0) return { ok: false, code: 'PREDECESSOR_NOT_FOUND', candidates: [] };
  const bySuite = new Map<string, typeof found>();
  for (const f of found) {
    const k = `${f.attestation.predicate.suite.name}@${f.attestation.predicate.suite.version}`;
    bySuite.set(k, [...(bySuite.get(k) ?? []), f]);
  }
  const clash = [...bySuite.values()].find((g) => g.length > 1);
  if (clash) return { ok: false, code: 'PREDECESSOR_AMBIGUOUS', candidates: clash };
  return { ok: true, evaluations: found.map(predecessorOf) };
}

/** The training that evaluations in the bundle rely on, or the several they disagree on. */
export type TrainingOfEvaluationsResult =
  { ok: true; training: Predecessor } | { ok: false; code: 'CHAIN_INCONSISTENT'; trainings: string[] };

/**
 * The one training the evaluations (each found in the bundle) refer to; undefined when some
 * evaluation is not in the bundle or none is given.
 */
export function trainingOfEvaluations(
  ctx: PredecessorContext,
  evaluations: readonly Predecessor[],
): TrainingOfEvaluationsResult | undefined {
  if (evaluations.length === 0 || !evaluations.every((e) => e.found)) return undefined;
  const trainings = [
    ...new Set(
      evaluations.flatMap((e) => e.found!.attestation.references.filter((r) => r.role === 'training')[0]?.digest ?? []),
    ),
  ];
  if (trainings.length !== 1) return { ok: false, code: 'CHAIN_INCONSISTENT', trainings };
  const t = ctx.index.get(trainings[0]!);
  return { ok: true, training: t ? predecessorOf(t) : { digest: trainings[0]!, stage: 'training' } };
}

/** The registrations of `subject` (signed by registrars, with a policy). */
export function registrationsOf(ctx: PredecessorContext, subject: DigestSet): Array<AttestationOf<'registration'>> {
  return candidates(ctx, 'registration', (a) => isAbout(ctx, a, subject));
}

/** The APPROVED approvals of `subject` (of deployment stage `stage`, when given). */
export function approvalsOf(
  ctx: PredecessorContext,
  subject: DigestSet,
  stage: string | undefined,
): Array<AttestationOf<'approval'>> {
  return candidates(
    ctx,
    'approval',
    (a) =>
      isAbout(ctx, a, subject) &&
      a.attestation.predicate.decision === 'APPROVED' &&
      (stage === undefined || a.attestation.predicate.stage === stage),
  );
}

/** What a reference text resolves to. */
export type ReferenceResult =
  /** Found in the bundle; `trusted` as {@link trustedForStage}. */
  | { ok: true; predecessor: Predecessor & { found: BundleAttestation }; trusted: boolean }
  /** `STAGE=sha256:<hex>` of an attestation kept elsewhere (stage undefined: `attestation=`). */
  | { ok: true; predecessor: Predecessor; trusted: undefined }
  /** Neither `sha256:<64 hex>` nor `STAGE=sha256:<64 hex>`. */
  | { ok: false; code: 'INVALID_ARGUMENT'; problem: 'syntax' }
  /** `NAME=` names no stage. */
  | { ok: false; code: 'INVALID_ARGUMENT'; problem: 'stage'; named: string }
  /** The bundle holds it as an attestation of another stage than named. */
  | { ok: false; code: 'REFERENCE_STAGE_MISMATCH'; named: string; actual: Stage }
  /** The bundle's envelope with this payload is not a lifecycle attestation. */
  | { ok: false; code: 'REFERENCE_INVALID'; digest: string; lines: number[]; why: ErrorCode }
  /** Not in the bundle, and no stage named. */
  | { ok: false; code: 'REFERENCE_UNRESOLVED'; digest: string };

/**
 * Resolve a reference: `sha256:<hex>` (looked up in the bundle) or `STAGE=sha256:<hex>` (checked
 * against the bundle when there, else taken as an attestation kept elsewhere).
 * @param ctx the lookup context
 * @param text the reference as given
 * @param allowAttestation accept `attestation=sha256:<hex>` (a revocation's target of any stage)
 * @returns the predecessor, or why not
 */
export function resolveReference(ctx: PredecessorContext, text: string, allowAttestation = false): ReferenceResult {
  const m = /^(?:([a-z-]+)=)?sha256:([0-9a-fA-F]{64})$/.exec(text);
  if (!m) return { ok: false, code: 'INVALID_ARGUMENT', problem: 'syntax' };
  const named = m[1];
  if (
    named !== undefined &&
    !(STAGES as readonly string[]).includes(named) &&
    !(allowAttestation && named === 'attestation')
  )
    return { ok: false, code: 'INVALID_ARGUMENT', problem: 'stage', named };
  const digest = `sha256:${m[2]!.toLowerCase()}`;
  const found = ctx.index.get(digest);
  if (found) {
    if (named !== undefined && named !== 'attestation' && named !== found.attestation.stage)
      return { ok: false, code: 'REFERENCE_STAGE_MISMATCH', named, actual: found.attestation.stage };
    return { ok: true, predecessor: { ...predecessorOf(found), found }, trusted: trustedForStage(ctx, found) };
  }
  const other = ctx.index.others.find((o) => o.entry.payloadDigest === digest);
  if (other) return { ok: false, code: 'REFERENCE_INVALID', digest, lines: other.entry.lines, why: other.code };
  if (named === undefined) return { ok: false, code: 'REFERENCE_UNRESOLVED', digest };
  return {
    ok: true,
    predecessor: { digest, stage: named === 'attestation' ? undefined : (named as Stage) },
    trusted: undefined,
  };
}
