/**
 * Signing a policy (decisions §13): {@link signPolicy}. Verifying one is src/policy/signed.ts.
 */
import { encodeEnvelope, type Envelope } from '../dsse/envelope.js';
import { addSignature, signEnvelope } from '../dsse/sign.js';
import { canonicalBytes } from '../json/canonical.js';
import type { JsonValue } from '../json/strict.js';
import type { SignatureVerifier, Signer } from '../keys/types.js';
import { resolveLimits, type Limits } from '../limits.js';
import { decodeVersion, POLICY_PAYLOAD_TYPE, readJson } from './signed.js';

/** Array.isArray without narrowing a readonly array parameter to `any[]`. */
const isArray: (value: unknown) => boolean = Array.isArray;

/**
 * Sign a policy: checks it loads (the schema and every cross-reference), then signs its JCS bytes
 * as a DSSE envelope of payloadType {@link POLICY_PAYLOAD_TYPE}. Given an envelope instead, adds
 * each signer's signature to it (a key that already signed is not added twice), so admins can sign
 * one after another.
 * @param input a policy (bytes, text or parsed JSON) or a signed policy envelope
 * @param signers one or more signers (admins of this version, or of the version before it)
 * @throws {LineproofError} when the policy does not load (POLICY_*, JSON_*, DSSE_*)
 * @example
 * ```ts
 * const envelope = await signPolicy(policyJson, [aliceSigner, bobSigner]);
 * ```
 */
export async function signPolicy(
  input: Uint8Array | string | JsonValue | Envelope,
  signers: readonly Signer[],
  options: { verifier?: SignatureVerifier; limits?: Partial<Limits>; what?: string } = {},
): Promise<Envelope> {
  if (!isArray(signers) || signers.length === 0) throw new RangeError('"signers" expected a non-empty array of Signer');
  const limits = resolveLimits(options.limits);
  const what = options.what ?? 'policy';
  const raw = readJson(input, what, limits);
  const version = decodeVersion(raw, what, limits);
  const signOptions = { limits, ...(options.verifier ? { verifier: options.verifier } : {}) };
  let envelope: Envelope = version.envelope
    ? await addSignature(encodeEnvelope(version.envelope), signers[0]!, signOptions)
    : await signEnvelope(canonicalBytes(raw), POLICY_PAYLOAD_TYPE, [signers[0]!], signOptions);
  for (const s of signers.slice(1)) envelope = await addSignature(envelope, s, signOptions);
  return envelope;
}
