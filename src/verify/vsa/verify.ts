/**
 * Checking a verification summary (decisions §9, spec/vsa.md "Verifying a summary"): the steps of
 * SLSA's "How to verify", against a policy's verifier role or given keys. Untrusted input never
 * throws: every problem is a coded check in a report of kind `vsa`.
 * @module
 */
import { equalBytes } from '../../bytes/index.js';
import { digestSetFromText, matchDigestSets, type DigestSet } from '../../digest/index.js';
import type { JsonValue } from '../../json/strict.js';
import { verifyEnvelope } from '../../dsse/verify.js';
import type { DecodedEnvelope, Envelope } from '../../dsse/envelope.js';
import { describeType, type ErrorCode } from '../../errors.js';
import type { Limits } from '../../limits.js';
import type { PublicKey, SignatureVerifier } from '../../keys/types.js';
import { keyStanding } from '../../policy/key-standing.js';
import type { Policy } from '../../policy/policy.js';
import { ReportBuilder, type Report } from '../../report/index.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../statements/statement.js';
import { formatTimestamp, parseTimestamp } from '../../time/index.js';
import { FUTURE_SKEW_SECONDS } from '../context.js';
import {
  FAILED_LEVEL,
  LINEPROOF_CHAIN_LEVEL,
  LINEPROOF_VERIFIER_ID,
  readVsaStatement,
  type VerificationResult,
  type VsaStatement,
} from './predicate.js';

/** Options of {@link verifyVerificationSummary}. Give exactly one of `policy` and `trustedKeys`. */
export interface VerifySummaryOptions {
  /** Trust the keys of this policy's `verifier` role, with the role's threshold of distinct identities. */
  policy?: Policy;
  /** Or trust these keys (deduplicated by public-key bytes). */
  trustedKeys?: ReadonlyArray<PublicKey | Uint8Array>;
  /** With `trustedKeys`: distinct keys that must have signed (default 1). */
  threshold?: number;
  /** The policy the summary must name, `sha256:<hex>`; default: the given policy's digest. */
  policyDigest?: string;
  /** The policy uri the summary must name; default: the given policy's `id`. */
  policyUri?: string;
  /** The artifact: one of the summary's subject digests must match it (decisions §3 rule). */
  subject?: DigestSet | string;
  /** The summary's `resourceUri` must equal it (a model's name, or `sha256:<hex>`). */
  resourceUri?: string;
  /** The verdict required (default PASSED). */
  expectResult?: VerificationResult;
  /** The `verifier.id` accepted (default `https://lineproof.dev/verifier/v1`). */
  verifierId?: string;
  /** The time to check as of: a summary verified more than 300 s after it is from the future. */
  asOf?: Date | string;
  /** With `asOf`: the summary's `timeVerified` must be at most this many seconds before `asOf`. */
  maxAgeSeconds?: number;
  /** Signature verifier (default: the core's strict Ed25519 verifier). */
  verifier?: SignatureVerifier;
  /** Size, depth and signature-count limits (defaults of decisions §11). */
  limits?: Partial<Limits>;
  /** Names the summary in the report (default `summary`). */
  what?: string;
}

/** The outcome of {@link verifyVerificationSummary}. */
export interface SummaryVerification {
  /** The verdict: the report's `ok`. */
  ok: boolean;
  /** The report (kind `vsa`): the DSSE checks, then one check per step. */
  report: Report;
  /** `sha256:<hex>` of the summary's payload, once the envelope could be decoded. */
  payloadDigest?: string;
  /** The summary as read — present only when the report is ok. */
  summary?: VsaStatement;
  /** Who signed it (policy key names and identities, or key labels) — present only when ok. */
  signers?: Array<{ keyid: string; name?: string; identity?: string }>;
}

/** Array.isArray without narrowing a typed parameter to `any[]`. */
const isArray: (value: unknown) => boolean = Array.isArray;

interface Checked {
  policy: Policy | undefined;
  trusted: Array<PublicKey | Uint8Array>;
  threshold: number;
  asOfNanos: bigint | undefined;
  asOfText: string | null;
  subject: DigestSet | undefined;
  what: string;
}

