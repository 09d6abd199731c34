/**
 * Loading a policy: strict JSON, the zod schema, then cross-reference checks, producing a resolved
 * {@link Policy} that the chain verifier queries (which identity holds a key, which roles an
 * identity has, the tier of a use case).
 *
 * Loading a policy throws on any problem: the policy is operator input (CLI exit 2), not evidence.
 */
import { LineproofError } from '../errors.js';
import { toHex } from '../bytes/index.js';
import { parsePublicKey } from '../keys/keys.js';
import { canonicalBytes } from '../json/canonical.js';
import { parseJson, type JsonValue } from '../json/strict.js';
import { issuePath, parseWithSchema } from '../json/schema.js';
import { sha256Hex } from '../digest/index.js';
import { parseTimestamp } from '../time/index.js';
import type { PolicyTrust } from './signed.js';
import { policySchema, ROLES, type PolicyDocument, type PolicyKey, type Role, type RiskTier } from './schema.js';
import { resolveCertificateTrust, type CertificateTrust } from './certificates.js';

/** A certificate a signature was verified with (its signer is then a certificate identity). */
export interface SignerCertificate {
  /** The policy's certificate authority that vouches for it. */
  authority: string;
  /** SHA-256 of the leaf's DER, hex. */
  fingerprint: string;
  /** The subjectAltName the policy identity matched, and the OIDC issuer, when the certificate has one. */
  subject: string;
  issuer?: string;
  /** The leaf's subject name (`CN=…`), for reports. */
  name: string;
}

/** A trusted key as resolved from the policy. */
export interface ResolvedKey {
  /** The key's name in the policy. */
  name: string;
  /** Raw 32-byte Ed25519 public key; for a certificate signer, the leaf's SubjectPublicKeyInfo DER. */
  publicKey: Uint8Array;
  /** Lowercase hex of the public key (its identity for deduplication). */
  publicKeyHex: string;
  /** The identity holding the key. */
  identity: string;
  /** Roles of that identity. */
  roles: Role[];
  /** The key's policy entry; for a certificate signer, its validity window is the leaf's. */
  spec: Omit<PolicyKey, 'type'> & { type: PolicyKey['type'] | 'certificate' };
  /** Set for a certificate signer (not a policy key: made when its signature verified). */
  certificate?: SignerCertificate;
}

/** A loaded, cross-checked policy. */
export interface Policy extends CertificateTrust {
  document: PolicyDocument;
  /**
   * The policy as written (before defaults were filled in): the JSON {@link Policy.digest} is
   * over, so that a stored copy reloads to the same digest. Set by {@link parsePolicy}.
   */
  raw?: JsonValue;
  /** `sha256:<hex>` of the JCS bytes of the policy as written. */
  digest: string;
  /** Trusted keys, one per distinct public key. */
  keys: ResolvedKey[];
  keyByName: Map<string, ResolvedKey>;
  /** Roles each identity holds. */
  rolesOf: Map<string, Role[]>;
  /** The risk tier of a use case, or undefined when the use case is not allowed. */
  tierOf(useCase: string): { name: string; tier: RiskTier } | undefined;
  /** The `baseModels` sub-policy, loaded (and checked) with this one; undefined when there is none. */
  baseModelPolicy?: Policy;
  /** Where the policy came from, when {@link resolvePolicy} loaded it; absent for a plain {@link parsePolicy}. */
  trust?: PolicyTrust;
}

/** Options for {@link parsePolicy}. */
export interface ParsePolicyOptions {
  /** Names the policy in errors (a file name). */
  what?: string;
  /**
   * Decodes a key's `publicKey` text into raw 32 bytes (default: the key module's
   * `parsePublicKey`: 64 hex digits, SPKI PEM or securesystemslib JSON).
   */
  decodePublicKey?: (text: string, what: string) => Uint8Array;
}

/** Policy keys are 64 hex digits, SPKI PEM or securesystemslib JSON; each is checked (on the curve, not small order). */
function defaultDecodePublicKey(text: string, what: string): Uint8Array {
  return parsePublicKey(text, { what, keyidFormat: 'none' }).bytes;
}

/** Decode key `k`'s public key; any failure of the decoder is POLICY_INVALID at the field's path. */
function decodeKey(decode: (text: string, what: string) => Uint8Array, text: string, k: string, what: string) {
  const path = issuePath(['keys', k, 'publicKey']);
  const at = `${what}: ${path}`;
  try {
    return decode(text, at);
  } catch (e) {
    throw new LineproofError('POLICY_INVALID', `${at}: ${e instanceof LineproofError ? e.message : String(e)}`, {
      path,
      cause: e,
    });
  }
}

