/**
 * Writing a verification summary (decisions §9, spec/vsa.md): after a chain verification, a gate
 * states its verdict as a SLSA VSA v1 statement and signs it with a key of the policy's
 * `verifier` role, so the decision itself becomes evidence that any DSSE verifier can check.
 * @module
 */
import { parseDigest, assertDigestSet, digestSetFromText, digestText, type DigestSet } from '../../digest/index.js';
import type { Envelope } from '../../dsse/envelope.js';
import { signEnvelope, type SignOptions } from '../../dsse/sign.js';
import { LineproofError, describeType } from '../../errors.js';
import { canonicalBytes } from '../../json/canonical.js';
import { parseWithSchema } from '../../json/schema.js';
import type { PublicKey, Signer } from '../../keys/types.js';
import { keyStanding } from '../../policy/key-standing.js';
import type { Policy, ResolvedKey } from '../../policy/policy.js';
import { equalBytes, isBytes, toHex } from '../../bytes/index.js';
import { IN_TOTO_PAYLOAD_TYPE, STATEMENT_TYPE_V1, parseStatement, type Statement } from '../../statements/statement.js';
import { formatTimestamp, parseTimestamp } from '../../time/index.js';
import type { ChainVerification } from '../chain.js';
import {
  FAILED_LEVEL,
  LINEPROOF_CHAIN_LEVEL,
  LINEPROOF_VERIFIER_ID,
  VSA_PREDICATE_TYPE,
  lineproofVsaStatementSchema,
  readVsaStatement,
  type LineproofVsaPredicate,
  type VerificationResult,
} from './predicate.js';

/** What {@link buildVerificationSummary} needs. */
export interface VerificationSummaryInput {
  /** The outcome of `verifyChain` (its report's verdict becomes the summary's result). */
  verification: ChainVerification;
  /** The policy the chain was verified against (the report's `policyDigest` must be its digest). */
  policy: Policy;
  /** The artifact's digest set (or `alg:hex` text), as the chain was verified for it: the statement's subject. */
  subject: DigestSet | string;
  /** A name for the subject (the in-toto `subject[0].name`), e.g. the model's name. */
  subjectName?: string;
  /** `resourceUri` (decisions §9: the model's name or `sha256:<hex>`); default: the subject's `sha256:<hex>`. */
  resourceUri?: string;
  /** When the verification was performed as of (default: the report's `asOf`); written `YYYY-MM-DDTHH:MM:SSZ`. */
  timeVerified?: Date | string;
  /** `verifier.version`: component -> version, e.g. `{ lineproof: '0.1.0' }`. */
  verifierVersion?: Record<string, string>;
  /** A `uri` written on every input attestation: where the bundle holding them can be fetched. */
  attestationsUri?: string;
}

/** A statement as {@link buildVerificationSummary} returns it. */
export type VerificationSummaryStatement = Statement<LineproofVsaPredicate> & { predicate: LineproofVsaPredicate };

/** Array.isArray without narrowing a typed parameter to `any[]`. */
const isArray: (value: unknown) => boolean = Array.isArray;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The verdict of a chain report, recomputed from its checks (as `assertVerified` does). */
function verdictOf(verification: ChainVerification): VerificationResult {
  const checks = verification.report.checks;
  const ok =
    verification.report.ok === true &&
    checks.some((c) => c.status === 'pass') &&
    !checks.some((c) => c.status === 'fail');
  return ok ? 'PASSED' : 'FAILED';
}

/** The payload digests the verdict relied on, each as `{uri?, digest: {sha256}}`. */
function inputAttestations(verification: ChainVerification, uri: string | undefined) {
  const digests = [...new Set([...verification.chain.map((l) => l.payloadDigest), ...(verification.used ?? [])])];
  return digests.map((d, i) => {
    const { hex } = parseDigest(d, `verification.used[${i}]`, { alg: 'sha256' });
    return uri === undefined ? { digest: { sha256: hex } } : { uri, digest: { sha256: hex } };
  });
}

