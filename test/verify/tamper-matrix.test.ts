/**
 * The tamper matrix (issue 7): one row per attack, each with the code that must explain it.
 * Every row starts from the valid world of test/helpers/world.ts and changes one thing.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { verifyChain, walkReferences, type VerifyChainInput } from '../../src/verify/chain.js';
import { parsePolicy } from '../../src/policy/policy.js';
import { sha256Hex } from '../../src/digest/index.js';
import { spkiDer } from '../../src/keys/der.js';
import { STATEMENT_TYPE_V1 } from '../../src/statements/statement.js';
import {
  buildRevocationStatement,
  buildWorld,
  DATASET,
  IDENTITY,
  key,
  manifestWorld,
  MODEL,
  OTHER_MODEL,
  sign,
  T,
  type KeyName,
  type World,
} from '../helpers/world.js';
import { expectStepOrder } from '../helpers/steps.js';
import { goldenReports } from '../helpers/golden-reports.js';

const expectGolden = goldenReports(import.meta.url);

type Case = Partial<Omit<VerifyChainInput, 'policy'>> & { world: World; bundle?: string };

/** `pin`: the report is pinned (golden); not for reports of randomly generated cases. */
async function run(c: Case, pin = true) {
  const out = await verifyChain({
    bundle: c.bundle ?? c.world.bundle,
    policy: c.world.policy,
    subject: c.subject ?? MODEL,
    useCase: 'useCase' in c ? c.useCase : 'support-chat',
    asOf: c.asOf ?? T.asOf,
  });
  // Every row's report also shows verifyChain's steps in order (spec/verification.md).
  expectStepOrder(out.report);
  if (pin) expectGolden(out.report);
  return out;
}

const without = (w: World, stage: keyof World['steps']) =>
  Object.entries(w.steps)
    .filter(([s]) => s !== stage)
    .map(([, v]) => v.line)
    .join('');

const unknownStatement = (digest: string) => ({
  _type: STATEMENT_TYPE_V1,
  subject: [{ name: 'x', digest: { sha256: digest.slice(7) } }],
  predicateType: 'https://example.com/unknown/v1',
  predicate: { a: 1 },
});

/** A revoker's statement revoking `name`'s key for `reason` from `effectiveAt` (issued 2026-01-20). */
async function keyRevocation(name: KeyName, reason: string, effectiveAt: string) {
  const k = await key(name);
  return sign(
    buildRevocationStatement({
      kind: 'key',
      subjects: [{ digest: `sha256:${sha256Hex(spkiDer(k.publicKey.bytes))}` }],
      reason,
      description: 'rotation',
      effectiveAt,
      attester: IDENTITY.revoker,
      now: new Date('2026-01-20T00:00:00Z'),
    } as never),
    ['revoker'],
  );
}

/** A statement revoking the model, signed by `signers` (the first is the attester). */
async function modelRevocation(signers: KeyName[]) {
  return sign(
    buildRevocationStatement({
      kind: 'model',
      subjects: [{ digest: MODEL }],
      reason: 'legal',
      description: 'takedown',
      effectiveAt: '2026-01-20T00:00:00Z',
      attester: IDENTITY[signers[0]!],
      now: new Date('2026-01-20T00:00:00Z'),
    } as never),
    signers,
  );
}

interface Row {
  attack: string;
  code: string;
  setup: () => Promise<Case>;
  /** Rows that must pass (a skip is listed, the verdict ok). */
  ok?: boolean;
  /**
   * A skip that must explain the failure: untrusted material is named, never a failure of its own
   * (adding lines no trusted key signed never changes a failed code, decisions §14).
   */
  explainedBy?: string;
}

