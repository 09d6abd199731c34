/**
 * Verifying DSSE envelopes (DESIGN §6, spec/envelopes.md "Verification").
 */
import { equalBytes, isAscii, isBytes, toHex } from '../bytes/index.js';
import { describeType, shortDigest } from '../errors.js';
import type { JsonValue } from '../json/strict.js';
import { parseJson } from '../json/strict.js';
import { resolveLimits, type Limits } from '../limits.js';
import { strictEd25519Verifier } from '../keys/ed25519.js';
import { keyidsOf } from '../keys/keyid.js';
import { checkedPublicKey, publicKeyFromBytes } from '../keys/keys.js';
import type { PublicKey, SignatureCheck, SignatureVerifier } from '../keys/types.js';
import { ReportBuilder, type Report } from '../report/index.js';
import { IN_TOTO_PAYLOAD_TYPE, parseStatement, payloadDigest, type Statement } from '../statements/statement.js';
import { parseEnvelope, type DecodedEnvelope, type Envelope } from './envelope.js';
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
  /** Size, depth and signature-count limits (defaults of DESIGN §11). */
  limits?: Partial<Limits>;
  /** Names the envelope in the report, e.g. its file name (default `envelope`). */
  what?: string;
}

/** The outcome of {@link verifyEnvelope}. */
export interface EnvelopeVerification {
  /** The report (DESIGN §10, kind `dsse`); `report.ok` is the verdict. */
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

interface Trusted {
  key: PublicKey;
  /** Legacy and modern keyids, to explain keyid hints in messages (never to pick a key). */
  ids: string[];
  label: string;
}

function keyLabel(key: PublicKey): string {
  return key.keyid !== '' ? shortDigest(key.keyid) : `ed25519:${shortDigest(toHex(key.bytes))}`;
}

const HINT_IDS = new WeakMap<PublicKey, string[]>();

/** The legacy and modern keyids of a key (cached per key object), to explain keyid hints. */
function hintIds(key: PublicKey): string[] {
  let ids = HINT_IDS.get(key);
  if (!ids) {
    const both = keyidsOf(key.bytes);
    ids = [both.legacy, both.modern];
    HINT_IDS.set(key, ids);
  }
  return ids;
}

/** Deduplicate trusted keys by their public-key bytes (first occurrence wins). */
function dedupeKeys(keys: ReadonlyArray<PublicKey | Uint8Array>): Trusted[] {
  const out: Trusted[] = [];
  keys.forEach((k, i) => {
    let key: PublicKey;
    if (isBytes(k)) key = publicKeyFromBytes(k, { what: `trustedKeys[${i}]` });
    else if (k && typeof k === 'object' && isBytes((k as PublicKey).bytes) && typeof (k as PublicKey).keyid === 'string') key = checkedPublicKey(k, `trustedKeys[${i}]`);
    else throw new TypeError(`"trustedKeys[${i}]" expected PublicKey or Uint8Array, got ${describeType(k)}`);
    if (!out.some((t) => equalBytes(t.key.bytes, key.bytes))) out.push({ key, ids: hintIds(key), label: keyLabel(key) });
  });
  return out;
}

/**
 * Verify a DSSE envelope against trusted keys. Never throws on untrusted input: every problem is
 * a check in the report. The steps run in exactly this order (DESIGN §6):
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
 * @param input the envelope: bytes, text, a parsed JSON value, or wire form
 * @returns the report, the verified payload and statement (only when ok), the verified keys
 * @throws {RangeError} a threshold below 1, or above the number of distinct trusted keys
 * @throws {TypeError} malformed options (misuse); {LineproofError} a trusted key given as bytes is invalid
 * @example
 * ```ts
 * const { report, statement } = await verifyEnvelope(bytes, { trustedKeys: [alice], payloadType: IN_TOTO_PAYLOAD_TYPE });
 * assertVerified(report);
 * ```
 */
export async function verifyEnvelope(input: Uint8Array | string | JsonValue | Envelope, options: VerifyEnvelopeOptions): Promise<EnvelopeVerification> {
  if (!options || typeof options !== 'object') throw new TypeError(`"options" expected object, got ${describeType(options)}`);
  if (!Array.isArray(options.trustedKeys)) throw new TypeError(`"options.trustedKeys" expected array, got ${describeType(options.trustedKeys)}`);
  const trusted = dedupeKeys(options.trustedKeys);
  const threshold = options.threshold ?? 1;
  if (!Number.isInteger(threshold) || threshold < 1) throw new RangeError(`"options.threshold" expected an integer >= 1, got ${String(threshold)}`);
  if (threshold > trusted.length) {
    throw new RangeError(`"options.threshold" is ${threshold} but there are only ${trusted.length} distinct trusted keys; it can never be met`);
  }
  if (options.payloadType !== undefined && (typeof options.payloadType !== 'string' || !isAscii(options.payloadType))) {
    throw new TypeError(`"options.payloadType" expected an ASCII string, got ${describeType(options.payloadType)}`);
  }
  const verifier = options.verifier ?? strictEd25519Verifier;
  if (!verifier || typeof verifier.verify !== 'function') throw new TypeError('"options.verifier" expected a SignatureVerifier');
  const limits = resolveLimits(options.limits);
  const what = options.what ?? 'envelope';
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
  report.pass('dsse.envelope', what, `decoded: payloadType ${JSON.stringify(env.payloadType)}, ${env.payload.length}-byte payload, ${env.signatures.length} signature(s)`);

  // 2. PAE over the exact payload bytes
  const message = pae(env.payloadType, env.payload);

  // 3. each signature against each trusted key
  const counted = new Map<number, number>(); // trusted index -> signature index that counted it
  for (const [i, s] of env.signatures.entries()) {
    await checkSignature(report, verifier, trusted, counted, verifiedKeys, message, s.sig, s.keyid, i);
  }

  // 4. distinct-key threshold
  const n = counted.size;
  const signers = [...counted.keys()].map((k) => trusted[k]!.label).join(', ');
  const extra = { expected: `>= ${threshold} distinct trusted key(s)`, actual: n === 0 ? '0' : `${n} (${signers})` };
  if (n >= threshold) report.pass('dsse.threshold', subject, `${n} distinct trusted key(s) signed; ${threshold} required`, extra);
  else if (n === 0) report.fail('dsse.threshold', 'DSSE_NO_TRUSTED_SIGNATURE', subject, `no signature verifies under a trusted key; ${threshold} required`, extra);
  else report.fail('dsse.threshold', 'DSSE_THRESHOLD_NOT_MET', subject, `${n} distinct trusted key(s) signed; ${threshold} required`, extra);

  // 5. exact payloadType match, when one is required
  if (options.payloadType === undefined) {
    report.skip('dsse.payloadType', 'OK', subject, 'no payloadType required', { actual: env.payloadType });
  } else if (env.payloadType === options.payloadType) {
    report.pass('dsse.payloadType', subject, `payloadType is ${JSON.stringify(env.payloadType)}`, { expected: options.payloadType, actual: env.payloadType });
  } else {
    report.fail('dsse.payloadType', 'DSSE_PAYLOAD_TYPE_MISMATCH', subject, `payloadType ${JSON.stringify(env.payloadType)} is not the required ${JSON.stringify(options.payloadType)}`, {
      expected: options.payloadType,
      actual: env.payloadType,
    });
  }

  // 6. in-toto payloads: strict parsing and Statement validation
  let statement: Statement | undefined;
  if (env.payloadType === IN_TOTO_PAYLOAD_TYPE) {
    statement = checkStatement(report, env.payload, subject, limits);
  } else {
    report.skip('dsse.statement', 'OK', subject, 'not an in-toto payload; no Statement to validate', { actual: env.payloadType });
  }

  report.result({ subject, ok: report.ok, chain: [] });
  const final = report.build();
  // Fail closed: nothing read from an unverified envelope is handed back.
  if (!final.ok) return { report: final, verifiedKeys };
  return statement ? { report: final, payload: env.payload, payloadType: env.payloadType, statement, verifiedKeys } : { report: final, payload: env.payload, payloadType: env.payloadType, verifiedKeys };
}

async function checkSignature(
  report: ReportBuilder,
  verifier: SignatureVerifier,
  trusted: Trusted[],
  counted: Map<number, number>,
  verifiedKeys: PublicKey[],
  message: Uint8Array,
  sig: Uint8Array,
  keyid: string | undefined,
  i: number,
): Promise<void> {
  const subject = `signatures[${i}]`;
  const outcomes: SignatureCheck[] = [];
  let verifiedBy = -1;
  // Every trusted key is tried; the keyid hint only decides the order (a hinted key first), so a
  // correct hint saves the other tries and a wrong or missing one changes nothing but speed.
  const order = [...trusted.keys()];
  if (keyid !== undefined) order.sort((a, b) => Number(trusted[b]!.ids.includes(keyid)) - Number(trusted[a]!.ids.includes(keyid)));
  for (const k of order) {
    const t = trusted[k]!;
    let check: SignatureCheck;
    try {
      check = await verifier.verify(sig, message, t.key.bytes);
    } catch (e) {
      check = { valid: false, code: 'INTERNAL', reason: `verifier ${verifier.name} threw: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (check.valid) {
      verifiedBy = k;
      break; // a signature counts for at most one key
    }
    outcomes.push(check);
  }
  const hint = keyid === undefined ? '' : keyHintNote(trusted, keyid, verifiedBy);
  if (verifiedBy >= 0) {
    const t = trusted[verifiedBy]!;
    const earlier = counted.get(verifiedBy);
    if (earlier === undefined) {
      counted.set(verifiedBy, i);
      verifiedKeys.push(t.key);
      report.pass('dsse.signature', subject, `verifies under trusted key ${t.label}${hint}`, { actual: t.label });
    } else {
      report.pass('dsse.signature', subject, `verifies under trusted key ${t.label}, already counted for signatures[${earlier}]; a key counts once${hint}`, { actual: t.label });
    }
    return;
  }
  // Not verified by any trusted key: listed (skip), never counted. A signature no trusted key
  // verifies may belong to a signer this verifier does not trust, so it does not fail by itself;
  // the threshold check decides. The code says why when every key gave the same reason.
  const codes = new Set(outcomes.map((o) => (o.valid ? 'OK' : o.code)));
  const only = outcomes[0];
  if (codes.size === 1 && only && !only.valid && only.code !== 'ED25519_SIGNATURE_INVALID') {
    report.skip('dsse.signature', only.code, subject, `not counted: ${only.reason}${hint}`);
  } else {
    report.skip('dsse.signature', 'DSSE_SIGNATURE_UNVERIFIED', subject, `not counted: no trusted key verifies it (tried ${trusted.length})${hint}`);
  }
}

function keyHintNote(trusted: Trusted[], keyid: string, verifiedBy: number): string {
  const named = trusted.findIndex((t) => t.ids.includes(keyid));
  if (named === -1) return `; its keyid hint ${JSON.stringify(shortDigest(keyid))} names no trusted key`;
  if (verifiedBy >= 0 && named !== verifiedBy) return `; its keyid hint names another trusted key (${trusted[named]!.label}), ignored`;
  return '';
}

function checkStatement(report: ReportBuilder, payload: Uint8Array, subject: string, limits: Limits): Statement | undefined {
  try {
    const value = parseJson(payload, { what: 'payload', maxDepth: limits.jsonDepth, maxBytes: limits.envelopeBytes });
    const statement = parseStatement(value, 'payload');
    report.pass('dsse.statement', subject, `an in-toto Statement v1 with predicateType ${JSON.stringify(statement.predicateType)} and ${statement.subject.length} subject(s)`);
    return statement;
  } catch (e) {
    report.failFrom('dsse.statement', subject, e);
    return undefined;
  }
}
