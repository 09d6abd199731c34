import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toBase64, utf8 } from '../../src/bytes/index.js';
import { sha256Hex } from '../../src/digest/index.js';
import { canonicalBytes } from '../../src/json/canonical.js';
import { joinPath, parseJson, type JsonValue } from '../../src/json/strict.js';
import {
  isUnknownPredicate,
  parseAttestationPayload,
  parsePredicate,
  predicateJsonSchema,
  PREDICATE_TYPES,
  referencesOf,
  stageOf,
  STAGES,
  type Stage,
} from '../../src/statements/predicates/index.js';
import { parseStatement, payloadReference } from '../../src/statements/statement.js';
import { buildExampleChain, type ExampleStep } from '../helpers/lifecycle.js';
import { failure } from '../helpers/codes.js';

const chain = buildExampleChain();
const examples: Array<[Stage, ExampleStep]> = [
  ['dataset', chain.rawDataset],
  ['dataset', chain.cleanDataset],
  ['training', chain.training],
  ['evaluation', chain.evaluation],
  ['approval', chain.approval],
  ['promotion', chain.promotion],
  ['revocation', chain.revocation],
];

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Parse a statement value the way a reader does: through its JCS bytes. */
const readBack = (statement: unknown, limits?: { inlineManifestBytes: number }) =>
  parseAttestationPayload(canonicalBytes(statement), limits ? { limits } : {});

