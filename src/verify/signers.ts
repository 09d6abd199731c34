/**
 * Step 6 of chain verification (spec/verification.md): resolve each trusted attestation's
 * signers — whether each verifying key counts at the time its signature is judged at (one
 * `keyStanding`), and whether a signature of a role that requires a trusted timestamp has one.
 *
 * The time a signature is judged at is its trusted time when it has one (an RFC 3161 token of a
 * timestamp authority of the policy, or a Sigstore log's time: the signature existed then), else
 * the statement's self-asserted `issuedAt`. A token bounds the signing time only from above and
 * anyone may stamp a genuine signature at any time, so for a role that does not require a
 * timestamp a signature counts when its key stands at either time, and a token that contradicts
 * issuedAt (TIMESTAMP_INCONSISTENT for a role that requires one) is simply not used: an appended
 * token never removes a signature. A statement may not claim an `issuedAt` later than its
 * signature's trusted time plus the 300 s skew (TIMESTAMP_INCONSISTENT, where a timestamp is required).
 */
import type { Node, ParsedNode, Signer } from './authenticate.js';
import { keyStanding, type KeyRejection, type KeyRevocations } from '../policy/key-standing.js';
import type { Policy } from '../policy/policy.js';
import { ROLE_OF_STAGE } from '../policy/roles.js';
import type { Role } from '../policy/schema.js';

/** The clock skew decisions §7 allows, in nanoseconds. */
const SKEW_NANOS = 300n * 1_000_000_000n;

/**
 * Why `signer` of `node` does not count for `role` (undefined: it counts, role membership aside).
 * @param policy the policy (its roles' requireTimestamp)
 * @param node the attestation (parsed or invalid)
 * @param signer one of its signers
 * @param role the role it signs for
 * @param revocations the key revocations in force
 */
export function signerRejection(
  policy: Policy,
  node: Node,
  signer: Signer,
  role: Role | undefined,
  revocations: KeyRevocations,
): KeyRejection | undefined {
  const issuedAt = node.state === 'parsed' ? node.issuedAtNanos : undefined;
  const required = role !== undefined && policy.document.roles[role]?.requireTimestamp === true;
  if (required && !signer.time) {
    const why = signer.timeProblems?.map((p) => `${p.code}: ${p.message}`).join('; ');
    return {
      code: 'TIMESTAMP_MISSING',
      message: `the policy requires a trusted RFC 3161 timestamp on ${role} signatures; the signature by ${signer.key.identity} (${signer.key.name}) has ${why ? `none that verifies (${why})` : 'none'}`,
    };
  }
  const inconsistent = signer.time && issuedAt !== undefined && issuedAt > signer.time.nanos + SKEW_NANOS;
  if (required && inconsistent)
    return {
      code: 'TIMESTAMP_INCONSISTENT',
      message: `the statement claims issuedAt ${(node as ParsedNode).parsed.issuedAt}, after its signature's trusted time ${signer.time!.at} (${signer.time!.authority}) plus 300 s`,
    };
  if (required) return keyStanding(policy, signer.key, { at: signer.time!.nanos, revocations }).rejected;
  // No timestamp required: a token only bounds the signing time from above, and anyone may stamp
  // a genuine signature at any time, so a token may help a signature count but never stop it
  // counting — one that contradicts issuedAt is not used at all.
  const atClaim = keyStanding(policy, signer.key, { at: issuedAt, revocations }).rejected;
  if (!atClaim || !signer.time || inconsistent) return atClaim;
  const atToken = keyStanding(policy, signer.key, { at: signer.time.nanos, revocations }).rejected;
  return atToken;
}

/** Step 6: mark the signers whose keys do not count (compromised, revoked, outside the window, no required timestamp). */
export function resolveSigners(policy: Policy, nodes: Iterable<Node>, keyRevocations: KeyRevocations): void {
  for (const node of nodes) {
    if (node.state === 'untrusted') continue;
    const role = node.state === 'parsed' ? ROLE_OF_STAGE[node.parsed.stage] : undefined;
    for (const s of node.signers) {
      const rejected = signerRejection(policy, node, s, role, keyRevocations);
      if (rejected) s.rejected = rejected;
    }
  }
}
