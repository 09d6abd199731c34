/**
 * The adversary of the chain invariants (test/verify/invariants.test.ts, decisions §14).
 *
 * Who can touch what: the attacker has append access to the bundle and holds NO key the policy
 * trusts. It can copy any line it sees, re-encode it, put a payload under another payloadType
 * (keeping the genuine signature bytes, which then sign nothing), sign anything with its own keys
 * (pre-generated, not in the policy), add junk signatures (random bytes, or "structurally valid"
 * ones: canonical S < L and R a curve point, with keyids naming no key or naming policy keys),
 * add blank lines and CRLF line ends, wrap a genuine signature in a Sigstore bundle line with
 * material of its own (junk, its own CA's certificate, its own timestamp authority's tokens, or the
 * policy's authority's tokens made late: anyone may stamp a signature), and — when the file is
 * rewritten — change the line order.
 *
 * Signing is the slow part, so {@link buildPool} builds everything once per test file: a pool of
 * signed chains ({@link Variant}: some verify, some fail for a policy reason), envelopes the
 * attacker signed, the attacker's signatures over every genuine payload under several
 * payloadTypes, and a pool of structurally valid junk signatures. The fast-check arbitraries at
 * the end describe an attack as data ({@link Move}s), so a counterexample shrinks to a few moves
 * and prints as a sentence ({@link describeMove}); {@link materialize} turns moves into lines.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import * as ed from '@noble/ed25519';
import { toBase64, utf8 } from '../../src/bytes/index.js';
import { sha256, sha256Hex } from '../../src/digest/index.js';
import { parseEnvelope } from '../../src/dsse/envelope.js';
import { pae } from '../../src/dsse/pae.js';
import { canonicalBytes, canonicalJson } from '../../src/json/canonical.js';
import { keyidsOf } from '../../src/keys/keyid.js';
import { privateKeyFromSeed } from '../../src/keys/keys.js';
import type { PrivateKey, SignatureCheck, SignatureVerifier } from '../../src/keys/types.js';
import { spkiDer } from '../../src/keys/der.js';
import { DEFAULT_LIMITS, LIMIT_BOUNDS, type Limits } from '../../src/limits.js';
import { nodeEd25519Signer, nodeEd25519Verifier } from '../../src/node/ed25519.js';
import type { Policy } from '../../src/policy/policy.js';
import {
  buildApprovalStatement,
  buildDatasetStatement,
  buildEvaluationStatement,
  buildPromotionStatement,
} from '../../src/statements/builders.js';
import { IN_TOTO_PAYLOAD_TYPE, STATEMENT_TYPE_V1 } from '../../src/statements/statement.js';
import { verifyChain, type ChainVerification } from '../../src/verify/chain.js';
import { fromBase64 } from '../../src/bytes/index.js';
import { sigstoreBundleLine } from '../../src/bundle/sigstore-line.js';
import { parseEcPrivateKey } from '../../src/pki/ec-private.js';
import { ecdsaSigner } from '../../src/pki/ecdsa.js';
import { readFileSync } from 'node:fs';
import { ciAuthorities, leafExt } from './certificates.js';
import { Pki, type MadeCert } from './pki.js';
import {
  buildRevocationStatement,
  buildWorld,
  DATASET,
  IDENTITY,
  key,
  MODEL,
  OTHER_MODEL,
  sign,
  T,
  type KeyName,
  type World,
  type WorldOptions,
  type WorldStep,
} from './world.js';

// ---------------------------------------------------------------------------------------------
// Wire forms

/** One signature as the attacker writes it (keyid absent, null, "" or any text). */
export interface WireSignature {
  keyid?: string | null;
  sig: string;
  [extra: string]: unknown;
}

/** An envelope as the attacker writes it. */
export interface WireEnvelope {
  payloadType: string;
  payload: string;
  signatures: WireSignature[];
  [extra: string]: unknown;
}

/** One line of a bundle: its text (no line end) and its line end. */
export interface Line {
  text: string;
  eol: '\n' | '\r\n';
}

/** A genuine envelope of a chain, one bundle line. */
export interface GenuineLine {
  /** What it is: `dataset`, `training`, `evaluation`, `approval`, `promotion`, `revocation`. */
  name: string;
  text: string;
  payloadType: string;
  payload: Uint8Array;
  digest: string;
  /** Its signatures, each with the name of the key that made it (policy keys or mallory). */
  sigs: Array<{ key: string; keyid: string; sig: string }>;
}

/** One signed chain of the pool, with the inputs to verify it. */
export interface Variant {
  name: string;
  /** What verifying the bundle as is gives (checked when the pool is built). */
  expectOk: boolean;
  policy: Policy;
  subject: string;
  useCase: string;
  asOf: string;
  lines: GenuineLine[];
}

/** An envelope the attacker signed with its own keys (a distinct payload). */
export interface ForgedLine {
  name: string;
  env: WireEnvelope;
}

/** What the attacker holds, built once per test file. */
export interface Pool {
  variants: Variant[];
  /** The variants that verify (for the tamper property). */
  passing: Variant[];
  forged: ForgedLine[];
  /** payloadTypes the attacker copies payloads under (each accepted by the envelope parser). */
  altTypes: string[];
  /** Names of the attacker's keys (none in any policy). */
  untrusted: string[];
  /** The attacker's signature over PAE(type, payload): key `${digest}|${type}|${untrustedIndex}`. */
  resigned: Map<string, string>;
  /** The attacker's keyids (legacy). */
  untrustedKeyids: string[];
  /** Structurally valid junk signatures (base64): canonical S < L, R a curve point. */
  structural: string[];
  /** Edge-case junk signatures (base64): zeros, ones, S = L, S = L - 1, R the identity, .... */
  edge: string[];
  /** Legacy and modern keyids of every policy key (what a lying keyid hint names). */
  policyKeyids: string[];
  /** Legacy keyid of each policy key -> its name (the report's chain names signers by keyid). */
  keyNameByKeyid: Map<string, string>;
  /** Number of keys in the (largest) policy: each untrusted signature costs one check per key. */
  policyKeyCount: number;
  /** The verifier every property uses: nodeEd25519Verifier, memoized (see {@link memoVerifier}). */
  verifier: SignatureVerifier;
  /** The attacker's ECDSA signature (its own CA's leaf) over each genuine payload, by payload digest. */
  rogueSigned: Map<string, string>;
}

// ---------------------------------------------------------------------------------------------
// Limits

/** The codes a verification past a limit may fail with (decisions §11, §14). */
export const LIMIT_CODES: readonly string[] = ['LIMIT_EXCEEDED', 'VERIFY_BUDGET_EXCEEDED'];

/** Whether the per-verification budget of untrusted signature checks exists yet (src/limits.ts). */
export const HAS_BUDGET = Object.hasOwn(DEFAULT_LIMITS, 'untrustedSignatureChecks');

/** The small budget the budget attack is verified under (within the limit's bounds). */
export function smallBudget(): number {
  const bounds = (LIMIT_BOUNDS as Record<string, readonly [number, number]>).untrustedSignatureChecks ?? [
    1,
    Number.MAX_SAFE_INTEGER,
  ];
  return Math.min(Math.max(16, bounds[0]), bounds[1]);
}