describe('lifecycle predicates', () => {
  describe('round trip: builder -> canonicalBytes -> parseStatement -> parsePredicate', () => {
    it.each(examples)('%s (%#)', (stage, step) => {
      const st = parseStatement(step.payload);
      const parsed = parsePredicate(parseJson(step.payload));
      expect(parsed.stage).toBe(stage);
      expect(parsed.predicateType).toBe(PREDICATE_TYPES[stage]);
      expect(parsed.predicate).toEqual(step.statement.predicate);
      expect(parsed.statement.subject).toEqual(st.subject);
      expect(canonicalBytes(parsed.statement as unknown as JsonValue)).toEqual(step.payload);
      expect(stageOf(st)).toBe(stage);
      expect(stageOf(parsed)).toBe(stage);
      const a = parseAttestationPayload(step.payload);
      expect(a.payloadDigest).toBe(`sha256:${sha256Hex(step.payload)}`);
      expect(a.issuedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(a.attester.id.length).toBeGreaterThan(0);
    });
    it('reads issuedAt and attester of the training provenance from internalParameters', () => {
      const a = parseAttestationPayload(chain.training.payload);
      expect(a.issuedAt).toBe('2026-01-11T02:15:00Z');
      expect(a.attester).toEqual({ id: 'https://ci.example.com/pipelines/llm-finetune' });
    });
  });

  describe('references (decisions §6)', () => {
    it('lists every payload reference with its role and the stage it needs', () => {
      const refs = (s: ExampleStep) => referencesOf(s.statement).map((r) => [r.role, r.stage, r.path, r.digest]);
      const d = (s: ExampleStep) => `sha256:${sha256Hex(s.payload)}`;
      expect(refs(chain.rawDataset)).toEqual([]);
      expect(refs(chain.cleanDataset)).toEqual([
        ['derived-from', 'dataset', 'predicate.derivedFrom[0]', d(chain.rawDataset)],
      ]);
      expect(refs(chain.training)).toEqual([
        ['dataset', 'dataset', 'predicate.buildDefinition.resolvedDependencies[0]', d(chain.cleanDataset)],
      ]);
      expect(refs(chain.evaluation)).toEqual([
        ['training', 'training', 'predicate.training', d(chain.training)],
        ['evaluation-dataset', 'dataset', 'predicate.datasetAttestations[0]', d(chain.cleanDataset)],
      ]);
      expect(refs(chain.approval)).toEqual([
        ['training', 'training', 'predicate.evidence[0]', d(chain.training)],
        ['evaluation', 'evaluation', 'predicate.evidence[1]', d(chain.evaluation)],
      ]);
      expect(refs(chain.promotion)).toEqual([['approval', 'approval', 'predicate.approval', d(chain.approval)]]);
      expect(refs(chain.revocation)).toEqual([['revokes', 'evaluation', 'subject[0]', d(chain.evaluation)]]);
    });
    it("reports a base model's training attestation with role base-model", () => {
      const st = clone(chain.training.statement) as any;
      const base = payloadReference('training', utf8('{"some":"payload"}'));
      st.predicate.buildDefinition.resolvedDependencies.push(base);
      const refs = referencesOf(readBack(st));
      expect(refs.map((r) => [r.role, r.stage])).toEqual([
        ['dataset', 'dataset'],
        ['base-model', 'training'],
      ]);
    });
    it('are the sha256 of the exact payload bytes: the same JSON written differently is another reference', () => {
      const pretty = utf8(JSON.stringify(chain.training.statement, null, 2));
      expect(parseStatement(pretty)).toEqual(parseStatement(chain.training.payload));
      expect(payloadReference('training', pretty)).not.toEqual(payloadReference('training', chain.training.payload));
      expect(parseAttestationPayload(pretty).payloadDigest).toBe(`sha256:${sha256Hex(pretty)}`);
    });
  });

  describe('strictness', () => {
    it('an unknown field anywhere in our predicates fails with PREDICATE_INVALID at that field (property)', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...examples),
          fc.nat(),
          fc.string({ minLength: 1, maxLength: 12 }),
          fc.jsonValue({ maxDepth: 2 }),
          ([stage, step], pick, key, value) => {
            const st = clone(step.statement) as Record<string, unknown>;
            const targets = strictObjects(stage, st['predicate'], 'predicate');
            const target = targets[pick % targets.length]!;
            // A __proto__ field, as the key or inside the value, is refused before the predicate is
            // read (STATEMENT_INVALID, src/json/schema.ts; tested on its own below).
            fc.pre(
              !Object.hasOwn(target.obj, key) && key !== '__proto__' && !JSON.stringify(value).includes('"__proto__"'),
            );
            Object.defineProperty(target.obj, key, { value, enumerable: true, configurable: true, writable: true });
            const f = failure(() => readBack(st));
            expect(f?.code).toBe('PREDICATE_INVALID');
            expect(f?.path).toBe(joinPath(target.path, key));
          },
        ),
        { numRuns: 300 },
      );
    });
    it('a field named __proto__ is refused anywhere, even where unknown fields are allowed (found by the property above)', () => {
      const training = clone(chain.training.statement) as Record<string, any>;
      for (const [where, put] of [
        ['a digest set', (st: Record<string, any>) => st['subject'][0]['digest']],
        ['a resource descriptor', (st: Record<string, any>) => st['predicate']['runDetails']['byproducts'][0]],
        ['the Statement', (st: Record<string, any>) => st],
        [
          'free hyperparameters',
          (st: Record<string, any>) => st['predicate']['buildDefinition']['externalParameters']['hyperparameters'],
        ],
      ] as const) {
        const st = clone(training);
        Object.defineProperty(put(st), '__proto__', {
          value: false,
          enumerable: true,
          configurable: true,
          writable: true,
        });
        const f = failure(() => readBack(st));
        expect(f?.path, where).toMatch(/__proto__/);
      }
    });
    it('an unknown field in the Statement or a subject is ignored (in-toto rule, property)', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...examples),
          fc.string({ minLength: 1, maxLength: 12 }),
          fc.jsonValue({ maxDepth: 2 }),
          fc.boolean(),
          ([stage, step], key, value, inSubject) => {
            const st = clone(step.statement) as Record<string, any>;
            const obj = inSubject ? st['subject'][0] : st;
            fc.pre(
              !Object.hasOwn(obj, key) &&
                // A __proto__ field, as the key or inside the value, is refused everywhere (the test above).
                key !== '__proto__' &&
                !JSON.stringify(value).includes('"__proto__"') &&
                ![
                  '_type',
                  'subject',
                  'predicateType',
                  'predicate',
                  'name',
                  'uri',
                  'digest',
                  'content',
                  'downloadLocation',
                  'mediaType',
                  'annotations',
                ].includes(key),
            );
            Object.defineProperty(obj, key, { value, enumerable: true, configurable: true, writable: true });
            expect(readBack(st).stage).toBe(stage);
          },
        ),
        { numRuns: 200 },
      );
    });
    it('an unknown field in the parts SLSA defines is ignored in the training provenance (SLSA parsing rules)', () => {
      const st = clone(chain.training.statement) as any;
      st.predicate.acme_note = 'x';
      st.predicate.buildDefinition.acme_extra = 1;
      st.predicate.runDetails.acme_extra = { a: 1 };
      st.predicate.runDetails.builder.acme_region = 'eu';
      st.predicate.runDetails.metadata.acme_queue = 'gpu';
      expect(readBack(st).stage).toBe('training');
    });
    it('"__proto__" in a predicate read from bytes is an unknown field, not a prototype', () => {
      const text = new TextDecoder()
        .decode(chain.promotion.payload)
        .replace('"predicate":{', '"predicate":{"__proto__":{"endpoint":"https://evil.example"},');
      const f = failure(() => parseAttestationPayload(utf8(text)));
      // Refused as the Statement is read, before the predicate: a __proto__ field anywhere is refused.
      expect(f).toEqual({ code: 'STATEMENT_INVALID', path: 'predicate.__proto__' });
    });
    it('null is not absent: an optional field set to null fails', () => {
      const st = clone(chain.promotion.statement) as any;
      st.predicate.endpoint = null;
      expect(failure(() => readBack(st))).toEqual({ code: 'PREDICATE_INVALID', path: 'predicate.endpoint' });
    });
  });

  describe('when the predicate type is not ours', () => {
    const base = clone(chain.promotion.statement) as any;
    it.each([
      ['a foreign type', 'https://example.com/attestation/v1', 'predicateType'],
      ['a newer Lineproof version', 'https://lineproof.dev/attestation/promotion/v0.2', 'predicateType'],
      ['SLSA provenance v0.2', 'https://slsa.dev/provenance/v0.2', 'predicateType'],
    ])('%s: PREDICATE_TYPE_UNKNOWN', (_n, type, path) => {
      const f = failure(() => parsePredicate({ ...base, predicateType: type }));
      expect(f).toEqual({ code: 'PREDICATE_TYPE_UNKNOWN', path });
      expect(stageOf({ ...base, predicateType: type })).toBeUndefined();
    });
    it('SLSA provenance v1 of another buildType: PREDICATE_TYPE_UNKNOWN at the buildType', () => {
      const st = clone(chain.training.statement) as any;
      st.predicate.buildDefinition.buildType = 'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1';
      expect(failure(() => readBack(st))).toEqual({
        code: 'PREDICATE_TYPE_UNKNOWN',
        path: 'predicate.buildDefinition.buildType',
      });
      expect(stageOf(st)).toBeUndefined();
      try {
        readBack(st);
      } catch (e) {
        expect(isUnknownPredicate(e)).toBe(true);
      }
    });
    it('a missing predicate: PREDICATE_INVALID at predicate', () => {
      const { predicate: _p, ...st } = base;
      expect(failure(() => parsePredicate(st))).toEqual({ code: 'PREDICATE_INVALID', path: 'predicate' });
    });
    it('an invalid Statement: STATEMENT_INVALID before anything else', () => {
      expect(failure(() => parsePredicate({ ...base, subject: [] }))?.code).toBe('STATEMENT_INVALID');
    });
  });

  describe('schema failures name the field', () => {
    type Mut = (p: any) => void;
    const rows: Array<[string, ExampleStep, Mut, string]> = [
      [
        'issuedAt Feb 30',
        chain.promotion,
        (p) => {
          p.issuedAt = '2026-02-30T00:00:00Z';
        },
        'predicate.issuedAt',
      ],
      [
        'issuedAt without offset',
        chain.approval,
        (p) => {
          p.issuedAt = '2026-01-14T16:45:00';
        },
        'predicate.issuedAt',
      ],
      [
        'issuedAt leap second',
        chain.evaluation,
        (p) => {
          p.issuedAt = '2016-12-31T23:59:60Z';
        },
        'predicate.issuedAt',
      ],
      [
        'training issuedAt missing',
        chain.training,
        (p) => {
          delete p.buildDefinition.internalParameters.issuedAt;
        },
        'predicate.buildDefinition.internalParameters.issuedAt',
      ],
      [
        'training startedOn missing',
        chain.training,
        (p) => {
          delete p.runDetails.metadata.startedOn;
        },
        'predicate.runDetails.metadata.startedOn',
      ],
      [
        'attester without id',
        chain.rawDataset,
        (p) => {
          p.attester = {};
        },
        'predicate.attester.id',
      ],
      [
        'attester as a string',
        chain.rawDataset,
        (p) => {
          p.attester = 'alice';
        },
        'predicate.attester',
      ],
      [
        'empty name',
        chain.rawDataset,
        (p) => {
          p.name = '';
        },
        'predicate.name',
      ],
      [
        'name with a newline',
        chain.rawDataset,
        (p) => {
          p.name = 'a\nb';
        },
        'predicate.name',
      ],
      [
        'unknown sensitivity',
        chain.rawDataset,
        (p) => {
          p.classification.sensitivity = 'secret';
        },
        'predicate.classification.sensitivity',
      ],
      [
        'source without digest or uri',
        chain.rawDataset,
        (p) => {
          p.sources[0] = { name: 'x' };
        },
        'predicate.sources[0]',
      ],
      [
        'source with a relative uri',
        chain.rawDataset,
        (p) => {
          p.sources[1].uri = 'data/x.csv';
        },
        'predicate.sources[1].uri',
      ],
      [
        'reference with the wrong stage name',
        chain.evaluation,
        (p) => {
          p.training.name = 'dataset';
        },
        'predicate.training.name',
      ],
      [
        'reference with upper-case hex',
        chain.promotion,
        (p) => {
          p.approval.digest.sha256 = p.approval.digest.sha256.toUpperCase();
        },
        'predicate.approval.digest.sha256',
      ],
      [
        'reference with another algorithm too',
        chain.promotion,
        (p) => {
          p.approval.digest.sha512 = 'ab'.repeat(64);
        },
        'predicate.approval.digest.sha512',
      ],
      [
        'reference with another mediaType',
        chain.promotion,
        (p) => {
          p.approval.mediaType = 'application/json';
        },
        'predicate.approval.mediaType',
      ],
      [
        'evidence of an unknown stage',
        chain.approval,
        (p) => {
          p.evidence[1].name = 'dataset';
        },
        'predicate.evidence[1].name',
      ],
      [
        'metric value as text',
        chain.evaluation,
        (p) => {
          p.metrics[0].value = '0.9';
        },
        'predicate.metrics[0].value',
      ],
      [
        'unknown metric category',
        chain.evaluation,
        (p) => {
          p.metrics[0].category = 'vibes';
        },
        'predicate.metrics[0].category',
      ],
      [
        'unknown result',
        chain.evaluation,
        (p) => {
          p.result = 'PASS';
        },
        'predicate.result',
      ],
      [
        'no metrics',
        chain.evaluation,
        (p) => {
          p.metrics = [];
        },
        'predicate.metrics',
      ],
      [
        'unknown decision',
        chain.approval,
        (p) => {
          p.decision = 'MAYBE';
        },
        'predicate.decision',
      ],
      [
        'unknown stage',
        chain.approval,
        (p) => {
          p.stage = 'prod';
        },
        'predicate.stage',
      ],
      [
        'runtime scope without secretScopes',
        chain.approval,
        (p) => {
          delete p.runtimeScope.secretScopes;
        },
        'predicate.runtimeScope.secretScopes',
      ],
      [
        'use case id with a space',
        chain.approval,
        (p) => {
          p.useCase.id = 'a b';
        },
        'predicate.useCase.id',
      ],
      [
        'unknown revocation kind',
        chain.revocation,
        (p) => {
          p.kind = 'person';
        },
        'predicate.kind',
      ],
      [
        'unknown dependency role',
        chain.training,
        (p) => {
          p.buildDefinition.resolvedDependencies[1].name = 'data';
        },
        'predicate.buildDefinition.resolvedDependencies[1].name',
      ],
      [
        'code dependency without uri',
        chain.training,
        (p) => {
          delete p.buildDefinition.resolvedDependencies[3].uri;
        },
        'predicate.buildDefinition.resolvedDependencies[3].uri',
      ],
      [
        'manifest without content or uri',
        chain.cleanDataset,
        (p) => {
          delete p.manifest.content;
        },
        'predicate.manifest',
      ],
      [
        'builder id that is not a URI',
        chain.training,
        (p) => {
          p.runDetails.builder.id = 'my pipeline';
        },
        'predicate.runDetails.builder.id',
      ],
      [
        'foreign buildType version',
        chain.training,
        (p) => {
          p.buildDefinition.buildType = 'https://lineproof.dev/buildtypes/ml-training/v0.2';
        },
        'predicate.buildDefinition.buildType',
      ],
    ];
    it.each(rows)('%s', (_n, step, mutate, path) => {
      const st = clone(step.statement) as any;
      mutate(st.predicate);
      const f = failure(() => readBack(st));
      expect(f?.path).toBe(path);
      expect(f?.code).toBe(
        path === 'predicate.buildDefinition.buildType' ? 'PREDICATE_TYPE_UNKNOWN' : 'PREDICATE_INVALID',
      );
    });
  });

  describe('cross-field rules', () => {
    type Mut = (st: any) => void;
    const rows: Array<[string, ExampleStep, Mut, string, string]> = [
      [
        'training finishes before it starts',
        chain.training,
        (s) => {
          s.predicate.runDetails.metadata.finishedOn = '2026-01-10T18:02:10Z';
        },
        'PREDICATE_TIME_ORDER',
        'predicate.runDetails.metadata.finishedOn',
      ],
      [
        'training finishes before it starts, written with an offset',
        chain.training,
        (s) => {
          s.predicate.runDetails.metadata.finishedOn = '2026-01-10T19:02:10.999999999+01:00';
        },
        'PREDICATE_TIME_ORDER',
        'predicate.runDetails.metadata.finishedOn',
      ],
      [
        'evaluation finishes before it starts',
        chain.evaluation,
        (s) => {
          s.predicate.finishedOn = '2026-01-12T07:39:59Z';
        },
        'PREDICATE_TIME_ORDER',
        'predicate.finishedOn',
      ],
      [
        'approval expires at notBefore',
        chain.approval,
        (s) => {
          s.predicate.expires = s.predicate.notBefore;
        },
        'PREDICATE_TIME_ORDER',
        'predicate.expires',
      ],
      [
        'approval expires at notBefore, in another offset',
        chain.approval,
        (s) => {
          s.predicate.expires = '2026-01-15T01:00:00+01:00';
        },
        'PREDICATE_TIME_ORDER',
        'predicate.expires',
      ],
      [
        'approval expires before notBefore',
        chain.approval,
        (s) => {
          s.predicate.expires = '2026-01-01T00:00:00Z';
        },
        'PREDICATE_TIME_ORDER',
        'predicate.expires',
      ],
      [
        'approval with two training references',
        chain.approval,
        (s) => {
          s.predicate.evidence.push({ ...s.predicate.evidence[0], digest: { sha256: 'cd'.repeat(32) } });
        },
        'PREDICATE_INCONSISTENT',
        'predicate.evidence',
      ],
      [
        'approval without a training reference',
        chain.approval,
        (s) => {
          s.predicate.evidence.shift();
        },
        'PREDICATE_INCONSISTENT',
        'predicate.evidence',
      ],
      [
        'approval without an evaluation reference',
        chain.approval,
        (s) => {
          s.predicate.evidence.pop();
        },
        'PREDICATE_INCONSISTENT',
        'predicate.evidence',
      ],
      [
        'approval citing one evaluation twice',
        chain.approval,
        (s) => {
          s.predicate.evidence.push(s.predicate.evidence[1]);
        },
        'PREDICATE_DUPLICATE',
        'predicate.evidence[2]',
      ],
      [
        'approval granting a tool twice',
        chain.approval,
        (s) => {
          s.predicate.runtimeScope.tools.push(s.predicate.runtimeScope.tools[0]);
        },
        'PREDICATE_DUPLICATE',
        'predicate.runtimeScope.tools[2]',
      ],
      [
        'PASSED with a metric below its threshold',
        chain.evaluation,
        (s) => {
          s.predicate.metrics[0].value = 0.899;
        },
        'PREDICATE_INCONSISTENT',
        'predicate.metrics[0]',
      ],
      [
        'PASSED with a lower-is-better metric above its threshold',
        chain.evaluation,
        (s) => {
          s.predicate.metrics[3].value = 0.02;
        },
        'PREDICATE_INCONSISTENT',
        'predicate.metrics[3]',
      ],
      [
        'a metric on an unlisted dataset',
        chain.evaluation,
        (s) => {
          s.predicate.metrics[1].dataset = 'other';
        },
        'PREDICATE_INCONSISTENT',
        'predicate.metrics[1].dataset',
      ],
      [
        'a metric listed twice',
        chain.evaluation,
        (s) => {
          s.predicate.metrics.push(s.predicate.metrics[2]);
        },
        'PREDICATE_DUPLICATE',
        'predicate.metrics[5]',
      ],
      [
        'two evaluation datasets with one name',
        chain.evaluation,
        (s) => {
          s.predicate.datasets[1].name = 'heldout';
        },
        'PREDICATE_DUPLICATE',
        'predicate.datasets[1]',
      ],
      [
        'a dataset derived from one parent twice',
        chain.cleanDataset,
        (s) => {
          s.predicate.derivedFrom.push(s.predicate.derivedFrom[0]);
        },
        'PREDICATE_DUPLICATE',
        'predicate.derivedFrom[1]',
      ],
      [
        'a duplicate classification tag',
        chain.rawDataset,
        (s) => {
          s.predicate.classification.tags.push('customer-data');
        },
        'PREDICATE_DUPLICATE',
        'predicate.classification.tags[1]',
      ],
      [
        'an inlined manifest whose bytes do not hash to its digest',
        chain.cleanDataset,
        (s) => {
          s.predicate.manifest.content = toBase64(utf8('{"version":1}'));
        },
        'PREDICATE_INCONSISTENT',
        'predicate.manifest.content',
      ],
      [
        'an inlined manifest that is not base64',
        chain.cleanDataset,
        (s) => {
          s.predicate.manifest.content = 'not base64!';
        },
        'PREDICATE_INVALID',
        'predicate.manifest.content',
      ],
      [
        'a manifest that is not a subject',
        chain.cleanDataset,
        (s) => {
          s.subject[0].digest.sha256 = 'ab'.repeat(32);
        },
        'PREDICATE_SUBJECT_MISMATCH',
        'predicate.manifest.digest',
      ],
      [
        'training without a dataset reference',
        chain.training,
        (s) => {
          s.predicate.buildDefinition.resolvedDependencies.shift();
        },
        'PREDICATE_INCONSISTENT',
        'predicate.buildDefinition.resolvedDependencies',
      ],
      [
        'training without code',
        chain.training,
        (s) => {
          s.predicate.buildDefinition.resolvedDependencies.splice(3, 1);
        },
        'PREDICATE_INCONSISTENT',
        'predicate.buildDefinition.resolvedDependencies',
      ],
      [
        'training listing a dependency twice',
        chain.training,
        (s) => {
          s.predicate.buildDefinition.resolvedDependencies.push(s.predicate.buildDefinition.resolvedDependencies[4]);
        },
        'PREDICATE_DUPLICATE',
        'predicate.buildDefinition.resolvedDependencies[5]',
      ],
      [
        'a base model parameter without the base model pinned',
        chain.training,
        (s) => {
          s.predicate.buildDefinition.resolvedDependencies.splice(2, 1);
        },
        'PREDICATE_INCONSISTENT',
        'predicate.buildDefinition.externalParameters.baseModel',
      ],
      [
        'a base model training reference without the base model',
        chain.training,
        (s) => {
          s.predicate.buildDefinition.resolvedDependencies.splice(2, 1, {
            name: 'training',
            digest: { sha256: 'ab'.repeat(32) },
            mediaType: 'application/vnd.in-toto+json',
          });
        },
        'PREDICATE_INCONSISTENT',
        'predicate.buildDefinition.resolvedDependencies[2]',
      ],
      [
        'a manifest byproduct with an unknown field',
        chain.training,
        (s) => {
          s.predicate.runDetails.byproducts[0].note = 'x';
        },
        'PREDICATE_INVALID',
        'predicate.runDetails.byproducts[0].note',
      ],
      [
        'a manifest byproduct that is not a subject',
        chain.training,
        (s) => {
          s.predicate.runDetails.byproducts[0].digest.sha256 = 'ab'.repeat(32);
        },
        'PREDICATE_SUBJECT_MISMATCH',
        'predicate.runDetails.byproducts[0].digest',
      ],
      [
        'revoking an attestation by a subject without the in-toto mediaType',
        chain.revocation,
        (s) => {
          delete s.subject[0].mediaType;
        },
        'PREDICATE_SUBJECT_MISMATCH',
        'subject[0]',
      ],
      [
        'revoking a model by an attestation reference',
        chain.revocation,
        (s) => {
          s.predicate.kind = 'model';
        },
        'PREDICATE_SUBJECT_MISMATCH',
        'subject[0]',
      ],
      [
        'revoking a key without its sha256',
        chain.revocation,
        (s) => {
          s.predicate.kind = 'key';
          s.subject[0] = { name: 'k', digest: { sha512: 'ab'.repeat(64) } };
        },
        'PREDICATE_SUBJECT_MISMATCH',
        'subject[0]',
      ],
    ];
    it.each(rows)('%s: %s', (_n, step, mutate, code, path) => {
      const st = clone(step.statement) as any;
      mutate(st);
      expect(failure(() => readBack(st))).toEqual({ code, path });
    });
    it('times equal to the instant are in order (finishedOn == startedOn)', () => {
      const st = clone(chain.training.statement) as any;
      st.predicate.runDetails.metadata.finishedOn = '2026-01-10T19:02:11+01:00';
      expect(readBack(st).stage).toBe('training');
    });
    it('a WARNED or FAILED result may carry metrics below their thresholds', () => {
      for (const result of ['WARNED', 'FAILED']) {
        const st = clone(chain.evaluation.statement) as any;
        st.predicate.result = result;
        st.predicate.metrics[0].value = 0.5;
        expect(readBack(st).stage).toBe('evaluation');
      }
    });
    it('an inlined manifest over the limit: LIMIT_EXCEEDED', () => {
      expect(failure(() => readBack(chain.cleanDataset.statement, { inlineManifestBytes: 16 }))).toEqual({
        code: 'LIMIT_EXCEEDED',
        path: 'predicate.manifest.content',
      });
    });
    it('a key revocation by SPKI sha256 is accepted', () => {
      const st = clone(chain.revocation.statement) as any;
      st.predicate.kind = 'key';
      st.predicate.reason = 'compromised';
      st.subject = [{ name: 'ci-signing-2025', digest: { sha256: 'ab'.repeat(32) } }];
      expect(referencesOf(readBack(st))).toEqual([]);
    });
  });

  describe('JSON Schemas', () => {
    it.each(STAGES.map((s) => [s]))('%s has an $id and refuses unknown top-level fields where ours', (stage) => {
      const schema = predicateJsonSchema(stage);
      expect(schema['$id']).toBe(`https://lineproof.dev/schemas/${stage}/v0.1.json`);
      expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
      if (stage === 'training') expect(schema['additionalProperties']).toEqual({});
      else expect(schema['additionalProperties']).toBe(false);
    });
  });
});

