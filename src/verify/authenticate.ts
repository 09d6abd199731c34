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
import type { ReportBuilder } from '../report/index.js';
import type { Policy, ResolvedKey } from '../policy/policy.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../statements/statement.js';
import { parseAttestationPayload, type ParsedAttestationPayload } from '../statements/predicates/index.js';
import { parseTimestamp } from '../time/index.js';
import type { Stage } from '../statements/predicates/common.js';
import type { SignatureMaterial } from '../bundle/sigstore-line.js';
import { certificateSigner, trustedTime, type SigstoreLineVerifier, type TrustedTime } from './certificate-signers.js';
import type { EcdsaVerify } from '../pki/ecdsa.js';

/** A signer of one attestation, resolved against the policy. */
export interface Signer {
  /** The policy key, or for a certificate signer the leaf's key (`key.certificate` set). */
  key: ResolvedKey;
  /** Why the key does not count, when it does not. */
  rejected?: { code: ErrorCode; message: string };
  /** The signature's trusted time (an RFC 3161 token of a trusted authority, or a Sigstore log's time). */
  time?: TrustedTime;
  /** Why the signature's tokens gave no trusted time, when it carries tokens that did not verify. */
  timeProblems?: Array<{ code: ErrorCode; message: string }>;
}

/** Options of {@link authenticateBundle}. */
export interface AuthenticateOptions {
  /** Verifies Sigstore bundle lines for a `sigstore` certificate authority (the Node adapter's). */
  sigstoreVerifier?: SigstoreLineVerifier;
  /** ECDSA verification of certificate signatures (default: the core's verifyEcdsa). */
  ecdsaVerify?: EcdsaVerify;
}

interface NodeBase {
  digest: string;
  /** The payload bytes (read for explanations even when untrusted; trusted only when not `untrusted`). */
  payload: Uint8Array;
  lines: number[];
  /** The policy keys whose signatures verify (empty when untrusted). */
  signers: Signer[];
  /** Signatures no policy key verifies (skipped, never counted), with the lines they are on. */
  /** Signatures no trusted key or certificate verified; `message` says why a certificate did not count. */
  unverified: Array<{ code: ErrorCode; lines: number[]; message?: string }>;
}

/** An in-toto envelope no policy key signed: never part of the lineage graph. */
export interface UntrustedNode extends NodeBase {
  state: 'untrusted';
}

/** A trusted envelope whose payload is not one of our predicates (fails only if referred to). */
export interface InvalidNode extends NodeBase {
  state: 'invalid';
  /** Why the payload could not be parsed as one of our predicates. */
  error: { code: ErrorCode; message: string };
}

/** A trusted envelope with a valid predicate of stage `S`: a candidate link of the chain. */
export type ParsedNode<S extends Stage = Stage> = S extends Stage
  ? NodeBase & {
      state: 'parsed';
      parsed: Extract<ParsedAttestationPayload, { stage: S }>;
      issuedAtNanos: bigint;
    }
  : never;

/** One in-toto attestation of the bundle after authentication and parsing (steps 3 and 4). */
export type Node = UntrustedNode | InvalidNode | ParsedNode;

/** Whether `node` is a trusted, parsed attestation of `stage`. */
export function isStage<S extends Stage>(node: Node | undefined, stage: S): node is ParsedNode<S> {
  return node?.state === 'parsed' && node.parsed.stage === stage;
}

/** Whether `node` is a trusted, parsed attestation (of any stage). */
export function isParsed(node: Node | undefined): node is ParsedNode {
  return node?.state === 'parsed';
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
  const keyed = entries.map((e) => [`${e.payloadDigest}\u0000${e.envelope.payloadType}`, e] as const);
  keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return keyed.map(([, e]) => e);
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
  options: AuthenticateOptions = {},
): Promise<Authentication> {
  const nodes = new Map<string, Node>();
  const others: BundleEntry[] = [];
  const trusted = policyTrustedKeys(policy);
  const keyByHex = new Map(policy.keys.map((k) => [k.publicKeyHex, k] as const));
  // Bundles are mostly signed by a few keys, often with no keyid: trying the key that verified last
  // first makes a valid envelope cost one check (the order never changes which key verifies).
  const recent: number[] = [];
  for (const entry of byContent(entries)) {
    if (entry.envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
      others.push(entry);
      continue;
    }
    const base: NodeBase = {
      digest: entry.payloadDigest,
      payload: entry.envelope.payload,
      lines: entry.lines,
      signers: [],
      unverified: [],
    };
    const trustedNow =
      !budget.exceeded &&
      (trusted.length > 0 || entry.materials !== undefined) &&
      (await authenticateNode(base, entry, { policy, trusted, recent, keyByHex, verifier, budget, options }));
    nodes.set(
      base.digest,
      trustedNow ? parseNode(base, entry.envelope.payload, limits) : { ...base, state: 'untrusted' },
    );
  }
  return { nodes, others };
}

/** Step 4: a trusted payload parsed as one of our predicates, or why it is not one. */
function parseNode(base: NodeBase, payload: Uint8Array, limits: Limits): ParsedNode | InvalidNode {
  try {
    const parsed = parseAttestationPayload(payload, { limits });
    return {
      ...base,
      state: 'parsed',
      parsed,
      issuedAtNanos: parseTimestamp(parsed.issuedAt).epochNanos,
    } as ParsedNode;
  } catch (e) {
    const error = { code: e instanceof LineproofError ? e.code : 'INTERNAL', message: (e as Error).message } as const;
    return { ...base, state: 'invalid', error };
  }
}

