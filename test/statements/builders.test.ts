import { afterEach, describe, expect, it, vi } from 'vitest';
import { fromBase64, utf8 } from '../../src/bytes/index.js';
import { sha256Hex } from '../../src/digest/index.js';
import { canonicalBytes } from '../../src/json/canonical.js';
import type { JsonValue } from '../../src/json/strict.js';
import {
  buildApprovalStatement,
  buildDatasetStatement,
  buildEvaluationStatement,
  buildPromotionStatement,
  buildRevocationStatement,
  buildTrainingStatement,
  referenceTo,
  toDigestSet,
  type ApprovalStatementInput,
  type DatasetStatementInput,
  type EvaluationStatementInput,
  type TrainingStatementInput,
} from '../../src/statements/builders.js';
import { parseAttestationPayload, referencesOf } from '../../src/statements/predicates/index.js';
import { IN_TOTO_PAYLOAD_TYPE, payloadReference } from '../../src/statements/statement.js';
import { buildExampleChain, cleanManifestBytes, fakeCommit, fakeDigest } from '../helpers/lifecycle.js';
import { failure } from '../helpers/codes.js';

const chain = buildExampleChain();
const NOW = new Date('2026-03-01T12:00:00.750Z');
const MODEL = `sha256:${fakeDigest('model')}`;

const dataset = (over: Partial<DatasetStatementInput> = {}): DatasetStatementInput => ({
  manifest: { bytes: cleanManifestBytes },
  name: 'd',
  version: '1',
  owner: 'team',
  license: 'MIT',
  classification: { sensitivity: 'public', pii: false },
  sources: [{ uri: 'https://example.com/d.csv' }],
  attester: 'mailto:steward@example.com',
  now: NOW,
  ...over,
});

const training = (over: Partial<TrainingStatementInput> = {}): TrainingStatementInput => ({
  subject: { name: 'model', digest: MODEL },
  builder: { id: 'https://ci.example.com/train' },
  startedOn: '2026-02-27T00:00:00Z',
  finishedOn: '2026-02-28T00:00:00Z',
  code: { uri: 'git+https://github.com/acme/t', ref: 'refs/heads/main', digest: { gitCommit: fakeCommit('t') } },
  hyperparameters: { lr: 0.001 },
  datasets: [chain.cleanDataset.payload],
  attester: 'https://ci.example.com/train',
  now: NOW,
  ...over,
});

const evaluation = (over: Partial<EvaluationStatementInput> = {}): EvaluationStatementInput => ({
  subject: { name: 'model', digest: MODEL },
  suite: { name: 's', version: '1' },
  evaluator: { name: 'e' },
  training: chain.training.payload,
  datasets: [{ name: 'heldout', digest: `sha256:${fakeDigest('h')}` }],
  metrics: [{ name: 'acc', category: 'accuracy', value: 0.9, higherIsBetter: true, threshold: 0.8 }],
  result: 'PASSED',
  attester: 'mailto:eval@example.com',
  now: NOW,
  ...over,
});

const approval = (over: Partial<ApprovalStatementInput> = {}): ApprovalStatementInput => ({
  subject: { name: 'model', digest: MODEL },
  decision: 'APPROVED',
  stage: 'production',
  useCase: { id: 'uc', description: 'a use case' },
  riskTier: 'low',
  training: chain.training.payload,
  evaluations: [chain.evaluation.payload],
  runtimeScope: {},
  expires: '2026-06-01T00:00:00Z',
  attester: 'mailto:approver@example.com',
  now: NOW,
  ...over,
});