/** Most signatures on one line within the limits. */
export const SIGS_PER_LINE = DEFAULT_LIMITS.signaturesPerEnvelope;

// ---------------------------------------------------------------------------------------------
// Verification helpers

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/**
 * nodeEd25519Verifier behind a cache keyed by (signature, key, sha256(message)). Ed25519
 * verification is a pure function, so the verdicts and codes are the verifier's own; the cache
 * only spares repeating the slow path (a rejected signature is re-checked by the strict JS
 * verifier, ~1.5 ms, for each of the policy's keys) for the attacker's signatures, which recur
 * across cases. FUZZ_MEMO=0 turns it off.
 */
export function memoVerifier(inner: SignatureVerifier = nodeEd25519Verifier, max = 300_000): SignatureVerifier {
  if (process.env.FUZZ_MEMO === '0') return inner;
  const cache = new Map<string, SignatureCheck>();
  return Object.freeze({
    name: `${inner.name}+memo`,
    async verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<SignatureCheck> {
      const id = `${hex(signature)}.${hex(publicKey)}.${createHash('sha256').update(message).digest('hex')}`;
      const hit = cache.get(id);
      if (hit) return hit;
      const out = await inner.verify(signature, message, publicKey);
      if (cache.size >= max) cache.clear();
      cache.set(id, out);
      return out;
    },
  });
}

/** The bundle text of lines. */
export function joinLines(lines: readonly Line[]): string {
  return lines.map((l) => l.text + l.eol).join('');
}

/** Verify a variant's inputs with another bundle (and limits). */
export function verifyVariant(
  pool: Pool,
  v: Variant,
  bundle: string,
  limits?: Partial<Limits> | Record<string, number>,
): Promise<ChainVerification> {
  return verifyChain({
    bundle,
    policy: v.policy,
    subject: v.subject,
    useCase: v.useCase,
    asOf: v.asOf,
    verifier: pool.verifier,
    ...(limits ? { limits: limits } : {}),
  });
}

// ---------------------------------------------------------------------------------------------
// The pool

const ALL_STAGES = ['dataset', 'training', 'evaluation', 'approval', 'promotion'];
/** The CI bot's certificate identity (in no role): certificate material is judged against a real CA. */
export const CI_BOT = 'https://ci.example.com/bot';
const requireAll = (d: Record<string, any>) => {
  d.requiredStages = [...ALL_STAGES];
  // Every policy trusts a private CA and a timestamp authority (no role requires a timestamp):
  // lines carrying certificates and tokens are judged against real trust anchors.
  const ca = ciAuthorities();
  d.certificateAuthorities = { ci: { type: 'x509', certificates: ca.ca.pem } };
  d.identities[CI_BOT] = { certificate: { authority: 'ci', subject: CI_BOT } };
  d.timestampAuthorities = { tsa: { certificates: ca.tsa.root.pem } };
};

/** payloadTypes to copy payloads under; those the parser refuses are dropped when the pool is built. */
const ALT_TYPE_CANDIDATES = [
  'application/json',
  'application/vnd.in-toto+JSON',
  'application/vnd.in-toto+json; charset=utf-8',
  'application/vnd.dsse.envelope.v1+json',
  'text/plain',
  '',
];

const UNTRUSTED_NAMES = ['mallory', 'eve', 'trudy'] as const;

async function untrustedKey(name: (typeof UNTRUSTED_NAMES)[number]): Promise<PrivateKey> {
  // mallory is world.ts's own untrusted key (some variants are signed by it); the others are ours.
  if (name === 'mallory') return key('mallory');
  return privateKeyFromSeed(sha256(utf8(`lineproof adversary key: ${name}`)));
}

const signers = new WeakMap<PrivateKey, ReturnType<typeof nodeEd25519Signer>>();
async function signRaw(
  payload: Uint8Array,
  payloadType: string,
  signer: PrivateKey,
  keyid?: string,
): Promise<WireSignature> {
  let s = signers.get(signer);
  if (!s) signers.set(signer, (s = nodeEd25519Signer(signer)));
  return { keyid: keyid ?? s.keyid, sig: toBase64(await s.sign(pae(payloadType, payload))) };
}

function genuineLines(steps: Array<[string, WorldStep, KeyName[]]>): GenuineLine[] {
  return steps.map(([name, step, signers]) => {
    const text = step.line.replace(/\n$/, '');
    return {
      name,
      text,
      payloadType: step.envelope.payloadType,
      payload: step.payload,
      digest: step.digest,
      sigs: step.envelope.signatures.map((s, i) => ({ key: signers[i]!, keyid: s.keyid ?? '', sig: s.sig })),
    };
  });
}

type Steps = World['steps'];
const DEFAULT_SIGNERS: Record<keyof Steps, KeyName[]> = {
  dataset: ['steward'],
  training: ['trainer'],
  evaluation: ['evaluator'],
  approval: ['alice', 'bob'],
  promotion: ['deployer'],
  registration: ['registrar'],
};

async function chainOf(opts: WorldOptions = {}): Promise<{ world: World; lines: GenuineLine[] }> {
  const world = await buildWorld({
    ...opts,
    policy: (d) => {
      requireAll(d);
      opts.policy?.(d);
    },
  });
  const signers = { ...DEFAULT_SIGNERS, ...opts.signers } as Record<keyof Steps, KeyName[]>;
  const order: Array<keyof Steps> = ['dataset', 'training', 'registration', 'evaluation', 'approval', 'promotion'];
  const present = order.flatMap((s): Array<[string, WorldStep, KeyName[]]> => {
    const step = world.steps[s];
    return step ? [[s, step, signers[s]]] : [];
  });
  return { world, lines: genuineLines(present) };
}

async function revocation(input: Record<string, unknown>): Promise<GenuineLine> {
  const step = await sign(
    buildRevocationStatement({
      reason: 'erroneous',
      description: 'void',
      effectiveAt: '2026-01-20T00:00:00Z',
      attester: IDENTITY.revoker,
      now: new Date('2026-01-20T00:00:00Z'),
      ...input,
    } as never),
    ['revoker'],
  );
  return genuineLines([['revocation', step, ['revoker']]])[0]!;
}

/** Structurally valid junk: R = r·G for a derived scalar r, S derived and below 2^252 < L. */
function structuralJunk(n: number): string[] {
  const L = 2n ** 252n + 27742317777372353535851937790883648493n;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = (BigInt(`0x${sha256Hex(utf8(`junk R ${i}`))}`) % (L - 1n)) + 1n;
    const R = ed.Point.BASE.multiply(r).toBytes();
    const S = sha256(utf8(`junk S ${i}`));
    S[31]! &= 0x0f;
    const sig = new Uint8Array(64);
    sig.set(R, 0);
    sig.set(S, 32);
    out.push(toBase64(sig));
  }
  return out;
}

