/** `lineproof attest training`: attest a training run (SLSA Provenance v1), signed by a trainer. */
import { leafDatasets, payloadInput } from '../../bundle/predecessors.js';
import { buildTrainingStatement } from '../../statements/builders.js';
import { parseBuilderFields, trainingFieldsSchema } from '../../statements/inputs.js';
import { isJsonObject } from '../../json/strict.js';
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
  requireField,
  resolveRefs,
  slotRefs,
  str,
  timeFlag,
} from './attest-inputs.js';
import { build, refNote, stageCommand, type Made } from './attest-output.js';
import { digestText } from './describe.js';

const TRAINING_HELP = `Usage: lineproof attest training --subject MODEL --started TIME --finished TIME --code URI --commit HEX
                                --key KEY (--chain CHAIN | --out FILE) [options]

Attest a training run: SLSA Provenance v1 (https://slsa.dev/provenance/v1) with buildType
https://lineproof.dev/buildtypes/ml-training/v0.1, signed by the training pipeline. The subject is the
model: a directory is hashed into its manifest (carried as the byproduct "manifest"), a file by its
bytes. The dataset attestation(s) it was trained on are looked up in --chain (the datasets no other
dataset of the chain derives from; several are an error listing them) unless given with --ref.

Training options:
  --subject PATH|sha256:HEX   the model (directory, file) or its digest
  --name N                    the subject's name (default: the directory or file name)
  --builder-id URI            the pipeline identity (SLSA builder.id); default: --attester when a URI
  --invocation-id ID          this run's id
  --started TIME              when the run started; --finished TIME when it finished (RFC 3339)
  --code URI                  repository of the code run, e.g. git+https://github.com/acme/trainer
  --code-ref REF              e.g. refs/tags/v5; --entry-point E, e.g. train.py
  --commit HEX                the git commit (40 or 64 hex digits)
  --param KEY=VALUE           a hyperparameter (repeatable; VALUE read as JSON when it parses)
  --image sha256:HEX          digest of the environment (container) image
  --ref sha256:D              a dataset attestation trained on (repeatable), or the base model's
                              training attestation for a fine-tune (baseModel goes in --predicate)
  --predicate FILE            other fields: datasetManifests, baseModel, environment, dependencies,
                              byproducts, builder.version, hyperparameters...

Example:
  lineproof attest training --subject model/ --started 2026-01-10T18:00:00Z --finished 2026-01-11T02:00:00Z \\
    --code git+https://github.com/acme/trainer --commit 4f2a... --param epochs=3 --param lr=0.0002 \\
    --key keys/trainer.key --policy policy.json --chain model.intoto.jsonl
`;

/** `--param KEY=VALUE` (VALUE read as JSON when it parses) over the file's hyperparameters. */
function hyperparameters(env: AttestEnv): unknown {
  const fromFile = fileField(env, 'hyperparameters');
  if (fromFile !== undefined && !isJsonObject(fromFile)) return fromFile; // refused by the builder's schema
  const out: Record<string, unknown> = { ...fromFile };
  for (const p of list(env, 'param') ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw usage(`${env.cmd}: --param expected KEY=VALUE, got ${JSON.stringify(p.slice(0, 80))}`);
    const raw = p.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a plain string
    }
    out[p.slice(0, eq)] = value;
  }
  return out;
}

/** The code run: `--code`, `--code-ref`, `--entry-point`, `--commit` over the file's `code`. */
function codeFields(env: AttestEnv): Record<string, unknown> {
  const commit = str(env, 'commit');
  if (commit !== undefined && !/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(commit))
    throw usage(
      `${env.cmd}: --commit expected 40 or 64 lowercase hex digits, got ${JSON.stringify(commit.slice(0, 80))}`,
    );
  return mergeFields(fileField(env, 'code'), {
    uri: str(env, 'code'),
    ref: str(env, 'code-ref'),
    entryPoint: str(env, 'entry-point'),
    digest: commit ? { gitCommit: commit } : undefined,
  });
}

