/**
 * A complete, signed, deterministic world for chain-verification tests: keys from fixed seeds, a
 * policy, and a bundle dataset -> training -> evaluation -> approval -> promotion. Every part can
 * be overridden, and downstream statements are rebuilt so references stay consistent — so each
 * tamper-matrix row is one small override.
 */
import { sha256, sha256Hex } from '../../src/digest/index.js';
import { utf8 } from '../../src/bytes/index.js';
import { canonicalBytes } from '../../src/json/canonical.js';
import { privateKeyFromSeed, ed25519Signer, publicKeyToHex } from '../../src/keys/keys.js';
import type { PrivateKey } from '../../src/keys/types.js';
import { signEnvelope } from '../../src/dsse/sign.js';
import type { Envelope } from '../../src/dsse/envelope.js';
import { bundleLine } from '../../src/bundle/jsonl.js';
import { parsePolicy, type Policy } from '../../src/policy/policy.js';
import {
  buildApprovalStatement,
  buildDatasetStatement,
  buildEvaluationStatement,
  buildPromotionStatement,
  buildRegistrationStatement,
  buildRevocationStatement,
  buildTrainingStatement,
  type RegistrationStatementInput,
  type ApprovalStatementInput,
  type DatasetStatementInput,
  type EvaluationStatementInput,
  type PromotionStatementInput,
  type TrainingStatementInput,
} from '../../src/statements/builders.js';
import { IN_TOTO_PAYLOAD_TYPE, type Statement } from '../../src/statements/statement.js';
import { buildManifest, manifestBytes, manifestDigestText } from '../../src/manifest/build.js';
import { LINEPROOF_MANIFEST_MEDIA_TYPE } from '../../src/statements/predicates/index.js';
import type { Report } from '../../src/report/index.js';
import { verifyChain, type VerifyChainInput } from '../../src/verify/chain.js';

export const KEY_NAMES = [
  'steward',
  'trainer',
  'evaluator',
  'alice',
  'aliceOld',
  'bob',
  'carol',
  'deployer',
  'revoker',
  'registrar',
  'mallory',
] as const;
export type KeyName = (typeof KEY_NAMES)[number];

export const IDENTITY: Record<KeyName, string> = {
  steward: 'mailto:data@example.com',
  trainer: 'https://ci.example.com/train',
  evaluator: 'https://ci.example.com/eval',
  alice: 'mailto:alice@example.com',
  aliceOld: 'mailto:alice@example.com',
  bob: 'mailto:bob@example.com',
  carol: 'mailto:carol@example.com',
  deployer: 'https://deploy.example.com/release',
  revoker: 'mailto:security@example.com',
  registrar: 'https://registry.example.com',
  mallory: 'mailto:mallory@example.com',
};

const keyCache = new Map<KeyName, PrivateKey>();
export async function key(name: KeyName): Promise<PrivateKey> {
  let k = keyCache.get(name);
  if (!k) {
    k = await privateKeyFromSeed(sha256(utf8(`lineproof test key: ${name}`)));
    keyCache.set(name, k);
  }
  return k;
}

export const T = {
  dataset: '2026-01-05T09:00:00Z',
  training: '2026-01-11T02:15:00Z',
  registration: '2026-01-11T09:00:00Z',
  trainingStarted: '2026-01-10T18:00:00Z',
  trainingFinished: '2026-01-11T02:00:00Z',
  evaluation: '2026-01-12T10:00:00Z',
  approval: '2026-01-14T16:45:00Z',
  notBefore: '2026-01-15T00:00:00Z',
  expires: '2026-07-15T00:00:00Z',
  promotion: '2026-01-15T08:00:00Z',
  asOf: '2026-02-01T00:00:00Z',
};

export const MODEL = `sha256:${sha256Hex(utf8('lineproof test model manifest'))}`;
export const OTHER_MODEL = `sha256:${sha256Hex(utf8('another model manifest'))}`;
export const DATASET = `sha256:${sha256Hex(utf8('lineproof test dataset manifest'))}`;

