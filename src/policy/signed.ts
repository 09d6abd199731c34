/**
 * Signed policies and their rotation (decisions §13, spec/policy.md "Signed policies").
 *
 * A policy travels as a DSSE envelope, payloadType {@link POLICY_PAYLOAD_TYPE}, whose payload is
 * the policy's JCS bytes (so the policy digest is sha256 of the payload), signed by the `admins`
 * it names. A verifier pins a root — a policy version it trusts as given, or a root-keys document
 * (admins' public keys and a threshold) — and {@link resolvePolicy} accepts version n + 1 only
 * when it is signed by the threshold of version n's admins and by the threshold of its own
 * (TUF's root-rotation rule), so an outsider's key, a lowered gate or a changed admin set never
 * arrives without the old admins' agreement. Versions go up by exactly one; rollback is judged
 * against the pinned root and the caller's minimum version (an offline verifier keeps no state).
 * Without a pinned root a policy loads as given and its trust says so (`unsigned`, or
 * `self-signed` when it is an envelope its own admins signed: that names who signed, not that
 * anyone should trust them).
 *
 * The resolver is a verifier: whatever the files hold, it returns a coded failure and never
 * throws (misuse of the API throws TypeError). Its cost is bounded: at most the envelope limit of
 * signatures per version, each tried against at most {@link MAX_ADMIN_KEYS} keys per admin set.
 */
import { equalBytes, toHex } from '../bytes/index.js';
import { parseEnvelope, type DecodedEnvelope, type Envelope } from '../dsse/envelope.js';
import { pae } from '../dsse/pae.js';
import { LineproofError, type ErrorCode } from '../errors.js';
import { canonicalBytes } from '../json/canonical.js';
import { parseJson, type JsonValue } from '../json/strict.js';
import { strictEd25519Verifier } from '../keys/ed25519.js';
import { parsePublicKey } from '../keys/keys.js';
import type { SignatureVerifier } from '../keys/types.js';
import { resolveLimits, type Limits } from '../limits.js';
import { parsePolicy, type Policy } from './policy.js';

/** payloadType of a signed policy (decisions §13). */
export const POLICY_PAYLOAD_TYPE = 'application/vnd.lineproof.policy.v1+json';

/** The marker field of a root-keys document (a pinned root that is keys, not a policy). */
export const POLICY_ROOT_MARKER = 'lineproofPolicyRoot';

/** Most keys an admin set (a policy's `admins`, a root-keys document) may name. */
export const MAX_ADMIN_KEYS = 64;

/** What a verifier knows of where its policy came from; carried by the resolved {@link Policy}. */
export interface PolicyTrust {
  /**
   * `rooted`: chained from the pinned root by the rotation rule; `self-signed`: an envelope its own
   * admins signed, no root pinned; `unsigned`: a plain policy, no root pinned.
   */
  status: 'rooted' | 'self-signed' | 'unsigned';
  id: string;
  version: number;
  /** `sha256:<hex>` of the policy's JCS bytes. */
  digest: string;
  /** Names (in the policy) of the admin keys of this version whose signatures verified. */
  signers: string[];
  /** The pinned root: a policy version, or admin keys (lowercase hex) with a threshold. */
  root?: { kind: 'policy'; version: number; digest: string } | { kind: 'keys'; keys: string[]; threshold: number };
  /** Every version accepted, oldest first, each with its own admins that signed it. */
  versions: Array<{ version: number; digest: string; signers: string[] }>;
}

/** The outcome of {@link resolvePolicy}: the policy to verify against, or the coded reason there is none. */
export type PolicyResolution =
  { ok: true; policy: Policy; trust: PolicyTrust } | { ok: false; code: ErrorCode; message: string; path: string };

