/** `lineproof attest evaluation`: attest an evaluation of a model, signed by an evaluator. */
import { payloadInput, trainingsOf } from '../../bundle/predecessors.js';
import { buildEvaluationStatement } from '../../statements/builders.js';
import { evaluationFieldsSchema, parseBuilderFields } from '../../statements/inputs.js';
import { usage } from '../errors.js';
import type { AttestEnv } from './attest-env.js';
import {
  exactlyOne,
  fileField,
  fileFields,
  fileText,
  list,
  mergeFields,
  one,
  oneSubject,
  predecessorsFirst,
  requireField,
  resolveRefs,
  resolveSubject,
  slotRefs,
  str,
  timeFlag,
} from './attest-inputs.js';
import { build, refNote, stageCommand, type Made } from './attest-output.js';
import { digestText } from './describe.js';

const EVALUATION_HELP = `Usage: lineproof attest evaluation --subject MODEL --suite NAME --suite-version V --evaluator TOOL
                                  --data NAME=PATH|sha256:HEX --metric SPEC --result R
                                  --key KEY (--chain CHAIN | --out FILE) [options]

Attest an evaluation of a model (https://lineproof.dev/attestation/evaluation/v0.1, or v0.2 when it
has findings or a red-teaming metric), signed by an evaluator. The training attestation whose
subject is this model is looked up in --chain unless given with --ref.

Evaluation options:
  --subject PATH|sha256:HEX   the model evaluated (hashed as by 'lineproof hash'), or its digest
  --name N                    the subject's name (default: the directory or file name)
  --suite NAME                evaluation suite; --suite-version V its version
  --evaluator TOOL            the tool that ran it; --evaluator-version V its version
  --data NAME=PATH|sha256:HEX evaluation data, hashed (repeatable; at least one)
  --metric SPEC               CATEGORY:NAME=VALUE>=THRESHOLD (higher is better) or
                              CATEGORY:NAME=VALUE<=THRESHOLD (lower is better); CATEGORY is accuracy,
                              robustness, fairness, safety, drift or red-teaming (repeatable; replaces
                              the file's). Quote it: the shell reads > and < as redirections
  --finding SPEC              CATEGORY=CRITICAL,HIGH,MEDIUM,LOW: findings of this suite not fixed,
                              counted by severity, e.g. red-teaming=0,1,4,9 (repeatable; a tier may
                              cap them)
  --result R                  PASSED, WARNED or FAILED
  --started TIME, --finished TIME   when the evaluation ran
  --ref sha256:D              the model's training attestation, or dataset attestations of the
                              evaluation data
  --predicate FILE            other fields: metrics with units or datasets, suite uri/digest, report...

Example:
  lineproof attest evaluation --subject model/ --suite release-eval --suite-version 3 --evaluator evalkit \\
    --data heldout=data/heldout.jsonl --metric 'accuracy:accuracy=0.93>=0.9' --metric 'safety:jailbreak=0.004<=0.01' \\
    --finding red-teaming=0,1,4,9 --result PASSED --key keys/evaluator.key --chain model.intoto.jsonl
`;

function parseMetric(env: AttestEnv, spec: string): Record<string, unknown> {
  const m = /^([a-z][a-z-]*):([^=]+)=([^<>=]+)(>=|<=)([^<>=]+)$/.exec(spec);
  if (!m)
    throw usage(
      `${env.cmd}: --metric expected CATEGORY:NAME=VALUE>=THRESHOLD or CATEGORY:NAME=VALUE<=THRESHOLD, got ${JSON.stringify(spec.slice(0, 100))}`,
    );
  const num = (s: string, what: string): number => {
    const n = Number(s);
    if (s.trim() === '' || !Number.isFinite(n))
      throw usage(`${env.cmd}: --metric ${spec}: ${what} is not a finite number`);
    return n;
  };
  return {
    name: m[2],
    category: m[1],
    value: num(m[3]!, 'the value'),
    higherIsBetter: m[4] === '>=',
    threshold: num(m[5]!, 'the threshold'),
  };
}

/** `--finding CATEGORY=CRITICAL,HIGH,MEDIUM,LOW`, found by the evaluation's own suite. */
function parseFinding(env: AttestEnv, spec: string, suite: Record<string, unknown>): Record<string, unknown> {
  const m = /^([a-z][a-z-]*)=(\d{1,9}),(\d{1,9}),(\d{1,9}),(\d{1,9})$/.exec(spec);
  if (!m)
    throw usage(
      `${env.cmd}: --finding expected CATEGORY=CRITICAL,HIGH,MEDIUM,LOW (counts), e.g. red-teaming=0,1,4,9, got ${JSON.stringify(spec.slice(0, 100))}`,
    );
  return {
    category: m[1],
    suite: { name: suite.name, version: suite.version },
    critical: Number(m[2]),
    high: Number(m[3]),
    medium: Number(m[4]),
    low: Number(m[5]),
  };
}

