/**
 * The demo's rejections, each built as its own files under DIR/rejected/NAME/ and verified:
 * a weight byte flipped, an approval signed by the trainer, an approval that has expired. Each
 * must fail with exit 1 and its code.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatTimestamp, parseTimestamp } from '../../time/index.js';
import { approvalArgs, CHAIN, PEOPLE, verifyArgs, type Made } from './lifecycle.js';
import { evaluate, FEATURES, readModel, syntheticRows } from './model.js';
import type { DemoRunner, DemoStep } from './runner.js';

export interface Rejection {
  name: string;
  /** What was changed. */
  what: string;
  /** The verify step that rejects it. */
  step: DemoStep;
}

/** Lines 1..n of the main chain (dataset, training, registration, evaluation) into rejected/NAME/. */
function copyChainStart(r: DemoRunner, name: string, lines: number): string {
  const to = `rejected/${name}/${CHAIN}`;
  r.shell(
    `${name}-chain`,
    `rejected/${name}/: the chain up to the evaluation (its first ${lines} lines)`,
    `mkdir -p rejected/${name} && head -n ${lines} ${CHAIN} > ${to}`,
    () => {
      mkdirSync(join(r.dir, 'rejected', name), { recursive: true });
      const kept = readFileSync(join(r.dir, CHAIN), 'utf8').split('\n').slice(0, lines);
      writeFileSync(join(r.dir, to), `${kept.join('\n')}\n`);
    },
  );
  return to;
}

/** rejected/flipped-weight/: model/ copied, the sign byte of its largest weight flipped. */
async function flippedWeight(r: DemoRunner, made: Made): Promise<Rejection> {
  const name = 'flipped-weight';
  const model = `rejected/${name}/model`;
  const original = readFileSync(join(r.dir, 'model', 'weights.bin'));
  const weights = readModel(made.config, original).weights;
  let k = 1;
  for (let i = 2; i < weights.length; i++) if (Math.abs(weights[i]!) > Math.abs(weights[k]!)) k = i;
  const offset = 4 * k + 3; // float32 little-endian: the last byte holds the sign bit
  const flipped = original[offset]! ^ 0x80;
  r.shell(`${name}-copy`, `${model}/: a copy of model/`, `mkdir -p rejected/${name} && cp -R model ${model}`, () => {
    mkdirSync(join(r.dir, 'rejected', name), { recursive: true });
    cpSync(join(r.dir, 'model'), join(r.dir, model), { recursive: true });
  });
  const bytes = Uint8Array.from(original);
  bytes[offset] = flipped;
  r.shell(
    `${name}-flip`,
    `one byte of its weights.bin flipped: byte ${offset}, the sign of the ${FEATURES[k - 1]} weight`,
    `printf '\\${flipped.toString(8).padStart(3, '0')}' | dd of=${model}/weights.bin bs=1 seek=${offset} conv=notrunc 2>/dev/null`,
    () => writeFileSync(join(r.dir, model, 'weights.bin'), bytes),
  );
  const test = syntheticRows(made.trainRows + made.testRows, 2026).slice(made.trainRows);
  r.note(
    `(that model's accuracy on test.csv would be ${evaluate(readModel(made.config, bytes), test).accuracy}, not ${made.metrics.accuracy})`,
  );
  const step = await r.lineproof(
    name,
    'the tampered model is not the one approved; the diff names the file',
    verifyArgs(`${model}/`),
    { exit: 1, codes: ['SUBJECT_NOT_APPROVED', 'MANIFEST_ITEM_MISMATCH'], texts: ['weights.bin changed'], show: true },
  );
  await r.lineproof(
    `${name}-report`,
    "the tampered model's audit page, naming the changed file",
    ['report', ...verifyArgs(`${model}/`).slice(1), '--html', `rejected/${name}/report.html`],
    { exit: 1, texts: ['NOT VERIFIED'], show: true },
  );
  return { name, what: `${model}/weights.bin, byte ${offset} flipped`, step };
}

/** rejected/approval-by-trainer/: the approval signed by the trainer's key. */
async function approvalByTrainer(r: DemoRunner, lines: number, at: string): Promise<Rejection> {
  const name = 'approval-by-trainer';
  const chain = copyChainStart(r, name, lines);
  await r.lineproof(
    `${name}-refused`,
    'with --policy, attest refuses to sign an approval with the trainer key',
    approvalArgs('trainer', chain, ['--expires', '+30d', '--policy', 'policy.json', '--at', at]),
    { exit: 2, codes: ['SIGNER_NOT_IN_ROLE'], show: true },
  );
  await r.lineproof(
    `${name}-signed`,
    'without --policy it signs: nothing stops a key holder from signing anything',
    approvalArgs('trainer', chain, [
      '--expires',
      '+30d',
      '--risk-tier',
      'high',
      '--attester',
      PEOPLE.trainer,
      '--at',
      at,
    ]),
  );
  const step = await r.lineproof(
    name,
    'the verifier does not count it: the trainer is no approver',
    verifyArgs('model/', chain),
    { exit: 1, codes: ['SIGNER_NOT_IN_ROLE', 'APPROVAL_THRESHOLD_NOT_MET'], show: true },
  );
  return { name, what: `${chain}: an approval signed by keys/trainer.key`, step };
}

/** rejected/expired-approval/: an approval valid for one hour, verified as of two hours later. */
async function expiredApproval(r: DemoRunner, lines: number, at: string): Promise<Rejection> {
  const name = 'expired-approval';
  const chain = copyChainStart(r, name, lines);
  const approval = await r.lineproof(
    `${name}-approval`,
    'alice approves for one hour only',
    approvalArgs('alice', chain, ['--expires', '+1h', '--policy', 'policy.json', '--at', at]),
    { texts: ['approval sha256:'] },
  );
  const digest = /^approval (sha256:[0-9a-f]{64})$/m.exec(approval.output)?.[1] ?? 'sha256:(not printed)';
  await r.lineproof(`${name}-cosign`, 'bob co-signs it', [
    'attest',
    'cosign',
    '--payload-digest',
    digest,
    '--key',
    'keys/bob.key',
    '--policy',
    'policy.json',
    '--chain',
    chain,
  ]);
  const later = formatTimestamp(parseTimestamp(at, '--at').epochMillis + 2 * 3_600_000, 'down');
  const step = await r.lineproof(
    name,
    'verified as of two hours later, the approval has expired',
    [...verifyArgs('model/', chain), '--at', later],
    { exit: 1, codes: ['APPROVAL_EXPIRED'], show: true },
  );
  return { name, what: `${chain}: an approval that expires after 1 h, verified --at ${later}`, step };
}

/** The three rejections, in rejected/. `lines`: how many lines of the chain precede the approval. */
export async function rejections(r: DemoRunner, made: Made, lines: number, at: string): Promise<Rejection[]> {
  r.section(
    '6. Rejections, each built in its own folder under rejected/ and verified: each must fail (exit 1) with its code.',
  );
  r.note('A. One byte of the weights flipped.');
  const a = await flippedWeight(r, made);
  r.note('B. An approval signed by the trainer.');
  const b = await approvalByTrainer(r, lines, at);
  r.note('C. An approval that has expired.');
  const c = await expiredApproval(r, lines, at);
  return [a, b, c];
}