/** Edge cases of the signature encoding; each fails the strict pre-checks or verification. */
function edgeJunk(): string[] {
  const L = 2n ** 252n + 27742317777372353535851937790883648493n;
  const le = (n: bigint) => {
    const b = new Uint8Array(32);
    for (let i = 0; i < 32; i++) {
      b[i] = Number(n & 0xffn);
      n >>= 8n;
    }
    return b;
  };
  const identity = le(1n);
  const base = ed.Point.BASE.toBytes();
  const sig = (R: Uint8Array, S: Uint8Array) => {
    const b = new Uint8Array(64);
    b.set(R, 0);
    b.set(S, 32);
    return toBase64(b);
  };
  return [
    toBase64(new Uint8Array(64)),
    toBase64(new Uint8Array(64).fill(0xff)),
    sig(identity, le(0n)),
    sig(base, le(L)),
    sig(base, le(L - 1n)),
    sig(base, le(0n)),
    sig(le(2n ** 255n - 19n), le(1n)), // R encoded with y = p (non-canonical)
    toBase64(new Uint8Array(63)), // too short
    toBase64(new Uint8Array(65)), // too long
    '', // empty
  ];
}

/**
 * Build the pool: every chain signed once. Each variant is verified as is and must give its
 * expected verdict (a harness error otherwise).
 */