const ROWS: Row[] = [
  {
    attack: 'missing stage (dataset line deleted)',
    code: 'STAGE_MISSING',
    setup: async () => {
      const w = await buildWorld();
      return { world: w, bundle: without(w, 'dataset') };
    },
  },
  {
    attack: 'missing stage the policy requires (promotion)',
    code: 'STAGE_MISSING',
    setup: async () => {
      const w = await buildWorld({
        policy: (d) => {
          d.requiredStages = ['dataset', 'training', 'evaluation', 'approval', 'promotion'];
        },
      });
      return { world: w, bundle: without(w, 'promotion') };
    },
  },
  {
    attack: 'evidence issued before the thing it is about (evaluation before training)',
    code: 'TIME_ORDER_VIOLATION',
    setup: async () => ({
      world: await buildWorld({ evaluation: (i) => ({ ...i, now: new Date('2026-01-10T00:00:00Z') }) }),
    }),
  },
  {
    attack: "approval signed by the trainer's key",
    code: 'SIGNER_NOT_IN_ROLE',
    setup: async () => ({
      world: await buildWorld({
        signers: { approval: ['trainer', 'bob'] },
        approval: (i) => ({ ...i, attester: IDENTITY.bob }),
      }),
    }),
  },
  {
    attack: 'approval signed by the trainer, who also holds the approver role',
    code: 'SEPARATION_OF_DUTIES',
    setup: async () => ({
      world: await buildWorld({
        signers: { approval: ['trainer', 'bob'] },
        approval: (i) => ({ ...i, attester: IDENTITY.bob }),
        policy: (d) => {
          d.roles.approver.identities.push(IDENTITY.trainer);
        },
      }),
    }),
  },
  {
    attack: 'one identity holding two keys as trainer and approver',
    code: 'SEPARATION_OF_DUTIES',
    setup: async () => ({
      world: await buildWorld({
        training: (i) => ({ ...i, attester: IDENTITY.alice }),
        policy: (d) => {
          delete d.identities[IDENTITY.trainer];
          d.identities[IDENTITY.alice].keys.push('trainer');
          d.roles.trainer.identities = [IDENTITY.alice];
        },
      }),
    }),
  },
  {
    attack: 'threshold padded by one key signing twice',
    code: 'APPROVAL_THRESHOLD_NOT_MET',
    setup: async () => {
      const w = await buildWorld({ signers: { approval: ['alice'] } });
      // signEnvelope refuses one key twice, so the attacker copies the signature entry by hand.
      const env = w.steps.approval.envelope;
      const padded = { ...env, signatures: [env.signatures[0]!, { ...env.signatures[0]!, keyid: 'another-key' }] };
      return { world: w, bundle: without(w, 'approval') + `${JSON.stringify(padded)}\n` };
    },
  },
  {
    attack: 'threshold padded by duplicate lines of one signature',
    code: 'APPROVAL_THRESHOLD_NOT_MET',
    setup: async () => {
      const w = await buildWorld({ signers: { approval: ['alice'] } });
      return { world: w, bundle: w.bundle + w.steps.approval.line + w.steps.approval.line };
    },
  },
  {
    attack: "threshold padded by one identity's two keys",
    code: 'APPROVAL_THRESHOLD_NOT_MET',
    setup: async () => ({
      world: await buildWorld({
        signers: { approval: ['alice', 'aliceOld'] },
        policy: (d) => {
          d.keys.aliceOld = { publicKey: d.keys.aliceOld.publicKey };
        },
      }),
    }),
  },
  {
    attack: 'a failed metric gate (policy overrides the declared threshold)',
    code: 'METRIC_GATE_FAILED',
    setup: async () => ({
      world: await buildWorld({
        evaluation: (i) => ({
          ...i,
          metrics: i.metrics.map((m) => (m.name === 'accuracy' ? { ...m, value: 0.85, threshold: 0.8 } : m)),
        }),
      }),
    }),
  },
  {
    attack: 'WARNED where the tier forbids it',
    code: 'EVALUATION_WARNED',
    setup: async () => ({ world: await buildWorld({ evaluation: (i) => ({ ...i, result: 'WARNED' }) }) }),
  },
  {
    attack: 'FAILED evaluation',
    code: 'EVALUATION_FAILED',
    setup: async () => ({
      world: await buildWorld({
        evaluation: (i) => ({
          ...i,
          result: 'FAILED',
          metrics: i.metrics.map((m) => (m.name === 'accuracy' ? { ...m, value: 0.5 } : m)),
        }),
      }),
    }),
  },
  {
    attack: 'a required evaluation category is missing',
    code: 'EVALUATION_CATEGORY_MISSING',
    setup: async () => ({
      world: await buildWorld({
        evaluation: (i) => ({ ...i, metrics: i.metrics.filter((m) => m.category !== 'safety') }),
      }),
    }),
  },
  {
    attack: 'an evaluation of a different model digest',
    code: 'SUBJECT_MISMATCH',
    setup: async () => ({
      world: await buildWorld({ evaluation: (i) => ({ ...i, subject: { name: 'model', digest: OTHER_MODEL } }) }),
    }),
  },
  {
    attack: "model A's approval presented with model B",
    code: 'SUBJECT_NOT_APPROVED',
    setup: async () => ({ world: await buildWorld(), subject: OTHER_MODEL }),
  },
  {
    attack: 'evidence swapped after approval',
    code: 'REFERENCE_UNRESOLVED',
    setup: async () => {
      const a = await buildWorld();
      const b = await buildWorld({
        evaluation: (i) => ({
          ...i,
          metrics: i.metrics.map((m) => ({ ...m, value: m.value })),
          suite: { name: 'other-suite', version: '2' },
        }),
      });
      return { world: a, bundle: without(a, 'evaluation') + b.steps.evaluation.line };
    },
  },
  {
    attack: 'an expired approval (issuedAt + tier max age)',
    code: 'APPROVAL_EXPIRED',
    setup: async () => ({ world: await buildWorld(), asOf: '2026-05-01T00:00:00Z' }),
  },
  {
    attack: 'the same approval as of a date inside its window',
    code: 'OK',
    ok: true,
    setup: async () => ({ world: await buildWorld(), asOf: '2026-04-14T16:44:59Z' }),
  },
  {
    attack: 'an approval not yet valid (notBefore)',
    code: 'APPROVAL_NOT_YET_VALID',
    setup: async () => ({
      world: await buildWorld({ promotion: (i) => ({ ...i, now: new Date('2026-01-14T17:00:00Z') }) }),
      asOf: '2026-01-14T18:00:00Z',
    }),
  },
  {
    attack: 'evidence from the future',
    code: 'EVIDENCE_FROM_FUTURE',
    setup: async () => ({ world: await buildWorld(), asOf: '2026-01-15T07:00:00Z' }),
  },
  {
    attack: 'a compromised key with a backdated issuedAt',
    code: 'KEY_COMPROMISED',
    setup: async () => ({
      world: await buildWorld({
        policy: (d) => {
          d.keys.bob.status = 'compromised';
          d.keys.bob.compromisedAt = '2026-01-20T00:00:00Z';
        },
      }),
    }),
  },
  {
    attack: 'a key revoked by the policy',
    code: 'KEY_COMPROMISED',
    setup: async () => ({
      world: await buildWorld({
        policy: (d) => {
          d.revocations = [{ kind: 'key', key: 'bob', reason: 'lost laptop' }];
        },
      }),
    }),
  },
  {
    attack: 'a retired key outside its window',
    code: 'KEY_OUTSIDE_VALIDITY',
    setup: async () => ({ world: await buildWorld({ signers: { approval: ['aliceOld', 'bob'] } }) }),
  },
  {
    attack: 'a retired key inside its window',
    code: 'OK',
    ok: true,
    setup: async () => ({
      world: await buildWorld({
        signers: { approval: ['aliceOld', 'bob'] },
        policy: (d) => {
          d.keys.aliceOld.validUntil = '2026-01-20T00:00:00Z';
          d.keys.alice.validFrom = '2026-01-20T00:00:00Z';
        },
      }),
    }),
  },
  {
    attack: 'an untrusted key (evaluation signed by mallory)',
    code: 'REFERENCE_UNRESOLVED',
    explainedBy: 'REFERENCE_UNTRUSTED',
    setup: async () => ({ world: await buildWorld({ signers: { evaluation: ['mallory'] } }) }),
  },
  {
    attack: 'an approval signed only by untrusted keys',
    code: 'SUBJECT_NOT_APPROVED',
    explainedBy: 'UNTRUSTED_SIGNER',
    setup: async () => ({ world: await buildWorld({ signers: { approval: ['mallory'] } }) }),
  },
  {
    attack: 'an unknown predicate type referenced by the chain',
    code: 'PREDICATE_TYPE_UNKNOWN',
    setup: async () => {
      const junk = await sign(unknownStatement(`sha256:${'ab'.repeat(32)}`), ['steward']);
      const w = await buildWorld({ training: (i) => ({ ...i, datasets: [junk.digest] }) });
      return { world: w, bundle: w.bundle + junk.line };
    },
  },
  {
    attack: 'an unreferenced junk envelope (skip, not fail)',
    code: 'UNREFERENCED',
    ok: true,
    setup: async () => {
      const w = await buildWorld();
      const junk = await sign(unknownStatement(`sha256:${'cd'.repeat(32)}`), ['steward']);
      const untrusted = await sign(unknownStatement(`sha256:${'ef'.repeat(32)}`), ['mallory']);
      const extra = await buildWorld({ dataset: (i) => ({ ...i, version: '2' }) });
      return { world: w, bundle: junk.line + w.bundle + untrusted.line + extra.steps.dataset.line };
    },
  },
  {
    attack: 'a claimed identity that does not match the signing key',
    code: 'IDENTITY_MISMATCH',
    setup: async () => ({ world: await buildWorld({ training: (i) => ({ ...i, attester: IDENTITY.evaluator }) }) }),
  },
  {
    attack: 'a use case not approved',
    code: 'USE_CASE_NOT_APPROVED',
    setup: async () => ({ world: await buildWorld(), useCase: 'internal-search' }),
  },
  {
    attack: 'a use case the policy does not allow',
    code: 'USE_CASE_NOT_ALLOWED',
    setup: async () => ({ world: await buildWorld(), useCase: 'face-recognition' }),
  },
  {
    attack: 'a missing --use-case',
    code: 'USE_CASE_REQUIRED',
    setup: async () => ({ world: await buildWorld(), useCase: undefined }),
  },
  {
    attack: 'an approval claiming a lower risk tier',
    code: 'RISK_TIER_MISMATCH',
    setup: async () => ({ world: await buildWorld({ approval: (i) => ({ ...i, riskTier: 'low' }) }) }),
  },
  {
    attack: 'a rejected approval',
    code: 'APPROVAL_REJECTED',
    setup: async () => ({ world: await buildWorld({ approval: (i) => ({ ...i, decision: 'REJECTED' }) }) }),
  },
  {
    attack: 'an approval whose evaluation is of another training',
    code: 'CHAIN_INCONSISTENT',
    setup: async () => {
      const other = await buildWorld({ training: (i) => ({ ...i, hyperparameters: { epochs: 4 } }) });
      const w = await buildWorld({ evaluation: (i) => ({ ...i, training: other.steps.training.payload }) });
      return { world: w, bundle: w.bundle + other.steps.training.line };
    },
  },
  {
    attack: 'a promotion to another stage than approved',
    code: 'PROMOTION_STAGE_MISMATCH',
    setup: async () => ({ world: await buildWorld({ promotion: (i) => ({ ...i, stage: 'staging' }) }) }),
  },
  {
    attack: 'an evaluation revoked by the policy',
    code: 'REVOKED',
    setup: async () => {
      const w = await buildWorld();
      w.doc.revocations = [{ kind: 'payload', digest: w.steps.evaluation.digest, reason: 'leaked test set' }];
      return { world: { ...w, policy: parsePolicy(w.doc) } };
    },
  },
  {
    attack: "the model revoked by a revoker's statement in the bundle",
    code: 'REVOKED',
    setup: async () => {
      const w = await buildWorld();
      const rev = await sign(
        buildRevocationStatement({
          kind: 'model',
          subjects: [{ digest: MODEL }],
          reason: 'legal',
          description: 'takedown',
          effectiveAt: '2026-01-20T00:00:00Z',
          attester: IDENTITY.revoker,
          now: new Date('2026-01-20T00:00:00Z'),
        } as never),
        ['revoker'],
      );
      return { world: w, bundle: w.bundle + rev.line };
    },
  },
  {
    attack: 'a revocation signed by a non-revoker is not honoured',
    code: 'OK',
    ok: true,
    setup: async () => {
      const w = await buildWorld();
      const rev = await sign(
        buildRevocationStatement({
          kind: 'model',
          subjects: [{ digest: MODEL }],
          reason: 'legal',
          description: 'takedown',
          effectiveAt: '2026-01-20T00:00:00Z',
          attester: IDENTITY.bob,
          now: new Date('2026-01-20T00:00:00Z'),
        } as never),
        ['bob'],
      );
      return { world: w, bundle: w.bundle + rev.line };
    },
  },
  {
    attack: "a key revoked as compromised by a revoker's statement",
    code: 'KEY_COMPROMISED',
    setup: async () => {
      const w = await buildWorld();
      const bob = await key('bob');
      const rev = await sign(
        buildRevocationStatement({
          kind: 'key',
          subjects: [{ digest: `sha256:${sha256Hex(spkiDer(bob.publicKey.bytes))}` }],
          reason: 'compromised',
          description: 'stolen',
          effectiveAt: '2026-01-20T00:00:00Z',
          attester: IDENTITY.revoker,
          now: new Date('2026-01-20T00:00:00Z'),
        } as never),
        ['revoker'],
      );
      return { world: w, bundle: w.bundle + rev.line };
    },
  },
  // Key revocations by reason (decisions §13): retired/superseded cut off at effectiveAt; any other reason rejects everything.
  {
    attack: 'a key retired by the policy before the evidence was issued',
    code: 'KEY_REVOKED',
    setup: async () => ({
      world: await buildWorld({
        policy: (d) => {
          d.revocations = [{ kind: 'key', key: 'bob', reason: 'retired', effectiveAt: '2026-01-10T00:00:00Z' }];
        },
      }),
    }),
  },
  {
    attack: 'a key retired by the policy after the evidence was issued still counts',
    code: 'OK',
    ok: true,
    setup: async () => ({
      world: await buildWorld({
        policy: (d) => {
          d.revocations = [{ kind: 'key', key: 'bob', reason: 'retired', effectiveAt: '2026-01-20T00:00:00Z' }];
        },
      }),
    }),
  },
  {
    attack: "a key superseded by a revoker's statement before the evidence was issued",
    code: 'KEY_REVOKED',
    setup: async () => {
      const w = await buildWorld();
      return { world: w, bundle: w.bundle + (await keyRevocation('bob', 'superseded', '2026-01-10T00:00:00Z')).line };
    },
  },
  {
    attack: "a key retired by a revoker's statement after the evidence was issued still counts",
    code: 'OK',
    ok: true,
    setup: async () => {
      const w = await buildWorld();
      return { world: w, bundle: w.bundle + (await keyRevocation('bob', 'retired', '2026-01-20T00:00:00Z')).line };
    },
  },
  {
    attack: "a key revoked for another reason (legal) by a revoker's statement, effective after the evidence",
    code: 'KEY_COMPROMISED',
    setup: async () => {
      const w = await buildWorld();
      return { world: w, bundle: w.bundle + (await keyRevocation('bob', 'legal', '2026-01-20T00:00:00Z')).line };
    },
  },
  // The revoker role's threshold applies to revocation statements.
  {
    attack: 'a revocation signed by one revoker where the policy requires two is not honoured',
    code: 'OK',
    ok: true,
    setup: async () => {
      const w = await buildWorld({
        policy: (d) => {
          d.roles.revoker = { identities: [IDENTITY.revoker, IDENTITY.carol], threshold: 2 };
        },
      });
      return { world: w, bundle: w.bundle + (await modelRevocation(['revoker'])).line };
    },
  },
  {
    attack: 'a revocation signed by the two revokers the policy requires',
    code: 'REVOKED',
    setup: async () => {
      const w = await buildWorld({
        policy: (d) => {
          d.roles.revoker = { identities: [IDENTITY.revoker, IDENTITY.carol], threshold: 2 };
        },
      });
      return { world: w, bundle: w.bundle + (await modelRevocation(['revoker', 'carol'])).line };
    },
  },
  // Separation of duties, whatever the pair's roles.
  {
    attack: 'one identity signs the dataset and the training ([data-steward, trainer])',
    code: 'SEPARATION_OF_DUTIES',
    setup: async () => ({
      world: await buildWorld({
        signers: { dataset: ['trainer'] },
        dataset: (i) => ({ ...i, attester: IDENTITY.trainer }),
        policy: (d) => {
          d.roles['data-steward'].identities.push(IDENTITY.trainer);
          d.separationOfDuties = { pairs: [['data-steward', 'trainer']] };
        },
      }),
    }),
  },
  {
    attack: 'the trainer evaluates its own model ([trainer, evaluator])',
    code: 'SEPARATION_OF_DUTIES',
    setup: async () => ({
      world: await buildWorld({
        signers: { evaluation: ['trainer'] },
        evaluation: (i) => ({ ...i, attester: IDENTITY.trainer }),
        policy: (d) => {
          d.roles.evaluator.identities.push(IDENTITY.trainer);
          d.separationOfDuties = { pairs: [['trainer', 'evaluator']] };
        },
      }),
    }),
  },
  {
    attack: 'the evaluator deploys the model it evaluated ([evaluator, deployer])',
    code: 'SEPARATION_OF_DUTIES',
    setup: async () => ({
      world: await buildWorld({
        signers: { promotion: ['evaluator'] },
        promotion: (i) => ({ ...i, attester: IDENTITY.evaluator }),
        policy: (d) => {
          d.roles.deployer.identities.push(IDENTITY.evaluator);
          d.separationOfDuties = { pairs: [['evaluator', 'deployer']] };
        },
      }),
    }),
  },
  {
    attack: 'the trainer co-signs an evaluation an independent evaluator signed (not counted; passes)',
    code: 'SEPARATION_OF_DUTIES',
    ok: true,
    setup: async () => ({
      world: await buildWorld({
        signers: { evaluation: ['trainer', 'evaluator'] },
        policy: (d) => {
          d.roles.evaluator.identities.push(IDENTITY.trainer);
          d.separationOfDuties = { pairs: [['trainer', 'evaluator']] };
        },
      }),
    }),
  },
  // A promotion is about the approved model.
  {
    attack: 'a promotion of another model that refers to the approval',
    code: 'SUBJECT_MISMATCH',
    setup: async () => ({
      world: await buildWorld({
        promotion: (i) => ({ ...i, subject: { name: 'other', digest: OTHER_MODEL } }),
        policy: (d) => {
          d.requiredStages = ['dataset', 'training', 'evaluation', 'approval', 'promotion'];
        },
      }),
    }),
  },
  // Run times.
  {
    attack: 'a training whose run finished after it was attested',
    code: 'RUN_TIME_INVALID',
    setup: async () => ({
      world: await buildWorld({ training: (i) => ({ ...i, finishedOn: '2026-01-12T00:00:00Z' }) }),
    }),
  },
  {
    attack: 'a training whose run finished after the verification time',
    code: 'RUN_TIME_INVALID',
    setup: async () => ({
      world: await buildWorld({ training: (i) => ({ ...i, finishedOn: '2026-03-01T00:00:00Z' }) }),
    }),
  },
  {
    attack: 'an evaluation run before the training finished',
    code: 'RUN_TIME_INVALID',
    setup: async () => ({
      world: await buildWorld({
        evaluation: (i) => ({ ...i, startedOn: '2026-01-09T00:00:00Z', finishedOn: '2026-01-09T06:00:00Z' }),
      }),
    }),
  },
  // The policy's hashing rule.
  {
    attack: 'a model manifest hashed without an algorithm the policy requires',
    code: 'HASHING_MISMATCH',
    setup: async () => {
      const w = await manifestWorld({
        algorithms: ['sha256'],
        policy: (d) => {
          d.hashing = { algorithms: ['sha256', 'sha256-tree-v1-1048576'] };
        },
      });
      return { world: w, subject: w.model };
    },
  },
  {
    attack: "a model manifest with chunk trees of another leaf size than the policy's",
    code: 'HASHING_MISMATCH',
    setup: async () => {
      const w = await manifestWorld({
        algorithms: ['sha256', 'sha256-tree-v1-65536'],
        datasetAlgorithms: ['sha256', 'sha256-tree-v1-1048576'],
        policy: (d) => {
          d.hashing = { treeLeafBytes: 1048576 };
        },
      });
      return { world: w, subject: w.model };
    },
  },
  {
    attack: 'a model manifest kept as a sidecar when the policy requires a hashing (fails closed)',
    code: 'HASHING_UNKNOWN',
    setup: async () => {
      const w = await manifestWorld({
        inline: false,
        policy: (d) => {
          d.hashing = { algorithms: ['sha256'] };
        },
      });
      return { world: w, subject: w.model };
    },
  },
  {
    attack: "a model file whose chunk-tree digest has another leaf size than the policy's",
    code: 'HASHING_MISMATCH',
    setup: async () => {
      const digest = { sha256: MODEL.slice(7), 'sha256-tree-v1-65536': 'ab'.repeat(32) };
      return {
        world: await buildWorld({
          training: (i) => ({ ...i, subject: { name: 'model.safetensors', digest } }),
          policy: (d) => {
            d.hashing = { treeLeafBytes: 1048576 };
          },
        }),
      };
    },
  },
  {
    attack: 'an inlined model "manifest" that is not a manifest, under a hashing rule',
    code: 'HASHING_UNKNOWN',
    setup: async () => {
      const bytes = new TextEncoder().encode('{"not":"a manifest"}');
      const model = `sha256:${sha256Hex(bytes)}`;
      const about = { name: 'model', digest: model, mediaType: 'application/vnd.lineproof.manifest.v1+json' };
      const w = await buildWorld({
        dataset: (i) => ({ ...i, subject: { name: 'tickets.parquet', digest: DATASET } }),
        training: (i) => ({ ...i, subject: undefined, manifest: { bytes } }),
        evaluation: (i) => ({ ...i, subject: about }),
        approval: (i) => ({ ...i, subject: about }),
        promotion: (i) => ({ ...i, subject: about }),
        policy: (d) => {
          d.hashing = { algorithms: ['sha256'] };
        },
      });
      return { world: w, subject: model };
    },
  },
  {
    attack: 'manifests hashed as the policy requires',
    code: 'OK',
    ok: true,
    setup: async () => {
      const w = await manifestWorld({
        algorithms: ['sha256', 'sha256-tree-v1-1048576'],
        datasetAlgorithms: ['sha256', 'sha256-tree-v1-1048576'],
        policy: (d) => {
          d.hashing = { algorithms: ['sha256'], treeLeafBytes: 1048576 };
        },
      });
      return { world: w, subject: w.model };
    },
  },
  {
    attack: 'a malformed bundle line',
    code: 'BUNDLE_LINE_INVALID',
    setup: async () => {
      const w = await buildWorld();
      return { world: w, bundle: `${w.bundle}{"payloadType":"x","payload":"!!","signatures":[]}\n` };
    },
  },
];

