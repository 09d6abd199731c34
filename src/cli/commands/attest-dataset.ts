/** `lineproof attest dataset`: attest a dataset, signed by a data steward. */
import { payloadInput } from '../../bundle/predecessors.js';
import { buildDatasetStatement } from '../../statements/builders.js';
import { datasetFieldsSchema, parseBuilderFields } from '../../statements/inputs.js';
import { usage } from '../errors.js';
import type { AttestEnv } from './attest-env.js';
import {
  fileField,
  fileFields,
  fileText,
  list,
  mergeFields,
  oneSubject,
  requireField,
  resolveRefs,
  slotRefs,
  str,
} from './attest-inputs.js';
import { build, refNote, stageCommand, type Made } from './attest-output.js';
import { digestText } from './describe.js';

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

function piiFlag(env: AttestEnv): boolean | undefined {
  const piiText = str(env, 'pii');
  if (piiText === undefined) return undefined;
  if (!/^(yes|no|true|false)$/i.test(piiText))
    throw usage(`${env.cmd}: --pii expected yes or no, got ${JSON.stringify(piiText)}`);
  return /^(yes|true)$/i.test(piiText);
}

async function makeDataset(env: AttestEnv): Promise<Made> {
  const name = str(env, 'name') ?? fileText(env, 'name');
  requireField(env, name, 'name', 'name');
  const subject = await oneSubject(env, name);
  const refs = slotRefs(
    env,
    resolveRefs(env),
    ['dataset'],
    'a dataset refers only to the dataset attestations it was derived from',
  );
  const classification = mergeFields(fileField(env, 'classification'), {
    sensitivity: str(env, 'sensitivity'),
    pii: piiFlag(env),
    tags: list(env, 'tag'),
  });
  const version = str(env, 'version') ?? fileText(env, 'version');
  const owner = str(env, 'owner') ?? fileText(env, 'owner');
  const license = str(env, 'license') ?? fileText(env, 'license');
  requireField(env, version, 'version', 'version');
  requireField(env, owner, 'owner', 'owner');
  requireField(env, license, 'license', 'license');
  requireField(env, classification.sensitivity, 'sensitivity', 'classification.sensitivity');
  requireField(env, classification.pii, 'pii', 'classification.pii');
  const sources = list(env, 'source')?.map((uri) => ({ uri })) ?? fileField(env, 'sources') ?? [];
  const statement = build(env, () => {
    const fields = parseBuilderFields(
      datasetFieldsSchema,
      {
        ...fileFields(env),
        name,
        version,
        owner,
        license,
        ...(str(env, 'description') !== undefined ? { description: str(env, 'description') } : {}),
        classification,
        sources,
      },
      'dataset input',
    );
    return buildDatasetStatement({
      ...fields,
      subject: subject.subject,
      ...(subject.manifest ? { manifest: subject.manifest } : {}),
      ...(refs.dataset.length > 0 ? { derivedFrom: refs.dataset.map(payloadInput) } : {}),
      attester: env.attester,
      now: env.now,
    });
  });
  return {
    statement,
    notes: [
      `subject   ${digestText(subject.subject.digest)}  ${subject.from}`,
      ...refs.dataset.map((r) => refNote('derived', r)),
    ],
  };
}

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
  makeDataset,
);
