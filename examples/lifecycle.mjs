// A whole lifecycle in memory with the library: keys, four signed steps, a policy, verification.
// Run it after `npm ci`: node examples/lifecycle.mjs   (test/examples.test.ts runs it too)
import {
  generateKeyPair,
  ed25519Signer,
  publicKeyToHex,
  signEnvelope,
  bundleLine,
  canonicalBytes,
  IN_TOTO_PAYLOAD_TYPE,
  buildDatasetStatement,
  buildTrainingStatement,
  buildEvaluationStatement,
  buildApprovalStatement,
  parsePolicy,
  verifyChain,
  assertVerified,
  sha256Hex,
  utf8,
} from 'lineproof';

const keys = {};
for (const who of ['steward', 'trainer', 'evaluator', 'alice', 'bob']) keys[who] = await generateKeyPair();
const id = {
  steward: 'mailto:data@example.com',
  trainer: 'https://ci.example.com/train',
  evaluator: 'https://ci.example.com/eval',
  alice: 'mailto:alice@example.com',
  bob: 'mailto:bob@example.com',
};
const model = `sha256:${sha256Hex(utf8('model manifest bytes'))}`; // what `lineproof hash model/` prints
const day = (d) => new Date(`2026-01-${String(d).padStart(2, '0')}T12:00:00Z`);

// Each step is an in-toto Statement; its DSSE payload is the statement's canonical JSON bytes, and
// later steps refer to earlier ones by the sha256 of those payload bytes.
async function sign(statement, ...signers) {
  const payload = canonicalBytes(statement);
  const envelope = await signEnvelope(
    payload,
    IN_TOTO_PAYLOAD_TYPE,
    signers.map((k) => ed25519Signer(keys[k])),
  );
  return { payload, line: bundleLine(envelope) };
}
const dataset = await sign(
  buildDatasetStatement({
    subject: { name: 'tickets', digest: `sha256:${sha256Hex(utf8('dataset manifest bytes'))}` },
    name: 'tickets',
    version: '1',
    owner: 'data-team',
    license: 'CC-BY-4.0',
    classification: { sensitivity: 'internal', pii: false },
    sources: [],
    attester: id.steward,
    now: day(5),
  }),
  'steward',
);
const training = await sign(
  buildTrainingStatement({
    subject: { name: 'model', digest: model },
    builder: { id: id.trainer },
    startedOn: '2026-01-09T00:00:00Z',
    finishedOn: '2026-01-10T00:00:00Z',
    code: { uri: 'git+https://example.com/trainer', digest: { gitCommit: 'a'.repeat(40) } },
    hyperparameters: { epochs: 3 },
    datasets: [dataset.payload],
    attester: id.trainer,
    now: day(10),
  }),
  'trainer',
);
const evaluation = await sign(
  buildEvaluationStatement({
    subject: { name: 'model', digest: model },
    suite: { name: 'release-eval', version: '1' },
    evaluator: { name: 'evalkit', version: '1' },
    training: training.payload,
    datasets: [{ name: 'heldout', digest: `sha256:${sha256Hex(utf8('heldout'))}` }],
    metrics: [
      { name: 'accuracy', category: 'accuracy', value: 0.93, higherIsBetter: true, threshold: 0.9, dataset: 'heldout' },
    ],
    result: 'PASSED',
    attester: id.evaluator,
    now: day(11),
  }),
  'evaluator',
);
const approval = await sign(
  buildApprovalStatement({
    subject: { name: 'model', digest: model },
    decision: 'APPROVED',
    stage: 'production',
    useCase: { id: 'internal-search', description: 'ranks internal documents' },
    riskTier: 'low',
    training: training.payload,
    evaluations: [evaluation.payload],
    conditions: [],
    runtimeScope: { tools: [], dataClasses: ['internal'], secretScopes: [] },
    notBefore: '2026-01-12T00:00:00Z',
    expires: '2026-07-01T00:00:00Z',
    attester: id.alice,
    now: day(12),
  }),
  'alice',
);
const bundle = [dataset, training, evaluation, approval].map((s) => s.line).join('');

// The policy is the trust root: keys, who holds them, roles, and the gates of each risk tier.
const policy = parsePolicy({
  id: 'https://example.com/policies/ml',
  version: 1,
  keys: Object.fromEntries(Object.entries(keys).map(([k, v]) => [k, { publicKey: publicKeyToHex(v.publicKey) }])),
  identities: Object.fromEntries(Object.keys(keys).map((k) => [id[k], { keys: [k] }])),
  roles: {
    'data-steward': { identities: [id.steward] },
    trainer: { identities: [id.trainer] },
    evaluator: { identities: [id.evaluator] },
    approver: { identities: [id.alice, id.bob] },
  },
  riskTiers: { low: { requiredEvaluationCategories: ['accuracy'], approvers: 1, maxApprovalAgeDays: 180 } },
  useCases: { 'internal-search': { riskTier: 'low' } },
});

const { report } = await verifyChain({
  bundle,
  policy,
  subject: model,
  useCase: 'internal-search',
  asOf: '2026-02-01T00:00:00Z',
});
assertVerified(report); // throws LineproofError NOT_VERIFIED naming the first failed check
console.log(
  `verified: ${report.checks.filter((c) => c.status === 'pass').length} checks passed; chain ${report.results[0].chain.map((l) => l.stage).join(' -> ')}`,
);

// Tampering: the same bundle presented for another model fails with a coded check.
const other = await verifyChain({
  bundle,
  policy,
  subject: `sha256:${'0'.repeat(64)}`,
  useCase: 'internal-search',
  asOf: '2026-02-01T00:00:00Z',
});
console.log(`another model: ok=${other.report.ok}, ${other.report.checks.find((c) => c.status === 'fail').code}`);
