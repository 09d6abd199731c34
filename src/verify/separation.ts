/**
 * Separation of duties (decisions §8): for every pair `[a, b]` of `separationOfDuties.pairs`, an
 * identity with a counting signature on an attestation of role `a`'s stage in the chain does not
 * count toward role `b` in the same chain — whatever the two roles (data-steward, trainer,
 * evaluator, approver, deployer). Excluded signers are left out of the count for `b`'s stage:
 * the link still passes when enough other identities of the role signed it (an independent
 * co-signer restores the separation), and fails with SEPARATION_OF_DUTIES when the excluded
 * identities were needed to meet the threshold.
 * @module
 */
import { shortDigestText } from '../digest/index.js';
import type { ResolvedKey } from '../policy/policy.js';
import type { Role } from '../policy/schema.js';

/** Identities excluded from each role, each with the attestation that excludes it. */
export type Exclusions = Map<Role, Map<string, string>>;

/** What separation of duties needs of a linked attestation. */
export interface SignedLink {
  digest: string;
  /** The role its stage needs. */
  role: Role;
  signers: ReadonlyArray<{ key: ResolvedKey; rejected?: unknown }>;
}

/**
 * The identities each role may not count, from the pairs and the chain's linked attestations.
 * @param pairs the policy's `separationOfDuties.pairs`
 * @param linked the attestations of the chain
 * @returns role -> identity -> why
 */
export function separationExclusions(
  pairs: ReadonlyArray<readonly [Role, Role]>,
  linked: readonly SignedLink[],
): Exclusions {
  const out: Exclusions = new Map();
  for (const [a, b] of pairs) {
    for (const n of linked) {
      if (n.role !== a) continue;
      for (const s of n.signers) {
        if (s.rejected) continue;
        let m = out.get(b);
        if (!m) out.set(b, (m = new Map<string, string>()));
        if (!m.has(s.key.identity)) m.set(s.key.identity, `${a} of ${shortDigestText(n.digest)}`);
      }
    }
  }
  return out;
}

/** The signers that count toward `role` after separation of duties. */
export interface RoleCount {
  /** Counted identity -> its key (hex); distinct identities, each with a distinct key. */
  counted: Map<string, string>;
  /** Identities left out, with why (`identity (trainer of sha256:…)`). */
  separated: string[];
}

/**
 * Count distinct identities among signers already known to hold `role` and to count.
 * @param signers counting signers holding the role
 * @param role the role counted
 * @param exclusions from {@link separationExclusions}
 * @returns counted identities and those separation of duties leaves out
 */
export function countRole(signers: ReadonlyArray<{ key: ResolvedKey }>, role: Role, exclusions: Exclusions): RoleCount {
  const excluded = exclusions.get(role);
  const counted = new Map<string, string>();
  const separated = new Map<string, string>();
  for (const s of signers) {
    const why = excluded?.get(s.key.identity);
    if (why !== undefined) {
      separated.set(s.key.identity, `${s.key.identity} (${why})`);
      continue;
    }
    if (!counted.has(s.key.identity)) counted.set(s.key.identity, s.key.publicKeyHex);
  }
  return { counted, separated: [...separated.values()] };
}