/** A path inside the `baseModels` sub-policy, as a path of the policy that holds it. */
function underBaseModels(path: string | undefined): string {
  if (path === undefined || path === '$') return 'baseModels.policy';
  return path.startsWith('[') ? `baseModels.policy${path}` : `baseModels.policy.${path}`;
}

/** Step 6: the sub-policy, loaded the same way; its errors name their path from this policy. */
function loadBaseModelPolicy(sub: JsonValue, options: ParsePolicyOptions, what: string): Policy {
  try {
    return parsePolicy(sub, { ...options, what: `${what}: baseModels.policy` });
  } catch (e) {
    if (!(e instanceof LineproofError)) throw e;
    throw new LineproofError(e.code, e.message, {
      path: underBaseModels(e.path),
      expected: e.expected,
      actual: e.actual,
      cause: e,
    });
  }
}

/** Roles that sign a stage of a chain: the only roles a separation-of-duties pair can name. */
const CHAIN_ROLES: readonly Role[] = ['data-steward', 'trainer', 'evaluator', 'approver', 'deployer'];

function invalid(
  code: 'POLICY_INVALID' | 'POLICY_REFERENCE_UNKNOWN' | 'POLICY_THRESHOLD_IMPOSSIBLE' | 'POLICY_KEY_AMBIGUOUS',
  what: string,
  path: string,
  message: string,
): never {
  throw new LineproofError(code, `${what}: ${path}: ${message}`, { path });
}

/**
 * Load a policy from bytes, text or a parsed JSON value.
 *
 * 1. Parse strictly (duplicate keys, depth, size) and validate against the schema (unknown
 *    fields fail; every time field is RFC 3339 with Z or an offset; no map of names has a key
 *    `__proto__`, `constructor` or `prototype`; a key revocation with reason `retired` or
 *    `superseded` has `effectiveAt`). The schema holds for a `baseModels` sub-policy too.
 * 2. Compute the policy digest over the JCS bytes of the document as written.
 * 3. Check cross-references: every identity's keys exist; every key belongs to exactly one
 *    identity; every role's identities exist; every use case's tier exists; revocations of keys
 *    name existing keys; separation-of-duties pairs name two different roles, each one that signs
 *    a stage of a chain (data-steward, trainer, evaluator, approver, deployer).
 *    A key's validity window, when it has both ends, is not empty (validFrom < validUntil).
 * 4. Check thresholds are possible: a role's threshold and a tier's approver count are at most
 *    the number of identities that hold the role.
 * 5. Decode every public key; two key names with the same public key bytes are merged only if
 *    they belong to the same identity (otherwise the signer's identity would be ambiguous).
 *    `admins` names existing keys, and its threshold is at most their distinct public keys.
 * 6. Load a `baseModels` sub-policy the same way (steps 1–5, and its own sub-policy), so every
 *    rule of it fails at load, never during verification.
 *
 * @throws {LineproofError} JSON_* codes, POLICY_INVALID, POLICY_REFERENCE_UNKNOWN,
 *   POLICY_THRESHOLD_IMPOSSIBLE, POLICY_KEY_AMBIGUOUS
 */
export function parsePolicy(input: Uint8Array | string | JsonValue, options: ParsePolicyOptions = {}): Policy {
  const what = options.what ?? 'policy';
  const decode = options.decodePublicKey ?? defaultDecodePublicKey;
  // 1.
  const raw: JsonValue = input instanceof Uint8Array || typeof input === 'string' ? parseJson(input, { what }) : input;
  const document = parseWithSchema(policySchema, raw, what, 'POLICY_INVALID');
  // 2.
  const digest = `sha256:${sha256Hex(canonicalBytes(raw))}`;
  // 3. (and 4. for role thresholds and tiers)
  const identityOfKey = checkIdentities(document, what);
  const rolesOf = checkRoles(document, what);
  checkTiers(document, what);
  checkReferences(document, what);
  checkKeySpecs(document, what);
  // 5.
  const { keys, keyByName } = resolveKeys(document, decode, identityOfKey, rolesOf, what);
  checkAdmins(document, keyByName, what);
  const certificateTrust = resolveCertificateTrust(document, rolesOf, what);
  // 6.
  const sub = document.baseModels?.policy;
  const baseModelPolicy = sub === undefined ? undefined : loadBaseModelPolicy(sub as JsonValue, options, what);
  return {
    document,
    raw,
    digest,
    keys,
    keyByName,
    rolesOf,
    ...certificateTrust,
    ...(baseModelPolicy ? { baseModelPolicy } : {}),
    tierOf(useCase: string) {
      if (!Object.hasOwn(document.useCases, useCase)) return undefined;
      const tierName = document.useCases[useCase]!.riskTier;
      return { name: tierName, tier: document.riskTiers[tierName]! };
    },
  };
}