/** Options for {@link resolvePolicy}. */
export interface ResolvePolicyOptions {
  /** The pinned root: a policy (plain JSON or a signed envelope), or a root-keys document. */
  root?: Uint8Array | string | JsonValue | Envelope;
  /** Names the root in messages (default `policy root`). */
  rootWhat?: string;
  /** Names of the inputs in messages, by position (default `policy[i]`). */
  what?: readonly string[];
  /** Refuse a policy whose version is below this (a service passes the highest it has seen). */
  minVersion?: number;
  /** Signature verifier (default: the core's strict Ed25519 verifier). */
  verifier?: SignatureVerifier;
  /** Envelope size, depth and signature-count limits. */
  limits?: Partial<Limits>;
}

/** One policy version as given: the loaded policy and, when it came signed, its envelope. */
export interface Version {
  what: string;
  policy: Policy;
  envelope?: DecodedEnvelope;
}

/** A set of keys that can sign a version: raw bytes with a name each, and how many must sign. */
interface AdminSet {
  keys: Array<{ name: string; bytes: Uint8Array }>;
  threshold: number;
  /** Names the set in messages. */
  label: string;
}

class Refusal extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

function isObject(v: unknown): v is Record<string, JsonValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

export function readJson(input: Uint8Array | string | JsonValue | Envelope, what: string, limits: Limits): JsonValue {
  return input instanceof Uint8Array || typeof input === 'string'
    ? parseJson(input, { what, maxBytes: limits.envelopeBytes, maxDepth: limits.jsonDepth })
    : (input as JsonValue);
}

/** A policy, plain or signed (internal: used by signPolicy too). Throws LineproofError (JSON_*, DSSE_*, POLICY_*) on malformed input. */
export function decodeVersion(raw: JsonValue, what: string, limits: Limits): Version {
  if (isObject(raw) && Object.hasOwn(raw, 'payloadType') && Object.hasOwn(raw, 'signatures')) {
    const envelope = parseEnvelope(raw, { limits, what });
    if (envelope.payloadType !== POLICY_PAYLOAD_TYPE)
      throw new LineproofError(
        'POLICY_INVALID',
        `${what}: an envelope of payloadType ${JSON.stringify(envelope.payloadType)} is not a signed policy (expected ${POLICY_PAYLOAD_TYPE})`,
        { path: what, expected: POLICY_PAYLOAD_TYPE, actual: envelope.payloadType },
      );
    const document = parseJson(envelope.payload, {
      what: `${what}: payload`,
      maxBytes: limits.envelopeBytes,
      maxDepth: limits.jsonDepth,
    });
    if (!equalBytes(canonicalBytes(document), envelope.payload))
      throw new LineproofError(
        'POLICY_INVALID',
        `${what}: the payload is not the JCS (RFC 8785) form of the policy it holds, so its digest would not name it`,
        { path: `${what}: payload` },
      );
    return { what, policy: parsePolicy(document, { what }), envelope };
  }
  return { what, policy: parsePolicy(raw, { what }) };
}

/** The admins a policy names, as a signing set: compromised or revoked keys never count. */
function adminsOf(v: Version): AdminSet | undefined {
  const admins = v.policy.document.admins;
  if (!admins) return undefined;
  const revoked = new Set(v.policy.document.revocations.flatMap((r) => (r.kind === 'key' ? [r.key] : [])));
  const keys = [...new Set(admins.keys)]
    .filter((n) => v.policy.document.keys[n]!.status !== 'compromised' && !revoked.has(n))
    .map((n) => ({ name: n, bytes: v.policy.keyByName.get(n)!.publicKey }));
  return { keys, threshold: admins.threshold, label: `version ${v.policy.document.version}'s admins` };
}

/** Names of the distinct keys of `set` that signed `v`'s envelope (each signature, each key, tried once). */
async function signersAmong(v: Version, set: AdminSet, verifier: SignatureVerifier): Promise<string[]> {
  const env = v.envelope;
  if (!env) return [];
  const message = pae(env.payloadType, env.payload);
  const found = new Map<string, string>(); // hex -> name
  const keys = set.keys.map((k) => ({ ...k, hex: toHex(k.bytes) }));
  for (const s of env.signatures) {
    for (const k of keys) {
      const hex = k.hex;
      if (found.has(hex)) continue;
      const ok = await verifier.verify(s.sig, message, k.bytes).then(
        (c) => c.valid,
        () => false,
      );
      if (ok) {
        found.set(hex, k.name);
        break;
      }
    }
  }
  return [...found.values()];
}