function timeVerifiedOf(input: VerificationSummaryInput): string {
  const t = input.timeVerified ?? input.verification.report.asOf;
  if (t instanceof Date) return formatTimestamp(t);
  if (typeof t !== 'string')
    throw new TypeError('"timeVerified" expected a Date or RFC 3339 text (the report has no asOf to default to)');
  return formatTimestamp(parseTimestamp(t, 'timeVerified').epochMillis);
}

/** Misuse checks: a chain report made against this policy, a digest set for the subject. */
function checkedInput(input: VerificationSummaryInput): DigestSet {
  if (!isRecord(input)) throw new TypeError(`"input" expected object, got ${describeType(input)}`);
  const { verification, policy } = input;
  if (!isRecord(verification) || !isRecord(verification.report) || !Array.isArray(verification.chain))
    throw new TypeError('"verification" expected the outcome of verifyChain ({ report, chain, used })');
  if (verification.report.kind !== 'chain')
    throw new TypeError(`"verification.report" expected a chain report, got kind ${String(verification.report.kind)}`);
  if (!isRecord(policy) || typeof policy.digest !== 'string') throw new TypeError('"policy" expected a loaded Policy');
  if (verification.report.policyDigest !== policy.digest)
    throw new RangeError(
      `"policy" has digest ${policy.digest}, but the verification was made against ${String(verification.report.policyDigest)}`,
    );
  const subject = typeof input.subject === 'string' ? digestSetFromText(input.subject, 'subject') : input.subject;
  assertDigestSet(subject, 'subject');
  return subject;
}

/**
 * Build the verification summary of a chain verification: a SLSA VSA v1 statement
 * (decisions §9, spec/vsa.md).
 *
 * 1. Check the input: a chain report made against `policy` (same digest), the subject's digest set.
 * 2. The result: PASSED when the report's verdict, recomputed from its checks, is ok; else FAILED.
 * 3. `inputAttestations`: the payload digest of every attestation the verdict relied on
 *    (`verification.chain`, then `verification.used`), each `{uri?, digest: {sha256}}`.
 * 4. `timeVerified`: the given time, else the report's `asOf`, written `YYYY-MM-DDTHH:MM:SSZ`.
 * 5. Assemble the statement and check it with the strict writer's schema and with the reader.
 *
 * @returns the statement (sign it with {@link signVerificationSummary})
 * @throws {TypeError|RangeError} misuse: not a chain verification, another policy, a missing time
 * @throws {LineproofError} INVALID_ARGUMENT / SCHEMA_INVALID for a malformed subject digest;
 *   VSA_INVALID for a resourceUri or verifierVersion that cannot be written
 * @example
 * ```ts
 * const verification = await verifyChain({ bundle, policy, subject: digest, useCase: 'support-chat', asOf });
 * const statement = buildVerificationSummary({ verification, policy, subject: digest });
 * statement.predicate.verificationResult; // 'PASSED'
 * ```
 */
export function buildVerificationSummary(input: VerificationSummaryInput): VerificationSummaryStatement {
  // 1.
  const subject = checkedInput(input);
  const { verification, policy } = input;
  // 2.
  const result = verdictOf(verification);
  // 3.
  const inputs = inputAttestations(verification, input.attestationsUri);
  // 4.
  const timeVerified = timeVerifiedOf(input);
  // 5.
  const predicate = {
    verifier: {
      id: LINEPROOF_VERIFIER_ID,
      ...(input.verifierVersion === undefined ? {} : { version: input.verifierVersion }),
    },
    timeVerified,
    resourceUri: input.resourceUri ?? digestText(subject),
    policy: { uri: policy.document.id, digest: { sha256: parseDigest(policy.digest, 'policy.digest').hex } },
    inputAttestations: inputs,
    verificationResult: result,
    verifiedLevels: [result === 'PASSED' ? LINEPROOF_CHAIN_LEVEL : FAILED_LEVEL],
  };
  const statement = {
    _type: STATEMENT_TYPE_V1,
    subject: [input.subjectName === undefined ? { digest: subject } : { name: input.subjectName, digest: subject }],
    predicateType: VSA_PREDICATE_TYPE,
    predicate,
  };
  const checked = parseWithSchema(lineproofVsaStatementSchema, statement, 'verification summary', 'VSA_INVALID');
  readVsaStatement(parseStatement(canonicalBytes(checked), 'verification summary'));
  return checked;
}