describe('builders', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('issuedAt', () => {
    it('comes from the injected clock, written YYYY-MM-DDTHH:MM:SSZ, never from the system clock', () => {
      vi.useFakeTimers();
      vi.setSystemTime(new Date('1999-01-01T00:00:00Z'));
      expect(buildDatasetStatement(dataset()).predicate!.issuedAt).toBe('2026-03-01T12:00:00Z');
      expect(
        buildPromotionStatement({
          subject: { digest: MODEL },
          approval: chain.approval.payload,
          stage: 'staging',
          environment: 'stg',
          attester: 'x',
          now: () => NOW,
        }).predicate!.issuedAt,
      ).toBe('2026-03-01T12:00:00Z');
    });
    it('refuses a missing or invalid clock (misuse)', () => {
      expect(failure(() => buildDatasetStatement(dataset({ now: undefined as unknown as Date })))?.code).toBe(
        'TypeError',
      );
      expect(failure(() => buildDatasetStatement(dataset({ now: new Date('nope') })))?.code).toBe('RangeError');
    });
  });

  describe('references to predecessors', () => {
    it('are the same from payload bytes, from the payload digest and from a reference', () => {
      const p = chain.training.payload;
      const expected = { name: 'training', digest: { sha256: sha256Hex(p) }, mediaType: IN_TOTO_PAYLOAD_TYPE };
      expect(referenceTo('training', p)).toEqual(expected);
      expect(referenceTo('training', `sha256:${sha256Hex(p)}`)).toEqual(expected);
      expect(referenceTo('training', payloadReference('training', p))).toEqual(expected);
      const a = buildEvaluationStatement(evaluation());
      const b = buildEvaluationStatement(evaluation({ training: `sha256:${sha256Hex(p)}` }));
      expect(canonicalBytes(a as unknown as JsonValue)).toEqual(canonicalBytes(b as unknown as JsonValue));
    });
    it('hash the exact bytes given: another serialization of the same statement is another reference', () => {
      const pretty = utf8(JSON.stringify(chain.training.statement, null, 2));
      const ref = referenceTo('training', pretty);
      expect(ref.digest.sha256).toBe(sha256Hex(pretty));
      expect(ref.digest.sha256).not.toBe(sha256Hex(chain.training.payload));
    });
    describe('when the predecessor is of another stage (role confusion)', () => {
      it.each([
        [
          'a dataset payload as the training',
          () => buildEvaluationStatement(evaluation({ training: chain.cleanDataset.payload })),
          'training',
        ],
        [
          'an approval payload as an evaluation',
          () => buildApprovalStatement(approval({ evaluations: [chain.approval.payload] })),
          'evaluations[0]',
        ],
        [
          'an evaluation payload as the approval',
          () =>
            buildPromotionStatement({
              subject: { digest: MODEL },
              approval: chain.evaluation.payload,
              stage: 'production',
              environment: 'p',
              attester: 'x',
              now: NOW,
            }),
          'approval',
        ],
        [
          'a training payload as a dataset',
          () => buildTrainingStatement(training({ datasets: [chain.training.payload] })),
          'datasets[0]',
        ],
        [
          'a reference named after another stage',
          () => buildEvaluationStatement(evaluation({ training: payloadReference('dataset', chain.training.payload) })),
          'training.name',
        ],
        [
          'a payload of a foreign predicate type',
          () =>
            buildTrainingStatement(
              training({
                datasets: [
                  canonicalBytes({
                    _type: 'https://in-toto.io/Statement/v1',
                    subject: [{ digest: { sha256: 'ab'.repeat(32) } }],
                    predicateType: 'https://example.com/x',
                    predicate: {},
                  }),
                ],
              }),
            ),
          'datasets[0]',
        ],
      ])('%s: REFERENCE_STAGE_MISMATCH', (_n, fn, path) => {
        expect(failure(fn)).toEqual({ code: 'REFERENCE_STAGE_MISMATCH', path });
      });
    });
    it('refuses predecessor bytes that are not a valid attestation, naming the input', () => {
      expect(failure(() => buildEvaluationStatement(evaluation({ training: utf8('{"a":1,"a":2}') })))).toEqual({
        code: 'JSON_DUPLICATE_KEY',
        path: 'training.a',
      });
      const bad = JSON.parse(JSON.stringify(chain.training.statement));
      bad.predicate.runDetails.metadata.finishedOn = '2020-01-01T00:00:00Z';
      expect(failure(() => buildEvaluationStatement(evaluation({ training: canonicalBytes(bad) })))).toEqual({
        code: 'PREDICATE_TIME_ORDER',
        path: 'training.predicate.runDetails.metadata.finishedOn',
      });
    });
    it('refuses malformed payload digests', () => {
      expect(failure(() => referenceTo('training', 'sha256:XYZ'))?.code).toBe('INVALID_ARGUMENT');
      expect(failure(() => referenceTo('training', `sha512:${'ab'.repeat(64)}`))?.code).toBe('INVALID_ARGUMENT');
      expect(
        failure(() =>
          referenceTo('training', {
            name: 'training',
            digest: { sha256: 'AB'.repeat(32) },
            mediaType: IN_TOTO_PAYLOAD_TYPE,
          }),
        )?.code,
      ).toBe('INVALID_ARGUMENT');
      expect(
        failure(() =>
          referenceTo('training', {
            name: 'training',
            digest: { sha256: 'ab'.repeat(32) },
            mediaType: 'application/json' as typeof IN_TOTO_PAYLOAD_TYPE,
          }),
        )?.code,
      ).toBe('INVALID_ARGUMENT');
    });
  });

  describe('artifact digests', () => {
    it('accept a DigestSet or sha256:<hex> text', () => {
      expect(toDigestSet(`sha256:${'ab'.repeat(32)}`)).toEqual({ sha256: 'ab'.repeat(32) });
      expect(toDigestSet({ sha256: 'ab'.repeat(32), gitCommit: 'cd'.repeat(20) })).toEqual({
        sha256: 'ab'.repeat(32),
        gitCommit: 'cd'.repeat(20),
      });
    });
    it.each([['sha256:xyz'], ['ab'.repeat(32)], [{ sha256: 'AB'.repeat(32) }], [{}], [{ sha256: 'ab' }]])(
      'refuse %j with INVALID_ARGUMENT',
      (d) => {
        expect(failure(() => buildEvaluationStatement(evaluation({ subject: { digest: d as string } })))).toMatchObject(
          { code: 'INVALID_ARGUMENT' },
        );
      },
    );
  });

  describe('times', () => {
    it('are written YYYY-MM-DDTHH:MM:SSZ whatever offset or precision they came in', () => {
      const st = buildTrainingStatement(
        training({
          startedOn: '2026-02-27T01:00:00.999999999+01:00',
          finishedOn: new Date('2026-02-28T00:00:00.500Z'),
        }),
      );
      expect(st.predicate!.runDetails.metadata).toMatchObject({
        startedOn: '2026-02-27T00:00:00Z',
        finishedOn: '2026-02-28T00:00:00Z',
      });
    });
    it('round a validity window inward: notBefore up, expires down', () => {
      const st = buildApprovalStatement(
        approval({ notBefore: '2026-03-01T12:00:00.000000001Z', expires: new Date('2026-06-01T00:00:00.999Z') }),
      );
      expect(st.predicate).toMatchObject({ notBefore: '2026-03-01T12:00:01Z', expires: '2026-06-01T00:00:00Z' });
      expect(buildApprovalStatement(approval()).predicate!.notBefore).toBe('2026-03-01T12:00:00Z');
    });
    it('refuse invalid times with TIME_INVALID naming the field', () => {
      expect(failure(() => buildTrainingStatement(training({ startedOn: '2026-02-30T00:00:00Z' })))).toEqual({
        code: 'TIME_INVALID',
        path: 'startedOn',
      });
      expect(failure(() => buildApprovalStatement(approval({ expires: '2026-06-01T00:00:00' })))).toEqual({
        code: 'TIME_INVALID',
        path: 'expires',
      });
      expect(failure(() => buildTrainingStatement(training({ finishedOn: new Date(Number.NaN) })))).toEqual({
        code: 'INVALID_ARGUMENT',
        path: 'finishedOn',
      });
    });
    it('check the order rules like a reader', () => {
      expect(failure(() => buildTrainingStatement(training({ finishedOn: '2026-02-26T00:00:00Z' })))).toEqual({
        code: 'PREDICATE_TIME_ORDER',
        path: 'predicate.runDetails.metadata.finishedOn',
      });
      expect(failure(() => buildApprovalStatement(approval({ expires: '2026-03-01T12:00:00Z' })))).toEqual({
        code: 'PREDICATE_TIME_ORDER',
        path: 'predicate.expires',
      });
    });
  });

  describe('manifests', () => {
    it('inline the JCS bytes by default and make the manifest the subject', () => {
      const st = buildDatasetStatement(dataset());
      expect(st.subject).toEqual([
        {
          name: 'd',
          digest: { sha256: sha256Hex(cleanManifestBytes) },
          mediaType: 'application/vnd.lineproof.manifest.v1+json',
        },
      ]);
      expect(fromBase64(st.predicate!.manifest!.content!)).toEqual(cleanManifestBytes);
    });
    it('name a sidecar when not inlined', () => {
      const st = buildTrainingStatement(
        training({
          subject: undefined,
          manifest: { bytes: cleanManifestBytes, inline: false, uri: 'model.manifest.json' },
        }),
      );
      expect(st.subject[0]).toMatchObject({ name: 'model', digest: { sha256: sha256Hex(cleanManifestBytes) } });
      expect(st.predicate!.runDetails.byproducts).toEqual([
        {
          name: 'manifest',
          digest: { sha256: sha256Hex(cleanManifestBytes) },
          mediaType: 'application/vnd.lineproof.manifest.v1+json',
          uri: 'model.manifest.json',
        },
      ]);
    });
    it('refuse to inline past the limit, and a sidecar without its uri', () => {
      expect(failure(() => buildDatasetStatement(dataset({ limits: { inlineManifestBytes: 100 } })))).toEqual({
        code: 'LIMIT_EXCEEDED',
        path: 'manifest',
      });
      expect(
        failure(() => buildDatasetStatement(dataset({ manifest: { bytes: cleanManifestBytes, inline: false } }))),
      ).toEqual({ code: 'INVALID_ARGUMENT', path: 'manifest.uri' });
    });
    it('a manifest given beside explicit subjects must be one of them', () => {
      expect(failure(() => buildDatasetStatement(dataset({ subject: { digest: MODEL } })))).toEqual({
        code: 'PREDICATE_SUBJECT_MISMATCH',
        path: 'predicate.manifest.digest',
      });
    });
    it('without a manifest a subject is required', () => {
      expect(failure(() => buildDatasetStatement(dataset({ manifest: undefined })))).toEqual({
        code: 'INVALID_ARGUMENT',
        path: 'subject',
      });
    });
  });

  describe('caller data', () => {
    it('that JSON cannot carry is refused with JSON_NOT_REPRESENTABLE, not silently dropped', () => {
      expect(
        failure(() => buildTrainingStatement(training({ hyperparameters: { lr: undefined as unknown as number } }))),
      ).toEqual({
        code: 'JSON_NOT_REPRESENTABLE',
        path: 'predicate.buildDefinition.externalParameters.hyperparameters.lr',
      });
      expect(failure(() => buildTrainingStatement(training({ hyperparameters: { lr: Number.NaN } }))))?.toMatchObject({
        code: 'JSON_NOT_REPRESENTABLE',
      });
      expect(
        failure(() => buildTrainingStatement(training({ hyperparameters: { when: new Date() as unknown as string } }))),
      )?.toMatchObject({ code: 'JSON_NOT_REPRESENTABLE' });
    });
    it('is copied: changing the input afterwards does not change the statement', () => {
      const hp = { lr: 0.001, sched: { warmup: 10 } };
      const st = buildTrainingStatement(training({ hyperparameters: hp }));
      hp.sched.warmup = 99;
      expect(st.predicate!.buildDefinition.externalParameters.hyperparameters).toEqual({
        lr: 0.001,
        sched: { warmup: 10 },
      });
    });
    it('that contradicts itself is refused like a reader would', () => {
      expect(
        failure(() =>
          buildEvaluationStatement(
            evaluation({
              metrics: [{ name: 'acc', category: 'accuracy', value: 0.7, higherIsBetter: true, threshold: 0.8 }],
            }),
          ),
        ),
      ).toEqual({ code: 'PREDICATE_INCONSISTENT', path: 'predicate.metrics[0]' });
      expect(failure(() => buildApprovalStatement(approval({ runtimeScope: { tools: ['a', 'a'] } })))).toEqual({
        code: 'PREDICATE_DUPLICATE',
        path: 'predicate.runtimeScope.tools[1]',
      });
      expect(failure(() => buildDatasetStatement(dataset({ name: '' })))).toEqual({
        code: 'PREDICATE_INVALID',
        path: 'predicate.name',
      });
    });
  });

  describe('training', () => {
    it('fills resolvedDependencies with a role per entry and keeps the SLSA shape', () => {
      const st = buildTrainingStatement(
        training({
          datasetManifests: [{ digest: `sha256:${sha256Hex(cleanManifestBytes)}` }],
          baseModel: { name: 'base', digest: `sha256:${fakeDigest('base')}`, training: chain.training.payload },
          environment: { uri: 'oci://r.example.com/img', digest: `sha256:${fakeDigest('img')}` },
          dependencies: [{ uri: 'pkg:pypi/torch@2.5.1', digest: `sha256:${fakeDigest('torch')}` }],
        }),
      );
      const p = st.predicate!;
      expect(st.predicateType).toBe('https://slsa.dev/provenance/v1');
      expect(Object.keys(p).sort()).toEqual(['buildDefinition', 'runDetails']);
      expect(Object.keys(p.buildDefinition).sort()).toEqual([
        'buildType',
        'externalParameters',
        'internalParameters',
        'resolvedDependencies',
      ]);
      expect(p.buildDefinition.resolvedDependencies.map((d) => d.name)).toEqual([
        'dataset',
        'dataset-manifest',
        'base-model',
        'training',
        'code',
        'environment',
        'dependency',
      ]);
      expect(p.buildDefinition.resolvedDependencies[4]).toEqual({
        name: 'code',
        uri: 'git+https://github.com/acme/t@refs/heads/main',
        digest: { gitCommit: fakeCommit('t') },
      });
      expect(p.buildDefinition.externalParameters).toEqual({
        code: { uri: 'git+https://github.com/acme/t', ref: 'refs/heads/main' },
        hyperparameters: { lr: 0.001 },
        baseModel: 'base',
      });
      expect(
        referencesOf(parseAttestationPayload(canonicalBytes(st as unknown as JsonValue))).map((r) => r.role),
      ).toEqual(['dataset', 'base-model']);
    });
    it('needs at least one dataset attestation', () => {
      expect(failure(() => buildTrainingStatement(training({ datasets: [] })))).toEqual({
        code: 'INVALID_ARGUMENT',
        path: 'datasets',
      });
    });
  });

  describe('revocation', () => {
    it('names a revoked payload after its stage when readable, and revokes unreadable payloads too', () => {
      const junk = utf8('not json at all');
      const st = buildRevocationStatement({
        kind: 'attestation',
        attestations: [chain.approval.payload, junk, `sha256:${'ab'.repeat(32)}`],
        reason: 'compromised',
        description: 'signed on a compromised runner',
        attester: 'mailto:sec@example.com',
        now: NOW,
      });
      expect(st.subject).toEqual([
        { name: 'approval', digest: { sha256: sha256Hex(chain.approval.payload) }, mediaType: IN_TOTO_PAYLOAD_TYPE },
        { name: 'attestation', digest: { sha256: sha256Hex(junk) }, mediaType: IN_TOTO_PAYLOAD_TYPE },
        { name: 'attestation', digest: { sha256: 'ab'.repeat(32) }, mediaType: IN_TOTO_PAYLOAD_TYPE },
      ]);
      expect(st.predicate!.effectiveAt).toBe('2026-03-01T12:00:00Z');
    });
    it('revokes keys by SPKI fingerprint and models by digest', () => {
      const spki = new Uint8Array([
        0x30,
        0x2a,
        0x30,
        0x05,
        0x06,
        0x03,
        0x2b,
        0x65,
        0x70,
        0x03,
        0x21,
        0x00,
        ...new Uint8Array(32).fill(7),
      ]);
      const key = buildRevocationStatement({
        kind: 'key',
        subjects: [{ name: 'ci-2025', digest: { sha256: sha256Hex(spki) } }],
        reason: 'retired',
        description: 'rotated',
        effectiveAt: '2026-03-01T00:00:00Z',
        attester: 'x',
        now: NOW,
      });
      expect(key.predicate).toMatchObject({ kind: 'key', reason: 'retired', effectiveAt: '2026-03-01T00:00:00Z' });
      const model = buildRevocationStatement({
        kind: 'model',
        subjects: [{ digest: MODEL }],
        reason: 'superseded',
        description: 'v2 replaces it',
        attester: 'x',
        now: NOW,
      });
      expect(model.subject).toEqual([{ digest: { sha256: fakeDigest('model') } }]);
      expect(
        failure(() =>
          buildRevocationStatement({
            kind: 'model',
            subjects: [{ digest: MODEL, mediaType: IN_TOTO_PAYLOAD_TYPE }],
            reason: 'other',
            description: 'x',
            attester: 'x',
            now: NOW,
          }),
        ),
      ).toEqual({ code: 'PREDICATE_SUBJECT_MISMATCH', path: 'subject[0]' });
      expect(
        failure(() =>
          buildRevocationStatement({
            kind: 'attestation',
            attestations: [],
            reason: 'other',
            description: 'x',
            attester: 'x',
            now: NOW,
          }),
        ),
      ).toEqual({ code: 'INVALID_ARGUMENT', path: 'attestations' });
    });
  });

  it('approval evidence is exactly the training and the evaluations given', () => {
    const st = buildApprovalStatement(
      approval({ conditions: ['c'], runtimeScope: { tools: ['t'], dataClasses: ['internal'], secretScopes: [] } }),
    );
    expect(st.predicate!.evidence).toEqual([
      { name: 'training', digest: { sha256: sha256Hex(chain.training.payload) }, mediaType: IN_TOTO_PAYLOAD_TYPE },
      { name: 'evaluation', digest: { sha256: sha256Hex(chain.evaluation.payload) }, mediaType: IN_TOTO_PAYLOAD_TYPE },
    ]);
    expect(st.predicate!.runtimeScope).toEqual({ tools: ['t'], dataClasses: ['internal'], secretScopes: [] });
    expect(failure(() => buildApprovalStatement(approval({ evaluations: [] })))).toEqual({
      code: 'INVALID_ARGUMENT',
      path: 'evaluations',
    });
  });
});