/**
 * The objects of a predicate that are strict (our schema owns them), with their paths. Skipped:
 * records whose keys are free (hyperparameters, step parameters, builder.version, DigestSets of
 * artifacts — a new key there is another algorithm), and in the training provenance the objects
 * SLSA defines (unknown fields ignored there).
 */
function strictObjects(
  stage: Stage,
  predicate: unknown,
  base: string,
): Array<{ obj: Record<string, unknown>; path: string }> {
  const out: Array<{ obj: Record<string, unknown>; path: string }> = [];
  const loose = new Set([
    'predicate',
    'predicate.buildDefinition',
    'predicate.runDetails',
    'predicate.runDetails.builder',
    'predicate.runDetails.metadata',
  ]);
  const walk = (v: unknown, path: string, parent: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${path}[${i}]`, v));
      return;
    }
    if (typeof v !== 'object' || v === null) return;
    const obj = v as Record<string, unknown>;
    const last = path.split('.').pop()!;
    const free =
      /\.(hyperparameters|parameters|version)$/.test(path) || /\.(hyperparameters|parameters)[.[]/.test(path);
    const isDigest = last === 'digest';
    const parentIsReference =
      typeof parent === 'object' &&
      parent !== null &&
      ((parent as Record<string, unknown>)['mediaType'] === 'application/vnd.in-toto+json' ||
        (parent as Record<string, unknown>)['name'] === 'manifest');
    const slsaLoose =
      stage === 'training' &&
      (loose.has(path) ||
        (/^predicate\.runDetails\.(byproducts|builder\.builderDependencies)\[\d+\]$/.test(path) &&
          obj['name'] !== 'manifest'));
    if (!free && (!isDigest || parentIsReference) && !slsaLoose) out.push({ obj, path });
    if (free) return;
    for (const [k, x] of Object.entries(obj)) walk(x, joinPath(path, k), obj);
  };
  walk(predicate, base, undefined);
  return out;
}