async function requireSigned(
  v: Version,
  set: AdminSet | undefined,
  code: 'POLICY_THRESHOLD_NOT_MET' | 'POLICY_ROTATION_UNSIGNED',
  verifier: SignatureVerifier,
  why: string,
): Promise<string[]> {
  const version = v.policy.document.version;
  if (!set) throw new Refusal(code, `${v.what}: version ${version} cannot be accepted: ${why} names no admins`, v.what);
  const signed = await signersAmong(v, set, verifier);
  if (signed.length < set.threshold)
    throw new Refusal(
      code,
      `${v.what}: version ${version} is signed by ${signed.length} of ${set.label} (${signed.join(', ') || 'none'}), needs ${set.threshold}`,
      v.what,
    );
  return signed;
}

/** The root-keys document: `{ lineproofPolicyRoot: 1, policyId?, admins: { keys: [public key text], threshold } }`. */
function decodeRootKeys(raw: Record<string, JsonValue>, what: string): { set: AdminSet; policyId?: string } {
  const bad = (m: string) => new Refusal('POLICY_ROOT_INVALID', `${what}: ${m}`, what);
  for (const k of Object.keys(raw))
    if (![POLICY_ROOT_MARKER, 'policyId', 'admins', 'description'].includes(k))
      throw bad(`unknown field ${JSON.stringify(k)}`);
  if (raw[POLICY_ROOT_MARKER] !== 1) throw bad(`${POLICY_ROOT_MARKER} must be 1`);
  const admins = raw.admins;
  if (!isObject(admins) || !Array.isArray(admins.keys) || typeof admins.threshold !== 'number')
    throw bad('admins must be { keys: [public keys], threshold }');
  if (admins.keys.length === 0 || admins.keys.length > MAX_ADMIN_KEYS)
    throw bad(`admins.keys must name 1 to ${MAX_ADMIN_KEYS} keys`);
  const keys: AdminSet['keys'] = [];
  admins.keys.forEach((text, i) => {
    if (typeof text !== 'string')
      throw bad(`admins.keys[${i}] must be a public key (hex, PEM or securesystemslib JSON)`);
    let bytes: Uint8Array;
    try {
      bytes = parsePublicKey(text, { what: `${what}: admins.keys[${i}]`, keyidFormat: 'none' }).bytes;
    } catch (e) {
      throw bad(`admins.keys[${i}]: ${(e as Error).message}`);
    }
    if (!keys.some((k) => equalBytes(k.bytes, bytes)))
      keys.push({ name: `root key ${toHex(bytes).slice(0, 16)}`, bytes });
  });
  const threshold = admins.threshold;
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > keys.length)
    throw bad(`admins.threshold must be a whole number from 1 to ${keys.length} (the distinct keys)`);
  const policyId = raw.policyId;
  if (policyId !== undefined && typeof policyId !== 'string') throw bad('policyId must be a string');
  return {
    set: { keys, threshold, label: 'the pinned root keys' },
    ...(policyId === undefined ? {} : { policyId }),
  };
}

function sortedVersions(given: Version[]): Version[] {
  const byVersion = new Map<number, Version>();
  for (const v of given) {
    const n = v.policy.document.version;
    const seen = byVersion.get(n);
    if (seen && seen.policy.digest !== v.policy.digest)
      throw new Refusal(
        'POLICY_FORK',
        `${v.what} and ${seen.what} are two different policies that both claim version ${n}`,
        v.what,
      );
    // The same version twice: keep the signed one (an envelope carries the agreement).
    if (!seen || (!seen.envelope && v.envelope)) byVersion.set(n, v);
  }
  return [...byVersion.values()].sort((a, b) => a.policy.document.version - b.policy.document.version);
}

