/**
 * `lineproof attest dataset|training|evaluation|approval|promotion|revocation`: build a lifecycle
 * statement from flags (and `--predicate FILE`), link it to its predecessors (`--ref`, or looked up
 * in `--chain`), sign it and append it to the chain. Shared machinery: attest-support.ts.
 */
import { sha256Hex } from '../../digest/index.js';
import { spkiDer } from '../../keys/der.js';
import { loadPublicKey } from '../../node/keys.js';
import {
  buildApprovalStatement,
  buildDatasetStatement,
  buildEvaluationStatement,
  buildPromotionStatement,
  buildRevocationStatement,
  buildTrainingStatement,
  type SubjectInput,
} from '../../statements/builders.js';
import type { Stage } from '../../statements/predicates/common.js';
import { resolvePath } from '../args.js';
import { asExit, usage } from '../errors.js';
import { EXIT, type CliContext, type Command } from '../types.js';
import {
  build,
  candidates,
  COMMON_HELP,
  exactlyOne,
  isAbout,
  listCandidates,
  loadAttestEnv,
  mergeFields,
  operatorError,
  oneSubject,
  payloadInput,
  refNote,
  requireField,
  resolveRefs,
  resolveSubject,
  signAndWrite,
  slotRefs,
  timeFlag,
  trustedForStage,
  warn,
  digestText,
  type AttestEnv,
  type Predecessor,
  type Shape,
} from './attest-support.js';

type Options = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

const ARTIFACT: Shape = { name: '*', uri: '*', digest: '*', mediaType: '*', downloadLocation: '*' };
const TOOL: Shape = { name: '*', version: '*', uri: '*', digest: '*' };

function str(env: AttestEnv, name: string): string | undefined {
  return env.values[name] as string | undefined;
}
function list(env: AttestEnv, name: string): string[] | undefined {
  const v = env.values[name] as string[] | undefined;
  return v && v.length > 0 ? v : undefined;
}
function fileField<T = unknown>(env: AttestEnv, name: string): T | undefined {
  return env.file[name] as T | undefined;
}

function one(env: AttestEnv, refs: Predecessor[], what: string): Predecessor | undefined {
  if (refs.length > 1) throw usage(`${env.cmd}: one --ref for ${what}, got ${refs.length}`);
  return refs[0];
}