function nanosOfTime(t: Date | string, what: string): bigint {
  if (t instanceof Date) {
    if (!Number.isFinite(t.getTime())) throw new TypeError(`"${what}" is an invalid Date`);
    return BigInt(t.getTime()) * 1_000_000n;
  }
  if (typeof t !== 'string') throw new TypeError(`"${what}" expected a Date or RFC 3339 text`);
  try {
    return parseTimestamp(t, what).epochNanos;
  } catch (e) {
    throw new TypeError(`"${what}": ${(e as Error).message}`, { cause: e });
  }
}

/** The options, checked (misuse throws). */
function checkedOptions(options: VerifySummaryOptions): Checked {
  if (!options || typeof options !== 'object')
    throw new TypeError(`"options" expected object, got ${describeType(options)}`);
  const { policy, trustedKeys } = options;
  if ((policy === undefined) === (trustedKeys === undefined))
    throw new TypeError('"options" expected exactly one of policy (its verifier role) and trustedKeys');
  if (trustedKeys !== undefined && !isArray(trustedKeys))
    throw new TypeError(`"options.trustedKeys" expected array, got ${describeType(trustedKeys)}`);
  if (policy !== undefined && options.threshold !== undefined)
    throw new TypeError('"options.threshold" applies to trustedKeys; a policy sets its verifier role threshold');
  const asOfNanos = options.asOf === undefined ? undefined : nanosOfTime(options.asOf, 'asOf');
  const m = options.maxAgeSeconds;
  if (m !== undefined && (typeof m !== 'number' || !Number.isFinite(m) || m < 0))
    throw new RangeError(`"options.maxAgeSeconds" expected a finite number >= 0, got ${String(m)}`);
  if (m !== undefined && asOfNanos === undefined) throw new TypeError('"options.maxAgeSeconds" needs "options.asOf"');
  const subject = typeof options.subject === 'string' ? digestSetFromText(options.subject, 'subject') : options.subject;
  return {
    policy,
    // Every policy key is tried, so a policy key outside the verifier role is named as such.
    trusted: policy ? policy.keys.map((k) => k.publicKey) : [...trustedKeys!],
    threshold: policy ? 1 : (options.threshold ?? 1),
    asOfNanos,
    asOfText: asOfNanos === undefined ? null : formatTimestamp(Number(asOfNanos / 1_000_000n)),
    subject,
    what: options.what ?? 'summary',
  };
}

/**
 * Verify a SLSA verification summary (VSA v1) offline. Never throws on untrusted input.
 *
 * 1. **Envelope**: strict DSSE verification (`dsse.*` checks) against the policy's keys (or the
 *    trusted keys), payloadType `application/vnd.in-toto+json`, an in-toto Statement v1 payload.
 * 2. **Read** the statement as a VSA v1 (`vsa.predicate`: VSA_INVALID; unknown fields ignored).
 * 3. **Signer** (`vsa.signer`): with a policy, keys of its verifier role standing at
 *    `timeVerified` (without it, at `asOf`), from the role's threshold of distinct identities (VSA_SIGNER_NOT_VERIFIER,
 *    KEY_COMPROMISED, KEY_REVOKED, KEY_OUTSIDE_VALIDITY, ROLE_THRESHOLD_NOT_MET).
 * 4. **Verifier** (`vsa.verifier`): `verifier.id` is the accepted one (VSA_VERIFIER_MISMATCH).
 * 5. **Policy** (`vsa.policy`): the policy named is the one required, uri and sha256 digest
 *    (VSA_POLICY_MISMATCH).
 * 6. **Resource** (`vsa.subject`, `vsa.resourceUri`): a subject digest matches the artifact, and
 *    `resourceUri` is the one expected (VSA_RESOURCE_MISMATCH); listed as skips when not asked.
 * 7. **Result** (`vsa.result`, `vsa.levels`): `verificationResult` is the one required
 *    (VSA_RESULT_MISMATCH); for PASSED, `verifiedLevels` holds LINEPROOF_CHAIN_V1 (VSA_LEVEL_MISSING).
 * 8. **Time** (`vsa.time`): with `asOf`, `timeVerified` is not more than 300 s after it
 *    (EVIDENCE_FROM_FUTURE) and, with `maxAgeSeconds`, not older (VSA_STALE).
 *
 * @param input the envelope: bytes, text, a parsed JSON value, wire form or decoded
 * @returns the report and, when it is ok, the summary and its signers
 * @throws {TypeError|RangeError} misuse: neither or both of policy and trustedKeys, a bad time or age
 * @example
 * ```ts
 * const { ok, report } = await verifyVerificationSummary(bytes, { policy, subject: 'sha256:…', asOf: new Date(), maxAgeSeconds: 86400 });
 * ```
 */