describe('tamper matrix', () => {
  it.each(ROWS.map((r) => [r.attack, r] as const))('%s', async (_name, row) => {
    const c = await row.setup();
    const { report } = await run(c);
    const failed = report.checks.filter((x) => x.status === 'fail');
    if (row.ok) {
      expect(failed.map((f) => `${f.code}: ${f.message}`)).toEqual([]);
      expect(report.ok).toBe(true);
      if (row.code !== 'OK') expect(report.checks.some((x) => x.status === 'skip' && x.code === row.code)).toBe(true);
    } else {
      expect(report.ok).toBe(false);
      expect(failed.map((f) => f.code)).toContain(row.code);
      if (row.explainedBy)
        expect(report.checks.some((x) => x.status === 'skip' && x.code === row.explainedBy)).toBe(true);
    }
  });

  it('a reference cycle is found by the walker (SHA-256 makes one impossible to build from real payloads)', () => {
    const graph: Record<string, string[]> = { a: ['b'], b: ['c'], c: ['a', 'd'], d: [] };
    const w = walkReferences('a', (d) => graph[d] ?? [], 64);
    expect(w.cycles).toEqual([{ from: 'c', to: 'a' }]);
    expect(w.reached).toEqual(['a', 'b', 'c', 'd']);
    const deep = walkReferences('n0', (d) => [`n${Number(d.slice(1)) + 1}`], 10);
    expect(deep.tooDeep).toEqual(['n11']);
  });

  it('every code in the matrix is catalogued', async () => {
    const { ERROR_CODES } = await import('../../src/errors.js');
    for (const r of ROWS) if (r.code !== 'OK') expect(Object.hasOwn(ERROR_CODES, r.code), r.code).toBe(true);
  });
});