async function parseData(env: AttestEnv, spec: string): Promise<Record<string, unknown>> {
  const eq = spec.indexOf('=');
  if (eq <= 0 || eq === spec.length - 1)
    throw usage(`${env.cmd}: --data expected NAME=PATH or NAME=sha256:HEX, got ${JSON.stringify(spec.slice(0, 100))}`);
  const r = await resolveSubject(env, spec.slice(eq + 1), undefined, undefined);
  return {
    name: spec.slice(0, eq),
    digest: r.subject.digest,
    ...(r.subject.mediaType ? { mediaType: r.subject.mediaType } : {}),
  };
}

async function makeEvaluation(env: AttestEnv): Promise<Made> {
  predecessorsFirst(env, ['training'], 'the training of the model');
  const subject = await oneSubject(env, 'model');
  const refs = slotRefs(
    env,
    resolveRefs(env),
    ['training', 'dataset'],
    'an evaluation refers to the training of the model (and to dataset attestations of its evaluation data)',
  );
  const training =
    one(env, refs.training, 'the training') ??
    exactlyOne(
      env,
      trainingsOf(env.lookup, subject.subject.digest),
      `the training attestation of ${digestText(subject.subject.digest)}`,
    );
  const suite = mergeFields(fileField(env, 'suite'), { name: str(env, 'suite'), version: str(env, 'suite-version') });
  const evaluator = mergeFields(fileField(env, 'evaluator'), {
    name: str(env, 'evaluator'),
    version: str(env, 'evaluator-version'),
  });
  const metrics = list(env, 'metric')?.map((m) => parseMetric(env, m)) ?? fileField(env, 'metrics');
  const findings = list(env, 'finding')?.map((f) => parseFinding(env, f, suite)) ?? fileField(env, 'findings');
  const data = list(env, 'data');
  const datasets = data ? await Promise.all(data.map((d) => parseData(env, d))) : fileField(env, 'datasets');
  const result = str(env, 'result')?.toUpperCase() ?? fileText(env, 'result');
  requireField(env, suite.name, 'suite', 'suite.name');
  requireField(env, suite.version, 'suite-version', 'suite.version');
  requireField(env, evaluator.name, 'evaluator', 'evaluator.name');
  requireField(env, datasets, 'data', 'datasets');
  if (findings === undefined) requireField(env, metrics, 'metric', 'metrics');
  requireField(env, result, 'result', 'result');
  const startedOn = timeFlag(env, 'started', str(env, 'started')) ?? fileText(env, 'startedOn');
  const finishedOn = timeFlag(env, 'finished', str(env, 'finished')) ?? fileText(env, 'finishedOn');
  const statement = build(env, () => {
    const fields = parseBuilderFields(
      evaluationFieldsSchema,
      {
        ...fileFields(env),
        suite,
        evaluator,
        datasets,
        metrics: metrics ?? [],
        ...(findings !== undefined ? { findings } : {}),
        result,
        ...(startedOn !== undefined ? { startedOn } : {}),
        ...(finishedOn !== undefined ? { finishedOn } : {}),
      },
      'evaluation input',
    );
    return buildEvaluationStatement({
      ...fields,
      subject: subject.subject,
      training: payloadInput(training),
      ...(refs.dataset.length > 0 ? { datasetAttestations: refs.dataset.map(payloadInput) } : {}),
      attester: env.attester,
      now: env.now,
    });
  });
  return {
    statement,
    notes: [
      `subject   ${digestText(subject.subject.digest)}  ${subject.from}`,
      refNote('training', training),
      ...refs.dataset.map((d) => refNote('data', d)),
    ],
  };
}

export const attestEvaluationCommand = stageCommand(
  'evaluation',
  'attest an evaluation of a model (suite, data, metrics, result)',
  EVALUATION_HELP,
  {
    suite: { type: 'string' },
    'suite-version': { type: 'string' },
    evaluator: { type: 'string' },
    'evaluator-version': { type: 'string' },
    data: { type: 'string', multiple: true },
    metric: { type: 'string', multiple: true },
    finding: { type: 'string', multiple: true },
    result: { type: 'string' },
    started: { type: 'string' },
    finished: { type: 'string' },
  },
  makeEvaluation,
);
