/**
 * A generated, signed, multi-model inventory for the inventory's tests and benchmarks: shared
 * source datasets, each model's own dataset derived from one, trainings (every fifth model a
 * fine-tune of the one before), registrations, two evaluations, staging and production approvals
 * and three promotions per model — ten envelopes per model, each signed by the key of its role
 * with Node's Ed25519 (fast enough for 100,000 envelopes). Deterministic for given options.
 *
 * Uses the built package (dist/): run `npm run build` first (the test and bench scripts do).
 */
import { createPrivateKey, createPublicKey, sign as edSign, createHash } from 'node:crypto';
import {
  IN_TOTO_PAYLOAD_TYPE,
  buildApprovalStatement,
  buildDatasetStatement,
  buildEvaluationStatement,
  buildPromotionStatement,
  buildRegistrationStatement,
  buildTrainingStatement,
  canonicalBytes,
  fromHex,
  keyidOf,
  toBase64,
} from '../dist/index.js';

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const sha256 = (text) => createHash('sha256').update(text).digest('hex');

/** The roles' keys and identities. */
export const ROLES = {
  steward: 'mailto:data@example.com',
  trainer: 'https://ci.example.com/train',
  registrar: 'https://registry.example.com',
  evaluator: 'https://ci.example.com/eval',
  alice: 'mailto:alice@example.com',
  deployer: 'https://deploy.example.com/release',
  mallory: 'mailto:mallory@example.com',
};

const keys = new Map();
/** A deterministic Ed25519 key by name: { privateKey (KeyObject), publicKeyHex, keyid (as Lineproof's signers write it) }. */
export function keyOf(name) {
  let k = keys.get(name);
  if (!k) {
    const seed = Buffer.from(sha256(`lineproof inventory key: ${name}`), 'hex');
    const privateKey = createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
      format: 'der',
      type: 'pkcs8',
    });
    const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
    const publicKeyHex = Buffer.from(spki.subarray(spki.length - 32)).toString('hex');
    k = { privateKey, publicKeyHex, keyid: keyidOf(fromHex(publicKeyHex)) };
    keys.set(name, k);
  }
  return k;
}