export async function buildPool(): Promise<Pool> {
  const valid = await chainOf();
  const lowUseCase = (i: any) => ({
    ...i,
    useCase: { id: 'internal-search', description: 'ranks internal documents' },
    riskTier: 'low',
  });
  const low2 = await chainOf({ approval: lowUseCase });
  const low1 = await chainOf({ approval: lowUseCase, signers: { approval: ['alice'] } });
  const under = await chainOf({ signers: { approval: ['alice'] } });
  const untrustedApproval = await chainOf({ signers: { approval: ['mallory'] } });
  const untrustedEvaluation = await chainOf({ signers: { evaluation: ['mallory'] } });
  const warned = await chainOf({ evaluation: (i) => ({ ...i, result: 'WARNED' }) });
  // Governed promotion (issue 14): registration required, and red-teaming findings capped.
  const governed = (d: Record<string, any>) => {
    d.requireRegistration = true;
    d.riskTiers.high.findingCaps = { 'red-teaming': { critical: 0 } };
  };
  const findings = (critical: number) => (i: any) => ({
    ...i,
    findings: [
      { category: 'red-teaming', suite: { name: 'red-team', version: '1' }, critical, high: 0, medium: 1, low: 2 },
    ],
  });
  const registered = await chainOf({ registration: (i) => i, evaluation: findings(0), policy: governed });
  const overCap = await chainOf({ registration: (i) => i, evaluation: findings(1), policy: governed });
  // alice's key expires after she approved: a token made later must not unmake her signature
  const expiring = await chainOf({
    policy: (d) => {
      d.keys.alice.validUntil = '2026-01-20T00:00:00Z';
    },
  });
  const compromised = await chainOf({
    policy: (d) => {
      d.keys.bob.status = 'compromised';
      d.keys.bob.compromisedAt = '2026-01-20T00:00:00Z';
    },
  });

  const ev = valid.world.steps.evaluation.payload;
  const revEvaluation = await revocation({ kind: 'attestation', attestations: [ev] });
  const revModel = await revocation({ kind: 'model', subjects: [{ digest: MODEL }], reason: 'legal' });
  const bob = await key('bob');
  const revKey = await revocation({
    kind: 'key',
    subjects: [{ digest: `sha256:${sha256Hex(spkiDer(bob.publicKey.bytes))}` }],
    reason: 'compromised',
  });
  const revOther = await revocation({
    kind: 'attestation',
    attestations: [`sha256:${sha256Hex(utf8('an unrelated attestation'))}`],
  });

  const without = (c: { lines: GenuineLine[] }, name: string) => c.lines.filter((l) => l.name !== name);
  const base = { subject: MODEL, useCase: 'support-chat', asOf: T.asOf };
  const specs: Array<Omit<Variant, 'policy'> & { world: World }> = [
    { name: 'valid', expectOk: true, world: valid.world, ...base, lines: valid.lines },
    {
      name: 'valid, low tier, two approvers',
      expectOk: true,
      world: low2.world,
      ...base,
      useCase: 'internal-search',
      lines: low2.lines,
    },
    {
      name: 'valid, low tier, one approver',
      expectOk: true,
      world: low1.world,
      ...base,
      useCase: 'internal-search',
      lines: low1.lines,
    },
    {
      name: 'valid, with an unrelated revocation',
      expectOk: true,
      world: valid.world,
      ...base,
      lines: [...valid.lines, revOther],
    },
    {
      name: 'evaluation revoked by a revoker statement',
      expectOk: false,
      world: valid.world,
      ...base,
      lines: [...valid.lines, revEvaluation],
    },
    {
      name: 'evaluation revoked (low tier)',
      expectOk: false,
      world: low1.world,
      ...base,
      useCase: 'internal-search',
      lines: [...low1.lines, revEvaluation],
    },
    {
      name: 'model revoked by a revoker statement',
      expectOk: false,
      world: valid.world,
      ...base,
      lines: [...valid.lines, revModel],
    },
    {
      name: 'approver key revoked by a revoker statement',
      expectOk: false,
      world: valid.world,
      ...base,
      lines: [...valid.lines, revKey],
    },
    {
      name: 'approval expired (asOf)',
      expectOk: false,
      world: valid.world,
      ...base,
      asOf: '2026-05-01T00:00:00Z',
      lines: valid.lines,
    },
    {
      name: 'under-approved (one approver, tier needs two)',
      expectOk: false,
      world: under.world,
      ...base,
      lines: under.lines,
    },
    { name: 'evaluation missing', expectOk: false, world: valid.world, ...base, lines: without(valid, 'evaluation') },
    { name: 'approval missing', expectOk: false, world: valid.world, ...base, lines: without(valid, 'approval') },
    { name: 'promotion missing', expectOk: false, world: valid.world, ...base, lines: without(valid, 'promotion') },
    {
      name: 'approval signed by an untrusted key',
      expectOk: false,
      world: untrustedApproval.world,
      ...base,
      lines: untrustedApproval.lines,
    },
    {
      name: 'evaluation signed by an untrusted key',
      expectOk: false,
      world: untrustedEvaluation.world,
      ...base,
      lines: untrustedEvaluation.lines,
    },
    {
      name: 'another model presented',
      expectOk: false,
      world: valid.world,
      ...base,
      subject: OTHER_MODEL,
      lines: valid.lines,
    },
    {
      name: 'evaluation WARNED where the tier forbids it',
      expectOk: false,
      world: warned.world,
      ...base,
      lines: warned.lines,
    },
    {
      name: 'use case not approved',
      expectOk: false,
      world: valid.world,
      ...base,
      useCase: 'internal-search',
      lines: valid.lines,
    },
    {
      name: 'valid, registered, findings within the cap',
      expectOk: true,
      world: registered.world,
      ...base,
      lines: registered.lines,
    },
    {
      name: 'registration missing (requireRegistration)',
      expectOk: false,
      world: registered.world,
      ...base,
      lines: without(registered, 'registration'),
    },
    {
      name: 'a critical red-teaming finding over the cap',
      expectOk: false,
      world: overCap.world,
      ...base,
      lines: overCap.lines,
    },
    {
      name: 'valid, an approver key expiring after the approval',
      expectOk: true,
      world: expiring.world,
      ...base,
      lines: expiring.lines,
    },
    {
      name: 'approver key compromised (policy)',
      expectOk: false,
      world: compromised.world,
      ...base,
      lines: compromised.lines,
    },
  ];
  const variants: Variant[] = specs.map(({ world, ...v }) => ({ ...v, policy: world.policy }));

  // The attacker's keys and what they signed.
  const untrustedKeys = await Promise.all(UNTRUSTED_NAMES.map(untrustedKey));
  const [mallory, eve, trudy] = untrustedKeys as [PrivateKey, PrivateKey, PrivateKey];
  const policyKeys = valid.world.policy.keys;
  const legacyOf = (name: string) => keyidsOf(policyKeys.find((k) => k.name === name)!.publicKey).legacy;
  const policyKeyids = policyKeys.flatMap((k) => {
    const ids = keyidsOf(k.publicKey);
    return [ids.legacy, ids.modern];
  });
  const keyNameByKeyid = new Map<string, string>();
  for (const v of variants) for (const k of v.policy.keys) keyNameByKeyid.set(keyidsOf(k.publicKey).legacy, k.name);

  const altTypes = ALT_TYPE_CANDIDATES.filter((t) => {
    try {
      parseEnvelope({ payloadType: t, payload: 'e30=', signatures: [] });
      return true;
    } catch {
      return false;
    }
  });

  const forgedSpecs: Array<{ name: string; payload: Uint8Array; signers: Array<[PrivateKey, string?]> }> = [];
  const approvalInput = {
    subject: { name: 'model', digest: MODEL },
    decision: 'APPROVED' as const,
    stage: 'production',
    useCase: { id: 'support-chat', description: 'answers customers' },
    riskTier: 'high',
    training: valid.world.steps.training.payload,
    evaluations: [valid.world.steps.evaluation.payload],
    conditions: ['forged'],
    runtimeScope: { tools: [], dataClasses: [], secretScopes: [] },
    notBefore: T.notBefore,
    expires: '2027-01-15T00:00:00Z',
    attester: IDENTITY.alice,
    now: new Date(T.approval),
  };
  const forge = (name: string, statement: unknown, signers: Array<[PrivateKey, string?]>) =>
    forgedSpecs.push({ name, payload: canonicalBytes(statement), signers });
  forge('an approval of the model signed by mallory', buildApprovalStatement(approvalInput as never), [[mallory]]);
  forge(
    'an approval of the model (low tier) signed by eve, keyid hint naming alice',
    buildApprovalStatement({
      ...approvalInput,
      useCase: { id: 'internal-search', description: 'x' },
      riskTier: 'low',
    } as never),
    [[eve, legacyOf('alice')]],
  );
  forge(
    'an approval of the other model signed by mallory',
    buildApprovalStatement({ ...approvalInput, subject: { name: 'model', digest: OTHER_MODEL } } as never),
    [[mallory]],
  );
  forge(
    'an approval of the model signed by mallory, eve and trudy, hints naming alice, bob, carol',
    buildApprovalStatement({ ...approvalInput, conditions: ['forged, three signers'] } as never),
    [
      [mallory, legacyOf('alice')],
      [eve, legacyOf('bob')],
      [trudy, legacyOf('carol')],
    ],
  );
  forge(
    'a revocation of the approval signed by mallory',
    buildRevocationStatement({
      kind: 'attestation',
      attestations: [valid.world.steps.approval.payload],
      reason: 'erroneous',
      description: 'forged',
      effectiveAt: '2026-01-20T00:00:00Z',
      attester: IDENTITY.revoker,
      now: new Date('2026-01-20T00:00:00Z'),
    } as never),
    [[mallory]],
  );
  forge(
    'a revocation of the model signed by eve, keyid hint naming the revoker',
    buildRevocationStatement({
      kind: 'model',
      subjects: [{ digest: MODEL }],
      reason: 'legal',
      description: 'forged',
      effectiveAt: '2026-01-20T00:00:00Z',
      attester: IDENTITY.revoker,
      now: new Date('2026-01-20T00:00:00Z'),
    } as never),
    [[eve, legacyOf('revoker')]],
  );
  forge(
    'a FAILED evaluation of the model signed by trudy',
    buildEvaluationStatement({
      subject: { name: 'model', digest: MODEL },
      suite: { name: 'release-eval', version: '1' },
      evaluator: { name: 'evalkit', version: '1' },
      training: valid.world.steps.training.payload,
      datasets: [{ name: 'heldout', digest: DATASET }],
      metrics: [
        {
          name: 'accuracy',
          category: 'accuracy',
          value: 0.1,
          higherIsBetter: true,
          threshold: 0.9,
          dataset: 'heldout',
        },
      ],
      result: 'FAILED',
      attester: IDENTITY.evaluator,
      now: new Date(T.evaluation),
    } as never),
    [[trudy, legacyOf('evaluator')]],
  );
  forge(
    'a promotion to staging signed by mallory',
    buildPromotionStatement({
      subject: { name: 'model', digest: MODEL },
      approval: valid.world.steps.approval.payload,
      stage: 'staging',
      environment: 'dev',
      attester: IDENTITY.deployer,
      now: new Date(T.promotion),
    } as never),
    [[mallory, legacyOf('deployer')]],
  );
  forge(
    'a dataset statement signed by eve',
    buildDatasetStatement({
      subject: { name: 'tickets', digest: DATASET, mediaType: 'application/vnd.lineproof.manifest.v1+json' },
      name: 'tickets',
      version: 'forged',
      owner: 'x',
      license: 'MIT',
      classification: { sensitivity: 'public', pii: false },
      sources: [],
      attester: IDENTITY.steward,
      now: new Date(T.dataset),
    } as never),
    [[eve]],
  );
  forge(
    'an unknown predicate type signed by mallory',
    {
      _type: STATEMENT_TYPE_V1,
      subject: [{ name: 'x', digest: { sha256: MODEL.slice(7) } }],
      predicateType: 'https://example.com/unknown/v1',
      predicate: { a: 1 },
    },
    [[mallory]],
  );
  forge('a payload that is no Statement, signed by mallory', { hello: 'world' }, [[mallory]]);
  const forged: ForgedLine[] = [];
  for (const f of forgedSpecs) {
    const signatures = await Promise.all(f.signers.map(([k, id]) => signRaw(f.payload, IN_TOTO_PAYLOAD_TYPE, k, id)));
    forged.push({ name: f.name, env: { payloadType: IN_TOTO_PAYLOAD_TYPE, payload: toBase64(f.payload), signatures } });
  }

  // The attacker's signatures over every genuine payload, under the in-toto type and each alternative.
  const resigned = new Map<string, string>();
  const payloads = new Map<string, Uint8Array>();
  for (const v of variants) for (const l of v.lines) payloads.set(l.digest, l.payload);
  for (const [digest, payload] of payloads) {
    for (const type of [IN_TOTO_PAYLOAD_TYPE, ...altTypes]) {
      for (const [u, k] of untrustedKeys.entries())
        resigned.set(`${digest}|${type}|${u}`, (await signRaw(payload, type, k)).sig);
    }
  }

  const pool: Pool = {
    variants,
    passing: variants.filter((v) => v.expectOk),
    forged,
    altTypes,
    untrusted: [...UNTRUSTED_NAMES],
    resigned,
    untrustedKeyids: untrustedKeys.map((k) => k.publicKey.keyid),
    structural: structuralJunk(16),
    // Only what the envelope parser accepts: the attacker's lines are all well-formed (a malformed
    // line fails verification by design, decisions §6).
    edge: edgeJunk().filter((sig) => {
      try {
        parseEnvelope({ payloadType: IN_TOTO_PAYLOAD_TYPE, payload: 'e30=', signatures: [{ sig }] });
        return true;
      } catch {
        return false;
      }
    }),
    policyKeyids,
    keyNameByKeyid,
    policyKeyCount: Math.max(...variants.map((v) => v.policy.keys.length)),
    verifier: memoVerifier(),
    rogueSigned: await rogueSignatures(variants.flatMap((v) => v.lines)),
  };
  for (const v of variants) {
    const { report } = await verifyVariant(pool, v, joinLines(v.lines.map((l) => ({ text: l.text, eol: '\n' }))));
    if (report.ok !== v.expectOk) {
      throw new Error(
        `adversary pool: variant ${JSON.stringify(v.name)} verifies ${report.ok ? 'ok' : 'not ok'}, expected ${v.expectOk ? 'ok' : 'not ok'}: ${report.checks
          .filter((c) => c.status === 'fail')
          .map((c) => c.code)
          .join(', ')}`,
      );
    }
  }
  return pool;
}