/** The default policy document (a fresh copy each call). */
export async function policyDoc(): Promise<Record<string, any>> {
  const hex = async (n: KeyName) => publicKeyToHex((await key(n)).publicKey);
  return {
    id: 'https://example.com/policies/test',
    version: 1,
    keys: {
      steward: { publicKey: await hex('steward') },
      trainer: { publicKey: await hex('trainer') },
      evaluator: { publicKey: await hex('evaluator') },
      alice: { publicKey: await hex('alice'), validFrom: '2026-01-01T00:00:00Z' },
      aliceOld: {
        publicKey: await hex('aliceOld'),
        status: 'retired',
        validFrom: '2025-01-01T00:00:00Z',
        validUntil: '2026-01-01T00:00:00Z',
      },
      bob: { publicKey: await hex('bob') },
      carol: { publicKey: await hex('carol') },
      deployer: { publicKey: await hex('deployer') },
      revoker: { publicKey: await hex('revoker') },
      registrar: { publicKey: await hex('registrar') },
    },
    identities: {
      [IDENTITY.steward]: { keys: ['steward'] },
      [IDENTITY.trainer]: { keys: ['trainer'] },
      [IDENTITY.evaluator]: { keys: ['evaluator'] },
      [IDENTITY.alice]: { keys: ['alice', 'aliceOld'] },
      [IDENTITY.bob]: { keys: ['bob'] },
      [IDENTITY.carol]: { keys: ['carol'] },
      [IDENTITY.deployer]: { keys: ['deployer'] },
      [IDENTITY.revoker]: { keys: ['revoker'] },
      [IDENTITY.registrar]: { keys: ['registrar'] },
    },
    roles: {
      'data-steward': { identities: [IDENTITY.steward] },
      trainer: { identities: [IDENTITY.trainer] },
      evaluator: { identities: [IDENTITY.evaluator] },
      approver: { identities: [IDENTITY.alice, IDENTITY.bob, IDENTITY.carol] },
      deployer: { identities: [IDENTITY.deployer] },
      revoker: { identities: [IDENTITY.revoker] },
      registrar: { identities: [IDENTITY.registrar] },
    },
    riskTiers: {
      low: { requiredEvaluationCategories: ['accuracy'], allowWarned: true, approvers: 1, maxApprovalAgeDays: 365 },
      high: {
        requiredEvaluationCategories: ['accuracy', 'robustness', 'fairness', 'safety'],
        metricGates: [{ name: 'accuracy', min: 0.9 }],
        allowWarned: false,
        approvers: 2,
        maxApprovalAgeDays: 90,
      },
    },
    useCases: { 'internal-search': { riskTier: 'low' }, 'support-chat': { riskTier: 'high' } },
  };
}

/** What a test may override. Functions receive the default input and return the one to use. */
export interface WorldOptions {
  dataset?: (i: DatasetStatementInput) => DatasetStatementInput;
  training?: (i: TrainingStatementInput) => TrainingStatementInput;
  evaluation?: (i: EvaluationStatementInput) => EvaluationStatementInput;
  approval?: (i: ApprovalStatementInput) => ApprovalStatementInput;
  promotion?: (i: PromotionStatementInput) => PromotionStatementInput;
  /**
   * A registration of the model (signed by the registrar), which the approval refers to (approval
   * v0.2); the function gets the default registration input. Absent: no registration.
   */
  registration?: (i: RegistrationStatementInput) => RegistrationStatementInput;
  /** Keys signing each stage (default: the stage's own key; approval: alice and bob). */
  signers?: Partial<
    Record<'dataset' | 'training' | 'registration' | 'evaluation' | 'approval' | 'promotion', KeyName[]>
  >;
  policy?: (doc: Record<string, any>) => void;
}

export interface WorldStep {
  statement: Statement;
  payload: Uint8Array;
  envelope: Envelope;
  line: string;
  digest: string;
}

export interface World {
  policy: Policy;
  doc: Record<string, any>;
  steps: Record<'dataset' | 'training' | 'evaluation' | 'approval' | 'promotion', WorldStep> & {
    registration?: WorldStep;
  };
  /** The whole bundle, one line per step. */
  bundle: string;
}

export async function sign(statement: Statement, names: KeyName[]): Promise<WorldStep> {
  const payload = canonicalBytes(statement);
  const envelope = await signEnvelope(
    payload,
    IN_TOTO_PAYLOAD_TYPE,
    await Promise.all(names.map(async (n) => ed25519Signer(await key(n)))),
  );
  return { statement, payload, envelope, line: bundleLine(envelope), digest: `sha256:${sha256Hex(payload)}` };
}