/** Step 3: every identity's keys exist and belong to it alone; every key is held. @returns identity by key name */
function checkIdentities(document: PolicyDocument, what: string): Map<string, string> {
  const identityOfKey = new Map<string, string>();
  for (const [id, identity] of Object.entries(document.identities)) {
    for (const k of identity.keys ?? []) {
      if (!Object.hasOwn(document.keys, k))
        invalid(
          'POLICY_REFERENCE_UNKNOWN',
          what,
          issuePath(['identities', id, 'keys']),
          `names unknown key ${JSON.stringify(k)}`,
        );
      const other = identityOfKey.get(k);
      if (other !== undefined && other !== id)
        invalid(
          'POLICY_KEY_AMBIGUOUS',
          what,
          issuePath(['identities', id, 'keys']),
          `key ${JSON.stringify(k)} is also held by identity ${JSON.stringify(other)}`,
        );
      identityOfKey.set(k, id);
    }
  }
  for (const k of Object.keys(document.keys)) {
    if (!identityOfKey.has(k))
      invalid('POLICY_REFERENCE_UNKNOWN', what, issuePath(['keys', k]), 'key is held by no identity');
  }
  return identityOfKey;
}

/** Steps 3 and 4 for roles: identities exist; thresholds are possible. @returns roles by identity */
function checkRoles(document: PolicyDocument, what: string): Map<string, Role[]> {
  const rolesOf = new Map<string, Role[]>();
  for (const role of ROLES) {
    const spec = document.roles[role];
    if (!spec) continue;
    const distinct = new Set(spec.identities);
    for (const id of distinct) {
      if (!Object.hasOwn(document.identities, id))
        invalid(
          'POLICY_REFERENCE_UNKNOWN',
          what,
          issuePath(['roles', role, 'identities']),
          `names unknown identity ${JSON.stringify(id)}`,
        );
      rolesOf.set(id, [...(rolesOf.get(id) ?? []), role]);
    }
    if (spec.threshold > distinct.size) {
      invalid(
        'POLICY_THRESHOLD_IMPOSSIBLE',
        what,
        issuePath(['roles', role, 'threshold']),
        `threshold ${spec.threshold} is more than the ${distinct.size} identities holding the role`,
      );
    }
  }
  return rolesOf;
}

/** Step 4 for risk tiers: no tier needs more approvers than hold the role. */
function checkTiers(document: PolicyDocument, what: string): void {
  const approvers = new Set(document.roles.approver?.identities ?? []).size;
  for (const [tierName, tier] of Object.entries(document.riskTiers)) {
    if (tier.approvers > approvers) {
      invalid(
        'POLICY_THRESHOLD_IMPOSSIBLE',
        what,
        issuePath(['riskTiers', tierName, 'approvers']),
        `needs ${tier.approvers} approvers but only ${approvers} identities hold the approver role`,
      );
    }
  }
  for (const [uc, spec] of Object.entries(document.useCases)) {
    if (!Object.hasOwn(document.riskTiers, spec.riskTier))
      invalid(
        'POLICY_REFERENCE_UNKNOWN',
        what,
        issuePath(['useCases', uc, 'riskTier']),
        `names unknown tier ${JSON.stringify(spec.riskTier)}`,
      );
  }
}