// ---------------------------------------------------------------------------------------------
// Attacks as data

/** The keyid hint written next to a junk or attacker signature. */
export type KeyidChoice =
  | { k: 'absent' }
  | { k: 'empty' }
  | { k: 'null' }
  | { k: 'random'; bytes: Uint8Array }
  | { k: 'policy'; i: number }
  | { k: 'untrusted'; i: number };

/**
 * A junk signature: 64 random bytes (sha512 of a seed: uniform, so S >= L fifteen times in
 * sixteen), an edge case (all zeros, S = L, R the identity, ...), a structurally valid one
 * (canonical S < L, R a curve point), or a genuine signature of the same bundle moved here.
 */
export type Junk =
  | { j: 'random'; seed: number; keyid: KeyidChoice }
  | { j: 'edge'; i: number; keyid: KeyidChoice }
  | { j: 'structural'; i: number; keyid: KeyidChoice }
  | { j: 'transplant'; i: number; keyid: KeyidChoice };

/**
 * How a line is written: `jcs` exactly as a signer writes it; `crlf` the same with CRLF;
 * `urlsafe` URL-safe base64 (with padding, accepted by readers); `spaced` other key order and
 * spaces; `extra` unknown fields at the top and in each signature (ignored by the in-toto rule).
 */
export type Encoding = 'jcs' | 'crlf' | 'urlsafe' | 'spaced' | 'extra';

/** One line the attacker appends. `src` picks a line of the chain (modulo its length). */
export type Move =
  /** A genuine line again (`jcs`: byte for byte; otherwise re-encoded). */
  | { op: 'duplicate'; src: number; enc: Encoding }
  /** A genuine payload under another payloadType, with its genuine signatures (which sign nothing there), none, or the attacker's; plus junk. */
  | {
      op: 'retype';
      src: number;
      type: number;
      keep: 'genuine' | 'none' | 'untrusted';
      u: number;
      junk: Junk[];
      enc: Encoding;
    }
  /** A genuine payload and payloadType with the attacker's signature (and the genuine ones, or not). */
  | { op: 'resign'; src: number; u: number; keyid: KeyidChoice; keepGenuine: boolean; enc: Encoding }
  /** A genuine payload and payloadType with junk signatures (and the genuine ones, or not). */
  | { op: 'junk'; src: number; keepGenuine: boolean; junk: Junk[]; enc: Encoding }
  /** An envelope the attacker signed (a payload of its own), plus junk. */
  | { op: 'forged'; f: number; junk: Junk[]; enc: Encoding }
  /** A blank line. */
  | { op: 'blank'; text: string; eol: '\n' | '\r\n' }
  /** A genuine signature (or the attacker's, under its own CA's certificate) as a Sigstore bundle line with material. */
  | { op: 'sigstore'; src: number; sig: number; material: SigstoreMaterial };

/**
 * Material on a Sigstore line. On a genuine signature: `junkCert` (bytes that are no certificate,
 * a junk token), `rogueCert` (a leaf of the attacker's CA naming the CI bot, a token of the
 * attacker's authority), `rogueToken` (a token of the attacker's authority), `lateToken` (a token
 * of the policy's own authority, made late: anyone may stamp a signature); at most four distinct
 * pieces a signature, the bundle limit. `rogueSigned`: the attacker's own ECDSA signature under its
 * CA's leaf naming the CI bot.
 */
export type SigstoreMaterial = 'junkCert' | 'rogueCert' | 'rogueToken' | 'lateToken' | 'rogueSigned';

/** Something that takes the bundle past a limit. */
export type Breaker =
  /** One line with more than 16 signatures (junk, over a genuine or forged payload). */
  | { kind: 'signatures'; src: number; forged: boolean; keepGenuine: boolean; junk: Junk[]; enc: Encoding }
  /** More envelopes than `envelopesPerBundle`, configured to the chain's own count: forged envelopes appended. */
  | { kind: 'envelopes'; forged: number[] }
  /** More untrusted signature checks than a small configured `untrustedSignatureChecks` (only when the limit exists). */
  | { kind: 'budget'; src: number; salt: number };

/** The attacker's appended lines; `order` (sort keys) rewrites the line order of the whole bundle. */
export interface Adversary {
  moves: Move[];
  order: number[] | null;
  /** Verify with envelopesPerBundle set to exactly the number of lines (at the limit, not past it). */
  tight: boolean;
}

const srcArb = fc.nat(63);
const encArb: fc.Arbitrary<Encoding> = fc.constantFrom<Encoding>('jcs', 'crlf', 'urlsafe', 'spaced', 'extra');
export const keyidArb: fc.Arbitrary<KeyidChoice> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<KeyidChoice>({ k: 'absent' }) },
  { weight: 1, arbitrary: fc.constant<KeyidChoice>({ k: 'empty' }) },
  { weight: 1, arbitrary: fc.constant<KeyidChoice>({ k: 'null' }) },
  {
    weight: 2,
    arbitrary: fc.record({ k: fc.constant('random' as const), bytes: fc.uint8Array({ minLength: 32, maxLength: 32 }) }),
  },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('policy' as const), i: fc.nat(63) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('untrusted' as const), i: fc.nat(7) }) },
);
export const junkArb: fc.Arbitrary<Junk> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ j: fc.constant('random' as const), seed: fc.nat(), keyid: keyidArb }) },
  { weight: 1, arbitrary: fc.record({ j: fc.constant('edge' as const), i: fc.nat(63), keyid: keyidArb }) },
  { weight: 2, arbitrary: fc.record({ j: fc.constant('structural' as const), i: fc.nat(1023), keyid: keyidArb }) },
  { weight: 1, arbitrary: fc.record({ j: fc.constant('transplant' as const), i: fc.nat(1023), keyid: keyidArb }) },
);
const junkList = (max: number) => fc.array(junkArb, { maxLength: max });