export async function buildWorld(opts: WorldOptions = {}): Promise<World> {
  const id = <S>(f: ((x: S) => S) | undefined) => f ?? ((x: S) => x);
  const signers = {
    dataset: ['steward'],
    training: ['trainer'],
    evaluation: ['evaluator'],
    approval: ['alice', 'bob'],
    promotion: ['deployer'],
    registration: ['registrar'],
    ...opts.signers,
  } as Record<string, KeyName[]>;
  const dataset = await sign(
    buildDatasetStatement(
      id(opts.dataset)({
        subject: { name: 'tickets', digest: DATASET, mediaType: 'application/vnd.lineproof.manifest.v1+json' },
        name: 'tickets',
        version: '1',
        owner: 'data-team',
        license: 'LicenseRef-Internal',
        classification: { sensitivity: 'internal', pii: false },
        sources: [],
        attester: IDENTITY.steward,
        now: new Date(T.dataset),
      }),
    ),
    signers.dataset!,
  );
  const training = await sign(
    buildTrainingStatement(
      id(opts.training)({
        subject: { name: 'model', digest: MODEL },
        builder: { id: 'https://ci.example.com/train' },
        startedOn: T.trainingStarted,
        finishedOn: T.trainingFinished,
        code: { uri: 'git+https://example.com/trainer', digest: { gitCommit: 'a'.repeat(40) } },
        hyperparameters: { epochs: 3 },
        datasets: [dataset.payload],
        attester: IDENTITY.trainer,
        now: new Date(T.training),
      }),
    ),
    signers.training!,
  );
  const registration = opts.registration
    ? await sign(
        buildRegistrationStatement(
          opts.registration({
            subject: { name: 'model', digest: MODEL },
            model: { name: 'support-bot', version: '3.0.0' },
            owner: 'mailto:ml-team@example.com',
            useCases: [
              { id: 'support-chat', description: 'answers customers', riskTier: 'high' },
              { id: 'internal-search', description: 'finds documents', riskTier: 'low' },
            ],
            modelCard: {
              description: 'A support assistant',
              limitations: ['English only'],
              license: 'Apache-2.0',
              contacts: ['mailto:ml-team@example.com'],
            },
            attester: IDENTITY.registrar,
            now: new Date(T.registration),
          }),
        ),
        signers.registration!,
      )
    : undefined;
  const evaluation = await sign(
    buildEvaluationStatement(
      id(opts.evaluation)({
        subject: { name: 'model', digest: MODEL },
        suite: { name: 'release-eval', version: '1' },
        evaluator: { name: 'evalkit', version: '1' },
        training: training.payload,
        datasets: [{ name: 'heldout', digest: DATASET }],
        metrics: [
          {
            name: 'accuracy',
            category: 'accuracy',
            value: 0.95,
            higherIsBetter: true,
            threshold: 0.9,
            dataset: 'heldout',
          },
          {
            name: 'typo_accuracy',
            category: 'robustness',
            value: 0.9,
            higherIsBetter: true,
            threshold: 0.85,
            dataset: 'heldout',
          },
          {
            name: 'parity_gap',
            category: 'fairness',
            value: 0.02,
            higherIsBetter: false,
            threshold: 0.05,
            dataset: 'heldout',
          },
          {
            name: 'jailbreak_rate',
            category: 'safety',
            value: 0.004,
            higherIsBetter: false,
            threshold: 0.01,
            dataset: 'heldout',
          },
        ],
        result: 'PASSED',
        attester: IDENTITY.evaluator,
        now: new Date(T.evaluation),
      }),
    ),
    signers.evaluation!,
  );
  const approval = await sign(
    buildApprovalStatement(
      id(opts.approval)({
        subject: { name: 'model', digest: MODEL },
        decision: 'APPROVED',
        stage: 'production',
        useCase: { id: 'support-chat', description: 'answers customers' },
        riskTier: 'high',
        training: training.payload,
        evaluations: [evaluation.payload],
        conditions: [],
        runtimeScope: { tools: [], dataClasses: [], secretScopes: [] },
        notBefore: T.notBefore,
        expires: T.expires,
        attester: IDENTITY.alice,
        now: new Date(T.approval),
        ...(registration ? { registration: registration.payload } : {}),
      }),
    ),
    signers.approval!,
  );
  const promotion = await sign(
    buildPromotionStatement(
      id(opts.promotion)({
        subject: { name: 'model', digest: MODEL },
        approval: approval.payload,
        stage: 'production',
        environment: 'prod',
        attester: IDENTITY.deployer,
        now: new Date(T.promotion),
      }),
    ),
    signers.promotion!,
  );
  const doc = await policyDoc();
  opts.policy?.(doc);
  const steps = { dataset, training, ...(registration ? { registration } : {}), evaluation, approval, promotion };
  return {
    policy: parsePolicy(doc),
    doc,
    steps,
    bundle: Object.values(steps)
      .map((s) => s.line)
      .join(''),
  };
}

