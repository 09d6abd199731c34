/**
 * Verifying DSSE envelopes (decisions §6, spec/envelopes.md "Verification").
 */
import { isAscii } from '../bytes/index.js';
import { describeType } from '../errors.js';
import type { JsonValue } from '../json/strict.js';
import { parseJson } from '../json/strict.js';
import { resolveLimits, type Limits } from '../limits.js';
import { strictEd25519Verifier } from '../keys/ed25519.js';
import type { PublicKey, SignatureVerifier } from '../keys/types.js';
import { ReportBuilder, type Report } from '../report/index.js';
import { IN_TOTO_PAYLOAD_TYPE, parseStatement, payloadDigest, type Statement } from '../statements/statement.js';
import { parseEnvelope, type DecodedEnvelope, type DecodedSignature, type Envelope } from './envelope.js';
import { checkSignature, keyHintNote, trustedKeySet, type TrustedKey } from './signatures.js';
import { pae } from './pae.js';

/** Options for {@link verifyEnvelope}. */
export interface VerifyEnvelopeOptions {
  /** The keys to trust. Deduplicated by public-key bytes; raw bytes are imported (and checked). */
  trustedKeys: ReadonlyArray<PublicKey | Uint8Array>;
  /** Distinct trusted keys that must each have signed (default 1). Above the number of distinct trusted keys: RangeError. */
  threshold?: number;
  /** When given, the envelope's payloadType must equal it exactly. */
  payloadType?: string;
  /** Signature verifier (default: the core's strict Ed25519 verifier). */
  verifier?: SignatureVerifier;
  /** Size, depth and signature-count limits (defaults of decisions §11). */
  limits?: Partial<Limits>;
  /** Names the envelope in the report, e.g. its file name (default `envelope`). */
  what?: string;
}

/** The outcome of {@link verifyEnvelope}. */
export interface EnvelopeVerification {
  /** The report (decisions §10, kind `dsse`); `report.ok` is the verdict. */
  report: Report;
  /** The verified payload bytes — present only when the report is ok. */
  payload?: Uint8Array;
  /** The verified payloadType — present only when the report is ok. */
  payloadType?: string;
  /** The parsed in-toto Statement — present only when the report is ok and the payload is in-toto. */
  statement?: Statement;
  /** The distinct trusted keys whose signatures verified, in the order they were counted. */
  verifiedKeys: PublicKey[];
}

/**
 * Verify a DSSE envelope against trusted keys. Never throws on untrusted input: every problem is
 * a check in the report. The steps run in exactly this order (decisions §6):
 *
 * 1. **decode** — strict JSON, shape, strict base64, ASCII payloadType, at most 16 signatures
 *    (check `dsse.envelope`); on failure nothing else can run;
 * 2. **PAE** over the exact payload bytes (never a re-serialization);
 * 3. **each signature against each trusted key** (check `dsse.signature`, one per signature):
 *    keyid is only a hint and never picks a key; a signature counts for at most one key;
 * 4. **distinct-key threshold** (check `dsse.threshold`): the number of distinct trusted keys
 *    with a verifying signature must reach `threshold` — one key signing twice counts once;
 * 5. **payloadType** equals the required one exactly, when one is required (check `dsse.payloadType`);
 * 6. for `application/vnd.in-toto+json`, **strict parsing and Statement validation**
 *    (check `dsse.statement`), whose failure fails verification.
 *
 * @param input the envelope: bytes, text, a parsed JSON value, wire form, or already decoded (checked
 *   by the same rules and limits, not re-encoded)
 * @returns the report, the verified payload and statement (only when ok), the verified keys
 * @throws {RangeError} a threshold below 1, or above the number of distinct trusted keys
 * @throws {TypeError} malformed options (misuse); {LineproofError} a trusted key given as bytes is invalid
 * @example
 * ```ts
 * const { report, statement } = await verifyEnvelope(bytes, { trustedKeys: [alice], payloadType: IN_TOTO_PAYLOAD_TYPE });
 * assertVerified(report);
 * ```
 */