/** One appended line within the limits (at most 16 signatures; see {@link materialize}). */
export const moveArb: fc.Arbitrary<Move> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('duplicate' as const), src: srcArb, enc: encArb }) },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('retype' as const),
      src: srcArb,
      type: fc.nat(63),
      keep: fc.constantFrom('genuine' as const, 'none' as const, 'untrusted' as const),
      u: fc.nat(7),
      junk: junkList(4),
      enc: encArb,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('resign' as const),
      src: srcArb,
      u: fc.nat(7),
      keyid: keyidArb,
      keepGenuine: fc.boolean(),
      enc: encArb,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('junk' as const),
      src: srcArb,
      keepGenuine: fc.boolean(),
      junk: junkList(SIGS_PER_LINE),
      enc: encArb,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('forged' as const), f: fc.nat(63), junk: junkList(3), enc: encArb }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('sigstore' as const),
      src: srcArb,
      sig: fc.nat(7),
      material: fc.constantFrom<SigstoreMaterial>('junkCert', 'rogueCert', 'rogueToken', 'lateToken', 'rogueSigned'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('blank' as const),
      text: fc.constantFrom('', ' ', '\t', ' \t '),
      eol: fc.constantFrom('\n' as const, '\r\n' as const),
    }),
  },
);

/** Sort keys that reorder a bundle, or none (two times in three); shrinks to none. */
export const orderArb: fc.Arbitrary<number[] | null> = fc.oneof(
  { withCrossShrink: true },
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.array(fc.nat(40), { maxLength: 40 }) },
);

/** An adversary within the limits. */
export const adversaryArb = (
  opts: { maxMoves?: number; reorder?: boolean; tight?: boolean } = {},
): fc.Arbitrary<Adversary> =>
  fc.record({
    moves: fc.array(moveArb, { minLength: 1, maxLength: opts.maxMoves ?? 6 }),
    order: opts.reorder === false ? fc.constant(null) : orderArb,
    tight:
      opts.tight === false
        ? fc.constant(false)
        : fc.oneof(
            { withCrossShrink: true },
            { weight: 3, arbitrary: fc.constant(false) },
            { weight: 1, arbitrary: fc.constant(true) },
          ),
  });

/** Something past a limit (the budget only when `untrustedSignatureChecks` exists). */
export const breakerArb: fc.Arbitrary<Breaker> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('signatures' as const),
      src: srcArb,
      forged: fc.boolean(),
      keepGenuine: fc.boolean(),
      junk: fc.array(junkArb, { minLength: SIGS_PER_LINE + 1, maxLength: SIGS_PER_LINE + 8 }),
      enc: encArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('envelopes' as const),
      forged: fc.array(fc.nat(63), { minLength: 1, maxLength: 4 }),
    }),
  },
  ...(HAS_BUDGET
    ? [{ weight: 2, arbitrary: fc.record({ kind: fc.constant('budget' as const), src: srcArb, salt: fc.nat() }) }]
    : []),
);

// ---------------------------------------------------------------------------------------------
// From moves to lines

function keyidOf(pool: Pool, c: KeyidChoice): { keyid?: string | null } {
  switch (c.k) {
    case 'absent':
      return {};
    case 'empty':
      return { keyid: '' };
    case 'null':
      return { keyid: null };
    case 'random':
      return { keyid: hex(c.bytes) };
    case 'policy':
      return { keyid: pool.policyKeyids[c.i % pool.policyKeyids.length]! };
    case 'untrusted':
      return { keyid: pool.untrustedKeyids[c.i % pool.untrustedKeyids.length]! };
    default: {
      const never: never = c;
      throw new TypeError(`unknown keyid choice ${String(never)}`);
    }
  }
}

function junkBytes(pool: Pool, v: Variant, j: Junk): string {
  switch (j.j) {
    case 'random':
      return createHash('sha512').update(`junk ${j.seed}`).digest('base64');
    case 'edge':
      return pool.edge[j.i % pool.edge.length]!;
    case 'structural':
      return pool.structural[j.i % pool.structural.length]!;
    case 'transplant': {
      // Only signatures of this bundle: a genuine signature from elsewhere (another chain over the
      // same payload) is trusted material the attacker does not have.
      const sigs = v.lines.flatMap((l) => l.sigs.map((x) => x.sig));
      return sigs[j.i % sigs.length]!;
    }
    default: {
      const never: never = j;
      throw new TypeError(`unknown junk ${JSON.stringify(never)}`);
    }
  }
}

function junkSig(pool: Pool, v: Variant, j: Junk): WireSignature {
  return { ...keyidOf(pool, j.keyid), sig: junkBytes(pool, v, j) };
}

