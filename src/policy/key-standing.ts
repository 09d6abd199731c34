/**
 * Key standing (decisions §7, §13): whether a trusted key's signature counts on evidence that claims
 * a given `issuedAt`, for a role. One answer for the whole library: the verifier (chain links,
 * approvals, the revokers whose statements step 5 honours), `lineproof attest`'s check of its own
 * key and predecessor lookup (src/bundle/predecessors.ts) all ask {@link keyStanding}.
 *
 * - A key whose policy `status` is `compromised` never counts (KEY_COMPROMISED).
 * - A key revocation (the policy's `revocations`, or a trusted revocation statement of kind `key`)
 *   with reason `retired` or `superseded` rejects evidence issued at or after its `effectiveAt`
 *   (KEY_REVOKED); evidence issued before still counts. Without a readable `effectiveAt` there is
 *   no cut-off to honour, so every signature is rejected (fail closed).
 * - A key revocation with any other reason (`compromised`, `erroneous`, `legal`, `other`, or any
 *   text a policy writes) rejects every signature, whatever time the evidence claims
 *   (KEY_COMPROMISED): claimed times are self-asserted, so a thief could backdate.
 * - Otherwise the key's validity window: not before `validFrom`, not at or after `validUntil`
 *   (KEY_OUTSIDE_VALIDITY).
 * - The role: the key's identity holds it (`inRole`); a key out of its role is not rejected, it
 *   just does not count for that role (verification reports SIGNER_NOT_IN_ROLE itself).
 * @module
 */
import type { ErrorCode } from '../errors.js';
import type { Policy, ResolvedKey } from './policy.js';
import type { Role } from './schema.js';
import { formatTimestamp, parseTimestamp } from '../time/index.js';

/** Key revocation reasons that end a key's use at `effectiveAt` only (rotation, decisions §13). */
export const TIME_BOUNDED_KEY_REASONS: readonly string[] = Object.freeze(['retired', 'superseded']);

/** One revocation of a key, from the policy or a trusted revocation statement. */
export interface KeyRevocation {
  reason: string;
  /** `effectiveAt` as written, when given. */
  effectiveAt?: string;
  /** Where it comes from: `policy`, or `revocation sha256:…`. */
  source: string;
}

/** Key revocations by public-key hex. */
export type KeyRevocations = Map<string, KeyRevocation[]>;

/** Why a key does not count. */
export interface KeyRejection {
  code: ErrorCode;
  message: string;
}

/** Nanoseconds of a time, or undefined when it cannot be read (callers fail closed). */
function nanosOrUndefined(text: string | undefined): bigint | undefined {
  if (text === undefined) return undefined;
  try {
    return parseTimestamp(text).epochNanos;
  } catch {
    return undefined;
  }
}

function at(nanos: bigint): string {
  return formatTimestamp(Number(nanos / 1_000_000n));
}

/** Add a revocation of the key with public-key hex `hex`. */
export function addKeyRevocation(into: KeyRevocations, hex: string, revocation: KeyRevocation): void {
  const list = into.get(hex);
  if (list) list.push(revocation);
  else into.set(hex, [revocation]);
}

/** The key revocations the policy itself lists (every one is in force: the policy is the trust root). */
export function policyKeyRevocations(policy: Policy): KeyRevocations {
  const out: KeyRevocations = new Map();
  for (const r of policy.document.revocations) {
    if (r.kind !== 'key') continue;
    const key = policy.keyByName.get(r.key);
    if (!key) continue; // parsePolicy refuses unknown key names
    addKeyRevocation(out, key.publicKeyHex, {
      reason: r.reason,
      ...(r.effectiveAt !== undefined ? { effectiveAt: r.effectiveAt } : {}),
      source: 'policy',
    });
  }
  return out;
}

/** Options of {@link keyStanding}. */
export interface KeyStandingOptions {
  /**
   * The role the key would sign for (a stage's role, `ROLE_OF_STAGE`); omitted, the answer
   * is about the key alone and `inRole` is true.
   */
  role?: Role;
  /**
   * The time the evidence claims (its `issuedAt`): epoch nanoseconds, a Date or RFC 3339 text;
   * undefined (or unreadable text) when unknown, which no cut-off can be checked against: then
   * a key with a time-bounded revocation or a validity window does not count.
   */
  at: bigint | Date | string | undefined;
  /** Key revocations in force (policy and trusted statements); default: the policy's own. */
  revocations?: KeyRevocations;
}