/** One rotation step: `next` follows `prev`, same id, signed by both admin sets. */
async function step(prev: Version, next: Version, verifier: SignatureVerifier): Promise<string[]> {
  const p = prev.policy.document;
  const n = next.policy.document;
  if (!next.envelope)
    throw new Refusal(
      'POLICY_UNSIGNED',
      `${next.what}: version ${n.version} follows version ${p.version} but is not signed`,
      next.what,
    );
  if (n.id !== p.id)
    throw new Refusal(
      'POLICY_ID_MISMATCH',
      `${next.what}: policy id ${JSON.stringify(n.id)} is not ${JSON.stringify(p.id)}`,
      next.what,
    );
  if (n.version !== p.version + 1)
    throw new Refusal(
      'POLICY_VERSION_GAP',
      `${next.what}: version ${n.version} does not follow version ${p.version} (give every version in between)`,
      next.what,
    );
  await requireSigned(next, adminsOf(prev), 'POLICY_ROTATION_UNSIGNED', verifier, `version ${p.version}`);
  return requireSigned(next, adminsOf(next), 'POLICY_THRESHOLD_NOT_MET', verifier, 'it');
}

/**
 * The policy to verify against, from the versions given and the pinned root (see the module
 * comment). Inputs in any order; the highest version is the one returned, and every version from
 * the start (the root, or the lowest given) up to it must follow by the rotation rule.
 * @param inputs policy versions: plain JSON policies or signed policy envelopes (bytes, text or parsed JSON)
 * @returns `{ ok: true, policy, trust }` (and `policy.trust`), or a coded refusal
 * @throws {TypeError} when `inputs` is not a non-empty array
 * @example
 * ```ts
 * const r = await resolvePolicy([v1, v2], { root: pinnedV1, minVersion: 2 });
 * if (!r.ok) throw new Error(`${r.code}: ${r.message}`);
 * await verifyChain({ policy: r.policy, ... });
 * ```
 */
export async function resolvePolicy(
  inputs: ReadonlyArray<Uint8Array | string | JsonValue | Envelope>,
  options: ResolvePolicyOptions = {},
): Promise<PolicyResolution> {
  if (!isArray(inputs) || inputs.length === 0) throw new TypeError('"inputs" expected a non-empty array of policies');
  if (options.minVersion !== undefined && !(Number.isSafeInteger(options.minVersion) && options.minVersion >= 0))
    throw new TypeError('"minVersion" expected a whole number >= 0');
  const limits = resolveLimits(options.limits);
  const verifier = options.verifier ?? strictEd25519Verifier;
  try {
    const given = sortedVersions(
      inputs.map((input, i) => {
        const what = options.what?.[i] ?? `policy[${i}]`;
        return decodeVersion(readJson(input, what, limits), what, limits);
      }),
    );
    const start =
      options.root === undefined
        ? await startUnrooted(given, verifier)
        : await startRooted(given, options.root, options.rootWhat ?? 'policy root', limits, verifier);
    const accepted = [start.accepted];
    let current = start.version;
    for (const next of start.rest) {
      const signers = await step(current, next, verifier);
      accepted.push({ version: next.policy.document.version, digest: next.policy.digest, signers });
      current = next;
    }
    const d = current.policy.document;
    if (options.minVersion !== undefined && d.version < options.minVersion)
      throw new Refusal(
        'POLICY_ROLLBACK',
        `${current.what}: version ${d.version} is below the minimum policy version ${options.minVersion}`,
        current.what,
      );
    const trust: PolicyTrust = {
      status: start.status,
      id: d.id,
      version: d.version,
      digest: current.policy.digest,
      signers: accepted[accepted.length - 1]!.signers,
      ...(start.root ? { root: start.root } : {}),
      versions: accepted,
    };
    return { ok: true, policy: { ...current.policy, trust }, trust };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, code: e.code, message: e.message, path: e.path };
    if (e instanceof LineproofError) return { ok: false, code: e.code, message: e.message, path: e.path ?? 'policy' };
    return { ok: false, code: 'INTERNAL', message: `unexpected error: ${String(e)}`, path: 'policy' };
  }
}

