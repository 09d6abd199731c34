/**
 * Step 6 of chain verification (spec/verification.md): resolve each trusted attestation's
 * signers — whether each verifying key counts at the statement's issuedAt (one `keyStanding`).
 */
import type { Node } from './authenticate.js';
import { keyStanding, type KeyRevocations } from '../policy/key-standing.js';
import type { Policy } from '../policy/policy.js';

/** Step 6: mark the signers whose keys do not count (compromised, revoked, outside the window). */
export function resolveSigners(policy: Policy, nodes: Iterable<Node>, keyRevocations: KeyRevocations): void {
  for (const node of nodes) {
    if (node.state === 'untrusted') continue;
    const at = node.state === 'parsed' ? node.issuedAtNanos : undefined;
    for (const s of node.signers) {
      const { rejected } = keyStanding(policy, s.key, { at, revocations: keyRevocations });
      if (rejected) s.rejected = rejected;
    }
  }
}