function stageCommand(
  stage: Exclude<Stage, never>,
  summary: string,
  help: string,
  options: Options,
  shape: Shape,
  make: (env: AttestEnv) => Promise<{ statement: Parameters<typeof signAndWrite>[1]; notes: string[] }>,
): Command {
  const cmd = `attest ${stage}`;
  return {
    name: cmd,
    summary,
    help: `${help}\n${COMMON_HELP}\n`,
    async run(args: string[], ctx: CliContext) {
      const env = await loadAttestEnv(cmd, stage, args, ctx, options, {
        attester: '*',
        ...(shape as Record<string, Shape>),
      });
      const { statement, notes } = await make(env);
      return signAndWrite(env, statement, notes);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// dataset

const DATASET_HELP = `Usage: lineproof attest dataset --subject PATH|sha256:HEX --name N --version V --owner O --license L
                               --sensitivity S --pii yes|no --key KEY (--chain CHAIN | --out FILE) [options]

Attest a dataset (https://lineproof.dev/attestation/dataset/v0.1), signed by a data steward. The
subject is the dataset: a directory is hashed into its manifest (inlined in the predicate when at
most 1 MiB), a file by its bytes; or give its digest.

Dataset options:
  --subject PATH|sha256:HEX   the dataset (directory, file) or its digest
  --name N                    dataset name (also the subject's name)
  --version V                 dataset version
  --owner O                   the accountable team or person
  --license L                 SPDX license expression (or LicenseRef-..., NOASSERTION)
  --description TEXT          free text
  --sensitivity S             public, internal, confidential or restricted
  --pii yes|no                whether the data holds personal data
  --tag T                     further classification tag, e.g. phi (repeatable)
  --source URI                where the data came from (repeatable; sources pinned by digest go in
                              --predicate as {"sources": [{"uri": ..., "digest": ...}]})
  --ref sha256:D              a dataset attestation this dataset was derived from (repeatable)
  --predicate FILE            other fields: description, processing steps, sources...

Example:
  lineproof attest dataset --subject data/tickets --name tickets --version 2026.01 --owner data-team \\
    --license CC-BY-4.0 --sensitivity internal --pii no --key keys/steward.key --chain model.intoto.jsonl
`;

export const attestDatasetCommand = stageCommand(
  'dataset',
  'attest a dataset (name, owner, license, classification, sources)',
  DATASET_HELP,
  {
    version: { type: 'string' },
    owner: { type: 'string' },
    license: { type: 'string' },
    description: { type: 'string' },
    sensitivity: { type: 'string' },
    pii: { type: 'string' },
    tag: { type: 'string', multiple: true },
    source: { type: 'string', multiple: true },
  },
  {
    name: '*',
    version: '*',
    owner: '*',
    description: '*',
    license: '*',
    classification: { sensitivity: '*', pii: '*', tags: '*' },
    sources: [ARTIFACT],
    processing: [{ name: '*', description: '*', tool: TOOL, parameters: '*' }],
  },
  async (env) => {
    const name = str(env, 'name') ?? fileField<string>(env, 'name');
    requireField(env, name, 'name', 'name');
    const subject = await oneSubject(env, name);
    const refs = slotRefs(
      env,
      resolveRefs(env),
      ['dataset'],
      'a dataset refers only to the dataset attestations it was derived from',
    );
    const piiText = str(env, 'pii');
    let pii: boolean | undefined;
    if (piiText !== undefined) {
      if (!/^(yes|no|true|false)$/i.test(piiText))
        throw usage(`${env.cmd}: --pii expected yes or no, got ${JSON.stringify(piiText)}`);
      pii = /^(yes|true)$/i.test(piiText);
    }
    const classification = mergeFields(fileField(env, 'classification'), {
      sensitivity: str(env, 'sensitivity'),
      pii,
      tags: list(env, 'tag'),
    });
    const version = str(env, 'version') ?? fileField<string>(env, 'version');
    const owner = str(env, 'owner') ?? fileField<string>(env, 'owner');
    const license = str(env, 'license') ?? fileField<string>(env, 'license');
    requireField(env, version, 'version', 'version');
    requireField(env, owner, 'owner', 'owner');
    requireField(env, license, 'license', 'license');
    requireField(env, classification.sensitivity, 'sensitivity', 'classification.sensitivity');
    requireField(env, classification.pii, 'pii', 'classification.pii');
    const sources = list(env, 'source')?.map((uri) => ({ uri })) ?? fileField(env, 'sources') ?? [];
    const statement = await build(env, () =>
      buildDatasetStatement({
        ...(env.file as object),
        subject: subject.subject,
        ...(subject.manifest ? { manifest: subject.manifest } : {}),
        name: name!,
        version: version!,
        owner: owner!,
        license: license!,
        ...(str(env, 'description') !== undefined ? { description: str(env, 'description') } : {}),
        classification: classification as never,
        sources: sources as never,
        ...(refs.dataset.length > 0 ? { derivedFrom: refs.dataset.map(payloadInput) } : {}),
        attester: env.attester,
        now: env.now,
      }),
    );
    return {
      statement,
      notes: [
        `subject   ${digestText(subject.subject.digest)}  ${subject.from}`,
        ...refs.dataset.map((r) => refNote('derived', r)),
      ],
    };
  },
);

// ---------------------------------------------------------------------------------------------
// training

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
  {
    builder: { id: '*', version: '*', builderDependencies: '*' },
    invocationId: '*',
    startedOn: '*',
    finishedOn: '*',
    code: { uri: '*', ref: '*', entryPoint: '*', digest: '*', resolvedUri: '*' },
    hyperparameters: '*',
    datasetManifests: [ARTIFACT],
    baseModel: ARTIFACT,
    environment: ARTIFACT,
    dependencies: [ARTIFACT],
    byproducts: '*',
  },
  async (env) => {
    const subject = await oneSubject(env, 'model');
    const refs = slotRefs(
      env,
      resolveRefs(env),
      ['dataset', 'training'],
      "a training refers to the dataset attestations it was trained on (and, for a fine-tune, to the base model's training)",
    );
    let datasets = refs.dataset;
    if (datasets.length === 0) {
      // the datasets no other (trusted, with --policy) dataset of the chain derives from
      const leaves = candidates(env, 'dataset', (a) =>
        env.index
          .referrers(a.entry.payloadDigest)
          .every((r) => r.from.attestation.stage !== 'dataset' || !trustedForStage(env, r.from)),
      );
      datasets = [exactlyOne(env, leaves, 'the dataset attestation the model was trained on')];
    }
    const baseTraining = one(env, refs.training, "the base model's training");
    const fileBase = fileField<Record<string, unknown>>(env, 'baseModel');
    if (baseTraining && !fileBase)
      throw usage(
        `${env.cmd}: --ref ${baseTraining.digest} is a training attestation, i.e. the base model's of a fine-tune: give the base model itself as baseModel in --predicate`,
      );
    const commit = str(env, 'commit');
    if (commit !== undefined && !/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(commit))
      throw usage(
        `${env.cmd}: --commit expected 40 or 64 lowercase hex digits, got ${JSON.stringify(commit.slice(0, 80))}`,
      );
    const code = mergeFields(fileField(env, 'code'), {
      uri: str(env, 'code'),
      ref: str(env, 'code-ref'),
      entryPoint: str(env, 'entry-point'),
      digest: commit ? { gitCommit: commit } : undefined,
    });
    const builder = mergeFields(fileField(env, 'builder'), { id: str(env, 'builder-id') });
    if (builder.id === undefined && /^[a-z][a-z0-9+.-]*:\/\//.test(env.attester)) builder.id = env.attester;
    const hyperparameters: Record<string, unknown> = {
      ...(fileField<Record<string, unknown>>(env, 'hyperparameters') ?? {}),
    };
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
      hyperparameters[p.slice(0, eq)] = value;
    }
    const startedOn = timeFlag(env, 'started', str(env, 'started')) ?? fileField<string>(env, 'startedOn');
    const finishedOn = timeFlag(env, 'finished', str(env, 'finished')) ?? fileField<string>(env, 'finishedOn');
    requireField(env, builder.id, 'builder-id', 'builder.id');
    requireField(env, startedOn, 'started', 'startedOn');
    requireField(env, finishedOn, 'finished', 'finishedOn');
    requireField(env, code.uri, 'code', 'code.uri');
    requireField(env, code.digest, 'commit', 'code.digest');
    const image = str(env, 'image');
    const environment =
      image !== undefined
        ? { ...(fileField<Record<string, unknown>>(env, 'environment') ?? {}), digest: image }
        : fileField(env, 'environment');
    const statement = await build(env, () =>
      buildTrainingStatement({
        ...(env.file as object),
        subject: subject.subject,
        ...(subject.manifest ? { manifest: subject.manifest } : {}),
        builder: builder as never,
        code: code as never,
        hyperparameters: hyperparameters as never,
        startedOn: startedOn!,
        finishedOn: finishedOn!,
        ...(str(env, 'invocation-id') !== undefined ? { invocationId: str(env, 'invocation-id') } : {}),
        ...(environment !== undefined ? { environment: environment as never } : {}),
        ...(fileBase
          ? {
              baseModel: {
                ...(fileBase as object),
                ...(baseTraining ? { training: payloadInput(baseTraining) } : {}),
              } as never,
            }
          : {}),
        datasets: datasets.map(payloadInput),
        attester: env.attester,
        now: env.now,
      }),
    );
    return {
      statement,
      notes: [
        `subject   ${digestText(subject.subject.digest)}  ${subject.from}`,
        ...datasets.map((d) => refNote('dataset', d)),
        ...(baseTraining ? [refNote('base', baseTraining)] : []),
      ],
    };
  },
);

// ---------------------------------------------------------------------------------------------
// evaluation

const EVALUATION_HELP = `Usage: lineproof attest evaluation --subject MODEL --suite NAME --suite-version V --evaluator TOOL
                                  --data NAME=PATH|sha256:HEX --metric SPEC --result R
                                  --key KEY (--chain CHAIN | --out FILE) [options]

Attest an evaluation of a model (https://lineproof.dev/attestation/evaluation/v0.1), signed by an
evaluator. The training attestation whose subject is this model is looked up in --chain unless given
with --ref.

Evaluation options:
  --subject PATH|sha256:HEX   the model evaluated (hashed as by 'lineproof hash'), or its digest
  --name N                    the subject's name (default: the directory or file name)
  --suite NAME                evaluation suite; --suite-version V its version
  --evaluator TOOL            the tool that ran it; --evaluator-version V its version
  --data NAME=PATH|sha256:HEX evaluation data, hashed (repeatable; at least one)
  --metric SPEC               CATEGORY:NAME=VALUE>=THRESHOLD (higher is better) or
                              CATEGORY:NAME=VALUE<=THRESHOLD (lower is better); CATEGORY is accuracy,
                              robustness, fairness, safety or drift (repeatable; replaces the file's)
  --result R                  PASSED, WARNED or FAILED
  --started TIME, --finished TIME   when the evaluation ran
  --ref sha256:D              the model's training attestation, or dataset attestations of the
                              evaluation data
  --predicate FILE            other fields: metrics with units or datasets, suite uri/digest, report...

Example:
  lineproof attest evaluation --subject model/ --suite release-eval --suite-version 3 --evaluator evalkit \\
    --data heldout=data/heldout.jsonl --metric accuracy:accuracy=0.93>=0.9 --metric safety:jailbreak=0.004<=0.01 \\
    --result PASSED --key keys/evaluator.key --chain model.intoto.jsonl
`;

function parseMetric(env: AttestEnv, spec: string): Record<string, unknown> {
  const m = /^([a-z]+):([^=]+)=([^<>=]+)(>=|<=)([^<>=]+)$/.exec(spec);
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

async function parseData(env: AttestEnv, spec: string): Promise<Record<string, unknown>> {
  const eq = spec.indexOf('=');
  if (eq <= 0 || eq === spec.length - 1)
    throw usage(`${env.cmd}: --data expected NAME=PATH or NAME=sha256:HEX, got ${JSON.stringify(spec.slice(0, 100))}`);
  const r = await resolveSubject({ ...env, values: { ...env.values, name: undefined } }, spec.slice(eq + 1), undefined);
  return {
    name: spec.slice(0, eq),
    digest: r.subject.digest,
    ...(r.subject.mediaType ? { mediaType: r.subject.mediaType } : {}),
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
    result: { type: 'string' },
    started: { type: 'string' },
    finished: { type: 'string' },
  },
  {
    suite: { name: '*', version: '*', uri: '*', digest: '*' },
    evaluator: TOOL,
    datasets: [ARTIFACT],
    metrics: [{ name: '*', category: '*', value: '*', higherIsBetter: '*', threshold: '*', unit: '*', dataset: '*' }],
    result: '*',
    startedOn: '*',
    finishedOn: '*',
    report: ARTIFACT,
  },
  async (env) => {
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
        candidates(env, 'training', (a) => isAbout(env, a, subject.subject.digest)),
        `the training attestation of ${digestText(subject.subject.digest)}`,
      );
    const suite = mergeFields(fileField(env, 'suite'), { name: str(env, 'suite'), version: str(env, 'suite-version') });
    const evaluator = mergeFields(fileField(env, 'evaluator'), {
      name: str(env, 'evaluator'),
      version: str(env, 'evaluator-version'),
    });
    const metrics = list(env, 'metric')?.map((m) => parseMetric(env, m)) ?? fileField(env, 'metrics');
    const datasets = list(env, 'data')
      ? await Promise.all(list(env, 'data')!.map((d) => parseData(env, d)))
      : fileField(env, 'datasets');
    const result = str(env, 'result')?.toUpperCase() ?? fileField<string>(env, 'result');
    requireField(env, suite.name, 'suite', 'suite.name');
    requireField(env, suite.version, 'suite-version', 'suite.version');
    requireField(env, evaluator.name, 'evaluator', 'evaluator.name');
    requireField(env, datasets, 'data', 'datasets');
    requireField(env, metrics, 'metric', 'metrics');
    requireField(env, result, 'result', 'result');
    const startedOn = timeFlag(env, 'started', str(env, 'started')) ?? fileField<string>(env, 'startedOn');
    const finishedOn = timeFlag(env, 'finished', str(env, 'finished')) ?? fileField<string>(env, 'finishedOn');
    const statement = await build(env, () =>
      buildEvaluationStatement({
        ...(env.file as object),
        subject: subject.subject,
        suite: suite as never,
        evaluator: evaluator as never,
        training: payloadInput(training),
        datasets: datasets as never,
        ...(refs.dataset.length > 0 ? { datasetAttestations: refs.dataset.map(payloadInput) } : {}),
        metrics: metrics as never,
        result: result as never,
        ...(startedOn !== undefined ? { startedOn } : {}),
        ...(finishedOn !== undefined ? { finishedOn } : {}),
        attester: env.attester,
        now: env.now,
      }),
    );
    return {
      statement,
      notes: [
        `subject   ${digestText(subject.subject.digest)}  ${subject.from}`,
        refNote('training', training),
        ...refs.dataset.map((d) => refNote('data', d)),
      ],
    };
  },
);

// ---------------------------------------------------------------------------------------------
// approval

const APPROVAL_HELP = `Usage: lineproof attest approval --subject MODEL --decision APPROVED|REJECTED --stage staging|production
                                --use-case ID --use-case-description TEXT [--risk-tier T] --expires TIME
                                --key KEY (--chain CHAIN | --out FILE) [options]

Attest an approval of a model for one use case (https://lineproof.dev/attestation/approval/v0.1),
signed by an approver. A second approver co-signs it with 'lineproof attest cosign'. Its evidence —
the model's training attestation and the evaluations of that training — is looked up in --chain
unless given with --ref; two evaluations of the same suite and version are an error listing them.

Approval options:
  --subject PATH|sha256:HEX   the model approved (hashed as by 'lineproof hash'), or its digest
  --name N                    the subject's name (default: the directory or file name)
  --decision D                APPROVED or REJECTED
  --stage S                   staging or production
  --use-case ID               the use case approved; --use-case-description TEXT what it is
  --risk-tier T               the policy's tier of the use case (default with --policy: the policy's)
  --not-before TIME           start of validity (default: issuedAt)
  --expires TIME              end of validity: RFC 3339, or +Nd / +Nh after issuedAt
  --condition TEXT            a condition of the approval (repeatable)
  --tool T, --data-class C, --secret-scope S   the runtime scope granted (repeatable; default none)
  --ref sha256:D              the training and evaluation attestations relied on (repeatable)
  --predicate FILE            other fields (conditions, runtimeScope, useCase...)

Example:
  lineproof attest approval --subject model/ --decision APPROVED --stage production --use-case support-chat \\
    --use-case-description "answers customers" --expires +90d --key keys/alice.key --policy policy.json \\
    --chain model.intoto.jsonl
`;

export const attestApprovalCommand = stageCommand(
  'approval',
  'attest an approval of a model for a use case (evidence, scope, validity window)',
  APPROVAL_HELP,
  {
    decision: { type: 'string' },
    stage: { type: 'string' },
    'use-case': { type: 'string' },
    'use-case-description': { type: 'string' },
    'risk-tier': { type: 'string' },
    'not-before': { type: 'string' },
    expires: { type: 'string' },
    condition: { type: 'string', multiple: true },
    tool: { type: 'string', multiple: true },
    'data-class': { type: 'string', multiple: true },
    'secret-scope': { type: 'string', multiple: true },
  },
  {
    decision: '*',
    stage: '*',
    useCase: { id: '*', description: '*' },
    riskTier: '*',
    conditions: '*',
    runtimeScope: { tools: '*', dataClasses: '*', secretScopes: '*' },
    notBefore: '*',
    expires: '*',
  },
  async (env) => {
    const subject = await oneSubject(env, 'model');
    const digest = subject.subject.digest;
    const refs = slotRefs(
      env,
      resolveRefs(env),
      ['training', 'evaluation'],
      'an approval relies on the training and the evaluations of the model',
    );
    let training = one(env, refs.training, 'the training');
    let evaluations = refs.evaluation;
    if (!training && evaluations.length > 0 && evaluations.every((e) => e.found)) {
      const trainings = [
        ...new Set(evaluations.map((e) => e.found!.attestation.references.find((r) => r.role === 'training')!.digest)),
      ];
      if (trainings.length > 1)
        throw operatorError(
          'CHAIN_INCONSISTENT',
          `${env.cmd}: the evaluations given rely on ${trainings.length} different trainings (${trainings.join(', ')}); an approval relies on one`,
        );
      const t = env.index.get(trainings[0]!);
      training = t
        ? { digest: trainings[0]!, stage: 'training', payload: t.entry.envelope.payload, found: t }
        : { digest: trainings[0]!, stage: 'training' };
    }
    training ??= exactlyOne(
      env,
      candidates(env, 'training', (a) => isAbout(env, a, digest)),
      `the training attestation of ${digestText(digest)}`,
    );
    if (evaluations.length === 0) {
      const found = candidates(
        env,
        'evaluation',
        (a) =>
          isAbout(env, a, digest) &&
          a.attestation.references.some((r) => r.role === 'training' && r.digest === training!.digest),
      );
      if (found.length === 0) exactlyOne(env, found, `the evaluations of training ${training.digest}`);
      const bySuite = new Map<string, typeof found>();
      for (const f of found) {
        const k = `${f.attestation.predicate.suite.name}@${f.attestation.predicate.suite.version}`;
        bySuite.set(k, [...(bySuite.get(k) ?? []), f]);
      }
      const clash = [...bySuite.values()].find((g) => g.length > 1);
      if (clash)
        throw operatorError(
          'PREDECESSOR_AMBIGUOUS',
          `${env.cmd}: ${clash.length} evaluations of the same suite in ${env.chainName}; choose the ones relied on with --ref:\n${listCandidates(clash)}`,
        );
      evaluations = found.map((a) => ({
        digest: a.entry.payloadDigest,
        stage: 'evaluation' as const,
        payload: a.entry.envelope.payload,
        found: a,
      }));
    }
    for (const e of evaluations) {
      const r = e.found?.attestation.stage === 'evaluation' ? e.found.attestation.predicate.result : undefined;
      if (r === 'FAILED' || r === 'WARNED') warn(env.ctx, `evidence ${e.digest} has result ${r}`);
    }
    const useCase = mergeFields(fileField(env, 'useCase'), {
      id: str(env, 'use-case'),
      description: str(env, 'use-case-description'),
    });
    requireField(env, useCase.id, 'use-case', 'useCase.id');
    requireField(env, useCase.description, 'use-case-description', 'useCase.description');
    let riskTier = str(env, 'risk-tier') ?? fileField<string>(env, 'riskTier');
    if (env.policy) {
      const tier = env.policy.tierOf(useCase.id as string);
      if (!tier)
        throw operatorError(
          'USE_CASE_NOT_ALLOWED',
          `${env.cmd}: the policy ${env.values.policy} does not allow the use case ${JSON.stringify(useCase.id)} (allowed: ${Object.keys(env.policy.document.useCases).join(', ') || 'none'})`,
        );
      if (riskTier !== undefined && riskTier !== tier.name)
        throw operatorError(
          'RISK_TIER_MISMATCH',
          `${env.cmd}: the policy puts ${useCase.id} in tier ${tier.name}, not ${riskTier}`,
        );
      riskTier = tier.name;
    }
    requireField(env, riskTier, 'risk-tier', 'riskTier');
    const decision = str(env, 'decision')?.toUpperCase() ?? fileField<string>(env, 'decision');
    const stage = str(env, 'stage') ?? fileField<string>(env, 'stage');
    const expires = timeFlag(env, 'expires', str(env, 'expires')) ?? fileField<string>(env, 'expires');
    const notBefore = timeFlag(env, 'not-before', str(env, 'not-before')) ?? fileField<string>(env, 'notBefore');
    requireField(env, decision, 'decision', 'decision');
    requireField(env, stage, 'stage', 'stage');
    requireField(env, expires, 'expires', 'expires');
    const runtimeScope = mergeFields(fileField(env, 'runtimeScope'), {
      tools: list(env, 'tool'),
      dataClasses: list(env, 'data-class'),
      secretScopes: list(env, 'secret-scope'),
    });
    const conditions = list(env, 'condition') ?? fileField(env, 'conditions');
    const statement = await build(env, () =>
      buildApprovalStatement({
        ...(env.file as object),
        subject: subject.subject,
        decision: decision as never,
        stage: stage as never,
        useCase: useCase as never,
        riskTier: riskTier!,
        training: payloadInput(training!),
        evaluations: evaluations.map(payloadInput),
        ...(conditions !== undefined ? { conditions: conditions as never } : {}),
        runtimeScope: runtimeScope as never,
        ...(notBefore !== undefined ? { notBefore } : {}),
        expires: expires!,
        attester: env.attester,
        now: env.now,
      }),
    );
    return {
      statement,
      notes: [
        `subject   ${digestText(digest)}  ${subject.from}`,
        refNote('training', training),
        ...evaluations.map((e) => refNote('evaluation', e)),
      ],
    };
  },
);

// ---------------------------------------------------------------------------------------------
// promotion

const PROMOTION_HELP = `Usage: lineproof attest promotion --subject MODEL --environment ENV [--stage S] [--endpoint URI]
                                 --key KEY (--chain CHAIN | --out FILE) [options]

Attest that a model was deployed (https://lineproof.dev/attestation/promotion/v0.1), signed by a
deployer. The APPROVED approval of this model (of --stage, when given) is looked up in --chain
unless given with --ref.

Promotion options:
  --subject PATH|sha256:HEX   the model deployed (hashed as by 'lineproof hash'), or its digest
  --name N                    the subject's name (default: the directory or file name)
  --stage S                   staging or production (default: the approval's stage)
  --environment ENV           where it runs, e.g. prod-eu-west-1
  --endpoint URI              the serving endpoint
  --ref sha256:D              the approval deployed under

Example:
  lineproof attest promotion --subject model/ --environment prod-eu-west-1 --key keys/deployer.key \\
    --chain model.intoto.jsonl
`;

export const attestPromotionCommand = stageCommand(
  'promotion',
  'attest a deployment of a model under an approval',
  PROMOTION_HELP,
  { stage: { type: 'string' }, environment: { type: 'string' }, endpoint: { type: 'string' } },
  { stage: '*', environment: '*', endpoint: '*' },
  async (env) => {
    const subject = await oneSubject(env, 'model');
    const digest = subject.subject.digest;
    const refs = slotRefs(env, resolveRefs(env), ['approval'], 'a promotion refers to the approval it deploys under');
    const wanted = str(env, 'stage') ?? fileField<string>(env, 'stage');
    const approval =
      one(env, refs.approval, 'the approval') ??
      exactlyOne(
        env,
        candidates(
          env,
          'approval',
          (a) =>
            isAbout(env, a, digest) &&
            a.attestation.predicate.decision === 'APPROVED' &&
            (wanted === undefined || a.attestation.predicate.stage === wanted),
        ),
        `the APPROVED approval of ${digestText(digest)}${wanted ? ` for ${wanted}` : ''}`,
      );
    const stage =
      wanted ??
      (approval.found?.attestation.stage === 'approval' ? approval.found.attestation.predicate.stage : undefined);
    const environment = str(env, 'environment') ?? fileField<string>(env, 'environment');
    requireField(env, stage, 'stage', 'stage');
    requireField(env, environment, 'environment', 'environment');
    const endpoint = str(env, 'endpoint') ?? fileField<string>(env, 'endpoint');
    const statement = await build(env, () =>
      buildPromotionStatement({
        subject: subject.subject,
        approval: payloadInput(approval),
        stage: stage as never,
        environment: environment!,
        ...(endpoint !== undefined ? { endpoint } : {}),
        attester: env.attester,
        now: env.now,
      }),
    );
    return { statement, notes: [`subject   ${digestText(digest)}  ${subject.from}`, refNote('approval', approval)] };
  },
);

// ---------------------------------------------------------------------------------------------
// revocation

const REVOCATION_HELP = `Usage: lineproof attest revocation --kind attestation|key|dataset|model --reason R --description TEXT
                                  (--ref sha256:D ... | --revoke-key PUB ... | --subject PATH|sha256:HEX ...)
                                  --key KEY (--chain CHAIN | --out FILE) [options]

Attest a revocation (https://lineproof.dev/attestation/revocation/v0.1), signed by a revoker: of
attestations (by payload digest), keys (by their public key file), datasets or models (by path or
digest). A revocation in a bundle is honoured by verification, but its absence proves nothing:
revocations that must hold belong in the policy.

Revocation options:
  --kind K                    attestation, key, dataset or model
  --reason R                  compromised, retired, superseded, erroneous, legal or other
  --description TEXT          why, in words
  --effective-at TIME         from when it applies (default: issuedAt)
  --ref sha256:D              an attestation revoked (kind attestation; repeatable)
  --revoke-key PUB            a public key file revoked (kind key; repeatable); --subject sha256:HEX
                              names a key by the sha256 of its DER SubjectPublicKeyInfo instead
  --subject PATH|sha256:HEX   a dataset or model revoked (kinds dataset, model; repeatable)

Example:
  lineproof attest revocation --kind attestation --reason erroneous --description "evaluated the wrong checkpoint" \\
    --ref sha256:9f2c... --key keys/security.key --chain model.intoto.jsonl
`;

export const attestRevocationCommand = stageCommand(
  'revocation',
  'attest a revocation of attestations, keys, datasets or models',
  REVOCATION_HELP,
  {
    kind: { type: 'string' },
    reason: { type: 'string' },
    description: { type: 'string' },
    'effective-at': { type: 'string' },
    'revoke-key': { type: 'string', multiple: true },
  },
  {
    kind: '*',
    reason: '*',
    description: '*',
    effectiveAt: '*',
    subjects: [{ name: '*', uri: '*', digest: '*', mediaType: '*' }],
  },
  async (env) => {
    const kind = str(env, 'kind') ?? fileField<string>(env, 'kind');
    const reason = str(env, 'reason') ?? fileField<string>(env, 'reason');
    const description = str(env, 'description') ?? fileField<string>(env, 'description');
    requireField(env, kind, 'kind', 'kind');
    requireField(env, reason, 'reason', 'reason');
    requireField(env, description, 'description', 'description');
    if (!['attestation', 'key', 'dataset', 'model'].includes(kind!))
      throw usage(`${env.cmd}: --kind expected attestation, key, dataset or model, got ${JSON.stringify(kind)}`);
    const effectiveAt =
      timeFlag(env, 'effective-at', str(env, 'effective-at')) ?? fileField<string>(env, 'effectiveAt');
    const refs = resolveRefs(env);
    const subjects = list(env, 'subject') ?? [];
    const keys = list(env, 'revoke-key') ?? [];
    const notes: string[] = [];
    let target:
      | { kind: 'attestation'; attestations: Array<Uint8Array | string> }
      | { kind: 'key' | 'dataset' | 'model'; subjects: SubjectInput[] };
    if (kind === 'attestation') {
      if (subjects.length > 0 || keys.length > 0 || fileField(env, 'subjects') !== undefined)
        throw usage(`${env.cmd}: a revocation of kind attestation names what it revokes with --ref`);
      if (refs.length === 0)
        throw usage(
          `${env.cmd}: --ref sha256:D is required for kind attestation (the payload digest of each attestation revoked)`,
        );
      target = { kind, attestations: refs.map(payloadInput) };
      notes.push(...refs.map((r) => refNote('revokes', r)));
    } else {
      if (refs.length > 0)
        throw operatorError(
          'REFERENCE_STAGE_MISMATCH',
          `${env.cmd}: --ref names attestations; a revocation of kind ${kind} names ${kind === 'key' ? 'keys (--revoke-key PUB)' : `${kind}s (--subject)`}`,
        );
      if (keys.length > 0 && kind !== 'key') throw usage(`${env.cmd}: --revoke-key is for kind key`);
      const out: SubjectInput[] = [];
      for (const k of keys) {
        const pub = await asExit(EXIT.USAGE, () => loadPublicKey(resolvePath(env.ctx, k), { what: k }));
        out.push({ name: pub.keyid || k, digest: { sha256: sha256Hex(spkiDer(pub.bytes)) } });
      }
      for (const s of subjects)
        out.push((await resolveSubject({ ...env, values: { ...env.values, name: undefined } }, s, undefined)).subject);
      const fromFile = fileField<SubjectInput[]>(env, 'subjects');
      const all = out.length > 0 ? out : (fromFile ?? []);
      if (all.length === 0)
        throw usage(
          `${env.cmd}: name what is revoked: ${kind === 'key' ? '--revoke-key PUB or --subject sha256:<SPKI digest>' : '--subject PATH|sha256:HEX'}`,
        );
      target = { kind: kind as 'key' | 'dataset' | 'model', subjects: all };
      notes.push(
        ...all.map(
          (s) =>
            `revokes   ${typeof s.digest === 'string' ? s.digest : digestText(s.digest)}${s.name ? `  ${s.name}` : ''}`,
        ),
      );
    }
    const statement = await build(env, () =>
      buildRevocationStatement({
        ...target,
        reason: reason as never,
        description: description!,
        ...(effectiveAt !== undefined ? { effectiveAt } : {}),
        attester: env.attester,
        now: env.now,
      } as never),
    );
    return { statement, notes };
  },
);
