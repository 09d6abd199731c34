/**
 * Which policy keys verify an envelope, for the inventory's trust rows: the verifier's step 3 rule
 * (every signature against every key, decisions §4) and order (keyid hint, then the key that
 * verified last).
 * @module
 */
import type { BundleEntry } from '../bundle/jsonl.js';
import { pae } from '../dsse/pae.js';
import { checkSignature, trustedKeySet, type TrustedKey } from '../dsse/signatures.js';
import type { SignatureVerifier } from '../keys/types.js';
import type { Policy } from '../policy/policy.js';
import { envelopeId } from './ingest.js';

/** How ingest checks signatures against a policy's keys: the verifier's own order (keyid hint, then the key that verified last). */
export interface TrustContext {
  policy: Policy;
  trusted: TrustedKey[];
  keyByHex: Map<string, Policy['keys'][number]>;
  recent: number[];
  verifier: SignatureVerifier;
}

export function trustContext(policy: Policy, verifier: SignatureVerifier): TrustContext {
  const ed25519 = policy.keys.filter((k) => k.certificate === undefined && k.publicKey.length === 32);
  return {
    policy,
    trusted: trustedKeySet(ed25519.map((k) => k.publicKey)),
    keyByHex: new Map(ed25519.map((k) => [k.publicKeyHex, k])),
    recent: [],
    verifier,
  };
}

/**
 * The signers rows of entries under a policy: every signature checked against every key (decisions
 * §4), a keyid hint and the key that verified the envelope before only ordering the tries, as the
 * verifier's step 3 does.
 */
export async function signerRows(
  entries: readonly BundleEntry[],
  ctx: TrustContext,
): Promise<{ rows: Array<Record<string, string>>; trusted: Set<string> }> {
  const rows: Array<Record<string, string>> = [];
  const trusted = new Set<string>();
  for (const entry of entries) {
    const { payloadType, payload, signatures } = entry.envelope;
    const id = envelopeId(payloadType, payload);
    const message = pae(payloadType, payload);
    const seen = new Set<string>();
    for (const s of signatures) {
      const outcome = await checkSignature(ctx.verifier, ctx.trusted, message, s.sig, s.keyid, ctx.recent);
      if (outcome.keyIndex < 0) continue;
      const at = ctx.recent.indexOf(outcome.keyIndex);
      if (at !== 0) {
        if (at > 0) ctx.recent.splice(at, 1);
        ctx.recent.unshift(outcome.keyIndex);
      }
      const key = ctx.keyByHex.get(ctx.trusted[outcome.keyIndex]!.hex);
      if (!key || seen.has(key.name)) continue;
      seen.add(key.name);
      trusted.add(id);
      rows.push({
        envelope_id: id,
        policy_digest: ctx.policy.digest,
        key_name: key.name,
        identity: key.identity,
        public_key_hex: key.publicKeyHex,
      });
    }
  }
  return { rows, trusted };
}
