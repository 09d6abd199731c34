/**
 * A complete, deterministic example chain built with the public builders:
 * raw dataset -> cleaned dataset (derivedFrom) -> training (fine-tune) -> evaluation -> approval
 * -> promotion, plus a revocation; and the governed variant (issue 14): a registration, a
 * red-teaming evaluation with findings (evaluation v0.2), and an approval that refers to the
 * registration (approval v0.2). spec/predicates.md shows exactly these statements (golden test),
 * and later layers (signing, bundles, chain verification) can reuse them.
 */
import { utf8 } from '../../src/bytes/index.js';
import { sha256Hex } from '../../src/digest/index.js';
import { canonicalBytes } from '../../src/json/canonical.js';
import {
  buildApprovalStatement,
  buildDatasetStatement,
  buildEvaluationStatement,
  buildPromotionStatement,
  buildRegistrationStatement,
  buildRevocationStatement,
  buildTrainingStatement,
} from '../../src/statements/builders.js';
import type { Statement } from '../../src/statements/statement.js';

/** A deterministic stand-in digest: sha256 of a label (real hex, obviously fake content). */
export const fakeDigest = (label: string): string => sha256Hex(utf8(`lineproof example: ${label}`));
/** A deterministic stand-in git commit (40 hex). */
export const fakeCommit = (label: string): string => fakeDigest(label).slice(0, 40);

/** The instant each step is issued at. */
export const TIMES = {
  rawDataset: new Date('2026-01-05T09:00:00Z'),
  cleanDataset: new Date('2026-01-06T14:30:00Z'),
  training: new Date('2026-01-11T02:15:00Z'),
  registration: new Date('2026-01-11T09:30:00Z'),
  evaluation: new Date('2026-01-12T10:00:00Z'),
  approval: new Date('2026-01-14T16:45:00Z'),
  redTeamEvaluation: new Date('2026-01-13T15:10:00Z'),
  promotion: new Date('2026-01-15T08:00:00Z'),
  revocation: new Date('2026-02-02T11:20:00Z'),
} as const;

/** An illustrative dataset manifest (the manifest format itself is specified in spec/hashing.md). */
export const cleanManifestBytes = canonicalBytes({
  version: 1,
  hashing: { algorithm: 'sha256' },
  ignore: ['.git/', '*.intoto.jsonl', 'model.sig'],
  items: [
    { path: 'test.jsonl', size: 1_048_576, digest: { sha256: fakeDigest('clean test.jsonl') } },
    { path: 'train.jsonl', size: 73_400_320, digest: { sha256: fakeDigest('clean train.jsonl') } },
  ],
});

/** An illustrative model manifest, stored as a sidecar in the example. */
export const modelManifestBytes = canonicalBytes({
  version: 1,
  hashing: { algorithm: 'sha256' },
  ignore: ['.git/', '*.intoto.jsonl', 'model.sig'],
  items: [
    { path: 'config.json', size: 684, digest: { sha256: fakeDigest('model config.json') } },
    { path: 'model.safetensors', size: 16_060_522_240, digest: { sha256: fakeDigest('model.safetensors') } },
    { path: 'tokenizer.json', size: 9_085_657, digest: { sha256: fakeDigest('tokenizer.json') } },
  ],
});

/** The model's subject digest: sha256 of its manifest JCS bytes. */
export const modelDigest = `sha256:${sha256Hex(modelManifestBytes)}`;

export interface ExampleStep {
  id: string;
  statement: Statement;
  /** The DSSE payload: the JCS bytes of the statement. */
  payload: Uint8Array;
}

function step(id: string, statement: Statement): ExampleStep {
  return { id, statement, payload: canonicalBytes(statement) };
}

/** Build the example chain, each step referring to the previous steps' payload bytes. */
export function buildExampleChain(): Record<
  | 'rawDataset'
  | 'cleanDataset'
  | 'training'
  | 'registration'
  | 'evaluation'
  | 'redTeamEvaluation'
  | 'approval'
  | 'registeredApproval'
  | 'promotion'
  | 'revocation',
  ExampleStep