function pae(type, payload) {
  const t = Buffer.from(type, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${t.length} `, 'utf8'),
    t,
    Buffer.from(` ${payload.length} `, 'utf8'),
    Buffer.from(payload),
  ]);
}

/** Sign a statement: { payload, digest, line }. */
export function signStatement(statement, names) {
  const payload = canonicalBytes(statement);
  const message = pae(IN_TOTO_PAYLOAD_TYPE, payload);
  const signatures = names.map((n) => ({
    keyid: keyOf(n).keyid,
    sig: toBase64(edSign(null, message, keyOf(n).privateKey)),
  }));
  const line = `${JSON.stringify({ payloadType: IN_TOTO_PAYLOAD_TYPE, payload: toBase64(payload), signatures })}\n`;
  return { payload, digest: `sha256:${createHash('sha256').update(payload).digest('hex')}`, line };
}

/** The policy document the generated inventory verifies against. */
export function inventoryPolicy() {
  const names = ['steward', 'trainer', 'registrar', 'evaluator', 'alice', 'deployer'];
  const base = {
    id: 'https://example.com/policies/inventory',
    version: 1,
    keys: Object.fromEntries(names.map((n) => [n, { publicKey: keyOf(n).publicKeyHex }])),
    identities: Object.fromEntries(names.map((n) => [ROLES[n], { keys: [n] }])),
    roles: {
      'data-steward': { identities: [ROLES.steward] },
      trainer: { identities: [ROLES.trainer] },
      registrar: { identities: [ROLES.registrar] },
      evaluator: { identities: [ROLES.evaluator] },
      approver: { identities: [ROLES.alice] },
      deployer: { identities: [ROLES.deployer] },
    },
    riskTiers: {
      low: { requiredEvaluationCategories: ['accuracy'], allowWarned: true, approvers: 1, maxApprovalAgeDays: 365 },
    },
    useCases: { 'internal-search': { riskTier: 'low' } },
  };
  return { ...base, baseModels: { policy: structuredClone(base), useCase: 'internal-search' } };
}

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (days) => new Date(T0 + days * DAY);
const iso = (days) => at(days).toISOString().replace('.000Z', 'Z');

/** The artifact digest of model `i` (its manifest's sha256, as `sha256:<hex>`). */
export const modelDigest = (i) => `sha256:${sha256(`inventory model ${i}`)}`;
/** The artifact digest of source dataset `j`. */
export const sourceDigest = (j) => `sha256:${sha256(`inventory source dataset ${j}`)}`;
/** The artifact digest of model `i`'s own dataset. */
export const datasetDigest = (i) => `sha256:${sha256(`inventory dataset ${i}`)}`;
/** The environments promotions go to. */
export const ENVIRONMENTS = ['prod-eu', 'prod-us', 'prod-ap', 'prod-sa', 'prod-af', 'prod-me', 'prod-oc'];

/**
 * Generate the inventory. Model i's dataset derives from source dataset i % sources; model i is a
 * fine-tune of model i-1 when i % 5 === 4. Its production approval's window is notBefore day 30,
 * expires day 200 + (i % 300).
 * @param {{models: number, sources?: number, onModel?: (i: number, lines: string[]) => void}} options
 * @returns {{ policy: object, sources: string[], models: Array<{ index: number, digest: string, dataset: string, source: string, base?: number, training: string, approval: string, promotions: string[], lines: string[] }> }}
 */
export function generateInventory(options) {
  const models = options.models;
  const sourceCount = options.sources ?? Math.max(1, Math.floor(models / 10));
  const sources = [];
  const sourceSteps = [];
  for (let j = 0; j < sourceCount; j++) {
    const s = signStatement(
      buildDatasetStatement({
        subject: {
          name: `source-${j}`,
          digest: sourceDigest(j),
          mediaType: 'application/vnd.lineproof.manifest.v1+json',
        },
        name: `source-${j}`,
        version: '1',
        owner: 'data-team',
        license: 'CC-BY-4.0',
        classification: { sensitivity: 'internal', pii: false },
        sources: [{ uri: `https://data.example.com/source/${j}` }],
        attester: ROLES.steward,
        now: at(0),
      }),
      ['steward'],
    );
    sourceSteps.push(s);
    sources.push(s.line);
  }
  const out = [];
  let previous;
  for (let i = 0; i < models; i++) {
    const source = sourceSteps[i % sourceCount];
    const lines = [];
    const add = (step) => (lines.push(step.line), step);
    const dataset = add(
      signStatement(
        buildDatasetStatement({
          subject: {
            name: `dataset-${i}`,
            digest: datasetDigest(i),
            mediaType: 'application/vnd.lineproof.manifest.v1+json',
          },
          name: `dataset-${i}`,
          version: '1',
          owner: 'data-team',
          license: 'CC-BY-4.0',
          classification: { sensitivity: 'internal', pii: false },
          sources: [],
          derivedFrom: [source.payload],
          attester: ROLES.steward,
          now: at(1),
        }),
        ['steward'],
      ),
    );
    const fineTune = i % 5 === 4 && previous !== undefined;
    const training = add(
      signStatement(
        buildTrainingStatement({
          subject: { name: `model-${i}`, digest: modelDigest(i) },
          builder: { id: 'https://ci.example.com/train' },
          startedOn: iso(2),
          finishedOn: iso(3),
          code: { uri: 'git+https://example.com/trainer', digest: { gitCommit: sha256(`code ${i}`).slice(0, 40) } },
          hyperparameters: { epochs: 3 },
          datasets: [dataset.payload],
          ...(fineTune
            ? { baseModel: { name: `model-${i - 1}`, digest: modelDigest(i - 1), training: previous.training.payload } }
            : {}),
          attester: ROLES.trainer,
          now: at(3),
        }),
        ['trainer'],
      ),
    );
    const registration = add(
      signStatement(
        buildRegistrationStatement({
          subject: { name: `model-${i}`, digest: modelDigest(i) },
          model: { name: `model-${i}`, version: '1.0.0' },
          owner: 'mailto:ml-team@example.com',
          useCases: [{ id: 'internal-search', description: 'finds documents', riskTier: 'low' }],
          modelCard: {
            description: `generated model ${i}`,
            limitations: ['generated'],
            license: 'Apache-2.0',
            contacts: ['mailto:ml-team@example.com'],
          },
          attester: ROLES.registrar,
          now: at(3),
        }),
        ['registrar'],
      ),
    );
    const evaluation = (category, name, value) =>
      add(
        signStatement(
          buildEvaluationStatement({
            subject: { name: `model-${i}`, digest: modelDigest(i) },
            suite: { name: `${category}-eval`, version: '1' },
            evaluator: { name: 'evalkit', version: '1' },
            training: training.payload,
            datasets: [{ name: 'heldout', digest: datasetDigest(i) }],
            metrics: [{ name, category, value, higherIsBetter: true, threshold: 0.8, dataset: 'heldout' }],
            result: 'PASSED',
            attester: ROLES.evaluator,
            now: at(4),
          }),
          ['evaluator'],
        ),
      );
    const accuracy = evaluation('accuracy', 'accuracy', 0.9);
    const robustness = evaluation('robustness', 'typo_accuracy', 0.85);
    const approval = (stage, expiresDay) =>
      add(
        signStatement(
          buildApprovalStatement({
            subject: { name: `model-${i}`, digest: modelDigest(i) },
            decision: 'APPROVED',
            stage,
            useCase: { id: 'internal-search', description: 'finds documents' },
            riskTier: 'low',
            training: training.payload,
            evaluations: [accuracy.payload, robustness.payload],
            registration: registration.payload,
            conditions: [],
            runtimeScope: { tools: [], dataClasses: [], secretScopes: [] },
            notBefore: iso(5),
            expires: iso(expiresDay),
            attester: ROLES.alice,
            now: at(5),
          }),
          ['alice'],
        ),
      );
    const promotion = (approvalStep, stage, environment) =>
      add(
        signStatement(
          buildPromotionStatement({
            subject: { name: `model-${i}`, digest: modelDigest(i) },
            approval: approvalStep.payload,
            stage,
            environment,
            attester: ROLES.deployer,
            now: at(6),
          }),
          ['deployer'],
        ),
      );
    const staging = approval('staging', 400);
    const production = approval('production', 200 + (i % 300));
    const promotions = [
      promotion(staging, 'staging', 'staging'),
      promotion(production, 'production', ENVIRONMENTS[i % ENVIRONMENTS.length]),
      promotion(production, 'production', ENVIRONMENTS[(i + 3) % ENVIRONMENTS.length]),
    ];
    const model = {
      index: i,
      digest: modelDigest(i),
      dataset: datasetDigest(i),
      source: sourceDigest(i % sourceCount),
      ...(fineTune ? { base: i - 1 } : {}),
      training: training.digest,
      approval: production.digest,
      promotions: promotions.map((p) => p.digest),
      lines,
    };
    previous = { training };
    options.onModel?.(i, lines);
    out.push(model);
  }
  return { policy: inventoryPolicy(), sources, models: out };
}
