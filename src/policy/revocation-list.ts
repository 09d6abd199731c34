/**
 * Signed revocation lists (decisions §13, spec/policy.md "Signed revocation lists").
 *
 * A list is a DSSE envelope of payloadType {@link REVOCATIONS_PAYLOAD_TYPE}; its payload is
 * `{policy, sequence, issuedAt, expires, entries}` (`entries` as the policy's `revocations`),
 * signed by the revoker role's threshold of distinct identities, each with a key that stands for
 * the role at the list's `issuedAt`. Of the valid lists given, the highest sequence wins; its
 * entries count as if the policy held them. Building and signing are here; judging a list
 * against a policy is {@link judgeRevocationList}; choosing among lists is the verifier's step 5.
 */
import { z } from 'zod';
import { parseEnvelope, type DecodedEnvelope, type Envelope } from '../dsse/envelope.js';
import { signEnvelope } from '../dsse/sign.js';
import { verifyEnvelope } from '../dsse/verify.js';
import { toHex } from '../bytes/index.js';
import { sha256Hex } from '../digest/index.js';
import { LineproofError, type ErrorCode } from '../errors.js';
import { canonicalBytes } from '../json/canonical.js';
import { parseWithSchema } from '../json/schema.js';
import { parseJson, type JsonValue } from '../json/strict.js';
import type { SignatureVerifier, Signer } from '../keys/types.js';
import { resolveLimits, type Limits } from '../limits.js';
import { timestampSchema } from '../statements/predicates/common.js';
import { parseTimestamp } from '../time/index.js';
import { keyStanding } from './key-standing.js';
import type { Policy } from './policy.js';
import { revocationSchema, type Revocation } from './schema.js';

/** payloadType of a signed revocation list (decisions §13). */
export const REVOCATIONS_PAYLOAD_TYPE = 'application/vnd.lineproof.revocations.v1+json';

/** The payload's schema. */
export const revocationListSchema = z.strictObject({
  /** The id of the policy whose revocations these are. */
  policy: z.string().min(1),
  /** Increases with every list; the highest valid one wins. */
  sequence: z.number().int().min(1),
  issuedAt: timestampSchema,
  /** After this, a policy that requires fresh lists refuses it. */
  expires: timestampSchema,
  entries: z.array(revocationSchema),
});

/** A revocation list's payload. */
export type RevocationListDocument = z.output<typeof revocationListSchema>;

/** A list judged valid for a policy. */
export interface AcceptedRevocationList {
  document: RevocationListDocument;
  /** `sha256:<hex>` of the payload. */
  digest: string;
  /** Identities of the revokers whose signatures counted. */
  signers: string[];
  issuedAtNanos: bigint;
  expiresNanos: bigint;
}

/** The outcome of judging one list: accepted, or the code and reason it is not. */
export type RevocationListJudgement =
  { ok: true; list: AcceptedRevocationList } | { ok: false; code: ErrorCode; message: string };

function refuse(code: ErrorCode, message: string): RevocationListJudgement {
  return { ok: false, code, message };
}

/** The payload, strictly parsed; throws LineproofError (JSON_*, REVOCATIONS_INVALID). */
function readDocument(env: DecodedEnvelope, what: string, limits: Limits): RevocationListDocument {
  if (env.payloadType !== REVOCATIONS_PAYLOAD_TYPE)
    throw new LineproofError(
      'REVOCATIONS_INVALID',
      `${what}: payloadType ${JSON.stringify(env.payloadType)} is not a revocation list (${REVOCATIONS_PAYLOAD_TYPE})`,
      { path: what },
    );
  const raw = parseJson(env.payload, {
    what: `${what}: payload`,
    maxBytes: limits.envelopeBytes,
    maxDepth: limits.jsonDepth,
  });
  const doc = parseWithSchema(revocationListSchema, raw, what, 'REVOCATIONS_INVALID');
  if (parseTimestamp(doc.expires).epochNanos <= parseTimestamp(doc.issuedAt).epochNanos)
    throw new LineproofError(
      'REVOCATIONS_INVALID',
      `${what}: expires ${doc.expires} is not after issuedAt ${doc.issuedAt}`,
      {
        path: 'expires',
      },
    );
  return doc;
}

