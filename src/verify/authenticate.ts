/**
 * Step 3 of chain verification: authenticate every envelope of the bundle against the policy's
 * keys, one signature at a time, within a budget (decisions §14, spec/verification.md).
 *
 * - An envelope is its (payloadType, payload bytes). Only in-toto envelopes can be attestations;
 *   an envelope of another payloadType is listed and costs no signature check, so a copy of a
 *   genuine payload under another payloadType can neither merge with, replace nor shadow it.
 * - Each signature is checked on its own (src/dsse/signatures.ts): structural checks first (a
 *   refused signature costs no key check), then every policy key, a keyid hint only ordering the
 *   tries. A signature no trusted key verifies is a skip: it never removes, replaces or outweighs
 *   a trusted one, whatever the envelope's other signatures are.
 * - Each (signature, key) pair is tried at most once per verification (base-model levels share
 *   the memo), and the checks spent on signatures that no trusted key verifies are counted
 *   against `limits.untrustedSignatureChecks`. Work runs in an order fixed by content (payload
 *   digest, then signature bytes), never by line order, so whether the budget runs out, and on
 *   which line, does not depend on how the lines are arranged.
 */
import { toHex } from '../bytes/index.js';
import { pae } from '../dsse/pae.js';
import { checkSignature, trustedKeySet, type TrustedKey } from '../dsse/signatures.js';
import type { BundleEntry } from '../bundle/jsonl.js';
import { LineproofError, type ErrorCode } from '../errors.js';
import type { SignatureCheck, SignatureVerifier } from '../keys/types.js';
import type { Limits } from '../limits.js';
import type { Policy, ResolvedKey } from '../policy/policy.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../statements/statement.js';
import { parseAttestationPayload, type ParsedAttestationPayload } from '../statements/predicates/index.js';
import { parseTimestamp } from '../time/index.js';

/** A signer of one attestation, resolved against the policy. */
export interface Signer {
  key: ResolvedKey;
  /** Why the key does not count, when it does not. */
  rejected?: { code: ErrorCode; message: string };
}

/** One in-toto attestation of the bundle after authentication and parsing. */
export interface Node {
  digest: string;
  /** The payload bytes (read for explanations even when untrusted; trusted only when `trusted`). */
  payload: Uint8Array;
  lines: number[];
  trusted: boolean;
  signers: Signer[];
  /** Signatures no policy key verifies (skipped, never counted), with the lines they are on. */
  unverified: Array<{ code: ErrorCode; lines: number[] }>;
  parsed?: ParsedAttestationPayload;
  /** Why the payload could not be parsed as one of our predicates (trusted envelopes only). */
  parseError?: { code: ErrorCode; message: string };
  issuedAtNanos?: bigint;
}

/** Work shared by every level of one verification: the budget and the (signature, key) memo. */
export interface AuthenticationBudget {
  readonly limit: number;
  /** Checks spent so far on signatures no trusted key verified. */
  spent: number;
  /** Memo of tried pairs: payload digest (of an in-toto envelope) + signature + key -> outcome. */
  readonly memo: Map<string, SignatureCheck>;
  /** Where the budget ran out, once it has. */
  exceeded?: { lines: number[]; digest: string };
}

/** A fresh budget for one verification. */
export function authenticationBudget(limits: Limits): AuthenticationBudget {
  return { limit: limits.untrustedSignatureChecks, spent: 0, memo: new Map() };
}

/** The outcome of {@link authenticateBundle}. */
export interface Authentication {
  /** In-toto envelopes by payload digest (trusted or not). */
  nodes: Map<string, Node>;
  /** Envelopes of another payloadType: never part of the lineage graph, never checked. */
  others: BundleEntry[];
}

const TRUSTED_CACHE_MAX = 64;
const trustedCache = new Map<string, TrustedKey[]>();

/**
 * The policy's keys prepared for signature checks, cached by their bytes: importing a key checks
 * that it is of prime order (a scalar multiplication), which need not be paid per verification.
 */
function policyTrustedKeys(policy: Policy): TrustedKey[] {
  const id = policy.keys.map((k) => k.publicKeyHex).join(',');
  let hit = trustedCache.get(id);
  if (!hit) {
    hit = trustedKeySet(
      policy.keys.map((k) => k.publicKey),
      'policy.keys',
    );
    if (trustedCache.size >= TRUSTED_CACHE_MAX) trustedCache.clear();
    trustedCache.set(id, hit);
  }
  return hit;
}

