/**
 * The demo's story up to a verified chain: the data and the model made in-process, keys for each
 * identity, the policy, then dataset -> training -> registration -> evaluation -> approval
 * (co-signed) -> promotion, each attested through the CLI, the chain verified and the audit page
 * written.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatTimestamp } from '../../time/index.js';
import { evaluate, modelConfig, readModel, syntheticRows, toCsv, train, weightsBytes, type Metrics } from './model.js';
import type { DemoRunner } from './runner.js';

/** Who signs what: key name -> the identity the policy binds it to. */
export const PEOPLE = {
  steward: 'mailto:data-steward@example.com',
  trainer: 'https://ci.example.com/pipelines/train',
  registrar: 'https://registry.example.com',
  evaluator: 'https://ci.example.com/pipelines/eval',
  alice: 'mailto:alice@example.com',
  bob: 'mailto:bob@example.com',
  deployer: 'https://deploy.example.com/release',
} as const;

const ROLES: Record<string, (keyof typeof PEOPLE)[]> = {
  'data-steward': ['steward'],
  trainer: ['trainer'],
  registrar: ['registrar'],
  evaluator: ['evaluator'],
  approver: ['alice', 'bob'],
  deployer: ['deployer'],
};

export const USE_CASE = 'loan-prescreen';
export const ENVIRONMENT = 'prod-eu-west-1';
export const CHAIN = 'chain.intoto.jsonl';
const SPLIT = { rows: 2000, train: 1500, seed: 2026 };

/** The high tier's gates, as the policy states them and the evaluation reports against. */
export const GATES = { accuracy: 0.8, noisy_accuracy: 0.75, parity_gap: 0.1 };

export interface Made {
  metrics: Metrics;
  /** The model's config.json, for reading weights.bin back. */
  config: { mean: number[]; std: number[] };
  trainMs: number;
  started: string;
  finished: string;
  trainRows: number;
  testRows: number;
}