const urlsafe = (s: string) => s.replace(/\+/g, '-').replace(/\//g, '_');

/** Write an envelope as one line in an encoding. */
export function encodeLine(env: WireEnvelope, enc: Encoding): Line {
  switch (enc) {
    case 'jcs':
      return { text: canonicalJson(env), eol: '\n' };
    case 'crlf':
      return { text: canonicalJson(env), eol: '\r\n' };
    case 'urlsafe':
      return {
        text: canonicalJson({
          ...env,
          payload: urlsafe(env.payload),
          signatures: env.signatures.map((s) => ({ ...s, sig: urlsafe(s.sig) })),
        }),
        eol: '\n',
      };
    case 'spaced': {
      const sigs = env.signatures.map(
        (s) => `{ "sig" : ${JSON.stringify(s.sig)}${'keyid' in s ? ` , "keyid" : ${JSON.stringify(s.keyid)}` : ''} }`,
      );
      return {
        text: ` { "signatures" : [ ${sigs.join(' , ')} ] , "payload" : ${JSON.stringify(env.payload)} , "payloadType" : ${JSON.stringify(env.payloadType)} } `,
        eol: '\n',
      };
    }
    case 'extra':
      return {
        text: canonicalJson({
          ...env,
          comment: 'ignored',
          signatures: env.signatures.map((s) => ({ ...s, note: 'unknown field' })),
        }),
        eol: '\n',
      };
    default: {
      const never: never = enc;
      throw new TypeError(`unknown encoding ${String(never)}`);
    }
  }
}

const wireOf = (l: GenuineLine): WireEnvelope => JSON.parse(l.text) as WireEnvelope;

/** Fit signatures to the per-line limit: genuine ones first, junk cut. */
function fit(genuine: WireSignature[], junk: WireSignature[], max: number): WireSignature[] {
  return [...genuine, ...junk].slice(0, Math.max(max, genuine.length));
}

/** The line a move appends. Within the limits: at most 16 signatures. */
export function moveLine(pool: Pool, v: Variant, m: Move): Line {
  if (m.op === 'blank') return { text: m.text, eol: m.eol };
  if (m.op === 'sigstore') return { text: sigstoreLine(pool, v.lines[m.src % v.lines.length]!, m), eol: '\n' };
  if (m.op === 'forged') {
    const f = pool.forged[m.f % pool.forged.length]!;
    return encodeLine(
      {
        ...f.env,
        signatures: fit(
          f.env.signatures,
          m.junk.map((j) => junkSig(pool, v, j)),
          SIGS_PER_LINE,
        ),
      },
      m.enc,
    );
  }
  const g = v.lines[m.src % v.lines.length]!;
  const env = wireOf(g);
  switch (m.op) {
    case 'duplicate':
      return m.enc === 'jcs' ? { text: g.text, eol: '\n' } : encodeLine(env, m.enc);
    case 'retype': {
      const type = pool.altTypes[m.type % pool.altTypes.length]!;
      const base =
        m.keep === 'genuine'
          ? env.signatures
          : m.keep === 'untrusted'
            ? [{ sig: pool.resigned.get(`${g.digest}|${type}|${m.u % pool.untrusted.length}`)! }]
            : [];
      return encodeLine(
        {
          payloadType: type,
          payload: env.payload,
          signatures: fit(
            base,
            m.junk.map((j) => junkSig(pool, v, j)),
            SIGS_PER_LINE,
          ),
        },
        m.enc,
      );
    }
    case 'resign': {
      const mine = {
        ...keyidOf(pool, m.keyid),
        sig: pool.resigned.get(`${g.digest}|${g.payloadType}|${m.u % pool.untrusted.length}`)!,
      };
      return encodeLine({ ...env, signatures: m.keepGenuine ? [...env.signatures, mine] : [mine] }, m.enc);
    }
    case 'junk':
      return encodeLine(
        {
          ...env,
          signatures: fit(
            m.keepGenuine ? env.signatures : [],
            m.junk.map((j) => junkSig(pool, v, j)),
            SIGS_PER_LINE,
          ),
        },
        m.enc,
      );
    default: {
      const never: never = m;
      throw new TypeError(`unknown move ${JSON.stringify(never)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Sigstore lines (certificates and timestamps the attacker can make)

let rogueLeaf: MadeCert | undefined;
/** The attacker's own CA's leaf naming the CI bot (with its key). */
function rogueCert(): MadeCert {
  if (rogueLeaf) return rogueLeaf;
  const pki = new Pki('2026-01-01T00:00:00Z');
  const root = new Pki('2025-12-01T00:00:00Z').root('adversary-ca', { key: 'ec:P-256' });
  rogueLeaf = pki.issue('adversary-bot', root, { ext: leafExt(`URI:${CI_BOT}`), days: 365 });
  return rogueLeaf;
}

/** The attacker's ECDSA signatures, under its leaf, over each genuine payload (base64 by payload digest). */
async function rogueSignatures(lines: readonly GenuineLine[]): Promise<Map<string, string>> {
  const s = ecdsaSigner(parseEcPrivateKey(readFileSync(rogueCert().keyPath, 'utf8')));
  const out = new Map<string, string>();
  for (const g of lines)
    if (!out.has(g.digest)) out.set(g.digest, toBase64(await s.sign(pae(g.payloadType, g.payload))));
  return out;
}

const stamps = new Map<string, Uint8Array>();
/** A token over `sig` by the policy's authority (late) or the attacker's, made once. */
function tokenOf(sig: Uint8Array, by: 'policy' | 'rogue'): Uint8Array {
  const id = `${by}|${toBase64(sig)}`;
  let t = stamps.get(id);
  if (!t) {
    const a = ciAuthorities();
    // late: after every statement of the pool, one of two times (by the signature), some after asOf
    const late = sha256(sig)[0]! % 2 === 0 ? '2026-01-31T00:00:00Z' : '2027-06-01T00:00:00Z';
    t = (by === 'policy' ? a.tsa : a.rogue).stamp(sig, { at: late }).token;
    stamps.set(id, t);
  }
  return t;
}

function sigstoreLine(pool: Pool, g: GenuineLine, m: Extract<Move, { op: 'sigstore' }>): string {
  const env = { payloadType: g.payloadType, payload: toBase64(g.payload) };
  if (m.material === 'rogueSigned') {
    const sig = pool.rogueSigned.get(g.digest)!;
    return sigstoreBundleLine(
      { ...env, signatures: [{ sig, keyid: '' }] },
      { certificates: [rogueCert().der] },
    ).trimEnd();
  }
  const s = g.sigs[m.sig % g.sigs.length]!;
  const one = { ...env, signatures: [{ sig: s.sig, keyid: s.keyid }] };
  const raw = fromBase64(s.sig);
  const junk = sha256(utf8(`junk material ${s.sig}`));
  switch (m.material) {
    case 'junkCert':
      return sigstoreBundleLine(one, { certificates: [junk], timestamps: [junk] }).trimEnd();
    case 'rogueCert':
      return sigstoreBundleLine(one, {
        certificates: [rogueCert().der],
        timestamps: [tokenOf(raw, 'rogue')],
      }).trimEnd();
    case 'rogueToken':
      return sigstoreBundleLine(one, { timestamps: [tokenOf(raw, 'rogue')] }).trimEnd();
    default:
      return sigstoreBundleLine(one, { timestamps: [tokenOf(raw, 'policy')] }).trimEnd();
  }
}

/** The lines a breaker appends, and the limits to verify under. */
export function breakerLines(pool: Pool, v: Variant, b: Breaker): { lines: Line[]; limits?: Record<string, number> } {
  switch (b.kind) {
    case 'signatures': {
      const env = b.forged ? pool.forged[b.src % pool.forged.length]!.env : wireOf(v.lines[b.src % v.lines.length]!);
      const junk = b.junk.map((j) => junkSig(pool, v, j));
      const sigs = [...(b.keepGenuine || b.forged ? env.signatures : []), ...junk];
      if (sigs.length <= SIGS_PER_LINE) throw new Error('harness: a signatures breaker must exceed the per-line limit');
      return { lines: [encodeLine({ ...env, signatures: sigs }, b.enc)] };
    }
    case 'envelopes':
      // The chain's own envelopes are exactly at the limit; each forged one is a new, distinct payload.
      return {
        lines: b.forged.map((f) => encodeLine(pool.forged[f % pool.forged.length]!.env, 'jcs')),
        limits: { envelopesPerBundle: v.lines.length },
      };
    case 'budget': {
      // 2B + 1 distinct structurally valid signatures (each needs real verification under every key),
      // at most 16 a line over a genuine payload: past a budget B however it counts (per signature or per key tried).
      const budget = smallBudget();
      const n = 2 * budget + 1;
      const env = wireOf(v.lines[b.src % v.lines.length]!);
      const sigs: WireSignature[] = [];
      for (let i = 0; i < n; i++) {
        const R = Buffer.from(pool.structural[i % pool.structural.length]!, 'base64').subarray(0, 32);
        const S = sha256(utf8(`budget ${b.salt} ${i}`));
        S[31]! &= 0x0f;
        sigs.push({ sig: toBase64(new Uint8Array([...R, ...S])) });
      }
      const lines: Line[] = [];
      for (let i = 0; i < sigs.length; i += SIGS_PER_LINE)
        lines.push(encodeLine({ ...env, signatures: sigs.slice(i, i + SIGS_PER_LINE) }, 'jcs'));
      return { lines, limits: { untrustedSignatureChecks: budget } };
    }
    default: {
      const never: never = b;
      throw new TypeError(`unknown breaker ${JSON.stringify(never)}`);
    }
  }
}

/** Stable sort by keys (missing keys 0): all-zero keys, where shrinking goes, is the identity. */
export function reorder<X>(items: readonly X[], keys: readonly number[]): X[] {
  return items
    .map((x, i) => ({ x, k: keys[i] ?? 0, i }))
    .sort((a, b) => a.k - b.k || a.i - b.i)
    .map((e) => e.x);
}

/** The variant's own lines. */
export function baseLines(v: Variant): Line[] {
  return v.lines.map((l) => ({ text: l.text, eol: '\n' as const }));
}

/** The bundle after the adversary: the chain's lines, the appended ones, optionally reordered. */
export function materialize(
  pool: Pool,
  v: Variant,
  adv: Adversary,
  extra: Line[] = [],
): { lines: Line[]; limits?: Record<string, number> } {
  let lines = [...baseLines(v), ...adv.moves.map((m) => moveLine(pool, v, m)), ...extra];
  if (adv.order) lines = reorder(lines, adv.order);
  return adv.tight
    ? { lines, limits: { envelopesPerBundle: lines.filter((l) => l.text.trim() !== '').length } }
    : { lines };
}

/**
 * The harness's own check of the threat model: no line the attacker added carries a signature a
 * policy key made, unless that very signature is already in the chain over the same payloadType
 * and payload (copying what is there is allowed; new trusted material is not).
 * @returns a description of the first offending signature, or undefined
 */
export async function trustedMaterialAdded(
  pool: Pool,
  v: Variant,
  lines: readonly Line[],
): Promise<string | undefined> {
  const genuine = new Set(v.lines.flatMap((l) => l.sigs.map((s) => `${l.payloadType}|${l.digest}|${s.sig}`)));
  const own = new Set(v.lines.map((l) => l.text));
  for (const line of lines) {
    if (line.text.trim() === '' || own.has(line.text)) continue;
    const parsed = JSON.parse(line.text) as WireEnvelope & { mediaType?: string; dsseEnvelope?: WireEnvelope };
    const env = parsed.mediaType !== undefined ? parsed.dsseEnvelope! : parsed;
    const payload = new Uint8Array(Buffer.from(env.payload, 'base64'));
    const digest = `sha256:${sha256Hex(payload)}`;
    const message = pae(env.payloadType, payload);
    for (const s of env.signatures) {
      const sig = new Uint8Array(Buffer.from(s.sig, 'base64'));
      if (genuine.has(`${env.payloadType}|${digest}|${toBase64(sig)}`)) continue;
      for (const k of v.policy.keys) {
        if ((await pool.verifier.verify(sig, message, k.publicKey)).valid)
          return `an added line carries a new signature by policy key ${k.name} over ${digest}`;
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Describing attacks (counterexamples print as sentences)

function describeKeyid(c: KeyidChoice): string {
  switch (c.k) {
    case 'random':
      return 'random keyid';
    case 'policy':
      return `keyid of policy key #${c.i}`;
    case 'untrusted':
      return 'attacker keyid';
    default:
      return `keyid ${c.k}`;
  }
}

function describeJunk(junk: Junk[]): string {
  if (junk.length === 0) return '';
  const kinds = (['random', 'edge', 'structural', 'transplant'] as const)
    .map((k) => [k, junk.filter((j) => j.j === k).length] as const)
    .filter(([, n]) => n > 0);
  const ids = [...new Set(junk.map((j) => describeKeyid(j.keyid)))].join('/');
  return ` + ${junk.length} junk sig(s) (${kinds.map(([k, n]) => `${n} ${k}`).join(', ')}; ${ids})`;
}

/** One move as a sentence. */
export function describeMove(pool: Pool, v: Variant, m: Move): string {
  const src = (i: number) => v.lines[i % v.lines.length]!.name;
  switch (m.op) {
    case 'duplicate':
      return `copy of the ${src(m.src)} line${m.enc === 'jcs' ? '' : ` (${m.enc})`}`;
    case 'retype':
      return `the ${src(m.src)} payload under payloadType ${JSON.stringify(pool.altTypes[m.type % pool.altTypes.length])} with ${m.keep === 'genuine' ? 'its genuine signatures' : m.keep === 'untrusted' ? `${pool.untrusted[m.u % pool.untrusted.length]}'s signature` : 'no signature'}${describeJunk(m.junk)} (${m.enc})`;
    case 'resign':
      return `the ${src(m.src)} envelope re-signed by ${pool.untrusted[m.u % pool.untrusted.length]} (${describeKeyid(m.keyid)})${m.keepGenuine ? ', genuine signatures kept' : ', genuine signatures dropped'} (${m.enc})`;
    case 'junk':
      return `the ${src(m.src)} envelope${m.keepGenuine ? '' : ' without its signatures'}${describeJunk(m.junk) || ' with no signatures'} (${m.enc})`;
    case 'forged':
      return `${pool.forged[m.f % pool.forged.length]!.name}${describeJunk(m.junk)} (${m.enc})`;
    case 'blank':
      return `blank line ${JSON.stringify(m.text + m.eol)}`;
    case 'sigstore':
      return m.material === 'rogueSigned'
        ? `the ${src(m.src)} payload signed by the attacker's CA certificate naming the CI bot, as a Sigstore line`
        : `signature #${m.sig} of the ${src(m.src)} line as a Sigstore line with ${m.material}`;
    default:
      return JSON.stringify(m);
  }
}

/** A breaker as a sentence. */
export function describeBreaker(pool: Pool, v: Variant, b: Breaker): string {
  switch (b.kind) {
    case 'signatures': {
      const what = b.forged
        ? pool.forged[b.src % pool.forged.length]!.name
        : `the ${v.lines[b.src % v.lines.length]!.name} envelope`;
      return `${what} with ${b.junk.length} junk signatures${b.keepGenuine || b.forged ? ' added to its own' : ''} (past 16 a line)`;
    }
    case 'envelopes':
      return `${b.forged.length} forged envelope(s) past envelopesPerBundle = ${v.lines.length}`;
    case 'budget':
      return `${2 * smallBudget() + 1} structurally valid junk signatures past untrustedSignatureChecks = ${smallBudget()}`;
    default:
      return JSON.stringify(b);
  }
}

/** An adversary as a list of sentences. */
export function describeAdversary(pool: Pool, v: Variant, adv: Adversary): string[] {
  return [
    ...adv.moves.map((m) => `append ${describeMove(pool, v, m)}`),
    ...(adv.order ? [`then reorder all lines by keys [${adv.order.join(',')}]`] : []),
    ...(adv.tight ? ['verified with envelopesPerBundle = the number of lines'] : []),
  ];
}