/** Entries in an order fixed by their content: payload digest, then payloadType. */
function byContent(entries: readonly BundleEntry[]): BundleEntry[] {
  const key = (e: BundleEntry) => `${e.payloadDigest}\u0000${e.envelope.payloadType}`;
  return [...entries].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * A verifier for one signature that answers from the memo, so each (signature, key) pair is
 * tried once; `prefix` names the payload and signature.
 */
function memoVerifier(
  verifier: SignatureVerifier,
  memo: Map<string, SignatureCheck>,
  prefix: string,
  counter: { tries: number },
): SignatureVerifier {
  return {
    name: verifier.name,
    async verify(sig, message, publicKey) {
      const id = `${prefix}${toHex(publicKey)}`;
      const hit = memo.get(id);
      if (hit) return hit;
      counter.tries++;
      const check = await verifier.verify(sig, message, publicKey);
      memo.set(id, check);
      return check;
    },
  };
}

/**
 * Authenticate the bundle's envelopes against the policy's keys (all of them trusted, threshold
 * 1 per signature): which keys verify which in-toto payloads. Never throws on untrusted input.
 * When the budget runs out, `budget.exceeded` names the line and the remaining envelopes are left
 * unauthenticated (the caller fails closed).
 * @param entries the bundle's envelopes (`readBundle`)
 * @param policy the policy whose keys are trusted
 * @param verifier the signature verifier
 * @param budget the verification's budget and memo ({@link authenticationBudget})
 * @param limits parsing limits
 * @returns nodes by payload digest, and the envelopes of other payloadTypes
 */
export async function authenticateBundle(
  entries: readonly BundleEntry[],
  policy: Policy,
  verifier: SignatureVerifier,
  budget: AuthenticationBudget,
  limits: Limits,
): Promise<Authentication> {
  const nodes = new Map<string, Node>();
  const others: BundleEntry[] = [];
  const trusted = policyTrustedKeys(policy);
  const keyByHex = new Map(policy.keys.map((k) => [k.publicKeyHex, k] as const));
  for (const entry of byContent(entries)) {
    if (entry.envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
      others.push(entry);
      continue;
    }
    const node: Node = {
      digest: entry.payloadDigest,
      payload: entry.envelope.payload,
      lines: entry.lines,
      trusted: false,
      signers: [],
      unverified: [],
    };
    nodes.set(node.digest, node);
    if (budget.exceeded || trusted.length === 0) continue;
    await authenticateNode(node, entry, trusted, keyByHex, verifier, budget);
    if (!node.trusted) continue;
    try {
      node.parsed = parseAttestationPayload(entry.envelope.payload, { limits });
      node.issuedAtNanos = parseTimestamp(node.parsed.issuedAt).epochNanos;
    } catch (e) {
      node.parseError = { code: e instanceof LineproofError ? e.code : 'INTERNAL', message: (e as Error).message };
    }
  }
  return { nodes, others };
}

async function authenticateNode(
  node: Node,
  entry: BundleEntry,
  trusted: readonly TrustedKey[],
  keyByHex: Map<string, ResolvedKey>,
  verifier: SignatureVerifier,
  budget: AuthenticationBudget,
): Promise<void> {
  const message = pae(entry.envelope.payloadType, entry.envelope.payload);
  const signatures = entry.envelope.signatures.map((s, i) => ({
    ...s,
    hex: toHex(s.sig),
    lines: entry.signatureLines[i] ?? entry.lines,
  }));
  signatures.sort((a, b) => (a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : 0));
  const counted = new Set<string>();
  for (const s of signatures) {
    const counter = { tries: 0 };
    const memo = memoVerifier(verifier, budget.memo, `${entry.payloadDigest}:${s.hex}:`, counter);
    const outcome = await checkSignature(memo, trusted, message, s.sig, s.keyid);
    if (outcome.keyIndex >= 0) {
      const hex = trusted[outcome.keyIndex]!.hex;
      const key = keyByHex.get(hex);
      if (key && !counted.has(hex)) {
        counted.add(hex);
        node.signers.push({ key });
      }
      continue;
    }
    node.unverified.push({ code: outcome.failure!.code, lines: s.lines });
    budget.spent += counter.tries;
    if (budget.spent > budget.limit) {
      budget.exceeded = { lines: s.lines, digest: entry.payloadDigest };
      break;
    }
  }
  // Signers in policy order, so the report does not depend on signature order.
  const order = new Map([...keyByHex.keys()].map((h, i) => [h, i] as const));
  node.signers.sort((a, b) => order.get(a.key.publicKeyHex)! - order.get(b.key.publicKeyHex)!);
  node.trusted = node.signers.length > 0 && !budget.exceeded;
}