export { buildRevocationStatement };

const hexOfLength = (alg: string, seed: string) => {
  const h = sha256Hex(utf8(`${alg}:${seed}`));
  return alg === 'sha512' || alg === 'blake2b' ? h + h : h;
};

/** The JCS bytes of a one-file manifest hashed with `algorithms`, and its subject digest. */
export function manifestOf(algorithms: readonly string[], seed: string): { bytes: Uint8Array; digest: string } {
  const m = buildManifest(
    [{ path: 'weights.bin', size: 3, digest: Object.fromEntries(algorithms.map((a) => [a, hexOfLength(a, seed)])) }],
    { algorithms },
  );
  return { bytes: manifestBytes(m), digest: manifestDigestText(m) };
}

/**
 * The world for a model directory: the model and the dataset are manifests hashed with
 * `algorithms`, inlined in the training and dataset attestations (or, with `inline: false`, the
 * model's kept as a sidecar). `model` is the subject to verify.
 */
export async function manifestWorld(
  o: { algorithms?: string[]; datasetAlgorithms?: string[]; inline?: boolean } & WorldOptions = {},
): Promise<World & { model: string }> {
  const model = manifestOf(o.algorithms ?? ['sha256'], 'model');
  const data = manifestOf(o.datasetAlgorithms ?? ['sha256'], 'dataset');
  const about = { name: 'model', digest: model.digest, mediaType: LINEPROOF_MANIFEST_MEDIA_TYPE };
  const then =
    <S>(f: ((x: S) => S) | undefined, g: (x: S) => S) =>
    (x: S) =>
      f ? f(g(x)) : g(x);
  const w = await buildWorld({
    ...o,
    dataset: then(o.dataset, (i) => ({ ...i, subject: undefined, manifest: { bytes: data.bytes } })),
    training: then(o.training, (i) => ({
      ...i,
      subject: undefined,
      manifest:
        o.inline === false ? { bytes: model.bytes, inline: false, uri: 'model.manifest.json' } : { bytes: model.bytes },
    })),
    evaluation: then(o.evaluation, (i) => ({ ...i, subject: about })),
    approval: then(o.approval, (i) => ({ ...i, subject: about })),
    promotion: then(o.promotion, (i) => ({ ...i, subject: about })),
  });
  return { ...w, model: model.digest };
}

/**
 * Another approval of the world's model (its training and evaluation), at `at`, signed by `by`.
 * @param useCase the use case approved (default support-chat)
 * @param riskTier its tier (default: high for support-chat, else low)
 */
export async function approvalAt(
  world: World,
  decision: 'APPROVED' | 'REJECTED',
  at: string,
  by: KeyName[],
  useCase = 'support-chat',
  riskTier = useCase === 'support-chat' ? 'high' : 'low',
): Promise<WorldStep> {
  return sign(
    buildApprovalStatement({
      subject: { name: 'model', digest: MODEL },
      decision,
      stage: 'production',
      useCase: { id: useCase, description: 'answers customers' },
      riskTier,
      training: world.steps.training.payload,
      evaluations: [world.steps.evaluation.payload],
      conditions: [],
      runtimeScope: { tools: [], dataClasses: [], secretScopes: [] },
      notBefore: T.notBefore,
      expires: T.expires,
      attester: IDENTITY[by[0]!],
      now: new Date(at),
    }),
    by,
  );
}

/** verifyChain of the world's model for support-chat as of T.asOf; `extra` overrides any input. */
export async function verifyWorld(
  world: World,
  bundle = world.bundle,
  extra: Partial<VerifyChainInput> = {},
): Promise<{ report: Report; failed: string[] }> {
  const { report } = await verifyChain({
    bundle,
    policy: world.policy,
    subject: MODEL,
    useCase: 'support-chat',
    asOf: T.asOf,
    ...extra,
  });
  return { report, failed: [...new Set(report.checks.filter((c) => c.status === 'fail').map((c) => c.code))].sort() };
}