describe('properties over generated chains', () => {
  it('line order and duplicate lines never change the verdict or the failed codes', async () => {
    const worlds = [
      { c: { world: await buildWorld() } as Case },
      { c: { world: await buildWorld({ evaluation: (i) => ({ ...i, result: 'WARNED' }) }) } as Case },
      { c: { world: await buildWorld({ signers: { approval: ['alice'] } }) } as Case },
    ];
    // One after another: each report is pinned by its order within the test, so running these
    // concurrently would key the pins by whichever verification finished first.
    const base: { ok: boolean; codes: string[] }[] = [];
    for (const { c } of worlds) {
      const { report } = await run(c);
      base.push({
        ok: report.ok,
        codes: [...new Set(report.checks.filter((x) => x.status === 'fail').map((x) => x.code))].sort(),
      });
    }
    expect(base.map((b) => b.ok)).toEqual([true, false, false]);
    await fc.assert(
      fc.asyncProperty(
        fc.nat(2),
        fc.array(fc.nat(4), { maxLength: 4 }),
        fc.nat(),
        fc.boolean(),
        async (which, dups, seed, crlf) => {
          const { c } = worlds[which]!;
          const lines = Object.values(c.world.steps).map((s) => s.line);
          for (const d of dups) lines.push(lines[d]!);
          // Deterministic shuffle from the seed.
          let x = seed || 1;
          for (let i = lines.length - 1; i > 0; i--) {
            x = (x * 1103515245 + 12345) & 0x7fffffff;
            const j = x % (i + 1);
            [lines[i], lines[j]] = [lines[j]!, lines[i]!];
          }
          const bundle = lines.map((l) => (crlf ? l.replace(/\n$/, '\r\n') : l)).join(crlf ? '\r\n' : '');
          const { report } = await run({ ...c, bundle }, false);
          expect(report.ok).toBe(base[which]!.ok);
          expect([...new Set(report.checks.filter((y) => y.status === 'fail').map((y) => y.code))].sort()).toEqual(
            base[which]!.codes,
          );
        },
      ),
      { numRuns: 25 },
    );
  });

  it('a one-byte change to the payload of any line never passes (every stage required)', async () => {
    const w = await buildWorld({
      policy: (d) => {
        d.requiredStages = ['dataset', 'training', 'evaluation', 'approval', 'promotion'];
      },
    });
    const lines = Object.values(w.steps).map((s) => s.line);
    await fc.assert(
      fc.asyncProperty(fc.nat(lines.length - 1), fc.nat(), async (li, pos) => {
        const env = JSON.parse(lines[li]!);
        const payload = Buffer.from(env.payload, 'base64');
        payload[pos % payload.length]! ^= 1;
        env.payload = payload.toString('base64');
        const bundle = lines.map((l, i) => (i === li ? `${JSON.stringify(env)}\n` : l)).join('');
        const { report } = await run({ world: w, bundle }, false);
        expect(report.ok).toBe(false);
      }),
      { numRuns: 15 },
    );
  });
});