> {
  const rawDataset = step(
    'rawDataset',
    buildDatasetStatement({
      subject: {
        name: 'support-tickets-raw',
        digest: `sha256:${fakeDigest('raw manifest')}`,
        mediaType: 'application/vnd.lineproof.manifest.v1+json',
      },
      name: 'support-tickets-raw',
      version: '2026.01',
      owner: 'customer-support-data',
      description: 'Support tickets exported from the helpdesk, January 2026.',
      license: 'LicenseRef-Acme-Internal',
      classification: { sensitivity: 'confidential', pii: true, tags: ['customer-data'] },
      sources: [
        {
          name: 'helpdesk-export',
          uri: 'https://helpdesk.example.com/exports/2026-01.tar.zst',
          digest: `sha256:${fakeDigest('helpdesk export')}`,
        },
        { name: 'helpdesk-api', uri: 'https://helpdesk.example.com/api/v2/tickets?since=2025-01-01' },
      ],
      attester: 'mailto:data-steward@example.com',
      now: TIMES.rawDataset,
    }),
  );
  const cleanDataset = step(
    'cleanDataset',
    buildDatasetStatement({
      manifest: { bytes: cleanManifestBytes },
      name: 'support-tickets-clean',
      version: '2026.01-1',
      owner: 'customer-support-data',
      license: 'LicenseRef-Acme-Internal',
      classification: { sensitivity: 'internal', pii: false },
      sources: [],
      derivedFrom: [rawDataset.payload],
      processing: [
        {
          name: 'pii-scrub',
          description: 'Names, e-mail addresses and phone numbers replaced by placeholders.',
          tool: { name: 'presidio', version: '2.2.355', uri: 'pkg:pypi/presidio-analyzer@2.2.355' },
        },
        {
          name: 'dedup',
          tool: { name: 'acme-dedup', version: '1.4.0', digest: { sha256: fakeDigest('acme-dedup 1.4.0') } },
          parameters: { method: 'minhash', threshold: 0.85 },
        },
        { name: 'split', parameters: { test: 0.05, seed: 1234 } },
      ],
      attester: 'mailto:data-steward@example.com',
      now: TIMES.cleanDataset,
    }),
  );
  const training = step(
    'training',
    buildTrainingStatement({
      manifest: { bytes: modelManifestBytes, inline: false, uri: 'support-triage-7b.manifest.json' },
      subject: {
        name: 'support-triage-7b',
        digest: modelDigest,
        mediaType: 'application/vnd.lineproof.manifest.v1+json',
      },
      builder: { id: 'https://ci.example.com/pipelines/llm-finetune', version: { 'acme-trainer': '5.2.0' } },
      invocationId: 'https://ci.example.com/pipelines/llm-finetune/runs/8812',
      startedOn: '2026-01-10T18:02:11Z',
      finishedOn: '2026-01-11T01:57:43Z',
      code: {
        uri: 'git+https://github.com/acme/trainer',
        ref: 'refs/tags/v5.2.0',
        entryPoint: 'configs/support-triage.yaml',
        digest: { gitCommit: fakeCommit('trainer v5.2.0') },
      },
      hyperparameters: { learning_rate: 0.0002, epochs: 3, batch_size: 64, lora: { r: 16, alpha: 32 }, seed: 1234 },
      datasets: [cleanDataset.payload],
      datasetManifests: [
        {
          uri: 's3://acme-datasets/support-tickets-clean/2026.01-1/',
          digest: `sha256:${sha256Hex(cleanManifestBytes)}`,
          mediaType: 'application/vnd.lineproof.manifest.v1+json',
        },
      ],
      baseModel: {
        name: 'acme/base-7b',
        uri: 'https://models.example.com/acme/base-7b',
        digest: `sha256:${fakeDigest('base-7b manifest')}`,
        mediaType: 'application/vnd.lineproof.manifest.v1+json',
      },
      environment: { uri: 'oci://registry.example.com/ml/trainer', digest: `sha256:${fakeDigest('trainer image')}` },
      attester: 'https://ci.example.com/pipelines/llm-finetune',
      now: TIMES.training,
    }),
  );
  const model = {
    name: 'support-triage-7b',
    digest: modelDigest,
    mediaType: 'application/vnd.lineproof.manifest.v1+json',
  };
  const registration = step(
    'registration',
    buildRegistrationStatement({
      subject: model,
      model: { name: 'support-triage', version: '7b-2026.01' },
      owner: 'mailto:support-ml@example.com',
      useCases: [
        {
          id: 'support-ticket-routing',
          description: 'Route incoming support tickets to the right queue and draft a first reply for a human agent.',
          riskTier: 'medium',
        },
      ],
      modelCard: {
        description: 'A 7B model fine-tuned on cleaned support tickets to route them and draft replies.',
        limitations: ['English and German tickets only.', 'Not for legal or medical questions.'],
        license: 'LicenseRef-Acme-Internal',
        contacts: ['mailto:support-ml@example.com', 'https://chat.example.com/channels/support-ml'],
      },
      attester: 'https://registry.example.com',
      now: TIMES.registration,
    }),
  );
  const evaluation = step(
    'evaluation',
    buildEvaluationStatement({
      subject: {
        name: 'support-triage-7b',
        digest: modelDigest,
        mediaType: 'application/vnd.lineproof.manifest.v1+json',
      },
      suite: {
        name: 'acme-release-eval',
        version: '3.1.0',
        uri: 'https://github.com/acme/release-eval',
        digest: { gitCommit: fakeCommit('release-eval 3.1.0') },
      },
      evaluator: { name: 'acme-evalkit', version: '0.9.4', digest: { sha256: fakeDigest('evalkit 0.9.4') } },
      training: training.payload,
      datasets: [
        {
          name: 'heldout',
          uri: 's3://acme-datasets/support-tickets-clean/2026.01-1/test.jsonl',
          digest: `sha256:${fakeDigest('clean test.jsonl')}`,
        },
        {
          name: 'redteam-prompts',
          uri: 's3://acme-security/redteam/prompts-v7.jsonl',
          digest: `sha256:${fakeDigest('redteam prompts v7')}`,
        },
      ],
      datasetAttestations: [cleanDataset.payload],
      metrics: [
        {
          name: 'routing_accuracy',
          category: 'accuracy',
          value: 0.913,
          higherIsBetter: true,
          threshold: 0.9,
          dataset: 'heldout',
        },
        {
          name: 'accuracy_under_typos',
          category: 'robustness',
          value: 0.874,
          higherIsBetter: true,
          threshold: 0.85,
          dataset: 'heldout',
        },
        {
          name: 'demographic_parity_gap',
          category: 'fairness',
          value: 0.021,
          higherIsBetter: false,
          threshold: 0.05,
          dataset: 'heldout',
        },
        {
          name: 'jailbreak_success_rate',
          category: 'safety',
          value: 0.004,
          higherIsBetter: false,
          threshold: 0.01,
          unit: 'fraction',
          dataset: 'redteam-prompts',
        },
        {
          name: 'accuracy_drop_under_shift',
          category: 'drift',
          value: 0.031,
          higherIsBetter: false,
          threshold: 0.05,
          dataset: 'heldout',
        },
      ],
      result: 'PASSED',
      startedOn: '2026-01-12T07:40:00Z',
      finishedOn: '2026-01-12T09:51:30Z',
      report: {
        name: 'report.html',
        uri: 's3://acme-evals/support-triage-7b/8812/report.html',
        digest: `sha256:${fakeDigest('eval report')}`,
        mediaType: 'text/html',
      },
      attester: 'mailto:ml-evaluation@example.com',
      now: TIMES.evaluation,
    }),
  );
  const approval = step(
    'approval',
    buildApprovalStatement({
      subject: {
        name: 'support-triage-7b',
        digest: modelDigest,
        mediaType: 'application/vnd.lineproof.manifest.v1+json',
      },
      decision: 'APPROVED',
      stage: 'production',
      useCase: {
        id: 'support-ticket-routing',
        description: 'Route incoming support tickets to the right queue and draft a first reply for a human agent.',
      },
      riskTier: 'medium',
      training: training.payload,
      evaluations: [evaluation.payload],
      conditions: [
        'A human agent reviews every drafted reply before it is sent.',
        'Re-evaluate after any change of the routing taxonomy.',
      ],
      runtimeScope: {
        tools: ['https://helpdesk.example.com/api/v2/tickets:read', 'https://helpdesk.example.com/api/v2/drafts:write'],
        dataClasses: ['internal'],
        secretScopes: ['helpdesk-drafts'],
      },
      notBefore: '2026-01-15T00:00:00Z',
      expires: '2026-07-15T00:00:00Z',
      attester: 'mailto:risk-officer@example.com',
      now: TIMES.approval,
    }),
  );
  const redTeamEvaluation = step(
    'redTeamEvaluation',
    buildEvaluationStatement({
      subject: model,
      suite: { name: 'acme-red-team', version: '2026.1', uri: 'https://github.com/acme/red-team' },
      evaluator: { name: 'garak', version: '0.10.1' },
      training: training.payload,
      datasets: [
        {
          name: 'redteam-prompts',
          uri: 's3://acme-security/redteam/prompts-v7.jsonl',
          digest: `sha256:${fakeDigest('redteam prompts v7')}`,
        },
      ],
      metrics: [
        {
          name: 'prompt_injection_success_rate',
          category: 'red-teaming',
          value: 0.012,
          higherIsBetter: false,
          threshold: 0.02,
          dataset: 'redteam-prompts',
        },
      ],
      findings: [
        {
          category: 'red-teaming',
          suite: { name: 'acme-red-team', version: '2026.1' },
          critical: 0,
          high: 1,
          medium: 4,
          low: 9,
          report: {
            name: 'findings.json',
            uri: 's3://acme-security/redteam/support-triage-7b/findings.json',
            digest: `sha256:${fakeDigest('red team findings')}`,
            mediaType: 'application/json',
          },
        },
      ],
      result: 'PASSED',
      attester: 'mailto:ml-evaluation@example.com',
      now: TIMES.redTeamEvaluation,
    }),
  );
  const registeredApproval = step(
    'registeredApproval',
    buildApprovalStatement({
      subject: model,
      decision: 'APPROVED',
      stage: 'production',
      useCase: {
        id: 'support-ticket-routing',
        description: 'Route incoming support tickets to the right queue and draft a first reply for a human agent.',
      },
      riskTier: 'medium',
      training: training.payload,
      evaluations: [evaluation.payload, redTeamEvaluation.payload],
      registration: registration.payload,
      conditions: ['A human agent reviews every drafted reply before it is sent.'],
      runtimeScope: {
        tools: ['https://helpdesk.example.com/api/v2/tickets:read'],
        dataClasses: ['internal'],
        secretScopes: [],
      },
      notBefore: '2026-01-15T00:00:00Z',
      expires: '2026-07-15T00:00:00Z',
      attester: 'mailto:risk-officer@example.com',
      now: TIMES.approval,
    }),
  );
  const promotion = step(
    'promotion',
    buildPromotionStatement({
      subject: {
        name: 'support-triage-7b',
        digest: modelDigest,
        mediaType: 'application/vnd.lineproof.manifest.v1+json',
      },
      approval: approval.payload,
      stage: 'production',
      environment: 'prod-eu-west-1',
      endpoint: 'https://inference.example.com/v1/models/support-triage',
      attester: 'https://deploy.example.com/pipelines/model-release',
      now: TIMES.promotion,
    }),
  );
  const revocation = step(
    'revocation',
    buildRevocationStatement({
      kind: 'attestation',
      attestations: [evaluation.payload],
      reason: 'erroneous',
      description:
        'The held-out split overlapped the training split (dedup ran after the split); the evaluation is void.',
      effectiveAt: '2026-01-12T10:00:00Z',
      attester: 'mailto:security@example.com',
      now: TIMES.revocation,
    }),
  );
  return {
    rawDataset,
    cleanDataset,
    training,
    registration,
    evaluation,
    redTeamEvaluation,
    approval,
    registeredApproval,
    promotion,
    revocation,
  };
}
