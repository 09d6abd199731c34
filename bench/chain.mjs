// The five-step chain the verification benchmarks verify (verify-budget, verify-scale): seven
// identities, each with a fresh key, a policy naming them, and dataset -> training -> evaluation ->
// approval -> promotion signed by the owners of the steps. Runs against dist/ (npm run build first).
import * as lp from '../dist/node/index.js';

export const NAMES = ['steward', 'trainer', 'evaluator', 'alice', 'bob', 'deployer', 'revoker'];

/**
 * @param {{ model?: string }} [opts] the model's digest text (default: of a fixed text)
 */
export async function benchChain(opts = {}) {
  const id = Object.fromEntries(NAMES.map((n) => [n, `mailto:${n}@example.com`]));
  const keys = {};
  for (const n of NAMES) keys[n] = await lp.generateKeyPair();
  const model = opts.model ?? `sha256:${lp.sha256Hex(lp.utf8('bench model manifest'))}`;
  const at = (d) => new Date(`2026-01-${String(d).padStart(2, '0')}T12:00:00Z`);
  /** Sign with the node:crypto signer (Ed25519 is deterministic: the core's gives the same bytes). */
  async function sign(statement, who, { keyid = true } = {}) {
    const base = lp.nodeEd25519Signer(keys[who]);
    const payload = lp.canonicalBytes(statement);
    const envelope = await lp.signEnvelope(payload, lp.IN_TOTO_PAYLOAD_TYPE, [keyid ? base : { ...base, keyid: '' }], {
      verifier: lp.nodeEd25519Verifier,
    });
    return { payload, envelope, line: lp.bundleLine(envelope) };
  }
  const dataset = await sign(
    lp.buildDatasetStatement({
      subject: { name: 'd', digest: `sha256:${lp.sha256Hex(lp.utf8('d'))}` },
      name: 'd',
      version: '1',
      owner: 'o',
      license: 'MIT',
      classification: { sensitivity: 'internal', pii: false },
      sources: [],
      attester: id.steward,
      now: at(5),
    }),
    'steward',
  );
  const training = await sign(
    lp.buildTrainingStatement({
      subject: { name: 'model', digest: model },
      builder: { id: id.trainer },
      startedOn: '2026-01-09T00:00:00Z',
      finishedOn: '2026-01-10T00:00:00Z',
      code: { uri: 'git+https://example.com/t', digest: { gitCommit: 'a'.repeat(40) } },
      hyperparameters: { epochs: 1 },
      datasets: [dataset.payload],
      attester: id.trainer,
      now: at(10),
    }),
    'trainer',
  );
  const evaluation = await sign(
    lp.buildEvaluationStatement({
      subject: { name: 'model', digest: model },
      suite: { name: 's', version: '1' },
      evaluator: { name: 'e', version: '1' },
      training: training.payload,
      datasets: [{ name: 'h', digest: `sha256:${lp.sha256Hex(lp.utf8('h'))}` }],
      metrics: [{ name: 'acc', category: 'accuracy', value: 0.95, higherIsBetter: true, threshold: 0.9, dataset: 'h' }],
      result: 'PASSED',
      attester: id.evaluator,
      now: at(11),
    }),
    'evaluator',
  );
  const approval = await sign(
    lp.buildApprovalStatement({
      subject: { name: 'model', digest: model },
      decision: 'APPROVED',
      stage: 'production',
      useCase: { id: 'chat', description: 'c' },
      riskTier: 'low',
      training: training.payload,
      evaluations: [evaluation.payload],
      conditions: [],
      runtimeScope: { tools: [], dataClasses: [], secretScopes: [] },
      notBefore: '2026-01-12T00:00:00Z',
      expires: '2026-07-01T00:00:00Z',
      attester: id.alice,
      now: at(12),
    }),
    'alice',
  );
  const promotion = await sign(
    lp.buildPromotionStatement({
      subject: { name: 'model', digest: model },
      approval: approval.payload,
      stage: 'production',
      environment: 'prod',
      attester: id.deployer,
      now: at(13),
    }),
    'deployer',
  );
  const chain = [dataset, training, evaluation, approval, promotion].map((s) => s.line).join('');
  const policy = {
    id: 'https://example.com/policies/bench',
    version: 1,
    keys: Object.fromEntries(NAMES.map((n) => [n, { publicKey: lp.publicKeyToHex(keys[n].publicKey) }])),
    identities: Object.fromEntries(NAMES.map((n) => [id[n], { keys: [n] }])),
    roles: {
      'data-steward': { identities: [id.steward] },
      trainer: { identities: [id.trainer] },
      evaluator: { identities: [id.evaluator] },
      approver: { identities: [id.alice, id.bob] },
      deployer: { identities: [id.deployer] },
      revoker: { identities: [id.revoker] },
    },
    riskTiers: { low: { requiredEvaluationCategories: ['accuracy'], approvers: 1, maxApprovalAgeDays: 180 } },
    useCases: { chat: { riskTier: 'low' } },
  };
  return { id, keys, model, at, sign, dataset, training, evaluation, approval, promotion, chain, policy };
}
