/**
 * Step 5 of chain verification: the revocations in force (decisions §8, §13).
 *
 * From the policy (`revocations`: in force from their `effectiveAt`, when given; key revocations
 * always, judged by reason in {@link keyStanding}), and from trusted revocation statements in the
 * bundle. A statement counts when it is in effect at `asOf` and signed by the revoker role's
 * threshold of distinct identities (`roles.revoker.threshold`, default 1), each with a key that
 * counts at the statement's `issuedAt`. Revokers' keys are judged against the policy alone: a
 * revocation statement can never disable another revoker, since that could only cancel
 * revocations (fail open).
 * @module
 */
import { digestSetFromText, sha256Hex, shortDigestText, type DigestSet } from '../digest/index.js';
import { spkiDer } from '../keys/der.js';
import type { Policy, ResolvedKey } from '../policy/policy.js';
import { parseTimestamp } from '../time/index.js';
import { isStage, type Node } from './authenticate.js';
import { addKeyRevocation, policyKeyRevocations, type KeyRevocations } from '../policy/key-standing.js';
import { signerRejection } from './signers.js';
import type { AcceptedRevocationList } from '../policy/revocation-list.js';

/** A revoked digest and why (the reason is reported as the failed check's `actual`). */
export interface RevokedDigest {
  digest: DigestSet;
  reason: string;
}

/** The revocations in force. */
export interface Revoked {
  /** Payload digest (`sha256:<hex>`) -> why. */
  payloads: Map<string, string>;
  models: RevokedDigest[];
  datasets: RevokedDigest[];
  /** Key revocations by public-key hex, judged by {@link keyStanding}. */
  keys: KeyRevocations;
}

/** Key revocation statements name a key by sha256 of its SPKI DER (a certificate signer's key is one). */
function spkiDigest(key: ResolvedKey): string {
  return sha256Hex(key.certificate ? key.publicKey : spkiDer(key.publicKey));
}

function nanos(text: string): bigint {
  return parseTimestamp(text).epochNanos;
}

/**
 * Collect the revocations in force at `asOf`.
 * @param policy the loaded policy
 * @param nodes the authenticated, parsed attestations of the bundle
 * @param asOf the verification time, in nanoseconds since the epoch
 * @returns payloads, models, datasets and keys revoked
 */
export function collectRevocations(
  policy: Policy,
  nodes: Iterable<Node>,
  asOf: bigint,
  list?: AcceptedRevocationList,
): Revoked {
  const policyKeys = policyKeyRevocations(policy);
  // The winning signed list's key entries count like the policy's own (for revokers too).
  for (const r of list?.document.entries ?? []) {
    if (r.kind !== 'key') continue;
    const key = policy.keyByName.get(r.key);
    if (key)
      addKeyRevocation(policyKeys, key.publicKeyHex, {
        reason: r.reason,
        ...(r.effectiveAt !== undefined ? { effectiveAt: r.effectiveAt } : {}),
        source: `revocation list ${list!.document.sequence}`,
      });
  }
  const out: Revoked = {
    payloads: new Map(),
    models: [],
    datasets: [],
    keys: new Map([...policyKeys].map(([k, v]) => [k, [...v]] as const)),
  };
  const entries = [
    ...policy.document.revocations.map((r) => ({ r, from: 'policy' })),
    ...(list?.document.entries ?? []).map((r) => ({ r, from: `revocation list ${list!.document.sequence}` })),
  ];
  for (const { r, from } of entries) {
    if (r.kind === 'key') continue;
    if (r.effectiveAt !== undefined && nanos(r.effectiveAt) > asOf) continue;
    const reason = `${from}: ${r.reason}`;
    if (r.kind === 'payload') out.payloads.set(r.digest, reason);
    else if (r.kind === 'model') out.models.push({ digest: digestSetFromText(r.digest, 'policy revocation'), reason });
    else if (r.kind === 'dataset')
      out.datasets.push({ digest: digestSetFromText(r.digest, 'policy revocation'), reason });
  }
  const spki = new Map(policy.keys.map((k) => [spkiDigest(k), k.publicKeyHex] as const));
  const needed = policy.document.roles.revoker?.threshold ?? 1;
  for (const node of nodes) {
    if (!isStage(node, 'revocation')) continue;
    // The revoker threshold: distinct identities holding the role, each with a key that counts.
    const revokers = new Set(
      node.signers
        .filter((s) => s.key.roles.includes('revoker') && !signerRejection(policy, node, s, 'revoker', policyKeys))
        .map((s) => s.key.identity),
    );
    if (revokers.size < needed) continue;
    const p = node.parsed.predicate;
    if (nanos(p.effectiveAt) > asOf) continue;
    const reason = `revocation ${shortDigestText(node.digest)}: ${p.reason}`;
    for (const s of node.parsed.statement.subject) {
      if (p.kind === 'attestation' && s.digest.sha256) out.payloads.set(`sha256:${s.digest.sha256}`, reason);
      else if (p.kind === 'model') out.models.push({ digest: s.digest, reason });
      else if (p.kind === 'dataset') out.datasets.push({ digest: s.digest, reason });
      else if (p.kind === 'key' && s.digest.sha256) {
        const hex = spki.get(s.digest.sha256);
        if (hex)
          addKeyRevocation(out.keys, hex, {
            reason: p.reason,
            effectiveAt: p.effectiveAt,
            source: `revocation ${shortDigestText(node.digest)}`,
          });
      }
    }
  }
  return out;
}