async function makeTraining(env: AttestEnv): Promise<Made> {
  const refs = slotRefs(
    env,
    resolveRefs(env),
    ['dataset', 'training'],
    "a training refers to the dataset attestations it was trained on (and, for a fine-tune, to the base model's training)",
  );
  // without --ref: the datasets no other (trusted, with --policy) dataset of the chain derives from
  const datasets =
    refs.dataset.length > 0
      ? refs.dataset
      : [exactlyOne(env, leafDatasets(env.lookup), 'the dataset attestation the model was trained on')];
  const baseTraining = one(env, refs.training, "the base model's training");
  const fileBase = fileField(env, 'baseModel');
  if (baseTraining && !fileBase)
    throw usage(
      `${env.cmd}: --ref ${baseTraining.digest} is a training attestation, i.e. the base model's of a fine-tune: give the base model itself as baseModel in --predicate`,
    );
  const code = codeFields(env);
  const builder = mergeFields(fileField(env, 'builder'), { id: str(env, 'builder-id') });
  if (builder.id === undefined && /^[a-z][a-z0-9+.-]*:\/\//.test(env.attester)) builder.id = env.attester;
  const params = hyperparameters(env);
  const startedOn = timeFlag(env, 'started', str(env, 'started')) ?? fileText(env, 'startedOn');
  const finishedOn = timeFlag(env, 'finished', str(env, 'finished')) ?? fileText(env, 'finishedOn');
  requireField(env, builder.id, 'builder-id', 'builder.id');
  requireField(env, startedOn, 'started', 'startedOn');
  requireField(env, finishedOn, 'finished', 'finishedOn');
  requireField(env, code.uri, 'code', 'code.uri');
  requireField(env, code.digest, 'commit', 'code.digest');
  const image = str(env, 'image');
  const environment = image !== undefined ? mergeFields(fileField(env, 'environment'), { digest: image }) : undefined;
  // the model is hashed last: a missing dataset or flag is said before gigabytes are read
  const subject = await oneSubject(env, 'model');
  const statement = build(env, () => {
    const fields = parseBuilderFields(
      trainingFieldsSchema,
      {
        ...fileFields(env),
        builder,
        code,
        hyperparameters: params,
        startedOn,
        finishedOn,
        ...(str(env, 'invocation-id') !== undefined ? { invocationId: str(env, 'invocation-id') } : {}),
        ...(environment !== undefined ? { environment } : {}),
      },
      'training input',
    );
    const { baseModel, ...rest } = fields;
    return buildTrainingStatement({
      ...rest,
      subject: subject.subject,
      ...(subject.manifest ? { manifest: subject.manifest } : {}),
      ...(baseModel
        ? { baseModel: { ...baseModel, ...(baseTraining ? { training: payloadInput(baseTraining) } : {}) } }
        : {}),
      datasets: datasets.map(payloadInput),
      attester: env.attester,
      now: env.now,
    });
  });
  return {
    statement,
    notes: [
      `subject   ${digestText(subject.subject.digest)}  ${subject.from}`,
      ...datasets.map((d) => refNote('dataset', d)),
      ...(baseTraining ? [refNote('base', baseTraining)] : []),
    ],
  };
}

export const attestTrainingCommand = stageCommand(
  'training',
  'attest a training run (SLSA provenance: code, hyperparameters, datasets, environment)',
  TRAINING_HELP,
  {
    'builder-id': { type: 'string' },
    'invocation-id': { type: 'string' },
    started: { type: 'string' },
    finished: { type: 'string' },
    code: { type: 'string' },
    'code-ref': { type: 'string' },
    'entry-point': { type: 'string' },
    commit: { type: 'string' },
    param: { type: 'string', multiple: true },
    image: { type: 'string' },
  },
  makeTraining,
);
