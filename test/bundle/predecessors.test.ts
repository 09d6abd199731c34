import { beforeAll, describe, expect, it } from 'vitest';
import { bundleLine, readBundle } from '../../src/bundle/jsonl.js';
import { utf8 } from '../../src/bytes/index.js';
import { signEnvelope } from '../../src/dsse/sign.js';
import { ed25519Signer } from '../../src/keys/keys.js';
import { indexBundle } from '../../src/bundle/lookup.js';
import {
  approvalsOf,
  evaluationsOf,
  exactlyOne,
  leafDatasets,
  predecessorContext,
  resolveReference,
  trainingOfEvaluations,
  trainingsOf,
  type PredecessorContext,
} from '../../src/bundle/predecessors.js';
import { digestSetFromText } from '../../src/digest/index.js';
import { buildWorld, key, MODEL, type World } from '../helpers/world.js';

let w: World;
let ctx: PredecessorContext;
beforeAll(async () => {
  w = await buildWorld();
  const other = await signEnvelope(utf8('hello'), 'text/plain', [ed25519Signer(await key('steward'))]);
  ctx = await predecessorContext(indexBundle(readBundle(`${w.bundle}${bundleLine(other)}`)), w.policy);
});

describe('predecessor discovery (results, never throws)', () => {
  it('finds each stage by subject and reference, as attest does', () => {
    const model = digestSetFromText(MODEL);
    expect(leafDatasets(ctx).map((a) => a.entry.payloadDigest)).toEqual([w.steps.dataset.digest]);
    expect(trainingsOf(ctx, model).map((a) => a.entry.payloadDigest)).toEqual([w.steps.training.digest]);
    const evaluations = evaluationsOf(ctx, model, w.steps.training.digest);
    expect(evaluations.ok && evaluations.evaluations.map((e) => e.digest)).toEqual([w.steps.evaluation.digest]);
    expect(evaluations.ok && trainingOfEvaluations(ctx, evaluations.evaluations)).toMatchObject({
      ok: true,
      training: { digest: w.steps.training.digest, stage: 'training' },
    });
    expect(approvalsOf(ctx, model, 'production').length + approvalsOf(ctx, model, 'staging').length).toBe(1);
    expect(evaluationsOf(ctx, model, `sha256:${'0'.repeat(64)}`)).toEqual({
      ok: false,
      code: 'PREDECESSOR_NOT_FOUND',
      candidates: [],
    });
  });
  it('exactlyOne: one, none or several', () => {
    const d = ctx.index.ofStage('dataset');
    expect(exactlyOne(d)).toMatchObject({ ok: true, predecessor: { digest: w.steps.dataset.digest } });
    expect(exactlyOne([])).toEqual({ ok: false, code: 'PREDECESSOR_NOT_FOUND', candidates: [] });
    expect(exactlyOne([...d, ...d])).toMatchObject({ ok: false, code: 'PREDECESSOR_AMBIGUOUS' });
  });
  it.each([
    ['not a digest', 'sha1:abc', { ok: false, code: 'INVALID_ARGUMENT', problem: 'syntax' }],
    ['an unknown stage', `colour=sha256:${'1'.repeat(64)}`, { ok: false, code: 'INVALID_ARGUMENT', problem: 'stage' }],
    ['a digest not in the bundle', `sha256:${'1'.repeat(64)}`, { ok: false, code: 'REFERENCE_UNRESOLVED' }],
    [
      'a digest kept elsewhere, with its stage',
      `training=sha256:${'1'.repeat(64)}`,
      { ok: true, predecessor: { stage: 'training' }, trusted: undefined },
    ],
  ])('resolveReference: %s', (_n, text, expected) => {
    expect(resolveReference(ctx, text)).toMatchObject(expected);
  });
  it('resolveReference: found (and trusted), of another stage than named', () => {
    expect(resolveReference(ctx, w.steps.training.digest)).toMatchObject({
      ok: true,
      predecessor: { stage: 'training', digest: w.steps.training.digest },
      trusted: true,
    });
    expect(resolveReference(ctx, `dataset=${w.steps.training.digest}`)).toEqual({
      ok: false,
      code: 'REFERENCE_STAGE_MISMATCH',
      named: 'dataset',
      actual: 'training',
    });
    expect(resolveReference(ctx, `attestation=${w.steps.training.digest}`)).toMatchObject({
      ok: false,
      problem: 'stage',
    });
    expect(resolveReference(ctx, `attestation=${w.steps.training.digest}`, true)).toMatchObject({ ok: true });
  });
  it('a reference to an envelope that is not a lifecycle attestation is REFERENCE_INVALID', () => {
    const other = ctx.index.others[0]!;
    expect(resolveReference(ctx, other.entry.payloadDigest)).toEqual({
      ok: false,
      code: 'REFERENCE_INVALID',
      digest: other.entry.payloadDigest,
      lines: [6],
      why: 'DSSE_PAYLOAD_TYPE_MISMATCH',
    });
  });
  it('without a policy every attestation is a candidate', async () => {
    const open = await predecessorContext(indexBundle(readBundle(w.bundle)), undefined);
    expect(resolveReference(open, w.steps.dataset.digest)).toMatchObject({ ok: true, trusted: true });
    expect(open.accepted).toEqual(['sha256']);
  });
});