/** Step 3: use cases name tiers, key revocations name keys, separation pairs name chain roles. */
function checkReferences(document: PolicyDocument, what: string): void {
  document.revocations.forEach((r, i) => {
    if (r.kind === 'key' && !Object.hasOwn(document.keys, r.key))
      invalid(
        'POLICY_REFERENCE_UNKNOWN',
        what,
        issuePath(['revocations', i, 'key']),
        `names unknown key ${JSON.stringify(r.key)}`,
      );
  });
  document.separationOfDuties.pairs.forEach(([a, b], i) => {
    if (a === b)
      invalid(
        'POLICY_INVALID',
        what,
        issuePath(['separationOfDuties', 'pairs', i]),
        'a pair needs two different roles',
      );
    // verifier signs no stage of a chain (summaries are not built); a revoker's statements are no
    // link of it, and discounting them could only cancel revocations: such a pair could never be enforced.
    for (const r of [a, b])
      if (!CHAIN_ROLES.includes(r))
        invalid(
          'POLICY_INVALID',
          what,
          issuePath(['separationOfDuties', 'pairs', i]),
          `role ${r} signs no stage of a chain, so a pair naming it could not be enforced (pairs name ${CHAIN_ROLES.join(', ')})`,
        );
  });
}

/** Steps 3 and 4 for admins (after 5): the keys exist, and the threshold is at most their distinct count. */
function checkAdmins(document: PolicyDocument, keyByName: Map<string, ResolvedKey>, what: string): void {
  const admins = document.admins;
  if (!admins) return;
  const names = new Set(admins.keys);
  for (const k of names)
    if (!Object.hasOwn(document.keys, k))
      invalid('POLICY_REFERENCE_UNKNOWN', what, 'admins.keys', `names unknown key ${JSON.stringify(k)}`);
  const distinct = new Set([...names].map((k) => keyByName.get(k)!.publicKeyHex)).size;
  if (admins.threshold > distinct)
    invalid(
      'POLICY_THRESHOLD_IMPOSSIBLE',
      what,
      'admins.threshold',
      `threshold ${admins.threshold} is more than the ${distinct} distinct admin key(s)`,
    );
}

/** Step 3 for keys: compromised and retired keys say when; a validity window is not empty. */
function checkKeySpecs(document: PolicyDocument, what: string): void {
  for (const [k, spec] of Object.entries(document.keys)) {
    if (spec.status === 'compromised' && spec.compromisedAt === undefined)
      invalid('POLICY_INVALID', what, issuePath(['keys', k, 'compromisedAt']), 'a compromised key needs compromisedAt');
    if (spec.status === 'retired' && spec.validUntil === undefined)
      invalid(
        'POLICY_INVALID',
        what,
        issuePath(['keys', k, 'validUntil']),
        'a retired key needs validUntil (the end of its validity window)',
      );
    if (
      spec.validFrom !== undefined &&
      spec.validUntil !== undefined &&
      parseTimestamp(spec.validUntil).epochNanos <= parseTimestamp(spec.validFrom).epochNanos
    ) {
      invalid(
        'POLICY_INVALID',
        what,
        issuePath(['keys', k, 'validUntil']),
        `the validity window is empty: validUntil ${spec.validUntil} is not after validFrom ${spec.validFrom}`,
      );
    }
  }
}

/** Step 5: decode every public key; merge names of one key only within one identity. */
function resolveKeys(
  document: PolicyDocument,
  decode: NonNullable<ParsePolicyOptions['decodePublicKey']>,
  identityOfKey: Map<string, string>,
  rolesOf: Map<string, Role[]>,
  what: string,
): { keys: ResolvedKey[]; keyByName: Map<string, ResolvedKey> } {
  const keys: ResolvedKey[] = [];
  const byHex = new Map<string, ResolvedKey>();
  const keyByName = new Map<string, ResolvedKey>();
  for (const [k, spec] of Object.entries(document.keys)) {
    const publicKey = decodeKey(decode, spec.publicKey, k, what);
    if (publicKey.length !== 32)
      invalid(
        'POLICY_INVALID',
        what,
        issuePath(['keys', k, 'publicKey']),
        `expected 32 bytes, got ${publicKey.length}`,
      );
    const publicKeyHex = toHex(publicKey);
    const identity = identityOfKey.get(k)!;
    const existing = byHex.get(publicKeyHex);
    if (existing) {
      if (existing.identity !== identity)
        invalid(
          'POLICY_KEY_AMBIGUOUS',
          what,
          issuePath(['keys', k, 'publicKey']),
          `same public key as ${JSON.stringify(existing.name)}, held by another identity`,
        );
      keyByName.set(k, existing);
      continue;
    }
    const resolved: ResolvedKey = {
      name: k,
      publicKey,
      publicKeyHex,
      identity,
      roles: rolesOf.get(identity) ?? [],
      spec,
    };
    keys.push(resolved);
    byHex.set(publicKeyHex, resolved);
    keyByName.set(k, resolved);
  }
  return { keys, keyByName };
}