/** The answer of {@link keyStanding}. */
export interface KeyStanding {
  /** The key's signature counts for `role` at `at`: its identity holds the role and it is not rejected. */
  counts: boolean;
  /** The key's identity holds `role` (true when no role was asked). */
  inRole: boolean;
  /** Why the key counts for no role at `at` (KEY_COMPROMISED, KEY_REVOKED, KEY_OUTSIDE_VALIDITY). */
  rejected?: KeyRejection;
}

function nanosOf(at: bigint | Date | string | undefined): bigint | undefined {
  if (at === undefined || typeof at === 'bigint') return at;
  if (at instanceof Date) {
    const ms = at.getTime();
    return Number.isFinite(ms) ? BigInt(ms) * 1_000_000n : undefined;
  }
  return nanosOrUndefined(at);
}

/**
 * Does this key count: the one answer for verification (each signer of each attestation, and the
 * revokers step 5 honours), for `lineproof attest`'s check of its own key, and for predecessor
 * lookup (which attestations of a bundle a new one may rely on).
 * @param policy the loaded policy (its key revocations are the default `revocations`)
 * @param key the trusted key, resolved from the policy
 * @param options the role, the evidence's claimed time, the revocations in force
 * @returns whether it counts, whether it is in the role, and why the key is rejected when it is
 * @example
 * ```ts
 * keyStanding(policy, policy.keyByName.get('bob')!, { role: 'approver', at: '2026-01-14T16:45:00Z' });
 * // { counts: true, inRole: true } or { counts: false, inRole: true, rejected: { code: 'KEY_REVOKED', ... } }
 * ```
 */
export function keyStanding(policy: Policy, key: ResolvedKey, options: KeyStandingOptions): KeyStanding {
  const inRole = options.role === undefined || key.roles.includes(options.role);
  const rejected = keyRejection(key, nanosOf(options.at), options.revocations ?? policyKeyRevocations(policy));
  return rejected ? { counts: false, inRole, rejected } : { counts: inRole, inRole };
}

/** Why `key` does not count on evidence claiming `issuedAtNanos` (undefined: it counts). */
function keyRejection(
  key: ResolvedKey,
  issuedAtNanos: bigint | undefined,
  revocations: KeyRevocations,
): KeyRejection | undefined {
  const spec = key.spec;
  if (spec.status === 'compromised') {
    return {
      code: 'KEY_COMPROMISED',
      message: `key ${key.name} is compromised: rejected whatever time the evidence claims`,
    };
  }
  const list = revocations.get(key.publicKeyHex) ?? [];
  // Compromise (any reason but retired/superseded) first: it rejects everything.
  for (const r of list) {
    if (!TIME_BOUNDED_KEY_REASONS.includes(r.reason)) {
      return {
        code: 'KEY_COMPROMISED',
        message: `key ${key.name} is revoked (${r.source}: ${r.reason}): rejected whatever time the evidence claims`,
      };
    }
  }
  for (const r of list) {
    const effective = nanosOrUndefined(r.effectiveAt);
    if (effective === undefined) {
      return {
        code: 'KEY_REVOKED',
        message: `key ${key.name} is ${r.reason} (${r.source}) with no readable effectiveAt: rejected for every signature`,
      };
    }
    if (issuedAtNanos === undefined || issuedAtNanos >= effective) {
      return {
        code: 'KEY_REVOKED',
        message: `key ${key.name} is ${r.reason} from ${r.effectiveAt} (${r.source}); evidence claims ${issuedAtNanos === undefined ? 'no readable time' : at(issuedAtNanos)}`,
      };
    }
  }
  if (issuedAtNanos === undefined) {
    // No cut-off can be checked against an unknown time: a key with a validity window fails closed.
    if (spec.validFrom === undefined && spec.validUntil === undefined) return undefined;
    return {
      code: 'KEY_OUTSIDE_VALIDITY',
      message: `key ${key.name} has a validity window, and the evidence claims no readable time`,
    };
  }
  const from = nanosOrUndefined(spec.validFrom);
  const until = nanosOrUndefined(spec.validUntil);
  if (spec.validFrom !== undefined && (from === undefined || issuedAtNanos < from)) {
    return {
      code: 'KEY_OUTSIDE_VALIDITY',
      message: `key ${key.name} is valid from ${spec.validFrom}; evidence claims ${at(issuedAtNanos)}`,
    };
  }
  if (spec.validUntil !== undefined && (until === undefined || issuedAtNanos >= until)) {
    return {
      code: 'KEY_OUTSIDE_VALIDITY',
      message: `key ${key.name} is ${spec.status === 'retired' ? 'retired' : 'valid'} until ${spec.validUntil}; evidence claims ${at(issuedAtNanos)}`,
    };
  }
  return undefined;
}
