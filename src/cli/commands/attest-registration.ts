/** `lineproof attest registration`: register a model (owner, use cases, risk tiers, model card), signed by a registrar. */
import { buildRegistrationStatement } from '../../statements/builders.js';
import { parseBuilderFields, registrationFieldsSchema } from '../../statements/inputs.js';
import { usage } from '../errors.js';
import type { AttestEnv } from './attest-env.js';
import {
  fileField,
  fileText,
  list,
  mergeFields,
  oneSubject,
  policyTierOf,
  requireField,
  str,
} from './attest-inputs.js';
import { build, stageCommand, type Made } from './attest-output.js';
import { digestText } from './describe.js';

const REGISTRATION_HELP = `Usage: lineproof attest registration --subject MODEL --model-name N --model-version V --owner ID
                                    --use-case 'ID:DESCRIPTION' [--risk-tier ID=TIER] --description TEXT
                                    --license L --contact C --key KEY (--chain CHAIN | --out FILE) [options]

Register a model before it is approved (https://lineproof.dev/attestation/registration/v0.1),
signed by a registrar: its name and version, the identity accountable for it, the use cases it is
intended for with the risk tier of each, and its model card. An approval made later with --chain
refers to it (approval v0.2); a policy with "requireRegistration": true refuses approvals that do
not, and the policy's tier for a use case must equal the one registered.

Registration options:
  --subject PATH|sha256:HEX   the model registered (hashed as by 'lineproof hash'), or its digest
  --name N                    the subject's name (default: the directory or file name)
  --model-name N              the registered name; --model-version V its version
  --owner ID                  the identity accountable for the model, e.g. mailto:ml-team@example.com
  --use-case 'ID:DESCRIPTION' an intended use case and what it is for (repeatable; at least one)
  --risk-tier ID=TIER         the risk tier of use case ID (repeatable; default with --policy: the
                              policy's tier for it, and a different one is refused)
  --description TEXT          what the model is (model card)
  --limitation TEXT           a known limitation (repeatable)
  --license L                 an SPDX license identifier or expression, or a URI
  --contact C                 who to contact (repeatable; at least one)
  --predicate FILE            the fields as JSON: model, owner, useCases, modelCard

Example:
  lineproof attest registration --subject model/ --model-name support-bot --model-version 3.0.0 \\
    --owner mailto:ml-team@example.com --use-case 'support-chat:answers customers' --description 'A support assistant' \\
    --limitation 'English only' --license Apache-2.0 --contact mailto:ml-team@example.com \\
    --key keys/registrar.key --policy policy.json --chain model.intoto.jsonl
`;

/** `--risk-tier ID=TIER` flags, by use case. */
function tiersOf(env: AttestEnv): Map<string, string> {
  const out = new Map<string, string>();
  for (const spec of list(env, 'risk-tier') ?? []) {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1)
      throw usage(`${env.cmd}: --risk-tier expected USE_CASE=TIER, got ${JSON.stringify(spec.slice(0, 100))}`);
    out.set(spec.slice(0, eq), spec.slice(eq + 1));
  }
  return out;
}

function useCasesOf(env: AttestEnv): unknown {
  const flags = list(env, 'use-case');
  const tiers = tiersOf(env);
  if (!flags) {
    const fromFile = fileField(env, 'useCases');
    if (!Array.isArray(fromFile)) return fromFile;
    return fromFile.map((u: unknown) => {
      if (typeof u !== 'object' || u === null) return u;
      const o = u as Record<string, unknown>;
      if (typeof o.id !== 'string') return u;
      const tier = policyTierOf(
        env,
        o.id,
        tiers.get(o.id) ?? (o.riskTier as string | undefined),
        'REGISTRATION_TIER_MISMATCH',
      );
      return tier === undefined ? o : { ...o, riskTier: tier };
    });
  }
  const out = flags.map((spec) => {
    const colon = spec.indexOf(':');
    if (colon <= 0 || colon === spec.length - 1)
      throw usage(`${env.cmd}: --use-case expected ID:DESCRIPTION, got ${JSON.stringify(spec.slice(0, 100))}`);
    const id = spec.slice(0, colon);
    const riskTier = policyTierOf(env, id, tiers.get(id), 'REGISTRATION_TIER_MISMATCH');
    if (riskTier === undefined)
      throw usage(`${env.cmd}: the risk tier of use case ${id} is needed: --risk-tier ${id}=TIER, or --policy`);
    return { id, description: spec.slice(colon + 1), riskTier };
  });
  for (const id of tiers.keys())
    if (!out.some((u) => u.id === id)) throw usage(`${env.cmd}: --risk-tier ${id}=…: no --use-case ${id}:…`);
  return out;
}

async function makeRegistration(env: AttestEnv): Promise<Made> {
  const subject = await oneSubject(env, 'model');
  const model = mergeFields(fileField(env, 'model'), {
    name: str(env, 'model-name'),
    version: str(env, 'model-version'),
  });
  const owner = str(env, 'owner') ?? fileText(env, 'owner');
  const useCases = useCasesOf(env);
  const modelCard = mergeFields(fileField(env, 'modelCard'), {
    description: str(env, 'description'),
    limitations: list(env, 'limitation'),
    license: str(env, 'license'),
    contacts: list(env, 'contact'),
  });
  requireField(env, model.name, 'model-name', 'model.name');
  requireField(env, model.version, 'model-version', 'model.version');
  requireField(env, owner, 'owner', 'owner');
  requireField(env, useCases, 'use-case', 'useCases');
  requireField(env, modelCard.description, 'description', 'modelCard.description');
  requireField(env, modelCard.license, 'license', 'modelCard.license');
  requireField(env, modelCard.contacts, 'contact', 'modelCard.contacts');
  const statement = build(env, () => {
    const fields = parseBuilderFields(
      registrationFieldsSchema,
      { model, owner, useCases, modelCard },
      'registration input',
    );
    return buildRegistrationStatement({ ...fields, subject: subject.subject, attester: env.attester, now: env.now });
  });
  const p = statement.predicate!;
  const registered = p.useCases.map((u) => `${u.id} (${u.riskTier})`);
  return {
    statement,
    notes: [
      `subject   ${digestText(subject.subject.digest)}  ${subject.from}`,
      `model     ${p.model.name}@${p.model.version} owned by ${p.owner}`,
      `use cases ${registered.join(', ')}`,
    ],
  };
}

export const attestRegistrationCommand = stageCommand(
  'registration',
  'register a model before approval (owner, use cases and risk tiers, model card)',
  REGISTRATION_HELP,
  {
    'model-name': { type: 'string' },
    'model-version': { type: 'string' },
    owner: { type: 'string' },
    'use-case': { type: 'string', multiple: true },
    'risk-tier': { type: 'string', multiple: true },
    description: { type: 'string' },
    limitation: { type: 'string', multiple: true },
    license: { type: 'string' },
    contact: { type: 'string', multiple: true },
  },
  makeRegistration,
);