export async function verifyEnvelope(
  input: Uint8Array | string | JsonValue | Envelope | DecodedEnvelope,
  options: VerifyEnvelopeOptions,
): Promise<EnvelopeVerification> {
  const { trusted, threshold, verifier, limits, what } = checkedOptions(options);
  const report = new ReportBuilder('dsse');
  const verifiedKeys: PublicKey[] = [];

  // 1. decode
  let env: DecodedEnvelope;
  try {
    env = parseEnvelope(input, { limits, what });
  } catch (e) {
    report.failFrom('dsse.envelope', what, e);
    report.result({ subject: what, ok: false, chain: [] });
    return { report: report.build(), verifiedKeys };
  }
  const subject = payloadDigest(env.payload);
  report.pass(
    'dsse.envelope',
    what,
    `decoded: payloadType ${JSON.stringify(env.payloadType)}, ${env.payload.length}-byte payload, ${env.signatures.length} signature(s)`,
  );

  // 2. PAE over the exact payload bytes
  const message = pae(env.payloadType, env.payload);

  // 3. each signature against each trusted key
  const counted = new Map<number, number>(); // trusted index -> signature index that counted it
  for (const [i, s] of env.signatures.entries()) {
    await countSignature(report, verifier, trusted, counted, verifiedKeys, message, s, i);
  }

  // 4. distinct-key threshold
  const n = counted.size;
  const signers = [...counted.keys()].map((k) => trusted[k]!.label).join(', ');
  const extra = { expected: `>= ${threshold} distinct trusted key(s)`, actual: n === 0 ? '0' : `${n} (${signers})` };
  if (n >= threshold)
    report.pass('dsse.threshold', subject, `${n} distinct trusted key(s) signed; ${threshold} required`, extra);
  else if (n === 0)
    report.fail(
      'dsse.threshold',
      'DSSE_NO_TRUSTED_SIGNATURE',
      subject,
      `no signature verifies under a trusted key; ${threshold} required`,
      extra,
    );
  else
    report.fail(
      'dsse.threshold',
      'DSSE_THRESHOLD_NOT_MET',
      subject,
      `${n} distinct trusted key(s) signed; ${threshold} required`,
      extra,
    );

  // 5. exact payloadType match, when one is required
  if (options.payloadType === undefined) {
    report.skip('dsse.payloadType', 'OK', subject, 'no payloadType required', { actual: env.payloadType });
  } else if (env.payloadType === options.payloadType) {
    report.pass('dsse.payloadType', subject, `payloadType is ${JSON.stringify(env.payloadType)}`, {
      expected: options.payloadType,
      actual: env.payloadType,
    });
  } else {
    report.fail(
      'dsse.payloadType',
      'DSSE_PAYLOAD_TYPE_MISMATCH',
      subject,
      `payloadType ${JSON.stringify(env.payloadType)} is not the required ${JSON.stringify(options.payloadType)}`,
      {
        expected: options.payloadType,
        actual: env.payloadType,
      },
    );
  }

  // 6. in-toto payloads: strict parsing and Statement validation
  let statement: Statement | undefined;
  if (env.payloadType === IN_TOTO_PAYLOAD_TYPE) {
    statement = checkStatement(report, env.payload, subject, limits);
  } else {
    report.skip('dsse.statement', 'OK', subject, 'not an in-toto payload; no Statement to validate', {
      actual: env.payloadType,
    });
  }

  report.result({ subject, ok: report.ok, chain: [] });
  const final = report.build();
  // Fail closed: nothing read from an unverified envelope is handed back.
  if (!final.ok) return { report: final, verifiedKeys };
  return statement
    ? { report: final, payload: env.payload, payloadType: env.payloadType, statement, verifiedKeys }
    : { report: final, payload: env.payload, payloadType: env.payloadType, verifiedKeys };
}