/** dataset/train.csv and test.csv, the model trained on the first, model/ written, the second scored. */
export function makeDataAndModel(dir: string): Made {
  const t0 = Date.now();
  const rows = syntheticRows(SPLIT.rows, SPLIT.seed);
  const trainRows = rows.slice(0, SPLIT.train);
  const testRows = rows.slice(SPLIT.train);
  mkdirSync(join(dir, 'dataset'), { recursive: true });
  writeFileSync(join(dir, 'dataset', 'train.csv'), toCsv(trainRows));
  writeFileSync(join(dir, 'dataset', 'test.csv'), toCsv(testRows));
  const model = train(trainRows);
  const t1 = Date.now();
  const config = modelConfig(model);
  mkdirSync(join(dir, 'model'), { recursive: true });
  writeFileSync(join(dir, 'model', 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  writeFileSync(join(dir, 'model', 'weights.bin'), weightsBytes(model));
  // Scored as a user of model/ would run it: from the files written, float32 weights and all.
  const std = config.standardization as { mean: number[]; std: number[] };
  const metrics = evaluate(readModel(std, readFileSync(join(dir, 'model', 'weights.bin'))), testRows);
  return {
    metrics,
    config: std,
    trainMs: t1 - t0,
    started: formatTimestamp(t0, 'down'),
    finished: formatTimestamp(t1, 'up'),
    trainRows: trainRows.length,
    testRows: testRows.length,
  };
}

/** policy.json: the keys, who holds which role, and the gates of each risk tier. */
export function writePolicy(dir: string): Record<string, unknown> {
  const names = Object.keys(PEOPLE) as (keyof typeof PEOPLE)[];
  const policy = {
    id: 'https://example.com/policies/lineproof-demo',
    version: 1,
    keys: Object.fromEntries(names.map((n) => [n, { publicKey: readFileSync(join(dir, 'keys', `${n}.pub`), 'utf8') }])),
    identities: Object.fromEntries(names.map((n) => [PEOPLE[n], { keys: [n] }])),
    roles: Object.fromEntries(
      Object.entries(ROLES).map(([role, who]) => [role, { identities: who.map((n) => PEOPLE[n]) }]),
    ),
    requireRegistration: true,
    riskTiers: {
      low: {
        requiredEvaluationCategories: ['accuracy'],
        metricGates: [{ name: 'accuracy', min: 0.7 }],
        allowWarned: true,
        approvers: 1,
        maxApprovalAgeDays: 365,
        rank: 1,
      },
      high: {
        requiredEvaluationCategories: ['accuracy', 'robustness', 'fairness'],
        metricGates: [
          { name: 'accuracy', min: GATES.accuracy },
          { name: 'noisy_accuracy', min: GATES.noisy_accuracy },
          { name: 'parity_gap', max: GATES.parity_gap },
        ],
        allowWarned: false,
        approvers: 2,
        maxApprovalAgeDays: 90,
        rank: 2,
      },
    },
    useCases: { [USE_CASE]: { riskTier: 'high' }, 'marketing-score': { riskTier: 'low' } },
  };
  writeFileSync(join(dir, 'policy.json'), `${JSON.stringify(policy, null, 2)}\n`);
  return policy;
}

/** The policy in a few lines, for the output. */
export function policySummary(): string {
  return [
    `roles: ${Object.entries(ROLES)
      .map(([role, who]) => `${role} = ${who.join(', ')}`)
      .join('; ')}`,
    `"${USE_CASE}" is high risk: a registration, evaluations of accuracy, robustness and fairness`,
    `with accuracy >= ${GATES.accuracy}, noisy_accuracy >= ${GATES.noisy_accuracy} and parity_gap <= ${GATES.parity_gap}, nothing WARNED,`,
    'two distinct approvers, neither of whom trained or evaluated the model; approvals last at most 90 days.',
  ].join('\n');
}

/** The metrics as `attest evaluation --metric` specs, against the high tier's gates. */
export function metricSpecs(m: Metrics): string[] {
  return [
    `accuracy:accuracy=${m.accuracy}>=${GATES.accuracy}`,
    `robustness:noisy_accuracy=${m.noisyAccuracy}>=${GATES.noisy_accuracy}`,
    `fairness:parity_gap=${m.parityGap}<=${GATES.parity_gap}`,
  ];
}

/** Whether every metric meets its gate (the evaluation's result is PASSED, else FAILED). */
export function metricsPass(m: Metrics): boolean {
  return m.accuracy >= GATES.accuracy && m.noisyAccuracy >= GATES.noisy_accuracy && m.parityGap <= GATES.parity_gap;
}

/** keygen for every identity, then policy.json. */
export async function keysAndPolicy(r: DemoRunner): Promise<void> {
  r.section('1. Keys: each person and pipeline that signs gets its own Ed25519 key pair.');
  mkdirSync(join(r.dir, 'keys'), { recursive: true });
  for (const [name, identity] of Object.entries(PEOPLE))
    await r.lineproof(`keygen-${name}`, `a key pair for ${name} (${identity})`, ['keygen', '--out', `keys/${name}`]);
  r.section(
    '2. The policy (policy.json) is the trust root: which key is whose, who holds which role, what each use case needs.',
  );
  writePolicy(r.dir);
  r.note(policySummary());
}

/** The approval's arguments (signed by `key`), shared with the rejections. */
export function approvalArgs(key: string, chain: string, extra: string[] = []): string[] {
  const what = flags({
    subject: 'model/',
    decision: 'APPROVED',
    stage: 'production',
    'use-case': USE_CASE,
    'use-case-description': 'Pre-screens loan applications for a human underwriter',
    condition: 'An underwriter reviews every decline.',
  });
  return ['attest', 'approval', ...what, ...extra, '--key', `keys/${key}.key`, '--chain', chain];
}

/** The verify arguments for the model in the main chain. */
export function verifyArgs(artifact = 'model/', chain = CHAIN): string[] {
  return ['verify', '--chain', chain, '--policy', 'policy.json', '--artifact', artifact, '--use-case', USE_CASE];
}

/** `--name value` pairs in order; an array value repeats the flag. */
function flags(o: Record<string, string | string[]>): string[] {
  return Object.entries(o).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).flatMap((x) => [`--${k}`, x]));
}