/** What authenticating one envelope needs. */
interface NodeContext {
  policy: Policy;
  trusted: readonly TrustedKey[];
  /** Indexes of trusted keys, the one that verified most recently first (the try order after a keyid hint). */
  recent: number[];
  keyByHex: Map<string, ResolvedKey>;
  verifier: SignatureVerifier;
  budget: AuthenticationBudget;
  options: AuthenticateOptions;
}

/** One signature of an envelope, with its lines and material. */
interface SignatureItem {
  sig: Uint8Array;
  keyid?: string;
  hex: string;
  lines: number[];
  materials: Array<{ material: SignatureMaterial; lines: number[] }>;
}

/** Step 3 for one envelope: its signers and unverified signatures; whether a policy key or certificate signed it. */
async function authenticateNode(node: NodeBase, entry: BundleEntry, ctx: NodeContext): Promise<boolean> {
  const { trusted, keyByHex, budget } = ctx;
  const message = pae(entry.envelope.payloadType, entry.envelope.payload);
  const signatures: SignatureItem[] = entry.envelope.signatures.map((s, i) => ({
    ...s,
    hex: toHex(s.sig),
    lines: entry.signatureLines[i] ?? entry.lines,
    materials: entry.materials?.[i] ?? [],
  }));
  signatures.sort((a, b) => (a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : 0));
  const counted = new Set<string>();
  for (const s of signatures) {
    const counter = { tries: 0 };
    const found: Signer[] = [];
    if (trusted.length > 0) {
      const memo = memoVerifier(ctx.verifier, budget.memo, `${entry.payloadDigest}:${s.hex}:`, counter);
      const outcome = await checkSignature(memo, trusted, message, s.sig, s.keyid, ctx.recent);
      const key = outcome.keyIndex >= 0 ? keyByHex.get(trusted[outcome.keyIndex]!.hex) : undefined;
      if (outcome.keyIndex >= 0) {
        const at = ctx.recent.indexOf(outcome.keyIndex);
        if (at !== 0) {
          if (at > 0) ctx.recent.splice(at, 1);
          ctx.recent.unshift(outcome.keyIndex);
        }
      }
      if (key) found.push({ key });
      else node.unverified.push({ code: outcome.failure!.code, lines: s.lines });
    }
    const certified = s.materials.filter((m) => m.material.certificates !== undefined);
    if (found.length > 0 || certified.length > 0) {
      const time = s.materials.some((m) => m.material.timestamps.length > 0)
        ? await trustedTime(ctx.policy, s.sig, s.materials)
        : undefined;
      for (const { material, lines } of certified) {
        const r = await certificateSigner(
          ctx.policy,
          material,
          message,
          s.sig,
          time?.time,
          { ed25519: ctx.verifier, ...(ctx.options.ecdsaVerify ? { ecdsa: ctx.options.ecdsaVerify } : {}) },
          ctx.options.sigstoreVerifier,
        );
        if (r.ok) found.push({ key: r.key, ...(r.time ? { time: r.time } : {}) });
        else {
          node.unverified.push({ code: r.code, lines, message: r.message });
          counter.tries += 1 + (material.certificates?.length ?? 0);
        }
      }
      for (const f of found) {
        if (time?.time && (!f.time || time.time.nanos < f.time.nanos)) f.time = time.time;
        if (time && time.problems.length > 0) f.timeProblems = time.problems;
      }
      if (found.length === 0) counter.tries += time?.spent ?? 0;
    }
    for (const f of found) {
      if (counted.has(f.key.publicKeyHex)) continue;
      counted.add(f.key.publicKeyHex);
      node.signers.push(f);
    }
    if (found.length > 0) continue;
    budget.spent += counter.tries;
    if (budget.spent > budget.limit) {
      budget.exceeded = { lines: s.lines, digest: entry.payloadDigest };
      break;
    }
  }
  // Signers in policy order (certificate signers after, by fingerprint), so the report does not depend on signature order.
  const order = new Map([...keyByHex.keys()].map((h, i) => [h, i] as const));
  const rank = (k: ResolvedKey) => order.get(k.publicKeyHex) ?? order.size;
  node.signers.sort(
    (a, b) =>
      rank(a.key) - rank(b.key) ||
      (a.key.publicKeyHex < b.key.publicKeyHex ? -1 : a.key.publicKeyHex > b.key.publicKeyHex ? 1 : 0),
  );
  return node.signers.length > 0 && !budget.exceeded;
}

/**
 * Step 3's fail-closed outcome: past the budget, one `bundle.budget` failure naming the line;
 * what was not checked cannot give any other reason.
 * @returns whether the budget ran out (the caller stops)
 */
export function reportBudget(report: ReportBuilder, budget: AuthenticationBudget): boolean {
  if (!budget.exceeded) return false;
  report.fail(
    'bundle.budget',
    'VERIFY_BUDGET_EXCEEDED',
    `line ${budget.exceeded.lines.join(', ')}`,
    `more than ${budget.limit} signature checks spent on signatures no policy key verifies (the limit untrustedSignatureChecks); verification stops here`,
    { expected: `<= ${budget.limit}`, actual: String(budget.spent) },
  );
  return true;
}