/**
 * The policy key of the verifier role that `publicKey` is, standing at `at` (decisions §8, §13).
 * @throws {LineproofError} VSA_SIGNER_NOT_VERIFIER (no key of the role), or the key's standing
 *   code (KEY_COMPROMISED, KEY_REVOKED, KEY_OUTSIDE_VALIDITY)
 */
export function verifierKeyOf(policy: Policy, publicKey: PublicKey | Uint8Array, at: Date | string): ResolvedKey {
  const bytes = isBytes(publicKey) ? publicKey : publicKey?.bytes;
  if (!isBytes(bytes))
    throw new TypeError(`"publicKey" expected PublicKey or Uint8Array, got ${describeType(publicKey)}`);
  const key = policy.keys.find((k) => equalBytes(k.publicKey, bytes));
  if (!key || !key.roles.includes('verifier')) {
    const held = key ? `it is ${key.name}, held by ${key.identity} (${key.roles.join(', ') || 'no role'})` : '';
    throw new LineproofError(
      'VSA_SIGNER_NOT_VERIFIER',
      `the key ${toHex(bytes).slice(0, 16)}… is not a key of the policy's verifier role${held ? `: ${held}` : ' (the policy does not know it)'}`,
      { expected: 'a key of the verifier role', actual: key ? key.name : 'unknown key' },
    );
  }
  const standing = keyStanding(policy, key, { role: 'verifier', at });
  if (standing.rejected) throw new LineproofError(standing.rejected.code, standing.rejected.message);
  return key;
}

/** Options of {@link signVerificationSummary}. */
export interface SignVerificationSummaryOptions extends SignOptions {
  /** When given, every signer must be a key of its verifier role standing at `timeVerified`. */
  policy?: Policy;
}

/**
 * Sign a verification summary as a DSSE envelope (payloadType `application/vnd.in-toto+json`,
 * payload the statement's JCS bytes), through the DSSE signing code (sign-then-verify).
 *
 * 1. Check the statement with the strict writer's schema (what {@link buildVerificationSummary} returns).
 * 2. With `policy`: every signer is a key of the verifier role standing at `timeVerified`.
 * 3. Sign the JCS bytes of the statement.
 *
 * @returns the envelope in wire form (one `.intoto.jsonl` line with `bundleLine`)
 * @throws {LineproofError} VSA_INVALID; VSA_SIGNER_NOT_VERIFIER, KEY_COMPROMISED, KEY_REVOKED,
 *   KEY_OUTSIDE_VALIDITY (with `policy`); the codes of `signEnvelope`
 * @throws {TypeError|RangeError} the misuse `signEnvelope` refuses (no signers, one key twice)
 * @example
 * ```ts
 * const envelope = await signVerificationSummary(statement, [ed25519Signer(verifierKey)], { policy });
 * ```
 */
export async function signVerificationSummary(
  statement: VerificationSummaryStatement,
  signers: readonly Signer[],
  options: SignVerificationSummaryOptions = {},
): Promise<Envelope> {
  // 1.
  const checked = parseWithSchema(lineproofVsaStatementSchema, statement, 'verification summary', 'VSA_INVALID');
  // 2.
  if (options.policy) {
    if (!isArray(signers)) throw new TypeError('"signers" expected an array of Signer');
    for (const s of signers) verifierKeyOf(options.policy, s.publicKey, checked.predicate.timeVerified);
  }
  // 3.
  const { policy: _policy, ...signOptions } = options;
  return signEnvelope(canonicalBytes(checked), IN_TOTO_PAYLOAD_TYPE, signers, signOptions);
}