/** The attested lifecycle, from the dataset to a verified chain and its audit page. */
export async function lifecycle(r: DemoRunner, made: Made, at: string): Promise<void> {
  const C = ['--policy', 'policy.json', '--chain', CHAIN, '--at', at];
  r.section(
    `3. The data and the model: ${made.trainRows + made.testRows} synthetic loan applications (dataset/train.csv, test.csv); a logistic\n` +
      `regression trained on train.csv in ${made.trainMs} ms (model/weights.bin, config.json); scored on the held-out test.csv:\n` +
      `accuracy ${made.metrics.accuracy}, accuracy under feature noise ${made.metrics.noisyAccuracy}, demographic parity gap ${made.metrics.parityGap}.`,
  );
  r.section('4. Each step attested and signed by its role; the key is checked against the policy before signing.');
  await r.lineproof('dataset', 'the data steward attests the dataset (its files hashed into a manifest)', [
    ...['attest', 'dataset'],
    ...flags({
      subject: 'dataset/',
      name: 'loan-applications',
      version: '2026.1',
      owner: 'credit-data-team',
      license: 'CC0-1.0',
      sensitivity: 'internal',
      pii: 'no',
      description: 'Synthetic loan applications (seeded): four features, a group attribute, a label',
      key: 'keys/steward.key',
    }),
    ...C,
  ]);
  await r.lineproof('training', 'the training pipeline attests the run (SLSA provenance), bound to that dataset', [
    ...['attest', 'training'],
    ...flags({
      subject: 'model/',
      started: made.started,
      finished: made.finished,
      code: 'git+https://github.com/example/loan-model',
      commit: '4f2a9c1e0b7d3a5f6e8c9b0a1d2e3f4a5b6c7d8e',
      'entry-point': 'lineproof demo',
      param: ['epochs=400', 'learning_rate=0.5'],
      key: 'keys/trainer.key',
    }),
    ...C,
  ]);
  await r.lineproof('registration', 'the registrar registers the model, its use case and its model card', [
    ...['attest', 'registration'],
    ...flags({
      subject: 'model/',
      'model-name': 'loan-prescreen-lr',
      'model-version': '1.0.0',
      owner: 'mailto:ml-team@example.com',
      'use-case': `${USE_CASE}:Pre-screens loan applications for a human underwriter`,
      description: 'A logistic regression over four applicant features',
      limitation: 'Trained on synthetic data',
      license: 'Apache-2.0',
      contact: 'mailto:ml-team@example.com',
      key: 'keys/registrar.key',
    }),
    ...C,
  ]);
  await r.lineproof('evaluation', 'the evaluation pipeline attests the metrics computed on the held-out split', [
    ...['attest', 'evaluation'],
    ...flags({
      subject: 'model/',
      suite: 'loan-release-eval',
      'suite-version': '1',
      evaluator: 'lineproof-demo',
      data: 'heldout=dataset/test.csv',
      metric: metricSpecs(made.metrics),
      result: metricsPass(made.metrics) ? 'PASSED' : 'FAILED',
      key: 'keys/evaluator.key',
    }),
    ...C,
  ]);
  await approvedAndPromoted(r, at, C);
}

async function approvedAndPromoted(r: DemoRunner, at: string, C: string[]): Promise<void> {
  const approval = await r.lineproof(
    'approval',
    `alice approves it for "${USE_CASE}" in production (checked against the policy first)`,
    approvalArgs('alice', CHAIN, ['--expires', '+30d', '--policy', 'policy.json', '--at', at]),
    { texts: ['approval sha256:'] },
  );
  await r.lineproof(
    'verify-one-approver',
    'verified now, one approver is not enough for a high-risk use case',
    verifyArgs(),
    { exit: 1, codes: ['APPROVAL_THRESHOLD_NOT_MET'], show: true },
  );
  const digest = /^approval (sha256:[0-9a-f]{64})$/m.exec(approval.output)?.[1] ?? 'sha256:(not printed)';
  await r.lineproof('cosign', 'bob co-signs the same approval (a second line over the same payload)', [
    'attest',
    'cosign',
    '--payload-digest',
    digest,
    '--key',
    'keys/bob.key',
    '--policy',
    'policy.json',
    '--chain',
    CHAIN,
  ]);
  await r.lineproof('promotion', `the deployer attests the promotion to ${ENVIRONMENT} under that approval`, [
    'attest',
    'promotion',
    '--subject',
    'model/',
    '--environment',
    ENVIRONMENT,
    '--key',
    'keys/deployer.key',
    ...C,
  ]);
  r.section('5. Verification, offline: the model directory is hashed and the whole chain checked against the policy.');
  const full = [...verifyArgs(), '--stage', 'production', '--environment', ENVIRONMENT];
  await r.lineproof('verify', 'the chain holds: data -> training -> evaluation -> approval -> promotion', full, {
    texts: ['VERIFIED: model'],
    show: true,
  });
  await r.lineproof(
    'report',
    'the verdict for auditors: one self-contained HTML page (lineage, AI card, every check)',
    ['report', ...full.slice(1), '--html', 'report.html'],
    { texts: ['html report written to report.html'], show: true },
  );
}