/** The options, checked (misuse throws): the trusted key set, threshold, verifier, limits, name. */
function checkedOptions(options: VerifyEnvelopeOptions): {
  trusted: TrustedKey[];
  threshold: number;
  verifier: SignatureVerifier;
  limits: Limits;
  what: string;
} {
  if (!options || typeof options !== 'object')
    throw new TypeError(`"options" expected object, got ${describeType(options)}`);
  if (!Array.isArray(options.trustedKeys))
    throw new TypeError(`"options.trustedKeys" expected array, got ${describeType(options.trustedKeys)}`);
  const trusted = trustedKeySet(options.trustedKeys);
  const threshold = options.threshold ?? 1;
  if (!Number.isInteger(threshold) || threshold < 1)
    throw new RangeError(`"options.threshold" expected an integer >= 1, got ${String(threshold)}`);
  if (threshold > trusted.length) {
    throw new RangeError(
      `"options.threshold" is ${threshold} but there are only ${trusted.length} distinct trusted keys; it can never be met`,
    );
  }
  if (options.payloadType !== undefined && (typeof options.payloadType !== 'string' || !isAscii(options.payloadType))) {
    throw new TypeError(`"options.payloadType" expected an ASCII string, got ${describeType(options.payloadType)}`);
  }
  const verifier = options.verifier ?? strictEd25519Verifier;
  if (!verifier || typeof verifier.verify !== 'function')
    throw new TypeError('"options.verifier" expected a SignatureVerifier');
  const limits = resolveLimits(options.limits);
  const what = options.what ?? 'envelope';
  return { trusted, threshold, verifier, limits, what };
}

async function countSignature(
  report: ReportBuilder,
  verifier: SignatureVerifier,
  trusted: readonly TrustedKey[],
  counted: Map<number, number>,
  verifiedKeys: PublicKey[],
  message: Uint8Array,
  sig: DecodedSignature,
  i: number,
): Promise<void> {
  const subject = `signatures[${i}]`;
  const outcome = await checkSignature(verifier, trusted, message, sig.sig, sig.keyid);
  const hint = keyHintNote(trusted, sig.keyid, outcome.keyIndex);
  if (outcome.keyIndex >= 0) {
    const t = trusted[outcome.keyIndex]!;
    const earlier = counted.get(outcome.keyIndex);
    if (earlier === undefined) {
      counted.set(outcome.keyIndex, i);
      verifiedKeys.push(t.key);
      report.pass('dsse.signature', subject, `verifies under trusted key ${t.label}${hint}`, { actual: t.label });
    } else {
      report.pass(
        'dsse.signature',
        subject,
        `verifies under trusted key ${t.label}, already counted for signatures[${earlier}]; a key counts once${hint}`,
        { actual: t.label },
      );
    }
    return;
  }
  // Not verified by any trusted key: listed (skip), never counted. A signature no trusted key
  // verifies may belong to a signer this verifier does not trust, so it does not fail by itself;
  // the threshold check decides.
  const failure = outcome.failure!;
  report.skip('dsse.signature', failure.code, subject, `not counted: ${failure.reason}${hint}`);
}

function checkStatement(
  report: ReportBuilder,
  payload: Uint8Array,
  subject: string,
  limits: Limits,
): Statement | undefined {
  try {
    const value = parseJson(payload, { what: 'payload', maxDepth: limits.jsonDepth, maxBytes: limits.envelopeBytes });
    const statement = parseStatement(value, 'payload');
    report.pass(
      'dsse.statement',
      subject,
      `an in-toto Statement v1 with predicateType ${JSON.stringify(statement.predicateType)} and ${statement.subject.length} subject(s)`,
    );
    return statement;
  } catch (e) {
    report.failFrom('dsse.statement', subject, e);
    return undefined;
  }
}