/**
 * Judge one revocation list against a policy: well formed, for this policy's id, every key entry
 * naming a policy key, signed by the revoker threshold (distinct identities, each with a key that
 * stands for the revoker role at the list's issuedAt). Never throws for any input.
 * @param input the list (an envelope as bytes, text, JSON or decoded)
 * @param policy the policy it must be for
 * @returns the accepted list, or a coded refusal
 * @example
 * ```ts
 * const j = await judgeRevocationList(bytes, policy, { verifier });
 * ```
 */
export async function judgeRevocationList(
  input: Uint8Array | string | JsonValue | Envelope | DecodedEnvelope,
  policy: Policy,
  options: { verifier?: SignatureVerifier; limits?: Partial<Limits>; what?: string } = {},
): Promise<RevocationListJudgement> {
  const limits = resolveLimits(options.limits);
  const what = options.what ?? 'revocation list';
  let env: DecodedEnvelope;
  let doc: RevocationListDocument;
  try {
    env = parseEnvelope(input, { limits, what });
    doc = readDocument(env, what, limits);
  } catch (e) {
    // The list's own rule keeps its message; a lower-level code (JSON_*, DSSE_*) is named in it.
    if (e instanceof LineproofError)
      return refuse('REVOCATIONS_INVALID', e.code === 'REVOCATIONS_INVALID' ? e.message : `${e.code}: ${e.message}`);
    return refuse('REVOCATIONS_INVALID', `${what}: ${String(e)}`);
  }
  if (doc.policy !== policy.document.id)
    return refuse(
      'REVOCATIONS_INVALID',
      `${what}: the list is for policy ${JSON.stringify(doc.policy)}, not ${JSON.stringify(policy.document.id)}`,
    );
  const unknown = doc.entries.find((r) => r.kind === 'key' && !policy.keyByName.has(r.key));
  if (unknown && unknown.kind === 'key')
    return refuse(
      'REVOCATIONS_INVALID',
      `${what}: entry revokes key ${JSON.stringify(unknown.key)}, which the policy does not name`,
    );
  const revokerKeys = policy.keys.filter((k) => k.roles.includes('revoker'));
  const needed = policy.document.roles.revoker?.threshold ?? 1;
  const issuedAtNanos = parseTimestamp(doc.issuedAt).epochNanos;
  let verifiedHex: string[] = [];
  if (revokerKeys.length > 0) {
    const v = await verifyEnvelope(env, {
      trustedKeys: revokerKeys.map((k) => k.publicKey),
      limits,
      what,
      ...(options.verifier ? { verifier: options.verifier } : {}),
    });
    verifiedHex = v.verifiedKeys.map((k) => toHex(k.bytes));
  }
  const identities = new Set(
    revokerKeys
      .filter((k) => verifiedHex.includes(k.publicKeyHex))
      .filter((k) => keyStanding(policy, k, { role: 'revoker', at: issuedAtNanos }).counts)
      .map((k) => k.identity),
  );
  if (identities.size < needed)
    return refuse(
      'REVOCATIONS_THRESHOLD_NOT_MET',
      `${what}: signed by ${identities.size} revoker identit${identities.size === 1 ? 'y' : 'ies'} (${[...identities].join(', ') || 'none'}), the policy needs ${needed}`,
    );
  return {
    ok: true,
    list: {
      document: doc,
      digest: `sha256:${sha256Hex(env.payload)}`,
      signers: [...identities],
      issuedAtNanos,
      expiresNanos: parseTimestamp(doc.expires).epochNanos,
    },
  };
}

/**
 * Build and sign a revocation list: the payload's JCS bytes, signed by each signer (revokers).
 * @throws {LineproofError} REVOCATIONS_INVALID when the document does not meet the schema
 * @example
 * ```ts
 * const env = await signRevocationList({ policy: id, sequence: 4, issuedAt, expires, entries }, [revoker]);
 * ```
 */
export async function signRevocationList(
  document: { policy: string; sequence: number; issuedAt: string; expires: string; entries: Revocation[] } | JsonValue,
  signers: readonly Signer[],
  options: { verifier?: SignatureVerifier } = {},
): Promise<Envelope> {
  const doc = parseWithSchema(revocationListSchema, document, 'revocation list', 'REVOCATIONS_INVALID');
  return signEnvelope(canonicalBytes(doc), REVOCATIONS_PAYLOAD_TYPE, signers, options);
}