describe('base models (fine-tunes)', () => {
  const BASE = `sha256:${'b1'.repeat(32)}`;
  it('a base model pinned by the policy passes', async () => {
    const w = await buildWorld({
      training: (i) => ({ ...i, baseModel: { name: 'base', digest: BASE } }),
      policy: (d) => {
        d.baseModels = { pinned: [{ name: 'base-7b', digest: BASE }] };
      },
    });
    const { report } = await run({ world: w });
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(report.checks.some((c) => c.id === 'chain.baseModel' && c.status === 'pass')).toBe(true);
  });
  it('a base model not pinned fails with BASE_MODEL_NOT_ALLOWED', async () => {
    const w = await buildWorld({
      training: (i) => ({ ...i, baseModel: { name: 'base', digest: BASE } }),
      policy: (d) => {
        d.baseModels = { pinned: [{ digest: `sha256:${'c2'.repeat(32)}` }] };
      },
    });
    const { report } = await run({ world: w });
    expect(report.checks.filter((c) => c.status === 'fail').map((c) => c.code)).toContain('BASE_MODEL_NOT_ALLOWED');
  });
  it('without a baseModels section the base model is listed as unchecked (skip)', async () => {
    const w = await buildWorld({ training: (i) => ({ ...i, baseModel: { name: 'base', digest: BASE } }) });
    const { report } = await run({ world: w });
    expect(report.ok).toBe(true);
    expect(report.checks.some((c) => c.status === 'skip' && c.code === 'BASE_MODEL_UNCHECKED')).toBe(true);
  });
  it('a base model whose own chain verifies against the sub-policy passes; a broken one fails', async () => {
    // The base model's own chain: the default world for another model digest.
    const baseWorld = await buildWorld({
      training: (i) => ({ ...i, subject: { name: 'base', digest: BASE } }),
      evaluation: (i) => ({ ...i, subject: { name: 'base', digest: BASE } }),
      approval: (i) => ({ ...i, subject: { name: 'base', digest: BASE } }),
      promotion: (i) => ({ ...i, subject: { name: 'base', digest: BASE } }),
    });
    const fine = await buildWorld({
      dataset: (i) => ({ ...i, version: 'fine-tune data' }),
      training: (i) => ({
        ...i,
        baseModel: { name: 'base', digest: BASE, training: baseWorld.steps.training.payload },
      }),
      policy: (d) => {
        d.baseModels = { policy: JSON.parse(JSON.stringify(baseWorld.doc)), useCase: 'support-chat' };
      },
    });
    const good = await run({ world: fine, bundle: fine.bundle + baseWorld.bundle });
    expect(good.report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(good.report.ok).toBe(true);
    expect(
      good.report.checks.some((c) => c.id === 'chain.baseModel' && c.status === 'pass' && /sub-policy/.test(c.message)),
    ).toBe(true);
    // What the verdict relied on (a verification summary's inputAttestations): the chain's links in
    // chain order, then the base model's own links, sorted.
    expect(good.used).toEqual([
      ...good.chain.map((l) => l.payloadDigest),
      ...Object.values(baseWorld.steps)
        .map((s) => s.digest)
        .sort(),
    ]);
    expect(good.chain.map((l) => l.payloadDigest)).toEqual(Object.values(fine.steps).map((s) => s.digest));
    // Without the base model's approval the fine-tune fails, naming the base model.
    const broken =
      fine.bundle +
      Object.entries(baseWorld.steps)
        .filter(([s]) => s !== 'approval')
        .map(([, v]) => v.line)
        .join('');
    const bad = await run({ world: fine, bundle: broken });
    expect(bad.report.ok).toBe(false);
    expect(
      bad.report.checks.some(
        (c) => c.status === 'fail' && c.id.startsWith('baseModel.') && c.subject.startsWith('base model'),
      ),
    ).toBe(true);
  });
});

describe('run times (each check on its own)', () => {
  const failedIds = async (c: Case) =>
    (await run(c)).report.checks.filter((x) => x.status === 'fail' && x.code === 'RUN_TIME_INVALID').map((x) => x.id);
  it('a run that finished after its own issuedAt fails chain.time.run.issued only', async () => {
    expect(
      await failedIds({ world: await buildWorld({ training: (i) => ({ ...i, finishedOn: '2026-01-11T02:20:01Z' }) }) }),
    ).toEqual(['chain.time.run.issued']);
    // Within the 300 s tolerance it passes.
    expect(
      await failedIds({ world: await buildWorld({ training: (i) => ({ ...i, finishedOn: '2026-01-11T02:20:00Z' }) }) }),
    ).toEqual([]);
  });
  it('a run that finished after the verification time fails chain.time.run.future (though not after its issuedAt)', async () => {
    // The training is issued at the edge of the future window (asOf + 300 s); its run ends after that edge.
    const w = await buildWorld({ training: (i) => ({ ...i, finishedOn: '2026-01-11T02:18:20Z' }) });
    expect(await failedIds({ world: w, asOf: '2026-01-11T02:10:00Z' })).toEqual(['chain.time.run.future']);
  });
  it('an evaluation that records only its end, before the training finished, fails chain.time.run.order', async () => {
    expect(
      await failedIds({
        world: await buildWorld({ evaluation: (i) => ({ ...i, finishedOn: '2026-01-11T01:00:00Z' }) }),
      }),
    ).toEqual(['chain.time.run.order']);
    expect(
      await failedIds({
        world: await buildWorld({
          evaluation: (i) => ({ ...i, startedOn: '2026-01-11T01:56:00Z', finishedOn: '2026-01-11T03:00:00Z' }),
        }),
      }),
    ).toEqual([]);
  });
});