/** Array.isArray without narrowing a readonly array parameter to `any[]`. */
const isArray: (value: unknown) => boolean = Array.isArray;

/** Where the rotation starts: the first accepted version, and the versions still to follow it. */
interface Start {
  version: Version;
  accepted: PolicyTrust['versions'][number];
  rest: Version[];
  status: PolicyTrust['status'];
  root?: PolicyTrust['root'];
}

/** No root: the lowest version given is trusted as given (an envelope must meet its own threshold). */
async function startUnrooted(given: Version[], verifier: SignatureVerifier): Promise<Start> {
  const start = given[0]!;
  const own = start.envelope
    ? await requireSigned(start, adminsOf(start), 'POLICY_THRESHOLD_NOT_MET', verifier, 'it')
    : [];
  return {
    version: start,
    accepted: { version: start.policy.document.version, digest: start.policy.digest, signers: own },
    rest: given.slice(1),
    status: start.envelope ? 'self-signed' : 'unsigned',
  };
}

/** A pinned root: root keys sign the first version, or a pinned version starts the rotation. */
async function startRooted(
  given: Version[],
  rootInput: Exclude<ResolvePolicyOptions['root'], undefined>,
  rootWhat: string,
  limits: Limits,
  verifier: SignatureVerifier,
): Promise<Start> {
  const rawRoot = readJson(rootInput, rootWhat, limits);
  if (isObject(rawRoot) && Object.hasOwn(rawRoot, POLICY_ROOT_MARKER)) {
    const { set, policyId } = decodeRootKeys(rawRoot, rootWhat);
    const start = given[0]!;
    const d = start.policy.document;
    if (!start.envelope)
      throw new Refusal(
        'POLICY_UNSIGNED',
        `${start.what}: a policy root is pinned, and this policy is not signed`,
        start.what,
      );
    if (policyId !== undefined && d.id !== policyId)
      throw new Refusal(
        'POLICY_ID_MISMATCH',
        `${start.what}: policy id ${JSON.stringify(d.id)} is not the pinned ${JSON.stringify(policyId)}`,
        start.what,
      );
    await requireSigned(start, set, 'POLICY_ROTATION_UNSIGNED', verifier, 'the root');
    const own = await requireSigned(start, adminsOf(start), 'POLICY_THRESHOLD_NOT_MET', verifier, 'it');
    return {
      version: start,
      accepted: { version: d.version, digest: start.policy.digest, signers: own },
      rest: given.slice(1),
      status: 'rooted',
      root: { kind: 'keys', keys: set.keys.map((k) => toHex(k.bytes)), threshold: set.threshold },
    };
  }
  let pinned: Version;
  try {
    pinned = decodeVersion(rawRoot, rootWhat, limits);
  } catch (e) {
    throw new Refusal('POLICY_ROOT_INVALID', `${rootWhat}: ${(e as Error).message}`, rootWhat);
  }
  const r = pinned.policy.document;
  const top = given[given.length - 1]!;
  if (top.policy.document.version < r.version)
    throw new Refusal(
      'POLICY_ROLLBACK',
      `${top.what}: version ${top.policy.document.version} is older than the pinned root's version ${r.version}`,
      top.what,
    );
  for (const v of given) {
    if (v.policy.document.id !== r.id)
      throw new Refusal(
        'POLICY_ID_MISMATCH',
        `${v.what}: policy id ${JSON.stringify(v.policy.document.id)} is not the pinned root's ${JSON.stringify(r.id)}`,
        v.what,
      );
    if (v.policy.document.version === r.version && v.policy.digest !== pinned.policy.digest)
      throw new Refusal(
        'POLICY_FORK',
        `${v.what}: version ${r.version} differs from the pinned root of the same version`,
        v.what,
      );
  }
  return {
    version: pinned,
    accepted: { version: r.version, digest: pinned.policy.digest, signers: [] },
    rest: given.filter((v) => v.policy.document.version > r.version),
    status: 'rooted',
    root: { kind: 'policy', version: r.version, digest: pinned.policy.digest },
  };
}
