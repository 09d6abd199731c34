/**
 * Finding attestations in a bundle: an index by payload digest with the lineage edges, for
 * tools that add to a chain (`lineproof attest` looks up predecessors, `lineproof inspect` draws
 * the tree) — and which signatures are by which policy key.
 *
 * Nothing here authenticates: an index holds what the bundle says, signed or not. Chain
 * verification (`verifyChain`) is what decides trust; {@link resolveSignatures} tells which
 * signatures verify under which policy key, for display and for choosing only trusted predecessors.
 * @module
 */
import type { DecodedEnvelope } from '../dsse/envelope.js';
import { pae } from '../dsse/pae.js';
import type { ErrorCode } from '../errors.js';
import { LineproofError } from '../errors.js';
import { strictEd25519Verifier } from '../keys/ed25519.js';
import type { SignatureVerifier } from '../keys/types.js';
import type { Limits } from '../limits.js';
import type { ResolvedKey } from '../policy/policy.js';
import {
  parseAttestationPayload,
  type ParsedAttestationPayload,
  type StatementReference,
} from '../statements/predicates/index.js';
import type { Stage } from '../statements/predicates/common.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../statements/statement.js';
import type { Bundle, BundleEntry } from './jsonl.js';

/** A lifecycle attestation read from a bundle (parsed, not authenticated). */
export interface BundleAttestation {
  /** The bundle entry: envelope (signatures of all its lines merged) and line numbers. */
  entry: BundleEntry;
  /** The parsed payload: stage, predicate, issuedAt, attester, payloadDigest, references. */
  attestation: ParsedAttestationPayload;
}

/** An envelope of the bundle whose payload is not a lifecycle attestation Lineproof reads. */
export interface OtherEnvelope {
  entry: BundleEntry;
  /** Why: PREDICATE_TYPE_UNKNOWN, PREDICATE_INVALID, STATEMENT_INVALID, JSON_*, DSSE_PAYLOAD_TYPE_MISMATCH... */
  code: ErrorCode;
  message: string;
}

/** A reference from one attestation of the bundle to another payload digest. */
export interface Referrer {
  from: BundleAttestation;
  reference: StatementReference;
}

/** The index built by {@link indexBundle}. */
export interface BundleIndex {
  /** The bundle indexed (its `errors` are the unreadable lines). */
  bundle: Bundle;
  /** Every lifecycle attestation, in the order first read. */
  attestations: BundleAttestation[];
  /** Envelopes that are not lifecycle attestations. */
  others: OtherEnvelope[];
  /** The attestation with this payload digest (`sha256:<hex>`). */
  get(payloadDigest: string): BundleAttestation | undefined;
  /** The attestations of one stage. */
  ofStage<S extends Stage>(
    stage: S,
  ): Array<BundleAttestation & { attestation: Extract<ParsedAttestationPayload, { stage: S }> }>;
  /** Who refers to this payload digest, and how. */
  referrers(payloadDigest: string): Referrer[];
}

/** Options for {@link indexBundle}. */
export interface IndexBundleOptions {
  limits?: Partial<Limits>;
}

/**
 * Index a bundle: parse each envelope's payload as a lifecycle attestation (strict JSON, Statement,
 * predicate) and record the references between them. Never throws for bundle content: payloads
 * that are not lifecycle attestations are listed in `others` with their code.
 * @param bundle a bundle from `readBundle`
 * @param options limits
 * @returns the index
 * @example
 * ```ts
 * const index = indexBundle(readBundle(text));
 * const trainings = index.ofStage('training');
 * index.referrers(trainings[0].attestation.payloadDigest); // evaluations, approvals of it
 * ```
 */
export function indexBundle(bundle: Bundle, options: IndexBundleOptions = {}): BundleIndex {
  const attestations: BundleAttestation[] = [];
  const others: OtherEnvelope[] = [];
  const byDigest = new Map<string, BundleAttestation>();
  const referrers = new Map<string, Referrer[]>();
  for (const entry of bundle.entries) {
    if (entry.envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
      others.push({
        entry,
        code: 'DSSE_PAYLOAD_TYPE_MISMATCH',
        message: `payloadType ${JSON.stringify(entry.envelope.payloadType.slice(0, 100))} is not ${IN_TOTO_PAYLOAD_TYPE}`,
      });
      continue;
    }
    let attestation: ParsedAttestationPayload;
    try {
      attestation = parseAttestationPayload(entry.envelope.payload, options.limits ? { limits: options.limits } : {});
    } catch (e) {
      others.push({ entry, code: e instanceof LineproofError ? e.code : 'INTERNAL', message: (e as Error).message });
      continue;
    }
    const a: BundleAttestation = { entry, attestation };
    attestations.push(a);
    byDigest.set(entry.payloadDigest, a);
  }
  for (const a of attestations) {
    for (const reference of a.attestation.references) {
      const list = referrers.get(reference.digest) ?? [];
      list.push({ from: a, reference });
      referrers.set(reference.digest, list);
    }
  }
  return {
    bundle,
    attestations,
    others,
    get: (d) => byDigest.get(d),
    ofStage: <S extends Stage>(stage: S) =>
      attestations.filter((a) => a.attestation.stage === stage) as Array<
        BundleAttestation & { attestation: Extract<ParsedAttestationPayload, { stage: S }> }
      >,
    referrers: (d) => referrers.get(d) ?? [],
  };
}

/** One signature of an envelope and the policy key it verifies under, if any. */
export interface ResolvedSignature {
  /** Index in the (merged) envelope's signatures. */
  index: number;
  /** The keyid hint as written (never used to pick a key). */
  keyid: string | undefined;
  /** The policy key whose public key verifies this signature; undefined when none does. */
  key: ResolvedKey | undefined;
}

/**
 * Which policy key, if any, verifies each signature of an envelope: every signature is tried
 * against every key (decisions §4: keyids are hints only), over PAE of the exact payload bytes.
 * @param envelope a decoded envelope (e.g. a bundle entry's, signatures merged)
 * @param keys the policy's keys (`policy.keys`)
 * @param verifier signature verifier (default: strict Ed25519 of the core)
 * @returns one entry per signature, in order
 * @example
 * ```ts
 * const sigs = await resolveSignatures(entry.envelope, policy.keys);
 * sigs.filter((s) => s.key).map((s) => s.key!.identity);
 * ```
 */
export async function resolveSignatures(
  envelope: DecodedEnvelope,
  keys: readonly ResolvedKey[],
  verifier: SignatureVerifier = strictEd25519Verifier,
): Promise<ResolvedSignature[]> {
  const message = pae(envelope.payloadType, envelope.payload);
  const out: ResolvedSignature[] = [];
  for (const [index, s] of envelope.signatures.entries()) {
    let key: ResolvedKey | undefined;
    for (const k of keys) {
      if ((await verifier.verify(s.sig, message, k.publicKey)).valid) {
        key = k;
        break;
      }
    }
    out.push({ index, keyid: s.keyid, key });
  }
  return out;
}