export async function verifyVerificationSummary(
  input: Uint8Array | string | JsonValue | Envelope | DecodedEnvelope,
  options: VerifySummaryOptions,
): Promise<SummaryVerification> {
  const o = checkedOptions(options);
  const report = new ReportBuilder('vsa', o.asOfText, o.policy?.digest ?? null);
  // 1. Envelope
  const env = await verifyEnvelope(input, {
    trustedKeys: o.trusted,
    threshold: o.threshold,
    payloadType: IN_TOTO_PAYLOAD_TYPE,
    what: o.what,
    ...(options.verifier ? { verifier: options.verifier } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  for (const c of env.report.checks) report.add(c);
  const payloadDigest = env.report.checks.find((c) => c.id === 'dsse.threshold')?.subject;
  const done = (summary?: VsaStatement, signers?: SummaryVerification['signers']): SummaryVerification => {
    report.result({ subject: payloadDigest ?? o.what, ok: report.ok, chain: [] });
    const built = report.build();
    const base = { ok: built.ok, report: built, ...(payloadDigest ? { payloadDigest } : {}) };
    return built.ok && summary ? { ...base, summary, ...(signers ? { signers } : {}) } : base;
  };
  if (!env.statement || payloadDigest === undefined) return done();
  // 2. Read
  let vsa: VsaStatement;
  try {
    vsa = readVsaStatement(env.statement);
    report.pass('vsa.predicate', payloadDigest, `a SLSA verification summary v1 (${vsa.predicate.verificationResult})`);
  } catch (e) {
    report.failFrom('vsa.predicate', payloadDigest, e);
    return done();
  }
  // 3. Signer
  const signers = checkSigner(report, o, env.verifiedKeys, vsa, payloadDigest);
  // 4. Verifier
  checkVerifier(report, vsa, options.verifierId ?? LINEPROOF_VERIFIER_ID, payloadDigest);
  // 5. Policy
  checkPolicy(report, vsa, options.policyUri ?? o.policy?.document.id, options.policyDigest ?? o.policy?.digest);
  // 6. Resource
  checkResource(report, vsa, o, options.resourceUri);
  // 7. Result
  checkResult(report, vsa, options.expectResult ?? 'PASSED', payloadDigest);
  // 8. Time
  checkTime(report, vsa, o.asOfNanos, options.maxAgeSeconds, payloadDigest);
  return done(vsa, signers);
}

/** Step 3: who signed, judged against the policy's verifier role (or the trusted keys). */
function checkSigner(
  report: ReportBuilder,
  o: Checked,
  verified: readonly PublicKey[],
  vsa: VsaStatement,
  subject: string,
): SummaryVerification['signers'] {
  if (!o.policy) {
    report.pass('vsa.signer', subject, `signed by ${verified.length} trusted key(s); ${o.threshold} required`);
    return verified.map((k) => ({ keyid: k.keyid }));
  }
  const policy = o.policy;
  const role = policy.document.roles.verifier;
  const need = role?.threshold ?? 1;
  const keys = verified.map((v) => policy.keys.find((k) => equalBytes(k.publicKey, v.bytes))!);
  const inRole = keys.filter((k) => k.roles.includes('verifier'));
  // A summary without timeVerified is judged as of the consumer's time; with neither, a key with a
  // validity window cannot be judged and does not count (fail closed).
  const at = vsa.predicate.timeVerified ?? o.asOfText ?? undefined;
  const rejected: string[] = [];
  let rejectionCode: ErrorCode | undefined;
  const counting = inRole.filter((k) => {
    const s =
      at === undefined && (k.spec.validFrom !== undefined || k.spec.validUntil !== undefined)
        ? {
            counts: false,
            rejected: {
              code: 'KEY_OUTSIDE_VALIDITY' as const,
              message: `key ${k.name} has a validity window and the summary says no time`,
            },
          }
        : keyStanding(policy, k, { role: 'verifier', at });
    if (s.rejected) {
      rejected.push(s.rejected.message);
      rejectionCode ??= s.rejected.code;
    }
    return s.counts;
  });
  const identities = [...new Set(counting.map((k) => k.identity))];
  const named = counting.map((k) => `${k.name} (${k.identity})`).join(', ');
  const extra = {
    expected: `>= ${need} verifier identit${need === 1 ? 'y' : 'ies'}`,
    actual: String(identities.length),
  };
  if (identities.length >= need) {
    report.pass('vsa.signer', subject, `signed by the verifier role: ${named}`, extra);
    return counting.map((k) => ({ keyid: verified[keys.indexOf(k)]!.keyid, name: k.name, identity: k.identity }));
  }
  const others = keys.filter((k) => !k.roles.includes('verifier')).map((k) => `${k.name} (${k.roles.join(', ')})`);
  if (identities.length > 0)
    report.fail('vsa.signer', 'ROLE_THRESHOLD_NOT_MET', subject, `only ${named} of the verifier role signed`, extra);
  else if (rejectionCode) report.fail('vsa.signer', rejectionCode, subject, rejected.join('; '), extra);
  else
    report.fail(
      'vsa.signer',
      'VSA_SIGNER_NOT_VERIFIER',
      subject,
      `no key of the policy's verifier role signed${others.length ? `; signed by ${others.join(', ')}` : ''}${role ? '' : ' (the policy has no verifier role)'}`,
      extra,
    );
  return undefined;
}

/** Step 4. */
function checkVerifier(report: ReportBuilder, vsa: VsaStatement, id: string, subject: string): void {
  const actual = vsa.predicate.verifier.id;
  const extra = { expected: id, actual: actual.slice(0, 200) };
  if (actual === id) report.pass('vsa.verifier', subject, `verifier.id is ${id}`, extra);
  else report.fail('vsa.verifier', 'VSA_VERIFIER_MISMATCH', subject, `verifier.id is not ${id}`, extra);
}

/** Step 5. */
function checkPolicy(
  report: ReportBuilder,
  vsa: VsaStatement,
  uri: string | undefined,
  digest: string | undefined,
): void {
  const p = vsa.predicate.policy;
  const named = `${String(p.uri).slice(0, 200)} sha256:${p.digest?.sha256 ?? '(none)'}`;
  if (uri === undefined && digest === undefined) {
    report.skip('vsa.policy', 'OK', 'policy', 'no policy required: the policy named was not checked', {
      actual: named,
    });
    return;
  }
  const want = digest === undefined ? undefined : digestSetFromText(digest, 'policyDigest', { alg: 'sha256' }).sha256;
  const problems: string[] = [];
  if (uri !== undefined && p.uri !== uri) problems.push(`uri is not ${uri}`);
  if (want !== undefined && p.digest?.sha256 !== want) problems.push(`sha256 digest is not ${want}`);
  const extra = {
    expected: `${uri ?? '(any uri)'} ${want === undefined ? '' : `sha256:${want}`}`.trim(),
    actual: named,
  };
  if (problems.length === 0) report.pass('vsa.policy', 'policy', 'names the policy required', extra);
  else report.fail('vsa.policy', 'VSA_POLICY_MISMATCH', 'policy', `the policy named: ${problems.join('; ')}`, extra);
}

/** Step 6. */
function checkResource(report: ReportBuilder, vsa: VsaStatement, o: Checked, uri: string | undefined): void {
  const accepted = o.policy?.document.digestAlgorithms;
  if (o.subject === undefined) {
    report.skip('vsa.subject', 'OK', 'subject', 'no artifact given: the subject was not matched');
  } else {
    const want = o.subject;
    const hit = vsa.subject.some((s) => matchDigestSets(s.digest, want, accepted).match);
    const extra = {
      expected: Object.entries(want)
        .map(([a, h]) => `${a}:${h}`)
        .join(' '),
    };
    if (hit) report.pass('vsa.subject', 'subject', 'a subject digest matches the artifact', extra);
    else
      report.fail('vsa.subject', 'VSA_RESOURCE_MISMATCH', 'subject', 'no subject digest matches the artifact', extra);
  }
  const actual = vsa.predicate.resourceUri;
  if (uri === undefined) {
    report.skip('vsa.resourceUri', 'OK', 'resourceUri', 'no resourceUri required', { actual: actual.slice(0, 200) });
    return;
  }
  const extra = { expected: uri, actual: actual.slice(0, 200) };
  if (actual === uri) report.pass('vsa.resourceUri', 'resourceUri', `resourceUri is ${uri}`, extra);
  else report.fail('vsa.resourceUri', 'VSA_RESOURCE_MISMATCH', 'resourceUri', `resourceUri is not ${uri}`, extra);
}

/** Step 7. */
function checkResult(report: ReportBuilder, vsa: VsaStatement, want: VerificationResult, subject: string): void {
  const actual = vsa.predicate.verificationResult;
  const extra = { expected: want, actual };
  if (actual === want) report.pass('vsa.result', subject, `verificationResult is ${want}`, extra);
  else report.fail('vsa.result', 'VSA_RESULT_MISMATCH', subject, `verificationResult is ${actual}, not ${want}`, extra);
  const levels = vsa.predicate.verifiedLevels;
  const level = want === 'PASSED' ? LINEPROOF_CHAIN_LEVEL : FAILED_LEVEL;
  const lx = { expected: level, actual: levels.slice(0, 8).join(', ').slice(0, 200) };
  if (levels.includes(level)) report.pass('vsa.levels', subject, `verifiedLevels holds ${level}`, lx);
  else if (want === 'FAILED') report.skip('vsa.levels', 'OK', subject, `verifiedLevels does not say ${level}`, lx);
  else report.fail('vsa.levels', 'VSA_LEVEL_MISSING', subject, `verifiedLevels lacks ${level}`, lx);
}

/** Step 8. */
function checkTime(
  report: ReportBuilder,
  vsa: VsaStatement,
  asOf: bigint | undefined,
  maxAgeSeconds: number | undefined,
  subject: string,
): void {
  const t = vsa.predicate.timeVerified;
  if (asOf === undefined) {
    report.skip('vsa.time', 'OK', subject, 'no verification time given: timeVerified was not checked', {
      ...(t ? { actual: t } : {}),
    });
    return;
  }
  const asOfText = formatTimestamp(Number(asOf / 1_000_000n));
  if (t === undefined) {
    if (maxAgeSeconds !== undefined)
      report.fail('vsa.time', 'VSA_STALE', subject, 'the summary says no timeVerified; its age cannot be known');
    else report.skip('vsa.time', 'OK', subject, 'the summary says no timeVerified');
    return;
  }
  const at = parseTimestamp(t).epochNanos;
  const ns = 1_000_000_000n;
  if (at > asOf + BigInt(FUTURE_SKEW_SECONDS) * ns) {
    report.fail('vsa.time', 'EVIDENCE_FROM_FUTURE', subject, `verified at ${t}, after ${asOfText} (+300 s)`, {
      expected: `<= ${asOfText} + ${FUTURE_SKEW_SECONDS} s`,
      actual: t,
    });
    return;
  }
  if (maxAgeSeconds !== undefined) {
    const oldest = asOf - BigInt(Math.floor(maxAgeSeconds * 1000)) * 1_000_000n;
    const extra = { expected: `>= ${formatTimestamp(Number(oldest / 1_000_000n))}`, actual: t };
    if (at < oldest) {
      report.fail(
        'vsa.time',
        'VSA_STALE',
        subject,
        `verified at ${t}, more than ${maxAgeSeconds} s before ${asOfText}`,
        extra,
      );
      return;
    }
    report.pass('vsa.time', subject, `verified at ${t}, within ${maxAgeSeconds} s of ${asOfText}`, extra);
    return;
  }
  report.pass('vsa.time', subject, `verified at ${t}, not after ${asOfText}`, { actual: t });
}
